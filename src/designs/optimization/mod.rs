//! Randomized dose optimization after escalation (FDA's Project Optimus): once a dose-finding
//! design's escalation has ended with a dose, the next patients are randomized between two or three
//! admissible doses (the selected dose and the admissible doses just below it), `n_per_arm` each,
//! and the final dose is chosen from the arms' data by a stated rule.
//!
//! The design follows the seamless phase I + randomized phase II scheme of BOP2-TE (Chen, Zhou, Lee
//! & Yuan 2024, arXiv 2408.05816, "multiple-dose randomized trials for dose optimization") and the
//! FDA guidance "Optimizing the Dosage of Human Prescription Drugs and Biological Products for the
//! Treatment of Oncologic Diseases" (2024), which asks for a randomized comparison of multiple
//! dosages: by default only the randomized patients enter the comparison (`pool = false`), as in
//! most such designs; `pool = true` adds the escalation's patients at each arm's dose.
//!
//! Rules for the final dose ([`SelectionRule`]):
//! - `"utility"`: the arm with the highest posterior mean utility (BOIN12's quasi-binomial utility,
//!   [`Utility::posterior_mean`], the `[rp2d]` keys' scores); ties go to the lower dose.
//! - `"noninferiority"` with margin δ: the lowest arm whose response rate is not worse than the
//!   best arm's by more than δ. The best arm is the one with the highest response estimate (ties:
//!   the lower dose); with `test = "observed"` a lower arm qualifies when r̂_low ≥ r̂_best − δ
//!   (observed rates), with `test = "posterior"` when P(q_low > q_best − δ | data) > `certainty`
//!   (independent Beta(1, 1) priors, [`not_worse`]); the best arm is chosen when no lower one
//!   qualifies.
//!
//! With `toxicity_cutoff = c_T`, an arm with P(p_T > φ_T | data) ≥ c_T (Beta(1, 1) prior, φ_T the
//! trial's target) cannot be chosen; no arm left, no dose.
//!
//! The exact selection probabilities of the randomized stage, given the arms, and the smallest
//! `n_per_arm` reaching a target probability of choosing the truly best arm are in [`exact`].

pub mod exact;
mod quadrature;

pub use quadrature::not_worse;

use crate::core::stats::beta_uniform_posterior_exceeds;
use crate::core::{Dose, DoseTruth, EfficacyCounts, TrialData, Utility};

/// The most arms a randomized stage has.
pub const MAX_ARMS: usize = 3;

/// How the final dose is chosen from the arms' data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SelectionRule {
    /// The highest posterior mean utility.
    Utility,
    /// The lowest arm whose response is not worse than the best arm's by more than `margin`.
    NonInferiority {
        /// δ, on the response-probability scale.
        margin: f64,
        /// How "not worse" is judged.
        test: NonInferiorityTest,
    },
}

/// How a lower arm's response is judged not worse than the best arm's by more than δ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NonInferiorityTest {
    /// Observed rates: r̂_low ≥ r̂_best − δ.
    Observed,
    /// P(q_low > q_best − δ | data) > `certainty`, independent Beta(1, 1) priors.
    Posterior {
        /// The posterior probability needed.
        certainty: f64,
    },
}

/// A design's randomized dose-optimization stage (the scenario's `randomize` table).
#[derive(Clone, Debug, PartialEq)]
pub struct Randomization {
    /// Arms randomized (2 or 3).
    pub arms: usize,
    /// Patients per arm.
    pub n_per_arm: u32,
    /// How the final dose is chosen.
    pub rule: SelectionRule,
    /// Whether the escalation's patients at an arm's dose join its randomized patients.
    pub pool: bool,
    /// The utility scores (`response_with_dlt`, `neither`; response alone 100, DLT alone 0).
    pub utility: Utility,
    /// φ_T: the trial's target DLT probability.
    pub phi_t: f64,
    /// A dose with P(p_T > φ_T | escalation data) > this (and every dose above it) is not an arm.
    pub eliminate_cutoff: f64,
    /// c_T: an arm with P(p_T > φ_T | data) ≥ this cannot be chosen (`None`: no such check).
    pub toxicity_cutoff: Option<f64>,
    /// The probability of choosing the truly best arm the sample-size calculation aims at.
    pub target_selection: f64,
    /// The largest `n_per_arm` the sample-size calculation tries.
    pub max_n_per_arm: u32,
}

