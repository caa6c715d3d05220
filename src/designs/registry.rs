//! The design registry: every kind of dose-finding design a scenario can name, listed once in
//! [`DESIGNS`].
//!
//! A [`DesignKind`] declares its `rule` name, the paper it follows, what it supports
//! ([`Capabilities`]), and parses and validates its own keys from its `[[design]]` table into a
//! [`ConfiguredDesign`], which builds the design for the engines and describes its settings.
//! Adding a design is its file, declaring its kind, plus one line in [`DESIGNS`].

use super::interval::{self, IntervalFamily};
use super::tite;
use super::titration::{AcceleratedTitration, AfterFirstDlt};
use super::{blrm, crm, efftox, phase12, three_plus_three};
use super::{Design, DoseFinder, Rule, TrialLimits, WithRules};
use crate::core::params::{ParamError, Params};
use std::fmt;

/// Every design kind, in the order in which messages list them.
pub static DESIGNS: &[&dyn DesignKind] = &[
    &three_plus_three::THREE_PLUS_THREE,
    &interval::boin::BOIN,
    &interval::keyboard::KEYBOARD,
    &interval::mtpi2::MTPI2,
    &interval::i3plus3::I3PLUS3,
    &crm::CRM,
    &blrm::BLRM,
    &tite::crm::TITE_CRM,
    &tite::boin::TITE_BOIN,
    // Phase I/II designs, which decide on response as well as DLT.
    &phase12::params::BOIN12,
    &phase12::uboin_params::UBOIN,
    &efftox::EFFTOX,
];

/// The kind a scenario names with `rule = "…"`, if registered.
pub fn find(rule: &str) -> Option<&'static dyn DesignKind> {
    DESIGNS.iter().copied().find(|kind| kind.rule() == rule)
}

/// Every registered `rule` name, in registry order.
pub fn rule_names() -> Vec<&'static str> {
    DESIGNS.iter().map(|kind| kind.rule()).collect()
}

/// The interval designs' rule names (those `trialsim boundaries` tabulates), in registry order.
pub fn interval_rule_names() -> Vec<&'static str> {
    DESIGNS
        .iter()
        .filter_map(|kind| kind.interval_family())
        .map(|family| family.name)
        .collect()
}

/// The interval design named `rule`, if registered.
pub fn interval_family(rule: &str) -> Option<&'static IntervalFamily> {
    find(rule).and_then(|kind| kind.interval_family())
}

/// What a design kind supports. The scenario checks a `[[design]]`'s keys against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Its decisions are a function of the per-dose counts, cheap enough to take in every
    /// reachable state, so operating characteristics can be computed by exact enumeration (`run
    /// --exact` simulates the other designs of the scenario, with a note).
    pub exact: bool,
    /// A fit costs a model fit, so engines cache decisions by trial state (what
    /// [`Design::costly_fit`] answers for the design it builds).
    pub decision_cache: bool,
    /// Its fit has a posterior probability of toxicity ([`Fit::prob_tox_exceeds`](super::Fit)),
    /// which the rule `stop_when_too_toxic` needs.
    pub posterior: bool,
    /// It decides from partial follow-up in calendar time (what the design it builds answers to
    /// [`DoseFinder::decides_on_pending`]), so its scenario needs `[timing]`; it takes no
    /// accelerated titration.
    pub time_to_event: bool,
    /// It can take backfill cohorts: it waits for complete data and decides from pooled counts.
    pub backfill: bool,
    /// It decides from efficacy outcomes as well as toxicity (a phase I/II design, selecting an
    /// OBD: what the design it builds answers to [`DoseFinder::uses_efficacy`]).
    pub efficacy: bool,
}

/// The scenario's `[trial]` settings a design's parameters are validated against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialContext {
    /// The target DLT probability.
    pub target: f64,
    /// The dose levels, cohort size, sample size and start dose.
    pub limits: TrialLimits,
    /// The largest sample size a scenario may ask for.
    pub max_patients_limit: u32,
}

/// The parser of a design kind's own keys.
pub type ParseFn = fn(&mut Params, &TrialContext) -> Result<Box<dyn ConfiguredDesign>, ParamError>;

