//! `results.json` holds the same rows as the CSV tables beside it: every table of the folder, its
//! columns, and each cell (numbers as numbers with the CSV's value, empty cells as null).

use crate::common::{run_bundled, run_ok};
use serde_json::Value;
use std::fs;
use std::path::Path;

/// Checks the `results.json` of `dir` against every CSV file of `dir`; the tables checked.
fn check_folder(dir: &Path) -> usize {
    let json: Value = serde_json::from_str(&fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let tables = json.as_object().expect("one object");
    let mut checked = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let rows = tables[stem]
            .as_array()
            .unwrap_or_else(|| panic!("{stem} in {}", dir.display()));
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let headers = reader.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), records.len(), "{}", path.display());
        for (row, record) in rows.iter().zip(&records) {
            let row = row.as_object().unwrap();
            assert_eq!(row.len(), headers.len(), "{}: {row:?}", path.display());
            for (column, cell) in headers.iter().zip(record.iter()) {
                let value = &row[column];
                let same = match value {
                    Value::Null => cell.is_empty(),
                    Value::Number(x) => cell.parse::<f64>().ok() == x.as_f64(),
                    Value::String(s) => s == cell,
                    Value::Bool(b) => b.to_string() == cell,
                    _ => false,
                };
                assert!(same, "{} column {column}: JSON {value} vs CSV {cell:?}", path.display());
            }
        }
        checked += 1;
    }
    assert_eq!(checked, tables.len(), "{}: a JSON table without its CSV", dir.display());
    checked
}

#[test]
fn results_json_holds_the_csv_rows_of_every_kind_of_run() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["qls4131_escalation.toml", "ql1706_es_sclc.toml", "qls4131_sweep.toml"] {
        run_bundled(file, &["--trials", "30", "--seed", "7", "--out", "out"], dir.path());
    }
    let out = dir.path().join("out");
    run_ok(
        &[
            "compare",
            "out/qls4131_escalation",
            "out/qls4131_sweep/point-01",
            "--out",
            "cmp",
        ],
        dir.path(),
    );
    let mut tables = 0;
    for folder in [
        "qls4131_escalation",
        "ql1706_es_sclc",
        "qls4131_sweep",
        "qls4131_sweep/point-01",
    ] {
        tables += check_folder(&out.join(folder));
    }
    tables += check_folder(&dir.path().join("cmp"));
    // escalation 2, single-arm 6, sweep 1, its point 2, comparison 1.
    assert_eq!(tables, 12);
    // A run without calendar time writes no calendar-time column, in either file.
    let summary = fs::read_to_string(out.join("qls4131_escalation/summary.csv")).unwrap();
    let header = summary.lines().next().unwrap();
    assert!(
        header.contains("correct_selection_pct_se") && !header.contains("duration_mean"),
        "{header}"
    );
}
