//! Comparison across run folders (`trialsim compare DIR…`): one tidy table stacking each run's
//! `summary.csv` under a `scenario` column, and one chart. Reads only the runs' tables.

use super::charts::{
    filled, grouped_bars, header, panels, push_unique, read_csv, register_font, render_png, ChartError,
};
use super::write_atomic;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The columns compared for each kind of run: a dose-finding summary's leading columns, and a
/// selection of a single-arm summary's.
const DOSE_FINDING: [&str; 9] = super::csv::SUMMARY_COLUMNS;
const SINGLE_ARM: [&str; 10] = [
    "truth",
    "design",
    "trials",
    "true_orr",
    "promising_pct",
    "futility_stop_pct",
    "toxicity_stop_pct",
    "patients_mean",
    "duration_mean",
    "orr_coverage_pct",
];

/// One run's summary rows, with the run's name (its folder's name).
struct Run {
    name: String,
    rows: Vec<BTreeMap<String, String>>,
}

fn kind_of(run: &Run) -> Option<&'static str> {
    let first = run.rows.first()?;
    if first.contains_key("correct_selection_pct") {
        Some("dose-finding")
    } else if first.contains_key("promising_pct") {
        Some("single-arm")
    } else {
        None
    }
}

fn value(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row.get(column).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

/// The runs in folder `dir`: the run whose `summary.csv` it holds (named by the folder), or, for a
/// sweep's folder, each point's rows of `sweep.csv`, named by the point and its swept settings
/// (`qls4131_sweep point 2: target=0.2, max_patients=36`).
fn runs_in(dir: &Path) -> Result<Vec<Run>, ChartError> {
    let name = dir
        .file_name()
        .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
    let sweep = dir.join("sweep.csv");
    let summary = dir.join("summary.csv");
    if summary.exists() || !sweep.exists() {
        return Ok(vec![Run {
            name,
            rows: read_csv(&summary)?,
        }]);
    }
    // The swept settings are the columns between `point` and `truth`.
    let header = csv::Reader::from_path(&sweep)
        .and_then(|mut r| r.headers().cloned())
        .map_err(|e| ChartError::Read {
            path: sweep.clone(),
            message: e.to_string(),
        })?;
    let swept: Vec<&str> = header.iter().skip(1).take_while(|&h| h != "truth").collect();
    let mut runs: Vec<Run> = Vec::new();
    for row in read_csv(&sweep)? {
        let point = row.get("point").cloned().unwrap_or_default();
        let settings: Vec<String> = swept
            .iter()
            .map(|&key| format!("{key}={}", row.get(key).map_or("", String::as_str)))
            .collect();
        let label = format!("{name} point {point}: {}", settings.join(", "));
        match runs.last_mut() {
            Some(run) if run.name == label => run.rows.push(row),
            _ => runs.push(Run {
                name: label,
                rows: vec![row],
            }),
        }
    }
    Ok(runs)
}

/// Compares the runs in `dirs` (run folders, or sweep folders standing for their points); writes `comparison.csv` and `comparison.png` into `out`.
pub fn compare(dirs: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, ChartError> {
    let mut runs = Vec::new();
    for dir in dirs {
        runs.extend(runs_in(dir)?);
    }
    let kinds: Vec<Option<&str>> = runs.iter().map(kind_of).collect();
    let kind =
        match kinds.first() {
            Some(Some(k)) if kinds.iter().all(|x| x == &Some(*k)) => *k,
            _ => return Err(ChartError::Read {
                path: dirs.first().cloned().unwrap_or_default(),
                message:
                    "every folder must hold a summary.csv of the same kind (all dose-finding or all single-arm runs)"
                        .into(),
            }),
        };
    let columns: &[&str] = if kind == "dose-finding" {
        &DOSE_FINDING
    } else {
        &SINGLE_ARM
    };
    std::fs::create_dir_all(out).map_err(|source| ChartError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(std::iter::once("scenario").chain(columns.iter().copied()))
        .expect("in memory");
    for run in &runs {
        for row in &run.rows {
            let cells = columns.iter().map(|c| row.get(*c).map_or("", String::as_str));
            w.write_record(std::iter::once(run.name.as_str()).chain(cells))
                .expect("in memory");
        }
    }
    let table = out.join("comparison.csv");
    write_atomic(&table, &w.into_inner().expect("in memory")).map_err(|source| ChartError::Write {
        path: table.clone(),
        source,
    })?;
    register_font();
    let chart = render_png(out, "comparison.png", |area| {
        if kind == "dose-finding" {
            draw_dose_finding(&runs, area)
        } else {
            draw_single_arm(&runs, area)
        }
    })?;
    Ok(vec![table, chart])
}

fn designs_of(runs: &[Run]) -> Vec<String> {
    let mut designs = Vec::new();
    for run in runs {
        for row in &run.rows {
            push_unique(&mut designs, &row["design"]);
        }
    }
    designs
}

/// Mean of `column` over a run's truths for one design.
fn mean_over_truths(run: &Run, design: &str, column: &str) -> Option<f64> {
    let values: Vec<f64> = run
        .rows
        .iter()
        .filter(|r| r["design"] == design)
        .map(|r| value(r, column))
        .filter(|v| v.is_finite())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn draw_dose_finding(runs: &[Run], root: &super::charts::Area) -> Result<(), String> {
    let designs = designs_of(runs);
    let body = header(
        root,
        "Designs across scenarios (mean over each scenario's truths)",
        &designs,
        filled,
    )?;
    let groups: Vec<String> = runs.iter().map(|r| r.name.clone()).collect();
    let max_n = runs
        .iter()
        .flat_map(|r| r.rows.iter().map(|row| value(row, "patients_mean")))
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max)
        * 1.1;
    let metrics: [(&str, &str, &str); 4] = [
        ("Correct decision", "% of trials", "correct_selection_pct"),
        (
            "Selecting above the correct dose",
            "% of trials",
            "overdose_selection_pct",
        ),
        ("Stopped without an MTD", "% of trials", "stopped_early_pct"),
        ("Mean sample size", "patients", "patients_mean"),
    ];
    for (panel, (title, unit, column)) in panels(&body, 4).iter().zip(metrics) {
        let y_max = if unit == "patients" { max_n } else { 100.0 };
        let v = |g: usize, k: usize| mean_over_truths(&runs[g], &designs[k], column);
        grouped_bars(panel, title, &groups, designs.len(), y_max, unit, v, None, None)?;
    }
    Ok(())
}

fn draw_single_arm(runs: &[Run], root: &super::charts::Area) -> Result<(), String> {
    let designs = designs_of(runs);
    let body = header(
        root,
        "Declared promising, % of trials, by scenario and truth",
        &designs,
        filled,
    )?;
    let mut groups = Vec::new();
    let mut cells = Vec::new();
    for run in runs {
        let mut truths = Vec::new();
        for row in &run.rows {
            push_unique(&mut truths, &row["truth"]);
        }
        for truth in truths {
            groups.push(format!("{}: {truth}", run.name));
            cells.push((run, truth));
        }
    }
    let v = |g: usize, k: usize| {
        let (run, truth) = &cells[g];
        run.rows
            .iter()
            .find(|r| &r["truth"] == truth && r["design"] == designs[k])
            .map(|r| value(r, "promising_pct"))
    };
    let panel = panels(&body, 1).remove(0);
    grouped_bars(&panel, "", &groups, designs.len(), 100.0, "% of trials", v, None, None)
}
