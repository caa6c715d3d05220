//! The calendar-time engine's integer accumulators: the dose-finding counts, durations and waits,
//! and the protocol's other outcomes.

use super::enrolment::Enrolment;
use super::patients::{Patients, Tally, TALLIES};
use super::trial::TimedTrial;
use crate::core::stats::clopper_pearson;
use crate::core::{Regimen, StepUpRule};
use crate::designs::{Decision, Dose, TrialData};
use crate::engines::dose_finding::OcCounts;
use crate::engines::{add, add_counts, total, Accumulator, MergeError};
use crate::results::moments::{mean_se_from_sums, ratio_se_from_sums, upper_index};
use crate::results::oc::{CorrectDecision, TimedDoseSe, TimedDoseSummary, TimedSe, TimedSummary};
use rustc_hash::FxHashMap;

/// Duration histogram resolution: months per bin, and the number of bins (the last collects
/// everything beyond).
const DURATION_BIN: f64 = 0.05;
const DURATION_BINS: usize = 4800;

/// Position of (n patients, x events) in a per-dose triangular table.
fn triangle(n: u32, x: u32) -> usize {
    (n * (n + 1) / 2 + x) as usize
}

/// Integer accumulators of the protocol's other outcomes, per dose unless said otherwise.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProtocolCounts {
    /// Patients given step-up dosing.
    pub step_up_patients: Vec<u64>,
    /// DLTs of patients given step-up dosing.
    pub step_up_dlts: Vec<u64>,
    /// CRS-type DLTs.
    pub crs_dlts: Vec<u64>,
    /// Backfill patients.
    pub backfill_patients: Vec<u64>,
    /// Expansion patients.
    pub expansion_patients: Vec<u64>,
    /// Responders.
    pub responses: Vec<u64>,
    /// Patients with a TEAE.
    pub teae: Vec<u64>,
    /// Trials by (patients n, patients with a TEAE x) at each dose, n ≥ 1, indexed
    /// `[dose][triangle(n, x)]`: the exact distribution behind the mean Clopper–Pearson interval.
    pub teae_table: Vec<Vec<u64>>,
    /// Trials choosing each dose as RP2D, and choosing none.
    pub rp2d: Vec<u64>,
    /// Trials choosing no RP2D.
    pub rp2d_none: u64,
    /// Trials whose MTD was given with step-up dosing when the trial ended.
    pub selected_step_up: u64,
    /// Trials whose decision was right, and trials that selected a dose above the right one, for
    /// the truth as given when the trial ended (step-up from the level in use then).
    pub correct_as_given: u64,
    /// Trials selecting above the right dose, as given.
    pub overdose_as_given: u64,
    /// The per-trial second moments of the first [`PER_PATIENT`] tables (step-up patients, step-up
    /// DLTs, CRS-type DLTs, backfill, expansion, responders, TEAE), in that order.
    pub moments: Vec<TableMoments>,
}

/// The tables of [`ProtocolCounts`] that count patients (or their events) at each dose.
const PER_PATIENT: usize = TALLIES;

/// Sums over trials of the squares behind the standard errors of one per-dose count x
/// ([`crate::results::moments`]): per dose Σx_d² and Σx_d·n_d (n_d the patients at the dose),
/// and of the trial's total X = Σ_d x_d, ΣX² and ΣX·N (N the sample size).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableMoments {
    /// Σx_d² per dose.
    pub squares: Vec<u64>,
    /// Σx_d·n_d per dose.
    pub with_patients: Vec<u64>,
    /// ΣX².
    pub total_squares: u64,
    /// ΣX·N.
    pub total_with_patients: u64,
}

impl TableMoments {
    fn new(num_doses: usize) -> TableMoments {
        TableMoments {
            squares: vec![0; num_doses],
            with_patients: vec![0; num_doses],
            total_squares: 0,
            total_with_patients: 0,
        }
    }

    fn merge(&mut self, other: &TableMoments) -> Result<(), MergeError> {
        add_counts(&mut self.squares, &other.squares)?;
        add_counts(&mut self.with_patients, &other.with_patients)?;
        add(&mut self.total_squares, other.total_squares)?;
        add(&mut self.total_with_patients, other.total_with_patients)
    }
}

