//! Decisions memoised by trial state. Every decision is a function of [`TrialData::state`], so a
//! memoised decision is exact.
//!
//! - [`SharedDecisions`]: one design's decisions in a map shared by every thread, for designs whose
//!   fits are costly (model-based designs); [`DecisionCache`] puts a thread's own map in front.
//! - [`DecisionGraph`]: a thread's graph of the trial states it has visited, for the Monte Carlo
//!   loop. Each state knows the next cohort's dose and size and, for each possible number of DLTs
//!   in it, the next state, so after the first visit a cohort costs one array index and no hash.

use super::oc::OcCounts;
use super::rng::PatientStream;
use crate::dose_finding::{Decision, Dose, DoseFinder, TrialData};
use rustc_hash::FxHashMap;
use std::sync::RwLock;

type DecisionMap = FxHashMap<Box<[u16]>, Decision>;

/// Maps are cleared when they reach this many entries, so memory stays bounded.
const CACHE_LIMIT: usize = 1 << 20;

fn insert_bounded(map: &mut DecisionMap, key: &[u16], decision: Decision) {
    if map.len() >= CACHE_LIMIT {
        map.clear();
    }
    map.insert(key.into(), decision);
}

/// One design's decisions, shared by every thread (and, in exact enumeration, every truth).
#[derive(Default)]
pub struct SharedDecisions {
    map: RwLock<DecisionMap>,
}

impl SharedDecisions {
    /// A thread's cache in front of the shared map.
    pub fn cache(&self) -> DecisionCache<'_> {
        DecisionCache {
            local: DecisionMap::default(),
            shared: self,
        }
    }

    /// `finder`'s decision on `data`, fitted only if no thread has fitted this state before.
    pub fn decide(&self, finder: &dyn DoseFinder, data: &TrialData) -> Decision {
        let key = data.state();
        let known = self.map.read().ok().and_then(|shared| shared.get(key).copied());
        known.unwrap_or_else(|| {
            let decision = finder.decide(data);
            if let Ok(mut shared) = self.map.write() {
                insert_bounded(&mut shared, key, decision);
            }
            decision
        })
    }
}

/// A thread's own map in front of a [`SharedDecisions`]: no state is fitted twice, and hits in
/// the thread's map take no lock.
pub struct DecisionCache<'a> {
    local: DecisionMap,
    shared: &'a SharedDecisions,
}

impl DecisionCache<'_> {
    /// `finder`'s decision on `data`, fitted only if no thread has fitted this state before.
    pub fn decide(&mut self, finder: &dyn DoseFinder, data: &TrialData) -> Decision {
        let key = data.state();
        if let Some(&decision) = self.local.get(key) {
            return decision;
        }
        let decision = self.shared.decide(finder, data);
        insert_bounded(&mut self.local, key, decision);
        decision
    }
}

/// Most states a [`DecisionGraph`] holds (about 200 bytes each with six doses and six truths);
/// trials that leave them continue from their data, decided without the graph.
const GRAPH_LIMIT: usize = 1 << 17;

/// Marks a state where the trial stops (no children), and a child not yet visited.
const NONE: u32 = u32::MAX;

/// A visited state, as stored in its parent's child slot: what happens next.
#[derive(Clone, Copy)]
struct Node {
    /// The node's index (its slot in [`DecisionGraph::decisions`]); [`NONE`] for an unvisited
    /// child.
    id: u32,
    /// Where the node's children, indexed by DLTs in the next cohort, start in
    /// [`DecisionGraph::children`]; [`NONE`] if the trial stops here.
    children: u32,
    /// The next cohort's dose and size.
    dose: Dose,
    size: u16,
}

const UNVISITED: Node = Node {
    id: NONE,
    children: NONE,
    dose: Dose(0),
    size: 0,
};

