//! One `trialsim run`: compute a validated scenario's operating characteristics (by simulation
//! or exactly) and write its tables.
//!
//! Each kind of scenario is simulated by one of the [`engines`](crate::engines), seen here as an
//! `Engine`: the engine's simulation of the scenario, the table its counts make, and the files
//! that table is written to. `with_engine` is the one place where a scenario picks its engine;
//! runs, shards and merges ([`shard`]), sweeps ([`sweep`]) and [`bench()`] are
//! written once over `Engine`.

mod bench;
mod cost;
mod dose_finding;
pub mod optimization;
pub mod random_truths;
pub mod shard;
pub mod sweep;
mod tagged;

pub use crate::core::limits::{ANNOUNCE_AFTER_SECONDS, PROGRESS_AFTER_SECONDS};
pub use bench::{bench, sample_trials, throughput, BenchResult};
pub use cost::{check_cost, estimate, Estimate};
pub(crate) use dose_finding::DoseFindingRun;
pub(crate) use tagged::{Counts, Tagged};

use crate::core::{dlt_as_given, Timing};
use crate::designs::single_arm::{Endpoint, SingleArmDesign, SingleArmError};
use crate::engines::cache::SharedDecisions;
use crate::engines::calendar::{TimedCounts, TimedEntry, TimedPlan, TimedSettings};
use crate::engines::dose_finding::OcCounts;
use crate::engines::exact::{exact_joint_oc, exact_oc};
use crate::engines::single_arm::SingleArmTable;
use crate::engines::single_arm::{SingleArmPlan, SingleArmResults};
use crate::engines::{cancel, simulate, RunCounts, Simulation, SimulationError};
use crate::report::charts::single_arm::{render_single_arm, SingleArmChartTables};
use crate::report::charts::{render_dose_finding, ChartError, DoseFindingTables};
use crate::report::folder::write_staged;
use crate::report::manifest::RunInfo;
use crate::report::{self, write_atomic};
use crate::results::obd::{obd_tables, ObdTruth, OBD_TABLES};
use crate::results::oc::{CalendarFeatures, CorrectDecision, Method, OcTable, RowResult};
use crate::scenario::{AnyScenario, Method as ScenarioMethod, Scenario, SingleArmScenario};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Overrides and settings from the command line.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Trials per design and truth (default: the scenario's).
    pub trials: Option<u64>,
    /// Run seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads.
    pub threads: usize,
    /// Compute exact operating characteristics whatever the scenario says.
    pub exact: bool,
}

