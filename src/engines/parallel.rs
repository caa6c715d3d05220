//! The parallel runner shared by every engine: a range of trials in fixed blocks, pulled by worker
//! threads from a shared counter. Each worker keeps its own state (accumulators, caches, buffers)
//! and returns it; callers merge the states with an order-free operation (integer addition), so
//! results do not depend on the thread count or on which thread ran which block.

use super::SimulationError;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

/// Runs `trial(&mut state, t)` for every t in `trials` (any range: a shard of a run computes its
/// own slice with the same per-trial streams), in blocks of `block` trials, on
/// `threads` threads, each with its own `init()` state; returns the workers' states. Calls
/// `progress` with the number of trials finished after each block; stops at the next block with
/// [`SimulationError::Interrupted`] when cancellation is requested.
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
            let size = range.end - range.start;
            for t in range {
                trial(&mut state, t);
            }
            progress(done.fetch_add(size, Ordering::Relaxed) + size);
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
