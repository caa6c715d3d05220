//! `report.html` (issue 16): every bundled scenario's run folder has one; an HTML parser reads
//! each truth's table back and finds the CSVs' figures (dose-finding, calendar time, single-arm,
//! each point of a sweep, and comparisons with their standard errors); each folder's README.md
//! lists every file it holds; names in any script reach the SVG charts
//! as characters; a design keeps its colour across runs; and the fixes (`plot` on a
//! sweep folder, `compare` labels, 3+3's toxicity stops).

use crate::common::{bundled, root, run_ok};
use crate::report_compare::check_compare;
use scraper::{ElementRef, Html, Selector};
use std::fs;
use std::path::Path;
use trialsim::report::colours::{css, design_colours};
use trialsim::results::single_arm::SingleArmSummaryRow;
use trialsim::results::{read_rows, OcByDoseRow, SummaryRow};

pub(crate) fn select(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

pub(crate) fn page(dir: &Path) -> Html {
    let text = fs::read_to_string(dir.join("report.html")).expect("report.html in the run folder");
    let html = Html::parse_document(&text);
    // Self-contained: no stylesheet, script, image or frame fetched from anywhere.
    for external in ["link", "script", "img", "iframe", "object", "[src]"] {
        assert!(
            html.select(&select(external)).next().is_none(),
            "{}: <{external}>",
            dir.display()
        );
    }
    html
}

/// The element below `root` matching `selector` whose attributes `attrs` have the given values.
pub(crate) fn find<'a>(root: ElementRef<'a>, selector: &str, attrs: &[(&str, &str)]) -> Option<ElementRef<'a>> {
    root.select(&select(selector))
        .find(|e| attrs.iter().all(|(k, v)| e.value().attr(k) == Some(v)))
}

/// The printed value of a figure cell (`<span class="v">`).
pub(crate) fn value(cell: ElementRef) -> f64 {
    let v = cell.select(&select("span.v")).next().expect("a figure");
    v.text().collect::<String>().parse().expect("a number")
}

pub(crate) fn close(printed: f64, csv: f64, decimals: i32, what: &str) {
    let half = 0.5 * 10f64.powi(-decimals) + 1e-9;
    assert!((printed - csv).abs() <= half, "{what}: report {printed}, CSV {csv}");
}

/// Checks every truth's tables of a dose-finding run folder against its CSVs.
fn check_dose_finding(dir: &Path) {
    let html = page(dir);
    let doc = html.root_element();
    let by_dose: Vec<OcByDoseRow> = read_rows(&dir.join("oc_by_dose.csv")).unwrap();
    let summary: Vec<SummaryRow> = read_rows(&dir.join("summary.csv")).unwrap();
    let mut truths: Vec<&str> = summary.iter().map(|s| s.lead.truth.as_str()).collect();
    truths.dedup();
    let tables: Vec<String> = doc
        .select(&select("table.oc"))
        .map(|t| t.value().attr("data-truth").unwrap().to_string())
        .collect();
    assert_eq!(tables, truths, "{}: one table per truth, in order", dir.display());
    for r in &by_dose {
        let oc = &r.oc;
        let table = find(doc, "table.oc", &[("data-truth", &oc.truth)]).unwrap();
        let dose = oc.dose.to_string();
        let what = format!("{}: {} / {} / dose {}", dir.display(), oc.truth, oc.design, oc.dose);
        let true_dlt = find(table, "tr[data-row=true_dlt] td", &[("data-dose", &dose)]).unwrap();
        let shown: f64 = true_dlt.text().collect::<String>().parse().unwrap();
        let own = find(table, "tr[data-row=own_dlt]", &[("data-design", &oc.design)]);
        let own = own.and_then(|row| find(row, "td", &[("data-dose", &dose)]));
        let own: Option<f64> = own.map(|c| c.text().collect::<String>().parse().unwrap());
        assert_eq!(own.unwrap_or(shown), oc.true_dlt.0, "{what}: true P(DLT)");
        for (row, csv, decimals) in [
            ("selected", oc.selected_pct.0, 1),
            ("patients", oc.patients_mean.0, 2),
            ("dlts", oc.dlt_mean.0, 2),
        ] {
            let tr = find(table, "tr", &[("data-design", &oc.design), ("data-row", row)]).unwrap();
            let cell = find(tr, "td", &[("data-dose", &dose)]).unwrap();
            close(value(cell), csv, decimals, &format!("{what}: {row}"));
        }
    }
    for s in &summary {
        let l = &s.lead;
        let what = format!("{}: {} / {}", dir.display(), l.truth, l.design);
        let table = find(doc, "table.oc", &[("data-truth", &l.truth)]).unwrap();
        let tr = find(table, "tr", &[("data-design", &l.design), ("data-row", "selected")]).unwrap();
        close(
            value(find(tr, "td", &[("data-dose", "none")]).unwrap()),
            l.stopped_early_pct.0,
            1,
            &what,
        );
        let outcomes = find(doc, "table.outcomes", &[("data-truth", &l.truth)]).unwrap();
        let tr = find(outcomes, "tr", &[("data-design", &l.design)]).unwrap();
        for (col, csv, decimals) in [
            ("correct", l.correct_selection_pct.0, 1),
            ("early_stop", l.stopped_early_pct.0, 1),
            ("mean_n", l.patients_mean.0, 1),
        ] {
            let cell = find(tr, "td", &[("data-col", col)]).unwrap();
            close(value(cell), csv, decimals, &format!("{what}: {col}"));
            // A simulated figure carries its standard error; an exact one none.
            let se = cell.select(&select("span.se")).next().is_some();
            assert_eq!(se, l.trials.to_string() != "exact", "{what}: {col}'s precision");
        }
    }
}

