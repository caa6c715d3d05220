//! TITE-BOIN (Lin & Yuan 2020, Biostatistics 21:807–824), the effective-sample-size version:
//! BOIN's boundaries applied to a DLT rate whose denominator counts pending patients by their
//! standardised follow-up. Its keys are BOIN's.

use super::{tite_fit, FollowUp};
use crate::designs::interval::boin::{self, BOIN};
use crate::designs::interval::{params as interval_params, IntervalConfig, IntervalDesign, IntervalFit};
use crate::designs::registry::{Capabilities, ConfiguredDesign, DesignKind, SimpleKind, Wrappers};
use crate::designs::titration::OverriddenFit;
use crate::designs::{Decision, Design, Dose, DoseFinder, Fit, StopReason, TrialData};

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

impl ConfiguredDesign for TiteBoinConfig {
    fn kind(&self) -> &'static dyn DesignKind {
        &TITE_BOIN
    }

    fn settings(&self) -> String {
        interval_params::settings(&self.0)
    }

    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        let boin = IntervalDesign::new(self.0.clone(), wrappers.limits.max_patients);
        wrappers.wrap(TiteBoin::new(boin))
    }
}

/// TITE-BOIN (Lin & Yuan 2020), effective-sample-size version: at the current dose (the last
/// patient's), with y DLTs observed among n patients of whom m are pending, suspend accrual if
/// m > n/2; otherwise compare p̂ = y / ñ with BOIN's λe and λd, where ñ = (n − m) + Σ pending
/// follow-up fractions. Elimination is BOIN's on complete data; the MTD is selected as BOIN's on
/// complete data. Without follow-up it is BOIN.
pub struct TiteBoin {
    boin: IntervalDesign,
    /// BOIN's escalation and de-escalation boundaries λe, λd.
    lambdas: (f64, f64),
}

impl TiteBoin {
    /// `boin` must use BOIN's rule (its λe, λd, elimination and selection are used).
    pub fn new(boin: IntervalDesign) -> TiteBoin {
        assert!(
            std::ptr::eq(boin.config().rule.family(), &BOIN),
            "TITE-BOIN is built on BOIN"
        );
        let config = boin.config();
        let (phi1, phi2) = config.rule.parameters();
        let lambdas = (boin::lambda_e(config.target, phi1), boin::lambda_d(config.target, phi2));
        TiteBoin { boin, lambdas }
    }

    /// The time-to-event decision, with BOIN's fit of the complete patients for elimination.
    fn next(&self, complete: &IntervalFit, view: &FollowUp, num_doses: usize) -> Decision {
        let current = view.records.last().expect("a patient has been treated").dose;
        let at = |d: Dose| view.records.iter().filter(move |p| p.dose == d);
        let n = at(current).count() as f64;
        let y = at(current).filter(|p| view.dlt_observed(p)).count() as f64;
        let pending = || at(current).filter(|p| !view.complete(p));
        let waiting = pending().count() as f64;
        if waiting > n / 2.0 {
            return Decision::Wait;
        }
        let eliminated = |d: Dose| !complete.admissible(d);
        if eliminated(Dose(0)) {
            return Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic,
            };
        }
        let effective = (n - waiting) + pending().map(|p| view.fraction(p)).sum::<f64>();
        let rate = if effective > 0.0 { y / effective } else { 0.0 };
        let (lambda_e, lambda_d) = self.lambdas;
        let top = Dose((num_doses - 1) as u16);
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
        Decision::Treat(next)
    }
}

