//! Results: the operating-characteristics tables of a run and the typed rows of every CSV file it
//! writes. Each file has one row type whose serde field names are its columns (**contract**:
//! file names and leading columns never change; columns are only added at the end), so the CSV
//! writer and every reader (charts, `compare`) share one declaration.
//!
//! - `oc`: a dose-finding run's [`OcTable`] and the definitions its rows use (correct
//!   decision, overdose).
//! - [`dose_finding`]: the rows of `oc_by_dose.csv` and `summary.csv`, built from an [`OcTable`].
//! - [`obd`]: the rows of `obd_by_dose.csv` and `obd_summary.csv`, for phase I/II designs.
//! - [`optimization`]: the tables of a randomized dose-optimization stage after escalation.
//! - [`single_arm`]: the rows of a single-arm run's tables (built by `engines::single_arm::table`).
//! - [`random_truths`]: `random_truths.csv` and `random_truths_curves.csv`, OCs over random curves.
//! - `compare`, `sweep`: `comparison.csv` and the layout of `sweep.csv`.
//! - [`moments`]: the Monte Carlo standard errors of simulated figures.
//! - `rows`, `cells`: reading and writing rows, and how each cell is written.
//!
//! Results depend on [`crate::core`] only (not on scenario files nor on engines): engines fill
//! them, reports and charts read them.

pub(crate) mod cells;
pub(crate) mod compare;
pub mod dose_finding;
mod dose_finding_se;
pub mod moments;
pub mod obd;
pub(crate) mod oc;
mod oc_se;
pub mod optimization;
pub mod pathways;
pub mod random_truths;
pub(crate) mod rows;
pub mod single_arm;
pub(crate) mod sweep;

pub use dose_finding::{OcByDoseRow, SummaryRow};
pub use oc::{
    CalendarFeatures, CorrectDecision, Method, OcProbabilities, OcRow, OcTable, RowResult, TimedDoseSummary,
    TimedSummary,
};
pub use pathways::PathwayRow;
pub use rows::{read_rows, write_rows, Row, TableError};

/// The summary table of every kind of run (one row per truth × design).
pub const SUMMARY_FILE: &str = "summary.csv";
