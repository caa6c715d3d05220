//! A run is a transaction (issue 17): `--out` is checked before any work, an output folder always
//! holds exactly one complete run (after an error, SIGTERM or a concurrent writer), stale staging
//! and temporary files of killed runs are cleaned, and a manifest lets `plot` and `compare`
//! refuse a folder changed since.

use crate::common::{bundled, files_below, run_cli, run_ok, stderr};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Copies the bundled scenario `file` to `dir/NAME`.
fn scenario_as(file: &str, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, fs::read_to_string(bundled(file)).unwrap()).unwrap();
    path
}

/// Starts `trialsim ARGS` in `dir` without waiting.
fn spawn(args: &[&str], dir: &Path) -> Child {
    crate::common::trialsim()
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Sends `signal` (e.g. `-TERM`) to `child`.
fn signal(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The names in `dir` (hidden ones included), sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A file in the way, a missing parent or a read-only folder as `--out` is refused naming
/// `--out` and the path, before the (long) simulation starts.
#[test]
fn out_problems_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = bundled("qls4131_escalation.toml");
    fs::write(dir.path().join("file"), "in the way").unwrap();
    let readonly = dir.path().join("readonly");
    fs::create_dir(&readonly).unwrap();
    let mut cases = vec![("file", "not a folder"), ("missing/out", "does not exist")];
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&readonly, fs::Permissions::from_mode(0o555)).unwrap();
        // Root may write anyway: the case holds only where permissions bind.
        if fs::write(readonly.join("probe"), "").is_err() {
            cases.push(("readonly", "cannot create a file"));
        }
    }
    for (out, why) in cases {
        let started = Instant::now();
        let output = run_cli(
            &["run", scenario.to_str().unwrap(), "--trials", "20000000", "--out", out],
            dir.path(),
        );
        let elapsed = started.elapsed();
        assert_eq!(output.status.code(), Some(1), "{out}: {}", stderr(&output));
        let message = stderr(&output);
        assert!(
            message.contains(&format!("--out {out}")) && message.contains(why),
            "{message}"
        );
        assert!(elapsed < Duration::from_millis(900), "{out}: refused after {elapsed:?}");
    }
}

/// Re-running a scenario without `[timing]` over one with it leaves no calendar chart, and
/// re-running a 12-point sweep as 2 points leaves no point-03…12: the folder holds one run.
#[test]
fn a_rerun_replaces_the_whole_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_as("qls4131_full.toml", dir.path(), "x.toml");
    let args = ["run", file.to_str().unwrap(), "--trials", "60", "--out", "o"];
    run_ok(&args, dir.path());
    let calendar = ["duration.png", "rp2d.png", "regimen.png"];
    let timed = names(&dir.path().join("o/x"));
    assert!(calendar.iter().any(|c| timed.contains(&c.to_string())), "{timed:?}");
    scenario_as("qls4131_escalation.toml", dir.path(), "x.toml");
    run_ok(&args, dir.path());
    let untimed = names(&dir.path().join("o/x"));
    assert!(
        !calendar.iter().any(|c| untimed.contains(&c.to_string())),
        "{untimed:?}"
    );
    assert!(untimed.contains(&"manifest.json".to_string()));

    let sweep = fs::read_to_string(bundled("qls4131_sweep.toml")).unwrap();
    fs::write(dir.path().join("s.toml"), &sweep).unwrap();
    let args = ["run", "s.toml", "--trials", "20", "--out", "o"];
    run_ok(&args, dir.path());
    assert!(dir.path().join("o/s/point-12").is_dir());
    let two = sweep
        .replace("target = [0.20, 0.25, 0.30]", "target = [0.20, 0.25]")
        .replace("max_patients = [24, 36]\n", "")
        .replace("halfwidth = [0.04, 0.07]\n", "");
    assert_ne!(two, sweep);
    fs::write(dir.path().join("s.toml"), two).unwrap();
    run_ok(&args, dir.path());
    let points: Vec<String> = names(&dir.path().join("o/s"))
        .into_iter()
        .filter(|n| n.starts_with("point-"))
        .collect();
    assert_eq!(points, ["point-1", "point-2"]);
    assert_eq!(names(&dir.path().join("o")), ["s", "x"]);
}

