//! Bounded, honest behaviour (issue 17): merge verifies its shards (checksum, invariants, no
//! wrapping), design parameters are validated before any conversion, negative numbers reach the
//! commands' validation, and extreme-but-accepted sizes either finish fast or are refused up front.
//! Every command here runs under a timeout guard.

use crate::common::{bundled, run_ok, stderr, trialsim};
use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};
use trialsim::engines::dose_finding::OcCounts;
use trialsim::engines::Accumulator;

/// Runs trialsim with `args` in `dir`, killed (and the test failed) after `limit` seconds.
fn run_within(limit: u64, args: &[&str], dir: &Path) -> Output {
    let mut child = trialsim()
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(limit) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("trialsim {args:?} still running after {limit} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Asserts that `trialsim args` fails within 10 s and its error contains each of `words`.
fn refused(args: &[&str], dir: &Path, words: &[&str]) {
    let out = run_within(10, args, dir);
    assert!(!out.status.success(), "trialsim {args:?} should fail");
    let e = stderr(&out);
    for w in words {
        assert!(e.contains(w), "trialsim {args:?}: '{w}' not in: {e}");
    }
}

/// The checksum merge expects (FNV-1a, 64 bits, of the object without its `checksum` member),
/// recomputed after an edit: the edit then has to be caught by the invariants.
fn reseal(text: &str) -> String {
    let at = text.rfind(",\"checksum\":\"").expect("a sealed shard");
    let payload = format!("{}}}", &text[..at]);
    let hash = payload.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{},\"checksum\":\"{hash:016x}\"}}\n", &text[..at])
}

/// `text` with the first number after `key` replaced by `f(number)`.
fn edit_number(text: &str, key: &str, f: impl Fn(u64) -> String) -> String {
    let at = text.find(key).unwrap_or_else(|| panic!("{key}")) + key.len();
    let end = at + text[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
    format!("{}{}{}", &text[..at], f(text[at..end].parse().unwrap()), &text[end..])
}

/// Two shards of 60 trials of `scenario` in `dir/shards`; returns shard 1's path.
fn two_shards(dir: &Path, scenario: &str) -> std::path::PathBuf {
    let file = bundled(scenario);
    for i in ["1/2", "2/2"] {
        let args = [
            "run",
            file.to_str().unwrap(),
            "--trials",
            "60",
            "--shard",
            i,
            "--out",
            "shards",
        ];
        run_ok(&args, dir);
    }
    let stem = scenario.trim_end_matches(".toml");
    dir.join(format!("shards/{stem}/shard-1-of-2.json"))
}

fn merge_fails(dir: &Path, words: &[&str]) {
    refused(&["merge", "shards", "--out", "merged"], dir, words);
    assert!(!dir.join("merged").exists(), "nothing is written when a merge fails");
}

#[test]
fn merge_refuses_edited_counts_naming_the_file_and_the_invariant() {
    let dir = tempfile::tempdir().unwrap();
    let path = two_shards(dir.path(), "qls4131_escalation.toml");
    let name = "shard-1-of-2.json";
    let text = fs::read_to_string(&path).unwrap();
    let cases: [(String, &str); 4] = [
        (
            edit_number(&text, "\"selected\":[", |c| (c + 100).to_string()),
            "the selections add up to",
        ),
        (
            edit_number(&text, "\"patients\":[", |c| (c ^ 1).to_string()),
            "the patients at the doses add up to",
        ),
        (
            edit_number(&text, "\"selected\":[", |_| u64::MAX.to_string()),
            "the selections add up to",
        ),
        (
            edit_number(&text, "\"sample_size\":[", |_| u64::MAX.to_string()),
            "the sample sizes add up to",
        ),
    ];
    for (edited, invariant) in cases {
        fs::write(&path, &edited).unwrap();
        merge_fails(dir.path(), &[name, "checksum does not match"]);
        fs::write(&path, reseal(&edited)).unwrap();
        merge_fails(dir.path(), &[name, "damaged shard file: design", invariant]);
    }
    // A shard without a checksum (older, or cut) is refused with what to do.
    let at = text.rfind(",\"checksum\":\"").unwrap();
    fs::write(&path, format!("{}}}\n", &text[..at])).unwrap();
    merge_fails(dir.path(), &[name, "has no checksum", "run its shard again"]);
    fs::write(&path, &text).unwrap();
    run_ok(&["merge", "shards", "--out", "merged"], dir.path());
}

#[test]
fn merged_counts_never_wrap() {
    let mut total = OcCounts::new(2, 6);
    let mut other = OcCounts::new(2, 6);
    total.trials = u64::MAX;
    other.trials = 1;
    assert!(total.merge(&other).is_err(), "2^64 − 1 + 1 trials must be refused");
}

/// 20 seeded byte flips in a shard: each is refused, or (a flip the JSON does not see) merges to
/// exactly the files of the untouched set; none merges into different numbers.
#[test]
fn random_byte_flips_are_refused_or_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let path = two_shards(dir.path(), "qls4131_escalation.toml");
    run_ok(&["merge", "shards", "--out", "reference"], dir.path());
    let reference = fs::read(dir.path().join("reference/qls4131_escalation/oc_by_dose.csv")).unwrap();
    let bytes = fs::read(&path).unwrap();
    let mut state = 20_261_201u64;
    for flip in 0..20 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let at = (state >> 33) as usize % bytes.len();
        let mut flipped = bytes.clone();
        flipped[at] ^= 1 << ((state >> 20) % 8);
        fs::write(&path, &flipped).unwrap();
        let _ = fs::remove_dir_all(dir.path().join("merged"));
        let out = run_within(10, &["merge", "shards", "--out", "merged"], dir.path());
        if out.status.success() {
            let merged = fs::read(dir.path().join("merged/qls4131_escalation/oc_by_dose.csv")).unwrap();
            assert_eq!(
                merged, reference,
                "flip {flip} at byte {at} merged into different numbers"
            );
        } else {
            assert!(
                stderr(&out).contains("shard-1-of-2.json"),
                "flip {flip}: {}",
                stderr(&out)
            );
        }
    }
}

