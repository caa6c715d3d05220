//! Decisions memoised by trial state. Every decision is a function of [`TrialData::state`], so a
//! memoised decision is exact.
//!
//! - [`SharedDecisions`]: one design's decisions in a map shared by every thread, for designs whose
//!   fits are costly (model-based designs); [`DecisionCache`] puts a thread's own map in front.
//! - [`DecisionGraph`]: a thread's graph of the trial states it has visited, for the Monte Carlo
//!   loop. Each state knows the next cohort's dose and size and, for each possible number of DLTs
//!   in it, the next state, so after the first visit a cohort costs one array index and no hash.
//!   Two walks (truths) go side by side, and trial ends are counted in batches: the walk is bound
//!   by memory latency, not by instructions. For a design that decides on responses too, the
//!   children are indexed by the cohort's joint outcome instead ([`CohortOutcomes`]).

use super::dose_finding::OcCounts;
use super::outcomes::CohortOutcomes;
use super::rng::PatientStream;
use super::Accumulator;
use crate::core::NO_WAIT_WITHOUT_FOLLOW_UP;
use crate::designs::{Decision, Dose, DoseFinder, TrialData};
use rustc_hash::FxHashMap;
use std::marker::PhantomData;
use std::sync::RwLock;

type DecisionMap = FxHashMap<Box<[u16]>, Decision>;

/// Maps are cleared when they reach this many entries, or [`CACHE_BYTES`], so memory stays
/// bounded.
const CACHE_LIMIT: usize = 1 << 20;

/// Bytes a decision map may hold, roughly: with many doses a state is long (203 numbers with 100
/// doses), and a map of [`CACHE_LIMIT`] such states would take half a gigabyte.
const CACHE_BYTES: usize = 80 << 20;

/// The most entries a map of states of `state_len` numbers holds: the boxed key, its pointer, the
/// decision and the table's slot overhead per entry.
fn map_limit(state_len: usize) -> usize {
    (CACHE_BYTES / (2 * state_len + 48)).min(CACHE_LIMIT)
}

fn insert_bounded(map: &mut DecisionMap, key: &[u16], decision: Decision) {
    if map.len() >= map_limit(key.len()) {
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
        debug_assert!(
            data.follow_up().is_none(),
            "the state is not all of data with follow-up"
        );
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

/// Most states a [`DecisionGraph`] holds (about 200 bytes each with six doses and six truths), or
/// fewer where states are long ([`GRAPH_BYTES`]); trials that leave them continue from their
/// data, decided without the graph.
const GRAPH_LIMIT: usize = 1 << 17;

/// Bytes a [`DecisionGraph`] may hold, roughly: six doses stay at [`GRAPH_LIMIT`] states; 100
/// doses (900 bytes a state) hold about 28,000, so that five designs on two threads stay near
/// 250 MB instead of over a gigabyte.
const GRAPH_BYTES: usize = 24 << 20;

/// The most states a graph of states of `state_len` numbers holds: each state twice (in the
/// concatenated states and as its index key), its decision, child slots and index overhead.
fn graph_limit(state_len: usize) -> usize {
    (GRAPH_BYTES / (4 * state_len + 96)).min(GRAPH_LIMIT)
}

/// A child slot: the state a cohort's outcome leads to, packed into 8 bytes so that a cohort
/// step is one load.
#[derive(Clone, Copy)]
struct Node {
    /// A state that treats: where its children, indexed by its cohort's outcome (DLTs, or the
    /// joint outcome, see [`CohortOutcomes::slot`]), start in
    /// [`DecisionGraph::children`]. A stop: its index in [`DecisionGraph::stops`].
    link: u32,
    /// The next cohort's dose.
    dose: Dose,
    /// The next cohort's size; [`STOP`] where the trial stops, [`UNVISITED`] in a slot not yet
    /// visited.
    size: u16,
}

const STOP: u16 = 0;
const UNVISITED: u16 = u16::MAX;

/// Trial ends held by [`DecisionGraph::pending`] before they are counted.
const PENDING_ENDS: usize = 1024;

impl Node {
    const UNVISITED: Node = Node {
        link: 0,
        dose: Dose(0),
        size: UNVISITED,
    };

    /// Whether the walk cannot go on from here (a stop or an unvisited slot), in one comparison.
    #[inline(always)]
    fn is_end(self) -> bool {
        self.size.wrapping_sub(1) >= UNVISITED - 1
    }
}

/// Where one truth's trial is in the graph: the state it has reached and its next patient.
struct Lane<'t, O: CohortOutcomes> {
    node: Node,
    first: usize,
    /// The truth's thresholds per dose, and its index.
    thresholds: &'t [O::Threshold],
    truth: usize,
}

impl<O: CohortOutcomes> Clone for Lane<'_, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O: CohortOutcomes> Copy for Lane<'_, O> {}

impl<O: CohortOutcomes> Lane<'_, O> {
    /// The current cohort's outcome and the slot it leads to.
    #[inline(always)]
    fn step(&self, children: &[Node], patients: &PatientStream) -> (Node, O::Outcome) {
        let here = self.node;
        let threshold = self.thresholds[here.dose.index()];
        let outcome = O::draw(patients, self.first, here.size, threshold);
        (children[here.link as usize + O::slot(here.size, outcome)], outcome)
    }

    /// Moves past the current cohort to `next`.
    #[inline(always)]
    fn advance(&mut self, next: Node) {
        self.first += usize::from(self.node.size);
        self.node = next;
    }
}

