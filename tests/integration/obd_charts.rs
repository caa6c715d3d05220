//! The dose-optimization charts (issue 14, item 3): `obd.png` in every run (and sweep point) with
//! phase I/II designs and in no other run; `comparison_obd.png` in a comparison exactly when it
//! writes `comparison_obd.csv`. Each is a valid 1600 × 1000 PNG, listed in its folder's README.md
//! and manifest.json, and drawn from the tables only (`trialsim plot` redraws it byte for byte).

use crate::common::{bundled, root, run_ok};
use crate::report::check_index;
use std::fs;
use std::path::Path;

/// The width and height in a PNG's header, after checking its signature and first chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}: a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR", "{}: its header chunk", path.display());
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

/// Whether the folder's manifest.json lists `file`.
fn in_manifest(dir: &Path, file: &str) -> bool {
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    manifest["files"].as_array().unwrap().iter().any(|f| f["path"] == file)
}

/// `file` in `dir`: present, a 1600 × 1000 PNG and in the manifest, when `expected`; else absent
/// from both.
fn check_chart(dir: &Path, file: &str, expected: bool) {
    let path = dir.join(file);
    assert_eq!(path.exists(), expected, "{}", path.display());
    assert_eq!(in_manifest(dir, file), expected, "{}: manifest", path.display());
    if expected {
        assert_eq!(png_size(&path), (1600, 1000), "{}", path.display());
    }
}

#[test]
fn obd_charts_are_drawn_exactly_for_phase_one_two_designs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Four phase I/II designs (BOIN12, EffTox, U-BOIN, BOIN12 + randomized) and BOIN; one
    // (EffTox alone); a sweep over the second's sample size; and a toxicity-only run.
    let efftox = root().join("tests/fixtures/parity/efftox-clintrials-thall2014/scenario.toml");
    let swept = tmp.path().join("efftox_sweep.toml");
    let text = fs::read_to_string(&efftox).unwrap();
    fs::write(&swept, format!("{text}\n[sweep]\nmax_patients = [21, 39]\n")).unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_string();
    let (optimization, escalation) = (
        bundled("qls4131_dose_optimization.toml"),
        bundled("qls4131_escalation.toml"),
    );
    run_ok(
        &[
            "run",
            &path(&optimization),
            &path(&efftox),
            &path(&swept),
            &path(&escalation),
            "--trials",
            "40",
            "--threads",
            "2",
            "--out",
            &path(&out),
        ],
        &root(),
    );
    let (phase_one_two, single, sweep, tox) = (
        out.join("qls4131_dose_optimization"),
        out.join("scenario"),
        out.join("efftox_sweep"),
        out.join("qls4131_escalation"),
    );
    for (run, has) in [(&phase_one_two, true), (&single, true), (&tox, false)] {
        check_chart(run, "obd.png", has);
        assert_eq!(run.join("obd_by_dose.csv").exists(), has, "{}", run.display());
        check_index(run);
    }
    for point in ["point-1", "point-2"] {
        check_chart(&sweep.join(point), "obd.png", true);
        check_index(&sweep.join(point));
    }
    assert_ne!(
        fs::read(sweep.join("point-1/obd.png")).unwrap(),
        fs::read(sweep.join("point-2/obd.png")).unwrap(),
        "each point's own chart"
    );

    // Drawn from the tables only: `plot` redraws the same bytes.
    let drawn = fs::read(phase_one_two.join("obd.png")).unwrap();
    run_ok(&["plot", &path(&phase_one_two)], &root());
    assert_eq!(
        fs::read(phase_one_two.join("obd.png")).unwrap(),
        drawn,
        "plot redraws it"
    );

    // compare: the chart comes with comparison_obd.csv, and only then.
    let compared = tmp.path().join("compared");
    run_ok(
        &[
            "compare",
            &path(&tox),
            &path(&phase_one_two),
            &path(&sweep),
            "--out",
            &path(&compared),
        ],
        &root(),
    );
    assert!(compared.join("comparison_obd.csv").exists());
    check_chart(&compared, "comparison_obd.png", true);
    check_chart(&compared, "comparison.png", true);
    let plain = tmp.path().join("plain");
    run_ok(&["compare", &path(&tox), "--out", &path(&plain)], &root());
    assert!(!plain.join("comparison_obd.csv").exists());
    check_chart(&plain, "comparison_obd.png", false);
    check_chart(&plain, "comparison.png", true);
}
