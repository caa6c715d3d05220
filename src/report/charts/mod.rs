//! PNG charts of a run, drawn from the run's CSV tables only (so `trialsim plot DIR` can redraw
//! them later): 1600 × 1000 pixels, the Okabe–Ito colour-blind-safe palette, and a bundled font
//! (DejaVu Sans, or a CJK font for runs with Chinese or Japanese names: [`font`]), so no system font library is needed. This module holds what every chart shares
//! (palette, font, legend header, panels, grouped bars, notes, PNG output); one file per family:
//!
//! - `dose_finding`: true curves, selection and allocation by dose, summary across truths;
//! - `obd`: OBD selection of phase I/II designs (`obd.png`), and their comparison across runs;
//! - `calendar`: durations, RP2D choices and step-up dosing of calendar-time runs;
//! - [`single_arm`]: a single-arm run's tables and charts: `orr` (exact curves against the true
//!   ORR) and `survival` (Kaplan–Meier examples, estimated median OS).
//! - [`pathways`]: the tree of dose-transition pathways (`trialsim pathways`), as SVG and PNG.

use super::colours::{design_colours, DESIGN_PALETTE};
use super::write_atomic;
use crate::results::TableError;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::{Path, PathBuf};

mod calendar;
mod dose_finding;
mod font;
mod obd;
mod orr;
pub mod pathways;
pub mod single_arm;
mod survival;

pub use calendar::CALENDAR_CHARTS;
pub use dose_finding::{render_dose_finding, DoseFindingTables, DOSE_FINDING_CHARTS};
pub(crate) use font::{register_font, FontScope};
pub(crate) use obd::draw_obd_comparison;
pub use obd::{OBD_CHART, OBD_COMPARISON_CHART};

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

/// The colour of series `i` (the palette repeats after fourteen).
pub(crate) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The colour of palette position `i` of the designs' palette ([`crate::report::colours`]).
pub(crate) fn design_rgb(i: usize) -> RGBColor {
    let (r, g, b) = DESIGN_PALETTE[i % DESIGN_PALETTE.len()];
    RGBColor(r, g, b)
}

/// The colours of the designs `names` of one chart, by position: each design's own colour.
pub(crate) fn design_rgbs(names: &[String]) -> Vec<RGBColor> {
    design_colours(names).into_iter().map(design_rgb).collect()
}

/// Filled swatches of the designs `names`, by position, in their own colours.
pub(crate) fn design_fills(names: &[String]) -> impl Fn(usize) -> ShapeStyle {
    let colours = design_rgbs(names);
    move |i| colours[i].filled()
}

/// A problem reading tables or writing charts.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// A table is missing or malformed.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The table (or the run folder).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Drawing a chart failed.
    #[error("cannot draw {file}: {message}")]
    Draw {
        /// The chart's file name.
        file: String,
        /// What failed.
        message: String,
    },
    /// Writing a chart failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The chart's path.
        path: PathBuf,
        /// The error writing it.
        #[source]
        source: std::io::Error,
    },
}

impl From<TableError> for ChartError {
    fn from(e: TableError) -> ChartError {
        ChartError::Read {
            path: e.path,
            message: e.message,
        }
    }
}

/// Keeps first-seen order.
pub(crate) fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_string());
    }
}

/// Renders into memory with `draw`, then writes the PNG atomically.
pub(crate) fn render_png(
    dir: &Path,
    file: &str,
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
) -> Result<PathBuf, ChartError> {
    render_png_sized(dir, file, SIZE, draw)
}

