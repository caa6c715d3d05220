//! Truths: what a scenario says is really so, dose by dose. A [`Truth`] gives the true DLT
//! probability of each dose and, for calendar-time simulation, when DLTs occur ([`Onset`]) and a
//! [`TruthProfile`]: CRS-type DLTs, step-up dosing, TEAEs and response. Engines turn these
//! probabilities into the thresholds their latents are compared with.
//!
//! With a response probability per dose a truth also gives the joint law of DLT and response a
//! phase I/II design is judged on ([`Truth::dose_truths`]): independence unless the truth states
//! an [`Association`] (a global odds ratio, Plackett 1965; Dale 1986).

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
    /// How DLT and response are associated at each dose (dose-finding engine only).
    pub association: Association,
}

/// The association between DLT and response at a dose, given the two marginal probabilities.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Association {
    /// Independent: P(response and DLT) = P(DLT)·P(response).
    #[default]
    Independent,
    /// A global odds ratio ψ > 0, the same at every dose (Plackett 1965; Dale 1986):
    /// ψ = p₁₁p₀₀ / (p₁₀p₀₁), ψ > 1 when responders have DLTs more often.
    OddsRatio(f64),
}

impl Association {
    /// P(response and DLT) given P(DLT) = `a` and P(response) = `b`: for an odds ratio ψ ≠ 1, the
    /// root within the Fréchet bounds of (ψ − 1)p² − Sp + ψab = 0 with S = 1 + (a + b)(ψ − 1)
    /// (Plackett 1965), computed in the form without cancellation.
    pub fn joint(self, a: f64, b: f64) -> f64 {
        let p = match self {
            Association::Independent => a * b,
            Association::OddsRatio(psi) => {
                let s = 1.0 + (a + b) * (psi - 1.0);
                let root = (s * s - 4.0 * psi * (psi - 1.0) * a * b).max(0.0).sqrt();
                if s >= 0.0 {
                    2.0 * psi * a * b / (s + root)
                } else {
                    (s - root) / (2.0 * (psi - 1.0))
                }
            }
        };
        let (lower, upper) = ((a + b - 1.0).max(0.0), a.min(b));
        if p.is_finite() {
            p.clamp(lower, upper)
        } else {
            upper
        }
    }
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

impl DoseTruth {
    /// P(response | DLT) (0 when a DLT never happens).
    pub fn response_given_dlt(&self) -> f64 {
        if self.dlt > 0.0 {
            (self.response_with_dlt / self.dlt).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// P(response | no DLT) (0 when a DLT always happens).
    pub fn response_given_no_dlt(&self) -> f64 {
        if self.dlt < 1.0 {
            ((self.response - self.response_with_dlt) / (1.0 - self.dlt)).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

impl Truth {
    /// Each dose's joint law of DLT and response (direct dosing), where the truth gives a
    /// response probability.
    pub fn dose_truths(&self) -> Option<Vec<DoseTruth>> {
        let efficacy = self.profile.efficacy.as_ref()?;
        let association = self.profile.association;
        Some(
            self.dlt
                .iter()
                .zip(efficacy)
                .map(|(&dlt, &response)| DoseTruth {
                    dlt,
                    response,
                    response_with_dlt: association.joint(dlt, response),
                })
                .collect(),
        )
    }
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
    /// Late onset as TITEgBOIN's `get_oc_TITE_QuasiBOIN` simulates it (after Yuan et al. 2018):
    /// a Weibull time to DLT whose CDF at the window's end is the dose's DLT probability p and
    /// which puts `share` of the DLTs in the last `last` fraction of the window, so that its
    /// shape, and the law of the DLT time given a DLT, depend on p.
    LateAtDose {
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

    /// The DLT time as a fraction of the window, from a uniform latent `u` in [0, 1), for a
    /// patient whose DLT probability is `p` (used by [`Onset::LateAtDose`] only).
    pub fn fraction(&self, u: f64, p: f64) -> f64 {
        match *self {
            Onset::Uniform => u,
            Onset::LateAtDose { share, last } => {
                // S(t) = (1 − p)^((t/W)^k) with S((1 − last)·W) = 1 − (1 − share)·p; the DLT
                // time given a DLT inverts F(t)/p: (ln(1 − u·p) / ln(1 − p))^(1/k).
                let p = p.clamp(1e-12, 1.0 - 1e-12);
                let at_end = (-p).ln_1p();
                let k = (at_end / (-(1.0 - share) * p).ln_1p()).ln() / -(-last).ln_1p();
                ((-u * p).ln_1p() / at_end).powf(1.0 / k)
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The joint probability has the stated odds ratio and marginals, at the Fréchet bounds too.
    #[test]
    fn plackett_joint_has_the_odds_ratio() {
        for psi in [0.05, 0.5, 1.0, 1.0 + 1e-12, 3.0, 40.0] {
            for (a, b) in [(0.1, 0.3), (0.3, 0.1), (0.7, 0.8), (0.5, 0.5), (0.02, 0.95)] {
                let p11 = Association::OddsRatio(psi).joint(a, b);
                let (p10, p01) = (a - p11, b - p11);
                let p00 = 1.0 - a - b + p11;
                assert!(p11 >= 0.0 && p10 >= 0.0 && p01 >= 0.0 && p00 >= 0.0, "{psi} {a} {b}");
                let odds = p11 * p00 / (p10 * p01);
                assert!((odds / psi - 1.0).abs() < 1e-9, "ψ {psi}, ({a}, {b}): {odds}");
            }
        }
        assert_eq!(Association::Independent.joint(0.2, 0.5), 0.1);
        assert_eq!(Association::OddsRatio(3.0).joint(0.0, 0.5), 0.0);
        assert!((Association::OddsRatio(3.0).joint(1.0, 0.5) - 0.5).abs() < 1e-15);
    }

    /// With ψ = 3, a hand-solved case: a = b = 0.5 gives p11 = √3 / (2(1 + √3)).
    #[test]
    fn conditionals_follow_from_the_joint() {
        let truth = Truth {
            name: "t".into(),
            dlt: vec![0.5],
            onset: None,
            profile: TruthProfile {
                efficacy: Some(vec![0.5]),
                association: Association::OddsRatio(3.0),
                ..TruthProfile::default()
            },
        };
        let dose = truth.dose_truths().unwrap()[0];
        let expected = 3f64.sqrt() / (2.0 * (1.0 + 3f64.sqrt()));
        assert!((dose.response_with_dlt - expected).abs() < 1e-15);
        let (r1, r0) = (dose.response_given_dlt(), dose.response_given_no_dlt());
        assert!(((r1 / (1.0 - r1)) / (r0 / (1.0 - r0)) - 3.0).abs() < 1e-12);
        assert!((0.5 * r1 + 0.5 * r0 - 0.5).abs() < 1e-15);
    }
}
