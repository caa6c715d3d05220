//! PNG charts of a single-arm (phase 2) run, drawn from the run's CSV tables only (so
//! `trialsim plot DIR` can redraw them later): the probability of a positive result, early stopping
//! and expected sample size against the true ORR (exact, for designs that count responses),
//! example Kaplan–Meier curves of overall survival, and the distribution of the estimated median
//! OS. Same size, palette, font and layout helpers as the dose-finding charts.

use super::charts::{
    colour, field, filled, header, panels, push_unique, read_csv, register_font, render_png, text_style, wrap, Area,
    ChartError,
};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The charts of a single-arm run, with one line each on what they show.
pub const SINGLE_ARM_CHARTS: [(&str, &str); 4] = [
    ("orr_power.png", "probability of declaring the regimen promising against the true ORR, exact, for each design that counts responses, with p0 and p1, the nominal alpha and the target power marked, each design's exact type I error and power, and the simulated truths as hollow circles (time-to-event designs have no ORR curve)."),
    ("orr_stopping.png", "% of trials stopping early for futility and the expected sample size against the true ORR, exact, for each design that counts responses, with the simulated truths as hollow circles."),
    ("km_examples.png", "overall survival in the first 5 simulated trials under each truth (Kaplan–Meier, all patients at the final analysis) over the truth's OS curve and the historical control curve, one panel per truth."),
    ("median_os.png", "distribution of the estimated median OS (Kaplan–Meier, all patients at the final analysis) across simulated trials, one panel per truth, with the true and historical medians marked and the % of trials where the median was not reached."),
];

/// One row of `design_targets.csv`.
#[derive(Clone, Debug, PartialEq)]
struct Target {
    design: String,
    analysis: String,
    endpoint: String,
    p0: Option<f64>,
    p1: Option<f64>,
    alpha: Option<f64>,
    target_power: Option<f64>,
    exact_alpha: Option<f64>,
    exact_power: Option<f64>,
    null_median: Option<f64>,
    landmark_time: Option<f64>,
    null_rate: Option<f64>,
    toxicity: bool,
}

/// One row of `orr_curve.csv`.
#[derive(Clone, Debug, PartialEq)]
struct CurvePoint {
    design: String,
    orr: f64,
    promising_pct: f64,
    early_stop_pct: f64,
    patients_mean: f64,
}

/// The columns of the single-arm `summary.csv` the charts use.
#[derive(Clone, Debug, PartialEq)]
struct Simulated {
    truth: String,
    design: String,
    true_orr: f64,
    promising_pct: f64,
    futility_stop_pct: f64,
    patients_mean: f64,
}

/// One row of `km_examples.csv`.
#[derive(Clone, Debug, PartialEq)]
struct KmPoint {
    truth: String,
    curve: String,
    trial: Option<u32>,
    time: f64,
    survival: f64,
}

/// One row of `median_os.csv` (`from`/`to` empty: not reached).
#[derive(Clone, Debug, PartialEq)]
struct MedianBin {
    truth: String,
    from: Option<f64>,
    to: Option<f64>,
    trials_pct: f64,
    true_median: f64,
}

/// A single-arm run's tables, as the charts need them.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmChartTables {
    truths: Vec<String>,
    targets: Vec<Target>,
    curve: Vec<CurvePoint>,
    simulated: Vec<Simulated>,
    km: Vec<KmPoint>,
    medians: Vec<MedianBin>,
}

/// A column that may be empty (`None`); anything else must parse.
fn optional<T: std::str::FromStr>(
    path: &Path,
    row: &BTreeMap<String, String>,
    name: &str,
) -> Result<Option<T>, ChartError> {
    match row.get(name).map(String::as_str) {
        None | Some("") => Ok(None),
        Some(_) => field(path, row, name).map(Some),
    }
}

fn text(row: &BTreeMap<String, String>, name: &str) -> String {
    row.get(name).cloned().unwrap_or_default()
}

impl SingleArmChartTables {
    /// The tables a folder must hold to be redrawn as a single-arm run.
    pub const FILES: [&'static str; 5] = [
        "summary.csv",
        "orr_curve.csv",
        "design_targets.csv",
        "km_examples.csv",
        "median_os.csv",
    ];

