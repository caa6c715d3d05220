//! The command line end to end, as a user runs it.

use crate::common::{root, run_cli, stderr, stdout};
use std::fs;
use trialsim::results::dose_finding::{DoseOc, SummaryLead};
use trialsim::results::single_arm::SingleArmSummaryRow;
use trialsim::results::Row;

/// `trialsim run` on the bundled scenario writes the contract's files and columns.
#[test]
fn run_writes_contract_tables() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/qls4131_escalation.toml");
    let out = run_cli(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--trials",
            "2000",
            "--out",
            "results",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = dir.path().join("results/qls4131_escalation");
    let oc = fs::read_to_string(folder.join("oc_by_dose.csv")).unwrap();
    let summary = fs::read_to_string(folder.join("summary.csv")).unwrap();
    let index = fs::read_to_string(folder.join("README.md")).unwrap();
    assert!(oc.starts_with(&DoseOc::columns().join(",")));
    assert!(summary.starts_with(&SummaryLead::columns().join(",")));
    // One row per truth × design × dose, and per truth × design, plus headers.
    let bundled = trialsim::scenario::Scenario::load(&scenario).unwrap();
    let (truths, designs, doses) = (bundled.truths.len(), bundled.designs.len(), bundled.trial.doses.len());
    assert_eq!(oc.lines().count(), 1 + truths * designs * doses);
    assert_eq!(summary.lines().count(), 1 + truths * designs);
    for line in summary.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[2], "2000");
    }
    for name in [
        "oc_by_dose.csv",
        "summary.csv",
        "seed | 20261121",
        "trials per design and truth | 2000",
    ] {
        assert!(index.contains(name), "index lacks {name}");
    }
    // Two tables, four charts and the index; no temporary files are left behind.
    assert_eq!(fs::read_dir(&folder).unwrap().count(), 7);
    assert!(stdout(&out).contains("wrote"));
}

/// Selection percentages in `oc_by_dose.csv` and early stops add up to 100% per truth × design.
#[test]
fn selections_add_up_in_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/qls4131_escalation.toml");
    let out = run_cli(
        &["run", scenario.to_str().unwrap(), "--trials", "1000", "--out", "o"],
        dir.path(),
    );
    assert!(out.status.success());
    let folder = dir.path().join("o/qls4131_escalation");
    let mut oc = csv::Reader::from_path(folder.join("oc_by_dose.csv")).unwrap();
    let mut totals = std::collections::BTreeMap::<(String, String), f64>::new();
    for record in oc.records() {
        let r = record.unwrap();
        *totals.entry((r[0].to_string(), r[1].to_string())).or_default() += r[5].parse::<f64>().unwrap();
    }
    let mut summary = csv::Reader::from_path(folder.join("summary.csv")).unwrap();
    for record in summary.records() {
        let r = record.unwrap();
        let selected = totals[&(r[0].to_string(), r[1].to_string())];
        let stopped: f64 = r[4].parse().unwrap();
        assert!(
            (selected + stopped - 100.0).abs() < 0.01,
            "{} {}: {selected} + {stopped}",
            &r[0],
            &r[1]
        );
    }
}

