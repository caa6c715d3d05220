//! U-BOIN, the utility-based Bayesian optimal interval phase I/II design (Zhou, Lee & Yuan 2019,
//! Stat Med 38(28):5299–5316), as trialsim reads it (README "U-BOIN (phase I/II)" says which parts
//! are the paper's text and which are trialsim's reading):
//!
//! - **Stage I**: BOIN at φ_T (`[trial] target`; φ1 = 0.6 φ_T, φ2 = 1.4 φ_T), or at `stage1_target`
//!   when set (the authors' application, as a third party reads it, uses φ_T − 0.05), explores the
//!   doses, eliminating a dose with ≥ 3 patients and P(π_T > φ_T | data) > c_t under Beta(1, 1)
//!   with every higher dose (BOIN's elimination table at φ_T and cutoff c_t, shared with BOIN12);
//!   the trial stops with no OBD when dose 1 is eliminated.
//! - Stage II begins once a dose has `stage2_at` patients. Each cohort's outcome is one of four
//!   cells (response alone, DLT alone, both, neither) with a Dirichlet prior of total mass 1 (¼ per
//!   cell), so a dose's DLT and response probabilities have Beta(½ + y, ½ + n − y) and
//!   Beta(½ + r, ½ + n − r) posteriors and its posterior mean utility is
//!   (Σ ¼·u + Σ u_i)/(1 + n) with the BOIN12 scores u (100, 0, `response_with_dlt`, `neither`).
//!   - (B1) when the highest tried dose h has y/n ≤ λe (stage I's BOIN) and the dose above it is
//!     not eliminated,
//!     the next cohort explores h + 1;
//!   - (B2) otherwise it goes to the *admissible* dose of highest posterior mean utility (ties:
//!     the lower dose); admissible = tried, not eliminated, P(π_T > φ_T | data) ≤ c_t and
//!     P(π_E < φ_E | data) ≤ c_e; none admissible stops (`no_acceptable_dose`).
//! - The OBD at the end: the admissible dose of highest posterior mean utility (`selection =
//!   "utility"`), or only among those at or below BOIN's isotonic MTD (`"at_or_below_mtd"`).
//!
//! Every decision is a function of the per-dose counts (the stage included), so the exact engine
//! and the decision cache apply.

use super::boin12::joint_utility;
use super::explain::{lowest_too_toxic, no_obd_too_toxic};
use crate::core::stats::beta_sf;
use crate::core::{EfficacyCounts, Utility};
use crate::designs::interval::{BoundaryTable, IntervalConfig, IntervalDesign, IntervalFit, IntervalRule};
use crate::designs::{Decision, Design, Dose, DoseTruth, Fit, StopReason, TrialData};

/// The Dirichlet prior's mass on each of the four outcome cells (total 1).
pub const CELL_PRIOR: f64 = 0.25;

/// How U-BOIN selects the OBD at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UboinSelection {
    /// The admissible dose of highest posterior mean utility (`"utility"`).
    Utility,
    /// The same, among the doses at or below BOIN's isotonic MTD (`"at_or_below_mtd"`).
    AtOrBelowMtd,
}

impl UboinSelection {
    /// Every rule, in the order messages list them.
    pub const ALL: [UboinSelection; 2] = [UboinSelection::Utility, UboinSelection::AtOrBelowMtd];

    /// The scenario's name for the rule.
    pub fn name(self) -> &'static str {
        match self {
            UboinSelection::Utility => "utility",
            UboinSelection::AtOrBelowMtd => "at_or_below_mtd",
        }
    }
}

/// U-BOIN's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct UboinConfig {
    /// φ_T, the highest acceptable DLT probability (`[trial] target`).
    pub phi_t: f64,
    /// BOIN's target in stage I and for B1's escalation boundary λe (default φ_T; `stage1_target`).
    /// Elimination and admissibility stay at φ_T.
    pub stage1_target: f64,
    /// φ_E, the lowest acceptable response probability (default 0.25, as BOIN12).
    pub phi_e: f64,
    /// c_t: too toxic when P(π_T > φ_T | data) > c_t (default 0.95).
    pub c_t: f64,
    /// c_e: futile when P(π_E < φ_E | data) > c_e (default 0.90).
    pub c_e: f64,
    /// Stage II begins once a dose has this many patients (default 12).
    pub stage2_at: u32,
    /// The utility scores (100 and 0 fixed; BOIN12's 60 and 40 by default).
    pub utility: Utility,
    /// How the OBD is selected at the end.
    pub selection: UboinSelection,
}

impl UboinConfig {
    /// The defaults at φ_T.
    pub fn new(phi_t: f64) -> UboinConfig {
        UboinConfig {
            phi_t,
            stage1_target: phi_t,
            phi_e: 0.25,
            c_t: 0.95,
            c_e: 0.90,
            stage2_at: 12,
            utility: Utility::default(),
            selection: UboinSelection::Utility,
        }
    }

