//! `trialsim next`: the next dose for a live trial, from the outcomes so far.

use super::say;
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};
use trialsim::dose_finding::outcomes::parse_outcomes;
use trialsim::dose_finding::{Decision, TrialData};
use trialsim::scenario::Scenario;

/// The examples under `trialsim next --help`.
pub const EXAMPLES: &str = "Examples:
  trialsim next --scenario scenarios/qls4131_escalation.toml --design BOIN --outcomes \"1NNN 2NTN\"
  trialsim next --scenario scenarios/qls4131_escalation.toml --design CRM --outcomes \"1NNN 2NNN 3NTT\"

Outcome strings (as the R package escalation): each cohort is a dose level followed by one
letter per patient, N (no DLT) or T (DLT); cohorts are separated by spaces.";

/// The arguments of `trialsim next`.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario file defining the doses, the target and the design.
    #[arg(long)]
    scenario: PathBuf,
    /// Name of a [[design]] in the scenario.
    #[arg(long)]
    design: String,
    /// Outcomes so far, e.g. "1NNN 2NTN".
    #[arg(long, default_value = "")]
    outcomes: String,
}

/// Prints the outcomes' summary, the design's per-dose estimates and its decision.
pub fn execute(args: Args) -> Result<()> {
    next(&args.scenario, &args.design, &args.outcomes)
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
