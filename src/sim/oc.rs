//! Operating characteristics: integer counts merged across threads, and the table computed from
//! them (the only thing reports read).

use crate::dose_finding::{Dose, StopReason};

pub use crate::engines::dose_finding::OcCounts;

/// The right answer under a truth: a dose, or stopping because every dose is too toxic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorrectDecision {
    Select(Dose),
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
    pub stops: [f64; 4],
    /// P(sample size = n), for n = 0 … max patients.
    pub sample_size: Vec<f64>,
}

impl OcCounts {
    /// The simulated frequencies and means.
    pub fn probabilities(&self) -> OcProbabilities {
        let n = self.trials.max(1) as f64;
        let scale = |v: &[u64]| v.iter().map(|&x| x as f64 / n).collect();
        OcProbabilities {
            selected: scale(&self.selected),
            selected_none: self.selected_none as f64 / n,
            patients: scale(&self.patients),
            dlts: scale(&self.dlts),
            stops: self.stops.map(|x| x as f64 / n),
            sample_size: scale(&self.sample_size),
        }
    }
}

/// How a row's operating characteristics were obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Monte Carlo with this many trials.
    Simulated { trials: u64 },
    /// Exact enumeration of every reachable trial state.
    Exact { states: usize },
}

/// Calendar-time results of one truth × design (months), with the protocol's other outcomes.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedSummary {
    pub duration_mean: f64,
    pub duration_median: f64,
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
    pub rp2d_none_pct: f64,
    /// Percentage of trials whose MTD was given with step-up dosing at the end.
    pub selected_step_up_pct: f64,
    /// Percentage of trials deciding right, and selecting above the right dose, for the truth as
    /// given when each trial ended (step-up from the level in use then, committee switch included).
    pub correct_as_given_pct: f64,
    pub overdose_as_given_pct: f64,
    pub doses: Vec<TimedDoseSummary>,
}

/// Per-trial means at one dose in calendar time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimedDoseSummary {
    pub step_up_patients_mean: f64,
    pub step_up_dlt_mean: f64,
    pub crs_dlt_mean: f64,
    pub backfill_patients_mean: f64,
    pub expansion_patients_mean: f64,
    pub response_mean: f64,
    pub teae_mean: f64,
    /// Mean 95% Clopper–Pearson bounds of the TEAE incidence, over trials treating the dose.
    pub teae_ci_lower_mean: f64,
    pub teae_ci_upper_mean: f64,
    pub rp2d_pct: f64,
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
    pub truth: String,
    pub design: String,
    pub true_dlt: Vec<f64>,
    pub correct: CorrectDecision,
    pub method: Method,
    pub oc: OcProbabilities,
    /// Present when the run simulated calendar time.
    pub timing: Option<TimedSummary>,
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

/// The operating characteristics of every design under every truth.
#[derive(Clone, Debug, PartialEq)]
pub struct OcTable {
    pub scenario: String,
    pub target: f64,
    pub dose_labels: Vec<String>,
    pub seed: u64,
    /// Rows ordered truth by truth, designs in scenario order within each truth.
    pub rows: Vec<OcRow>,
}

impl OcTable {
    /// Builds the table from results indexed `[design][truth]`.
    pub fn new(
        scenario: &crate::scenario::Scenario,
        design_names: &[&str],
        results: Vec<Vec<RowResult>>,
        seed: u64,
    ) -> OcTable {
        let target = scenario.trial.target;
        let mut by_design: Vec<_> = results.into_iter().map(Vec::into_iter).collect();
        let mut rows = Vec::new();
        for truth in &scenario.truths {
            for (k, name) in design_names.iter().enumerate() {
                let (method, oc, timing) = by_design[k].next().expect("one result per truth");
                let true_dlt = timing.as_ref().map_or(&truth.dlt, |t| &t.planned_dlt).clone();
                rows.push(OcRow {
                    truth: truth.name.clone(),
                    design: name.to_string(),
                    correct: CorrectDecision::for_truth(&true_dlt, target),
                    true_dlt,
                    method,
                    oc,
                    timing,
                });
            }
        }
        OcTable {
            scenario: scenario.name.clone(),
            target,
            dose_labels: scenario.trial.doses.clone(),
            seed,
            rows,
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
