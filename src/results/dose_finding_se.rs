//! The standard-error columns of a dose-finding run's `oc_by_dose.csv` and `summary.csv`: one
//! `<name>_se` column per simulated figure, after every other column (the formulas are in
//! [`super::moments`]). Exact rows have no Monte Carlo error: their standard errors are 0 (the
//! convention of the parity fixtures, where se = 0 marks an exact quantity), and their `method`
//! column says `exact`.

use super::cells::{Fixed, Mean, Percent};
use super::oc::{CalendarFeatures, OcRow, TimedDoseSummary, TimedSummary};
use super::rows::flat_row;
use super::SUMMARY_FILE;
use crate::core::{Dose, StopReason};
use serde::{Deserialize, Serialize};

/// The Monte Carlo standard errors of [`DoseOc`]'s simulated figures (0 for exact rows; see
/// [`crate::results::moments`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoseOcSe {
    /// Of `selected_pct` (binomial).
    pub selected_pct_se: Percent,
    /// Of `patients_mean`.
    pub patients_mean_se: Mean,
    /// Of `dlt_mean`.
    pub dlt_mean_se: Mean,
}

impl DoseOcSe {
    pub(super) fn new(row: &OcRow, dose: Dose) -> DoseOcSe {
        DoseOcSe {
            selected_pct_se: Fixed(row.pct_se(row.selected_pct(dose))),
            patients_mean_se: Fixed(row.patients_mean_se(dose)),
            dlt_mean_se: Fixed(row.dlt_mean_se(dose)),
        }
    }
}

/// The standard errors of the calendar-time columns of `oc_by_dose.csv` (empty unless the run
/// simulated calendar time, and a feature's empty unless the scenario uses it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DoseCalendarSe {
    /// Of `step_up_patients_mean`.
    pub step_up_patients_mean_se: Option<Mean>,
    /// Of `step_up_dlt_mean`.
    pub step_up_dlt_mean_se: Option<Mean>,
    /// Of `crs_dlt_mean`.
    pub crs_dlt_mean_se: Option<Mean>,
    /// Of `backfill_patients_mean`.
    pub backfill_patients_mean_se: Option<Mean>,
    /// Of `expansion_patients_mean`.
    pub expansion_patients_mean_se: Option<Mean>,
    /// Of `response_mean`.
    pub response_mean_se: Option<Mean>,
    /// Of `teae_mean`.
    pub teae_mean_se: Option<Mean>,
    /// Of `teae_incidence` (a ratio of means).
    pub teae_incidence_se: Option<Mean>,
    /// Of `teae_ci_lower_mean` (over the trials treating the dose).
    pub teae_ci_lower_mean_se: Option<Mean>,
    /// Of `teae_ci_upper_mean` (over the trials treating the dose).
    pub teae_ci_upper_mean_se: Option<Mean>,
    /// Of `rp2d_pct` (binomial).
    pub rp2d_pct_se: Option<Percent>,
}

impl DoseCalendarSe {
    pub(super) fn new(row: &OcRow, dose: Dose, uses: CalendarFeatures) -> DoseCalendarSe {
        let Some(t) = &row.timing else {
            return DoseCalendarSe::default();
        };
        let d: &TimedDoseSummary = &t.doses[dose.index()];
        let se = &d.se;
        let some = |used: bool, x: f64| used.then_some(Fixed(x));
        DoseCalendarSe {
            step_up_patients_mean_se: some(uses.step_up, se.step_up_patients_mean),
            step_up_dlt_mean_se: some(uses.step_up, se.step_up_dlt_mean),
            crs_dlt_mean_se: some(uses.crs, se.crs_dlt_mean),
            backfill_patients_mean_se: some(uses.backfill, se.backfill_patients_mean),
            expansion_patients_mean_se: some(uses.expansion, se.expansion_patients_mean),
            response_mean_se: some(uses.response, se.response_mean),
            teae_mean_se: some(uses.teae, se.teae_mean),
            teae_incidence_se: some(uses.teae, se.teae_incidence),
            teae_ci_lower_mean_se: some(uses.teae, se.teae_ci_lower_mean),
            teae_ci_upper_mean_se: some(uses.teae, se.teae_ci_upper_mean),
            rp2d_pct_se: uses.response.then(|| Fixed(row.pct_se(d.rp2d_pct))),
        }
    }
}

/// The Monte Carlo standard errors of [`SummaryLead`](super::dose_finding::SummaryLead)'s simulated figures, named after them (0
/// for exact rows; see [`crate::results::moments`]); `compare` stacks them with the lead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryLeadSe {
    /// Binomial.
    pub correct_selection_pct_se: Percent,
    /// Binomial.
    pub stopped_early_pct_se: Percent,
    /// The sample SD over √n.
    pub patients_mean_se: Mean,
    /// Ratio of means (delta method).
    pub dlt_rate_se: Mean,
    /// Ratio of means (delta method).
    pub overdose_patients_pct_se: Percent,
    /// Binomial.
    pub overdose_selection_pct_se: Percent,
}

impl SummaryLeadSe {
    pub(super) fn new(row: &OcRow) -> SummaryLeadSe {
        let binomial = |pct: f64| Fixed(row.pct_se(pct));
        SummaryLeadSe {
            correct_selection_pct_se: binomial(row.correct_selection_pct()),
            stopped_early_pct_se: binomial(row.stopped_early_pct()),
            patients_mean_se: Fixed(row.total_patients_mean_se()),
            dlt_rate_se: Fixed(row.dlt_rate_se()),
            overdose_patients_pct_se: Fixed(row.overdose_patients_pct_se()),
            overdose_selection_pct_se: binomial(row.overdose_selection_pct()),
        }
    }
}

