//! Charts of a run and `trialsim plot` redrawing them.

use crate::common::{run_bundled, run_cli, run_ok, stderr, stdout};
use std::fs;
use std::path::Path;

/// Every chart of a run decodes as a 1600 × 1000 PNG that is not blank, the index lists each
/// one, and `trialsim plot` redraws them from the CSV tables alone, byte for byte.
#[test]
fn charts_are_written_listed_and_redrawn() {
    let dir = tempfile::tempdir().unwrap();
    run_bundled(
        "qls4131_escalation.toml",
        &["--trials", "500", "--out", "c"],
        dir.path(),
    );
    let folder = dir.path().join("c/qls4131_escalation");
    let index = fs::read_to_string(folder.join("README.md")).unwrap();
    let charts: Vec<_> = trialsim::report::charts::DOSE_FINDING_CHARTS
        .iter()
        .map(|(f, _)| *f)
        .collect();
    assert_eq!(charts.len(), 4);
    for chart in &charts {
        assert!(index.contains(&format!("`{chart}`")), "index lacks {chart}");
        assert_chart_drawn(&folder.join(chart));
    }
    assert_redrawn(&folder, &charts, dir.path());
    let out = run_cli(&["plot", "no-such-folder"], dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no-such-folder"), "{}", stderr(&out));
}

/// Removes `charts` from `folder`, redraws them with `trialsim plot` (run in `dir`) and asserts
/// that they come back byte for byte; returns what `plot` printed.
fn assert_redrawn(folder: &Path, charts: &[&str], dir: &Path) -> String {
    let before: Vec<Vec<u8>> = charts.iter().map(|c| fs::read(folder.join(c)).unwrap()).collect();
    for chart in charts {
        fs::remove_file(folder.join(chart)).unwrap();
    }
    let out = run_ok(&["plot", folder.to_str().unwrap()], dir);
    for (chart, bytes) in charts.iter().zip(before) {
        assert_eq!(
            fs::read(folder.join(chart)).unwrap(),
            bytes,
            "{chart} differs when redrawn"
        );
    }
    stdout(&out)
}

/// Decodes a chart: 1600 × 1000, not blank, more than a few colours.
fn assert_chart_drawn(path: &Path) {
    let bytes = fs::read(path).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes)).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), (1600, 1000), "{}", path.display());
    let pixels = &pixels[..info.buffer_size()];
    let non_white = pixels.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count();
    let share = non_white as f64 / (1600.0 * 1000.0);
    assert!(share > 0.01, "{} looks blank ({share:.4})", path.display());
    let distinct: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
    assert!(distinct.len() > 8, "{} uses {} colours", path.display(), distinct.len());
}

