//! Costly runs are announced or refused up front (issue 17, item 1): each case runs the binary
//! under a 15 s guard and fails if it neither finished nor printed progress or a refusal.

use crate::common::trialsim;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

/// How long a case may run before it must have finished or said something on standard error.
const GUARD: Duration = Duration::from_secs(15);

/// What `trialsim run FILE` did within the guard: its exit status if it finished (`None` if it
/// was killed), and its standard error up to then.
fn run_guarded(file: &Path, out: &Path) -> (Option<i32>, String) {
    let mut child = trialsim()
        .args([
            "run",
            file.to_str().unwrap(),
            "--threads",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("trialsim runs");
    let mut stderr = child.stderr.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 || send.send(String::from_utf8_lossy(&buf[..n]).into_owned()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let started = std::time::Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            while let Ok(chunk) = lines.recv_timeout(Duration::from_millis(200)) {
                seen += &chunk;
            }
            return (status.code(), seen);
        }
        if let Ok(chunk) = lines.recv_timeout(Duration::from_millis(100)) {
            seen += &chunk;
        }
        // A refusal exits by itself; a run that reports its progress is stopped once it has.
        if seen.contains("left") || started.elapsed() > GUARD {
            let _ = child.kill();
            let _ = child.wait();
            return (None, seen);
        }
    }
}

/// A dose-finding scenario with `doses` doses, one truth and the designs `designs` (rule names).
fn scenario(
    dir: &Path,
    name: &str,
    doses: usize,
    max_patients: u32,
    designs: &[&str],
    extra: &str,
) -> std::path::PathBuf {
    let labels: Vec<String> = (1..=doses).map(|i| format!("\"D{i}\"")).collect();
    let dlt: Vec<String> = (0..doses)
        .map(|i| format!("{:.4}", 0.01 + 0.5 * i as f64 / doses as f64))
        .collect();
    let mut text = format!(
        "name = \"{name}\"\nkind = \"dose-finding\"\n[simulation]\ntrials = 10000\nseed = 1\n[trial]\n\
         doses = [{}]\ntarget = 0.25\ncohort_size = 3\nmax_patients = {max_patients}\nstart_dose = 1\n{extra}\
         [[truth]]\nname = \"t\"\ndlt = [{}]\n",
        labels.join(", "),
        dlt.join(", ")
    );
    for rule in designs {
        text += &format!("[[design]]\nname = \"{rule}\"\nrule = \"{rule}\"\n");
        if *rule == "blrm" {
            let amounts: Vec<String> = (0..doses).map(|i| format!("{}", 1.2f64.powi(i as i32))).collect();
            text += &format!(
                "dose_amounts = [{}]\nreference_dose = {}\nmax_escalation = 4\n",
                amounts.join(", "),
                1.2f64.powi(doses as i32 / 2)
            );
        }
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn blrm_over_100_doses_reports_progress_or_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(tmp.path(), "blrm100", 100, 300, &["blrm"], "");
    let (status, stderr) = run_guarded(&file, &tmp.path().join("out"));
    assert!(
        stderr.contains("left") || stderr.contains("error:"),
        "neither progress nor a refusal within {GUARD:?} (status {status:?}): {stderr}"
    );
    assert!(stderr.contains("estimated"), "the estimate is announced: {stderr}");
}

#[test]
fn a_200_by_200_sweep_is_refused_up_front() {
    let tmp = tempfile::tempdir().unwrap();
    let targets: Vec<String> = (0..200).map(|i| format!("{:.4}", 0.15 + 0.0005 * i as f64)).collect();
    let sizes: Vec<String> = (0..200).map(|i| (30 + i).to_string()).collect();
    let sweep = format!(
        "[sweep]\ntarget = [{}]\nmax_patients = [{}]\n",
        targets.join(", "),
        sizes.join(", ")
    );
    let file = scenario(tmp.path(), "grid", 6, 36, &["3+3"], &sweep);
    let out = tmp.path().join("out");
    let (status, stderr) = run_guarded(&file, &out);
    assert!(
        stderr.contains("field `sweep`: has 40000 points (200 × 200 values)"),
        "{status:?}: {stderr}"
    );
    assert!(stderr.contains("1000 allowed"), "{stderr}");
    assert!(!out.join("grid").exists(), "nothing written");
}

#[test]
fn a_moderate_run_prints_no_progress() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(tmp.path(), "moderate", 6, 36, &["boin", "3+3"], "");
    let (status, stderr) = run_guarded(&file, &tmp.path().join("out"));
    assert_eq!(status, Some(0), "{stderr}");
    assert_eq!(stderr, "", "no progress noise on a quick run");
}

#[test]
fn past_the_work_limit_a_run_is_refused_naming_the_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(tmp.path(), "huge", 100, 10_000, &["blrm"], "");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("trials = 10000", "trials = 10000000")).unwrap();
    let (status, stderr) = run_guarded(&file, &tmp.path().join("out"));
    assert_eq!(status, Some(1), "{stderr}");
    for setting in ["--trials", "max_patients", "number of doses", "--shard"] {
        assert!(stderr.contains(setting), "names {setting}: {stderr}");
    }
}

/// Runs `trialsim run FILE --threads 1 --out OUT EXTRA`, sends SIGTERM after 2 s and asserts that it
/// exits like Ctrl-C (130) within [`GUARD`], having written nothing.
fn stops_soon_after_sigterm(file: &Path, out: &Path, extra: &[&str]) {
    let mut child = trialsim()
        .args(["run", file.to_str().unwrap(), "--threads", "1", "--out"])
        .arg(out)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("trialsim runs");
    std::thread::sleep(Duration::from_secs(2));
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let signalled = std::time::Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        if signalled.elapsed() > GUARD {
            let _ = child.kill();
            panic!("still running {GUARD:?} after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(130));
    assert!(
        std::fs::read_dir(out).map_or(true, |mut d| d.next().is_none()),
        "nothing written"
    );
}

/// SIGTERM (like Ctrl-C) stops a costly run before its next trial, not after its block of 256
/// trials (over 2 minutes here before the check moved into the block).
#[test]
fn sigterm_stops_a_costly_run_within_a_trial() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(tmp.path(), "blrm100", 100, 300, &["blrm"], "");
    stops_soon_after_sigterm(&file, &tmp.path().join("out"), &[]);
}

/// SIGTERM stops an exact enumeration too (it ran to its end before: minutes over 100 doses).
#[test]
fn sigterm_stops_an_exact_enumeration() {
    let tmp = tempfile::tempdir().unwrap();
    let file = scenario(tmp.path(), "exact100", 100, 300, &["boin", "keyboard"], "");
    stops_soon_after_sigterm(&file, &tmp.path().join("out"), &["--exact"]);
}
