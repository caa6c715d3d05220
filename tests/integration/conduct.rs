//! `next` in a live trial never recommends a dose its own design calls inadmissible (issue 15),
//! whatever the history, including histories that deviate from the design.

use super::common::root;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use trialsim::conduct::LiveTrial;
use trialsim::designs::{Decision, Dose};
use trialsim::scenario::Scenario;

/// The designs of both dose-finding scenarios.
fn scenarios() -> Vec<Scenario> {
    ["scenarios/qls4131_escalation.toml", "scenarios/qls4131_full.toml"]
        .iter()
        .map(|f| Scenario::load(&root().join(f)).unwrap())
        .collect()
}

/// A random history: 1–6 cohorts of 1–4 patients at any dose, each patient a DLT with
/// probability 0.3, within `max_patients`.
fn random_history(rng: &mut Xoshiro256PlusPlus, num_doses: usize, max_patients: u32) -> String {
    let mut cohorts = Vec::new();
    let mut treated = 0;
    for _ in 0..rng.random_range(1..=6) {
        let size = rng.random_range(1..=4u32);
        if treated + size > max_patients {
            break;
        }
        treated += size;
        let outcomes: String = (0..size)
            .map(|_| if rng.random_bool(0.3) { 'T' } else { 'N' })
            .collect();
        cohorts.push(format!("{}{outcomes}", rng.random_range(1..=num_doses)));
    }
    cohorts.join(" ")
}

/// The decision's dose is one the design lists as admissible, or the trial stops.
fn check(trial: &LiveTrial, what: &str) {
    if let Decision::Treat(dose) = trial.decision() {
        let estimates = trial.estimates();
        assert!(
            estimates[dose.index()].admissible,
            "{what}: recommends dose {dose}, listed inadmissible"
        );
    }
}

/// The histories of issue 15, which used to get a dose their own table called inadmissible, now
/// get the highest admissible dose below the design's proposal, or a stop when there is none.
#[test]
fn eliminated_doses_are_never_recommended() {
    let scenario = &scenarios()[0];
    for (design, history, expected) in [
        ("BOIN", "1NNN 2TTT 3NNN", Decision::Treat(Dose::from_level(1))),
        ("Keyboard", "1NNN 2TTT 3NNN", Decision::Treat(Dose::from_level(1))),
        ("mTPI-2", "1NNN 2TTT 3NNN", Decision::Treat(Dose::from_level(1))),
        ("i3+3", "1NNN 2TTT 3NNN", Decision::Treat(Dose::from_level(1))),
        ("BOIN titration", "1NNN 2TTT 3NNN", Decision::Treat(Dose::from_level(1))),
        ("3+3", "1NNN 2NTT 3NNN", Decision::Treat(Dose::from_level(1))),
    ] {
        let trial = LiveTrial::new(scenario, design, history).unwrap();
        assert_eq!(trial.decision(), expected, "{design} after {history}");
        check(&trial, design);
    }
    for design in ["BOIN", "Keyboard", "mTPI-2", "i3+3", "3+3"] {
        let trial = LiveTrial::new(scenario, design, "1TTT 2NNN").unwrap();
        assert!(
            matches!(trial.decision(), Decision::Stop { selected: None, .. }),
            "{design}: every dose inadmissible after 1TTT, yet {:?}",
            trial.decision()
        );
    }
}

/// 200 random histories per design of both dose-finding scenarios (most of them deviate from the
/// design): the recommended dose is always admissible.
#[test]
fn random_histories_get_admissible_doses() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(15);
    for scenario in scenarios() {
        let (k, max) = (scenario.trial.doses.len(), scenario.trial.limits.max_patients);
        for design in &scenario.designs {
            for _ in 0..200 {
                let history = random_history(&mut rng, k, max);
                let trial = LiveTrial::new(&scenario, &design.name, &history).unwrap();
                check(&trial, &format!("{} after {history}", design.name));
            }
        }
    }
}

/// The boundaries of BOIN (Liu & Yuan 2015, Stat Med; eq. 2 with the default φ1 = 0.6φ,
/// φ2 = 1.4φ), computed here from the paper's formulas: (λe, λd).
fn boin_lambdas(target: f64) -> (f64, f64) {
    let (phi1, phi2) = (0.6 * target, 1.4 * target);
    let lambda_e = ((1.0 - phi1) / (1.0 - target)).ln() / ((target * (1.0 - phi1)) / (phi1 * (1.0 - target))).ln();
    let lambda_d = ((1.0 - target) / (1.0 - phi2)).ln() / ((phi2 * (1.0 - target)) / (target * (1.0 - phi2))).ln();
    (lambda_e, lambda_d)
}

