//! Reports of a run: tidy CSV tables and a Markdown index, written atomically. Reports read only
//! the [`OcTable`](crate::sim::OcTable).

pub mod atomic;
pub mod charts;
pub mod compare;
pub mod csv;
pub mod index;
pub mod single_arm;
pub mod sweep;

pub use atomic::write_atomic;
/// The single-arm charts, at their former path.
pub use charts::single_arm as charts_single_arm;
