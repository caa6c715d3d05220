//! The charts of a dose-finding run: the true dose-toxicity curves, selection and allocation by
//! dose for every truth, and a summary across truths.

use super::calendar::{draw_durations, draw_regimens, draw_rp2d, CALENDAR_CHARTS};
use super::{
    colour, field, filled, grouped_bars, header, panels, push_unique, read_csv, register_font, render_png, text_style,
    Area, ChartError,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// One row of `oc_by_dose.csv`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ByDose {
    pub(super) truth: String,
    pub(super) design: String,
    pub(super) dose: usize,
    pub(super) true_dlt: f64,
    pub(super) selected_pct: f64,
    pub(super) patients_mean: f64,
    /// Calendar-time runs: % choosing the dose as RP2D, whether it is the right RP2D, and mean
    /// patients given step-up dosing there.
    pub(super) rp2d_pct: Option<f64>,
    pub(super) correct_rp2d: bool,
    pub(super) step_up_patients_mean: Option<f64>,
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Summary {
    pub(super) truth: String,
    pub(super) design: String,
    pub(super) correct_decision: String,
    pub(super) correct_pct: f64,
    pub(super) stopped_pct: f64,
    pub(super) patients_mean: f64,
    pub(super) overdose_selection_pct: f64,
    pub(super) target: Option<f64>,
    /// Median and 90th percentile of the duration (months), for calendar-time runs.
    pub(super) duration: Option<(f64, f64)>,
    /// % of trials choosing no RP2D, and whether that is right (calendar-time runs).
    pub(super) rp2d_none_pct: Option<f64>,
    pub(super) stopping_is_right_rp2d: bool,
}

/// A dose-finding run's tables, as the charts need them.
#[derive(Clone, Debug, PartialEq)]
pub struct DoseFindingTables {
    pub(super) labels: Vec<String>,
    pub(super) truths: Vec<String>,
    pub(super) designs: Vec<String>,
    pub(super) by_dose: Vec<ByDose>,
    pub(super) summary: Vec<Summary>,
}

impl DoseFindingTables {
    /// Reads `oc_by_dose.csv` and `summary.csv` from a run folder.
    pub fn read(dir: &Path) -> Result<DoseFindingTables, ChartError> {
        let by_dose_path = dir.join("oc_by_dose.csv");
        let summary_path = dir.join("summary.csv");
        let mut tables = DoseFindingTables {
            labels: Vec::new(),
            truths: Vec::new(),
            designs: Vec::new(),
            by_dose: Vec::new(),
            summary: Vec::new(),
        };
        for row in read_csv(&by_dose_path)? {
            let p = &by_dose_path;
            let dose: usize = field(p, &row, "dose")?;
            if dose == 0 {
                return Err(ChartError::Read {
                    path: p.clone(),
                    message: "dose levels start at 1".into(),
                });
            }
            if tables.labels.len() < dose {
                tables.labels.resize(dose, String::new());
            }
            tables.labels[dose - 1] = row.get("label").cloned().unwrap_or_else(|| dose.to_string());
            push_unique(&mut tables.truths, &row["truth"]);
            push_unique(&mut tables.designs, &row["design"]);
            tables.by_dose.push(ByDose {
                truth: row["truth"].clone(),
                design: row["design"].clone(),
                dose,
                true_dlt: field(p, &row, "true_dlt")?,
                selected_pct: field(p, &row, "selected_pct")?,
                patients_mean: field(p, &row, "patients_mean")?,
                rp2d_pct: row.get("rp2d_pct").and_then(|v| v.parse().ok()),
                correct_rp2d: row.get("correct_rp2d").is_some_and(|v| v == "1"),
                step_up_patients_mean: row.get("step_up_patients_mean").and_then(|v| v.parse().ok()),
            });
        }
        for row in read_csv(&summary_path)? {
            let p = &summary_path;
            tables.summary.push(Summary {
                truth: row["truth"].clone(),
                design: row["design"].clone(),
                correct_decision: row.get("correct_decision").cloned().unwrap_or_default(),
                correct_pct: field(p, &row, "correct_selection_pct")?,
                stopped_pct: field(p, &row, "stopped_early_pct")?,
                patients_mean: field(p, &row, "patients_mean")?,
                overdose_selection_pct: field(p, &row, "overdose_selection_pct")?,
                target: row.get("target").and_then(|t| t.parse().ok()),
                duration: row
                    .get("duration_median")
                    .and_then(|m| m.parse().ok())
                    .zip(row.get("duration_p90").and_then(|q| q.parse().ok())),
                rp2d_none_pct: row.get("rp2d_none_pct").and_then(|v| v.parse().ok()),
                stopping_is_right_rp2d: row.get("correct_rp2d").is_some_and(|v| v == "stop"),
            });
        }
        if tables.by_dose.is_empty() || tables.summary.is_empty() {
            return Err(ChartError::Read {
                path: dir.to_path_buf(),
                message: "the tables have no rows".into(),
            });
        }
        Ok(tables)
    }

    pub(super) fn row(&self, truth: &str, design: &str, dose: usize) -> Option<&ByDose> {
        self.by_dose
            .iter()
            .find(|r| r.truth == truth && r.design == design && r.dose == dose)
    }

    pub(super) fn summary_row(&self, truth: &str, design: &str) -> Option<&Summary> {
        self.summary.iter().find(|r| r.truth == truth && r.design == design)
    }
}

/// The charts of a dose-finding run, with one line each on what they show.
pub const DOSE_FINDING_CHARTS: [(&str, &str); 4] = [
    ("true_dlt.png", "the true DLT probability of each dose under each truth, with the target."),
    ("selection.png", "% of trials selecting each dose as MTD (and stopping with none), by design, one panel per truth; the correct dose is marked."),
    ("patients.png", "mean patients treated at each dose per trial, by design, one panel per truth."),
    ("summary.png", "across truths: % correct decision, % selecting a dose above the correct one, % stopped without an MTD, and mean sample size, by design."),
];

impl DoseFindingTables {
    /// Whether the run simulated calendar time (its summary has durations).
    pub fn has_durations(&self) -> bool {
        self.summary.iter().any(|s| s.duration.is_some())
    }
}

/// Draws every dose-finding chart into `dir` (the duration chart for calendar-time runs); returns
/// the files written.
pub fn render_dose_finding(tables: &DoseFindingTables, dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    register_font();
    let mut written = Vec::new();
    if tables.has_durations() {
        for (file, _) in CALENDAR_CHARTS {
            let draw: fn(&DoseFindingTables, &DrawingArea<BitMapBackend, Shift>) -> Result<(), String> = match file {
                "duration.png" => draw_durations,
                "rp2d.png" => draw_rp2d,
                _ => draw_regimens,
            };
            written.push(render_png(dir, file, |area| draw(tables, area))?);
        }
    }
    for (file, _) in DOSE_FINDING_CHARTS {
        let draw: fn(&DoseFindingTables, &DrawingArea<BitMapBackend, Shift>) -> Result<(), String> = match file {
            "true_dlt.png" => draw_true_curves,
            "selection.png" => draw_selection,
            "patients.png" => draw_patients,
            _ => draw_summary,
        };
        written.push(render_png(dir, file, |area| draw(tables, area))?);
    }
    Ok(written)
}

fn draw_true_curves(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let design = t.designs.first().ok_or("no design")?;
    let body = header(root, "True dose-toxicity curves", &t.truths, filled)?;
    let k = t.labels.len();
    let max = t.by_dose.iter().map(|r| r.true_dlt).fold(0.0, f64::max).max(0.05);
    let mut chart = ChartBuilder::on(&body)
        .margin(30)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(0.5f64..k as f64 + 0.5, 0f64..(max * 1.1).min(1.0))
        .map_err(e)?;
    let labels = t.labels.clone();
    chart
        .configure_mesh()
        .x_labels(k)
        .x_label_formatter(&|x| {
            let i = x.round() as usize;
            if (x - x.round()).abs() < 1e-6 && (1..=labels.len()).contains(&i) {
                labels[i - 1].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| format!("{y:.2}"))
        .x_desc("Dose level")
        .y_desc("True P(DLT)")
        .label_style(text_style(22))
        .axis_desc_style(text_style(26))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    for (i, truth) in t.truths.iter().enumerate() {
        let points: Vec<(f64, f64)> = (1..=k)
            .filter_map(|d| t.row(truth, design, d).map(|r| (d as f64, r.true_dlt)))
            .collect();
        let style = colour(i).stroke_width(4);
        chart.draw_series(LineSeries::new(points.clone(), style)).map_err(e)?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 7, colour(i).filled())))
            .map_err(e)?;
    }
    if let Some(target) = t.summary.iter().find_map(|s| s.target) {
        let dashes = (0..4 * k)
            .map(|i| 0.5 + i as f64 / 4.0)
            .map(|x| PathElement::new(vec![(x, target), (x + 0.15, target)], BLACK.stroke_width(3)));
        chart.draw_series(dashes).map_err(e)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("target {target}"),
                (0.55, target + max * 0.045),
                text_style(24),
            )))
            .map_err(e)?;
    }
    Ok(())
}