/// The Monte Carlo standard errors of [`SummaryDetails`](super::dose_finding::SummaryDetails)' simulated figures, named after them (0
/// for exact rows).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummarySe {
    /// √((μ₄ − σ⁴)/n)/(2σ).
    pub patients_sd_se: Mean,
    /// The sample SD over √n.
    pub dlt_mean_se: Mean,
    /// Binomial.
    pub selected_none_pct_se: Percent,
    /// Binomial.
    pub stop_design_complete_pct_se: Percent,
    /// Binomial.
    pub stop_too_toxic_pct_se: Percent,
    /// Binomial.
    pub stop_max_patients_pct_se: Percent,
    /// Binomial.
    pub stop_enough_at_dose_pct_se: Percent,
}

impl SummarySe {
    pub(super) fn new(row: &OcRow) -> SummarySe {
        let binomial = |pct: f64| Fixed(row.pct_se(pct));
        // summary.csv has no column for a phase I/II design's no-acceptable-dose stops (obd_summary.csv).
        let [design_complete, too_toxic, max_patients, enough_at_dose, _] =
            StopReason::ALL.map(|r| binomial(row.stop_pct(r)));
        SummarySe {
            patients_sd_se: Fixed(row.total_patients_sd_se()),
            dlt_mean_se: Fixed(row.total_dlt_mean_se()),
            selected_none_pct_se: binomial(row.stopped_early_pct()),
            stop_design_complete_pct_se: design_complete,
            stop_too_toxic_pct_se: too_toxic,
            stop_max_patients_pct_se: max_patients,
            stop_enough_at_dose_pct_se: enough_at_dose,
        }
    }
}

/// The standard errors of the calendar-time columns of `summary.csv` (empty unless the run
/// simulated calendar time, and a feature's empty unless the scenario uses it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryCalendarSe {
    /// Of `duration_mean`.
    pub duration_mean_se: Option<Mean>,
    /// Of `duration_median` (order statistics).
    pub duration_median_se: Option<Mean>,
    /// Of `duration_p90` (order statistics).
    pub duration_p90_se: Option<Mean>,
    /// Of `waited_mean`.
    pub waited_mean_se: Option<Mean>,
    /// Of `wait_mean` (a ratio of means).
    pub wait_mean_se: Option<Mean>,
    /// Of `turned_away_mean`.
    pub turned_away_mean_se: Option<Mean>,
    /// Of `rp2d_correct_pct` (binomial).
    pub rp2d_correct_pct_se: Option<Percent>,
    /// Of `rp2d_none_pct` (binomial).
    pub rp2d_none_pct_se: Option<Percent>,
    /// Of `step_up_patients_pct` (a ratio of means).
    pub step_up_patients_pct_se: Option<Percent>,
    /// Of `selected_step_up_pct` (binomial).
    pub selected_step_up_pct_se: Option<Percent>,
    /// Of `correct_as_given_pct` (binomial).
    pub correct_as_given_pct_se: Option<Percent>,
    /// Of `overdose_selection_as_given_pct` (binomial).
    pub overdose_selection_as_given_pct_se: Option<Percent>,
    /// Of `crs_dlt_mean`.
    pub crs_dlt_mean_se: Option<Mean>,
    /// Of `backfill_patients_mean`.
    pub backfill_patients_mean_se: Option<Mean>,
    /// Of `expansion_patients_mean`.
    pub expansion_patients_mean_se: Option<Mean>,
}

impl SummaryCalendarSe {
    pub(super) fn new(row: &OcRow, uses: CalendarFeatures) -> SummaryCalendarSe {
        let Some(t): Option<&TimedSummary> = row.timing.as_ref() else {
            return SummaryCalendarSe::default();
        };
        let some = |used: bool, x: f64| used.then_some(Fixed(x));
        let binomial = |used: bool, pct: f64| used.then(|| Fixed(row.pct_se(pct)));
        let calendar = |x: f64| Some(Fixed(x));
        SummaryCalendarSe {
            duration_mean_se: calendar(t.se.duration_mean),
            duration_median_se: calendar(t.se.duration_median),
            duration_p90_se: calendar(t.se.duration_p90),
            waited_mean_se: calendar(t.se.waited_mean),
            wait_mean_se: calendar(t.se.wait_mean),
            turned_away_mean_se: calendar(t.se.turned_away_mean),
            rp2d_correct_pct_se: binomial(uses.response, t.rp2d_correct_pct()),
            rp2d_none_pct_se: binomial(uses.response, t.rp2d_none_pct),
            step_up_patients_pct_se: uses.step_up.then_some(Fixed(t.se.step_up_patients_pct)),
            selected_step_up_pct_se: binomial(uses.step_up, t.selected_step_up_pct),
            correct_as_given_pct_se: binomial(uses.step_up, t.correct_as_given_pct),
            overdose_selection_as_given_pct_se: binomial(uses.step_up, t.overdose_as_given_pct),
            crs_dlt_mean_se: some(uses.crs, t.se.crs_dlt_mean),
            backfill_patients_mean_se: some(uses.backfill, t.se.backfill_patients_mean),
            expansion_patients_mean_se: some(uses.expansion, t.se.expansion_patients_mean),
        }
    }
}

flat_row!(
    DoseOcSe => "oc_by_dose.csv",
    DoseCalendarSe => "oc_by_dose.csv",
    SummaryLeadSe => SUMMARY_FILE,
    SummarySe => SUMMARY_FILE,
    SummaryCalendarSe => SUMMARY_FILE,
);
