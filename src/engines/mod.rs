//! The engines: Monte Carlo simulation of dose-finding trials ([`dose_finding`]), of dose-finding
//! trials in calendar time (`calendar`) and of single-arm phase 2 trials ([`single_arm`]), and
//! exact enumeration ([`exact`]). They know nothing of any specific design: they see only the
//! design interfaces.
//!
//! Every Monte Carlo engine is a [`Simulation`] run by one driver, [`simulate`]: the trials of a
//! range go in fixed blocks to worker threads (`parallel`), each worker runs trial after trial
//! into its own integer [`Accumulator`]s, and the workers' counts are merged by addition. Trial t
//! draws only from the random stream of (seed, t) (the layout is in [`rng`]), so the counts do not
//! depend on the number of threads, on the blocks, or on how a run is split into shards: the
//! counts of contiguous ranges of trials add up to those of the whole run.

pub(crate) mod cache;
pub(crate) mod calendar;
pub mod cancel;
pub mod dose_finding;
#[cfg(test)]
mod efficacy_tests;
pub mod exact;
pub mod outcomes;
mod parallel;
mod probabilities;
pub mod randomized;
pub mod rng;
pub mod single_arm;

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::ops::Range;

/// Integer counts of simulated trials of one design under one truth: a trial is added as it
/// finishes, and two accumulators merge exactly (integer addition), so the order in which trials
/// and threads are counted never matters. They are written to and read from shard files as they
/// are (serde), so a field added to one travels through shards with no further work.
pub trait Accumulator: Clone + Send + Serialize + DeserializeOwned {
    /// What a finished trial hands to the accumulator.
    type Trial<'t>;

    /// Counts one finished trial.
    fn add(&mut self, trial: Self::Trial<'_>);

    /// Adds `other`'s counts; an error when the two do not count the same thing (a different
    /// number of doses or a different maximum sample size; `self` unchanged) or when a sum would
    /// not fit its integer (`self` left partly merged).
    fn merge(&mut self, other: &Self) -> Result<(), MergeError>;

    /// The number of trials counted.
    fn trials(&self) -> u64;

    /// Checks that the counts could come from [`Accumulator::trials`] trials (e.g. every trial
    /// stops once, no count above its bound); the invariant violated otherwise.
    fn check(&self) -> Result<(), String>;
}

/// Everything a [`Simulation`] counts in a run or a slice of one: its accumulators (one per design
/// and truth, and any others), merged and serialised together.
pub trait RunCounts: Clone + Send + Serialize + DeserializeOwned {
    /// Adds `other`'s counts, accumulator by accumulator; an error, with `self` left partly merged,
    /// when they are not counts of the same designs and truths.
    fn merge(&mut self, other: &Self) -> Result<(), MergeError>;

    /// The number of trials each accumulator has counted (all equal in a consistent run).
    fn trials(&self) -> Vec<u64>;

    /// Checks every accumulator ([`Accumulator::check`]); the violated invariant, naming the
    /// accumulator, otherwise.
    fn check(&self) -> Result<(), String>;
}

/// Counts indexed `[design][truth]`.
impl<A: Accumulator> RunCounts for Vec<Vec<A>> {
    fn merge(&mut self, other: &Self) -> Result<(), MergeError> {
        if self.len() != other.len() || self.iter().zip(other).any(|(a, b)| a.len() != b.len()) {
            return Err(MergeError("the counts are not of the same designs and truths"));
        }
        for (a, b) in self.iter_mut().flatten().zip(other.iter().flatten()) {
            a.merge(b)?;
        }
        Ok(())
    }

    fn trials(&self) -> Vec<u64> {
        self.iter().flatten().map(Accumulator::trials).collect()
    }

    fn check(&self) -> Result<(), String> {
        for (d, row) in self.iter().enumerate() {
            for (t, a) in row.iter().enumerate() {
                a.check()
                    .map_err(|e| format!("design {}, truth {}: {e}", d + 1, t + 1))?;
            }
        }
        Ok(())
    }
}

/// An integer count that adds without wrapping.
pub(crate) trait Count: Copy {
    /// `self + other`, or `None` if it does not fit.
    fn plus(self, other: Self) -> Option<Self>;
}

impl Count for u64 {
    fn plus(self, other: u64) -> Option<u64> {
        self.checked_add(other)
    }
}

impl Count for u128 {
    fn plus(self, other: u128) -> Option<u128> {
        self.checked_add(other)
    }
}

/// The error of a sum that does not fit its integer (only a damaged count can cause one).
const OVERFLOW: MergeError = MergeError("a count is too large to add (a damaged count)");

/// Adds `b` to `a`; an error instead of wrapping.
pub(crate) fn add<T: Count>(a: &mut T, b: T) -> Result<(), MergeError> {
    *a = a.plus(b).ok_or(OVERFLOW)?;
    Ok(())
}

/// Adds counts element by element; an error instead of wrapping.
fn add_counts(a: &mut [u64], b: &[u64]) -> Result<(), MergeError> {
    a.iter_mut().zip(b).try_for_each(|(x, &y)| add(x, y))
}

/// The sum of `counts`, exact.
pub(crate) fn total(counts: &[u64]) -> u128 {
    counts.iter().map(|&c| u128::from(c)).sum()
}

/// Why two sets of counts cannot be merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub &'static str);

/// A Monte Carlo engine: what one worker thread keeps, how it runs trial t, and the counts it
/// hands back. [`simulate`] drives it.
pub trait Simulation: Sync {
    /// What the run counts.
    type Counts: RunCounts;
    /// One worker thread's state: its counts so far, caches and buffers.
    type Worker<'s>: Send
    where
        Self: 's;
    /// Trials per block handed to a worker (results never depend on it).
    const BLOCK: u64;

