//! BOIN12 (Lin, Zhou, Yan, Li & Yuan 2020, JCO Precision Oncology 4:1393–1402), with the
//! dose-exploration rule of its Data Supplement, as the authors' simulation code and the R package
//! `escalation` (`get_boin12`) apply it.
//!
//! After each cohort at dose d with n patients, y DLTs:
//! - a dose is *inadmissible* when P(π_T > φ_T | data) > c_t (with every higher dose; BOIN's
//!   elimination table at cutoff c_t) or, from n = 3, P(π_E < φ_E | data) > c_e, both under
//!   Beta(1, 1) priors; the trial stops when the lowest dose is too toxic (`too_toxic`) or no
//!   dose is admissible (`no_acceptable_dose`);
//! - y ≥ BOIN's de-escalation boundary (φ_T, φ1 = 0.6 φ_T, φ2 = 1.4 φ_T): treat at the highest
//!   admissible dose below (stay at d when there is none);
//! - otherwise choose among the highest admissible dose below d, d itself and the lowest
//!   admissible dose above d (that one only while n < N* or y ≤ the escalation boundary: the N*
//!   rule) the dose of highest *desirability*, 100 · P(U > u_b | data), where the utility U of a
//!   dose is the mean score (100, 0, `response_with_dlt`, `neither` for response only, DLT only,
//!   both, neither) treated as a quasi-binomial count x = Σ u/100 of n with a Beta(1, 1) prior, and
//!   the benchmark u_b lies midway between 100 and the utility of a dose at P(DLT) = φ_T,
//!   P(response) = φ_E; ties go to the higher dose (as the authors' Shiny application); an untried
//!   dose scores 100 · (1 − u_b/100), an inadmissible one 0;
//! - dose exploration: with n ≥ 9 at d and y below the de-escalation boundary, the next cohort goes
//!   to the lowest admissible dose above d if it is untried.
//!
//! The OBD at the end follows [`ObdSelection`].

use super::selection::{self, ObdSelection};
use crate::core::stats::beta_sf;
use crate::core::{EfficacyCounts, Utility};
use crate::designs::interval::{BoundaryTable, IntervalConfig, IntervalDesign, IntervalFit, IntervalRule};
use crate::designs::{Decision, Design, Dose, DoseTruth, Fit, StopReason, TrialData};

/// Patients at the current dose from which the dose-exploration rule sends the next cohort to an
/// untried higher dose (BOIN12's Data Supplement; 9 in the authors' code and in `escalation`).
pub const EXPLORE_AT: u32 = 9;

/// BOIN12's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Boin12Config {
    /// φ_T, the highest acceptable DLT probability (the scenario's `[trial] target`).
    pub phi_t: f64,
    /// φ_E, the lowest acceptable response probability (default 0.25).
    pub phi_e: f64,
    /// c_t: a dose is too toxic when P(π_T > φ_T | data) > c_t (default 0.95).
    pub c_t: f64,
    /// c_e: a dose is futile when P(π_E < φ_E | data) > c_e (default 0.90).
    pub c_e: f64,
    /// N*: from this many patients at a dose, the trial escalates from it only below the
    /// escalation boundary (default 6).
    pub n_star: u32,
    /// The utility scores of a response with a DLT and of neither (100 and 0 are fixed).
    pub utility: Utility,
    /// How the OBD is selected at the end.
    pub selection: ObdSelection,
}

impl Boin12Config {
    /// The paper's defaults at φ_T.
    pub fn new(phi_t: f64) -> Boin12Config {
        Boin12Config {
            phi_t,
            phi_e: 0.25,
            c_t: 0.95,
            c_e: 0.90,
            n_star: 6,
            utility: Utility::default(),
            selection: ObdSelection::Authors,
        }
    }

    /// The benchmark utility u_b on the 0–1 scale: midway between the highest undesirable
    /// utility ū (a dose with P(DLT) = φ_T and P(response) = φ_E, independent) and 100.
    pub fn benchmark(&self) -> f64 {
        let undesirable = self.utility.true_utility(self.phi_t, self.phi_e);
        (undesirable + (100.0 - undesirable) / 2.0) / 100.0
    }
}

/// BOIN12 for a trial of a given maximum size.
#[derive(Clone, Debug)]
pub struct Boin12 {
    config: Boin12Config,
    /// BOIN at φ_T with elimination cutoff c_t: the boundaries, toxicity elimination and the
    /// isotonic MTD.
    boin: IntervalDesign,
    /// `futile[n]`: a dose with n ≥ 3 patients is futile when its responses are at most this.
    futile: Vec<Option<u32>>,
    /// u_b on the 0–1 scale.
    benchmark: f64,
}

