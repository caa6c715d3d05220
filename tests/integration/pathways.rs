//! Dose-transition pathways (issue 15, item 6): every node's decision is the one `next` gives for
//! its outcomes, path probabilities add up to 1, a hand-checked 3+3 tree, the limit on the
//! tree's size, and the command line's files.

use super::common::{root, run_cli, stderr, stdout};
use std::fs;
use std::path::Path;
use std::process::Output;
use trialsim::conduct::pathways::{dose_paths, named_truth, PathwayError, MAX_NODES};
use trialsim::conduct::LiveTrial;
use trialsim::designs::{Decision, Dose, StopReason};
use trialsim::results::{read_rows, PathwayRow, Row};
use trialsim::scenario::Scenario;

/// The two dose-finding scenarios whose designs the pathways are checked on.
const SCENARIOS: [&str; 2] = ["scenarios/qls4131_escalation.toml", "scenarios/qls4131_full.toml"];

fn load(file: &str) -> Scenario {
    Scenario::load(&root().join(file)).unwrap()
}

/// Every node of 3 cohorts ahead, for every design, from the start and after two histories (the
/// second skips dose 2, as no design would), decides as `LiveTrial` (what `trialsim next` prints) does
/// on the node's outcome string.
#[test]
fn every_node_decides_as_next() {
    for file in SCENARIOS {
        let scenario = load(file);
        for design in &scenario.designs {
            for history in ["", "1NNN 2NTN", "1NNN 3NNT"] {
                let pathways = dose_paths(&scenario, &design.name, history, 3, None).unwrap();
                assert!(pathways.nodes.len() > 1, "{file} {} after {history:?}", design.name);
                for node in &pathways.nodes {
                    let next = LiveTrial::new(&scenario, &design.name, &node.outcomes).unwrap();
                    assert_eq!(
                        node.decision,
                        next.decision(),
                        "{file}, {}: after \"{}\"",
                        design.name,
                        node.outcomes
                    );
                }
            }
        }
    }
}

/// Under every truth, the paths' probabilities (leaves: a stop or the last cohort ahead) add up
/// to 1, and so does the outlook after the last cohort.
#[test]
fn leaf_probabilities_add_up_to_one() {
    for file in SCENARIOS {
        let scenario = load(file);
        for design in &scenario.designs {
            for truth in &scenario.truths {
                for history in ["", "1NNN"] {
                    let pathways = dose_paths(&scenario, &design.name, history, 3, Some(&truth.dlt)).unwrap();
                    let total: f64 = pathways.leaves().map(|n| n.probability.unwrap()).sum();
                    let what = format!("{file}, {} under {} after {history:?}", design.name, truth.name);
                    assert!((total - 1.0).abs() < 1e-12, "{what}: {total}");
                    let outlook = pathways.outlook(scenario.trial.doses.len()).unwrap();
                    let all = outlook.next_dose.iter().sum::<f64>()
                        + outlook.stopped_selecting.iter().sum::<f64>()
                        + outlook.stopped_without_mtd;
                    assert!((all - 1.0).abs() < 1e-12, "{what}: outlook {all}");
                }
            }
        }
    }
    let scenario = load(SCENARIOS[0]);
    assert!(dose_paths(&scenario, "3+3", "", 2, None).unwrap().outlook(6).is_none());
}

/// 3+3 (escalation's, no return to lower doses) two cohorts ahead from the start, node by node:
/// 0/3 escalates, 1/3 treats three more at the dose, 1/6 escalates, 2 or more DLTs stop with the
/// dose below as MTD (none at dose 1); with the probabilities under a truth of 0.1 at dose 1 and
/// 0.2 at dose 2.
#[test]
fn three_plus_three_from_the_start() {
    let scenario = load(SCENARIOS[0]);
    let truth = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    let pathways = dose_paths(&scenario, "3+3", "", 2, Some(&truth)).unwrap();
    let treat = |level| Decision::Treat(Dose::from_level(level));
    // 3+3 ends with an MTD (design_complete) or, with none, for toxicity (issue 16).
    let stop = |mtd: Option<usize>| Decision::Stop {
        selected: mtd.map(Dose::from_level),
        reason: if mtd.is_some() {
            StopReason::DesignComplete
        } else {
            StopReason::TooToxic
        },
    };
    let expected = [
        (None, "", treat(1)),
        (Some(0), "1NNN", treat(2)),
        (Some(1), "1NNN 2NNN", treat(3)),
        (Some(1), "1NNN 2NNT", treat(2)),
        (Some(1), "1NNN 2NTT", stop(Some(1))),
        (Some(1), "1NNN 2TTT", stop(Some(1))),
        (Some(0), "1NNT", treat(1)),
        (Some(6), "1NNT 1NNN", treat(2)),
        (Some(6), "1NNT 1NNT", stop(None)),
        (Some(6), "1NNT 1NTT", stop(None)),
        (Some(6), "1NNT 1TTT", stop(None)),
        (Some(0), "1NTT", stop(None)),
        (Some(0), "1TTT", stop(None)),
    ];
    let got: Vec<_> = pathways
        .nodes
        .iter()
        .map(|n| (n.parent, n.outcomes.as_str(), n.decision))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(pathways.leaves().count(), 10);
    // Binomial(3, p) probabilities: 0 DLTs at dose 1 is 0.9³, then 1 DLT at dose 2 is 3·0.2·0.8².
    let p = |outcomes: &str| {
        let node = pathways.nodes.iter().find(|n| n.outcomes == outcomes).unwrap();
        node.probability.unwrap()
    };
    assert!((p("1NNN") - 0.729).abs() < 1e-15);
    assert!((p("1NNN 2NNT") - 0.729 * 0.384).abs() < 1e-15);
    assert!((p("1NNT 1NNN") - 0.243 * 0.729).abs() < 1e-15);
    assert!((p("1TTT") - 0.001).abs() < 1e-15);
    let outlook = pathways.outlook(6).unwrap();
    assert!((outlook.next_dose[2] - 0.729 * 0.512).abs() < 1e-15);
    assert!((outlook.stopped_selecting[0] - 0.729 * (0.096 + 0.008)).abs() < 1e-15);
    assert!((outlook.stopped_without_mtd - (0.243 * (1.0 - 0.729) + 0.027 + 0.001)).abs() < 1e-15);
}

