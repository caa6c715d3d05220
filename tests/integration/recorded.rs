//! Recorded outputs: every bundled scenario (simulated at a fixed number of trials and seed, and
//! exact where the scenario allows), shards merged, charts redrawn, `compare`, `boundaries`,
//! `simon`, `survival-size` and `next`, compared byte for byte with the files recorded in
//! `tests/recorded/` before the crate was restructured (the architecture issue's guard rail).
//!
//! A recorded file is never rewritten to make this test pass. When a change of results is
//! intended, it is named in the commit message and the README, and the fixtures are recorded
//! again with `TRIALSIM_RECORD=1 cargo test --release recorded`.
//! Text files are stored whole; PNG charts as a 64-bit FNV-1a hash of their bytes
//! (`charts.txt`), to keep the repository small.

use crate::common::{root, run_cli, stderr, stdout};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One recorded command: its arguments (run from the repository root, `{out}` replaced by a
/// temporary folder), and whether its standard output is part of the record.
struct Case {
    name: &'static str,
    commands: Vec<Vec<String>>,
    stdout: bool,
    /// A case whose files must equal another case's recorded files (e.g. merged shards).
    same_files_as: Option<&'static str>,
}

fn args(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

fn case(name: &'static str, lines: &[&str], stdout: bool) -> Case {
    Case {
        name,
        commands: lines.iter().map(|l| args(l)).collect(),
        stdout,
        same_files_as: None,
    }
}

const SCENARIOS: &str = "scenarios/qls4131_escalation.toml scenarios/qls4131_full.toml \
                         scenarios/ql1706_es_sclc.toml scenarios/qls4131_sweep.toml \
                         scenarios/qls4131_dose_optimization.toml scenarios/qls4131_calendar_obd.toml";

fn cases() -> Vec<Case> {
    let run = format!("run {SCENARIOS} --trials 400 --seed 20261201 --threads 2 --out {{out}}");
    let shard = |i: u32, threads: u32| {
        format!("run {SCENARIOS} --trials 400 --seed 20261201 --threads {threads} --shard {i}/3 --out {{out}}/shards")
    };
    let mut merged = case(
        "merged",
        &[
            &shard(1, 1),
            &shard(2, 2),
            &shard(3, 1),
            "merge {out}/shards --out {out}",
        ],
        false,
    );
    merged.same_files_as = Some("run");
    // `next` for every design of both dose-finding scenarios, on histories that escalate,
    // de-escalate, stop and go beyond the design's rules.
    let histories = [
        "1NNN",
        "1NNN 2NTN",
        "1NNN 2NNN 3NTT",
        "1NNN 2NNN 3NNN 4TTN 3NNT",
        "1NNN 2TTT 3NNN",
        "1TTT 2NNN",
        "1NNN 2NTT 3NNN",
        "1TTN",
        "1NNN 2NNN 3NNN 4NNN 5NTN 6TTT 5NNN",
    ];
    let mut next = Vec::new();
    for (scenario, designs) in [
        (
            "scenarios/qls4131_escalation.toml",
            &[
                "3+3",
                "3+3 Korn",
                "BOIN",
                "CRM",
                "Keyboard",
                "mTPI-2",
                "i3+3",
                "BOIN titration",
                "BLRM",
            ][..],
        ),
        (
            "scenarios/qls4131_full.toml",
            &["3+3", "BOIN", "TITE-BOIN", "CRM", "TITE-CRM"][..],
        ),
    ] {
        for design in designs {
            for history in histories {
                next.push(vec![
                    "next".to_string(),
                    "--scenario".to_string(),
                    scenario.to_string(),
                    "--design".to_string(),
                    design.to_string(),
                    "--outcomes".to_string(),
                    history.to_string(),
                ]);
            }
        }
    }
    vec![
        case("run", &[&run], false),
        merged,
        case(
            "exact",
            &["run scenarios/qls4131_escalation.toml scenarios/qls4131_sweep.toml --exact --threads 2 --out {out}"],
            false,
        ),
        case(
            "plot",
            &[
                "run scenarios/qls4131_escalation.toml scenarios/qls4131_full.toml scenarios/ql1706_es_sclc.toml --trials 300 --out {out}",
                "plot {out}/qls4131_escalation",
                "plot {out}/qls4131_full",
                "plot {out}/ql1706_es_sclc",
            ],
            false,
        ),
        case(
            "compare",
            &[
                "run scenarios/qls4131_escalation.toml scenarios/qls4131_full.toml scenarios/qls4131_sweep.toml --trials 300 --out {out}/runs",
                "compare {out}/runs/qls4131_escalation {out}/runs/qls4131_full {out}/runs/qls4131_sweep --out {out}/comparison",
            ],
            false,
        ),
        case(
            "boundaries",
            &[
                "boundaries --target 0.25 --max-patients 36 --csv {out}/boin.csv",
                "boundaries --target 0.3 --phi1 0.2 --phi2 0.4 --cohort-size 2 --max-patients 20",
                "boundaries --rule keyboard --target 0.25 --max-patients 36 --csv {out}/keyboard.csv",
                "boundaries --rule mtpi2 --target 0.3 --max-patients 30 --csv {out}/mtpi2.csv",
                "boundaries --rule i3+3 --target 0.3 --epsilon1 0.05 --epsilon2 0.1 --csv {out}/i3.csv",
                "boundaries --rule boin --target 0.2 --cutoff-eliminate 0.9 --max-patients 24",
            ],
            true,
        ),
        case(
            "simon",
            &[
                "simon --p0 0.2 --p1 0.4 --alpha 0.05 --beta 0.2 --csv {out}/simon.csv",
                "simon --p0 0.6 --p1 0.75 --alpha 0.1 --beta 0.2 --csv {out}/ql1706.csv",
                "simon --p0 0.05 --p1 0.25 --alpha 0.1 --beta 0.1",
            ],
            true,
        ),
        case(
            "survival_size",
            &[
                "survival-size --median0 10 --median1 15 --accrual 18 --followup 12 --n 56",
                "survival-size --median0 9 --hazard-ratio 0.5714 --shape 1.22 --accrual 5 --followup 3",
            ],
            true,
        ),
        Case {
            name: "next",
            commands: next,
            stdout: true,
            same_files_as: None,
        },
    ]
}

/// Every file below `dir`, by path relative to it; PNG files by their hash.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let name = path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                if name.contains("shard-") {
                    continue;
                }
                out.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// 64-bit FNV-1a.
fn fnv(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf29ce484222325, |h, &b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

/// What a case produced, as the files of its record: text files whole, `charts.txt` with the
/// hashes of the PNG files, `stdout.txt` with each command's standard output.
fn produce(case: &Case) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.to_str().unwrap();
    let mut transcript = String::new();
    for command in &case.commands {
        let command: Vec<String> = command.iter().map(|a| a.replace("{out}", out)).collect();
        let refs: Vec<&str> = command.iter().map(String::as_str).collect();
        let output = run_cli(&refs, &root());
        assert!(
            output.status.success(),
            "{}: trialsim {command:?}: {}",
            case.name,
            stderr(&output)
        );
        if case.stdout {
            let shown: Vec<String> = command.iter().map(|a| a.replace(out, "{out}")).collect();
            transcript += &format!(
                "$ trialsim {}\n{}\n",
                shown.join(" "),
                stdout(&output).replace(out, "{out}")
            );
        }
    }
    let mut record = BTreeMap::new();
    let mut charts = String::new();
    for (name, bytes) in files(&out_dir) {
        if name.ends_with(".png") {
            charts += &format!("{name} {:016x}\n", fnv(&bytes));
        } else {
            record.insert(format!("files/{name}"), bytes);
        }
    }
    if !charts.is_empty() {
        record.insert("charts.txt".to_string(), charts.into_bytes());
    }
    if case.stdout {
        record.insert("stdout.txt".to_string(), transcript.into_bytes());
    }
    record
}

fn recorded_dir(name: &str) -> PathBuf {
    root().join("tests").join("recorded").join(name)
}

#[test]
fn restructured_program_reproduces_the_recorded_outputs() {
    let recording = std::env::var_os("TRIALSIM_RECORD").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let produced = produce(&case);
        let dir = recorded_dir(case.same_files_as.unwrap_or(case.name));
        if recording && case.same_files_as.is_none() {
            let _ = fs::remove_dir_all(&dir);
            for (name, bytes) in &produced {
                let path = dir.join(name);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, bytes).unwrap();
            }
            continue;
        }
        let recorded = files(&dir);
        assert!(
            !recorded.is_empty(),
            "{}: nothing recorded in {}",
            case.name,
            dir.display()
        );
        let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
        if names(&recorded) != names(&produced) {
            failures.push(format!(
                "{}: files differ: recorded {:?}, produced {:?}",
                case.name,
                names(&recorded),
                names(&produced)
            ));
            continue;
        }
        for (name, bytes) in &recorded {
            if &produced[name] != bytes {
                failures.push(format!(
                    "{}: {name} differs from {}",
                    case.name,
                    dir.join(name).display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
