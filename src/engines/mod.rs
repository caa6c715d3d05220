//! The engines: Monte Carlo simulation (dose-finding, calendar time, single-arm) and exact
//! enumeration, with their random streams, parallel runner, decision caches and integer
//! accumulators. They know nothing of any specific design: they see only the design interfaces.

pub mod cache;
pub mod calendar;
pub mod cancel;
pub mod dose_finding;
pub mod exact;
pub mod parallel;
pub mod rng;