impl ProtocolCounts {
    fn new(num_doses: usize, max_patients: u32) -> ProtocolCounts {
        let zeros = || vec![0; num_doses];
        ProtocolCounts {
            step_up_patients: zeros(),
            step_up_dlts: zeros(),
            crs_dlts: zeros(),
            backfill_patients: zeros(),
            expansion_patients: zeros(),
            responses: zeros(),
            teae: zeros(),
            teae_table: vec![vec![0; triangle(max_patients + 1, 0)]; num_doses],
            rp2d: zeros(),
            rp2d_none: 0,
            selected_step_up: 0,
            correct_as_given: 0,
            overdose_as_given: 0,
            moments: vec![TableMoments::new(num_doses); PER_PATIENT],
        }
    }

    /// The counts kept per dose (or per dose and (n, x)), in a fixed order.
    fn tables(&self) -> impl Iterator<Item = &Vec<u64>> {
        [
            &self.step_up_patients,
            &self.step_up_dlts,
            &self.crs_dlts,
            &self.backfill_patients,
            &self.expansion_patients,
            &self.responses,
            &self.teae,
            &self.rp2d,
        ]
        .into_iter()
        .chain(&self.teae_table)
    }

    /// [`ProtocolCounts::tables`], to add to.
    fn tables_mut(&mut self) -> impl Iterator<Item = &mut Vec<u64>> {
        [
            &mut self.step_up_patients,
            &mut self.step_up_dlts,
            &mut self.crs_dlts,
            &mut self.backfill_patients,
            &mut self.expansion_patients,
            &mut self.responses,
            &mut self.teae,
            &mut self.rp2d,
        ]
        .into_iter()
        .chain(&mut self.teae_table)
    }

    /// Adds one trial's counts of patients and events at each dose, as `patients` tallied them
    /// ([`Tally`], in the order of [`ProtocolCounts::moments`]), with their second moments and
    /// the TEAE table.
    fn add_tallies(&mut self, patients: &Patients, num_doses: usize) {
        let tallied = |d: usize| patients.tallied(Dose(d as u16));
        for (k, table) in self.tables_mut().take(PER_PATIENT).enumerate() {
            for (d, count) in table.iter_mut().enumerate().take(num_doses) {
                *count += u64::from(tallied(d).1[k]);
            }
        }
        // Per table, the trial's total X, and the trial's sample size N.
        let (mut totals, mut treated) = ([0u64; PER_PATIENT], 0u64);
        for d in 0..num_doses {
            let (joint, tally) = tallied(d);
            let n = u64::from(joint.patients);
            treated += n;
            for ((moments, total), &x) in self.moments.iter_mut().zip(&mut totals).zip(&tally) {
                let x = u64::from(x);
                moments.squares[d] += x * x;
                moments.with_patients[d] += x * n;
                *total += x;
            }
            if joint.patients > 0 {
                self.teae_table[d][triangle(joint.patients, tally[Tally::Teae as usize])] += 1;
            }
        }
        for (moments, &total) in self.moments.iter_mut().zip(&totals) {
            moments.total_squares += total * total;
            moments.total_with_patients += total * treated;
        }
    }

    /// Whether `other` counts the same doses and sample sizes.
    fn same_shape(&self, other: &ProtocolCounts) -> bool {
        self.teae_table.len() == other.teae_table.len()
            && self.tables().zip(other.tables()).all(|(a, b)| a.len() == b.len())
            && self.moments.len() == other.moments.len()
            && (self.moments.iter().zip(&other.moments)).all(|(a, b)| a.squares.len() == b.squares.len())
    }

    /// Adds `other`'s counts (of the same shape, see [`ProtocolCounts::same_shape`]).
    fn merge(&mut self, other: &ProtocolCounts) -> Result<(), MergeError> {
        for (a, b) in self.tables_mut().zip(other.tables()) {
            add_counts(a, b)?;
        }
        for (a, b) in self.moments.iter_mut().zip(&other.moments) {
            a.merge(b)?;
        }
        add(&mut self.rp2d_none, other.rp2d_none)?;
        add(&mut self.selected_step_up, other.selected_step_up)?;
        add(&mut self.correct_as_given, other.correct_as_given)?;
        add(&mut self.overdose_as_given, other.overdose_as_given)
    }

