//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use trialsim::results::OcTable;
use trialsim::run::{simulate_scenario, RunOptions};
use trialsim::scenario::Scenario;

/// The `trialsim` binary built for these tests.
pub fn trialsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trialsim"))
}

/// Runs `trialsim ARGS` in `dir`.
pub fn run_cli(args: &[&str], dir: &Path) -> Output {
    trialsim().args(args).current_dir(dir).output().expect("trialsim runs")
}

/// Runs `trialsim ARGS` in `dir` and asserts that it succeeded.
pub fn run_ok(args: &[&str], dir: &Path) -> Output {
    let out = run_cli(args, dir);
    assert!(out.status.success(), "trialsim {args:?}: {}", stderr(&out));
    out
}

/// Runs `trialsim run` on the bundled `scenarios/FILE` with `args` in `dir` and asserts that it
/// succeeded.
pub fn run_bundled(file: &str, args: &[&str], dir: &Path) -> Output {
    let scenario = bundled(file);
    run_ok(&[&["run", scenario.to_str().unwrap()], args].concat(), dir)
}

/// The bundled scenario `scenarios/FILE`.
pub fn bundled(file: &str) -> PathBuf {
    root().join("scenarios").join(file)
}

/// Every file below `dir` (none if it does not exist), by path relative to it.
pub fn files_below(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.insert(
                    path.strip_prefix(base).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
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

/// Scenario text named `name` over doses "1" … "K": `[trial]` with `target`, `cohort_size` and
/// `max_patients`, one truth "t" with the K DLT probabilities `dlt` ("p1, p2, …"), then
/// `designs` (`[[design]]` tables).
pub fn one_truth(name: &str, (target, cohort_size, max_patients): (f64, u32, u32), dlt: &str, designs: &str) -> String {
    let doses: Vec<String> = (1..=dlt.split(',').count()).map(|d| format!("\"{d}\"")).collect();
    format!(
        "name = \"{name}\"\n[trial]\ndoses = [{}]\ntarget = {target}\ncohort_size = {cohort_size}\n\
         max_patients = {max_patients}\n[[truth]]\nname = \"t\"\ndlt = [{dlt}]\n{designs}",
        doses.join(", ")
    )
}

/// BOIN with its default settings, as a `[[design]]` table.
pub const BOIN: &str = "[[design]]\nname = \"BOIN\"\nrule = \"boin\"\n";

/// VALIDATION R5's setting: five doses, target 0.3, cohorts of 3, at most 30 patients, one truth
/// and a 3+3 design (with or without de-escalation).
pub fn three_plus_three_r5(dlt: &str, deescalate: bool) -> String {
    one_truth(
        "R5",
        (0.3, 3, 30),
        dlt,
        &format!("[[design]]\nname = \"3+3\"\nrule = \"3+3\"\ndeescalate = {deescalate}\n"),
    )
}
