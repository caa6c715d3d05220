//! `trialsim merge`: adds up the shard files of `run --shard` into the files of a single run.

use super::say_wrote;
use anyhow::Result;
use std::path::PathBuf;

/// The examples under `trialsim merge --help`.
pub const EXAMPLES: &str =
    "Examples:\n  trialsim merge shards --out output\n  trialsim merge machine1/shards machine2/shards --out output";

/// The arguments of `trialsim merge`.
#[derive(clap::Args)]
pub struct Args {
    /// Shard files, or folders searched recursively for shard-I-of-N.json files.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Output folder: each scenario is written to OUT/<file stem>/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
}

/// Merges the shards and lists the files written.
pub fn execute(args: Args) -> Result<()> {
    say_wrote(&trialsim::run::shard::merge(&args.dirs, &args.out)?);
    Ok(())
}