    /// Checks the counts of `trials` trials whose patients at each dose are `patients`: one
    /// RP2D (or none) a trial, per-dose counts of patients at most the patients at the dose.
    fn check(&self, trials: u64, patients: &[u64]) -> Result<(), String> {
        let doses = patients.len();
        let moments_fit = self.moments.len() == PER_PATIENT
            && (self.moments.iter()).all(|m| m.squares.len() == doses && m.with_patients.len() == doses);
        if self.tables().take(8).any(|t| t.len() != doses) || self.teae_table.len() != doses || !moments_fit {
            return Err("the protocol's per-dose counts are not of the same doses".into());
        }
        let rp2d = total(&self.rp2d) + u128::from(self.rp2d_none);
        if rp2d != u128::from(trials) {
            return Err(format!("the RP2D choices add up to {rp2d}, not to the {trials} trials"));
        }
        let per_trial = [
            ("trials given their MTD with step-up", self.selected_step_up),
            ("trials deciding right", self.correct_as_given),
            ("trials selecting above the right dose", self.overdose_as_given),
        ];
        if let Some((what, count)) = per_trial.iter().find(|(_, c)| *c > trials) {
            return Err(format!("{count} {what} among {trials} trials"));
        }
        let per_patient = [
            ("step-up patients", &self.step_up_patients),
            ("CRS-type DLTs", &self.crs_dlts),
            ("backfill patients", &self.backfill_patients),
            ("expansion patients", &self.expansion_patients),
            ("responders", &self.responses),
            ("patients with a TEAE", &self.teae),
        ];
        for (what, counts) in per_patient {
            if let Some(d) = (0..doses).find(|&d| counts[d] > patients[d]) {
                return Err(format!(
                    "dose {} has {} {what} among {} patients",
                    d + 1,
                    counts[d],
                    patients[d]
                ));
            }
        }
        if let Some(d) = (0..doses).find(|&d| self.step_up_dlts[d] > self.step_up_patients[d]) {
            return Err(format!("dose {} has more step-up DLTs than step-up patients", d + 1));
        }
        if let Some(d) = (0..doses).find(|&d| total(&self.teae_table[d]) > u128::from(trials)) {
            return Err(format!(
                "dose {}'s TEAE table holds more than the {trials} trials",
                d + 1
            ));
        }
        Ok(())
    }

    /// Trials with n ≥ 1 patients at `dose`, as ((n, x), trials) for every observed pair.
    pub fn teae_outcomes(&self, dose: Dose) -> impl Iterator<Item = ((u32, u32), u64)> + '_ {
        let table = &self.teae_table[dose.index()];
        (1u32..)
            .map_while(move |n| (triangle(n, n) < table.len()).then_some(n))
            .flat_map(move |n| (0..=n).map(move |x| ((n, x), table[triangle(n, x)])))
            .filter(|&(_, trials)| trials > 0)
    }
}

/// Integer accumulators of a calendar-time run, merged by addition (and written by shards as they
/// are: every field serialises).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TimedCounts {
    /// The dose-finding counts.
    pub oc: OcCounts,
    /// Trials by duration (first patient's entry to the last window's close), in bins of
    /// `DURATION_BIN` months.
    pub duration: Vec<u64>,
    /// Sum of durations in 10⁻⁶ months.
    pub duration_sum: u128,
    /// Patients who waited for accrual to reopen, and their total wait in 10⁻⁶ months.
    pub waited: u64,
    /// Their total wait in 10⁻⁶ months.
    pub wait_sum: u128,
    /// Patients turned away because they would have waited longer than `max_wait`.
    pub turned_away: u64,
    /// Σ over trials of the squared duration, in 10⁻¹² months².
    pub duration_sum_sq: u128,
    /// Σ over trials of the squared number of patients who waited.
    pub waited_sq: u128,
    /// Σ over trials of the squared total wait, in 10⁻¹² months².
    pub wait_sq: u128,
    /// Σ over trials of the total wait (10⁻⁶ months) times the patients who waited.
    pub wait_with_waited: u128,
    /// Σ over trials of the squared number of patients turned away.
    pub turned_away_sq: u128,
    /// The protocol's other outcomes.
    pub protocol: ProtocolCounts,
}

