//! Accrual: patients arrive (their draws come from the trial's stream in order of arrival), wait
//! for accrual to reopen or are turned away, and are enrolled at a dose with the outcomes the
//! truth gives them.

use super::patients::{Outcome, Patients, Stage};
use super::trial::Arm;
use crate::core::{Arrival, Timing};
use crate::designs::tite::PatientRecord;
use crate::designs::Dose;
use crate::engines::rng::{calendar_patient, calendar_rng, patient_latent, trial_key, BACKFILL_STREAM};
use rand_xoshiro::Xoshiro256PlusPlus;

/// One trial's patients in order of arrival: arrival times, DLT latents, onset fractions and
/// response latents, drawn lazily from the trial's stream (see [`calendar_patient`]) and shared by
/// every design and truth of the trial.
pub(super) struct Cohorts {
    rng: Xoshiro256PlusPlus,
    pub(super) drawn: Vec<Drawn>,
    /// The key of the trial's backfill assignment stream (see [`Cohorts::backfill_latent`]).
    backfill_key: u64,
}

/// One patient's arrival time and latents (one patient's draws lie together in memory).
#[derive(Clone, Copy, Debug)]
pub(super) struct Drawn {
    pub(super) arrival: f64,
    pub(super) dlt: u64,
    pub(super) onset: f64,
    pub(super) response: u64,
}

impl Cohorts {
    /// Empty, until [`Cohorts::start`].
    pub(super) fn new() -> Cohorts {
        Cohorts {
            rng: calendar_rng(0, 0),
            drawn: Vec::new(),
            backfill_key: 0,
        }
    }

    /// Starts trial `trial` of the run seeded with `seed`.
    pub(super) fn start(&mut self, seed: u64, trial: u64) {
        self.rng = calendar_rng(seed, trial);
        self.drawn.clear();
        self.backfill_key = trial_key(seed ^ BACKFILL_STREAM, trial);
    }

    /// Patient `i`'s latent (53 bits) for a random backfill assignment, from a counter stream
    /// apart from the patients' own draws (see [`crate::engines::rng`]).
    pub(super) fn backfill_latent(&self, i: usize) -> u64 {
        patient_latent(self.backfill_key, i)
    }

    /// Ensures patient `i` exists; returns their arrival time.
    pub(super) fn patient(&mut self, i: usize, arrival: Arrival) -> f64 {
        while self.drawn.len() <= i {
            let latents = calendar_patient(&mut self.rng);
            let gap = match arrival {
                Arrival::Poisson { rate } => -(1.0 - latents.arrival).ln() / rate,
                Arrival::Fixed { interval } => interval,
            };
            // The first patient arrives at time 0.
            let previous = self.drawn.last().map_or(-gap, |p| p.arrival);
            self.drawn.push(Drawn {
                arrival: previous + gap,
                dlt: latents.dlt,
                onset: latents.onset,
                response: latents.response,
            });
        }
        self.drawn[i].arrival
    }
}

/// Who has arrived and been enrolled, waited or been turned away in one trial. Patients are
/// numbered by arrival (their latents follow that order, whatever happens to them).
#[derive(Default)]
pub(super) struct Enrolment {
    /// The next patient to arrive.
    pub(super) next: usize,
    /// Patients who waited for accrual to reopen, and their total wait in 10⁻⁶ months.
    pub(super) waited: u64,
    pub(super) wait_sum: u128,
    /// Patients turned away because they would have waited longer than `max_wait`.
    pub(super) turned_away: u64,
}

impl Enrolment {
    /// The next patient who will accept a place opening at `open`: those who would wait longer
    /// than `max_wait` are turned away. Returns (patient, entry time).
    pub(super) fn next_patient(&mut self, cohorts: &mut Cohorts, timing: &Timing, open: f64) -> (usize, f64) {
        loop {
            let i = self.next;
            let arrival = cohorts.patient(i, timing.arrival);
            if open - arrival > timing.max_wait {
                self.turned_away += 1;
                self.next += 1;
                continue;
            }
            return (i, arrival.max(open));
        }
    }

    /// The first arrival after time `t`, among patients yet to come (drawn as needed).
    pub(super) fn next_arrival_after(&self, cohorts: &mut Cohorts, arrival: Arrival, t: f64) -> f64 {
        (self.next..)
            .map(|i| cohorts.patient(i, arrival))
            .find(|&a| a > t)
            .expect("arrivals go on for ever")
    }

    /// Enrols `size` patients at `dose` from `open` on; returns the last entry time. Each
    /// patient's regimen follows the design's step-up rule given the CRS-type DLTs observed by
    /// their entry.
    pub(super) fn enrol(
        &mut self,
        cohorts: &mut Cohorts,
        arm: &Arm,
        (dose, size, stage): (Dose, u16, Stage),
        open: f64,
        patients: &mut Patients,
    ) -> f64 {
        let mut last = open;
        let at_dose = [0, 1].map(|r| DoseThresholds::new(arm, (r, dose.index())));
        for _ in 0..size {
            let (i, entry) = self.next_patient(cohorts, arm.timing, open);
            let drawn = cohorts.drawn[i];
            if entry > drawn.arrival {
                self.waited += 1;
                self.wait_sum += ((entry - drawn.arrival) * 1e6).round() as u128;
            }
            let regimen = arm.step_up.regimen(dose, patients.lowest_crs(entry));
            let r = regimen as usize;
            let t = &at_dose[r];
            let dlt = drawn.dlt < t.dlt;
            let dlt_at = dlt.then(|| entry + arm.timing.onset.fraction(drawn.onset, t.probability) * arm.timing.window);
            let outcome = Outcome {
                stage,
                regimen,
                crs: drawn.dlt < t.crs,
                teae: drawn.dlt < t.teae,
                response: arm.truth.responds((r, dose.index()), dlt, drawn.response),
            };
            patients.push(PatientRecord { dose, entry, dlt_at }, outcome);
            self.next = i + 1;
            last = entry;
        }
        last
    }
}

/// One dose's thresholds under one regimen of an [`Arm`]'s truth (see [`TruthThresholds`](super::protocol::TruthThresholds)), looked
/// up once a cohort.
struct DoseThresholds {
    dlt: u64,
    probability: f64,
    crs: u64,
    teae: u64,
}

impl DoseThresholds {
    fn new(arm: &Arm, (regimen, d): (usize, usize)) -> DoseThresholds {
        let truth = arm.truth;
        DoseThresholds {
            dlt: truth.dlt[regimen][d],
            probability: truth.dlt_probability[regimen][d],
            crs: truth.crs[regimen][d],
            teae: truth.teae[regimen][d],
        }
    }
}
