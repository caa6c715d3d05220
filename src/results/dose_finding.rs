//! The rows of a dose-finding run's tables, `oc_by_dose.csv` and `summary.csv` (**contract**: the
//! leading columns never change; columns are only added at the end), built from an [`OcTable`].
//!
//! Percentages of selection are over all trials; means are per trial. Calendar-time columns are
//! empty unless the run simulated calendar time, and each feature's columns (step-up, CRS,
//! backfill, expansion, responses and RP2D, TEAE) empty unless the scenario uses it
//! ([`CalendarFeatures`]); columns empty in every row are not written. Every simulated figure
//! has a standard error column, `<name>_se`, after all the others ([`super::dose_finding_se`]).

use super::cells::{Choice, Fixed, Flag, Given, Mean, MethodName, Percent, Trials};
pub use super::dose_finding_se::{DoseCalendarSe, DoseOcSe, SummaryCalendarSe, SummaryLeadSe, SummarySe};
use super::oc::{CalendarFeatures, CorrectDecision, Method, OcRow, OcTable, TimedDoseSummary, TimedSummary};
use super::rows::{flat_row, Row};
use super::SUMMARY_FILE;
use crate::core::{Dose, StopReason};
use serde::{Deserialize, Serialize};

/// One truth × design × dose of `oc_by_dose.csv`: its operating characteristics, then its
/// calendar-time outcomes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OcByDoseRow {
    /// The contract's columns.
    pub oc: DoseOc,
    /// Calendar-time runs only (empty otherwise).
    pub calendar: DoseCalendar,
    /// The standard errors of the figures of `oc`.
    pub se: DoseOcSe,
    /// The standard errors of the figures of `calendar`.
    pub calendar_se: DoseCalendarSe,
}

/// The leading columns of `oc_by_dose.csv` (**contract**).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoseOc {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// 1-based dose level.
    pub dose: usize,
    /// The dose's label.
    pub label: String,
    /// True P(DLT) at the dose, as the design gives it.
    pub true_dlt: Given,
    /// % of trials selecting the dose as MTD.
    pub selected_pct: Percent,
    /// Mean patients treated at the dose per trial.
    pub patients_mean: Mean,
    /// Mean DLTs at the dose per trial.
    pub dlt_mean: Mean,
}

/// The calendar-time columns of `oc_by_dose.csv`: per-trial means at the dose, the mean 95%
/// Clopper–Pearson bounds of its TEAE incidence over trials that treated it, the % of trials
/// choosing it as RP2D, and whether it is the right RP2D.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DoseCalendar {
    /// Mean patients given step-up dosing.
    pub step_up_patients_mean: Option<Mean>,
    /// Mean DLTs under step-up dosing.
    pub step_up_dlt_mean: Option<Mean>,
    /// Mean CRS-type DLTs.
    pub crs_dlt_mean: Option<Mean>,
    /// Mean patients backfilled.
    pub backfill_patients_mean: Option<Mean>,
    /// Mean patients in the expansion.
    pub expansion_patients_mean: Option<Mean>,
    /// Mean responses.
    pub response_mean: Option<Mean>,
    /// Mean patients with a TEAE.
    pub teae_mean: Option<Mean>,
    /// Mean TEAEs per patient treated (0 when no patient is treated).
    pub teae_incidence: Option<Mean>,
    /// Mean lower bound of the TEAE incidence's 95% interval.
    pub teae_ci_lower_mean: Option<Mean>,
    /// Mean upper bound of the TEAE incidence's 95% interval.
    pub teae_ci_upper_mean: Option<Mean>,
    /// % of trials choosing the dose as RP2D.
    pub rp2d_pct: Option<Percent>,
    /// Whether the dose is the right RP2D.
    pub correct_rp2d: Option<Flag>,
}

