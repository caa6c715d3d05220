//! The vocabulary every other layer shares: doses and the dose space, patient outcomes and the
//! trial data designs decide from, decisions, and shared statistics.
//!
//! Nothing here knows a design, an engine, a scenario file or a report.

mod data;
mod decision;
mod dose;
pub mod limits;
pub mod params;
pub mod stats;

pub use data::{Cohort, DoseSummary, Outcome, TrialData};
pub use decision::{Decision, StopReason};
pub use dose::{Dose, DoseSpace};