/// The correct dose's group (0-based) from `correct_decision`: a level, or the "none" group.
fn correct_group(t: &DoseFindingTables, truth: &str) -> Option<usize> {
    let decision = &t.summary.iter().find(|s| s.truth == truth)?.correct_decision;
    match decision.as_str() {
        "stop" => Some(t.labels.len()),
        level => level.parse::<usize>().ok().map(|l| l - 1),
    }
}

/// A bar's height by (truth, design, level), and by (truth, design) for the "none" group.
type DoseBar<'a> = &'a dyn Fn(&str, &str, usize) -> Option<f64>;
type NoneBar<'a> = &'a dyn Fn(&str, &str) -> Option<f64>;

/// % of trials choosing each dose (and none), by design, one panel per truth, the right choice
/// shaded: `dose(truth, design, level)` and `none(truth, design)` give the bars.
pub(super) fn draw_choice(
    t: &DoseFindingTables,
    root: &Area,
    title: &str,
    (dose, none): (DoseBar<'_>, NoneBar<'_>),
    right: &dyn Fn(&str) -> Option<usize>,
) -> Result<(), String> {
    let body = header(root, title, &t.designs, filled)?;
    let mut groups = t.labels.clone();
    groups.push("none".into());
    for (panel, truth) in panels(&body, t.truths.len()).iter().zip(&t.truths) {
        let value = |g: usize, k: usize| {
            if g < t.labels.len() {
                dose(truth, &t.designs[k], g + 1)
            } else {
                none(truth, &t.designs[k])
            }
        };
        grouped_bars(
            panel,
            truth,
            &groups,
            t.designs.len(),
            100.0,
            "% of trials",
            value,
            right(truth),
            None,
        )?;
    }
    Ok(())
}

