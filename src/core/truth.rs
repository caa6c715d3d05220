//! Truths: what a scenario says is really so, dose by dose. A [`Truth`] gives the true DLT
//! probability of each dose and, for calendar-time simulation, when DLTs occur ([`Onset`]) and a
//! [`TruthProfile`]: CRS-type DLTs, step-up dosing, TEAEs and response. Engines turn these
//! probabilities into the thresholds their latents are compared with.

use super::Dose;

/// A true dose-toxicity curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    /// The truth's name in the tables.
    pub name: String,
    /// True DLT probability per dose, lowest dose first.
    pub dlt: Vec<f64>,
    /// When DLTs occur within the window, if this truth overrides `[timing]`'s onset.
    pub onset: Option<Onset>,
    /// CRS-type DLTs, step-up dosing, TEAEs and response (calendar time only).
    pub profile: TruthProfile,
}

/// What a truth says beyond direct-dosing DLT probabilities (all per dose, lowest first).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TruthProfile {
    /// P(CRS-type DLT) under direct dosing (part of `dlt`); zero when not modelled.
    pub crs: Option<Vec<f64>>,
    /// P(DLT) under step-up dosing; equal to direct dosing when not given.
    pub dlt_step_up: Option<Vec<f64>>,
    /// P(CRS-type DLT) under step-up dosing.
    pub crs_step_up: Option<Vec<f64>>,
    /// P(any TEAE during follow-up) under direct dosing (≥ P(DLT): a DLT is a TEAE).
    pub teae: Option<Vec<f64>>,
    /// P(response) (efficacy or pharmacodynamic endpoint), whatever the regimen.
    pub efficacy: Option<Vec<f64>>,
}

/// The truth at one dose as a phase I/II design sees it: the joint law of DLT and response.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DoseTruth {
    /// P(DLT).
    pub dlt: f64,
    /// P(response).
    pub response: f64,
    /// P(response and DLT); `dlt · response` when they are independent.
    pub response_with_dlt: f64,
}

/// When, within the DLT window, a DLT occurs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Onset {
    /// Uniformly over the window.
    Uniform,
    /// Late onset: a Weibull time to DLT with scale equal to the window, truncated to it, whose
    /// shape puts `share` of the DLTs in the last `last` fraction of the window (as in the
    /// TITE-BOIN simulations of Yuan et al. 2018).
    Late {
        /// The share of DLTs in the last part of the window.
        share: f64,
        /// That last part, as a fraction of the window.
        last: f64,
    },
}

impl Onset {
    /// The Weibull shape for late onset: P(T > (1 − last)·W | T ≤ W) = share with scale W.
    pub fn weibull_shape(share: f64, last: f64) -> Option<f64> {
        let e = (-1.0f64).exp();
        let inner = -(e + share * (1.0 - e)).ln();
        let shape = inner.ln() / (1.0 - last).ln();
        (shape.is_finite() && shape > 0.0).then_some(shape)
    }

    /// The DLT time as a fraction of the window, from a uniform latent `u` in [0, 1).
    pub fn fraction(&self, u: f64) -> f64 {
        match *self {
            Onset::Uniform => u,
            Onset::Late { share, last } => {
                let k = Onset::weibull_shape(share, last).expect("validated");
                // Inverse CDF of a Weibull(k, 1) truncated to (0, 1].
                let total = 1.0 - (-1.0f64).exp();
                (-(1.0 - u * total).ln()).powf(1.0 / k)
            }
        }
    }
}

/// The DLT probabilities of a truth as given when step-up dosing starts at `switch` (none:
/// direct dosing everywhere).
pub fn dlt_as_given(dlt: &[f64], profile: &TruthProfile, switch: Option<Dose>) -> Vec<f64> {
    let step_up = profile.dlt_step_up.as_deref().unwrap_or(dlt);
    (0..dlt.len())
        .map(|d| match switch {
            Some(from) if d >= from.index() => step_up[d],
            _ => dlt[d],
        })
        .collect()
}
