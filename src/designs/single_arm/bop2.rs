//! Bayesian optimal phase 2 design (BOP2), binary endpoint with futility monitoring only
//! (Zhou, Lee & Yuan 2017, *Statistics in Medicine* 36:3302–3314).
//!
//! With a Beta prior on the response rate p and looks after n_1 < … < n_K = N patients, the trial
//! stops for futility at look k when P(p > p0 | data) < C(n_k) = λ·(n_k/N)^γ; at the last look
//! (C(N) = λ) the regimen is declared promising (H0 rejected) when P(p > p0 | data) ≥ λ. The
//! inequality at the end is the paper's: not promising iff P(p ≤ p0 | data) > 1 − λ; exact
//! equality has probability zero in practice. (λ, γ) are calibrated on a grid to maximise the
//! power at p1 with type I error at most alpha (the paper's "optimal" design).
//!
//! "Early stop" counts futility stops at the looks before the last, as the paper's tables do: with
//! the R9 design, P(early stop) + P(reject) < 1 because a trial that completes may still fail.

use super::exact::{
    check_looks, check_target, most_powerful, BetaPrior, Boundaries, Calibrated, ExactDesign, MonotoneScores,
};
use super::{open_unit, require, SingleArmError};

/// A BOP2 design (futility only) with fixed (λ, γ).
#[derive(Clone, Debug, PartialEq)]
pub struct Bop2 {
    prior: BetaPrior,
    p0: f64,
    lambda: f64,
    gamma: f64,
    boundaries: Boundaries,
}

impl Bop2 {
    /// Checks the looks (strictly increasing, ≥ 1; the last is N), p0 and λ in (0, 1), γ ≥ 0.
    pub fn new(looks: Vec<u32>, prior: BetaPrior, p0: f64, lambda: f64, gamma: f64) -> Result<Bop2, SingleArmError> {
        check_looks(&looks)?;
        open_unit("p0", p0)?;
        let scores = posterior_scores(&looks, prior, p0);
        Bop2::with_scores(&scores, prior, p0, lambda, gamma)
    }

