//! The diagram of dose-transition pathways (Yap et al. 2017), drawn from the rows of
//! `pathways.csv`: a left-to-right tree with one column per cohort, one box per node (its cohort
//! as an outcome string such as "2NNT", the decision after it, "→ 3" or "stop", and the path's
//! probability when a truth was given), and an edge from each node to the cohorts that follow it
//! at the dose it chose. Written as SVG (for protocols) and PNG, from one drawing.

use super::{colour, register_font, render_png_sized, text_style, ChartError, FontScope};
use crate::report::write_atomic;
use crate::results::PathwayRow;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::{Path, PathBuf};

/// The diagram's files.
pub const PATHWAYS_DIAGRAMS: [&str; 2] = ["pathways.svg", "pathways.png"];

/// The most paths (leaves) a diagram shows; a taller tree is left to the CSV table.
pub const MAX_DIAGRAM_LEAVES: usize = 256;

/// Horizontal distance between the columns of two successive cohorts, in pixels.
const COLUMN: i32 = 210;
/// A node's box width.
const BOX_WIDTH: i32 = 150;
/// Height of one line of text in a box.
const LINE: i32 = 20;
/// Space between the boxes of two paths.
const GAP: i32 = 12;
/// Margin around the tree.
const MARGIN: i32 = 30;
/// Height of the title band.
const TITLE: i32 = 84;

/// Where each node goes: its column (cohort) and its vertical centre.
struct Layout {
    /// Per node: (column, centre y in pixels).
    at: Vec<(i32, i32)>,
    /// Lines of text per box.
    lines: i32,
    /// The picture's size in pixels.
    size: (u32, u32),
}

impl Layout {
    /// Leaves in depth-first order, one per slot from the top; a parent centred on its children.
    fn new(rows: &[PathwayRow]) -> Layout {
        let mut children = vec![Vec::new(); rows.len()];
        for row in rows {
            if let Some(parent) = row.parent {
                children[parent].push(row.node);
            }
        }
        let lines = if rows.iter().any(|r| r.probability.is_some()) {
            3
        } else {
            2
        };
        let pitch = lines * LINE + 8 + GAP;
        let mut at = vec![(0, 0); rows.len()];
        let mut slot = 0;
        place(0, rows, &children, pitch, &mut slot, &mut at);
        let columns = rows.iter().map(|r| r.cohort as i32).max().unwrap_or(0) + 1;
        let width = (2 * MARGIN + (columns - 1) * COLUMN + BOX_WIDTH).max(860);
        let height = TITLE + slot * pitch + MARGIN;
        Layout {
            at,
            lines,
            size: (width as u32, height as u32),
        }
    }

    /// The box of node `i`: top-left and bottom-right corners.
    fn corners(&self, i: usize) -> ((i32, i32), (i32, i32)) {
        let (column, y) = self.at[i];
        let (x, half) = (MARGIN + column * COLUMN, (self.lines * LINE + 8) / 2);
        ((x, y - half), (x + BOX_WIDTH, y + half))
    }
}

/// Places node `i` and its subtree, leaves taking successive slots of `pitch` pixels.
fn place(i: usize, rows: &[PathwayRow], children: &[Vec<usize>], pitch: i32, slot: &mut i32, at: &mut [(i32, i32)]) {
    let y = if children[i].is_empty() {
        *slot += 1;
        TITLE + (*slot - 1) * pitch + pitch / 2
    } else {
        for &c in &children[i] {
            place(c, rows, children, pitch, slot, at);
        }
        let (first, last) = (children[i][0], children[i][children[i].len() - 1]);
        (at[first].1 + at[last].1) / 2
    };
    at[i] = (rows[i].cohort as i32, y);
}

/// The text lines of a node's box.
fn box_text(row: &PathwayRow) -> Vec<String> {
    let label = match (row.parent, row.outcomes.rsplit(' ').next()) {
        (Some(_), Some(cohort)) => cohort.to_string(),
        _ if row.outcomes.is_empty() => "start".to_string(),
        _ => "now".to_string(),
    };
    let decision = match (row.next_dose, row.selected) {
        (Some(next), _) => format!("→ {next}"),
        (None, Some(mtd)) => format!("stop, MTD {mtd}"),
        (None, None) => "stop, no MTD".to_string(),
    };
    let mut lines = vec![label, decision];
    if let Some(p) = row.probability {
        lines.push(format!("p = {p:.4}"));
    }
    lines
}

