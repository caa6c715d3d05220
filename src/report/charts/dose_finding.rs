//! The charts of a dose-finding run: the true dose-toxicity curves, selection and allocation by
//! dose for every truth, and a summary across truths.

use super::calendar::{draw_durations, draw_regimens, draw_rp2d, CALENDAR_CHARTS};
use super::obd::{draw_obd, ObdTables, OBD_CHART};
use super::{
    colour, design_fills, filled, grouped_bars, header, panels, push_unique, register_font, render_png, text_style,
    Area, ChartError, FontScope,
};
use crate::results::cells::Choice;
use crate::results::{read_rows, OcByDoseRow, Row, SummaryRow};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// A dose-finding run's tables, as the charts need them.
#[derive(Clone, Debug, PartialEq)]
pub struct DoseFindingTables {
    /// The doses' labels, lowest first.
    pub(super) labels: Vec<String>,
    /// The truths, in first-seen order.
    pub(super) truths: Vec<String>,
    /// The designs, in first-seen order.
    pub(super) designs: Vec<String>,
    /// The rows of `oc_by_dose.csv`.
    pub(super) by_dose: Vec<OcByDoseRow>,
    /// The rows of `summary.csv`.
    pub(super) summary: Vec<SummaryRow>,
    /// The dose-optimization tables, when the run has phase I/II designs.
    pub(super) obd: Option<ObdTables>,
}

impl DoseFindingTables {
    /// Reads `oc_by_dose.csv` and `summary.csv` (and `obd_by_dose.csv` and `obd_summary.csv`,
    /// when written) from a run folder.
    pub fn read(dir: &Path) -> Result<DoseFindingTables, ChartError> {
        let by_dose_path = dir.join(OcByDoseRow::FILE);
        let by_dose: Vec<OcByDoseRow> = read_rows(&by_dose_path)?;
        let summary: Vec<SummaryRow> = read_rows(&dir.join(SummaryRow::FILE))?;
        let (mut labels, mut truths, mut designs) = (Vec::new(), Vec::new(), Vec::new());
        for row in &by_dose {
            let dose = row.oc.dose;
            if dose == 0 {
                return Err(ChartError::Read {
                    path: by_dose_path,
                    message: "dose levels start at 1".into(),
                });
            }
            if labels.len() < dose {
                labels.resize(dose, String::new());
            }
            labels[dose - 1] = row.oc.label.clone();
            push_unique(&mut truths, &row.oc.truth);
            push_unique(&mut designs, &row.oc.design);
        }
        if by_dose.is_empty() || summary.is_empty() {
            return Err(ChartError::Read {
                path: dir.to_path_buf(),
                message: "the tables have no rows".into(),
            });
        }
        Ok(DoseFindingTables {
            labels,
            truths,
            designs,
            by_dose,
            summary,
            obd: ObdTables::read(dir)?,
        })
    }

    pub(super) fn row(&self, truth: &str, design: &str, dose: usize) -> Option<&OcByDoseRow> {
        self.by_dose
            .iter()
            .find(|r| r.oc.truth == truth && r.oc.design == design && r.oc.dose == dose)
    }

    pub(super) fn summary_row(&self, truth: &str, design: &str) -> Option<&SummaryRow> {
        self.summary
            .iter()
            .find(|r| r.lead.truth == truth && r.lead.design == design)
    }
}

/// The median and 90th percentile of a calendar-time row's duration.
pub(super) fn duration(s: &SummaryRow) -> Option<(f64, f64)> {
    s.calendar
        .duration_median
        .zip(s.calendar.duration_p90)
        .map(|(m, q)| (m.0, q.0))
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
        self.summary.iter().any(|s| duration(s).is_some())
    }

    /// The charts these tables draw, with one line each on what they show: every dose-finding
    /// chart, then, in calendar time, the durations, the RP2D (when the tables have its
    /// columns) and the regimens (when they have the step-up columns); last, with phase I/II
    /// designs, the OBD selection.
    pub fn charts(&self) -> Vec<(&'static str, &'static str)> {
        let mut charts = DOSE_FINDING_CHARTS.to_vec();
        if self.has_durations() {
            let rp2d = self.by_dose.iter().any(|r| r.calendar.rp2d_pct.is_some());
            let step_up = self.by_dose.iter().any(|r| r.calendar.step_up_patients_mean.is_some());
            let [durations, rp2d_chart, regimens] = CALENDAR_CHARTS;
            charts.push(durations);
            charts.extend(rp2d.then_some(rp2d_chart));
            charts.extend(step_up.then_some(regimens));
        }
        charts.extend(self.obd.is_some().then_some(OBD_CHART));
        charts
    }
}

