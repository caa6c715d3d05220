//! Dose-optimization OCs in `compare` and sweeps (issue 14, item 3): `comparison_obd.csv` and
//! `comparison_optimization.csv` stack the compared runs' own `obd_summary.csv` and
//! `optimization_summary.csv` rows (every cell, `_se` columns included) under each run's name;
//! `sweep_obd.csv` and `sweep_optimization.csv` hold each point's rows under the point's settings,
//! equal to single runs of the scenario with those settings; the tables appear only when some run
//! has phase I/II designs or randomized stages; reports and results.json carry them.

use crate::common::{bundled, root, run_ok};
use crate::report::check_index;
use crate::report_compare::check_compare;
use std::fs;
use std::path::Path;

/// The header and records of a CSV file.
fn table_of(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap().iter().map(str::to_string).collect();
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, records)
}

/// The bundled dose-optimization scenario with every randomized stage's `n_per_arm` set to `n`
/// (and the exact sample-size search cut at 20 per arm, for speed), as `dir/<stem>.toml`, with
/// `sweep` appended.
fn variant(dir: &Path, stem: &str, n: u32, sweep: &str) -> String {
    let text = fs::read_to_string(bundled("qls4131_dose_optimization.toml")).unwrap();
    assert_eq!(text.matches("n_per_arm = 20,").count(), 2, "two randomized stages");
    let text = text.replace("n_per_arm = 20,", &format!("n_per_arm = {n}, max_n_per_arm = 20,"));
    let path = dir.join(format!("{stem}.toml"));
    fs::write(&path, format!("{text}\n{sweep}")).unwrap();
    path.to_str().unwrap().to_string()
}

/// `stacked`'s rows whose leading columns (`lead` of them) are `key`, without those columns:
/// they must be the run's own table, header and every cell.
fn check_stacked(stacked: &Path, lead: &[&str], key: &[&str], own: &Path) {
    let (headers, records) = table_of(stacked);
    let (own_headers, own_records) = table_of(own);
    assert_eq!(headers[..lead.len()], *lead, "{}", stacked.display());
    assert_eq!(
        headers[lead.len()..],
        own_headers,
        "{}: the run's columns",
        stacked.display()
    );
    let rows: Vec<&[String]> = records
        .iter()
        .filter(|r| r[..key.len()] == *key)
        .map(|r| &r[lead.len()..])
        .collect();
    assert!(!own_records.is_empty());
    assert_eq!(rows, own_records, "{}: rows of {key:?}", stacked.display());
}

/// The sweep's report prints, in its table `table`, every row's `figure` of `sweep_<table>.csv`
/// with its standard error, under the point, the truth and the design's column.
fn check_sweep_report(sweep: &Path, table: &str, figure: &str) {
    use scraper::{Html, Selector};
    let select = |s: &str| Selector::parse(s).unwrap();
    let html = Html::parse_document(&fs::read_to_string(sweep.join("report.html")).unwrap());
    let section = html
        .select(&select(&format!("table.sweep-section[data-table={table}]")))
        .next()
        .unwrap_or_else(|| panic!("no {table} table"));
    let designs: Vec<String> = section
        .select(&select("th"))
        .skip(2)
        .map(|th| th.text().collect())
        .collect();
    let (headers, records) = table_of(&sweep.join(format!("sweep_{table}.csv")));
    let at = |c: &str| headers.iter().position(|h| h == c).unwrap();
    let text = |e: scraper::ElementRef, s: &str| -> Option<f64> {
        let t: String = e.select(&select(s)).next()?.text().collect();
        Some(t.trim_start_matches('±').parse().unwrap())
    };
    for r in &records {
        let (point, truth, design) = (&r[at("point")], &r[at("truth")], &r[at("design")]);
        let tr = section
            .select(&select("tr"))
            .find(|tr| tr.value().attr("data-point") == Some(point) && tr.value().attr("data-truth") == Some(truth))
            .unwrap_or_else(|| panic!("{table}: no row {point} / {truth}"));
        let column = designs.iter().position(|d| d == design).unwrap();
        let cell = tr.select(&select("td")).nth(2 + column).unwrap();
        let what = format!("{table}: {point} / {truth} / {design}");
        let (value, se): (f64, f64) = (
            r[at(figure)].parse().unwrap(),
            r[at(&format!("{figure}_se"))].parse().unwrap(),
        );
        assert!((text(cell, "span.v").unwrap() - value).abs() <= 0.05 + 1e-9, "{what}");
        assert!(
            (text(cell, "span.se").expect("its SE") - se).abs() <= 0.05 + 1e-9,
            "{what}: SE"
        );
    }
}

