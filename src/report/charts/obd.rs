//! The dose-optimization charts, for runs with phase I/II designs (designs that decide on
//! responses and select an optimal biological dose, OBD), drawn from the tables only:
//!
//! - `obd.png` of a run, from its `obd_by_dose.csv` and `obd_summary.csv`: the % of trials
//!   selecting each dose as OBD (and stopping with none), the true OBD shaded, each dose's true
//!   utility under its label. A design's utility and true OBD are its own (its utility and
//!   acceptability criteria), so each truth × design has its panel, as in the report's
//!   dose-optimization section.
//! - `comparison_obd.png` of `trialsim compare`, from the runs' `obd_summary.csv` rows (stacked in
//!   `comparison_obd.csv`): per compared run and truth, each design's % of trials selecting the
//!   true OBD and % of patients treated at it.

use super::dose_finding::DoseFindingTables;
use super::{
    coloured_bars, design_fills, design_rgbs, grouped_bars, header, panels, push_unique, run_truth_groups, text_style,
    Area, ChartError,
};
use crate::results::cells::Choice;
use crate::results::obd::{ObdByDoseRow, ObdSummaryRow};
use crate::results::{read_rows, Row};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// The run's OBD chart, with one line on what it shows; drawn only when the run has phase I/II
/// designs.
pub const OBD_CHART: (&str, &str) = (
    "obd.png",
    "phase I/II designs only: % of trials selecting each dose as OBD (and stopping with none), one panel per truth and design, the true OBD shaded, each dose's true utility (U, on the design's scale) under its label.",
);

/// The comparison's OBD chart, written only with `comparison_obd.csv`.
pub const OBD_COMPARISON_CHART: &str = "comparison_obd.png";

/// A run's dose-optimization tables, as `obd.png` needs them.
#[derive(Clone, Debug, PartialEq)]
pub struct ObdTables {
    /// The rows of `obd_by_dose.csv`.
    by_dose: Vec<ObdByDoseRow>,
    /// The rows of `obd_summary.csv`.
    summary: Vec<ObdSummaryRow>,
    /// The phase I/II designs, in first-seen order.
    designs: Vec<String>,
}

impl ObdTables {
    /// Reads `obd_by_dose.csv` and `obd_summary.csv` from a run folder; `None` when the run has
    /// no phase I/II design (the tables are then not written).
    pub(super) fn read(dir: &Path) -> Result<Option<ObdTables>, ChartError> {
        let path = dir.join(ObdByDoseRow::FILE);
        if !path.exists() {
            return Ok(None);
        }
        let by_dose = read_rows(&path)?;
        let summary: Vec<ObdSummaryRow> = read_rows(&dir.join(ObdSummaryRow::FILE))?;
        let mut designs = Vec::new();
        for row in &summary {
            push_unique(&mut designs, &row.design);
        }
        Ok(Some(ObdTables {
            by_dose,
            summary,
            designs,
        }))
    }
}

/// `obd.png`: with one phase I/II design, one panel per truth; with more, one row of panels per
/// truth (headed by its name), one panel per design.
pub(super) fn draw_obd(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    let obd = t.obd.as_ref().ok_or("the run has no phase I/II design")?;
    let title = "Selection as OBD, % of trials (grey band: the true OBD; U: true utility)";
    let body = header(root, title, &obd.designs, design_fills(&obd.designs))?;
    let colours = design_rgbs(&obd.designs);
    let panel =
        |area: &Area, caption: &str, truth: &str, k: usize| obd_panel(t, obd, area, caption, truth, (k, colours[k]));
    if obd.designs.len() == 1 {
        for (area, truth) in panels(&body, t.truths.len()).iter().zip(&t.truths) {
            panel(area, truth, truth, 0)?;
        }
        return Ok(());
    }
    for (row, truth) in body.split_evenly((t.truths.len(), 1)).iter().zip(&t.truths) {
        let (w, _) = row.dim_in_pixel();
        let (head, cells) = row.split_vertically(36);
        let at = (w as i32 / 2, 6);
        let style = text_style(26).pos(Pos::new(HPos::Center, VPos::Top));
        head.draw(&Text::new(truth.clone(), at, style))
            .map_err(|e| e.to_string())?;
        for (k, area) in cells.split_evenly((1, obd.designs.len())).iter().enumerate() {
            panel(area, &obd.designs[k], truth, k)?;
        }
    }
    Ok(())
}

