//! A bound that settles a safety rule's question without integrating the posterior's tail.
//! `stop_when_too_toxic` asks whether P(p_dose > t) ≥ c. The DLT probability falls as β rises,
//! so P(p_dose > t) = P(β < β*) with β* where p_dose = t, and Cantelli's (one-sided Chebyshev)
//! inequality bounds it from the posterior mean μ and variance σ² of β alone: for d > 0,
//! P(β ≤ μ − d) ≤ σ²/(σ² + d²) and P(β ≥ μ + d) ≤ σ²/(σ² + d²). In most trial states β* lies
//! far in a tail and the bound answers; otherwise the tail is integrated ([`Crm::prob_exceeds`]).

use super::{Crm, CrmPosterior};
use crate::designs::Dose;

/// How clearly the bound must answer: the posterior's variance is inflated, its distance to β*
/// shortened and the certainty moved by this much, far more than the error of the integrated
/// moments (about 10⁻⁵), so no integration error could turn an answer the bound gives.
const SLACK: f64 = 1e-3;

impl Crm {
    /// Whether P(p_dose > `threshold`) ≥ `certainty` under `posterior`, when Cantelli's bound
    /// settles it (see the module's documentation); `None` when it does not.
    pub(super) fn exceeds_by_bound(
        &self,
        posterior: &CrmPosterior,
        dose: Dose,
        threshold: f64,
        certainty: f64,
    ) -> Option<bool> {
        if !(threshold > 0.0 && threshold < 1.0) {
            return None;
        }
        let cut = (self.config.model).beta_where_prob_equals(self.scaled[dose.index()], threshold)?;
        let variance = posterior.variance * (1.0 + SLACK) + SLACK * SLACK;
        let distance = (posterior.mean - cut).abs() - SLACK * (1.0 + variance.sqrt());
        if distance <= 0.0 {
            return None;
        }
        // The posterior's mass beyond `distance` on the side of β* away from the mean.
        let tail = variance / (variance + distance * distance);
        if posterior.mean > cut && tail < certainty - SLACK {
            Some(false)
        } else if posterior.mean < cut && 1.0 - tail >= certainty + SLACK {
            Some(true)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::crm::{CrmConfig, CrmData, CrmEstimate, CrmModel, HermiteRule, HERMITE_NODES};
    use crate::designs::TrialData;

    /// Wherever the bound answers, it agrees with the integrated probability, on the grid and
    /// by quadrature, over many data sets, doses, thresholds and certainties; and it does answer
    /// most of them.
    #[test]
    fn bound_agrees_with_the_integrated_probability() {
        let rule = HermiteRule::new(HERMITE_NODES);
        let (mut answered, mut asked) = (0, 0);
        for model in [CrmModel::Empiric, CrmModel::LOGISTIC] {
            let crm = Crm::new(CrmConfig {
                target: 0.25,
                skeleton: vec![0.05, 0.12, 0.25, 0.40, 0.55, 0.70],
                model,
                prior_variance: 1.34,
                estimate: CrmEstimate::PlugIn,
                restrict: false,
                select_untried: true,
            });
            for seed in 0..300u32 {
                let mut data = TrialData::new(6);
                // A deterministic spread of histories: 1–4 doses with 1–9 patients each.
                let mut x = seed.wrapping_mul(2_654_435_761);
                for d in 0..(1 + seed as u16 % 4) {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    let n = 1 + (x >> 16) % 9;
                    let y = (x >> 8) % (n + 1) / (1 + seed % 3);
                    data.add_patients(Dose(d), n as u16, y as u16);
                }
                for posterior in [crm.posterior(&data), crm.posterior_by_quadrature(&rule, &data)] {
                    for dose in 0..6 {
                        for threshold in [0.1, 0.25, 0.33, 0.5] {
                            for certainty in [0.5, 0.8, 0.9, 0.95] {
                                asked += 1;
                                let Some(bound) = crm.exceeds_by_bound(&posterior, Dose(dose), threshold, certainty)
                                else {
                                    continue;
                                };
                                answered += 1;
                                let p = crm.prob_exceeds(&posterior, CrmData::Counts(&data), Dose(dose), threshold);
                                assert_eq!(
                                    bound,
                                    p >= certainty,
                                    "{model:?} {data:?} dose {dose} t {threshold}: p {p}"
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(answered * 2 > asked, "the bound answers {answered} of {asked}");
    }
}