#[test]
fn compare_and_sweeps_carry_the_dose_optimization_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let n10 = variant(tmp.path(), "optimization_n10", 10, "");
    let n20 = variant(tmp.path(), "optimization_n20", 20, "");
    let swept = variant(tmp.path(), "optimization_sweep", 20, "[sweep]\nn_per_arm = [10, 20]\n");
    let escalation = bundled("qls4131_escalation.toml");
    let args = [
        "run",
        &n10,
        &n20,
        &swept,
        escalation.to_str().unwrap(),
        "--trials",
        "40",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    run_ok(&args, &root());
    let run = |name: &str| out.join(name);
    let path = |name: &str| run(name).to_str().unwrap().to_string();

    // compare: each run's own rows, under its name, in files of their own.
    let compared = tmp.path().join("compared");
    let (a, b, tox) = (
        path("optimization_n10"),
        path("optimization_n20"),
        path("qls4131_escalation"),
    );
    run_ok(&["compare", &tox, &a, &b, "--out", compared.to_str().unwrap()], &root());
    for (stacked, own) in [
        ("comparison_obd.csv", "obd_summary.csv"),
        ("comparison_optimization.csv", "optimization_summary.csv"),
    ] {
        for name in ["optimization_n10", "optimization_n20"] {
            check_stacked(&compared.join(stacked), &["scenario"], &[name], &run(name).join(own));
        }
        let (_, records) = table_of(&compared.join(stacked));
        assert!(
            records.iter().all(|r| r[0] != "qls4131_escalation"),
            "no rows of a toxicity-only run"
        );
    }
    // The randomized stages differ between the runs: 10 or 20 patients per arm.
    let (headers, stages) = table_of(&compared.join("comparison_optimization.csv"));
    let settings = headers.iter().position(|h| h == "settings").unwrap();
    for (name, n) in [
        ("optimization_n10", "n_per_arm = 10"),
        ("optimization_n20", "n_per_arm = 20"),
    ] {
        let rows: Vec<&Vec<String>> = stages.iter().filter(|r| r[0] == name).collect();
        assert!(
            !rows.is_empty() && rows.iter().all(|r| r[settings].contains(n)),
            "{name}"
        );
    }
    check_compare(&compared);
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(compared.join("results.json")).unwrap()).unwrap();
    for member in ["comparison", "comparison_obd", "comparison_optimization"] {
        assert!(json[member].is_array(), "results.json: {member}");
    }

    // Toxicity-only runs compared: no dose-optimization table, no such section.
    let plain = tmp.path().join("plain");
    run_ok(&["compare", &tox, "--out", plain.to_str().unwrap()], &root());
    for file in ["comparison_obd.csv", "comparison_optimization.csv"] {
        assert!(!plain.join(file).exists(), "{file} for a toxicity-only run");
    }
    check_compare(&plain);

    // A sweep over n_per_arm: each point's rows are the single run's with that n per arm.
    let sweep = run("optimization_sweep");
    check_index(&sweep);
    for (point, single) in [("1", "optimization_n10"), ("2", "optimization_n20")] {
        let n = if point == "1" { "10" } else { "20" };
        for (stacked, own) in [
            ("sweep_obd.csv", "obd_summary.csv"),
            ("sweep_optimization.csv", "optimization_summary.csv"),
        ] {
            let lead = ["point", "n_per_arm"];
            check_stacked(&sweep.join(stacked), &lead, &[point, n], &run(single).join(own));
            let point_dir = sweep.join(format!("point-{point}"));
            check_stacked(&sweep.join(stacked), &lead, &[point, n], &point_dir.join(own));
        }
    }
    check_sweep_report(&sweep, "obd", "obd_correct_pct");
    check_sweep_report(&sweep, "optimization", "best_overall_pct");
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(sweep.join("results.json")).unwrap()).unwrap();
    assert_eq!(json["sweep_obd"][0]["point"].as_f64(), Some(1.0));
    assert!(json["sweep_optimization"][0]["best_overall_pct_se"].is_number());

    // A sweep's folder compared: its points' dose-optimization rows, labelled by point.
    let by_point = tmp.path().join("by_point");
    run_ok(
        &["compare", sweep.to_str().unwrap(), "--out", by_point.to_str().unwrap()],
        &root(),
    );
    let label = "optimization_sweep point 1: n_per_arm=10";
    check_stacked(
        &by_point.join("comparison_obd.csv"),
        &["scenario"],
        &[label],
        &run("optimization_n10").join("obd_summary.csv"),
    );
    check_compare(&by_point);
}
