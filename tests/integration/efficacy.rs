//! Efficacy in truths (issue 14): the `efficacy` and `association` keys are checked, naming the
//! file and the field, before any work; a toxicity-only run is unaffected by them.

use std::path::Path;
use trialsim::core::{Association, Truth};
use trialsim::scenario::Scenario;

const BASE: &str = r#"
name = "efficacy keys"
[trial]
doses = ["a", "b", "c"]
target = 0.3
cohort_size = 3
max_patients = 9
[[truth]]
name = "t"
dlt = [0.1, 0.2, 0.4]
TRUTH_KEYS
[[design]]
name = "3+3"
rule = "3+3"
"#;

fn parse(truth_keys: &str) -> Result<Scenario, String> {
    let text = BASE.replace("TRUTH_KEYS", truth_keys);
    Scenario::parse(&text, Path::new("eff.toml")).map_err(|e| e.to_string())
}

fn rejected(truth_keys: &str, field: &str, words: &str) {
    let message = parse(truth_keys).expect_err(truth_keys);
    for part in ["eff.toml", field, words] {
        assert!(message.contains(part), "'{part}' not in: {message}");
    }
}

#[test]
fn association_keys_are_checked() {
    rejected(
        "efficacy = [0.1, 0.2, 0.3]\nassociation = { odds_ratio = 0 }",
        "truth[1].association.odds_ratio",
        "> 0",
    );
    rejected(
        "efficacy = [0.1, 0.2, 0.3]\nassociation = { odds_ratio = -2.0 }",
        "truth[1].association.odds_ratio",
        "> 0",
    );
    rejected(
        "efficacy = [0.1, 0.2, 0.3]\nassociation = { odds = 2.0 }",
        "truth[1].association",
        "odds",
    );
    rejected("association = { odds_ratio = 2.0 }", "truth[1].association", "efficacy");
    rejected("efficacy = [0.1, 0.2]", "truth[1].efficacy", "has 2 values");
    rejected("efficacy = [0.1, 1.2, 0.3]", "truth[1].efficacy[2]", "");
    // Without calendar time, efficacy is read by phase I/II designs only: none here.
    rejected("efficacy = [0.1, 0.2, 0.3]", "truth[1].efficacy", "decid");
    // Calendar time draws response with the truth's association too.
    let timed = BASE
        .replace(
            "max_patients = 9\n",
            "max_patients = 9\n[timing]\narrival = { rate = 2.0 }\ndlt_window = 1.0\n",
        )
        .replace(
            "TRUTH_KEYS",
            "efficacy = [0.1, 0.2, 0.3]\nassociation = { odds_ratio = 2.0 }",
        );
    let s = Scenario::parse(&timed, Path::new("eff.toml")).unwrap();
    assert_eq!(s.truths[0].profile.association, Association::OddsRatio(2.0));
}

/// A truth's association reaches its doses' joint laws (ψ = 2 at every dose).
#[test]
fn the_odds_ratio_shapes_each_dose() {
    let truth = Truth {
        name: "t".into(),
        dlt: vec![0.1, 0.4],
        onset: None,
        profile: trialsim::core::TruthProfile {
            efficacy: Some(vec![0.3, 0.6]),
            association: Association::OddsRatio(2.0),
            ..Default::default()
        },
    };
    for dose in truth.dose_truths().unwrap() {
        let (p11, a, b) = (dose.response_with_dlt, dose.dlt, dose.response);
        let psi = p11 * (1.0 - a - b + p11) / ((a - p11) * (b - p11));
        assert!((psi - 2.0).abs() < 1e-9, "{psi}");
        assert!(p11 > a * b);
    }
}
