//! TITE-BOIN (Lin & Yuan 2020, Biostatistics 21:807–824; Yuan et al. 2018, Clin Cancer Res
//! 24:4921), the effective-sample-size version: BOIN's boundaries applied to a DLT rate whose
//! denominator counts pending patients by their standardised follow-up. Its keys are BOIN's and
//! `variant`: `"titegboin"` (the default) decides as the authors' R package TITEgBOIN 0.4.0
//! (`get_oc_TITE_QuasiBOIN`, `next_TITE_QuasiBOIN`, `select_mtd_TITE_QuasiBOIN`) does,
//! `"completed"` is trialsim's earlier reading of the paper (elimination from complete patients).

use super::{tite_fit, FollowUp};
use crate::core::limits::MAX_DOSES;
use crate::core::params::{ParamError, Params};
use crate::designs::interval::boin::{self, BOIN};
use crate::designs::interval::{params as interval_params, IntervalConfig, IntervalDesign, IntervalFit};
use crate::designs::registry::{Capabilities, ConfiguredDesign, DesignKind, SimpleKind, TrialContext, Wrappers};
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
    parse,
};

/// Which reading of TITE-BOIN a design follows (its `variant` key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TiteBoinVariant {
    /// As TITEgBOIN 0.4.0 ships it: elimination counts every treated patient, pending ones as
    /// DLT-free; the current dose, once eliminated, gives way to the dose below the lowest
    /// eliminated one; at the lowest dose a DLT rate at or above λd with patients pending
    /// suspends accrual; `n_earlystop` counts pending patients; the MTD is chosen by BOIN's
    /// isotonic rule under a Beta(0.005, 0.005) prior.
    Titegboin,
    /// trialsim's earlier reading of the paper: elimination, the de-escalation from an
    /// eliminated dose (one level) and the MTD (Beta(0.05, 0.05) prior, BOIN 2.7) from complete
    /// patients only.
    Completed,
}

impl TiteBoinVariant {
    /// The name a scenario gives it.
    pub fn name(self) -> &'static str {
        match self {
            TiteBoinVariant::Titegboin => "titegboin",
            TiteBoinVariant::Completed => "completed",
        }
    }

    /// The Beta(a, a) prior of the MTD selection's estimates.
    fn selection_prior(self) -> f64 {
        match self {
            TiteBoinVariant::Titegboin => 0.005,
            TiteBoinVariant::Completed => 0.05,
        }
    }
}

/// `variant = "titegboin" | "completed"` (default titegboin), then BOIN's keys.
fn parse(params: &mut Params, trial: &TrialContext) -> Result<Box<dyn ConfiguredDesign>, ParamError> {
    let variant = match params.take_value("variant") {
        None => TiteBoinVariant::Titegboin,
        Some(toml::Value::String(v)) if v == "titegboin" => TiteBoinVariant::Titegboin,
        Some(toml::Value::String(v)) if v == "completed" => TiteBoinVariant::Completed,
        Some(other) => {
            return Err(params.error(
                "variant",
                format!("must be \"titegboin\" or \"completed\", got {other}"),
            ))
        }
    };
    Ok(Box::new(TiteBoinConfig {
        boin: interval_params::parse_config(&BOIN, params, trial)?,
        variant,
    }))
}

/// TITE-BOIN's settings: BOIN's and the variant.
#[derive(Clone, Debug, PartialEq)]
pub struct TiteBoinConfig {
    /// BOIN's settings.
    pub boin: IntervalConfig,
    /// Which reading of TITE-BOIN.
    pub variant: TiteBoinVariant,
}

impl ConfiguredDesign for TiteBoinConfig {
    fn kind(&self) -> &'static dyn DesignKind {
        &TITE_BOIN
    }

    fn settings(&self) -> String {
        format!(
            "variant = {}, {}",
            self.variant.name(),
            interval_params::settings(&self.boin)
        )
    }

    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        let boin = IntervalDesign::new(self.boin.clone(), wrappers.limits.max_patients);
        wrappers.wrap(TiteBoin::with_variant(boin, self.variant))
    }
}