/// Why a run did not compute or write its outputs.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The simulation failed or was interrupted.
    #[error(transparent)]
    Simulation(#[from] SimulationError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A single-arm study cannot be simulated as given.
    #[error(transparent)]
    SingleArm(#[from] SingleArmError),
    /// The run's estimated cost is beyond [`MAX_RUN_WORK`]: the estimate and what to lower.
    #[error("{0}")]
    TooLarge(String),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// How one design × truth pair was computed exactly, or why it was simulated instead.
#[derive(Clone, Debug)]
pub struct ExactNote {
    /// The design's name.
    pub design: String,
    /// The truth's name.
    pub truth: String,
    /// States walked and seconds taken, or the reason it fell back to simulation.
    pub outcome: Result<(usize, f64), String>,
}

/// A scenario as one engine simulates it: the engine's [`Simulation`] of the scenario, the table
/// the counts make, and the files the table is written to.
pub(crate) trait Engine {
    /// What the engine counts (and a shard file holds, tagged with the engine).
    type Counts: RunCounts + Tagged;
    /// The engine's simulation of the scenario.
    type Simulation<'s>: Simulation<Counts = Self::Counts>
    where
        Self: 's;
    /// The run's table.
    type Table;

    /// The scenario's simulation in the run seeded with `seed`.
    fn simulation(&self, seed: u64) -> Result<Self::Simulation<'_>, RunError>;

    /// The table of a run of `trials` trials seeded with `seed`, from its counts.
    fn table(&self, counts: &Self::Counts, trials: u64, seed: u64) -> Result<Self::Table, RunError>;

    /// Writes the run's files (tables, charts drawn from the tables, index) into `dir`.
    fn write(&self, table: &Self::Table, dir: &Path) -> Result<Vec<PathBuf>, RunError>;

    /// The counts of the trials in `trials` (the whole run, or a shard of it) on `threads`
    /// threads; `progress` gets the trials finished so far.
    fn count(
        &self,
        trials: Range<u64>,
        seed: u64,
        threads: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Self::Counts, RunError> {
        Ok(simulate(&self.simulation(seed)?, trials, threads, progress)?)
    }

    /// The table of a run of `trials` trials seeded with `seed`.
    fn run(
        &self,
        trials: u64,
        seed: u64,
        threads: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Self::Table, RunError> {
        let counts = self.count(0..trials, seed, threads, progress)?;
        self.table(&counts, trials, seed)
    }
}

/// Work done with a scenario's engine, whichever it is: the engine makes tables of type `T`, and
/// the work returns an `O`.
pub(crate) trait EngineTask<T, O> {
    /// Does the work with `engine`.
    fn with<E: Engine<Table = T>>(self, engine: &E) -> O;
}

/// Hands `task` the engine of a dose-finding scenario: calendar time when it has `[timing]`,
/// otherwise the dose-finding engine.
pub(crate) fn with_dose_finding_engine<O>(scenario: &Scenario, task: impl EngineTask<OcTable, O>) -> O {
    match scenario.timing {
        Some(timing) => task.with(&CalendarRun::new(scenario, timing)),
        None => task.with(&DoseFindingRun::new(scenario)),
    }
}

/// Hands `task` the engine of `scenario` (see [`with_dose_finding_engine`]; single-arm scenarios
/// have their own engine). This is the one place where a scenario picks its engine.
pub(crate) fn with_engine<O, K>(scenario: &AnyScenario, task: K) -> O
where
    K: EngineTask<OcTable, O> + EngineTask<SingleArmTable, O>,
{
    match scenario {
        AnyScenario::DoseFinding(s) => with_dose_finding_engine(s, task),
        AnyScenario::SingleArm(s) => task.with(&SingleArmRun::new(s)),
    }
}

/// A dose-finding scenario in calendar time, by the calendar-time engine.
pub(crate) struct CalendarRun<'a> {
    scenario: &'a Scenario,
    timing: Timing,
    designs: Vec<TimedEntry>,
}

impl<'a> CalendarRun<'a> {
    /// Every design of `scenario`, on the calendar `timing` (the scenario's `[timing]`).
    pub fn new(scenario: &'a Scenario, timing: Timing) -> CalendarRun<'a> {
        CalendarRun {
            scenario,
            timing,
            designs: scenario
                .designs
                .iter()
                .map(|d| TimedEntry {
                    finder: d.build_timed(&scenario.trial),
                    step_up: d.step_up,
                    backfill: d.backfill.clone(),
                })
                .collect(),
        }
    }
}

impl Engine for CalendarRun<'_> {
    type Counts = Vec<Vec<TimedCounts>>;
    type Simulation<'s>
        = TimedPlan<'s>
    where
        Self: 's;
    type Table = OcTable;

    fn simulation(&self, seed: u64) -> Result<TimedPlan<'_>, RunError> {
        let s = self.scenario;
        let settings = TimedSettings {
            timing: self.timing,
            total_patients: s.trial.total_patients,
            utility: s.utility,
            target: s.trial.target,
        };
        Ok(TimedPlan::new(&self.designs, &s.truths, settings, seed))
    }

    fn table(&self, counts: &Vec<Vec<TimedCounts>>, trials: u64, seed: u64) -> Result<OcTable, RunError> {
        let scenario = self.scenario;
        let mut intervals = FxHashMap::default();
        let results = counts
            .iter()
            .zip(&scenario.designs)
            .map(|(by_truth, design)| {
                by_truth
                    .iter()
                    .zip(&scenario.truths)
                    .map(|(c, truth)| {
                        let planned = dlt_as_given(&truth.dlt, &truth.profile, design.step_up.from);
                        let correct_rp2d = match CorrectDecision::for_truth(&planned, scenario.trial.target) {
                            CorrectDecision::Stop => None,
                            CorrectDecision::Select(mtd) => Some(match &truth.profile.efficacy {
                                Some(efficacy) => scenario.utility.correct_rp2d(&planned, efficacy, mtd),
                                None => mtd,
                            }),
                        };
                        let summary = c.summary(planned, correct_rp2d, &mut intervals);
                        (Method::Simulated { trials }, c.oc.probabilities(), Some(summary))
                    })
                    .collect()
            })
            .collect();
        Ok(oc_table(scenario, results, seed))
    }

    fn write(&self, table: &OcTable, dir: &Path) -> Result<Vec<PathBuf>, RunError> {
        write_outputs(self.scenario, table, dir)
    }
}

/// The names of a dose-finding scenario's designs, in order.
/// A dose-finding scenario's table from its rows (indexed `[design][truth]`).
fn oc_table(scenario: &Scenario, results: Vec<Vec<RowResult>>, seed: u64) -> OcTable {
    let names: Vec<&str> = scenario.designs.iter().map(|d| d.name.as_str()).collect();
    let mut table = OcTable::new(
        &scenario.name,
        scenario.trial.target,
        &scenario.trial.doses,
        scenario.truths.iter().map(|t| (t.name.as_str(), t.dlt.as_slice())),
        &names,
        results,
        seed,
    );
    table.features = CalendarFeatures {
        step_up: scenario.designs.iter().any(|d| d.step_up.is_used()),
        crs: scenario.truths.iter().any(|t| t.profile.crs.is_some()),
        backfill: scenario.designs.iter().any(|d| d.backfill.is_some()),
        expansion: scenario.trial.total_patients.is_some(),
        response: scenario.truths.iter().any(|t| t.profile.efficacy.is_some()),
        teae: scenario.truths.iter().any(|t| t.profile.teae.is_some()),
    };
    // Phase I/II designs are judged on their own true utilities and OBD.
    if scenario.designs.iter().any(|d| d.base.kind().capabilities().efficacy) {
        for design in scenario.build_designs() {
            for truth in &scenario.truths {
                let Some(response) = truth.profile.efficacy.clone() else {
                    continue;
                };
                let joint = truth.dose_truths().unwrap_or_default();
                if let Some((obd, utility)) = design.true_obd(&joint) {
                    let obd = ObdTruth { response, utility, obd };
                    table.set_obd(&truth.name, design.name(), obd);
                }
            }
        }
    }
    table
}

/// A single-arm scenario, by the single-arm engine.
pub(crate) struct SingleArmRun<'a> {
    scenario: &'a SingleArmScenario,
    designs: Vec<SingleArmDesign>,
}

impl<'a> SingleArmRun<'a> {
    /// Every design of `scenario`.
    pub fn new(scenario: &'a SingleArmScenario) -> SingleArmRun<'a> {
        SingleArmRun {
            scenario,
            designs: scenario.designs.iter().map(|d| d.design.clone()).collect(),
        }
    }
}

/// Simulated trials per truth whose Kaplan–Meier curves are written as examples.
const KM_EXAMPLE_TRIALS: u64 = 5;

impl Engine for SingleArmRun<'_> {
    type Counts = SingleArmResults;
    type Simulation<'s>
        = SingleArmPlan<'s>
    where
        Self: 's;
    type Table = SingleArmTable;

    fn simulation(&self, seed: u64) -> Result<SingleArmPlan<'_>, RunError> {
        let s = self.scenario;
        Ok(SingleArmPlan::new(&s.timing, &s.truths, &self.designs, seed)?)
    }

    /// With the per-truth distribution of the estimated median OS, and the OS curves of the first
    /// trials (recomputed: they need no counts).
    fn table(&self, results: &SingleArmResults, trials: u64, seed: u64) -> Result<SingleArmTable, RunError> {
        let s = self.scenario;
        let examples = self
            .simulation(seed)?
            .km_examples(KM_EXAMPLE_TRIALS.min(trials), Endpoint::Os);
        let names: Vec<&str> = s.designs.iter().map(|d| d.name.as_str()).collect();
        Ok(
            SingleArmTable::new(&s.name, &s.truths, &names, &results.counts, trials, seed)
                .with_os_medians(&s.truths, &results.os_medians)
                .with_km_examples(&s.truths, &examples)
                .with_null_tests(&names, &self.designs, &results.null_tests),
        )
    }

    fn write(&self, table: &SingleArmTable, dir: &Path) -> Result<Vec<PathBuf>, RunError> {
        write_single_arm_outputs(self.scenario, table, dir)
    }
}

