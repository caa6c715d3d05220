//! Interval designs: after each cohort, the current dose's patients n and DLTs y are looked up in
//! a table fixed before the trial (escalate if y ≤ e(n), de-escalate if y ≥ d(n), else stay), and
//! a dose whose posterior P(p > φ | y, n) under Beta(1, 1) exceeds a cutoff is eliminated with every
//! higher dose. The MTD is selected by isotonic regression as in `BOIN::select.mtd` (Keyboard's
//! `select.mtd.kb` is the same procedure).
//!
//! The rules differ only in how e(n) and d(n) are derived, each in its own file declaring an
//! [`IntervalFamily`]: [`boin`] (Liu & Yuan 2015), [`keyboard`] (Yan, Mandrekar & Yuan 2017),
//! [`mtpi2`] (Guo et al. 2017) and [`i3plus3`] (Liu, Wang & Ji 2020). The trial loop follows `BOIN::get.oc`
//! 2.7.2 and `Keyboard::get.oc.kb` (VALIDATION R12).

pub mod boin;
mod explain;
pub mod i3plus3;
pub mod keyboard;
pub mod mtpi2;
pub(crate) mod params;
mod table;

pub use table::BoundaryTable;

use super::registry::interval_family;
use super::{Decision, Design, Dose, Fit, StopReason, TrialData};
use crate::core::stats::isotonic::{pava_blocks, Block};
use crate::core::stats::{beta_interval, beta_uniform_posterior_exceeds};
use std::fmt;

/// Escalate / de-escalate counts at one n: escalate if y ≤ `escalate`, de-escalate if
/// y ≥ `deescalate`; `None` means never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    /// Escalate if DLTs ≤ this (`None`: never).
    pub escalate: Option<u32>,
    /// De-escalate if DLTs ≥ this (`None`: never).
    pub deescalate: Option<u32>,
}

/// When `n_earlystop` ends the trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarlyStop {
    /// Only when the trial would stay at the current dose (BOIN 2.7's coded rule).
    WhenStaying,
    /// As soon as the current dose has `n_earlystop` patients (Keyboard's `get.oc.kb`, which
    /// checks it before elimination and extra safety when, as it does, it selects without extra
    /// safety).
    Always,
}

/// What an interval rule's two parameters are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edges {
    /// The interval's edges themselves (BOIN's φ1 and φ2).
    Rates,
    /// Margins below and above the target: the interval is [φ − below, φ + above].
    Margins,
}

/// One interval design: its name and paper, its two parameters, and how its escalate and
/// de-escalate counts derive from them. Each rule's file declares one as a `static` and the
/// registry lists it; elimination, the trial loop, MTD selection and parameter checks are shared.
#[derive(Debug)]
pub struct IntervalFamily {
    /// The scenario's `rule` name.
    pub name: &'static str,
    /// The paper the rule follows.
    pub citation: &'static str,
    /// The scenario keys of its two parameters: (below the target, above it).
    pub parameters: (&'static str, &'static str),
    /// What the two parameters are.
    pub edges: Edges,
    /// The published default parameters at a target.
    pub defaults: fn(target: f64) -> (f64, f64),
    /// The rule's counts at n (escalate if y ≤ …, de-escalate if y ≥ …), before de-escalation is
    /// capped at elimination.
    pub counts: fn(target: f64, below: f64, above: f64, n: u32) -> Counts,
    /// The smallest n at which the reference's table lists an elimination count (Keyboard and
    /// mTPI-2 tabulate it from n = 1); the trial itself eliminates only from n = 3.
    pub elimination_listed_from: u32,
    /// When `n_earlystop` ends the trial.
    pub early_stop: EarlyStop,
    /// The line `trialsim boundaries` prints above the table, at a target with the parameters.
    pub describe: fn(target: f64, below: f64, above: f64) -> String,
}

