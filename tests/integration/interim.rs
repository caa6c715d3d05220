//! Phase-2 interim decisions (issue 15, item 7): on every look of every single-arm design of the
//! bundled QL1706 scenario the decision is the one the simulation makes (checked through
//! `run_trial` itself), Simon's first look is `trialsim simon`'s r1, BOP2's boundaries are those
//! the run uses, hand-checked posteriors, and the command line's errors and JSON.

use super::common::{root, run_cli, stderr, stdout};
use trialsim::conduct::interim::{interim, Interim};
use trialsim::designs::single_arm::{
    responses_promising, run_trial, Accrual, Analysis, Outcome, Patient, ResponseDesign, SingleArmDesign, StudyTiming,
};
use trialsim::scenario::{AnyScenario, SingleArmScenario};

const FILE: &str = "scenarios/ql1706_es_sclc.toml";

fn scenario() -> SingleArmScenario {
    match AnyScenario::load(&root().join(FILE)).unwrap() {
        AnyScenario::SingleArm(s) => s,
        AnyScenario::DoseFinding(_) => panic!("{FILE} is single-arm"),
    }
}

/// `d`'s simulated trial whose first n patients have x responses (the first x) and t toxicities
/// (the last t of them), each later patient neither: every earlier look sees as many responses and
/// as few toxicities as these counts allow. Responses are assessed at entry (assessment 0), so a
/// look at n enrols no one more. Returns `None` when an earlier look stops that trial.
fn simulated(d: &SingleArmDesign, n: u32, x: u32, t: u32) -> Option<(Outcome, u32)> {
    let timing = StudyTiming::new(d.max_patients(), Accrual::poisson(1.0).unwrap(), 0.0, 0.0, 0.0).unwrap();
    let patients: Vec<Patient> = (0..d.max_patients())
        .map(|i| Patient {
            entry: f64::from(i + 1),
            responder: i < x,
            toxicity: i < n && i >= n - t,
            pfs: 1.0,
            os: 1.0,
            dropout: f64::INFINITY,
        })
        .collect();
    let result = run_trial(d, &timing, &patients, &mut Vec::new());
    (result.patients >= n).then_some((result.outcome, result.patients))
}

/// For every design, at every look and at the final analysis of response designs, for every
/// response and toxicity count: the interim decision is the look's rule ([`Look::decide`], or
/// [`responses_promising`] at the end) and, wherever the counts can reach that look, the outcome
/// of `run_trial` on a trial with those counts.
#[test]
fn every_look_decides_as_the_simulation() {
    let scenario = scenario();
    for spec in &scenario.designs {
        let d = &spec.design;
        let responses = matches!(d.analysis(), Analysis::Responses(_));
        let mut ns: Vec<u32> = d.looks().iter().map(|l| l.n()).collect();
        if responses && ns.last() != Some(&d.max_patients()) {
            ns.push(d.max_patients());
        }
        assert!(ns.len() >= 2, "{}", spec.name);
        let mut reached = 0;
        for &n in &ns {
            for x in 0..=n {
                for t in 0..=n {
                    let answer = interim(&scenario, &spec.name, n, x, Some(t)).unwrap();
                    let look = d.looks().iter().find(|l| l.n() == n);
                    let expected = match look.and_then(|l| l.decide(x, t)) {
                        Some(stop) => Some(stop),
                        None if n == d.max_patients() => Some(match d.analysis() {
                            Analysis::Responses(b) if responses_promising(b, x) => Outcome::Promising,
                            _ => Outcome::NotPromising,
                        }),
                        None => None,
                    };
                    let what = format!("{}: {x} responses, {t} toxicities in {n}", spec.name);
                    assert_eq!(answer.decision, decision(expected), "{what}");
                    let Some((outcome, enrolled)) = simulated(d, n, x, t) else {
                        continue;
                    };
                    reached += 1;
                    match answer.decision {
                        "continue" => assert!(enrolled > n, "{what}: the simulation stopped ({outcome:?})"),
                        "stop_futility" => assert_eq!((outcome, enrolled), (Outcome::FutilityStop, n), "{what}"),
                        "stop_toxicity" => assert_eq!((outcome, enrolled), (Outcome::ToxicityStop, n), "{what}"),
                        "promising" => assert_eq!(outcome, Outcome::Promising, "{what}"),
                        other => assert_eq!((other, outcome), ("not_promising", Outcome::NotPromising), "{what}"),
                    }
                }
            }
        }
        assert!(reached > 1000, "{}: {reached} cases reached", spec.name);
    }
}