/// BOIN's elimination (Liu & Yuan 2015): P(p > φ | y of n, Beta(1, 1) prior) > 0.95 with n ≥ 3,
/// by the identity P(Beta(y + 1, n − y + 1) > φ) = P(Binomial(n + 1, φ) ≤ y).
fn boin_eliminates(target: f64, n: u32, y: u32) -> bool {
    let choose = |n: u32, k: u32| (0..k).fold(1.0, |c, i| c * f64::from(n - i) / f64::from(i + 1));
    let tail: f64 = (0..=y)
        .map(|k| choose(n + 1, k) * target.powi(k as i32) * (1.0 - target).powi((n + 1 - k) as i32))
        .sum();
    n >= 3 && tail > 0.95
}

/// The published BOIN rule after a history, from its counts: the next dose (or `None`: stop).
fn boin_published(target: f64, counts: &[(u32, u32)], current: usize) -> Option<usize> {
    let (lambda_e, lambda_d) = boin_lambdas(target);
    let eliminated = |d: usize| (0..=d).any(|j| boin_eliminates(target, counts[j].0, counts[j].1));
    if eliminated(0) {
        return None;
    }
    let (n, y) = counts[current];
    let rate = f64::from(y) / f64::from(n);
    let top = counts.len() - 1;
    let next = if rate <= lambda_e && current < top && !eliminated(current + 1) {
        current + 1
    } else if rate >= lambda_d && current > 0 {
        current - 1
    } else {
        current
    };
    Some(next)
}

/// BOIN's `next` follows the published rule on every history of up to four cohorts of three that
/// the rule itself produces (4⁴ outcome sequences), at targets 0.25 and 0.30, five doses.
#[test]
fn boin_next_follows_the_published_rule() {
    for target in [0.25, 0.30] {
        let text = format!(
            "name = \"boin\"\n[trial]\ndoses = [\"1\", \"2\", \"3\", \"4\", \"5\"]\ntarget = {target}\n\
             cohort_size = 3\nmax_patients = 30\n[[design]]\nname = \"BOIN\"\nrule = \"boin\"\n"
        );
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        let scenario = Scenario::load_for_conduct(file.path()).unwrap();
        let mut checked = 0;
        for sequence in 0..4u32.pow(4) {
            let (mut counts, mut dose, mut history) = (vec![(0, 0); 5], 0usize, String::new());
            for cohort in 0..4 {
                let dlts = (sequence / 4u32.pow(cohort)) % 4;
                let (n, y) = &mut counts[dose];
                (*n, *y) = (*n + 3, *y + dlts);
                history += &format!(
                    "{}{} ",
                    dose + 1,
                    "T".repeat(dlts as usize) + &"N".repeat(3 - dlts as usize)
                );
                let trial = LiveTrial::new(&scenario, "BOIN", history.trim()).unwrap();
                assert!(trial.warnings().is_empty(), "{history}: {:?}", trial.warnings());
                let expected = boin_published(target, &counts, dose);
                match (trial.decision(), expected) {
                    (Decision::Treat(d), Some(e)) => assert_eq!(d.index(), e, "target {target}, {history}"),
                    (Decision::Stop { .. }, None) => {}
                    (got, want) => panic!("target {target}, {history}: {got:?}, published {want:?}"),
                }
                checked += 1;
                match expected {
                    Some(next) => dose = next,
                    None => break,
                }
            }
        }
        assert!(checked > 600, "{checked} decisions checked");
    }
}

/// Histories that depart from the design are answered, each departure named by its cohort:
/// a skipped dose, a dose above an eliminated one, a cohort of the wrong size, more patients than
/// max_patients. A history the design produced has no warning.
#[test]
fn deviations_are_named_by_cohort() {
    let scenario = &scenarios()[0];
    let warnings = |design: &str, history: &str| LiveTrial::new(scenario, design, history).unwrap().warnings().to_vec();
    let skip = warnings("BOIN", "1NNN 3NNN");
    assert!(
        skip.len() == 1 && skip[0].starts_with("cohort 2 (dose 3, 0/3 DLTs): the design recommended dose 2"),
        "{skip:?}"
    );
    let above = warnings("BOIN", "1NNN 2TTT 3NNN");
    assert!(
        above
            .iter()
            .any(|w| w.starts_with("cohort 3") && w.contains("inadmissible")),
        "{above:?}"
    );
    let size = warnings("CRM", "1NN 1NNN");
    assert!(
        size.iter()
            .any(|w| w.starts_with("cohort 1") && w.contains("2 patients")),
        "{size:?}"
    );
    let max = scenario.trial.limits.max_patients as usize;
    let long = "1NNN ".repeat(max / 3 + 1);
    let trial = LiveTrial::new(scenario, "BOIN", &long).unwrap();
    assert!(trial
        .warnings()
        .iter()
        .any(|w| w.contains("beyond [trial] max_patients")));
    assert!(matches!(trial.decision(), Decision::Stop { .. }));
    assert!(warnings("BOIN", "1NNN 2NNN 3NTN").is_empty());
    assert!(warnings("3+3", "1NNN 2NTN 2NNN 3NNN").is_empty());
}