impl TimedCounts {
    /// Empty counts for `num_doses` doses and at most `max_patients` patients a trial.
    pub(super) fn new(num_doses: usize, max_patients: u32) -> TimedCounts {
        TimedCounts {
            oc: OcCounts::new(num_doses, max_patients),
            duration: vec![0; DURATION_BINS],
            duration_sum: 0,
            waited: 0,
            wait_sum: 0,
            turned_away: 0,
            duration_sum_sq: 0,
            waited_sq: 0,
            wait_sq: 0,
            wait_with_waited: 0,
            turned_away_sq: 0,
            protocol: ProtocolCounts::new(num_doses, max_patients),
        }
    }

    /// The counts with responses per dose as well, for a phase I/II design.
    pub(super) fn with_responses(mut self) -> TimedCounts {
        self.oc = self.oc.with_responses();
        self
    }

    /// Mean duration in months.
    pub fn duration_mean(&self) -> f64 {
        self.duration_sum as f64 / 1e6 / self.oc.trials.max(1) as f64
    }

    /// The q-quantile of the duration (upper edge of its bin), in months.
    pub fn duration_quantile(&self, q: f64) -> f64 {
        self.duration_at_rank((q * self.oc.trials as f64).ceil().max(1.0) as u64)
    }

    /// The standard error of the q-quantile of the duration: the distribution-free 95% interval of
    /// the quantile, between the order statistics of ranks nq ∓ 1.96√(nq(1 − q)), over 2 × 1.96.
    fn duration_quantile_se(&self, q: f64) -> f64 {
        let n = self.oc.trials as f64;
        let half = 1.96 * (n * q * (1.0 - q)).sqrt();
        let lower = (n * q - half).floor().max(1.0) as u64;
        let upper = (n * q + half).ceil().min(n).max(1.0) as u64;
        (self.duration_at_rank(upper) - self.duration_at_rank(lower)) / (2.0 * 1.96)
    }

    /// The duration of the trial of rank `goal` (1-based, upper edge of its bin), in months.
    fn duration_at_rank(&self, goal: u64) -> f64 {
        let mut seen = 0;
        for (i, &count) in self.duration.iter().enumerate() {
            seen += count;
            if seen >= goal {
                return (i + 1) as f64 * DURATION_BIN;
            }
        }
        DURATION_BINS as f64 * DURATION_BIN
    }

