//! `trialsim simon`: prints the minimax, admissible and optimal Simon two-stage designs (listed
//! by [`trialsim::planning::simon`]), and writes them as CSV on request.

use super::{say, write_text};
use anyhow::{anyhow, Result};
use std::path::PathBuf;
use trialsim::designs::single_arm::SimonSearch;
use trialsim::planning::SimonTable;

/// The examples under `trialsim simon --help`.
pub const EXAMPLES: &str = "Examples:
  trialsim simon --p0 0.2 --p1 0.4 --alpha 0.05 --beta 0.2
  trialsim simon --p0 0.2 --p1 0.4 --alpha 0.05 --beta 0.2 --csv simon.csv";

/// The arguments of `trialsim simon`.
#[derive(clap::Args)]
pub struct Args {
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
    /// Largest total sample size searched (2 to 400: the search grows as nmax⁴).
    #[arg(long, default_value_t = 100)]
    nmax: u32,
    /// Also write the designs as CSV (design,r1,n1,r,n,en_p0,pet_p0,alpha,power).
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// Searches the designs and prints them.
pub fn execute(args: Args) -> Result<()> {
    let Args {
        p0,
        p1,
        alpha,
        beta,
        nmax,
        csv,
    } = args;
    // The flags bear the parameters' names: say them as flags.
    let search = SimonSearch::new(p0, p1, alpha, beta, nmax).map_err(|e| anyhow!("--{e}"))?;
    let table = SimonTable::from(search.run()?);
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
    for (kind, s) in &table.rows {
        let d = &s.design;
        say!(
            "{:<11} {:>3} {:>4} {:>4} {:>4} {:>8.2} {:>8.4} {:>8.4} {:>8.4}",
            kind.name(),
            d.r1(),
            d.n1(),
            d.r(),
            d.n(),
            s.en_p0,
            s.pet_p0,
            s.alpha,
            s.power
        );
    }
    if let Some(path) = csv {
        write_text(&path, &table.csv())?;
    }
    Ok(())
}
