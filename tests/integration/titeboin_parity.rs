//! TITE-BOIN against TITEgBOIN 0.4.0 as shipped (CRAN; `get_oc_TITE_QuasiBOIN` with TITE = TRUE):
//! the parity fixtures tests/fixtures/parity/titeboin-*/ (scenario.toml, reference.csv written by
//! reference.R, source.toml with the exact call). Each row of reference.csv is compared with
//! trialsim's estimate by z = (trialsim − reference) / √(se_ref² + se_trialsim²), where
//! se_trialsim = se_ref · √(trials_ref / trials_trialsim); every |z| must stay below 4. Metrics
//! as the shared parity format names them: `selected_pct` (dose 1..K or "none"),
//! `patients_mean` and `dlt_mean` (dose 1..K or "total"), `stopped_early_pct`, `duration_mean`.

use super::common::root;
use trialsim::designs::Dose;
use trialsim::results::OcRow;
use trialsim::run::{simulate_scenario, RunOptions};
use trialsim::scenario::Scenario;

/// Trials behind every reference.csv here (source.toml's `trials`).
const REFERENCE_TRIALS: f64 = 10_000.0;

/// trialsim's estimate of `metric` at `dose` ("1".."K", "none", "total" or empty).
fn estimate(row: &OcRow, metric: &str, dose: &str) -> f64 {
    let at = |d: &str| Dose(d.parse::<u16>().expect("a dose number") - 1);
    match (metric, dose) {
        ("selected_pct", "none") | ("stopped_early_pct", "") => row.stopped_early_pct(),
        ("selected_pct", d) => row.selected_pct(at(d)),
        ("patients_mean", "total") => row.total_patients_mean(),
        ("patients_mean", d) => row.patients_mean(at(d)),
        ("dlt_mean", "total") => row.oc.dlts.iter().sum(),
        ("dlt_mean", d) => row.dlt_mean(at(d)),
        ("duration_mean", "") => row.timing.as_ref().expect("calendar time").duration_mean,
        other => panic!("unknown metric {other:?}"),
    }
}

/// Runs one fixture folder and returns every row's z, asserting |z| < 4.
fn parity(folder: &str) -> f64 {
    let dir = root().join("tests/fixtures/parity").join(folder);
    let scenario = Scenario::load(&dir.join("scenario.toml")).unwrap_or_else(|e| panic!("{e}"));
    let trials = scenario.simulation.trials as f64;
    let options = RunOptions {
        trials: None,
        seed: None,
        threads: 2,
        exact: false,
    };
    let table = simulate_scenario(&scenario, &options, &|_| {}).expect("runs").0;
    let reference = std::fs::read_to_string(dir.join("reference.csv")).expect("reference.csv");
    let mut lines = reference.lines();
    assert_eq!(lines.next(), Some("truth,design,metric,dose,value,se"));
    let (mut worst, mut failures, mut compared) = (0.0f64, Vec::new(), 0);
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let [truth, design, metric, dose, value, se] = f[..] else {
            panic!("{folder}: bad row {line}")
        };
        let row = table
            .rows
            .iter()
            .find(|r| r.truth == truth && r.design == design)
            .unwrap_or_else(|| panic!("{folder}: no row {truth} × {design}"));
        let (value, se): (f64, f64) = (value.parse().unwrap(), se.parse().unwrap());
        assert!(se > 0.0, "{folder}: {metric} {dose} is a Monte Carlo estimate");
        let ours = estimate(row, metric, dose);
        let se_ours = se * (REFERENCE_TRIALS / trials).sqrt();
        let z = (ours - value) / (se * se + se_ours * se_ours).sqrt();
        eprintln!("{folder}: {metric} {dose}: TITEgBOIN {value:.4}, trialsim {ours:.4}, z {z:+.2}");
        worst = worst.max(z.abs());
        compared += 1;
        if z.abs() >= 4.0 {
            failures.push(format!("{metric} {dose}: {value} vs {ours} (z {z:+.2})"));
        }
    }
    assert!(compared >= 16, "{folder}: only {compared} rows");
    assert!(failures.is_empty(), "{folder}: {failures:?}");
    worst
}

/// MTD at dose 2 of 5 (0.15, 0.30, 0.45, 0.60, 0.75).
#[test]
fn titeboin_parity_mtd_low() {
    eprintln!("worst |z| {:.2}", parity("titeboin-mtd-low"));
}

/// Every dose above the target (0.45 … 0.85): most trials stop for toxicity.
#[test]
fn titeboin_parity_all_toxic() {
    eprintln!("worst |z| {:.2}", parity("titeboin-all-toxic"));
}

/// MTD at the top dose (0.05 … 0.30): long escalation with many pending patients.
#[test]
fn titeboin_parity_mtd_high() {
    eprintln!("worst |z| {:.2}", parity("titeboin-mtd-high"));
}
