//! `trialsim bench`: each design of a scenario timed alone, under each truth alone, by its engine.

use super::{with_engine, Engine, EngineTask, RunError};
use crate::scenario::AnyScenario;
use std::time::Instant;

/// One design's measured throughput, under one truth or over every truth.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchResult {
    /// The design's name.
    pub design: String,
    /// The truth's name; `None` for the design over every truth (one run).
    pub truth: Option<String>,
    /// Worker threads.
    pub threads: usize,
    /// Seconds the simulation took.
    pub seconds: f64,
    /// Simulated trials per second.
    pub trials_per_second: f64,
}

/// `scenario` with only design `k`, and only truth `j` when given.
fn alone(scenario: &AnyScenario, k: usize, j: Option<usize>) -> AnyScenario {
    match scenario {
        AnyScenario::DoseFinding(s) => {
            let mut one = s.clone();
            one.designs = vec![s.designs[k].clone()];
            if let Some(j) = j {
                one.truths = vec![s.truths[j].clone()];
            }
            AnyScenario::DoseFinding(one)
        }
        AnyScenario::SingleArm(s) => {
            let mut one = s.clone();
            one.designs = vec![s.designs[k].clone()];
            if let Some(j) = j {
                one.truths = vec![s.truths[j].clone()];
            }
            AnyScenario::SingleArm(one)
        }
    }
}

/// Times each design of `scenario` alone, `trials` trials per truth, on each thread count in
/// `threads` (what `trialsim bench FILE` prints): the simulation and the table made from its
/// counts, which are then discarded (nothing is written; rows are always simulated). Each design
/// is timed over every truth in one run (as `run` simulates it: decisions cached by state are
/// shared by its truths), then under each truth alone.
pub fn bench(scenario: &AnyScenario, trials: u64, threads: &[usize]) -> Result<Vec<BenchResult>, RunError> {
    timed(scenario, trials, threads, true)
}

/// Trials per design × truth of the timing sample `run` prints: 1% of the run's trials, at least
/// 200 and at most 2,000, but never more than a tenth of the run's (at least one).
pub fn sample_trials(trials: u64) -> u64 {
    (trials / 100).clamp(200, 2_000).min(trials / 10).max(1)
}

/// Each design × truth of `scenario` timed alone on `trials` trials on `threads` threads (the
/// trials/s column of `run`'s summary): only [`bench`]'s rows per truth.
pub fn throughput(scenario: &AnyScenario, trials: u64, threads: usize) -> Result<Vec<BenchResult>, RunError> {
    timed(scenario, trials, &[threads], false)
}

/// [`bench`]'s rows, without the rows over every truth unless `every_truth`.
fn timed(
    scenario: &AnyScenario,
    trials: u64,
    threads: &[usize],
    every_truth: bool,
) -> Result<Vec<BenchResult>, RunError> {
    let (designs, truths, seed): (Vec<String>, Vec<String>, u64) = match scenario {
        AnyScenario::DoseFinding(s) => (
            s.designs.iter().map(|d| d.name.clone()).collect(),
            s.truths.iter().map(|t| t.name.clone()).collect(),
            s.simulation.seed,
        ),
        AnyScenario::SingleArm(s) => (
            s.designs.iter().map(|d| d.name.clone()).collect(),
            s.truths.iter().map(|t| t.name().to_string()).collect(),
            s.simulation.seed,
        ),
    };
    let mut results = Vec::new();
    for (k, design) in designs.iter().enumerate() {
        for &threads in threads {
            let time = |j: Option<usize>| with_engine(&alone(scenario, k, j), Time { trials, seed, threads });
            if every_truth {
                let seconds = time(None)?;
                results.push(BenchResult {
                    design: design.clone(),
                    truth: None,
                    threads,
                    seconds,
                    trials_per_second: (trials * truths.len() as u64) as f64 / seconds.max(1e-9),
                });
            }
            for (j, truth) in truths.iter().enumerate() {
                let seconds = time(Some(j))?;
                results.push(BenchResult {
                    design: design.clone(),
                    truth: Some(truth.clone()),
                    threads,
                    seconds,
                    trials_per_second: trials as f64 / seconds.max(1e-9),
                });
            }
        }
    }
    Ok(results)
}

/// Times a run of `trials` trials seeded with `seed` on `threads` threads (its table discarded).
struct Time {
    trials: u64,
    seed: u64,
    threads: usize,
}

impl<T> EngineTask<T, Result<f64, RunError>> for Time {
    fn with<E: Engine<Table = T>>(self, engine: &E) -> Result<f64, RunError> {
        let started = Instant::now();
        engine.run(self.trials, self.seed, self.threads, &|_| {})?;
        Ok(started.elapsed().as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// One row per design over every truth, then one per truth, in the scenario's order.
    #[test]
    fn a_row_per_design_then_per_truth() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/qls4131_escalation.toml");
        let AnyScenario::DoseFinding(mut scenario) = AnyScenario::load(&path).expect("bundled") else {
            panic!("a dose-finding scenario")
        };
        scenario.designs.truncate(2);
        let rows = bench(&AnyScenario::DoseFinding(scenario.clone()), 20, &[1]).expect("runs");
        assert_eq!(rows.len(), 2 * (1 + scenario.truths.len()));
        for (k, design) in rows.chunks(1 + scenario.truths.len()).enumerate() {
            assert!(design
                .iter()
                .all(|r| r.design == scenario.designs[k].name && r.threads == 1));
            assert_eq!(design[0].truth, None);
            let truths: Vec<&str> = design[1..].iter().filter_map(|r| r.truth.as_deref()).collect();
            let expected: Vec<&str> = scenario.truths.iter().map(|t| t.name.as_str()).collect();
            assert_eq!(truths, expected);
            assert!(design.iter().all(|r| r.seconds > 0.0 && r.trials_per_second > 0.0));
        }
        let alone = throughput(&AnyScenario::DoseFinding(scenario.clone()), 20, 1).expect("runs");
        assert_eq!(alone.len(), 2 * scenario.truths.len());
        assert!(alone.iter().all(|r| r.truth.is_some() && r.trials_per_second > 0.0));
    }

    /// 1% of the trials, within [200, 2,000] and never above a tenth of the run's.
    #[test]
    fn sample_sizes() {
        let sizes: Vec<u64> = [5, 400, 4_000, 100_000, 10_000_000].map(sample_trials).to_vec();
        assert_eq!(sizes, [1, 40, 200, 1_000, 2_000]);
    }
}
