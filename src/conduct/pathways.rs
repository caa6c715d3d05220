//! Dose-transition pathways (Yap et al. 2017, *Clin Cancer Res* 23:7440, "Dose transition
//! pathways: the missing link between complex dose-finding designs and simple decision-making";
//! the R package `escalation`'s `get_dose_paths`): every way the next K cohorts of a live trial
//! can go, with the design's decision after each cohort, so a protocol or a safety committee can
//! read ahead of time what the design will say.
//!
//! The tree starts at the history so far (its root, which may be the empty history: the first
//! cohort then goes to the start dose). Each node below is one cohort: its dose (the decision of
//! its parent), its size ([`DoseFinder::next_cohort_size`]) and its number of DLTs, one node per
//! count as in `escalation`, since designs decide on counts, not on the order of the patients.
//! The decision after it is [`DoseFinder::decide`] on the data, the call [`LiveTrial::decision`]
//! makes, so a node's decision is the one `trialsim next` gives for its outcome string. A path
//! ends at a stop or after K cohorts. With true DLT probabilities, each node carries the
//! probability of its path: the product of the binomial probabilities of its cohorts' DLT counts.

use super::{ConductError, LiveTrial};
use crate::core::stats::binomial_pmf;
use crate::core::NO_WAIT_WITHOUT_FOLLOW_UP;
use crate::designs::{Cohort, Decision, Dose, DoseFinder, TrialData};
use crate::results::PathwayRow;
use crate::scenario::Scenario;

/// The most nodes (the root included) a tree of pathways may have.
pub const MAX_NODES: u64 = 1_000_000;

/// Why the pathways cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum PathwayError {
    /// The design or the history is not valid for the scenario.
    #[error(transparent)]
    Conduct(#[from] ConductError),
    /// The design decides on responses too: its cohorts branch on joint outcomes, which this tree
    /// of DLT counts does not list.
    #[error(
        "design '{design}' ({rule}) is a phase I/II design, deciding on responses as well as DLTs; \
         pathways list cohorts by their number of DLTs only, so they are for toxicity-only designs \
         (`trialsim next` takes phase I/II outcomes such as \"1NEN 2TBE\")"
    )]
    PhaseOneTwo {
        /// The design's name.
        design: String,
        /// Its rule.
        rule: &'static str,
    },
    /// Zero cohorts ahead were asked for.
    #[error("the number of cohorts ahead must be at least 1")]
    NoCohorts,
    /// The history has pending patients, whose outcomes no branch can stand for.
    #[error("pathways start from complete outcomes; pending patients (P(…)) are for `trialsim next`")]
    Pending,
    /// The tree could exceed [`MAX_NODES`] nodes.
    #[error(
        "{cohorts} cohorts ahead of up to {cohort_size} patients make up to {nodes} nodes, more \
         than the limit of {MAX_NODES}; at most {max_cohorts} cohorts ahead fit"
    )]
    TooManyNodes {
        /// The cohorts ahead asked for.
        cohorts: usize,
        /// The scenario's cohort size.
        cohort_size: u16,
        /// The bound on the tree's nodes (saturating).
        nodes: u64,
        /// The most cohorts ahead that fit in the limit.
        max_cohorts: usize,
    },
    /// The scenario has no `[[truth]]` of that name.
    #[error("no truth named '{name}'; the truths are: {}", truths.join(", "))]
    UnknownTruth {
        /// The name asked for.
        name: String,
        /// The scenario's truth names, in file order.
        truths: Vec<String>,
    },
    /// The true DLT probabilities do not give one probability in [0, 1] per dose.
    #[error("{0}")]
    InvalidTruth(String),
}

/// One node of the tree: the history so far (the root) or one cohort of a path.
#[derive(Clone, Debug, PartialEq)]
pub struct PathNode {
    /// Position in [`Pathways::nodes`] (depth-first order: a node comes before its children).
    pub id: usize,
    /// The node this cohort follows (`None` for the root).
    pub parent: Option<usize>,
    /// Cohorts after the history: 0 for the root, 1 for the next cohort, and so on.
    pub depth: usize,
    /// The whole outcome string up to this node, history included (what `trialsim next` takes).
    pub outcomes: String,
    /// The node's cohort (`None` for the root).
    pub cohort: Option<Cohort>,
    /// The design's decision after it.
    pub decision: Decision,
    /// The probability of the path to it under the truth, if one was given.
    pub probability: Option<f64>,
}

