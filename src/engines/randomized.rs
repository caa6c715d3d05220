//! The dose-finding engine's path for a design with a randomized dose-optimization stage
//! ([`crate::designs::optimization`]): each trial's escalation is run cohort by cohort (decisions
//! cached by state), then the stage randomizes its patients between the arms and the final dose is
//! chosen. Trials end in [`OcCounts`] as every design's (the escalation's figures) and in
//! [`OptimizationCounts`] (the stage's and the final choice's).
//!
//! # Random numbers of the stage
//!
//! Counter-based, as the escalation's ([`super::rng`]): the stage's patient j of trial t (in
//! order of randomization) has a DLT latent from the key of (s ⊕ [`STAGE_STREAM`], t) and a
//! response latent from the key of (s ⊕ [`STAGE_STREAM`] ⊕ `RESPONSE_STREAM`, t), their (j+1)-th
//! SplitMix64 outputs, compared with the arm's thresholds as in the escalation
//! ([`JointThreshold`]); the allocation is a uniformly random permutation of n labels per arm,
//! by Fisher–Yates with the latents of (s ⊕ [`ALLOCATION_STREAM`], t): step i swaps position i
//! with ⌊u_i (i + 1) / 2^53⌋. These depend on (seed, trial, j) only, so the stage's patients are the
//! same in every design and truth and results do not depend on threads.

use super::cache::DecisionCache;
use super::outcomes::{CohortOutcomes, Joint, Toxicity};
use super::rng::{patient_latent, trial_key, JointThreshold, PatientStream};
use super::{add, add_counts, total, MergeError};
use crate::core::{Decision, Dose, DoseTruth, EfficacyCounts, TrialData, NO_WAIT_WITHOUT_FOLLOW_UP};
use crate::designs::optimization::{true_utility, truly_best, Arms, Randomization, MAX_ARMS};
use crate::designs::DoseFinder;
use crate::results::moments::{binomial_se_pct, mean_se_from_sums};
use crate::results::optimization::{OptimizationFigures, PerDose};

use super::dose_finding::OcCounts;

/// The stage's patients' seed offset ("optimus!" in ASCII), XOR-ed into the run seed.
pub const STAGE_STREAM: u64 = 0x6f70_7469_6d75_7321;

/// The stage's allocation seed offset ("allocate" in ASCII), XOR-ed into the run seed.
pub const ALLOCATION_STREAM: u64 = 0x616c_6c6f_6361_7465;

/// Integer counts of the randomized stage of one design under one truth. Merging is exact
/// addition.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OptimizationCounts {
    /// Trials counted.
    pub trials: u64,
    /// Trials that randomized (the escalation selected a dose and two or more arms qualified).
    pub randomized: u64,
    /// Randomized trials whose final dose is the truly best of their arms.
    pub best_among_arms: u64,
    /// Trials whose final dose is the truly best dose overall (none when no dose is safe).
    pub best_overall: u64,
    /// Trials whose final dose is each dose.
    pub selected: Vec<u64>,
    /// Trials with no final dose.
    pub selected_none: u64,
    /// Trials randomizing each dose as an arm.
    pub arms: Vec<u64>,
    /// Responses in the stage at each dose, and Σ over trials of their squares.
    pub responses: Vec<u64>,
    /// Σ over trials of the squared responses at each dose in the stage.
    pub responses_squares: Vec<u64>,
    /// DLTs in the stage at each dose.
    pub dlts: Vec<u64>,
    /// Σ over trials of the squared DLTs at each dose in the stage.
    pub dlts_squares: Vec<u64>,
    /// Σ and Σ² over trials of the whole trial's patients (escalation and stage).
    pub patients: [u64; 2],
    /// Σ and Σ² over trials of the stage's patients.
    pub stage_patients: [u64; 2],
    /// Σ and Σ² over trials of the stage's responses.
    pub stage_responses: [u64; 2],
    /// Σ and Σ² over trials of the stage's DLTs.
    pub stage_dlts: [u64; 2],
}

impl OptimizationCounts {
    /// Empty counts for `num_doses` doses.
    pub fn new(num_doses: usize) -> OptimizationCounts {
        let zeros = vec![0; num_doses];
        OptimizationCounts {
            trials: 0,
            randomized: 0,
            best_among_arms: 0,
            best_overall: 0,
            selected: zeros.clone(),
            selected_none: 0,
            arms: zeros.clone(),
            responses: zeros.clone(),
            responses_squares: zeros.clone(),
            dlts: zeros.clone(),
            dlts_squares: zeros,
            patients: [0; 2],
            stage_patients: [0; 2],
            stage_responses: [0; 2],
            stage_dlts: [0; 2],
        }
    }