/// [`render_png`] for a picture of `size` pixels.
pub(crate) fn render_png_sized(
    dir: &Path,
    file: &str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
) -> Result<PathBuf, ChartError> {
    let draw_error = |message: String| ChartError::Draw {
        file: file.to_string(),
        message,
    };
    let (w, h) = size;
    let mut pixels = vec![255u8; (w * h * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
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

/// A drawing area of a chart.
pub(crate) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Black text of `size` pixels in the bundled font of the charts being drawn ([`font`]).
pub(crate) fn text_style(size: u32) -> TextStyle<'static> {
    (font::family(), size).into_font().color(&BLACK)
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

/// A filled swatch of series `i`'s colour.
pub(crate) fn filled(i: usize) -> ShapeStyle {
    colour(i).filled()
}

/// A chart's groups by run and truth: `run: truth` for each run's truths in first-seen order,
/// each with the run's position and the truth (`truth(row)` tells a row's truth).
pub(crate) fn run_truth_groups<'a, R: 'a>(
    runs: impl Iterator<Item = (&'a str, &'a [R])>,
    truth: impl Fn(&R) -> &str,
) -> (Vec<String>, Vec<(usize, String)>) {
    let (mut groups, mut cells) = (Vec::new(), Vec::new());
    for (i, (name, rows)) in runs.enumerate() {
        let mut truths = Vec::new();
        for row in rows {
            push_unique(&mut truths, truth(row));
        }
        for t in truths {
            groups.push(format!("{name}: {t}"));
            cells.push((i, t));
        }
    }
    (groups, cells)
}

/// Panels for `n` items in a near-square grid.
pub(crate) fn panels<'a>(area: &Area<'a>, n: usize) -> Vec<Area<'a>> {
    let cols = (n as f64).sqrt().ceil().max(1.0) as usize;
    let rows = n.div_ceil(cols);
    area.split_evenly((rows, cols)).into_iter().take(n).collect()
}

/// Grouped bars in one panel: `groups` labels on x (wrapped, never cut, in as many lines as the
/// longest needs), one bar per design in each group, each in the design's own colour.
#[allow(clippy::too_many_arguments)]
pub(crate) fn grouped_bars(
    area: &Area,
    title: &str,
    groups: &[String],
    design_names: &[String],
    y_max: f64,
    y_desc: &str,
    value: impl Fn(usize, usize) -> Option<f64>,
    highlight: Option<usize>,
    whisker: Option<&dyn Fn(usize, usize) -> Option<f64>>,
) -> Result<(), String> {
    let colours = design_rgbs(design_names);
    let y = (y_max, y_desc);
    coloured_bars(area, title, groups, &colours, y, value, highlight, whisker)
}

/// [`grouped_bars`] with one bar per colour of `colours` in each group (a panel of some of a
/// chart's designs, in the colours the chart gives them); `y` is the axis' top and name.
#[allow(clippy::too_many_arguments)]
pub(crate) fn coloured_bars(
    area: &Area,
    title: &str,
    groups: &[String],
    colours: &[RGBColor],
    (y_max, y_desc): (f64, &str),
    value: impl Fn(usize, usize) -> Option<f64>,
    highlight: Option<usize>,
    whisker: Option<&dyn Fn(usize, usize) -> Option<f64>>,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let n = groups.len();
    let designs = colours.len();
    // Group labels wrapped to a group's width (about 0.6 em a column): at 18 px, or smaller (down
    // to 10 px) while a label would need more than four lines.
    let (w, _) = area.dim_in_pixel();
    let group_px = (f64::from(w) - 70.0 - 24.0) / n.max(1) as f64;
    let layout = |size: u32| {
        let fits = (group_px / (f64::from(size) * 0.6)).floor().max(3.0) as usize;
        let wrapped: Vec<Vec<String>> = groups.iter().map(|g| wrap(g, fits)).collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        (size, wrapped, lines)
    };
    let (label_size, wrapped, lines) = (10..=18)
        .rev()
        .map(layout)
        .find(|(_, _, lines)| *lines <= 4)
        .unwrap_or_else(|| layout(10));
    let line_px = label_size + 2;
    let mut chart = ChartBuilder::on(area)
        .caption(title, text_style(26))
        .margin(12)
        .x_label_area_size(16 + line_px * lines as u32)
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
                Rectangle::new([(x0, 0.0), (x0 + width * 0.92, v.min(y_max))], colours[k].filled())
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
    // Group labels under the axis, centred on each group, every line shown.
    let (base_x, base_y) = area.get_base_pixel();
    for (g, label) in wrapped.into_iter().enumerate() {
        let (x, y) = chart.backend_coord(&(g as f64 + 0.5, 0.0));
        for (line, text) in label.into_iter().enumerate() {
            let at = (x - base_x, y - base_y + 6 + (line_px * line as u32) as i32);
            area.draw(&Text::new(
                text,
                at,
                text_style(label_size).pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(e)?;
        }
    }
    Ok(())
}

pub(crate) use super::html::svg::wrap;

/// A chart with numeric axes.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A drawing error as a message.
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

#[cfg(test)]
mod tests {
    use super::wrap;

    /// Issue 16: sweep compare charts cut x labels ("qls41 / point"): every character stays.
    #[test]
    fn labels_wrap_at_spaces_and_are_never_cut() {
        assert_eq!(wrap("mtd-middle (DL3)", 12), vec!["mtd-middle", "(DL3)"]);
        assert_eq!(wrap("all-safe", 12), vec!["all-safe"]);
        assert_eq!(wrap("averyveryverylongword", 8), vec!["averyver", "yverylon", "gword"]);
        let label = "qls4131_sweep point 2: target=0.2, max_patients=36";
        let lines = wrap(label, 10);
        assert!(lines.iter().all(|l| l.chars().count() <= 10), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), label.replace(' ', ""));
    }
}
