//! The operating characteristics of a dose-finding run: one row per truth × design, with the
//! definitions every table uses (the correct decision, overdoses) and the percentages and means
//! computed from each row's probabilities.

use super::moments::TrialMoments;
use super::obd::ObdTruth;
use crate::core::{Dose, StopReason};

/// The right answer under a truth: a dose, or stopping because every dose is too toxic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorrectDecision {
    /// Selecting this dose as MTD.
    Select(Dose),
    /// Stopping without a dose.
    Stop,
}

impl CorrectDecision {
    /// The dose whose true DLT probability is closest to the target (ties: the lower dose), as
    /// BOIN's `get.oc`; stopping when every dose exceeds 1.4 × target. Comparisons allow for
    /// rounding (1e-12), so doses written equally far from the target tie as written.
    pub fn for_truth(dlt: &[f64], target: f64) -> CorrectDecision {
        const ROUNDING: f64 = 1e-12;
        if dlt.iter().all(|&p| p > 1.4 * target + ROUNDING) {
            return CorrectDecision::Stop;
        }
        let mut best = 0;
        for (j, p) in dlt.iter().enumerate() {
            if (p - target).abs() < (dlt[best] - target).abs() - ROUNDING {
                best = j;
            }
        }
        CorrectDecision::Select(Dose(best as u16))
    }

    /// Whether `dose` is above the correct dose (every dose, when stopping is correct).
    pub fn is_overdose(self, dose: Dose) -> bool {
        match self {
            CorrectDecision::Select(correct) => dose > correct,
            CorrectDecision::Stop => true,
        }
    }
}

/// Operating characteristics of one design under one truth, per trial: probabilities and
/// expectations, estimated from simulated counts or computed exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct OcProbabilities {
    /// P(select dose), per dose.
    pub selected: Vec<f64>,
    /// P(select no dose).
    pub selected_none: f64,
    /// E[patients treated at dose], per dose.
    pub patients: Vec<f64>,
    /// E[DLTs at dose], per dose.
    pub dlts: Vec<f64>,
    /// P(stop for reason), indexed as [`StopReason::ALL`].
    pub stops: [f64; StopReason::ALL.len()],
    /// P(sample size = n), for n = 0 … max patients.
    pub sample_size: Vec<f64>,
    /// E[responses at dose], per dose: designs that decide on responses only.
    pub responses: Option<Vec<f64>>,
    /// The per-trial moments behind the standard errors: simulated rows only (none for exact
    /// rows, which have no Monte Carlo error).
    pub moments: Option<TrialMoments>,
}

/// How a row's operating characteristics were obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Monte Carlo with this many trials.
    Simulated {
        /// Trials simulated.
        trials: u64,
    },
    /// Exact enumeration of every reachable trial state.
    Exact {
        /// Trial states walked.
        states: usize,
    },
}

/// Calendar-time results of one truth × design (months), with the protocol's other outcomes.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedSummary {
    /// Mean duration, from the first participant to the last DLT window's close.
    pub duration_mean: f64,
    /// Median duration.
    pub duration_median: f64,
    /// 90th percentile of the duration.
    pub duration_p90: f64,
    /// Patients per trial who waited for accrual to reopen.
    pub waited_mean: f64,
    /// Mean wait of those who waited.
    pub wait_mean: f64,
    /// Patients per trial turned away (they would have waited longer than `max_wait`).
    pub turned_away_mean: f64,
    /// The true DLT probability of each dose as the design plans to give it (step-up from a
    /// pre-specified level; direct dosing elsewhere): the curve the correct MTD is judged on.
    pub planned_dlt: Vec<f64>,
    /// The right RP2D (none when stopping is right).
    pub correct_rp2d: Option<Dose>,
    /// Percentage of trials choosing no RP2D.
    pub rp2d_none_pct: f64,
    /// Percentage of trials whose MTD was given with step-up dosing at the end.
    pub selected_step_up_pct: f64,
    /// Percentage of trials deciding right for the truth as given when each trial ended (step-up
    /// from the level in use then, committee switch included).
    pub correct_as_given_pct: f64,
    /// Percentage of trials selecting above the right dose, for the truth as given when each
    /// trial ended.
    pub overdose_as_given_pct: f64,
    /// Per-dose means, lowest dose first.
    pub doses: Vec<TimedDoseSummary>,
    /// The Monte Carlo standard errors of the figures above.
    pub se: TimedSe,
}