/// Walks `lane` along visited states until its next slot is a stop or unvisited, and returns that
/// step: this is the simulation's innermost loop, and it only reads the graph.
#[inline(always)]
fn walk<O: CohortOutcomes>(children: &[Node], patients: &PatientStream, lane: &mut Lane<O>) -> (Node, O::Outcome) {
    let mut here = *lane;
    loop {
        let step = here.step(children, patients);
        if step.0.is_end() {
            *lane = here;
            return step;
        }
        here.advance(step.0);
    }
}

/// Puts the next waiting truth's trial in `lane`; false if none is left.
fn refill<'t, O: CohortOutcomes>(lane: &mut Lane<'t, O>, waiting: &mut impl Iterator<Item = Lane<'t, O>>) -> bool {
    waiting.next().map(|next| *lane = next).is_some()
}

/// [`walk`] for two lanes side by side, until either needs more than the graph holds.
#[inline(always)]
fn walk_pair<O: CohortOutcomes>(
    children: &[Node],
    patients: &PatientStream,
    a: &mut Lane<O>,
    b: &mut Lane<O>,
) -> ((Node, O::Outcome), (Node, O::Outcome)) {
    let (mut here_a, mut here_b) = (*a, *b);
    loop {
        let (step_a, step_b) = (here_a.step(children, patients), here_b.step(children, patients));
        if step_a.0.is_end() | step_b.0.is_end() {
            (*a, *b) = (here_a, here_b);
            return (step_a, step_b);
        }
        here_a.advance(step_a.0);
        here_b.advance(step_b.0);
    }
}

/// One design's states as visited by one thread, with the trials that ended at each state under
/// each truth (recorded into [`OcCounts`] by [`DecisionGraph::flush`]). Node 0 is the empty trial.
///
/// Each child slot holds a copy of the child's `Node`, so a cohort costs one dependent load.
pub struct DecisionGraph<'a, O: CohortOutcomes> {
    finder: &'a dyn DoseFinder,
    /// Where costly decisions are shared with other threads (`None`: decide directly).
    shared: Option<&'a SharedDecisions>,
    /// Most states held (see [`GRAPH_LIMIT`]).
    limit: usize,
    root: Node,
    /// The decision at each node (the root's is treating at the start dose).
    decisions: Vec<Decision>,
    /// Each node's [`TrialData::state`], concatenated.
    states: Vec<u16>,
    /// Each treating node's children by DLT count, [`Node::UNVISITED`] until visited.
    children: Vec<Node>,
    /// The node id whose child each slot of `children` is.
    parent: Vec<u32>,
    /// Node of each state, except the root.
    index: FxHashMap<Box<[u16]>, Node>,
    /// The node id of each stop.
    stops: Vec<u32>,
    /// Trials that ended at each stop under each truth: `ends[truth][stop]` (a truth's trials
    /// end at few stops, so its counts share cache lines).
    ends: Vec<Vec<u64>>,
    /// Trial ends (stop, truth) not yet added to `ends`. Rare stops are far apart in memory:
    /// adding a batch at once lets the processor fetch them together instead of stalling at
    /// the end of each trial.
    pending: Vec<(u32, u32)>,
    /// Scratch data for deciding new states and for trials off the graph.
    data: TrialData,
    outcomes: PhantomData<O>,
}

impl<'a, O: CohortOutcomes> DecisionGraph<'a, O> {
    /// An empty graph for `finder`, run under `num_truths` truths; costly decisions go through
    /// `shared` when given.
    pub fn new(finder: &'a dyn DoseFinder, shared: Option<&'a SharedDecisions>, num_truths: usize) -> Self {
        let state_len = O::data(finder.limits().num_doses).state().len();
        DecisionGraph::with_limit(finder, shared, num_truths, graph_limit(state_len))
    }

