//! U-BOIN (`rule = "u-boin"`, Zhou, Lee & Yuan 2019) through the engines: the exact engine
//! against an independent base-R enumeration (tests/fixtures/uboin/exact_reference.R, whose
//! README says why no published table is used), the exact engine against simulation, and `next`.

use crate::common::{assert_proportion_within_4se, exact, scenario, simulate};
use trialsim::conduct::LiveTrial;
use trialsim::designs::{Decision, Dose};

/// The R script's setting: 3 doses, cohorts of 3, 12 patients, φ_T = 0.35, stage II from 6
/// patients at a dose, the other keys at their defaults, its three truths.
const SETTING: &str = r#"
name = "u-boin exact"
[trial]
doses = ["1", "2", "3"]
target = 0.35
cohort_size = 3
max_patients = 12
[[truth]]
name = "plateau"
dlt = [0.05, 0.15, 0.40]
efficacy = [0.20, 0.50, 0.55]
[[truth]]
name = "rising"
dlt = [0.05, 0.10, 0.20]
efficacy = [0.10, 0.30, 0.60]
[[truth]]
name = "futile"
dlt = [0.10, 0.20, 0.30]
efficacy = [0.05, 0.05, 0.10]
[[design]]
name = "U-BOIN"
rule = "u-boin"
stage2_at = 6
"#;

/// (truth, metric, dose, value) rows of the R reference.
fn reference() -> Vec<(String, String, String, f64)> {
    include_str!("../fixtures/uboin/exact_reference.csv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|line| {
            let c: Vec<&str> = line.split(',').collect();
            (c[0].into(), c[1].into(), c[2].into(), c[3].parse().unwrap())
        })
        .collect()
}

/// Every selection % (none and doses 1–3) and mean patients per dose equal the R enumeration to
/// 1e-9.
#[test]
fn exact_matches_an_independent_enumeration() {
    let table = exact(SETTING);
    let rows = reference();
    assert_eq!(rows.len(), 21);
    for (truth, metric, dose, value) in rows {
        let row = table.rows.iter().find(|r| r.truth == truth).unwrap();
        let ours = match (metric.as_str(), dose.as_str()) {
            ("selected_pct", "none") => row.stopped_early_pct(),
            ("selected_pct", d) => row.selected_pct(Dose::from_level(d.parse().unwrap())),
            ("patients_mean", d) => row.patients_mean(Dose::from_level(d.parse().unwrap())),
            other => panic!("unknown row {other:?}"),
        };
        assert!(
            (ours - value).abs() < 1e-9,
            "{truth} {metric} {dose}: {ours} vs R {value}"
        );
    }
}

/// The exact engine against 20,000 simulated trials on four doses and 15 patients (stage II
/// from 6 at a dose; one truth with DLT and response associated, odds ratio 2), every dose's
/// selection % and "no OBD" within 4 SE.
#[test]
fn exact_and_simulated_agree() {
    let text = r#"
name = "u-boin"
[trial]
doses = ["1", "2", "3", "4"]
target = 0.35
cohort_size = 3
max_patients = 15
[[truth]]
name = "plateau"
dlt = [0.05, 0.10, 0.20, 0.45]
efficacy = [0.20, 0.50, 0.52, 0.55]
[[truth]]
name = "OBD = MTD"
dlt = [0.02, 0.05, 0.12, 0.30]
efficacy = [0.10, 0.20, 0.45, 0.60]
association = { odds_ratio = 2.0 }
[[design]]
name = "U-BOIN"
rule = "u-boin"
stage2_at = 6
"#;
    let exact = exact(text);
    let trials = 20_000;
    let simulated = simulate(text, trials, 11);
    for (e, s) in exact.rows.iter().zip(&simulated.rows) {
        for d in 0..4 {
            let what = format!("U-BOIN {} dose {} selected", e.truth, d + 1);
            let (p, q) = (e.selected_pct(Dose(d)) / 100.0, s.selected_pct(Dose(d)) / 100.0);
            assert_proportion_within_4se(&what, q, trials, p, None);
        }
        let what = format!("U-BOIN {} no OBD", e.truth);
        let (p, q) = (e.stopped_early_pct() / 100.0, s.stopped_early_pct() / 100.0);
        assert_proportion_within_4se(&what, q, trials, p, None);
    }
}

/// `next` with N/T/E/B letters: stage I is BOIN (0/3 escalates), stage II explores (B1) and then
/// assigns by the posterior mean utility (B2), and the answer names the rule and the OBD.
#[test]
fn next_names_the_stage_and_rule() {
    let scenario = scenario(&format!(
        "{SETTING}[[design]]\nname = \"U-BOIN early\"\nrule = \"u-boin\"\nstage2_at = 3\n"
    ));
    let stage_one = LiveTrial::new(&scenario, "U-BOIN", "1NEN").unwrap();
    assert_eq!(stage_one.decision(), Decision::Treat(Dose::from_level(2)));
    assert!(stage_one.explain().1[0].why.starts_with("stage I "));
    let explore = LiveTrial::new(&scenario, "U-BOIN early", "1NEN").unwrap();
    assert_eq!(explore.decision(), Decision::Treat(Dose::from_level(2)));
    assert!(explore.explain().1[0].why.contains("(B1)"));
    // Dose 2 at 1/3 DLTs (above λe): B2, dose 1 (50 + 180)/4 = 57.5 against dose 2 (50 + 140)/4.
    let trial = LiveTrial::new(&scenario, "U-BOIN early", "1ENN 2TEN").unwrap();
    assert_eq!(trial.decision(), Decision::Treat(Dose::from_level(1)));
    assert!(trial.warnings().is_empty(), "{:?}", trial.warnings());
    let answer = trial.answer();
    assert_eq!((answer.selects, answer.responses), ("OBD", Some(2)));
    assert!((answer.estimates[0].utility.unwrap() - 57.5).abs() < 1e-12);
    assert_eq!(answer.selected_if_stopped, Some(1));
    let why = &answer.steps[0].why;
    assert!(
        why.contains("(B2)") && why.contains("dose 1 57.5, dose 2 47.5"),
        "{why}"
    );
    let rule = answer.selection_rule.unwrap();
    assert!(
        rule.starts_with("selection \"utility\"") && rule.ends_with("OBD dose 1"),
        "{rule}"
    );
}
