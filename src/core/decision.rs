//! What a design decides after each cohort, and why a trial stops.

use super::Dose;
use std::fmt;

/// Why a trial stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// The design reached its own end (e.g. 3+3 found its MTD).
    DesignComplete,
    /// The lowest dose (or every dose) is too toxic: no dose is recommended.
    TooToxic,
    /// The sample size limit (`max_patients` or a `stop_at_n` rule) was reached.
    MaxPatients,
    /// Enough patients at a dose (`stop_when_n_at_dose`, BOIN's `n_earlystop`).
    EnoughAtDose,
    /// A phase I/II design found no acceptable dose: every dose it may still give is inadmissible
    /// by efficacy or toxicity, though not every dose is too toxic (BOIN12, EffTox).
    NoAcceptableDose,
}

impl StopReason {
    /// Every reason, in the order tables report them.
    pub const ALL: [StopReason; 5] = [
        StopReason::DesignComplete,
        StopReason::TooToxic,
        StopReason::MaxPatients,
        StopReason::EnoughAtDose,
        StopReason::NoAcceptableDose,
    ];

    /// Short snake_case name used in tables and messages.
    pub fn name(self) -> &'static str {
        match self {
            StopReason::DesignComplete => "design_complete",
            StopReason::TooToxic => "too_toxic",
            StopReason::MaxPatients => "max_patients",
            StopReason::EnoughAtDose => "enough_at_dose",
            StopReason::NoAcceptableDose => "no_acceptable_dose",
        }
    }

    /// Position in [`StopReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Why [`Decision::Wait`] cannot reach an engine deciding on complete counts (the message of
/// its `unreachable!`): only data with follow-up give a design anything to wait for.
pub const NO_WAIT_WITHOUT_FOLLOW_UP: &str =
    "a design waited on data without follow-up (only pending outcomes give it something to wait for)";

/// What happens after the latest cohort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Treat the next cohort at this dose.
    Treat(Dose),
    /// Suspend accrual until the next pending outcome is known (only a time-to-event design,
    /// deciding on data with [`TrialData::follow_up`](super::TrialData::follow_up), waits).
    Wait,
    /// End the trial, selecting a dose as MTD (or none).
    Stop {
        /// The dose selected as MTD; `None` when no dose is recommended.
        selected: Option<Dose>,
        /// Why the trial stopped.
        reason: StopReason,
    },
}

/// In words, doses by level: "treat at dose 3", "wait", "stop (too_toxic), no MTD",
/// "stop (max_patients), MTD dose 2".
impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Treat(d) => write!(f, "treat at dose {d}"),
            Decision::Wait => write!(f, "wait"),
            Decision::Stop { selected, reason } => {
                write!(f, "stop ({})", reason.name())?;
                match selected {
                    Some(d) => write!(f, ", MTD dose {d}"),
                    None => write!(f, ", no MTD"),
                }
            }
        }
    }
}
