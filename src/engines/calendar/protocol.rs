//! How the calendar-time engine draws the parts of a phase 1b protocol beyond the dose-finding
//! rule: step-up (priming) dosing regimens, CRS-type DLTs, treatment-emergent adverse events
//! (TEAEs) and an efficacy or pharmacodynamic response. The settings themselves (the truths'
//! [`TruthProfile`], step-up, backfill, the RP2D utility) are in [`crate::core`], which a scenario
//! fills; this module turns them into the thresholds the patients' latents are compared with.
//!
//! One latent uniform per patient decides every toxicity outcome, so the outcomes are nested and
//! shared by every design and truth (common random numbers): with DLT probability p, of which c is
//! CRS-type, and TEAE probability e ≥ p, a patient with latent u has a CRS-type DLT if u < c, a
//! DLT if u < p and a TEAE if u < e. Step-up dosing changes only the CRS-type part: c′ = rr·c, and
//! p′ = p − c + c′, e′ = e − c + c′ (or, without a CRS-type part, p′ is given and e′ = e − p + p′).
//! The response uses a second latent uniform v: a response iff v < P(response | the patient's DLT
//! outcome) under the truth's joint law of DLT and response at the dose and regimen
//! ([`Association`](crate::core::Association); independent by default, when both conditionals
//! are P(response)).

use crate::core::{Association, DoseTruth, TruthProfile};
use crate::engines::rng::dlt_threshold;

/// Integer thresholds for one truth (see [`dlt_threshold`]): index `[regimen][dose]`, regimen 0
/// direct and 1 step-up.
#[derive(Clone, Debug, PartialEq)]
pub struct TruthThresholds {
    /// DLT thresholds.
    pub dlt: [Vec<u64>; 2],
    /// The DLT probabilities behind them (what a dose-dependent DLT onset law reads).
    pub dlt_probability: [Vec<f64>; 2],
    /// CRS-type DLT thresholds (on the DLT latent).
    pub crs: [Vec<u64>; 2],
    /// TEAE thresholds (on the DLT latent).
    pub teae: [Vec<u64>; 2],
    /// Response thresholds, when the truth has an efficacy endpoint: `[regimen][dlt][dose]`,
    /// P(response | no DLT) at index 0 of `dlt` and P(response | DLT) at 1.
    pub efficacy: Option<[[Vec<u64>; 2]; 2]>,
}

impl TruthThresholds {
    /// The thresholds of a truth with direct-dosing DLT probabilities `dlt`.
    pub fn new(dlt: &[f64], profile: &TruthProfile) -> TruthThresholds {
        let zeros = vec![0.0; dlt.len()];
        let crs = profile.crs.as_deref().unwrap_or(&zeros);
        let dlt_step_up = profile.dlt_step_up.as_deref().unwrap_or(dlt);
        let crs_step_up = profile.crs_step_up.as_deref().unwrap_or(crs);
        let teae = profile.teae.as_deref().unwrap_or(dlt);
        // Step-up removes (or adds) the same events from TEAEs as from DLTs.
        let teae_step_up: Vec<f64> = (0..dlt.len())
            .map(|d| (teae[d] - dlt[d] + dlt_step_up[d]).clamp(0.0, 1.0))
            .collect();
        let t = |p: &[f64]| p.iter().map(|&p| dlt_threshold(p)).collect::<Vec<u64>>();
        TruthThresholds {
            dlt: [t(dlt), t(dlt_step_up)],
            dlt_probability: [dlt.to_vec(), dlt_step_up.to_vec()],
            crs: [t(crs), t(crs_step_up)],
            teae: [t(teae), t(&teae_step_up)],
            efficacy: profile
                .efficacy
                .as_deref()
                .map(|e| [dlt, dlt_step_up].map(|p| response_thresholds(p, e, profile))),
        }
    }

