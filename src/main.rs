//! The `trialsim` command line: parses arguments, calls the library, prints. No statistics here.

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;
use trialsim::dose_finding::boin::{BoinConfig, BoundaryTable};
use trialsim::dose_finding::outcomes::parse_outcomes;
use trialsim::dose_finding::{Decision, TrialData};
use trialsim::report::write_atomic;
use trialsim::run::{simulate_scenario, write_outputs, RunOptions};
use trialsim::scenario::Scenario;
use trialsim::sim::Method;

const RUN_EXAMPLES: &str = "Examples:
  trialsim run scenarios/qls4131_escalation.toml
  trialsim run scenarios/*.toml --trials 100000 --seed 7 --threads 2 --out results
  trialsim run scenarios/qls4131_escalation.toml --exact";

const BOUNDARY_EXAMPLES: &str = "Examples:
  trialsim boundaries --target 0.3
  trialsim boundaries --target 0.25 --cohort-size 3 --max-patients 36 --csv boin_table.csv";

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
    },
    /// Print BOIN's decision table (Liu & Yuan 2015) as a protocol shows it.
    #[command(after_help = BOUNDARY_EXAMPLES)]
    Boundaries {
        /// Target DLT probability.
        #[arg(long)]
        target: f64,
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..1000))]
        cohort_size: u32,
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..10001))]
        max_patients: u32,
        /// Highest sub-therapeutic DLT probability (default 0.6 × target).
        #[arg(long)]
        phi1: Option<f64>,
        /// Lowest overly toxic DLT probability (default 1.4 × target).
        #[arg(long)]
        phi2: Option<f64>,
        /// Elimination cutoff on P(p > target | data).
        #[arg(long, default_value_t = 0.95)]
        cutoff_eliminate: f64,
        /// Also write the table as CSV (columns n,escalate,deescalate,eliminate).
        #[arg(long)]
        csv: Option<PathBuf>,
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

fn main() {
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
        } => run(&files, trials, seed, threads, &out, exact),
        Command::Boundaries {
            target,
            cohort_size,
            max_patients,
            phi1,
            phi2,
            cutoff_eliminate,
            csv,
        } => boundaries(
            target,
            cohort_size,
            max_patients,
            phi1,
            phi2,
            cutoff_eliminate,
            csv.as_deref(),
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
) -> Result<()> {
    // Every file is validated before anything is simulated or written.
    let scenarios = files.iter().map(|f| Scenario::load(f)).collect::<Result<Vec<_>, _>>()?;
    let mut stems = HashMap::new();
    for s in &scenarios {
        if let Some(other) = stems.insert(s.stem(), &s.file) {
            bail!(
                "{} and {} would both write to {}; rename one",
                other.display(),
                s.file.display(),
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
    for scenario in &scenarios {
        for w in &scenario.warnings {
            eprintln!("warning: {w}");
        }
        let total = options.trials.unwrap_or(scenario.simulation.trials);
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} trials ({per_sec}, {eta} left)")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(scenario.stem());
            bar
        } else {
            ProgressBar::hidden()
        };
        let started = Instant::now();
        let (table, exact_notes) = simulate_scenario(scenario, &options, &|done| bar.set_position(done))?;
        bar.finish_and_clear();
        let elapsed = started.elapsed().as_secs_f64();
        let dir = out.join(scenario.stem());
        let written = write_outputs(scenario, &table, &dir)?;
        let simulated_rows = table
            .rows
            .iter()
            .filter(|r| matches!(r.method, Method::Simulated { .. }))
            .count() as u64;
        println!(
            "{}: {} designs × {} truths in {:.2} s, {} threads",
            scenario.name,
            scenario.designs.len(),
            scenario.truths.len(),
            elapsed,
            threads
        );
        if simulated_rows > 0 {
            let trials = options.trials.unwrap_or(scenario.simulation.trials);
            println!(
                "  simulated: {trials} trials for each of {simulated_rows} design × truth pairs ({:.0} trials/s)",
                (trials * simulated_rows) as f64 / elapsed.max(1e-9)
            );
        }
        for note in &exact_notes {
            match &note.outcome {
                Ok((states, seconds)) => println!(
                    "  exact: {} under {}: {states} states in {:.3} s",
                    note.design, note.truth, seconds
                ),
                Err(why) => eprintln!("warning: exact: {} under {}: {why}", note.design, note.truth),
            }
        }
        println!(
            "{:<24} {:<16} {:>9} {:>9} {:>9} {:>10}",
            "truth", "design", "correct%", "stopped%", "mean N", "overdose%"
        );
        for row in &table.rows {
            println!(
                "{:<24} {:<16} {:>9.1} {:>9.1} {:>9.1} {:>10.1}",
                row.truth,
                row.design,
                row.correct_selection_pct(),
                row.stopped_early_pct(),
                row.total_patients_mean(),
                row.overdose_selection_pct()
            );
        }
        for path in written {
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn boundaries(
    target: f64,
    cohort_size: u32,
    max_patients: u32,
    phi1: Option<f64>,
    phi2: Option<f64>,
    cutoff: f64,
    csv: Option<&Path>,
) -> Result<()> {
    let open_probability = |name: &str, v: f64| -> Result<f64> {
        if v.is_finite() && v > 0.0 && v < 1.0 {
            Ok(v)
        } else {
            Err(anyhow!("--{name} must be strictly between 0 and 1, got {v}"))
        }
    };
    let mut config = BoinConfig::new(open_probability("target", target)?);
    config.phi1 = open_probability("phi1", phi1.unwrap_or(config.phi1))?;
    config.phi2 = open_probability("phi2", phi2.unwrap_or(config.phi2))?;
    config.cutoff_eliminate = open_probability("cutoff-eliminate", cutoff)?;
    if !(config.phi1 < target && target < config.phi2) {
        bail!(
            "need phi1 < target < phi2, got {} < {target} < {}",
            config.phi1,
            config.phi2
        );
    }
    if max_patients < cohort_size {
        bail!("--max-patients ({max_patients}) must be at least --cohort-size ({cohort_size})");
    }
    let table = BoundaryTable::new(&config, max_patients);
    let ns: Vec<u32> = (cohort_size..=max_patients).step_by(cohort_size as usize).collect();
    let cell = |v: Option<u32>| v.map_or("NA".to_string(), |v| v.to_string());
    let rows: [(&str, Vec<String>); 4] = [
        ("Number of patients treated", ns.iter().map(|n| n.to_string()).collect()),
        (
            "Escalate if # of DLT <=",
            ns.iter().map(|&n| table.escalate[n as usize].to_string()).collect(),
        ),
        (
            "De-escalate if # of DLT >=",
            ns.iter().map(|&n| table.deescalate[n as usize].to_string()).collect(),
        ),
        (
            "Eliminate if # of DLT >=",
            ns.iter().map(|&n| cell(table.eliminate[n as usize])).collect(),
        ),
    ];
    println!(
        "BOIN decision boundaries (Liu & Yuan 2015): target {target}, phi1 {}, phi2 {}, lambda_e {:.4}, lambda_d {:.4}",
        config.phi1,
        config.phi2,
        config.lambda_e(),
        config.lambda_d()
    );
    for (label, cells) in &rows {
        let cells: Vec<String> = cells.iter().map(|c| format!("{c:>3}")).collect();
        println!("{label:<28}{}", cells.join(" "));
    }
    println!(
        "Eliminate: the dose and every higher dose, when P(DLT rate > {target} | data) > {cutoff} with Beta(1, 1); NA: never at that n."
    );
    if let Some(path) = csv {
        let mut text = String::from("n,escalate,deescalate,eliminate\n");
        for &n in &ns {
            let i = n as usize;
            text.push_str(&format!(
                "{n},{},{},{}\n",
                table.escalate[i],
                table.deescalate[i],
                cell(table.eliminate[i])
            ));
        }
        write_atomic(path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
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
    println!(
        "{} ({}), target DLT probability {}: {} patients, {} DLTs in {} cohorts",
        spec.name,
        spec.rule_name(),
        scenario.trial.target,
        data.total_patients(),
        data.total_dlts(),
        cohorts.len()
    );
    if cohorts.is_empty() {
        println!(
            "Decision: treat the first cohort at {}",
            describe(scenario.trial.limits.start_dose)
        );
        return Ok(());
    }
    println!(
        "{:>4}  {:<16} {:>8} {:>5}  {:<10} {:>12}",
        "dose", "label", "patients", "DLTs", "admissible", "est. P(DLT)"
    );
    for e in finder.estimates(&data) {
        let estimate = e.prob_tox.map_or("-".to_string(), |p| format!("{p:.4}"));
        let admissible = if e.admissible { "yes" } else { "no" };
        println!(
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
        Decision::Treat(d) => println!("Decision: treat the next cohort at {}", describe(d)),
        Decision::Stop { selected, reason } => {
            let selected = selected.map_or("no dose".to_string(), describe);
            println!("Decision: stop the trial ({}); selected MTD: {selected}", reason.name());
        }
    }
    Ok(())
}
