//! The dose-finding engine: each trial's patients go through every design under every truth, on
//! per-thread decision graphs (`DecisionGraph`) that turn a cohort into one array index once its
//! state has been visited; trials end in integer [`OcCounts`].
//!
//! A design that decides on responses as well (a phase I/II design, [`DoseFinder::uses_efficacy`])
//! is given data with efficacy, its graph's children are indexed by each cohort's joint outcome,
//! and its counts keep responses per dose; the patients' DLTs are the same as for every other
//! design (their response latents come from a stream of their own, see [`super::rng`]).

use super::cache::{DecisionGraph, SharedDecisions};
use super::outcomes::{Joint, Toxicity};
use super::randomized::{OptimizationCounts, RandomizedTrials};
use super::rng::{dlt_threshold, JointThreshold, PatientStream};
use super::{add, add_counts, total, Accumulator, MergeError, Simulation};
use crate::core::limits::MAX_DOSES;
use crate::core::{DoseTruth, StopReason, Truth};
use crate::designs::optimization::Randomization;
use crate::designs::{Decision, DoseFinder, TrialData};
use crate::results::moments::{upper_index, TrialMoments};

/// Integer accumulators for one design under one truth. Merging is exact addition. Shards write
/// them as they are (every field serialises), so a field added here travels through shards.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OcCounts {
    /// Trials counted.
    pub trials: u64,
    /// Trials that selected each dose.
    pub selected: Vec<u64>,
    /// Trials that selected no dose.
    pub selected_none: u64,
    /// Patients treated at each dose, summed over trials.
    pub patients: Vec<u64>,
    /// DLTs at each dose, summed over trials.
    pub dlts: Vec<u64>,
    /// Trials by stop reason, indexed as [`StopReason::ALL`](crate::designs::StopReason::ALL).
    pub stops: [u64; StopReason::ALL.len()],
    /// Trials by total sample size (index = patients).
    pub sample_size: Vec<u64>,
    /// Responses at each dose, summed over trials: designs that decide on responses only (empty
    /// otherwise, and then not written to shard files, which stay as they were).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<u64>,
    /// Σ over trials of the products vᵢvⱼ (i ≤ j, upper triangle row by row, see
    /// [`upper_index`]) of the trial's counts v = (patients at each dose, DLTs at each dose, and
    /// responses at each dose when counted): the second moments behind every standard error
    /// ([`crate::results::moments`]).
    pub products: Vec<u64>,
    /// The randomized dose-optimization stage's counts, for a design with one (absent otherwise,
    /// and then not written to shard files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimization: Option<OptimizationCounts>,
}

impl OcCounts {
    /// Empty counts for `num_doses` doses and at most `max_patients` patients a trial.
    pub fn new(num_doses: usize, max_patients: u32) -> OcCounts {
        OcCounts {
            trials: 0,
            selected: vec![0; num_doses],
            selected_none: 0,
            patients: vec![0; num_doses],
            dlts: vec![0; num_doses],
            stops: [0; StopReason::ALL.len()],
            sample_size: vec![0; max_patients as usize + 1],
            responses: Vec::new(),
            products: vec![0; triangle(2 * num_doses)],
            optimization: None,
        }
    }

    /// The counts with responses per dose as well, for a design that decides on responses.
    pub fn with_responses(mut self) -> OcCounts {
        self.responses = vec![0; self.patients.len()];
        self.products = vec![0; triangle(3 * self.patients.len())];
        self
    }

    /// The length m of the count vector v whose products are kept.
    fn vector_len(&self) -> usize {
        self.patients.len() * if self.responses.is_empty() { 2 } else { 3 }
    }

    /// Adds `times` finished trials that all ended with the same data and decision.
    pub fn add_times(&mut self, data: &TrialData, end: Decision, times: u64) {
        self.trials += times;
        if let Decision::Stop { selected, reason } = end {
            match selected {
                Some(d) => self.selected[d.index()] += times,
                None => self.selected_none += times,
            }
            self.stops[reason.index()] += times;
        }
        let num_doses = self.patients.len();
        // The non-zero entries of v, (index, value): a trial treats few of the doses.
        let mut v = [(0usize, 0u64); 3 * MAX_DOSES];
        let mut nonzero = 0;
        let mut push = |at: usize, x: u32| {
            if x > 0 {
                v[nonzero] = (at, u64::from(x));
                nonzero += 1;
            }
        };
        for d in data.doses() {
            let i = d.index();
            let (patients, dlts) = (data.patients(d), data.dlts(d));
            self.patients[i] += times * u64::from(patients);
            self.dlts[i] += times * u64::from(dlts);
            push(i, patients);
            push(num_doses + i, dlts);
            if let (Some(count), Some(responses)) = (self.responses.get_mut(i), data.responses(d)) {
                *count += times * u64::from(responses);
                push(2 * num_doses + i, responses);
            }
        }
        let m = self.vector_len();
        let v = &v[..nonzero];
        for (k, &(i, x)) in v.iter().enumerate() {
            for &(j, y) in &v[k..] {
                self.products[upper_index(m, i, j)] += times * x * y;
            }
        }
        self.sample_size[data.total_patients() as usize] += times;
    }

