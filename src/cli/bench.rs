//! `trialsim bench`: trials per second for each design of a scenario, at given thread counts.

use super::say;
use anyhow::Result;
use std::path::PathBuf;
use trialsim::scenario::AnyScenario;

/// The examples under `trialsim bench --help`.
pub const EXAMPLES: &str = "Examples:\n  trialsim bench scenarios/qls4131_escalation.toml\n  trialsim bench scenarios/qls4131_full.toml --trials 2000 --threads 1 --threads 2";

/// The arguments of `trialsim bench`.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario file.
    file: PathBuf,
    /// Trials per truth for each measurement.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..))]
    trials: u64,
    /// Thread counts to measure (repeatable; default 1 and 2).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..1025))]
    threads: Vec<u32>,
}

/// Measures each design alone (over every truth, then under each truth) at each thread count and
/// prints a table.
pub fn execute(args: Args) -> Result<()> {
    let Args { file, trials, threads } = args;
    let scenario = AnyScenario::load(&file)?;
    let threads: Vec<usize> = if threads.is_empty() {
        vec![1, 2]
    } else {
        threads.iter().map(|&t| t as usize).collect()
    };
    say!(
        "{}: {trials} trials per truth, each design alone, over every truth and under each truth alone (results are discarded)",
        scenario.name()
    );
    say!(
        "{:<40} {:>8} {:>10} {:>16}",
        "design / truth",
        "threads",
        "seconds",
        "trials/s"
    );
    for r in trialsim::run::bench(&scenario, trials, &threads)? {
        let name = match &r.truth {
            Some(truth) => format!("  {truth}"),
            None => format!("{} (every truth)", r.design),
        };
        say!(
            "{:<40} {:>8} {:>10.3} {:>16.0}",
            name,
            r.threads,
            r.seconds,
            r.trials_per_second
        );
    }
    Ok(())
}
