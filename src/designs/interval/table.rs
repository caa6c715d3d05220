//! The interval designs' decision table: escalate, de-escalate and eliminate counts for every n,
//! fixed before the trial as the references' `get.boundary` functions print them.

use super::IntervalConfig;
use crate::core::stats::beta_uniform_posterior_exceeds;

/// The decision counts for n = 0 … max patients at a dose (index 0 unused).
#[derive(Clone, Debug, PartialEq)]
pub struct BoundaryTable {
    /// Escalate if DLTs ≤ `escalate[n]` (never if `None`).
    pub escalate: Vec<Option<u32>>,
    /// De-escalate if DLTs ≥ `deescalate[n]` (never if `None`), capped at `eliminate[n]`.
    pub deescalate: Vec<Option<u32>>,
    /// Eliminate the dose (and all higher) if DLTs ≥ `eliminate[n]`; `None` where the
    /// reference lists none.
    pub eliminate: Vec<Option<u32>>,
    /// With `extra_safe`, stop the trial if DLTs at the lowest dose ≥ `lowest_dose_stop[n]`
    /// (posterior cutoff `cutoff_eliminate − offset`; BOIN's `stop_boundary`).
    pub lowest_dose_stop: Vec<Option<u32>>,
}

impl BoundaryTable {
    /// The table for n = 0 … `max_n`, as the references' `get.boundary` functions.
    pub fn new(config: &IntervalConfig, max_n: u32) -> BoundaryTable {
        let from = config.rule.family.elimination_listed_from;
        let eliminate = posterior_boundary(config.target, config.cutoff_eliminate, max_n, from);
        let lowest_dose_stop = posterior_boundary(config.target, config.cutoff_eliminate - config.offset, max_n, 3);
        let (mut escalate, mut deescalate) = (vec![None], vec![None]);
        for n in 1..=max_n {
            let counts = config.rule.counts(config.target, n);
            let cap = eliminate[n as usize];
            escalate.push(counts.escalate);
            deescalate.push(match (counts.deescalate, cap) {
                (Some(d), Some(e)) => Some(d.min(e)),
                (d, e) => d.or(e),
            });
        }
        BoundaryTable {
            escalate,
            deescalate,
            eliminate,
            lowest_dose_stop,
        }
    }
}

/// For n = 0 … `max_n`: the fewest DLTs y with P(p > target | y of n, Beta(1, 1)) > `cutoff`,
/// for n ≥ `from` (`None` below it or when no count qualifies). The count never decreases with n,
/// so each search starts from the previous one.
fn posterior_boundary(target: f64, cutoff: f64, max_n: u32, from: u32) -> Vec<Option<u32>> {
    let mut boundary = vec![None; max_n as usize + 1];
    let mut start = 1;
    for n in from..=max_n {
        let found = (start..=n).find(|&y| beta_uniform_posterior_exceeds(target, n, y) > cutoff);
        if let Some(y) = found {
            start = y;
        }
        boundary[n as usize] = found;
    }
    boundary
}
