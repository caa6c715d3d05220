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
