//! `trialsim next`: the next dose for a live trial, from the outcomes so far, with the rule that
//! fired, the estimates and any departure of the history from the design (the trial's state and
//! the design's decision come from [`trialsim::conduct`]).

use super::say;
use anyhow::{Context, Result};
use std::path::PathBuf;
use trialsim::conduct::{Answer, ConductError, LiveTrial};
use trialsim::core::words::count;
use trialsim::scenario::Scenario;

/// The examples under `trialsim next --help`.
pub const EXAMPLES: &str = "Examples:
  trialsim next --scenario scenarios/qls4131_escalation.toml --design BOIN --outcomes \"1NNN 2NTN\"
  trialsim next --scenario scenarios/qls4131_escalation.toml --design CRM --outcomes \"1NNN 2NNN 3NTT\"
  trialsim next --scenario scenarios/qls4131_escalation.toml --design BLRM --outcomes \"1NNN 2NTN\" --json

Outcome strings (as the R package escalation): each cohort is a dose level followed by one
letter per patient, N (no DLT) or T (DLT); cohorts are separated by spaces. A phase I/II design
(BOIN12, EffTox) reads N (neither), T (DLT without response), E (response without DLT) and
B (both), e.g. \"1NEN 2TBE\". The scenario needs [trial] and the [[design]]; a [[truth]] is not
needed.";

/// A live trial on the command line: the scenario, the design and the outcomes so far (shared
/// by `next` and `pathways`).
#[derive(clap::Args)]
pub struct LiveArgs {
    /// Scenario file defining the doses, the target and the design (a [[truth]] is not needed).
    #[arg(long)]
    pub scenario: PathBuf,
    /// Name of a [[design]] in the scenario.
    #[arg(long)]
    pub design: String,
    /// Outcomes so far, e.g. "1NNN 2NTN" (empty: before the first cohort; P(f) marks a pending
    /// patient for time-to-event designs; phase I/II designs read N, T, E, B, e.g. "1NEN 2TBE").
    #[arg(long, default_value = "")]
    pub outcomes: String,
}

/// The arguments of `trialsim next`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    live: LiveArgs,
    /// Print one JSON object (decision, next_dose, admissible, estimates, steps, rule, warnings).
    #[arg(long)]
    json: bool,
}

/// Prints the answer: as text (summary, warnings, estimates, the steps that decided, the MTD or
/// OBD if the trial stopped now, the decision) or as JSON.
pub fn execute(args: Args) -> Result<()> {
    let scenario = Scenario::load_for_conduct(&args.live.scenario)?;
    let trial = LiveTrial::new(&scenario, &args.live.design, &args.live.outcomes).or_else(|e| match e {
        ConductError::Outcomes(e) => Err(e).context("invalid --outcomes"),
        other => Err(other.into()),
    })?;
    let answer = trial.answer();
    if args.json {
        say!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print_text(&answer, &scenario.trial.doses);
    }
    Ok(())
}

fn print_text(answer: &Answer, labels: &[String]) {
    let describe = |level: usize| format!("dose {level} ({})", labels[level - 1]);
    let responses = answer
        .responses
        .map_or(String::new(), |r| format!(", {}", count(r, "response")));
    say!(
        "{} ({}), target DLT probability {}: {}, {}{responses} in {}",
        answer.design,
        answer.design_rule,
        answer.target,
        count(answer.patients, "patient"),
        count(answer.dlts, "DLT"),
        count(answer.cohorts as u64, "cohort")
    );
    for warning in &answer.warnings {
        say!("Warning: {warning}");
    }
    print_estimates(answer);
    say!("Why:");
    for step in &answer.steps {
        say!("  {}: {}", step.by, step.why);
        if step.by != "design" && step.by != "start_dose" {
            say!("    -> {}", step.decision);
        }
    }
    if answer.cohorts > 0 {
        let chosen = answer.selected_if_stopped.map_or("no dose".to_string(), describe);
        say!("If the trial stopped now, the {} would be {chosen}.", answer.selects);
        if let Some(rule) = &answer.selection_rule {
            say!("  {rule}");
        }
    }
    match (answer.decision, answer.next_dose) {
        ("treat", Some(d)) => say!(
            "Decision: treat the {} cohort at {}",
            if answer.cohorts == 0 { "first" } else { "next" },
            describe(d)
        ),
        ("stop", _) => {
            let selected = answer.selected.map_or("no dose".to_string(), describe);
            let reason = answer.stop_reason.unwrap_or_default();
            say!(
                "Decision: stop the trial ({reason}); selected {}: {selected}",
                answer.selects
            );
        }
        _ => {
            let wait = answer.wait.map_or(String::new(), |w| {
                format!(
                    "; with no DLT meanwhile, the rule lets the next patient in after {w:.2} {}",
                    answer.wait_unit
                )
            });
            say!("Decision: suspend accrual until pending outcomes are known{wait}");
        }
    }
}

/// Prints the design's per-dose counts, admissibility, estimated P(DLT) with its 90% interval,
/// BLRM's interval probabilities, and a phase I/II design's responses, estimated P(response) and
/// utility, where the design has them.
fn print_estimates(answer: &Answer) {
    if answer.estimates.is_empty() {
        return;
    }
    let dosing = answer.estimates.iter().any(|e| e.dosing_intervals.is_some());
    let phase12 = answer.responses.is_some();
    let mut header = format!(
        "{:>4}  {:<16} {:>8} {:>5}  {:<10} {:>12}  {:<17}",
        "dose", "label", "patients", "DLTs", "admissible", "est. P(DLT)", "90% interval"
    );
    if dosing {
        header += &format!(" {:>8} {:>9} {:>7}", "P(under)", "P(target)", "P(over)");
    }
    if phase12 {
        header += &format!(" {:>9} {:>12} {:>8}", "responses", "est. P(resp)", "utility");
    }
    say!("{}", header.trim_end());
    for e in &answer.estimates {
        let estimate = e.prob_tox.map_or("-".to_string(), |p| format!("{p:.4}"));
        let interval = e
            .interval_90
            .map_or("-".to_string(), |[low, high]| format!("{low:.4}-{high:.4}"));
        let mut line = format!(
            "{:>4}  {:<16} {:>8} {:>5}  {:<10} {:>12}  {:<17}",
            e.dose,
            e.label,
            e.patients,
            e.dlts,
            if e.admissible { "yes" } else { "no" },
            estimate,
            interval
        );
        if let Some([under, target, over]) = e.dosing_intervals {
            line += &format!(" {under:>8.3} {target:>9.3} {over:>7.3}");
        }
        if phase12 {
            let number = |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |v| format!("{v:.digits$}"));
            line += &format!(
                " {:>9} {:>12} {:>8}",
                e.responses.unwrap_or(0),
                number(e.prob_response, 4),
                number(e.utility, 3)
            );
        }
        say!("{}", line.trim_end());
    }
}
