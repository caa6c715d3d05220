//! trialsim: operating characteristics of early-phase clinical trial designs, by Monte Carlo
//! simulation with common random numbers.
//!
//! - [`scenario`]: scenario files, parsed and validated.
//! - [`dose_finding`]: the [`dose_finding::Design`] interface and the designs (3+3, BOIN, CRM).
//! - [`sim`]: the engine (seeding, trial loop, parallel runner, accumulators) and OC tables.
//! - [`report`]: CSV tables and the Markdown index of a run, written atomically.
//! - [`sweep`]: scenarios run over a grid of settings; [`shard`]: a run split over machines and merged.

pub mod conduct;
pub mod dose_finding;
pub mod planning;
pub mod report;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod sim;
pub mod single_arm;
pub mod stats;
pub mod sweep;
