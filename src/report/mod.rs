//! Reports of a run: tidy CSV tables, charts, a Markdown index, `report.html` ([`html`]), `results.json` ([`json`]) and a manifest, each file written
//! atomically and each output folder as a whole ([`folder`]). Reports
//! only format and draw: they read the run's results ([`crate::results`]), never compute an
//! operating characteristic, and charts read only the tables written.

mod atomic;
pub mod charts;
pub mod colours;
pub mod compare;
pub(crate) mod csv;
pub mod folder;
pub mod html;
pub(crate) mod index;
pub mod json;
pub mod manifest;
pub mod single_arm;
pub(crate) mod sweep;

pub use atomic::write_atomic;
pub use sweep::is_sweep_folder;