    /// The per-trial moments of the counts, as means over the trials.
    pub fn moments(&self) -> TrialMoments {
        let n = self.trials.max(1) as f64;
        let parts = [&self.patients, &self.dlts, &self.responses];
        TrialMoments {
            trials: self.trials,
            doses: self.patients.len(),
            products: self.products.iter().map(|&x| x as f64 / n).collect(),
            means: parts.into_iter().flatten().map(|&x| x as f64 / n).collect(),
        }
    }
}

/// Entries of the upper triangle (diagonal included) of an m × m matrix.
fn triangle(m: usize) -> usize {
    m * (m + 1) / 2
}

impl Accumulator for OcCounts {
    /// The trial's final data and its last decision.
    type Trial<'t> = (&'t TrialData, Decision);

    fn add(&mut self, (data, end): (&TrialData, Decision)) {
        self.add_times(data, end, 1);
    }

    fn merge(&mut self, other: &OcCounts) -> Result<(), MergeError> {
        let same = |a: &[u64], b: &[u64]| a.len() == b.len();
        if !(same(&self.selected, &other.selected)
            && same(&self.patients, &other.patients)
            && same(&self.dlts, &other.dlts)
            && same(&self.sample_size, &other.sample_size)
            && same(&self.responses, &other.responses)
            && same(&self.products, &other.products)
            && self.optimization.is_some() == other.optimization.is_some())
        {
            return Err(MergeError("the counts are not of the same doses and sample sizes"));
        }
        add(&mut self.trials, other.trials)?;
        add(&mut self.selected_none, other.selected_none)?;
        add_counts(&mut self.selected, &other.selected)?;
        add_counts(&mut self.patients, &other.patients)?;
        add_counts(&mut self.dlts, &other.dlts)?;
        add_counts(&mut self.stops, &other.stops)?;
        add_counts(&mut self.sample_size, &other.sample_size)?;
        add_counts(&mut self.responses, &other.responses)?;
        add_counts(&mut self.products, &other.products)?;
        match (&mut self.optimization, &other.optimization) {
            (Some(a), Some(b)) => a.merge(b),
            (None, None) => Ok(()),
            _ => Err(MergeError("one of the counts has a randomized stage, the other not")),
        }
    }

    fn trials(&self) -> u64 {
        self.trials
    }

    /// Every trial selects one dose or none, stops for one reason and has one sample size; the
    /// patients at the doses add up to the sample sizes; no dose has more DLTs, or more
    /// responses, than patients.
    fn check(&self) -> Result<(), String> {
        let trials = u128::from(self.trials);
        let doses = self.selected.len();
        let responses_fit = self.responses.is_empty() || self.responses.len() == doses;
        if self.patients.len() != doses || self.dlts.len() != doses || self.sample_size.is_empty() || !responses_fit {
            return Err("the per-dose counts are not of the same doses".into());
        }
        if self.products.len() != triangle(self.vector_len()) {
            return Err("the sums of products are not of the same doses".into());
        }
        let equal = |what: &str, sum: u128| {
            (sum == trials)
                .then_some(())
                .ok_or_else(|| format!("{what} add up to {sum}, not to the {trials} trials"))
        };
        equal("the selections", total(&self.selected) + u128::from(self.selected_none))?;
        equal("the stop reasons", total(&self.stops))?;
        equal("the sample sizes", total(&self.sample_size))?;
        let treated: u128 = (self.sample_size.iter().enumerate())
            .map(|(n, &c)| n as u128 * u128::from(c))
            .sum();
        let k = doses;
        let squares: u128 = (0..k)
            .flat_map(|i| (i..k).map(move |j| (i, j)))
            .map(|(i, j)| {
                u128::from(self.products[upper_index(2 * k + self.responses.len(), i, j)]) * if i == j { 1 } else { 2 }
            })
            .sum();
        let size_squares: u128 = (self.sample_size.iter().enumerate())
            .map(|(n, &c)| (n * n) as u128 * u128::from(c))
            .sum();
        if squares != size_squares {
            return Err(format!(
                "the products of the patients at the doses add up to {squares}, the squared sample sizes to {size_squares}"
            ));
        }
        if total(&self.patients) != treated {
            return Err(format!(
                "the patients at the doses add up to {}, the sample sizes to {treated}",
                total(&self.patients)
            ));
        }
        if let Some(d) = (0..doses).find(|&d| self.dlts[d] > self.patients[d]) {
            return Err(format!(
                "dose {} has {} DLTs among {} patients",
                d + 1,
                self.dlts[d],
                self.patients[d]
            ));
        }
        if let Some(stage) = &self.optimization {
            stage.check()?;
            if stage.trials != self.trials {
                return Err(format!(
                    "{} trials of the randomized stage, {} of the escalation",
                    stage.trials, self.trials
                ));
            }
        }
        if let Some(d) = (0..self.responses.len()).find(|&d| self.responses[d] > self.patients[d]) {
            return Err(format!(
                "dose {} has {} responses among {} patients",
                d + 1,
                self.responses[d],
                self.patients[d]
            ));
        }
        Ok(())
    }
}

