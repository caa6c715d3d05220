//! Single-arm phase 2 designs: their decisions, their exact operating characteristics, and the
//! patient models of a phase 2 study (the engine that simulates them is
//! [`crate::engines::single_arm`]):
//!
//! - `exact`: binomial and beta-binomial building blocks, the Beta prior, and the exact operating
//!   characteristics of any design that counts responses at fixed looks ([`Boundaries`]).
//! - `simon`: Simon (1989) two-stage designs: optimal, minimax and admissible (Jung et al. 2004).
//! - `predictive`: Bayesian predictive probability monitoring (Lee & Liu 2008).
//! - `bop2`: Bayesian optimal phase 2 design, futility only (Zhou, Lee & Yuan 2017).
//! - `joint`: BOP2 with joint efficacy and toxicity monitoring (the same paper's multinomial form).
//! - `survival`: one-sample log-rank test and its sample size (Wu 2015), Kaplan–Meier estimates.
//! - `timing`: simulated patients: true response, toxicity, PFS and OS models, accrual and
//!   follow-up in calendar time, common random numbers.
//! - `sim`: these designs (and time-to-event and toxicity rules) as a simulated trial runs them
//!   in calendar time, with interim looks.
//!
//! Parameters are checked once, by the constructors, which return [`SingleArmError`] naming the
//! offending parameter; every method afterwards is infallible.

pub(crate) mod bop2;
pub(crate) mod exact;
pub(crate) mod joint;
pub(crate) mod predictive;
pub(crate) mod sim;
pub(crate) mod simon;
pub(crate) mod survival;
pub(crate) mod timing;

pub use bop2::Bop2;
pub use exact::{BetaPrior, Boundaries, Calibrated, ExactDesign, OperatingCharacteristics};
pub use joint::{
    null_cases, Bop2Joint, JointCalibrated, JointNull, JointOperatingCharacteristics, JointOutcome, ToxicityExponent,
};
pub use predictive::{PredictiveDesign, PredictiveProbability};
pub use sim::{
    responses_promising, run_trial, Analysis, Endpoint, Look, Outcome, SingleArmDesign, ToxicityRule, TrialResult,
};
pub use simon::{SimonDesign, SimonDesigns, SimonSearch, SimonSolution};
pub use survival::{
    one_sample_log_rank, wu_power, wu_sample_size, KaplanMeier, LandmarkEstimate, LogRankStatistic, MedianEstimate,
    Observation, OneSampleLogRank, WeibullSurvival, WuDesign,
};
pub use timing::{Accrual, Patient, SingleArmTruth, StudyTiming, SurvivalCurve, TimeToEvent};

/// The design behind a scenario's response-counting `[[design]]` (its boundaries are in the
/// [`SingleArmDesign`]), kept so that an interim look of a live trial can show the design's own
/// quantities: Simon's r1 and r, BOP2's posterior and cutoff, the predictive probability.
#[derive(Clone, Debug, PartialEq)]
pub enum ResponseDesign {
    /// A Simon two-stage design.
    Simon(SimonDesign),
    /// A BOP2 design.
    Bop2(Bop2),
    /// Predictive probability monitoring.
    Predictive(PredictiveDesign),
}

/// A parameter of a single-arm design or analysis that cannot be used, or a search that found nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SingleArmError {
    /// `name` has value `value`, which breaks `requirement`.
    #[error("{name} = {value} is invalid: it must be {requirement}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Its value, as written.
        value: String,
        /// The range it must lie in.
        requirement: &'static str,
    },
    /// No two-stage design up to `nmax` patients meets the error rates.
    #[error("no Simon two-stage design with at most {nmax} patients meets alpha and beta; increase nmax")]
    NoSimonDesign {
        /// The largest sample size searched.
        nmax: u32,
    },
    /// No candidate of a calibration grid keeps the type I error within `alpha`.
    #[error("no candidate design keeps the type I error at or below {alpha}")]
    NoCalibratedDesign {
        /// The type I error allowed.
        alpha: f64,
    },
}

/// `Ok(())` when `ok`, else [`SingleArmError::InvalidParameter`] for `name`.
fn require(
    ok: bool,
    name: &'static str,
    value: impl ToString,
    requirement: &'static str,
) -> Result<(), SingleArmError> {
    if ok {
        Ok(())
    } else {
        Err(SingleArmError::InvalidParameter {
            name,
            value: value.to_string(),
            requirement,
        })
    }
}

/// Checks that `value` is a probability strictly between 0 and 1.
fn open_unit(name: &'static str, value: f64) -> Result<f64, SingleArmError> {
    require(value > 0.0 && value < 1.0, name, value, "strictly between 0 and 1")?;
    Ok(value)
}

/// Checks that `value` is finite and strictly positive.
fn positive(name: &'static str, value: f64) -> Result<f64, SingleArmError> {
    require(value.is_finite() && value > 0.0, name, value, "finite and positive")?;
    Ok(value)
}
