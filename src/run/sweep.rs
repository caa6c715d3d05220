//! Running a `[sweep]`: every point simulated (or computed exactly) as an ordinary scenario, then
//! written into its own folder, with one tidy `sweep.csv` over all points.

use crate::report::folder::write_staged;
use crate::report::html::{sweep_report, REPORT};
use crate::report::manifest::write_manifest;
use crate::report::sweep::{point_dir, sweep_csv, sweep_index, sweep_stacked_tables};
use crate::report::write_atomic;
use crate::results::OcTable;
use crate::run::{run_info, simulate_scenario, write_outputs_into, ExactNote, RunError, RunOptions};
use crate::scenario::Sweep;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One computed point of a sweep.
#[derive(Clone, Debug)]
pub struct PointResult {
    /// The point's operating characteristics.
    pub table: OcTable,
    /// How exact rows were computed, or why they were simulated instead.
    pub notes: Vec<ExactNote>,
    /// Seconds the point took.
    pub seconds: f64,
}

/// Computes every point of `sweep`; `progress` gets the trials finished over all points.
pub fn simulate_sweep(
    sweep: &Sweep,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<PointResult>, RunError> {
    let mut results = Vec::with_capacity(sweep.points.len());
    for (k, point) in sweep.points.iter().enumerate() {
        let before = k as u64 * options.trials.unwrap_or(point.scenario.simulation.trials);
        let started = Instant::now();
        let (table, notes) = simulate_scenario(&point.scenario, options, &|done| progress(before + done))?;
        results.push(PointResult {
            table,
            notes,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    Ok(results)
}

/// Writes each point's run (with its manifest) into `dir/point-K/`, then `sweep.csv` (with its
/// dose-optimization tables, when a point has some) and the sweep's `README.md` into `dir`, every
/// file atomically, and the sweep's manifest over all of them; the folder replaces any previous one only once all are written ([`write_staged`]).
pub fn write_sweep_outputs(sweep: &Sweep, tables: &[OcTable], dir: &Path) -> Result<Vec<PathBuf>, RunError> {
    let write_error = |path: &Path, source| RunError::Write {
        path: path.to_path_buf(),
        source,
    };
    let info = tables.first().map(run_info).unwrap_or_default();
    write_staged(dir, info, write_error, |dir| {
        let mut written = Vec::new();
        for (k, (point, table)) in sweep.points.iter().zip(tables).enumerate() {
            let folder = dir.join(point_dir(k, sweep.points.len()));
            written.extend(write_outputs_into(&point.scenario, table, &folder)?);
            write_manifest(&folder, run_info(table)).map_err(|e| write_error(&folder, e))?;
        }
        let mut files = vec![("sweep.csv", sweep_csv(sweep, tables))];
        files.extend(sweep_stacked_tables(sweep, tables));
        files.push((REPORT, sweep_report(sweep, tables).into_bytes()));
        files.push(("README.md", sweep_index(sweep, tables).into_bytes()));
        for (name, bytes) in files {
            let path = dir.join(name);
            write_atomic(&path, &bytes).map_err(|e| write_error(&path, e))?;
            written.push(path);
        }
        Ok(written)
    })
}
