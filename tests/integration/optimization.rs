//! Randomized dose optimization after escalation: the exact law of the randomized stage against
//! an independent base-R calculation (tests/fixtures/optimization_exact), the same bytes whatever
//! the threads, and bad `randomize` keys refused naming the file and the field.

use crate::common::{root, scenario};
use std::path::Path;
use trialsim::core::{Dose, DoseTruth, EfficacyCounts, Utility};
use trialsim::designs::optimization::exact::sample_size;
use trialsim::designs::optimization::{NonInferiorityTest, Randomization, SelectionRule};
use trialsim::results::optimization::optimization_tables;
use trialsim::run::{simulate_scenario, RunOptions};
use trialsim::scenario::Scenario;

/// The truth of tests/fixtures/optimization_exact/reference.R.
fn truth() -> Vec<DoseTruth> {
    [
        (0.05, 0.20, 0.02),
        (0.10, 0.45, 0.06),
        (0.20, 0.50, 0.08),
        (0.30, 0.55, 0.20),
        (0.45, 0.55, 0.25),
    ]
    .iter()
    .map(|&(dlt, response, response_with_dlt)| DoseTruth {
        dlt,
        response,
        response_with_dlt,
    })
    .collect()
}

fn stage(rule: SelectionRule, toxicity_cutoff: Option<f64>) -> Randomization {
    Randomization {
        arms: 3,
        n_per_arm: 10,
        rule,
        pool: false,
        utility: Utility::default(),
        phi_t: 0.35,
        eliminate_cutoff: 0.95,
        toxicity_cutoff,
        target_selection: 0.8,
        max_n_per_arm: 100,
    }
}

/// The exact selection probabilities of four randomized stages (utility and non-inferiority
/// rules, observed and posterior, two and three arms, with and without the toxicity check) and
/// the sample size for a target of 0.8 (arms DL1, DL2) equal base R's (reference.R: dmultinom, expand.grid and
/// integrate; R 4.2.2) to 1e-9.
#[test]
fn exact_stage_law_equals_an_independent_r_calculation() {
    let dir = root().join("tests/fixtures/optimization_exact");
    let text = std::fs::read_to_string(dir.join("reference.csv")).unwrap();
    let ni = |test| SelectionRule::NonInferiority { margin: 0.1, test };
    let cases = [
        (stage(SelectionRule::Utility, None), vec![2, 3], 10),
        (stage(SelectionRule::Utility, Some(0.7)), vec![2, 3, 4], 8),
        (stage(ni(NonInferiorityTest::Observed), None), vec![1, 2, 3], 12),
        (
            stage(ni(NonInferiorityTest::Posterior { certainty: 0.6 }), Some(0.8)),
            vec![3, 4],
            10,
        ),
        (stage(SelectionRule::Utility, None), vec![1, 2], 0),
    ];
    let truth = truth();
    let mut compared = 0;
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (case, metric, dose, value): (usize, &str, &str, f64) =
            (cells[0].parse().unwrap(), cells[1], cells[2], cells[3].parse().unwrap());
        let (r, levels, n) = &cases[case - 1];
        let doses: Vec<Dose> = levels.iter().map(|&l| Dose::from_level(l)).collect();
        let ours = match metric {
            "selected" => {
                let law = r.stage_law(&doses, &truth, *n, &vec![EfficacyCounts::default(); doses.len()]);
                match dose {
                    "none" => law.none,
                    level => law.selected[levels.iter().position(|l| l.to_string() == level).unwrap()],
                }
            }
            "n_needed" => f64::from(sample_size(r, &doses, &truth).expect("reached").0),
            "correct_at_needed" => sample_size(r, &doses, &truth).expect("reached").1,
            other => panic!("unknown metric {other}"),
        };
        assert!(
            (ours - value).abs() < 1e-9,
            "case {case} {metric} {dose}: trialsim {ours}, R {value}"
        );
        compared += 1;
    }
    assert!(compared >= 14, "{compared} rows compared");
}

