//! `trialsim next`: the next dose for a live trial, from the outcomes so far (the trial's state
//! and the design's decision come from [`trialsim::conduct`]).

use super::say;
use anyhow::{Context, Result};
use std::path::PathBuf;
use trialsim::conduct::{ConductError, LiveTrial};
use trialsim::core::NO_WAIT_WITHOUT_FOLLOW_UP;
use trialsim::designs::{Decision, Dose};
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
    let scenario = Scenario::load(&args.scenario)?;
    let trial = LiveTrial::new(&scenario, &args.design, &args.outcomes).or_else(|e| match e {
        ConductError::Outcomes(e) => Err(e).context("invalid --outcomes"),
        other => Err(other.into()),
    })?;
    let labels = &scenario.trial.doses;
    let describe = |d: Dose| format!("dose {d} ({})", labels[d.index()]);
    let (spec, data) = (trial.design(), trial.data());
    say!(
        "{} ({}), target DLT probability {}: {} patients, {} DLTs in {} cohorts",
        spec.name,
        spec.rule_name(),
        scenario.trial.target,
        data.total_patients(),
        data.total_dlts(),
        trial.cohorts().len()
    );
    // Before the first cohort there is nothing to estimate: the trial starts at the start dose.
    let first = trial.cohorts().is_empty();
    if !first {
        print_estimates(&trial, labels);
    }
    match trial.decision() {
        Decision::Treat(d) => say!(
            "Decision: treat the {} cohort at {}",
            if first { "first" } else { "next" },
            describe(d)
        ),
        Decision::Stop { selected, reason } => {
            let selected = selected.map_or("no dose".to_string(), describe);
            say!("Decision: stop the trial ({}); selected MTD: {selected}", reason.name());
        }
        Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
    }
    Ok(())
}

/// Prints the design's per-dose counts, admissibility and estimated P(DLT).
fn print_estimates(trial: &LiveTrial, labels: &[String]) {
    say!(
        "{:>4}  {:<16} {:>8} {:>5}  {:<10} {:>12}",
        "dose",
        "label",
        "patients",
        "DLTs",
        "admissible",
        "est. P(DLT)"
    );
    for e in trial.estimates() {
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
}
