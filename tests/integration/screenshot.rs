//! `scripts/screenshot.sh` (issue 16): renders a run's report.html with headless Chromium, a
//! manual check not run in CI; without Chromium it must fail and say so.

use crate::common::root;
use std::fs;
use std::path::Path;

/// `scripts/screenshot.sh` fails with a message naming what it needs when it has no Chromium (or
/// no report), rather than succeeding silently.
#[test]
fn screenshot_script_fails_clearly_without_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let script = root().join("scripts/screenshot.sh");
    let shot = |dir: &Path| {
        std::process::Command::new("sh")
            .arg(&script)
            .arg(dir)
            .arg(tmp.path().join("shot.png"))
            .env("CHROMIUM", "/nonexistent/chromium")
            .output()
            .unwrap()
    };
    let no_report = shot(tmp.path());
    assert!(!no_report.status.success());
    assert!(String::from_utf8_lossy(&no_report.stderr).contains("report.html"));
    fs::write(tmp.path().join("report.html"), "<html></html>").unwrap();
    let no_browser = shot(tmp.path());
    assert!(!no_browser.status.success());
    let said = String::from_utf8_lossy(&no_browser.stderr);
    assert!(
        said.contains("CHROMIUM=/nonexistent/chromium") && said.contains("no screenshot"),
        "{said}"
    );
    assert!(!tmp.path().join("shot.png").exists());
}
