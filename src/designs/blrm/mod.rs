//! Bayesian logistic regression model with overdose control (BLRM/EWOC; Neuenschwander, Branson &
//! Gsponer 2008, Statistics in Medicine 27:2420–2439).
//!
//! logit p(d) = log α + β·log(d / d*), with (log α, log β) bivariate normal a priori. After each
//! cohort the posterior gives, per dose, the probabilities of underdosing [0, 0.16), targeted
//! toxicity [0.16, 0.33) and overdosing [0.33, 1] (cut-points configurable). A dose is admissible
//! while P(overdosing) < 0.25 (escalation with overdose control); the next dose maximises
//! P(targeted toxicity) among admissible doses no larger than `max_escalation` times the highest
//! dose given so far; no admissible dose stops the trial. The MTD is the tried admissible dose with
//! the highest P(targeted toxicity).
//!
//! The posterior is computed deterministically on a fixed grid (no MCMC): [`GRID_POINTS`]² points
//! over ±[`GRID_HALF_WIDTH_SD`] prior standard deviations in each parameter, trapezoid weights.
//! P(p(d) ≥ c) is integrated column by column: for each log β the event is log α ≥ logit c −
//! β·log(d/d*), a half-line whose end is placed exactly within its grid cell.

mod memo;
mod params;
mod posterior;

pub(crate) use params::check_dose_amounts;
pub use params::BLRM;

use super::{Decision, Design, Dose, Fit, StopReason, TrialData};
use crate::core::stats::softplus;
use memo::{FitMemo, IntervalProbabilities};
use posterior::Posterior;
use std::sync::{Arc, OnceLock};

/// Grid points per parameter.
pub const GRID_POINTS: usize = 161;
/// Half-width of the grid in prior standard deviations.
pub const GRID_HALF_WIDTH_SD: f64 = 8.0;

/// BLRM settings (keys of a `rule = "blrm"` design).
#[derive(Clone, Debug, PartialEq)]
pub struct BlrmConfig {
    /// Dose amounts, increasing, one per level.
    pub dose_amounts: Vec<f64>,
    /// Reference dose d*.
    pub reference_dose: f64,
    /// Prior means of (log α, log β).
    pub prior_mean: [f64; 2],
    /// Prior standard deviations of (log α, log β).
    pub prior_sd: [f64; 2],
    /// Prior correlation of log α and log β.
    pub prior_correlation: f64,
    /// Targeted-toxicity interval [lower, upper); at or above `upper` is overdosing.
    pub target_interval: [f64; 2],
    /// Escalation with overdose control: admissible while P(overdosing) < this.
    pub overdose_limit: f64,
    /// The next dose amount is at most this multiple of the highest amount given so far.
    pub max_escalation: f64,
}

impl BlrmConfig {
    /// Neuenschwander et al.'s interval cut-points and EWOC limit; a weakly informative prior
    /// centred on the reference dose having the target DLT rate: log α ~ N(logit target, 2²),
    /// log β ~ N(0, 1), uncorrelated; at most a doubling of the highest dose given.
    pub fn new(dose_amounts: Vec<f64>, reference_dose: f64, target: f64) -> BlrmConfig {
        BlrmConfig {
            dose_amounts,
            reference_dose,
            prior_mean: [(target / (1.0 - target)).ln(), 0.0],
            prior_sd: [2.0, 1.0],
            prior_correlation: 0.0,
            target_interval: [0.16, 0.33],
            overdose_limit: 0.25,
            max_escalation: 2.0,
        }
    }
}

/// A BLRM design with its posterior grid precomputed.
#[derive(Clone, Debug)]
pub struct Blrm {
    config: BlrmConfig,
    /// log(d / d*) per dose.
    log_ratio: Vec<f64>,
    /// Grid nodes for log α (rows) and log β (columns), and their spacings.
    alpha: Vec<f64>,
    steps: [f64; 2],
    /// The slope β = e^(log β) at each column.
    slopes: Vec<f64>,
    /// Log prior density plus log trapezoid weight at each node (row-major: α then β).
    log_prior: Vec<f64>,
    /// ln p and ln(1 − p) per dose and node, one dose after another (index j·nodes + g), so that
    /// a dose's log-likelihood terms are added over the grid in one contiguous (vectorised) pass.
    log_p: Vec<f64>,
    log_q: Vec<f64>,
    /// Fits already made, by the patients and DLTs per dose.
    memo: FitMemo,
}

