//! Limits every layer shares: the largest trial a scenario may describe, which the engines size
//! their fixed arrays by.

/// Largest sample size a scenario may ask for (per-dose counts are 16-bit).
pub const MAX_PATIENTS_LIMIT: u32 = 10_000;
/// Largest number of dose levels.
pub const MAX_DOSES: usize = 100;
