//! `trialsim compare`: one table and one chart across run folders (or a sweep's points).

use super::say_wrote;
use anyhow::Result;
use std::path::PathBuf;

/// The examples under `trialsim compare --help`.
pub const EXAMPLES: &str = "Examples:\n  trialsim compare output/qls4131_escalation output/qls4131_full\n  trialsim compare output/*/ --out output/comparison";

/// The arguments of `trialsim compare`.
#[derive(clap::Args)]
pub struct Args {
    /// Folders written by `trialsim run` (all dose-finding or all single-arm).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Where to write comparison.csv and comparison.png.
    #[arg(long, default_value = "output/comparison")]
    out: PathBuf,
}

/// Writes the comparison and lists the files written.
pub fn execute(args: Args) -> Result<()> {
    say_wrote(&trialsim::report::compare::compare(&args.dirs, &args.out)?);
    Ok(())
}
