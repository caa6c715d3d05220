//! Grouped bar charts for the HTML report, as geometry the template draws as inline SVG: bars in
//! each design's colour ([`crate::report::colours`]), 95% whiskers (± 1.96 SE) on simulated bars,
//! group labels wrapped (never cut) under the axis. Text is left to the reader's fonts (the
//! template names a CSS font stack), so any script, CJK and emoji included, is drawn by the
//! browser rather than from a bundled font.

use crate::report::colours::css;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

/// Width of a chart, in SVG user units (CSS pixels at 100%).
const WIDTH: f64 = 720.0;
/// Height of the plotting area.
const PLOT_HEIGHT: f64 = 220.0;
/// Left margin (y axis labels), right margin and top margin.
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 26.0;
/// Largest font size of group labels; a column of text is about 0.6 em wide (CJK two columns).
const LABEL_SIZE: f64 = 11.0;

/// One bar.
#[derive(Clone, Debug, Serialize)]
pub struct Bar {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    colour: String,
    /// A tooltip: design, group and value.
    title: String,
}

/// A whisker from `y1` to `y2` at `x`.
#[derive(Clone, Debug, Serialize)]
pub struct Whisker {
    x: f64,
    y1: f64,
    y2: f64,
    cap: f64,
}

/// A text at a position.
#[derive(Clone, Debug, Serialize)]
pub struct Label {
    x: f64,
    y: f64,
    text: String,
}

/// A legend entry: a swatch at (`x`, `y`) and the series' name after it.
#[derive(Clone, Debug, Serialize)]
pub struct LegendEntry {
    x: f64,
    y: f64,
    colour: String,
    name: String,
}

/// A group's label: its lines, centred at `x`.
#[derive(Clone, Debug, Serialize)]
pub struct GroupLabel {
    x: f64,
    lines: Vec<Label>,
}

/// A grouped bar chart, laid out.
#[derive(Clone, Debug, Serialize)]
pub struct BarChart {
    /// The chart's title.
    title: String,
    width: f64,
    height: f64,
    /// The plotting area: left, top, right, bottom.
    plot: [f64; 4],
    y_ticks: Vec<Label>,
    y_label: String,
    /// Font size of the group labels.
    label_size: f64,
    /// The series' legend, under the title.
    legend: Vec<LegendEntry>,
    /// A shaded group (the correct dose), as x and width.
    highlight: Option<[f64; 2]>,
    bars: Vec<Bar>,
    whiskers: Vec<Whisker>,
    groups: Vec<GroupLabel>,
}

/// A bar's value and, when simulated, its standard error.
pub type BarValue = Option<(f64, Option<f64>)>;

/// What a bar chart shows: groups on x, one bar per series (design) in each.
pub struct BarData<'a> {
    /// The chart's title.
    pub title: String,
    /// The y axis label.
    pub y_label: &'a str,
    /// The top of the y axis.
    pub y_max: f64,
    /// The groups' labels.
    pub groups: Vec<String>,
    /// The series' names and palette positions.
    pub series: Vec<(String, usize)>,
    /// The value of series `k` in group `g`, and its standard error when simulated.
    pub value: &'a dyn Fn(usize, usize) -> BarValue,
    /// The group to shade.
    pub highlight: Option<usize>,
}

