//! trialsim: operating characteristics of early-phase clinical trial designs, by Monte Carlo
//! simulation with common random numbers.
//!
//! - [`core`]: doses, outcomes, trial data, decisions and shared statistics.
//! - [`scenario`]: scenario files, parsed and validated.
//! - [`designs`]: the [`designs::Design`] interface, the designs and their registry.
//! - [`engines`]: the simulation engines (random streams, trial loops, parallel runner,
//!   accumulators) and exact enumeration.
//! - [`results`]: OC tables and the typed rows of every CSV file (written and read back).
//! - [`report`]: CSV tables, charts and the Markdown index of a run, written atomically.
//! - [`planning`]: design tables a protocol prints (boundaries, Simon, survival sample size);
//!   [`conduct`]: the next dose of a live trial.
//! - [`run`]: a scenario run by its engine and written, and, written once over every engine,
//!   sweeps over a grid of settings ([`run::sweep`]), runs split over machines and merged
//!   ([`run::shard`]) and `bench`.

#![warn(missing_docs)]

pub mod conduct;
pub mod core;
pub mod designs;
pub mod engines;
pub mod planning;
pub mod report;
pub mod results;
pub mod run;
pub mod scenario;
