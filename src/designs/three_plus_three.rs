//! The 3+3 design (Storer 1989), as the R package `escalation` (`get_three_plus_three`) codes it.
//!
//! Three patients at a dose: 0/3 escalate; 1/3 treat three more, and ≤ 1/6 escalate; ≥ 2 DLTs
//! stop. Without de-escalation the MTD is then the dose below (none at dose 1). With
//! de-escalation (Korn et al. 1994, JCO 12:1134) the trial returns to the dose below while it has
//! only three patients, and the MTD is the highest dose with ≥ 6 patients and ≤ 1 DLT. Clearing
//! the top dose selects it.

use super::registry::{Capabilities, ConfiguredDesign, DesignKind, SimpleKind, TrialContext, Wrappers};
use super::{Decision, Design, Dose, DoseFinder, Fit, StopReason, TrialData};
use crate::core::params::{ParamError, Params};
use serde::Deserialize;

/// 3+3 as a scenario names it: `rule = "3+3"`, with the key `deescalate`.
pub static THREE_PLUS_THREE: SimpleKind = SimpleKind {
    rule: "3+3",
    citation: "Storer (1989), Biometrics 45:925; Korn et al. (1994), J Clin Oncol 12:1134",
    capabilities: Capabilities {
        exact: true,
        decision_cache: false,
        posterior: false,
        time_to_event: false,
        backfill: false,
        efficacy: false,
    },
    parse,
};

/// The 3+3 design; `deescalate` selects Korn et al.'s variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreePlusThree {
    /// Korn et al.'s variant: return below while a dose has three patients; MTD = highest dose with ≥ 6 patients and ≤ 1 DLT.
    pub deescalate: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreePlusThree {
    deescalate: Option<bool>,
}

/// `deescalate` (default false); the trial's cohorts must be of 3.
fn parse(params: &mut Params, trial: &TrialContext) -> Result<Box<dyn ConfiguredDesign>, ParamError> {
    let raw: RawThreePlusThree = params.rest()?;
    let cohort_size = trial.limits.cohort_size;
    if cohort_size != 3 {
        return Err(params.error(
            "rule",
            format!("3+3 treats cohorts of 3, but [trial] cohort_size is {cohort_size}"),
        ));
    }
    Ok(Box::new(ThreePlusThree {
        deescalate: raw.deescalate.unwrap_or(false),
    }))
}

impl ConfiguredDesign for ThreePlusThree {
    fn kind(&self) -> &'static dyn DesignKind {
        &THREE_PLUS_THREE
    }

    fn settings(&self) -> String {
        format!("deescalate = {}", self.deescalate)
    }

    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        wrappers.wrap(*self)
    }
}

/// 3+3 fitted to the outcomes so far.
pub struct ThreePlusThreeFit<'a> {
    design: &'a ThreePlusThree,
    data: &'a TrialData,
}

impl Design for ThreePlusThree {
    type Fit<'a> = ThreePlusThreeFit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> ThreePlusThreeFit<'a> {
        ThreePlusThreeFit { design: self, data }
    }
}

/// A dose with ≥ 2 DLTs (too toxic under 3+3).
fn too_toxic(data: &TrialData, dose: Dose) -> bool {
    data.dlts(dose) >= 2
}

/// A dose cleared for escalation: no DLT in 3 patients, or at most 1 in 6 or more.
fn cleared(n: u32, y: u32) -> bool {
    (n == 3 && y == 0) || (n >= 6 && y <= 1)
}

impl ThreePlusThreeFit<'_> {
    /// Highest dose with ≥ 6 patients and ≤ 1 DLT (Korn et al.'s MTD).
    fn highest_cleared_by_six(&self) -> Option<Dose> {
        let data = self.data;
        data.doses().rev().find(|&d| data.patients(d) >= 6 && data.dlts(d) <= 1)
    }
}

