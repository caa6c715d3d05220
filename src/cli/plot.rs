//! `trialsim plot`: redraws a run folder's charts from its CSV tables (a sweep folder: every
//! point's), and with `--scenario FILE` its `report.html` too: the report needs the scenario (its
//! designs in words, settings) and counts that the tables do not keep (e.g. the sample-size
//! distribution), so they are recomputed from the scenario with the manifest's seed and trials,
//! and the report is redrawn only if the recomputed tables equal the folder's byte for byte.

use super::{say, say_wrote};
use anyhow::Result;
use std::path::{Path, PathBuf};
use trialsim::report::charts::single_arm::{is_single_arm_run, render_single_arm, SingleArmChartTables};
use trialsim::report::charts::{render_dose_finding, DoseFindingTables};
use trialsim::report::folder::{copy_folder, write_staged};
use trialsim::report::html::REPORT;
use trialsim::report::is_sweep_folder;
use trialsim::report::manifest::RunInfo;
use trialsim::report::manifest::{verify_tables, write_manifest, Manifest};
use trialsim::run::{simulate_scenario, simulate_single_arm, write_outputs, write_single_arm_outputs, RunOptions};
use trialsim::scenario::{AnyScenario, RunFile};

/// The examples under `trialsim plot --help`.
pub const EXAMPLES: &str =
    "Examples:\n  trialsim plot output/qls4131_escalation\n  trialsim plot output/qls4131_sweep\n  \
                            trialsim plot output/qls4131_escalation --scenario scenarios/qls4131_escalation.toml";

/// The arguments of `trialsim plot`.
#[derive(clap::Args)]
pub struct Args {
    /// A folder written by `trialsim run` (a scenario's or a sweep's).
    dir: PathBuf,
    /// The scenario file the run was made from: `report.html` is redrawn too, from the scenario
    /// recomputed with the manifest's seed and trials (refused unless its tables equal the
    /// folder's).
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Worker threads for `--scenario` (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<u32>,
}

/// A scratch folder, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The run of `file` recomputed into a new folder `into` (a whole run folder, as `trialsim run`
/// writes it) with the seed and trials of `info`; its `report.html`, once every CSV table of it
/// equals the one in `dir`.
fn recomputed_report(file: &Path, info: RunInfo, threads: usize, dir: &Path, into: &Path) -> Result<PathBuf> {
    let (run_file, _) = RunFile::read(file)?;
    let RunFile::Scenario(scenario) = run_file else {
        anyhow::bail!(
            "{}: a sweep's points have their own reports; give a single scenario",
            file.display()
        );
    };
    let options = RunOptions {
        trials: info.trials,
        seed: info.seed,
        threads,
        exact: false,
    };
    match &scenario {
        AnyScenario::DoseFinding(s) => {
            let (table, _) = simulate_scenario(s, &options, &|_| {})?;
            write_outputs(s, &table, into)?;
        }
        AnyScenario::SingleArm(s) => {
            let table = simulate_single_arm(s, &options, &|_| {})?;
            write_single_arm_outputs(s, &table, into)?;
        }
    }
    let tables = |d: &Path| -> std::io::Result<Vec<(std::ffi::OsString, Vec<u8>)>> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(d)? {
            let path = entry?.path();
            if path.extension().is_some_and(|x| x == "csv") {
                found.push((path.file_name().unwrap_or_default().to_owned(), std::fs::read(&path)?));
            }
        }
        found.sort();
        Ok(found)
    };
    let (ours, theirs) = (tables(into)?, tables(dir)?);
    if ours != theirs {
        let differ = (ours.iter().zip(&theirs).find(|(a, b)| a != b)).map_or_else(
            || "the set of tables".into(),
            |(a, _)| a.0.to_string_lossy().into_owned(),
        );
        anyhow::bail!(
            "{}: recomputed with seed {} and {} trials, it does not give this folder's tables ({} differs): \
             not the scenario (or trialsim version) that made {}; report.html is left as it is",
            file.display(),
            info.seed.map_or_else(|| "?".into(), |s| s.to_string()),
            info.trials.map_or_else(|| "exact".into(), |t| t.to_string()),
            differ,
            dir.display()
        );
    }
    Ok(into.join(REPORT))
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
    let name = dir
        .file_name()
        .map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned());
    let scratch = Scratch(dir.with_file_name(format!(".{name}.plot-{}", std::process::id())));
    let report = match &args.scenario {
        Some(file) => {
            let threads = args.threads.map_or_else(
                || std::thread::available_parallelism().map_or(1, |n| n.get()),
                |t| t as usize,
            );
            Some(recomputed_report(file, info, threads, dir, &scratch.0)?)
        }
        None => None,
    };
    let written = write_staged(dir, info, io_error, |staging| {
        copy_folder(dir, staging).map_err(|e| io_error(staging, e))?;
        if let Some(report) = &report {
            let to = staging.join(REPORT);
            std::fs::copy(report, &to).map_err(|e| io_error(&to, e))?;
        }
        if is_sweep_folder(staging) {
            let mut written = Vec::new();
            for point in sweep_points(staging).map_err(|e| io_error(staging, e))? {
                let point_info = Manifest::read(&point)?.info;
                written.extend(render_dose_finding(&DoseFindingTables::read(&point)?, &point)?);
                write_manifest(&point, point_info).map_err(|e| io_error(&point, e))?;
            }
            Ok(written)
        } else {
            let mut written = match is_single_arm_run(staging) {
                true => render_single_arm(&SingleArmChartTables::read(staging)?, staging)?,
                false => render_dose_finding(&DoseFindingTables::read(staging)?, staging)?,
            };
            written.extend(report.as_ref().map(|_| staging.join(REPORT)));
            Ok(written)
        }
    })?;
    say_wrote(&written);
    if report.is_none() && !is_sweep_folder(dir) {
        say!("report.html kept as it is: give --scenario FILE (the run's scenario) to redraw it too");
    }
    Ok(())
}