    /// Whether a patient with response latent `v` and DLT outcome `dlt` at `dose` given with
    /// `regimen` (0 direct, 1 step-up) responds (never, without an efficacy endpoint).
    pub fn responds(&self, (regimen, dose): (usize, usize), dlt: bool, v: u64) -> bool {
        self.efficacy
            .as_ref()
            .is_some_and(|e| v < e[regimen][usize::from(dlt)][dose])
    }
    /// Direct dosing only, with no CRS-type DLTs, TEAEs beyond DLTs or response.
    #[cfg(test)]
    pub fn direct(dlt: &[f64]) -> TruthThresholds {
        TruthThresholds::new(dlt, &TruthProfile::default())
    }
}

/// The response thresholds given no DLT and given a DLT at DLT probabilities `dlt` and response
/// probabilities `response`: both the marginal's when DLT and response are independent.
fn response_thresholds(dlt: &[f64], response: &[f64], profile: &TruthProfile) -> [Vec<u64>; 2] {
    let t = |p: &[f64]| p.iter().map(|&p| dlt_threshold(p)).collect::<Vec<u64>>();
    if profile.association == Association::Independent {
        return [t(response), t(response)];
    }
    let joint: Vec<DoseTruth> = (dlt.iter().zip(response))
        .map(|(&dlt, &response)| DoseTruth {
            dlt,
            response,
            response_with_dlt: profile.association.joint(dlt, response),
        })
        .collect();
    [
        joint.iter().map(|j| dlt_threshold(j.response_given_no_dlt())).collect(),
        joint.iter().map(|j| dlt_threshold(j.response_given_dlt())).collect(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_up_thresholds_keep_events_nested() {
        let profile = TruthProfile {
            crs: Some(vec![0.0, 0.1, 0.2]),
            dlt_step_up: Some(vec![0.05, 0.15, 0.2]),
            crs_step_up: Some(vec![0.0, 0.05, 0.1]),
            teae: Some(vec![0.3, 0.4, 0.5]),
            efficacy: None,
            ..TruthProfile::default()
        };
        let t = TruthThresholds::new(&[0.05, 0.2, 0.3], &profile);
        for r in 0..2 {
            for d in 0..3 {
                assert!(t.crs[r][d] <= t.dlt[r][d] && t.dlt[r][d] <= t.teae[r][d], "{r} {d}");
            }
        }
        assert_eq!(t.teae[1][2], dlt_threshold(0.4));
    }

    /// The response thresholds given DLT and given no DLT keep P(response) at each dose and
    /// regimen; independent, both are P(response)'s.
    #[test]
    fn associated_response_keeps_its_marginal() {
        let efficacy = vec![0.2, 0.5, 0.7];
        let mut profile = TruthProfile {
            efficacy: Some(efficacy.clone()),
            dlt_step_up: Some(vec![0.05, 0.1, 0.2]),
            association: Association::OddsRatio(3.0),
            ..TruthProfile::default()
        };
        let dlt = [0.1, 0.3, 0.5];
        let t = TruthThresholds::new(&dlt, &profile);
        let e = t.efficacy.as_ref().unwrap();
        let scale = dlt_threshold(1.0) as f64;
        for (r, p) in [dlt.to_vec(), vec![0.05, 0.1, 0.2]].iter().enumerate() {
            for d in 0..3 {
                let (no, yes) = (e[r][0][d] as f64 / scale, e[r][1][d] as f64 / scale);
                assert!((p[d] * yes + (1.0 - p[d]) * no - efficacy[d]).abs() < 1e-12, "{r} {d}");
                assert!(yes > no, "ψ > 1: responders have DLTs more often");
            }
        }
        profile.association = Association::Independent;
        let t = TruthThresholds::new(&dlt, &profile);
        let e = t.efficacy.unwrap();
        assert_eq!(e[0][0], e[0][1]);
        assert_eq!(e[0][0][1], dlt_threshold(0.5));
    }
}
