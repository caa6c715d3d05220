//! Calendar-time simulation: patients arrive over time, each with a DLT assessment window.
//!
//! Every design is a [`DoseFinder`]. Designs that need complete data (3+3, BOIN, CRM, …) treat a
//! cohort and then suspend accrual until every window of that cohort has closed; patients who
//! arrive meanwhile wait. Designs that decide on pending outcomes
//! ([`DoseFinder::decides_on_pending`]: TITE-CRM, TITE-BOIN) decide as each cohort arrives from
//! whatever follow-up exists, and suspend accrual only when they say so ([`Decision::Wait`]). Every design and truth sees the
//! same patients (arrival gaps, DLT latents and DLT onset times; see [`rng`](super::rng) for the
//! layout), and trial t's stream depends only on (seed, t), so results do not depend on the number
//! of threads.
//!
//! - `enrolment`: arrivals, waiting and enrolment; `backfill`: backfill cohorts (`variant =
//!   "design"`); `bfboin`: the escalation loop with BF-BOIN backfill as bfboin 0.1.1 codes it;
//! - `patients`: the patients a trial has treated and their outcomes;
//! - `trial`: the trial loop (escalation, expansion, the RP2D);
//! - `counts`: the integer accumulators ([`TimedCounts`]);
//! - [`protocol`]: step-up dosing, CRS-type DLTs, TEAEs, response and the RP2D utility.

mod backfill;
mod bfboin;
mod counts;
#[cfg(test)]
mod efficacy_tests;
mod enrolment;
mod patients;
pub mod protocol;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tite_agreement;
mod trial;

pub use counts::{FinishedTrial, TimedCounts};

use super::cache::{DecisionCache, SharedDecisions};

use super::{Accumulator, Simulation};
use crate::core::{dlt_as_given, Backfill, StepUpRule, Timing, Truth, Utility};
#[cfg(doc)]
use crate::designs::Decision;
use crate::designs::{Dose, DoseFinder, TrialData, TrialLimits};
use crate::results::oc::CorrectDecision;
use enrolment::{Cohorts, Enrolment};
use patients::Patients;
use protocol::TruthThresholds;
use trial::{run_trial, Arm};

/// A design run in calendar time: its dose-finding rule, regimen switch and backfill.
pub struct TimedEntry {
    /// Its dose-finding rule.
    pub finder: Box<dyn DoseFinder>,
    /// When it switches to step-up dosing.
    pub step_up: StepUpRule,
    /// Backfill cohorts (designs that wait for complete data only).
    pub backfill: Option<Backfill>,
}

impl TimedEntry {
    /// A design with direct dosing throughout and no backfill.
    #[cfg(test)]
    pub fn plain(finder: Box<dyn DoseFinder>) -> TimedEntry {
        TimedEntry {
            finder,
            step_up: StepUpRule::default(),
            backfill: None,
        }
    }

    pub(super) fn limits(&self) -> &TrialLimits {
        self.finder.limits()
    }
}

/// The settings every design and truth of a calendar-time run shares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimedSettings {
    /// Arrivals, the DLT window, the TEAE follow-up, the DLT onset and the longest wait.
    pub timing: Timing,
    /// Escalation, backfill and expansion together (expansion fills up to it).
    pub total_patients: Option<u32>,
    /// How the RP2D is chosen from efficacy and toxicity.
    pub utility: Utility,
    /// The target DLT probability (for the right decision as given).
    pub target: f64,
}

/// Every design under every truth in calendar time, with common random numbers. Counts are
/// indexed `[design][truth]`.
pub struct TimedPlan<'a> {
    designs: &'a [TimedEntry],
    settings: TimedSettings,
    seed: u64,
    num_doses: usize,
    /// Each truth's thresholds.
    thresholds: Vec<TruthThresholds>,
    /// The right decision per truth for each level step-up may start from (last: none).
    correct: Vec<Vec<CorrectDecision>>,
    /// Each truth's calendar: the plan's, with the truth's own DLT onset where it has one.
    timings: Vec<Timing>,
    /// Each design's decisions, shared by the workers (used by designs whose fits are costly).
    shared: Vec<SharedDecisions>,
}

