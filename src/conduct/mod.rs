//! Conducting a live dose-finding trial: the outcomes so far, written as the R package
//! `escalation` writes them (`"1NNN 2NTN"`, with pending patients `P(f)` for time-to-event
//! designs, and `"1NEN 2TBE"` with responses for phase I/II designs; see [`parse_history`]), are
//! turned into the trial's data, and one of a scenario's
//! designs says where to treat the next cohort, or why to stop, with the rule that fired and every
//! departure of the history from the design ([`LiveTrial`]; what `trialsim next` prints). The
//! [`pathways`] of the next cohorts follow from the same decisions.

mod answer;
pub mod interim;
mod names;
pub mod pathways;

pub use answer::{Answer, AnswerEstimate, AnswerStep};
pub use names::UnknownDesign;

use crate::core::{FollowUp, PatientRecord};
use crate::designs::outcomes::{parse_history, Grammar, LiveCohort, OutcomeError, PatientOutcome};
use crate::designs::{Cohort, Decision, Dose, DoseEstimate, DoseFinder, Step, TrialData};
use crate::scenario::{DesignSpec, Scenario};

/// Why a live trial's outcomes cannot be judged by the chosen design.
#[derive(Debug, thiserror::Error)]
pub enum ConductError {
    /// The scenario has no `[[design]]` of that name.
    #[error(transparent)]
    UnknownDesign(#[from] UnknownDesign),
    /// The outcome string does not follow the grammar, or names a dose the scenario lacks.
    #[error("invalid outcomes")]
    Outcomes(#[source] OutcomeError),
    /// Pending patients for a design that decides on complete outcomes only.
    #[error(
        "the outcomes have pending patients (P(…)), but design '{design}' ({rule}) decides only \
         once every DLT window has closed; pending patients are for time-to-event designs"
    )]
    PendingNotWeighed {
        /// The design's name.
        design: String,
        /// Its rule.
        rule: &'static str,
    },
}

/// The DLT window in months: the scenario's `[timing] dlt_window`, or 1 (fractions of the window)
/// without a `[timing]` table.
fn window(scenario: &Scenario) -> f64 {
    scenario.timing.as_ref().map_or(1.0, |t| t.window)
}

/// The patients of a live history in calendar time, now at time 0: complete patients entered a
/// whole window ago (a DLT half a window ago), a pending patient with a fraction f observed
/// entered f windows ago. In the order written, so the last is the latest patient.
fn records(history: &[LiveCohort], window: f64) -> Vec<PatientRecord> {
    history
        .iter()
        .flat_map(|c| c.patients.iter().map(move |&p| (c.dose, p)))
        .map(|(dose, p)| {
            let (entry, dlt_at) = match p {
                PatientOutcome::Pending(f) => (-f * window, None),
                complete if complete.dlt() => (-window, Some(-0.5 * window)),
                _ => (-window, None),
            };
            PatientRecord { dose, entry, dlt_at }
        })
        .collect()
}

/// A live trial: one of a scenario's designs, built for the scenario's trial settings, and the
/// cohorts treated so far.
pub struct LiveTrial<'a> {
    scenario: &'a Scenario,
    design: &'a DesignSpec,
    finder: Box<dyn DoseFinder>,
    cohorts: Vec<Cohort>,
    data: TrialData,
    warnings: Vec<String>,
}