impl Blrm {
    /// Builds the design; the configuration is validated by the scenario (amounts positive and
    /// increasing, standard deviations positive, |correlation| < 1).
    pub fn new(config: BlrmConfig) -> Blrm {
        Blrm::with_grid(config, GRID_POINTS, GRID_HALF_WIDTH_SD)
    }

    /// A BLRM with a custom grid (for accuracy checks).
    pub fn with_grid(config: BlrmConfig, points: usize, half_width_sd: f64) -> Blrm {
        let axis = |k: usize| -> (Vec<f64>, f64) {
            let (mean, sd) = (config.prior_mean[k], config.prior_sd[k]);
            let step = 2.0 * half_width_sd * sd / (points - 1) as f64;
            (
                (0..points)
                    .map(|i| mean - half_width_sd * sd + step * i as f64)
                    .collect(),
                step,
            )
        };
        let ((alpha, step_a), (beta, step_b)) = (axis(0), axis(1));
        let slopes: Vec<f64> = beta.iter().map(|b| b.exp()).collect();
        let log_ratio: Vec<f64> = config
            .dose_amounts
            .iter()
            .map(|d| (d / config.reference_dose).ln())
            .collect();
        let rho = config.prior_correlation;
        let edge = |i: usize| if i == 0 || i == points - 1 { 0.5f64.ln() } else { 0.0 };
        let mut log_prior = Vec::with_capacity(points * points);
        let nodes = points * points;
        let mut log_p = vec![0.0; nodes * log_ratio.len()];
        let mut log_q = vec![0.0; nodes * log_ratio.len()];
        for (i, &a) in alpha.iter().enumerate() {
            for (j, (&b, &slope)) in beta.iter().zip(&slopes).enumerate() {
                let za = (a - config.prior_mean[0]) / config.prior_sd[0];
                let zb = (b - config.prior_mean[1]) / config.prior_sd[1];
                let quadratic = (za * za - 2.0 * rho * za * zb + zb * zb) / (1.0 - rho * rho);
                log_prior.push(-0.5 * quadratic + edge(i) + edge(j));
                let g = i * points + j;
                for (k, &x) in log_ratio.iter().enumerate() {
                    let z = a + slope * x;
                    log_p[k * nodes + g] = -softplus(-z);
                    log_q[k * nodes + g] = -softplus(z);
                }
            }
        }
        let doses = log_ratio.len();
        Blrm {
            config,
            log_ratio,
            alpha,
            steps: [step_a, step_b],
            slopes,
            log_prior,
            log_p,
            log_q,
            memo: FitMemo::for_doses(doses),
        }
    }

    /// The design's settings.
    pub fn config(&self) -> &BlrmConfig {
        &self.config
    }
}

/// BLRM fitted to the outcomes so far.
pub struct BlrmFit<'a> {
    blrm: &'a Blrm,
    data: &'a TrialData,
    /// Posterior P(targeted toxicity) and P(overdosing) per dose.
    probabilities: Arc<IntervalProbabilities>,
    /// The grid posterior, computed when first needed (a memoised fit has none).
    posterior: OnceLock<Posterior>,
}

