//! EffTox: dose finding by efficacy–toxicity trade-offs (Thall & Cook 2004, Biometrics
//! 60:684–693), with the prior elicitation of Thall, Herrick, Nguyen, Venier & Norris (2014,
//! Clinical Trials 11:657–666) and the decision rules as the R package trialr implements them
//! (Brock 2017; trialr 0.1.5, `efftox_process`).
//!
//! A phase I/II design: each patient has a binary response and a binary DLT, modelled jointly
//! ([`model`]). After each cohort the posterior ([`posterior`], computed deterministically by a
//! Laplace approximation and quasi-random importance sampling, no MCMC) gives per dose the
//! posterior mean probabilities of response and DLT and the probabilities that they clear the
//! hurdles. A dose is **acceptable** when P(π_E > `efficacy_hurdle`) > `p_e` and
//! P(π_T < `toxicity_hurdle`) > `p_t`; its **desirability** is that of its posterior mean pair
//! on the trade-off contour ([`contour`]). The next cohort receives the acceptable dose of highest
//! desirability among the doses from one below the lowest dose given to one above the highest
//! (so untried doses are never skipped, going up or down); when there is none, the trial stops
//! without a dose (`no_acceptable_dose`, or `too_toxic` when every dose within reach fails the
//! toxicity criterion). The optimal biological dose (OBD) selected at the end is the dose the same rule
//! picks.

pub mod contour;
pub mod model;
mod params;
pub mod posterior;

pub use params::EFFTOX;

use self::contour::Contour;
use self::model::{inv_logit, linear_predictors, DoseOutcomes, Prior};
use self::posterior::{PointSet, Posterior};
use super::{Decision, Design, Dose, DoseTruth, Fit, StopReason, TrialData};
use crate::core::stats::logit;

/// EffTox settings (keys of a `rule = "efftox"` design).
#[derive(Clone, Debug, PartialEq)]
pub struct EffToxConfig {
    /// Dose amounts, increasing, one per level; the model uses x = ln(amount) − mean ln(amount).
    pub dose_amounts: Vec<f64>,
    /// π̲_E: a dose needs response probability above this (trialr's `efficacy_hurdle`).
    pub efficacy_hurdle: f64,
    /// π̄_T: a dose needs DLT probability below this (trialr's `toxicity_hurdle`).
    pub toxicity_hurdle: f64,
    /// Acceptability needs P(π_E > efficacy_hurdle) above this.
    pub p_e: f64,
    /// Acceptability needs P(π_T < toxicity_hurdle) above this.
    pub p_t: f64,
    /// The contour points (eff0, 0), (1, tox1), (eff_star, tox_star).
    pub eff0: f64,
    /// See [`EffToxConfig::eff0`].
    pub tox1: f64,
    /// See [`EffToxConfig::eff0`].
    pub eff_star: f64,
    /// See [`EffToxConfig::eff0`].
    pub tox_star: f64,
    /// Normal priors on (μ_T, β_T, μ_E, β_E1, β_E2, ψ).
    pub prior: Prior,
    /// When true, the untried dose one above the highest dose given is acceptable when it passes
    /// the toxicity criterion alone, as the Python package clintrials' EffTox has it (Brock et al.
    /// 2017, the Matchpoint trial, following its reading of the MD Anderson program); false (trialr's
    /// rule) asks every dose to pass both criteria.
    pub exempt_next_untried: bool,
}

impl EffToxConfig {
    /// The parametrisation of Thall et al. (2014)'s prostate cancer example, which the MD Anderson
    /// EffTox program loads by default and trialr's `stan_efftox_demo` fits: hurdles 0.5 (response)
    /// and `toxicity_hurdle`, p_e = p_t = 0.1, contour through (0.5, 0), (1, 0.65), (0.7, 0.25), and
    /// the priors elicited there (means −7.9593, 1.5482, 0.7367, 3.4181, 0, 0; standard deviations
    /// 3.5487, 3.5018, 2.5423, 2.4406, 0.2, 1).
    pub fn thall_2014(dose_amounts: Vec<f64>, toxicity_hurdle: f64) -> EffToxConfig {
        EffToxConfig {
            dose_amounts,
            efficacy_hurdle: 0.5,
            toxicity_hurdle,
            p_e: 0.1,
            p_t: 0.1,
            eff0: 0.5,
            tox1: 0.65,
            eff_star: 0.7,
            tox_star: 0.25,
            prior: Prior {
                mean: [-7.9593, 1.5482, 0.7367, 3.4181, 0.0, 0.0],
                sd: [3.5487, 3.5018, 2.5423, 2.4406, 0.2, 1.0],
            },
            exempt_next_untried: false,
        }
    }
}

