//! Monte Carlo precision of the figures a report prints: each simulated figure with its standard
//! error (or a stated upper bound of it), exact figures marked exact, and the number of trials a
//! stated precision needs.
//!
//! The OC tables hold per-trial probabilities and means only (the accumulators keep counts and
//! sums, not sums of squares), so:
//! - a percentage of trials p (selection, stopping, correct decision) has the binomial standard
//!   error √(p(1 − p)/n);
//! - the mean sample size has SD/√n, from the sample-size distribution the rows carry;
//! - a mean of a per-trial count bounded by M (patients or DLTs at a dose, at most the maximum
//!   sample size) has a standard error of at most √(μ(M − μ)/n), by the Bhatia–Davis inequality
//!   Var X ≤ (M − μ)(μ − 0) (Bhatia & Davis 2000, Amer Math Monthly 107:353): the report prints
//!   it as a bound;
//! - a mean over truths of figures from common random numbers (correlated) has a standard error of
//!   at most the mean of their standard errors (Minkowski's inequality).

use crate::results::Method;
use serde::Serialize;

/// How a printed figure's precision is stated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// Computed exactly (no Monte Carlo error).
    Exact,
    /// Its Monte Carlo standard error.
    Se,
    /// An upper bound of its Monte Carlo standard error.
    Bound,
    /// No standard error can be computed from the counts a run keeps.
    Unknown,
}

/// One figure of a report: its value and its precision, as printed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figure {
    /// The value, unrounded.
    pub value: f64,
    /// The value as printed.
    pub shown: String,
    /// How precise it is.
    pub precision: Precision,
    /// The standard error (or its bound), when there is one.
    pub se: Option<f64>,
    /// The standard error (or its bound) as printed.
    pub se_shown: Option<String>,
}

impl Figure {
    /// A figure printed with `decimals`, its standard error (or bound) `se` given when
    /// `precision` is [`Precision::Se`] or [`Precision::Bound`].
    pub fn new(value: f64, decimals: usize, precision: Precision, se: f64) -> Figure {
        let has_se = matches!(precision, Precision::Se | Precision::Bound);
        Figure {
            value,
            shown: format!("{value:.decimals$}"),
            precision,
            se: has_se.then_some(se),
            se_shown: has_se.then(|| format!("{se:.decimals$}")),
        }
    }

    /// A percentage of trials (0–100) from a row computed by `method`, with its binomial
    /// standard error.
    pub fn percent(pct: f64, method: Method) -> Figure {
        match method {
            Method::Exact { .. } => Figure::new(pct, 1, Precision::Exact, 0.0),
            Method::Simulated { trials } => Figure::new(pct, 1, Precision::Se, binomial_se_pct(pct, trials)),
        }
    }

    /// A per-trial mean of a count between 0 and `max`, with the Bhatia–Davis bound of its
    /// standard error.
    pub fn bounded_mean(mean: f64, max: f64, method: Method) -> Figure {
        match method {
            Method::Exact { .. } => Figure::new(mean, 2, Precision::Exact, 0.0),
            Method::Simulated { trials } => Figure::new(mean, 2, Precision::Bound, bounded_mean_se(mean, max, trials)),
        }
    }

    /// A per-trial mean with standard deviation `sd` across trials.
    pub fn mean(mean: f64, sd: f64, decimals: usize, method: Method) -> Figure {
        match method {
            Method::Exact { .. } => Figure::new(mean, decimals, Precision::Exact, 0.0),
            Method::Simulated { trials } => Figure::new(mean, decimals, Precision::Se, sd / (trials as f64).sqrt()),
        }
    }

    /// A figure with no standard error from the counts kept (exact rows still say exact).
    pub fn without_se(value: f64, decimals: usize, method: Method) -> Figure {
        let precision = match method {
            Method::Exact { .. } => Precision::Exact,
            Method::Simulated { .. } => Precision::Unknown,
        };
        Figure::new(value, decimals, precision, 0.0)
    }
}

/// Binomial standard error, in percentage points, of a percentage `pct` of `trials` trials.
pub fn binomial_se_pct(pct: f64, trials: u64) -> f64 {
    let p = (pct / 100.0).clamp(0.0, 1.0);
    100.0 * (p * (1.0 - p) / trials.max(1) as f64).sqrt()
}

/// Upper bound of the standard error of the mean `mean` over `trials` trials of a quantity
/// between 0 and `max` (Bhatia–Davis: Var ≤ μ(M − μ)).
pub fn bounded_mean_se(mean: f64, max: f64, trials: u64) -> f64 {
    let m = mean.clamp(0.0, max.max(0.0));
    (m * (max - m) / trials.max(1) as f64).sqrt()
}

/// Trials needed for a percentage near `pct` to have a standard error of at most `se_points`
/// percentage points: ⌈p(1 − p)/SE²⌉ (2,500 for SE ≤ 1 point at the worst case p = 50%).
pub fn trials_for_percent(pct: f64, se_points: f64) -> u64 {
    let p = (pct / 100.0).clamp(0.0, 1.0);
    let se = se_points / 100.0;
    (p * (1.0 - p) / (se * se)).ceil().max(1.0) as u64
}

/// Trials needed for a mean with standard deviation `sd` to have a standard error of at most
/// `se`: ⌈(SD/SE)²⌉.
pub fn trials_for_mean(sd: f64, se: f64) -> u64 {
    ((sd / se).powi(2)).ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_errors_and_trials_needed() {
        // 50% of 2,500 trials: SE = 100·√(0.25/2500) = 1 point.
        assert!((binomial_se_pct(50.0, 2500) - 1.0).abs() < 1e-12);
        assert_eq!(trials_for_percent(50.0, 1.0), 2500);
        // 90%: 0.09/0.0001 = 900 trials.
        assert_eq!(trials_for_percent(90.0, 1.0), 900);
        assert_eq!(trials_for_mean(3.0, 0.1), 900);
        // A count in [0, 36] with mean 6 over 400 trials: √(6·30/400) = 0.6708.
        assert!((bounded_mean_se(6.0, 36.0, 400) - 0.670_820_4).abs() < 1e-6);
        let f = Figure::percent(25.0, Method::Simulated { trials: 400 });
        assert_eq!((f.shown.as_str(), f.se_shown.as_deref()), ("25.0", Some("2.2")));
        let exact = Figure::percent(25.0, Method::Exact { states: 9 });
        assert_eq!((exact.precision, exact.se_shown), (Precision::Exact, None));
    }
}
