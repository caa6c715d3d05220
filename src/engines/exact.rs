//! Exact operating characteristics, with no Monte Carlo error: every reachable trial state is
//! walked with its binomial probability, identical states merged (the approach of the R package
//! `escalation`'s `get_dose_paths` + `calculate_probabilities`).
//!
//! This works because every decision here is a function of [`TrialData::state`] (patients and
//! DLTs per dose plus the latest cohort): two paths that reach the same state have the same
//! future. Cohorts have a fixed size (the last one is cut to the sample-size limit).
//!
//! For a design that decides on responses as well ([`exact_joint_oc`]) a state also counts
//! responses and responses with a DLT per dose, and a cohort's outcome is multinomial over the
//! four cells DLT × response, with the truth's joint probabilities at the dose.

use super::cache::SharedDecisions;
use crate::core::{DoseTruth, EfficacyCounts, StopReason, NO_WAIT_WITHOUT_FOLLOW_UP};
use crate::designs::{Decision, DoseFinder, TrialData};
use crate::results::oc::OcProbabilities;
use rustc_hash::FxHashMap;

/// Why exact enumeration did not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExactError {
    /// More states than the scenario's `max_exact_states`.
    #[error("more than {limit} reachable trial states; exact operating characteristics are out of reach")]
    TooManyStates {
        /// The cap on distinct states.
        limit: usize,
    },
    /// Cancellation was requested ([`super::cancel`]); checked every [`CANCEL_CHECK`] states.
    #[error("interrupted before the enumeration finished")]
    Interrupted,
}

/// States enumerated between two checks for cancellation.
const CANCEL_CHECK: usize = 1024;

/// The result of an exact enumeration.
#[derive(Clone, Debug, PartialEq)]
pub struct ExactOc {
    /// The operating characteristics.
    pub oc: OcProbabilities,
    /// Distinct trial states visited (including the empty start).
    pub states: usize,
}

/// P(X = k) for X ~ Binomial(n, p), for every k, by the direct product C(n, k)·p^k·(1 − p)^(n−k):
/// exact to the last bit for a cohort's few patients, where
/// [`core::stats::binomial_pmf`](crate::core::stats::binomial_pmf) works in logarithms for the
/// large n of phase 2 (and differs in the last bits). Exact OCs, recorded to the byte, use this.
fn binomial_pmf(n: u16, p: f64) -> Vec<f64> {
    let mut pmf = Vec::with_capacity(n as usize + 1);
    let mut choose = 1.0;
    for k in 0..=n {
        if k > 0 {
            choose *= f64::from(n - k + 1) / f64::from(k);
        }
        pmf.push(choose * p.powi(i32::from(k)) * (1.0 - p).powi(i32::from(n - k)));
    }
    pmf
}

/// Per dose and cohort size, a cohort's outcomes with their probabilities.
type CohortLaws = Vec<Vec<Vec<(EfficacyCounts, f64)>>>;

/// The outcomes of a cohort of `n` over the four cells DLT × response and their multinomial
/// probabilities, by the direct product n!/(n₁₁! n₁₀! n₀₁! n₀₀!)·Π p^k (the four-cell analogue of
/// [`binomial_pmf`]); outcomes of probability 0 are left out.
fn joint_pmf(n: u16, truth: &DoseTruth) -> Vec<(EfficacyCounts, f64)> {
    let p11 = truth.response_with_dlt;
    let p10 = (truth.dlt - p11).max(0.0);
    let p01 = (truth.response - p11).max(0.0);
    let p00 = (1.0 - truth.dlt - truth.response + p11).max(0.0);
    let factorial = |k: u16| (1..=k).map(f64::from).product::<f64>();
    let mut pmf = Vec::new();
    for both in 0..=n {
        for dlt_only in 0..=n - both {
            for response_only in 0..=n - both - dlt_only {
                let neither = n - both - dlt_only - response_only;
                let p = factorial(n)
                    / (factorial(both) * factorial(dlt_only) * factorial(response_only) * factorial(neither))
                    * p11.powi(i32::from(both))
                    * p10.powi(i32::from(dlt_only))
                    * p01.powi(i32::from(response_only))
                    * p00.powi(i32::from(neither));
                if p > 0.0 {
                    let outcome = EfficacyCounts {
                        patients: u32::from(n),
                        dlts: u32::from(both + dlt_only),
                        responses: u32::from(both + response_only),
                        responses_with_dlt: u32::from(both),
                    };
                    pmf.push((outcome, p));
                }
            }
        }
    }
    pmf
}

/// Exact operating characteristics of `finder` under true DLT probabilities `dlt`. Decisions are
/// taken from (and added to) `decisions` when given: they do not depend on the truth, so calls for
/// the same design under several truths can share them.
pub fn exact_oc(
    finder: &dyn DoseFinder,
    dlt: &[f64],
    max_states: usize,
    decisions: Option<&SharedDecisions>,
) -> Result<ExactOc, ExactError> {
    let size = finder.limits().cohort_size;
    let pmf: CohortLaws = dlt
        .iter()
        .map(|&p| {
            let cohort = |n: u16| {
                let outcome = |(k, &q): (usize, &f64)| {
                    (
                        EfficacyCounts {
                            patients: u32::from(n),
                            dlts: k as u32,
                            ..EfficacyCounts::default()
                        },
                        q,
                    )
                };
                binomial_pmf(n, p).iter().enumerate().map(outcome).collect()
            };
            (0..=size).map(cohort).collect()
        })
        .collect();
    enumerate(finder, TrialData::new(dlt.len()), &pmf, max_states, decisions)
}