/// An EffTox design with its contour, standardized doses and posterior point set precomputed.
#[derive(Clone, Debug)]
pub struct EffTox {
    config: EffToxConfig,
    contour: Contour,
    /// Standardized doses x per level.
    x: Vec<f64>,
    points: PointSet,
}

impl EffTox {
    /// Builds the design; the configuration is validated by the scenario (amounts positive and
    /// increasing, probabilities in (0, 1), a contour through its three points).
    pub fn new(config: EffToxConfig) -> EffTox {
        EffTox::with_points(config, PointSet::standard())
    }

    /// An EffTox design whose posterior uses `points` (for accuracy checks).
    pub fn with_points(config: EffToxConfig, points: PointSet) -> EffTox {
        let contour = Contour::through(config.eff0, config.tox1, config.eff_star, config.tox_star)
            .expect("contour points validated by the scenario");
        let logs: Vec<f64> = config.dose_amounts.iter().map(|d| d.ln()).collect();
        let mean = logs.iter().sum::<f64>() / logs.len() as f64;
        EffTox {
            x: logs.iter().map(|l| l - mean).collect(),
            config,
            contour,
            points,
        }
    }

    /// The design's settings.
    pub fn config(&self) -> &EffToxConfig {
        &self.config
    }

    /// The trade-off contour.
    pub fn contour(&self) -> &Contour {
        &self.contour
    }

    /// The outcomes of the doses given so far, as the likelihood takes them.
    fn outcomes(&self, data: &TrialData) -> Vec<DoseOutcomes> {
        data.doses()
            .filter(|&d| data.patients(d) > 0)
            .map(|d| {
                let (n, y) = (f64::from(data.patients(d)), f64::from(data.dlts(d)));
                let x = self.x[d.index()];
                match data.efficacy(d) {
                    Some(c) => {
                        let (r, b) = (f64::from(c.responses), f64::from(c.responses_with_dlt));
                        DoseOutcomes {
                            x,
                            cells: [n - y - (r - b), y - b, r - b, b],
                            tox_only: [0.0; 2],
                        }
                    }
                    None => DoseOutcomes {
                        x,
                        cells: [0.0; 4],
                        tox_only: [n - y, y],
                    },
                }
            })
            .collect()
    }
}

/// What the posterior says about one dose.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DoseAssessment {
    /// Posterior mean P(response).
    pub prob_eff: f64,
    /// Posterior mean P(DLT).
    pub prob_tox: f64,
    /// P(π_E > efficacy_hurdle | data).
    pub prob_acc_eff: f64,
    /// P(π_T < toxicity_hurdle | data).
    pub prob_acc_tox: f64,
    /// The desirability of (prob_eff, prob_tox).
    pub desirability: f64,
}

/// EffTox fitted to the outcomes so far.
pub struct EffToxFit<'a> {
    design: &'a EffTox,
    data: &'a TrialData,
    posterior: Posterior,
    doses: Vec<DoseAssessment>,
}