/// Computes every design under every truth of `scenario` (exactly where the scenario or `options`
/// ask for it); also returns notes on exact rows.
pub fn simulate_scenario(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(OcTable, Vec<ExactNote>), RunError> {
    let trials = options.trials.unwrap_or(scenario.simulation.trials);
    let seed = options.seed.unwrap_or(scenario.simulation.seed);
    let exact = options.exact || scenario.simulation.method == ScenarioMethod::Exact;
    if scenario.timing.is_some() && options.exact {
        return Err(SimulationError::Unsupported(
            "exact enumeration has no calendar time; remove [timing] or drop --exact".into(),
        )
        .into());
    }
    if options.exact && scenario.designs.iter().any(|d| d.randomize.is_some()) {
        return Err(SimulationError::Unsupported(
            "a design's randomized dose-optimization stage is simulated: drop --exact".into(),
        )
        .into());
    }
    if options.exact && scenario.random_truths.is_some() {
        return Err(SimulationError::Unsupported("random truths are simulated: drop --exact".into()).into());
    }
    if scenario.timing.is_some() || !exact {
        let table = with_dose_finding_engine(scenario, Run(trials, seed, options.threads, progress))?;
        return Ok((table, Vec::new()));
    }
    exact_or_simulated(scenario, trials, seed, options.threads, progress)
}

/// [`Engine::run`] as an [`EngineTask`]: (trials, seed, threads, progress).
struct Run<'p>(u64, u64, usize, &'p (dyn Fn(u64) + Sync));

