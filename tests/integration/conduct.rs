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

// Phase I/II designs (issue 14, item 5): outcome strings with responses, as the R package
// escalation's `parse_phase12_outcomes` writes them: N neither, T DLT only, E response only, B both.

/// The bundled dose-optimization scenario: BOIN, BOIN12 and EffTox, φ_T = 0.35, 5 doses, cohorts
/// of 3, 36 patients (BOIN12's paper's settings).
fn dose_optimization() -> Scenario {
    Scenario::load(&root().join("scenarios/qls4131_dose_optimization.toml")).unwrap()
}

/// A random phase I/II history: 1–6 cohorts of 1–4 patients at any dose, each patient's letter
/// drawn from N, T, E, B.
fn random_phase12_history(rng: &mut Xoshiro256PlusPlus, num_doses: usize) -> String {
    let cohorts: Vec<String> = (0..rng.random_range(1..=6))
        .map(|_| {
            let letters: String = (0..rng.random_range(1..=4))
                .map(|_| ['N', 'T', 'E', 'B'][rng.random_range(0..4)])
                .collect();
            format!("{}{letters}", rng.random_range(1..=num_doses))
        })
        .collect();
    cohorts.join(" ")
}

/// BOIN12's worked example (Lin et al. 2020, p. 1396 and the Data Supplement's Figure S2, as the R
/// package escalation's tests transcribe them): `next` gives the paper's dose after each cohort,
/// and the whole path, each cohort at the dose the design gave, draws no warning.
#[test]
fn boin12_next_follows_the_paper() {
    let scenario = dose_optimization();
    let path = "1NNN 2NNB 3NEE 3NTN 4ETE 4NBE 4BNN 5BEN 5NBT";
    let cohorts: Vec<&str> = path.split(' ').collect();
    let expected = [2, 3, 3, 4, 4, 4, 5, 5, 4];
    for (k, level) in expected.into_iter().enumerate() {
        let history = cohorts[..=k].join(" ");
        let trial = LiveTrial::new(&scenario, "BOIN12", &history).unwrap();
        assert_eq!(trial.decision(), Decision::Treat(Dose::from_level(level)), "{history}");
        assert!(trial.warnings().is_empty(), "{history}: {:?}", trial.warnings());
        if let Some(next) = cohorts.get(k + 1) {
            assert!(next.starts_with(&level.to_string()), "the paper's path");
        }
    }
    let other = LiveTrial::new(&scenario, "BOIN12", "1NNN 2ENT 3ETT 2EEN").unwrap();
    assert_eq!(other.decision(), Decision::Treat(Dose::from_level(2)));
    // The answer gives responses, P(response) (Beta(1, 1) posterior mean) and the desirability
    // per dose, and the OBD with the authors' selection rule: at the end of the path, 12 at dose 4
    // (as the paper, which stops there), the OBD is dose 4 (tests in src/designs/phase12).
    let answer = LiveTrial::new(&scenario, "BOIN12", &format!("{path} 4NEN"))
        .unwrap()
        .answer();
    assert_eq!((answer.selects, answer.responses), ("OBD", Some(12)));
    let dose4 = &answer.estimates[3];
    assert_eq!((dose4.patients, dose4.dlts, dose4.responses), (12, 3, Some(6)));
    assert!((dose4.prob_response.unwrap() - 7.0 / 14.0).abs() < 1e-12);
    assert!(dose4.utility.unwrap() > 0.0 && dose4.admissible);
    assert_eq!(answer.selected_if_stopped, Some(4));
    let rule = answer.selection_rule.unwrap();
    assert!(
        rule.starts_with("selection \"authors\"") && rule.ends_with("OBD dose 4"),
        "{rule}"
    );
    let why = &answer.steps[0].why;
    assert!(
        why.contains("de-escalation boundary") && why.contains("desirability"),
        "{why}"
    );
}

/// trialr's EffTox vignette history `1NNE 2EEB` (`stan_efftox_demo`): trialr recommends dose 3,
/// with posterior mean P(response) 0.402, 0.789, 0.929 and utilities −0.342, 0.412, 0.506 at
/// doses 1–3 (MCMC; ours within the margins of tests/integration/efftox.rs); doses 4 and 5 are not
/// yet within reach.
#[test]
fn efftox_next_follows_the_trialr_vignette() {
    let scenario = super::common::scenario(super::efftox::SCENARIO);
    let trial = LiveTrial::new(&scenario, "EffTox", "1NNE 2EEB").unwrap();
    assert_eq!(trial.decision(), Decision::Treat(Dose::from_level(3)));
    assert!(trial.warnings().is_empty(), "{:?}", trial.warnings());
    let answer = trial.answer();
    assert_eq!((answer.selects, answer.selected_if_stopped), ("OBD", Some(3)));
    for (e, (response, utility)) in answer
        .estimates
        .iter()
        .zip([(0.402, -0.342), (0.789, 0.412), (0.929, 0.506)])
    {
        assert!((e.prob_response.unwrap() - response).abs() < 0.04, "{e:?}");
        assert!((e.utility.unwrap() - utility).abs() < 0.06, "{e:?}");
    }
    assert_eq!(answer.admissible[..3], [true, true, true]);
    assert!(answer.selection_rule.unwrap().contains("OBD dose 3"));
    assert!(answer.rule.contains("‖_p with p = 0.977"), "{}", answer.rule);
}