/// Checks a single-arm run folder's tables against its summary.csv.
fn check_single_arm(dir: &Path) {
    let html = page(dir);
    let doc = html.root_element();
    let summary: Vec<SingleArmSummaryRow> = read_rows(&dir.join("summary.csv")).unwrap();
    for s in &summary {
        let table = find(doc, "table.oc", &[("data-truth", &s.truth)]).unwrap();
        let tr = find(table, "tr", &[("data-design", &s.design)]).unwrap();
        for (col, csv, decimals) in [
            ("promising_pct", s.promising_pct.0, 1),
            ("futility_stop_pct", s.futility_stop_pct.0, 1),
            ("toxicity_stop_pct", s.toxicity_stop_pct.0, 1),
            ("patients_mean", s.patients_mean.0, 1),
        ] {
            let cell = find(tr, "td", &[("data-col", col)]).unwrap();
            close(
                value(cell),
                csv,
                decimals,
                &format!("{} / {}: {col}", s.truth, s.design),
            );
        }
    }
}

/// The folder's README.md lists every file and folder the folder holds, and only those (issue
/// 16: it missed results.json); read from the folder itself, so the index cannot drift.
pub(crate) fn check_index(dir: &Path) {
    let readme = fs::read_to_string(dir.join("README.md")).unwrap();
    let section = readme.split("\n## Files\n").nth(1).expect("a Files section");
    let section = section.split("\n## ").next().unwrap();
    let listed: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("- `")?.split('`').next())
        .collect();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let listed_as = if entry.path().is_dir() {
            // A folder by its pattern: `point-*/`.
            listed
                .iter()
                .any(|l| l.strip_suffix("*/").is_some_and(|prefix| name.starts_with(prefix)))
        } else {
            listed.contains(&name.as_str())
        };
        assert!(
            listed_as,
            "{}: {name} is not in README.md's files {listed:?}",
            dir.display()
        );
    }
    for name in listed.iter().filter(|l| !l.ends_with("*/")) {
        assert!(
            dir.join(name).is_file(),
            "{}: README.md lists {name}, absent",
            dir.display()
        );
    }
}

