//! `trialsim boundaries`: prints an interval design's decision table as a protocol shows it
//! (computed by [`trialsim::planning::boundaries`]), and writes it as CSV on request.

use super::{say, write_text};
use anyhow::{anyhow, bail, Result};
use std::path::PathBuf;
use trialsim::designs::interval::Edges;
use trialsim::designs::registry::{interval_family, interval_rule_names};
use trialsim::planning::{count_text, BoundaryError, BoundaryRow, BoundarySettings, DecisionTable};

/// The examples under `trialsim boundaries --help`.
pub const EXAMPLES: &str = "Examples:
  trialsim boundaries --target 0.3
  trialsim boundaries --rule keyboard --target 0.25 --max-patients 36
  trialsim boundaries --rule i3+3 --target 0.3 --epsilon1 0.05 --epsilon2 0.05
  trialsim boundaries --target 0.25 --cohort-size 3 --max-patients 36 --csv boin_table.csv";

/// The arguments of `trialsim boundaries`.
#[derive(clap::Args)]
pub struct Args {
    /// Interval design: boin, keyboard, mtpi2 or i3+3.
    #[arg(long, default_value = "boin", value_parser = clap::builder::PossibleValuesParser::new(interval_rule_names()))]
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
}

/// Checks that the flags fit the rule, computes the table and prints it.
pub fn execute(args: Args) -> Result<()> {
    let Args {
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
    } = args;
    // The command line names the parameters phi1/phi2 (BOIN) or epsilon1/epsilon2 (the others).
    let family = interval_family(&rule).expect("clap accepts registered interval rules only");
    let (flags, below, above) = if family.edges == Edges::Rates {
        if epsilon1.is_some() || epsilon2.is_some() {
            bail!("--epsilon1/--epsilon2 apply to keyboard, mtpi2 and i3+3; BOIN takes --phi1/--phi2");
        }
        (("phi1", "phi2"), phi1, phi2)
    } else {
        if phi1.is_some() || phi2.is_some() {
            bail!("--phi1/--phi2 apply to BOIN; {rule} takes --epsilon1/--epsilon2");
        }
        (("epsilon1", "epsilon2"), epsilon1, epsilon2)
    };
    let below_key = family.parameters.0;
    let settings = BoundarySettings {
        rule,
        target,
        below,
        above,
        cohort_size,
        max_patients,
        cutoff_eliminate,
    };
    let table = DecisionTable::new(&settings).map_err(|e| match e {
        BoundaryError::Target(t) => anyhow!("--target must be strictly between 0 and 1, got {t}"),
        BoundaryError::CutoffEliminate(c) => anyhow!("--cutoff-eliminate must be strictly between 0 and 1, got {c}"),
        BoundaryError::MaxPatients {
            max_patients,
            cohort_size,
        } => anyhow!("--max-patients ({max_patients}) must be at least --cohort-size ({cohort_size})"),
        BoundaryError::Parameter { key, message } => {
            anyhow!("--{} {message}", if key == below_key { flags.0 } else { flags.1 })
        }
        other => other.into(),
    })?;
    say!("{}", table.describe());
    let line = |label: &str, cell: fn(&BoundaryRow) -> String| {
        let cells: Vec<String> = table.rows.iter().map(|r| format!("{:>3}", cell(r))).collect();
        say!("{label:<28}{}", cells.join(" "));
    };
    line("Number of patients treated", |r| r.n.to_string());
    line("Escalate if # of DLT <=", |r| count_text(r.escalate));
    line("De-escalate if # of DLT >=", |r| count_text(r.deescalate));
    line("Eliminate if # of DLT >=", |r| count_text(r.eliminate));
    say!(
        "Eliminate: the dose and every higher dose, when P(DLT rate > {target} | data) > {cutoff_eliminate} with Beta(1, 1) \
         (applied from 3 patients); NA: never at that n."
    );
    if let Some(path) = csv {
        write_text(&path, &table.csv())?;
    }
    Ok(())
}
