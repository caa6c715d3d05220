//! The Monte Carlo loop: each trial's patients go through every design under every truth, on
//! per-thread decision graphs ([`DecisionGraph`]) that turn a cohort into one array index once its
//! state has been visited, run in parallel by [`run_blocks`].

use super::cache::{DecisionGraph, SharedDecisions};
use super::parallel::run_blocks;
use super::rng::{dlt_threshold, PatientStream};
use crate::dose_finding::DoseFinder;
use crate::sim::oc::OcCounts;

/// A true dose-toxicity curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    pub name: String,
    /// True DLT probability per dose, lowest dose first.
    pub dlt: Vec<f64>,
    /// When DLTs occur within the window, if this truth overrides `[timing]`'s onset.
    pub onset: Option<super::calendar::Onset>,
    /// CRS-type DLTs, step-up dosing, TEAEs and response (calendar time only).
    pub profile: super::calendar::protocol::TruthProfile,
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

/// Simulates the plan; `progress` is called with the number of trials finished so far (per
/// design-and-truth sweep of a trial index). Returns counts indexed `[design][truth]`.
///
/// Trial t always uses the stream derived from (seed, t), and accumulators are integers, so the
/// result is identical for any number of threads.
pub fn simulate(plan: &SimulationPlan, progress: &(dyn Fn(u64) + Sync)) -> Result<Vec<Vec<OcCounts>>, SimulationError> {
    simulate_trials(plan, 0..plan.trials, progress)
}

/// As [`simulate`], for the trials in `trials` only (a shard of the run: trial t still uses the
/// stream of (seed, t), so the counts of contiguous ranges add up to those of the whole run).
pub fn simulate_trials(
    plan: &SimulationPlan,
    trials: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Vec<OcCounts>>, SimulationError> {
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
        let graphs: Vec<DecisionGraph> = plan
            .designs
            .iter()
            .zip(&shared)
            .map(|(d, shared)| DecisionGraph::new(d.as_ref(), d.cache_decisions().then_some(shared), plan.truths.len()))
            .collect();
        (empty(), graphs, PatientStream::with_capacity(max_patients))
    };
    let per_thread = run_blocks(
        trials,
        BLOCK,
        plan.threads,
        init,
        |(counts, graphs, patients), trial| {
            patients.start_trial(plan.seed, trial);
            for (graph, counts) in graphs.iter_mut().zip(counts.iter_mut()) {
                graph.run_truths(patients, &thresholds, counts);
            }
        },
        progress,
    )?;
    let mut total = empty();
    for (mut counts, mut graphs, _) in per_thread {
        for ((total_k, counts_k), graph) in total.iter_mut().zip(&mut counts).zip(&mut graphs) {
            graph.flush(counts_k);
            for (t, c) in total_k.iter_mut().zip(counts_k.iter()) {
                t.merge(c);
            }
        }
    }
    Ok(total)
}