/// A single-arm run writes its tables, the four charts drawn from them and an index listing
/// every file; the exact ORR curve of the Simon design equals its exact type I error at p0 and
/// power at p1 (from the Simon search, not from the curve's code); `trialsim plot` redraws the
/// charts byte for byte.
#[test]
fn single_arm_charts_are_written_listed_and_redrawn() {
    use trialsim::report::charts::single_arm::SINGLE_ARM_CHARTS;
    use trialsim::report::single_arm::SINGLE_ARM_FILES;
    let dir = tempfile::tempdir().unwrap();
    run_bundled("ql1706_es_sclc.toml", &["--trials", "2000", "--out", "sa"], dir.path());
    let folder = dir.path().join("sa/ql1706_es_sclc");
    let index = fs::read_to_string(folder.join("README.md")).unwrap();
    for (name, _) in SINGLE_ARM_FILES {
        assert!(folder.join(name).is_file(), "{name} missing");
        assert!(index.contains(&format!("- `{name}`: ")), "index lacks {name}");
    }
    // Six tables, four charts, report.html and the index (SINGLE_ARM_FILES), results.json and
    // the manifest; nothing else (no temporary files).
    assert_eq!(SINGLE_ARM_FILES.len(), 12);
    assert_eq!(fs::read_dir(&folder).unwrap().count(), 14);
    assert_eq!(SINGLE_ARM_CHARTS.len(), 4);
    for (chart, _) in SINGLE_ARM_CHARTS {
        assert_chart_drawn(&folder.join(chart));
    }

    // The ORR curve: 101 grid points per response design, none for the time-to-event designs.
    let simon = trialsim::designs::single_arm::SimonSearch::new(0.6, 0.75, 0.1, 0.2, 56)
        .unwrap()
        .run()
        .unwrap()
        .optimal;
    let mut curve = csv::Reader::from_path(folder.join("orr_curve.csv")).unwrap();
    assert_eq!(
        curve.headers().unwrap().iter().collect::<Vec<_>>(),
        ["design", "true_orr", "promising_pct", "early_stop_pct", "patients_mean"]
    );
    let rows: Vec<csv::StringRecord> = curve.records().map(Result::unwrap).collect();
    for design in ["Simon optimal", "BOP2", "Predictive probability"] {
        assert_eq!(rows.iter().filter(|r| &r[0] == design).count(), 101, "{design}");
    }
    assert!(!rows.iter().any(|r| r[0].contains("OS")));
    let at = |orr: &str, column: usize| -> f64 {
        let row = rows.iter().find(|r| &r[0] == "Simon optimal" && &r[1] == orr).unwrap();
        row[column].parse().unwrap()
    };
    assert!(
        (at("0.60", 2) - 100.0 * simon.alpha).abs() < 6e-4,
        "{} vs {}",
        at("0.60", 2),
        simon.alpha
    );
    assert!(
        (at("0.75", 2) - 100.0 * simon.power).abs() < 6e-4,
        "{} vs {}",
        at("0.75", 2),
        simon.power
    );
    assert!((at("0.60", 3) - 100.0 * simon.pet_p0).abs() < 6e-4);
    assert!((at("0.60", 4) - simon.en_p0).abs() < 6e-5);
    let mut targets = csv::Reader::from_path(folder.join("design_targets.csv")).unwrap();
    let headers = targets.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let targets: Vec<csv::StringRecord> = targets.records().map(Result::unwrap).collect();
    assert_eq!(targets.len(), 7);
    let simon_row = &targets[0];
    assert_eq!(&simon_row[column("design")], "Simon optimal");
    assert_eq!(&simon_row[column("target_power")], "0.8");
    let exact_alpha: f64 = simon_row[column("exact_alpha")].parse().unwrap();
    assert!((exact_alpha - simon.alpha).abs() < 1e-6);
    assert_eq!(&targets[5][column("analysis")], "log-rank");
    assert_eq!(&targets[5][column("null_median")], "10");

    // Five example trials per truth, and the historical control curve.
    let mut km = csv::Reader::from_path(folder.join("km_examples.csv")).unwrap();
    let km: Vec<csv::StringRecord> = km.records().map(Result::unwrap).collect();
    for truth in ["futile (chemo-like)", "promising but toxic"] {
        let trials: std::collections::BTreeSet<&str> = km
            .iter()
            .filter(|r| &r[0] == truth && &r[1] == "simulated")
            .map(|r| r.get(2).unwrap())
            .collect();
        assert_eq!(trials.into_iter().collect::<Vec<_>>(), ["1", "2", "3", "4", "5"]);
    }
    let twelve = km.iter().find(|r| &r[1] == "historical" && &r[3] == "12.0000").unwrap();
    assert_eq!(&twelve[4], "0.4353");

    // The median OS histogram adds up to 100% per truth.
    let mut medians = csv::Reader::from_path(folder.join("median_os.csv")).unwrap();
    let mut totals = std::collections::BTreeMap::<String, f64>::new();
    for r in medians.records() {
        let r = r.unwrap();
        *totals.entry(r[0].to_string()).or_default() += r[3].parse::<f64>().unwrap();
    }
    assert_eq!(totals.len(), 4);
    for (truth, total) in totals {
        assert!((total - 100.0).abs() < 0.05, "{truth}: {total}");
    }

    // Redrawn from the tables alone, byte for byte.
    let charts: Vec<&str> = SINGLE_ARM_CHARTS.iter().map(|(c, _)| *c).collect();
    // The four charts, and results.json rewritten from the tables.
    assert_eq!(assert_redrawn(&folder, &charts, dir.path()).matches("wrote").count(), 5);
}