/// The doses randomized in one trial, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arms {
    doses: [Dose; MAX_ARMS],
    len: usize,
}

impl Arms {
    /// The arms' doses, lowest first.
    pub fn doses(&self) -> &[Dose] {
        &self.doses[..self.len]
    }

    /// Arms of the given doses (at most [`MAX_ARMS`]), sorted.
    pub fn of(doses: &[Dose]) -> Arms {
        let mut arms = Arms {
            doses: [Dose(0); MAX_ARMS],
            len: doses.len().min(MAX_ARMS),
        };
        arms.doses[..arms.len].copy_from_slice(&doses[..arms.len]);
        arms.doses[..arms.len].sort();
        arms
    }
}

impl Randomization {
    /// The arms after an escalation that ended on `data` selecting `selected`: the selected dose,
    /// then the admissible doses below it, nearest first, then (if still short) the admissible
    /// doses above it that the escalation treated, until [`Randomization::arms`] doses. A dose is
    /// admissible when P(p_T > φ_T | its escalation data) ≤ `eliminate_cutoff` (untried doses
    /// below pass) and no dose below it fails. `None` when the escalation selected no dose or fewer
    /// than two doses qualify: the trial then keeps the escalation's choice.
    pub fn choose_arms(&self, data: &TrialData, selected: Option<Dose>) -> Option<Arms> {
        let selected = selected?;
        let num_doses = data.num_doses();
        let highest_admissible = (0..num_doses)
            .find(|&d| {
                let dose = Dose(d as u16);
                data.patients(dose) > 0
                    && beta_uniform_posterior_exceeds(self.phi_t, data.patients(dose), data.dlts(dose))
                        > self.eliminate_cutoff
            })
            .unwrap_or(num_doses)
            .checked_sub(1)?;
        let below = (0..=selected.index().min(highest_admissible)).rev();
        let above = (selected.index() + 1..=highest_admissible).filter(|&d| data.patients(Dose(d as u16)) > 0);
        let doses: Vec<Dose> = below.chain(above).take(self.arms).map(|d| Dose(d as u16)).collect();
        (doses.len() >= 2 && doses.contains(&selected)).then(|| Arms::of(&doses))
    }

    /// The final dose from the arms' data (`data[i]` for arm `arms[i]`), by the rule.
    pub fn select(&self, arms: &[Dose], data: &[EfficacyCounts]) -> Option<Dose> {
        let summaries: Vec<ArmSummary> = data.iter().map(|c| self.summarize(c)).collect();
        let best_pair = |low: usize, best: usize| not_worse(&data[low], &data[best], self.margin());
        self.choose(&summaries, best_pair).map(|i| arms[i])
    }

    /// The NI margin (0 for the utility rule).
    fn margin(&self) -> f64 {
        match self.rule {
            SelectionRule::NonInferiority { margin, .. } => margin,
            SelectionRule::Utility => 0.0,
        }
    }

    /// What the rule reads from one arm's data.
    pub fn summarize(&self, c: &EfficacyCounts) -> ArmSummary {
        ArmSummary {
            eligible: self.eligible(c.patients, c.dlts),
            score: self.score(c),
        }
    }

    /// Whether an arm with `dlts` DLTs in `patients` passes the toxicity check: P(p_T > φ_T | data)
    /// < c_T (always, without `toxicity_cutoff`).
    pub fn eligible(&self, patients: u32, dlts: u32) -> bool {
        self.toxicity_cutoff
            .is_none_or(|cut| beta_uniform_posterior_exceeds(self.phi_t, patients, dlts) < cut)
    }

