//! Time-to-event dose finding: decisions in calendar time from patients whose DLT window may still
//! be open. TITE-CRM (Cheung & Chappell 2000, Biometrics 56:1177–1182) weights each pending
//! patient by their follow-up; TITE-BOIN (Lin & Yuan 2020, Biostatistics 21:807–824, the
//! effective-sample-size version) counts pending patients by their standardised follow-up.
//!
//! Engines see these designs through [`TimedDesign`]; designs that need complete data (3+3, BOIN,
//! CRM, …) are run by the calendar-time engine as [`DoseFinder`](super::DoseFinder)s that wait.

use super::crm::{Crm, CrmData, CrmEstimate, WeightedOutcome};
use super::interval::IntervalDesign;
use super::{boin, Decision, Design, Dose, Fit, Rule, StopReason, TrialData, TrialLimits};
use crate::core::stats::beta_uniform_posterior_exceeds;
use crate::core::Outcome;

/// A treated patient, in calendar time (months).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatientRecord {
    pub dose: Dose,
    /// When the patient was treated.
    pub entry: f64,
    /// When the patient's DLT occurred, if they have one within the DLT window.
    pub dlt_at: Option<f64>,
}

/// The patients as known at time `now`, with DLT window `window`.
#[derive(Clone, Copy, Debug)]
pub struct FollowUp<'a> {
    pub patients: &'a [PatientRecord],
    pub now: f64,
    pub window: f64,
    pub num_doses: usize,
}

impl FollowUp<'_> {
    /// Whether the patient's DLT has been observed by now.
    pub fn dlt_observed(&self, p: &PatientRecord) -> bool {
        p.dlt_at.is_some_and(|t| t <= self.now)
    }

    /// Whether the patient's outcome is known: a DLT observed, or the window closed without one.
    /// (Compared with the closing time itself, so that waiting until `entry + window` completes
    /// the patient whatever the rounding.)
    pub fn complete(&self, p: &PatientRecord) -> bool {
        self.dlt_observed(p) || self.now >= p.entry + self.window
    }

    /// Follow-up as a fraction of the window, in [0, 1].
    pub fn fraction(&self, p: &PatientRecord) -> f64 {
        ((self.now - p.entry) / self.window).clamp(0.0, 1.0)
    }

    /// Patients and DLTs per dose among complete patients.
    pub fn complete_counts(&self) -> TrialData {
        let mut data = TrialData::new(self.num_doses);
        for p in self.patients.iter().filter(|p| self.complete(p)) {
            data.add_patient(
                p.dose,
                Outcome {
                    dlt: self.dlt_observed(p),
                    response: None,
                },
            );
        }
        data
    }

    /// The time at which the next pending patient's outcome becomes known (a DLT or the window
    /// closing), if any is pending.
    pub fn next_event(&self) -> Option<f64> {
        self.patients
            .iter()
            .filter(|p| !self.complete(p))
            .map(|p| p.dlt_at.unwrap_or(p.entry + self.window).min(p.entry + self.window))
            .min_by(f64::total_cmp)
    }
}

/// How a pending patient's follow-up is weighted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TiteWeights {
    /// w = follow-up / window (Cheung & Chappell's linear weight; dfcrm's default).
    Linear,
    /// Cheung & Chappell's adaptive weight: the follow-up's position among the observed DLT
    /// times, w = (κ + (u − t_κ)/(t_{κ+1} − t_κ)) / (z + 1), z DLTs observed at t_1 < … < t_z
    /// (t_0 = 0, t_{z+1} = window) and κ of them before follow-up u.
    Adaptive,
}

