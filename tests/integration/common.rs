//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use trialsim::results::OcTable;
use trialsim::run::{simulate_scenario, RunOptions};
use trialsim::scenario::Scenario;

/// The `trialsim` binary built for these tests.
pub fn trialsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trialsim"))
}

pub fn run_cli(args: &[&str], dir: &Path) -> Output {
    trialsim().args(args).current_dir(dir).output().expect("trialsim runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The repository root (for the bundled scenarios).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Parses scenario text.
pub fn scenario(text: &str) -> Scenario {
    Scenario::parse(text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"))
}

/// Simulates scenario text with `trials` trials on two threads.
pub fn simulate(text: &str, trials: u64, seed: u64) -> OcTable {
    let options = RunOptions {
        trials: Some(trials),
        seed: Some(seed),
        threads: 2,
        exact: false,
    };
    simulate_scenario(&scenario(text), &options, &|_| {})
        .expect("simulation runs")
        .0
}

/// Exact operating characteristics of scenario text.
pub fn exact(text: &str) -> OcTable {
    let options = RunOptions {
        trials: None,
        seed: None,
        threads: 2,
        exact: true,
    };
    let (table, notes) = simulate_scenario(&scenario(text), &options, &|_| {}).expect("exact runs");
    assert!(
        notes.iter().all(|n| n.outcome.is_ok()),
        "some pair fell back to simulation"
    );
    table
}

/// Asserts |simulated − reference| < 4 standard errors, where the standard error combines the
/// binomial error of both sides (`reference_trials` = None for an exact reference).
pub fn assert_proportion_within_4se(
    what: &str,
    simulated: f64,
    ours: u64,
    reference: f64,
    reference_trials: Option<u64>,
) {
    let p = reference.clamp(1e-4, 1.0 - 1e-4);
    let var = p * (1.0 - p) * (1.0 / ours as f64 + reference_trials.map_or(0.0, |n| 1.0 / n as f64));
    let se = var.sqrt();
    let z = (simulated - reference) / se;
    assert!(
        z.abs() < 4.0,
        "{what}: simulated {simulated:.4} vs reference {reference:.4}: {z:.2} SE"
    );
    eprintln!("{what}: simulated {simulated:.4} vs reference {reference:.4} ({z:+.2} SE)");
}

/// VALIDATION R5's setting: five doses, target 0.3, cohorts of 3, at most 30 patients, one truth
/// and a 3+3 design (with or without de-escalation).
pub fn three_plus_three_r5(dlt: &str, deescalate: bool) -> String {
    format!(
        r#"
name = "R5"
[trial]
doses = ["1", "2", "3", "4", "5"]
target = 0.3
cohort_size = 3
max_patients = 30
[[truth]]
name = "t"
dlt = [{dlt}]
[[design]]
name = "3+3"
rule = "3+3"
deescalate = {deescalate}
"#
    )
}