/// An interval rule with its two parameters (φ1, φ2 for BOIN; the interval's margins below and
/// above the target otherwise).
#[derive(Clone, Copy)]
pub struct IntervalRule {
    family: &'static IntervalFamily,
    below: f64,
    above: f64,
}

impl IntervalRule {
    /// The rule of `family` with its two parameters.
    pub fn new(family: &'static IntervalFamily, below: f64, above: f64) -> IntervalRule {
        IntervalRule { family, below, above }
    }

    /// The rule of `family` with its published defaults at a target.
    pub fn with_defaults(family: &'static IntervalFamily, target: f64) -> IntervalRule {
        let (below, above) = (family.defaults)(target);
        IntervalRule::new(family, below, above)
    }

    /// BOIN with its published defaults for a target φ.
    pub fn boin(target: f64) -> IntervalRule {
        IntervalRule::with_defaults(&boin::BOIN, target)
    }

    /// The registered rule `name` with its two parameters; `None` for a name that is not an
    /// interval design.
    pub fn from_parts(name: &str, below: f64, above: f64) -> Option<IntervalRule> {
        interval_family(name).map(|family| IntervalRule::new(family, below, above))
    }

    /// The rule's family.
    pub fn family(&self) -> &'static IntervalFamily {
        self.family
    }

    /// The scenario's `rule` name.
    pub fn name(&self) -> &'static str {
        self.family.name
    }

    /// The two parameters (below the target, above it).
    pub fn parameters(&self) -> (f64, f64) {
        (self.below, self.above)
    }

    /// The interval's edges at a target.
    fn interval(&self, target: f64) -> (f64, f64) {
        match self.family.edges {
            Edges::Rates => (self.below, self.above),
            Edges::Margins => (target - self.below, target + self.above),
        }
    }

    /// Checks the parameters against the target; on failure, the parameter's name and the problem.
    pub fn check(&self, target: f64) -> Result<(), (&'static str, String)> {
        let (below_name, above_name) = self.family.parameters;
        let (lower, upper) = self.interval(target);
        if !(lower.is_finite() && lower > 0.0 && lower < target) {
            return Err((
                below_name,
                format!("puts the lower edge at {lower}, outside (0, target {target})"),
            ));
        }
        if !(upper.is_finite() && upper > target && upper < 1.0) {
            return Err((
                above_name,
                format!("puts the upper edge at {upper}, outside (target {target}, 1)"),
            ));
        }
        Ok(())
    }

    /// The rule, its paper and its parameters at a target, in one line.
    pub fn describe(&self, target: f64) -> String {
        (self.family.describe)(target, self.below, self.above)
    }

    /// The parameters in the scenario's key names.
    pub fn settings(&self) -> String {
        let (below, above) = self.family.parameters;
        format!("{below} = {}, {above} = {}", self.below, self.above)
    }

    /// The rule's counts at n, before capping de-escalation at elimination.
    fn counts(&self, target: f64, n: u32) -> Counts {
        (self.family.counts)(target, self.below, self.above, n)
    }
}

impl PartialEq for IntervalRule {
    fn eq(&self, other: &IntervalRule) -> bool {
        std::ptr::eq(self.family, other.family) && self.parameters() == other.parameters()
    }
}

impl fmt::Debug for IntervalRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (below, above) = self.family.parameters;
        f.debug_struct("IntervalRule")
            .field("rule", &self.family.name)
            .field(below, &self.below)
            .field(above, &self.above)
            .finish()
    }
}

/// An interval design's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct IntervalConfig {
    /// Target DLT probability φ.
    pub target: f64,
    /// The rule and its two parameters.
    pub rule: IntervalRule,
    /// Posterior probability above which a dose is eliminated (default 0.95).
    pub cutoff_eliminate: f64,
    /// Stop when the lowest dose is too toxic at the looser cutoff `cutoff_eliminate − offset`.
    pub extra_safe: bool,
    /// Offset for `extra_safe` (default 0.05).
    pub offset: f64,
    /// Whether the MTD selection at the end also applies `extra_safe` (BOIN's `get.oc` does;
    /// Keyboard 0.1.3's `get.oc.kb` does not: see [`keyboard`]).
    pub extra_safe_at_selection: bool,
    /// Stop once this many patients are at the current dose (default 100: off); see [`EarlyStop`].
    pub n_earlystop: u32,
}

