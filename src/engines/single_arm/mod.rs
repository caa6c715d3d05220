//! The single-arm engine: every [`SingleArmDesign`] under every [`SingleArmTruth`] of a phase 2
//! study in calendar time, on common random numbers (a trial is described in
//! `designs::single_arm::sim`).
//!
//! Trial t draws its study's patients' latents from its stream once (see
//! [`rng`](super::rng)); each truth turns them into patients and every design runs on those.
//! Kaplan–Meier medians are computed once per trial, truth and maximum sample size (designs with
//! the same maximum share them). The integer accumulators are [`SingleArmResults`]; the run's
//! table and CSV rows are built from them by `table`
//! ([`SingleArmTable`]).
//!
//! Each log-rank design's simulated type I error is counted on the same trials: its test alone
//! (no toxicity monitoring) on the trial's patients (same entries and dropouts) whose survival
//! follows the design's historical curve (each event time Λ0⁻¹(−ln u) from the patient's OS
//! latent u), analysed at the design's final analysis.

mod counts;
pub(crate) mod table;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod type_one_tests;

pub use counts::{
    FinalMedians, MedianCounts, MedianHistogram, MedianSummary, NullRejections, SingleArmCounts, SingleArmResults,
    SingleArmSummary, TimeMoments, MEDIAN_BIN_MONTHS,
};
pub use table::{NullTest, SingleArmRow, SingleArmTable};

use super::rng::trial_rng;
use super::{Accumulator, Simulation};
use crate::designs::single_arm::sim::{
    check_study, observations, run_trial, Analysis, Endpoint, Outcome, SingleArmDesign,
};
use crate::designs::single_arm::survival::{KaplanMeier, Observation};
use crate::designs::single_arm::timing::{
    draw_latents, Patient, PatientLatents, SingleArmTruth, StudyTiming, SurvivalCurve, TimeToEvent,
};
use crate::designs::single_arm::SingleArmError;

/// A Kaplan–Meier curve as step points: (0, 1), then (t, Ŝ(t)) at each event time, then the last
/// observed time (if after the last event) with the last value; Ŝ holds from a point's time
/// until the next point's.
pub type KmSteps = Vec<(f64, f64)>;

/// Every design under every truth, on common random numbers. Counts are indexed
/// `[design][truth]`, with the per-truth distribution of the OS Kaplan–Meier median of all the
/// study's patients at the planned final analysis (computed in every trial, whatever the designs
/// decide; shared with the designs that enrol every patient).
#[derive(Clone, Debug)]
pub struct SingleArmPlan<'a> {
    timing: &'a StudyTiming,
    truths: &'a [SingleArmTruth],
    designs: &'a [SingleArmDesign],
    seed: u64,
    /// Per design, a log-rank design's test alone and the truth "survival follows its
    /// historical curve" (no response, no toxicity).
    null_tests: Vec<Option<(SingleArmDesign, SingleArmTruth)>>,
}

/// A log-rank design's test without toxicity monitoring, and patients whose `endpoint` survival
/// follows its historical curve; `None` for any other design.
fn null_test(design: &SingleArmDesign) -> Result<Option<(SingleArmDesign, SingleArmTruth)>, SingleArmError> {
    let &Analysis::LogRank {
        endpoint,
        null,
        alpha,
        statistic,
    } = design.analysis()
    else {
        return Ok(None);
    };
    let test = SingleArmDesign::log_rank("H0", design.max_patients(), endpoint, null, alpha, statistic)?;
    let survival = TimeToEvent::independent(SurvivalCurve::from(null));
    let truth = SingleArmTruth::new("historical", 0.0, 0.0, survival.clone(), survival)?;
    Ok(Some((test, truth)))
}

impl<'a> SingleArmPlan<'a> {
    /// Checks that there are truths and designs, and that no design enrols more patients than the
    /// study.
    pub fn new(
        timing: &'a StudyTiming,
        truths: &'a [SingleArmTruth],
        designs: &'a [SingleArmDesign],
        seed: u64,
    ) -> Result<SingleArmPlan<'a>, SingleArmError> {
        check_study(timing, truths, designs)?;
        Ok(SingleArmPlan {
            timing,
            truths,
            designs,
            seed,
            null_tests: designs.iter().map(null_test).collect::<Result<_, _>>()?,
        })
    }

    /// The `endpoint` Kaplan–Meier curves of the first `count` trials (of the simulation, same
    /// patients) under each truth, from all the study's patients at the planned final analysis
    /// (last entry + the final lag), indexed `[truth][trial]`.
    pub fn km_examples(&self, count: u64, endpoint: Endpoint) -> Vec<Vec<KmSteps>> {
        let study_patients = self.timing.patients() as usize;
        let (mut latents, mut calendar, mut patients, mut data) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut curves = vec![Vec::new(); self.truths.len()];
        for trial in 0..count {
            let closing = draw_latents(&mut trial_rng(self.seed, trial), study_patients, &mut latents);
            self.timing.calendar(&latents, closing, &mut calendar);
            for (j, truth) in self.truths.iter().enumerate() {
                truth.patients(&latents, &calendar, &mut patients);
                let analysis = patients[study_patients - 1].entry + self.timing.final_lag();
                observations(&patients, endpoint, analysis, &mut data);
                curves[j].push(km_steps(&data));
            }
        }
        curves
    }
}

