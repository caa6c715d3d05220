//! The dose-optimisation tables of a run with phase I/II designs (designs that decide on
//! responses and select an optimal biological dose, OBD): `obd_by_dose.csv` and
//! `obd_summary.csv`, one row per truth × phase I/II design (× dose). They are separate files,
//! written only when a design of the run decides on responses, so the tables of toxicity-only
//! runs stay exactly as they were.
//!
//! The true OBD and each dose's true utility are the design's own ([`ObdTruth`], from the
//! design's utility and acceptability criteria under the truth's joint law of DLT and response).

use super::cells::{Choice, Fixed, Flag, Given, Mean, Percent, Trials};
use super::moments::Part;
use super::oc::{Method, OcRow, OcTable};
use super::rows::{flat_row, write_rows};
use crate::core::{Dose, StopReason};
use serde::{Deserialize, Serialize};

/// What a phase I/II design is judged on under one truth.
#[derive(Clone, Debug, PartialEq)]
pub struct ObdTruth {
    /// True P(response) per dose.
    pub response: Vec<f64>,
    /// True utility per dose, on the design's own scale.
    pub utility: Vec<f64>,
    /// The true OBD: the acceptable dose of highest utility (none when no dose is acceptable).
    pub obd: Option<Dose>,
}

impl OcRow {
    /// % of trials selecting the true OBD (stopping without a dose, when no dose is acceptable);
    /// `None` for toxicity-only designs.
    pub fn obd_correct_pct(&self) -> Option<f64> {
        let obd = self.obd.as_ref()?;
        Some(obd.obd.map_or(self.stopped_early_pct(), |d| self.selected_pct(d)))
    }
    /// % of patients treated at the true OBD (0 when there is none).
    pub fn obd_patients_pct(&self) -> Option<f64> {
        let obd = self.obd.as_ref()?;
        let at = obd.obd.map_or(0.0, |d| self.patients_mean(d));
        Some(percent_of(at, self.total_patients_mean()))
    }
    /// % of patients treated at doses whose true P(DLT) exceeds `target`.
    pub fn overtoxic_patients_pct(&self, target: f64) -> f64 {
        let over: f64 = (self.true_dlt.iter().zip(&self.oc.patients))
            .filter(|(&p, _)| p > target)
            .map(|(_, &n)| n)
            .sum();
        percent_of(over, self.total_patients_mean())
    }
    /// Mean responses at `dose` per trial, for designs that decide on responses.
    pub fn response_mean(&self, dose: Dose) -> Option<f64> {
        self.oc.responses.as_ref().map(|r| r[dose.index()])
    }
}

fn percent_of(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    }
}

/// One truth × phase I/II design × dose of `obd_by_dose.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObdByDoseRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// 1-based dose level.
    pub dose: usize,
    /// The dose's label.
    pub label: String,
    /// True P(DLT).
    pub true_dlt: Given,
    /// True P(response).
    pub true_response: Given,
    /// True utility, on the design's scale.
    pub true_utility: Mean,
    /// Whether the dose is the true OBD.
    pub true_obd: Flag,
    /// % of trials selecting the dose as OBD.
    pub selected_pct: Percent,
    /// Mean patients treated at the dose per trial.
    pub patients_mean: Mean,
    /// Mean responses at the dose per trial.
    pub response_mean: Mean,
    /// Mean DLTs at the dose per trial.
    pub dlt_mean: Mean,
    /// Standard errors of `selected_pct`, `patients_mean`, `response_mean` and `dlt_mean` (0 for
    /// exact rows; see [`super::moments`]).
    pub selected_pct_se: Percent,
    /// Of `patients_mean`.
    pub patients_mean_se: Mean,
    /// Of `response_mean`.
    pub response_mean_se: Mean,
    /// Of `dlt_mean`.
    pub dlt_mean_se: Mean,
}