    /// Reads the tables of [`FILES`](Self::FILES) from a run folder.
    pub fn read(dir: &Path) -> Result<SingleArmChartTables, ChartError> {
        let [summary, curve, targets, km, medians] = Self::FILES.map(|f| dir.join(f));
        let mut tables = SingleArmChartTables {
            truths: Vec::new(),
            targets: Vec::new(),
            curve: Vec::new(),
            simulated: Vec::new(),
            km: Vec::new(),
            medians: Vec::new(),
        };
        for row in read_csv(&summary)? {
            let p = &summary;
            push_unique(&mut tables.truths, &text(&row, "truth"));
            tables.simulated.push(Simulated {
                truth: text(&row, "truth"),
                design: text(&row, "design"),
                true_orr: field(p, &row, "true_orr")?,
                promising_pct: field(p, &row, "promising_pct")?,
                futility_stop_pct: field(p, &row, "futility_stop_pct")?,
                patients_mean: field(p, &row, "patients_mean")?,
            });
        }
        for row in read_csv(&targets)? {
            let p = &targets;
            tables.targets.push(Target {
                design: text(&row, "design"),
                analysis: text(&row, "analysis"),
                endpoint: text(&row, "endpoint"),
                p0: optional(p, &row, "p0")?,
                p1: optional(p, &row, "p1")?,
                alpha: optional(p, &row, "alpha")?,
                target_power: optional(p, &row, "target_power")?,
                exact_alpha: optional(p, &row, "exact_alpha")?,
                exact_power: optional(p, &row, "exact_power")?,
                null_median: optional(p, &row, "null_median")?,
                landmark_time: optional(p, &row, "landmark_time")?,
                null_rate: optional(p, &row, "null_rate")?,
                toxicity: text(&row, "toxicity_monitoring") == "true",
            });
        }
        for row in read_csv(&curve)? {
            let p = &curve;
            tables.curve.push(CurvePoint {
                design: text(&row, "design"),
                orr: field(p, &row, "true_orr")?,
                promising_pct: field(p, &row, "promising_pct")?,
                early_stop_pct: field(p, &row, "early_stop_pct")?,
                patients_mean: field(p, &row, "patients_mean")?,
            });
        }
        for row in read_csv(&km)? {
            let p = &km;
            tables.km.push(KmPoint {
                truth: text(&row, "truth"),
                curve: text(&row, "curve"),
                trial: optional(p, &row, "trial")?,
                time: field(p, &row, "time")?,
                survival: field(p, &row, "survival")?,
            });
        }
        for row in read_csv(&medians)? {
            let p = &medians;
            tables.medians.push(MedianBin {
                truth: text(&row, "truth"),
                from: optional(p, &row, "median_from")?,
                to: optional(p, &row, "median_to")?,
                trials_pct: field(p, &row, "trials_pct")?,
                true_median: field(p, &row, "true_median_os")?,
            });
        }
        if tables.truths.is_empty() || tables.targets.is_empty() {
            return Err(ChartError::Read {
                path: dir.to_path_buf(),
                message: "the tables have no rows".into(),
            });
        }
        Ok(tables)
    }

    /// Designs with an ORR curve, in scenario order.
    fn response_designs(&self) -> Vec<&Target> {
        self.targets
            .iter()
            .filter(|t| self.curve.iter().any(|c| c.design == t.design))
            .collect()
    }

    /// Designs without an ORR curve (time-to-event analyses).
    fn other_designs(&self) -> Vec<&Target> {
        self.targets
            .iter()
            .filter(|t| !self.curve.iter().any(|c| c.design == t.design))
            .collect()
    }