#[test]
fn every_bundled_run_folder_has_a_report_whose_tables_match_the_csvs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let files: Vec<String> = [
        "qls4131_escalation.toml",
        "qls4131_full.toml",
        "ql1706_es_sclc.toml",
        "qls4131_sweep.toml",
    ]
    .iter()
    .map(|f| bundled(f).to_str().unwrap().to_string())
    .collect();
    let mut args = vec!["run"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--trials", "120", "--threads", "2", "--out", out.to_str().unwrap()]);
    run_ok(&args, &root());
    check_dose_finding(&out.join("qls4131_escalation"));
    check_dose_finding(&out.join("qls4131_full"));
    check_single_arm(&out.join("ql1706_es_sclc"));
    for run in ["qls4131_escalation", "qls4131_full", "ql1706_es_sclc", "qls4131_sweep"] {
        check_index(&out.join(run));
    }
    // Comparisons of both kinds, a sweep standing for its points.
    let compared = tmp.path().join("compared");
    let run = |name: &str| out.join(name).to_str().unwrap().to_string();
    let (escalation, full, sweep) = (run("qls4131_escalation"), run("qls4131_full"), run("qls4131_sweep"));
    run_ok(
        &[
            "compare",
            &escalation,
            &full,
            &sweep,
            "--out",
            compared.to_str().unwrap(),
        ],
        &root(),
    );
    check_compare(&compared);
    let single_arm = run("ql1706_es_sclc");
    run_ok(&["compare", &single_arm, "--out", compared.to_str().unwrap()], &root());
    check_compare(&compared);
    // A sweep: its own page links every point's report, and each point's tables match.
    let sweep = out.join("qls4131_sweep");
    let html = page(&sweep);
    let links: Vec<String> = html
        .select(&select("table.points a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(links.len(), 12);
    for link in links {
        let point = sweep.join(link.trim_end_matches("/report.html"));
        check_dose_finding(&point);
        check_index(&point);
    }
    // The exact run says so instead of giving standard errors.
    let exact = tmp.path().join("exact");
    run_ok(
        &[
            "run",
            &files[0],
            "--exact",
            "--threads",
            "2",
            "--out",
            exact.to_str().unwrap(),
        ],
        &root(),
    );
    check_dose_finding(&exact.join("qls4131_escalation"));
    // Exact rows compared: their figures say exact, with no standard error.
    let exact_compared = tmp.path().join("exact_compared");
    let exact_run = exact.join("qls4131_escalation");
    run_ok(
        &[
            "compare",
            exact_run.to_str().unwrap(),
            "--out",
            exact_compared.to_str().unwrap(),
        ],
        &root(),
    );
    check_compare(&exact_compared);
}

#[test]
fn names_in_any_script_reach_the_charts_and_a_design_keeps_its_colour() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = |file: &str, designs: &[&str]| {
        let mut text = String::from(
            "name = \"中文 报告\"\n[simulation]\ntrials = 60\n[trial]\ndoses = [\"剂量1\", \"剂量2\", \"剂量3\"]\n\
             target = 0.3\ncohort_size = 3\nmax_patients = 18\n[[truth]]\nname = \"低毒性 🙂\"\ndlt = [0.1, 0.3, 0.5]\n",
        );
        for d in designs {
            text += &format!("[[design]]\nname = \"{d}\"\nrule = \"boin\"\n");
        }
        let path = tmp.path().join(file);
        fs::write(&path, text).unwrap();
        path
    };
    let one = scenario("one.toml", &["剂量递增 BOIN 🚀", "BOIN"]);
    let two = scenario("two.toml", &["other", "BOIN", "剂量递增 BOIN 🚀"]);
    let out = tmp.path().join("out");
    for file in [&one, &two] {
        run_ok(
            &["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()],
            tmp.path(),
        );
    }
    let colour_of = |dir: &str, design: &str| {
        let html = page(&out.join(dir));
        let row = find(html.root_element(), "table.designs tr", &[("data-design", design)]).unwrap();
        let swatch = row.select(&select("i.swatch")).next().unwrap();
        swatch.value().attr("style").unwrap().to_string()
    };
    let html = page(&out.join("one"));
    let texts: String = html
        .select(&select("svg text"))
        .flat_map(|t| t.text())
        .collect::<Vec<_>>()
        .join("|");
    for name in ["剂量递增 BOIN 🚀", "低毒性 🙂", "剂量2"] {
        assert!(texts.contains(name), "{name} not in the SVG text: {texts}");
    }
    // The SVG names no bundled font: the reader's fonts draw the characters.
    let svg = html.select(&select("svg")).next().unwrap();
    assert!(svg.value().attr("font-family").unwrap().contains("Noto Sans CJK SC"));
    // Each design's colour is its own, whatever the other designs and their order.
    for design in ["剂量递增 BOIN 🚀", "BOIN"] {
        assert_eq!(colour_of("one", design), colour_of("two", design), "{design}");
    }
    let expected = css(design_colours(&["剂量递增 BOIN 🚀", "BOIN"])[1]);
    assert_eq!(colour_of("one", "BOIN"), format!("background: {expected}"));
}

/// Issue 16: `plot` failed on a sweep folder.
#[test]
fn plot_redraws_every_point_of_a_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sweep = bundled("qls4131_sweep.toml");
    run_ok(
        &[
            "run",
            sweep.to_str().unwrap(),
            "--trials",
            "30",
            "--threads",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
        &root(),
    );
    let dir = out.join("qls4131_sweep");
    let before = crate::common::files_below(&dir);
    let plotted = run_ok(&["plot", dir.to_str().unwrap()], &root());
    let said = String::from_utf8_lossy(&plotted.stdout);
    assert!(said.contains("point-01") && said.contains("point-12"), "{said}");
    // The same tables draw the same charts: the folder is unchanged, its manifests still hold.
    assert_eq!(before, crate::common::files_below(&dir));
    run_ok(
        &[
            "compare",
            dir.to_str().unwrap(),
            "--out",
            tmp.path().join("c").to_str().unwrap(),
        ],
        &root(),
    );
}

/// Issue 16: `compare` gave two runs of one scenario (under different `--out`) the same label.
#[test]
fn compare_labels_runs_of_one_scenario_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let file = bundled("qls4131_escalation.toml");
    for (out, seed) in [("a", "1"), ("b", "2")] {
        let out = tmp.path().join(out);
        run_ok(
            &[
                "run",
                file.to_str().unwrap(),
                "--trials",
                "30",
                "--seed",
                seed,
                "--out",
                out.to_str().unwrap(),
            ],
            &root(),
        );
    }
    let c = tmp.path().join("c");
    run_ok(
        &[
            "compare",
            "a/qls4131_escalation",
            "b/qls4131_escalation",
            "--out",
            c.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let text = fs::read_to_string(c.join("comparison.csv")).unwrap();
    assert!(
        text.contains("\na/qls4131_escalation,") && text.contains("\nb/qls4131_escalation,"),
        "{text}"
    );
    let html = page(&c);
    let runs: Vec<String> = html
        .select(&select("table.compare tr[data-run]"))
        .map(|r| r.value().attr("data-run").unwrap().to_string())
        .collect();
    assert!(runs.contains(&"a/qls4131_escalation".to_string()) && runs.contains(&"b/qls4131_escalation".to_string()));
}

/// Issue 16: 3+3's toxicity stops were filed as design_complete (stop_too_toxic_pct 0).
#[test]
fn three_plus_three_files_its_toxicity_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let file = bundled("qls4131_escalation.toml");
    run_ok(
        &[
            "run",
            file.to_str().unwrap(),
            "--exact",
            "--out",
            tmp.path().to_str().unwrap(),
        ],
        &root(),
    );
    let summary: Vec<SummaryRow> = read_rows(&tmp.path().join("qls4131_escalation/summary.csv")).unwrap();
    let row = summary
        .iter()
        .find(|s| s.lead.truth == "all-too-toxic" && s.lead.design == "3+3")
        .unwrap();
    // Every trial that selects no dose stopped for toxicity (3+3 has no other way to select none).
    assert!(row.details.stop_too_toxic_pct.0 > 50.0);
    close(
        row.details.stop_too_toxic_pct.0,
        row.details.selected_none_pct.0,
        3,
        "3+3 all-too-toxic",
    );
}

/// The dose-optimization section (issue 14, item 3): a run with phase I/II designs prints, per
/// truth and design, the true utility per dose with the true OBD marked, the OBD selection % and
/// the mean responses per dose, and the OBD outcomes, each equal to obd_by_dose.csv and
/// obd_summary.csv as an HTML parser reads them back; a toxicity-only run has no such section.
#[test]
fn obd_section_matches_the_obd_csvs() {
    use trialsim::results::obd::{ObdByDoseRow, ObdSummaryRow};
    let tmp = tempfile::tempdir().unwrap();
    let file = bundled("qls4131_dose_optimization.toml");
    let out = tmp.path().join("out");
    let args = [
        "run",
        file.to_str().unwrap(),
        "--trials",
        "60",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    run_ok(&args, &root());
    let dir = out.join("qls4131_dose_optimization");
    check_dose_finding(&dir);
    check_index(&dir);
    let html = page(&dir);
    let doc = html.root_element();
    let by_dose: Vec<ObdByDoseRow> = read_rows(&dir.join("obd_by_dose.csv")).unwrap();
    let summary: Vec<ObdSummaryRow> = read_rows(&dir.join("obd_summary.csv")).unwrap();
    assert_eq!(
        by_dose.len(),
        3 * 4 * 5,
        "3 truths × BOIN12, EffTox, BOIN12 + randomized, U-BOIN × 5 doses"
    );
    assert!(find(doc, "tr", &[("data-design", "BOIN"), ("data-row", "true_utility")]).is_none());
    for r in &by_dose {
        let what = format!("{} / {} / dose {}", r.truth, r.design, r.dose);
        let table = find(doc, "table.obd", &[("data-truth", &r.truth)]).expect("a table per truth");
        let dose = r.dose.to_string();
        let row = |name: &str| {
            let tr = find(table, "tr", &[("data-design", &r.design), ("data-row", name)]).unwrap();
            find(tr, "td", &[("data-dose", &dose)]).unwrap()
        };
        let utility = row("true_utility");
        let shown: f64 = utility.text().collect::<String>().parse().unwrap();
        close(shown, r.true_utility.0, 3, &format!("{what}: true utility"));
        assert_eq!(
            utility.value().attr("class") == Some("correct"),
            r.true_obd.0,
            "{what}: OBD"
        );
        close(
            value(row("selected")),
            r.selected_pct.0,
            1,
            &format!("{what}: selection"),
        );
        close(
            value(row("responses")),
            r.response_mean.0,
            2,
            &format!("{what}: responses"),
        );
    }
    for s in &summary {
        let what = format!("{} / {}", s.truth, s.design);
        let table = find(doc, "table.obd-outcomes", &[("data-truth", &s.truth)]).unwrap();
        let tr = find(table, "tr", &[("data-design", &s.design)]).unwrap();
        for (col, csv, decimals) in [
            ("obd_correct", s.obd_correct_pct.0, 1),
            ("obd_patients", s.obd_patients_pct.0, 1),
            ("overtoxic_patients", s.overtoxic_patients_pct.0, 1),
            ("responses", s.response_mean.0, 2),
            ("dlts", s.dlt_mean.0, 2),
            ("no_acceptable", s.stop_no_acceptable_dose_pct.0, 1),
        ] {
            let cell = find(tr, "td", &[("data-col", col)]).unwrap();
            close(value(cell), csv, decimals, &format!("{what}: {col}"));
        }
        let obd = by_dose
            .iter()
            .find(|r| r.truth == s.truth && r.design == s.design && r.true_obd.0)
            .unwrap();
        assert_eq!(s.true_obd.to_string(), obd.dose.to_string(), "{what}");
    }
    let text = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(text.contains("<h2 id=\"obd\">"));
    let toxicity_only =
        fs::read_to_string(root().join("tests/recorded/run/files/qls4131_escalation/report.html")).unwrap();
    assert!(!toxicity_only.contains("id=\"obd\""));
}