    /// Adds `other`'s counts (of the same doses).
    pub fn merge(&mut self, other: &OptimizationCounts) -> Result<(), MergeError> {
        if self.selected.len() != other.selected.len() {
            return Err(MergeError("the randomized stages' counts are not of the same doses"));
        }
        for (a, b) in [
            (&mut self.trials, other.trials),
            (&mut self.randomized, other.randomized),
            (&mut self.best_among_arms, other.best_among_arms),
            (&mut self.best_overall, other.best_overall),
            (&mut self.selected_none, other.selected_none),
        ] {
            add(a, b)?;
        }
        for (a, b) in [
            (&mut self.selected, &other.selected),
            (&mut self.arms, &other.arms),
            (&mut self.responses, &other.responses),
            (&mut self.responses_squares, &other.responses_squares),
            (&mut self.dlts, &other.dlts),
            (&mut self.dlts_squares, &other.dlts_squares),
        ] {
            add_counts(a, b)?;
        }
        for (a, b) in [
            (&mut self.patients, &other.patients),
            (&mut self.stage_patients, &other.stage_patients),
            (&mut self.stage_responses, &other.stage_responses),
            (&mut self.stage_dlts, &other.stage_dlts),
        ] {
            add_counts(a, b)?;
        }
        Ok(())
    }

    /// Every trial chooses one dose or none; randomized trials are among the trials, and those
    /// choosing their best arm among the randomized; no dose has more stage DLTs or responses than
    /// stage patients could give.
    pub fn check(&self) -> Result<(), String> {
        let chosen = total(&self.selected) + u128::from(self.selected_none);
        if chosen != u128::from(self.trials) {
            return Err(format!(
                "the final choices add up to {chosen}, not to the {} trials",
                self.trials
            ));
        }
        if self.randomized > self.trials || self.best_among_arms > self.randomized || self.best_overall > self.trials {
            return Err("more randomized trials, or trials choosing the best dose, than trials".into());
        }
        let arms = total(&self.arms);
        if arms < 2 * u128::from(self.randomized) || arms > MAX_ARMS as u128 * u128::from(self.randomized) {
            return Err(format!("{arms} arms in {} randomized trials", self.randomized));
        }
        Ok(())
    }

    /// Adds one trial: its total patients, its stage (arms, their data and patients per arm; none
    /// when it did not randomize), its final dose and whether that is the best of its arms and the
    /// best overall.
    fn add(&mut self, patients: u32, stage: Option<(&Arms, &[EfficacyCounts])>, chosen: Option<Dose>, best: [bool; 2]) {
        self.trials += 1;
        let square = |x: u32| u64::from(x) * u64::from(x);
        match chosen {
            Some(d) => self.selected[d.index()] += 1,
            None => self.selected_none += 1,
        }
        self.best_overall += u64::from(best[1]);
        let mut stage_totals = [0u32; 3];
        if let Some((arms, data)) = stage {
            self.randomized += 1;
            self.best_among_arms += u64::from(best[0]);
            for (d, c) in arms.doses().iter().zip(data) {
                let i = d.index();
                self.arms[i] += 1;
                self.responses[i] += u64::from(c.responses);
                self.responses_squares[i] += square(c.responses);
                self.dlts[i] += u64::from(c.dlts);
                self.dlts_squares[i] += square(c.dlts);
                stage_totals = [
                    stage_totals[0] + c.patients,
                    stage_totals[1] + c.responses,
                    stage_totals[2] + c.dlts,
                ];
            }
        }
        let all = patients + stage_totals[0];
        for (sums, x) in [
            (&mut self.patients, all),
            (&mut self.stage_patients, stage_totals[0]),
            (&mut self.stage_responses, stage_totals[1]),
            (&mut self.stage_dlts, stage_totals[2]),
        ] {
            sums[0] += u64::from(x);
            sums[1] += square(x);
        }
    }

