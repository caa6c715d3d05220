//! Stopping and skipping rules that wrap any design, applied in order (the R package
//! `escalation`'s `stop_at_n`, `stop_when_n_at_dose`, `dont_skip_doses`, `stop_when_too_toxic`).
//!
//! When a rule stops a trial for a reason other than toxicity, the design selects its MTD from all
//! the data ([`Fit::selected_dose`]), as it would at the planned end.

use super::{Decision, Dose, Fit, StopReason, TrialData};
use std::fmt;

/// A rule that may change a design's proposed decision.
pub trait Rule: Send + Sync {
    /// The decision after this rule, given the design's fit and the decision so far.
    fn apply(&self, data: &TrialData, fit: &dyn Fit, proposed: Decision) -> Decision;
    /// The rule with its settings in the scenario's inline-table syntax (e.g.
    /// `stop_at_n { n = 24 }`).
    fn describe(&self) -> String;
}

/// Which dose a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoseSelector {
    /// The dose the design proposes to give next.
    Recommended,
    /// Any dose.
    Any,
    /// One dose level.
    Level(Dose),
}

/// As the scenario writes it: `"recommended"`, `"any"` or a level.
impl fmt::Display for DoseSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DoseSelector::Recommended => f.write_str("\"recommended\""),
            DoseSelector::Any => f.write_str("\"any\""),
            DoseSelector::Level(d) => write!(f, "{d}"),
        }
    }
}

impl DoseSelector {
    /// Whether `test` holds at the selected dose(s); `proposed` is the next dose, if any.
    fn holds(self, data: &TrialData, proposed: Option<Dose>, mut test: impl FnMut(Dose) -> bool) -> bool {
        match self {
            DoseSelector::Recommended => proposed.is_some_and(test),
            DoseSelector::Any => data.doses().any(test),
            DoseSelector::Level(d) => test(d),
        }
    }
}

fn proposed_dose(decision: Decision) -> Option<Dose> {
    match decision {
        Decision::Treat(d) => Some(d),
        Decision::Stop { .. } | Decision::Wait => None,
    }
}

fn stop_and_select(fit: &dyn Fit, reason: StopReason) -> Decision {
    Decision::Stop {
        selected: fit.selected_dose(),
        reason,
    }
}

/// Stop once the trial has treated at least `n` patients (`escalation::stop_at_n`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StopAtN {
    /// Stop once this many patients have been treated.
    pub n: u32,
}

impl Rule for StopAtN {
    fn apply(&self, data: &TrialData, fit: &dyn Fit, proposed: Decision) -> Decision {
        match proposed {
            Decision::Treat(_) if data.total_patients() >= self.n => stop_and_select(fit, StopReason::MaxPatients),
            other => other,
        }
    }

    fn describe(&self) -> String {
        format!("stop_at_n {{ n = {} }}", self.n)
    }
}

/// Stop once at least `n` patients have been treated at the selected dose
/// (`escalation::stop_when_n_at_dose`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StopWhenNAtDose {
    /// Stop once this many patients are at the dose.
    pub n: u32,
    /// Which dose is counted.
    pub dose: DoseSelector,
}

impl Rule for StopWhenNAtDose {
    fn apply(&self, data: &TrialData, fit: &dyn Fit, proposed: Decision) -> Decision {
        let next = proposed_dose(proposed);
        if next.is_some() && self.dose.holds(data, next, |d| data.patients(d) >= self.n) {
            stop_and_select(fit, StopReason::EnoughAtDose)
        } else {
            proposed
        }
    }

    fn describe(&self) -> String {
        format!("stop_when_n_at_dose {{ n = {}, dose = {} }}", self.n, self.dose)
    }
}

/// Never skip an untried dose: the next dose is at most one above the last dose given (and,
/// optionally, at least one below it) (`escalation::dont_skip_doses`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DontSkipDoses {
    /// Never escalate by more than one level from the last dose.
    pub when_escalating: bool,
    /// Never de-escalate by more than one level from the last dose.
    pub when_deescalating: bool,
}

impl Rule for DontSkipDoses {
    /// The cap never moves the trial to a dose the design has made inadmissible (e.g. one that
    /// BLRM's overdose control forbids): de-escalating past such a dose is not skipping.
    fn apply(&self, data: &TrialData, fit: &dyn Fit, proposed: Decision) -> Decision {
        let (Decision::Treat(next), Some(last)) = (proposed, data.last_cohort()) else {
            return proposed;
        };
        let last = last.dose;
        let capped = if self.when_escalating && next.0 > last.0 + 1 {
            Dose(last.0 + 1)
        } else if self.when_deescalating && next.0 + 1 < last.0 {
            Dose(last.0 - 1)
        } else {
            return proposed;
        };
        if fit.admissible(capped) {
            Decision::Treat(capped)
        } else {
            proposed
        }
    }