impl IntervalConfig {
    /// The rule with the references' defaults for everything else.
    pub fn new(target: f64, rule: impl Into<IntervalRule>) -> IntervalConfig {
        let rule: IntervalRule = rule.into();
        IntervalConfig {
            target,
            rule,
            cutoff_eliminate: 0.95,
            extra_safe: false,
            offset: 0.05,
            n_earlystop: 100,
            extra_safe_at_selection: keyboard::extra_safe_at_selection_by_default(rule.family),
        }
    }
}

/// An interval design for a trial with a given maximum number of patients.
#[derive(Clone, Debug)]
pub struct IntervalDesign {
    config: IntervalConfig,
    table: BoundaryTable,
}

impl IntervalDesign {
    /// The design with its table precomputed up to `max_patients` at one dose.
    pub fn new(config: IntervalConfig, max_patients: u32) -> IntervalDesign {
        let table = BoundaryTable::new(&config, max_patients);
        IntervalDesign { config, table }
    }

    /// The design's settings.
    pub fn config(&self) -> &IntervalConfig {
        &self.config
    }

    /// The decision counts for n = 0 … max patients.
    pub fn table(&self) -> &BoundaryTable {
        &self.table
    }

    /// Whether the DLTs at a dose cross the elimination boundary.
    pub(crate) fn crosses_elimination(&self, n: u32, y: u32) -> bool {
        n >= 3 && self.table.eliminate[n as usize].is_some_and(|e| y >= e)
    }

    /// Extra safety at the lowest dose: P(p₁ > φ) > cutoff − offset with n₁ ≥ 3.
    fn lowest_dose_unsafe(&self, data: &TrialData) -> bool {
        let (n, y) = (data.patients(Dose(0)), data.dlts(Dose(0)));
        self.config.extra_safe && self.table.lowest_dose_stop[n as usize].is_some_and(|stop| y >= stop)
    }

    /// The lowest eliminated dose, if any: elimination is checked after every cohort at the dose
    /// treated, so it is a function of the counts.
    fn first_eliminated(&self, data: &TrialData) -> Option<Dose> {
        data.doses()
            .find(|&d| self.crosses_elimination(data.patients(d), data.dlts(d)))
    }

    /// `select.mtd`: isotonic estimates over treated, non-eliminated doses; the dose closest to
    /// φ, ties within a pooled block resolved upwards below φ and downwards above φ.
    fn select_mtd(&self, data: &TrialData) -> Option<Dose> {
        self.select_mtd_with_prior(data, SELECT_PRIOR)
    }

    /// [`select.mtd`](Self::select_mtd) with the estimates' Beta(`prior`, `prior`) prior (BOIN
    /// 2.7 uses 0.05; TITEgBOIN's `select_mtd_TITE_QuasiBOIN` 0.005).
    pub(crate) fn select_mtd_with_prior(&self, data: &TrialData, prior: f64) -> Option<Dose> {
        let first_eliminated = if self.config.extra_safe_at_selection && self.lowest_dose_unsafe(data) {
            Some(Dose(0))
        } else {
            self.first_eliminated(data)
        };
        let limit = first_eliminated.map_or(data.num_doses(), Dose::index);
        let phi = self.config.target;
        with_blocks(limit, |blocks| {
            let count = pava_blocks(treated(data, limit).map(|d| raw_estimate(data, d, prior)), blocks);
            let mut doses = treated(data, limit);
            let mut best: Option<(f64, Dose)> = None;
            let mut i = 0;
            for &(p, _, len) in &blocks[..count] {
                for dose in doses.by_ref().take(len) {
                    i += 1;
                    // BOIN breaks ties within a pooled block by adding i·1e-10.
                    let distance = (p + i as f64 * 1e-10 - phi).abs();
                    if best.is_none_or(|(b, _)| distance < b) {
                        best = Some((distance, dose));
                    }
                }
            }
            best.map(|(_, dose)| dose)
        })
    }
}

