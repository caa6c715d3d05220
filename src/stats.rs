//! Small exact distribution functions used by the designs.

/// P(X ≤ k) for X ~ Binomial(n, p), summed exactly term by term.
pub fn binomial_cdf(k: u32, n: u32, p: f64) -> f64 {
    if k >= n {
        return 1.0;
    }
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    let q = 1.0 - p;
    let mut term = q.powi(n as i32); // P(X = 0)
    let mut sum = term;
    for i in 1..=k {
        term *= (f64::from(n - i + 1) / f64::from(i)) * (p / q);
        sum += term;
    }
    sum.min(1.0)
}

/// P(p > x) when p ~ Beta(a, b) with positive integer a, b, by the identity
/// I_x(a, b) = P(Binomial(a + b − 1, x) ≥ a).
pub fn beta_int_sf(x: f64, a: u32, b: u32) -> f64 {
    debug_assert!(a >= 1 && b >= 1);
    binomial_cdf(a - 1, a + b - 1, x)
}

/// Posterior probability that a DLT rate exceeds `threshold` after `dlts` of `patients`, under a
/// uniform Beta(1, 1) prior: P(p > threshold | Beta(dlts + 1, patients − dlts + 1)).
pub fn beta_uniform_posterior_exceeds(threshold: f64, patients: u32, dlts: u32) -> f64 {
    beta_int_sf(threshold, dlts + 1, patients - dlts + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{Beta, ContinuousCDF};

    #[test]
    fn integer_beta_matches_statrs() {
        for (x, a, b) in [(0.25, 4, 1), (0.25, 3, 2), (0.3, 5, 9), (0.05, 1, 30), (0.9, 12, 3)] {
            let reference = 1.0 - Beta::new(f64::from(a), f64::from(b)).unwrap().cdf(x);
            let ours = beta_int_sf(x, a, b);
            assert!((ours - reference).abs() < 1e-12, "{x} {a} {b}: {ours} vs {reference}");
        }
    }

    #[test]
    fn binomial_edges() {
        assert_eq!(binomial_cdf(3, 3, 0.4), 1.0);
        assert!((binomial_cdf(0, 3, 0.5) - 0.125).abs() < 1e-15);
        assert_eq!(binomial_cdf(1, 5, 0.0), 1.0);
        assert_eq!(binomial_cdf(1, 5, 1.0), 0.0);
    }
}