    fn curve_of<'s>(&'s self, design: &'s str) -> impl Iterator<Item = &'s CurvePoint> + 's {
        self.curve.iter().filter(move |c| c.design == design)
    }

    /// The ORR range worth showing: where some curve is neither flat at 0 nor at its extreme,
    /// with p0, p1 and the truths' ORRs, padded and rounded to 0.05.
    fn orr_range(&self) -> (f64, f64) {
        let designs = self.response_designs();
        let mut moving: Vec<f64> = self
            .curve
            .iter()
            .filter(|c| {
                let inside = |v: f64| v > 0.5 && v < 99.5;
                inside(c.promising_pct) || inside(c.early_stop_pct)
            })
            .map(|c| c.orr)
            .collect();
        moving.extend(designs.iter().flat_map(|t| [t.p0, t.p1]).flatten());
        moving.extend(
            self.simulated
                .iter()
                .filter(|s| designs.iter().any(|t| t.design == s.design))
                .map(|s| s.true_orr),
        );
        if moving.is_empty() {
            return (0.0, 1.0);
        }
        let lo = moving.iter().copied().fold(1.0, f64::min);
        let hi = moving.iter().copied().fold(0.0, f64::max);
        let lo = ((lo - 0.05) / 0.05).floor().max(0.0) * 0.05;
        let hi = (((hi + 0.05) / 0.05).ceil() * 0.05).min(1.0);
        if hi - lo < 0.1 {
            ((lo - 0.05).max(0.0), (hi + 0.05).min(1.0))
        } else {
            (lo, hi)
        }
    }

    /// The historical median OS (a log-rank design on OS), if any.
    fn historical_median(&self) -> Option<f64> {
        self.targets
            .iter()
            .find(|t| t.analysis == "log-rank" && t.endpoint == "os")
            .and_then(|t| t.null_median)
    }

    /// The historical landmark OS rate (a landmark design on OS), if any.
    fn historical_landmark(&self) -> Option<(f64, f64)> {
        self.targets
            .iter()
            .find(|t| t.analysis == "landmark" && t.endpoint == "os")
            .and_then(|t| t.landmark_time.zip(t.null_rate))
    }
}

/// Draws every single-arm chart into `dir`; returns the files written.
pub fn render_single_arm(tables: &SingleArmChartTables, dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    register_font();
    let mut written = Vec::new();
    for (file, _) in SINGLE_ARM_CHARTS {
        let draw: fn(&SingleArmChartTables, &Area) -> Result<(), String> = match file {
            "orr_power.png" => draw_power,
            "orr_stopping.png" => draw_stopping,
            "km_examples.png" => draw_km,
            _ => draw_medians,
        };
        written.push(render_png(dir, file, |area| draw(tables, area))?);
    }
    Ok(written)
}

/// A chart with numeric axes.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Wrapped note lines at the bottom of `area`, `lines` of them at most; returns the rest.
fn footnote<'a>(area: &Area<'a>, note: &str, lines: usize) -> Result<Area<'a>, String> {
    let (w, h) = area.dim_in_pixel();
    let size = 20;
    let fits = ((w as f64 - 60.0) / (size as f64 * 0.52)) as usize;
    let wrapped = wrap(note, fits);
    let shown = wrapped.len().min(lines);
    let (rest, foot) = area.split_vertically(h - (shown as u32 * 26 + 14));
    for (i, line) in wrapped.into_iter().take(shown).enumerate() {
        foot.draw(&Text::new(line, (30, 4 + 26 * i as i32), text_style(size)))
            .map_err(err)?;
    }
    Ok(rest)
}

/// The note shared by the ORR charts: what the exact curves assume, and what is left out.
fn orr_note(t: &SingleArmChartTables) -> String {
    let monitored = t.response_designs().iter().any(|d| d.toxicity);
    let mut note = if t.response_designs().is_empty() {
        String::new()
    } else {
        format!(
        "Lines: exact (no Monte Carlo error) from each design's response boundaries, every enrolled patient assessed at each look{}. Hollow circles: simulated under the scenario's truths ({}patients enrolled while earlier ones are assessed).",
        if monitored { ", no toxicity monitoring" } else { "" },
        if monitored { "with toxicity monitoring; " } else { "" }
    )
    };
    let others: Vec<String> = t
        .other_designs()
        .iter()
        .map(|d| format!("{} ({} on {})", d.design, d.analysis, d.endpoint.to_uppercase()))
        .collect();
    if !others.is_empty() {
        note.push_str(&format!(
            " No ORR curve for time-to-event designs: {}.",
            others.join(", ")
        ));
        note = note.trim_start().to_string();
    }
    note
}

