//! `next`'s answer as one machine-readable object (`trialsim next --json`), for an EDC system or
//! an R script: the decision, the dose, admissibility and estimates per dose (for a phase I/II
//! design also responses, P(response) and utility, and the OBD it would select now with its
//! rule), the steps that decided, and the warnings.

use super::LiveTrial;
use crate::designs::{Decision, Step};
use serde::Serialize;

/// What `next` answers, as `--json` prints it. Doses are levels (1-based), as in outcome strings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    /// The `[[design]]`'s name.
    pub design: String,
    /// Its rule (`boin`, `crm`, …).
    pub design_rule: String,
    /// The target DLT probability.
    pub target: f64,
    /// Patients, DLTs and cohorts so far.
    pub patients: u32,
    /// DLTs so far.
    pub dlts: u32,
    /// Responses so far (phase I/II designs; `null` otherwise).
    pub responses: Option<u32>,
    /// What the design selects: "MTD", or "OBD" for a phase I/II design.
    pub selects: &'static str,
    /// Cohorts so far.
    pub cohorts: usize,
    /// "treat", "wait" or "stop".
    pub decision: &'static str,
    /// The next cohort's dose (`null` when stopping or waiting).
    pub next_dose: Option<usize>,
    /// Why the trial stops (`null` otherwise).
    pub stop_reason: Option<&'static str>,
    /// The MTD (OBD for a phase I/II design) selected when the decision is to stop.
    pub selected: Option<usize>,
    /// When waiting: how long until the rule lets the next patient in if no DLT occurs
    /// ([`LiveTrial::wait`]), in `wait_unit`.
    pub wait: Option<f64>,
    /// "months" (the scenario's `[timing]` window) or "windows" (fractions of the DLT window).
    pub wait_unit: &'static str,
    /// The MTD (OBD for a phase I/II design) if the trial stopped now at its planned size.
    pub selected_if_stopped: Option<usize>,
    /// Why the design would select that dose, where its selection is a rule of its own (a phase
    /// I/II design's OBD selection, with the numbers that chose).
    pub selection_rule: Option<String>,
    /// The step that settled the decision, in words.
    pub rule: String,
    /// Every step, in order: the design's proposal, then each safeguard or rule that changed it.
    pub steps: Vec<AnswerStep>,
    /// Whether each dose may still be given, by level.
    pub admissible: Vec<bool>,
    /// The design's estimates per dose.
    pub estimates: Vec<AnswerEstimate>,
    /// Each departure of the history from the design, naming its cohort.
    pub warnings: Vec<String>,
}

/// One step of the decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnswerStep {
    /// What acted.
    pub by: String,
    /// Why.
    pub why: String,
    /// The decision after it, in words.
    pub decision: String,
}

/// The design's estimates at one dose.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnswerEstimate {
    /// The dose level.
    pub dose: usize,
    /// Its label in the scenario.
    pub label: String,
    /// Patients treated at it.
    pub patients: u32,
    /// DLTs observed at it.
    pub dlts: u32,
    /// Responses observed at it (phase I/II designs).
    pub responses: Option<u32>,
    /// Whether it may still be given (for a phase I/II design: BOIN12's admissibility, EffTox's
    /// acceptability, on both toxicity and response).
    pub admissible: bool,
    /// The estimated DLT probability, where the design has one.
    pub prob_tox: Option<f64>,
    /// A 90% credible interval for it, where the design has one.
    pub interval_90: Option<[f64; 2]>,
    /// BLRM's P(under-dosing), P(targeted toxicity), P(over-dosing).
    pub dosing_intervals: Option<[f64; 3]>,
    /// The estimated response probability (phase I/II designs: BOIN12's posterior mean under
    /// Beta(1, 1) for tried doses, EffTox's posterior mean).
    pub prob_response: Option<f64>,
    /// The utility on the design's scale (BOIN12's desirability 100·P(U > u_b), 0 when
    /// inadmissible; EffTox's desirability of the posterior mean pair).
    pub utility: Option<f64>,
}

impl From<&Step> for AnswerStep {
    fn from(step: &Step) -> AnswerStep {
        AnswerStep {
            by: step.by.clone(),
            why: step.why.clone(),
            decision: step.decision.to_string(),
        }
    }
}

impl LiveTrial<'_> {
    /// The whole answer of `next`, as `--json` prints it.
    pub fn answer(&self) -> Answer {
        let (decision, steps) = self.explain();
        let labels = &self.scenario.trial.doses;
        let estimates: Vec<AnswerEstimate> = if self.cohorts.is_empty() {
            Vec::new()
        } else {
            self.estimates()
                .into_iter()
                .map(|e| AnswerEstimate {
                    dose: e.dose.level(),
                    label: labels[e.dose.index()].clone(),
                    patients: e.patients,
                    dlts: e.dlts,
                    responses: self.data.responses(e.dose),
                    admissible: e.admissible,
                    prob_tox: e.prob_tox,
                    interval_90: e.interval.map(|(low, high)| [low, high]),
                    dosing_intervals: e.dosing_intervals,
                    prob_response: e.prob_response,
                    utility: e.utility,
                })
                .collect()
        };
        let (kind, next_dose, stop_reason, selected) = match decision {
            Decision::Treat(d) => ("treat", Some(d.level()), None, None),
            Decision::Wait => ("wait", None, None, None),
            Decision::Stop { selected, reason } => ("stop", None, Some(reason.name()), selected.map(|d| d.level())),
        };
        let rule = steps.last().map_or(String::new(), |s| format!("{}: {}", s.by, s.why));
        Answer {
            design: self.design.name.clone(),
            design_rule: self.design.rule_name().to_string(),
            target: self.scenario.trial.target,
            patients: self.data.total_patients(),
            dlts: self.data.total_dlts(),
            responses: self
                .data
                .has_efficacy()
                .then(|| self.data.doses().filter_map(|d| self.data.responses(d)).sum()),
            selects: if self.finder.uses_efficacy() { "OBD" } else { "MTD" },
            cohorts: self.cohorts.len(),
            decision: kind,
            next_dose,
            stop_reason,
            selected,
            wait: self.wait(),
            wait_unit: if self.scenario.timing.is_some() {
                "months"
            } else {
                "windows"
            },
            selected_if_stopped: self.selected_if_stopped().map(|d| d.level()),
            selection_rule: (!self.cohorts.is_empty())
                .then(|| self.finder.explain_selection(&self.data))
                .flatten(),
            rule,
            steps: steps.iter().map(AnswerStep::from).collect(),
            // Before the first cohort nothing is eliminated.
            admissible: if estimates.is_empty() {
                vec![true; labels.len()]
            } else {
                estimates.iter().map(|e| e.admissible).collect()
            },
            estimates,
            warnings: self.warnings.clone(),
        }
    }
}
