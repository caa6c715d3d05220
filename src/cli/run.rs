//! `trialsim run`: simulates (or computes exactly) scenario files and sweeps, or one shard of
//! them, writes their tables, and prints a summary of each.

use super::{console_table, say, say_wrote, Progress};
use anyhow::{bail, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use trialsim::core::words::count;
use trialsim::engines::single_arm::SingleArmTable;
use trialsim::report::folder::{check_target, prepare_out, FolderLock};
use trialsim::results::{Method, OcTable};
use trialsim::run::shard::Shard;
use trialsim::run::sweep::{simulate_sweep, write_sweep_outputs};
use trialsim::run::{
    check_cost, sample_trials, simulate_scenario, simulate_single_arm, throughput, write_outputs,
    write_single_arm_outputs, ExactNote, RunOptions,
};
use trialsim::scenario::{AnyScenario, RunFile, Scenario, SingleArmScenario, Sweep};

/// The examples under `trialsim --help` and `trialsim run --help`.
pub const EXAMPLES: &str = "Examples:
  trialsim run scenarios/qls4131_escalation.toml
  trialsim run scenarios/*.toml --trials 100000 --seed 7 --threads 2 --out results
  trialsim run scenarios/qls4131_escalation.toml --exact
  trialsim run scenarios/qls4131_escalation.toml --shard 3/10 --out shards
  trialsim merge shards --out output";

/// The arguments of `trialsim run`.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario files (TOML).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Trials per design and truth (default: the scenario's [simulation] trials).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    trials: Option<u64>,
    /// Run seed (default: the scenario's [simulation] seed).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..1025))]
    threads: Option<u32>,
    /// Output folder.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Exact operating characteristics (every trial state walked; no Monte Carlo error),
    /// falling back to simulation where the state space is too large.
    #[arg(long)]
    exact: bool,
    /// Simulate only slice I of N of the trials (1-based) and write their raw counts to
    /// OUT/<file stem>/shard-I-of-N.json, for `trialsim merge`.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse, conflicts_with = "exact")]
    shard: Option<Shard>,
}

/// Runs every file in turn, after validating them all and checking and locking the output
/// folders; on Ctrl-C or SIGTERM, says what was written.
pub fn execute(args: Args) -> Result<()> {
    let out = args.out.as_path();
    // Every file is validated before anything is simulated or written.
    let loaded = args
        .files
        .iter()
        .map(|f| RunFile::read(f))
        .collect::<Result<Vec<_>, _>>()?;
    let scenarios: Vec<RunFile> = loaded.iter().map(|(file, _)| file.clone()).collect();
    let mut stems = HashMap::new();
    for s in &scenarios {
        if let Some(other) = stems.insert(s.stem(), s.file()) {
            bail!(
                "{} and {} would both write to {}; rename one",
                other.display(),
                s.file().display(),
                out.join(s.stem()).display()
            );
        }
    }
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |t| t as usize,
    );
    let options = RunOptions {
        trials: args.trials,
        seed: args.seed,
        threads,
        exact: args.exact,
    };
    // Every run's cost is estimated, and refused past the limits, before any work.
    let estimates = scenarios
        .iter()
        .map(|s| estimate_seconds(s, &options, args.shard))
        .collect::<Result<Vec<f64>>>()?;
    // The output folders are checked, and locked against other writers, before any work.
    let locks = claim_out(out, &scenarios, args.shard.is_none())?;
    let mut finished: Vec<PathBuf> = Vec::new();
    for (index, (scenario, text)) in loaded.iter().enumerate() {
        for w in scenario.warnings() {
            eprintln!("warning: {w}");
        }
        let dir = out.join(scenario.stem());
        let written = match (args.shard, scenario) {
            (Some(shard), _) => run_shard(scenario, text, &options, shard, &dir, estimates[index]),
            (None, RunFile::Scenario(scenario)) => run_one(scenario, &options, &dir, estimates[index]),
            (None, RunFile::Sweep(sweep)) => run_sweep(sweep, &options, &dir, estimates[index]),
        };
        if trialsim::engines::cancel::requested() {
            drop(locks);
            interrupted(&dir, written.is_ok(), &finished, &scenarios[index + 1..], out);
        }
        say_wrote(&written?);
        finished.push(dir);
    }
    Ok(())
}

/// The estimated seconds of running `file` (or its `shard`) with `options`; an error when a sweep
/// has too many points or a run's estimated work is past the limit.
fn estimate_seconds(file: &RunFile, options: &RunOptions, shard: Option<Shard>) -> Result<f64> {
    let (total, _) = trialsim::run::shard::run_settings(file, options);
    let trials = shard.map_or(total, |s| {
        let range = s.trials(total);
        range.end - range.start
    });
    Ok(match file {
        RunFile::Scenario(AnyScenario::DoseFinding(s)) => check_cost(s, trials, options.threads)?.seconds,
        RunFile::Scenario(AnyScenario::SingleArm(_)) => 0.0,
        RunFile::Sweep(sweep) => {
            let mut seconds = 0.0;
            for point in &sweep.points {
                seconds += check_cost(&point.scenario, trials, options.threads)?.seconds;
            }
            seconds
        }
    })
}

/// Checks that `out` can hold the folders of `scenarios` and, unless `lock` is false (shards of
/// one run are written side by side by many processes), locks each against other writers.
fn claim_out(out: &Path, scenarios: &[RunFile], lock: bool) -> Result<Vec<FolderLock>> {
    let refused =
        |dir: &Path, e: std::io::Error| anyhow::anyhow!("--out {}: cannot write {}: {e}", out.display(), dir.display());
    let first = scenarios
        .first()
        .map_or_else(|| out.to_path_buf(), |s| out.join(s.stem()));
    prepare_out(out).map_err(|e| refused(&first, e))?;
    let mut locks = Vec::new();
    for s in scenarios {
        let dir = out.join(s.stem());
        check_target(&dir).map_err(|e| refused(&dir, e))?;
        if lock {
            locks.push(FolderLock::acquire(&dir).map_err(|e| refused(&dir, e))?);
        }
    }
    Ok(locks)
}

/// Simulates one scenario and writes its outputs into `dir`.
fn run_one(scenario: &AnyScenario, options: &RunOptions, dir: &Path, estimate: f64) -> Result<Vec<PathBuf>> {
    let total = match scenario {
        AnyScenario::DoseFinding(s) => options.trials.unwrap_or(s.simulation.trials),
        AnyScenario::SingleArm(s) => options.trials.unwrap_or(s.simulation.trials),
    };
    let bar = Progress::start(total, &scenario.stem(), estimate);
    let started = Instant::now();
    Ok(match scenario {
        AnyScenario::DoseFinding(s) => {
            let (table, notes) = simulate_scenario(s, options, &|done| bar.set_position(done))?;
            bar.finish_and_clear();
            let elapsed = started.elapsed().as_secs_f64();
            let speed = throughput_sample(s, &table, options)?;
            report_dose_finding(s, &table, &notes, options, (elapsed, speed.as_ref()));
            write_outputs(s, &table, dir)?
        }
        AnyScenario::SingleArm(s) => {
            if options.exact {
                bail!("{}: --exact applies to dose-finding scenarios", s.file.display());
            }
            let table = simulate_single_arm(s, options, &|done| bar.set_position(done))?;
            bar.finish_and_clear();
            report_single_arm(s, &table, options, started.elapsed().as_secs_f64());
            write_single_arm_outputs(s, &table, dir)?
        }
    })
}

/// Simulates one shard of a scenario or sweep and writes its counts.
fn run_shard(
    file: &RunFile,
    text: &str,
    options: &RunOptions,
    shard: Shard,
    dir: &Path,
    estimate: f64,
) -> Result<Vec<PathBuf>> {
    let (trials, _) = trialsim::run::shard::run_settings(file, options);
    let range = shard.trials(trials);
    let points = match file {
        RunFile::Sweep(sweep) => sweep.points.len() as u64,
        RunFile::Scenario(_) => 1,
    };
    let bar = Progress::start((range.end - range.start) * points, &file.stem(), estimate);
    let started = Instant::now();
    let path = trialsim::run::shard::run_shard(file, text, options, shard, dir, &|done| bar.set_position(done))?;
    bar.finish_and_clear();
    say!(
        "{}: shard {shard}, trials {}..{} of {trials}{} in {:.2} s, {} threads",
        file.file().display(),
        range.start,
        range.end,
        if points > 1 {
            format!(" at each of {points} sweep points")
        } else {
            String::new()
        },
        started.elapsed().as_secs_f64(),
        options.threads
    );
    Ok(vec![path])
}

/// Computes every point of a sweep and writes the points' folders and `sweep.csv`.
fn run_sweep(sweep: &Sweep, options: &RunOptions, dir: &Path, estimate: f64) -> Result<Vec<PathBuf>> {
    let trials = options.trials.unwrap_or(sweep.points[0].scenario.simulation.trials);
    let bar = Progress::start(trials * sweep.points.len() as u64, &sweep.stem(), estimate);
    let results = simulate_sweep(sweep, options, &|done| bar.set_position(done))?;
    bar.finish_and_clear();
    for ((point, r), k) in sweep.points.iter().zip(&results).zip(1..) {
        say!("point {k}: {}", point.describe(&sweep.keys));
        report_dose_finding(&point.scenario, &r.table, &r.notes, options, (r.seconds, None));
    }
    let tables: Vec<OcTable> = results.into_iter().map(|r| r.table).collect();
    Ok(write_sweep_outputs(sweep, &tables, dir)?)
}

/// After Ctrl-C or SIGTERM: says what is complete and what was not written (the folder keeps its
/// previous run), then exits with 130.
fn interrupted(dir: &Path, this_one_written: bool, finished: &[PathBuf], not_started: &[RunFile], out: &Path) -> ! {
    eprintln!("interrupted:");
    for done in finished {
        eprintln!("  complete: {}", done.display());
    }
    if this_one_written {
        eprintln!(
            "  complete: {} (finished before the interruption took effect)",
            dir.display()
        );
    } else {
        eprintln!(
            "  not written: {} (the run was stopped; no file of it was written, the folder keeps its previous run)",
            dir.display()
        );
    }
    for s in not_started {
        eprintln!("  not started: {}", out.join(s.stem()).display());
    }
    std::process::exit(130);
}

/// Trials per second of each simulated design × truth, each timed alone on a small sample
/// ([`sample_trials`]) after the run: timing varies from run to run, so it is printed, never
/// written.
struct Throughput {
    trials: u64,
    by_pair: HashMap<(String, String), f64>,
}

/// Times each design × truth of a run alone (see [`Throughput`]); `None` when no row was
/// simulated.
fn throughput_sample(scenario: &Scenario, table: &OcTable, options: &RunOptions) -> Result<Option<Throughput>> {
    if !table.rows.iter().any(|r| matches!(r.method, Method::Simulated { .. })) {
        return Ok(None);
    }
    let trials = sample_trials(options.trials.unwrap_or(scenario.simulation.trials));
    let alone = AnyScenario::DoseFinding(scenario.clone());
    let by_pair = throughput(&alone, trials, options.threads)?
        .into_iter()
        .map(|r| ((r.design, r.truth.unwrap_or_default()), r.trials_per_second))
        .collect();
    Ok(Some(Throughput { trials, by_pair }))
}

/// A rate in a few digits: 950, 12.3k, 4.5M.
fn rate(per_second: f64) -> String {
    match per_second {
        r if r >= 1e6 => format!("{:.1}M", r / 1e6),
        r if r >= 1e3 => format!("{:.1}k", r / 1e3),
        r => format!("{r:.0}"),
    }
}

/// Prints a dose-finding run's timing (elapsed seconds, and each design × truth's trials/s when
/// timed), exact-enumeration notes and main OCs per design and truth.
fn report_dose_finding(
    scenario: &Scenario,
    table: &OcTable,
    notes: &[ExactNote],
    options: &RunOptions,
    (elapsed, speed): (f64, Option<&Throughput>),
) {
    let simulated_rows = table
        .rows
        .iter()
        .filter(|r| matches!(r.method, Method::Simulated { .. }))
        .count() as u64;
    say!(
        "{}: {} × {} in {:.2} s, {}",
        scenario.name,
        count(scenario.designs.len() as u64, "design"),
        count(scenario.truths.len() as u64, "truth"),
        elapsed,
        count(options.threads as u64, "thread")
    );
    if simulated_rows > 0 {
        let trials = options.trials.unwrap_or(scenario.simulation.trials);
        say!(
            "  simulated: {trials} trials for each of {simulated_rows} design × truth pairs ({:.0} trials/s)",
            (trials * simulated_rows) as f64 / elapsed.max(1e-9)
        );
    }
    if let Some(speed) = speed {
        say!(
            "  trials/s: each design × truth simulated alone on {} afterwards ({}; \
             timing varies, so it is written to no file)",
            count(speed.trials, "trial"),
            count(options.threads as u64, "thread")
        );
    }
    for note in notes {
        match &note.outcome {
            Ok((states, seconds)) => say!(
                "  exact: {} under {}: {states} states in {:.3} s",
                note.design,
                note.truth,
                seconds
            ),
            Err(why) => eprintln!("warning: exact: {} under {}: {why}", note.design, note.truth),
        }
    }
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                row.truth.clone(),
                row.design.clone(),
                format!(
                    "{:.1}",
                    row.obd_correct_pct().unwrap_or_else(|| row.correct_selection_pct())
                ),
                format!("{:.1}", row.stopped_early_pct()),
                format!("{:.1}", row.total_patients_mean()),
                format!("{:.1}", row.overdose_selection_pct()),
            ];
            if let Some(speed) = speed {
                let pair = (row.design.clone(), row.truth.clone());
                cells.push(match (row.method, speed.by_pair.get(&pair)) {
                    (Method::Simulated { .. }, Some(&r)) => rate(r),
                    (Method::Simulated { .. }, None) => "–".into(),
                    _ => "exact".into(),
                });
            }
            cells
        })
        .collect();
    let mut header = vec!["truth", "design", "correct%", "stopped%", "mean N", "overdose%"];
    if speed.is_some() {
        header.push("trials/s");
    }
    for line in console_table(&header, &rows, 2) {
        say!("{line}");
    }
    if table.rows.iter().any(|row| row.obd.is_some()) {
        say!("  correct% of a phase I/II design: its selection of the true OBD (obd_summary.csv)");
    }
    if let Some(random) = &table.random_truths {
        report_random_truths(random);
    }
}

/// Prints each design's OCs over the random curves, ranked (`random_truths.csv` has them all).
fn report_random_truths(random: &trialsim::results::random_truths::RandomTruthsTable) {
    let over = format!("{} random curves", random.mtd.len());
    let rows: Vec<Vec<String>> = (random.ranked().into_iter())
        .map(|k| {
            let d = &random.designs[k];
            vec![
                over.clone(),
                d.design.clone(),
                format!("{:.1} ± {:.1}", d.correct.mean, d.correct.se),
                format!("{:.1}", d.correct.sd),
                format!("{:.1} ± {:.1}", d.overdose.mean, d.overdose.se),
                format!("{:.2}", d.mtd_patients.mean),
            ]
        })
        .collect();
    let header = ["over", "design", "correct% ± SE", "SD", "overdose% ± SE", "N at MTD"];
    for line in console_table(&header, &rows, 2) {
        say!("{line}");
    }
}

/// Prints a single-arm run's timing and main OCs per design and truth.
fn report_single_arm(scenario: &SingleArmScenario, table: &SingleArmTable, options: &RunOptions, elapsed: f64) {
    say!(
        "{}: {} × {} × {} in {:.2} s, {}",
        scenario.name,
        count(table.trials, "trial"),
        count(scenario.designs.len() as u64, "design"),
        count(scenario.truths.len() as u64, "truth"),
        elapsed,
        count(options.threads as u64, "thread")
    );
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            let s = &row.summary;
            vec![
                row.truth.clone(),
                row.design.clone(),
                format!("{:.1}", 100.0 * s.promising),
                format!("{:.1}", 100.0 * s.futility_stop),
                format!("{:.1}", 100.0 * s.toxicity_stop),
                format!("{:.1}", s.mean_patients),
                format!("{:.1}", s.mean_duration),
            ]
        })
        .collect();
    let header = ["truth", "design", "promising%", "futility%", "tox%", "mean N", "months"];
    for line in console_table(&header, &rows, 2) {
        say!("{line}");
    }
    for t in &table.null_tests {
        let (rate, se) = t.counts.rate();
        say!(
            "  {}: simulated type I error {:.2}% (SE {:.2}) at nominal {}%, {} statistic",
            t.design,
            100.0 * rate,
            100.0 * se,
            100.0 * t.alpha,
            t.statistic.name()
        );
    }
}