    /// A new worker, with empty counts.
    fn worker(&self) -> Self::Worker<'_>;

    /// Runs trial `trial` (every design under every truth) into the worker's counts.
    fn run<'s>(&'s self, worker: &mut Self::Worker<'s>, trial: u64);

    /// The worker's counts, with anything it still holds back added.
    fn finish<'s>(&'s self, worker: Self::Worker<'s>) -> Self::Counts;
}

/// Why a simulation did not finish.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// The request cannot be simulated (e.g. exact enumeration in calendar time).
    #[error("{0}")]
    Unsupported(String),
    /// Cancellation was requested ([`cancel`]).
    #[error("interrupted before the simulation finished")]
    Interrupted,
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        /// The number of threads asked for.
        threads: usize,
        /// Why the pool failed.
        source: rayon::ThreadPoolBuildError,
    },
}

/// Runs the trials in `trials` of `simulation` on `threads` threads and returns their counts.
/// `progress` is called with the number of trials finished so far; a cancellation request stops
/// the run before the next trial with [`SimulationError::Interrupted`].
///
/// Trial t always uses the stream of (seed, t), and counts are integers merged by addition, so the
/// result is the same for any number of threads, and the counts of contiguous ranges (shards of a
/// run) add up to those of the whole range.
pub fn simulate<S: Simulation>(
    simulation: &S,
    trials: Range<u64>,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<S::Counts, SimulationError> {
    let workers = parallel::run_blocks(
        trials,
        S::BLOCK,
        threads,
        || simulation.worker(),
        |worker, trial| simulation.run(worker, trial),
        progress,
    )?;
    let mut counts = workers.into_iter().map(|worker| simulation.finish(worker));
    let mut total = counts.next().expect("a thread pool has a thread");
    for other in counts {
        total
            .merge(&other)
            .expect("every worker counts the same designs and truths");
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Counts trials and adds up their indices.
    #[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    struct Tally {
        trials: u64,
        sum: u64,
    }

    impl Accumulator for Tally {
        type Trial<'t> = u64;

        fn add(&mut self, trial: u64) {
            self.trials += 1;
            self.sum += trial;
        }

        fn merge(&mut self, other: &Tally) -> Result<(), MergeError> {
            self.trials += other.trials;
            self.sum += other.sum;
            Ok(())
        }

        fn trials(&self) -> u64 {
            self.trials
        }

        fn check(&self) -> Result<(), String> {
            Ok(())
        }
    }

    /// One design under one truth whose trial t is the number t.
    struct Indices;

    impl Simulation for Indices {
        type Counts = Vec<Vec<Tally>>;
        type Worker<'s> = Tally;
        const BLOCK: u64 = 7;

        fn worker(&self) -> Tally {
            Tally::default()
        }

        fn run(&self, worker: &mut Tally, trial: u64) {
            worker.add(trial);
        }

        fn finish(&self, worker: Tally) -> Vec<Vec<Tally>> {
            vec![vec![worker]]
        }
    }

    /// Every trial of the range is run once, whatever the threads and however the range falls on
    /// the blocks, and progress reaches the range's size.
    #[test]
    fn the_driver_runs_every_trial_once() {
        for threads in [1, 2, 3] {
            for trials in [0..0, 0..1, 0..7, 3..10, 5..100] {
                let done = AtomicU64::new(0);
                let progress = |n: u64| {
                    done.fetch_max(n, Ordering::Relaxed);
                };
                let counts = simulate(&Indices, trials.clone(), threads, &progress).unwrap();
                let expected = Tally {
                    trials: trials.end - trials.start,
                    sum: trials.clone().sum(),
                };
                assert_eq!(counts, vec![vec![expected]], "{trials:?} on {threads} threads");
                assert_eq!(done.load(Ordering::Relaxed), trials.end - trials.start);
            }
        }
    }

    #[test]
    fn grids_of_other_shapes_do_not_merge() {
        let mut one = vec![vec![Tally::default()]];
        assert!(one.merge(&vec![vec![Tally::default(); 2]]).is_err());
        assert!(one.merge(&vec![]).is_err());
        one.merge(&vec![vec![Tally { trials: 2, sum: 3 }]]).unwrap();
        assert_eq!(one.trials(), [2]);
    }
}