    /// The posterior mean utility (0–100) of a dose with these outcomes under the Dirichlet prior:
    /// (Σ ¼·u + Σ u_i)/(1 + n), from BOIN12's quasi-binomial count x = Σ u_i/100
    /// ([`Utility::posterior_mean`] is (1 + x)/(2 + n)).
    pub fn posterior_mean_utility(&self, counts: &EfficacyCounts) -> f64 {
        let u = &self.utility;
        let n = f64::from(counts.patients);
        let x = u.posterior_mean(counts) * (2.0 + n) - 1.0;
        let prior = CELL_PRIOR * (100.0 + u.response_with_dlt + u.neither);
        (prior + 100.0 * x) / (1.0 + n)
    }
}

/// U-BOIN for a trial of a given maximum size.
#[derive(Clone, Debug)]
pub struct Uboin {
    config: UboinConfig,
    /// BOIN at φ_T with elimination cutoff c_t: stage I, elimination and the isotonic MTD.
    boin: IntervalDesign,
    /// BOIN at `stage1_target` without elimination (that stays `boin`'s, at φ_T), when the target
    /// differs from φ_T: stage I's moves and B1's escalation boundary.
    moves: Option<IntervalDesign>,
    /// `too_toxic[n]`: the fewest DLTs of n with P(π_T > φ_T) > c_t under Beta(½ + y, ½ + n − y).
    too_toxic: Vec<Option<u32>>,
    /// `futile[n]`: the most responses of n with P(π_E < φ_E) > c_e under Beta(½ + r, ½ + n − r).
    futile: Vec<Option<u32>>,
}

impl Uboin {
    /// The design with its tables precomputed up to `max_patients` at one dose.
    pub fn new(config: UboinConfig, max_patients: u32) -> Uboin {
        let mut boin_config = IntervalConfig::new(config.phi_t, IntervalRule::boin(config.phi_t));
        boin_config.cutoff_eliminate = config.c_t;
        let half = CELL_PRIOR * 2.0;
        let posterior_sf = |x: f64, k: u32, n: u32| beta_sf(x, half + f64::from(k), half + f64::from(n - k));
        let too_toxic = (0..=max_patients)
            .map(|n| (0..=n).find(|&y| posterior_sf(config.phi_t, y, n) > config.c_t))
            .collect();
        let futile = (0..=max_patients)
            .map(|n| {
                (0..=n)
                    .take_while(|&r| 1.0 - posterior_sf(config.phi_e, r, n) > config.c_e)
                    .last()
            })
            .collect();
        let moves = (config.stage1_target != config.phi_t).then(|| {
            let target = config.stage1_target;
            let mut moves_config = IntervalConfig::new(target, IntervalRule::boin(target));
            moves_config.cutoff_eliminate = 1.0;
            IntervalDesign::new(moves_config, max_patients)
        });
        Uboin {
            boin: IntervalDesign::new(boin_config, max_patients),
            moves,
            too_toxic,
            futile,
            config,
        }
    }

    /// The design's settings.
    pub fn config(&self) -> &UboinConfig {
        &self.config
    }

    /// BOIN's decision counts at stage I's target (stage I and the B1 escalation test); its
    /// elimination counts are those at φ_T only when the target is φ_T.
    pub fn boundaries(&self) -> &BoundaryTable {
        self.moves.as_ref().unwrap_or(&self.boin).table()
    }

    /// Stage II's toxicity boundary: a dose with n patients is too toxic with at least this many
    /// DLTs (`None`: never).
    pub fn toxicity_boundary(&self, n: u32) -> Option<u32> {
        self.too_toxic.get(n as usize).copied().flatten()
    }

    /// Stage II's futility boundary: a dose with n patients is futile with at most this many
    /// responses (`None`: never).
    pub fn futility_boundary(&self, n: u32) -> Option<u32> {
        self.futile.get(n as usize).copied().flatten()
    }
}

impl Design for Uboin {
    type Fit<'a> = UboinFit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> UboinFit<'a> {
        UboinFit {
            design: self,
            data,
            tox: self.boin.fit(data),
        }
    }

    fn uses_efficacy(&self) -> bool {
        true
    }

    /// The utility of the joint law with the BOIN12 scores (U-BOIN's utility, same table).
    fn true_utility(&self, truth: &DoseTruth) -> Option<f64> {
        Some(joint_utility(&self.config.utility, truth))
    }

    /// P(DLT) ≤ φ_T and P(response) ≥ φ_E.
    fn truly_acceptable(&self, truth: &DoseTruth) -> bool {
        truth.dlt <= self.config.phi_t && truth.response >= self.config.phi_e
    }
}

