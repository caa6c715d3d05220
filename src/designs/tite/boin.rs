//! TITE-BOIN (Lin & Yuan 2020, Biostatistics 21:807–824), the effective-sample-size version:
//! BOIN's boundaries applied to a DLT rate whose denominator counts pending patients by their
//! standardised follow-up. Its keys are BOIN's.

use super::{FollowUp, PatientRecord, TimedDecision, TimedDesign, TimedWithRules};
use crate::core::stats::beta_uniform_posterior_exceeds;
use crate::designs::interval::boin::{self, BOIN};
use crate::designs::interval::{params as interval_params, IntervalConfig, IntervalDesign};
use crate::designs::registry::{Capabilities, ConfiguredDesign, DesignKind, SimpleKind, Wrappers};
use crate::designs::{Design, Dose, DoseFinder, Fit, StopReason, TrialLimits};

/// TITE-BOIN as a scenario names it: `rule = "tite-boin"` (calendar time only).
pub static TITE_BOIN: SimpleKind = SimpleKind {
    rule: "tite-boin",
    citation: "Lin & Yuan (2020), Biostatistics 21:807",
    capabilities: Capabilities {
        exact: false,
        decision_cache: false,
        posterior: true,
        time_to_event: true,
        backfill: false,
        efficacy: false,
    },
    parse: |params, trial| {
        Ok(Box::new(TiteBoinConfig(interval_params::parse_config(
            &BOIN, params, trial,
        )?)))
    },
};

/// TITE-BOIN's settings: BOIN's.
#[derive(Clone, Debug, PartialEq)]
pub struct TiteBoinConfig(pub IntervalConfig);

impl TiteBoinConfig {
    fn boin(&self, limits: &TrialLimits) -> IntervalDesign {
        IntervalDesign::new(self.0.clone(), limits.max_patients)
    }
}

impl ConfiguredDesign for TiteBoinConfig {
    fn kind(&self) -> &'static dyn DesignKind {
        &TITE_BOIN
    }

    fn settings(&self) -> String {
        interval_params::settings(&self.0)
    }

    /// Outside calendar time the design sees complete data only: its BOIN.
    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        let boin = self.boin(&wrappers.limits);
        wrappers.wrap(boin)
    }

    fn build_time_to_event(&self, wrappers: Wrappers) -> Option<Box<dyn TimedDesign>> {
        let tite = TiteBoin::new(wrappers.name, self.boin(&wrappers.limits), wrappers.limits);
        let base = self.boin(&wrappers.limits);
        Some(Box::new(TimedWithRules::new(tite, base, wrappers.rules)))
    }
}

/// TITE-BOIN (Lin & Yuan 2020), effective-sample-size version: at the current dose, with y DLTs
/// observed among n patients of whom m are pending, suspend accrual if m > n/2; otherwise compare
/// p̂ = y / ñ with BOIN's λe and λd, where ñ = (n − m) + Σ pending follow-up fractions.
/// Elimination uses complete data only (n ≥ 3 complete, P(p > φ) > cutoff); the MTD is selected
/// as BOIN's on complete data.
pub struct TiteBoin {
    name: String,
    boin: IntervalDesign,
    limits: TrialLimits,
}

impl TiteBoin {
    /// `boin` must use BOIN's rule (its λe, λd, cutoff and selection are used).
    pub fn new(name: impl Into<String>, boin: IntervalDesign, limits: TrialLimits) -> TiteBoin {
        assert!(
            std::ptr::eq(boin.config().rule.family(), &BOIN),
            "TITE-BOIN is built on BOIN"
        );
        TiteBoin {
            name: name.into(),
            boin,
            limits,
        }
    }
}

impl TimedDesign for TiteBoin {
    fn name(&self) -> &str {
        &self.name
    }

    fn limits(&self) -> &TrialLimits {
        &self.limits
    }