    /// The calendar-time summary: `planned_dlt` is the truth as the design gives it and
    /// `correct_rp2d` the right RP2D; `intervals` memoises Clopper–Pearson intervals by (n, x).
    pub fn summary(
        &self,
        planned_dlt: Vec<f64>,
        correct_rp2d: Option<Dose>,
        intervals: &mut FxHashMap<(u32, u32), (f64, f64)>,
    ) -> TimedSummary {
        let trials = self.oc.trials.max(1) as f64;
        let mean = |x: u64| x as f64 / trials;
        let p = &self.protocol;
        let moments = self.oc.moments();
        let vector = moments.means.len();
        // The SE of the mean of a per-trial count with sum `sum` and sum of squares `sum_sq`.
        let count_se = |sum: u64, sum_sq: u64| mean_se_from_sums(trials, sum as f64, sum_sq as f64);
        let doses = (0..self.oc.patients.len())
            .map(|d| {
                let (mut treated, mut lower, mut upper) = (0u64, 0.0, 0.0);
                let (mut lower_sq, mut upper_sq) = (0.0, 0.0);
                for ((n, x), count) in p.teae_outcomes(Dose(d as u16)) {
                    let (l, u) = *intervals.entry((n, x)).or_insert_with(|| clopper_pearson(x, n, 0.95));
                    treated += count;
                    lower += count as f64 * l;
                    upper += count as f64 * u;
                    lower_sq += count as f64 * l * l;
                    upper_sq += count as f64 * u * u;
                }
                let over_treated = |sum, sum_sq| mean_se_from_sums(treated as f64, sum, sum_sq);
                let se = TimedDoseSe {
                    step_up_patients_mean: count_se(p.step_up_patients[d], p.moments[0].squares[d]),
                    step_up_dlt_mean: count_se(p.step_up_dlts[d], p.moments[1].squares[d]),
                    crs_dlt_mean: count_se(p.crs_dlts[d], p.moments[2].squares[d]),
                    backfill_patients_mean: count_se(p.backfill_patients[d], p.moments[3].squares[d]),
                    expansion_patients_mean: count_se(p.expansion_patients[d], p.moments[4].squares[d]),
                    response_mean: count_se(p.responses[d], p.moments[5].squares[d]),
                    teae_mean: count_se(p.teae[d], p.moments[6].squares[d]),
                    teae_incidence: ratio_se_from_sums(
                        trials,
                        [p.teae[d] as f64, self.oc.patients[d] as f64],
                        [
                            p.moments[6].squares[d] as f64,
                            p.moments[6].with_patients[d] as f64,
                            moments.products[upper_index(vector, d, d)] * trials,
                        ],
                        1.0,
                    ),
                    teae_ci_lower_mean: over_treated(lower, lower_sq),
                    teae_ci_upper_mean: over_treated(upper, upper_sq),
                };
                let treated = treated.max(1) as f64;
                TimedDoseSummary {
                    step_up_patients_mean: mean(p.step_up_patients[d]),
                    step_up_dlt_mean: mean(p.step_up_dlts[d]),
                    crs_dlt_mean: mean(p.crs_dlts[d]),
                    backfill_patients_mean: mean(p.backfill_patients[d]),
                    expansion_patients_mean: mean(p.expansion_patients[d]),
                    response_mean: mean(p.responses[d]),
                    teae_mean: mean(p.teae[d]),
                    teae_ci_lower_mean: lower / treated,
                    teae_ci_upper_mean: upper / treated,
                    rp2d_pct: 100.0 * mean(p.rp2d[d]),
                    se,
                }
            })
            .collect();
        let sizes = |power: i32| -> f64 {
            (self.oc.sample_size.iter().enumerate())
                .map(|(n, &c)| (n as f64).powi(power) * c as f64)
                .sum()
        };
        let total_se = |k: usize| {
            let sum: u64 = p.tables().nth(k).map_or(0, |t| t.iter().sum());
            mean_se_from_sums(trials, sum as f64, p.moments[k].total_squares as f64)
        };
        let step_up_total: u64 = p.step_up_patients.iter().sum();
        let se = TimedSe {
            duration_mean: mean_se_from_sums(trials, self.duration_sum as f64, self.duration_sum_sq as f64) / 1e6,
            duration_median: self.duration_quantile_se(0.5),
            duration_p90: self.duration_quantile_se(0.9),
            waited_mean: mean_se_from_sums(trials, self.waited as f64, self.waited_sq as f64),
            wait_mean: ratio_se_from_sums(
                trials,
                [self.wait_sum as f64, self.waited as f64],
                [self.wait_sq as f64, self.wait_with_waited as f64, self.waited_sq as f64],
                1.0,
            ) / 1e6,
            turned_away_mean: mean_se_from_sums(trials, self.turned_away as f64, self.turned_away_sq as f64),
            step_up_patients_pct: ratio_se_from_sums(
                trials,
                [step_up_total as f64, sizes(1)],
                [
                    p.moments[0].total_squares as f64,
                    p.moments[0].total_with_patients as f64,
                    sizes(2),
                ],
                100.0,
            ),
            crs_dlt_mean: total_se(2),
            backfill_patients_mean: total_se(3),
            expansion_patients_mean: total_se(4),
        };
        TimedSummary {
            duration_mean: self.duration_mean(),
            duration_median: self.duration_quantile(0.5),
            duration_p90: self.duration_quantile(0.9),
            waited_mean: mean(self.waited),
            wait_mean: if self.waited == 0 {
                0.0
            } else {
                self.wait_sum as f64 / 1e6 / self.waited as f64
            },
            turned_away_mean: mean(self.turned_away),
            planned_dlt,
            correct_rp2d,
            rp2d_none_pct: 100.0 * mean(p.rp2d_none),
            selected_step_up_pct: 100.0 * mean(p.selected_step_up),
            correct_as_given_pct: 100.0 * mean(p.correct_as_given),
            overdose_as_given_pct: 100.0 * mean(p.overdose_as_given),
            doses,
            se,
        }
    }
}