    /// The figures of these counts, with their Monte Carlo standard errors, for `n_per_arm`
    /// patients an arm.
    pub fn figures(&self, n_per_arm: u32) -> OptimizationFigures {
        let n = self.trials.max(1) as f64;
        let pct = |count: u64| 100.0 * count as f64 / n;
        let binomial = |count: u64| (pct(count), binomial_se_pct(pct(count), self.trials));
        let mean = |sums: &[u64; 2]| {
            let (sum, squares) = (sums[0] as f64, sums[1] as f64);
            (sum / n, mean_se_from_sums(n, sum, squares))
        };
        let per_dose = |sums: &[u64], squares: &[u64]| -> Vec<(f64, f64)> {
            (sums.iter().zip(squares))
                .map(|(&s, &q)| (s as f64 / n, mean_se_from_sums(n, s as f64, q as f64)))
                .collect()
        };
        let among = 100.0 * self.best_among_arms as f64 / self.randomized.max(1) as f64;
        let patients_per_arm = f64::from(n_per_arm);
        OptimizationFigures {
            trials: self.trials,
            randomized_pct: binomial(self.randomized),
            best_among_arms_pct: (among, binomial_se_pct(among, self.randomized)),
            best_overall_pct: binomial(self.best_overall),
            selected_none_pct: binomial(self.selected_none),
            patients_mean: mean(&self.patients),
            stage_patients_mean: mean(&self.stage_patients),
            stage_responses_mean: mean(&self.stage_responses),
            stage_dlts_mean: mean(&self.stage_dlts),
            doses: (self.selected.iter().zip(&self.arms))
                .zip(per_dose(&self.responses, &self.responses_squares))
                .zip(per_dose(&self.dlts, &self.dlts_squares))
                .map(|(((&selected, &arm), responses), dlts)| {
                    let (arm_pct, arm_se) = binomial(arm);
                    PerDose {
                        selected_pct: binomial(selected),
                        arm_pct: (arm_pct, arm_se),
                        patients_mean: (patients_per_arm * arm_pct / 100.0, patients_per_arm * arm_se / 100.0),
                        responses_mean: responses,
                        dlts_mean: dlts,
                    }
                })
                .collect(),
        }
    }
}

/// What the stage needs to know of one truth.
struct TruthStage {
    /// Thresholds per dose for the stage's patients.
    thresholds: Vec<JointThreshold>,
    /// True utility per dose.
    utility: Vec<f64>,
    /// The truly best dose overall.
    best_overall: Option<Dose>,
}

/// One worker's runner of a design with a randomized stage: the escalation, cohort by cohort,
/// then the stage.
pub struct RandomizedTrials<'s> {
    finder: &'s dyn DoseFinder,
    cache: Option<DecisionCache<'s>>,
    stage: &'s Randomization,
    truths: Vec<TruthStage>,
    /// The stage's patients' latents for the current trial.
    patients: PatientStream,
    /// The allocation of the current trial for 2 and 3 arms (index = arms − 2): arm per patient.
    allocation: [Vec<u8>; 2],
}