impl Boin12 {
    /// The design with its tables precomputed up to `max_patients` at one dose.
    pub fn new(config: Boin12Config, max_patients: u32) -> Boin12 {
        let mut boin_config = IntervalConfig::new(config.phi_t, IntervalRule::boin(config.phi_t));
        boin_config.cutoff_eliminate = config.c_t;
        let futile = (0..=max_patients)
            .map(|n| {
                let futile = |r: u32| beta_sf(config.phi_e, f64::from(r + 1), f64::from(n - r + 1)) < 1.0 - config.c_e;
                (n >= 3 && futile(0)).then(|| (0..=n).take_while(|&r| futile(r)).last().unwrap_or(0))
            })
            .collect();
        Boin12 {
            benchmark: config.benchmark(),
            boin: IntervalDesign::new(boin_config, max_patients),
            futile,
            config,
        }
    }

    /// The design's settings.
    pub fn config(&self) -> &Boin12Config {
        &self.config
    }

    /// BOIN's decision counts at φ_T (escalate, de-escalate, eliminate at c_t) for n = 0 … the
    /// sample size.
    pub fn boundaries(&self) -> &BoundaryTable {
        self.boin.table()
    }

    /// The futility boundary: a dose with n patients is futile when its responses are at most
    /// this (`None`: never, below 3 patients or when no count is that low).
    pub fn futility_boundary(&self, n: u32) -> Option<u32> {
        self.futile.get(n as usize).copied().flatten()
    }

    /// The desirability of a dose with these outcomes before admissibility: 100 · P(U > u_b) with
    /// U ~ Beta(1 + x, 1 + n − x), x = Σ u/100 (through [`Utility::posterior_mean`]).
    pub fn desirability(&self, counts: &EfficacyCounts) -> f64 {
        let n = f64::from(counts.patients);
        let x = self.config.utility.posterior_mean(counts) * (2.0 + n) - 1.0;
        100.0 * beta_sf(self.benchmark, 1.0 + x, 1.0 + n - x)
    }
}

impl Design for Boin12 {
    type Fit<'a> = Boin12Fit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> Boin12Fit<'a> {
        Boin12Fit {
            design: self,
            data,
            tox: self.boin.fit(data),
        }
    }

    fn uses_efficacy(&self) -> bool {
        true
    }

    /// BOIN12's utility of the joint law: 100 · P(response, no DLT) + `response_with_dlt` ·
    /// P(both) + `neither` · P(neither), i.e. the independent case ([`Utility::true_utility`])
    /// plus (`response_with_dlt` + `neither` − 100) times the excess of P(both) over
    /// P(DLT) · P(response).
    fn true_utility(&self, truth: &DoseTruth) -> Option<f64> {
        Some(joint_utility(&self.config.utility, truth))
    }

    /// P(DLT) ≤ φ_T and P(response) ≥ φ_E.
    fn truly_acceptable(&self, truth: &DoseTruth) -> bool {
        truth.dlt <= self.config.phi_t && truth.response >= self.config.phi_e
    }
}

/// The utility of a dose's joint law with these scores: the independent case
/// ([`Utility::true_utility`]) plus (`response_with_dlt` + `neither` − 100) times the excess of
/// P(both) over P(DLT) · P(response) (BOIN12's and U-BOIN's true utility).
pub(super) fn joint_utility(u: &Utility, truth: &DoseTruth) -> f64 {
    let association = truth.response_with_dlt - truth.dlt * truth.response;
    u.true_utility(truth.dlt, truth.response) + (u.response_with_dlt + u.neither - 100.0) * association
}

/// BOIN12 fitted to the outcomes so far.
pub struct Boin12Fit<'a> {
    pub(super) design: &'a Boin12,
    pub(super) data: &'a TrialData,
    /// BOIN's fit at φ_T: toxicity elimination, boundaries, MTD.
    pub(super) tox: IntervalFit<'a>,
}

/// Which rule decided (for [`Fit::reason`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Why {
    /// The lowest dose is too toxic.
    LowestTooToxic,
    /// No dose is admissible.
    NoneAdmissible,
    /// At or above the de-escalation boundary.
    Deescalate,
    /// The desirability among the candidates chose; `escalation_open` tells whether the dose
    /// above was a candidate (the N* rule).
    Desirability {
        /// Whether the dose above was a candidate.
        escalation_open: bool,
    },
    /// The chosen dose is not admissible: stop.
    ChosenInadmissible,
    /// The dose-exploration rule sent the cohort to an untried dose.
    Explore,
}

impl<'a> Boin12Fit<'a> {
    /// The joint outcomes at `dose`.
    pub(super) fn counts(&self, dose: Dose) -> EfficacyCounts {
        self.data
            .efficacy(dose)
            .expect("BOIN12 decides on responses: the engine gives it data with efficacy")
    }

    /// Whether `dose` is futile: P(π_E < φ_E | data) > c_e with at least 3 patients.
    pub(super) fn futile(&self, dose: Dose) -> bool {
        let c = self.counts(dose);
        self.design
            .futility_boundary(c.patients)
            .is_some_and(|f| c.responses <= f)
    }

    /// The highest admissible dose below `dose`.
    fn admissible_below(&self, dose: Dose) -> Option<Dose> {
        (0..dose.0).rev().map(Dose).find(|&d| self.admissible(d))
    }