impl Fit for ThreePlusThreeFit<'_> {
    fn decision(&self) -> Decision {
        let data = self.data;
        let d = data.current_dose();
        let (n, y) = (data.patients(d), data.dlts(d));
        // Stopping with a dose is the design's own end (its MTD found); stopping with none means
        // every dose tried was too toxic (≥ 2 DLTs at dose 1, or no dose cleared by six).
        let stop = |selected: Option<Dose>| Decision::Stop {
            selected,
            reason: if selected.is_some() {
                StopReason::DesignComplete
            } else {
                StopReason::TooToxic
            },
        };
        if y >= 2 {
            let below = (d.0 > 0).then(|| Dose(d.0 - 1));
            return match below {
                None => stop(None),
                // A trial that started above dose 1 treats the untried dose below rather than
                // selecting it blind (a "dose level −1").
                Some(b) if data.patients(b) == 0 => Decision::Treat(b),
                Some(b) if !self.design.deescalate => stop(Some(b)),
                Some(b) if data.patients(b) < 6 => Decision::Treat(b),
                Some(_) => stop(self.highest_cleared_by_six()),
            };
        }
        if !cleared(n, y) {
            return Decision::Treat(d);
        }
        if d.index() + 1 == data.num_doses() {
            return stop(Some(d));
        }
        let above = Dose(d.0 + 1);
        if data.patients(above) >= 6 || too_toxic(data, above) {
            return stop(Some(d));
        }
        Decision::Treat(above)
    }

    /// When the trial is cut short by a limit: the highest dose cleared so far (no DLT in ≥ 3
    /// patients, or ≤ 1 in ≥ 6) below any dose with ≥ 2 DLTs; otherwise the design's own selection.
    fn selected_dose(&self) -> Option<Dose> {
        if let Decision::Stop { selected, .. } = self.decision() {
            return selected;
        }
        let data = self.data;
        let mut selected = None;
        for d in data.doses() {
            let (n, y) = (data.patients(d), data.dlts(d));
            if too_toxic(data, d) {
                break;
            }
            if (n >= 3 && y == 0) || cleared(n, y) {
                selected = Some(d);
            }
        }
        selected
    }

    fn reason(&self) -> String {
        let data = self.data;
        let d = data.current_dose();
        let (n, y) = (data.patients(d), data.dlts(d));
        let rule = if too_toxic(data, d) {
            "at least 2 DLTs: the dose is too toxic"
        } else if cleared(n, y) {
            "0 of 3 or at most 1 of 6 or more: the dose is cleared"
        } else {
            "not yet cleared (1 of 3 needs three more)"
        };
        let variant = if self.design.deescalate {
            " [3+3 with de-escalation, Korn et al. 1994]"
        } else {
            " [3+3, Storer 1989]"
        };
        format!("{y}/{n} DLTs at dose {d}, {rule}: {}{variant}", self.decision())
    }

    /// Doses below any dose with ≥ 2 DLTs.
    fn admissible(&self, dose: Dose) -> bool {
        !self
            .data
            .doses()
            .take(dose.index() + 1)
            .any(|d| too_toxic(self.data, d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(cohorts: &[(u16, u16)], num_doses: usize) -> TrialData {
        let mut data = TrialData::new(num_doses);
        for &(dose, dlts) in cohorts {
            data.add_cohort(Dose(dose), 3, dlts);
        }
        data
    }

    const A: ThreePlusThree = ThreePlusThree { deescalate: false };
    const B: ThreePlusThree = ThreePlusThree { deescalate: true };

    #[test]
    fn classic_rules() {
        assert_eq!(A.fit(&after(&[(0, 0)], 3)).decision(), Decision::Treat(Dose(1)));
        assert_eq!(A.fit(&after(&[(0, 1)], 3)).decision(), Decision::Treat(Dose(0)));
        assert_eq!(A.fit(&after(&[(0, 1), (0, 0)], 3)).decision(), Decision::Treat(Dose(1)));
        let stop = |s: Option<u16>| Decision::Stop {
            selected: s.map(Dose),
            reason: if s.is_some() {
                StopReason::DesignComplete
            } else {
                StopReason::TooToxic
            },
        };
        assert_eq!(A.fit(&after(&[(0, 1), (0, 1)], 3)).decision(), stop(None));
        assert_eq!(A.fit(&after(&[(0, 0), (1, 2)], 3)).decision(), stop(Some(0)));
        assert_eq!(A.fit(&after(&[(0, 0), (1, 0), (2, 0)], 3)).decision(), stop(Some(2)));
    }

    /// Issue 16: 3+3's toxicity stops were filed as `design_complete` (stop_too_toxic_pct 0).
    #[test]
    fn toxicity_stops_are_filed_as_too_toxic() {
        let reason = |design: &ThreePlusThree, data: &TrialData| match design.fit(data).decision() {
            Decision::Stop { reason, .. } => reason,
            other => panic!("expected a stop, got {other}"),
        };
        // 2/3 at dose 1: no dose is safe.
        assert_eq!(reason(&A, &after(&[(0, 2)], 3)), StopReason::TooToxic);
        assert_eq!(reason(&B, &after(&[(0, 1), (0, 1)], 3)), StopReason::TooToxic);
        // Korn: back at dose 1 with 2/6, no dose cleared by six.
        assert_eq!(reason(&B, &after(&[(0, 0), (1, 2), (0, 2)], 3)), StopReason::TooToxic);
        // An MTD found is the design's own end.
        assert_eq!(reason(&A, &after(&[(0, 0), (1, 2)], 3)), StopReason::DesignComplete);
    }

    #[test]
    fn korn_deescalation() {
        let stop = |s: Option<u16>| Decision::Stop {
            selected: s.map(Dose),
            reason: if s.is_some() {
                StopReason::DesignComplete
            } else {
                StopReason::TooToxic
            },
        };
        // 0/3, then 2/3 at dose 2: back to dose 1, which has only three patients.
        let data = after(&[(0, 0), (1, 2)], 3);
        assert_eq!(B.fit(&data).decision(), Decision::Treat(Dose(0)));
        // Three more at dose 1 with ≤ 1/6: dose 2 is too toxic, so dose 1 is the MTD.
        let data = after(&[(0, 0), (1, 2), (0, 1)], 3);
        assert_eq!(B.fit(&data).decision(), stop(Some(0)));
        // Dose 1 had six already: stop at the highest dose with ≥ 6 and ≤ 1 DLT.
        let data = after(&[(0, 1), (0, 0), (1, 2)], 3);
        assert_eq!(B.fit(&data).decision(), stop(Some(0)));
        // 2/6 at dose 1 after coming down: no dose qualifies.
        let data = after(&[(0, 0), (1, 2), (0, 2)], 3);
        assert_eq!(B.fit(&data).decision(), stop(None));
    }

    #[test]
    fn truncated_trial_selects_highest_cleared_dose() {
        let data = after(&[(0, 0), (1, 1)], 3);
        assert_eq!(A.fit(&data).selected_dose(), Some(Dose(0)));
        assert!(A.fit(&data).admissible(Dose(2)));
        let data = after(&[(0, 0), (1, 2)], 3);
        assert!(!A.fit(&data).admissible(Dose(1)));
    }
}