/// One truth × design of `obd.png`: OBD selection % per dose and of none, the design's true OBD
/// shaded, `U=` its true utility under each dose's label ([`utility`]); `design` is the design's position and
/// colour.
fn obd_panel(
    t: &DoseFindingTables,
    obd: &ObdTables,
    area: &Area,
    caption: &str,
    truth: &str,
    (design, colour): (usize, RGBColor),
) -> Result<(), String> {
    let name = &obd.designs[design];
    let row = |level: usize| {
        obd.by_dose
            .iter()
            .find(|r| r.truth == truth && &r.design == name && r.dose == level)
    };
    let summary = obd.summary.iter().find(|s| s.truth == truth && &s.design == name);
    let doses = t.labels.len();
    let mut groups: Vec<String> = (t.labels.iter().enumerate())
        .map(|(i, label)| match row(i + 1) {
            Some(r) => format!("{label} U={}", utility(r.true_utility.0)),
            None => label.clone(),
        })
        .collect();
    groups.push("none".into());
    let value = |g: usize, _: usize| match g < doses {
        true => row(g + 1).map(|r| r.selected_pct.0),
        false => summary.map(|s| s.stopped_early_pct.0),
    };
    let true_obd = summary.map(|s| match s.true_obd {
        Choice::Level(level) => level - 1,
        Choice::Stop => doses,
    });
    let y = (100.0, "% of trials");
    coloured_bars(area, caption, &groups, &[colour], y, value, true_obd, None)
}

/// A true utility as a dose's label shows it: one decimal from 10 on (BOIN12's and U-BOIN's
/// 0–100 scale), two below (EffTox's desirability), so it fits under a bar.
fn utility(u: f64) -> String {
    if u.abs() >= 10.0 {
        format!("{u:.1}")
    } else {
        format!("{u:.2}")
    }
}

/// `comparison_obd.png`: per compared run (`runs`: each run's name and `obd_summary.csv` rows)
/// and truth, each phase I/II design's % of trials selecting the true OBD (stopping, where no
/// dose is acceptable) and % of patients treated at the true OBD.
pub(crate) fn draw_obd_comparison(runs: &[(&str, &[ObdSummaryRow])], root: &Area) -> Result<(), String> {
    let mut designs = Vec::new();
    for row in runs.iter().flat_map(|(_, rows)| rows.iter()) {
        push_unique(&mut designs, &row.design);
    }
    let title = "Phase I/II designs: the true OBD, by run and truth";
    let body = header(root, title, &designs, design_fills(&designs))?;
    let (groups, cells) = run_truth_groups(runs.iter().copied(), |r| r.truth.as_str());
    type Metric = (&'static str, &'static str, fn(&ObdSummaryRow) -> f64);
    let metrics: [Metric; 2] = [
        (
            "Selecting the true OBD (stopping, where no dose is acceptable)",
            "% of trials",
            |s| s.obd_correct_pct.0,
        ),
        ("Patients treated at the true OBD", "% of patients", |s| {
            s.obd_patients_pct.0
        }),
    ];
    for (panel, (title, unit, metric)) in body.split_evenly((2, 1)).iter().zip(metrics) {
        let value = |g: usize, k: usize| {
            let (run, truth) = &cells[g];
            (runs[*run].1.iter())
                .find(|r| &r.truth == truth && r.design == designs[k])
                .map(metric)
        };
        grouped_bars(panel, title, &groups, &designs, 100.0, unit, value, None, None)?;
    }
    Ok(())
}