/// The outcome under `interim`'s name, written out here rather than taken from the library.
fn decision(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        None => "continue",
        Some(Outcome::FutilityStop) => "stop_futility",
        Some(Outcome::ToxicityStop) => "stop_toxicity",
        Some(Outcome::Promising) => "promising",
        Some(Outcome::NotPromising) => "not_promising",
    }
}

/// Simon's first look stops with r1 responses of n1 and goes on with r1 + 1, where r1 and n1 are
/// the optimal design `trialsim simon` prints for the scenario's targets; the end needs r + 1.
#[test]
fn simon_first_look_is_trialsim_simon_r1() {
    let out = run_cli(
        &[
            "simon", "--p0", "0.6", "--p1", "0.75", "--alpha", "0.1", "--beta", "0.2", "--nmax", "56",
        ],
        &root(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let row: Vec<u32> = text
        .lines()
        .find(|l| l.starts_with("optimal"))
        .unwrap()
        .split_whitespace()
        .skip(1)
        .take(4)
        .map(|v| v.parse().unwrap())
        .collect();
    let (r1, n1, r, n) = (row[0], row[1], row[2], row[3]);
    let scenario = scenario();
    let stop = interim(&scenario, "Simon optimal", n1, r1, Some(0)).unwrap();
    assert_eq!(stop.decision, "stop_futility");
    assert_eq!(
        (stop.boundaries.simon_r1, stop.boundaries.simon_n1),
        (Some(r1), Some(n1))
    );
    assert_eq!(stop.boundaries.futility_at_most, Some(r1));
    assert!(stop.next_look.is_none());
    let go = interim(&scenario, "Simon optimal", n1, r1 + 1, Some(0)).unwrap();
    assert_eq!(go.decision, "continue");
    assert_eq!(go.max_patients, n);
    assert_eq!(go.boundaries.promising_at_least, Some(r + 1));
    let next = go.next_look.unwrap();
    assert_eq!(next.n, 20, "the toxicity look at 20 comes first");
    assert!(next
        .text
        .contains(&format!("{} responses of {n} are needed at the end", r + 1)));
}

/// BOP2's futility boundary at each look is the one the run's design description prints and the
/// simulated design's boundaries hold, and its cutoff is λ·(n/N)^γ.
#[test]
fn bop2_boundaries_are_the_runs() {
    let scenario = scenario();
    let spec = scenario.designs.iter().find(|d| d.name == "BOP2").unwrap();
    let Some(ResponseDesign::Bop2(bop2)) = &spec.origin else {
        panic!("BOP2 keeps its design")
    };
    let Analysis::Responses(boundaries) = spec.design.analysis() else {
        panic!("BOP2 counts responses")
    };
    let looks = boundaries.looks();
    assert_eq!(looks, [15, 25, 35, 45, 56]);
    for (k, &n) in looks.iter().enumerate() {
        let answer = interim(&scenario, "BOP2", n, 0, None).unwrap();
        let at_most = answer.boundaries.futility_at_most;
        if k + 1 < looks.len() {
            let printed = format!("{n}: ≤ {}", at_most.unwrap());
            assert!(spec.description.contains(&printed), "{printed} in {}", spec.description);
            assert_eq!(at_most, boundaries.futility()[k]);
        } else {
            let printed = format!(
                "promising with at least {} of 56",
                answer.boundaries.promising_at_least.unwrap()
            );
            assert!(spec.description.contains(&printed), "{printed} in {}", spec.description);
        }
        let cutoff = bop2.lambda() * (f64::from(n) / 56.0).powf(bop2.gamma());
        assert!((answer.boundaries.bop2_cutoff.unwrap() - cutoff).abs() < 1e-15, "{n}");
    }
}

/// Hand-checked: BOP2 after 8 responses and 2 toxicities in 15. P(ORR > 0.6) under
/// Beta(0.6 + 8, 0.4 + 7) is 0.313432 (Simpson's rule on the density, 200 000 intervals);
/// P(tox > 0.3) under Beta(1 + 2, 1 + 13) is P(Binomial(16, 0.3) ≤ 2) = 0.099360. Toxicity at 20
/// stops from 9: P(Binomial(21, 0.3) ≤ 9) = 0.93243 > 0.9 ≥ P(Binomial(21, 0.3) ≤ 8) = 0.85235.
#[test]
fn hand_checked_bop2_look() {
    let scenario = scenario();
    let a = interim(&scenario, "BOP2", 15, 8, Some(2)).unwrap();
    assert_eq!(a.decision, "continue");
    assert!(
        (a.posterior.efficacy.unwrap() - 0.313_432).abs() < 5e-6,
        "{:?}",
        a.posterior
    );
    assert!(
        (a.posterior.toxicity.unwrap() - 0.099_360).abs() < 5e-7,
        "{:?}",
        a.posterior
    );
    let next = a.next_look.unwrap();
    assert_eq!(
        (next.n, next.toxicities_stop_at, next.responses_at_least),
        (20, Some(9), None)
    );
    let stop = interim(&scenario, "BOP2", 20, 12, Some(9)).unwrap();
    assert_eq!(stop.decision, "stop_toxicity");
    assert!((stop.posterior.toxicity.unwrap() - 0.932_43).abs() < 5e-6);
    assert_eq!(
        interim(&scenario, "BOP2", 20, 12, Some(8)).unwrap().decision,
        "continue"
    );
}

/// The predictive design stops at a look exactly when the predictive probability it reports is
/// below θL, and at 56 its answer has no predictive uncertainty left.
#[test]
fn predictive_stops_below_theta_l() {
    let scenario = scenario();
    for n in [20, 30, 40] {
        for x in 0..=n {
            let a: Interim = interim(&scenario, "Predictive probability", n, x, Some(0)).unwrap();
            let below = a.predictive.unwrap() < a.boundaries.theta_l.unwrap();
            assert_eq!(a.decision == "stop_futility", below, "{x} of {n}: {a:?}");
        }
    }
    let end = interim(&scenario, "Predictive probability", 56, 39, Some(0)).unwrap();
    assert_eq!((end.decision, end.predictive), ("promising", Some(1.0)));
}

/// The command line: JSON with the documented keys; errors name the flag or what is missing.
#[test]
fn command_line_answers_and_refuses() {
    let base = ["interim", "--scenario", FILE, "--design"];
    let out = run_cli(
        &[
            &base[..],
            &[
                "BOP2",
                "--patients",
                "25",
                "--responses",
                "14",
                "--toxicities",
                "3",
                "--json",
            ],
        ]
        .concat(),
        &root(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    for key in [
        "decision",
        "rule",
        "boundaries",
        "posterior",
        "predictive",
        "next_look",
        "warnings",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let text = run_cli(
        &[&base[..], &["BOP2", "--patients", "25", "--responses", "14"]].concat(),
        &root(),
    );
    assert!(stdout(&text).contains("decision: "), "{}", stdout(&text));
    let refused = [
        (
            vec!["BOP2", "--patients", "10", "--responses", "11"],
            "--responses 11 is more than --patients 10",
        ),
        (
            vec!["BOP2", "--patients", "10", "--responses", "1", "--toxicities", "12"],
            "--toxicities 12",
        ),
        (
            vec!["Nope", "--patients", "10", "--responses", "1"],
            "no design named 'Nope'",
        ),
        (
            vec!["Log-rank OS vs 10 mo", "--patients", "56", "--responses", "1"],
            "follow-up time",
        ),
    ];
    for (args, message) in refused {
        let out = run_cli(&[&base[..], &args].concat(), &root());
        assert!(
            !out.status.success() && stderr(&out).contains(message),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let dose_finding = [
        "interim",
        "--scenario",
        "scenarios/qls4131_escalation.toml",
        "--design",
        "BOIN",
    ];
    let out = run_cli(
        &[&dose_finding[..], &["--patients", "3", "--responses", "1"]].concat(),
        &root(),
    );
    assert!(stderr(&out).contains("single-arm"), "{}", stderr(&out));
    let beyond = run_cli(
        &[&base[..], &["BOP2", "--patients", "60", "--responses", "45"]].concat(),
        &root(),
    );
    assert!(beyond.status.success() && stderr(&beyond).contains("more than the design's 56"));
}
