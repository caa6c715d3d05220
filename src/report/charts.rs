//! PNG charts of a dose-finding run, drawn from the run's CSV tables only (so `trialsim plot DIR`
//! can redraw them later): the true dose-toxicity curves, selection and allocation by dose for
//! every truth, and a summary across truths. 1600 × 1000 pixels, the Okabe–Ito colour-blind-safe
//! palette, and a bundled font (DejaVu Sans), so no system font library is needed.

use super::write_atomic;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Chart size in pixels.
pub const SIZE: (u32, u32) = (1600, 1000);

/// Okabe & Ito (2008) colours, grey and black, then four of Paul Tol's colour-blind-safe
/// "muted" colours (wine, teal, olive, indigo) for up to fourteen series.
pub(crate) const PALETTE: [RGBColor; 14] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
    RGBColor(120, 120, 120),
    RGBColor(0, 0, 0),
    RGBColor(170, 170, 170),
    RGBColor(136, 34, 85),
    RGBColor(68, 170, 153),
    RGBColor(153, 153, 51),
    RGBColor(51, 34, 136),
];

pub(crate) const FONT: &str = "sans-serif";

pub(crate) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Registers the bundled font once per process.
pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let font: &'static [u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        if plotters::style::register_font(FONT, FontStyle::Normal, font).is_err() {
            panic!("the bundled font is a valid TrueType font");
        }
    });
}

/// A problem reading tables or writing charts.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("cannot draw {file}: {message}")]
    Draw { file: String, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One row of `oc_by_dose.csv`.
#[derive(Clone, Debug, PartialEq)]
struct ByDose {
    truth: String,
    design: String,
    dose: usize,
    true_dlt: f64,
    selected_pct: f64,
    patients_mean: f64,
    /// Calendar-time runs: % choosing the dose as RP2D, whether it is the right RP2D, and mean
    /// patients given step-up dosing there.
    rp2d_pct: Option<f64>,
    correct_rp2d: bool,
    step_up_patients_mean: Option<f64>,
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, PartialEq)]
struct Summary {
    truth: String,
    design: String,
    correct_decision: String,
    correct_pct: f64,
    stopped_pct: f64,
    patients_mean: f64,
    overdose_selection_pct: f64,
    target: Option<f64>,
    /// Median and 90th percentile of the duration (months), for calendar-time runs.
    duration: Option<(f64, f64)>,
    /// % of trials choosing no RP2D, and whether that is right (calendar-time runs).
    rp2d_none_pct: Option<f64>,
    stopping_is_right_rp2d: bool,
}

/// A dose-finding run's tables, as the charts need them.
#[derive(Clone, Debug, PartialEq)]
pub struct DoseFindingTables {
    labels: Vec<String>,
    truths: Vec<String>,
    designs: Vec<String>,
    by_dose: Vec<ByDose>,
    summary: Vec<Summary>,
}

/// Reads a CSV into records keyed by header name (columns may be added; order does not matter).
pub(crate) fn read_csv(path: &Path) -> Result<Vec<BTreeMap<String, String>>, ChartError> {
    let error = |message: String| ChartError::Read {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| error(e.to_string()))?;
    let headers = reader.headers().map_err(|e| error(e.to_string()))?.clone();
    reader
        .records()
        .map(|r| {
            let r = r.map_err(|e| error(e.to_string()))?;
            Ok(headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect())
        })
        .collect()
}

/// A column's value, parsed.
pub(crate) fn field<T: std::str::FromStr>(
    path: &Path,
    row: &BTreeMap<String, String>,
    name: &str,
) -> Result<T, ChartError> {
    row.get(name)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ChartError::Read {
            path: path.to_path_buf(),
            message: format!("column `{name}` is missing or not a number"),
        })
}