/// Exact operating characteristics of `finder`, a design that decides on responses, under a
/// truth given by each dose's joint law of DLT and response: states count responses too, and
/// cohorts' outcomes are multinomial over DLT × response. Decisions are shared as in
/// [`exact_oc`].
pub fn exact_joint_oc(
    finder: &dyn DoseFinder,
    truth: &[DoseTruth],
    max_states: usize,
    decisions: Option<&SharedDecisions>,
) -> Result<ExactOc, ExactError> {
    let size = finder.limits().cohort_size;
    let pmf: CohortLaws = truth
        .iter()
        .map(|t| (0..=size).map(|n| joint_pmf(n, t)).collect())
        .collect();
    let mut exact = enumerate(
        finder,
        TrialData::with_efficacy(truth.len()),
        &pmf,
        max_states,
        decisions,
    )?;
    exact.oc.responses.get_or_insert_with(|| vec![0.0; truth.len()]);
    Ok(exact)
}

/// Walks every reachable state from `empty` with its probability: `pmf[dose][size]` lists a
/// cohort's outcomes at the dose with their probabilities (outcomes whose DLTs alone matter
/// in toxicity-only data).
fn enumerate(
    finder: &dyn DoseFinder,
    empty: TrialData,
    pmf: &CohortLaws,
    max_states: usize,
    decisions: Option<&SharedDecisions>,
) -> Result<ExactOc, ExactError> {
    let mut cache = decisions.map(SharedDecisions::cache);
    let limits = *finder.limits();
    let num_doses = pmf.len();
    let max = limits.max_patients as usize;
    let efficacy = empty.has_efficacy();
    let mut oc = OcProbabilities {
        selected: vec![0.0; num_doses],
        selected_none: 0.0,
        patients: vec![0.0; num_doses],
        dlts: vec![0.0; num_doses],
        stops: [0.0; StopReason::ALL.len()],
        sample_size: vec![0.0; max + 1],
        responses: efficacy.then(|| vec![0.0; num_doses]),
        moments: None,
    };
    // layers[n]: the states with n patients treated, and their probabilities.
    let mut layers: Vec<FxHashMap<Box<[u16]>, f64>> = vec![FxHashMap::default(); max + 1];
    layers[0].insert(empty.state().into(), 1.0);
    let mut states = 0;
    // The state being decided and each of its successors, in buffers reused from state to state.
    let (mut data, mut next) = (empty.clone(), empty);
    for n in 0..=max {
        let layer = std::mem::take(&mut layers[n]);
        states += layer.len();
        if states > max_states {
            return Err(ExactError::TooManyStates { limit: max_states });
        }
        for (i, (key, probability)) in layer.into_iter().enumerate() {
            if i % CANCEL_CHECK == 0 && super::cancel::requested() {
                return Err(ExactError::Interrupted);
            }
            data.set_state(&key);
            let decision = match (n, cache.as_mut()) {
                (0, _) => Decision::Treat(limits.start_dose),
                (_, Some(cache)) => cache.decide(finder, &data),
                (_, None) => finder.decide(&data),
            };
            let dose = match decision {
                Decision::Treat(dose) => dose,
                Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
                Decision::Stop { selected, reason } => {
                    match selected {
                        Some(d) => oc.selected[d.index()] += probability,
                        None => oc.selected_none += probability,
                    }
                    oc.stops[reason.index()] += probability;
                    for d in data.doses() {
                        oc.patients[d.index()] += probability * f64::from(data.patients(d));
                        oc.dlts[d.index()] += probability * f64::from(data.dlts(d));
                        if let (Some(mean), Some(r)) = (oc.responses.as_mut(), data.responses(d)) {
                            mean[d.index()] += probability * f64::from(r);
                        }
                    }
                    oc.sample_size[n] += probability;
                    continue;
                }
            };
            let size = finder.next_cohort_size(&data);
            for &(outcome, p) in &pmf[dose.index()][size as usize] {
                if p == 0.0 {
                    continue;
                }
                next.set_state(data.state());
                match efficacy {
                    true => next.add_cohort_outcomes(dose, outcome),
                    false => next.add_cohort(dose, size, outcome.dlts as u16),
                }
                *layers[n + size as usize].entry(next.state().into()).or_insert(0.0) += probability * p;
            }
        }
    }
    Ok(ExactOc { oc, states })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_pmf_sums_to_one() {
        let pmf = binomial_pmf(3, 0.3);
        assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert!((pmf[1] - 3.0 * 0.3 * 0.49).abs() < 1e-15);
        assert_eq!(binomial_pmf(2, 0.0), vec![1.0, 0.0, 0.0]);
    }
}