impl PathNode {
    /// The node's cohort as an outcome string (`"2NNT"`: no-DLT patients first, as in
    /// `escalation`), or `None` for the root.
    pub fn label(&self) -> Option<String> {
        self.cohort.map(|c| cohort_text(&c))
    }
}

/// The pathways of the next cohorts of a live trial.
#[derive(Clone, Debug, PartialEq)]
pub struct Pathways {
    /// Cohorts ahead of the history.
    pub cohorts: usize,
    /// Every node, the root first, then depth first with DLT counts in increasing order.
    pub nodes: Vec<PathNode>,
}

/// Where the trial may be after the cohorts ahead, under a truth: the probability that each dose
/// is the next one after the last cohort, and that the trial stopped before, by selected MTD.
/// The probabilities add up to 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Outlook {
    /// P(the trial treats the cohort after the last one at dose d), lowest dose first.
    pub next_dose: Vec<f64>,
    /// P(the trial stopped selecting dose d as MTD), lowest dose first.
    pub stopped_selecting: Vec<f64>,
    /// P(the trial stopped selecting no dose).
    pub stopped_without_mtd: f64,
}

impl Pathways {
    /// Whether `node` ends its path: the trial stops there, or it is the last cohort ahead.
    pub fn is_leaf(&self, node: &PathNode) -> bool {
        matches!(node.decision, Decision::Stop { .. }) || node.depth == self.cohorts
    }

    /// The nodes that end a path.
    pub fn leaves(&self) -> impl Iterator<Item = &PathNode> {
        self.nodes.iter().filter(|n| self.is_leaf(n))
    }

    /// Where the trial may be after the cohorts ahead (`None` without a truth), for a trial of
    /// `num_doses` doses.
    pub fn outlook(&self, num_doses: usize) -> Option<Outlook> {
        let mut outlook = Outlook {
            next_dose: vec![0.0; num_doses],
            stopped_selecting: vec![0.0; num_doses],
            stopped_without_mtd: 0.0,
        };
        for leaf in self.leaves() {
            let p = leaf.probability?;
            match leaf.decision {
                Decision::Treat(d) => outlook.next_dose[d.index()] += p,
                Decision::Stop { selected: Some(d), .. } => outlook.stopped_selecting[d.index()] += p,
                Decision::Stop { selected: None, .. } => outlook.stopped_without_mtd += p,
                Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
            }
        }
        Some(outlook)
    }

    /// The rows of `pathways.csv`, one per node.
    pub fn rows(&self) -> Vec<PathwayRow> {
        self.nodes.iter().map(PathwayRow::new).collect()
    }
}

/// The true DLT probabilities of the scenario's `[[truth]]` named `name`.
pub fn named_truth<'s>(scenario: &'s Scenario, name: &str) -> Result<&'s [f64], PathwayError> {
    scenario
        .truths
        .iter()
        .find(|t| t.name == name)
        .map(|t| t.dlt.as_slice())
        .ok_or_else(|| PathwayError::UnknownTruth {
            name: name.to_string(),
            truths: scenario.truths.iter().map(|t| t.name.clone()).collect(),
        })
}

