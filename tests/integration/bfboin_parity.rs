//! Backfill's default (`variant = "bfboin"`) against the authors' R package bfboin 0.1.1
//! (Zhao, Yuan, Korn & Freidlin 2024, Clin Cancer Res 30:673): every fixture
//! tests/fixtures/parity/bfboin-*/ (scenario.toml, reference.csv written by reference.R with
//! bfboin's own `sim.one.trial`, source.toml with the call and how the two simulations map) is
//! run in-process and each row compared with z = (trialsim − bfboin) / √(se_ref² + se_ours²),
//! se_ours = se_ref·√(trials_ref / trials_ours); every |z| must stay below 4.

use super::common::root;
use std::path::Path;
use trialsim::designs::Dose;
use trialsim::results::OcRow;
use trialsim::run::{simulate_scenario, RunOptions};
use trialsim::scenario::Scenario;

/// trialsim's value of `metric` at `dose` ("1".."K", "none", "total" or empty).
fn ours(row: &OcRow, metric: &str, dose: &str) -> f64 {
    let timing = row.timing.as_ref().expect("a calendar-time run");
    let level = dose.parse::<u16>().ok().map(|l| Dose(l - 1));
    let backfill = |d: Dose| timing.doses[d.index()].backfill_patients_mean;
    match (metric, level, dose) {
        ("selected_pct", Some(d), _) => row.selected_pct(d),
        ("selected_pct", None, "none") | ("stopped_early_pct", None, "") => row.stopped_early_pct(),
        ("patients_mean", Some(d), _) => row.patients_mean(d),
        ("patients_mean", None, "total") => row.total_patients_mean(),
        ("dlt_mean", Some(d), _) => row.dlt_mean(d),
        ("dlt_mean", None, "total") => row.total_dlt_mean(),
        ("backfill_patients_mean", Some(d), _) => backfill(d),
        ("backfill_patients_mean", None, "total") => timing.doses.iter().map(|d| d.backfill_patients_mean).sum(),
        ("duration_mean", None, "") => timing.duration_mean,
        _ => panic!("unknown metric {metric} at dose '{dose}'"),
    }
}

/// Runs one fixture; returns (row label, z) for every reference row.
fn compare(dir: &Path) -> Vec<(String, f64)> {
    let scenario = Scenario::load(&dir.join("scenario.toml")).unwrap_or_else(|e| panic!("{e}"));
    let source: toml::Table = std::fs::read_to_string(dir.join("source.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let reference_trials = source["trials"].as_integer().expect("source.toml gives trials") as f64;
    let options = RunOptions {
        trials: None,
        seed: None,
        threads: 2,
        exact: false,
    };
    let table = simulate_scenario(&scenario, &options, &|_| {})
        .expect("simulation runs")
        .0;
    let trials = scenario.simulation.trials as f64;
    let text = std::fs::read_to_string(dir.join("reference.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("truth,design,metric,dose,value,se"));
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let (truth, design, metric, dose) = (f[0], f[1], f[2], f[3]);
            let (value, se): (f64, f64) = (f[4].parse().unwrap(), f[5].parse().unwrap());
            let row = table
                .rows
                .iter()
                .find(|r| r.truth == truth && r.design == design)
                .unwrap_or_else(|| panic!("no row {truth} × {design}"));
            let x = ours(row, metric, dose);
            let combined = se * (1.0 + reference_trials / trials).sqrt();
            let z = if combined > 0.0 {
                (x - value) / combined
            } else {
                assert!((x - value).abs() < 1e-9, "{line}: {x}");
                0.0
            };
            (
                format!("{truth} {metric} {dose}: trialsim {x:.4} vs bfboin {value:.4}"),
                z,
            )
        })
        .collect()
}

#[test]
fn backfill_default_matches_bfboin() {
    let base = root().join("tests/fixtures/parity");
    let mut dirs: Vec<_> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("bfboin-"))
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 2, "at least two bfboin fixtures");
    let mut worst = (String::new(), 0.0f64);
    let mut failed = Vec::new();
    for dir in &dirs {
        for (label, z) in compare(dir) {
            let label = format!("{}: {label}", dir.file_name().unwrap().to_string_lossy());
            eprintln!("{label} (z {z:+.2})");
            if z.abs() > worst.1.abs() {
                worst = (label.clone(), z);
            }
            if z.abs() >= 4.0 {
                failed.push(format!("{label}: z {z:+.2}"));
            }
        }
    }
    eprintln!("worst |z|: {:.2} ({})", worst.1.abs(), worst.0);
    assert!(failed.is_empty(), "beyond 4 SE:\n{}", failed.join("\n"));
}
