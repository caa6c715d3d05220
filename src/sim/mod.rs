//! The simulation engine: per-trial random streams, the trial loop, the parallel runner and the
//! integer accumulators. It knows nothing of any specific design: it sees only [`DoseFinder`].
//!
//! [`DoseFinder`]: crate::dose_finding::DoseFinder

pub mod cache;
pub mod cancel;
pub mod engine;
pub mod exact;
pub mod oc;
pub mod parallel;
pub mod protocol;
pub mod rng;
pub mod timed;

pub use engine::{simulate, SimulationError, SimulationPlan, Truth};
pub use exact::{exact_oc, ExactOc, TooManyStates};
pub use oc::{Method, OcCounts, OcProbabilities, OcRow, OcTable};