/// Draws the tree on `area`.
fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[PathwayRow],
    layout: &Layout,
    title: &str,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    area.fill(&WHITE).map_err(e)?;
    area.draw(&Text::new(title.to_string(), (MARGIN, 18), text_style(24)))
        .map_err(e)?;
    let key = if layout.lines == 3 {
        "Each box: a cohort's dose and outcomes (N: no DLT, T: DLT), the decision after it, the path's probability"
    } else {
        "Each box: a cohort's dose and outcomes (N: no DLT, T: DLT), then the decision after it"
    };
    area.draw(&Text::new(key, (MARGIN, 50), text_style(15))).map_err(e)?;
    let edge = RGBColor(120, 120, 120).stroke_width(2);
    for row in rows {
        if let Some(parent) = row.parent {
            let ((_, _), (x0, _)) = layout.corners(parent);
            let ((x1, _), _) = layout.corners(row.node);
            let (y0, y1, middle) = (layout.at[parent].1, layout.at[row.node].1, (x0 + x1) / 2);
            area.draw(&PathElement::new(
                vec![(x0, y0), (middle, y0), (middle, y1), (x1, y1)],
                edge,
            ))
            .map_err(e)?;
        }
    }
    for row in rows {
        let (top_left, bottom_right) = layout.corners(row.node);
        let (fill, border) = if row.next_dose.is_some() {
            (RGBColor(222, 235, 247), colour(0))
        } else {
            (RGBColor(253, 224, 204), colour(3))
        };
        area.draw(&Rectangle::new([top_left, bottom_right], fill.filled()))
            .map_err(e)?;
        area.draw(&Rectangle::new([top_left, bottom_right], border.stroke_width(2)))
            .map_err(e)?;
        let centre = (top_left.0 + bottom_right.0) / 2;
        for (k, line) in box_text(row).into_iter().enumerate() {
            let y = top_left.1 + 4 + k as i32 * LINE;
            let size = if k == 0 { 18 } else { 16 };
            let style = text_style(size).pos(Pos::new(HPos::Center, VPos::Top));
            area.draw(&Text::new(line, (centre, y), style)).map_err(e)?;
        }
    }
    Ok(())
}

/// Writes `pathways.svg` and `pathways.png` in `dir` from the rows of `pathways.csv` (the root
/// first, then depth first), titled `title`. Refuses a tree of more than [`MAX_DIAGRAM_LEAVES`]
/// paths.
pub fn render_pathways(dir: &Path, rows: &[PathwayRow], title: &str) -> Result<Vec<PathBuf>, ChartError> {
    let [svg_file, png_file] = PATHWAYS_DIAGRAMS;
    let leaves = rows.len()
        - rows
            .iter()
            .filter_map(|r| r.parent)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
    if leaves > MAX_DIAGRAM_LEAVES {
        return Err(ChartError::Draw {
            file: svg_file.to_string(),
            message: format!("{leaves} paths are more than a diagram shows ({MAX_DIAGRAM_LEAVES})"),
        });
    }
    register_font();
    let layout = Layout::new(rows);
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, layout.size).into_drawing_area();
        draw(&area, rows, &layout, title)
            .and_then(|()| area.present().map_err(|e| e.to_string()))
            .map_err(|message| ChartError::Draw {
                file: svg_file.to_string(),
                message,
            })?;
    }
    let svg_path = dir.join(svg_file);
    write_atomic(&svg_path, svg.as_bytes()).map_err(|source| ChartError::Write {
        path: svg_path.clone(),
        source,
    })?;
    let texts = rows.iter().flat_map(|r| [r.outcomes.as_str(), r.decision.as_str()]);
    let font = FontScope::for_texts(texts.chain([title]));
    let png_path = render_png_sized(dir, png_file, layout.size, |area| draw(area, rows, &layout, title))?;
    drop(font);
    Ok(vec![svg_path, png_path])
}
