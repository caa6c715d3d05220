//! `trialsim plot`: redraws a run folder's charts from its CSV tables.

use super::say_wrote;
use anyhow::Result;
use std::path::PathBuf;
use trialsim::report::charts::single_arm::{is_single_arm_run, render_single_arm, SingleArmChartTables};
use trialsim::report::charts::{render_dose_finding, DoseFindingTables};
use trialsim::report::folder::{copy_folder, write_staged};
use trialsim::report::manifest::verify_tables;

/// The examples under `trialsim plot --help`.
pub const EXAMPLES: &str = "Examples:\n  trialsim plot output/qls4131_escalation";

/// The arguments of `trialsim plot`.
#[derive(clap::Args)]
pub struct Args {
    /// A folder written by `trialsim run`.
    dir: PathBuf,
}

/// Checks the run's tables against its manifest, then redraws the charts of a dose-finding or
/// single-arm run (into a copy of the folder swapped in whole) and lists them.
pub fn execute(args: Args) -> Result<()> {
    let dir = &args.dir;
    if !dir.is_dir() {
        anyhow::bail!("{}: not a run folder (no such folder)", dir.display());
    }
    let info = verify_tables(dir)?.info;
    let io_error = |path: &std::path::Path, e: std::io::Error| anyhow::anyhow!("cannot write {}: {e}", path.display());
    let written = write_staged(dir, info, io_error, |staging| {
        copy_folder(dir, staging).map_err(|e| io_error(staging, e))?;
        Ok(if is_single_arm_run(staging) {
            render_single_arm(&SingleArmChartTables::read(staging)?, staging)?
        } else {
            render_dose_finding(&DoseFindingTables::read(staging)?, staging)?
        })
    })?;
    say_wrote(&written);
    Ok(())
}
