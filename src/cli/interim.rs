//! `trialsim interim`: the decision at an interim look of a live single-arm phase 2 trial, from
//! the patients assessed so far, their responses and toxicities, with the boundaries, posterior
//! and predictive probabilities and what the next look needs ([`trialsim::conduct::interim`]).

use super::say;
use anyhow::{bail, Result};
use std::path::PathBuf;
use trialsim::conduct::interim::{check_counts, interim, Interim};
use trialsim::core::words::count;
use trialsim::scenario::AnyScenario;

/// The examples under `trialsim interim --help`.
pub const EXAMPLES: &str = "Examples:
  trialsim interim --scenario scenarios/ql1706_es_sclc.toml --design BOP2 --patients 15 --responses 8 --toxicities 2
  trialsim interim --scenario scenarios/ql1706_es_sclc.toml --design \"Simon optimal\" --patients 20 --responses 13
  trialsim interim --scenario scenarios/ql1706_es_sclc.toml --design \"Predictive probability\" --patients 30 --responses 17 --toxicities 5 --json

The scenario must be a single-arm one (kind = \"single-arm\"). Log-rank and landmark designs
judge their interim looks (toxicity monitoring) from counts; their final analysis needs event
times and is refused.";

/// The arguments of `trialsim interim`.
#[derive(clap::Args)]
pub struct Args {
    /// Single-arm scenario file (kind = "single-arm").
    #[arg(long)]
    scenario: PathBuf,
    /// Name of a [[design]] in the scenario.
    #[arg(long)]
    design: String,
    /// Patients whose response and toxicity are known (assessed) so far.
    #[arg(long)]
    patients: u32,
    /// Responders among them.
    #[arg(long)]
    responses: u32,
    /// Patients with a limiting toxicity among them (without it, the toxicity rule is not applied).
    #[arg(long)]
    toxicities: Option<u32>,
    /// Print one JSON object (decision, rule, boundaries, posterior, predictive, next_look, warnings).
    #[arg(long)]
    json: bool,
}

/// Checks the counts, judges the look and prints the answer as text or JSON.
pub fn execute(args: Args) -> Result<()> {
    check_counts(args.patients, args.responses, args.toxicities)?;
    let scenario = match AnyScenario::load(&args.scenario)? {
        AnyScenario::SingleArm(s) => s,
        AnyScenario::DoseFinding(_) => bail!(
            "--scenario {}: is a dose-finding scenario; interim needs a single-arm one (kind = \"single-arm\"); \
             use `trialsim next` for dose finding",
            args.scenario.display()
        ),
    };
    let answer = interim(&scenario, &args.design, args.patients, args.responses, args.toxicities)?;
    for w in &answer.warnings {
        eprintln!("warning: {w}");
    }
    if args.json {
        say!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        print_text(&answer);
    }
    Ok(())
}

/// Prints the answer for a reader: counts, the rule that decided, the boundaries, the
/// probabilities, the next look and the decision.
fn print_text(a: &Interim) {
    let tox = a.toxicities.map_or(String::new(), |t| match t {
        1 => ", 1 toxicity".to_string(),
        t => format!(", {t} toxicities"),
    });
    say!(
        "{} ({}): {} of {} patients assessed, {}{tox}",
        a.design,
        a.design_rule,
        a.patients,
        a.max_patients,
        count(a.responses, "response")
    );
    say!("rule: {}", a.rule);
    let b = &a.boundaries;
    let mut bounds = Vec::new();
    if let (Some(r1), Some(n1)) = (b.simon_r1, b.simon_n1) {
        bounds.push(format!("Simon: stop if responses ≤ r1 = {r1} of n1 = {n1}"));
    }
    if let Some(f) = b.futility_at_most {
        bounds.push(format!("stop for futility if responses ≤ {f} at {}", a.patients));
    }
    if let Some(t) = b.toxicity_at_least {
        bounds.push(format!("stop for toxicity if toxicities ≥ {t} at {}", a.patients));
    }
    if let Some(c) = b.bop2_cutoff {
        bounds.push(format!("BOP2 cutoff C(n) = {c:.4}"));
    }
    if let (Some(l), Some(t)) = (b.theta_l, b.theta_t) {
        bounds.push(format!("θL = {l}, θT = {t}"));
    }
    if let Some(p) = b.promising_at_least {
        bounds.push(format!("promising if responses ≥ {p} of {}", a.max_patients));
    }
    for line in bounds {
        say!("boundary: {line}");
    }
    let p = &a.posterior;
    if let (Some(p0), Some(e)) = (p.p0, p.efficacy) {
        say!("posterior: P(ORR > {p0} | data) = {e:.4}");
    }
    if let (Some(limit), Some(t)) = (p.toxicity_limit, p.toxicity) {
        say!("posterior: P(toxicity rate > {limit} | data) = {t:.4}");
    }
    if let Some(pp) = a.predictive {
        say!("predictive probability of success at the final analysis: {pp:.4}");
    }
    if let Some(next) = &a.next_look {
        say!("next look: {}", next.text);
    }
    say!("decision: {}", a.decision.replace('_', " "));
}
