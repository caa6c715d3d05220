//! `trialsim bench`: each design of a scenario timed alone, by its engine.

use super::{with_engine, Engine, EngineTask, RunError};
use crate::scenario::AnyScenario;
use std::time::Instant;

/// One design's measured throughput.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchResult {
    /// The design's name.
    pub design: String,
    /// Worker threads.
    pub threads: usize,
    /// Seconds the simulation took.
    pub seconds: f64,
    /// Simulated trials (over every truth) per second.
    pub trials_per_second: f64,
}

/// Times each design of `scenario` alone, `trials` trials per truth, on each thread count in
/// `threads` (what `trialsim bench FILE` prints): the simulation and the table made from its
/// counts, which are then discarded (nothing is written; rows are always simulated).
pub fn bench(scenario: &AnyScenario, trials: u64, threads: &[usize]) -> Result<Vec<BenchResult>, RunError> {
    let (names, truths, seed): (Vec<String>, usize, u64) = match scenario {
        AnyScenario::DoseFinding(s) => (
            s.designs.iter().map(|d| d.name.clone()).collect(),
            s.truths.len(),
            s.simulation.seed,
        ),
        AnyScenario::SingleArm(s) => (
            s.designs.iter().map(|d| d.name.clone()).collect(),
            s.truths.len(),
            s.simulation.seed,
        ),
    };
    let mut results = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let alone = match scenario {
            AnyScenario::DoseFinding(s) => {
                let mut one = s.clone();
                one.designs = vec![s.designs[k].clone()];
                AnyScenario::DoseFinding(one)
            }
            AnyScenario::SingleArm(s) => {
                let mut one = s.clone();
                one.designs = vec![s.designs[k].clone()];
                AnyScenario::SingleArm(one)
            }
        };
        for &threads in threads {
            let seconds = with_engine(&alone, Time { trials, seed, threads })?;
            results.push(BenchResult {
                design: name.clone(),
                threads,
                seconds,
                trials_per_second: (trials * truths as u64) as f64 / seconds.max(1e-9),
            });
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
