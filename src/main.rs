//! The `trialsim` command line: parses arguments, calls the library, prints. No statistics here.

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;
use trialsim::dose_finding::boin;
use trialsim::dose_finding::interval::{BoundaryTable, IntervalConfig, IntervalRule};
use trialsim::dose_finding::outcomes::parse_outcomes;
use trialsim::dose_finding::{Decision, TrialData};
use trialsim::report::charts::{render_dose_finding, DoseFindingTables};
use trialsim::report::write_atomic;
use trialsim::run::{
    simulate_scenario, simulate_single_arm, write_outputs, write_single_arm_outputs, ExactNote, RunOptions,
};
use trialsim::scenario::{AnyScenario, RunFile, Scenario, SingleArmScenario, Sweep};
use trialsim::shard::Shard;
use trialsim::sim::{Method, OcTable};
use trialsim::single_arm::{SimonSearch, SimonSolution, SingleArmTable, WeibullSurvival, WuDesign};
use trialsim::sweep::{simulate_sweep, write_sweep_outputs};

const RUN_EXAMPLES: &str = "Examples:
  trialsim run scenarios/qls4131_escalation.toml
  trialsim run scenarios/*.toml --trials 100000 --seed 7 --threads 2 --out results
  trialsim run scenarios/qls4131_escalation.toml --exact
  trialsim run scenarios/qls4131_escalation.toml --shard 3/10 --out shards
  trialsim merge shards --out output";

const BOUNDARY_EXAMPLES: &str = "Examples:
  trialsim boundaries --target 0.3
  trialsim boundaries --rule keyboard --target 0.25 --max-patients 36
  trialsim boundaries --rule i3+3 --target 0.3 --epsilon1 0.05 --epsilon2 0.05
  trialsim boundaries --target 0.25 --cohort-size 3 --max-patients 36 --csv boin_table.csv";

const SIMON_EXAMPLES: &str = "Examples:
  trialsim simon --p0 0.2 --p1 0.4 --alpha 0.05 --beta 0.2
  trialsim simon --p0 0.2 --p1 0.4 --alpha 0.05 --beta 0.2 --csv simon.csv";

const SURVIVAL_EXAMPLES: &str = "Examples:
  trialsim survival-size --median0 10 --median1 15 --accrual 18 --followup 12
  trialsim survival-size --median0 10 --median1 15 --accrual 18 --followup 12 --n 56
  trialsim survival-size --median0 9 --hazard-ratio 0.5714 --shape 1.22 --accrual 5 --followup 3";

const NEXT_EXAMPLES: &str = "Examples:
  trialsim next --scenario scenarios/qls4131_escalation.toml --design BOIN --outcomes \"1NNN 2NTN\"
  trialsim next --scenario scenarios/qls4131_escalation.toml --design CRM --outcomes \"1NNN 2NNN 3NTT\"

Outcome strings (as the R package escalation): each cohort is a dose level followed by one
letter per patient, N (no DLT) or T (DLT); cohorts are separated by spaces.";

/// Operating characteristics of early-phase clinical trial designs.
#[derive(Parser)]
#[command(name = "trialsim", version, about, after_help = RUN_EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate scenario files and write OC tables to OUT/<file stem>/.
    #[command(after_help = RUN_EXAMPLES)]
    Run {
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
    },
    /// Merge shard files written by `run --shard` into exactly the files a single run writes.
    #[command(
        after_help = "Examples:\n  trialsim merge shards --out output\n  trialsim merge machine1/shards machine2/shards --out output"
    )]
    Merge {
        /// Shard files, or folders searched recursively for shard-I-of-N.json files.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder: each scenario is written to OUT/<file stem>/.
        #[arg(long, default_value = "output")]
        out: PathBuf,
    },
    /// Print an interval design's decision table (BOIN, Keyboard, mTPI-2, i3+3) as a protocol shows it.
    #[command(after_help = BOUNDARY_EXAMPLES)]
    Boundaries {
        /// Interval design: boin, keyboard, mtpi2 or i3+3.
        #[arg(long, default_value = "boin", value_parser = ["boin", "keyboard", "mtpi2", "i3+3"])]
        rule: String,
        /// Target DLT probability.
        #[arg(long)]
        target: f64,
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..1000))]
        cohort_size: u32,
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..10001))]
        max_patients: u32,
        /// BOIN: highest sub-therapeutic DLT probability (default 0.6 × target).
        #[arg(long)]
        phi1: Option<f64>,
        /// BOIN: lowest overly toxic DLT probability (default 1.4 × target).
        #[arg(long)]
        phi2: Option<f64>,
        /// Keyboard, mTPI-2, i3+3: the target interval's margin below the target (default 0.05).
        #[arg(long)]
        epsilon1: Option<f64>,
        /// Keyboard, mTPI-2, i3+3: the target interval's margin above the target (default 0.05).
        #[arg(long)]
        epsilon2: Option<f64>,
        /// Elimination cutoff on P(p > target | data).
        #[arg(long, default_value_t = 0.95)]
        cutoff_eliminate: f64,
        /// Also write the table as CSV (columns n,escalate,deescalate,eliminate).
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Simon two-stage designs (optimal, minimax, admissible) with exact operating characteristics.
    #[command(after_help = SIMON_EXAMPLES)]
    Simon {
        /// Response rate under H0 (unacceptable).
        #[arg(long)]
        p0: f64,
        /// Response rate under H1 (desirable).
        #[arg(long)]
        p1: f64,
        /// One-sided type I error.
        #[arg(long, default_value_t = 0.05)]
        alpha: f64,
        /// Type II error (1 − power).
        #[arg(long, default_value_t = 0.2)]
        beta: f64,
        /// Largest total sample size searched.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(2..1001))]
        nmax: u32,
        /// Also write the designs as CSV (design,r1,n1,r,n,en_p0,pet_p0,alpha,power).
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Sample size and power of the one-sample log-rank test against a historical median (Wu 2015).
    #[command(name = "survival-size", after_help = SURVIVAL_EXAMPLES)]
    SurvivalSize {
        /// Historical (null) median survival, in months.
        #[arg(long)]
        median0: f64,
        /// Median survival under H1; or give --hazard-ratio.
        #[arg(long, conflicts_with = "hazard_ratio")]
        median1: Option<f64>,
        /// Hazard ratio under H1 (below 1: longer survival).
        #[arg(long)]
        hazard_ratio: Option<f64>,
        /// Weibull shape of both curves (1: exponential).
        #[arg(long, default_value_t = 1.0)]
        shape: f64,
        /// Accrual duration (uniform), in months.
        #[arg(long)]
        accrual: f64,
        /// Follow-up after the last patient, in months.
        #[arg(long)]
        followup: f64,
        /// One-sided significance level.
        #[arg(long, default_value_t = 0.05)]
        alpha: f64,
        /// Target power.
        #[arg(long, default_value_t = 0.8)]
        power: f64,
        /// Also report the power with this many patients.
        #[arg(long)]
        n: Option<u32>,
    },
    /// Compare runs across scenario files: one table and one chart from their summary.csv files.
    #[command(
        after_help = "Examples:\n  trialsim compare output/qls4131_escalation output/qls4131_full\n  trialsim compare output/*/ --out output/comparison"
    )]
    Compare {
        /// Folders written by `trialsim run` (all dose-finding or all single-arm).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write comparison.csv and comparison.png.
        #[arg(long, default_value = "output/comparison")]
        out: PathBuf,
    },
    /// Measure trials per second for each design of a scenario, alone, at 1 and 2 threads.
    #[command(
        after_help = "Examples:\n  trialsim bench scenarios/qls4131_escalation.toml\n  trialsim bench scenarios/qls4131_full.toml --trials 2000 --threads 1 --threads 2"
    )]
    Bench {
        /// Scenario file.
        file: PathBuf,
        /// Trials per truth for each measurement.
        #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
        trials: u64,
        /// Thread counts to measure (repeatable; default 1 and 2).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..1025))]
        threads: Vec<u32>,
    },
    /// Redraw a run folder's charts from its CSV tables.
    #[command(after_help = "Examples:\n  trialsim plot output/qls4131_escalation")]
    Plot {
        /// A folder written by `trialsim run`.
        dir: PathBuf,
    },
    /// The next dose for a live trial, from the outcomes so far.
    #[command(after_help = NEXT_EXAMPLES)]
    Next {
        /// Scenario file defining the doses, the target and the design.
        #[arg(long)]
        scenario: PathBuf,
        /// Name of a [[design]] in the scenario.
        #[arg(long)]
        design: String,
        /// Outcomes so far, e.g. "1NNN 2NTN".
        #[arg(long, default_value = "")]
        outcomes: String,
    },
}

