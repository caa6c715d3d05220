//! Exact operating characteristics, with no Monte Carlo error: every reachable trial state is
//! walked with its binomial probability, identical states merged (the approach of the R package
//! `escalation`'s `get_dose_paths` + `calculate_probabilities`).
//!
//! This works because every decision here is a function of [`TrialData::state`] (patients and
//! DLTs per dose plus the latest cohort): two paths that reach the same state have the same
//! future. Cohorts have a fixed size (the last one is cut to the sample-size limit).

use super::cache::SharedDecisions;
use crate::core::NO_WAIT_WITHOUT_FOLLOW_UP;
use crate::designs::{Decision, DoseFinder, TrialData};
use crate::results::oc::OcProbabilities;
use rustc_hash::FxHashMap;

/// Why exact enumeration did not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("more than {limit} reachable trial states; exact operating characteristics are out of reach")]
pub struct TooManyStates {
    /// The cap on distinct states.
    pub limit: usize,
}

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

/// Exact operating characteristics of `finder` under true DLT probabilities `dlt`. Decisions are
/// taken from (and added to) `decisions` when given: they do not depend on the truth, so calls for
/// the same design under several truths can share them.
pub fn exact_oc(
    finder: &dyn DoseFinder,
    dlt: &[f64],
    max_states: usize,
    decisions: Option<&SharedDecisions>,
) -> Result<ExactOc, TooManyStates> {
    let mut cache = decisions.map(SharedDecisions::cache);
    let limits = *finder.limits();
    let num_doses = dlt.len();
    let max = limits.max_patients as usize;
    let pmf: Vec<Vec<Vec<f64>>> = dlt
        .iter()
        .map(|&p| (0..=limits.cohort_size).map(|size| binomial_pmf(size, p)).collect())
        .collect();
    let mut oc = OcProbabilities {
        selected: vec![0.0; num_doses],
        selected_none: 0.0,
        patients: vec![0.0; num_doses],
        dlts: vec![0.0; num_doses],
        stops: [0.0; 4],
        sample_size: vec![0.0; max + 1],
    };
    // layers[n]: the states with n patients treated, and their probabilities.
    let mut layers: Vec<FxHashMap<Box<[u16]>, f64>> = vec![FxHashMap::default(); max + 1];
    let empty = TrialData::new(num_doses);
    layers[0].insert(empty.state().into(), 1.0);
    let mut states = 0;
    for n in 0..=max {
        let layer = std::mem::take(&mut layers[n]);
        states += layer.len();
        if states > max_states {
            return Err(TooManyStates { limit: max_states });
        }
        for (key, probability) in layer {
            let mut data = TrialData::from_state(num_doses, &key);
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
                    }
                    oc.sample_size[n] += probability;
                    continue;
                }
            };
            let size = finder.next_cohort_size(&data);
            for (dlts, &p) in pmf[dose.index()][size as usize].iter().enumerate() {
                if p == 0.0 {
                    continue;
                }
                let before = data.clone();
                data.add_cohort(dose, size, dlts as u16);
                *layers[n + size as usize].entry(data.state().into()).or_insert(0.0) += probability * p;
                data = before;
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