impl DoseCalendar {
    fn new(timing: &TimedSummary, dose: Dose, patients_mean: f64, uses: CalendarFeatures) -> DoseCalendar {
        let d = &timing.doses[dose.index()];
        let mean = |used: bool, f: fn(&TimedDoseSummary) -> f64| used.then(|| Fixed(f(d)));
        let incidence = if patients_mean > 0.0 {
            d.teae_mean / patients_mean
        } else {
            0.0
        };
        DoseCalendar {
            step_up_patients_mean: mean(uses.step_up, |d| d.step_up_patients_mean),
            step_up_dlt_mean: mean(uses.step_up, |d| d.step_up_dlt_mean),
            crs_dlt_mean: mean(uses.crs, |d| d.crs_dlt_mean),
            backfill_patients_mean: mean(uses.backfill, |d| d.backfill_patients_mean),
            expansion_patients_mean: mean(uses.expansion, |d| d.expansion_patients_mean),
            response_mean: mean(uses.response, |d| d.response_mean),
            teae_mean: mean(uses.teae, |d| d.teae_mean),
            teae_incidence: uses.teae.then_some(Fixed(incidence)),
            teae_ci_lower_mean: mean(uses.teae, |d| d.teae_ci_lower_mean),
            teae_ci_upper_mean: mean(uses.teae, |d| d.teae_ci_upper_mean),
            rp2d_pct: uses.response.then_some(Fixed(d.rp2d_pct)),
            correct_rp2d: uses.response.then_some(Flag(timing.correct_rp2d == Some(dose))),
        }
    }
}

impl OcByDoseRow {
    /// The rows of `table`: truth by truth, design by design, dose by dose.
    pub fn rows(table: &OcTable) -> Vec<OcByDoseRow> {
        let mut rows = Vec::with_capacity(table.rows.len() * table.dose_labels.len());
        for row in &table.rows {
            for (i, label) in table.dose_labels.iter().enumerate() {
                let dose = Dose(i as u16);
                rows.push(OcByDoseRow {
                    oc: DoseOc {
                        truth: row.truth.clone(),
                        design: row.design.clone(),
                        dose: dose.level(),
                        label: label.clone(),
                        true_dlt: Given(row.true_dlt[i]),
                        selected_pct: Fixed(row.selected_pct(dose)),
                        patients_mean: Fixed(row.patients_mean(dose)),
                        dlt_mean: Fixed(row.dlt_mean(dose)),
                    },
                    calendar: row.timing.as_ref().map_or_else(DoseCalendar::default, |t| {
                        DoseCalendar::new(t, dose, row.patients_mean(dose), table.features)
                    }),
                    se: DoseOcSe::new(row, dose),
                    calendar_se: DoseCalendarSe::new(row, dose, table.features),
                });
            }
        }
        rows
    }
}

/// One truth × design of `summary.csv`: the contract's leading columns, how the row was
/// computed, then its calendar-time outcomes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// The contract's leading columns.
    pub lead: SummaryLead,
    /// The decision judged correct, spread, stop reasons and method.
    pub details: SummaryDetails,
    /// Calendar-time runs only (empty otherwise).
    pub calendar: SummaryCalendar,
    /// The standard errors of the figures of `lead`.
    pub lead_se: SummaryLeadSe,
    /// The standard errors of the figures of `details`.
    pub se: SummarySe,
    /// The standard errors of the figures of `calendar`.
    pub calendar_se: SummaryCalendarSe,
}

/// The leading columns of `summary.csv` (**contract**; also the columns `compare` stacks).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryLead {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// Simulated trials, or `exact`.
    pub trials: Trials,
    /// % of trials making the correct decision (stopping, when that is correct).
    pub correct_selection_pct: Percent,
    /// % of trials stopping without selecting a dose.
    pub stopped_early_pct: Percent,
    /// Mean sample size.
    pub patients_mean: Mean,
    /// DLTs per patient treated.
    pub dlt_rate: Mean,
    /// % of patients treated above the correct dose.
    pub overdose_patients_pct: Percent,
    /// % of trials selecting a dose above the correct dose.
    pub overdose_selection_pct: Percent,
}

/// The columns of `summary.csv` after the contract's, before the calendar-time ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryDetails {
    /// The correct decision: a dose level, or `stop`.
    pub correct_decision: Choice,
    /// Standard deviation of the sample size (the sample SD for simulated rows).
    pub patients_sd: Mean,
    /// Mean DLTs per trial.
    pub dlt_mean: Mean,
    /// % of trials selecting no dose.
    pub selected_none_pct: Percent,
    /// % of trials ending because the design reached its own end.
    pub stop_design_complete_pct: Percent,
    /// % of trials stopping because every dose is too toxic.
    pub stop_too_toxic_pct: Percent,
    /// % of trials reaching the sample size limit.
    pub stop_max_patients_pct: Percent,
    /// % of trials stopping with enough patients at a dose.
    pub stop_enough_at_dose_pct: Percent,
    /// `simulated` or `exact`.
    pub method: MethodName,
    /// Trial states walked, for exact rows.
    pub exact_states: Option<usize>,
    /// The target DLT probability.
    pub target: Given,
}

