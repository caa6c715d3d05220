//! Backfill: while an escalation cohort is followed, patients who arrive are treated at once at a
//! lower dose already cleared, instead of waiting.

use super::enrolment::{Cohorts, Enrolment};
use super::patients::{Patients, Stage};
use super::trial::Arm;
use crate::core::complete_counts;
use crate::core::Backfill;
use crate::designs::{Dose, DoseFinder, TrialData};

impl Enrolment {
    /// Backfill while the escalation cohort at `current` is followed, until `until`: each patient
    /// arriving meanwhile is treated at once at the highest open backfill dose at or below
    /// `cleared` and below `current` (see [`Backfill`]); the first for whom none is open waits.
    /// A dose is open while it has fewer than the cap and the design, fitted to every outcome
    /// known at the arrival (`complete`, scratch space: for a phase I/II design the patients
    /// whose windows have closed), keeps it open ([`DoseFinder::backfill_open`]), and, with
    /// `require_response`, once an escalation patient there has responded.
    pub(super) fn backfill(
        &mut self,
        cohorts: &mut Cohorts,
        arm: &Arm,
        (rule, finder): (&Backfill, &dyn DoseFinder),
        (current, cleared, until): (Dose, Option<Dose>, f64),
        patients: &mut Patients,
        complete: &mut TrialData,
    ) {
        let (Some(cleared), Some(below)) = (cleared, current.0.checked_sub(1)) else {
            return;
        };
        let highest = cleared.min(Dose(below));
        let limits = finder.limits();
        // Keep room for the next escalation cohort.
        while patients.len() + 1 + u32::from(limits.cohort_size) <= limits.max_patients {
            let arrival = cohorts.patient(self.next, arm.timing.arrival);
            if arrival >= until {
                return;
            }
            let window = arm.timing.window;
            if complete.has_efficacy() {
                patients.closed_outcomes(arrival, window, complete);
            } else {
                complete_counts(&patients.records, arrival, window, complete);
            }
            let open = (0..=highest.0).rev().map(Dose).find(|&b| {
                let at = patients.at(b);
                at > 0
                    && at < rule.max_per_dose
                    && (!rule.require_response || patients.responded(b, arrival, window))
                    && finder.backfill_open(complete, b)
            });
            let Some(dose) = open else { return };
            self.enrol(cohorts, arm, (dose, 1, Stage::Backfill), arrival, patients);
        }
    }
}
