//! `[random_truths]`: OCs over pseudo-uniform random curves (Clertant & O'Quigley 2017). The
//! generator's law and the per-curve counts and averages are tested in the library
//! (`scenario::random_truths`, `run::random_truths`); here: the same bytes whatever the threads
//! and shards, the report's section against the CSV, the console lines, and bad keys refused.

use crate::common::{files_below, root, run_ok, stdout};
use scraper::{Html, Selector};
use std::path::{Path, PathBuf};
use trialsim::results::random_truths::RandomTruthsRow;
use trialsim::results::read_rows;
use trialsim::scenario::Scenario;

fn fixture() -> PathBuf {
    root().join("tests/fixtures/random_truths/scenario.toml")
}

/// The fixture run with `extra` arguments into `out` (created).
fn run(out: &Path, extra: &[&str]) -> String {
    std::fs::create_dir_all(out).unwrap();
    let file = fixture();
    let args = [&["run", file.to_str().unwrap(), "--trials", "60", "--seed", "7"], extra].concat();
    stdout(&run_ok(&[&args[..], &["--out", out.to_str().unwrap()]].concat(), out))
}

/// One thread, two threads, and two shards on different threads merged: the same files.
#[test]
fn same_bytes_whatever_the_threads_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two, merged) = (
        dir.path().join("one"),
        dir.path().join("two"),
        dir.path().join("merged"),
    );
    let console = run(&one, &["--threads", "1"]);
    run(&two, &["--threads", "2"]);
    let shards = merged.join("shards");
    run(&shards, &["--threads", "1", "--shard", "1/2"]);
    run(&shards, &["--threads", "2", "--shard", "2/2"]);
    let out = merged.join("out");
    run_ok(
        &["merge", shards.to_str().unwrap(), "--out", out.to_str().unwrap()],
        &merged,
    );
    let files = files_below(&one.join("scenario"));
    assert!(files.contains_key(Path::new("random_truths.csv")));
    assert!(files.contains_key(Path::new("random_truths_curves.csv")));
    assert_eq!(files, files_below(&two.join("scenario")));
    assert_eq!(files, files_below(&out.join("scenario")));
    // The console lists each design's mean correct selection over the curves.
    let rows: Vec<RandomTruthsRow> = read_rows(&one.join("scenario/random_truths.csv")).unwrap();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let line = console
            .lines()
            .find(|l| l.contains("random curves") && l.contains(&row.design));
        let line = line.unwrap_or_else(|| panic!("no console line for {}:\n{console}", row.design));
        assert!(line.contains(&format!("{:.1}", row.correct_pct_mean.0)), "{line}");
    }
}

/// The report's random-truths table gives each design's CSV figures, ranked by mean correct
/// selection, and its box plot draws one box per design.
#[test]
fn report_section_matches_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["--threads", "2"]);
    let folder = dir.path().join("scenario");
    let rows: Vec<RandomTruthsRow> = read_rows(&folder.join("random_truths.csv")).unwrap();
    let html = Html::parse_document(&std::fs::read_to_string(folder.join("report.html")).unwrap());
    let line = Selector::parse("table.random-truths tr[data-design]").unwrap();
    let cell = |col: &str| Selector::parse(&format!("td[data-col=\"{col}\"] span.v")).unwrap();
    let text = |e: scraper::ElementRef, col: &str| e.select(&cell(col)).next().unwrap().text().collect::<String>();
    let mut previous = f64::INFINITY;
    let lines: Vec<_> = html.select(&line).collect();
    assert_eq!(lines.len(), rows.len());
    for e in lines {
        let design = e.value().attr("data-design").unwrap();
        let row = rows.iter().find(|r| r.design == design).unwrap();
        assert_eq!(text(e, "correct"), format!("{:.1}", row.correct_pct_mean.0));
        assert_eq!(text(e, "overdose"), format!("{:.1}", row.overdose_pct_mean.0));
        assert_eq!(text(e, "mtd_patients"), format!("{:.2}", row.mtd_patients_mean.0));
        assert!(row.correct_pct_mean.0 <= previous, "ranked by mean correct selection");
        previous = row.correct_pct_mean.0;
    }
    let boxes = Selector::parse("h2#random-truths ~ svg g[data-design] rect").unwrap();
    assert_eq!(html.select(&boxes).count(), rows.len());
}

/// Each bad key is refused before any work, naming the field.
#[test]
fn bad_keys_are_refused() {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let cases = [
        ("doses = 6", "doses = 5", "random_truths.doses"),
        (
            "method = \"pseudo-uniform\"",
            "method = \"paoletti\"",
            "random_truths.method",
        ),
        ("curves = 200", "curves = 1", "random_truths.curves"),
        ("seed = 2017", "seed = -1", "random_truths.seed"),
        ("seed = 2017", "seed = 2017\ntarget = 1.2", "random_truths.target"),
        ("seed = 2017", "seed = 2017\nspread = 2", "random_truths"),
        ("trials = 500", "trials = 500\nmethod = \"exact\"", "random_truths"),
    ];
    for (from, to, field) in cases {
        let bad = text.replacen(from, to, 1);
        let error = Scenario::parse(&bad, Path::new("bad.toml")).expect_err(to);
        let message = error.to_string();
        assert!(message.contains(field), "{to}: {message}");
    }
}

/// `plot DIR --scenario FILE` redraws `report.html` (here deleted) as the run wrote it, and
/// refuses a scenario that does not give the folder's tables, leaving the folder as it was.
#[test]
fn plot_redraws_the_report_from_its_scenario() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["--threads", "2"]);
    let folder = dir.path().join("scenario");
    let report = folder.join("report.html");
    let before = std::fs::read(&report).unwrap();
    std::fs::remove_file(&report).unwrap();
    let (f, s) = (folder.to_str().unwrap(), fixture());
    run_ok(
        &["plot", f, "--scenario", s.to_str().unwrap(), "--threads", "1"],
        dir.path(),
    );
    assert_eq!(std::fs::read(&report).unwrap(), before);
    let other = dir.path().join("other.toml");
    let text = std::fs::read_to_string(fixture())
        .unwrap()
        .replacen("curves = 200", "curves = 199", 1);
    std::fs::write(&other, text).unwrap();
    let files = files_below(&folder);
    let out = crate::common::run_cli(&["plot", f, "--scenario", other.to_str().unwrap()], dir.path());
    assert!(!out.status.success());
    assert!(crate::common::stderr(&out).contains("does not give this folder's tables"));
    assert_eq!(files_below(&folder), files);
    let left = std::fs::read_dir(dir.path()).unwrap();
    assert!(
        left.flatten()
            .all(|e| !e.file_name().to_string_lossy().contains(".plot-")),
        "a scratch folder left"
    );
}
