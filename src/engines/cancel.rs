//! Cancellation of a run in progress (Ctrl-C, or SIGTERM and SIGHUP, which the command line
//! handles alike): a process-wide flag that every engine checks before each trial. A
//! cancelled engine returns [`SimulationError::Interrupted`] and nothing of its run is written:
//! outputs are written only after a simulation finishes, into a staging folder swapped in whole
//! ([`crate::report::folder`]), so the output folder keeps its previous run.
//!
//! [`SimulationError::Interrupted`]: super::SimulationError::Interrupted

use std::sync::atomic::{AtomicBool, Ordering};

static CANCELLED: AtomicBool = AtomicBool::new(false);

/// Asks every running engine to stop before its next trial.
pub fn request() {
    CANCELLED.store(true, Ordering::SeqCst);
}

/// Whether a stop has been requested.
pub fn requested() -> bool {
    CANCELLED.load(Ordering::Relaxed)
}
