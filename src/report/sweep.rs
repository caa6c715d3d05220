//! The tables of a sweep: `sweep.csv` (every point's `summary.csv` rows under the point's
//! settings; its layout is in [`crate::results::sweep`]), with phase I/II designs or randomized
//! stages `sweep_obd.csv` and `sweep_optimization.csv` laid out alike (every point's
//! `obd_summary.csv` and `optimization_summary.csv` rows), and the sweep's `README.md` index.

use crate::report::index::VERSION;
use crate::results::compare::Stacked;
use crate::results::obd::ObdSummaryRow;
use crate::results::optimization::OptimizationSummaryRow;
use crate::results::rows::{cells, filled_columns};
use crate::results::sweep::{POINT_COLUMN, SWEEP_FILE};
use crate::results::{Method, OcTable, Row, SummaryRow};
use crate::scenario::Sweep;
use csv::StringRecord;
use std::fmt::Write;

/// Whether the run folder `dir` is a sweep's (it holds `sweep.csv` and a folder per point).
pub fn is_sweep_folder(dir: &std::path::Path) -> bool {
    dir.join(SWEEP_FILE).is_file()
}

/// The folder of point `index` (0-based) of a sweep of `points` points: `point-1`, … zero-padded
/// so that folders sort in point order.
pub fn point_dir(index: usize, points: usize) -> String {
    let width = points.to_string().len();
    format!("point-{:0width$}", index + 1)
}

/// `sweep.csv`: one row per point × truth × design: `point`, the swept keys (in the order of
/// [`SweepKey::ALL`](crate::scenario::SweepKey::ALL)), then the columns of `summary.csv`
/// ([`SummaryRow`]) that some point fills, except any that a swept key already names (`target`:
/// the same value).
pub fn sweep_csv(sweep: &Sweep, tables: &[OcTable]) -> Vec<u8> {
    let points: Vec<Vec<StringRecord>> = tables
        .iter()
        .map(|t| SummaryRow::rows(t).iter().map(cells).collect())
        .collect();
    stacked_csv(sweep, &SummaryRow::columns(), &points)
}

/// The sweep's table of `R` (`sweep_obd.csv`, `sweep_optimization.csv`; see [`Stacked`]): one
/// row per point × row of the point's own table (`rows` of its results), laid out as
/// `sweep.csv`; `None` when no point has such a row (no phase I/II design, no randomized stage).
fn sweep_stacked<R: Stacked>(sweep: &Sweep, tables: &[OcTable], rows: impl Fn(&OcTable) -> Vec<R>) -> Option<Vec<u8>> {
    let points: Vec<Vec<StringRecord>> = tables.iter().map(|t| rows(t).iter().map(cells).collect()).collect();
    points
        .iter()
        .any(|p| !p.is_empty())
        .then(|| stacked_csv(sweep, &R::columns(), &points))
}

/// The sweep's dose-optimization tables (file name and bytes), those some point writes: the
/// points' `obd_summary.csv` rows in `sweep_obd.csv`, their `optimization_summary.csv` rows in
/// `sweep_optimization.csv`.
pub fn sweep_stacked_tables(sweep: &Sweep, tables: &[OcTable]) -> Vec<(&'static str, Vec<u8>)> {
    let obd = sweep_stacked(sweep, tables, ObdSummaryRow::rows);
    let optimization = sweep_stacked(sweep, tables, |t| {
        t.optimization
            .as_ref()
            .map_or_else(Vec::new, OptimizationSummaryRow::rows)
    });
    [
        (ObdSummaryRow::SWEEP_FILE, obd),
        (OptimizationSummaryRow::SWEEP_FILE, optimization),
    ]
    .into_iter()
    .filter_map(|(name, bytes)| Some((name, bytes?)))
    .collect()
}