/// The calendar-time columns of `summary.csv` (months), with the protocol's other outcomes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryCalendar {
    /// Mean trial duration.
    pub duration_mean: Option<Mean>,
    /// Median trial duration.
    pub duration_median: Option<Mean>,
    /// 90th percentile of the trial duration.
    pub duration_p90: Option<Mean>,
    /// Patients per trial who waited for accrual to reopen.
    pub waited_mean: Option<Mean>,
    /// Mean wait of those who waited.
    pub wait_mean: Option<Mean>,
    /// Patients per trial turned away.
    pub turned_away_mean: Option<Mean>,
    /// The right RP2D: a dose level, or `stop`.
    pub correct_rp2d: Option<Choice>,
    /// % of trials choosing the right RP2D.
    pub rp2d_correct_pct: Option<Percent>,
    /// % of trials choosing no RP2D.
    pub rp2d_none_pct: Option<Percent>,
    /// % of patients given step-up dosing.
    pub step_up_patients_pct: Option<Percent>,
    /// % of trials whose MTD was given with step-up dosing at the end.
    pub selected_step_up_pct: Option<Percent>,
    /// % of trials deciding right for the truth as given when each trial ended.
    pub correct_as_given_pct: Option<Percent>,
    /// % of trials selecting above the right dose for the truth as given when each trial ended.
    pub overdose_selection_as_given_pct: Option<Percent>,
    /// Mean CRS-type DLTs per trial.
    pub crs_dlt_mean: Option<Mean>,
    /// Mean patients backfilled per trial.
    pub backfill_patients_mean: Option<Mean>,
    /// Mean patients in the expansion per trial.
    pub expansion_patients_mean: Option<Mean>,
}

impl SummaryCalendar {
    fn new(t: &TimedSummary, patients_mean: f64, uses: CalendarFeatures) -> SummaryCalendar {
        let total = |used: bool, f: fn(&TimedDoseSummary) -> f64| used.then(|| Fixed(t.doses.iter().map(f).sum()));
        let pct = |used: bool, x: f64| used.then_some(Fixed(x));
        SummaryCalendar {
            duration_mean: Some(Fixed(t.duration_mean)),
            duration_median: Some(Fixed(t.duration_median)),
            duration_p90: Some(Fixed(t.duration_p90)),
            waited_mean: Some(Fixed(t.waited_mean)),
            wait_mean: Some(Fixed(t.wait_mean)),
            turned_away_mean: Some(Fixed(t.turned_away_mean)),
            correct_rp2d: uses.response.then_some(Choice::dose(t.correct_rp2d)),
            rp2d_correct_pct: pct(uses.response, t.rp2d_correct_pct()),
            rp2d_none_pct: pct(uses.response, t.rp2d_none_pct),
            step_up_patients_pct: pct(uses.step_up, t.step_up_patients_pct(patients_mean)),
            selected_step_up_pct: pct(uses.step_up, t.selected_step_up_pct),
            correct_as_given_pct: pct(uses.step_up, t.correct_as_given_pct),
            overdose_selection_as_given_pct: pct(uses.step_up, t.overdose_as_given_pct),
            crs_dlt_mean: total(uses.crs, |d| d.crs_dlt_mean),
            backfill_patients_mean: total(uses.backfill, |d| d.backfill_patients_mean),
            expansion_patients_mean: total(uses.expansion, |d| d.expansion_patients_mean),
        }
    }
}

impl SummaryRow {
    /// The rows of `table`, truth by truth, design by design.
    pub fn rows(table: &OcTable) -> Vec<SummaryRow> {
        table
            .rows
            .iter()
            .map(|row| SummaryRow::new(row, table.target, table.features))
            .collect()
    }

