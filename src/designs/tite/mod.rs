//! Time-to-event dose finding: decisions in calendar time from patients whose DLT window may still
//! be open. TITE-CRM (Cheung & Chappell 2000, Biometrics 56:1177–1182) weights each pending
//! patient by their follow-up; TITE-BOIN (Lin & Yuan 2020, Biostatistics 21:807–824, the
//! effective-sample-size version) counts pending patients by their standardised follow-up.
//!
//! Engines see these designs through [`TimedDesign`]; designs that need complete data (3+3, BOIN,
//! CRM, …) are run by the calendar-time engine as [`DoseFinder`](super::DoseFinder)s that wait.

pub mod boin;
pub mod crm;

pub use boin::{TiteBoin, TiteBoinConfig};
pub use crm::{weighted_outcomes, TiteCrm, TiteCrmConfig, TiteWeights};

use super::{Decision, Design, Dose, Rule, StopReason, TrialData, TrialLimits};
use crate::core::Outcome;

/// A treated patient, in calendar time (months).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatientRecord {
    /// The dose given.
    pub dose: Dose,
    /// When the patient was treated.
    pub entry: f64,
    /// When the patient's DLT occurred, if they have one within the DLT window.
    pub dlt_at: Option<f64>,
}

/// The patients as known at time `now`, with DLT window `window`.
#[derive(Clone, Copy, Debug)]
pub struct FollowUp<'a> {
    /// Every patient treated so far, in order of entry.
    pub patients: &'a [PatientRecord],
    /// The current time (months).
    pub now: f64,
    /// The DLT window (months).
    pub window: f64,
    /// Number of dose levels.
    pub num_doses: usize,
}

impl FollowUp<'_> {
    /// Whether the patient's DLT has been observed by now.
    pub fn dlt_observed(&self, p: &PatientRecord) -> bool {
        p.dlt_at.is_some_and(|t| t <= self.now)
    }

    /// Whether the patient's outcome is known: a DLT observed, or the window closed without one.
    /// (Compared with the closing time itself, so that waiting until `entry + window` completes
    /// the patient whatever the rounding.)
    pub fn complete(&self, p: &PatientRecord) -> bool {
        self.dlt_observed(p) || self.now >= p.entry + self.window
    }

    /// Follow-up as a fraction of the window, in [0, 1].
    pub fn fraction(&self, p: &PatientRecord) -> f64 {
        ((self.now - p.entry) / self.window).clamp(0.0, 1.0)
    }

    /// Patients and DLTs per dose among complete patients.
    pub fn complete_counts(&self) -> TrialData {
        let mut data = TrialData::new(self.num_doses);
        for p in self.patients.iter().filter(|p| self.complete(p)) {
            data.add_patient(
                p.dose,
                Outcome {
                    dlt: self.dlt_observed(p),
                    response: None,
                },
            );
        }
        data
    }

    /// The time at which the next pending patient's outcome becomes known (a DLT or the window
    /// closing), if any is pending.
    pub fn next_event(&self) -> Option<f64> {
        self.patients
            .iter()
            .filter(|p| !self.complete(p))
            .map(|p| p.dlt_at.unwrap_or(p.entry + self.window).min(p.entry + self.window))
            .min_by(f64::total_cmp)
    }
}

/// What a time-to-event design does for the next patient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimedDecision {
    /// Treat the next cohort at this dose.
    Treat(Dose),
    /// Suspend accrual until the next pending outcome becomes known.
    Wait,
    /// Stop the trial.
    Stop {
        /// The MTD selected, if any.
        selected: Option<Dose>,
        /// Why the trial stopped.
        reason: StopReason,
    },
}

/// A dose-finding design that decides in calendar time from partially followed patients.
pub trait TimedDesign: Send + Sync {
    /// The design's name in the scenario.
    fn name(&self) -> &str;
    /// The trial's limits.
    fn limits(&self) -> &TrialLimits;
    /// The decision for the next cohort at `view.now` (at least one patient has been treated).
    fn next(&self, view: &FollowUp) -> TimedDecision;
    /// The MTD once every window has closed.
    fn select(&self, view: &FollowUp) -> Option<Dose>;
}

/// A time-to-event design with stopping and skipping rules. Rules judge the complete data (patients
/// whose outcome is known) through the base design's fit on them, e.g. `stop_when_too_toxic` with
/// CRM's posterior or BOIN's Beta(1, 1) posterior of complete patients. They act on the design's
/// proposals and on its final selection, not on a suspension of accrual.
pub struct TimedWithRules<T, D> {
    inner: T,
    base: D,
    rules: Vec<Box<dyn Rule>>,
}

impl<T: TimedDesign, D: Design> TimedWithRules<T, D> {
    /// `base` is the complete-data design the rules consult (CRM for TITE-CRM, BOIN for TITE-BOIN).
    pub fn new(inner: T, base: D, rules: Vec<Box<dyn Rule>>) -> TimedWithRules<T, D> {
        TimedWithRules { inner, base, rules }
    }

    fn apply(&self, view: &FollowUp, proposed: Decision) -> Decision {
        let data = view.complete_counts();
        let fit = self.base.fit(&data);
        self.rules
            .iter()
            .fold(proposed, |decision, rule| rule.apply(&data, &fit, decision))
    }
}

impl<T: TimedDesign, D: Design> TimedDesign for TimedWithRules<T, D> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn limits(&self) -> &TrialLimits {
        self.inner.limits()
    }

    fn next(&self, view: &FollowUp) -> TimedDecision {
        let proposed = match self.inner.next(view) {
            TimedDecision::Wait => return TimedDecision::Wait,
            TimedDecision::Treat(d) => Decision::Treat(d),
            TimedDecision::Stop { selected, reason } => Decision::Stop { selected, reason },
        };
        match self.apply(view, proposed) {
            Decision::Treat(d) => TimedDecision::Treat(d),
            Decision::Stop { selected, reason } => TimedDecision::Stop { selected, reason },
        }
    }

    fn select(&self, view: &FollowUp) -> Option<Dose> {
        let selected = self.inner.select(view);
        let end = Decision::Stop {
            selected,
            reason: StopReason::MaxPatients,
        };
        match self.apply(view, end) {
            Decision::Stop { selected, .. } => selected,
            Decision::Treat(_) => selected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn limits(num_doses: usize) -> TrialLimits {
        TrialLimits {
            num_doses,
            cohort_size: 1,
            max_patients: 30,
            start_dose: Dose(0),
        }
    }

    pub(super) fn patient(dose: u16, entry: f64, dlt_at: Option<f64>) -> PatientRecord {
        PatientRecord {
            dose: Dose(dose),
            entry,
            dlt_at,
        }
    }

    #[test]
    fn next_event_is_the_earliest_pending_outcome() {
        let patients = [
            patient(0, 0.0, Some(0.4)),
            patient(0, 0.2, None),
            patient(0, 0.3, Some(2.0)),
        ];
        let view = FollowUp {
            patients: &patients,
            now: 0.35,
            window: 1.0,
            num_doses: 2,
        };
        assert_eq!(view.next_event(), Some(0.4));
        let view = FollowUp { now: 0.5, ..view };
        assert_eq!(view.next_event(), Some(1.2));
    }
}
