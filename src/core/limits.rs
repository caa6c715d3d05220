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
/// Largest number of points a `[sweep]` may have: each point is a whole run written to its own
/// folder (a 200 × 200 grid would be 40,000 runs).
pub const MAX_SWEEP_POINTS: usize = 1_000;
/// Largest estimated work of one `trialsim run` of a scenario, in weighted patient decisions
/// (trials × truths × Σ over designs of decisions per trial × the design's cost factor; see
/// `run::estimate`): months on one core (a billion trials of the bundled escalation scenario stay
/// below it). Past it the run is refused, naming the estimate and the settings to lower.
pub const MAX_RUN_WORK: f64 = 1e15;
/// Weighted patient decisions one thread makes per second, roughly (a rule-based design's
/// decision is one unit): turns an estimate into seconds.
pub const WORK_PER_SECOND: f64 = 5e7;
/// Estimated seconds above which a run reports its progress (with an ETA) on standard error even
/// when that is not a terminal.
pub const PROGRESS_AFTER_SECONDS: f64 = 5.0;
/// Estimated seconds above which a run announces its estimate before starting (and reports
/// progress from the start). Higher than [`PROGRESS_AFTER_SECONDS`] because the estimate leaves
/// out the decision cache and overstates model-based designs (the bundled escalation scenario,
/// estimated at about 23 s on two threads, takes under a second): a run that is really slow still
/// reports once it has taken [`PROGRESS_AFTER_SECONDS`].
pub const ANNOUNCE_AFTER_SECONDS: f64 = 60.0;