impl EffToxFit<'_> {
    /// The posterior assessment of every dose.
    pub fn assessments(&self) -> &[DoseAssessment] {
        &self.doses
    }

    /// The weighted posterior sample.
    pub fn posterior(&self) -> &Posterior {
        &self.posterior
    }

    fn passes_efficacy(&self, dose: Dose) -> bool {
        self.doses[dose.index()].prob_acc_eff > self.design.config.p_e
    }

    fn passes_toxicity(&self, dose: Dose) -> bool {
        self.doses[dose.index()].prob_acc_tox > self.design.config.p_t
    }

    /// The lowest and highest doses given, if any.
    fn tried_range(&self) -> Option<(u16, u16)> {
        let data = self.data;
        let tried = data.doses().filter(|&d| data.patients(d) > 0);
        tried.fold(None, |range, d| match range {
            None => Some((d.0, d.0)),
            Some((lo, hi)) => Some((lo.min(d.0), hi.max(d.0))),
        })
    }

    /// The doses within reach: from one below the lowest dose given to one above the highest
    /// (only the lowest dose before anyone is treated).
    fn within_reach(&self, dose: Dose) -> bool {
        match self.tried_range() {
            None => dose.0 == 0,
            Some((low, high)) => dose.0 + 1 >= low && dose.0 <= high + 1,
        }
    }

    /// With `exempt_next_untried`, whether `dose` is the untried dose one above the highest given,
    /// which then needs only the toxicity criterion.
    fn exempt(&self, dose: Dose) -> bool {
        self.design.config.exempt_next_untried && self.tried_range().is_some_and(|(_, high)| dose.0 == high + 1)
    }

    /// The acceptable dose within reach of highest desirability (ties: the lower dose).
    fn best(&self) -> Option<Dose> {
        let mut best: Option<Dose> = None;
        for d in self
            .data
            .doses()
            .filter(|&d| self.within_reach(d) && self.admissible(d))
        {
            if best.is_none_or(|b| self.doses[d.index()].desirability > self.doses[b.index()].desirability) {
                best = Some(d);
            }
        }
        best
    }

    /// The desirability as a distance from the ideal pair (1, 0), in words with the contour's
    /// numbers.
    fn contour_distance(&self) -> String {
        let c = self.design.contour;
        format!(
            "desirability 1 − ‖((1 − P(eff))/{:.3}, P(tox)/{})‖_p with p = {:.3}, 0 on the neutral contour",
            1.0 - c.eff0,
            c.tox1,
            c.p
        )
    }

    /// The posterior values of π_T at `dose` with their weights, sorted by value.
    fn sorted_tox(&self, dose: Dose) -> Vec<(f64, f64)> {
        let x = self.design.x[dose.index()];
        let mut v: Vec<(f64, f64)> = (self.posterior.thetas.iter())
            .zip(&self.posterior.weights)
            .map(|(t, &w)| (inv_logit(linear_predictors(t, x).1), w))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    }
}

impl Design for EffTox {
    type Fit<'a> = EffToxFit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> EffToxFit<'a> {
        let posterior = Posterior::new(&self.config.prior, &self.outcomes(data), &self.points);
        let (cut_e, cut_t) = (logit(self.config.efficacy_hurdle), logit(self.config.toxicity_hurdle));
        let doses = self
            .x
            .iter()
            .map(|&x| {
                let [mut e, mut t, mut acc_e, mut acc_t] = [0.0; 4];
                for (theta, &w) in posterior.thetas.iter().zip(&posterior.weights) {
                    let (eta_e, eta_t) = linear_predictors(theta, x);
                    e += w * inv_logit(eta_e);
                    t += w * inv_logit(eta_t);
                    acc_e += if eta_e > cut_e { w } else { 0.0 };
                    acc_t += if eta_t < cut_t { w } else { 0.0 };
                }
                DoseAssessment {
                    prob_eff: e,
                    prob_tox: t,
                    prob_acc_eff: acc_e,
                    prob_acc_tox: acc_t,
                    desirability: self.contour.desirability(e, t),
                }
            })
            .collect();
        EffToxFit {
            design: self,
            data,
            posterior,
            doses,
        }
    }

    fn costly_fit(&self) -> bool {
        true
    }

    fn uses_efficacy(&self) -> bool {
        true
    }

    /// The desirability of the true marginal probabilities.
    fn true_utility(&self, truth: &DoseTruth) -> Option<f64> {
        Some(self.contour.desirability(truth.response, truth.dlt))
    }

    /// π_E > efficacy_hurdle and π_T < toxicity_hurdle.
    fn truly_acceptable(&self, truth: &DoseTruth) -> bool {
        truth.response > self.config.efficacy_hurdle && truth.dlt < self.config.toxicity_hurdle
    }
}

