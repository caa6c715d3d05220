//! One `trialsim run`: compute a validated scenario's operating characteristics (by simulation
//! or exactly) and write its tables.

use crate::report::charts::{render_dose_finding, ChartError, DoseFindingTables, CALENDAR_CHARTS, DOSE_FINDING_CHARTS};
use crate::report::charts_single_arm::{render_single_arm, SingleArmChartTables};
use crate::report::{self, write_atomic};
use crate::scenario::{AnyScenario, Method as ScenarioMethod, Scenario, SingleArmScenario};
use crate::sim::cache::SharedDecisions;
use crate::sim::exact::exact_oc;
use crate::sim::oc::{CorrectDecision, RowResult};
use crate::sim::protocol::dlt_as_given;
use crate::sim::timed::{simulate_timed_trials, TimedCounts, TimedEntry, TimedPlan, Timing};
use crate::sim::{simulate, Method, OcCounts, OcTable, SimulationError, SimulationPlan};
use crate::single_arm::sim::SingleArmResults;
use crate::single_arm::{Endpoint, SingleArmDesign, SingleArmError, SingleArmPlan, SingleArmTable};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
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

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Simulation(#[from] SimulationError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    SingleArm(#[from] SingleArmError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// How one design × truth pair was computed exactly, or why it was simulated instead.
#[derive(Clone, Debug)]
pub struct ExactNote {
    pub design: String,
    pub truth: String,
    /// States walked and seconds taken, or the reason it fell back to simulation.
    pub outcome: Result<(usize, f64), String>,
}

/// Computes every design under every truth of `scenario`; also returns notes on exact rows.
pub fn simulate_scenario(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(OcTable, Vec<ExactNote>), SimulationError> {
    let trials = options.trials.unwrap_or(scenario.simulation.trials);
    let seed = options.seed.unwrap_or(scenario.simulation.seed);
    if let Some(timing) = scenario.timing {
        if options.exact {
            return Err(SimulationError::Unsupported(
                "exact enumeration has no calendar time; remove [timing] or drop --exact".into(),
            ));
        }
        return simulate_in_time(scenario, timing, trials, seed, options, progress).map(|t| (t, Vec::new()));
    }
    let designs = scenario.build_designs();
    let names: Vec<&str> = designs.iter().map(|d| d.name()).collect();
    let exact = options.exact || scenario.simulation.method == ScenarioMethod::Exact;
    let mut results: Vec<Vec<Option<RowResult>>> = designs.iter().map(|_| vec![None; scenario.truths.len()]).collect();
    let mut notes = Vec::new();
    if exact {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads.max(1))
            .build()
            .map_err(|source| SimulationError::ThreadPool {
                threads: options.threads,
                source,
            })?;
        let pairs: Vec<(usize, usize)> = (0..designs.len())
            .flat_map(|k| (0..scenario.truths.len()).map(move |j| (k, j)))
            .collect();
        // Decisions do not depend on the truth: one memo per design, shared by its truths.
        let decisions: Vec<SharedDecisions> = designs.iter().map(|_| SharedDecisions::default()).collect();
        let computed: Vec<_> = pool.install(|| {
            pairs
                .par_iter()
                .filter(|_| !crate::sim::cancel::requested())
                .map(|&(k, j)| {
                    let started = Instant::now();
                    let memo = designs[k].cache_decisions().then_some(&decisions[k]);
                    let result = exact_oc(
                        designs[k].as_ref(),
                        &scenario.truths[j].dlt,
                        scenario.simulation.max_exact_states,
                        memo,
                    );
                    (k, j, result, started.elapsed().as_secs_f64())
                })
                .collect()
        });
        if crate::sim::cancel::requested() {
            return Err(SimulationError::Interrupted);
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
    }
    // Simulate every design that still has a pair without a result (all of them unless exact).
    let pending: Vec<usize> = (0..designs.len())
        .filter(|&k| results[k].iter().any(Option::is_none))
        .collect();
    if !pending.is_empty() {
        let subset: Vec<_> = pending
            .iter()
            .map(|&k| scenario.designs[k].build(&scenario.trial))
            .collect();
        let plan = SimulationPlan {
            designs: &subset,
            truths: &scenario.truths,
            trials,
            seed,
            threads: options.threads,
        };
        let counts = simulate(&plan, progress)?;
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
    Ok((
        OcTable::new(
            &scenario.name,
            scenario.trial.target,
            &scenario.trial.doses,
            scenario.truths.iter().map(|t| (t.name.as_str(), t.dlt.as_slice())),
            &names,
            results,
            seed,
        ),
        notes,
    ))
}

/// A row simulated with `trials` trials, from its counts.
pub fn simulated_row(counts: &OcCounts, trials: u64) -> RowResult {
    (Method::Simulated { trials }, counts.probabilities(), None)
}

/// Simulates a dose-finding scenario in calendar time.
fn simulate_in_time(
    scenario: &Scenario,
    timing: Timing,
    trials: u64,
    seed: u64,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<OcTable, SimulationError> {
    let counts = count_in_time(scenario, timing, 0..trials, seed, options.threads, progress)?;
    Ok(timed_table(scenario, &counts, trials, seed))
}

/// The calendar-time counts of the trials in `trials` (the whole run, or a shard of it), indexed
/// `[design][truth]`.
pub fn count_in_time(
    scenario: &Scenario,
    timing: Timing,
    trials: std::ops::Range<u64>,
    seed: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Vec<TimedCounts>>, SimulationError> {
    let designs: Vec<TimedEntry> = scenario
        .designs
        .iter()
        .map(|d| d.build_timed(&scenario.trial))
        .collect();
    let plan = TimedPlan {
        designs: &designs,
        truths: &scenario.truths,
        timing,
        total_patients: scenario.trial.total_patients,
        utility: scenario.utility,
        target: scenario.trial.target,
        trials: trials.end,
        seed,
        threads,
    };
    simulate_timed_trials(&plan, trials, progress)
}

/// The table of a calendar-time run of `trials` trials from its counts (indexed
/// `[design][truth]`).
pub fn timed_table(scenario: &Scenario, counts: &[Vec<TimedCounts>], trials: u64, seed: u64) -> OcTable {
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
    let names: Vec<&str> = scenario.designs.iter().map(|d| d.name.as_str()).collect();
    OcTable::new(
        &scenario.name,
        scenario.trial.target,
        &scenario.trial.doses,
        scenario.truths.iter().map(|t| (t.name.as_str(), t.dlt.as_slice())),
        &names,
        results,
        seed,
    )
}

/// The tables of a dose-finding run, with one line each on what they show.
pub const OUTPUT_TABLES: [(&str, &str); 2] = [
    ("oc_by_dose.csv", "one row per truth × design × dose: true DLT probability, % of trials selecting the dose as MTD, mean patients and mean DLTs at the dose per trial."),
    ("summary.csv", "one row per truth × design: % correct decision, % stopped without selecting a dose, mean and SD of the sample size, DLTs per patient, % of patients treated and % of trials selecting above the correct dose, % of trials by stop reason, whether the row is simulated or exact (with the number of trial states walked), and the target."),
];

/// Writes the run's tables into `dir` (created if needed), then the charts drawn from those
/// tables, then the index; every file atomically.
pub fn write_outputs(scenario: &Scenario, table: &OcTable, dir: &Path) -> Result<Vec<PathBuf>, RunError> {
    let write_error = |path: &Path, source| RunError::Write {
        path: path.to_path_buf(),
        source,
    };
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
    written.extend(render_dose_finding(&DoseFindingTables::read(dir)?, dir)?);
    let mut files: Vec<(&str, &str)> = OUTPUT_TABLES.to_vec();
    files.extend(DOSE_FINDING_CHARTS);
    if scenario.timing.is_some() {
        files.extend(CALENDAR_CHARTS);
    }
    files.push(("README.md", "this index."));
    let path = dir.join("README.md");
    let index = report::index::index(scenario, table, &files);
    write_atomic(&path, index.as_bytes()).map_err(|e| write_error(&path, e))?;
    written.push(path);
    Ok(written)
}

/// Simulated trials per truth whose Kaplan–Meier curves are written as examples.
pub const KM_EXAMPLE_TRIALS: u64 = 5;

/// Simulates every design under every truth of a single-arm scenario, with the per-truth
/// distribution of the estimated median OS and the OS curves of the first trials.
pub fn simulate_single_arm(
    scenario: &SingleArmScenario,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SingleArmTable, RunError> {
    let trials = options.trials.unwrap_or(scenario.simulation.trials);
    let seed = options.seed.unwrap_or(scenario.simulation.seed);
    let designs = single_arm_designs(scenario);
    let plan = SingleArmPlan::new(&scenario.timing, &scenario.truths, &designs, trials, seed)?;
    let results = plan.simulate_all(options.threads, progress)?;
    single_arm_table(scenario, &results, trials, seed)
}

/// The table of a single-arm run of `trials` trials from its counts, with the Kaplan–Meier curves
/// of its first trials (recomputed: they need no counts).
pub fn single_arm_table(
    scenario: &SingleArmScenario,
    results: &SingleArmResults,
    trials: u64,
    seed: u64,
) -> Result<SingleArmTable, RunError> {
    let designs = single_arm_designs(scenario);
    let plan = SingleArmPlan::new(&scenario.timing, &scenario.truths, &designs, trials, seed)?;
    let names: Vec<&str> = scenario.designs.iter().map(|d| d.name.as_str()).collect();
    Ok(
        SingleArmTable::new(&scenario.name, &scenario.truths, &names, &results.counts, trials, seed)
            .with_os_medians(&scenario.truths, &results.os_medians)
            .with_km_examples(&scenario.truths, &plan.km_examples(KM_EXAMPLE_TRIALS, Endpoint::Os)),
    )
}

/// The engine's designs of a single-arm scenario.
pub fn single_arm_designs(scenario: &SingleArmScenario) -> Vec<SingleArmDesign> {
    scenario.designs.iter().map(|d| d.design.clone()).collect()
}

/// Writes a single-arm run's tables, then the charts drawn from those tables, then the index
/// into `dir`, each file atomically.
pub fn write_single_arm_outputs(
    scenario: &SingleArmScenario,
    table: &SingleArmTable,
    dir: &Path,
) -> Result<Vec<PathBuf>, RunError> {
    let write_error = |path: &Path, source| RunError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let mut written = Vec::new();
    let tables = report::single_arm::single_arm_tables(scenario, table);
    for ((name, _), bytes) in report::single_arm::SINGLE_ARM_TABLES.iter().zip(tables) {
        let path = dir.join(name);
        write_atomic(&path, &bytes).map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    written.extend(render_single_arm(&SingleArmChartTables::read(dir)?, dir)?);
    let path = dir.join("README.md");
    let index = report::single_arm::index(scenario, table);
    write_atomic(&path, index.as_bytes()).map_err(|e| write_error(&path, e))?;
    written.push(path);
    Ok(written)
}

/// One design's measured throughput.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchResult {
    pub design: String,
    pub threads: usize,
    pub seconds: f64,
    /// Simulated trials (over every truth) per second.
    pub trials_per_second: f64,
}

/// Times each design of `scenario` alone, `trials` trials per truth, on each thread count in
/// `threads` (what `trialsim bench FILE` prints).
pub fn bench(scenario: &AnyScenario, trials: u64, threads: &[usize]) -> Result<Vec<BenchResult>, RunError> {
    let mut results = Vec::new();
    let names: Vec<String> = match scenario {
        AnyScenario::DoseFinding(s) => s.designs.iter().map(|d| d.name.clone()).collect(),
        AnyScenario::SingleArm(s) => s.designs.iter().map(|d| d.name.clone()).collect(),
    };
    for (k, name) in names.iter().enumerate() {
        for &t in threads {
            let options = RunOptions {
                trials: Some(trials),
                seed: None,
                threads: t,
                exact: false,
            };
            let started = Instant::now();
            let truths = match scenario {
                AnyScenario::DoseFinding(s) => {
                    let mut one = s.clone();
                    one.designs = vec![s.designs[k].clone()];
                    simulate_scenario(&one, &options, &|_| {})?;
                    s.truths.len()
                }
                AnyScenario::SingleArm(s) => {
                    let mut one = s.clone();
                    one.designs = vec![s.designs[k].clone()];
                    simulate_single_arm(&one, &options, &|_| {})?;
                    s.truths.len()
                }
            };
            let seconds = started.elapsed().as_secs_f64();
            results.push(BenchResult {
                design: name.clone(),
                threads: t,
                seconds,
                trials_per_second: (trials * truths as u64) as f64 / seconds.max(1e-9),
            });
        }
    }
    Ok(results)
}
