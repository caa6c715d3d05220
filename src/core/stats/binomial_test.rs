//! The critical value of the single-stage exact binomial test of H0: p ≤ p0.

use super::binomial::{binomial_pmf, upper_tail};

/// The smallest r with P(X > r | n, p0) ≤ alpha for X ~ Binomial(n, p0): the single-stage exact
/// binomial test rejects H0: p ≤ p0 when more than r of n patients respond (n when no r < n
/// qualifies).
pub fn binomial_critical(n: u32, p0: f64, alpha: f64) -> u32 {
    let tail = upper_tail(&binomial_pmf(n, p0));
    (0..n).find(|&r| tail[r as usize + 1] <= alpha).unwrap_or(n)
}

#[cfg(test)]
mod tests {
    use super::binomial_critical;

    #[test]
    fn exact_binomial_critical_value() {
        // n = 56, p0 = 0.6, one-sided 0.05: P(X > 40) = 0.0405 ≤ 0.05 < P(X > 39).
        assert_eq!(binomial_critical(56, 0.6, 0.05), 40);
    }
}