const SCENARIO: &str = r#"
name = "optimization"
[simulation]
trials = 400
seed = 3
[trial]
doses = ["DL1", "DL2", "DL3", "DL4", "DL5"]
target = 0.35
cohort_size = 3
max_patients = 24
[[truth]]
name = "plateau"
dlt = [0.05, 0.10, 0.20, 0.30, 0.45]
efficacy = [0.20, 0.50, 0.52, 0.54, 0.55]
[[truth]]
name = "rising"
dlt = [0.02, 0.05, 0.08, 0.12, 0.30]
efficacy = [0.10, 0.20, 0.30, 0.45, 0.60]
association = { odds_ratio = 2.0 }
[[design]]
name = "BOIN12 + randomized"
rule = "boin12"
randomize = { arms = 2, n_per_arm = 12, rule = "utility", pool = true }
[[design]]
name = "BOIN + randomized"
rule = "boin"
randomize = { arms = 3, n_per_arm = 10, rule = "noninferiority", margin = 0.1, test = "posterior", toxicity_cutoff = 0.9 }
"#;

/// The same seed gives the same tables with one thread and with two; another seed differs.
#[test]
fn same_seed_same_bytes_whatever_the_threads() {
    let scenario = scenario(SCENARIO);
    let tables = |threads: usize, seed: u64| {
        let options = RunOptions {
            trials: None,
            seed: Some(seed),
            threads,
            exact: false,
        };
        let (table, _) = simulate_scenario(&scenario, &options, &|_| {}).expect("runs");
        optimization_tables(table.optimization.as_ref().expect("a randomized stage"))
    };
    let one = tables(1, 3);
    assert_eq!(one, tables(2, 3), "optimization tables differ between 1 and 2 threads");
    assert_ne!(one[1], tables(2, 4)[1], "identical summaries under another seed");
    let summary = String::from_utf8(one[1].clone()).unwrap();
    assert_eq!(summary.lines().count(), 1 + 2 * 2, "{summary}");
    assert!(summary.starts_with("truth,design,trials,settings,best_overall,randomized_pct,best_among_arms_pct,"));
}

/// Bad `randomize` keys are refused before any work, naming the file and the field.
#[test]
fn bad_randomize_keys_name_file_and_field() {
    let cases = [
        (
            "n_per_arm = 12, rule = \"best\"",
            "design[1].randomize.rule",
            "unknown rule 'best'",
        ),
        ("n_per_arm = 0", "design[1].randomize.n_per_arm", ""),
        ("arms = 4, n_per_arm = 5", "design[1].randomize.arms", ""),
        (
            "n_per_arm = 5, rule = \"noninferiority\"",
            "design[1].randomize.margin",
            "is required",
        ),
        (
            "n_per_arm = 5, margin = 0.1",
            "design[1].randomize.margin",
            "applies only with rule",
        ),
        (
            "n_per_arm = 5, rule = \"noninferiority\", margin = 0.1, certainty = 0.7",
            "design[1].randomize.certainty",
            "",
        ),
        ("n_per_arm = 5, colour = 1", "design[1].randomize", "colour"),
    ];
    for (keys, field, words) in cases {
        let text = SCENARIO.replace("arms = 2, n_per_arm = 12, rule = \"utility\", pool = true", keys);
        let error = Scenario::parse(&text, Path::new("opt.toml"))
            .expect_err(keys)
            .to_string();
        assert!(
            error.contains("opt.toml") && error.contains(field) && error.contains(words),
            "{keys}: {error}"
        );
    }
    let text = SCENARIO.replace("toxicity_cutoff = 0.9", "toxicity_cutoff = 0.9, pool = true");
    let error = Scenario::parse(&text, Path::new("opt.toml")).unwrap_err().to_string();
    assert!(error.contains("design[2].randomize.pool"), "{error}");
    let text = SCENARIO.replace("seed = 3", "seed = 3\nmethod = \"exact\"");
    let error = Scenario::parse(&text, Path::new("opt.toml")).unwrap_err().to_string();
    assert!(
        error.contains("design[1].randomize") && error.contains("exact"),
        "{error}"
    );
    let text = SCENARIO.replace("efficacy = [0.20, 0.50, 0.52, 0.54, 0.55]\n", "");
    let error = Scenario::parse(&text, Path::new("opt.toml")).unwrap_err().to_string();
    assert!(error.contains("truth[1]") && error.contains("efficacy"), "{error}");
}
