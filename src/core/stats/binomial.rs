//! Binomial and beta-binomial probabilities, computed on the log scale.

use statrs::function::beta::ln_beta;
use statrs::function::factorial::ln_binomial;

/// P(X = k), k = 0…n, for X ~ Binomial(n, p), with p in [0, 1].
pub fn binomial_pmf(n: u32, p: f64) -> Vec<f64> {
    let mut pmf = vec![0.0; n as usize + 1];
    if p <= 0.0 {
        pmf[0] = 1.0;
    } else if p >= 1.0 {
        pmf[n as usize] = 1.0;
    } else {
        let (ln_p, ln_q) = (p.ln(), (-p).ln_1p());
        for (k, mass) in (0..=n).zip(pmf.iter_mut()) {
            *mass = (ln_binomial(u64::from(n), u64::from(k)) + f64::from(k) * ln_p + f64::from(n - k) * ln_q).exp();
        }
    }
    pmf
}

/// P(X ≥ k), k = 0…len, from a probability mass function on 0…len−1, summed from the top so that
/// small upper tails keep their relative accuracy.
pub fn upper_tail(pmf: &[f64]) -> Vec<f64> {
    let mut tail = vec![0.0; pmf.len() + 1];
    for k in (0..pmf.len()).rev() {
        tail[k] = tail[k + 1] + pmf[k];
    }
    tail
}

/// P(Y = i), i = 0…m, for Y ~ Beta-binomial(m, a, b): the number of responses among m future
/// patients when the response rate has a Beta(a, b) distribution (a, b > 0).
pub fn beta_binomial_pmf(m: u32, a: f64, b: f64) -> Vec<f64> {
    let ln_norm = ln_beta(a, b);
    (0..=m)
        .map(|i| {
            let (i_f, rest) = (f64::from(i), f64::from(m - i));
            (ln_binomial(u64::from(m), u64::from(i)) + ln_beta(a + i_f, b + rest) - ln_norm).exp()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_pmf_sums_to_one_and_matches_direct_formula() {
        let pmf = binomial_pmf(10, 0.3);
        assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-14);
        let direct = 120.0 * 0.3f64.powi(3) * 0.7f64.powi(7);
        assert!((pmf[3] - direct).abs() < 1e-15);
        assert_eq!(binomial_pmf(3, 0.0), vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(binomial_pmf(3, 1.0), vec![0.0, 0.0, 0.0, 1.0]);
        let tail = upper_tail(&pmf);
        assert!((tail[0] - 1.0).abs() < 1e-14 && tail[11] == 0.0);
        assert!((tail[10] - 0.3f64.powi(10)).abs() < 1e-20);
    }

    /// Beta(1, 1) makes the beta-binomial uniform on 0…m.
    #[test]
    fn beta_binomial_with_uniform_prior_is_uniform() {
        for q in beta_binomial_pmf(9, 1.0, 1.0) {
            assert!((q - 0.1).abs() < 1e-13, "{q}");
        }
        let pmf = beta_binomial_pmf(17, 16.6, 7.4);
        assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-13);
    }
}