    /// The arm's estimate the rule ranks by (see [`ArmSummary::score`]).
    pub fn score(&self, c: &EfficacyCounts) -> f64 {
        match self.rule {
            SelectionRule::Utility => self.utility.posterior_mean(c),
            SelectionRule::NonInferiority {
                test: NonInferiorityTest::Observed,
                ..
            } => f64::from(c.responses) / f64::from(c.patients.max(1)),
            SelectionRule::NonInferiority {
                test: NonInferiorityTest::Posterior { .. },
                ..
            } => f64::from(1 + c.responses) / f64::from(2 + c.patients),
        }
    }

    /// The chosen arm's index from the arms' summaries (lowest dose first); `not_worse(i, b)` is
    /// P(q_i > q_b − δ | data) for the posterior test.
    pub fn choose(&self, arms: &[ArmSummary], not_worse: impl Fn(usize, usize) -> f64) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, a) in arms.iter().enumerate() {
            if a.eligible && best.is_none_or(|b| a.score > arms[b].score) {
                best = Some(i);
            }
        }
        let best = best?;
        let SelectionRule::NonInferiority { margin, test } = self.rule else {
            return Some(best);
        };
        let qualifies = |i: usize| match test {
            NonInferiorityTest::Observed => arms[i].score >= arms[best].score - margin - 1e-12,
            NonInferiorityTest::Posterior { certainty } => not_worse(i, best) > certainty,
        };
        (0..best).find(|&i| arms[i].eligible && qualifies(i)).or(Some(best))
    }
}

/// What a selection rule reads from one arm's data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArmSummary {
    /// Whether the arm passes the toxicity check (always, without `toxicity_cutoff`).
    pub eligible: bool,
    /// Its posterior mean utility (utility rule), observed response rate (observed test) or
    /// posterior mean response (posterior test).
    pub score: f64,
}

/// The utility of a dose under its true joint law of DLT and response: 100 · P(response, no DLT)
/// + `response_with_dlt` · P(both) + `neither` · P(neither) (BOIN12's utility, Lin et al. 2020).
pub fn true_utility(utility: &Utility, t: &DoseTruth) -> f64 {
    let response_only = t.response - t.response_with_dlt;
    let neither = 1.0 - t.dlt - response_only;
    100.0 * response_only + utility.response_with_dlt * t.response_with_dlt + utility.neither * neither
}

/// The truly best of `doses`: the highest true utility (ties: the lower dose).
pub fn truly_best(utilities: &[f64], doses: &[Dose]) -> Option<Dose> {
    let mut best: Option<Dose> = None;
    for &d in doses {
        if best.is_none_or(|b| utilities[d.index()] > utilities[b.index()] + 1e-12) {
            best = Some(d);
        }
    }
    best
}

impl Randomization {
    /// The truly best dose overall: the highest true utility among doses with P(DLT) ≤ φ_T (ties:
    /// the lower dose); `None` when every dose is above φ_T.
    pub fn best_overall(&self, truth: &[DoseTruth]) -> Option<Dose> {
        let utilities: Vec<f64> = truth.iter().map(|t| true_utility(&self.utility, t)).collect();
        let safe: Vec<Dose> = (0..truth.len())
            .filter(|&d| truth[d].dlt <= self.phi_t)
            .map(|d| Dose(d as u16))
            .collect();
        truly_best(&utilities, &safe)
    }

    /// The arms the sample-size calculation assumes under a truth: those a trial randomizes when
    /// its escalation selects the truly best dose overall with every dose up to the highest with
    /// P(DLT) ≤ φ_T tried and admissible; `None` when no dose has P(DLT) ≤ φ_T or fewer than two
    /// doses qualify.
    pub fn planning_arms(&self, truth: &[DoseTruth]) -> Option<Arms> {
        let best = self.best_overall(truth)?;
        let safe = (0..truth.len()).take_while(|&d| truth[d].dlt <= self.phi_t).count();
        let below = (0..=best.index()).rev();
        let doses: Vec<Dose> = below
            .chain(best.index() + 1..safe)
            .take(self.arms)
            .map(|d| Dose(d as u16))
            .collect();
        (doses.len() >= 2).then(|| Arms::of(&doses))
    }
}

#[cfg(test)]
mod tests;
