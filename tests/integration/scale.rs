//! Scale: shards merged equal the single run byte for byte, for every kind of scenario and for a
//! sweep; merge refuses incomplete or mixed sets; thread counts never change a shard.

use crate::common::{bundled, files_below, run_cli, run_ok, stderr};
use std::fs;
use std::path::Path;

/// Runs `scenario` whole and as `shards` shards (shard I on I % 2 + 1 threads), merges, and
/// checks that the folders are identical.
fn shards_merge_to_the_single_run(scenario: &str, trials: &str, shards: u64) {
    let dir = tempfile::tempdir().unwrap();
    let file = bundled(scenario);
    let file = file.to_str().unwrap();
    run_ok(
        &["run", file, "--trials", trials, "--threads", "2", "--out", "single"],
        dir.path(),
    );
    for i in 1..=shards {
        let (shard, threads) = (format!("{i}/{shards}"), format!("{}", i % 2 + 1));
        let args = ["run", file, "--trials", trials, "--threads", &threads];
        run_ok(
            &[&args[..], &["--shard", &shard, "--out", "shards"]].concat(),
            dir.path(),
        );
    }
    run_ok(&["merge", "shards", "--out", "merged"], dir.path());
    let (single, merged) = (
        files_below(&dir.path().join("single")),
        files_below(&dir.path().join("merged")),
    );
    assert!(single.keys().any(|p| p.ends_with("summary.csv")));
    assert_eq!(
        single.keys().collect::<Vec<_>>(),
        merged.keys().collect::<Vec<_>>(),
        "{scenario}: the same files"
    );
    for (path, bytes) in &single {
        assert!(
            bytes == &merged[path],
            "{scenario}: {} differs after merging",
            path.display()
        );
    }
}

#[test]
fn dose_finding_shards_merge_byte_identical() {
    shards_merge_to_the_single_run("qls4131_escalation.toml", "1001", 3);
}

#[test]
fn calendar_time_shards_merge_byte_identical() {
    shards_merge_to_the_single_run("qls4131_full.toml", "150", 2);
}

#[test]
fn single_arm_shards_merge_byte_identical() {
    shards_merge_to_the_single_run("ql1706_es_sclc.toml", "300", 3);
}

#[test]
fn sweep_shards_merge_byte_identical() {
    shards_merge_to_the_single_run("qls4131_sweep.toml", "200", 2);
}

/// More shards than trials: some shards hold no trial, and the merge is still the run.
#[test]
fn empty_shards_merge_byte_identical() {
    shards_merge_to_the_single_run("qls4131_escalation.toml", "2", 3);
}

/// The sweep writes one folder per point and a sweep.csv whose rows match each point's summary.
#[test]
fn sweep_writes_points_and_one_tidy_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = bundled("qls4131_sweep.toml");
    run_ok(
        &["run", file.to_str().unwrap(), "--trials", "100", "--out", "o"],
        dir.path(),
    );
    let out = dir.path().join("o/qls4131_sweep");
    let sweep = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let header = sweep.lines().next().unwrap();
    assert!(header.starts_with("point,target,max_patients,halfwidth,truth,design,trials,correct_selection_pct"));
    assert_eq!(header.matches("target").count(), 1, "{header}");
    // 3 × 2 × 2 points, 4 truths × 3 designs each.
    assert_eq!(sweep.lines().count(), 1 + 12 * 12);
    let point = fs::read_to_string(out.join("point-06/summary.csv")).unwrap();
    let row = point.lines().nth(1).unwrap();
    // The point's summary row, less its `target` column, follows the point's settings.
    let fields: Vec<&str> = row.split(',').collect();
    let target_column = point
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|c| c == "target")
        .unwrap();
    let without: Vec<&str> = fields
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != target_column)
        .map(|(_, f)| *f)
        .collect();
    assert_eq!(fields[target_column], "0.25");
    assert!(
        sweep.contains(&format!("\n6,0.25,24,0.07,{}\n", without.join(","))),
        "{row}"
    );
    let index = fs::read_to_string(out.join("README.md")).unwrap();
    assert!(index.contains("| 6 | 0.25 | 24 | 0.07 | [point-06](point-06/README.md) |"));
}

/// A shard does not depend on the thread count.
#[test]
fn shard_is_the_same_on_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = bundled("qls4131_sweep.toml");
    for threads in ["1", "2"] {
        let args = ["run", file.to_str().unwrap(), "--trials", "300", "--shard", "2/3"];
        run_ok(
            &[&args[..], &["--threads", threads, "--out", threads]].concat(),
            dir.path(),
        );
    }
    let read = |t: &str| fs::read(dir.path().join(t).join("qls4131_sweep/shard-2-of-3.json")).unwrap();
    assert_eq!(read("1"), read("2"));
}

