//! The rows of `comparison.csv` (`trialsim compare`): each compared run's summary rows, under the
//! run's name. Dose-finding runs contribute `summary.csv`'s leading columns
//! ([`SummaryLead`](super::dose_finding::SummaryLead)); single-arm runs a selection of theirs
//! ([`SingleArmCompared`]). Each compared figure keeps its Monte Carlo standard error, the
//! summary's `<name>_se` column, after the figures (as in `summary.csv`; 0 for exact rows, whose
//! `trials` says `exact`).
//!
//! Runs with phase I/II designs or randomized stages add their dose-optimization figures in files
//! of their own, one per run table ([`Stacked`]): `comparison_obd.csv` stacks the runs'
//! `obd_summary.csv` rows and `comparison_optimization.csv` their `optimization_summary.csv` rows,
//! each under the run's name with every column (and `_se` column) of the run's file. They are not
//! joined to `comparison.csv`: their rows cover only some designs, and their `patients_mean`,
//! `response_mean` and `dlt_mean` are not the summary's (the randomized stage's own, or the whole
//! trial's with the stage), so one table would need renamed columns.

use super::cells::{Given, Mean, Percent};
use super::dose_finding::{SummaryLead, SummaryLeadSe};
use super::obd::ObdSummaryRow;
use super::optimization::OptimizationSummaryRow;
use super::rows::{flat_row, Row};
use super::SUMMARY_FILE;
use serde::{Deserialize, Serialize};

/// The name of a compared run (its folder's name, or a sweep's point with its settings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunName {
    /// The run's name.
    pub scenario: String,
}

/// Two rows written side by side as one row of `A`'s file: `A`'s columns, then `B`'s.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Joined<A, B> {
    /// The leading columns.
    pub head: A,
    /// The columns after them.
    pub tail: B,
}

impl<A: Row, B: Row> Row for Joined<A, B> {
    const FILE: &'static str = A::FILE;

    fn columns() -> Vec<&'static str> {
        [A::columns(), B::columns()].concat()
    }

    fn read(record: &csv::StringRecord, headers: &csv::StringRecord) -> Result<Self, csv::Error> {
        Ok(Joined {
            head: A::read(record, headers)?,
            tail: B::read(record, headers)?,
        })
    }
}

/// One row of `comparison.csv`: a run's name, then one row of its summary as compared. With a
/// [`Stacked`] row, one row of that table's comparison file (`Row::FILE` then still names
/// `comparison.csv`: the file is [`Stacked::COMPARISON_FILE`]).
pub type ComparisonRow<R> = Joined<RunName, R>;

/// A run table of dose-optimization figures that `compare` and sweeps stack whole, in files of
/// their own, only when some run (or point) writes it.
pub trait Stacked: Row + Clone {
    /// The comparison's file: the run's name, then the table's columns.
    const COMPARISON_FILE: &'static str;
    /// The sweep's file: the point and its swept settings, then the table's columns.
    const SWEEP_FILE: &'static str;
}

impl Stacked for ObdSummaryRow {
    const COMPARISON_FILE: &'static str = "comparison_obd.csv";
    const SWEEP_FILE: &'static str = "sweep_obd.csv";
}

impl Stacked for OptimizationSummaryRow {
    const COMPARISON_FILE: &'static str = "comparison_optimization.csv";
    const SWEEP_FILE: &'static str = "sweep_optimization.csv";
}

/// A dose-finding summary row as compared: `summary.csv`'s leading columns, then their standard
/// errors (the summary's columns of the same names).
pub type DoseFindingCompared = Joined<SummaryLead, SummaryLeadSe>;

/// A single-arm summary row as compared: its figures, then their standard errors.
pub type SingleArmComparedRow = Joined<SingleArmCompared, SingleArmComparedSe>;

/// The columns of a single-arm `summary.csv` that `compare` stacks (each one a column of
/// [`SingleArmSummaryRow`](super::single_arm::SingleArmSummaryRow) of the same name and type).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SingleArmCompared {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// Simulated trials.
    pub trials: u64,
    /// The truth's objective response rate.
    pub true_orr: Given,
    /// % of trials declaring the regimen promising.
    pub promising_pct: Percent,
    /// % of trials stopping for futility.
    pub futility_stop_pct: Percent,
    /// % of trials stopping for toxicity.
    pub toxicity_stop_pct: Percent,
    /// Mean sample size.
    pub patients_mean: Mean,
    /// Mean trial duration, months.
    pub duration_mean: Mean,
    /// % of trials whose 95% interval of the ORR holds the true ORR.
    pub orr_coverage_pct: Percent,
}

/// The standard errors of [`SingleArmCompared`]'s simulated figures (columns of the single-arm
/// summary of the same names).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SingleArmComparedSe {
    /// Of `promising_pct` (binomial).
    pub promising_pct_se: Percent,
    /// Of `futility_stop_pct` (binomial).
    pub futility_stop_pct_se: Percent,
    /// Of `toxicity_stop_pct` (binomial).
    pub toxicity_stop_pct_se: Percent,
    /// Of `patients_mean` (SD/√n).
    pub patients_mean_se: Mean,
    /// Of `duration_mean` (SD/√n).
    pub duration_mean_se: Mean,
    /// Of `orr_coverage_pct` (binomial).
    pub orr_coverage_pct_se: Percent,
}

flat_row!(
    RunName => "comparison.csv",
    SingleArmCompared => SUMMARY_FILE,
    SingleArmComparedSe => SUMMARY_FILE,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::single_arm::SingleArmSummaryRow;
    use crate::results::SummaryRow;

    /// The compared columns are the summary's, in its order; every compared figure but the
    /// given ones (trials, true ORR) has its standard error column, named after it.
    #[test]
    fn compared_columns_are_summary_columns() {
        fn check<R: Row>(summary: &[&str], given: &[&str]) {
            let compared = R::columns();
            let positions: Vec<Option<usize>> = compared.iter().map(|c| summary.iter().position(|s| s == c)).collect();
            assert!(positions.iter().all(Option::is_some), "{compared:?}");
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "{compared:?}");
            let figures = compared.iter().filter(|c| !c.ends_with("_se") && !given.contains(c));
            for figure in figures.skip(2) {
                assert!(
                    compared.contains(&format!("{figure}_se").as_str()),
                    "{figure} has no SE"
                );
            }
        }
        check::<SingleArmComparedRow>(&SingleArmSummaryRow::columns(), &["trials", "true_orr"]);
        check::<DoseFindingCompared>(&SummaryRow::columns(), &["trials"]);
        assert_eq!(
            ComparisonRow::<DoseFindingCompared>::columns()[..4],
            ["scenario", "truth", "design", "trials"]
        );
    }
}
