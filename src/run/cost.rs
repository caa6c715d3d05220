//! A run's cost, estimated before any work (issue 17): refused past [`MAX_RUN_WORK`], announced
//! with progress when long.

use super::RunError;
use crate::core::limits::{MAX_RUN_WORK, WORK_PER_SECOND};
use crate::scenario::Scenario;

/// A run's cost, estimated before any work: weighted patient decisions and seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimate {
    /// Weighted patient decisions: trials × truths × Σ over designs of (max_patients /
    /// cohort_size) × the design's cost factor (see [`estimate`]).
    pub work: f64,
    /// Seconds the work takes on the run's threads, roughly.
    pub seconds: f64,
}

/// What one decision of a design costs relative to a rule-based design's: CRM integrates its
/// posterior on a 1,024-point grid, BLRM on a 161 × 161 grid and EffTox by importance sampling
/// over 2,560 points of its six parameters, each over every dose. Decisions
/// cached per trial state make small trials much cheaper, which the estimate ignores: it errs
/// high.
fn decision_cost(rule: &str, doses: usize) -> f64 {
    match rule {
        "efftox" => 2000.0 * doses as f64,
        "blrm" => 500.0 * doses as f64,
        "crm" | "tite-crm" => 20.0 * doses as f64,
        _ => 1.0,
    }
}

/// The estimated cost of simulating `trials` trials of every design under every truth of
/// `scenario` on `threads` threads (exact rows are bounded by `max_exact_states` instead).
pub fn estimate(scenario: &Scenario, trials: u64, threads: usize) -> Estimate {
    let limits = &scenario.trial.limits;
    let decisions = f64::from(limits.max_patients) / f64::from(limits.cohort_size.max(1));
    let per_trial: f64 = scenario
        .designs
        .iter()
        .map(|d| decisions * decision_cost(d.base.kind().rule(), limits.num_doses))
        .sum();
    let work = trials as f64 * scenario.truths.len() as f64 * per_trial;
    Estimate {
        work,
        seconds: work / WORK_PER_SECOND / threads.max(1) as f64,
    }
}

/// The estimate of a run of `scenario` with `options`, or [`RunError::TooLarge`] naming the
/// estimate and the settings to lower when it exceeds [`MAX_RUN_WORK`].
pub fn check_cost(scenario: &Scenario, trials: u64, threads: usize) -> Result<Estimate, RunError> {
    let e = estimate(scenario, trials, threads);
    if e.work > MAX_RUN_WORK {
        let limits = &scenario.trial.limits;
        return Err(RunError::TooLarge(format!(
            "{}: this run is estimated at {:.1e} weighted patient decisions (about {:.0} hours on {threads} \
             threads), beyond the limit of {MAX_RUN_WORK:.0e}; lower --trials ({trials}), [trial] max_patients \
             ({}) or the number of doses ({}), or drop model-based designs (BLRM, CRM), or split the run \
             with --shard",
            scenario.file.display(),
            e.work,
            e.seconds / 3600.0,
            limits.max_patients,
            limits.num_doses
        )));
    }
    Ok(e)
}