/// Every pathway of the next `cohorts` cohorts after `history` (an outcome string, possibly
/// empty) under the scenario's design named `design`, each node weighed by `truth` (one true DLT
/// probability per dose) if given. Refuses, before enumerating, a number of cohorts whose tree
/// could exceed [`MAX_NODES`] nodes.
pub fn dose_paths(
    scenario: &Scenario,
    design: &str,
    history: &str,
    cohorts: usize,
    truth: Option<&[f64]>,
) -> Result<Pathways, PathwayError> {
    let trial = LiveTrial::new(scenario, design, history)?;
    if trial.finder().uses_efficacy() {
        return Err(PathwayError::PhaseOneTwo {
            design: trial.design().name.clone(),
            rule: trial.design().rule_name(),
        });
    }
    if trial.data().follow_up().is_some() {
        return Err(PathwayError::Pending);
    }
    if let Some(p) = truth {
        check_truth(p, scenario.trial.doses.len())?;
    }
    let cohort_size = scenario.trial.limits.cohort_size;
    check_size(cohorts, cohort_size)?;
    let root = PathNode {
        id: 0,
        parent: None,
        depth: 0,
        outcomes: outcome_string(trial.cohorts()),
        cohort: None,
        decision: known(trial.decision()),
        probability: truth.map(|_| 1.0),
    };
    let mut tree = Tree {
        finder: trial.finder(),
        truth,
        cohorts,
        nodes: vec![root],
    };
    tree.grow(0, trial.data());
    Ok(Pathways {
        cohorts,
        nodes: tree.nodes,
    })
}

/// A tree of pathways being grown.
struct Tree<'a> {
    finder: &'a dyn DoseFinder,
    truth: Option<&'a [f64]>,
    cohorts: usize,
    nodes: Vec<PathNode>,
}

impl Tree<'_> {
    /// Adds the children of node `parent`, whose outcomes are `data`, and theirs, depth first.
    fn grow(&mut self, parent: usize, data: &TrialData) {
        let node = &self.nodes[parent];
        let Decision::Treat(dose) = node.decision else {
            return;
        };
        if node.depth == self.cohorts {
            return;
        }
        let (depth, prefix, weight) = (node.depth + 1, node.outcomes.clone(), node.probability);
        let size = self.finder.next_cohort_size(data);
        assert!(
            (1..=self.finder.limits().cohort_size).contains(&size),
            "a design treats cohorts of 1 to the scenario's cohort size (the bound on the nodes)"
        );
        let pmf = self.truth.map(|p| binomial_pmf(u32::from(size), p[dose.index()]));
        for dlts in 0..=size {
            let cohort = Cohort {
                dose,
                patients: size,
                dlts,
            };
            let mut next = data.clone();
            next.add_cohort(dose, size, dlts);
            let id = self.nodes.len();
            self.nodes.push(PathNode {
                id,
                parent: Some(parent),
                depth,
                outcomes: join(&prefix, &cohort_text(&cohort)),
                cohort: Some(cohort),
                decision: known(self.finder.decide(&next)),
                probability: weight.zip(pmf.as_ref()).map(|(w, pmf)| w * pmf[usize::from(dlts)]),
            });
            self.grow(id, &next);
        }
    }
}

/// A decision of data without follow-up: never [`Decision::Wait`].
fn known(decision: Decision) -> Decision {
    assert!(decision != Decision::Wait, "{NO_WAIT_WITHOUT_FOLLOW_UP}");
    decision
}

/// The most nodes a tree of `cohorts` cohorts of at most `cohort_size` patients can have: the
/// root, and `(cohort_size + 1)^k` nodes at depth k (saturating).
fn node_bound(cohorts: usize, cohort_size: u16) -> u64 {
    let branches = u64::from(cohort_size) + 1;
    let (mut total, mut level) = (1u64, 1u64);
    for _ in 0..cohorts {
        level = level.saturating_mul(branches);
        total = total.saturating_add(level);
    }
    total
}

/// The most cohorts ahead whose tree fits in [`MAX_NODES`].
fn max_cohorts(cohort_size: u16) -> usize {
    (1..)
        .find(|&k| node_bound(k, cohort_size) > MAX_NODES)
        .map_or(0, |k| k - 1)
}

/// Refuses zero cohorts, and a number of cohorts whose tree could exceed [`MAX_NODES`]. Designs
/// never treat more than the scenario's cohort size at once (titration treats fewer, and the
/// last cohort may be cut to `max_patients`), which [`Tree::grow`] asserts.
fn check_size(cohorts: usize, cohort_size: u16) -> Result<(), PathwayError> {
    if cohorts == 0 {
        return Err(PathwayError::NoCohorts);
    }
    let nodes = node_bound(cohorts, cohort_size);
    if nodes > MAX_NODES {
        return Err(PathwayError::TooManyNodes {
            cohorts,
            cohort_size,
            nodes,
            max_cohorts: max_cohorts(cohort_size),
        });
    }
    Ok(())
}