/// The Monte Carlo standard errors of a [`TimedSummary`]'s figures, named after them (see
/// [`super::moments`]); quantiles of the duration from the order statistics' 95% interval,
/// (upper − lower)/(2 × 1.96).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimedSe {
    /// Of `duration_mean`.
    pub duration_mean: f64,
    /// Of `duration_median`.
    pub duration_median: f64,
    /// Of `duration_p90`.
    pub duration_p90: f64,
    /// Of `waited_mean`.
    pub waited_mean: f64,
    /// Of `wait_mean` (a ratio of means).
    pub wait_mean: f64,
    /// Of `turned_away_mean`.
    pub turned_away_mean: f64,
    /// Of the % of patients given step-up dosing (a ratio of means).
    pub step_up_patients_pct: f64,
    /// Of the mean CRS-type DLTs per trial.
    pub crs_dlt_mean: f64,
    /// Of the mean patients backfilled per trial.
    pub backfill_patients_mean: f64,
    /// Of the mean patients in the expansion per trial.
    pub expansion_patients_mean: f64,
}

/// Per-trial means at one dose in calendar time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimedDoseSummary {
    /// Patients given step-up dosing.
    pub step_up_patients_mean: f64,
    /// DLTs under step-up dosing.
    pub step_up_dlt_mean: f64,
    /// CRS-type DLTs.
    pub crs_dlt_mean: f64,
    /// Patients backfilled.
    pub backfill_patients_mean: f64,
    /// Patients treated in the expansion.
    pub expansion_patients_mean: f64,
    /// Responses.
    pub response_mean: f64,
    /// Patients with a TEAE.
    pub teae_mean: f64,
    /// Mean lower 95% Clopper–Pearson bound of the TEAE incidence, over trials treating the dose.
    pub teae_ci_lower_mean: f64,
    /// Mean upper 95% Clopper–Pearson bound of the TEAE incidence, over trials treating the dose.
    pub teae_ci_upper_mean: f64,
    /// Percentage of trials choosing the dose as RP2D.
    pub rp2d_pct: f64,
    /// The Monte Carlo standard errors of the means above.
    pub se: TimedDoseSe,
}

/// The Monte Carlo standard errors of a [`TimedDoseSummary`]'s means, named after them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimedDoseSe {
    /// Of `step_up_patients_mean`.
    pub step_up_patients_mean: f64,
    /// Of `step_up_dlt_mean`.
    pub step_up_dlt_mean: f64,
    /// Of `crs_dlt_mean`.
    pub crs_dlt_mean: f64,
    /// Of `backfill_patients_mean`.
    pub backfill_patients_mean: f64,
    /// Of `expansion_patients_mean`.
    pub expansion_patients_mean: f64,
    /// Of `response_mean`.
    pub response_mean: f64,
    /// Of `teae_mean`.
    pub teae_mean: f64,
    /// Of the TEAE incidence, TEAEs per patient treated at the dose (a ratio of means).
    pub teae_incidence: f64,
    /// Of `teae_ci_lower_mean`.
    pub teae_ci_lower_mean: f64,
    /// Of `teae_ci_upper_mean`.
    pub teae_ci_upper_mean: f64,
}

impl TimedSummary {
    /// Percentage of trials choosing the right RP2D (stopping, when that is right).
    pub fn rp2d_correct_pct(&self) -> f64 {
        match self.correct_rp2d {
            Some(d) => self.doses[d.index()].rp2d_pct,
            None => self.rp2d_none_pct,
        }
    }

    /// Percentage of patients given step-up dosing.
    pub fn step_up_patients_pct(&self, patients_mean: f64) -> f64 {
        let step_up: f64 = self.doses.iter().map(|d| d.step_up_patients_mean).sum();
        if patients_mean > 0.0 {
            100.0 * step_up / patients_mean
        } else {
            0.0
        }
    }
}

/// How one truth × design pair was computed, its operating characteristics and, in calendar time,
/// its durations and waits.
pub type RowResult = (Method, OcProbabilities, Option<TimedSummary>);