/// Keeps first-seen order.
pub(crate) fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
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

    fn row(&self, truth: &str, design: &str, dose: usize) -> Option<&ByDose> {
        self.by_dose
            .iter()
            .find(|r| r.truth == truth && r.design == design && r.dose == dose)
    }

    fn summary_row(&self, truth: &str, design: &str) -> Option<&Summary> {
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

/// The charts of a calendar-time run.
pub const CALENDAR_CHARTS: [(&str, &str); 3] = [
    ("duration.png", "trial duration (months from the first participant to the last DLT window's close, expansion included): median (bar) and 90th percentile (whisker), by design, for each truth."),
    ("rp2d.png", "% of trials choosing each dose as RP2D (and none), by design, one panel per truth; the right RP2D is marked."),
    ("regimen.png", "mean patients per trial given step-up dosing at each dose (bar) and treated there in all (whisker), by design, one panel per truth."),
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

/// Renders into memory with `draw`, then writes the PNG atomically.
pub(crate) fn render_png(
    dir: &Path,
    file: &str,
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
) -> Result<PathBuf, ChartError> {
    let draw_error = |message: String| ChartError::Draw {
        file: file.to_string(),
        message,
    };
    let (w, h) = SIZE;
    let mut pixels = vec![255u8; (w * h * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
        area.fill(&WHITE).map_err(|e| draw_error(e.to_string()))?;
        draw(&area).map_err(draw_error)?;
        area.present().map_err(|e| draw_error(e.to_string()))?;
    }
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| draw_error(e.to_string()))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| draw_error(e.to_string()))?;
    }
    let path = dir.join(file);
    write_atomic(&path, &bytes).map_err(|source| ChartError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

pub(crate) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

pub(crate) fn text_style(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// A title line and a legend of `names` (wrapping), at the top of `area`; returns the rest.
pub(crate) fn header<'a>(
    area: &Area<'a>,
    title: &str,
    names: &[String],
    marker: impl Fn(usize) -> ShapeStyle,
) -> Result<Area<'a>, String> {
    let (w, _) = area.dim_in_pixel();
    // About 0.6 em per character at 22 px, plus the swatch and a gap.
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(1).min(32);
    let column = (longest * 13 + 60).max(150);
    let per_row = ((w as usize - 40) / column).max(1);
    let legend_rows = names.len().div_ceil(per_row);
    let height = 60 + 34 * legend_rows as u32 + 10;
    let (top, rest) = area.split_vertically(height);
    top.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 12),
        text_style(34).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(|e| e.to_string())?;
    for (i, name) in names.iter().enumerate() {
        let (row, col) = (i / per_row, i % per_row);
        let x = 30 + (col * column) as i32;
        let y = 62 + row as i32 * 34;
        top.draw(&Rectangle::new([(x, y + 4), (x + 22, y + 24)], marker(i)))
            .map_err(|e| e.to_string())?;
        let shown: String = name.chars().take(32).collect();
        top.draw(&Text::new(shown, (x + 30, y + 4), text_style(22)))
            .map_err(|e| e.to_string())?;
    }
    Ok(rest)
}

pub(crate) fn filled(i: usize) -> ShapeStyle {
    colour(i).filled()
}

/// Panels for `n` items in a near-square grid.
pub(crate) fn panels<'a>(area: &Area<'a>, n: usize) -> Vec<Area<'a>> {
    let cols = (n as f64).sqrt().ceil().max(1.0) as usize;
    let rows = n.div_ceil(cols);
    area.split_evenly((rows, cols)).into_iter().take(n).collect()
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

/// Grouped bars in one panel: `groups` labels on x, one bar per design in each group.
#[allow(clippy::too_many_arguments)]
pub(crate) fn grouped_bars(
    area: &Area,
    title: &str,
    groups: &[String],
    designs: usize,
    y_max: f64,
    y_desc: &str,
    value: impl Fn(usize, usize) -> Option<f64>,
    highlight: Option<usize>,
    whisker: Option<&dyn Fn(usize, usize) -> Option<f64>>,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let n = groups.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, text_style(26))
        .margin(12)
        .x_label_area_size(56)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n as f64, 0f64..y_max)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc(y_desc)
        .label_style(text_style(18))
        .axis_desc_style(text_style(20))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    if let Some(g) = highlight {
        let band = RGBColor(225, 225, 225).filled();
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(g as f64, 0.0), (g as f64 + 1.0, y_max)],
                band,
            )))
            .map_err(e)?;
    }
    let width = 0.84 / designs as f64;
    for (g, _) in groups.iter().enumerate() {
        let bars = (0..designs).filter_map(|k| {
            value(g, k).map(|v| {
                let x0 = g as f64 + 0.08 + k as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width * 0.92, v.min(y_max))], colour(k).filled())
            })
        });
        chart.draw_series(bars).map_err(e)?;
        if let Some(whisker) = whisker {
            // A vertical line from the bar's top to the whisker's end, capped.
            let lines = (0..designs).filter_map(|k| {
                let (top, end) = (value(g, k)?, whisker(g, k)?);
                let x = g as f64 + 0.08 + (k as f64 + 0.46) * width;
                Some(PathElement::new(
                    vec![(x, top.min(y_max)), (x, end.min(y_max))],
                    BLACK.stroke_width(2),
                ))
            });
            chart.draw_series(lines).map_err(e)?;
            let caps = (0..designs).filter_map(|k| {
                let end = whisker(g, k)?.min(y_max);
                let x = g as f64 + 0.08 + (k as f64 + 0.46) * width;
                Some(PathElement::new(
                    vec![(x - width * 0.25, end), (x + width * 0.25, end)],
                    BLACK.stroke_width(2),
                ))
            });
            chart.draw_series(caps).map_err(e)?;
        }
    }
    // Group labels under the axis, centred on each group, wrapped to the group's width.
    let (left, _) = chart.backend_coord(&(0.0, 0.0));
    let (right, _) = chart.backend_coord(&(1.0, 0.0));
    let fits = ((right - left) as f64 / (18.0 * 0.6)).floor().max(3.0) as usize;
    let (base_x, base_y) = area.get_base_pixel();
    for (g, label) in groups.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(g as f64 + 0.5, 0.0));
        for (line, text) in wrap(label, fits).into_iter().take(2).enumerate() {
            let at = (x - base_x, y - base_y + 6 + 20 * line as i32);
            area.draw(&Text::new(
                text,
                at,
                text_style(18).pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(e)?;
        }
    }
    Ok(())
}

