//! The simulated patients of a single-arm phase 2 trial: true response, toxicity and survival
//! models ([`SingleArmTruth`]), calendar time ([`StudyTiming`]: accrual, assessment window,
//! minimum follow-up, dropout), and the construction of patients from latent uniforms.
//!
//! # Common random numbers
//!
//! Patient i of trial t draws [`LATENTS_PER_PATIENT`] 53-bit uniforms from the trial's stream
//! ([`trial_rng`](crate::core::random::trial_rng)), always in the order [`Latent`] lists them (arrival
//! gap, response, toxicity, PFS, OS, dropout), then the trial draws one more (the spacing that
//! closes uniform accrual). Every truth and every design of a run is applied to these same
//! uniforms, so the same patients are compared: a patient responds under a truth with ORR p iff
//! u_response < p, has a limiting toxicity iff u_toxicity < p_tox, and their survival times are
//! inverse-cumulative-hazard transforms of u_pfs and u_os.
//!
//! # Survival model
//!
//! PFS and OS are each given as a marginal curve ([`SurvivalCurve`]: exponential, Weibull or
//! piecewise exponential) and an optional responder hazard ratio h ([`TimeToEvent`]): a
//! responder's cumulative hazard is h·Λ_nr(t), a non-responder's Λ_nr(t) = Λ(s·t), with Λ the
//! given curve and s > 0 the time scale that makes the *marginal* median (the mixture
//! ORR·S_r + (1 − ORR)·S_nr) equal the given median. With v = Λ(s·m) the equation is
//! ORR·e^{−h·v} + (1 − ORR)·e^{−v} = 1/2, solved for v by bisection on the bracket
//! [ln 2·min(1, 1/h), ln 2·max(1, 1/h)], then s = Λ⁻¹(v)/m. (With h = 1, s = 1 and the curve is
//! used as given.) Only the median of the mixture is matched; its shape is a mixture of two scaled
//! copies of the given curve.
//!
//! PFS ≤ OS with both marginals exact: within each response stratum, OS is drawn from its curve,
//! and PFS = min(P, OS) where P is a latent progression time independent of OS with cumulative
//! hazard Λ_PFS − Λ_OS (the competing-risks reading "PFS event = progression or death"), so
//! P(PFS > t) = S_PFS(t) exactly. This needs the PFS hazard to be at least the OS hazard at every
//! time in both strata; the constructor checks it, which holds for exponential or piecewise
//! exponential curves with pointwise larger PFS hazards, and for Weibull curves of the same
//! shape with the PFS median at most the OS median (with equal responder hazard ratios; other
//! combinations are checked exactly). Weibull curves of different shapes always cross and are
//! rejected.
//!
//! The survival curves and their hazards are in `timing/curves.rs`, the truths and patients in
//! `timing/truth.rs`, accrual and the study calendar in `timing/accrual.rs`.

use rand::RngCore;

mod accrual;
mod curves;
mod truth;

pub use accrual::{Accrual, StudyTiming};
pub use curves::{SurvivalCurve, TimeToEvent};
pub use truth::{Patient, SingleArmTruth};

/// Number of latent uniforms each patient draws.
pub const LATENTS_PER_PATIENT: usize = 6;

/// The latent uniforms of a patient, in the order they are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latent {
    /// The exponential spacing before this patient's entry.
    ArrivalGap = 0,
    /// Response (a Bernoulli event).
    Response = 1,
    /// Limiting toxicity (a Bernoulli event).
    Toxicity = 2,
    /// The latent progression time.
    Pfs = 3,
    /// Overall survival.
    Os = 4,
    /// Loss to follow-up.
    Dropout = 5,
}

/// One patient's latent uniforms, as 53-bit integers k (the uniform is (k + 1/2)/2^53 for
/// transforms, so it is never 0 or 1; a Bernoulli(p) event is k < ⌈p·2^53⌉).
pub type PatientLatents = [u64; LATENTS_PER_PATIENT];

/// Draws the latents of `patients` patients, then the closing spacing, from `rng`, into `out`
/// (cleared first); returns the closing spacing's latent.
pub fn draw_latents(rng: &mut impl RngCore, patients: usize, out: &mut Vec<PatientLatents>) -> u64 {
    out.clear();
    for _ in 0..patients {
        let mut row = [0u64; LATENTS_PER_PATIENT];
        for slot in &mut row {
            *slot = rng.next_u64() >> 11;
        }
        out.push(row);
    }
    rng.next_u64() >> 11
}

/// The uniform (k + 1/2)/2^53 in (0, 1).
#[inline]
fn uniform(k: u64) -> f64 {
    (k as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0)
}

/// A standard exponential, −ln u, from a latent (always finite and > 0).
#[inline]
fn exponential(k: u64) -> f64 {
    -uniform(k).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::single_arm::SingleArmError;

    #[test]
    fn invalid_parameters_are_named() {
        let name = |e: SingleArmError| match e {
            SingleArmError::InvalidParameter { name, .. } => name,
            other => panic!("{other}"),
        };
        assert_eq!(
            name(SurvivalCurve::piecewise(vec![3.0, 2.0], vec![0.1; 3]).unwrap_err()),
            "cuts"
        );
        assert_eq!(
            name(SurvivalCurve::piecewise(vec![3.0], vec![0.1, 0.0]).unwrap_err()),
            "hazards"
        );
        assert_eq!(name(SurvivalCurve::exponential(0.0).unwrap_err()), "median");
        assert_eq!(name(Accrual::poisson(-1.0).unwrap_err()), "accrual_rate");
        let curve = SurvivalCurve::exponential(10.0).unwrap();
        assert_eq!(name(TimeToEvent::new(curve.clone(), 0.0).unwrap_err()), "responder_hr");
        let os = TimeToEvent::independent(curve);
        // PFS longer than OS, or Weibull shapes that cross: rejected.
        let long = TimeToEvent::independent(SurvivalCurve::exponential(12.0).unwrap());
        let err = SingleArmTruth::new("x", 0.3, 0.1, long, os.clone()).unwrap_err();
        assert_eq!(name(err), "pfs");
        let crossing = TimeToEvent::independent(SurvivalCurve::weibull(5.0, 1.3).unwrap());
        assert_eq!(
            name(SingleArmTruth::new("x", 0.3, 0.1, crossing, os.clone()).unwrap_err()),
            "pfs"
        );
        let pfs = TimeToEvent::independent(SurvivalCurve::exponential(5.0).unwrap());
        assert_eq!(name(SingleArmTruth::new("x", 1.2, 0.1, pfs, os).unwrap_err()), "orr");
        assert_eq!(
            name(StudyTiming::new(0, Accrual::uniform(18.0).unwrap(), 1.5, 12.0, 0.0).unwrap_err()),
            "patients"
        );
    }
}