    fn with_scores(
        scores: &MonotoneScores,
        prior: BetaPrior,
        p0: f64,
        lambda: f64,
        gamma: f64,
    ) -> Result<Bop2, SingleArmError> {
        open_unit("lambda", lambda)?;
        require(gamma.is_finite() && gamma >= 0.0, "gamma", gamma, "finite and ≥ 0")?;
        let n_max = scores.n_max();
        Ok(Bop2 {
            prior,
            p0,
            lambda,
            gamma,
            boundaries: scores.boundaries(|n| cutoff(lambda, gamma, n, n_max)),
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

    /// λ, the posterior cutoff at the final analysis.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// γ, how fast the cutoff rises towards λ.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// The posterior cutoff C(n) = λ·(n/N)^γ after n patients, the one the boundaries use: stop
    /// for futility at a look when P(p > p0 | data) < C(n).
    pub fn cutoff(&self, n: u32) -> f64 {
        let looks = self.boundaries.looks();
        cutoff(self.lambda, self.gamma, n, looks[looks.len() - 1])
    }

    /// P(p > p0 | x responses in n patients) under the design's prior, the posterior probability
    /// its rule compares with [`Bop2::cutoff`].
    pub fn posterior(&self, x: u32, n: u32) -> f64 {
        self.prior.posterior_exceeds(self.p0, x, n)
    }

    /// The optimal BOP2 design: over the grids of λ and γ, the highest power at p1 with type I
    /// error at p0 at most `alpha` (ties: the first, λ then γ in grid order). The posterior
    /// probabilities are tabulated once for the whole grid.
    pub fn calibrate(
        looks: Vec<u32>,
        prior: BetaPrior,
        p0: f64,
        p1: f64,
        alpha: f64,
        lambda_grid: &[f64],
        gamma_grid: &[f64],
    ) -> Result<Calibrated<Bop2>, SingleArmError> {
        check_looks(&looks)?;
        check_target(p0, p1, alpha)?;
        let scores = posterior_scores(&looks, prior, p0);
        let mut candidates = Vec::with_capacity(lambda_grid.len() * gamma_grid.len());
        for &lambda in lambda_grid {
            for &gamma in gamma_grid {
                candidates.push(Bop2::with_scores(&scores, prior, p0, lambda, gamma)?);
            }
        }
        most_powerful(candidates, p0, p1, alpha)
    }
}

/// C(n) = λ·(n/N)^γ, the futility cutoff after n of N patients.
fn cutoff(lambda: f64, gamma: f64, n: u32, n_max: u32) -> f64 {
    lambda * (f64::from(n) / f64::from(n_max)).powf(gamma)
}

/// P(p > p0 | x responses in n) at every look and count.
pub(super) fn posterior_scores(looks: &[u32], prior: BetaPrior, p0: f64) -> MonotoneScores {
    MonotoneScores::new(looks, |x, n| prior.posterior_exceeds(p0, x, n))
}

impl ExactDesign for Bop2 {
    fn boundaries(&self) -> &Boundaries {
        &self.boundaries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r9_design() -> Bop2 {
        let looks = (2..=8).map(|k| 5 * k).collect();
        Bop2::new(looks, BetaPrior::new(0.2, 0.8).unwrap(), 0.2, 0.9, 1.0).unwrap()
    }

    /// VALIDATION R9: boundaries ≤ 1 2 3 5 7 9 11 at n = 10, 15, …, 40.
    #[test]
    fn r9_boundaries() {
        let expected: Vec<Option<u32>> = [1, 2, 3, 5, 7, 9, 11].into_iter().map(Some).collect();
        assert_eq!(r9_design().boundaries().futility(), expected);
    }

    /// VALIDATION R9: exact OC at p = 0.2 and 0.4, to the printed digits.
    #[test]
    fn r9_operating_characteristics() {
        let design = r9_design();
        for (p, early, en, reject) in [(0.2, 0.8815, 21.23, 0.0691), (0.4, 0.1059, 37.87, 0.8752)] {
            let oc = design.oc(p);
            assert!(
                (oc.early_stop - early).abs() < 5e-5,
                "{p}: early stop {}",
                oc.early_stop
            );
            assert!((oc.expected_n - en).abs() < 5e-3, "{p}: E[N] {}", oc.expected_n);
            assert!((oc.reject - reject).abs() < 5e-5, "{p}: reject {}", oc.reject);
            assert!((oc.end_at_look.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn calibration_maximises_power_within_alpha() {
        let looks: Vec<u32> = (2..=8).map(|k| 5 * k).collect();
        let prior = BetaPrior::new(0.2, 0.8).unwrap();
        let lambdas: Vec<f64> = (50..100).map(|i| f64::from(i) / 100.0).collect();
        let gammas: Vec<f64> = (0..=30).map(|i| f64::from(i) / 10.0).collect();
        let best = Bop2::calibrate(looks.clone(), prior, 0.2, 0.4, 0.05, &lambdas, &gammas).unwrap();
        assert!(best.type1_error <= 0.05 && best.power > 0.8, "{best:?}");
        for &lambda in &lambdas {
            for &gamma in &gammas {
                let other = Bop2::new(looks.clone(), prior, 0.2, lambda, gamma).unwrap();
                assert!(other.oc(0.2).reject > 0.05 || other.oc(0.4).reject <= best.power);
            }
        }
        let err = Bop2::calibrate(looks, prior, 0.2, 0.4, 0.001, &[0.5], &[0.0]).unwrap_err();
        assert_eq!(err, SingleArmError::NoCalibratedDesign { alpha: 0.001 });
    }

    #[test]
    fn errors_name_the_parameter() {
        let prior = BetaPrior::new(0.2, 0.8).unwrap();
        let err = Bop2::new(vec![10, 20], prior, 0.2, 1.2, 1.0).unwrap_err();
        assert!(
            matches!(err, SingleArmError::InvalidParameter { name: "lambda", .. }),
            "{err}"
        );
        let err = Bop2::new(vec![20, 10], prior, 0.2, 0.9, 1.0).unwrap_err();
        assert!(
            matches!(err, SingleArmError::InvalidParameter { name: "looks", .. }),
            "{err}"
        );
    }
}
