//! The layout of a sweep's `sweep.csv`: the point's number, the swept settings (named by their
//! scenario keys), then the columns of each point's `summary.csv`
//! ([`SummaryRow`](super::dose_finding::SummaryRow)) less any a swept setting already names.

/// The file of a sweep's rows.
pub const SWEEP_FILE: &str = "sweep.csv";

/// The first column of `sweep.csv`: the 1-based point.
pub const POINT_COLUMN: &str = "point";