/// Draws every chart of [`DoseFindingTables::charts`] into `dir`; returns the files written.
pub fn render_dose_finding(tables: &DoseFindingTables, dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    register_font();
    let _font = FontScope::for_folder(dir);
    let mut written = Vec::new();
    for (file, _) in tables.charts() {
        let draw: fn(&DoseFindingTables, &DrawingArea<BitMapBackend, Shift>) -> Result<(), String> = match file {
            "true_dlt.png" => draw_true_curves,
            "selection.png" => draw_selection,
            "patients.png" => draw_patients,
            "summary.png" => draw_summary,
            "duration.png" => draw_durations,
            "rp2d.png" => draw_rp2d,
            "obd.png" => draw_obd,
            _ => draw_regimens,
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
    let max = t.by_dose.iter().map(|r| r.oc.true_dlt.0).fold(0.0, f64::max).max(0.05);
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
            .filter_map(|d| t.row(truth, design, d).map(|r| (d as f64, r.oc.true_dlt.0)))
            .collect();
        let style = colour(i).stroke_width(4);
        chart.draw_series(LineSeries::new(points.clone(), style)).map_err(e)?;
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 7, colour(i).filled())))
            .map_err(e)?;
    }
    if let Some(target) = t.summary.first().map(|s| s.details.target.0) {
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
    match t
        .summary
        .iter()
        .find(|s| s.lead.truth == truth)?
        .details
        .correct_decision
    {
        Choice::Stop => Some(t.labels.len()),
        Choice::Level(level) => Some(level - 1),
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
    let body = header(root, title, &t.designs, design_fills(&t.designs))?;
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
            &t.designs,
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
            &|truth, design, level| t.row(truth, design, level).map(|r| r.oc.selected_pct.0),
            &|truth, design| t.summary_row(truth, design).map(|s| s.lead.stopped_early_pct.0),
        ),
        &|truth| correct_group(t, truth),
    )
}

/// The top of a patients axis: the largest of `means` (at least one patient) with 10% headroom.
fn patients_axis_top(means: impl Iterator<Item = f64>) -> f64 {
    means.fold(0.0, f64::max).max(1.0) * 1.1
}

/// Patients per dose per trial, by design, one panel per truth, on a common scale: the bar
/// from `bar(row)`, an optional whisker up to all patients treated, the correct MTD shaded when
/// `shade` is set.
pub(super) fn draw_patients_by_dose(
    t: &DoseFindingTables,
    root: &Area,
    title: &str,
    bar: fn(&OcByDoseRow) -> Option<f64>,
    (whisker, shade): (bool, bool),
) -> Result<(), String> {
    let body = header(root, title, &t.designs, design_fills(&t.designs))?;
    let max = patients_axis_top(t.by_dose.iter().map(|r| r.oc.patients_mean.0));
    for (panel, truth) in panels(&body, t.truths.len()).iter().zip(&t.truths) {
        let value = |g: usize, k: usize| t.row(truth, &t.designs[k], g + 1).and_then(bar);
        let all = |g: usize, k: usize| t.row(truth, &t.designs[k], g + 1).map(|r| r.oc.patients_mean.0);
        let correct = correct_group(t, truth).filter(|&g| shade && g < t.labels.len());
        grouped_bars(
            panel,
            truth,
            &t.labels,
            &t.designs,
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
        |r| Some(r.oc.patients_mean.0),
        (false, true),
    )
}

fn draw_summary(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    let body = header(
        root,
        "Operating characteristics across truths",
        &t.designs,
        design_fills(&t.designs),
    )?;
    let max_n = patients_axis_top(t.summary.iter().map(|s| s.lead.patients_mean.0));
    type Metric = (&'static str, &'static str, fn(&SummaryRow) -> f64);
    let metrics: [Metric; 4] = [
        ("Correct decision", "% of trials", |s| s.lead.correct_selection_pct.0),
        ("Selecting above the correct dose", "% of trials", |s| {
            s.lead.overdose_selection_pct.0
        }),
        ("Stopped without an MTD", "% of trials", |s| s.lead.stopped_early_pct.0),
        ("Mean sample size", "patients", |s| s.lead.patients_mean.0),
    ];
    for (panel, (title, unit, metric)) in panels(&body, 4).iter().zip(metrics) {
        let y_max = if unit == "patients" { max_n } else { 100.0 };
        let value = |g: usize, k: usize| t.summary_row(&t.truths[g], &t.designs[k]).map(metric);
        grouped_bars(panel, title, &t.truths, &t.designs, y_max, unit, value, None, None)?;
    }
    Ok(())
}