impl<T> EngineTask<T, Result<T, RunError>> for Run<'_> {
    fn with<E: Engine<Table = T>>(self, engine: &E) -> Result<T, RunError> {
        engine.run(self.0, self.1, self.2, self.3)
    }
}

/// Every design × truth pair of a dose-finding scenario computed exactly, and simulated where
/// exact enumeration gives up.
fn exact_or_simulated(
    scenario: &Scenario,
    trials: u64,
    seed: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(OcTable, Vec<ExactNote>), RunError> {
    let designs = scenario.build_designs();
    let names: Vec<&str> = designs.iter().map(|d| d.name()).collect();
    let mut results: Vec<Vec<Option<RowResult>>> = designs.iter().map(|_| vec![None; scenario.truths.len()]).collect();
    let mut notes = Vec::new();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|source| SimulationError::ThreadPool { threads, source })?;
    let pairs: Vec<(usize, usize)> = (0..designs.len())
        .flat_map(|k| (0..scenario.truths.len()).map(move |j| (k, j)))
        .collect();
    // Decisions do not depend on the truth: one memo per design, shared by its truths.
    let decisions: Vec<SharedDecisions> = designs.iter().map(|_| SharedDecisions::default()).collect();
    let computed: Vec<_> = pool.install(|| {
        pairs
            .par_iter()
            .filter(|_| !cancel::requested())
            .map(|&(k, j)| {
                let started = Instant::now();
                let memo = designs[k].cache_decisions().then_some(&decisions[k]);
                let (finder, truth, limit) = (
                    designs[k].as_ref(),
                    &scenario.truths[j],
                    scenario.simulation.max_exact_states,
                );
                let kind = scenario.designs[k].base.kind();
                let result = if !kind.capabilities().exact {
                    Err(format!(
                        "{} has no exact enumeration (its posterior is integrated numerically in every trial state, too slow for all reachable states)",
                        kind.rule()
                    ))
                } else {
                    match truth.dose_truths().filter(|_| finder.uses_efficacy()) {
                        Some(joint) => exact_joint_oc(finder, &joint, limit, memo),
                        None => exact_oc(finder, &truth.dlt, limit, memo),
                    }
                    .map_err(|e| e.to_string())
                };
                (k, j, result, started.elapsed().as_secs_f64())
            })
            .collect()
    });
    if cancel::requested() {
        return Err(SimulationError::Interrupted.into());
    }
    for (k, j, result, seconds) in computed {
        let outcome = match result {
            Ok(exact) => {
                results[k][j] = Some((Method::Exact { states: exact.states }, exact.oc, None));
                Ok((exact.states, seconds))
            }
            Err(e) => Err(format!("{e}; simulated instead")),
        };
        notes.push(ExactNote {
            design: names[k].to_string(),
            truth: scenario.truths[j].name.clone(),
            outcome,
        });
    }
    // Simulate every design that still has a pair without a result.
    let pending: Vec<usize> = (0..designs.len())
        .filter(|&k| results[k].iter().any(Option::is_none))
        .collect();
    if !pending.is_empty() {
        let subset = DoseFindingRun {
            scenario,
            designs: pending
                .iter()
                .map(|&k| scenario.designs[k].build(&scenario.trial))
                .collect(),
            curves: Vec::new(),
        };
        let counts = subset.count(0..trials, seed, threads, progress)?;
        for (&k, counts) in pending.iter().zip(counts) {
            for (j, c) in counts.into_iter().enumerate() {
                results[k][j].get_or_insert(simulated_row(&c, trials));
            }
        }
    }
    let results = results
        .into_iter()
        .map(|row| row.into_iter().map(|r| r.expect("every pair computed")).collect())
        .collect();
    Ok((oc_table(scenario, results, seed), notes))
}