/// Prints a line to standard output, ignoring write errors: the summary is a courtesy (the files
/// are the product), and a closed pipe (`trialsim run … | head`) must not abort the run.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn main() {
    // Ctrl-C asks the engines to stop at their next block; nothing of an unfinished run is
    // written (outputs are written only after a run finishes, each atomically). A second Ctrl-C
    // exits at once.
    let _ = ctrlc::set_handler(|| {
        if trialsim::sim::cancel::requested() {
            std::process::exit(130);
        }
        trialsim::sim::cancel::request();
    });
    if let Err(e) = real_main() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    match Cli::parse().command {
        Command::Run {
            files,
            trials,
            seed,
            threads,
            out,
            exact,
            shard,
        } => run(&files, trials, seed, threads, &out, exact, shard),
        Command::Merge { dirs, out } => {
            for path in trialsim::shard::merge(&dirs, &out)? {
                say!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Boundaries {
            rule,
            target,
            cohort_size,
            max_patients,
            phi1,
            phi2,
            epsilon1,
            epsilon2,
            cutoff_eliminate,
            csv,
        } => {
            let (below, above) = if rule == "boin" {
                if epsilon1.is_some() || epsilon2.is_some() {
                    bail!("--epsilon1/--epsilon2 apply to keyboard, mtpi2 and i3+3; BOIN takes --phi1/--phi2");
                }
                (phi1, phi2)
            } else {
                if phi1.is_some() || phi2.is_some() {
                    bail!("--phi1/--phi2 apply to BOIN; {rule} takes --epsilon1/--epsilon2");
                }
                (epsilon1, epsilon2)
            };
            boundaries(
                &rule,
                target,
                (below, above),
                cohort_size,
                max_patients,
                cutoff_eliminate,
                csv.as_deref(),
            )
        }
        Command::Plot { dir } => {
            let written = if trialsim::report::charts_single_arm::is_single_arm_run(&dir) {
                let tables = trialsim::report::charts_single_arm::SingleArmChartTables::read(&dir)?;
                trialsim::report::charts_single_arm::render_single_arm(&tables, &dir)?
            } else {
                render_dose_finding(&DoseFindingTables::read(&dir)?, &dir)?
            };
            for path in written {
                say!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Bench { file, trials, threads } => {
            let scenario = AnyScenario::load(&file)?;
            let threads: Vec<usize> = if threads.is_empty() {
                vec![1, 2]
            } else {
                threads.iter().map(|&t| t as usize).collect()
            };
            say!(
                "{}: {trials} trials per truth, each design alone (results are discarded)",
                scenario.name()
            );
            say!("{:<24} {:>8} {:>10} {:>16}", "design", "threads", "seconds", "trials/s");
            for r in trialsim::run::bench(&scenario, trials, &threads)? {
                say!(
                    "{:<24} {:>8} {:>10.3} {:>16.0}",
                    r.design,
                    r.threads,
                    r.seconds,
                    r.trials_per_second
                );
            }
            Ok(())
        }
        Command::Compare { dirs, out } => {
            for path in trialsim::report::compare::compare(&dirs, &out)? {
                say!("wrote {}", path.display());
            }
            Ok(())
        }
        Command::Simon {
            p0,
            p1,
            alpha,
            beta,
            nmax,
            csv,
        } => simon(p0, p1, alpha, beta, nmax, csv.as_deref()),
        Command::SurvivalSize {
            median0,
            median1,
            hazard_ratio,
            shape,
            accrual,
            followup,
            alpha,
            power,
            n,
        } => survival_size(
            median0,
            median1,
            hazard_ratio,
            shape,
            accrual,
            followup,
            alpha,
            power,
            n,
        ),
        Command::Next {
            scenario,
            design,
            outcomes,
        } => next(&scenario, &design, &outcomes),
    }
}

fn run(
    files: &[PathBuf],
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<u32>,
    out: &Path,
    exact: bool,
    shard: Option<Shard>,
) -> Result<()> {
    // Every file is validated before anything is simulated or written.
    let loaded = files.iter().map(|f| RunFile::read(f)).collect::<Result<Vec<_>, _>>()?;
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
    let threads = threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |t| t as usize,
    );
    let options = RunOptions {
        trials,
        seed,
        threads,
        exact,
    };
    let mut finished: Vec<PathBuf> = Vec::new();
    for (index, (scenario, text)) in loaded.iter().enumerate() {
        for w in scenario.warnings() {
            eprintln!("warning: {w}");
        }
        let dir = out.join(scenario.stem());
        let written = match (shard, scenario) {
            (Some(shard), _) => run_shard(scenario, text, &options, shard, &dir),
            (None, RunFile::Scenario(scenario)) => run_one(scenario, &options, &dir),
            (None, RunFile::Sweep(sweep)) => run_sweep(sweep, &options, &dir),
        };
        if trialsim::sim::cancel::requested() {
            interrupted(&dir, written.is_ok(), &finished, &scenarios[index + 1..], out);
        }
        for path in written? {
            say!("wrote {}", path.display());
        }
        finished.push(dir);
    }
    Ok(())
}

/// Simulates one scenario and writes its outputs into `dir`.
fn run_one(scenario: &AnyScenario, options: &RunOptions, dir: &Path) -> Result<Vec<PathBuf>> {
    let total = match scenario {
        AnyScenario::DoseFinding(s) => options.trials.unwrap_or(s.simulation.trials),
        AnyScenario::SingleArm(s) => options.trials.unwrap_or(s.simulation.trials),
    };
    let bar = progress_bar(total, &scenario.stem());
    let started = Instant::now();
    Ok(match scenario {
        AnyScenario::DoseFinding(s) => {
            let (table, notes) = simulate_scenario(s, options, &|done| bar.set_position(done))?;
            bar.finish_and_clear();
            report_dose_finding(s, &table, &notes, options, started.elapsed().as_secs_f64());
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
fn run_shard(file: &RunFile, text: &str, options: &RunOptions, shard: Shard, dir: &Path) -> Result<Vec<PathBuf>> {
    let (trials, _) = trialsim::shard::run_settings(file, options);
    let range = shard.trials(trials);
    let points = match file {
        RunFile::Sweep(sweep) => sweep.points.len() as u64,
        RunFile::Scenario(_) => 1,
    };
    let bar = progress_bar((range.end - range.start) * points, &file.stem());
    let started = Instant::now();
    let path = trialsim::shard::run_shard(file, text, options, shard, dir, &|done| bar.set_position(done))?;
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
fn run_sweep(sweep: &Sweep, options: &RunOptions, dir: &Path) -> Result<Vec<PathBuf>> {
    let trials = options.trials.unwrap_or(sweep.points[0].scenario.simulation.trials);
    let bar = progress_bar(trials * sweep.points.len() as u64, &sweep.stem());
    let results = simulate_sweep(sweep, options, &|done| bar.set_position(done))?;
    bar.finish_and_clear();
    for ((point, r), k) in sweep.points.iter().zip(&results).zip(1..) {
        say!("point {k}: {}", point.describe(&sweep.keys));
        report_dose_finding(&point.scenario, &r.table, &r.notes, options, r.seconds);
    }
    let tables: Vec<OcTable> = results.into_iter().map(|r| r.table).collect();
    Ok(write_sweep_outputs(sweep, &tables, dir)?)
}

/// After Ctrl-C: says what is complete and what was not written, then exits with 130.
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
            "  not written: {} (the run was stopped; no file of it was written)",
            dir.display()
        );
    }
    for s in not_started {
        eprintln!("  not started: {}", out.join(s.stem()).display());
    }
    std::process::exit(130);
}

/// A progress bar on a terminal; nothing otherwise.
fn progress_bar(total: u64, message: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} trials ({per_sec}, {eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}

fn report_dose_finding(scenario: &Scenario, table: &OcTable, notes: &[ExactNote], options: &RunOptions, elapsed: f64) {
    let simulated_rows = table
        .rows
        .iter()
        .filter(|r| matches!(r.method, Method::Simulated { .. }))
        .count() as u64;
    say!(
        "{}: {} designs × {} truths in {:.2} s, {} threads",
        scenario.name,
        scenario.designs.len(),
        scenario.truths.len(),
        elapsed,
        options.threads
    );
    if simulated_rows > 0 {
        let trials = options.trials.unwrap_or(scenario.simulation.trials);
        say!(
            "  simulated: {trials} trials for each of {simulated_rows} design × truth pairs ({:.0} trials/s)",
            (trials * simulated_rows) as f64 / elapsed.max(1e-9)
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
    say!(
        "{:<24} {:<16} {:>9} {:>9} {:>9} {:>10}",
        "truth",
        "design",
        "correct%",
        "stopped%",
        "mean N",
        "overdose%"
    );
    for row in &table.rows {
        say!(
            "{:<24} {:<16} {:>9.1} {:>9.1} {:>9.1} {:>10.1}",
            row.truth,
            row.design,
            row.correct_selection_pct(),
            row.stopped_early_pct(),
            row.total_patients_mean(),
            row.overdose_selection_pct()
        );
    }
}

fn report_single_arm(scenario: &SingleArmScenario, table: &SingleArmTable, options: &RunOptions, elapsed: f64) {
    say!(
        "{}: {} trials × {} designs × {} truths in {:.2} s, {} threads",
        scenario.name,
        table.trials,
        scenario.designs.len(),
        scenario.truths.len(),
        elapsed,
        options.threads
    );
    say!(
        "{:<28} {:<22} {:>10} {:>10} {:>8} {:>8} {:>10}",
        "truth",
        "design",
        "promising%",
        "futility%",
        "tox%",
        "mean N",
        "months"
    );
    for row in &table.rows {
        let s = &row.summary;
        say!(
            "{:<28} {:<22} {:>10.1} {:>10.1} {:>8.1} {:>8.1} {:>10.1}",
            row.truth,
            row.design,
            100.0 * s.promising,
            100.0 * s.futility_stop,
            100.0 * s.toxicity_stop,
            s.mean_patients,
            s.mean_duration
        );
    }
}

fn boundaries(
    rule: &str,
    target: f64,
    (below, above): (Option<f64>, Option<f64>),
    cohort_size: u32,
    max_patients: u32,
    cutoff: f64,
    csv: Option<&Path>,
) -> Result<()> {
    if !(target.is_finite() && target > 0.0 && target < 1.0) {
        bail!("--target must be strictly between 0 and 1, got {target}");
    }
    if !(cutoff.is_finite() && cutoff > 0.0 && cutoff < 1.0) {
        bail!("--cutoff-eliminate must be strictly between 0 and 1, got {cutoff}");
    }
    if max_patients < cohort_size {
        bail!("--max-patients ({max_patients}) must be at least --cohort-size ({cohort_size})");
    }
    let (default_below, default_above) = IntervalRule::default_parameters(rule, target);
    let (below, above) = (below.unwrap_or(default_below), above.unwrap_or(default_above));
    let rule = IntervalRule::from_parts(rule, below, above).expect("clap checks the rule name");
    // The command line names the parameters phi1/phi2 (BOIN) or epsilon1/epsilon2 (the others).
    let flags = if rule.name() == "boin" {
        ("phi1", "phi2")
    } else {
        ("epsilon1", "epsilon2")
    };
    rule.check(target).map_err(|(key, message)| {
        let below = IntervalRule::parameter_names(rule.name()).0;
        anyhow!("--{} {message}", if key == below { flags.0 } else { flags.1 })
    })?;
    let mut config = IntervalConfig::new(target, rule);
    config.cutoff_eliminate = cutoff;
    let table = BoundaryTable::new(&config, max_patients);
    let ns: Vec<u32> = (cohort_size..=max_patients).step_by(cohort_size as usize).collect();
    let cell = |v: Option<u32>| v.map_or("NA".to_string(), |v| v.to_string());
    let column = |v: &[Option<u32>]| -> Vec<String> { ns.iter().map(|&n| cell(v[n as usize])).collect() };
    let rows: [(&str, Vec<String>); 4] = [
        ("Number of patients treated", ns.iter().map(|n| n.to_string()).collect()),
        ("Escalate if # of DLT <=", column(&table.escalate)),
        ("De-escalate if # of DLT >=", column(&table.deescalate)),
        ("Eliminate if # of DLT >=", column(&table.eliminate)),
    ];
    let settings = match rule {
        IntervalRule::Boin { phi1, phi2 } => format!(
            "BOIN (Liu & Yuan 2015): target {target}, phi1 {phi1}, phi2 {phi2}, lambda_e {:.4}, lambda_d {:.4}",
            boin::lambda_e(target, phi1),
            boin::lambda_d(target, phi2)
        ),
        IntervalRule::Keyboard {
            margin_left,
            margin_right,
        } => format!(
            "Keyboard (Yan, Mandrekar & Yuan 2017): target {target}, target key [{}, {}]",
            target - margin_left,
            target + margin_right
        ),
        IntervalRule::Mtpi2 { epsilon1, epsilon2 } => format!(
            "mTPI-2 (Guo et al. 2017): target {target}, equivalence interval [{}, {}]",
            target - epsilon1,
            target + epsilon2
        ),
        IntervalRule::I3Plus3 { epsilon1, epsilon2 } => format!(
            "i3+3 (Liu, Wang & Ji 2020): target {target}, equivalence interval [{}, {}]",
            target - epsilon1,
            target + epsilon2
        ),
    };
    say!("{settings}");
    for (label, cells) in &rows {
        let cells: Vec<String> = cells.iter().map(|c| format!("{c:>3}")).collect();
        say!("{label:<28}{}", cells.join(" "));
    }
    say!(
        "Eliminate: the dose and every higher dose, when P(DLT rate > {target} | data) > {cutoff} with Beta(1, 1) \
         (applied from 3 patients); NA: never at that n."
    );
    if let Some(path) = csv {
        let mut text = String::from("n,escalate,deescalate,eliminate\n");
        for (i, &n) in ns.iter().enumerate() {
            text.push_str(&format!("{n},{},{},{}\n", rows[1].1[i], rows[2].1[i], rows[3].1[i]));
        }
        write_atomic(path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
        say!("wrote {}", path.display());
    }
    Ok(())
}

fn simon(p0: f64, p1: f64, alpha: f64, beta: f64, nmax: u32, csv: Option<&Path>) -> Result<()> {
    let designs = SimonSearch::new(p0, p1, alpha, beta, nmax)?.run()?;
    say!("Simon two-stage phase II designs (Simon 1989; admissible: Jung et al. 2004)");
    say!("H0 response rate {p0}, H1 response rate {p1}; alpha {alpha}, beta {beta} (exact binomial)");
    say!("Stop after stage 1 if responses <= r1 of n1; reject H0 if responses > r of n.");
    say!();
    say!(
        "{:<11} {:>3} {:>4} {:>4} {:>4} {:>8} {:>8} {:>8} {:>8}",
        "",
        "r1",
        "n1",
        "r",
        "n",
        "EN(p0)",
        "PET(p0)",
        "alpha",
        "power"
    );
    let rows: Vec<(&str, &SimonSolution)> = [("minimax", &designs.minimax)]
        .into_iter()
        .chain(designs.admissible.iter().map(|d| ("admissible", d)))
        .chain([("optimal", &designs.optimal)])
        .collect();
    let mut text = String::from("design,r1,n1,r,n,en_p0,pet_p0,alpha,power\n");
    for (kind, s) in &rows {
        let d = &s.design;
        say!(
            "{:<11} {:>3} {:>4} {:>4} {:>4} {:>8.2} {:>8.4} {:>8.4} {:>8.4}",
            kind,
            d.r1(),
            d.n1(),
            d.r(),
            d.n(),
            s.en_p0,
            s.pet_p0,
            s.alpha,
            s.power
        );
        text.push_str(&format!(
            "{kind},{},{},{},{},{:.4},{:.4},{:.4},{:.4}\n",
            d.r1(),
            d.n1(),
            d.r(),
            d.n(),
            s.en_p0,
            s.pet_p0,
            s.alpha,
            s.power
        ));
    }
    if let Some(path) = csv {
        write_atomic(path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
        say!("wrote {}", path.display());
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn survival_size(
    median0: f64,
    median1: Option<f64>,
    hazard_ratio: Option<f64>,
    shape: f64,
    accrual: f64,
    followup: f64,
    alpha: f64,
    power: f64,
    n: Option<u32>,
) -> Result<()> {
    let null = WeibullSurvival::new(median0, shape)?;
    // With a common shape k, S1 = S0^δ gives median1 = median0 · δ^(−1/k).
    let hazard_ratio = match (median1, hazard_ratio) {
        (Some(m1), None) if m1.is_finite() && m1 > 0.0 => (median0 / m1).powf(shape),
        (Some(m1), None) => bail!("--median1 must be positive, got {m1}"),
        (None, Some(hr)) => hr,
        _ => bail!("give --median1 or --hazard-ratio"),
    };
    let design = WuDesign::new(alpha, accrual, followup, null, hazard_ratio)?;
    let needed = design.sample_size(power)?;
    say!("One-sample log-rank test against a historical Weibull curve (Wu 2015)");
    say!(
        "median0 {median0} months, shape {shape}, hazard ratio {hazard_ratio:.4} (median1 {:.2} months)",
        median0 * hazard_ratio.powf(-1.0 / shape)
    );
    say!("uniform accrual over {accrual} months, {followup} months more follow-up, one-sided alpha {alpha}");
    say!(
        "sample size for power {power}: {needed} (power {:.4})",
        design.power(needed)
    );
    if let Some(n) = n {
        say!("power with {n} patients: {:.4}", design.power(n));
    }
    Ok(())
}

fn next(scenario_path: &Path, design_name: &str, outcomes: &str) -> Result<()> {
    let scenario = Scenario::load(scenario_path)?;
    let spec = scenario.designs.iter().find(|d| d.name == design_name).ok_or_else(|| {
        let names: Vec<&str> = scenario.designs.iter().map(|d| d.name.as_str()).collect();
        anyhow!(
            "{}: no design named '{design_name}'; the designs are: {}",
            scenario_path.display(),
            names.join(", ")
        )
    })?;
    let labels = &scenario.trial.doses;
    let cohorts = parse_outcomes(outcomes, labels.len()).context("invalid --outcomes")?;
    let max_patients = scenario.trial.limits.max_patients;
    let treated: u32 = cohorts.iter().map(|c| u32::from(c.patients)).sum();
    if treated > max_patients {
        bail!(
            "the outcomes list {treated} patients, more than [trial] max_patients ({max_patients}) in {}",
            scenario_path.display()
        );
    }
    let mut data = TrialData::new(labels.len());
    for c in &cohorts {
        data.add_cohort(c.dose, c.patients, c.dlts);
    }
    let finder = spec.build(&scenario.trial);
    let describe = |d: trialsim::dose_finding::Dose| format!("dose {d} ({})", labels[d.index()]);
    say!(
        "{} ({}), target DLT probability {}: {} patients, {} DLTs in {} cohorts",
        spec.name,
        spec.rule_name(),
        scenario.trial.target,
        data.total_patients(),
        data.total_dlts(),
        cohorts.len()
    );
    if cohorts.is_empty() {
        say!(
            "Decision: treat the first cohort at {}",
            describe(scenario.trial.limits.start_dose)
        );
        return Ok(());
    }
    say!(
        "{:>4}  {:<16} {:>8} {:>5}  {:<10} {:>12}",
        "dose",
        "label",
        "patients",
        "DLTs",
        "admissible",
        "est. P(DLT)"
    );
    for e in finder.estimates(&data) {
        let estimate = e.prob_tox.map_or("-".to_string(), |p| format!("{p:.4}"));
        let admissible = if e.admissible { "yes" } else { "no" };
        say!(
            "{:>4}  {:<16} {:>8} {:>5}  {:<10} {:>12}",
            e.dose.level(),
            labels[e.dose.index()],
            e.patients,
            e.dlts,
            admissible,
            estimate
        );
    }
    match finder.decide(&data) {
        Decision::Treat(d) => say!("Decision: treat the next cohort at {}", describe(d)),
        Decision::Stop { selected, reason } => {
            let selected = selected.map_or("no dose".to_string(), describe);
            say!("Decision: stop the trial ({}); selected MTD: {selected}", reason.name());
        }
    }
    Ok(())
}