/// One design's states as visited by one thread, with the trials that ended at each state under
/// each truth (recorded into [`OcCounts`] by [`DecisionGraph::flush`]). Node 0 is the empty trial.
///
/// Each child slot holds a copy of the child's [`Node`], so a cohort costs one dependent load.
pub struct DecisionGraph<'a> {
    finder: &'a dyn DoseFinder,
    /// Where costly decisions are shared with other threads (`None`: decide directly).
    shared: Option<&'a SharedDecisions>,
    num_truths: usize,
    /// Most states held (see [`GRAPH_LIMIT`]).
    limit: usize,
    root: Node,
    /// The decision at each node (the root's is treating at the start dose).
    decisions: Vec<Decision>,
    /// Each node's [`TrialData::state`], concatenated.
    states: Vec<u16>,
    /// Each node's children by DLT count, [`UNVISITED`] until visited.
    children: Vec<Node>,
    /// Node of each state, except the root.
    index: FxHashMap<Box<[u16]>, Node>,
    /// Trials that ended at each node under each truth: `ends[node * num_truths + truth]`.
    ends: Vec<u64>,
    /// Scratch data for deciding new states and for trials off the graph.
    data: TrialData,
}

impl<'a> DecisionGraph<'a> {
    /// An empty graph for `finder`, run under `num_truths` truths; costly decisions go through
    /// `shared` when given.
    pub fn new(finder: &'a dyn DoseFinder, shared: Option<&'a SharedDecisions>, num_truths: usize) -> Self {
        DecisionGraph::with_limit(finder, shared, num_truths, GRAPH_LIMIT)
    }

    fn with_limit(
        finder: &'a dyn DoseFinder,
        shared: Option<&'a SharedDecisions>,
        num_truths: usize,
        limit: usize,
    ) -> Self {
        let limits = finder.limits();
        let mut graph = DecisionGraph {
            finder,
            shared,
            num_truths,
            limit,
            root: UNVISITED,
            decisions: Vec::new(),
            states: Vec::new(),
            children: Vec::new(),
            index: FxHashMap::default(),
            ends: Vec::new(),
            data: TrialData::new(limits.num_doses),
        };
        graph.root = graph.add_node(Decision::Treat(limits.start_dose));
        graph
    }

    fn decide(&self) -> Decision {
        match self.shared {
            Some(shared) => shared.decide(self.finder, &self.data),
            None => self.finder.decide(&self.data),
        }
    }

    /// Adds the state in `self.data`, where `decision` was taken.
    fn add_node(&mut self, decision: Decision) -> Node {
        let id = self.decisions.len() as u32;
        let node = match decision {
            Decision::Treat(dose) => {
                let size = self.finder.next_cohort_size(&self.data);
                let children = self.children.len() as u32;
                self.children
                    .resize(self.children.len() + usize::from(size) + 1, UNVISITED);
                Node {
                    id,
                    children,
                    dose,
                    size,
                }
            }
            Decision::Stop { .. } => Node {
                id,
                children: NONE,
                dose: Dose(0),
                size: 0,
            },
        };
        self.decisions.push(decision);
        self.states.extend_from_slice(self.data.state());
        self.ends.resize(self.ends.len() + self.num_truths, 0);
        node
    }

    /// Loads node `id`'s state into `self.data`.
    fn load(&mut self, id: u32) {
        let len = self.data.state().len();
        let at = id as usize * len;
        self.data.set_state(&self.states[at..at + len]);
    }

    /// The node reached from `parent` when its cohort has `dlts` DLTs, added if new; `None` when
    /// the state is new and the graph is full, with the state left in `self.data`.
    #[cold]
    fn visit(&mut self, parent: Node, dlts: u16) -> Option<Node> {
        self.load(parent.id);
        self.data.add_cohort(parent.dose, parent.size, dlts);
        let node = match self.index.get(self.data.state()) {
            Some(&node) => node,
            None if self.decisions.len() >= self.limit => return None,
            None => {
                let node = self.add_node(self.decide());
                self.index.insert(self.data.state().into(), node);
                node
            }
        };
        self.children[parent.children as usize + usize::from(dlts)] = node;
        Some(node)
    }

