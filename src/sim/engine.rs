//! The trial loop and the parallel runner.

use super::cache::{DecisionCache, SharedDecisions};
use super::oc::OcCounts;
use super::parallel::run_blocks;
use super::rng::{dlt_threshold, PatientStream};
use crate::dose_finding::{Decision, DoseFinder, TrialData};

/// A true dose-toxicity curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    pub name: String,
    /// True DLT probability per dose, lowest dose first.
    pub dlt: Vec<f64>,
    /// When DLTs occur within the window, if this truth overrides `[timing]`'s onset.
    pub onset: Option<super::timed::Onset>,
}

/// What to simulate: every design under every truth, `trials` times each, with common random
/// numbers.
pub struct SimulationPlan<'a> {
    pub designs: &'a [Box<dyn DoseFinder>],
    pub truths: &'a [Truth],
    pub trials: u64,
    pub seed: u64,
    pub threads: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    #[error("{0}")]
    Unsupported(String),
    #[error("interrupted before the simulation finished")]
    Interrupted,
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        threads: usize,
        source: rayon::ThreadPoolBuildError,
    },
}

/// Trials per unit of work handed to a thread; results do not depend on it.
const BLOCK: u64 = 256;

/// Runs one trial of `finder` under the truth given by `thresholds` (see [`dlt_threshold`]) on the
/// patients of `patients`, leaving the outcomes in `data`.
fn run_trial(
    finder: &dyn DoseFinder,
    thresholds: &[u64],
    patients: &mut PatientStream,
    data: &mut TrialData,
    mut cache: Option<&mut DecisionCache<'_>>,
) -> Decision {
    let limits = finder.limits();
    data.clear();
    let mut dose = limits.start_dose;
    loop {
        let first = data.total_patients() as usize;
        let size = finder.next_cohort_size(data) as usize;
        let dlts = patients.dlts(first, size, thresholds[dose.index()]);
        data.add_cohort(dose, size as u16, dlts);
        let decision = match cache.as_deref_mut() {
            Some(cache) => cache.decide(finder, data),
            None => finder.decide(data),
        };
        match decision {
            Decision::Treat(next) => dose = next,
            stop => return stop,
        }
    }
}

/// Simulates the plan; `progress` is called with the number of trials finished so far (per
/// design-and-truth sweep of a trial index). Returns counts indexed `[design][truth]`.
///
/// Trial t always uses the stream derived from (seed, t), and accumulators are integers, so the
/// result is identical for any number of threads.
pub fn simulate(plan: &SimulationPlan, progress: &(dyn Fn(u64) + Sync)) -> Result<Vec<Vec<OcCounts>>, SimulationError> {
    let num_doses = plan.truths.first().map_or(0, |t| t.dlt.len());
    let thresholds: Vec<Vec<u64>> = plan
        .truths
        .iter()
        .map(|t| t.dlt.iter().map(|&p| dlt_threshold(p)).collect())
        .collect();
    let max_patients = plan.designs.iter().map(|d| d.limits().max_patients).max().unwrap_or(0) as usize;
    let empty = || -> Vec<Vec<OcCounts>> {
        plan.designs
            .iter()
            .map(|d| {
                plan.truths
                    .iter()
                    .map(|_| OcCounts::new(num_doses, d.limits().max_patients))
                    .collect()
            })
            .collect()
    };
    let shared: Vec<SharedDecisions> = plan.designs.iter().map(|_| SharedDecisions::default()).collect();
    let init = || {
        let caches: Vec<Option<DecisionCache>> = plan
            .designs
            .iter()
            .zip(&shared)
            .map(|(d, shared)| d.cache_decisions().then(|| shared.cache()))
            .collect();
        (
            empty(),
            caches,
            PatientStream::with_capacity(max_patients),
            TrialData::new(num_doses),
        )
    };
    let per_thread = run_blocks(
        plan.trials,
        BLOCK,
        plan.threads,
        init,
        |(counts, caches, patients, data), trial| {
            patients.start_trial(plan.seed, trial);
            for (k, finder) in plan.designs.iter().enumerate() {
                for (j, truth) in thresholds.iter().enumerate() {
                    let decision = run_trial(finder.as_ref(), truth, patients, data, caches[k].as_mut());
                    counts[k][j].record(data, decision);
                }
            }
        },
        progress,
    )?;
    let mut total = empty();
    for (counts, ..) in per_thread {
        for (total_k, counts_k) in total.iter_mut().zip(counts) {
            for (t, c) in total_k.iter_mut().zip(counts_k) {
                t.merge(&c);
            }
        }
    }
    Ok(total)
}