/// U-BOIN fitted to the outcomes so far.
pub struct UboinFit<'a> {
    design: &'a Uboin,
    data: &'a TrialData,
    /// BOIN's fit at φ_T: stage I, elimination, MTD.
    tox: IntervalFit<'a>,
}

/// Which rule decided (for [`Fit::reason`]).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Why {
    /// Dose 1 is eliminated.
    LowestTooToxic,
    /// Stage I: BOIN's move.
    StageOne,
    /// Stage II, B1: the dose above the highest tried one is explored.
    Explore,
    /// Stage II, B2: the admissible dose of highest posterior mean utility.
    Utility,
    /// Stage II, B2: no dose is admissible.
    NoneAdmissible,
}

impl UboinFit<'_> {
    /// The joint outcomes at `dose`.
    fn counts(&self, dose: Dose) -> EfficacyCounts {
        self.data
            .efficacy(dose)
            .expect("U-BOIN decides on responses: the engine gives it data with efficacy")
    }

    /// Whether the trial is in stage II: a dose has `stage2_at` patients.
    pub fn stage_two(&self) -> bool {
        self.data
            .doses()
            .any(|d| self.data.patients(d) >= self.design.config.stage2_at)
    }

    /// Tried, not eliminated, and neither too toxic nor futile under the Dirichlet posterior.
    fn stage_two_admissible(&self, dose: Dose) -> bool {
        let c = self.counts(dose);
        c.patients > 0
            && self.tox.admissible(dose)
            && self.design.toxicity_boundary(c.patients).is_none_or(|b| c.dlts < b)
            && self
                .design
                .futility_boundary(c.patients)
                .is_none_or(|b| c.responses > b)
    }

    /// The admissible doses (among the lowest `limit`) with their posterior mean utilities.
    fn candidates(&self, limit: usize) -> Vec<(Dose, f64)> {
        self.data
            .doses()
            .take(limit)
            .filter(|&d| self.stage_two_admissible(d))
            .map(|d| (d, self.design.config.posterior_mean_utility(&self.counts(d))))
            .collect()
    }

    /// The decision and the rule that made it.
    fn decide(&self) -> (Decision, Why) {
        if !self.tox.admissible(Dose(0)) {
            let stop = Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic,
            };
            return (stop, Why::LowestTooToxic);
        }
        if !self.stage_two() {
            return (self.stage_one(), Why::StageOne);
        }
        let data = self.data;
        let highest = data.highest_tried().expect("stage II has patients");
        let (n, y) = (data.patients(highest), data.dlts(highest));
        let above = Dose(highest.0 + 1);
        let low_toxicity = self.design.boundaries().escalate[n as usize].is_some_and(|b| y <= b);
        if low_toxicity && above.index() < data.num_doses() && self.tox.admissible(above) {
            return (Decision::Treat(above), Why::Explore);
        }
        match best(&self.candidates(data.num_doses())) {
            Some(dose) => (Decision::Treat(dose), Why::Utility),
            None => {
                let stop = Decision::Stop {
                    selected: None,
                    reason: StopReason::NoAcceptableDose,
                };
                (stop, Why::NoneAdmissible)
            }
        }
    }

    /// Stage I: BOIN at φ_T, or BOIN's move at `stage1_target` never into a dose eliminated at φ_T
    /// (the highest admissible dose at or below the move instead).
    fn stage_one(&self) -> Decision {
        let Some(moves) = &self.design.moves else {
            return self.tox.decision();
        };
        match moves.fit(self.data).decision() {
            Decision::Treat(mut dose) => {
                while !self.tox.admissible(dose) && dose.0 > 0 {
                    dose = Dose(dose.0 - 1);
                }
                Decision::Treat(dose)
            }
            other => other,
        }
    }

    /// The candidates the OBD is selected from, and BOIN's MTD when the selection needs it.
    fn selection_candidates(&self) -> (Vec<(Dose, f64)>, Option<Dose>) {
        match self.design.config.selection {
            UboinSelection::Utility => (self.candidates(self.data.num_doses()), None),
            UboinSelection::AtOrBelowMtd => {
                let mtd = self.tox.selected_dose();
                (self.candidates(mtd.map_or(0, |m| m.index() + 1)), mtd)
            }
        }
    }
}

/// The dose of highest utility (ties: the lower dose).
fn best(candidates: &[(Dose, f64)]) -> Option<Dose> {
    candidates
        .iter()
        .fold(None, |b: Option<(Dose, f64)>, &(d, u)| match b {
            Some((_, bu)) if bu >= u => b,
            _ => Some((d, u)),
        })
        .map(|(d, _)| d)
}