    fn new(row: &OcRow, target: f64, uses: CalendarFeatures) -> SummaryRow {
        let pct = |x: f64| Fixed(x);
        // A phase I/II design's no_acceptable_dose stops are in obd_summary.csv.
        let [design_complete, too_toxic, max_patients, enough_at_dose, _] =
            StopReason::ALL.map(|r| pct(row.stop_pct(r)));
        let (trials, method, exact_states) = match row.method {
            Method::Simulated { trials } => (Trials::Simulated(trials), MethodName::Simulated, None),
            Method::Exact { states } => (Trials::Exact, MethodName::Exact, Some(states)),
        };
        SummaryRow {
            lead: SummaryLead {
                truth: row.truth.clone(),
                design: row.design.clone(),
                trials,
                correct_selection_pct: pct(row.correct_selection_pct()),
                stopped_early_pct: pct(row.stopped_early_pct()),
                patients_mean: Fixed(row.total_patients_mean()),
                dlt_rate: Fixed(row.dlt_rate()),
                overdose_patients_pct: pct(row.overdose_patients_pct()),
                overdose_selection_pct: pct(row.overdose_selection_pct()),
            },
            details: SummaryDetails {
                correct_decision: row.correct.into(),
                patients_sd: Fixed(row.total_patients_sd()),
                dlt_mean: Fixed(row.total_dlt_mean()),
                selected_none_pct: pct(row.stopped_early_pct()),
                stop_design_complete_pct: design_complete,
                stop_too_toxic_pct: too_toxic,
                stop_max_patients_pct: max_patients,
                stop_enough_at_dose_pct: enough_at_dose,
                method,
                exact_states,
                target: Given(target),
            },
            calendar: row.timing.as_ref().map_or_else(SummaryCalendar::default, |t| {
                SummaryCalendar::new(t, row.total_patients_mean(), uses)
            }),
            lead_se: SummaryLeadSe::new(row),
            se: SummarySe::new(row),
            calendar_se: SummaryCalendarSe::new(row, uses),
        }
    }
}

impl From<CorrectDecision> for Choice {
    fn from(correct: CorrectDecision) -> Choice {
        match correct {
            CorrectDecision::Select(dose) => Choice::Level(dose.level()),
            CorrectDecision::Stop => Choice::Stop,
        }
    }
}

flat_row!(
    DoseOc => "oc_by_dose.csv",
    DoseCalendar => DoseOc::FILE,
    SummaryLead => SUMMARY_FILE,
    SummaryDetails => SUMMARY_FILE,
    SummaryCalendar => SUMMARY_FILE,
);

impl Row for OcByDoseRow {
    const FILE: &'static str = DoseOc::FILE;

    fn columns() -> Vec<&'static str> {
        [
            DoseOc::columns(),
            DoseCalendar::columns(),
            DoseOcSe::columns(),
            DoseCalendarSe::columns(),
        ]
        .concat()
    }

    fn read(record: &csv::StringRecord, headers: &csv::StringRecord) -> Result<Self, csv::Error> {
        Ok(OcByDoseRow {
            oc: DoseOc::read(record, headers)?,
            calendar: DoseCalendar::read(record, headers)?,
            se: DoseOcSe::read(record, headers)?,
            calendar_se: DoseCalendarSe::read(record, headers)?,
        })
    }
}

impl Row for SummaryRow {
    const FILE: &'static str = SUMMARY_FILE;

    fn columns() -> Vec<&'static str> {
        [
            SummaryLead::columns(),
            SummaryDetails::columns(),
            SummaryCalendar::columns(),
            SummaryLeadSe::columns(),
            SummarySe::columns(),
            SummaryCalendarSe::columns(),
        ]
        .concat()
    }

    fn read(record: &csv::StringRecord, headers: &csv::StringRecord) -> Result<Self, csv::Error> {
        Ok(SummaryRow {
            lead: SummaryLead::read(record, headers)?,
            details: SummaryDetails::read(record, headers)?,
            calendar: SummaryCalendar::read(record, headers)?,
            lead_se: SummaryLeadSe::read(record, headers)?,
            se: SummarySe::read(record, headers)?,
            calendar_se: SummaryCalendarSe::read(record, headers)?,
        })
    }
}