impl Design for TiteBoin {
    type Fit<'a> = OverriddenFit<IntervalFit<'a>>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> Self::Fit<'a> {
        let rule = "TITE-BOIN (Yuan et al. 2018): wait while more than half the current dose's \
                    patients are pending; otherwise the observed DLTs over the effective sample size \
                    (pending patients counted by their follow-up fraction) against BOIN's λe and λd";
        let next = |complete: &IntervalFit, view: &FollowUp| self.next(complete, view, data.num_doses());
        tite_fit(self.boin.fit(data), data, (rule, next))
    }

    fn decides_on_pending(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{data_at, patient};
    use super::super::PatientRecord;
    use super::*;
    use crate::designs::interval::IntervalRule;

    fn tite_boin() -> TiteBoin {
        let config = IntervalConfig::new(0.3, IntervalRule::boin(0.3));
        TiteBoin::new(IntervalDesign::new(config, 30))
    }

    /// Hand-worked TITE-BOIN decisions (φ = 0.3: λe = 0.2365, λd = 0.3585), window 1 month.
    #[test]
    fn tite_boin_hand_worked_cases() {
        let design = tite_boin();
        let view = |patients: &[PatientRecord], now: f64| design.fit(&data_at(patients, now, 5)).decision();
        // Three complete without DLT at dose 1: p̂ = 0 ≤ λe, escalate.
        let done = [patient(0, 0.0, None), patient(0, 0.1, None), patient(0, 0.2, None)];
        assert_eq!(view(&done, 1.5), Decision::Treat(Dose(1)));
        // Two of three pending (> half): suspend accrual.
        let pending = [patient(0, 0.0, None), patient(0, 1.0, None), patient(0, 1.1, None)];
        assert_eq!(view(&pending, 1.5), Decision::Wait);
        // One DLT, one complete, one pending at half its window: ñ = 2 + 0.5, p̂ = 0.4 ≥ λd, but
        // dose 1 is the lowest: stay.
        let mixed = [patient(0, 0.0, Some(0.3)), patient(0, 0.1, None), patient(0, 1.0, None)];
        assert_eq!(view(&mixed, 1.5), Decision::Treat(Dose(0)));
        // The same at dose 2: de-escalate.
        let mixed2 = [
            patient(0, -3.0, None),
            patient(0, -3.0, None),
            patient(0, -3.0, None),
            patient(1, 0.0, Some(0.3)),
            patient(1, 0.1, None),
            patient(1, 1.0, None),
        ];
        assert_eq!(view(&mixed2, 1.5), Decision::Treat(Dose(0)));
        // Four complete without DLT and one pending early: ñ = 4 + 0.1, p̂ = 0: escalate.
        let mostly = [
            patient(0, -2.0, None),
            patient(0, -2.0, None),
            patient(0, -2.0, None),
            patient(0, -2.0, None),
            patient(0, 1.4, None),
        ];
        assert_eq!(view(&mostly, 1.5), Decision::Treat(Dose(1)));
        // Three DLTs in three complete at dose 1: eliminated, stop.
        let toxic = [
            patient(0, 0.0, Some(0.2)),
            patient(0, 0.0, Some(0.5)),
            patient(0, 0.0, Some(0.9)),
        ];
        assert_eq!(
            view(&toxic, 1.5),
            Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic
            }
        );
    }

    /// Without follow-up TITE-BOIN is BOIN; a suspension of accrual passes every rule and the
    /// sample-size limit.
    #[test]
    fn boin_without_follow_up_and_wait_stands() {
        use crate::designs::rules::StopAtN;
        use crate::designs::{DoseFinder, TrialLimits, WithRules};
        let boin = IntervalDesign::new(IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 30);
        let mut data = TrialData::new(5);
        data.add_cohort(Dose(0), 3, 0);
        data.add_cohort(Dose(1), 3, 2);
        assert_eq!(tite_boin().fit(&data).decision(), boin.fit(&data).decision());
        let limits = TrialLimits {
            num_doses: 5,
            cohort_size: 3,
            max_patients: 3,
            start_dose: Dose(0),
        };
        let finder = WithRules::new("TITE-BOIN", tite_boin(), vec![Box::new(StopAtN { n: 1 })], limits);
        let pending = [patient(0, 0.0, None), patient(0, 1.0, None), patient(0, 1.1, None)];
        assert_eq!(finder.decide(&data_at(&pending, 1.5, 5)), Decision::Wait);
        assert!(finder.decides_on_pending());
    }
}