const SIMON: &str = r#"
name = "sa"
kind = "single-arm"
[simulation]
trials = 20
[trial]
patients = 40
accrual = { rate = 3 }
assessment = 1
min_followup = 6
[[truth]]
name = "t"
orr = 0.3
tox = 0.1
pfs = { median = 5 }
os = { median = 10 }
[[design]]
name = "Simon"
rule = "simon"
r1 = 3
n1 = 13
r = 12
n = 40
"#;

#[test]
fn simon_parameters_are_checked_before_any_conversion() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.toml"), SIMON).unwrap();
    run_ok(&["run", "good.toml", "--out", "out"], dir.path());
    for (from, to, field) in [
        ("r1 = 3", "r1 = -5", "design[1].r1"),
        ("r1 = 3", "r1 = 4294967297", "design[1].r1"),
        ("r1 = 3", "r1 = 13", "design[1].r1"),
        ("n1 = 13", "n1 = 0", "design[1].n1"),
        ("n1 = 13", "n1 = 4294967309", "design[1].n1"),
        ("r = 12", "r = 2", "design[1].r"),
        ("r = 12", "r = 4294967308", "design[1].r"),
    ] {
        fs::write(dir.path().join("bad.toml"), SIMON.replacen(from, to, 1)).unwrap();
        refused(&["run", "bad.toml", "--out", "bad"], dir.path(), &[field]);
    }
}

#[test]
fn negative_and_zero_numbers_are_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let survival = [
        "survival-size",
        "--median0",
        "10",
        "--median1",
        "15",
        "--accrual",
        "18",
        "--followup",
        "12",
    ];
    for n in ["0", "-1"] {
        refused(&[&survival[..], &["--n", n]].concat(), dir.path(), &["--n"]);
    }
    let out = run_within(10, &["simon", "--p0", "-0.5", "--p1", "0.4"], dir.path());
    assert!(!out.status.success());
    assert!(!stderr(&out).contains("unexpected argument"), "{}", stderr(&out));
    assert!(stderr(&out).contains("p0"), "{}", stderr(&out));
    refused(
        &["boundaries", "--target", "0.3", "--max-patients", "-3"],
        dir.path(),
        &["--max-patients"],
    );
}

#[test]
fn timing_values_that_never_end_a_trial_are_refused_with_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(bundled("qls4131_full.toml")).unwrap();
    let window = text.lines().find(|l| l.starts_with("dlt_window")).unwrap();
    let arrival = text.lines().find(|l| l.starts_with("arrival")).unwrap();
    for (from, to, field) in [
        (window, "dlt_window = 1e300", "timing.dlt_window"),
        (arrival, "arrival = { interval = 1e-300 }", "timing.arrival.interval"),
        (arrival, "arrival = { rate = 1e300 }", "timing.arrival.rate"),
    ] {
        fs::write(dir.path().join("bad.toml"), text.replacen(from, to, 1)).unwrap();
        refused(
            &["run", "bad.toml", "--trials", "10", "--out", "bad"],
            dir.path(),
            &[field, "must be between"],
        );
    }
}

#[test]
fn scenario_files_must_be_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    refused(
        &["run", "/dev/zero", "--out", "out"],
        dir.path(),
        &["not a regular file"],
    );
    let fifo = dir.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        refused(
            &["run", "fifo.toml", "--out", "out"],
            dir.path(),
            &["not a regular file"],
        );
    }
    let big = dir.path().join("big.toml");
    fs::write(&big, "#".repeat(2 << 20)).unwrap();
    refused(&["run", "big.toml", "--out", "out"], dir.path(), &["larger than"]);
}

#[test]
fn keyboard_tables_to_a_thousand_patients_are_fast() {
    let dir = tempfile::tempdir().unwrap();
    for rule in ["keyboard", "mtpi2"] {
        let args = [
            "boundaries",
            "--rule",
            rule,
            "--target",
            "0.25",
            "--max-patients",
            "1000",
        ];
        let out = run_within(10, &args, dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
    }
}

#[test]
fn simon_searches_too_large_to_finish_are_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    refused(
        &["simon", "--p0", "0.5", "--p1", "0.55", "--nmax", "1000"],
        dir.path(),
        &["--nmax", "at most"],
    );
}