/// TITE-BOIN (Lin & Yuan 2020), effective-sample-size version: at the current dose (the last
/// patient's), with y DLTs observed among n patients of whom m are pending, suspend accrual if
/// m > n/2; otherwise compare p̂ = y / ñ with BOIN's λe and λd, where ñ = (n − m) + Σ pending
/// follow-up fractions (TITEgBOIN's uniform prior on the DLT time makes its imputed follow-up
/// exactly this). Elimination and the MTD follow the [`TiteBoinVariant`]. Without follow-up it
/// is BOIN.
pub struct TiteBoin {
    boin: IntervalDesign,
    /// BOIN's escalation and de-escalation boundaries λe, λd.
    lambdas: (f64, f64),
    variant: TiteBoinVariant,
}

impl TiteBoin {
    /// TITE-BOIN as TITEgBOIN ships it; `boin` must use BOIN's rule (its λe, λd, elimination
    /// and selection are used).
    pub fn new(boin: IntervalDesign) -> TiteBoin {
        TiteBoin::with_variant(boin, TiteBoinVariant::Titegboin)
    }

    /// [`TiteBoin::new`], reading TITE-BOIN as `variant` says.
    pub fn with_variant(boin: IntervalDesign, variant: TiteBoinVariant) -> TiteBoin {
        assert!(
            std::ptr::eq(boin.config().rule.family(), &BOIN),
            "TITE-BOIN is built on BOIN"
        );
        let config = boin.config();
        let (phi1, phi2) = config.rule.parameters();
        let lambdas = (boin::lambda_e(config.target, phi1), boin::lambda_d(config.target, phi2));
        TiteBoin { boin, lambdas, variant }
    }

    /// The time-to-event decision of the `completed` reading, with BOIN's fit of the complete
    /// patients for elimination.
    fn next_completed(&self, complete: &IntervalFit, view: &FollowUp, num_doses: usize) -> Decision {
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

    /// The time-to-event decision of TITEgBOIN's `next_TITE_QuasiBOIN`, on `complete` (the
    /// complete patients' counts, for a selection at `n_earlystop`) and everyone's follow-up.
    fn next_titegboin(&self, complete: &TrialData, view: &FollowUp, num_doses: usize) -> Decision {
        let current = view.records.last().expect("a patient has been treated").dose;
        // Per dose: patients treated (pending ones count as DLT-free) and DLTs observed; at the
        // current dose also the pending patients and their follow-up fractions.
        let mut counts = [(0u32, 0u32); MAX_DOSES];
        let (mut pending, mut followed) = (0u32, 0.0f64);
        for p in &view.records {
            let c = &mut counts[p.dose.index()];
            c.0 += 1;
            c.1 += u32::from(view.dlt_observed(p));
            if p.dose == current && !view.complete(p) {
                pending += 1;
                followed += view.fraction(p);
            }
        }
        let too_toxic = Decision::Stop {
            selected: None,
            reason: StopReason::TooToxic,
        };
        // Elimination is checked at every decision; a dose once eliminated stays so (no patient
        // is treated there again and its DLTs only grow), so the lowest dose crossing the
        // boundary now is the lowest ever eliminated.
        let eliminated_from = (0..num_doses)
            .find(|&d| self.boin.crosses_elimination(counts[d].0, counts[d].1))
            .map(|d| Dose(d as u16));
        let (n, y) = counts[current.index()];
        let config = self.boin.config();
        let unsafe_lowest = self.boin.table().lowest_dose_stop[n as usize].is_some_and(|stop| y >= stop);
        if current == Dose(0) && config.extra_safe && unsafe_lowest {
            return too_toxic;
        }
        if let Some(first) = eliminated_from.filter(|&e| e <= current) {
            return first
                .0
                .checked_sub(1)
                .map_or(too_toxic, |below| Decision::Treat(Dose(below)));
        }
        if f64::from(pending) > f64::from(n) * 0.5 {
            return Decision::Wait;
        }
        let effective = f64::from(n - pending) + followed;
        let rate = f64::from(y) / effective;
        let (lambda_e, lambda_d) = self.lambdas;
        let up = Dose(current.0 + 1);
        if rate <= lambda_e && usize::from(up.0) < num_doses && eliminated_from.is_none_or(|e| up < e) {
            return Decision::Treat(up);
        }
        if rate >= lambda_d && current > Dose(0) {
            return Decision::Treat(Dose(current.0 - 1));
        }
        // Staying (at the lowest dose even when the rate calls for de-escalation): `n_earlystop`,
        // counting every patient at the dose, stops before any suspension.
        if n >= config.n_earlystop {
            return Decision::Stop {
                selected: self
                    .boin
                    .select_mtd_with_prior(complete, self.variant.selection_prior()),
                reason: StopReason::EnoughAtDose,
            };
        }
        if rate >= lambda_d && pending > 0 {
            return Decision::Wait;
        }
        Decision::Treat(current)
    }
}

/// A fitted TITE-BOIN: the time-to-event decision on data with follow-up, BOIN's fit of the
/// complete patients otherwise, and the MTD by BOIN's isotonic rule under the variant's prior.
pub struct TiteBoinFit<'a> {
    fit: OverriddenFit<IntervalFit<'a>>,
    design: &'a TiteBoin,
    data: &'a TrialData,
}