    fn next(&self, view: &FollowUp) -> TimedDecision {
        let config = self.boin.config();
        let current = view.patients.last().map_or(self.limits.start_dose, |p| p.dose);
        let at = |d: Dose| view.patients.iter().filter(move |p| p.dose == d);
        let n = at(current).count() as f64;
        let y = at(current).filter(|p| view.dlt_observed(p)).count() as f64;
        let pending: Vec<&PatientRecord> = at(current).filter(|p| !view.complete(p)).collect();
        if pending.len() as f64 > n / 2.0 {
            return TimedDecision::Wait;
        }
        // Elimination on complete data, as BOIN checks it.
        let complete = view.complete_counts();
        let eliminated = |d: Dose| {
            view.patients.iter().any(|p| p.dose <= d) && {
                (0..=d.0).map(Dose).any(|e| {
                    let (nc, yc) = (complete.patients(e), complete.dlts(e));
                    nc >= 3 && beta_uniform_posterior_exceeds(config.target, nc, yc) > config.cutoff_eliminate
                })
            }
        };
        if eliminated(Dose(0)) {
            return TimedDecision::Stop {
                selected: None,
                reason: StopReason::TooToxic,
            };
        }
        let effective = (n - pending.len() as f64) + pending.iter().map(|p| view.fraction(p)).sum::<f64>();
        let rate = if effective > 0.0 { y / effective } else { 0.0 };
        let (phi1, phi2) = config.rule.parameters();
        let (lambda_e, lambda_d) = (boin::lambda_e(config.target, phi1), boin::lambda_d(config.target, phi2));
        let top = Dose((view.num_doses - 1) as u16);
        let next = if rate <= lambda_e && current < top {
            let up = Dose(current.0 + 1);
            if eliminated(up) {
                current
            } else {
                up
            }
        } else if current > Dose(0) && (rate >= lambda_d || eliminated(current)) {
            Dose(current.0 - 1)
        } else {
            current
        };
        TimedDecision::Treat(next)
    }

    fn select(&self, view: &FollowUp) -> Option<Dose> {
        let data = view.complete_counts();
        self.boin.fit(&data).selected_dose()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{limits, patient};
    use super::*;
    use crate::designs::interval::IntervalRule;

    fn tite_boin() -> TiteBoin {
        let config = IntervalConfig::new(0.3, IntervalRule::boin(0.3));
        TiteBoin::new("TITE-BOIN", IntervalDesign::new(config, 30), limits(5))
    }

    /// Hand-worked TITE-BOIN decisions (φ = 0.3: λe = 0.2365, λd = 0.3585), window 1 month.
    #[test]
    fn tite_boin_hand_worked_cases() {
        let design = tite_boin();
        let view = |patients: &[PatientRecord], now: f64| {
            let patients = patients.to_vec();
            design.next(&FollowUp {
                patients: &patients,
                now,
                window: 1.0,
                num_doses: 5,
            })
        };
        // Three complete without DLT at dose 1: p̂ = 0 ≤ λe, escalate.
        let done = [patient(0, 0.0, None), patient(0, 0.1, None), patient(0, 0.2, None)];
        assert_eq!(view(&done, 1.5), TimedDecision::Treat(Dose(1)));
        // Two of three pending (> half): suspend accrual.
        let pending = [patient(0, 0.0, None), patient(0, 1.0, None), patient(0, 1.1, None)];
        assert_eq!(view(&pending, 1.5), TimedDecision::Wait);
        // One DLT, one complete, one pending at half its window: ñ = 2 + 0.5, p̂ = 0.4 ≥ λd, but
        // dose 1 is the lowest: stay.
        let mixed = [patient(0, 0.0, Some(0.3)), patient(0, 0.1, None), patient(0, 1.0, None)];
        assert_eq!(view(&mixed, 1.5), TimedDecision::Treat(Dose(0)));
        // The same at dose 2: de-escalate.
        let mixed2 = [
            patient(0, -3.0, None),
            patient(0, -3.0, None),
            patient(0, -3.0, None),
            patient(1, 0.0, Some(0.3)),
            patient(1, 0.1, None),
            patient(1, 1.0, None),
        ];
        assert_eq!(view(&mixed2, 1.5), TimedDecision::Treat(Dose(0)));
        // Four complete without DLT and one pending early: ñ = 4 + 0.1, p̂ = 0: escalate.
        let mostly = [
            patient(0, -2.0, None),
            patient(0, -2.0, None),
            patient(0, -2.0, None),
            patient(0, -2.0, None),
            patient(0, 1.4, None),
        ];
        assert_eq!(view(&mostly, 1.5), TimedDecision::Treat(Dose(1)));
        // Three DLTs in three complete at dose 1: eliminated, stop.
        let toxic = [
            patient(0, 0.0, Some(0.2)),
            patient(0, 0.0, Some(0.5)),
            patient(0, 0.0, Some(0.9)),
        ];
        assert_eq!(
            view(&toxic, 1.5),
            TimedDecision::Stop {
                selected: None,
                reason: StopReason::TooToxic
            }
        );
    }
}