/// Every design under every truth, with common random numbers: trial t's patients carry the
/// latents of (seed, t) (see [`PatientStream`]) whatever the design and the truth. Counts are
/// indexed `[design][truth]`.
pub struct DoseFindingPlan<'a> {
    designs: &'a [Box<dyn DoseFinder>],
    seed: u64,
    /// Each truth's DLT thresholds per dose (see [`dlt_threshold`]).
    thresholds: Vec<Vec<u64>>,
    /// Each truth's DLT and response thresholds per dose, when a design decides on responses
    /// (empty otherwise).
    joint: Vec<Vec<JointThreshold>>,
    /// Each design's decisions, shared by the workers (used by designs whose fits are costly).
    shared: Vec<SharedDecisions>,
    /// Each design's randomized dose-optimization stage, if any (none by default).
    stages: Vec<Option<Randomization>>,
    /// Each truth's joint law per dose, when a design has a randomized stage (empty otherwise).
    dose_truths: Vec<Vec<DoseTruth>>,
}

impl<'a> DoseFindingPlan<'a> {
    /// Every design of `designs` under every truth of `truths`, in the run seeded with `seed`.
    /// Every truth gives a response probability per dose when a design decides on responses (the
    /// scenario checks it).
    pub fn new(designs: &'a [Box<dyn DoseFinder>], truths: &[Truth], seed: u64) -> DoseFindingPlan<'a> {
        let efficacy = designs.iter().any(|d| d.uses_efficacy());
        DoseFindingPlan {
            designs,
            seed,
            thresholds: truths
                .iter()
                .map(|t| t.dlt.iter().map(|&p| dlt_threshold(p)).collect())
                .collect(),
            joint: truths
                .iter()
                .filter(|_| efficacy)
                .map(|t| {
                    let doses = t.dose_truths().expect("a phase I/II design's truths give efficacy");
                    doses.iter().map(JointThreshold::new).collect()
                })
                .collect(),
            shared: designs.iter().map(|_| SharedDecisions::default()).collect(),
            stages: designs.iter().map(|_| None).collect(),
            dose_truths: Vec::new(),
        }
    }

    /// The plan with each design's randomized dose-optimization stage (`stages[k]` for design k;
    /// every truth gives efficacy when one is given, as the scenario checks). Designs with a stage
    /// run trial by trial ([`RandomizedTrials`]); the others as before.
    pub fn with_randomization(mut self, stages: Vec<Option<Randomization>>, truths: &[Truth]) -> Self {
        if stages.iter().any(Option::is_some) {
            self.dose_truths = truths
                .iter()
                .map(|t| t.dose_truths().expect("a randomized stage's truths give efficacy"))
                .collect();
            if self.joint.is_empty() {
                self.joint = (self.dose_truths.iter())
                    .map(|doses| doses.iter().map(JointThreshold::new).collect())
                    .collect();
            }
        }
        self.stages = stages;
        self
    }
}

/// A worker of a [`DoseFindingPlan`]: counts and a decision graph per design, and the current
/// trial's latents.
pub struct DoseFindingWorker<'s> {
    counts: Vec<Vec<OcCounts>>,
    graphs: Vec<Graph<'s>>,
    patients: PatientStream,
}