/// `trialsim boundaries` prints BOIN's table (VALIDATION R1, phi = 0.3) and writes it as CSV.
#[test]
fn boundaries_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(&["boundaries", "--target", "0.3", "--csv", "b.csv"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("lambda_e 0.2365") && text.contains("lambda_d 0.3585"),
        "{text}"
    );
    let csv = fs::read_to_string(dir.path().join("b.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "n,escalate,deescalate,eliminate");
    assert_eq!(rows[1], "3,0,2,3");
    assert_eq!(rows[10], "30,7,11,14");
    assert_eq!(rows.len(), 11);
}

#[test]
fn boundaries_reject_bad_target() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(&["boundaries", "--target", "1.5"], dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--target"));
}

/// `trialsim next` with BOIN reproduces the last step of VALIDATION R2 on a 5-dose scenario,
/// and CRM reports its estimates.
#[test]
fn next_dose_for_a_live_trial() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("live.toml"),
        r#"
name = "live"
[trial]
doses = ["1", "2", "3", "4", "5"]
target = 0.3
cohort_size = 3
max_patients = 30
[[truth]]
name = "t"
dlt = [0.1, 0.2, 0.3, 0.4, 0.5]
[[design]]
name = "BOIN"
rule = "boin"
[[design]]
name = "CRM"
rule = "crm"
skeleton = [0.1, 0.2, 0.3, 0.4, 0.5]
"#,
    )
    .unwrap();
    let outcomes = "1NNN 2NNN 3NTT 2NTN 3NNN 3NNN 4TTT";
    let out = run_cli(
        &[
            "next",
            "--scenario",
            "live.toml",
            "--design",
            "BOIN",
            "--outcomes",
            outcomes,
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Decision: treat the next cohort at dose 3"), "{text}");
    // Dose 4 (3/3) is eliminated with dose 5.
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with('4') && l.contains(" no ")),
        "{text}"
    );

    let out = run_cli(
        &[
            "next",
            "--scenario",
            "live.toml",
            "--design",
            "CRM",
            "--outcomes",
            "1NNN",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Decision: treat the next cohort at dose 2"),
        "{}",
        stdout(&out)
    );

    let out = run_cli(
        &[
            "next",
            "--scenario",
            "live.toml",
            "--design",
            "Nope",
            "--outcomes",
            "1N",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("BOIN, CRM"));

    let out = run_cli(
        &[
            "next",
            "--scenario",
            "live.toml",
            "--design",
            "BOIN",
            "--outcomes",
            "1NNX",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("character 4"), "{}", stderr(&out));
}

#[test]
fn help_shows_examples() {
    let dir = tempfile::tempdir().unwrap();
    for sub in [
        "run",
        "boundaries",
        "next",
        "simon",
        "survival-size",
        "bench",
        "compare",
        "plot",
    ] {
        let out = run_cli(&[sub, "--help"], dir.path());
        assert!(out.status.success());
        assert!(stdout(&out).contains("Examples:"), "{sub}");
    }
}

/// `trialsim run --exact` writes exact rows, marked as such, with the states walked.
#[test]
fn run_exact() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/qls4131_escalation.toml");
    let out = run_cli(
        &["run", scenario.to_str().unwrap(), "--exact", "--out", "x"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("exact: CRM under all-safe:"), "{}", stdout(&out));
    let folder = dir.path().join("x/qls4131_escalation");
    let mut summary = csv::Reader::from_path(folder.join("summary.csv")).unwrap();
    let headers = summary.headers().unwrap().clone();
    let method = headers.iter().position(|h| h == "method").unwrap();
    let states = headers.iter().position(|h| h == "exact_states").unwrap();
    for record in summary.records() {
        let r = record.unwrap();
        assert_eq!(&r[2], "exact");
        assert_eq!(&r[method], "exact");
        assert!(r[states].parse::<usize>().unwrap() > 100);
    }
    let index = fs::read_to_string(folder.join("README.md")).unwrap();
    assert!(index.contains("exact rows"), "{index}");
}

/// Exact enumeration beyond `max_exact_states` falls back to simulation for that pair, with a
/// warning, and the table says which rows are simulated.
#[test]
fn exact_falls_back_to_simulation_when_too_large() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("big.toml"),
        r#"
name = "fallback"
[simulation]
trials = 500
max_exact_states = 600
[trial]
doses = ["1", "2", "3", "4"]
target = 0.3
cohort_size = 3
max_patients = 18
[[truth]]
name = "t"
dlt = [0.1, 0.2, 0.3, 0.4]
[[design]]
name = "3+3"
rule = "3+3"
[[design]]
name = "BOIN"
rule = "boin"
"#,
    )
    .unwrap();
    let out = run_cli(&["run", "big.toml", "--exact", "--out", "o"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: exact: BOIN under t: more than 600 reachable trial states"),
        "{}",
        stderr(&out)
    );
    let summary = fs::read_to_string(dir.path().join("o/big/summary.csv")).unwrap();
    let rows: Vec<&str> = summary.lines().skip(1).collect();
    assert!(
        rows[0].starts_with("t,3+3,exact,") && rows[0].contains(",exact,"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].starts_with("t,BOIN,500,") && rows[1].contains(",simulated,"),
        "{}",
        rows[1]
    );
}

/// `trialsim simon` reproduces VALIDATION R7 (clinfun::ph2simon) and writes the contract CSV.
#[test]
fn simon_designs() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(
        &[
            "simon", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05", "--beta", "0.2", "--csv", "s.csv",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = fs::read_to_string(dir.path().join("s.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "design,r1,n1,r,n,en_p0,pet_p0,alpha,power");
    let row = |design: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{design},")))
            .unwrap()
            .to_string()
    };
    // R7: optimal 3/13, 12/43, EN 20.58, PET .75; minimax 4/18, 10/33, EN 22.25(47), PET .72.
    assert!(
        row("optimal").starts_with("optimal,3,13,12,43,20.58"),
        "{}",
        row("optimal")
    );
    assert!(
        row("minimax").starts_with("minimax,4,18,10,33,22.25"),
        "{}",
        row("minimax")
    );
    assert!(lines.iter().any(|l| l.starts_with("admissible,")));
}

/// `trialsim survival-size` reproduces VALIDATION R10 (Wu 2015): mOS 10 → 15 months, accrual 18,
/// follow-up 12: n = 61, power 0.773 with 56 patients; Wu's Weibull example: n = 88.
#[test]
fn survival_sample_size() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "survival-size",
        "--median0",
        "10",
        "--median1",
        "15",
        "--accrual",
        "18",
        "--followup",
        "12",
        "--n",
        "56",
    ];
    let out = run_cli(&args, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("sample size for power 0.8: 61"), "{text}");
    assert!(text.contains("power with 56 patients: 0.7729"), "{text}");
    let args = [
        "survival-size",
        "--median0",
        "9",
        "--hazard-ratio",
        "0.5714",
        "--shape",
        "1.22",
        "--accrual",
        "5",
        "--followup",
        "3",
    ];
    let out = run_cli(&args, dir.path());
    assert!(
        stdout(&out).contains("sample size for power 0.8: 88"),
        "{}",
        stdout(&out)
    );
    let out = run_cli(
        &[
            "survival-size",
            "--median0",
            "10",
            "--accrual",
            "18",
            "--followup",
            "12",
        ],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--median1 or --hazard-ratio"));
}