impl<'s> RandomizedTrials<'s> {
    /// A runner of `finder` followed by `stage`, under truths given dose by dose; decisions are
    /// cached through `cache` when given.
    pub fn new(
        finder: &'s dyn DoseFinder,
        cache: Option<DecisionCache<'s>>,
        stage: &'s Randomization,
        truths: &[Vec<DoseTruth>],
    ) -> RandomizedTrials<'s> {
        let capacity = stage.n_per_arm as usize * MAX_ARMS;
        RandomizedTrials {
            finder,
            cache,
            stage,
            truths: truths
                .iter()
                .map(|doses| TruthStage {
                    thresholds: doses.iter().map(JointThreshold::new).collect(),
                    utility: doses.iter().map(|t| true_utility(&stage.utility, t)).collect(),
                    best_overall: stage.best_overall(doses),
                })
                .collect(),
            patients: PatientStream::with_capacity(capacity).with_responses(),
            allocation: [Vec::new(), Vec::new()],
        }
    }

    fn decide(&mut self, data: &TrialData) -> Decision {
        match &mut self.cache {
            Some(cache) => cache.decide(self.finder, data),
            None => self.finder.decide(data),
        }
    }

    /// The escalation of one trial on `patients` with per-dose `thresholds`: its data and end.
    fn escalate<O: CohortOutcomes>(
        &mut self,
        patients: &PatientStream,
        thresholds: &[O::Threshold],
    ) -> (TrialData, Decision) {
        let limits = self.finder.limits();
        let mut data = O::data(limits.num_doses);
        let mut dose = limits.start_dose;
        loop {
            let size = self.finder.next_cohort_size(&data);
            let first = data.total_patients() as usize;
            let outcome = O::draw(patients, first, size, thresholds[dose.index()]);
            O::record(&mut data, dose, size, outcome);
            match self.decide(&data) {
                Decision::Treat(next) => dose = next,
                Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
                stop => return (data, stop),
            }
        }
    }

    /// Runs trial `trial` (of the run seeded `seed`) on `patients` under every truth: DLT
    /// thresholds `tox[j]` or joint thresholds `joint[j]` for truth j's escalation, as the design
    /// observes; counts into `counts[j]`.
    pub fn run_truths(
        &mut self,
        patients: &PatientStream,
        (tox, joint): (&[Vec<u64>], &[Vec<JointThreshold>]),
        (seed, trial): (u64, u64),
        counts: &mut [OcCounts],
    ) {
        self.patients.start_trial(seed ^ STAGE_STREAM, trial);
        self.patients.start_responses(seed ^ STAGE_STREAM, trial);
        for (arms, allocation) in (2..=MAX_ARMS).zip(&mut self.allocation) {
            allocate(seed, trial, arms, self.stage.n_per_arm, allocation);
        }
        for (j, counts) in counts.iter_mut().enumerate() {
            let (data, end) = match self.finder.uses_efficacy() {
                true => self.escalate::<Joint>(patients, &joint[j]),
                false => self.escalate::<Toxicity>(patients, &tox[j]),
            };
            counts.add_times(&data, end, 1);
            let Decision::Stop { selected, .. } = end else {
                unreachable!("an escalation ends with a stop")
            };
            let optimization = counts.optimization.as_mut().expect("counts of the randomized stage");
            let truth = &self.truths[j];
            let Some(arms) = self.stage.choose_arms(&data, selected) else {
                let best = [false, selected == truth.best_overall];
                optimization.add(data.total_patients(), None, selected, best);
                continue;
            };
            let allocation = &self.allocation[arms.doses().len() - 2];
            let stage = stage_data(&self.patients, allocation, &arms, &truth.thresholds);
            let with_escalation: Vec<EfficacyCounts>;
            let compared: &[EfficacyCounts] = match self.stage.pool {
                false => &stage,
                true => {
                    with_escalation = (arms.doses().iter().zip(&stage))
                        .map(|(&d, c)| plus(data.efficacy(d).unwrap_or_default(), c))
                        .collect();
                    &with_escalation
                }
            };
            let chosen = self.stage.select(arms.doses(), compared);
            let best_arm = truly_best(&truth.utility, arms.doses());
            let best = [chosen.is_some() && chosen == best_arm, chosen == truth.best_overall];
            optimization.add(data.total_patients(), Some((&arms, &stage)), chosen, best);
        }
    }
}

/// The stage's allocation in trial `trial` of the run seeded `seed`: `arms` × `n_per_arm` labels,
/// `n_per_arm` of each arm, randomly permuted (Fisher–Yates on the allocation stream); patient i
/// of the stage goes to arm `allocation[i]`.
pub fn allocate(seed: u64, trial: u64, arms: usize, n_per_arm: u32, allocation: &mut Vec<u8>) {
    let key = trial_key(seed ^ ALLOCATION_STREAM, trial);
    let m = arms * n_per_arm as usize;
    allocation.clear();
    allocation.extend((0..m).map(|i| (i % arms) as u8));
    for i in (1..m).rev() {
        let j = ((u128::from(patient_latent(key, i)) * (i as u128 + 1)) >> 53) as usize;
        allocation.swap(i, j);
    }
}

/// Each arm's outcomes in the stage: patient i goes to arm `allocation[i]`.
pub fn stage_data(
    patients: &PatientStream,
    allocation: &[u8],
    arms: &Arms,
    thresholds: &[JointThreshold],
) -> Vec<EfficacyCounts> {
    let mut data = vec![EfficacyCounts::default(); arms.doses().len()];
    for (i, &arm) in allocation.iter().enumerate() {
        let threshold = thresholds[arms.doses()[usize::from(arm)].index()];
        let c = &mut data[usize::from(arm)];
        let dlt = patients.latent(i) < threshold.dlt;
        let bar = if dlt {
            threshold.response_if_dlt
        } else {
            threshold.response_if_no_dlt
        };
        let response = patients.response_latent(i) < bar;
        c.patients += 1;
        c.dlts += u32::from(dlt);
        c.responses += u32::from(response);
        c.responses_with_dlt += u32::from(dlt && response);
    }
    data
}

/// The sum of two doses' counts.
fn plus(a: EfficacyCounts, b: &EfficacyCounts) -> EfficacyCounts {
    EfficacyCounts {
        patients: a.patients + b.patients,
        dlts: a.dlts + b.dlts,
        responses: a.responses + b.responses,
        responses_with_dlt: a.responses_with_dlt + b.responses_with_dlt,
    }
}

#[cfg(test)]
mod tests;