impl<'a> LiveTrial<'a> {
    /// The trial under the scenario's design named `design` after the cohorts in `outcomes`
    /// (`escalation`'s outcome strings; empty before the first cohort). Checks that the design
    /// exists and that the string is valid for the scenario's doses; a history that departs from
    /// the design is judged all the same, with [`LiveTrial::warnings`] naming each departure.
    pub fn new(scenario: &'a Scenario, design: &str, outcomes: &str) -> Result<LiveTrial<'a>, ConductError> {
        let spec = scenario.designs.iter().find(|d| d.name == design).ok_or_else(|| {
            let names = scenario.designs.iter().map(|d| d.name.clone()).collect();
            UnknownDesign::new(scenario.file.clone(), design, names)
        })?;
        let num_doses = scenario.trial.doses.len();
        let phase12 = spec.base.kind().capabilities().efficacy;
        let grammar = if phase12 {
            Grammar::PhaseOneTwo
        } else {
            Grammar::Toxicity
        };
        let history = parse_history(outcomes, num_doses, grammar).map_err(ConductError::Outcomes)?;
        let cohorts: Vec<Cohort> = history.iter().map(LiveCohort::counts).collect();
        // A history beyond max_patients is judged by the design built for its size (whose
        // tables reach that far); it stops there for the sample size all the same.
        let max_patients = scenario.trial.limits.max_patients;
        let mut trial = scenario.trial.clone();
        let treated = cohorts.iter().map(|c| u32::from(c.patients)).sum::<u32>();
        trial.limits.max_patients = max_patients.max(treated);
        let finder = spec.build(&trial);
        let mut data = if phase12 {
            TrialData::with_efficacy(num_doses)
        } else {
            TrialData::new(num_doses)
        };
        let mut warnings = Vec::new();
        for (i, (c, live)) in cohorts.iter().zip(&history).enumerate() {
            let responses = if phase12 {
                format!(", {}/{} responses", live.efficacy_counts().responses, c.patients)
            } else {
                String::new()
            };
            for w in deviations(finder.as_ref(), &data, i == 0, c, max_patients) {
                warnings.push(format!(
                    "cohort {} (dose {}, {}/{} DLTs{responses}): {w}",
                    i + 1,
                    c.dose,
                    c.dlts,
                    c.patients
                ));
            }
            if phase12 {
                data.add_cohort_outcomes(c.dose, live.efficacy_counts());
            } else {
                data.add_cohort(c.dose, c.patients, c.dlts);
            }
        }
        let window = window(scenario);
        let follow_up = history.iter().any(LiveCohort::has_pending).then(|| FollowUp {
            records: records(&history, window),
            now: 0.0,
            window,
        });
        if let Some(follow_up) = &follow_up {
            if !finder.decides_on_pending() {
                return Err(ConductError::PendingNotWeighed {
                    design: spec.name.clone(),
                    rule: spec.rule_name(),
                });
            }
            data.set_follow_up(&follow_up.records, follow_up.now, follow_up.window);
        }
        Ok(LiveTrial {
            scenario,
            design: spec,
            finder,
            cohorts,
            data,
            warnings,
        })
    }

    /// The chosen `[[design]]`.
    pub fn design(&self) -> &DesignSpec {
        self.design
    }

    /// The design as built for this history (for a history beyond `max_patients`, for its size),
    /// which every decision about the trial uses.
    pub fn finder(&self) -> &dyn DoseFinder {
        self.finder.as_ref()
    }

    /// The cohorts treated so far, in order.
    pub fn cohorts(&self) -> &[Cohort] {
        &self.cohorts
    }

    /// The outcomes so far as per-dose counts.
    pub fn data(&self) -> &TrialData {
        &self.data
    }

    /// Each way the history departs from the design, naming its cohort: a dose other than the
    /// design's (a skipped dose, a dose above an eliminated one, treating after the design had
    /// stopped), a cohort size other than the design's, or more patients than `max_patients`.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The design's per-dose estimates from the outcomes so far.
    pub fn estimates(&self) -> Vec<DoseEstimate> {
        self.finder.estimates(&self.data)
    }

    /// What to do next: before any cohort, treat at the scenario's start dose; afterwards, the
    /// design's decision with every rule and the sample-size limit applied.
    pub fn decision(&self) -> Decision {
        self.explain().0
    }

    /// [`LiveTrial::decision`] with the steps that made it: the design's rule that fired, then
    /// each safeguard or rule that changed it ([`DoseFinder::explain`]).
    pub fn explain(&self) -> (Decision, Vec<Step>) {
        if self.cohorts.is_empty() {
            let start = Decision::Treat(self.scenario.trial.limits.start_dose);
            let step = Step {
                by: "start_dose".into(),
                why: "no cohort has been treated: the trial starts at [trial] start_dose".into(),
                decision: start,
            };
            (start, vec![step])
        } else {
            self.finder.explain(&self.data)
        }
    }

    /// When the decision is to wait (a time-to-event design suspending accrual), how long from
    /// now until the rule lets the next patient in if no DLT occurs meanwhile, in months (in
    /// DLT windows without `[timing]`): pending outcomes are completed one by one as their
    /// windows close. `None` when the decision is not to wait.
    pub fn wait(&self) -> Option<f64> {
        let follow_up = self.data.follow_up()?;
        if self.decision() != Decision::Wait {
            return None;
        }
        let mut data = self.data.clone();
        let records: Vec<PatientRecord> = follow_up.records.clone();
        loop {
            let view = data.follow_up().expect("follow-up kept");
            // The next window to close (no DLT assumed); the design waits only on pending patients.
            let now = view.next_event().expect("a waiting design has a pending patient");
            data.set_follow_up(&records, now, follow_up.window);
            if self.finder.decide(&data) != Decision::Wait {
                return Some(now - follow_up.now);
            }
        }
    }

    /// The MTD the design would select if the trial stopped now at its planned size (every rule
    /// judging that end); `None` before the first cohort or when no dose would be selected.
    pub fn selected_if_stopped(&self) -> Option<Dose> {
        (!self.cohorts.is_empty())
            .then(|| self.finder.conclude(&self.data))
            .flatten()
    }
}

/// How cohort `c`, given after the cohorts in `data` (`first`: it is the first), departs from
/// `finder`'s design, whose sample size is `max_patients`. A design deciding on pending outcomes
/// (TITE) chose its doses from follow-up that outcome strings do not carry, so only its sizes and
/// limits are checked.
fn deviations(finder: &dyn DoseFinder, data: &TrialData, first: bool, c: &Cohort, max_patients: u32) -> Vec<String> {
    let limits = finder.limits();
    let mut found = Vec::new();
    let expected = if first {
        Decision::Treat(limits.start_dose)
    } else {
        finder.decide(data)
    };
    let admissible = first || finder.estimates(data)[c.dose.index()].admissible;
    if !admissible {
        let why = if finder.uses_efficacy() {
            "too toxic, above a too-toxic dose, or inefficacious"
        } else {
            "eliminated, or above an eliminated dose"
        };
        found.push(format!("dose {} had been made inadmissible ({why})", c.dose));
    }
    if !finder.decides_on_pending() {
        match expected {
            Decision::Treat(d) if d != c.dose && admissible => {
                found.push(format!("the design recommended dose {d}, not dose {}", c.dose));
            }
            Decision::Stop { reason, .. } => {
                found.push(format!("the design had stopped the trial ({})", reason.name()));
            }
            _ => {}
        }
    }
    let size = finder.next_cohort_size(data);
    if u32::from(c.patients) != u32::from(size) && size > 0 {
        let patients = if c.patients == 1 {
            "1 patient".into()
        } else {
            format!("{} patients", c.patients)
        };
        found.push(format!("{patients}, where the design's cohort has {size}"));
    }
    let treated = data.total_patients() + u32::from(c.patients);
    if treated > max_patients {
        found.push(format!(
            "{treated} patients in all, beyond [trial] max_patients = {max_patients}"
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario() -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/qls4131_escalation.toml");
        Scenario::load(&path).expect("bundled scenario")
    }

    #[test]
    fn before_the_first_cohort_the_start_dose() {
        let scenario = scenario();
        let trial = LiveTrial::new(&scenario, "BOIN", "").unwrap();
        assert!(trial.cohorts().is_empty());
        assert_eq!(trial.decision(), Decision::Treat(scenario.trial.limits.start_dose));
    }

    #[test]
    fn outcomes_become_counts() {
        let scenario = scenario();
        let trial = LiveTrial::new(&scenario, "BOIN", "1NNN 2NTN").unwrap();
        assert_eq!(trial.cohorts().len(), 2);
        assert_eq!((trial.data().total_patients(), trial.data().total_dlts()), (6, 1));
        let estimates = trial.estimates();
        assert_eq!(estimates[1].dose, Dose::from_level(2));
        assert_eq!((estimates[1].patients, estimates[1].dlts), (3, 1));
    }

    #[test]
    fn errors_name_the_problem() {
        let scenario = scenario();
        let unknown = LiveTrial::new(&scenario, "Nope", "").err().unwrap();
        assert!(unknown
            .to_string()
            .contains("no design named 'Nope'; the designs are: "));
        let invalid = LiveTrial::new(&scenario, "BOIN", "1NNX").err().unwrap();
        assert!(matches!(invalid, ConductError::Outcomes(e) if e.position == 4));
    }
}