/// Per-patient outcomes for the TITE likelihood: weight 1 for a DLT or complete follow-up.
pub fn weighted_outcomes(view: &FollowUp, scheme: TiteWeights) -> Vec<WeightedOutcome> {
    let mut dlt_times: Vec<f64> = view
        .patients
        .iter()
        .filter(|p| view.dlt_observed(p))
        .map(|p| p.dlt_at.expect("observed") - p.entry)
        .collect();
    dlt_times.sort_by(f64::total_cmp);
    let z = dlt_times.len();
    view.patients
        .iter()
        .map(|p| {
            let dlt = view.dlt_observed(p);
            let u = (view.now - p.entry).min(view.window);
            let weight = if dlt || u >= view.window {
                1.0
            } else {
                match scheme {
                    TiteWeights::Linear => u / view.window,
                    TiteWeights::Adaptive => {
                        let kappa = dlt_times.iter().filter(|&&t| t <= u).count();
                        let lower = if kappa == 0 { 0.0 } else { dlt_times[kappa - 1] };
                        let upper = if kappa == z { view.window } else { dlt_times[kappa] };
                        (kappa as f64 + (u - lower) / (upper - lower)) / (z as f64 + 1.0)
                    }
                }
            };
            WeightedOutcome {
                dose: p.dose,
                dlt,
                weight,
            }
        })
        .collect()
}

/// What a time-to-event design does for the next patient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimedDecision {
    Treat(Dose),
    /// Suspend accrual until the next pending outcome becomes known.
    Wait,
    Stop {
        selected: Option<Dose>,
        reason: StopReason,
    },
}

/// A dose-finding design that decides in calendar time from partially followed patients.
pub trait TimedDesign: Send + Sync {
    fn name(&self) -> &str;
    fn limits(&self) -> &TrialLimits;
    /// The decision for the next cohort at `view.now` (at least one patient has been treated).
    fn next(&self, view: &FollowUp) -> TimedDecision;
    /// The MTD once every window has closed.
    fn select(&self, view: &FollowUp) -> Option<Dose>;
}

/// TITE-CRM: the CRM posterior with each pending patient's likelihood 1 − w·p (dfcrm `titecrm`,
/// `titesim`). The next dose is the one closest to the target, at most one level above the highest
/// dose tried; the MTD is chosen on complete data.
pub struct TiteCrm {
    name: String,
    crm: Crm,
    weights: TiteWeights,
    limits: TrialLimits,
}

impl TiteCrm {
    /// `crm` supplies the model, skeleton, prior, target and estimate.
    pub fn new(name: impl Into<String>, crm: Crm, weights: TiteWeights, limits: TrialLimits) -> TiteCrm {
        TiteCrm {
            name: name.into(),
            crm,
            weights,
            limits,
        }
    }

    /// The estimates of the DLT probabilities from the weighted posterior.
    pub fn estimates(&self, view: &FollowUp) -> Vec<f64> {
        let outcomes = weighted_outcomes(view, self.weights);
        let posterior = self.crm.posterior_of(CrmData::Weighted(&outcomes));
        match self.crm.config().estimate {
            CrmEstimate::PlugIn => posterior.plug_in,
            CrmEstimate::PosteriorMean => self.crm.posterior_mean_probs(&posterior),
        }
    }
}

impl TimedDesign for TiteCrm {
    fn name(&self) -> &str {
        &self.name
    }

    fn limits(&self) -> &TrialLimits {
        &self.limits
    }

    fn next(&self, view: &FollowUp) -> TimedDecision {
        let best = self.crm.closest_to_target(&self.estimates(view));
        let highest = view.patients.iter().map(|p| p.dose).max().unwrap_or(Dose(0));
        TimedDecision::Treat(best.min(Dose(highest.0 + 1)))
    }

