//! The trial loop in calendar time: escalation by a design that waits for complete data or one
//! that decides on pending outcomes, then
//! expansion at the RP2D.

use super::bfboin::run_bfboin;
use super::enrolment::{Cohorts, Enrolment};
use super::patients::{Patients, Stage};
use super::protocol::TruthThresholds;
use super::TimedEntry;
use crate::core::NO_WAIT_WITHOUT_FOLLOW_UP;
use crate::core::{Backfill, BackfillVariant, StepUpRule, Timing, Utility};
use crate::designs::{Decision, Dose, DoseFinder, StopReason, TrialData};
use crate::engines::cache::DecisionCache;

/// What one simulated trial produced.
pub(super) struct TimedTrial {
    /// How escalation ended.
    pub(super) end: Decision,
    pub(super) rp2d: Option<Dose>,
    /// From the first patient's entry to the last window's close, in months.
    pub(super) duration: f64,
}

/// One design under one truth: what every patient's outcome depends on.
pub(super) struct Arm<'a> {
    pub(super) timing: &'a Timing,
    pub(super) truth: &'a TruthThresholds,
    pub(super) step_up: StepUpRule,
    pub(super) utility: Utility,
    /// Whether the design is a phase I/II design, whose selection (its OBD) is the RP2D.
    pub(super) selects_obd: bool,
}

/// A waiting design: cohort, wait for the windows, decide on complete data (with any backfill
/// patients whose outcomes are known). A phase I/II design decides on every patient's DLT and
/// response, each assessed when the patient's window closes. Returns the end of escalation and
/// the time it ended.
fn run_waiting(
    finder: &dyn DoseFinder,
    (arm, backfill): (&Arm, Option<&Backfill>),
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
    mut cache: Option<&mut DecisionCache<'_>>,
) -> (Decision, f64) {
    let limits = finder.limits();
    let window = arm.timing.window;
    let empty = || match finder.uses_efficacy() {
        true => TrialData::with_efficacy(limits.num_doses),
        false => TrialData::new(limits.num_doses),
    };
    let (mut escalation, mut data) = (empty(), empty());
    let (mut dose, mut open, mut cleared) = (limits.start_dose, 0.0, None::<Dose>);
    loop {
        let room = limits.max_patients - patients.len();
        let size = finder.next_cohort_size(&data).min(room as u16);
        let first = patients.records.len();
        let last = enrolment.enrol(cohorts, arm, (dose, size, Stage::Escalation), open, patients);
        let cohort = patients.cohort_outcomes(first..patients.records.len());
        if escalation.has_efficacy() {
            escalation.add_cohort_outcomes(dose, cohort);
        } else {
            escalation.add_cohort(dose, size, cohort.dlts as u16);
        }
        // Every window of the cohort closes before the next decision.
        open = last + window;
        if let Some(rule) = backfill {
            // `data` is scratch space here: it becomes the decision's data below.
            enrolment.backfill(cohorts, arm, (rule, finder), (dose, cleared, open), patients, &mut data);
        }
        if patients.len() >= limits.max_patients {
            // Nobody more can be treated: decide once every outcome is known.
            open = open.max(patients.last_close(window));
        }
        patients.decision_data(&escalation, open, window, &mut data);
        let decision = match cache.as_deref_mut() {
            Some(cache) => cache.decide(finder, &data),
            None => finder.decide(&data),
        };
        match decision {
            Decision::Treat(next) => {
                if next > dose {
                    cleared = cleared.max(Some(dose));
                }
                dose = next;
            }
            Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
            end => return (end, open),
        }
    }
}

