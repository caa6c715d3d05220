//! The vocabulary every other layer shares: doses and the dose space, patient outcomes and the
//! trial data designs decide from (with, in calendar time, every patient's follow-up), decisions, and shared statistics.
//!
//! Nothing here knows a design, an engine, a scenario file or a report.

mod data;
mod decision;
mod dose;
mod follow_up;
pub(crate) mod limits;
pub(crate) mod params;
pub(crate) mod random;
pub(crate) mod stats;

pub use data::{Cohort, DoseSummary, Outcome, TrialData};
pub use decision::{Decision, StopReason, NO_WAIT_WITHOUT_FOLLOW_UP};
pub use dose::{Dose, DoseSpace};
pub use follow_up::{complete_counts, FollowUp, PatientRecord};