/// Doses up to this many get their isotonic-regression scratch on the stack.
const STACK_DOSES: usize = 16;

/// Runs `f` with scratch room for `n` PAVA blocks, allocating only past [`STACK_DOSES`].
fn with_blocks<R>(n: usize, f: impl FnOnce(&mut [Block]) -> R) -> R {
    if n <= STACK_DOSES {
        f(&mut [(0.0, 0.0, 0); STACK_DOSES])
    } else {
        f(&mut vec![(0.0, 0.0, 0); n])
    }
}

/// The treated doses among the lowest `limit`.
fn treated(data: &TrialData, limit: usize) -> impl Iterator<Item = Dose> + '_ {
    data.doses().take(limit).filter(|&d| data.patients(d) > 0)
}

/// The Beta(a, a) prior of BOIN's `select.mtd` estimates (BOIN 2.7).
const SELECT_PRIOR: f64 = 0.05;

/// `select.mtd`'s estimate at a treated dose before pooling, (y + a)/(n + 2a) under a Beta(a, a)
/// prior, and its PAVA weight 1/var, var = (y+a)(n−y+a)/((n+2a)²(n+2a+1)).
fn raw_estimate(data: &TrialData, dose: Dose, a: f64) -> (f64, f64) {
    let (n, y) = (f64::from(data.patients(dose)), f64::from(data.dlts(dose)));
    let var = (y + a) * (n - y + a) / ((n + 2.0 * a).powi(2) * (n + (2.0 * a + 1.0)));
    ((y + a) / (n + 2.0 * a), 1.0 / var)
}

/// An interval design fitted to the outcomes so far.
pub struct IntervalFit<'a> {
    design: &'a IntervalDesign,
    data: &'a TrialData,
    first_eliminated: Option<Dose>,
}

impl Design for IntervalDesign {
    type Fit<'a> = IntervalFit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> IntervalFit<'a> {
        IntervalFit {
            design: self,
            data,
            first_eliminated: self.first_eliminated(data),
        }
    }
}

/// Which branch of the interval rule decided (for [`Fit::reason`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    /// The lowest dose crossed the elimination boundary.
    LowestEliminated,
    /// The lowest dose failed the extra safety rule.
    LowestUnsafe,
    /// `n_earlystop` patients at the dose.
    EarlyStop,
    /// The counts call for escalation (to the next dose, or staying when it is eliminated or
    /// there is none).
    Escalate,
    /// The counts call for de-escalation (or staying at the lowest dose).
    Deescalate,
    /// The counts lie between the boundaries.
    Stay,
}