/// A design's decision graph, by what its cohorts' outcomes are.
enum Graph<'s> {
    /// DLTs only.
    Toxicity(DecisionGraph<'s, Toxicity>),
    /// DLTs and responses (phase I/II designs).
    Joint(DecisionGraph<'s, Joint>),
    /// A design with a randomized stage, trial by trial.
    Randomized(Box<RandomizedTrials<'s>>),
}

impl Simulation for DoseFindingPlan<'_> {
    type Counts = Vec<Vec<OcCounts>>;
    type Worker<'s>
        = DoseFindingWorker<'s>
    where
        Self: 's;
    const BLOCK: u64 = 256;

    fn worker(&self) -> DoseFindingWorker<'_> {
        let num_doses = self.thresholds.first().map_or(0, Vec::len);
        let max_patients = self.designs.iter().map(|d| d.limits().max_patients).max().unwrap_or(0);
        let patients = PatientStream::with_capacity(max_patients as usize);
        DoseFindingWorker {
            counts: self
                .designs
                .iter()
                .map(|d| {
                    let counts = OcCounts::new(num_doses, d.limits().max_patients);
                    let counts = if d.uses_efficacy() {
                        counts.with_responses()
                    } else {
                        counts
                    };
                    vec![counts; self.thresholds.len()]
                })
                .zip(&self.stages)
                .map(|(mut counts, stage)| {
                    if stage.is_some() {
                        for c in &mut counts {
                            c.optimization = Some(OptimizationCounts::new(num_doses));
                        }
                    }
                    counts
                })
                .collect(),
            graphs: self
                .designs
                .iter()
                .zip(&self.shared)
                .zip(&self.stages)
                .map(|((d, shared), stage)| {
                    let (finder, shared) = (d.as_ref(), d.cache_decisions().then_some(shared));
                    match (stage, d.uses_efficacy()) {
                        (Some(stage), _) => Graph::Randomized(Box::new(RandomizedTrials::new(
                            finder,
                            shared.map(SharedDecisions::cache),
                            stage,
                            &self.dose_truths,
                        ))),
                        (None, false) => Graph::Toxicity(DecisionGraph::new(finder, shared, self.thresholds.len())),
                        (None, true) => Graph::Joint(DecisionGraph::new(finder, shared, self.thresholds.len())),
                    }
                })
                .collect(),
            patients: match self.joint.is_empty() {
                true => patients,
                false => patients.with_responses(),
            },
        }
    }

    fn run(&self, worker: &mut DoseFindingWorker<'_>, trial: u64) {
        worker.patients.start_trial(self.seed, trial);
        if !self.joint.is_empty() {
            worker.patients.start_responses(self.seed, trial);
        }
        for (graph, counts) in worker.graphs.iter_mut().zip(worker.counts.iter_mut()) {
            match graph {
                Graph::Toxicity(graph) => graph.run_truths(&worker.patients, &self.thresholds, counts),
                Graph::Joint(graph) => graph.run_truths(&worker.patients, &self.joint, counts),
                Graph::Randomized(trials) => trials.run_truths(
                    &worker.patients,
                    (&self.thresholds, &self.joint),
                    (self.seed, trial),
                    counts,
                ),
            }
        }
    }

    fn finish(&self, mut worker: DoseFindingWorker<'_>) -> Vec<Vec<OcCounts>> {
        for (graph, counts) in worker.graphs.iter_mut().zip(&mut worker.counts) {
            match graph {
                Graph::Toxicity(graph) => graph.flush(counts),
                Graph::Joint(graph) => graph.flush(counts),
                Graph::Randomized(_) => {}
            }
        }
        worker.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts of other doses or sample sizes are refused, and leave the counts as they were.
    #[test]
    fn counts_of_other_shapes_do_not_merge() {
        let mut counts = OcCounts::new(3, 6);
        counts.trials = 1;
        let before = counts.clone();
        assert!(counts.merge(&OcCounts::new(4, 6)).is_err());
        assert!(counts.merge(&OcCounts::new(3, 9)).is_err());
        assert_eq!(counts, before);
        counts.merge(&before).unwrap();
        assert_eq!(counts.trials, 2);
    }
}
