//! Monte Carlo precision of the figures a report prints: each simulated figure with its standard
//! error (or a stated upper bound of it), exact figures marked exact, and the number of trials a
//! stated precision needs.
//!
//! The standard errors are the CSV tables' `_se` columns, from the per-trial sums of squares the
//! accumulators keep ([`crate::results::moments`]):
//! - a percentage of trials p (selection, stopping, correct decision) has the binomial standard
//!   error √(p(1 − p)/n);
//! - a mean of a per-trial quantity (patients or DLTs at a dose, the sample size, the duration)
//!   has SD/√n; a ratio of means (a % of patients) its delta-method standard error;
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

    /// A figure of a row computed by `method`, with its standard error `se` when simulated.
    pub fn simulated(value: f64, decimals: usize, method: Method, se: f64) -> Figure {
        match method {
            Method::Exact { .. } => Figure::new(value, decimals, Precision::Exact, 0.0),
            Method::Simulated { .. } => Figure::new(value, decimals, Precision::Se, se),
        }
    }

    /// A per-trial mean with standard deviation `sd` across trials.
    pub fn mean(mean: f64, sd: f64, decimals: usize, method: Method) -> Figure {
        match method {
            Method::Exact { .. } => Figure::new(mean, decimals, Precision::Exact, 0.0),
            Method::Simulated { trials } => Figure::new(mean, decimals, Precision::Se, sd / (trials as f64).sqrt()),
        }
    }
}

pub use crate::results::moments::binomial_se_pct;

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
        let mean = Figure::simulated(6.0, 2, Method::Simulated { trials: 400 }, 0.67);
        assert_eq!(
            (mean.precision, mean.se_shown.as_deref()),
            (Precision::Se, Some("0.67"))
        );
        let f = Figure::percent(25.0, Method::Simulated { trials: 400 });
        assert_eq!((f.shown.as_str(), f.se_shown.as_deref()), ("25.0", Some("2.2")));
        let exact = Figure::percent(25.0, Method::Exact { states: 9 });
        assert_eq!((exact.precision, exact.se_shown), (Precision::Exact, None));
    }
}