    /// The lowest admissible dose above `dose`.
    fn admissible_above(&self, dose: Dose) -> Option<Dose> {
        (dose.0 + 1..self.data.num_doses() as u16)
            .map(Dose)
            .find(|&d| self.admissible(d))
    }

    /// The decision and the rule that made it.
    pub(super) fn decide(&self) -> (Decision, Why) {
        let data = self.data;
        let stop = |reason| Decision::Stop { selected: None, reason };
        if !self.tox.admissible(Dose(0)) {
            return (stop(StopReason::TooToxic), Why::LowestTooToxic);
        }
        if !data.doses().any(|d| self.admissible(d)) {
            return (stop(StopReason::NoAcceptableDose), Why::NoneAdmissible);
        }
        let d = data.current_dose();
        let (n, y) = (data.patients(d), data.dlts(d));
        let table = self.design.boundaries();
        let deescalate = table.deescalate[n as usize].is_some_and(|b| y >= b);
        let (chosen, why) = if deescalate {
            (self.admissible_below(d).unwrap_or(d), Why::Deescalate)
        } else {
            let escalation_open = n < self.design.config.n_star || table.escalate[n as usize].is_some_and(|b| y <= b);
            let above = self.admissible_above(d).filter(|_| escalation_open);
            let mut best = d;
            for candidate in [self.admissible_below(d), Some(d), above].into_iter().flatten() {
                if self.score(candidate) >= self.score(best) {
                    best = candidate;
                }
            }
            (best, Why::Desirability { escalation_open })
        };
        if !self.admissible(chosen) {
            let reason = if self.tox.admissible(chosen) {
                StopReason::DesignComplete
            } else {
                StopReason::TooToxic
            };
            return (stop(reason), Why::ChosenInadmissible);
        }
        if !deescalate && n >= EXPLORE_AT {
            if let Some(next) = self.admissible_above(d).filter(|&next| data.patients(next) == 0) {
                return (Decision::Treat(next), Why::Explore);
            }
        }
        (Decision::Treat(chosen), why)
    }

    /// The desirability score of `dose`: 0 when inadmissible.
    pub(super) fn score(&self, dose: Dose) -> f64 {
        if self.admissible(dose) {
            self.design.desirability(&self.counts(dose))
        } else {
            0.0
        }
    }
}

impl Fit for Boin12Fit<'_> {
    fn decision(&self) -> Decision {
        self.decide().0
    }

    fn reason(&self) -> String {
        let (decision, why) = self.decide();
        self.explain(decision, why)
    }

    /// The OBD by the configured [`ObdSelection`]; none once the lowest dose is too toxic.
    fn selected_dose(&self) -> Option<Dose> {
        if !self.tox.admissible(Dose(0)) {
            return None;
        }
        let config = &self.design.config;
        match config.selection {
            ObdSelection::Authors => selection::authors(self.data, config, |d| self.admissible(d)),
            ObdSelection::PosteriorMean => {
                let counts = self
                    .data
                    .doses()
                    .map(|d| {
                        if self.admissible(d) {
                            self.counts(d)
                        } else {
                            EfficacyCounts::default()
                        }
                    })
                    .collect::<Vec<_>>();
                config.utility.select_rp2d(&counts, self.tox.selected_dose())
            }
            ObdSelection::Escalation => {
                selection::escalation(self.data, config.phi_t, |d| self.design.desirability(&self.counts(d)))
            }
        }
    }

    /// Neither too toxic (at or above a dose that crossed BOIN's elimination boundary at c_t) nor
    /// futile.
    fn admissible(&self, dose: Dose) -> bool {
        self.tox.admissible(dose) && !self.futile(dose)
    }

    /// BOIN's de-escalation boundary at `dose`'s own counts, or the dose is inadmissible.
    fn calls_for_deescalation(&self, dose: Dose) -> bool {
        !self.admissible(dose) || self.tox.calls_for_deescalation(dose)
    }

    /// BOIN's isotonic estimate (tried doses).
    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        self.tox.prob_tox(dose)
    }

    /// P(π_T > threshold) under the Beta(1, 1) prior, as the admissibility rule.
    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        self.tox.prob_tox_exceeds(dose, threshold)
    }

    fn prob_tox_interval(&self, dose: Dose) -> Option<(f64, f64)> {
        self.tox.prob_tox_interval(dose)
    }

    /// The posterior mean (1 + r)/(2 + n) under Beta(1, 1), for tried doses.
    fn prob_response(&self, dose: Dose) -> Option<f64> {
        let c = self.counts(dose);
        (c.patients > 0).then(|| f64::from(c.responses + 1) / f64::from(c.patients + 2))
    }

    /// The desirability score 100 · P(U > u_b | data) that decides (0 for an inadmissible dose).
    fn utility(&self, dose: Dose) -> Option<f64> {
        Some(self.score(dose))
    }

    fn selection_reason(&self) -> Option<String> {
        Some(self.explain_selection())
    }
}
