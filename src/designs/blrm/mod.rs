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

mod params;

pub(crate) use params::check_dose_amounts;
pub use params::BLRM;

use super::{Decision, Design, Dose, Fit, StopReason, TrialData};
use crate::core::stats::{logit, softplus};

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
    beta: Vec<f64>,
    steps: [f64; 2],
    /// Log prior density plus log trapezoid weight at each node (row-major: α then β).
    log_prior: Vec<f64>,
    /// ln p and ln(1 − p) per dose and node, one dose after another (index j·nodes + g), so that
    /// a dose's log-likelihood terms are added over the grid in one contiguous (vectorised) pass.
    log_p: Vec<f64>,
    log_q: Vec<f64>,
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
            for (j, &b) in beta.iter().enumerate() {
                let za = (a - config.prior_mean[0]) / config.prior_sd[0];
                let zb = (b - config.prior_mean[1]) / config.prior_sd[1];
                let quadratic = (za * za - 2.0 * rho * za * zb + zb * zb) / (1.0 - rho * rho);
                log_prior.push(-0.5 * quadratic + edge(i) + edge(j));
                let slope = b.exp();
                let g = i * points + j;
                for (k, &x) in log_ratio.iter().enumerate() {
                    let z = a + slope * x;
                    log_p[k * nodes + g] = -softplus(-z);
                    log_q[k * nodes + g] = -softplus(z);
                }
            }
        }
        Blrm {
            config,
            log_ratio,
            alpha,
            beta,
            steps: [step_a, step_b],
            log_prior,
            log_p,
            log_q,
        }
    }

    /// The design's settings.
    pub fn config(&self) -> &BlrmConfig {
        &self.config
    }

    /// Normalised posterior weights at the grid nodes, and each node's weight with that of every
    /// node above it in its column, rows from the top (see [`BlrmFit`]).
    fn posterior_weights(&self, data: &TrialData) -> (Vec<f64>, Vec<f64>) {
        let treated: Vec<(usize, f64, f64)> = data
            .doses()
            .filter(|&d| data.patients(d) > 0)
            .map(|d| {
                (
                    d.index(),
                    f64::from(data.dlts(d)),
                    f64::from(data.patients(d) - data.dlts(d)),
                )
            })
            .collect();
        // Each node's log-likelihood, dose by dose in dose order (the sum is the same, term by
        // term, as a per-node sum), then the log prior added.
        let nodes = self.log_prior.len();
        let (mut w, max) = match treated.split_first() {
            None => {
                let max = self.log_prior.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                (self.log_prior.clone(), max)
            }
            Some((&(j, y, f), rest)) => {
                let column = |j: usize| j * nodes..(j + 1) * nodes;
                let terms = |j: usize| self.log_p[column(j)].iter().zip(&self.log_q[column(j)]);
                let mut w: Vec<f64> = terms(j).map(|(&lp, &lq)| y * lp + f * lq).collect();
                for &(j, y, f) in rest {
                    for (sum, (&lp, &lq)) in w.iter_mut().zip(terms(j)) {
                        *sum += y * lp + f * lq;
                    }
                }
                // The log prior added and the largest value found in one pass.
                let mut max = f64::NEG_INFINITY;
                for (sum, &lp0) in w.iter_mut().zip(&self.log_prior) {
                    *sum += lp0;
                    max = max.max(*sum);
                }
                (w, max)
            }
        };
        let mut total = 0.0;
        for v in w.iter_mut() {
            // exp underflows to exactly 0 below −745.2; skip libm's slow underflow path there.
            let x = *v - max;
            *v = if x < -746.0 { 0.0 } else { x.exp() };
            total += *v;
        }
        // Normalised row by row from the top (largest log α), each row's column sums from the
        // top following it: one pass, no copy.
        let n = self.alpha.len();
        let mut above: Vec<f64> = Vec::with_capacity(nodes);
        for i in (0..n).rev() {
            let row = &mut w[i * n..(i + 1) * n];
            for v in row.iter_mut() {
                *v /= total;
            }
            if i + 1 == n {
                above.extend_from_slice(row);
            } else {
                let previous = above.len() - n;
                for (j, &v) in row.iter().enumerate() {
                    above.push(v + above[previous + j]);
                }
            }
        }
        (w, above)
    }
}