/// Every chart of a run decodes as a 1600 × 1000 PNG that is not blank, the index lists each
/// one, and `trialsim plot` redraws them from the CSV tables alone, byte for byte.
#[test]
fn charts_are_written_listed_and_redrawn() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/qls4131_escalation.toml");
    let out = run_cli(
        &["run", scenario.to_str().unwrap(), "--trials", "500", "--out", "c"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = dir.path().join("c/qls4131_escalation");
    let index = fs::read_to_string(folder.join("README.md")).unwrap();
    let charts: Vec<_> = trialsim::report::charts::DOSE_FINDING_CHARTS
        .iter()
        .map(|(f, _)| *f)
        .collect();
    assert_eq!(charts.len(), 4);
    let mut before = Vec::new();
    for chart in &charts {
        assert!(index.contains(&format!("`{chart}`")), "index lacks {chart}");
        let bytes = fs::read(folder.join(chart)).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (1600, 1000), "{chart}");
        let pixels = &pixels[..info.buffer_size()];
        let non_white = pixels.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count();
        let share = non_white as f64 / (1600.0 * 1000.0);
        assert!(share > 0.01, "{chart} looks blank ({share:.4} of pixels drawn)");
        let distinct: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
        assert!(distinct.len() > 8, "{chart} uses only {} colours", distinct.len());
        before.push(bytes);
    }
    for chart in &charts {
        fs::remove_file(folder.join(chart)).unwrap();
    }
    let out = run_cli(&["plot", folder.to_str().unwrap()], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    for (chart, bytes) in charts.iter().zip(before) {
        assert_eq!(
            fs::read(folder.join(chart)).unwrap(),
            bytes,
            "{chart} differs when redrawn"
        );
    }
    let out = run_cli(&["plot", "no-such-folder"], dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no-such-folder"), "{}", stderr(&out));
}

/// `trialsim run` on the bundled single-arm scenario writes its tables and index.
#[test]
fn run_single_arm_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/ql1706_es_sclc.toml");
    let out = run_cli(
        &["run", scenario.to_str().unwrap(), "--trials", "2000", "--out", "sa"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = dir.path().join("sa/ql1706_es_sclc");
    let summary = fs::read_to_string(folder.join("summary.csv")).unwrap();
    assert!(summary.starts_with(&SingleArmSummaryRow::columns().join(",")));
    assert_eq!(summary.lines().count(), 1 + 4 * 5, "4 truths × 5 designs");
    let mut reader = csv::Reader::from_path(folder.join("summary.csv")).unwrap();
    for record in reader.records() {
        let r = record.unwrap();
        let outcome: f64 = [4, 5, 6].iter().map(|&i| r[i].parse::<f64>().unwrap()).sum::<f64>();
        // Promising, futility and toxicity stops are disjoint.
        assert!(outcome <= 100.0 + 1e-9, "{} {}", &r[0], &r[1]);
    }
    let sizes = fs::read_to_string(folder.join("sample_size.csv")).unwrap();
    assert!(sizes.starts_with("truth,design,patients,trials_pct"));
    let index = fs::read_to_string(folder.join("README.md")).unwrap();
    assert!(index.contains("Simon two-stage: stop if ≤ 10 of 17 respond"), "{index}");
    // --exact is for dose-finding scenarios.
    let out = run_cli(
        &["run", scenario.to_str().unwrap(), "--exact", "--out", "x"],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--exact applies to dose-finding"));
}

/// Decodes a chart: 1600 × 1000, not blank, more than a few colours.
fn assert_chart_drawn(path: &std::path::Path) {
    let bytes = fs::read(path).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes)).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), (1600, 1000), "{}", path.display());
    let pixels = &pixels[..info.buffer_size()];
    let non_white = pixels.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count();
    let share = non_white as f64 / (1600.0 * 1000.0);
    assert!(share > 0.01, "{} looks blank ({share:.4})", path.display());
    let distinct: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
    assert!(distinct.len() > 8, "{} uses {} colours", path.display(), distinct.len());
}