/// One truth × design row of the OC tables.
#[derive(Clone, Debug, PartialEq)]
pub struct OcRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// True P(DLT) by dose, as the design gives each dose (the curve the correct decision is
    /// judged on).
    pub true_dlt: Vec<f64>,
    /// The correct decision under `true_dlt`.
    pub correct: CorrectDecision,
    /// How the row was computed.
    pub method: Method,
    /// Its operating characteristics.
    pub oc: OcProbabilities,
    /// Present when the run simulated calendar time.
    pub timing: Option<TimedSummary>,
    /// Present for a design that decides on responses: its true utilities and OBD.
    pub obd: Option<ObdTruth>,
}

impl OcRow {
    fn doses(&self) -> impl Iterator<Item = Dose> {
        (0..self.true_dlt.len() as u16).map(Dose)
    }
    /// Percentage of trials selecting `dose` (over all trials).
    pub fn selected_pct(&self, dose: Dose) -> f64 {
        100.0 * self.oc.selected[dose.index()]
    }
    /// Mean patients treated at `dose` per trial.
    pub fn patients_mean(&self, dose: Dose) -> f64 {
        self.oc.patients[dose.index()]
    }
    /// Mean DLTs at `dose` per trial.
    pub fn dlt_mean(&self, dose: Dose) -> f64 {
        self.oc.dlts[dose.index()]
    }
    /// Percentage of trials making the correct decision.
    pub fn correct_selection_pct(&self) -> f64 {
        match self.correct {
            CorrectDecision::Select(d) => self.selected_pct(d),
            CorrectDecision::Stop => self.stopped_early_pct(),
        }
    }
    /// Percentage of trials that stopped without selecting a dose.
    pub fn stopped_early_pct(&self) -> f64 {
        100.0 * self.oc.selected_none
    }
    /// Mean sample size.
    pub fn total_patients_mean(&self) -> f64 {
        self.oc.patients.iter().sum()
    }
    /// Standard deviation of the sample size (the sample SD for simulated rows).
    pub fn total_patients_sd(&self) -> f64 {
        let m = self.total_patients_mean();
        let variance: f64 = self
            .oc
            .sample_size
            .iter()
            .enumerate()
            .map(|(size, &p)| p * (size as f64 - m).powi(2))
            .sum();
        let correction = match self.method {
            Method::Simulated { trials } if trials > 1 => trials as f64 / (trials - 1) as f64,
            _ => 1.0,
        };
        (variance * correction).sqrt()
    }
    /// Mean DLTs per trial.
    pub fn total_dlt_mean(&self) -> f64 {
        self.oc.dlts.iter().sum()
    }
    /// DLTs per patient treated, over all trials.
    pub fn dlt_rate(&self) -> f64 {
        let patients = self.total_patients_mean();
        if patients > 0.0 {
            self.total_dlt_mean() / patients
        } else {
            0.0
        }
    }
    /// Percentage of patients treated above the correct dose.
    pub fn overdose_patients_pct(&self) -> f64 {
        let over: f64 = self
            .doses()
            .filter(|&d| self.correct.is_overdose(d))
            .map(|d| self.oc.patients[d.index()])
            .sum();
        let all = self.total_patients_mean();
        if all > 0.0 {
            100.0 * over / all
        } else {
            0.0
        }
    }
    /// Percentage of trials selecting a dose above the correct dose.
    pub fn overdose_selection_pct(&self) -> f64 {
        100.0
            * self
                .doses()
                .filter(|&d| self.correct.is_overdose(d))
                .map(|d| self.oc.selected[d.index()])
                .sum::<f64>()
            + 0.0
    }
    /// Percentage of trials that ended for `reason`.
    pub fn stop_pct(&self, reason: StopReason) -> f64 {
        100.0 * self.oc.stops[reason.index()]
    }
}