/// One truth × phase I/II design of `obd_summary.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObdSummaryRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// Simulated trials, or `exact`.
    pub trials: Trials,
    /// The true OBD: a dose level, or `stop` when no dose is acceptable.
    pub true_obd: Choice,
    /// % of trials selecting the true OBD (stopping, when no dose is acceptable).
    pub obd_correct_pct: Percent,
    /// % of trials stopping without selecting a dose.
    pub stopped_early_pct: Percent,
    /// % of trials stopped because the lowest dose (or every dose within reach) is too toxic.
    pub stop_too_toxic_pct: Percent,
    /// % of trials stopped because no dose is acceptable: every dose the design may still give is
    /// inadmissible by efficacy or toxicity, not all of them too toxic.
    pub stop_no_acceptable_dose_pct: Percent,
    /// % of patients treated at the true OBD.
    pub obd_patients_pct: Percent,
    /// % of patients treated at doses whose true P(DLT) exceeds the target.
    pub overtoxic_patients_pct: Percent,
    /// Mean sample size.
    pub patients_mean: Mean,
    /// Mean responses per trial.
    pub response_mean: Mean,
    /// Mean DLTs per trial.
    pub dlt_mean: Mean,
    /// Standard errors of the figures above, named after them (0 for exact rows; see
    /// [`super::moments`]).
    pub obd_correct_pct_se: Percent,
    /// Of `stopped_early_pct`.
    pub stopped_early_pct_se: Percent,
    /// Of `obd_patients_pct` (a ratio of means).
    pub obd_patients_pct_se: Percent,
    /// Of `overtoxic_patients_pct` (a ratio of means).
    pub overtoxic_patients_pct_se: Percent,
    /// Of `patients_mean`.
    pub patients_mean_se: Mean,
    /// Of `response_mean`.
    pub response_mean_se: Mean,
    /// Of `dlt_mean`.
    pub dlt_mean_se: Mean,
}

flat_row!(
    ObdByDoseRow => "obd_by_dose.csv",
    ObdSummaryRow => "obd_summary.csv",
);

/// The dose-optimisation tables, with one line each on what they show.
pub const OBD_TABLES: [(&str, &str); 2] = [
    ("obd_by_dose.csv", "phase I/II designs only: one row per truth × design × dose: true P(DLT), P(response) and utility (the design's), whether the dose is the true OBD, % of trials selecting it as OBD, mean patients, responses and DLTs at the dose per trial."),
    ("obd_summary.csv", "phase I/II designs only: one row per truth × design: the true OBD, % of trials selecting it, % stopped without a dose (and of them, % stopped because every dose is too toxic or because no dose is acceptable), % of patients at the OBD and at doses with P(DLT) above the target, mean sample size, responses and DLTs per trial."),
];

impl ObdByDoseRow {
    /// The rows of `table`'s phase I/II designs.
    pub fn rows(table: &OcTable) -> Vec<ObdByDoseRow> {
        let mut rows = Vec::new();
        for row in &table.rows {
            let Some(obd) = &row.obd else { continue };
            for (i, label) in table.dose_labels.iter().enumerate() {
                let dose = Dose(i as u16);
                rows.push(ObdByDoseRow {
                    truth: row.truth.clone(),
                    design: row.design.clone(),
                    dose: dose.level(),
                    label: label.clone(),
                    true_dlt: Given(row.true_dlt[i]),
                    true_response: Given(obd.response[i]),
                    true_utility: Fixed(obd.utility[i]),
                    true_obd: Flag(obd.obd == Some(dose)),
                    selected_pct: Fixed(row.selected_pct(dose)),
                    patients_mean: Fixed(row.patients_mean(dose)),
                    response_mean: Fixed(row.response_mean(dose).unwrap_or(0.0)),
                    dlt_mean: Fixed(row.dlt_mean(dose)),
                    selected_pct_se: Fixed(row.pct_se(row.selected_pct(dose))),
                    patients_mean_se: Fixed(row.patients_mean_se(dose)),
                    response_mean_se: Fixed(row.response_mean_se(dose)),
                    dlt_mean_se: Fixed(row.dlt_mean_se(dose)),
                });
            }
        }
        rows
    }
}