impl IntervalFit<'_> {
    /// The rule's decision and the branch that made it.
    fn decide(&self) -> (Decision, Why) {
        let (design, data) = (self.design, self.data);
        let d = data.current_dose();
        let (n, y) = (data.patients(d), data.dlts(d));
        let top = Dose((data.num_doses() - 1) as u16);
        let stop_too_toxic = Decision::Stop {
            selected: None,
            reason: StopReason::TooToxic,
        };
        let enough_at_dose = || {
            let stop = Decision::Stop {
                selected: design.select_mtd(data),
                reason: StopReason::EnoughAtDose,
            };
            (stop, Why::EarlyStop)
        };
        // get.oc.kb ends the trial at n.earlystop before it checks elimination or extra safety,
        // and selects without extra safety; the readings that select with it check safety first.
        let early_stop_first =
            design.config.rule.family.early_stop == EarlyStop::Always && !design.config.extra_safe_at_selection;
        if early_stop_first && n >= design.config.n_earlystop {
            return enough_at_dose();
        }
        // get.oc (and get.oc.kb) check elimination (and, inside that check, extra safety) only where the
        // elimination boundary exists at n.
        if n >= 3 && design.table.eliminate[n as usize].is_some() {
            if d == Dose(0) && design.crosses_elimination(n, y) {
                return (stop_too_toxic, Why::LowestEliminated);
            }
            if d == Dose(0) && design.lowest_dose_unsafe(data) {
                return (stop_too_toxic, Why::LowestUnsafe);
            }
        }
        let table = &design.table;
        let escalate = table.escalate[n as usize].is_some_and(|e| y <= e);
        let deescalate = table.deescalate[n as usize].is_some_and(|e| y >= e);
        let next_eliminated = d == top || !self.admissible(Dose(d.0 + 1));
        let stays = (!escalate && !deescalate) || (d == Dose(0) && deescalate) || (next_eliminated && escalate);
        let early_stop = match design.config.rule.family.early_stop {
            EarlyStop::WhenStaying => stays,
            EarlyStop::Always => true,
        };
        if n >= design.config.n_earlystop && early_stop {
            return enough_at_dose();
        }
        if escalate {
            let next = if d == top || next_eliminated { d } else { Dose(d.0 + 1) };
            (Decision::Treat(next), Why::Escalate)
        } else if deescalate {
            (Decision::Treat(Dose(d.0.saturating_sub(1))), Why::Deescalate)
        } else {
            (Decision::Treat(d), Why::Stay)
        }
    }
}