/// One kind of dose-finding design, as a scenario names it with `rule = "…"`.
pub trait DesignKind: Sync {
    /// The scenario's `rule` name.
    fn rule(&self) -> &'static str;
    /// The paper (or papers) the design follows, `; `-separated.
    fn citation(&self) -> &'static str;
    /// What the design supports.
    fn capabilities(&self) -> Capabilities;
    /// Parses and validates the design's own keys: what is left of its `[[design]]` table once
    /// the keys every design shares are taken. Unknown keys are refused.
    fn parse(&'static self, params: &mut Params, trial: &TrialContext)
        -> Result<Box<dyn ConfiguredDesign>, ParamError>;
    /// The interval rule, for an interval design (whose decision table `trialsim boundaries`
    /// prints).
    fn interval_family(&'static self) -> Option<&'static IntervalFamily> {
        None
    }
}

/// A design kind given by its parts: every design but the interval ones, which declare an
/// [`IntervalFamily`].
pub struct SimpleKind {
    /// The scenario's `rule` name.
    pub rule: &'static str,
    /// The paper (or papers) the design follows, `; `-separated.
    pub citation: &'static str,
    /// What the design supports.
    pub capabilities: Capabilities,
    /// Parses and validates the design's own keys.
    pub parse: ParseFn,
}

impl DesignKind for SimpleKind {
    fn rule(&self) -> &'static str {
        self.rule
    }

    fn citation(&self) -> &'static str {
        self.citation
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    fn parse(
        &'static self,
        params: &mut Params,
        trial: &TrialContext,
    ) -> Result<Box<dyn ConfiguredDesign>, ParamError> {
        (self.parse)(params, trial)
    }
}

/// A design kind with its parameters validated: what a `[[design]]`'s `rule` and own keys become.
pub trait ConfiguredDesign: fmt::Debug + Send + Sync {
    /// Its kind (rule name, citation, capabilities).
    fn kind(&self) -> &'static dyn DesignKind;
    /// Its settings in the scenario's key names, as the run's index lists them.
    fn settings(&self) -> String;
    /// The design for every engine, inside `wrappers` (a time-to-event design decides on
    /// pending outcomes where the data carry follow-up, as its complete-data design elsewhere).
    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder>;
}

/// What a `[[design]]` puts around its base design: its name, accelerated titration, its ordered
/// rules and the trial's limits.
pub struct Wrappers {
    /// The design's name in the scenario.
    pub name: String,
    /// Single-patient cohorts until the first DLT (Simon et al. 1997), and which dose the cohort
    /// after it fills up; `None`: no titration.
    pub accelerated_titration: Option<AfterFirstDlt>,
    /// Stopping and skipping rules, in order.
    pub rules: Vec<Box<dyn Rule>>,
    /// The trial's limits.
    pub limits: TrialLimits,
}

impl Wrappers {
    /// `design` in its titration stage (if any), its rules and the trial's limits.
    pub fn wrap<D: Design + 'static>(self, design: D) -> Box<dyn DoseFinder> {
        if let Some(after_first_dlt) = self.accelerated_titration {
            Box::new(WithRules::new(
                self.name,
                AcceleratedTitration::new(design, after_first_dlt),
                self.rules,
                self.limits,
            ))
        } else {
            Box::new(WithRules::new(self.name, design, self.rules, self.limits))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::params::FieldPath;
    use crate::designs::Dose;
    use std::collections::HashSet;

    fn trial(target: f64) -> TrialContext {
        TrialContext {
            target,
            limits: TrialLimits {
                num_doses: 4,
                cohort_size: 3,
                max_patients: 24,
                start_dose: Dose(0),
            },
            max_patients_limit: 10_000,
        }
    }

    /// The fewest keys each registered design needs.
    fn minimal_table(rule: &str) -> toml::Table {
        let text = match rule {
            "crm" | "tite-crm" => "skeleton = [0.05, 0.12, 0.25, 0.40]",
            "blrm" => "dose_amounts = [1.0, 2.0, 4.0, 8.0]\nreference_dose = 4.0",
            "efftox" => "dose_amounts = [1.0, 2.0, 4.0, 8.0]",
            _ => "",
        };
        toml::from_str(text).unwrap()
    }

    fn parse(kind: &'static dyn DesignKind) -> Box<dyn ConfiguredDesign> {
        let mut params = Params::new(minimal_table(kind.rule()), FieldPath::default().key("design").at(0));
        kind.parse(&mut params, &trial(0.25))
            .unwrap_or_else(|e| panic!("{}: {e}", kind.rule()))
    }

    #[test]
    fn names_are_unique() {
        let mut seen = HashSet::new();
        for name in rule_names() {
            assert!(seen.insert(name), "rule '{name}' is registered twice");
        }
        assert_eq!(interval_rule_names(), ["boin", "keyboard", "mtpi2", "i3+3"]);
    }

    #[test]
    fn every_rule_parses_from_a_minimal_table() {
        for &kind in DESIGNS {
            let design = parse(kind);
            assert_eq!(design.kind().rule(), kind.rule());
            assert!(find(kind.rule()).is_some());
        }
    }

    /// What a kind declares is what the design it builds does.
    #[test]
    fn capabilities_match_the_designs() {
        for &kind in DESIGNS {
            let design = parse(kind);
            let wrappers = || Wrappers {
                name: kind.rule().to_string(),
                accelerated_titration: None,
                rules: Vec::new(),
                limits: trial(0.25).limits,
            };
            let capabilities = kind.capabilities();
            assert_eq!(
                design.build(wrappers()).cache_decisions(),
                capabilities.decision_cache,
                "{}",
                kind.rule()
            );
            assert_eq!(
                design.build(wrappers()).decides_on_pending(),
                capabilities.time_to_event,
                "{}",
                kind.rule()
            );
            assert_eq!(
                design.build(wrappers()).uses_efficacy(),
                capabilities.efficacy,
                "{}",
                kind.rule()
            );
            // Every toxicity-only design that decides on complete data is exact.
            if !capabilities.efficacy {
                assert_eq!(capabilities.exact, !capabilities.time_to_event, "{}", kind.rule());
            }
        }
    }

    /// Each kind's citation is the one the README's Designs table gives.
    #[test]
    fn citations_match_the_readme() {
        let readme = include_str!("../../README.md").replace('*', "");
        for &kind in DESIGNS {
            for paper in kind.citation().split("; ") {
                assert!(readme.contains(paper), "{}: '{paper}' is not in README.md", kind.rule());
            }
        }
    }
}
