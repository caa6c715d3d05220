//! `trialsim boundaries`: prints an interval design's decision table as a protocol shows it
//! and writes it as CSV on request.

use super::{say, write_text};
use anyhow::{anyhow, bail, Result};
use std::path::{Path, PathBuf};
use trialsim::dose_finding::boin;
use trialsim::dose_finding::interval::{BoundaryTable, IntervalConfig, IntervalRule};

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
        write_text(path, &text)?;
    }
    Ok(())
}
