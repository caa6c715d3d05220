//! Comparison across run folders (`trialsim compare DIR…`): one tidy table stacking each run's
//! summary rows under the run's name (`ComparisonRow`), and one chart. Reads only the runs'
//! tables.

use super::charts::{
    design_fills, draw_obd_comparison, grouped_bars, header, panels, push_unique, register_font, render_png,
    run_truth_groups, Area, ChartError, OBD_COMPARISON_CHART,
};
use super::folder::write_staged;
use super::html::precision::Figure;
use super::html::tables::{CompareLine, ComparePage, CompareSection};
use super::html::{render, REPORT};
use super::manifest::{verify_tables, RunInfo};
use super::write_atomic;
use crate::results::cells::Trials;
use crate::results::compare::{ComparisonRow, DoseFindingCompared, RunName, SingleArmComparedRow, Stacked};
use crate::results::dose_finding::SummaryLead;
use crate::results::obd::ObdSummaryRow;
use crate::results::optimization::OptimizationSummaryRow;
use crate::results::sweep::{POINT_COLUMN, SWEEP_FILE};
use crate::results::{write_rows, Method, Row};
use csv::StringRecord;
use std::path::{Path, PathBuf};

/// One run's summary rows, as compared, with the run's name.
struct Run<R> {
    name: String,
    rows: Vec<R>,
}

/// A run's rows, of either kind: a dose-finding summary's leading columns, or a single-arm
/// summary's compared columns.
enum Rows {
    DoseFinding(Vec<DoseFindingCompared>),
    SingleArm(Vec<SingleArmComparedRow>),
}

