//! The engines' former home, kept as re-exports while code outside [`crate::engines`] moves to
//! the new paths, and the OC tables ([`oc`]).

pub mod oc;

pub use crate::engines::calendar as timed;
pub use crate::engines::calendar::protocol;
pub use crate::engines::dose_finding as engine;
pub use crate::engines::{cache, cancel, exact, parallel, rng};

pub use crate::engines::{simulate, SimulationError};
pub use engine::Truth;
pub use exact::{exact_oc, ExactOc, TooManyStates};
pub use oc::{Method, OcCounts, OcProbabilities, OcRow, OcTable};