impl ObdSummaryRow {
    /// The rows of `table`'s phase I/II designs.
    pub fn rows(table: &OcTable) -> Vec<ObdSummaryRow> {
        let rows = table.rows.iter().filter_map(|row| {
            let obd = row.obd.as_ref()?;
            Some(ObdSummaryRow {
                truth: row.truth.clone(),
                design: row.design.clone(),
                trials: match row.method {
                    Method::Simulated { trials } => Trials::Simulated(trials),
                    Method::Exact { .. } => Trials::Exact,
                },
                true_obd: Choice::dose(obd.obd),
                obd_correct_pct: Fixed(row.obd_correct_pct()?),
                stopped_early_pct: Fixed(row.stopped_early_pct()),
                stop_too_toxic_pct: Fixed(row.stop_pct(StopReason::TooToxic)),
                stop_no_acceptable_dose_pct: Fixed(row.stop_pct(StopReason::NoAcceptableDose)),
                obd_patients_pct: Fixed(row.obd_patients_pct()?),
                overtoxic_patients_pct: Fixed(row.overtoxic_patients_pct(table.target)),
                patients_mean: Fixed(row.total_patients_mean()),
                response_mean: Fixed(row.oc.responses.as_ref().map_or(0.0, |r| r.iter().sum())),
                dlt_mean: Fixed(row.total_dlt_mean()),
                obd_correct_pct_se: Fixed(row.pct_se(row.obd_correct_pct()?)),
                stopped_early_pct_se: Fixed(row.pct_se(row.stopped_early_pct())),
                obd_patients_pct_se: Fixed(row.share_se(
                    (Part::Patients, &|d| obd.obd == Some(Dose(d as u16))),
                    (Part::Patients, &|_| true),
                )),
                overtoxic_patients_pct_se: Fixed(row.share_se(
                    (Part::Patients, &|d| row.true_dlt[d] > table.target),
                    (Part::Patients, &|_| true),
                )),
                patients_mean_se: Fixed(row.total_patients_mean_se()),
                response_mean_se: Fixed(row.mean_se(Part::Responses, |_| true)),
                dlt_mean_se: Fixed(row.total_dlt_mean_se()),
            })
        });
        rows.collect()
    }
}

/// The dose-optimisation tables' bytes, in the order of [`OBD_TABLES`]; `None` when no design of
/// the run decides on responses (the files are then not written).
pub fn obd_tables(table: &OcTable) -> Option<[Vec<u8>; 2]> {
    table.rows.iter().any(|r| r.obd.is_some()).then(|| {
        [
            write_rows(&ObdByDoseRow::rows(table)),
            write_rows(&ObdSummaryRow::rows(table)),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::oc::{OcProbabilities, RowResult};

    /// A phase I/II row gets its OBD columns, a toxicity-only row none, and no table is written
    /// for a run without phase I/II designs.
    #[test]
    fn only_phase_one_two_rows_are_tabled() {
        let oc = |responses: Option<Vec<f64>>| OcProbabilities {
            selected: vec![0.2, 0.5, 0.2],
            selected_none: 0.1,
            patients: vec![6.0, 9.0, 3.0],
            dlts: vec![0.3, 1.5, 1.0],
            stops: [0.9, 0.0, 0.0, 0.0, 0.1],
            sample_size: vec![0.0; 19],
            responses,
            moments: None,
        };
        let result = |responses| -> RowResult { (Method::Simulated { trials: 10 }, oc(responses), None) };
        let results = vec![vec![result(None)], vec![result(Some(vec![0.6, 2.7, 1.5]))]];
        let labels = ["a".to_string(), "b".into(), "c".into()];
        let truths = [("t", &[0.05, 0.2, 0.4][..])];
        let mut table = OcTable::new("s", 0.3, &labels, truths, &["tox", "eff"], results, 1);
        assert!(obd_tables(&table).is_none());
        let obd = ObdTruth {
            response: vec![0.1, 0.3, 0.5],
            utility: vec![10.0, 40.0, 35.0],
            obd: Some(Dose(1)),
        };
        table.set_obd("t", "eff", obd);
        let summary = ObdSummaryRow::rows(&table);
        assert_eq!(summary.len(), 1);
        assert_eq!(summary[0].design, "eff");
        assert_eq!(summary[0].obd_correct_pct, Fixed(50.0));
        assert_eq!(summary[0].obd_patients_pct, Fixed(50.0));
        assert_eq!(summary[0].overtoxic_patients_pct, Fixed(100.0 * 3.0 / 18.0));
        assert!((summary[0].response_mean.0 - 4.8).abs() < 1e-12);
        assert_eq!(summary[0].stop_no_acceptable_dose_pct, Fixed(10.0));
        let by_dose = ObdByDoseRow::rows(&table);
        assert_eq!(
            by_dose.iter().map(|r| r.true_obd).collect::<Vec<_>>(),
            [Flag(false), Flag(true), Flag(false)]
        );
        let [dose_bytes, _] = obd_tables(&table).expect("a phase I/II row");
        let text = String::from_utf8(dose_bytes).unwrap();
        assert!(
            text.starts_with("truth,design,dose,label,true_dlt,true_response,true_utility,true_obd,"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 4);
    }
}