/// A table's header and records.
fn records(path: &Path) -> Result<(StringRecord, Vec<StringRecord>), ChartError> {
    let error = |e: csv::Error| ChartError::Read {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = csv::Reader::from_path(path).map_err(error)?;
    let headers = reader.headers().map_err(error)?.clone();
    let records = reader.records().collect::<Result<_, _>>().map_err(error)?;
    Ok((headers, records))
}

/// Reads `records` as rows of type `R`.
fn rows<R: Row>(path: &Path, headers: &StringRecord, records: &[StringRecord]) -> Result<Vec<R>, ChartError> {
    records
        .iter()
        .map(|r| R::read(r, headers))
        .collect::<Result<_, _>>()
        .map_err(|e| ChartError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// The rows of a summary of either kind (told by its columns); `None` for another table.
fn summary_rows(path: &Path, headers: &StringRecord, records: &[StringRecord]) -> Result<Option<Rows>, ChartError> {
    let has = |columns: Vec<&str>| columns.iter().all(|c| headers.iter().any(|h| h == *c));
    Ok(if has(DoseFindingCompared::columns()) {
        Some(Rows::DoseFinding(rows(path, headers, records)?))
    } else if has(SingleArmComparedRow::columns()) {
        Some(Rows::SingleArm(rows(path, headers, records)?))
    } else {
        None
    })
}

/// Whether `dir` is a sweep's folder (a `sweep.csv`, no `summary.csv`), which stands for its points.
fn is_sweep(dir: &Path) -> bool {
    !dir.join(SummaryLead::FILE).exists() && dir.join(SWEEP_FILE).exists()
}

/// A table's header and its records grouped by run, each group with the run's name.
type Groups = (StringRecord, Vec<(String, Vec<StringRecord>)>);

/// The records of the table at `path` in groups, each with its run's name: for a run's table one
/// group named `name`; for a sweep's (led by its `point` column) one per point, named by the
/// point and its swept settings (`qls4131_sweep point 2: target=0.2, max_patients=36`), the
/// columns between `point` and `truth`.
fn groups(path: &Path, name: &str) -> Result<Groups, ChartError> {
    let (headers, records) = records(path)?;
    if headers.get(0) != Some(POINT_COLUMN) {
        return Ok((headers, vec![(name.to_string(), records)]));
    }
    let swept: Vec<(usize, &str)> = headers
        .iter()
        .enumerate()
        .skip(1)
        .take_while(|&(_, h)| h != "truth")
        .collect();
    let mut points: Vec<(String, Vec<StringRecord>)> = Vec::new();
    for record in records {
        let at = record.get(0).unwrap_or("");
        let settings: Vec<String> = swept
            .iter()
            .map(|&(i, key)| format!("{key}={}", record.get(i).unwrap_or("")))
            .collect();
        let label = format!("{name} point {at}: {}", settings.join(", "));
        match points.last_mut() {
            Some((last, rows)) if *last == label => rows.push(record),
            _ => points.push((label, vec![record])),
        }
    }
    Ok((headers, points))
}

/// The runs in folder `dir` named `name`: the run whose `summary.csv` it holds, or, for a
/// sweep's folder, each point's rows of `sweep.csv`.
fn runs_in(dir: &Path, name: &str) -> Result<Vec<(String, Option<Rows>)>, ChartError> {
    let path = dir.join(if is_sweep(dir) { SWEEP_FILE } else { SummaryLead::FILE });
    let (headers, groups) = groups(&path, name)?;
    groups
        .into_iter()
        .map(|(label, records)| Ok((label, summary_rows(&path, &headers, &records)?)))
        .collect()
}

/// The rows of the run table `R` (`obd_summary.csv`, `optimization_summary.csv`) of the runs in
/// folder `dir` named `name` (a sweep's: its `sweep_obd.csv`, … by point); none when the folder
/// has no such table.
fn stacked_in<R: Stacked>(dir: &Path, name: &str) -> Result<Vec<Run<R>>, ChartError> {
    let path = dir.join(if is_sweep(dir) { R::SWEEP_FILE } else { R::FILE });
    if !path.exists() {
        return Ok(Vec::new());
    }
    let (headers, groups) = groups(&path, name)?;
    groups
        .into_iter()
        .map(|(name, records)| {
            Ok(Run {
                name,
                rows: rows(&path, &headers, &records)?,
            })
        })
        .collect()
}

/// The folder's path with `/` between its parts, without `.` parts.
fn parts(dir: &Path) -> Vec<String> {
    dir.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

/// The runs' labels: each folder's name, or, where folders share a name (runs of one scenario
/// written under different `--out`), the fewest trailing parts of their paths that tell them
/// apart (`a/qls4131_escalation`, `b/qls4131_escalation`). The same folder given twice is refused.
pub fn run_names(dirs: &[PathBuf]) -> Result<Vec<String>, ChartError> {
    let paths: Vec<Vec<String>> = dirs.iter().map(|d| parts(d)).collect();
    let label = |p: &[String], k: usize| p[p.len().saturating_sub(k)..].join("/");
    let mut names = Vec::with_capacity(dirs.len());
    for (i, p) in paths.iter().enumerate() {
        let clashes = |k: usize| {
            paths
                .iter()
                .enumerate()
                .any(|(j, q)| j != i && label(q, k) == label(p, k))
        };
        let k = (1..=p.len().max(1)).find(|&k| !clashes(k));
        match k {
            Some(k) => names.push(label(p, k)),
            None => {
                return Err(ChartError::Read {
                    path: dirs[i].clone(),
                    message: "given twice: compare each run folder once".into(),
                })
            }
        }
    }
    Ok(names)
}

/// The runs, all of one kind, or `None` when kinds are mixed or unknown.
enum Runs {
    DoseFinding(Vec<Run<DoseFindingCompared>>),
    SingleArm(Vec<Run<SingleArmComparedRow>>),
}

impl Runs {
    fn of(runs: Vec<(String, Option<Rows>)>) -> Option<Runs> {
        let mut all = match runs.first()?.1.as_ref()? {
            Rows::DoseFinding(_) => Runs::DoseFinding(Vec::new()),
            Rows::SingleArm(_) => Runs::SingleArm(Vec::new()),
        };
        for (name, rows) in runs {
            match (&mut all, rows?) {
                (Runs::DoseFinding(runs), Rows::DoseFinding(rows)) => runs.push(Run { name, rows }),
                (Runs::SingleArm(runs), Rows::SingleArm(rows)) => runs.push(Run { name, rows }),
                _ => return None,
            }
        }
        Some(all)
    }
}

/// `comparison.csv`: each run's rows under its name.
fn comparison<R: Row + Clone>(runs: &[Run<R>]) -> Vec<u8> {
    let rows: Vec<ComparisonRow<R>> = runs
        .iter()
        .flat_map(|run| {
            run.rows.iter().map(|row| ComparisonRow {
                head: RunName {
                    scenario: run.name.clone(),
                },
                tail: row.clone(),
            })
        })
        .collect();
    write_rows(&rows)
}

/// Compares the runs in `dirs` (run folders, or sweep folders standing for their points), after
/// checking each folder's tables against its manifest; writes `comparison.csv` (and, when some
/// run has phase I/II designs or randomized stages, `comparison_obd.csv` and
/// `comparison_optimization.csv`), `comparison.png` (and, with `comparison_obd.csv`,
/// `comparison_obd.png`), `report.html` and a manifest as the folder `out`, replacing any previous comparison there
/// only once all are written.
pub fn compare(dirs: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, ChartError> {
    let names = run_names(dirs)?;
    let mut runs = Vec::new();
    let mut folders = Vec::new();
    let mut obd: Vec<Run<ObdSummaryRow>> = Vec::new();
    let mut optimization: Vec<Run<OptimizationSummaryRow>> = Vec::new();
    for (dir, name) in dirs.iter().zip(&names) {
        if dir.is_dir() {
            verify_tables(dir).map_err(|e| ChartError::Read {
                path: e.path,
                message: e.message,
            })?;
        }
        for run in runs_in(dir, name)? {
            // The label only: a folder's path may be absolute and would make the report vary.
            folders.push(run.0.clone());
            runs.push(run);
        }
        obd.extend(stacked_in(dir, name)?);
        optimization.extend(stacked_in(dir, name)?);
    }
    let runs = Runs::of(runs).ok_or_else(|| ChartError::Read {
        path: dirs.first().cloned().unwrap_or_default(),
        message: "every folder must hold a summary.csv of the same kind (all dose-finding or all single-arm runs)"
            .into(),
    })?;
    let io_error = |path: &Path, source| ChartError::Write {
        path: path.to_path_buf(),
        source,
    };
    write_staged(out, RunInfo::default(), io_error, |out| {
        let table = out.join(ComparisonRow::<DoseFindingCompared>::FILE);
        let bytes = match &runs {
            Runs::DoseFinding(runs) => comparison(runs),
            Runs::SingleArm(runs) => comparison(runs),
        };
        write_atomic(&table, &bytes).map_err(|e| io_error(&table, e))?;
        register_font();
        let chart = render_png(out, "comparison.png", |area| match &runs {
            Runs::DoseFinding(runs) => draw_dose_finding(runs, area),
            Runs::SingleArm(runs) => draw_single_arm(runs, area),
        })?;
        let mut written = vec![table];
        for (file, bytes) in [
            (
                ObdSummaryRow::COMPARISON_FILE,
                (!obd.is_empty()).then(|| comparison(&obd)),
            ),
            (
                OptimizationSummaryRow::COMPARISON_FILE,
                (!optimization.is_empty()).then(|| comparison(&optimization)),
            ),
        ] {
            let Some(bytes) = bytes else { continue };
            let path = out.join(file);
            write_atomic(&path, &bytes).map_err(|e| io_error(&path, e))?;
            written.push(path);
        }
        if !obd.is_empty() {
            let obd: Vec<_> = obd.iter().map(|r| (r.name.as_str(), r.rows.as_slice())).collect();
            written.push(render_png(out, OBD_COMPARISON_CHART, |area| {
                draw_obd_comparison(&obd, area)
            })?);
        }
        let mut page = match &runs {
            Runs::DoseFinding(runs) => dose_finding_page(runs, folders),
            Runs::SingleArm(runs) => single_arm_page(runs, folders),
        };
        if !obd.is_empty() {
            page.add_section(section(&obd));
        }
        if !optimization.is_empty() {
            page.add_section(section(&optimization));
        }
        let report = out.join(REPORT);
        write_atomic(&report, render("compare.html", &page).as_bytes()).map_err(|e| io_error(&report, e))?;
        written.extend([chart, report]);
        Ok(written)
    })
}

/// The designs of every run, in first-seen order.
fn designs_of<'a>(designs: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut list = Vec::new();
    for design in designs {
        push_unique(&mut list, design);
    }
    list
}

/// Mean of `metric` over a run's truths for one design (finite values only).
fn mean_over_truths(run: &Run<DoseFindingCompared>, design: &str, metric: fn(&SummaryLead) -> f64) -> Option<f64> {
    let values: Vec<f64> = run
        .rows
        .iter()
        .filter(|r| r.head.design == design)
        .map(|r| metric(&r.head))
        .filter(|v| v.is_finite())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn draw_dose_finding(runs: &[Run<DoseFindingCompared>], root: &Area) -> Result<(), String> {
    let designs = designs_of(
        runs.iter()
            .flat_map(|r| r.rows.iter().map(|row| row.head.design.as_str())),
    );
    let body = header(
        root,
        "Designs across scenarios (mean over each scenario's truths)",
        &designs,
        design_fills(&designs),
    )?;
    let groups: Vec<String> = runs.iter().map(|r| r.name.clone()).collect();
    let max_n = runs
        .iter()
        .flat_map(|r| r.rows.iter().map(|row| row.head.patients_mean.0))
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max)
        * 1.1;
    type Metric = (&'static str, &'static str, fn(&SummaryLead) -> f64);
    let metrics: [Metric; 4] = [
        ("Correct decision", "% of trials", |s| s.correct_selection_pct.0),
        ("Selecting above the correct dose", "% of trials", |s| {
            s.overdose_selection_pct.0
        }),
        ("Stopped without an MTD", "% of trials", |s| s.stopped_early_pct.0),
        ("Mean sample size", "patients", |s| s.patients_mean.0),
    ];
    for (panel, (title, unit, metric)) in panels(&body, 4).iter().zip(metrics) {
        let y_max = if unit == "patients" { max_n } else { 100.0 };
        let v = |g: usize, k: usize| mean_over_truths(&runs[g], &designs[k], metric);
        grouped_bars(panel, title, &groups, &designs, y_max, unit, v, None, None)?;
    }
    Ok(())
}

fn draw_single_arm(runs: &[Run<SingleArmComparedRow>], root: &Area) -> Result<(), String> {
    let designs = designs_of(
        runs.iter()
            .flat_map(|r| r.rows.iter().map(|row| row.head.design.as_str())),
    );
    let body = header(
        root,
        "Declared promising, % of trials, by scenario and truth",
        &designs,
        design_fills(&designs),
    )?;
    let named = runs.iter().map(|r| (r.name.as_str(), r.rows.as_slice()));
    let (groups, cells) = run_truth_groups(named, |row| row.head.truth.as_str());
    let v = |g: usize, k: usize| {
        let (run, truth) = &cells[g];
        runs[*run]
            .rows
            .iter()
            .map(|r| &r.head)
            .find(|r| &r.truth == truth && r.design == designs[k])
            .map(|r| r.promising_pct.0)
    };
    let panel = panels(&body, 1).remove(0);
    grouped_bars(&panel, "", &groups, &designs, 100.0, "% of trials", v, None, None)
}

/// How a compared row was computed.
fn method_of(trials: Trials) -> Method {
    match trials {
        Trials::Simulated(trials) => Method::Simulated { trials },
        Trials::Exact => Method::Exact { states: 0 },
    }
}

/// One compared row as the report shows it: truth, design, trials, how computed, then three
/// percentages of trials (their binomial standard errors from the trials, unrounded) and the mean
/// sample size with its standard error (the summary's `patients_mean_se`; 0 when exact).
type Shown<'r> = (&'r str, &'r str, String, Method, [f64; 3], (f64, f64));

/// The report page of `runs`, each row shown by `show`, its figures named by `header`.
fn page<R>(
    runs: &[Run<R>],
    folders: Vec<String>,
    show: fn(&R) -> Shown<'_>,
    header: [&'static str; 3],
    chart_title: &str,
) -> ComparePage {
    let rows = runs
        .iter()
        .flat_map(|run| {
            run.rows.iter().map(|r| {
                let (truth, design, trials, m, percents, (patients, se)) = show(r);
                let mut cells: Vec<Figure> = percents.iter().map(|&p| Figure::percent(p, m)).collect();
                cells.push(Figure::simulated(patients, 1, m, se));
                CompareLine {
                    run: run.name.clone(),
                    truth: truth.to_string(),
                    design: design.to_string(),
                    colour: String::new(),
                    trials,
                    cells,
                }
            })
        })
        .collect();
    let mut header = header.to_vec();
    header.push("mean sample size");
    ComparePage::new(folders, header, rows, chart_title)
}

/// A dose-finding summary row as the comparison report shows it.
fn show_dose_finding(r: &DoseFindingCompared) -> Shown<'_> {
    let f = &r.head;
    let percents = [
        f.correct_selection_pct.0,
        f.overdose_selection_pct.0,
        f.stopped_early_pct.0,
    ];
    let patients = (f.patients_mean.0, r.tail.patients_mean_se.0);
    (
        &f.truth,
        &f.design,
        f.trials.to_string(),
        method_of(f.trials),
        percents,
        patients,
    )
}

/// A single-arm summary row as the comparison report shows it.
fn show_single_arm(r: &SingleArmComparedRow) -> Shown<'_> {
    let f = &r.head;
    let m = Method::Simulated { trials: f.trials };
    let percents = [f.promising_pct.0, f.futility_stop_pct.0, f.toxicity_stop_pct.0];
    let patients = (f.patients_mean.0, r.tail.patients_mean_se.0);
    (&f.truth, &f.design, f.trials.to_string(), m, percents, patients)
}

/// The report page of dose-finding runs.
fn dose_finding_page(runs: &[Run<DoseFindingCompared>], folders: Vec<String>) -> ComparePage {
    let header = ["correct decision %", "over-dose selection %", "stopped early %"];
    let title = "Correct decision, mean over each run's truths, % of trials";
    page(runs, folders, show_dose_finding, header, title)
}

/// The report page of single-arm runs.
fn single_arm_page(runs: &[Run<SingleArmComparedRow>], folders: Vec<String>) -> ComparePage {
    let header = ["promising %", "futility stop %", "toxicity stop %"];
    let title = "Declared promising, mean over each run's truths, % of trials";
    page(runs, folders, show_single_arm, header, title)
}

/// A dose-optimization table as the comparison report shows it (a section of its own).
trait Section: Stacked {
    /// The section's anchor.
    const ID: &'static str;
    /// Its heading.
    const TITLE: &'static str;
    /// What it shows.
    const NOTE: &'static str;
    /// Its figures' names.
    const HEADER: [&'static str; 6];
    /// A row's truth, design, trials and figures (value, decimals printed, standard error).
    fn show(&self) -> (&str, &str, Trials, [(f64, usize, f64); 6]);
}

impl Section for ObdSummaryRow {
    const ID: &'static str = "obd";
    const TITLE: &'static str = "Optimal biological dose (phase I/II designs)";
    const NOTE: &'static str = "Each run's obd_summary.csv, stacked in comparison_obd.csv: % of trials selecting the true OBD (stopping, where no dose is acceptable), % of patients treated at the true OBD and at doses whose true P(DLT) exceeds the target, % stopped without a dose, mean responses and DLTs per trial. ± gives the Monte Carlo standard error (the _se columns: binomial, delta method for a % of patients, SD/√n for a mean).";
    const HEADER: [&'static str; 6] = [
        "OBD selected %",
        "patients at OBD %",
        "patients over target %",
        "stopped early %",
        "responses",
        "DLTs",
    ];

    fn show(&self) -> (&str, &str, Trials, [(f64, usize, f64); 6]) {
        let figures = [
            (self.obd_correct_pct.0, 1, self.obd_correct_pct_se.0),
            (self.obd_patients_pct.0, 1, self.obd_patients_pct_se.0),
            (self.overtoxic_patients_pct.0, 1, self.overtoxic_patients_pct_se.0),
            (self.stopped_early_pct.0, 1, self.stopped_early_pct_se.0),
            (self.response_mean.0, 2, self.response_mean_se.0),
            (self.dlt_mean.0, 2, self.dlt_mean_se.0),
        ];
        (&self.truth, &self.design, self.trials, figures)
    }
}

impl Section for OptimizationSummaryRow {
    const ID: &'static str = "optimization";
    const TITLE: &'static str = "Randomized dose optimization";
    const NOTE: &'static str = "Each run's optimization_summary.csv, stacked in comparison_optimization.csv: % of trials choosing the truly best dose overall, % of randomized trials choosing the truly best of their arms, % of trials randomizing, mean patients (escalation and stage), mean responses and DLTs in the randomized stage. ± gives the Monte Carlo standard error (the _se columns).";
    const HEADER: [&'static str; 6] = [
        "best dose chosen %",
        "best arm chosen %",
        "randomized %",
        "mean patients",
        "stage responses",
        "stage DLTs",
    ];

    fn show(&self) -> (&str, &str, Trials, [(f64, usize, f64); 6]) {
        let figures = [
            (self.best_overall_pct.0, 1, self.best_overall_pct_se.0),
            (self.best_among_arms_pct.0, 1, self.best_among_arms_pct_se.0),
            (self.randomized_pct.0, 1, self.randomized_pct_se.0),
            (self.patients_mean.0, 1, self.patients_mean_se.0),
            (self.response_mean.0, 2, self.response_mean_se.0),
            (self.dlt_mean.0, 2, self.dlt_mean_se.0),
        ];
        (&self.truth, &self.design, self.trials, figures)
    }
}

/// The report's section of the stacked table `R`, each figure with its standard error from the
/// run's `_se` column (none on exact rows).
fn section<R: Section>(runs: &[Run<R>]) -> CompareSection {
    let rows = runs.iter().flat_map(|run| {
        run.rows.iter().map(|r| {
            let (truth, design, trials, figures) = r.show();
            let m = method_of(trials);
            CompareLine {
                run: run.name.clone(),
                truth: truth.to_string(),
                design: design.to_string(),
                colour: String::new(),
                trials: trials.to_string(),
                cells: figures
                    .iter()
                    .map(|&(v, d, se)| Figure::simulated(v, d, m, se))
                    .collect(),
            }
        })
    });
    CompareSection {
        id: R::ID,
        title: R::TITLE,
        note: R::NOTE,
        header: R::HEADER.to_vec(),
        rows: rows.collect(),
        chart: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16: `compare` gave two runs of the same scenario (under different `--out`) the same
    /// label silently.
    #[test]
    fn runs_sharing_a_folder_name_get_distinct_labels() {
        let dirs: Vec<PathBuf> = ["a/out/qls", "b/out/qls", "c/other"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(run_names(&dirs).unwrap(), ["a/out/qls", "b/out/qls", "other"]);
        let dirs: Vec<PathBuf> = ["./x/run", "y/run"].iter().map(PathBuf::from).collect();
        assert_eq!(run_names(&dirs).unwrap(), ["x/run", "y/run"]);
        let twice: Vec<PathBuf> = ["x/run", "x/run"].iter().map(PathBuf::from).collect();
        assert!(run_names(&twice).unwrap_err().to_string().contains("given twice"));
    }
}