impl Fit for EffToxFit<'_> {
    fn decision(&self) -> Decision {
        match self.best() {
            Some(d) => Decision::Treat(d),
            None => {
                let any_safe = self
                    .data
                    .doses()
                    .any(|d| self.within_reach(d) && self.passes_toxicity(d));
                Decision::Stop {
                    selected: None,
                    reason: if any_safe {
                        StopReason::NoAcceptableDose
                    } else {
                        StopReason::TooToxic
                    },
                }
            }
        }
    }

    /// The OBD: the dose the next cohort would receive.
    fn selected_dose(&self) -> Option<Dose> {
        self.best()
    }

    /// Acceptability: P(π_E > efficacy_hurdle) > p_e and P(π_T < toxicity_hurdle) > p_t (the
    /// efficacy criterion waived for the next untried dose with `exempt_next_untried`).
    fn admissible(&self, dose: Dose) -> bool {
        (self.passes_efficacy(dose) || self.exempt(dose)) && self.passes_toxicity(dose)
    }

    fn reason(&self) -> String {
        let c = &self.design.config;
        let mut lines = Vec::new();
        for d in self.data.doses().filter(|&d| self.within_reach(d)) {
            let a = &self.doses[d.index()];
            let verdict = match (self.passes_efficacy(d), self.passes_toxicity(d)) {
                (true, true) => "acceptable",
                (false, true) if self.exempt(d) => "acceptable: the next untried dose, on toxicity alone",
                (false, true) => "inefficacious",
                (true, false) => "too toxic",
                (false, false) => "inefficacious and too toxic",
            };
            lines.push(format!(
                "dose {d}: P(eff > {}) = {:.3}, P(tox < {}) = {:.3}, desirability {:.3} ({verdict})",
                c.efficacy_hurdle, a.prob_acc_eff, c.toxicity_hurdle, a.prob_acc_tox, a.desirability
            ));
        }
        let decision = self.decision();
        let choice = match decision {
            Decision::Treat(_) => "the acceptable dose of highest desirability",
            _ => "no acceptable dose",
        };
        let waiver = if c.exempt_next_untried {
            ", the next untried dose on P(tox) alone"
        } else {
            ""
        };
        format!(
            "{} (acceptable: P(eff) > p_e = {}, P(tox) > p_t = {}{waiver}; doses within one of those given; {}); \
             {choice}: {decision} [EffTox (Thall & Cook 2004)]",
            lines.join("; "),
            c.p_e,
            c.p_t,
            self.contour_distance()
        )
    }

    /// The OBD is the dose the next cohort would receive: the acceptable dose within reach of
    /// highest desirability.
    fn selection_reason(&self) -> Option<String> {
        let a = &self.doses;
        Some(match self.best() {
            Some(d) => format!(
                "the acceptable dose within reach of highest desirability: OBD dose {d} (P(eff) {:.3}, P(tox) {:.3}, \
                 desirability {:.3}; {})",
                a[d.index()].prob_eff,
                a[d.index()].prob_tox,
                a[d.index()].desirability,
                self.contour_distance()
            ),
            None => "no acceptable dose within reach: no OBD".into(),
        })
    }

    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        Some(self.doses[dose.index()].prob_tox)
    }

    fn prob_response(&self, dose: Dose) -> Option<f64> {
        Some(self.doses[dose.index()].prob_eff)
    }

    /// The desirability of the posterior mean pair.
    fn utility(&self, dose: Dose) -> Option<f64> {
        Some(self.doses[dose.index()].desirability)
    }

    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        let x = self.design.x[dose.index()];
        let mass = (self.posterior.thetas.iter())
            .zip(&self.posterior.weights)
            .filter(|(t, _)| inv_logit(linear_predictors(t, x).1) > threshold)
            .map(|(_, w)| w)
            .sum::<f64>();
        Some(mass)
    }

    /// The weighted 5% and 95% posterior quantiles of π_T.
    fn prob_tox_interval(&self, dose: Dose) -> Option<(f64, f64)> {
        let sorted = self.sorted_tox(dose);
        let quantile = |q: f64| {
            let mut cumulative = 0.0;
            for &(v, w) in &sorted {
                cumulative += w;
                if cumulative >= q {
                    return v;
                }
            }
            sorted.last().map_or(f64::NAN, |p| p.0)
        };
        Some((quantile(0.05), quantile(0.95)))
    }
}

#[cfg(test)]
mod tests;
