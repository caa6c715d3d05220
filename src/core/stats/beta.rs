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

#[cfg(test)]
mod tests {
    use super::*;

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