    /// Runs one trial on `patients` under the truth with index `truth` and DLT thresholds
    /// `thresholds` (see [`dlt_threshold`](super::rng::dlt_threshold)). Trials that end on the graph
    /// are counted at their last node; a trial that leaves a full graph is recorded in `counts`.
    pub fn run(&mut self, patients: &mut PatientStream, thresholds: &[u64], truth: usize, counts: &mut OcCounts) {
        let mut node = self.root;
        let mut first = 0;
        loop {
            let dlts = patients.dlts(first, usize::from(node.size), thresholds[node.dose.index()]);
            first += usize::from(node.size);
            let mut next = self.children[node.children as usize + usize::from(dlts)];
            if next.id == NONE {
                match self.visit(node, dlts) {
                    Some(visited) => next = visited,
                    None => return self.finish_off_graph(patients, thresholds, counts),
                }
            }
            if next.children == NONE {
                self.ends[next.id as usize * self.num_truths + truth] += 1;
                return;
            }
            node = next;
        }
    }

    /// Continues the trial whose state is in `self.data` without the graph, and records it.
    #[cold]
    fn finish_off_graph(&mut self, patients: &mut PatientStream, thresholds: &[u64], counts: &mut OcCounts) {
        loop {
            match self.decide() {
                Decision::Treat(dose) => {
                    let size = self.finder.next_cohort_size(&self.data);
                    let first = self.data.total_patients() as usize;
                    let dlts = patients.dlts(first, usize::from(size), thresholds[dose.index()]);
                    self.data.add_cohort(dose, size, dlts);
                }
                stop => return counts.record(&self.data, stop),
            }
        }
    }

    /// Records the trials that ended on the graph into `counts` (indexed by truth) and forgets them.
    pub fn flush(&mut self, counts: &mut [OcCounts]) {
        for id in 0..self.decisions.len() {
            let ends = id * self.num_truths..(id + 1) * self.num_truths;
            if self.ends[ends.clone()].iter().all(|&n| n == 0) {
                continue;
            }
            self.load(id as u32);
            for (counts, n) in counts.iter_mut().zip(&mut self.ends[ends]) {
                if *n > 0 {
                    counts.record_times(&self.data, self.decisions[id], *n);
                    *n = 0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::dlt_threshold;

    /// The plain trial loop the graph replaces.
    fn reference(finder: &dyn DoseFinder, thresholds: &[u64], patients: &mut PatientStream, counts: &mut OcCounts) {
        let mut data = TrialData::new(finder.limits().num_doses);
        let mut dose = finder.limits().start_dose;
        loop {
            let size = finder.next_cohort_size(&data);
            let first = data.total_patients() as usize;
            let dlts = patients.dlts(first, usize::from(size), thresholds[dose.index()]);
            data.add_cohort(dose, size, dlts);
            match finder.decide(&data) {
                Decision::Treat(next) => dose = next,
                stop => return counts.record(&data, stop),
            }
        }
    }

    /// Every bundled design gives the same counts through the graph (whole, or full after a few
    /// states so that trials continue off it) as through the plain loop.
    #[test]
    fn graph_counts_equal_the_plain_loop() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/qls4131_escalation.toml");
        let scenario = crate::scenario::Scenario::load(&path).expect("bundled scenario");
        let thresholds: Vec<Vec<u64>> = scenario
            .truths
            .iter()
            .map(|t| t.dlt.iter().map(|&p| dlt_threshold(p)).collect())
            .collect();
        let num_doses = thresholds[0].len();
        for finder in scenario.build_designs() {
            let finder = finder.as_ref();
            let max = finder.limits().max_patients;
            let empty = || vec![OcCounts::new(num_doses, max); thresholds.len()];
            let shared = SharedDecisions::default();
            let (mut expected, mut whole, mut small) = (empty(), empty(), empty());
            let mut graph = DecisionGraph::new(finder, Some(&shared), thresholds.len());
            let mut full = DecisionGraph::with_limit(finder, None, thresholds.len(), 5);
            let mut patients = PatientStream::with_capacity(max as usize);
            for trial in 0..300 {
                patients.start_trial(9, trial);
                for (j, truth) in thresholds.iter().enumerate() {
                    reference(finder, truth, &mut patients, &mut expected[j]);
                    graph.run(&mut patients, truth, j, &mut whole[j]);
                    full.run(&mut patients, truth, j, &mut small[j]);
                }
            }
            graph.flush(&mut whole);
            full.flush(&mut small);
            assert_eq!(whole, expected, "{}", finder.name());
            assert_eq!(small, expected, "{}", finder.name());
        }
    }
}