    fn describe(&self) -> String {
        format!(
            "dont_skip_doses {{ when_escalating = {}, when_deescalating = {} }}",
            self.when_escalating, self.when_deescalating
        )
    }
}

/// Stop with no recommended dose when P(p_dose > `threshold` | data) ≥ `certainty` at the
/// selected dose(s) (`escalation::stop_when_too_toxic`; here with the design's exact posterior).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StopWhenTooToxic {
    /// Which dose is judged.
    pub dose: DoseSelector,
    /// The DLT probability above which a dose is too toxic.
    pub threshold: f64,
    /// The posterior probability of exceeding `threshold` at which the trial stops.
    pub certainty: f64,
}

impl Rule for StopWhenTooToxic {
    fn apply(&self, data: &TrialData, fit: &dyn Fit, proposed: Decision) -> Decision {
        let too_toxic = |d: Dose| {
            fit.prob_tox_exceeds_at_least(d, self.threshold, self.certainty)
                .unwrap_or(false)
        };
        let next = match proposed {
            Decision::Treat(d) => Some(d),
            // A trial that already stopped still loses its recommendation if that dose is too toxic.
            Decision::Stop { selected, .. } => selected,
            Decision::Wait => None,
        };
        if self.dose.holds(data, next, too_toxic) {
            Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic,
            }
        } else {
            proposed
        }
    }

    fn describe(&self) -> String {
        format!(
            "stop_when_too_toxic {{ dose = {}, threshold = {}, certainty = {} }}",
            self.dose, self.threshold, self.certainty
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::interval::{IntervalConfig, IntervalDesign, IntervalRule};
    use crate::designs::Design;

    fn data(cohorts: &[(u16, u16, u16)]) -> TrialData {
        let mut data = TrialData::new(5);
        for &(d, n, y) in cohorts {
            data.add_cohort(Dose(d), n, y);
        }
        data
    }

    #[test]
    fn dont_skip_caps_relative_to_last_dose() {
        let boin = IntervalDesign::new(IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 30);
        let d = data(&[(0, 3, 0)]);
        let fit = boin.fit(&d);
        let rule = DontSkipDoses {
            when_escalating: true,
            when_deescalating: false,
        };
        assert_eq!(rule.apply(&d, &fit, Decision::Treat(Dose(3))), Decision::Treat(Dose(1)));
        assert_eq!(rule.apply(&d, &fit, Decision::Treat(Dose(1))), Decision::Treat(Dose(1)));
        let d = data(&[(3, 3, 3)]);
        let both = DontSkipDoses {
            when_escalating: true,
            when_deescalating: true,
        };
        assert_eq!(
            both.apply(&d, &boin.fit(&d), Decision::Treat(Dose(0))),
            Decision::Treat(Dose(2))
        );
    }

    #[test]
    fn stop_at_n_counts_all_patients() {
        let boin = IntervalDesign::new(IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 30);
        let d = data(&[(0, 3, 0), (1, 3, 0)]);
        let rule = StopAtN { n: 6 };
        assert!(matches!(
            rule.apply(&d, &boin.fit(&d), Decision::Treat(Dose(2))),
            Decision::Stop {
                reason: StopReason::MaxPatients,
                selected: Some(_)
            }
        ));
        let rule = StopAtN { n: 7 };
        assert_eq!(
            rule.apply(&d, &boin.fit(&d), Decision::Treat(Dose(2))),
            Decision::Treat(Dose(2))
        );
    }

    #[test]
    fn stop_when_n_at_recommended_dose() {
        let boin = IntervalDesign::new(IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 30);
        let d = data(&[(1, 6, 2)]);
        let rule = StopWhenNAtDose {
            n: 6,
            dose: DoseSelector::Recommended,
        };
        assert!(matches!(
            rule.apply(&d, &boin.fit(&d), Decision::Treat(Dose(1))),
            Decision::Stop { .. }
        ));
        assert_eq!(
            rule.apply(&d, &boin.fit(&d), Decision::Treat(Dose(2))),
            Decision::Treat(Dose(2))
        );
    }

    #[test]
    fn too_toxic_at_lowest_dose_stops_without_mtd() {
        let boin = IntervalDesign::new(IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 30);
        // 2/3 at dose 1: P(p > 0.3 | Beta(3, 2)) = 0.9163.
        let d = data(&[(0, 3, 2)]);
        let fit = boin.fit(&d);
        let strict = StopWhenTooToxic {
            dose: DoseSelector::Level(Dose(0)),
            threshold: 0.3,
            certainty: 0.9,
        };
        assert_eq!(
            strict.apply(&d, &fit, Decision::Treat(Dose(0))),
            Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic
            }
        );
        let lax = StopWhenTooToxic {
            certainty: 0.95,
            ..strict
        };
        assert_eq!(lax.apply(&d, &fit, Decision::Treat(Dose(0))), Decision::Treat(Dose(0)));
    }
}