/// One finished trial of a design under a truth, as [`TimedCounts`] counts it.
pub struct FinishedTrial<'t> {
    pub(super) patients: &'t Patients,
    /// The patients' final outcomes, counted per dose.
    pub(super) counts: &'t TrialData,
    pub(super) enrolment: &'t Enrolment,
    pub(super) trial: &'t TimedTrial,
    pub(super) step_up: StepUpRule,
    /// The right decision when step-up starts at level s, at index s (the last entry: direct
    /// dosing everywhere).
    pub(super) correct: &'t [CorrectDecision],
}

impl Accumulator for TimedCounts {
    type Trial<'t> = FinishedTrial<'t>;

    fn add(
        &mut self,
        FinishedTrial {
            patients,
            counts,
            enrolment,
            trial,
            step_up,
            correct,
        }: FinishedTrial<'_>,
    ) {
        let num_doses = self.oc.patients.len();
        self.oc.add((counts, trial.end));
        let bin = ((trial.duration / DURATION_BIN) as usize).min(DURATION_BINS - 1);
        self.duration[bin] += 1;
        let duration = (trial.duration * 1e6).round() as u128;
        self.duration_sum += duration;
        self.duration_sum_sq += duration * duration;
        self.waited += enrolment.waited;
        self.wait_sum += enrolment.wait_sum;
        self.turned_away += enrolment.turned_away;
        let (waited, turned_away) = (u128::from(enrolment.waited), u128::from(enrolment.turned_away));
        self.waited_sq += waited * waited;
        self.wait_sq += enrolment.wait_sum * enrolment.wait_sum;
        self.wait_with_waited += enrolment.wait_sum * waited;
        self.turned_away_sq += turned_away * turned_away;
        let p = &mut self.protocol;
        p.add_tallies(patients, num_doses);
        match trial.rp2d {
            Some(d) => p.rp2d[d.index()] += 1,
            None => p.rp2d_none += 1,
        }
        let lowest_crs = patients.lowest_crs(f64::INFINITY);
        let right = correct[step_up.switch_level(lowest_crs).map_or(num_doses, Dose::index)];
        let selected = match trial.end {
            Decision::Stop { selected, .. } => selected,
            Decision::Treat(_) | Decision::Wait => unreachable!("a finished trial has stopped"),
        };
        if let Some(mtd) = selected {
            p.selected_step_up += u64::from(step_up.regimen(mtd, lowest_crs) == Regimen::StepUp);
            p.overdose_as_given += u64::from(right.is_overdose(mtd));
        }
        p.correct_as_given += u64::from(match right {
            CorrectDecision::Select(d) => selected == Some(d),
            CorrectDecision::Stop => selected.is_none(),
        });
    }

    fn merge(&mut self, other: &TimedCounts) -> Result<(), MergeError> {
        if self.duration.len() != other.duration.len() || !self.protocol.same_shape(&other.protocol) {
            return Err(MergeError("the counts are not of the same doses and sample sizes"));
        }
        self.oc.merge(&other.oc)?;
        add_counts(&mut self.duration, &other.duration)?;
        add(&mut self.duration_sum, other.duration_sum)?;
        add(&mut self.waited, other.waited)?;
        add(&mut self.wait_sum, other.wait_sum)?;
        add(&mut self.turned_away, other.turned_away)?;
        add(&mut self.duration_sum_sq, other.duration_sum_sq)?;
        add(&mut self.waited_sq, other.waited_sq)?;
        add(&mut self.wait_sq, other.wait_sq)?;
        add(&mut self.wait_with_waited, other.wait_with_waited)?;
        add(&mut self.turned_away_sq, other.turned_away_sq)?;
        self.protocol.merge(&other.protocol)
    }

    fn trials(&self) -> u64 {
        self.oc.trials
    }

    /// The dose-finding counts' invariants ([`OcCounts`]), one duration a trial, and the
    /// protocol's counts within the trials and the patients at each dose.
    fn check(&self) -> Result<(), String> {
        self.oc.check()?;
        let durations = total(&self.duration);
        if durations != u128::from(self.oc.trials) {
            return Err(format!(
                "the durations add up to {durations}, not to the {} trials",
                self.oc.trials
            ));
        }
        self.protocol.check(self.oc.trials, &self.oc.patients)
    }
}