impl Fit for IntervalFit<'_> {
    fn decision(&self) -> Decision {
        self.decide().0
    }

    fn reason(&self) -> String {
        let (decision, why) = self.decide();
        self.explain(decision, why)
    }

    /// Beta(0.05 + y, 0.05 + n − y), the posterior of `select.mtd` (BOIN 2.7), 5% and 95%
    /// quantiles; `None` for an untried dose.
    fn prob_tox_interval(&self, dose: Dose) -> Option<(f64, f64)> {
        let (n, y) = (self.data.patients(dose), self.data.dlts(dose));
        (n > 0).then(|| beta_interval(0.05 + f64::from(y), 0.05 + f64::from(n - y), 0.90))
    }

    fn selected_dose(&self) -> Option<Dose> {
        self.design.select_mtd(self.data)
    }

    fn admissible(&self, dose: Dose) -> bool {
        self.first_eliminated.is_none_or(|e| dose < e)
    }

    /// The rule's de-escalation boundary at `dose`'s own count (as the decision at the current
    /// dose), or the dose is eliminated.
    fn calls_for_deescalation(&self, dose: Dose) -> bool {
        let (n, y) = (self.data.patients(dose), self.data.dlts(dose));
        !self.admissible(dose) || self.design.table.deescalate[n as usize].is_some_and(|e| y >= e)
    }

    /// The isotonic estimate of `select.mtd` (without its tie-breaking offsets), for treated doses.
    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        let data = self.data;
        let position = treated(data, data.num_doses()).position(|d| d == dose)?;
        with_blocks(data.num_doses(), |blocks| {
            let count = pava_blocks(
                treated(data, data.num_doses()).map(|d| raw_estimate(data, d, SELECT_PRIOR)),
                blocks,
            );
            let mut start = 0;
            blocks[..count].iter().find_map(|&(p, _, len)| {
                start += len;
                (position < start).then_some(p)
            })
        })
    }

    /// Beta(1 + y, 1 + n − y) posterior of the dose's own data, as BOIN's elimination rule;
    /// `None` for an untried dose (no data to judge it by).
    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        let (n, y) = (self.data.patients(dose), self.data.dlts(dose));
        (n > 0).then(|| beta_uniform_posterior_exceeds(threshold, n, y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the elimination boundary vanished for thousands of patients (binomial
    /// underflow), and building the table was cubic in the sample size.
    #[test]
    fn boundaries_for_very_large_trials() {
        let table = BoundaryTable::new(&IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 3_000);
        for n in [2_500, 3_000] {
            let e = table.eliminate[n].expect("a boundary exists");
            assert!(e as f64 > 0.3 * n as f64 && (e as f64) < 0.33 * n as f64, "n {n}: {e}");
        }
    }

    /// `describe` gives the line `trialsim boundaries` prints above its table.
    #[test]
    fn describe_matches_the_recorded_boundaries() {
        let recorded = include_str!("../../../tests/recorded/boundaries/stdout.txt");
        let cases = [
            ("boin", 0.25, None),
            ("boin", 0.3, Some((0.2, 0.4))),
            ("keyboard", 0.25, None),
            ("mtpi2", 0.3, None),
            ("i3+3", 0.3, Some((0.05, 0.1))),
        ];
        for (name, target, parameters) in cases {
            let family = interval_family(name).expect("a registered interval design");
            let (below, above) = parameters.unwrap_or((family.defaults)(target));
            let line = IntervalRule::new(family, below, above).describe(target);
            assert!(recorded.lines().any(|l| l == line), "{line}");
        }
    }

    #[test]
    fn elimination_needs_three_patients() {
        let table = BoundaryTable::new(&IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 6);
        assert_eq!(table.eliminate[1], None);
        assert_eq!(table.eliminate[2], None);
        // Extra safety at dose 1 uses the looser cutoff 0.90: 2/3 at phi = 0.3 gives 0.9163.
        assert_eq!(table.lowest_dose_stop[2], None);
        assert_eq!(table.lowest_dose_stop[3], Some(2));
    }

    fn data(counts: &[(u16, u16)], last: usize) -> TrialData {
        let mut data = TrialData::new(counts.len());
        for (i, &(n, y)) in counts.iter().enumerate() {
            if i != last && n > 0 {
                data.add_cohort(Dose(i as u16), n, y);
            }
        }
        let (n, y) = counts[last];
        data.add_cohort(Dose(last as u16), n, y);
        data
    }

    #[test]
    fn select_mtd_pools_and_breaks_ties() {
        let boin = IntervalDesign::new(IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 30);
        // 1/3, 0/3 pool below 0.3: the higher dose of the pool wins.
        let d = data(&[(3, 1), (3, 0), (3, 3)], 2);
        assert_eq!(boin.fit(&d).selected_dose(), Some(Dose(1)));
        // Dose 1 with 3/3 is eliminated: no MTD.
        let d = data(&[(3, 3), (0, 0)], 0);
        assert_eq!(boin.fit(&d).selected_dose(), None);
        assert_eq!(
            boin.fit(&d).decision(),
            Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic
            }
        );
    }

    #[test]
    fn escalation_into_eliminated_dose_stays() {
        let boin = IntervalDesign::new(IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 30);
        // Dose 2 eliminated (3/3); back at dose 1 with 0/6: escalation is blocked.
        let d = data(&[(6, 0), (3, 3), (0, 0)], 0);
        assert_eq!(boin.fit(&d).decision(), Decision::Treat(Dose(0)));
    }

    #[test]
    fn n_earlystop_only_when_staying() {
        let mut config = IntervalConfig::new(0.3, IntervalRule::boin(0.3));
        config.n_earlystop = 9;
        let boin = IntervalDesign::new(config, 30);
        // 9 at dose 2 with 3 DLTs: stay (escalate ≤ 2, de-escalate ≥ 4), so stop.
        let d = data(&[(3, 0), (9, 3), (0, 0)], 1);
        assert!(matches!(
            boin.fit(&d).decision(),
            Decision::Stop {
                reason: StopReason::EnoughAtDose,
                ..
            }
        ));
        // 9 at dose 2 with 0 DLTs: escalate, so continue.
        let d = data(&[(3, 0), (9, 0), (0, 0)], 1);
        assert_eq!(boin.fit(&d).decision(), Decision::Treat(Dose(2)));
    }
}