impl Fit for TiteBoinFit<'_> {
    fn decision(&self) -> Decision {
        self.fit.decision()
    }
    fn reason(&self) -> String {
        self.fit.reason()
    }
    fn selected_dose(&self) -> Option<Dose> {
        let design = self.design;
        design
            .boin
            .select_mtd_with_prior(self.data, design.variant.selection_prior())
    }
    fn prob_tox_interval(&self, dose: Dose) -> Option<(f64, f64)> {
        self.fit.prob_tox_interval(dose)
    }
    fn dosing_intervals(&self, dose: Dose) -> Option<[f64; 3]> {
        self.fit.dosing_intervals(dose)
    }
    fn admissible(&self, dose: Dose) -> bool {
        self.fit.admissible(dose)
    }
    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        self.fit.prob_tox(dose)
    }
    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        self.fit.prob_tox_exceeds(dose, threshold)
    }
    fn calls_for_deescalation(&self, dose: Dose) -> bool {
        self.fit.calls_for_deescalation(dose)
    }
}

impl Design for TiteBoin {
    type Fit<'a> = TiteBoinFit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> Self::Fit<'a> {
        let num_doses = data.num_doses();
        let fit = match self.variant {
            TiteBoinVariant::Titegboin => {
                let rule = "TITE-BOIN as TITEgBOIN 0.4.0: eliminate a dose (and those above) whose \
                            observed DLTs among all its patients, pending ones counted DLT-free, \
                            cross BOIN's elimination boundary, and leave an eliminated current dose \
                            for the dose below the lowest eliminated; wait while more than half the \
                            current dose's patients are pending; otherwise the observed DLTs over \
                            the effective sample size (pending patients counted by their follow-up \
                            fraction) against BOIN's λe and λd, waiting at the lowest dose when the \
                            rate is at or above λd with patients pending";
                let next = |_: &IntervalFit, view: &FollowUp| self.next_titegboin(data, view, num_doses);
                tite_fit(self.boin.fit(data), data, (rule, next))
            }
            TiteBoinVariant::Completed => {
                let rule = "TITE-BOIN (Yuan et al. 2018), complete-data reading: wait while more than \
                            half the current dose's patients are pending; otherwise the observed DLTs \
                            over the effective sample size (pending patients counted by their \
                            follow-up fraction) against BOIN's λe and λd";
                let next = |complete: &IntervalFit, view: &FollowUp| self.next_completed(complete, view, num_doses);
                tite_fit(self.boin.fit(data), data, (rule, next))
            }
        };
        TiteBoinFit {
            fit,
            design: self,
            data,
        }
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
        with_variant(TiteBoinVariant::Titegboin)
    }

