//! The beta distribution's upper tail and the posterior of a DLT rate under a uniform prior.

use statrs::function::beta::beta_reg;

/// P(p > x) when p ~ Beta(a, b): the regularized incomplete beta I_{1−x}(b, a), accurate in
/// the upper tail and for large a, b.
pub fn beta_sf(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x >= 1.0 {
        return 0.0;
    }
    beta_reg(b, a, 1.0 - x)
}

/// Posterior probability that a DLT rate exceeds `threshold` after `dlts` of `patients`, under a
/// uniform Beta(1, 1) prior: P(p > threshold | Beta(dlts + 1, patients − dlts + 1)).
pub fn beta_uniform_posterior_exceeds(threshold: f64, patients: u32, dlts: u32) -> f64 {
    beta_sf(threshold, f64::from(dlts + 1), f64::from(patients - dlts + 1))
}

/// The `q` quantile of Beta(a, b), by bisection on the distribution function I_x(a, b) to the
/// precision of a float (relative, so that quantiles as small as BOIN's Beta(0.05, 3.05) gives,
/// about 1e-27, are found too).
pub fn beta_quantile(q: f64, a: f64, b: f64) -> f64 {
    let (mut low, mut high) = (0.0f64, 1.0f64);
    loop {
        // Halve on the log scale once the bracket spans orders of magnitude.
        let mid = if low > 0.0 && high / low > 4.0 {
            (low * high).sqrt()
        } else if low == 0.0 && high > f64::MIN_POSITIVE {
            high / 16.0
        } else {
            0.5 * (low + high)
        };
        if mid <= low || mid >= high {
            return high;
        }
        if beta_reg(a, b, mid) < q {
            low = mid;
        } else {
            high = mid;
        }
    }
}

/// The central `level` credible interval of Beta(a, b) (e.g. 0.90: the 5% and 95% quantiles).
pub fn beta_interval(a: f64, b: f64, level: f64) -> (f64, f64) {
    let tail = 0.5 * (1.0 - level);
    (beta_quantile(tail, a, b), beta_quantile(1.0 - tail, a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quantile inverts the distribution function, for integer and small (BOIN's 0.05)
    /// parameters: Beta(1, 1) is uniform, Beta(0.05, 3.05) piles up near 0 (its 5% quantile is
    /// about 1e-27) and Beta(3.05, 0.05) near 1 (its upper quantiles round to 1).
    #[test]
    fn quantile_inverts_the_distribution() {
        for (a, b) in [(1.0, 1.0), (2.0, 5.0), (0.05, 3.05), (10.05, 20.05)] {
            for q in [0.05, 0.5, 0.95] {
                let x = beta_quantile(q, a, b);
                assert!((beta_reg(a, b, x) - q).abs() < 1e-9, "Beta({a}, {b}) q {q}: {x}");
            }
        }
        assert!((beta_quantile(0.3, 1.0, 1.0) - 0.3).abs() < 1e-12);
        let (low, high) = beta_interval(0.05, 3.05, 0.90);
        assert!(low > 0.0 && low < 1e-20 && high < 0.5, "{low} {high}");
        let (low, high) = beta_interval(3.05, 0.05, 0.90);
        assert!(low > 0.5 && high > 1.0 - 1e-15, "{low} {high}");
    }

    /// Reference by the identity P(p > x) = P(Binomial(a + b − 1, x) ≤ a − 1) for integer a, b,
    /// summed term by term.
    fn binomial_reference(x: f64, a: u32, b: u32) -> f64 {
        let n = a + b - 1;
        let mut term = (1.0 - x).powi(n as i32);
        let mut sum = term;
        for i in 1..a {
            term *= f64::from(n - i + 1) / f64::from(i) * x / (1.0 - x);
            sum += term;
        }
        sum
    }

    #[test]
    fn integer_beta_matches_binomial_sum() {
        for (x, a, b) in [
            (0.25, 4, 1),
            (0.25, 3, 2),
            (0.3, 5, 9),
            (0.05, 1, 30),
            (0.9, 12, 3),
            (0.3, 40, 60),
        ] {
            let ours = beta_sf(x, f64::from(a), f64::from(b));
            let reference = binomial_reference(x, a, b);
            assert!((ours - reference).abs() < 1e-12, "{x} {a} {b}: {ours} vs {reference}");
        }
    }

    /// Regression: the binomial sum underflowed for thousands of patients, losing BOIN's
    /// elimination boundary.
    #[test]
    fn large_counts_do_not_underflow() {
        let p = beta_uniform_posterior_exceeds(0.3, 3000, 960);
        assert!(p > 0.95 && p < 1.0, "{p}");
        assert!(beta_uniform_posterior_exceeds(0.3, 3000, 800) < 0.001);
    }
}
