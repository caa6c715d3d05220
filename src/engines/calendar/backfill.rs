//! Backfill: while an escalation cohort is followed, patients who arrive are treated at once at a
//! lower dose already cleared, instead of waiting.

use super::enrolment::{Cohorts, Enrolment};
use super::patients::{Patients, Stage};
use super::protocol::Backfill;
use super::trial::Arm;
use crate::designs::{Dose, TrialLimits};

impl Enrolment {
    /// Backfill while the escalation cohort at `current` is followed, until `until`: each patient
    /// arriving meanwhile is treated at once at the highest open backfill dose at or below
    /// `cleared` and below `current` (see [`Backfill`]); the first for whom none is open waits.
    pub(super) fn backfill(
        &mut self,
        cohorts: &mut Cohorts,
        arm: &Arm,
        (rule, limits): (&Backfill, &TrialLimits),
        (current, cleared): (Dose, Option<Dose>),
        until: f64,
        patients: &mut Patients,
    ) {
        let (Some(cleared), Some(below)) = (cleared, current.0.checked_sub(1)) else {
            return;
        };
        let highest = cleared.min(Dose(below));
        // Keep room for the next escalation cohort.
        while patients.len() + 1 + u32::from(limits.cohort_size) <= limits.max_patients {
            let arrival = cohorts.patient(self.next, arm.timing.arrival);
            if arrival >= until {
                return;
            }
            let open = (0..=highest.0).rev().map(Dose).find(|&b| {
                let at = patients.records.iter().filter(|r| r.dose == b).count() as u32;
                let (n, y) = patients.complete_at(b, arrival, arm.timing.window);
                at > 0 && at < rule.max_per_dose && (n == 0 || f64::from(y) < rule.close_at_rate * f64::from(n))
            });
            let Some(dose) = open else { return };
            self.enrol(cohorts, arm, (dose, 1, Stage::Backfill), arrival, patients);
        }
    }
}