    fn with_variant(variant: TiteBoinVariant) -> TiteBoin {
        let config = IntervalConfig::new(0.3, IntervalRule::boin(0.3));
        TiteBoin::with_variant(IntervalDesign::new(config, 30), variant)
    }

    /// Hand-worked decisions where the two readings agree (φ = 0.3: λe = 0.2365, λd = 0.3585),
    /// window 1 month.
    #[test]
    fn tite_boin_hand_worked_cases() {
        for variant in [TiteBoinVariant::Titegboin, TiteBoinVariant::Completed] {
            hand_worked(&with_variant(variant));
        }
    }

    /// Hand-worked cases where TITEgBOIN's reading differs from the complete-data one (BOIN's
    /// elimination boundary at φ = 0.3: 3 DLTs of n = 3 or 4, 4 of n = 5).
    #[test]
    fn titegboin_counts_pending_patients_and_jumps_below_elimination() {
        let view =
            |variant, patients: &[PatientRecord]| with_variant(variant).fit(&data_at(patients, 1.5, 5)).decision();
        let stop = Decision::Stop {
            selected: None,
            reason: StopReason::TooToxic,
        };
        // At the lowest dose, one DLT, one complete, one pending at half its window: p̂ = 1/2.5
        // ≥ λd. TITEgBOIN suspends accrual (a pending patient may still lower p̂); the
        // complete-data reading stays.
        let mixed = [patient(0, 0.0, Some(0.3)), patient(0, 0.1, None), patient(0, 1.0, None)];
        assert_eq!(view(TiteBoinVariant::Titegboin, &mixed), Decision::Wait);
        assert_eq!(view(TiteBoinVariant::Completed, &mixed), Decision::Treat(Dose(0)));
        // 3 DLTs among 5 at the lowest dose, 2 pending: 3/5 is below the boundary (4) when the
        // pending count as DLT-free, so TITEgBOIN waits (p̂ ≥ λd, patients pending); on the 3
        // complete patients (3/3) the dose is eliminated and the trial stops.
        let lowest = [
            patient(0, 0.0, Some(0.2)),
            patient(0, 0.0, Some(0.3)),
            patient(0, 0.0, Some(0.4)),
            patient(0, 1.0, None),
            patient(0, 1.0, None),
        ];
        assert_eq!(view(TiteBoinVariant::Titegboin, &lowest), Decision::Wait);
        assert_eq!(view(TiteBoinVariant::Completed, &lowest), stop);
        // Late DLTs eliminate dose 2 while its successor dose 3 is being followed: TITEgBOIN
        // leaves dose 3 for dose 1, the dose below the lowest eliminated, at once; the
        // complete-data reading waits on dose 3's pending patients.
        let late = [
            patient(0, -3.0, None),
            patient(0, -3.0, None),
            patient(0, -3.0, None),
            patient(1, 0.5, Some(1.35)),
            patient(1, 0.5, Some(1.4)),
            patient(1, 0.5, Some(1.45)),
            patient(2, 1.1, None),
            patient(2, 1.2, None),
            patient(2, 1.3, None),
        ];
        assert_eq!(view(TiteBoinVariant::Titegboin, &late), Decision::Treat(Dose(0)));
        assert_eq!(view(TiteBoinVariant::Completed, &late), Decision::Wait);
    }

    fn hand_worked(design: &TiteBoin) {
        let view = |patients: &[PatientRecord], now: f64| design.fit(&data_at(patients, now, 5)).decision();
        // Three complete without DLT at dose 1: p̂ = 0 ≤ λe, escalate.
        let done = [patient(0, 0.0, None), patient(0, 0.1, None), patient(0, 0.2, None)];
        assert_eq!(view(&done, 1.5), Decision::Treat(Dose(1)));
        // Two of three pending (> half): suspend accrual.
        let pending = [patient(0, 0.0, None), patient(0, 1.0, None), patient(0, 1.1, None)];
        assert_eq!(view(&pending, 1.5), Decision::Wait);
        // One DLT, one complete, one pending at half its window at dose 2: ñ = 2 + 0.5,
        // p̂ = 0.4 ≥ λd: de-escalate.
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
