//! `trialsim compare`.

use crate::common::{run_bundled, run_cli, run_ok, stderr};
use std::fs;

/// `trialsim compare` stacks runs' summaries under a scenario column and draws one chart; runs of
/// different kinds are refused.
#[test]
fn compare_runs_across_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let (escalation, single_arm) = ("qls4131_escalation.toml", "ql1706_es_sclc.toml");
    for (file, out) in [(escalation, "a"), (escalation, "b"), (single_arm, "s")] {
        run_bundled(file, &["--trials", "300", "--out", out], dir.path());
    }
    run_ok(
        &[
            "compare",
            "a/qls4131_escalation",
            "b/qls4131_escalation",
            "--out",
            "cmp",
        ],
        dir.path(),
    );
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
    run_ok(&["compare", "s/ql1706_es_sclc", "--out", "sa"], dir.path());
}

/// A sweep's folder compares as its points, each named by its swept settings.
#[test]
fn compare_a_sweep_folder_by_point() {
    let dir = tempfile::tempdir().unwrap();
    run_bundled("qls4131_sweep.toml", &["--trials", "100", "--out", "o"], dir.path());
    run_ok(&["compare", "o/qls4131_sweep", "--out", "cmp"], dir.path());
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