/// `candidates` as "dose 1 52.2, dose 2 74.7" (or "none").
fn listed(candidates: &[(Dose, f64)]) -> String {
    if candidates.is_empty() {
        return "none".into();
    }
    candidates
        .iter()
        .map(|(d, u)| format!("dose {d} {u:.1}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Fit for UboinFit<'_> {
    fn decision(&self) -> Decision {
        self.decide().0
    }

    fn reason(&self) -> String {
        let (decision, why) = self.decide();
        let config = &self.design.config;
        let target = match decision {
            Decision::Treat(next) => format!("treat at dose {next}"),
            other => other.to_string(),
        };
        match why {
            Why::LowestTooToxic => lowest_too_toxic(config.phi_t, config.c_t),
            Why::StageOne => match &self.design.moves {
                None => format!(
                    "stage I (no dose has {} patients yet): BOIN at φ_T = {}: {}",
                    config.stage2_at,
                    config.phi_t,
                    self.tox.reason()
                ),
                Some(moves) => format!(
                    "stage I (no dose has {} patients yet): BOIN at stage1_target = {} (elimination at φ_T = {}): {}; {target}",
                    config.stage2_at,
                    config.stage1_target,
                    config.phi_t,
                    moves.fit(self.data).reason()
                ),
            },
            Why::Explore => {
                let h = self.data.highest_tried().expect("stage II has patients");
                format!(
                    "stage II (B1): the highest tried dose {h} has {}/{} DLTs, at most the escalation boundary {}: {target} (untried)",
                    self.data.dlts(h),
                    self.data.patients(h),
                    self.design.boundaries().escalate[self.data.patients(h) as usize].unwrap_or(0)
                )
            }
            Why::Utility | Why::NoneAdmissible => format!(
                "stage II (B2): posterior mean utility of the admissible doses (tried, P(π_T > {}) ≤ {}, P(π_E < {}) ≤ {}): {}: {target}",
                config.phi_t,
                config.c_t,
                config.phi_e,
                config.c_e,
                listed(&self.candidates(self.data.num_doses()))
            ),
        }
    }

    /// The admissible dose of highest posterior mean utility (at or below BOIN's MTD with
    /// `"at_or_below_mtd"`); none once dose 1 is eliminated.
    fn selected_dose(&self) -> Option<Dose> {
        if !self.tox.admissible(Dose(0)) {
            return None;
        }
        best(&self.selection_candidates().0)
    }

    /// Not eliminated by BOIN, and in stage II (once tried) neither too toxic nor futile under the
    /// Dirichlet posterior: the doses the design may give next.
    fn admissible(&self, dose: Dose) -> bool {
        self.tox.admissible(dose)
            && (self.data.patients(dose) == 0 || !self.stage_two() || self.stage_two_admissible(dose))
    }

    /// BOIN's de-escalation boundary at `dose`'s own counts, or the dose is inadmissible.
    fn calls_for_deescalation(&self, dose: Dose) -> bool {
        !self.admissible(dose) || self.tox.calls_for_deescalation(dose)
    }

    /// BOIN's isotonic estimate (tried doses).
    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        self.tox.prob_tox(dose)
    }

    /// P(π_T > threshold) under the Dirichlet posterior's Beta(½ + y, ½ + n − y) margin.
    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        let (n, y) = (self.data.patients(dose), self.data.dlts(dose));
        Some(beta_sf(threshold, 0.5 + f64::from(y), 0.5 + f64::from(n - y)))
    }

    fn prob_tox_interval(&self, dose: Dose) -> Option<(f64, f64)> {
        self.tox.prob_tox_interval(dose)
    }

    /// The posterior mean (½ + r)/(1 + n), for tried doses.
    fn prob_response(&self, dose: Dose) -> Option<f64> {
        let c = self.counts(dose);
        (c.patients > 0).then(|| (0.5 + f64::from(c.responses)) / (1.0 + f64::from(c.patients)))
    }

    /// The posterior mean utility (0–100) that decides in stage II and selects.
    fn utility(&self, dose: Dose) -> Option<f64> {
        Some(self.design.config.posterior_mean_utility(&self.counts(dose)))
    }

    fn selection_reason(&self) -> Option<String> {
        let config = &self.design.config;
        if !self.tox.admissible(Dose(0)) {
            return Some(no_obd_too_toxic(config.phi_t, config.c_t));
        }
        let (candidates, mtd) = self.selection_candidates();
        let scope = match (config.selection, mtd) {
            (UboinSelection::Utility, _) => "the admissible doses".to_string(),
            (UboinSelection::AtOrBelowMtd, Some(m)) => format!("the admissible doses at or below BOIN's MTD dose {m}"),
            (UboinSelection::AtOrBelowMtd, None) => "no dose (BOIN selects no MTD)".to_string(),
        };
        let obd = best(&candidates).map_or("no OBD".to_string(), |d| format!("OBD dose {d}"));
        Some(format!(
            "selection \"{}\": posterior mean utility of {scope}: {}: {obd}",
            config.selection.name(),
            listed(&candidates)
        ))
    }
}