impl BlrmFit<'_> {
    /// The grid posterior.
    fn posterior(&self) -> &Posterior {
        self.posterior.get_or_init(|| self.blrm.posterior(self.data))
    }

    /// P(p(dose) ≥ cut) under the grid posterior.
    fn prob_at_least(&self, dose: Dose, cut: f64) -> f64 {
        self.posterior().prob_at_least(self.blrm, dose, cut)
    }

    /// Whether EWOC admits the dose.
    fn ewoc_admits(&self, dose: Dose) -> bool {
        self.probabilities.overdose[dose.index()] < self.blrm.config.overdose_limit
    }

    /// The dose with the highest P(targeted toxicity) among `candidates` (lowest on ties).
    fn best_target(&self, candidates: impl Iterator<Item = Dose>) -> Option<Dose> {
        let target = &self.probabilities.target;
        let mut best: Option<Dose> = None;
        for d in candidates {
            if best.is_none_or(|b| target[d.index()] > target[b.index()]) {
                best = Some(d);
            }
        }
        best
    }

    /// Posterior P(targeted toxicity) per dose.
    pub fn target_probabilities(&self) -> &[f64] {
        &self.probabilities.target
    }

    /// Posterior P(overdosing) per dose.
    pub fn overdose_probabilities(&self) -> &[f64] {
        &self.probabilities.overdose
    }
}

impl Design for Blrm {
    type Fit<'a> = BlrmFit<'a>;

    /// The interval probabilities come from the memo when these counts have been fitted before.
    fn fit<'a>(&'a self, data: &'a TrialData) -> BlrmFit<'a> {
        let posterior = OnceLock::new();
        let probabilities = self.memo.get_or_fit(data, || {
            let posterior = posterior.get_or_init(|| self.posterior(data));
            self.interval_probabilities(posterior, data)
        });
        BlrmFit {
            blrm: self,
            data,
            probabilities,
            posterior,
        }
    }

    fn costly_fit(&self) -> bool {
        true
    }
}

