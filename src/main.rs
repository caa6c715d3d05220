//! The `trialsim` command line: parses the arguments and dispatches to the subcommand's module
//! under `cli/`, which calls the library and prints. No statistics here.

mod cli;

use clap::{Parser, Subcommand};

/// Operating characteristics of early-phase clinical trial designs.
#[derive(Parser)]
#[command(name = "trialsim", version, about, after_help = cli::run::EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Every subcommand takes a leading minus as a number (`--n -1`), so that its value reaches the
/// command's own validation and is refused naming the flag.
#[derive(Subcommand)]
enum Command {
    /// Simulate scenario files and write OC tables to OUT/<file stem>/.
    #[command(allow_negative_numbers = true, after_help = cli::run::EXAMPLES)]
    Run(cli::run::Args),
    /// Merge shard files written by `run --shard` into exactly the files a single run writes.
    #[command(allow_negative_numbers = true, after_help = cli::merge::EXAMPLES)]
    Merge(cli::merge::Args),
    /// Print an interval design's decision table (BOIN, Keyboard, mTPI-2, i3+3) as a protocol shows it.
    #[command(allow_negative_numbers = true, after_help = cli::boundaries::EXAMPLES)]
    Boundaries(cli::boundaries::Args),
    /// Simon two-stage designs (optimal, minimax, admissible) with exact operating characteristics.
    #[command(allow_negative_numbers = true, after_help = cli::simon::EXAMPLES)]
    Simon(cli::simon::Args),
    /// Sample size and power of the one-sample log-rank test against a historical median (Wu 2015).
    #[command(allow_negative_numbers = true, name = "survival-size", after_help = cli::survival_size::EXAMPLES)]
    SurvivalSize(cli::survival_size::Args),
    /// Compare runs across scenario files: one table and one chart from their summary.csv files.
    #[command(allow_negative_numbers = true, after_help = cli::compare::EXAMPLES)]
    Compare(cli::compare::Args),
    /// Measure trials per second for each design of a scenario, alone, at 1 and 2 threads.
    #[command(allow_negative_numbers = true, after_help = cli::bench::EXAMPLES)]
    Bench(cli::bench::Args),
    /// Redraw a run folder's charts from its CSV tables.
    #[command(allow_negative_numbers = true, after_help = cli::plot::EXAMPLES)]
    Plot(cli::plot::Args),
    /// The next dose for a live trial, from the outcomes so far.
    #[command(allow_negative_numbers = true, after_help = cli::next::EXAMPLES)]
    Next(cli::next::Args),
    /// Every path of a live trial's next cohorts with the design's decision after each (dose-transition pathways).
    #[command(allow_negative_numbers = true, after_help = cli::pathways::EXAMPLES)]
    Pathways(cli::pathways::Args),
    /// The decision at an interim look of a live single-arm phase 2 trial, from responses and toxicities so far.
    #[command(after_help = cli::interim::EXAMPLES)]
    Interim(cli::interim::Args),
}

fn main() {
    cli::stop_on_ctrl_c();
    cli::exit_on_error(match Cli::parse().command {
        Command::Run(args) => cli::run::execute(args),
        Command::Merge(args) => cli::merge::execute(args),
        Command::Boundaries(args) => cli::boundaries::execute(args),
        Command::Simon(args) => cli::simon::execute(args),
        Command::SurvivalSize(args) => cli::survival_size::execute(args),
        Command::Compare(args) => cli::compare::execute(args),
        Command::Bench(args) => cli::bench::execute(args),
        Command::Plot(args) => cli::plot::execute(args),
        Command::Next(args) => cli::next::execute(args),
        Command::Pathways(args) => cli::pathways::execute(args),
        Command::Interim(args) => cli::interim::execute(args),
    });
}