fn draw_selection(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    draw_choice(
        t,
        root,
        "Selection as MTD, % of trials (grey band: the correct decision)",
        (
            &|truth, design, level| t.row(truth, design, level).map(|r| r.selected_pct),
            &|truth, design| t.summary_row(truth, design).map(|s| s.stopped_pct),
        ),
        &|truth| correct_group(t, truth),
    )
}

/// Patients per dose per trial, by design, one panel per truth, on a common scale: the bar
/// from `bar(row)`, an optional whisker up to all patients treated, the correct MTD shaded when
/// `shade` is set.
pub(super) fn draw_patients_by_dose(
    t: &DoseFindingTables,
    root: &Area,
    title: &str,
    bar: fn(&ByDose) -> Option<f64>,
    (whisker, shade): (bool, bool),
) -> Result<(), String> {
    let body = header(root, title, &t.designs, filled)?;
    let max = t.by_dose.iter().map(|r| r.patients_mean).fold(0.0, f64::max).max(1.0) * 1.1;
    for (panel, truth) in panels(&body, t.truths.len()).iter().zip(&t.truths) {
        let value = |g: usize, k: usize| t.row(truth, &t.designs[k], g + 1).and_then(bar);
        let all = |g: usize, k: usize| t.row(truth, &t.designs[k], g + 1).map(|r| r.patients_mean);
        let correct = correct_group(t, truth).filter(|&g| shade && g < t.labels.len());
        grouped_bars(
            panel,
            truth,
            &t.labels,
            t.designs.len(),
            max,
            "patients",
            value,
            correct,
            whisker.then_some(&all as &dyn Fn(usize, usize) -> Option<f64>),
        )?;
    }
    Ok(())
}

fn draw_patients(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    draw_patients_by_dose(
        t,
        root,
        "Mean patients treated per dose per trial",
        |r| Some(r.patients_mean),
        (false, true),
    )
}

fn draw_summary(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    let body = header(root, "Operating characteristics across truths", &t.designs, filled)?;
    let max_n = t.summary.iter().map(|s| s.patients_mean).fold(0.0, f64::max).max(1.0) * 1.1;
    type Metric = (&'static str, &'static str, fn(&Summary) -> f64);
    let metrics: [Metric; 4] = [
        ("Correct decision", "% of trials", |s| s.correct_pct),
        ("Selecting above the correct dose", "% of trials", |s| {
            s.overdose_selection_pct
        }),
        ("Stopped without an MTD", "% of trials", |s| s.stopped_pct),
        ("Mean sample size", "patients", |s| s.patients_mean),
    ];
    for (panel, (title, unit, metric)) in panels(&body, 4).iter().zip(metrics) {
        let y_max = if unit == "patients" { max_n } else { 100.0 };
        let value = |g: usize, k: usize| t.summary_row(&t.truths[g], &t.designs[k]).map(metric);
        grouped_bars(panel, title, &t.truths, t.designs.len(), y_max, unit, value, None, None)?;
    }
    Ok(())
}
