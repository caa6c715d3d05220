//! The dose-optimization section of a dose-finding report, for runs with phase I/II designs
//! (designs that decide on responses and select an optimal biological dose, OBD): per truth and
//! phase I/II design, the true utility per dose on the design's own scale with the true OBD
//! marked, the OBD selection % per dose, the mean responses per dose, and the % of trials
//! selecting the true OBD, the % of patients treated at it and at over-toxic doses (true P(DLT)
//! above the target), the mean responses and DLTs and the stops for want of an acceptable dose.
//!
//! Everything comes from the typed rows of `obd_by_dose.csv` and `obd_summary.csv`
//! ([`ObdByDoseRow`], [`ObdSummaryRow`]), so the page and the tables cannot disagree; runs
//! without phase I/II designs have no section (and an unchanged page).

use super::dose_finding::method_words;
use super::precision::Figure;
use crate::report::colours::css;
use crate::results::obd::{ObdByDoseRow, ObdSummaryRow};
use crate::results::{Method, OcTable};
use serde::Serialize;

/// One dose's true utility, as printed.
#[derive(Clone, Debug, Serialize)]
pub struct UtilityCell {
    /// The utility, with three decimals.
    pub shown: String,
    /// Whether the dose is the true OBD.
    pub obd: bool,
}

/// One phase I/II design under one truth.
#[derive(Clone, Debug, Serialize)]
pub struct ObdDesignRows {
    /// The design's name.
    pub design: String,
    /// Its colour.
    pub colour: String,
    /// How its figures were obtained, in words.
    pub method: String,
    /// The true OBD in words ("dose 2 (DL2)", or a stop when no dose is acceptable).
    pub true_obd: String,
    /// Whether stopping is right (no dose is acceptable).
    pub stop_correct: bool,
    /// True utility per dose.
    pub utility: Vec<UtilityCell>,
    /// OBD selection % per dose.
    pub selected: Vec<Figure>,
    /// Selection of no dose, %.
    pub none: Figure,
    /// Mean responses per dose.
    pub responses: Vec<Figure>,
    /// % of trials selecting the true OBD (stopping, when there is none).
    pub obd_correct: Figure,
    /// % of patients treated at the true OBD.
    pub obd_patients: Figure,
    /// % of patients treated at doses whose true P(DLT) is above the target.
    pub overtoxic_patients: Figure,
    /// Mean responses per trial.
    pub responses_total: Figure,
    /// Mean DLTs per trial.
    pub dlts_total: Figure,
    /// % of trials stopped because no dose is acceptable.
    pub no_acceptable: Figure,
}

/// One truth's dose-optimization table.
#[derive(Clone, Debug, Serialize)]
pub struct ObdTruthTable {
    /// The truth's name.
    pub name: String,
    /// The dose labels.
    pub doses: Vec<String>,
    /// Each phase I/II design's rows.
    pub designs: Vec<ObdDesignRows>,
}

/// The section: one table per truth.
#[derive(Clone, Debug, Serialize)]
pub struct ObdSection {
    /// The target DLT probability (over-toxic doses are above it).
    pub target: f64,
    /// Per truth, in the scenario's order.
    pub truths: Vec<ObdTruthTable>,
}

impl ObdDesignRows {
    fn new(summary: &ObdSummaryRow, by_dose: &[&ObdByDoseRow], method: Method, colour: usize) -> Self {
        let obd = by_dose.iter().find(|r| r.true_obd.0);
        ObdDesignRows {
            design: summary.design.clone(),
            colour: css(colour),
            method: method_words(method),
            true_obd: obd.map_or("stop: no dose is acceptable".into(), |r| {
                format!("dose {} ({})", r.dose, r.label)
            }),
            stop_correct: obd.is_none(),
            utility: by_dose
                .iter()
                .map(|r| UtilityCell {
                    shown: format!("{:.3}", r.true_utility.0),
                    obd: r.true_obd.0,
                })
                .collect(),
            selected: by_dose
                .iter()
                .map(|r| Figure::percent(r.selected_pct.0, method))
                .collect(),
            none: Figure::percent(summary.stopped_early_pct.0, method),
            responses: by_dose
                .iter()
                .map(|r| Figure::simulated(r.response_mean.0, 2, method, r.response_mean_se.0))
                .collect(),
            obd_correct: Figure::percent(summary.obd_correct_pct.0, method),
            obd_patients: Figure::simulated(summary.obd_patients_pct.0, 1, method, summary.obd_patients_pct_se.0),
            overtoxic_patients: Figure::simulated(
                summary.overtoxic_patients_pct.0,
                1,
                method,
                summary.overtoxic_patients_pct_se.0,
            ),
            responses_total: Figure::simulated(summary.response_mean.0, 2, method, summary.response_mean_se.0),
            dlts_total: Figure::simulated(summary.dlt_mean.0, 2, method, summary.dlt_mean_se.0),
            no_acceptable: Figure::percent(summary.stop_no_acceptable_dose_pct.0, method),
        }
    }
}

/// The section of `table`'s phase I/II designs (`None` when the run has none), each design in the
/// colour `colour_of` gives it.
pub fn obd_section(table: &OcTable, colour_of: &dyn Fn(&str) -> usize) -> Option<ObdSection> {
    let summary = ObdSummaryRow::rows(table);
    if summary.is_empty() {
        return None;
    }
    let by_dose = ObdByDoseRow::rows(table);
    let mut truths: Vec<ObdTruthTable> = Vec::new();
    for s in &summary {
        let doses: Vec<&ObdByDoseRow> = by_dose
            .iter()
            .filter(|r| r.truth == s.truth && r.design == s.design)
            .collect();
        let method = table
            .rows
            .iter()
            .find(|r| r.truth == s.truth && r.design == s.design)
            .map(|r| r.method)
            .expect("a summary row is a table row");
        let rows = ObdDesignRows::new(s, &doses, method, colour_of(&s.design));
        match truths.iter_mut().find(|t| t.name == s.truth) {
            Some(t) => t.designs.push(rows),
            None => truths.push(ObdTruthTable {
                name: s.truth.clone(),
                doses: table.dose_labels.clone(),
                designs: vec![rows],
            }),
        }
    }
    Some(ObdSection {
        target: table.target,
        truths,
    })
}
