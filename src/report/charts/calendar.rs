//! The charts of a calendar-time dose-finding run: trial durations, the choice of RP2D, and the
//! patients given step-up dosing.

use super::dose_finding::{draw_choice, draw_patients_by_dose, duration, DoseFindingTables};
use super::{design_fills, grouped_bars, header, panels, Area};
use crate::results::cells::{Choice, Flag};

/// The charts of a calendar-time run.
pub const CALENDAR_CHARTS: [(&str, &str); 3] = [
    ("duration.png", "trial duration (months from the first participant to the last DLT window's close, expansion included): median (bar) and 90th percentile (whisker), by design, for each truth."),
    ("rp2d.png", "% of trials choosing each dose as RP2D (and none), by design, one panel per truth; the right RP2D is marked."),
    ("regimen.png", "mean patients per trial given step-up dosing at each dose (bar) and treated there in all (whisker), by design, one panel per truth."),
];

pub(super) fn draw_rp2d(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    let right = |truth: &str| {
        (0..t.labels.len())
            .find(|&g| {
                t.by_dose
                    .iter()
                    .any(|r| r.oc.truth == truth && r.oc.dose == g + 1 && r.calendar.correct_rp2d == Some(Flag(true)))
            })
            .or_else(|| {
                t.summary
                    .iter()
                    .any(|s| s.lead.truth == truth && s.calendar.correct_rp2d == Some(Choice::Stop))
                    .then_some(t.labels.len())
            })
    };
    draw_choice(
        t,
        root,
        "Choice of RP2D, % of trials (grey band: the right RP2D)",
        (
            &|truth, design, level| {
                t.row(truth, design, level)
                    .and_then(|r| r.calendar.rp2d_pct.map(|p| p.0))
            },
            &|truth, design| {
                t.summary_row(truth, design)
                    .and_then(|s| s.calendar.rp2d_none_pct.map(|p| p.0))
            },
        ),
        &right,
    )
}

pub(super) fn draw_regimens(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    draw_patients_by_dose(
        t,
        root,
        "Patients per trial given step-up dosing (bar) and in all (whisker), per dose",
        |r| r.calendar.step_up_patients_mean.map(|m| m.0),
        (true, false),
    )
}

pub(super) fn draw_durations(t: &DoseFindingTables, root: &Area) -> Result<(), String> {
    let body = header(
        root,
        "Trial duration: median (bar) and 90th percentile (whisker)",
        &t.designs,
        design_fills(&t.designs),
    )?;
    let max = t
        .summary
        .iter()
        .filter_map(|s| duration(s).map(|d| d.1))
        .fold(1.0, f64::max)
        * 1.1;
    let median = |g: usize, k: usize| {
        t.summary_row(&t.truths[g], &t.designs[k])
            .and_then(|s| duration(s).map(|d| d.0))
    };
    let p90 = |g: usize, k: usize| {
        t.summary_row(&t.truths[g], &t.designs[k])
            .and_then(|s| duration(s).map(|d| d.1))
    };
    let panel = panels(&body, 1).remove(0);
    grouped_bars(
        &panel,
        "",
        &t.truths,
        &t.designs,
        max,
        "months",
        median,
        None,
        Some(&p90),
    )
}
