//! The other subcommands: boundaries, next, simon, survival-size, bench and help.

use crate::common::{bundled, one_truth, run_cli, run_ok, stderr, stdout, BOIN};
use std::fs;

/// `trialsim boundaries` prints BOIN's table (VALIDATION R1, phi = 0.3) and writes it as CSV.
#[test]
fn boundaries_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(&["boundaries", "--target", "0.3", "--csv", "b.csv"], dir.path());
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
    let crm = "[[design]]\nname = \"CRM\"\nrule = \"crm\"\nskeleton = [0.1, 0.2, 0.3, 0.4, 0.5]\n";
    let live = one_truth("live", (0.3, 3, 30), "0.1, 0.2, 0.3, 0.4, 0.5", &format!("{BOIN}{crm}"));
    fs::write(dir.path().join("live.toml"), live).unwrap();
    let next = |design: &str, outcomes: &str| {
        let args = [
            "next",
            "--scenario",
            "live.toml",
            "--design",
            design,
            "--outcomes",
            outcomes,
        ];
        run_cli(&args, dir.path())
    };
    let out = next("BOIN", "1NNN 2NNN 3NTT 2NTN 3NNN 3NNN 4TTT");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Decision: treat the next cohort at dose 3"), "{text}");
    // Dose 4 (3/3) is eliminated with dose 5.
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with('4') && l.contains(" no ")),
        "{text}"
    );

    let out = next("CRM", "1NNN");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Decision: treat the next cohort at dose 2"),
        "{}",
        stdout(&out)
    );

    let out = next("Nope", "1N");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("BOIN, CRM"));

    let out = next("BOIN", "1NNX");
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
        let out = run_ok(&[sub, "--help"], dir.path());
        assert!(stdout(&out).contains("Examples:"), "{sub}");
    }
}

/// `trialsim simon` reproduces VALIDATION R7 (clinfun::ph2simon) and writes the contract CSV.
#[test]
fn simon_designs() {
    let dir = tempfile::tempdir().unwrap();
    run_ok(
        &[
            "simon", "--p0", "0.2", "--p1", "0.4", "--alpha", "0.05", "--beta", "0.2", "--csv", "s.csv",
        ],
        dir.path(),
    );
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
    let out = run_ok(&args, dir.path());
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

/// `trialsim bench FILE` prints a throughput line per design and thread count.
#[test]
fn bench_prints_throughput_per_design() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = bundled("ql1706_es_sclc.toml");
    let out = run_ok(
        &["bench", scenario.to_str().unwrap(), "--trials", "200", "--threads", "1"],
        dir.path(),
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Simon optimal") || l.contains("BOP2"))
        .collect();
    assert_eq!(lines.len(), 4, "{text}");
    for line in lines {
        let rate: f64 = line.split_whitespace().last().unwrap().parse().unwrap();
        assert!(rate > 0.0, "{line}");
    }
}
