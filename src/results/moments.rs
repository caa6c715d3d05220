//! Monte Carlo standard errors of the simulated figures, from the first and second moments of
//! each trial's counts.
//!
//! A dose-finding trial ends with a vector of integer counts v = (patients at dose 1 … K, DLTs at
//! dose 1 … K, and, for designs that decide on responses, responses at dose 1 … K). The
//! accumulators keep Σ v and the products Σ vᵢvⱼ over trials (integers, so merging is exact);
//! from them every figure of the tables that is a mean of a linear combination w·v over trials
//! (patients or DLTs at a dose, the sample size, DLTs per trial) or a ratio of two such means
//! (DLTs per patient, the % of patients above the correct dose) has its standard error:
//!
//! - a percentage p of trials: √(p(1 − p)/n) (binomial);
//! - a mean of X = w·v: s/√n, s² = n/(n − 1)·(E[X²] − E[X]²) the sample variance;
//! - a ratio R = E[A]/E[B] of means: the delta method, √(Var(A − R·B)/n)/E[B], with the sample
//!   variance of A − R·B (the standard error of a ratio estimator; Cochran 1977, *Sampling
//!   Techniques*, 3rd ed., §6.4).
//!
//! Exact rows have no Monte Carlo error: their standard errors are 0 (and their method `exact`).

/// The per-trial moments of the count vector v of one design under one truth, as means over the
/// trials (see the module's documentation for the layout of v).
#[derive(Clone, Debug, PartialEq)]
pub struct TrialMoments {
    /// Trials counted.
    pub trials: u64,
    /// Doses K.
    pub doses: usize,
    /// E[vᵢvⱼ] for i ≤ j, row by row of the upper triangle (see [`upper_index`]).
    pub products: Vec<f64>,
    /// E[vᵢ].
    pub means: Vec<f64>,
}

/// Where the product vᵢvⱼ (i ≤ j) of a vector of length `m` is kept in its upper triangle.
pub fn upper_index(m: usize, i: usize, j: usize) -> usize {
    debug_assert!(i <= j && j < m);
    i * m - i * (i + 1) / 2 + j
}

/// Which part of the count vector a weight applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Patients treated.
    Patients,
    /// DLTs.
    Dlts,
    /// Responses.
    Responses,
}

impl TrialMoments {
    /// The weights selecting `part` at the doses where `at` is true.
    pub fn weights(&self, part: Part, at: impl Fn(usize) -> bool) -> Vec<f64> {
        let mut w = vec![0.0; self.means.len()];
        let offset = match part {
            Part::Patients => 0,
            Part::Dlts => self.doses,
            Part::Responses => 2 * self.doses,
        };
        for d in (0..self.doses).filter(|&d| at(d)) {
            if let Some(x) = w.get_mut(offset + d) {
                *x = 1.0;
            }
        }
        w
    }

    /// E[w·v].
    fn mean(&self, w: &[f64]) -> f64 {
        w.iter().zip(&self.means).map(|(a, b)| a * b).sum()
    }

    /// The variance of w·v over the trials (divided by n).
    fn variance(&self, w: &[f64]) -> f64 {
        let m = self.means.len();
        let mut second = 0.0;
        for i in (0..m).filter(|&i| w[i] != 0.0) {
            for j in (i..m).filter(|&j| w[j] != 0.0) {
                let factor = if i == j { 1.0 } else { 2.0 };
                second += factor * w[i] * w[j] * self.products[upper_index(m, i, j)];
            }
        }
        let mean = self.mean(w);
        (second - mean * mean).max(0.0)
    }

    /// The standard error of the mean of w·v: s/√n with s the sample SD.
    pub fn mean_se(&self, w: &[f64]) -> f64 {
        let n = self.trials as f64;
        if self.trials < 2 {
            return 0.0;
        }
        (self.variance(w) / (n - 1.0)).sqrt()
    }

    /// The standard error of the ratio E[a·v]/E[b·v] (delta method), times `scale` (100 for a
    /// percentage); 0 when E[b·v] is 0 (the ratio is then written as 0).
    pub fn ratio_se(&self, a: &[f64], b: &[f64], scale: f64) -> f64 {
        let denominator = self.mean(b);
        if denominator <= 0.0 || self.trials < 2 {
            return 0.0;
        }
        let ratio = self.mean(a) / denominator;
        let residual: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - ratio * y).collect();
        scale * self.mean_se(&residual) / denominator
    }
}

