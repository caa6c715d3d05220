//! Tidy outputs (issue 16, item 2): a calendar-time run writes the columns of a feature (step-up,
//! CRS, backfill, expansion, responses and RP2D, TEAE) only when the scenario uses it, judged on
//! the scenario's settings and not on the values: a feature in use whose figures are all 0 keeps
//! its columns. Charts follow the columns (no RP2D or regimen chart without them), and every
//! column written keeps its name.

use crate::common::{root, run_ok};
use std::fs;
use std::path::Path;

/// A calendar-time scenario with only DLT curves; `design` is added to its one design and
/// `extra` to its `[trial]` table.
fn scenario(dir: &Path, name: &str, design: &str, extra: &str) -> String {
    let text = format!(
        "name = \"{name}\"\n[simulation]\ntrials = 40\nseed = 7\n[trial]\ndoses = [\"D1\", \"D2\", \"D3\"]\n\
         target = 0.3\ncohort_size = 3\nmax_patients = 12\n{extra}\n[timing]\narrival = {{ rate = 2.0 }}\n\
         dlt_window = 1.0\n[[truth]]\nname = \"t\"\ndlt = [0.1, 0.3, 0.5]\n[[design]]\nname = \"BOIN\"\n\
         rule = \"boin\"\n{design}\n"
    );
    let path = dir.join(format!("{name}.toml"));
    fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// The header of a CSV file.
fn header(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    text.lines().next().unwrap().split(',').map(str::to_string).collect()
}

/// The cells of column `column` of a CSV file.
fn column(path: &Path, column: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let i = reader.headers().unwrap().iter().position(|h| h == column).unwrap();
    reader.records().map(|r| r.unwrap()[i].to_string()).collect()
}

/// Columns of each feature, in `summary.csv` and `oc_by_dose.csv` (their `_se` columns too).
const FEATURE_COLUMNS: [&str; 17] = [
    "step_up_patients_mean",
    "step_up_dlt_mean",
    "step_up_patients_pct",
    "selected_step_up_pct",
    "correct_as_given_pct",
    "overdose_selection_as_given_pct",
    "crs_dlt_mean",
    "backfill_patients_mean",
    "expansion_patients_mean",
    "response_mean",
    "teae_mean",
    "teae_incidence",
    "teae_ci_lower_mean",
    "teae_ci_upper_mean",
    "rp2d_pct",
    "rp2d_correct_pct",
    "rp2d_none_pct",
];

#[test]
fn calendar_runs_write_only_the_columns_of_the_features_they_use() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let plain = scenario(tmp.path(), "plain", "", "");
    // Step-up after a CRS-type DLT, with no truth giving CRS-type DLTs: in use, never given.
    let step_up = scenario(tmp.path(), "step_up", "step_up = { after_crs = true }", "");
    let backfill = scenario(
        tmp.path(),
        "backfill",
        "backfill = { max_per_dose = 3 }",
        "total_patients = 18",
    );
    run_ok(
        &["run", &plain, &step_up, &backfill, "--out", out.to_str().unwrap()],
        &root(),
    );
    let columns = |run: &str| -> Vec<String> {
        let dir = out.join(run);
        [header(&dir.join("summary.csv")), header(&dir.join("oc_by_dose.csv"))].concat()
    };
    let has = |run: &str, c: &str| columns(run).iter().any(|h| h == c);
    // Without any feature: the calendar's own columns only.
    for c in FEATURE_COLUMNS.iter().chain(&["correct_rp2d"]) {
        assert!(!has("plain", c), "plain: {c}");
        assert!(!has("plain", &format!("{c}_se")), "plain: {c}_se");
    }
    for c in [
        "duration_mean",
        "duration_median_se",
        "waited_mean",
        "turned_away_mean_se",
    ] {
        assert!(has("plain", c), "plain: {c}");
    }
    let charts = |run: &str| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(out.join(run))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".png"))
            .collect();
        names.sort();
        names
    };
    assert!(charts("plain").contains(&"duration.png".to_string()));
    assert!(!charts("plain").iter().any(|c| c == "rp2d.png" || c == "regimen.png"));
    // Step-up in use keeps its columns, every figure 0, and its chart.
    let summary = out.join("step_up/summary.csv");
    for c in ["step_up_patients_pct", "selected_step_up_pct", "correct_as_given_pct"] {
        assert!(has("step_up", c) && has("step_up", &format!("{c}_se")), "step_up: {c}");
    }
    assert!(column(&summary, "step_up_patients_pct").iter().all(|v| v == "0.000"));
    assert!(column(&out.join("step_up/oc_by_dose.csv"), "step_up_patients_mean")
        .iter()
        .all(|v| v == "0.0000"));
    assert!(charts("step_up").contains(&"regimen.png".to_string()));
    for c in [
        "crs_dlt_mean",
        "backfill_patients_mean",
        "teae_mean",
        "rp2d_pct",
        "response_mean",
    ] {
        assert!(!has("step_up", c), "step_up: {c}");
    }
    // Backfill and expansion: their columns and no others.
    for c in ["backfill_patients_mean", "expansion_patients_mean"] {
        assert!(
            has("backfill", c) && has("backfill", &format!("{c}_se")),
            "backfill: {c}"
        );
    }
    for c in ["step_up_patients_mean", "teae_mean", "rp2d_pct"] {
        assert!(!has("backfill", c), "backfill: {c}");
    }
    // The columns every run writes are the same, in the same order.
    let shared: Vec<String> = columns("plain");
    let backfill_columns = columns("backfill");
    let kept: Vec<&String> = backfill_columns.iter().filter(|c| shared.contains(c)).collect();
    assert_eq!(kept, shared.iter().collect::<Vec<_>>());
}

/// The bundled calendar-time scenario uses every feature: every feature column is written.
#[test]
fn the_bundled_calendar_run_keeps_every_feature_column() {
    let dir = root().join("tests/recorded/run/files/qls4131_full");
    let columns = [header(&dir.join("summary.csv")), header(&dir.join("oc_by_dose.csv"))].concat();
    for c in FEATURE_COLUMNS {
        assert!(columns.iter().any(|h| h == c), "{c}");
    }
}