/// A row simulated with `trials` trials, from its counts.
fn simulated_row(counts: &OcCounts, trials: u64) -> RowResult {
    (Method::Simulated { trials }, counts.probabilities(), None)
}

/// The tables of a dose-finding run, with one line each on what they show.
const OUTPUT_TABLES: [(&str, &str); 2] = [
    ("oc_by_dose.csv", "one row per truth × design × dose: true DLT probability, % of trials selecting the dose as MTD, mean patients and mean DLTs at the dose per trial."),
    ("summary.csv", "one row per truth × design: % correct decision, % stopped without selecting a dose, mean and SD of the sample size, DLTs per patient, % of patients treated and % of trials selecting above the correct dose, % of trials by stop reason, whether the row is simulated or exact (with the number of trial states walked), and the target."),
];

/// A failure to write `path`.
pub(crate) fn write_error(path: &Path, source: std::io::Error) -> RunError {
    RunError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// What the manifest of a dose-finding run says of it: its seed, and its trials unless every row
/// is exact.
pub(crate) fn run_info(table: &OcTable) -> RunInfo {
    RunInfo {
        seed: Some(table.seed),
        trials: table.rows.iter().find_map(|r| match r.method {
            Method::Simulated { trials } => Some(trials),
            _ => None,
        }),
    }
}

/// Writes the run's tables, the charts drawn from those tables, the index and the manifest as
/// the folder `dir`, replacing any previous run there only once all are written
/// ([`write_staged`]).
pub fn write_outputs(scenario: &Scenario, table: &OcTable, dir: &Path) -> Result<Vec<PathBuf>, RunError> {
    write_staged(dir, run_info(table), write_error, |staging| {
        write_outputs_into(scenario, table, staging)
    })
}

/// Writes the run's tables into `dir` (created if needed), then the charts drawn from those
/// tables, then the index; every file atomically.
pub(crate) fn write_outputs_into(scenario: &Scenario, table: &OcTable, dir: &Path) -> Result<Vec<PathBuf>, RunError> {
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let mut written = Vec::new();
    for ((name, _), bytes) in OUTPUT_TABLES
        .iter()
        .zip([report::csv::oc_by_dose(table), report::csv::summary(table)])
    {
        let path = dir.join(name);
        write_atomic(&path, &bytes).map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    let mut files: Vec<(&str, &str)> = OUTPUT_TABLES.to_vec();
    if let Some(tables) = obd_tables(table) {
        for ((name, _), bytes) in OBD_TABLES.iter().zip(tables) {
            let path = dir.join(name);
            write_atomic(&path, &bytes).map_err(|e| write_error(&path, e))?;
            written.push(path);
        }
        files.extend(OBD_TABLES);
    }
    let tables = DoseFindingTables::read(dir)?;
    written.extend(render_dose_finding(&tables, dir)?);
    optimization::write_optimization(table, dir, &mut written, &mut files)?;
    random_truths::write_random_truths(table, dir, &mut written, &mut files)?;
    files.extend(tables.charts());
    files.push((report::html::REPORT, report::html::DESCRIPTION));
    files.push(("README.md", "this index."));
    let index = report::index::index(scenario, table, &files);
    let html = report::html::dose_finding_report(scenario, table);
    for (name, text) in [(report::html::REPORT, html), ("README.md", index)] {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes()).map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// Simulates every design under every truth of a single-arm scenario, with the per-truth
/// distribution of the estimated median OS and the OS curves of the first trials.
pub fn simulate_single_arm(
    scenario: &SingleArmScenario,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SingleArmTable, RunError> {
    let trials = options.trials.unwrap_or(scenario.simulation.trials);
    let seed = options.seed.unwrap_or(scenario.simulation.seed);
    SingleArmRun::new(scenario).run(trials, seed, options.threads, progress)
}

/// Writes a single-arm run's tables, then the charts drawn from those tables, then the index
/// into the folder `dir`, each file atomically, with its manifest, replacing any previous run
/// there only once all are written ([`write_staged`]).
pub fn write_single_arm_outputs(
    scenario: &SingleArmScenario,
    table: &SingleArmTable,
    dir: &Path,
) -> Result<Vec<PathBuf>, RunError> {
    let info = RunInfo {
        seed: Some(table.seed),
        trials: Some(table.trials),
    };
    write_staged(dir, info, write_error, |dir| {
        let mut written = Vec::new();
        let tables = report::single_arm::single_arm_tables(scenario, table);
        for ((name, _), bytes) in report::single_arm::SINGLE_ARM_TABLES.iter().zip(tables) {
            let path = dir.join(name);
            write_atomic(&path, &bytes).map_err(|e| write_error(&path, e))?;
            written.push(path);
        }
        written.extend(render_single_arm(&SingleArmChartTables::read(dir)?, dir)?);
        let index = report::single_arm::index(scenario, table);
        let html = report::html::single_arm_report(scenario, table);
        for (name, text) in [(report::html::REPORT, html), ("README.md", index)] {
            let path = dir.join(name);
            write_atomic(&path, text.as_bytes()).map_err(|e| write_error(&path, e))?;
            written.push(path);
        }
        Ok(written)
    })
}