/// The standard error of the mean of n values with sum `sum` and sum of squares `sum_sq`: the
/// sample SD over √n (0 with fewer than two values).
pub fn mean_se_from_sums(n: f64, sum: f64, sum_sq: f64) -> f64 {
    if n < 2.0 {
        return 0.0;
    }
    ((sum_sq - sum * sum / n).max(0.0) / (n - 1.0) / n).sqrt()
}

/// The standard error of the ratio Σa/Σb of n pairs (a, b) with sums `a`, `b` and sums of
/// products `aa`, `ab`, `bb` (delta method, as [`TrialMoments::ratio_se`]), times `scale`.
pub fn ratio_se_from_sums(n: f64, [a, b]: [f64; 2], [aa, ab, bb]: [f64; 3], scale: f64) -> f64 {
    if n < 2.0 || b <= 0.0 {
        return 0.0;
    }
    let r = a / b;
    let residual_sq = (aa - 2.0 * r * ab + r * r * bb).max(0.0);
    scale * (residual_sq / (n - 1.0) / n).sqrt() / (b / n)
}

/// The binomial standard error, in percentage points, of a percentage `pct` of `trials` trials:
/// 100·√(p(1 − p)/n).
pub fn binomial_se_pct(pct: f64, trials: u64) -> f64 {
    let p = (pct / 100.0).clamp(0.0, 1.0);
    100.0 * (p * (1.0 - p) / trials.max(1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moments of the trials (patients, DLTs) at one dose: (3, 0), (6, 1), (6, 3).
    fn three_trials() -> TrialMoments {
        let trials = [[3.0, 0.0], [6.0, 1.0], [6.0, 3.0]];
        let mean = |f: &dyn Fn(&[f64; 2]) -> f64| trials.iter().map(f).sum::<f64>() / 3.0;
        TrialMoments {
            trials: 3,
            doses: 1,
            products: vec![mean(&|t| t[0] * t[0]), mean(&|t| t[0] * t[1]), mean(&|t| t[1] * t[1])],
            means: vec![5.0, 4.0 / 3.0],
        }
    }

    #[test]
    fn standard_errors_of_means_and_ratios() {
        assert_eq!(upper_index(3, 0, 0), 0);
        assert_eq!(upper_index(3, 1, 1), 3);
        assert_eq!(upper_index(3, 2, 2), 5);
        let m = three_trials();
        // Patients 3, 6, 6: sample variance 3, SE √(3/3) = 1.
        let patients = m.weights(Part::Patients, |_| true);
        assert!((m.mean_se(&patients) - 1.0).abs() < 1e-12);
        // DLTs 0, 1, 3: mean 4/3, sample variance 7/3, SE √(7/9).
        let dlts = m.weights(Part::Dlts, |_| true);
        assert!((m.mean_se(&dlts) - (7.0f64 / 9.0).sqrt()).abs() < 1e-12);
        // DLTs per patient R = 4/15; residuals d − R·n: −0.8, −0.6, 1.4 (mean 0), sample
        // variance (0.64 + 0.36 + 1.96)/2 = 1.48; SE √(1.48/3)/5.
        let r = m.ratio_se(&dlts, &patients, 1.0);
        assert!((r - (1.48f64 / 3.0).sqrt() / 5.0).abs() < 1e-12, "{r}");
        assert_eq!(m.ratio_se(&dlts, &[0.0; 2], 1.0), 0.0);
        assert!((binomial_se_pct(50.0, 2500) - 1.0).abs() < 1e-12);
        // The same figures from sums: patients 3, 6, 6; DLTs 0, 1, 3.
        assert!((mean_se_from_sums(3.0, 15.0, 81.0) - 1.0).abs() < 1e-12);
        let from_sums = ratio_se_from_sums(3.0, [4.0, 15.0], [10.0, 24.0, 81.0], 1.0);
        assert!((from_sums - r).abs() < 1e-12, "{from_sums} {r}");
    }
}