impl Fit for BlrmFit<'_> {
    fn decision(&self) -> Decision {
        let amounts = &self.blrm.config.dose_amounts;
        let ceiling = self
            .data
            .highest_tried()
            .map_or(f64::INFINITY, |d| amounts[d.index()] * self.blrm.config.max_escalation);
        // A tiny tolerance so that an exact doubling counts as within the limit.
        let reachable = |d: &Dose| amounts[d.index()] <= ceiling * (1.0 + 1e-12);
        let candidates = self.data.doses().filter(|&d| self.ewoc_admits(d)).filter(reachable);
        match self.best_target(candidates) {
            Some(d) => Decision::Treat(d),
            None => Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic,
            },
        }
    }

    fn selected_dose(&self) -> Option<Dose> {
        let data = self.data;
        self.best_target(data.doses().filter(|&d| data.patients(d) > 0 && self.ewoc_admits(d)))
    }

    fn admissible(&self, dose: Dose) -> bool {
        self.ewoc_admits(dose)
    }

    /// EWOC excludes `dose`, or the admissible dose with the highest P(targeted toxicity) lies
    /// below it (the escalation limit, judged from the highest dose tried, does not apply).
    fn calls_for_deescalation(&self, dose: Dose) -> bool {
        let best = self.best_target(self.data.doses().filter(|&d| self.ewoc_admits(d)));
        !self.ewoc_admits(dose) || best.is_none_or(|b| b < dose)
    }

    fn reason(&self) -> String {
        let config = &self.blrm.config;
        let [lower, upper] = config.target_interval;
        let admissible: Vec<String> = self
            .data
            .doses()
            .filter(|&d| self.ewoc_admits(d))
            .map(|d| d.to_string())
            .collect();
        let admits = match admissible.len() {
            0 => "no dose".to_string(),
            1 => format!("dose {}", admissible[0]),
            _ => format!("doses {}", admissible.join(", ")),
        };
        let ceiling = self.data.highest_tried().map_or(String::new(), |d| {
            format!(", amounts at most {} × dose {d}'s", config.max_escalation)
        });
        let decision = self.decision();
        let best = match decision {
            Decision::Treat(d) => format!(
                "; the highest P(target) among them{ceiling}: dose {d} ({:.3})",
                self.probabilities.target[d.index()]
            ),
            _ => String::new(),
        };
        format!(
            "EWOC admits {admits} (P(over-dosing, p ≥ {upper}) < {}); target interval [{lower}, {upper}){best}: \
             {decision} [BLRM with EWOC (Neuenschwander, Branson & Gsponer 2008)]",
            config.overdose_limit
        )
    }

    fn dosing_intervals(&self, dose: Dose) -> Option<[f64; 3]> {
        let (target, over) = (
            self.probabilities.target[dose.index()],
            self.probabilities.overdose[dose.index()],
        );
        Some([(1.0 - target - over).max(0.0), target, over])
    }

    /// Posterior mean of the DLT probability.
    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        Some(self.posterior().mean_prob(self.blrm, dose))
    }

    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        Some(self.prob_at_least(dose, threshold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn config() -> BlrmConfig {
        BlrmConfig::new(vec![1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 25.0], 10.0, 0.25)
    }

    pub(super) fn data(cohorts: &[(u16, u16, u16)]) -> TrialData {
        let mut data = TrialData::new(7);
        for &(d, n, y) in cohorts {
            data.add_cohort(Dose(d), n, y);
        }
        data
    }

    /// The production grid against a 4× finer and wider grid (not against itself): interval
    /// probabilities and posterior means agree to 2e-3, and every decision is the same.
    #[test]
    fn grid_matches_a_finer_grid() {
        let coarse = Blrm::new(config());
        let fine = Blrm::with_grid(config(), 641, 12.0);
        for cohorts in [
            vec![(0, 3, 0)],
            vec![(0, 3, 0), (1, 3, 0), (2, 3, 1)],
            vec![(0, 3, 0), (1, 3, 0), (2, 3, 0), (3, 6, 2), (4, 3, 2)],
            vec![(0, 3, 2)],
            vec![(0, 3, 0), (1, 3, 0), (2, 3, 0), (3, 3, 0), (4, 3, 0), (5, 3, 0)],
        ] {
            let d = data(&cohorts);
            let (a, b) = (coarse.fit(&d), fine.fit(&d));
            for dose in d.doses() {
                let i = dose.index();
                assert!(
                    (a.target_probabilities()[i] - b.target_probabilities()[i]).abs() < 2e-3,
                    "{cohorts:?} dose {dose}"
                );
                assert!(
                    (a.overdose_probabilities()[i] - b.overdose_probabilities()[i]).abs() < 2e-3,
                    "{cohorts:?} dose {dose}"
                );
                assert!((a.prob_tox(dose).unwrap() - b.prob_tox(dose).unwrap()).abs() < 2e-3);
            }
            assert_eq!(a.decision(), b.decision(), "{cohorts:?}");
            assert_eq!(a.selected_dose(), b.selected_dose(), "{cohorts:?}");
        }
    }

    #[test]
    fn prior_interval_probabilities_sum_to_one_and_grow_with_dose() {
        let blrm = Blrm::new(config());
        let empty = TrialData::new(7);
        let fit = blrm.fit(&empty);
        for d in 0..7 {
            let under = 1.0 - fit.prob_at_least(Dose(d), 0.16);
            let total = under + fit.target_probabilities()[d as usize] + fit.overdose_probabilities()[d as usize];
            assert!((total - 1.0).abs() < 1e-9);
        }
        assert!(fit.overdose_probabilities().windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn escalation_is_limited_and_overdose_controlled() {
        let blrm = Blrm::new(config());
        // 0/3 at 1: at most a doubling, so dose 2.5 is out of reach; stay at 1.
        let d = data(&[(0, 3, 0)]);
        assert_eq!(blrm.fit(&d).decision(), Decision::Treat(Dose(0)));
        // 0/3 at 5 after 1 and 2.5: 10 is within a doubling.
        let d = data(&[(0, 3, 0), (1, 3, 0), (2, 3, 0)]);
        let Decision::Treat(next) = blrm.fit(&d).decision() else {
            panic!()
        };
        assert!(next <= Dose(3));
        // Three DLTs in three at the lowest dose: no dose is admissible.
        let d = data(&[(0, 3, 3)]);
        assert_eq!(
            blrm.fit(&d).decision(),
            Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic
            }
        );
    }
}
