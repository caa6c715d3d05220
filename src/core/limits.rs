//! Limits every layer shares: the largest trial a scenario may describe, which the engines size
//! their fixed arrays by.

/// Largest sample size a scenario may ask for (per-dose counts are 16-bit).
pub const MAX_PATIENTS_LIMIT: u32 = 10_000;
/// Largest number of dose levels.
pub const MAX_DOSES: usize = 100;
/// Default cap on the number of distinct states before exact enumeration gives up (a scenario's
/// `max_exact_states`).
pub const DEFAULT_MAX_STATES: usize = 5_000_000;
/// Largest scenario file read (bytes): the largest bundled one is a few KiB.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;
/// Shortest time span a `[timing]` table may give (months, about 44 minutes): arrivals closer
/// than the clock's resolution over a trial would never move calendar time forward.
pub const MIN_MONTHS: f64 = 1e-3;
/// Longest time span a `[timing]` table may give (months: 100 years); beyond it a trial's clock
/// loses its resolution.
pub const MAX_MONTHS: f64 = 1200.0;
/// Largest maximum sample size a Simon search visits: it visits about nmax⁴/8 designs, about 10 s
/// at 400 (`clinfun` allows 1000, minutes here).
pub const MAX_SIMON_NMAX: u32 = 400;