/// Checks that `truth` gives one DLT probability in [0, 1] per dose.
fn check_truth(truth: &[f64], num_doses: usize) -> Result<(), PathwayError> {
    if truth.len() != num_doses {
        return Err(PathwayError::InvalidTruth(format!(
            "{} DLT probabilities for {num_doses} doses",
            truth.len()
        )));
    }
    match truth.iter().position(|p| !(0.0..=1.0).contains(p)) {
        Some(i) => Err(PathwayError::InvalidTruth(format!(
            "the DLT probability of dose {} is {}, not in [0, 1]",
            i + 1,
            truth[i]
        ))),
        None => Ok(()),
    }
}

/// A cohort as an outcome string, no-DLT patients first: `"2NNT"`.
fn cohort_text(cohort: &Cohort) -> String {
    let none = usize::from(cohort.patients - cohort.dlts);
    format!(
        "{}{}{}",
        cohort.dose,
        "N".repeat(none),
        "T".repeat(usize::from(cohort.dlts))
    )
}

/// Cohorts as an outcome string, separated by spaces.
fn outcome_string(cohorts: &[Cohort]) -> String {
    cohorts.iter().map(cohort_text).collect::<Vec<_>>().join(" ")
}

/// `prefix` followed by `cohort`, with a space between when both are there.
fn join(prefix: &str, cohort: &str) -> String {
    if prefix.is_empty() {
        cohort.to_string()
    } else {
        format!("{prefix} {cohort}")
    }
}

impl PathwayRow {
    /// The row of `node`.
    pub(crate) fn new(node: &PathNode) -> PathwayRow {
        let (decision, stop_reason, selected, next_dose) = match node.decision {
            Decision::Treat(d) => ("treat", None, None, Some(d)),
            Decision::Stop { selected, reason } => ("stop", Some(reason.name().to_string()), selected, None),
            Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
        };
        PathwayRow {
            node: node.id,
            parent: node.parent,
            outcomes: node.outcomes.clone(),
            cohort: node.depth,
            dose: node.cohort.map(|c| c.dose.level()),
            patients: node.cohort.map(|c| c.patients),
            dlts: node.cohort.map(|c| c.dlts),
            decision: decision.to_string(),
            stop_reason,
            selected: selected.map(Dose::level),
            next_dose: next_dose.map(Dose::level),
            probability: node.probability,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_bounds() {
        assert_eq!(node_bound(2, 3), 1 + 4 + 16);
        assert_eq!(max_cohorts(3), 9);
        assert_eq!(node_bound(9, 3), 349_525);
        assert!(node_bound(10, 3) > MAX_NODES);
        assert_eq!(node_bound(200, u16::MAX), u64::MAX);
    }

    #[test]
    fn outcome_strings() {
        let cohort = |level, patients, dlts| Cohort {
            dose: Dose::from_level(level),
            patients,
            dlts,
        };
        assert_eq!(cohort_text(&cohort(2, 3, 1)), "2NNT");
        assert_eq!(outcome_string(&[cohort(1, 3, 0), cohort(2, 2, 2)]), "1NNN 2TT");
        assert_eq!(join("", "1NNN"), "1NNN");
        assert_eq!(join("1NNN", "2NNT"), "1NNN 2NNT");
    }

    #[test]
    fn truths_are_checked() {
        assert!(check_truth(&[0.1, 0.2], 2).is_ok());
        assert!(check_truth(&[0.1], 2)
            .unwrap_err()
            .to_string()
            .contains("1 DLT probabilities for 2 doses"));
        assert!(check_truth(&[0.1, 1.5], 2)
            .unwrap_err()
            .to_string()
            .contains("dose 2 is 1.5"));
        assert!(check_truth(&[f64::NAN, 0.1], 2).is_err());
    }
}
