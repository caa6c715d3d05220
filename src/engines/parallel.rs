//! The parallel runner shared by every engine: a range of trials in fixed blocks, pulled by worker
//! threads from a shared counter. Each worker keeps its own state (accumulators, caches, buffers)
//! and returns it; callers merge the states with an order-free operation (integer addition), so
//! results do not depend on the thread count or on which thread ran which block.

use super::SimulationError;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

/// Trials between progress reports within a block: frequent enough for designs whose trials take
/// a second, rare enough to cost nothing measurable where a trial takes 100 ns.
pub const PROGRESS_STEP: u64 = 16;

/// Runs `trial(&mut state, t)` for every t in `trials` (any range: a shard of a run computes its
/// own slice with the same per-trial streams), in blocks of `block` trials, on
/// `threads` threads, each with its own `init()` state; returns the workers' states. Calls
/// `progress` with the number of trials finished every [`PROGRESS_STEP`] trials and at the end of
/// each block; stops before the next trial with [`SimulationError::Interrupted`] when cancellation
/// is requested (a costly design's trial can take a second: a block could take minutes).
pub fn run_blocks<S: Send>(
    trials: Range<u64>,
    block: u64,
    threads: usize,
    init: impl Fn() -> S + Sync,
    trial: impl Fn(&mut S, u64) + Sync,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<S>, SimulationError> {
    let (first, end) = (trials.start, trials.end.max(trials.start));
    let blocks = (end - first).div_ceil(block);
    let (next_block, done) = (AtomicU64::new(0), AtomicU64::new(0));
    let worker = || {
        let mut state = init();
        loop {
            let b = next_block.fetch_add(1, Ordering::Relaxed);
            if b >= blocks || super::cancel::requested() {
                break;
            }
            let range = first + b * block..(first + (b + 1) * block).min(end);
            let mut unreported = 0;
            for t in range {
                if super::cancel::requested() {
                    break;
                }
                trial(&mut state, t);
                unreported += 1;
                if unreported == PROGRESS_STEP {
                    progress(done.fetch_add(unreported, Ordering::Relaxed) + unreported);
                    unreported = 0;
                }
            }
            if unreported > 0 {
                progress(done.fetch_add(unreported, Ordering::Relaxed) + unreported);
            }
        }
        state
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|source| SimulationError::ThreadPool { threads, source })?;
    let states = pool.broadcast(|_| worker());
    if super::cancel::requested() {
        return Err(SimulationError::Interrupted);
    }
    Ok(states)
}
