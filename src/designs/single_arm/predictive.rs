//! Bayesian predictive probability monitoring (Lee & Liu 2008, *Clinical Trials* 5:93–106).
//!
//! With a Beta(a, b) prior on the response rate p and x responses in n patients, the responses Y
//! among the m = Nmax − n patients still to come follow the beta-binomial(m, a + x, b + n − x)
//! distribution. At the end the trial declares efficacy if P(p > p0 | X responses in Nmax) > θT.
//! The predictive probability is the chance of that final success given the data so far,
//! PP = Σ_i P(Y = i | x) · 1[P(p > p0 | x + i, Nmax) > θT]. The trial stops for futility at an
//! interim look when PP < θL.

use super::exact::{
    check_looks, check_target, most_powerful, BetaPrior, Boundaries, Calibrated, ExactDesign, MonotoneScores,
};
use super::{open_unit, SingleArmError};

/// The predictive probability of final success, for a maximum sample size, prior, p0 and θT.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictiveProbability {
    n_max: u32,
    prior: BetaPrior,
    p0: f64,
    theta_t: f64,
    /// Smallest final response count with P(p > p0 | data) > θT (n_max + 1 if none).
    final_success: u32,
}

impl PredictiveProbability {
    /// Checks n_max ≥ 1 and p0, θT in (0, 1).
    pub fn new(n_max: u32, prior: BetaPrior, p0: f64, theta_t: f64) -> Result<PredictiveProbability, SingleArmError> {
        check_looks(&[n_max])?;
        open_unit("p0", p0)?;
        open_unit("theta_t", theta_t)?;
        let final_success = (0..=n_max)
            .find(|&s| prior.posterior_exceeds(p0, s, n_max) > theta_t)
            .unwrap_or(n_max + 1);
        Ok(PredictiveProbability {
            n_max,
            prior,
            p0,
            theta_t,
            final_success,
        })
    }

    /// The prior on the response rate.
    pub fn prior(&self) -> BetaPrior {
        self.prior
    }

    /// The null response rate p0.
    pub fn p0(&self) -> f64 {
        self.p0
    }

    /// Maximum sample size Nmax.
    pub fn n_max(&self) -> u32 {
        self.n_max
    }

    /// Smallest number of responses in Nmax patients that declares efficacy (Nmax + 1 if none).
    pub fn final_success(&self) -> u32 {
        self.final_success
    }

    /// θT: the posterior probability P(p > p0 | data) that counts as success at the end.
    pub fn theta_t(&self) -> f64 {
        self.theta_t
    }

    /// PP after `x` responses in `n` patients: P(x + Y ≥ final success), Y beta-binomial.
    ///
    /// # Panics
    /// If x > n or n > Nmax.
    pub fn predictive_probability(&self, x: u32, n: u32) -> f64 {
        assert!(
            x <= n && n <= self.n_max,
            "{x} responses in {n} patients, maximum {}",
            self.n_max
        );
        let needed = self.final_success.saturating_sub(x) as usize;
        self.prior
            .predictive_pmf(x, n, self.n_max - n)
            .iter()
            .skip(needed)
            .sum()
    }
}

/// A trial monitored by predictive probability at given looks (the last is Nmax).
#[derive(Clone, Debug, PartialEq)]
pub struct PredictiveDesign {
    pp: PredictiveProbability,
    theta_l: f64,
    boundaries: Boundaries,
}

impl PredictiveDesign {
    /// Stops for futility at a look n < Nmax when PP < θL; at Nmax = the last look, declares
    /// efficacy when P(p > p0 | data) > θT. Continuous monitoring is `looks = 1..=Nmax`.
    /// Checks the looks (strictly increasing, ≥ 1), the prior, p0 and both thresholds in (0, 1).
    pub fn new(
        looks: Vec<u32>,
        prior: BetaPrior,
        p0: f64,
        theta_t: f64,
        theta_l: f64,
    ) -> Result<PredictiveDesign, SingleArmError> {
        check_looks(&looks)?;
        open_unit("theta_l", theta_l)?;
        let pp = PredictiveProbability::new(looks[looks.len() - 1], prior, p0, theta_t)?;
        let boundaries = pp_scores(&pp, &looks).boundaries(|_| theta_l);
        Ok(PredictiveDesign {
            pp,
            theta_l,
            boundaries,
        })
    }

    /// The predictive probability this design monitors.
    pub fn predictive(&self) -> &PredictiveProbability {
        &self.pp
    }

    /// The futility threshold θL.
    pub fn theta_l(&self) -> f64 {
        self.theta_l
    }

    /// Lee & Liu's design search: over the grids of θT and θL, the design with the highest power
    /// at p1 whose type I error at p0 is at most `alpha` (ties: the first, θT then θL in grid
    /// order). Each θT's predictive probabilities are tabulated once and reused for every θL.
    pub fn calibrate(
        looks: Vec<u32>,
        prior: BetaPrior,
        p0: f64,
        p1: f64,
        alpha: f64,
        theta_t_grid: &[f64],
        theta_l_grid: &[f64],
    ) -> Result<Calibrated<PredictiveDesign>, SingleArmError> {
        check_looks(&looks)?;
        check_target(p0, p1, alpha)?;
        for &theta_l in theta_l_grid {
            open_unit("theta_l", theta_l)?;
        }
        let n_max = looks[looks.len() - 1];
        let mut candidates = Vec::with_capacity(theta_t_grid.len() * theta_l_grid.len());
        for &theta_t in theta_t_grid {
            let pp = PredictiveProbability::new(n_max, prior, p0, theta_t)?;
            let scores = pp_scores(&pp, &looks);
            candidates.extend(theta_l_grid.iter().map(|&theta_l| PredictiveDesign {
                pp: pp.clone(),
                theta_l,
                boundaries: scores.boundaries(|_| theta_l),
            }));
        }
        most_powerful(candidates, p0, p1, alpha)
    }
}

