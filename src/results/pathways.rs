//! The rows of `trialsim pathways`' table (written by the command, read back by its diagram).

use super::rows::flat_row;
use serde::{Deserialize, Serialize};

/// One node of `pathways.csv` (**contract**: columns are only ever added at the end).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PathwayRow {
    /// The node's number; 0 is the history so far.
    pub node: usize,
    /// The node it follows (empty for the root).
    pub parent: Option<usize>,
    /// The whole outcome string up to the node, history included.
    pub outcomes: String,
    /// Cohorts after the history (0 for the root).
    pub cohort: usize,
    /// The cohort's dose level, 1-based (empty for the root).
    pub dose: Option<usize>,
    /// Patients in the cohort (empty for the root).
    pub patients: Option<u16>,
    /// DLTs in the cohort (empty for the root).
    pub dlts: Option<u16>,
    /// `treat` or `stop`.
    pub decision: String,
    /// Why the trial stops (`StopReason` names; empty when treating).
    pub stop_reason: Option<String>,
    /// The MTD selected on stopping, 1-based (empty when treating or when none is selected).
    pub selected: Option<usize>,
    /// The next cohort's dose level, 1-based (empty when stopping).
    pub next_dose: Option<usize>,
    /// The probability of the path under the truth (empty without a truth).
    pub probability: Option<f64>,
}

flat_row!(PathwayRow => "pathways.csv");