/// Rows of a table with `columns`, `points[k]` those of point k, under `point` and the swept
/// keys; columns no row fills, or that a swept key names, are left out.
fn stacked_csv(sweep: &Sweep, columns: &[&str], points: &[Vec<StringRecord>]) -> Vec<u8> {
    let filled = filled_columns(columns.len(), &points.concat());
    let kept: Vec<bool> = columns
        .iter()
        .zip(filled)
        .map(|(c, filled)| filled && !sweep.keys.iter().any(|key| key.name() == *c))
        .collect();
    let mut header: Vec<&str> = vec![POINT_COLUMN];
    header.extend(sweep.keys.iter().map(|key| key.name()));
    header.extend(columns.iter().zip(&kept).filter(|(_, &keep)| keep).map(|(c, _)| *c));
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(&header).expect("in memory");
    for (k, (point, records)) in sweep.points.iter().zip(points).enumerate() {
        let mut lead: Vec<String> = vec![(k + 1).to_string()];
        lead.extend(point.values.iter().map(|v| v.to_string()));
        for record in records {
            let rest = record.iter().zip(&kept).filter(|(_, &keep)| keep).map(|(f, _)| f);
            w.write_record(lead.iter().map(String::as_str).chain(rest))
                .expect("in memory");
        }
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// The sweep's `README.md`: settings, the points and their folders, the files. Holds nothing that
/// varies between identical runs.
pub fn sweep_index(sweep: &Sweep, tables: &[OcTable]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}: sweep of {} points\n", sweep.name, sweep.points.len());
    let _ = writeln!(s, "Operating characteristics simulated by trialsim {VERSION}.\n");
    let _ = writeln!(s, "| setting | value |\n|---|---|");
    let _ = writeln!(s, "| scenario file | `{}` |", sweep.file.display());
    if let Some(table) = tables.first() {
        let _ = writeln!(s, "| seed | {} |", table.seed);
        let simulated = table.rows.iter().find_map(|r| match r.method {
            Method::Simulated { trials } => Some(trials),
            Method::Exact { .. } => None,
        });
        if let Some(trials) = simulated {
            let _ = writeln!(s, "| trials per design and truth | {trials} |");
        }
    }
    for (i, key) in sweep.keys.iter().enumerate() {
        let mut values: Vec<String> = Vec::new();
        for p in &sweep.points {
            let v = p.values[i].to_string();
            if !values.contains(&v) {
                values.push(v);
            }
        }
        let _ = writeln!(s, "| swept: {} | {} |", key.name(), values.join(", "));
    }
    let keys: Vec<&str> = sweep.keys.iter().map(|k| k.name()).collect();
    let _ = writeln!(s, "\n## Points\n\n| point | {} | folder |", keys.join(" | "));
    let _ = writeln!(s, "|---|{}---|", "---|".repeat(keys.len()));
    for (k, p) in sweep.points.iter().enumerate() {
        let values: Vec<String> = p.values.iter().map(|v| v.to_string()).collect();
        let dir = point_dir(k, sweep.points.len());
        let _ = writeln!(s, "| {} | {} | [{dir}]({dir}/README.md) |", k + 1, values.join(" | "));
    }
    let mut files = vec![
        (SWEEP_FILE, "one row per point × truth × design: the point, its swept settings, then the columns of each point's `summary.csv` (less any a swept setting already names)."),
        ("point-*/", "each point's run, as `trialsim run` writes it for one scenario (tables, charts, report, index, results.json, manifest)."),
        (crate::report::html::REPORT, "the report: settings, the points with links to their own reports, and every point's correct decision by truth and design with its Monte Carlo standard error, with a chart."),
        ("README.md", "this index."),
    ];
    let stacked = [
        (ObdSummaryRow::SWEEP_FILE, "phase I/II designs: one row per point × truth × such design: the point, its swept settings, then the columns of each point's `obd_summary.csv`."),
        (OptimizationSummaryRow::SWEEP_FILE, "designs with a randomized stage: one row per point × truth × such design: the point, its swept settings, then the columns of each point's `optimization_summary.csv`."),
    ];
    let written = sweep_stacked_tables(sweep, tables);
    let stacked = stacked
        .into_iter()
        .filter(|(name, _)| written.iter().any(|(w, _)| w == name));
    files.splice(1..1, stacked);
    super::index::files_section(&mut s, &files);
    s
}