/// A single-arm run writes its tables, the four charts drawn from them and an index listing
/// every file; the exact ORR curve of the Simon design equals its exact type I error at p0 and
/// power at p1 (from the Simon search, not from the curve's code); `trialsim plot` redraws the
/// charts byte for byte.
#[test]
fn single_arm_charts_are_written_listed_and_redrawn() {
    use trialsim::report::charts::single_arm::SINGLE_ARM_CHARTS;
    use trialsim::report::single_arm::SINGLE_ARM_FILES;
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/ql1706_es_sclc.toml");
    let out = run_cli(
        &["run", scenario.to_str().unwrap(), "--trials", "2000", "--out", "sa"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = dir.path().join("sa/ql1706_es_sclc");
    let index = fs::read_to_string(folder.join("README.md")).unwrap();
    for (name, _) in SINGLE_ARM_FILES {
        assert!(folder.join(name).is_file(), "{name} missing");
        assert!(index.contains(&format!("- `{name}`: ")), "index lacks {name}");
    }
    // Six tables, four charts and the index; nothing else (no temporary files).
    assert_eq!(SINGLE_ARM_FILES.len(), 11);
    assert_eq!(fs::read_dir(&folder).unwrap().count(), 11);
    assert_eq!(SINGLE_ARM_CHARTS.len(), 4);
    for (chart, _) in SINGLE_ARM_CHARTS {
        assert_chart_drawn(&folder.join(chart));
    }

    // The ORR curve: 101 grid points per response design, none for the time-to-event designs.
    let simon = trialsim::single_arm::SimonSearch::new(0.6, 0.75, 0.1, 0.2, 56)
        .unwrap()
        .run()
        .unwrap()
        .optimal;
    let mut curve = csv::Reader::from_path(folder.join("orr_curve.csv")).unwrap();
    assert_eq!(
        curve.headers().unwrap().iter().collect::<Vec<_>>(),
        ["design", "true_orr", "promising_pct", "early_stop_pct", "patients_mean"]
    );
    let rows: Vec<csv::StringRecord> = curve.records().map(Result::unwrap).collect();
    for design in ["Simon optimal", "BOP2", "Predictive probability"] {
        assert_eq!(rows.iter().filter(|r| &r[0] == design).count(), 101, "{design}");
    }
    assert!(!rows.iter().any(|r| r[0].contains("OS")));
    let at = |orr: &str, column: usize| -> f64 {
        let row = rows.iter().find(|r| &r[0] == "Simon optimal" && &r[1] == orr).unwrap();
        row[column].parse().unwrap()
    };
    assert!(
        (at("0.60", 2) - 100.0 * simon.alpha).abs() < 6e-4,
        "{} vs {}",
        at("0.60", 2),
        simon.alpha
    );
    assert!(
        (at("0.75", 2) - 100.0 * simon.power).abs() < 6e-4,
        "{} vs {}",
        at("0.75", 2),
        simon.power
    );
    assert!((at("0.60", 3) - 100.0 * simon.pet_p0).abs() < 6e-4);
    assert!((at("0.60", 4) - simon.en_p0).abs() < 6e-5);
    let mut targets = csv::Reader::from_path(folder.join("design_targets.csv")).unwrap();
    let headers = targets.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let targets: Vec<csv::StringRecord> = targets.records().map(Result::unwrap).collect();
    assert_eq!(targets.len(), 5);
    let simon_row = &targets[0];
    assert_eq!(&simon_row[column("design")], "Simon optimal");
    assert_eq!(&simon_row[column("target_power")], "0.8");
    let exact_alpha: f64 = simon_row[column("exact_alpha")].parse().unwrap();
    assert!((exact_alpha - simon.alpha).abs() < 1e-6);
    assert_eq!(&targets[3][column("analysis")], "log-rank");
    assert_eq!(&targets[3][column("null_median")], "10");

    // Five example trials per truth, and the historical control curve.
    let mut km = csv::Reader::from_path(folder.join("km_examples.csv")).unwrap();
    let km: Vec<csv::StringRecord> = km.records().map(Result::unwrap).collect();
    for truth in ["futile (chemo-like)", "promising but toxic"] {
        let trials: std::collections::BTreeSet<&str> = km
            .iter()
            .filter(|r| &r[0] == truth && &r[1] == "simulated")
            .map(|r| r.get(2).unwrap())
            .collect();
        assert_eq!(trials.into_iter().collect::<Vec<_>>(), ["1", "2", "3", "4", "5"]);
    }
    let twelve = km.iter().find(|r| &r[1] == "historical" && &r[3] == "12.0000").unwrap();
    assert_eq!(&twelve[4], "0.4353");

    // The median OS histogram adds up to 100% per truth.
    let mut medians = csv::Reader::from_path(folder.join("median_os.csv")).unwrap();
    let mut totals = std::collections::BTreeMap::<String, f64>::new();
    for r in medians.records() {
        let r = r.unwrap();
        *totals.entry(r[0].to_string()).or_default() += r[3].parse::<f64>().unwrap();
    }
    assert_eq!(totals.len(), 4);
    for (truth, total) in totals {
        assert!((total - 100.0).abs() < 0.05, "{truth}: {total}");
    }

    // Redrawn from the tables alone, byte for byte.
    let before: Vec<Vec<u8>> = SINGLE_ARM_CHARTS
        .iter()
        .map(|(c, _)| fs::read(folder.join(c)).unwrap())
        .collect();
    for (chart, _) in SINGLE_ARM_CHARTS {
        fs::remove_file(folder.join(chart)).unwrap();
    }
    let out = run_cli(&["plot", folder.to_str().unwrap()], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).matches("wrote").count(), 4);
    for ((chart, _), bytes) in SINGLE_ARM_CHARTS.iter().zip(before) {
        assert_eq!(
            fs::read(folder.join(chart)).unwrap(),
            bytes,
            "{chart} differs when redrawn"
        );
    }
}

/// `trialsim compare` stacks runs' summaries under a scenario column and draws one chart; runs of
/// different kinds are refused.
#[test]
fn compare_runs_across_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let escalation = root().join("scenarios/qls4131_escalation.toml");
    let single_arm = root().join("scenarios/ql1706_es_sclc.toml");
    for (file, out) in [(&escalation, "a"), (&escalation, "b"), (&single_arm, "s")] {
        let run = run_cli(
            &["run", file.to_str().unwrap(), "--trials", "300", "--out", out],
            dir.path(),
        );
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let out = run_cli(
        &[
            "compare",
            "a/qls4131_escalation",
            "b/qls4131_escalation",
            "--out",
            "cmp",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let table = fs::read_to_string(dir.path().join("cmp/comparison.csv")).unwrap();
    assert!(table.starts_with("scenario,truth,design,trials,correct_selection_pct"));
    let summary = fs::read_to_string(dir.path().join("a/qls4131_escalation/summary.csv")).unwrap();
    assert_eq!(table.lines().count(), 1 + 2 * (summary.lines().count() - 1));
    let bytes = fs::read(dir.path().join("cmp/comparison.png")).unwrap();
    let info = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap()
        .info()
        .clone();
    assert_eq!((info.width, info.height), (1600, 1000));
    let mixed = run_cli(
        &["compare", "a/qls4131_escalation", "s/ql1706_es_sclc", "--out", "mixed"],
        dir.path(),
    );
    assert!(!mixed.status.success());
    assert!(stderr(&mixed).contains("same kind"), "{}", stderr(&mixed));
    let single = run_cli(&["compare", "s/ql1706_es_sclc", "--out", "sa"], dir.path());
    assert!(single.status.success(), "{}", stderr(&single));
}

/// A sweep's folder compares as its points, each named by its swept settings.
#[test]
fn compare_a_sweep_folder_by_point() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = root().join("scenarios/qls4131_sweep.toml");
    let run = run_cli(
        &["run", sweep.to_str().unwrap(), "--trials", "100", "--out", "o"],
        dir.path(),
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let out = run_cli(&["compare", "o/qls4131_sweep", "--out", "cmp"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let table = fs::read_to_string(dir.path().join("cmp/comparison.csv")).unwrap();
    let swept = fs::read_to_string(dir.path().join("o/qls4131_sweep/sweep.csv")).unwrap();
    assert_eq!(
        table.lines().count(),
        swept.lines().count(),
        "one row per point, truth and design"
    );
    let first = table.lines().nth(1).unwrap();
    assert!(
        first.starts_with("\"qls4131_sweep point 1: target=0.2, max_patients=24, halfwidth=0.04\","),
        "{first}"
    );
    assert!(table.contains("\"qls4131_sweep point 12: target=0.3, max_patients=36, halfwidth=0.07\","));
}

/// Snapshot of the structure of every table and index a run writes: CSV headers, and the
/// Markdown headings and table header rows of each README index (numbers excluded).
#[test]
fn output_structure_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let structure = |folder: &std::path::Path| -> Vec<String> {
        let mut lines = Vec::new();
        let mut files: Vec<_> = fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".csv") {
                let text = fs::read_to_string(&file).unwrap();
                lines.push(format!("{name}: {}", text.lines().next().unwrap()));
            } else if name == "README.md" {
                let text = fs::read_to_string(&file).unwrap();
                let mut previous_blank = true;
                for line in text.lines() {
                    if line.starts_with('#') || (line.starts_with('|') && previous_blank) {
                        lines.push(format!("README.md: {line}"));
                    }
                    previous_blank = line.trim().is_empty();
                }
            } else {
                lines.push(name);
            }
        }
        lines
    };
    let scenario = root().join("scenarios/qls4131_full.toml");
    let out = run_cli(
        &["run", scenario.to_str().unwrap(), "--trials", "200", "--out", "s"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let dose_finding = structure(&dir.path().join("s/qls4131_full"));
    let expected_dose_finding = [
        "README.md: # QLS4131 phase 1b, SLE, in calendar time",
        "README.md: | setting | value |",
        "README.md: ## Truths",
        "README.md: | truth | true DLT probability by dose | correct decision |",
        "README.md: ## Truths beyond DLT",
        "README.md: | truth | CRS-type DLT | DLT with step-up | TEAE | response |",
        "README.md: ## Designs",
        "README.md: | design | rule | settings | stopping and skipping rules, in order |",
        "README.md: ## Files",
        "README.md: ## Correct decision, % of trials",
        "README.md: | truth | 3+3 | BOIN | BOIN, backfill | TITE-BOIN | CRM | TITE-CRM | BOIN, no step-up | BOIN, step-up from DL5 |",
        "README.md: ## Correct RP2D, % of trials",
        "README.md: | truth | 3+3 | BOIN | BOIN, backfill | TITE-BOIN | CRM | TITE-CRM | BOIN, no step-up | BOIN, step-up from DL5 |",
        "duration.png",
        "oc_by_dose.csv: truth,design,dose,label,true_dlt,selected_pct,patients_mean,dlt_mean,step_up_patients_mean,step_up_dlt_mean,crs_dlt_mean,backfill_patients_mean,expansion_patients_mean,response_mean,teae_mean,teae_incidence,teae_ci_lower_mean,teae_ci_upper_mean,rp2d_pct,correct_rp2d",
        "patients.png",
        "regimen.png",
        "rp2d.png",
        "selection.png",
        "summary.csv: truth,design,trials,correct_selection_pct,stopped_early_pct,patients_mean,dlt_rate,overdose_patients_pct,overdose_selection_pct,correct_decision,patients_sd,dlt_mean,selected_none_pct,stop_design_complete_pct,stop_too_toxic_pct,stop_max_patients_pct,stop_enough_at_dose_pct,method,exact_states,target,duration_mean,duration_median,duration_p90,waited_mean,wait_mean,turned_away_mean,correct_rp2d,rp2d_correct_pct,rp2d_none_pct,step_up_patients_pct,selected_step_up_pct,correct_as_given_pct,overdose_selection_as_given_pct,crs_dlt_mean,backfill_patients_mean,expansion_patients_mean",
        "summary.png",
        "true_dlt.png",
    ];
    assert_eq!(dose_finding, expected_dose_finding, "{dose_finding:#?}");
    let scenario = root().join("scenarios/ql1706_es_sclc.toml");
    let out = run_cli(
        &["run", scenario.to_str().unwrap(), "--trials", "200", "--out", "s"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let single_arm = structure(&dir.path().join("s/ql1706_es_sclc"));
    let headers: Vec<&String> = single_arm.iter().filter(|l| l.contains(".csv: ")).collect();
    assert_eq!(headers.len(), 6, "{single_arm:#?}");
    assert!(single_arm.contains(&format!("summary.csv: {}", SingleArmSummaryRow::columns().join(","))));
    assert!(single_arm.contains(&"sample_size.csv: truth,design,patients,trials_pct".to_string()));
    assert!(
        single_arm.iter().any(|l| l == "README.md: ## Designs"),
        "{single_arm:#?}"
    );
    assert_eq!(single_arm.iter().filter(|l| l.ends_with(".png")).count(), 4);
}

/// Ctrl-C (SIGINT) during a run: exit code 130, a message saying what was not written, and no
/// file of the unfinished run (not even a temporary one).
#[test]
fn interruption_writes_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/qls4131_escalation.toml");
    let child = crate::common::trialsim()
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--trials",
            "1000000000",
            "--out",
            "o",
        ])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not written: o/qls4131_escalation"),
        "{}",
        stderr(&out)
    );
    let leftovers: Vec<_> = walk(&dir.path().join("o"));
    assert!(leftovers.is_empty(), "files left behind: {leftovers:?}");
}

fn walk(path: &std::path::Path) -> Vec<std::path::PathBuf> {
    match fs::read_dir(path) {
        Err(_) => Vec::new(),
        Ok(entries) => entries
            .flat_map(|e| {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p)
                } else {
                    vec![p]
                }
            })
            .collect(),
    }
}

/// `trialsim bench FILE` prints a throughput line per design and thread count.
#[test]
fn bench_prints_throughput_per_design() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/ql1706_es_sclc.toml");
    let out = run_cli(
        &["bench", scenario.to_str().unwrap(), "--trials", "200", "--threads", "1"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Simon optimal") || l.contains("BOP2"))
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    for line in lines {
        let rate: f64 = line.split_whitespace().last().unwrap().parse().unwrap();
        assert!(rate > 0.0, "{line}");
    }
}