/// PP at every look and count; at Nmax it is the final success indicator, so the threshold θL
/// there yields the efficacy count.
fn pp_scores(pp: &PredictiveProbability, looks: &[u32]) -> MonotoneScores {
    MonotoneScores::new(looks, |x, n| pp.predictive_probability(x, n))
}

impl ExactDesign for PredictiveDesign {
    fn boundaries(&self) -> &Boundaries {
        &self.boundaries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// VALIDATION R8 (Lee & Liu 2008): Nmax = 40, 16 responses in 23, θT = 0.9.
    #[test]
    fn r8_predictive_probabilities() {
        for (a, b, p0, expected) in [(0.6, 0.4, 0.6, 0.5656), (1.0, 1.0, 0.5, 0.8872)] {
            let pp = PredictiveProbability::new(40, BetaPrior::new(a, b).unwrap(), p0, 0.9).unwrap();
            let value = pp.predictive_probability(16, 23);
            assert!((value - expected).abs() < 5e-5, "Beta({a}, {b}), p0 = {p0}: {value}");
        }
    }

    /// Lee & Liu's worked example: with Beta(0.6, 0.4) and p0 = 0.6, efficacy at Nmax = 40 needs
    /// at least 28 responses (P(p > 0.6 | 28/40) > 0.9 ≥ P(p > 0.6 | 27/40)), so after 16/23 the
    /// PP is P(Y ≥ 12) among the 17 to come.
    #[test]
    fn final_success_count() {
        let pp = PredictiveProbability::new(40, BetaPrior::new(0.6, 0.4).unwrap(), 0.6, 0.9).unwrap();
        assert_eq!(pp.final_success(), 28);
        let prior = BetaPrior::new(0.6, 0.4).unwrap();
        assert!(prior.posterior_exceeds(0.6, 28, 40) > 0.9 && prior.posterior_exceeds(0.6, 27, 40) <= 0.9);
        assert_eq!(pp.predictive_probability(28, 40), 1.0);
        assert_eq!(pp.predictive_probability(27, 40), 0.0);
    }

    /// The exact recursion against a brute-force sum over every response sequence's count path,
    /// for continuous monitoring of a small trial.
    #[test]
    fn exact_oc_matches_brute_force() {
        let prior = BetaPrior::new(1.0, 1.0).unwrap();
        let design = PredictiveDesign::new((1..=8).collect(), prior, 0.3, 0.9, 0.1).unwrap();
        let futility = design.boundaries().futility();
        for p in [0.2, 0.3, 0.5] {
            let (mut reject, mut early, mut en) = (0.0, 0.0, 0.0);
            for outcomes in 0u32..(1 << 8) {
                let prob: f64 = (0..8)
                    .map(|i| if outcomes >> i & 1 == 1 { p } else { 1.0 - p })
                    .product();
                let mut x = 0;
                for n in 1..=8u32 {
                    x += outcomes >> (n - 1) & 1;
                    let stops = futility[n as usize - 1].is_some_and(|f| x <= f);
                    if n == 8 {
                        en += 8.0 * prob;
                        reject += if stops { 0.0 } else { prob };
                    } else if stops {
                        en += f64::from(n) * prob;
                        early += prob;
                        break;
                    }
                }
            }
            let oc = design.oc(p);
            assert!((oc.reject - reject).abs() < 1e-12, "{p}");
            assert!((oc.early_stop - early).abs() < 1e-12, "{p}");
            assert!((oc.expected_n - en).abs() < 1e-11, "{p}");
        }
    }

    /// PP monitoring only stops early: it can only lower the rejection rate of the single-stage
    /// test with the same final rule, and by little when θL is small.
    #[test]
    fn monitoring_costs_little_power_and_saves_patients() {
        let prior = BetaPrior::new(0.6, 0.4).unwrap();
        let design = PredictiveDesign::new((10..=40).collect(), prior, 0.6, 0.9, 0.05).unwrap();
        let single = Boundaries::new(vec![40], vec![design.predictive().final_success()]).unwrap();
        for p in [0.6, 0.8] {
            let (oc, full) = (design.oc(p), single.oc(p));
            assert!(
                oc.reject <= full.reject && full.reject - oc.reject < 0.05,
                "{p}: {oc:?} {full:?}"
            );
            assert!(oc.expected_n < 40.0);
        }
        assert!(design.oc(0.6).early_stop > 0.3);
    }

    #[test]
    fn calibration_controls_type1_error() {
        let prior = BetaPrior::new(0.6, 0.4).unwrap();
        let grid = |lo: f64, hi: f64, step: f64| -> Vec<f64> {
            (0..)
                .map(|i| lo + step * f64::from(i))
                .take_while(|&v| v <= hi + 1e-9)
                .collect()
        };
        let best = PredictiveDesign::calibrate(
            (10..=40).collect(),
            prior,
            0.6,
            0.8,
            0.05,
            &grid(0.85, 0.99, 0.01),
            &grid(0.01, 0.2, 0.01),
        )
        .unwrap();
        assert!(best.type1_error <= 0.05 && best.power > 0.8, "{best:?}");
        assert_eq!(best.design.oc(0.8).reject, best.power);
        let err = PredictiveDesign::calibrate(vec![40], prior, 0.6, 0.8, 0.05, &[0.9], &[1.5]).unwrap_err();
        assert!(
            matches!(err, SingleArmError::InvalidParameter { name: "theta_l", .. }),
            "{err}"
        );
    }
}