/// A toxicity-only design refuses response letters, naming the cohort and the letter; a phase I/II
/// design reads N and T as patients without a response (escalation's phase I/II grammar), so a
/// history without E or B is valid for it; it refuses pending patients.
#[test]
fn each_design_reads_its_own_letters() {
    let scenario = dose_optimization();
    let refused = LiveTrial::new(&scenario, "BOIN", "1NNN 2NEN").err().unwrap();
    let message = format!("{:#}", anyhow::Error::from(refused));
    assert!(message.contains("cohort 2 has 'E'"), "{message}");
    let toxicity_only = LiveTrial::new(&scenario, "BOIN12", "1NNN 2NTN").unwrap();
    assert!(toxicity_only.warnings().is_empty(), "{:?}", toxicity_only.warnings());
    assert_eq!(toxicity_only.data().responses(Dose::from_level(2)), Some(0));
    assert_eq!(toxicity_only.answer().responses, Some(0));
    assert!(LiveTrial::new(&scenario, "BOIN12", "1NNN 2NEN")
        .unwrap()
        .warnings()
        .is_empty());
    let pending = LiveTrial::new(&scenario, "EffTox", "1NEP(0.5)").err().unwrap();
    assert!(format!("{:#}", anyhow::Error::from(pending)).contains("pending patient"));
}

/// Histories BOIN12 could not have produced are judged all the same, with a warning naming the
/// cohort: a skipped dose, and a dose made inadmissible by futility (0/9 responses at dose 1:
/// P(π_E < 0.25) = 1 − 0.75^10 = 0.944 > c_e = 0.9), which `next` never recommends.
#[test]
fn phase12_deviations_are_named_by_cohort() {
    let scenario = dose_optimization();
    let warnings = |history: &str| {
        LiveTrial::new(&scenario, "BOIN12", history)
            .unwrap()
            .warnings()
            .to_vec()
    };
    let skip = warnings("1NNE 3NNN");
    assert!(
        skip.iter()
            .any(|w| w.starts_with("cohort 2 (dose 3, 0/3 DLTs, 0/3 responses): the design recommended dose 2")),
        "{skip:?}"
    );
    let futile = "1NNN 1NNN 1NNN";
    let trial = LiveTrial::new(&scenario, "BOIN12", futile).unwrap();
    assert!(!trial.estimates()[0].admissible);
    assert_eq!(trial.decision(), Decision::Treat(Dose::from_level(2)));
    let after = warnings(&format!("{futile} 1NEN"));
    assert!(
        after.iter().any(|w| w.starts_with("cohort 4")
            && w.contains("inadmissible (too toxic, above a too-toxic dose, or inefficacious)")),
        "{after:?}"
    );
}

/// A phase I/II design never recommends a dose it lists as inadmissible, whatever the history
/// (400 random BOIN12 histories, 40 EffTox ones, each fit costing a posterior).
#[test]
fn random_phase12_histories_get_admissible_doses() {
    let scenario = dose_optimization();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(14);
    for (design, histories) in [("BOIN12", 400), ("EffTox", 40)] {
        for _ in 0..histories {
            let history = random_phase12_history(&mut rng, 5);
            let trial = LiveTrial::new(&scenario, design, &history).unwrap();
            check(&trial, &format!("{design} after {history}"));
        }
    }
}

/// No acceptable dose stops a phase I/II trial under its own name, distinct from too-toxic
/// stops: EffTox after fifteen patients without a response, three at each dose (every dose fails
/// P(π_E > 0.5) > 0.1, none fails the toxicity criterion), stops with `no_acceptable_dose`.
#[test]
fn no_acceptable_dose_is_its_own_stop() {
    let scenario = super::common::scenario(super::efftox::SCENARIO);
    let answer = LiveTrial::new(&scenario, "EffTox", "1NNN 2NNN 3NNN 4NNN 5NNN")
        .unwrap()
        .answer();
    assert_eq!(
        (answer.decision, answer.stop_reason, answer.selected),
        ("stop", Some("no_acceptable_dose"), None)
    );
    assert!(answer.admissible.iter().all(|a| !a), "{:?}", answer.admissible);
}

/// Pathways list cohorts by DLT counts: a phase I/II design is refused with a message saying so.
#[test]
fn pathways_refuse_phase12_designs() {
    let scenario = dose_optimization();
    let e = trialsim::conduct::pathways::dose_paths(&scenario, "BOIN12", "1NEN", 2, None)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("is a phase I/II design") && e.contains("toxicity-only designs"),
        "{e}"
    );
}