    fn select(&self, view: &FollowUp) -> Option<Dose> {
        let data = view.complete_counts();
        self.crm.fit(&data).selected_dose()
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
        let (lambda_e, lambda_d) = match config.rule {
            super::interval::IntervalRule::Boin { phi1, phi2 } => {
                (boin::lambda_e(config.target, phi1), boin::lambda_d(config.target, phi2))
            }
            _ => unreachable!("TITE-BOIN is built on BOIN"),
        };
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

/// A time-to-event design with stopping and skipping rules. Rules judge the complete data (patients
/// whose outcome is known) through the base design's fit on them, e.g. `stop_when_too_toxic` with
/// CRM's posterior or BOIN's Beta(1, 1) posterior of complete patients. They act on the design's
/// proposals and on its final selection, not on a suspension of accrual.
pub struct TimedWithRules<T, D> {
    inner: T,
    base: D,
    rules: Vec<Box<dyn Rule>>,
}

impl<T: TimedDesign, D: Design> TimedWithRules<T, D> {
    /// `base` is the complete-data design the rules consult (CRM for TITE-CRM, BOIN for TITE-BOIN).
    pub fn new(inner: T, base: D, rules: Vec<Box<dyn Rule>>) -> TimedWithRules<T, D> {
        TimedWithRules { inner, base, rules }
    }

    fn apply(&self, view: &FollowUp, proposed: Decision) -> Decision {
        let data = view.complete_counts();
        let fit = self.base.fit(&data);
        self.rules
            .iter()
            .fold(proposed, |decision, rule| rule.apply(&data, &fit, decision))
    }
}

impl<T: TimedDesign, D: Design> TimedDesign for TimedWithRules<T, D> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn limits(&self) -> &TrialLimits {
        self.inner.limits()
    }

    fn next(&self, view: &FollowUp) -> TimedDecision {
        let proposed = match self.inner.next(view) {
            TimedDecision::Wait => return TimedDecision::Wait,
            TimedDecision::Treat(d) => Decision::Treat(d),
            TimedDecision::Stop { selected, reason } => Decision::Stop { selected, reason },
        };
        match self.apply(view, proposed) {
            Decision::Treat(d) => TimedDecision::Treat(d),
            Decision::Stop { selected, reason } => TimedDecision::Stop { selected, reason },
        }
    }

    fn select(&self, view: &FollowUp) -> Option<Dose> {
        let selected = self.inner.select(view);
        let end = Decision::Stop {
            selected,
            reason: StopReason::MaxPatients,
        };
        match self.apply(view, end) {
            Decision::Stop { selected, .. } => selected,
            Decision::Treat(_) => selected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::crm::{CrmConfig, CrmModel};
    use crate::designs::interval::{IntervalConfig, IntervalRule};

    fn limits(num_doses: usize) -> TrialLimits {
        TrialLimits {
            num_doses,
            cohort_size: 1,
            max_patients: 30,
            start_dose: Dose(0),
        }
    }

    /// VALIDATION R6, dfcrm `titecrm` example: doses 3 3 3 4 4 3 2 2 2 3, DLT on patients 3 and 5,
    /// follow-up 178 181 168 181 24 181 179 102 42 3 days, window 180. DLT times are the reported
    /// follow-up of the DLT patients.
    fn r6_patients() -> (Vec<PatientRecord>, f64) {
        let doses = [3, 3, 3, 4, 4, 3, 2, 2, 2, 3];
        let dlt = [false, false, true, false, true, false, false, false, false, false];
        let follow = [178.0, 181.0, 168.0, 181.0, 24.0, 181.0, 179.0, 102.0, 42.0, 3.0];
        let now = 1000.0;
        let patients = (0..10)
            .map(|i| PatientRecord {
                dose: Dose::from_level(doses[i]),
                entry: now - follow[i],
                dlt_at: dlt[i].then_some(now - follow[i] + follow[i]),
            })
            .collect();
        (patients, now)
    }

    #[test]
    fn titecrm_weights_match_r6() {
        let (patients, now) = r6_patients();
        let view = FollowUp {
            patients: &patients,
            now,
            window: 180.0,
            num_doses: 6,
        };
        let linear: Vec<f64> = weighted_outcomes(&view, TiteWeights::Linear)
            .iter()
            .map(|o| o.weight)
            .collect();
        let expected = [0.9889, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9944, 0.5667, 0.2333, 0.0167];
        for (a, e) in linear.iter().zip(expected) {
            assert!((a - e).abs() < 5e-5, "{linear:?}");
        }
        let adaptive: Vec<f64> = weighted_outcomes(&view, TiteWeights::Adaptive)
            .iter()
            .map(|o| o.weight)
            .collect();
        let expected = [0.9444, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9722, 0.5139, 0.375, 0.0417];
        for (a, e) in adaptive.iter().zip(expected) {
            assert!((a - e).abs() < 5e-5, "{adaptive:?}");
        }
    }

    fn r6_crm() -> Crm {
        Crm::new(CrmConfig {
            target: 0.2,
            skeleton: vec![0.05, 0.10, 0.20, 0.35, 0.50, 0.70],
            model: CrmModel::Empiric,
            prior_variance: 1.34,
            estimate: CrmEstimate::PlugIn,
            restrict: true,
        })
    }

    /// VALIDATION R6: TITE-CRM b̂ = −0.1328, p̂ = .0726 .1332 .2443 .3988 .5450 .7317, next dose 3
    /// (linear); b̂ = −0.1345, next dose 3 (adaptive).
    #[test]
    fn titecrm_matches_r6() {
        let (patients, now) = r6_patients();
        let view = FollowUp {
            patients: &patients,
            now,
            window: 180.0,
            num_doses: 6,
        };
        let crm = r6_crm();
        let outcomes = weighted_outcomes(&view, TiteWeights::Linear);
        let posterior = crm.posterior_of(CrmData::Weighted(&outcomes));
        assert!((posterior.mean - -0.1328).abs() < 5e-5, "{}", posterior.mean);
        let expected = [0.0726, 0.1332, 0.2443, 0.3988, 0.5450, 0.7317];
        for (a, e) in posterior.plug_in.iter().zip(expected) {
            assert!((a - e).abs() < 5e-5, "{:?}", posterior.plug_in);
        }
        let linear = TiteCrm::new("TITE-CRM", r6_crm(), TiteWeights::Linear, limits(6));
        assert_eq!(linear.next(&view), TimedDecision::Treat(Dose::from_level(3)));
        let adaptive_outcomes = weighted_outcomes(&view, TiteWeights::Adaptive);
        let adaptive = crm.posterior_of(CrmData::Weighted(&adaptive_outcomes));
        assert!((adaptive.mean - -0.1345).abs() < 5e-5, "{}", adaptive.mean);
        let tite = TiteCrm::new("TITE-CRM", r6_crm(), TiteWeights::Adaptive, limits(6));
        assert_eq!(tite.next(&view), TimedDecision::Treat(Dose::from_level(3)));
    }

    fn tite_boin() -> TiteBoin {
        let config = IntervalConfig::new(0.3, IntervalRule::boin(0.3));
        TiteBoin::new("TITE-BOIN", IntervalDesign::new(config, 30), limits(5))
    }

    fn patient(dose: u16, entry: f64, dlt_at: Option<f64>) -> PatientRecord {
        PatientRecord {
            dose: Dose(dose),
            entry,
            dlt_at,
        }
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

    /// Rules on a TITE design judge complete data: three DLTs in three at dose 1 stop TITE-CRM
    /// through `stop_when_too_toxic`, and a pending patient does not count.
    #[test]
    fn rules_judge_complete_data() {
        use crate::designs::rules::{DoseSelector, StopWhenTooToxic};
        let rule = StopWhenTooToxic {
            dose: DoseSelector::Level(Dose(0)),
            threshold: 0.25,
            certainty: 0.9,
        };
        let design = TimedWithRules::new(
            TiteCrm::new("TITE-CRM", r6_crm(), TiteWeights::Linear, limits(6)),
            r6_crm(),
            vec![Box::new(rule)],
        );
        let toxic = [
            patient(0, 0.0, Some(0.2)),
            patient(0, 0.0, Some(0.5)),
            patient(0, 0.0, Some(0.9)),
        ];
        let view = |patients: &[PatientRecord], now: f64| {
            design.next(&FollowUp {
                patients,
                now,
                window: 1.0,
                num_doses: 6,
            })
        };
        assert_eq!(
            view(&toxic, 1.5),
            TimedDecision::Stop {
                selected: None,
                reason: StopReason::TooToxic
            }
        );
        // At 0.1 no outcome is known yet: nothing to judge.
        assert!(matches!(view(&toxic, 0.1), TimedDecision::Treat(_)));
    }

    #[test]
    fn next_event_is_the_earliest_pending_outcome() {
        let patients = [
            patient(0, 0.0, Some(0.4)),
            patient(0, 0.2, None),
            patient(0, 0.3, Some(2.0)),
        ];
        let view = FollowUp {
            patients: &patients,
            now: 0.35,
            window: 1.0,
            num_doses: 2,
        };
        assert_eq!(view.next_event(), Some(0.4));
        let view = FollowUp { now: 0.5, ..view };
        assert_eq!(view.next_event(), Some(1.2));
    }
}