/// A design deciding on pending outcomes: decide at each cohort's arrival from the complete
/// patients' counts and everyone's follow-up; once the sample size is reached, conclude when every
/// window has closed. Returns the end of escalation and the time it ended.
fn run_time_to_event(
    finder: &dyn DoseFinder,
    arm: &Arm,
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
) -> (Decision, f64) {
    let limits = *finder.limits();
    let (timing, num_doses) = (arm.timing, arm.truth.dlt[0].len());
    let mut data = TrialData::new(num_doses);
    let mut open = 0.0f64;
    while patients.len() < limits.max_patients {
        let (_, now) = enrolment.next_patient(cohorts, timing, open);
        let decision = if patients.records.is_empty() {
            Decision::Treat(limits.start_dose)
        } else {
            data.set_follow_up(&patients.records, now, timing.window);
            finder.decide(&data)
        };
        match decision {
            Decision::Treat(dose) => {
                let left = limits.max_patients - patients.len();
                let size = u32::from(limits.cohort_size).min(left) as u16;
                enrolment.enrol(cohorts, arm, (dose, size, Stage::Escalation), now, patients);
            }
            // Decide again at the next outcome or the next arrival, whichever comes first (the
            // follow-up fractions grow between outcomes; TITEgBOIN decides at every arrival);
            // time always moves on (completion is judged against the closing time itself, so
            // the next event lies after `now`).
            Decision::Wait => {
                let next = data.follow_up().and_then(|f| f.next_event());
                let outcome = next.filter(|&t| t > now).unwrap_or(now + timing.window);
                open = outcome.min(enrolment.next_arrival_after(cohorts, timing.arrival, now));
            }
            // A trial stopped at an arrival after every window had closed ended with the last
            // window: nothing was observed meanwhile.
            end @ Decision::Stop { .. } => return (end, now.min(patients.last_close(timing.window))),
        }
    }
    let end = patients.last_close(timing.window);
    data.set_follow_up(&patients.records, end, timing.window);
    let end_decision = Decision::Stop {
        selected: finder.conclude(&data),
        reason: StopReason::MaxPatients,
    };
    (end_decision, end)
}

/// After escalation: once every window has closed, treat an expansion cohort at the provisional
/// RP2D up to `total_patients` (when an MTD was found), then choose the RP2D on every patient.
fn finish(
    (end, ended): (Decision, f64),
    arm: &Arm,
    total_patients: Option<u32>,
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
) -> TimedTrial {
    let mtd = match end {
        Decision::Stop { selected, .. } => selected,
        Decision::Treat(_) | Decision::Wait => unreachable!("escalation ends with a stop"),
    };
    let closed = ended.max(patients.last_close(arm.timing.window));
    if let (Some(total), Some(_)) = (total_patients, mtd) {
        let more = total.saturating_sub(patients.len());
        if more > 0 {
            let provisional = patients.rp2d(mtd, arm).expect("an MTD gives an RP2D");
            enrolment.enrol(
                cohorts,
                arm,
                (provisional, more as u16, Stage::Expansion),
                closed,
                patients,
            );
        }
    }
    TimedTrial {
        end,
        rp2d: patients.rp2d(mtd, arm),
        duration: closed.max(patients.last_close(arm.timing.window)),
    }
}

/// One trial of one design under one truth: escalation, then expansion and the RP2D.
pub(super) fn run_trial(
    entry: &TimedEntry,
    (arm, total_patients): (&Arm, Option<u32>),
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
    cache: Option<&mut DecisionCache<'_>>,
) -> TimedTrial {
    let finder = entry.finder.as_ref();
    let escalation = if finder.decides_on_pending() {
        run_time_to_event(finder, arm, cohorts, patients, enrolment)
    } else if let Some(
        b @ Backfill {
            variant: BackfillVariant::Bfboin(table),
            ..
        },
    ) = &entry.backfill
    {
        run_bfboin(finder, (arm, b, table), cohorts, patients, enrolment)
    } else {
        run_waiting(
            finder,
            (arm, entry.backfill.as_ref()),
            cohorts,
            patients,
            enrolment,
            cache,
        )
    };
    finish(escalation, arm, total_patients, cohorts, patients, enrolment)
}