/// What a calendar-time scenario uses beyond escalation in calendar time, from its settings (not
/// from the results): each flag keeps the columns of `oc_by_dose.csv` and `summary.csv` (and their
/// `_se` columns) that the feature fills; a run without it would write them empty, zero or as a
/// copy of another column. A feature in use keeps its columns whatever their values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarFeatures {
    /// Some design gives step-up dosing (`step_up`): the step-up and "as given" columns.
    pub step_up: bool,
    /// Some truth gives CRS-type DLT probabilities (`crs`): `crs_dlt_mean`.
    pub crs: bool,
    /// Some design backfills (`backfill`): `backfill_patients_mean`.
    pub backfill: bool,
    /// The trial has expansion cohorts (`total_patients`): `expansion_patients_mean`.
    pub expansion: bool,
    /// Some truth gives response probabilities (`efficacy`): `response_mean` and the RP2D columns
    /// (without responses the RP2D is the MTD, and its columns would repeat the MTD's).
    pub response: bool,
    /// Some truth gives TEAE probabilities (`teae`): the TEAE columns.
    pub teae: bool,
}

impl CalendarFeatures {
    /// Every feature in use: every calendar-time column written.
    pub const ALL: CalendarFeatures = CalendarFeatures {
        step_up: true,
        crs: true,
        backfill: true,
        expansion: true,
        response: true,
        teae: true,
    };
}

/// The operating characteristics of every design under every truth.
#[derive(Clone, Debug, PartialEq)]
pub struct OcTable {
    /// The scenario's name.
    pub scenario: String,
    /// The target DLT probability.
    pub target: f64,
    /// The doses' labels, lowest first.
    pub dose_labels: Vec<String>,
    /// The run's seed.
    pub seed: u64,
    /// Rows ordered truth by truth, designs in scenario order within each truth.
    pub rows: Vec<OcRow>,
    /// The OCs over random curves, when the scenario has `[random_truths]`.
    pub random_truths: Option<super::random_truths::RandomTruthsTable>,
    /// The calendar-time features the scenario uses (all, unless told otherwise).
    pub features: CalendarFeatures,
    /// The randomized dose-optimization stages, when a design has one.
    pub optimization: Option<super::optimization::OptimizationTable>,
}

impl OcTable {
    /// Builds the table of scenario `scenario` (target DLT probability `target`, doses labelled
    /// `dose_labels`) from results indexed `[design][truth]`: `truths` gives each truth's name and
    /// true DLT probabilities by dose, in scenario order.
    pub fn new<'t>(
        scenario: &str,
        target: f64,
        dose_labels: &[String],
        truths: impl IntoIterator<Item = (&'t str, &'t [f64])>,
        design_names: &[&str],
        results: Vec<Vec<RowResult>>,
        seed: u64,
    ) -> OcTable {
        let mut by_design: Vec<_> = results.into_iter().map(Vec::into_iter).collect();
        let mut rows = Vec::new();
        for (truth, dlt) in truths {
            for (k, name) in design_names.iter().enumerate() {
                let (method, oc, timing) = by_design[k].next().expect("one result per truth");
                let true_dlt = timing.as_ref().map_or(dlt, |t| t.planned_dlt.as_slice()).to_vec();
                rows.push(OcRow {
                    truth: truth.to_string(),
                    design: name.to_string(),
                    correct: CorrectDecision::for_truth(&true_dlt, target),
                    true_dlt,
                    method,
                    oc,
                    timing,
                    obd: None,
                });
            }
        }
        OcTable {
            scenario: scenario.to_string(),
            target,
            dose_labels: dose_labels.to_vec(),
            seed,
            rows,
            random_truths: None,
            features: CalendarFeatures::ALL,
            optimization: None,
        }
    }
}

impl OcTable {
    /// Marks the row of `truth` × `design` (names) as a phase I/II design's, judged on `obd`.
    pub fn set_obd(&mut self, truth: &str, design: &str, obd: ObdTruth) {
        if let Some(row) = self.rows.iter_mut().find(|r| r.truth == truth && r.design == design) {
            row.obd = Some(obd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correct_dose_is_closest_with_lower_ties() {
        assert_eq!(
            CorrectDecision::for_truth(&[0.05, 0.15, 0.3, 0.45], 0.3),
            CorrectDecision::Select(Dose(2))
        );
        assert_eq!(
            CorrectDecision::for_truth(&[0.2, 0.3], 0.25),
            CorrectDecision::Select(Dose(0))
        );
        assert_eq!(CorrectDecision::for_truth(&[0.5, 0.6], 0.3), CorrectDecision::Stop);
        assert_eq!(
            CorrectDecision::for_truth(&[0.01, 0.02], 0.3),
            CorrectDecision::Select(Dose(1))
        );
    }
}
