//! Accrual: patients arrive (their draws come from the trial's stream in order of arrival), wait
//! for accrual to reopen or are turned away, and are enrolled at a dose with the outcomes the
//! truth gives them.

use super::patients::{Outcome, Patients, Stage};
use super::trial::Arm;
use crate::core::{Arrival, Timing};
use crate::designs::tite::PatientRecord;
use crate::designs::Dose;
use crate::engines::rng::{calendar_patient, calendar_rng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// One trial's patients in order of arrival: arrival times, DLT latents, onset fractions and
/// response latents, drawn lazily from the trial's stream (see [`calendar_patient`]) and shared by
/// every design and truth of the trial.
pub(super) struct Cohorts {
    rng: Xoshiro256PlusPlus,
    pub(super) arrivals: Vec<f64>,
    pub(super) dlt_latent: Vec<u64>,
    pub(super) onset: Vec<f64>,
    pub(super) response_latent: Vec<u64>,
}

impl Cohorts {
    /// Empty, until [`Cohorts::start`].
    pub(super) fn new() -> Cohorts {
        Cohorts {
            rng: calendar_rng(0, 0),
            arrivals: Vec::new(),
            dlt_latent: Vec::new(),
            onset: Vec::new(),
            response_latent: Vec::new(),
        }
    }

    /// Starts trial `trial` of the run seeded with `seed`.
    pub(super) fn start(&mut self, seed: u64, trial: u64) {
        self.rng = calendar_rng(seed, trial);
        self.arrivals.clear();
        self.dlt_latent.clear();
        self.onset.clear();
        self.response_latent.clear();
    }

    /// Ensures patient `i` exists; returns their arrival time.
    pub(super) fn patient(&mut self, i: usize, arrival: Arrival) -> f64 {
        while self.arrivals.len() <= i {
            let latents = calendar_patient(&mut self.rng);
            let gap = match arrival {
                Arrival::Poisson { rate } => -(1.0 - latents.arrival).ln() / rate,
                Arrival::Fixed { interval } => interval,
            };
            let previous = if self.arrivals.is_empty() {
                -gap
            } else {
                self.arrivals[self.arrivals.len() - 1]
            };
            // The first patient arrives at time 0.
            self.arrivals.push(previous + gap);
            self.dlt_latent.push(latents.dlt);
            self.onset.push(latents.onset);
            self.response_latent.push(latents.response);
        }
        self.arrivals[i]
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
        let d = dose.index();
        for _ in 0..size {
            let (i, entry) = self.next_patient(cohorts, arm.timing, open);
            if entry > cohorts.arrivals[i] {
                self.waited += 1;
                self.wait_sum += ((entry - cohorts.arrivals[i]) * 1e6).round() as u128;
            }
            let regimen = arm.step_up.regimen(dose, patients.lowest_crs(entry));
            let r = regimen as usize;
            let u = cohorts.dlt_latent[i];
            let dlt = u < arm.truth.dlt[r][d];
            let dlt_at = dlt.then(|| {
                let p = arm.truth.dlt_probability[r][d];
                entry + arm.timing.onset.fraction(cohorts.onset[i], p) * arm.timing.window
            });
            let outcome = Outcome {
                stage,
                regimen,
                crs: u < arm.truth.crs[r][d],
                teae: u < arm.truth.teae[r][d],
                response: arm.truth.responds((r, d), dlt, cohorts.response_latent[i]),
            };
            patients.push(PatientRecord { dose, entry, dlt_at }, outcome);
            self.next = i + 1;
            last = entry;
        }
        last
    }
}
