//! The comparison's report (`trialsim compare`, issue 16; its dose-optimization tables, issue 14):
//! an HTML parser reads each table back and finds the CSVs' figures with their standard errors,
//! and results.json the same numbers.

use crate::report::{close, find, page, select, value};
use scraper::ElementRef;
use std::fs;
use std::path::Path;

/// A figure cell's printed standard error (`±x`), or none.
fn se_of(cell: ElementRef) -> Option<f64> {
    let se = cell.select(&select("span.se")).next()?;
    Some(
        se.text()
            .collect::<String>()
            .trim_start_matches('±')
            .parse()
            .expect("a number"),
    )
}

/// Checks a comparison's report against its comparison.csv: one row per compared row, each figure
/// and its standard error (the `_se` column) as printed, none for exact rows; and results.json
/// holds the same standard errors. So too its dose-optimization tables, when the comparison has
/// them (`comparison_obd.csv`, `comparison_optimization.csv`), and none when it has not.
pub(crate) fn check_compare(dir: &Path) {
    check_compare_table(dir, "comparison", "table.compare", &[]);
    for (table, figures) in [
        (
            "obd",
            &[
                ("obd_correct_pct", 1),
                ("obd_patients_pct", 1),
                ("overtoxic_patients_pct", 1),
                ("stopped_early_pct", 1),
                ("response_mean", 2),
                ("dlt_mean", 2),
            ],
        ),
        (
            "optimization",
            &[
                ("best_overall_pct", 1),
                ("best_among_arms_pct", 1),
                ("randomized_pct", 1),
                ("patients_mean", 1),
                ("response_mean", 2),
                ("dlt_mean", 2),
            ],
        ),
    ] {
        let file = format!("comparison_{table}");
        let selector = format!("table.compare-section[data-table={table}]");
        if dir.join(format!("{file}.csv")).exists() {
            check_compare_table(dir, &file, &selector, figures);
        } else {
            let html = page(dir);
            assert!(
                html.select(&select(&selector)).next().is_none(),
                "{file}: a table without its file"
            );
        }
    }
}

/// Checks the report's table `selector` against the comparison's table `file` (.csv, and its
/// member of results.json): its `figures` (column, decimals printed), or the main table's.
fn check_compare_table(dir: &Path, file: &str, selector: &str, figures: &[(&str, i32)]) {
    let html = page(dir);
    let doc = html.root_element();
    let mut reader = csv::Reader::from_path(dir.join(format!("{file}.csv"))).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let main: [(&str, i32); 4] = if headers.iter().any(|h| h == "correct_selection_pct") {
        [
            ("correct_selection_pct", 1),
            ("overdose_selection_pct", 1),
            ("stopped_early_pct", 1),
            ("patients_mean", 1),
        ]
    } else {
        [
            ("promising_pct", 1),
            ("futility_stop_pct", 1),
            ("toxicity_stop_pct", 1),
            ("patients_mean", 1),
        ]
    };
    let figures = if figures.is_empty() { &main[..] } else { figures };
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    let json_rows = json[file].as_array().unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(json_rows.len(), records.len(), "{file}: results.json");
    let table = doc.select(&select(selector)).next().expect("the table");
    assert_eq!(table.select(&select("tr[data-run]")).count(), records.len());
    for (record, json_row) in records.iter().zip(json_rows) {
        let (run, truth, design) = (&record[at("scenario")], &record[at("truth")], &record[at("design")]);
        let attrs = [("data-run", run), ("data-truth", truth), ("data-design", design)];
        let tr = find(table, "tr", &attrs).unwrap_or_else(|| panic!("no row {attrs:?}"));
        let cells: Vec<ElementRef> = tr.select(&select("td")).skip(4).collect();
        assert_eq!(cells.len(), figures.len(), "{file}: {attrs:?}");
        let exact = &record[at("trials")] == "exact";
        for (cell, &(figure, decimals)) in cells.into_iter().zip(figures) {
            let what = format!("{}: {file}: {run} / {truth} / {design}: {figure}", dir.display());
            let csv: f64 = record[at(figure)].parse().unwrap();
            close(value(cell), csv, decimals, &what);
            assert_eq!(json_row[figure].as_f64(), Some(csv), "{what}: results.json");
            let se_column = format!("{figure}_se");
            let se: f64 = record[at(&se_column)].parse().unwrap();
            assert_eq!(json_row[&se_column].as_f64(), Some(se), "{what}: results.json");
            match se_of(cell) {
                Some(shown) => close(shown, se, decimals, &what),
                None => assert!(exact, "{what}: a simulated figure without its SE"),
            }
        }
    }
}
