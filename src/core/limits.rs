//! Limits every layer shares: the largest trial a scenario may describe, which the engines size
//! their fixed arrays by.

/// Largest sample size a scenario may ask for (per-dose counts are 16-bit).
pub const MAX_PATIENTS_LIMIT: u32 = 10_000;
/// Largest number of dose levels.
pub const MAX_DOSES: usize = 100;
/// Default cap on the number of distinct states before exact enumeration gives up (a scenario's
/// `max_exact_states`).
pub const DEFAULT_MAX_STATES: usize = 5_000_000;
