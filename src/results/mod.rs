//! Results: the operating-characteristics tables of a run, which engines fill and reports read.
//!
//! - [`oc`]: a dose-finding run's [`OcTable`] and the definitions its rows use (correct
//!   decision, overdose).
//!
//! Results depend on the dose type only (not on scenario files nor on engines).

pub mod oc;

pub use oc::{CorrectDecision, Method, OcProbabilities, OcRow, OcTable, RowResult, TimedDoseSummary, TimedSummary};