/// A tree that could exceed the node limit is refused before it is grown, naming the most
/// cohorts that fit; so are zero cohorts and invalid truths.
#[test]
fn refusals() {
    let scenario = load(SCENARIOS[0]);
    assert!(dose_paths(&scenario, "BOIN", "", 9, None).is_ok_and(|p| p.nodes.len() as u64 <= MAX_NODES));
    match dose_paths(&scenario, "BOIN", "", 10, None) {
        Err(PathwayError::TooManyNodes {
            cohorts: 10,
            max_cohorts: 9,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        dose_paths(&scenario, "BOIN", "", 0, None),
        Err(PathwayError::NoCohorts)
    ));
    let short = dose_paths(&scenario, "BOIN", "", 2, Some(&[0.1, 0.2])).unwrap_err();
    assert!(short.to_string().contains("2 DLT probabilities for 6 doses"), "{short}");
    let unknown = named_truth(&scenario, "nope").unwrap_err();
    assert!(
        unknown.to_string().contains("the truths are: mtd-low (DL2), "),
        "{unknown}"
    );

    let dir = tempfile::tempdir().unwrap();
    let refused = |option: &str, value: &str| {
        let out = pathways_cli(dir.path(), &["--design", "BOIN", option, value]);
        assert!(!out.status.success());
        stderr(&out)
    };
    let message = refused("--cohorts", "12");
    assert!(message.contains("invalid --cohorts 12"), "{message}");
    assert!(message.contains("at most 9 cohorts ahead fit"), "{message}");
    let message = refused("--truth-probs", "0.1,0.2,0.3,0.4,0.5,1.2");
    assert!(message.contains("invalid --truth-probs"), "{message}");
}

/// Runs `trialsim pathways` on the escalation scenario with `args`, in `dir`.
fn pathways_cli(dir: &Path, args: &[&str]) -> Output {
    let file = root().join(SCENARIOS[0]);
    let scenario = ["pathways", "--scenario", file.to_str().unwrap()];
    run_cli(&[&scenario[..], args].concat(), dir)
}

/// `trialsim pathways --out` writes the table, parsed with its documented columns, and the
/// diagram as SVG and PNG; the tree on standard output reads like escalation's.
#[test]
fn command_line_writes_table_and_diagram() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--design",
        "3+3",
        "--cohorts",
        "2",
        "--truth",
        "mtd-middle (DL3)",
        "--out",
        "paths",
    ];
    let out = pathways_cli(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "start -> 1 ",
        "\n  1NNN -> 2 ",
        "\n    2NNT -> 2 ",
        "\n    2NTT -> stop (design_complete), MTD 1 ",
        "\n  1NNT -> 1 ",
        "\n    1NNN -> 2 ",
        "\n  1TTT -> stop (too_toxic), no MTD ",
        "P(next dose)",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }

    let paths = dir.path().join("paths");
    let csv = fs::read_to_string(paths.join("pathways.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let documented = [
        "node",
        "parent",
        "outcomes",
        "cohort",
        "dose",
        "patients",
        "dlts",
        "decision",
        "stop_reason",
        "selected",
        "next_dose",
        "probability",
    ];
    assert_eq!(header, documented);
    assert_eq!(PathwayRow::columns(), documented);
    let rows: Vec<PathwayRow> = read_rows(&paths.join("pathways.csv")).unwrap();
    assert_eq!(rows.len(), 13);
    assert_eq!((rows[0].parent, rows[0].cohort, rows[0].next_dose), (None, 0, Some(1)));
    assert_eq!(rows[1].outcomes, "1NNN");
    assert_eq!(
        (rows[1].dose, rows[1].patients, rows[1].dlts),
        (Some(1), Some(3), Some(0))
    );
    let stop = rows.iter().find(|r| r.outcomes == "1TTT").unwrap();
    assert_eq!(
        (stop.decision.as_str(), stop.stop_reason.as_deref(), stop.next_dose),
        ("stop", Some("too_toxic"), None)
    );
    assert!((rows[1].probability.unwrap() - 0.96f64.powi(3)).abs() < 1e-12);

    let svg = fs::read_to_string(paths.join("pathways.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("2NNT"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    let png = fs::read(paths.join("pathways.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let help = run_cli(&["pathways", "--help"], dir.path());
    assert!(stdout(&help).contains("Examples:"));
}