/// A second writer to the same `--out` is refused while the first runs; SIGTERM stops the first
/// like Ctrl-C (exit 130, the same report), and the folder keeps its previous complete run.
#[test]
fn a_concurrent_writer_is_refused_and_sigterm_keeps_the_previous_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = bundled("qls4131_escalation.toml");
    let scenario = scenario.to_str().unwrap();
    run_ok(&["run", scenario, "--trials", "50", "--out", "o"], dir.path());
    let before = files_below(&dir.path().join("o"));
    let long = spawn(&["run", scenario, "--trials", "1000000000", "--out", "o"], dir.path());
    std::thread::sleep(Duration::from_millis(700));
    let second = run_cli(&["run", scenario, "--trials", "60", "--out", "o"], dir.path());
    assert_eq!(second.status.code(), Some(1));
    assert!(
        stderr(&second).contains("another trialsim") && stderr(&second).contains("o/qls4131_escalation"),
        "{}",
        stderr(&second)
    );
    signal(&long, "-TERM");
    let out = long.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("interrupted:") && stderr(&out).contains("not written: o/qls4131_escalation"),
        "{}",
        stderr(&out)
    );
    assert_eq!(files_below(&dir.path().join("o")), before);
    assert_eq!(names(&dir.path().join("o")), ["qls4131_escalation"]);
    run_ok(&["plot", "o/qls4131_escalation"], dir.path());
}

/// Staging folders and temporary files left by killed runs (their process gone) are removed by
/// the next run writing the same folder.
#[test]
fn leftovers_of_killed_runs_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = bundled("qls4131_escalation.toml");
    let args = ["run", scenario.to_str().unwrap(), "--trials", "30", "--out", "o"];
    run_ok(&args, dir.path());
    // 4194305 is above Linux's largest PID: no such process runs.
    let o = dir.path().join("o");
    fs::create_dir(o.join(".qls4131_escalation.staging-4194305")).unwrap();
    fs::write(o.join(".qls4131_escalation.staging-4194305/summary.csv"), "cut").unwrap();
    fs::write(o.join(".qls4131_escalation.lock"), "4194305\n").unwrap();
    fs::write(o.join("qls4131_escalation/.oc_by_dose.csv.tmp-4194305"), "half").unwrap();
    fs::write(o.join(".summary.csv.tmp-4194305"), "half").unwrap();
    run_ok(&args, dir.path());
    assert_eq!(names(&o), ["qls4131_escalation"]);
    assert!(!names(&o.join("qls4131_escalation")).iter().any(|n| n.starts_with('.')));
}

/// `plot` and `compare` refuse a run whose summary.csv was cut in half, naming it; the charts are
/// left as they were.
#[test]
fn a_cut_table_is_refused_by_plot_and_compare() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = bundled("qls4131_escalation.toml");
    run_ok(
        &["run", scenario.to_str().unwrap(), "--trials", "40", "--out", "o"],
        dir.path(),
    );
    let folder = dir.path().join("o/qls4131_escalation");
    let manifest = fs::read_to_string(folder.join("manifest.json")).unwrap();
    for field in [
        "\"seed\": 20261121",
        "\"trials\": 40",
        "\"summary.csv\"",
        "\"rows\"",
        "\"fnv1a64\"",
    ] {
        assert!(manifest.contains(field), "manifest lacks {field}: {manifest}");
    }
    let summary = fs::read(folder.join("summary.csv")).unwrap();
    fs::write(folder.join("summary.csv"), &summary[..summary.len() / 2]).unwrap();
    let before = files_below(&folder);
    for args in [
        &["plot", "o/qls4131_escalation"][..],
        &["compare", "o/qls4131_escalation", "--out", "cmp"][..],
    ] {
        let out = run_cli(args, dir.path());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains("summary.csv"), "{}", stderr(&out));
    }
    assert_eq!(files_below(&folder), before);
    assert!(!dir.path().join("cmp/comparison.csv").exists());
}
