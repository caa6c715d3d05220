//! trialsim: operating characteristics of early-phase clinical trial designs, by Monte Carlo
//! simulation with common random numbers.
//!
//! - [`core`]: doses, outcomes, trial data, decisions and shared statistics.
//! - [`scenario`]: scenario files, parsed and validated.
//! - [`designs`]: the [`designs::Design`] interface, the designs and their registry.
//! - [`sim`]: the engine (seeding, trial loop, parallel runner, accumulators) and OC tables.
//! - [`report`]: CSV tables and the Markdown index of a run, written atomically.
//! - [`sweep`]: scenarios run over a grid of settings; [`shard`]: a run split over machines and merged.

pub mod core;
pub mod designs;
pub mod dose_finding;
pub mod report;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod sim;
pub mod single_arm;
pub mod sweep;

/// Shared statistics (moved to [`core::stats`]; this path is kept for code not yet moved).
pub use crate::core::stats;
