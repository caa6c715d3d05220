//! P(q_low > q_high − δ) for two independent Beta posteriors with integer parameters (Beta(1, 1)
//! priors on binomial response counts), exactly up to rounding: on [0, 1 − δ] the integrand
//! f_low(x) · F_high(x + δ) is a polynomial of degree N_low + N_high + 1 (N the patients), which
//! Gauss–Legendre quadrature with ⌈(N_low + N_high + 2)/2⌉ nodes integrates exactly (Golub &
//! Welsch 1969); on [1 − δ, 1], F_high = 1. Densities and distribution functions come from binomial
//! probabilities: Beta(r + 1, N − r + 1) has density (N + 1) · P(Bin(N, x) = r) and distribution
//! function P(Bin(N + 1, x) ≥ r + 1).

use crate::core::stats::{binomial_pmf, upper_tail};
use crate::core::EfficacyCounts;

/// The nodes and weights of the `g`-point Gauss–Legendre rule on [0, 1], by Newton's method on
/// the Legendre polynomial from Chebyshev starting points (Press et al., Numerical Recipes §4.6).
pub(super) fn gauss_legendre(g: usize) -> Vec<(f64, f64)> {
    let mut rule = Vec::with_capacity(g);
    for i in 0..g {
        let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (g as f64 + 0.5)).cos();
        let mut derivative = 1.0;
        for _ in 0..100 {
            let (mut p0, mut p1) = (1.0, 0.0);
            for j in 0..g {
                let p2 = p1;
                p1 = p0;
                p0 = ((2 * j + 1) as f64 * x * p1 - j as f64 * p2) / (j + 1) as f64;
            }
            derivative = g as f64 * (x * p0 - p1) / (x * x - 1.0);
            let step = p0 / derivative;
            x -= step;
            if step.abs() < 1e-15 {
                break;
            }
        }
        let weight = 2.0 / ((1.0 - x * x) * derivative * derivative);
        rule.push(((1.0 - x) / 2.0, weight / 2.0));
    }
    rule
}

/// P(q_low > q_high − δ) for every pair of response counts of two arms: `low` has `n_low`
/// patients (responses 0…n_low) on top of `base_low` (patients, responses) pooled from the
/// escalation, likewise `high`. Indexed `[r_low][r_high]`.
pub(super) fn not_worse_table(low: (u32, u32, u32), high: (u32, u32, u32), delta: f64) -> Vec<Vec<f64>> {
    let ((n_low, base_n_low, base_r_low), (n_high, base_n_high, base_r_high)) = (low, high);
    let (total_low, total_high) = (n_low + base_n_low, n_high + base_n_high);
    let span = 1.0 - delta;
    let g = (total_low + total_high) as usize / 2 + 2;
    let rule = gauss_legendre(g);
    // density[i][r] and cdf[i][r] at node i, for the randomized counts r.
    let mut weighted_density = vec![vec![0.0; n_low as usize + 1]; g];
    let mut cdf = vec![vec![0.0; n_high as usize + 1]; g];
    for (i, &(t, w)) in rule.iter().enumerate() {
        let x = span * t;
        let pmf = binomial_pmf(total_low, x);
        for r in 0..=n_low as usize {
            weighted_density[i][r] = span * w * f64::from(total_low + 1) * pmf[base_r_low as usize + r];
        }
        let tail = upper_tail(&binomial_pmf(total_high + 1, (x + delta).min(1.0)));
        for r in 0..=n_high as usize {
            cdf[i][r] = tail[base_r_high as usize + r + 1];
        }
    }
    // P(q_low > 1 − δ) = P(Bin(N_low + 1, 1 − δ) ≤ R_low).
    let top = binomial_pmf(total_low + 1, span);
    (0..=n_low as usize)
        .map(|r_low| {
            let above: f64 = top[..=base_r_low as usize + r_low].iter().sum();
            (0..=n_high as usize)
                .map(|r_high| {
                    let inner: f64 = (0..g).map(|i| weighted_density[i][r_low] * cdf[i][r_high]).sum();
                    (inner + above).clamp(0.0, 1.0)
                })
                .collect()
        })
        .collect()
}

/// P(q_low > q_high − δ | data) for independent Beta(1, 1) priors on the two arms' response
/// probabilities, from their counts.
pub fn not_worse(low: &EfficacyCounts, high: &EfficacyCounts, delta: f64) -> f64 {
    not_worse_table(
        (0, low.patients, low.responses),
        (0, high.patients, high.responses),
        delta,
    )[0][0]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule integrates polynomials of degree up to 2g − 1 exactly and its weights sum to 1.
    #[test]
    fn gauss_legendre_is_exact_for_polynomials() {
        for g in [1, 2, 5, 20, 64] {
            let rule = gauss_legendre(g);
            for k in 0..2 * g {
                let integral: f64 = rule.iter().map(|&(x, w)| w * x.powi(k as i32)).sum();
                assert!(
                    (integral - 1.0 / (k as f64 + 1.0)).abs() < 1e-13,
                    "g = {g}, x^{k}: {integral}"
                );
            }
        }
    }

    /// Hand-computable cases: no data on either arm (two uniforms), P(U > V − δ) = 1 − (1 − δ)²/2;
    /// one response in one patient against none (Beta(2, 1) against Beta(1, 1)), δ = 0: 2/3.
    #[test]
    fn not_worse_by_hand() {
        let none = EfficacyCounts::default();
        for delta in [0.0, 0.1, 0.25, 0.5] {
            let p = not_worse(&none, &none, delta);
            assert!(
                (p - (1.0 - (1.0 - delta) * (1.0 - delta) / 2.0)).abs() < 1e-14,
                "{delta}: {p}"
            );
        }
        let one = EfficacyCounts {
            patients: 1,
            responses: 1,
            ..EfficacyCounts::default()
        };
        assert!((not_worse(&one, &none, 0.0) - 2.0 / 3.0).abs() < 1e-14);
        // The table's entries equal the single evaluations, pooled counts included.
        let table = not_worse_table((4, 3, 1), (5, 2, 2), 0.1);
        let counts = |n, r| EfficacyCounts {
            patients: n,
            responses: r,
            ..EfficacyCounts::default()
        };
        for (r_low, row) in table.iter().enumerate() {
            for (r_high, &p) in row.iter().enumerate() {
                let single = not_worse(&counts(7, 1 + r_low as u32), &counts(7, 2 + r_high as u32), 0.1);
                assert!((p - single).abs() < 1e-13, "{r_low} {r_high}: {p} vs {single}");
            }
        }
    }
}
