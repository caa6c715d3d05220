//! Planning calculations a protocol quotes that need no simulation: an interval design's decision
//! table (`boundaries`), the designs of a Simon two-stage search (`simon`) and the sample size
//! of a single-arm survival trial (`survival`). They are what `trialsim boundaries`, `simon`
//! and `survival-size` print, usable from Rust without the command line.

mod boundaries;
mod simon;
mod survival;

pub use boundaries::{count_text, BoundaryError, BoundaryRow, BoundarySettings, DecisionTable};
pub use simon::{SimonKind, SimonTable};
pub use survival::{Alternative, SurvivalSize, SurvivalSizeError};