    /// [`DecisionGraph::new`] holding at most `limit` states.
    pub(super) fn with_limit(
        finder: &'a dyn DoseFinder,
        shared: Option<&'a SharedDecisions>,
        num_truths: usize,
        limit: usize,
    ) -> Self {
        let limits = finder.limits();
        let mut graph = DecisionGraph {
            finder,
            shared,
            limit,
            root: Node::UNVISITED,
            decisions: Vec::new(),
            states: Vec::new(),
            children: Vec::new(),
            parent: Vec::new(),
            index: FxHashMap::default(),
            stops: Vec::new(),
            ends: vec![Vec::new(); num_truths],
            pending: Vec::with_capacity(PENDING_ENDS),
            data: O::data(limits.num_doses),
            outcomes: PhantomData,
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
                let slots = self.children.len() + O::slots(size);
                let link = self.children.len() as u32;
                self.children.resize(slots, Node::UNVISITED);
                self.parent.resize(slots, id);
                Node { link, dose, size }
            }
            Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
            Decision::Stop { .. } => {
                let link = self.stops.len() as u32;
                self.stops.push(id);
                for ends in &mut self.ends {
                    ends.push(0);
                }
                Node {
                    link,
                    dose: Dose(0),
                    size: STOP,
                }
            }
        };
        self.decisions.push(decision);
        self.states.extend_from_slice(self.data.state());
        node
    }

    /// Loads node `id`'s state into `self.data`.
    fn load(&mut self, id: u32) {
        let len = self.data.state().len();
        let at = id as usize * len;
        self.data.set_state(&self.states[at..at + len]);
    }

    /// The node reached from `parent` when its cohort has `outcome`, added if new; `None` when
    /// the state is new and the graph is full, with the state left in `self.data`.
    #[cold]
    fn visit(&mut self, parent: Node, outcome: O::Outcome) -> Option<Node> {
        self.load(self.parent[parent.link as usize]);
        O::record(&mut self.data, parent.dose, parent.size, outcome);
        let node = match self.index.get(self.data.state()) {
            Some(&node) => node,
            None if self.decisions.len() >= self.limit => return None,
            None => {
                let node = self.add_node(self.decide());
                self.index.insert(self.data.state().into(), node);
                node
            }
        };
        self.children[parent.link as usize + O::slot(parent.size, outcome)] = node;
        Some(node)
    }

    /// Runs one trial on `patients` under every truth (`thresholds[j]` are truth j's thresholds
    /// per dose, see [`dlt_threshold`](super::rng::dlt_threshold)). Trials that end on the graph
    /// are counted at their last node; a trial that leaves a full graph is recorded in `counts`.
    ///
    /// Truths are walked two at a time, cohort by cohort side by side: each walk is a chain of
    /// dependent loads, and the processor overlaps two independent chains.
    pub fn run_truths(&mut self, patients: &PatientStream, thresholds: &[Vec<O::Threshold>], counts: &mut [OcCounts]) {
        let root = self.root;
        let mut waiting = thresholds.iter().enumerate().map(|(truth, thresholds)| Lane {
            node: root,
            first: 0,
            thresholds,
            truth,
        });
        let Some(mut a) = waiting.next() else {
            return;
        };
        let Some(mut b) = waiting.next() else {
            return self.finish_lane(a, patients, counts);
        };
        loop {
            let (next_a, next_b) = walk_pair(&self.children, patients, &mut a, &mut b);
            let a_on = self.advance(&mut a, next_a, patients, counts) || refill(&mut a, &mut waiting);
            let b_on = self.advance(&mut b, next_b, patients, counts) || refill(&mut b, &mut waiting);
            match (a_on, b_on) {
                (true, true) => {}
                (true, false) => return self.finish_lane(a, patients, counts),
                (false, true) => return self.finish_lane(b, patients, counts),
                (false, false) => return,
            }
        }
    }

    /// Walks `lane` alone to the end of its trial.
    fn finish_lane(&mut self, mut lane: Lane<O>, patients: &PatientStream, counts: &mut [OcCounts]) {
        loop {
            let next = walk(&self.children, patients, &mut lane);
            if !self.advance(&mut lane, next, patients, counts) {
                return;
            }
        }
    }

    /// Moves `lane` past its cohort, whose `outcome` leads to slot `next`; false once its trial
    /// has ended (and been counted).
    #[inline(always)]
    fn advance(
        &mut self,
        lane: &mut Lane<O>,
        (next, outcome): (Node, O::Outcome),
        patients: &PatientStream,
        counts: &mut [OcCounts],
    ) -> bool {
        let next = match next.size {
            UNVISITED => match self.visit(lane.node, outcome) {
                Some(visited) => visited,
                None => {
                    self.finish_off_graph(patients, lane.thresholds, &mut counts[lane.truth]);
                    return false;
                }
            },
            _ => next,
        };
        lane.advance(next);
        if next.size == STOP {
            self.end(next.link, lane.truth);
            return false;
        }
        true
    }

    /// Counts a trial that ended at stop `stop` under truth `truth`.
    #[inline(always)]
    fn end(&mut self, stop: u32, truth: usize) {
        self.pending.push((stop, truth as u32));
        if self.pending.len() == PENDING_ENDS {
            self.add_pending_ends();
        }
    }

    /// Continues the trial whose state is in `self.data` without the graph, and records it.
    #[cold]
    fn finish_off_graph(&mut self, patients: &PatientStream, thresholds: &[O::Threshold], counts: &mut OcCounts) {
        loop {
            match self.decide() {
                Decision::Treat(dose) => {
                    let size = self.finder.next_cohort_size(&self.data);
                    let first = self.data.total_patients() as usize;
                    let outcome = O::draw(patients, first, size, thresholds[dose.index()]);
                    O::record(&mut self.data, dose, size, outcome);
                }
                Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
                stop => return counts.add((&self.data, stop)),
            }
        }
    }

    #[cold]
    fn add_pending_ends(&mut self) {
        for &(stop, truth) in &self.pending {
            self.ends[truth as usize][stop as usize] += 1;
        }
        self.pending.clear();
    }

    /// Records the trials that ended on the graph into `counts` (indexed by truth) and forgets them.
    pub fn flush(&mut self, counts: &mut [OcCounts]) {
        self.add_pending_ends();
        for stop in 0..self.stops.len() {
            if self.ends.iter().all(|ends| ends[stop] == 0) {
                continue;
            }
            let id = self.stops[stop];
            self.load(id);
            for (counts, ends) in counts.iter_mut().zip(&mut self.ends) {
                if ends[stop] > 0 {
                    counts.add_times(&self.data, self.decisions[id as usize], ends[stop]);
                    ends[stop] = 0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Six doses keep the graph's and maps' entry limits; 100 doses (203 numbers a state) are
    /// held to their byte budgets.
    #[test]
    fn long_states_are_held_to_a_byte_budget() {
        let six = TrialData::new(6).state().len();
        assert_eq!((graph_limit(six), map_limit(six)), (GRAPH_LIMIT, CACHE_LIMIT));
        let hundred = TrialData::new(100).state().len();
        assert!(graph_limit(hundred) * (4 * hundred + 96) <= GRAPH_BYTES);
        assert!(
            (20_000..40_000).contains(&graph_limit(hundred)),
            "{}",
            graph_limit(hundred)
        );
        assert!(map_limit(hundred) * (2 * hundred + 48) <= CACHE_BYTES);
    }
    use crate::engines::outcomes::Toxicity;
    use crate::engines::rng::dlt_threshold;

    /// The plain trial loop the graph replaces.
    fn reference(finder: &dyn DoseFinder, thresholds: &[u64], patients: &PatientStream, counts: &mut OcCounts) {
        let mut data = TrialData::new(finder.limits().num_doses);
        let mut dose = finder.limits().start_dose;
        loop {
            let size = finder.next_cohort_size(&data);
            let first = data.total_patients() as usize;
            let dlts = patients.dlts(first, usize::from(size), thresholds[dose.index()]);
            data.add_cohort(dose, size, dlts);
            match finder.decide(&data) {
                Decision::Treat(next) => dose = next,
                Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
                stop => return counts.add((&data, stop)),
            }
        }
    }

    /// The designs of the bundled QLS4131 escalation scenario, built from their keys as its
    /// `[[design]]` tables give them: (rule, own keys, accelerated titration, rules).
    fn qls4131_designs() -> Vec<Box<dyn DoseFinder>> {
        use crate::core::params::{FieldPath, Params};
        use crate::designs::registry::{self, TrialContext, Wrappers};
        use crate::designs::rules::{DoseSelector, StopWhenNAtDose, StopWhenTooToxic};
        use crate::designs::titration::AfterFirstDlt;
        use crate::designs::{Rule, TrialLimits};
        let limits = TrialLimits {
            num_doses: 6,
            cohort_size: 3,
            max_patients: 36,
            start_dose: Dose(0),
        };
        let context = TrialContext {
            target: 0.25,
            limits,
            max_patients_limit: crate::core::limits::MAX_PATIENTS_LIMIT,
        };
        let at_recommended = || -> Box<dyn Rule> {
            Box::new(StopWhenNAtDose {
                n: 12,
                dose: DoseSelector::Recommended,
            })
        };
        let design = |rule: &str, keys: &str, accelerated_titration: bool, rules: Vec<Box<dyn Rule>>| {
            let table: toml::Table = keys.parse().expect("design keys");
            let path = FieldPath::default().key("design");
            let kind = registry::find(rule).expect("a registered rule");
            let configured = kind.parse(&mut Params::new(table, path), &context).expect("valid keys");
            configured.build(Wrappers {
                name: rule.to_string(),
                accelerated_titration: accelerated_titration.then(AfterFirstDlt::default),
                rules,
                limits,
            })
        };
        let interval = "extra_safe = true\nn_earlystop = 12";
        vec![
            design("3+3", "", false, vec![]),
            design("3+3", "deescalate = true", false, vec![]),
            design("boin", interval, false, vec![]),
            design(
                "crm",
                "model = \"empiric\"\nskeleton = { halfwidth = 0.05, nu = 3 }\nprior_variance = 1.34\nrestrict = true",
                false,
                vec![
                    Box::new(StopWhenTooToxic {
                        dose: DoseSelector::Level(Dose(0)),
                        threshold: 0.25,
                        certainty: 0.9,
                    }),
                    at_recommended(),
                ],
            ),
            design("keyboard", interval, false, vec![]),
            design("mtpi2", interval, false, vec![]),
            design("i3+3", interval, false, vec![]),
            design("boin", interval, true, vec![]),
            design(
                "blrm",
                "dose_amounts = [0.3, 1, 3, 10, 30, 60]\nreference_dose = 10\nmax_escalation = 4",
                false,
                vec![at_recommended()],
            ),
        ]
    }

    /// Every design of the bundled QLS4131 escalation scenario, under its truths, gives the same
    /// counts through the graph (whole, or full after a few states so that trials continue off
    /// it) as through the plain loop.
    #[test]
    fn graph_counts_equal_the_plain_loop() {
        let truths = [
            [0.10, 0.25, 0.40, 0.52, 0.62, 0.70],
            [0.04, 0.10, 0.25, 0.40, 0.52, 0.62],
            [0.03, 0.07, 0.13, 0.25, 0.40, 0.55],
            [0.02, 0.04, 0.08, 0.14, 0.25, 0.40],
            [0.01, 0.02, 0.03, 0.05, 0.07, 0.10],
            [0.40, 0.50, 0.60, 0.70, 0.78, 0.85],
        ];
        let thresholds: Vec<Vec<u64>> = truths
            .iter()
            .map(|dlt| dlt.iter().map(|&p| dlt_threshold(p)).collect())
            .collect();
        let num_doses = thresholds[0].len();
        // Truths are walked in pairs: check an odd number, a lone truth and the whole set too.
        for (num_truths, trials) in [(1, 100), (3, 100), (thresholds.len(), 300)] {
            let thresholds = &thresholds[..num_truths];
            for finder in qls4131_designs() {
                let finder = finder.as_ref();
                let max = finder.limits().max_patients;
                let empty = || vec![OcCounts::new(num_doses, max); num_truths];
                let shared = SharedDecisions::default();
                let (mut expected, mut whole, mut small) = (empty(), empty(), empty());
                let mut graph = DecisionGraph::<Toxicity>::new(finder, Some(&shared), num_truths);
                let mut full = DecisionGraph::<Toxicity>::with_limit(finder, None, num_truths, 5);
                let mut patients = PatientStream::with_capacity(max as usize);
                for trial in 0..trials {
                    patients.start_trial(9, trial);
                    for (j, truth) in thresholds.iter().enumerate() {
                        reference(finder, truth, &patients, &mut expected[j]);
                    }
                    graph.run_truths(&patients, thresholds, &mut whole);
                    full.run_truths(&patients, thresholds, &mut small);
                }
                graph.flush(&mut whole);
                full.flush(&mut small);
                assert_eq!(whole, expected, "{} with {num_truths} truths", finder.name());
                assert_eq!(small, expected, "{} with {num_truths} truths", finder.name());
            }
        }
    }
}