/// Display width of `text` in columns (East Asian wide characters count two).
pub fn columns(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Splits `label` into lines of at most `width` columns, at spaces, and inside a longer word
/// between characters; nothing is cut.
pub fn wrap(label: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in label.split_whitespace() {
        let mut pieces = Vec::new();
        let mut piece = String::new();
        for c in word.chars() {
            let mut next = piece.clone();
            next.push(c);
            if columns(&next) > width && !piece.is_empty() {
                pieces.push(std::mem::take(&mut piece));
            }
            piece.push(c);
        }
        pieces.push(piece);
        for piece in pieces {
            if current.is_empty() {
                current = piece;
            } else if columns(&current) + 1 + columns(&piece) <= width {
                current.push(' ');
                current.push_str(&piece);
            } else {
                lines.push(std::mem::replace(&mut current, piece));
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// A y axis step giving about five ticks up to `max`.
fn step(max: f64) -> f64 {
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
}

impl BarChart {
    /// Lays out `data`.
    pub fn new(data: &BarData) -> BarChart {
        let n = data.groups.len().max(1);
        let group_w = (WIDTH - LEFT - RIGHT) / n as f64;
        // Legend rows under the title: entries laid out left to right, wrapping.
        let mut legend = Vec::new();
        let (mut x, mut row) = (LEFT, 0.0);
        for (name, colour) in &data.series {
            let w = 22.0 + 6.2 * columns(name) as f64;
            if x + w > WIDTH - RIGHT && x > LEFT {
                x = LEFT;
                row += 1.0;
            }
            legend.push(LegendEntry {
                x,
                y: TOP + row * 16.0,
                colour: css(*colour),
                name: name.clone(),
            });
            x += w;
        }
        let top = TOP + 16.0 * (row + 1.0) + 6.0;
        // Group labels: a smaller font when the longest word would not fit, then wrapped.
        let longest = data
            .groups
            .iter()
            .flat_map(|g| g.split_whitespace())
            .map(columns)
            .max()
            .unwrap_or(1)
            .max(1);
        let label_size = ((group_w - 4.0) / (0.6 * longest as f64)).clamp(7.0, LABEL_SIZE);
        let fits = ((group_w - 4.0) / (label_size * 0.6)).floor().max(2.0) as usize;
        let line = label_size + 2.0;
        let wrapped: Vec<Vec<String>> = data.groups.iter().map(|g| wrap(g, fits)).collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let bottom = top + PLOT_HEIGHT;
        let height = bottom + 10.0 + line * lines as f64 + 4.0;
        let y_max = if data.y_max > 0.0 { data.y_max } else { 1.0 };
        let y = |v: f64| bottom - PLOT_HEIGHT * (v.clamp(0.0, y_max) / y_max);
        let s = step(y_max);
        let y_ticks = (0..)
            .map(|i| i as f64 * s)
            .take_while(|v| *v <= y_max + 1e-9)
            .map(|v| Label {
                x: LEFT - 6.0,
                y: y(v),
                text: if s < 1.0 { format!("{v:.1}") } else { format!("{v:.0}") },
            })
            .collect();
        let k = data.series.len().max(1);
        let bar_w = group_w * 0.84 / k as f64;
        let mut bars = Vec::new();
        let mut whiskers = Vec::new();
        for (g, group) in data.groups.iter().enumerate() {
            for (s, (name, colour)) in data.series.iter().enumerate() {
                let Some((v, se)) = (data.value)(g, s) else { continue };
                let x = LEFT + g as f64 * group_w + group_w * 0.08 + s as f64 * bar_w;
                bars.push(Bar {
                    x,
                    y: y(v),
                    w: bar_w * 0.9,
                    h: bottom - y(v),
                    colour: css(*colour),
                    title: format!("{name}, {group}: {v:.1}"),
                });
                if let Some(se) = se.filter(|se| *se > 0.0) {
                    whiskers.push(Whisker {
                        x: x + bar_w * 0.45,
                        y1: y(v - 1.96 * se),
                        y2: y(v + 1.96 * se),
                        cap: (bar_w * 0.25).min(4.0),
                    });
                }
            }
        }
        let groups = wrapped
            .into_iter()
            .enumerate()
            .map(|(g, lines)| {
                let x = LEFT + (g as f64 + 0.5) * group_w;
                GroupLabel {
                    x,
                    lines: lines
                        .into_iter()
                        .enumerate()
                        .map(|(i, text)| Label {
                            x,
                            y: bottom + 10.0 + line * (i as f64 + 1.0) - 3.0,
                            text,
                        })
                        .collect(),
                }
            })
            .collect();
        BarChart {
            title: data.title.clone(),
            width: WIDTH,
            height,
            plot: [LEFT, top, WIDTH - RIGHT, bottom],
            y_ticks,
            y_label: data.y_label.to_string(),
            label_size: (label_size * 10.0).round() / 10.0,
            legend,
            highlight: data.highlight.map(|g| [LEFT + g as f64 * group_w, group_w]),
            bars,
            whiskers,
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16: sweep compare charts cut x labels ("qls41 / point"); every character is kept.
    #[test]
    fn long_and_wide_labels_wrap_without_loss() {
        let label = "qls4131_sweep point 2: target=0.2, max_patients=36";
        let lines = wrap(label, 12);
        assert!(lines.iter().all(|l| columns(l) <= 12), "{lines:?}");
        assert_eq!(lines.join(" ").replace(' ', ""), label.replace(' ', ""));
        // Chinese characters are two columns wide.
        let lines = wrap("剂量递增设计甲", 6);
        assert_eq!(lines, ["剂量递", "增设计", "甲"]);
        assert_eq!(step(100.0), 20.0);
        assert_eq!(step(36.0), 10.0);
    }
}
