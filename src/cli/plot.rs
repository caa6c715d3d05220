//! `trialsim plot`: redraws a run folder's charts from its CSV tables.

use super::say_wrote;
use anyhow::Result;
use std::path::PathBuf;
use trialsim::report::charts::single_arm::{is_single_arm_run, render_single_arm, SingleArmChartTables};
use trialsim::report::charts::{render_dose_finding, DoseFindingTables};

/// The examples under `trialsim plot --help`.
pub const EXAMPLES: &str = "Examples:\n  trialsim plot output/qls4131_escalation";

/// The arguments of `trialsim plot`.
#[derive(clap::Args)]
pub struct Args {
    /// A folder written by `trialsim run`.
    dir: PathBuf,
}

/// Redraws the charts of a dose-finding or single-arm run and lists them.
pub fn execute(args: Args) -> Result<()> {
    let dir = &args.dir;
    let written = if is_single_arm_run(dir) {
        render_single_arm(&SingleArmChartTables::read(dir)?, dir)?
    } else {
        render_dose_finding(&DoseFindingTables::read(dir)?, dir)?
    };
    say_wrote(&written);
    Ok(())
}