fn merge_error(dir: &Path, args: &[&str]) -> String {
    let out = run_cli(&[&["merge"][..], args, &["--out", "merged"]].concat(), dir);
    assert!(!out.status.success(), "merge {args:?} should fail");
    assert!(!dir.join("merged").exists(), "nothing is written when a merge fails");
    stderr(&out)
}

#[test]
fn merge_refuses_incomplete_or_mixed_sets() {
    let dir = tempfile::tempdir().unwrap();
    let file = bundled("qls4131_escalation.toml");
    let file = file.to_str().unwrap();
    let shard = |i: &str, seed: &str, out: &str| {
        let args = [
            "run", file, "--trials", "60", "--seed", seed, "--shard", i, "--out", out,
        ];
        run_ok(&args, dir.path());
    };
    shard("1/3", "1", "a");
    shard("3/3", "1", "a");
    let e = merge_error(dir.path(), &["a"]);
    assert!(
        e.contains("qls4131_escalation: shards 2 of 3 are missing (found 2 of 3)"),
        "{e}"
    );
    shard("2/3", "2", "b");
    let e = merge_error(dir.path(), &["a", "b"]);
    assert!(e.contains("are not shards of the same run: different seed"), "{e}");
    shard("2/3", "1", "c");
    shard("3/3", "1", "d");
    let e = merge_error(dir.path(), &["a", "c", "d"]);
    assert!(e.contains("shard 3/3 of qls4131_escalation appears twice"), "{e}");
    let e = merge_error(dir.path(), &["empty-does-not-exist"]);
    assert!(e.contains("empty-does-not-exist"), "{e}");
    // A damaged count is caught: the slice's trial count no longer adds up.
    let path = dir.path().join("c/qls4131_escalation/shard-2-of-3.json");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replacen("\"trials\":20,", "\"trials\":21,", 1)).unwrap();
    let e = merge_error(dir.path(), &["a", "c"]);
    assert!(e.contains("damaged shard file"), "{e}");
    fs::write(&path, text.replace("\"format_version\":2", "\"format_version\":3")).unwrap();
    let e = merge_error(dir.path(), &["a", "c"]);
    assert!(
        e.contains("shard format version 3; this trialsim reads version 2"),
        "{e}"
    );
    // A shard of the format before the sums of squares is refused, saying why.
    fs::write(&path, text.replace("\"format_version\":2", "\"format_version\":1")).unwrap();
    let e = merge_error(dir.path(), &["a", "c"]);
    assert!(
        e.contains("version 1, written by an earlier trialsim") && e.contains("run its shard again"),
        "{e}"
    );
    fs::write(
        &path,
        text.replace("\"software_version\":\"", "\"software_version\":\"0.0.0-"),
    )
    .unwrap();
    let e = merge_error(dir.path(), &["a", "c"]);
    assert!(e.contains("written by trialsim 0.0.0-"), "{e}");
    // The complete set merges.
    fs::write(&path, text).unwrap();
    run_ok(&["merge", "a", "c", "--out", "merged"], dir.path());
    assert!(dir.path().join("merged/qls4131_escalation/summary.csv").exists());
}

#[test]
fn shard_refuses_exact_enumeration() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(bundled("qls4131_escalation.toml"))
        .unwrap()
        .replace("[simulation]\n", "[simulation]\nmethod = \"exact\"\n");
    let file = dir.path().join("exact.toml");
    fs::write(&file, text).unwrap();
    let out = run_cli(&["run", file.to_str().unwrap(), "--shard", "1/2"], dir.path());
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("exact enumeration has no trials to split; run it without --shard"),
        "{}",
        stderr(&out)
    );
    let out = run_cli(
        &["run", file.to_str().unwrap(), "--exact", "--shard", "1/2"],
        dir.path(),
    );
    assert!(!out.status.success(), "--exact and --shard conflict");
}

/// An invalid sweep point stops the run before anything is written; commands that take one
/// scenario refuse a sweep by name.
#[test]
fn invalid_sweep_point_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(bundled("qls4131_sweep.toml"))
        .unwrap()
        .replace("max_patients = [24, 36]", "max_patients = [24, 2]");
    let file = dir.path().join("grid.toml");
    fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    let out = run_cli(&["run", file, "--trials", "10", "--out", "o"], dir.path());
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("field `sweep.max_patients`: at the point target = 0.2, max_patients = 2, halfwidth = 0.04"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("o").exists());
    let out = run_cli(&["bench", file, "--trials", "10"], dir.path());
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("field `sweep`: a sweep is many scenarios"),
        "{}",
        stderr(&out)
    );
}
