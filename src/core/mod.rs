//! The vocabulary every other layer shares: doses and the dose space, patient outcomes and the
//! trial data designs decide from (with, in calendar time, every patient's follow-up), decisions,
//! truths, the protocol settings a calendar-time simulation reads, and shared statistics.
//!
//! Nothing here knows a design, an engine, a scenario file or a report: scenarios fill these
//! settings, engines read them.

mod data;
mod decision;
mod dose;
mod follow_up;
pub(crate) mod limits;
pub(crate) mod params;
mod protocol;
pub(crate) mod random;
pub(crate) mod stats;
mod truth;
pub mod words;

pub use data::{Cohort, DoseSummary, Outcome, TrialData};
pub use decision::{Decision, StopReason, NO_WAIT_WITHOUT_FOLLOW_UP};
pub use dose::{Dose, DoseSpace};
pub use follow_up::{complete_counts, FollowUp, PatientRecord};
pub use protocol::{
    Arrival, Backfill, BackfillAssign, BackfillVariant, BfBoinTable, EfficacyCounts, Regimen, StepUpRule, Timing,
    Utility,
};
pub use truth::{dlt_as_given, Association, DoseTruth, Onset, Truth, TruthProfile};