/// BLRM fitted to the outcomes so far.
pub struct BlrmFit<'a> {
    blrm: &'a Blrm,
    data: &'a TrialData,
    /// Posterior weight per node, row-major (log α rows, log β columns).
    weights: Vec<f64>,
    /// Per node: the posterior weight of that node and every node above it in its column
    /// (larger log α), row by row from the top row (index (n − 1 − row)·n + column).
    above: Vec<f64>,
    /// Posterior P(targeted toxicity) and P(overdosing) per dose.
    target_prob: Vec<f64>,
    overdose_prob: Vec<f64>,
}

impl BlrmFit<'_> {
    /// P(p(dose) ≥ cut) under the grid posterior, column by column (see the module doc).
    fn prob_at_least(&self, dose: Dose, cut: f64) -> f64 {
        let blrm = self.blrm;
        if cut <= 0.0 {
            return 1.0;
        }
        if cut >= 1.0 {
            return 0.0;
        }
        let (n, h) = (blrm.alpha.len(), blrm.steps[0]);
        let x = blrm.log_ratio[dose.index()];
        let mut mass = 0.0;
        for (j, &b) in blrm.beta.iter().enumerate() {
            // p ≥ cut ⟺ log α ≥ logit(cut) − e^β·x: each node carries the mass of the cell
            // [u − h/2, u + h/2], counted for the part above the cut.
            let cut_alpha = logit(cut) - b.exp() * x;
            let position = (cut_alpha - blrm.alpha[0]) / h + 0.5;
            if position >= n as f64 {
                continue;
            }
            let first_full = position.max(0.0).ceil() as usize;
            if first_full < n {
                mass += self.above[(n - 1 - first_full) * n + j];
            }
            if position > 0.0 && first_full > 0 {
                let fraction = first_full as f64 - position;
                mass += fraction * self.weights[(first_full - 1) * n + j];
            }
        }
        mass.clamp(0.0, 1.0)
    }

    /// Whether EWOC admits the dose.
    fn ewoc_admits(&self, dose: Dose) -> bool {
        self.overdose_prob[dose.index()] < self.blrm.config.overdose_limit
    }

    /// The dose with the highest P(targeted toxicity) among `candidates` (lowest on ties).
    fn best_target(&self, candidates: impl Iterator<Item = Dose>) -> Option<Dose> {
        let mut best: Option<Dose> = None;
        for d in candidates {
            if best.is_none_or(|b| self.target_prob[d.index()] > self.target_prob[b.index()]) {
                best = Some(d);
            }
        }
        best
    }

    /// Posterior P(targeted toxicity) per dose.
    pub fn target_probabilities(&self) -> &[f64] {
        &self.target_prob
    }

    /// Posterior P(overdosing) per dose.
    pub fn overdose_probabilities(&self) -> &[f64] {
        &self.overdose_prob
    }
}

impl Design for Blrm {
    type Fit<'a> = BlrmFit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> BlrmFit<'a> {
        let (weights, above) = self.posterior_weights(data);
        let mut fit = BlrmFit {
            blrm: self,
            data,
            weights,
            above,
            target_prob: Vec::new(),
            overdose_prob: Vec::new(),
        };
        let [lower, upper] = self.config.target_interval;
        for d in data.doses() {
            let (at_least_lower, at_least_upper) = (fit.prob_at_least(d, lower), fit.prob_at_least(d, upper));
            fit.target_prob.push((at_least_lower - at_least_upper).max(0.0));
            fit.overdose_prob.push(at_least_upper);
        }
        fit
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
                self.target_prob[d.index()]
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
        let (target, over) = (self.target_prob[dose.index()], self.overdose_prob[dose.index()]);
        Some([(1.0 - target - over).max(0.0), target, over])
    }

    /// Posterior mean of the DLT probability.
    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        let nodes = self.weights.len();
        Some(
            self.weights
                .iter()
                .enumerate()
                .map(|(g, w)| w * self.blrm.log_p[dose.index() * nodes + g].exp())
                .sum(),
        )
    }

    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        Some(self.prob_at_least(dose, threshold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> BlrmConfig {
        BlrmConfig::new(vec![1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 25.0], 10.0, 0.25)
    }

    fn data(cohorts: &[(u16, u16, u16)]) -> TrialData {
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
                    (a.target_prob[i] - b.target_prob[i]).abs() < 2e-3,
                    "{cohorts:?} dose {dose}"
                );
                assert!(
                    (a.overdose_prob[i] - b.overdose_prob[i]).abs() < 2e-3,
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
            let total = under + fit.target_prob[d as usize] + fit.overdose_prob[d as usize];
            assert!((total - 1.0).abs() < 1e-9);
        }
        assert!(fit.overdose_prob.windows(2).all(|w| w[0] < w[1]));
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