/// A scenario without a truth serves `next` (a live trial has none), and `--json` prints one
/// object with the decision, the next dose, admissibility, estimates, the rule and warnings.
#[test]
fn next_needs_no_truth_and_answers_in_json() {
    let text = std::fs::read_to_string(root().join("scenarios/qls4131_escalation.toml")).unwrap();
    let without_truth: String = text
        .split("[[truth]]")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_string()
            } else {
                part[part.find("[[design]]").map_or(part.len(), |p| p)..].to_string()
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("live.toml");
    std::fs::write(&file, &without_truth).unwrap();
    assert!(!without_truth.contains("[[truth]]"));
    let output = super::common::run_cli(
        &[
            "next",
            "--scenario",
            file.to_str().unwrap(),
            "--design",
            "BOIN",
            "--outcomes",
            "1NNN 2TTT 3NNN",
            "--json",
        ],
        dir.path(),
    );
    assert!(output.status.success(), "{}", super::common::stderr(&output));
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["decision"], "treat");
    assert_eq!(answer["next_dose"], 1);
    assert_eq!(
        answer["admissible"],
        serde_json::json!([true, false, false, false, false, false])
    );
    assert_eq!(answer["estimates"].as_array().unwrap().len(), 6);
    assert!(answer["rule"]
        .as_str()
        .unwrap()
        .starts_with("admissibility: dose 3 is not admissible"));
    assert_eq!(answer["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(answer["selected_if_stopped"], 1);
}

/// Time-to-event designs take pending patients, `P(f)` with f the fraction of the DLT window
/// observed. TITE-BOIN suspends accrual while more than half the current dose's patients are
/// pending (Yuan et al. 2018): with N, P(0.5), P(0.2) at dose 3 it waits until P(0.5)'s window
/// closes, half a window (the scenario's 28-day window, in months) from now; with one pending
/// of three it decides. A design deciding on complete outcomes refuses pending patients.
#[test]
fn time_to_event_designs_weigh_pending_patients() {
    let scenario = &scenarios()[1];
    let window = scenario.timing.as_ref().unwrap().window;
    let waiting = LiveTrial::new(scenario, "TITE-BOIN", "1NNN 2NNN 3NP(0.5)P(0.2)").unwrap();
    assert_eq!(waiting.decision(), Decision::Wait);
    let wait = waiting.wait().unwrap();
    assert!((wait - 0.5 * window).abs() < 1e-12, "waits {wait}, window {window}");
    let answer = waiting.answer();
    assert_eq!(
        (answer.decision, answer.next_dose, answer.wait_unit),
        ("wait", None, "months")
    );
    let deciding = LiveTrial::new(scenario, "TITE-BOIN", "1NNN 2NNN 3NNP(0.3)").unwrap();
    assert!(matches!(deciding.decision(), Decision::Treat(_)));
    assert_eq!(deciding.wait(), None);
    let crm = LiveTrial::new(scenario, "TITE-CRM", "1NNN 2NNN 3NP(0.5)P(0.2)").unwrap();
    assert!(matches!(crm.decision(), Decision::Treat(_)));
    let refused = LiveTrial::new(scenario, "BOIN", "1NNN 2NP(0.5)").err().unwrap();
    assert!(refused
        .to_string()
        .contains("pending patients are for time-to-event designs"));
}

/// Histories that follow the design (each cohort at the dose `next` gave, of the design's size,
/// with random outcomes) draw no warning, for every design of both dose-finding scenarios that
/// decides on complete outcomes; 60 histories of up to 8 cohorts each.
#[test]
fn histories_following_the_design_draw_no_warning() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1506);
    for scenario in scenarios() {
        for design in &scenario.designs {
            for _ in 0..60 {
                let mut history = String::new();
                for _ in 0..8 {
                    let trial = LiveTrial::new(&scenario, &design.name, history.trim()).unwrap();
                    if trial.finder().decides_on_pending() {
                        break;
                    }
                    assert!(
                        trial.warnings().is_empty(),
                        "{} after {history}: {:?}",
                        design.name,
                        trial.warnings()
                    );
                    let Decision::Treat(dose) = trial.decision() else { break };
                    let size = trial.finder().next_cohort_size(trial.data());
                    let letters: String = (0..size)
                        .map(|_| if rng.random_bool(0.3) { 'T' } else { 'N' })
                        .collect();
                    history += &format!("{}{letters} ", dose.level());
                }
            }
        }
    }
}

/// Messages a user meets first: a design name in the wrong case gets the right one suggested, and
/// `next` on a single-arm scenario says what `next` is for and where to go instead.
#[test]
fn messages_point_to_the_fix() {
    let scenario = &scenarios()[0];
    let wrong_case = LiveTrial::new(scenario, "boin", "1NNN").err().unwrap().to_string();
    assert!(
        wrong_case.contains("no design named 'boin' (did you mean 'BOIN'?)"),
        "{wrong_case}"
    );
    let single_arm = Scenario::load_for_conduct(&root().join("scenarios/ql1706_es_sclc.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        single_arm.contains("field `kind`") && single_arm.contains("trialsim interim"),
        "{single_arm}"
    );
}
