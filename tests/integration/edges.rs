//! Inputs at the edges (issue 7): one dose, many doses, cohorts of one, probabilities of exactly 0
//! and 1, unwritable paths. Each gives a correct result or a clear error.

use crate::common::{exact, one_truth, run_cli, simulate, stderr};
use std::fs;
use trialsim::designs::Dose;

const DESIGNS: &str = r#"
[[design]]
name = "BOIN"
rule = "boin"
[[design]]
name = "Keyboard"
rule = "keyboard"
[[design]]
name = "i3+3"
rule = "i3+3"
[[design]]
name = "CRM"
rule = "crm"
skeleton = { halfwidth = 0.05, nu = 1 }
"#;

/// The scenario "edge" with target 0.3, one truth `dlt` (one dose per value) and `DESIGNS`.
fn scenario(cohort: u32, max: u32, dlt: &[f64]) -> String {
    let dlt: Vec<String> = dlt.iter().map(f64::to_string).collect();
    one_truth("edge", (0.3, cohort, max), &dlt.join(", "), DESIGNS)
}

/// One dose: every design treats it until the end or stops for toxicity; selection is dose 1 or
/// none, and counts add up.
#[test]
fn one_dose() {
    for p in [0.0, 0.3, 1.0] {
        let table = simulate(&scenario(3, 12, &[p]), 2_000, 1);
        for row in &table.rows {
            let total = row.oc.selected[0] + row.oc.selected_none;
            assert!((total - 1.0).abs() < 1e-12, "{} p={p}", row.design);
            if p == 0.0 {
                assert_eq!(
                    row.oc.selected[0], 1.0,
                    "{} always selects the only safe dose",
                    row.design
                );
            }
        }
    }
}

/// Probabilities of exactly 0 and 1: no DLT ever at 0, always at 1; the exact and simulated
/// answers agree exactly (no randomness left).
#[test]
fn zero_and_one_probabilities() {
    let text = scenario(3, 18, &[0.0, 0.0, 1.0]);
    let simulated = simulate(&text, 1_000, 3);
    let exact = exact(&text);
    for (s, e) in simulated.rows.iter().zip(&exact.rows) {
        assert_eq!(s.oc.dlts[0], 0.0);
        assert_eq!(s.oc.dlts[2], s.oc.patients[2], "every patient at p = 1 has a DLT");
        for d in 0..3 {
            assert!(
                (s.oc.selected[d] - e.oc.selected[d]).abs() < 1e-12,
                "{} dose {}",
                s.design,
                d + 1
            );
        }
    }
}

/// Twenty-five doses and cohorts of one.
#[test]
fn many_doses_and_cohorts_of_one() {
    let dlt: Vec<f64> = (0..25).map(|i| (0.02 * (i + 1) as f64).min(1.0)).collect();
    let table = simulate(&scenario(1, 40, &dlt), 2_000, 5);
    for row in &table.rows {
        let total: f64 = row.oc.selected.iter().sum::<f64>() + row.oc.selected_none;
        assert!((total - 1.0).abs() < 1e-12);
        assert!(row.total_patients_mean() <= 40.0 + 1e-12);
        // The truth is 0.3 at dose 15: nobody should settle near the top of 25 doses.
        assert!(row.oc.selected[24] < 0.01, "{}", row.design);
        assert!(
            row.patients_mean(Dose(0)) >= 1.0 - 1e-12,
            "every trial starts at dose 1"
        );
    }
}

/// An output folder that cannot be created gives a clear error naming the path, and exit 1.
#[test]
fn unwritable_output_path() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("edge.toml"), scenario(3, 6, &[0.1, 0.3])).unwrap();
    // A file where the output folder should go.
    fs::write(dir.path().join("blocked"), "not a folder").unwrap();
    let out = run_cli(&["run", "edge.toml", "--trials", "10", "--out", "blocked"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("blocked/edge"), "{}", stderr(&out));
}

/// An unreadable scenario file (a folder) is named in the error.
#[test]
fn unreadable_scenario_path() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("folder.toml")).unwrap();
    let out = run_cli(&["run", "folder.toml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("folder.toml") && stderr(&out).contains("cannot read"),
        "{}",
        stderr(&out)
    );
}