/// Splits `label` into lines of at most `width` characters, at spaces or, inside longer words,
/// after hyphens (cutting what still does not fit).
pub(crate) fn wrap(label: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in label.split_whitespace() {
        let mut joiner = " ";
        for piece in word.split_inclusive('-') {
            let piece: String = piece.chars().take(width).collect();
            match lines.last_mut() {
                Some(line) if line.chars().count() + joiner.len() + piece.chars().count() <= width => {
                    line.push_str(joiner);
                    line.push_str(&piece);
                }
                _ => lines.push(piece),
            }
            joiner = "";
        }
    }
    lines
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
fn draw_choice(
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
fn draw_patients_by_dose(
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

fn draw_rp2d(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    let right = |truth: &str| {
        (0..t.labels.len())
            .find(|&g| {
                t.by_dose
                    .iter()
                    .any(|r| r.truth == truth && r.dose == g + 1 && r.correct_rp2d)
            })
            .or_else(|| {
                t.summary
                    .iter()
                    .any(|s| s.truth == truth && s.stopping_is_right_rp2d)
                    .then_some(t.labels.len())
            })
    };
    draw_choice(
        t,
        root,
        "Choice of RP2D, % of trials (grey band: the right RP2D)",
        (
            &|truth, design, level| t.row(truth, design, level).and_then(|r| r.rp2d_pct),
            &|truth, design| t.summary_row(truth, design).and_then(|s| s.rp2d_none_pct),
        ),
        &right,
    )
}

fn draw_regimens(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    draw_patients_by_dose(
        t,
        root,
        "Patients per trial given step-up dosing (bar) and in all (whisker), per dose",
        |r| r.step_up_patients_mean,
        (true, false),
    )
}

fn draw_durations(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    let body = header(
        root,
        "Trial duration: median (bar) and 90th percentile (whisker)",
        &t.designs,
        filled,
    )?;
    let max = t
        .summary
        .iter()
        .filter_map(|s| s.duration.map(|d| d.1))
        .fold(1.0, f64::max)
        * 1.1;
    let median = |g: usize, k: usize| {
        t.summary_row(&t.truths[g], &t.designs[k])
            .and_then(|s| s.duration.map(|d| d.0))
    };
    let p90 = |g: usize, k: usize| {
        t.summary_row(&t.truths[g], &t.designs[k])
            .and_then(|s| s.duration.map(|d| d.1))
    };
    let panel = panels(&body, 1).remove(0);
    grouped_bars(
        &panel,
        "",
        &t.truths,
        t.designs.len(),
        max,
        "months",
        median,
        None,
        Some(&p90),
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

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn labels_wrap_at_spaces() {
        assert_eq!(wrap("mtd-middle (DL3)", 12), vec!["mtd-middle", "(DL3)"]);
        assert_eq!(wrap("all-safe", 12), vec!["all-safe"]);
        assert_eq!(wrap("averyveryverylongword", 5), vec!["avery"]);
        assert_eq!(wrap("all-too-toxic", 10), vec!["all-too-", "toxic"]);
    }
}