/// A worker of a [`SingleArmPlan`]: its counts, and buffers for the current trial.
pub struct SingleArmWorker {
    results: SingleArmResults,
    latents: Vec<PatientLatents>,
    calendar: Vec<(f64, f64)>,
    patients: Vec<Patient>,
    scratch: Vec<Observation>,
    /// The (OS, PFS) medians of the current truth, by maximum sample size.
    medians: Vec<(u32, FinalMedians)>,
}

impl Simulation for SingleArmPlan<'_> {
    type Counts = SingleArmResults;
    type Worker<'s>
        = SingleArmWorker
    where
        Self: 's;
    const BLOCK: u64 = 256;

    fn worker(&self) -> SingleArmWorker {
        SingleArmWorker {
            results: SingleArmResults {
                counts: self
                    .designs
                    .iter()
                    .map(|d| vec![SingleArmCounts::new(d.max_patients()); self.truths.len()])
                    .collect(),
                os_medians: vec![MedianHistogram::default(); self.truths.len()],
                null_tests: self
                    .null_tests
                    .iter()
                    .map(|t| t.as_ref().map(|_| NullRejections::default()))
                    .collect(),
            },
            latents: Vec::new(),
            calendar: Vec::new(),
            patients: Vec::new(),
            scratch: Vec::with_capacity(self.timing.patients() as usize),
            medians: Vec::new(),
        }
    }

    fn run(&self, w: &mut SingleArmWorker, trial: u64) {
        let study_patients = self.timing.patients() as usize;
        let closing = draw_latents(&mut trial_rng(self.seed, trial), study_patients, &mut w.latents);
        self.timing.calendar(&w.latents, closing, &mut w.calendar);
        for (j, truth) in self.truths.iter().enumerate() {
            truth.patients(&w.latents, &w.calendar, &mut w.patients);
            w.medians.clear();
            for (k, design) in self.designs.iter().enumerate() {
                let result = run_trial(design, self.timing, &w.patients, &mut w.scratch);
                let estimate = result.analysis_time.map(|analysis| {
                    let n = design.max_patients();
                    match w.medians.iter().find(|(m, _)| *m == n) {
                        Some(&(_, both)) => both,
                        None => {
                            let group = &w.patients[..n as usize];
                            let both = (
                                km_median(group, Endpoint::Os, analysis, &mut w.scratch),
                                km_median(group, Endpoint::Pfs, analysis, &mut w.scratch),
                            );
                            w.medians.push((n, both));
                            both
                        }
                    }
                });
                w.results.counts[k][j].add((&result, estimate));
            }
            let all = study_patients as u32;
            let os = match w.medians.iter().find(|(m, _)| *m == all) {
                Some(&(_, (os, _))) => os,
                None => {
                    let analysis = w.patients[study_patients - 1].entry + self.timing.final_lag();
                    km_median(&w.patients, Endpoint::Os, analysis, &mut w.scratch)
                }
            };
            w.results.os_medians[j].add(os);
        }
        for (k, test) in self.null_tests.iter().enumerate() {
            if let (Some((design, truth)), Some(counts)) = (test, &mut w.results.null_tests[k]) {
                truth.patients(&w.latents, &w.calendar, &mut w.patients);
                let result = run_trial(design, self.timing, &w.patients, &mut w.scratch);
                counts.add(result.outcome == Outcome::Promising);
            }
        }
    }

    fn finish(&self, worker: SingleArmWorker) -> SingleArmResults {
        worker.results
    }
}

/// The Kaplan–Meier curve of `data` as [`KmSteps`].
fn km_steps(data: &[Observation]) -> KmSteps {
    let mut steps = vec![(0.0, 1.0)];
    let Ok(km) = KaplanMeier::new(data) else {
        return steps;
    };
    let mut events: Vec<f64> = data.iter().filter(|o| o.event).map(|o| o.time).collect();
    events.sort_by(f64::total_cmp);
    events.dedup();
    steps.extend(events.iter().map(|&t| (t, km.survival_at(t))));
    let last = data.iter().map(|o| o.time).fold(0.0, f64::max);
    let (end, survival) = steps[steps.len() - 1];
    if last > end {
        steps.push((last, survival));
    }
    steps
}

/// The Kaplan–Meier median of `endpoint` at calendar time `analysis` (`None`: not reached).
fn km_median(patients: &[Patient], endpoint: Endpoint, analysis: f64, scratch: &mut Vec<Observation>) -> Option<f64> {
    observations(patients, endpoint, analysis, scratch);
    KaplanMeier::new(scratch).ok()?.median().median
}
