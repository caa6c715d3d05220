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

/// Checks `--out`, merges the shards and lists the files written (each scenario's folder is
/// written as a whole, with its manifest, like `trialsim run`'s).
pub fn execute(args: Args) -> Result<()> {
    trialsim::report::folder::check_out(&args.out).map_err(|e| anyhow::anyhow!("--out {}: {e}", args.out.display()))?;
    say_wrote(&trialsim::run::shard::merge(&args.dirs, &args.out)?);
    Ok(())
}
