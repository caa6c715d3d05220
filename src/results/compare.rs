//! The rows of `comparison.csv` (`trialsim compare`): each compared run's summary rows, under the
//! run's name. Dose-finding runs contribute `summary.csv`'s leading columns
//! ([`SummaryLead`](super::dose_finding::SummaryLead)); single-arm runs a selection of theirs
//! ([`SingleArmCompared`]).

use super::cells::{Given, Mean, Percent};
use super::rows::{flat_row, Row};
use super::SUMMARY_FILE;
use serde::{Deserialize, Serialize};

/// The name of a compared run (its folder's name, or a sweep's point with its settings).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunName {
    /// The run's name.
    pub scenario: String,
}

/// One row of `comparison.csv`: a run's name, then one row of its summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComparisonRow<R> {
    /// The run.
    pub run: RunName,
    /// Its summary row, as compared.
    pub row: R,
}

impl<R: Row> Row for ComparisonRow<R> {
    const FILE: &'static str = RunName::FILE;

    fn columns() -> Vec<&'static str> {
        [RunName::columns(), R::columns()].concat()
    }

    fn read(record: &csv::StringRecord, headers: &csv::StringRecord) -> Result<Self, csv::Error> {
        Ok(ComparisonRow {
            run: RunName::read(record, headers)?,
            row: R::read(record, headers)?,
        })
    }
}

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

flat_row!(
    RunName => "comparison.csv",
    SingleArmCompared => SUMMARY_FILE,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::dose_finding::SummaryLead;
    use crate::results::single_arm::SingleArmSummaryRow;

    /// The compared single-arm columns are the summary's, in its order.
    #[test]
    fn compared_columns_are_summary_columns() {
        let summary = SingleArmSummaryRow::columns();
        let positions: Vec<Option<usize>> = SingleArmCompared::columns()
            .iter()
            .map(|c| summary.iter().position(|s| s == c))
            .collect();
        assert!(positions.iter().all(Option::is_some), "{positions:?}");
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        assert_eq!(
            ComparisonRow::<SummaryLead>::columns()[..4],
            ["scenario", "truth", "design", "trials"]
        );
    }
}