/// A message in the middle of an area with nothing to plot.
fn nothing_to_plot(area: &Area, message: &str) -> Result<(), String> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        message.to_string(),
        (w as i32 / 2, h as i32 / 2),
        text_style(28).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .map_err(err)
}

/// Distinct values, in first-seen order.
fn distinct(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for v in values {
        if !out.iter().any(|&x| (x - v).abs() < 1e-12) {
            out.push(v);
        }
    }
    out
}

/// Vertical dashed lines at the designs' p0 and p1, labelled at the top of the plot.
fn mark_hypotheses<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    designs: &[&Target],
    y_max: f64,
    label_left: bool,
) -> Result<(), String> {
    let grey = RGBColor(90, 90, 90);
    let p0s = distinct(designs.iter().filter_map(|d| d.p0));
    let p1s = distinct(designs.iter().filter_map(|d| d.p1));
    for (values, name) in [(p0s, "p0"), (p1s, "p1")] {
        for p in values {
            chart
                .draw_series(DashedLineSeries::new(
                    [(p, 0.0), (p, y_max)],
                    10,
                    8,
                    grey.stroke_width(2),
                ))
                .map_err(err)?;
            let (label, side) = if label_left {
                (format!("{name} = {p:.2} "), HPos::Right)
            } else {
                (format!(" {name} = {p:.2}"), HPos::Left)
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (p, y_max * 0.99),
                    text_style(22).color(&grey).pos(Pos::new(side, VPos::Top)),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The header, legend and footnote shared by the ORR charts; `None` (after saying so on the
/// chart) when no design counts responses.
fn orr_chart<'a, 't>(
    t: &'t SingleArmChartTables,
    root: &Area<'a>,
    title: &str,
) -> Result<Option<(Vec<&'t Target>, Area<'a>)>, String> {
    let designs = t.response_designs();
    let names: Vec<String> = designs.iter().map(|d| d.design.clone()).collect();
    let body = header(root, title, &names, filled)?;
    let body = footnote(&body, &orr_note(t), 4)?;
    if designs.is_empty() {
        nothing_to_plot(&body, "No design counts responses: no ORR curve to draw.")?;
        return Ok(None);
    }
    Ok(Some((designs, body)))
}

fn draw_power(t: &SingleArmChartTables, root: &Area) -> Result<(), String> {
    let Some((designs, body)) = orr_chart(t, root, "Probability of declaring the regimen promising, by true ORR")?
    else {
        return Ok(());
    };
    let (lo, hi) = t.orr_range();
    let mut chart = ChartBuilder::on(&body)
        .margin(30)
        .margin_right(50)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(lo..hi, 0f64..100.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(((hi - lo) / 0.05).round() as usize + 1)
        .y_labels(11)
        .x_label_formatter(&|x| format!("{x:.2}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc("True objective response rate (ORR)")
        .y_desc("Declared promising, % of trials")
        .label_style(text_style(22))
        .axis_desc_style(text_style(26))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(228, 228, 228))
        .draw()
        .map_err(err)?;
    // Reference lines: nominal alpha and target power.
    let black = RGBColor(40, 40, 40);
    let alphas = distinct(designs.iter().filter_map(|d| d.alpha));
    let powers = distinct(designs.iter().filter_map(|d| d.target_power));
    let lines = alphas
        .iter()
        .map(|a| (100.0 * a, format!("nominal α = {a}")))
        .chain(powers.iter().map(|p| (100.0 * p, format!("target power = {p}"))));
    for (y, label) in lines {
        chart
            .draw_series(DashedLineSeries::new([(lo, y), (hi, y)], 14, 8, black.stroke_width(2)))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (hi - 0.005 * (hi - lo), y + 1.2),
                text_style(22).pos(Pos::new(HPos::Right, VPos::Bottom)),
            )))
            .map_err(err)?;
    }
    mark_hypotheses(&mut chart, &designs, 100.0, true)?;
    for (k, d) in designs.iter().enumerate() {
        let points: Vec<(f64, f64)> = t.curve_of(&d.design).map(|c| (c.orr, c.promising_pct)).collect();
        chart
            .draw_series(LineSeries::new(points, colour(k).stroke_width(line_width(k))))
            .map_err(err)?;
        let marks = [(d.p0, d.exact_alpha), (d.p1, d.exact_power)];
        let marks = marks.iter().filter_map(|&(p, v)| Some((p?, 100.0 * v?)));
        chart
            .draw_series(marks.map(|p| Circle::new(p, 8, colour(k).filled())))
            .map_err(err)?;
        let simulated = t.simulated.iter().filter(|s| s.design == d.design);
        chart
            .draw_series(simulated.map(|s| Circle::new((s.true_orr, s.promising_pct), 11, colour(k).stroke_width(3))))
            .map_err(err)?;
    }
    label_departures(&mut chart, t, &designs, |c| c.promising_pct, |s| s.promising_pct, 100.0)?;
    // The exact error rates, top left (where power curves are low, so the area is free), below
    // the labels of p0 and p1.
    let mut rows: Vec<(String, RGBColor)> = vec![("Exact at p0 (type I error) and p1 (power):".into(), black)];
    for (k, d) in designs.iter().enumerate() {
        if d.exact_alpha.is_none() && d.exact_power.is_none() {
            continue;
        }
        let value = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
        rows.push((
            format!(
                "{}: α {}, power {}",
                d.design,
                value(d.exact_alpha),
                value(d.exact_power)
            ),
            colour(k),
        ));
    }
    if rows.len() == 1 {
        return Ok(());
    }
    let (x_range, y_range) = chart.plotting_area().get_pixel_range();
    let (base_x, base_y) = body.get_base_pixel();
    let (left, top) = (x_range.start - base_x + 16, y_range.start - base_y + 50);
    let widest = rows.iter().map(|(r, _)| r.chars().count()).max().unwrap_or(0) as i32;
    body.draw(&Rectangle::new(
        [
            (left, top),
            (left + widest * 11 + 24, top + 32 * rows.len() as i32 + 16),
        ],
        WHITE.mix(0.9).filled(),
    ))
    .map_err(err)?;
    for (i, (line, c)) in rows.iter().enumerate() {
        body.draw(&Text::new(
            line.clone(),
            (left + 12, top + 10 + 32 * i as i32),
            text_style(22).color(c),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Stroke widths that keep overlapping curves visible: earlier designs are drawn wider, so a
/// later curve on top of an earlier one leaves its edges showing.
fn line_width(k: usize) -> u32 {
    7u32.saturating_sub(2 * k as u32).max(3)
}

/// Names the truths whose simulated values (hollow circles) depart from the exact curves by more
/// than 8% of the axis (e.g. a truth where toxicity monitoring stops trials), to their right.
fn label_departures<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    t: &SingleArmChartTables,
    designs: &[&Target],
    exact: impl Fn(&CurvePoint) -> f64,
    simulated: impl Fn(&Simulated) -> f64,
    y_max: f64,
) -> Result<(), String> {
    for truth in &t.truths {
        let mut departure: f64 = 0.0;
        let mut values = Vec::new();
        let mut orr = None;
        for d in designs {
            let Some(s) = t.simulated.iter().find(|s| &s.truth == truth && s.design == d.design) else {
                continue;
            };
            let Some(c) = t
                .curve_of(&d.design)
                .min_by(|a, b| (a.orr - s.true_orr).abs().total_cmp(&(b.orr - s.true_orr).abs()))
            else {
                continue;
            };
            departure = departure.max((simulated(s) - exact(c)).abs());
            values.push(simulated(s));
            orr = Some(s.true_orr);
        }
        if let (Some(orr), true) = (orr, departure > 0.08 * y_max) {
            // Centred under the lowest circle (above the highest when too close to the axis),
            // on a white background, two lines.
            let low = values.iter().copied().fold(f64::INFINITY, f64::min);
            let high = values.iter().copied().fold(0.0, f64::max);
            let lines = [truth.clone(), "(simulated)".to_string()];
            let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as i32 * 11 + 12;
            let (anchor, top) =
                if chart.backend_coord(&(orr, low)).1 + 80 < chart.plotting_area().get_pixel_range().1.end {
                    ((orr, low), 16)
                } else {
                    ((orr, high), -16 - 2 * 24)
                };
            let style = text_style(20)
                .color(&RGBColor(60, 60, 60))
                .pos(Pos::new(HPos::Center, VPos::Top));
            let background = Rectangle::new(
                [(-width / 2, top - 2), (width / 2, top + 2 * 24 + 2)],
                WHITE.mix(0.85).filled(),
            );
            let label = EmptyElement::at(anchor)
                + background
                + Text::new(lines[0].clone(), (0, top), style.clone())
                + Text::new(lines[1].clone(), (0, top + 24), style);
            chart.draw_series(std::iter::once(label)).map_err(err)?;
        }
    }
    Ok(())
}

fn draw_stopping(t: &SingleArmChartTables, root: &Area) -> Result<(), String> {
    let Some((designs, body)) = orr_chart(
        t,
        root,
        "Early stopping for futility and expected sample size, by true ORR",
    )?
    else {
        return Ok(());
    };
    let (lo, hi) = t.orr_range();
    let max_n = t
        .curve
        .iter()
        .map(|c| c.patients_mean)
        .chain(t.simulated.iter().map(|s| s.patients_mean))
        .fold(1.0, f64::max);
    let y_max_n = (max_n * 1.1 / 5.0).ceil() * 5.0;
    type Metric = (
        &'static str,
        &'static str,
        fn(&CurvePoint) -> f64,
        fn(&Simulated) -> f64,
    );
    let metrics: [Metric; 2] = [
        (
            "Stopped early for futility",
            "% of trials",
            |c| c.early_stop_pct,
            |s| s.futility_stop_pct,
        ),
        (
            "Expected sample size",
            "patients",
            |c| c.patients_mean,
            |s| s.patients_mean,
        ),
    ];
    for (panel, (title, unit, exact, simulated)) in body.split_evenly((1, 2)).iter().zip(metrics) {
        let y_max = if unit == "patients" { y_max_n } else { 100.0 };
        let mut chart = ChartBuilder::on(panel)
            .caption(title, text_style(28))
            .margin(24)
            .margin_right(44)
            .x_label_area_size(70)
            .y_label_area_size(90)
            .build_cartesian_2d(lo..hi, 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels((((hi - lo) / 0.1).round() as usize + 1).max(3))
            .y_labels(11)
            .x_label_formatter(&|x| format!("{x:.2}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("True objective response rate (ORR)")
            .y_desc(if unit == "patients" {
                "patients (mean per trial)"
            } else {
                unit
            })
            .label_style(text_style(20))
            .axis_desc_style(text_style(24))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(228, 228, 228))
            .draw()
            .map_err(err)?;
        mark_hypotheses(&mut chart, &designs, y_max, false)?;
        for (k, d) in designs.iter().enumerate() {
            let points: Vec<(f64, f64)> = t.curve_of(&d.design).map(|c| (c.orr, exact(c))).collect();
            chart
                .draw_series(LineSeries::new(points, colour(k).stroke_width(line_width(k))))
                .map_err(err)?;
            let points = t.simulated.iter().filter(|s| s.design == d.design);
            chart
                .draw_series(points.map(|s| Circle::new((s.true_orr, simulated(s)), 11, colour(k).stroke_width(3))))
                .map_err(err)?;
        }
        label_departures(&mut chart, t, &designs, exact, simulated, y_max)?;
    }
    Ok(())
}

/// A step curve through `points` (each value holds until the next point's time).
fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut path = Vec::with_capacity(2 * points.len());
    for (i, &(time, survival)) in points.iter().enumerate() {
        if i > 0 {
            path.push((time, points[i - 1].1));
        }
        path.push((time, survival));
    }
    path
}

fn draw_km(t: &SingleArmChartTables, root: &Area) -> Result<(), String> {
    let trials: Vec<u32> = {
        let mut list: Vec<u32> = t.km.iter().filter_map(|k| k.trial).collect();
        list.sort_unstable();
        list.dedup();
        list
    };
    let historical_median = t.historical_median();
    let has_historical = t.km.iter().any(|k| k.curve == "historical");
    let mut names: Vec<String> = trials.iter().map(|n| format!("trial {n}")).collect();
    let true_index = names.len();
    names.push("true OS curve".into());
    if has_historical {
        names.push(match historical_median {
            Some(m) => format!("historical, median {m} mo"),
            None => "historical control".into(),
        });
    }
    let marker = |i: usize| match i.cmp(&true_index) {
        std::cmp::Ordering::Less => colour(i).filled(),
        std::cmp::Ordering::Equal => BLACK.filled(),
        std::cmp::Ordering::Greater => RGBColor(120, 120, 120).filled(),
    };
    let body = header(
        root,
        "Overall survival: Kaplan–Meier curves of simulated trials at the final analysis",
        &names,
        marker,
    )?;
    let mut note = "Each simulated trial: all its patients at the planned final analysis (last entry + follow-up); trial n uses the same patients' random numbers under every truth.".to_string();
    if let Some((time, rate)) = t.historical_landmark() {
        note.push_str(&format!(
            " Grey diamond: the landmark design's historical {time}-month OS rate {rate}."
        ));
    }
    let body = footnote(&body, &note, 2)?;
    let x_max = (t.km.iter().map(|k| k.time).fold(6.0, f64::max) / 6.0).ceil() * 6.0;
    let grey = RGBColor(120, 120, 120);
    for (panel, truth) in panels(&body, t.truths.len()).iter().zip(&t.truths) {
        let mut chart = ChartBuilder::on(panel)
            .caption(truth, text_style(26))
            .margin(14)
            .margin_right(30)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(0f64..x_max, 0f64..1.0)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels((x_max / 6.0) as usize + 1)
            .y_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.1}"))
            .x_desc("Months from entry")
            .y_desc("Overall survival")
            .label_style(text_style(18))
            .axis_desc_style(text_style(20))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(232, 232, 232))
            .draw()
            .map_err(err)?;
        let curve = |kind: &str, truth: &str, trial: Option<u32>| -> Vec<(f64, f64)> {
            t.km.iter()
                .filter(|k| k.curve == kind && k.truth == truth && k.trial == trial)
                .map(|k| (k.time, k.survival))
                .collect()
        };
        for (i, &n) in trials.iter().enumerate() {
            let points = steps(&curve("simulated", truth, Some(n)));
            chart
                .draw_series(LineSeries::new(points, colour(i).stroke_width(2)))
                .map_err(err)?;
        }
        let truth_curve = curve("true", truth, None);
        chart
            .draw_series(LineSeries::new(truth_curve, BLACK.stroke_width(5)))
            .map_err(err)?;
        let historical = curve("historical", "", None);
        if !historical.is_empty() {
            chart
                .draw_series(DashedLineSeries::new(historical, 12, 8, grey.stroke_width(4)))
                .map_err(err)?;
        }
        if let Some((time, rate)) = t.historical_landmark() {
            let diamond = |(x, y): (f64, f64)| {
                EmptyElement::at((x, y)) + Polygon::new(vec![(0, -11), (11, 0), (0, 11), (-11, 0)], grey.filled())
            };
            chart.draw_series(std::iter::once(diamond((time, rate)))).map_err(err)?;
        }
    }
    Ok(())
}

fn draw_medians(t: &SingleArmChartTables, root: &Area) -> Result<(), String> {
    let historical = t.historical_median();
    let mut names = vec![
        "% of trials (half-month bins)".to_string(),
        "true median OS".to_string(),
    ];
    if let Some(m) = historical {
        names.push(format!("historical median ({m} mo)"));
    }
    let marker = |i: usize| match i {
        0 => colour(0).filled(),
        1 => BLACK.filled(),
        _ => RGBColor(120, 120, 120).filled(),
    };
    let body = header(
        root,
        "Estimated median OS at the final analysis, across simulated trials",
        &names,
        marker,
    )?;
    let note = "Kaplan–Meier median OS of all the study's patients at the planned final analysis (last entry + follow-up), in every simulated trial whatever the designs decide; not reached: the curve stays above 0.5.";
    let body = footnote(&body, note, 2)?;
    let reached = t.medians.iter().filter(|m| m.from.is_some());
    let x_lo = reached.clone().filter_map(|m| m.from).fold(f64::INFINITY, f64::min);
    let x_hi = reached.clone().filter_map(|m| m.to).fold(0.0, f64::max);
    let (x_lo, x_hi) = if x_lo.is_finite() {
        let marks = t.medians.iter().map(|m| m.true_median).chain(historical);
        let lo = marks.clone().fold(x_lo, f64::min);
        let hi = marks.fold(x_hi, f64::max);
        (
            ((lo - 1.0) / 2.0).floor().max(0.0) * 2.0,
            ((hi + 1.0) / 2.0).ceil() * 2.0,
        )
    } else {
        (0.0, 24.0)
    };
    let y_max = (t
        .medians
        .iter()
        .filter(|m| m.from.is_some())
        .map(|m| m.trials_pct)
        .fold(1.0, f64::max)
        * 1.3
        / 2.0)
        .ceil()
        * 2.0;
    let grey = RGBColor(120, 120, 120);
    for (panel, truth) in panels(&body, t.truths.len()).iter().zip(&t.truths) {
        let rows: Vec<&MedianBin> = t.medians.iter().filter(|m| &m.truth == truth).collect();
        let true_median = rows.first().map(|m| m.true_median);
        let caption = match true_median {
            Some(m) => format!("{truth} (true median {m} mo)"),
            None => truth.clone(),
        };
        let mut chart = ChartBuilder::on(panel)
            .caption(caption, text_style(26))
            .margin(14)
            .margin_right(30)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(x_lo..x_hi, 0f64..y_max)
            .map_err(err)?;
        let step = if x_hi - x_lo > 30.0 { 4.0 } else { 2.0 };
        chart
            .configure_mesh()
            .x_labels(((x_hi - x_lo) / step) as usize + 1)
            .y_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("Estimated median OS, months")
            .y_desc("% of trials")
            .label_style(text_style(18))
            .axis_desc_style(text_style(20))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(232, 232, 232))
            .draw()
            .map_err(err)?;
        let bars = rows.iter().filter_map(|m| {
            let (from, to) = (m.from?, m.to?);
            Some(Rectangle::new(
                [(from, 0.0), (to, m.trials_pct)],
                colour(0).mix(0.85).filled(),
            ))
        });
        chart.draw_series(bars).map_err(err)?;
        if let Some(m) = true_median {
            chart
                .draw_series(LineSeries::new([(m, 0.0), (m, 0.86 * y_max)], BLACK.stroke_width(4)))
                .map_err(err)?;
        }
        if let Some(m) = historical {
            chart
                .draw_series(DashedLineSeries::new(
                    [(m, 0.0), (m, 0.86 * y_max)],
                    12,
                    8,
                    grey.stroke_width(4),
                ))
                .map_err(err)?;
        }
        let not_reached: f64 = rows.iter().filter(|m| m.from.is_none()).map(|m| m.trials_pct).sum();
        let label = format!("median not reached: {not_reached:.1}% of trials");
        let width = label.chars().count() as i32 * 11 + 8;
        let element = EmptyElement::at((x_hi, y_max))
            + Rectangle::new([(-width - 12, 6), (-6, 38)], WHITE.mix(0.9).filled())
            + Text::new(label, (-12, 10), text_style(20).pos(Pos::new(HPos::Right, VPos::Top)));
        chart.draw_series(std::iter::once(element)).map_err(err)?;
    }
    Ok(())
}

/// Whether `dir` holds a single-arm run's tables (the dose-finding runs have no `orr_curve.csv`
/// nor `sample_size.csv`).
pub fn is_single_arm_run(dir: &Path) -> bool {
    dir.join("orr_curve.csv").is_file() || dir.join("sample_size.csv").is_file()
}

#[cfg(test)]
mod tests {
    use super::{distinct, steps};

    #[test]
    fn step_curves_hold_until_the_next_time() {
        assert_eq!(
            steps(&[(0.0, 1.0), (2.0, 0.5), (3.0, 0.5)]),
            vec![(0.0, 1.0), (2.0, 1.0), (2.0, 0.5), (3.0, 0.5), (3.0, 0.5)]
        );
        assert_eq!(distinct([0.1, 0.1, 0.2]), vec![0.1, 0.2]);
    }
}
