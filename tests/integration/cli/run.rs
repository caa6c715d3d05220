//! `trialsim run`: tables, exact rows, the output structure and interruption.

use crate::common::{bundled, files_below, one_truth, run_bundled, run_cli, run_ok, stderr, stdout, BOIN};
use std::fs;
use trialsim::results::dose_finding::{DoseOc, SummaryLead};
use trialsim::results::single_arm::SingleArmSummaryRow;
use trialsim::results::Row;

/// `trialsim run` on the bundled scenario writes the contract's files and columns.
#[test]
fn run_writes_contract_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_bundled(
        "qls4131_escalation.toml",
        &["--trials", "2000", "--out", "results"],
        dir.path(),
    );
    let folder = dir.path().join("results/qls4131_escalation");
    let oc = fs::read_to_string(folder.join("oc_by_dose.csv")).unwrap();
    let summary = fs::read_to_string(folder.join("summary.csv")).unwrap();
    let index = fs::read_to_string(folder.join("README.md")).unwrap();
    assert!(oc.starts_with(&DoseOc::columns().join(",")));
    assert!(summary.starts_with(&SummaryLead::columns().join(",")));
    // One row per truth × design × dose, and per truth × design, plus headers.
    let bundled = trialsim::scenario::Scenario::load(&bundled("qls4131_escalation.toml")).unwrap();
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
    // Two tables, four charts, the index, report.html, results.json and the manifest; no
    // temporary files are left behind.
    assert_eq!(fs::read_dir(&folder).unwrap().count(), 10);
    assert!(stdout(&out).contains("wrote"));
}

/// Selection percentages in `oc_by_dose.csv` and early stops add up to 100% per truth × design.
#[test]
fn selections_add_up_in_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    run_bundled(
        "qls4131_escalation.toml",
        &["--trials", "1000", "--out", "o"],
        dir.path(),
    );
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

/// `trialsim run --exact` writes exact rows, marked as such, with the states walked.
#[test]
fn run_exact() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_bundled("qls4131_escalation.toml", &["--exact", "--out", "x"], dir.path());
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
    let designs = format!("[[design]]\nname = \"3+3\"\nrule = \"3+3\"\n{BOIN}");
    let big = one_truth("fallback", (0.3, 3, 18), "0.1, 0.2, 0.3, 0.4", &designs);
    fs::write(
        dir.path().join("big.toml"),
        format!("{big}[simulation]\ntrials = 500\nmax_exact_states = 600\n"),
    )
    .unwrap();
    let out = run_ok(&["run", "big.toml", "--exact", "--out", "o"], dir.path());
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

/// `trialsim run` on the bundled single-arm scenario writes its tables and index.
#[test]
fn run_single_arm_scenario() {
    let dir = tempfile::tempdir().unwrap();
    run_bundled("ql1706_es_sclc.toml", &["--trials", "2000", "--out", "sa"], dir.path());
    let folder = dir.path().join("sa/ql1706_es_sclc");
    let summary = fs::read_to_string(folder.join("summary.csv")).unwrap();
    assert!(summary.starts_with(&SingleArmSummaryRow::columns().join(",")));
    assert_eq!(summary.lines().count(), 1 + 4 * 7, "4 truths × 7 designs");
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
    let scenario = bundled("ql1706_es_sclc.toml");
    let out = run_cli(
        &["run", scenario.to_str().unwrap(), "--exact", "--out", "x"],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--exact applies to dose-finding"));
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
    run_bundled("qls4131_full.toml", &["--trials", "200", "--out", "s"], dir.path());
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
        "manifest.json",
        "oc_by_dose.csv: truth,design,dose,label,true_dlt,selected_pct,patients_mean,dlt_mean,step_up_patients_mean,step_up_dlt_mean,crs_dlt_mean,backfill_patients_mean,expansion_patients_mean,response_mean,teae_mean,teae_incidence,teae_ci_lower_mean,teae_ci_upper_mean,rp2d_pct,correct_rp2d,selected_pct_se,patients_mean_se,dlt_mean_se,step_up_patients_mean_se,step_up_dlt_mean_se,crs_dlt_mean_se,backfill_patients_mean_se,expansion_patients_mean_se,response_mean_se,teae_mean_se,teae_incidence_se,teae_ci_lower_mean_se,teae_ci_upper_mean_se,rp2d_pct_se",
        "patients.png",
        "regimen.png",
        "report.html",
        "results.json",
        "rp2d.png",
        "selection.png",
        "summary.csv: truth,design,trials,correct_selection_pct,stopped_early_pct,patients_mean,dlt_rate,overdose_patients_pct,overdose_selection_pct,correct_decision,patients_sd,dlt_mean,selected_none_pct,stop_design_complete_pct,stop_too_toxic_pct,stop_max_patients_pct,stop_enough_at_dose_pct,method,target,duration_mean,duration_median,duration_p90,waited_mean,wait_mean,turned_away_mean,correct_rp2d,rp2d_correct_pct,rp2d_none_pct,step_up_patients_pct,selected_step_up_pct,correct_as_given_pct,overdose_selection_as_given_pct,crs_dlt_mean,backfill_patients_mean,expansion_patients_mean,correct_selection_pct_se,stopped_early_pct_se,patients_mean_se,dlt_rate_se,overdose_patients_pct_se,overdose_selection_pct_se,patients_sd_se,dlt_mean_se,selected_none_pct_se,stop_design_complete_pct_se,stop_too_toxic_pct_se,stop_max_patients_pct_se,stop_enough_at_dose_pct_se,duration_mean_se,duration_median_se,duration_p90_se,waited_mean_se,wait_mean_se,turned_away_mean_se,rp2d_correct_pct_se,rp2d_none_pct_se,step_up_patients_pct_se,selected_step_up_pct_se,correct_as_given_pct_se,overdose_selection_as_given_pct_se,crs_dlt_mean_se,backfill_patients_mean_se,expansion_patients_mean_se",
        "summary.png",
        "true_dlt.png",
    ];
    assert_eq!(dose_finding, expected_dose_finding, "{dose_finding:#?}");
    run_bundled("ql1706_es_sclc.toml", &["--trials", "200", "--out", "s"], dir.path());
    let single_arm = structure(&dir.path().join("s/ql1706_es_sclc"));
    let headers: Vec<&String> = single_arm.iter().filter(|l| l.contains(".csv: ")).collect();
    assert_eq!(headers.len(), 6, "{single_arm:#?}");
    assert!(single_arm.contains(&format!("summary.csv: {}", SingleArmSummaryRow::columns().join(","))));
    assert!(single_arm.contains(&"sample_size.csv: truth,design,patients,trials_pct,trials_pct_se".to_string()));
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
    let scenario = bundled("qls4131_escalation.toml");
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
    let leftovers: Vec<_> = files_below(&dir.path().join("o")).into_keys().collect();
    assert!(leftovers.is_empty(), "files left behind: {leftovers:?}");
}
