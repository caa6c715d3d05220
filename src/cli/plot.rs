//! `trialsim plot`: redraws a run folder's charts from its CSV tables (a sweep folder: every
//! point's).

use super::say_wrote;
use anyhow::Result;
use std::path::{Path, PathBuf};
use trialsim::report::charts::single_arm::{is_single_arm_run, render_single_arm, SingleArmChartTables};
use trialsim::report::charts::{render_dose_finding, DoseFindingTables};
use trialsim::report::folder::{copy_folder, write_staged};
use trialsim::report::is_sweep_folder;
use trialsim::report::manifest::{verify_tables, write_manifest, Manifest};

/// The examples under `trialsim plot --help`.
pub const EXAMPLES: &str = "Examples:\n  trialsim plot output/qls4131_escalation\n  trialsim plot output/qls4131_sweep";

/// The arguments of `trialsim plot`.
#[derive(clap::Args)]
pub struct Args {
    /// A folder written by `trialsim run` (a scenario's or a sweep's).
    dir: PathBuf,
}

/// The point folders of a sweep folder (`point-*` holding a manifest), in order.
fn sweep_points(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut points: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_dir()
                && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("point-"))
                && p.join("manifest.json").is_file()
        })
        .collect();
    points.sort();
    Ok(points)
}

/// Checks the run's tables against its manifest, then redraws the charts of a dose-finding or
/// single-arm run, or of every point of a sweep (into a copy of the folder swapped in whole), and
/// lists them.
pub fn execute(args: Args) -> Result<()> {
    let dir = &args.dir;
    if !dir.is_dir() {
        anyhow::bail!("{}: not a run folder (no such folder)", dir.display());
    }
    let info = verify_tables(dir)?.info;
    let io_error = |path: &Path, e: std::io::Error| anyhow::anyhow!("cannot write {}: {e}", path.display());
    let written = write_staged(dir, info, io_error, |staging| {
        copy_folder(dir, staging).map_err(|e| io_error(staging, e))?;
        if is_sweep_folder(staging) {
            let mut written = Vec::new();
            for point in sweep_points(staging).map_err(|e| io_error(staging, e))? {
                let point_info = Manifest::read(&point)?.info;
                written.extend(render_dose_finding(&DoseFindingTables::read(&point)?, &point)?);
                write_manifest(&point, point_info).map_err(|e| io_error(&point, e))?;
            }
            Ok(written)
        } else if is_single_arm_run(staging) {
            Ok(render_single_arm(&SingleArmChartTables::read(staging)?, staging)?)
        } else {
            Ok(render_dose_finding(&DoseFindingTables::read(staging)?, staging)?)
        }
    })?;
    say_wrote(&written);
    Ok(())
}