impl<'a> TimedPlan<'a> {
    /// Every design of `designs` under every truth of `truths`, in the run seeded with `seed`.
    pub fn new(designs: &'a [TimedEntry], truths: &[Truth], settings: TimedSettings, seed: u64) -> TimedPlan<'a> {
        let num_doses = truths.first().map_or(0, |t| t.dlt.len());
        let correct = truths
            .iter()
            .map(|t| {
                (0..=num_doses)
                    .map(|s| {
                        let switch = (s < num_doses).then_some(Dose(s as u16));
                        CorrectDecision::for_truth(&dlt_as_given(&t.dlt, &t.profile, switch), settings.target)
                    })
                    .collect()
            })
            .collect();
        TimedPlan {
            designs,
            settings,
            seed,
            num_doses,
            thresholds: truths
                .iter()
                .map(|t| TruthThresholds::new(&t.dlt, &t.profile))
                .collect(),
            correct,
            timings: truths
                .iter()
                .map(|t| Timing {
                    onset: t.onset.unwrap_or(settings.timing.onset),
                    ..settings.timing
                })
                .collect(),
            shared: designs.iter().map(|_| SharedDecisions::default()).collect(),
        }
    }
}

/// Trials a worker holds back and then runs design × truth by design × truth, so that one pair's
/// counts and its design's caches stay in the processor's caches over the batch (results never
/// depend on it: each trial's patients come from its own stream, memoised decisions are exact
/// and counts are sums).
const BATCH: usize = 32;

/// A worker of a [`TimedPlan`]: counts, decision caches and the held-back trials' patients.
pub struct TimedWorker<'s> {
    counts: Vec<Vec<TimedCounts>>,
    caches: Vec<Option<DecisionCache<'s>>>,
    /// The patients of the trials held back (the first `held`), in the order they came.
    cohorts: Vec<Cohorts>,
    held: usize,
    patients: Patients,
    /// Scratch space: a finished trial's counts, toxicity only (0) and with responses (1).
    counts_scratch: [TrialData; 2],
}

impl Simulation for TimedPlan<'_> {
    type Counts = Vec<Vec<TimedCounts>>;
    type Worker<'s>
        = TimedWorker<'s>
    where
        Self: 's;
    const BLOCK: u64 = 64;

    fn worker(&self) -> TimedWorker<'_> {
        let num_doses = self.num_doses;
        TimedWorker {
            counts: self
                .designs
                .iter()
                .map(|d| {
                    let most = d.limits().max_patients.max(self.settings.total_patients.unwrap_or(0));
                    let counts = TimedCounts::new(num_doses, most);
                    let counts = match d.finder.uses_efficacy() {
                        true => counts.with_responses(),
                        false => counts,
                    };
                    vec![counts; self.thresholds.len()]
                })
                .collect(),
            caches: self
                .designs
                .iter()
                .zip(&self.shared)
                .map(|(d, shared)| {
                    let f = &d.finder;
                    (f.cache_decisions() && !f.decides_on_pending()).then(|| shared.cache())
                })
                .collect(),
            cohorts: (0..BATCH).map(|_| Cohorts::new()).collect(),
            held: 0,
            patients: Patients::default(),
            counts_scratch: [TrialData::new(num_doses), TrialData::with_efficacy(num_doses)],
        }
    }

    fn run(&self, worker: &mut TimedWorker<'_>, trial: u64) {
        worker.cohorts[worker.held].start(self.seed, trial);
        worker.held += 1;
        if worker.held == BATCH {
            self.run_held(worker);
        }
    }

    fn finish(&self, mut worker: TimedWorker<'_>) -> Vec<Vec<TimedCounts>> {
        self.run_held(&mut worker);
        worker.counts
    }
}

impl TimedPlan<'_> {
    /// Runs the trials `worker` holds back, every design under every truth, into its counts.
    fn run_held(&self, worker: &mut TimedWorker<'_>) {
        let TimedWorker {
            counts,
            caches,
            cohorts,
            held,
            patients,
            counts_scratch,
        } = worker;
        let trials = &mut cohorts[..*held];
        *held = 0;
        for (k, entry) in self.designs.iter().enumerate() {
            for (j, truth) in self.thresholds.iter().enumerate() {
                let arm = Arm {
                    timing: &self.timings[j],
                    truth,
                    step_up: entry.step_up,
                    utility: self.settings.utility,
                    selects_obd: entry.finder.uses_efficacy(),
                };
                for cohorts in trials.iter_mut() {
                    patients.clear();
                    let mut enrolment = Enrolment::default();
                    let result = run_trial(
                        entry,
                        (&arm, self.settings.total_patients),
                        cohorts,
                        patients,
                        &mut enrolment,
                        caches[k].as_mut(),
                    );
                    let scratch = &mut counts_scratch[usize::from(entry.finder.uses_efficacy())];
                    patients.final_data(scratch);
                    counts[k][j].add(FinishedTrial {
                        patients,
                        counts: scratch,
                        enrolment: &enrolment,
                        trial: &result,
                        step_up: entry.step_up,
                        correct: &self.correct[j],
                    });
                }
            }
        }
    }
}
