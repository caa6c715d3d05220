//! Parity with the authors' software (issue 19): every folder `tests/fixtures/parity/<id>/` holds a
//! trialsim scenario and the operating characteristics that a reference implementation (usually
//! the design authors' R package) gives for it. This test runs each scenario in-process and
//! compares every reference row; R is never needed.
//!
//! A folder holds (the shared format of `/work/notes/common.md`):
//! - `scenario.toml`: a trialsim scenario (dose-finding or single-arm) whose truths and design
//!   names are the ones `reference.csv` names; its `[simulation]` trials and seed are what runs.
//! - `reference.csv`: columns exactly `truth,design,metric,dose,value,se`; `se` is the reference's
//!   Monte Carlo standard error (0 marks an exact quantity). Metrics:
//!   - `selected_pct` (dose `1..K` or `none`): % of trials selecting the dose (no dose);
//!   - `patients_mean`, `dlt_mean`, `backfill_patients_mean` (dose `1..K` or `total`): per-trial
//!     means of patients treated, DLTs, backfilled patients;
//!   - `stopped_early_pct` (dose empty): % of trials stopping without selecting a dose
//!     (single-arm: without reaching the final analysis);
//!   - `duration_mean` (dose empty): mean trial duration in months (calendar-time scenarios and
//!     single-arm ones);
//!   - `type1_error_pct`, `power_pct` (dose empty): % of single-arm trials declaring the regimen
//!     promising, under a null or an alternative truth;
//!   - `boundary` (dose = the number of patients at a look of a single-arm design that counts
//!     responses; `se` must be 0): the largest response count that stops the trial at that look
//!     (at the last look: that does not declare the regimen promising), −1 when none does, as
//!     clinfun's r1 and r or BOP2's printed futility boundaries; compared exactly.
//!
//!   In an exact reference (`trials = 0`) a single-arm row with `se = 0` of `type1_error_pct`,
//!   `power_pct`, `stopped_early_pct` or `patients_mean` total is the exact operating
//!   characteristic of the design's boundaries at the truth's ORR (every enrolled patient assessed
//!   at each look, no toxicity monitoring: `Boundaries::oc`), compared to 1e-9 (percentages in %).
//! - `source.toml`: `software`, `version`, `r_version`, `trials` (0 for an exact reference),
//!   `seed`, `call` (the exact R calls) and `notes` (how the two codes' settings correspond).
//! - `reference.R`: the R script that wrote `reference.csv` (for a reference in Python:
//!   `reference.py`, with `python_version` instead of `r_version` in `source.toml`).
//!
//! A folder may instead hold only `source.toml` with `design` and `unavailable = "reason"`: a
//! design whose reference could not be run; it is listed in the table with its reason. A
//! `source.toml` may also give `known_difference = "what differs"`: a difference of rules found,
//! reported and not yet resolved; the folder is compared and listed with its worst |z| and this
//! note, and its rows are not asserted.
//!
//! Each row is compared by z = (trialsim − reference) / √(se_ref² + se_trialsim²), where
//! se_trialsim is trialsim's own standard error when its results carry one (binomial for
//! percentages, the sample SD of the sample size or duration over √trials) and otherwise
//! se_ref · √(trials_ref / trials_trialsim). A simulated percentage of 0 or 100 (se 0 by the
//! binomial formula) counts as 0.5 trial away from it for its SE. Every |z| must be below 4; a
//! row exact on both sides (se 0 in an exact reference, trialsim's exact enumeration) must agree
//! to 1e-9. With `PARITY_TABLE=path` set, the Markdown table of the README's "Parity with the
//! authors' software" section is written to `path` (see `scripts/parity.sh`).

mod fixture;

use crate::common::root;
use fixture::{bad, read_reference, read_source, DoseKey, Reference, Source};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use trialsim::designs::single_arm::{Analysis, Boundaries};
use trialsim::results::{Method, OcRow, OcTable};
use trialsim::run::{simulate_scenario, simulate_single_arm, RunOptions};
use trialsim::scenario::AnyScenario;

/// The bound on |z| for a simulated row.
const Z_BOUND: f64 = 4.0;
/// The tolerance of a row exact on both sides.
const EXACT_TOLERANCE: f64 = 1e-9;

/// trialsim's figure for one reference row: its value, its standard error when the results carry
/// one, and whether it is exact.
struct Ours {
    value: f64,
    se: Option<f64>,
    trials: u64,
    exact: bool,
}

/// One compared row.
struct Compared {
    truth: String,
    design: String,
    what: String,
    ours: f64,
    reference: f64,
    /// None: exact on both sides (and equal).
    z: Option<f64>,
}

/// A binomial standard error of a percentage over `trials` trials; 0 and 100 count as half a
/// trial away from the bound.
fn percent_se(pct: f64, trials: u64) -> f64 {
    let n = trials as f64;
    let p = (pct / 100.0).clamp(0.5 / n, 1.0 - 0.5 / n);
    100.0 * (p * (1.0 - p) / n).sqrt()
}

/// trialsim's figure for `r` in a dose-finding row.
fn dose_finding_value(row: &OcRow, r: &Reference) -> Result<Ours, String> {
    let (trials, exact) = match row.method {
        Method::Simulated { trials } => (trials, false),
        Method::Exact { .. } => (0, true),
    };
    let per_dose = |values: &dyn Fn(usize) -> f64| match r.dose {
        DoseKey::Level(d) => values(d - 1),
        _ => (0..row.true_dlt.len()).map(values).sum(),
    };
    let backfill = |d: usize| row.timing.as_ref().map(|t| t.doses[d].backfill_patients_mean);
    let duration = row.timing.as_ref().map(|t| t.duration_mean);
    let (value, se) = match r.metric.as_str() {
        "selected_pct" => match r.dose {
            DoseKey::Level(d) => (100.0 * row.oc.selected[d - 1], None),
            _ => (100.0 * row.oc.selected_none, None),
        },
        "stopped_early_pct" => (row.stopped_early_pct(), None),
        "patients_mean" if r.dose == DoseKey::Total => (
            row.total_patients_mean(),
            Some(row.total_patients_sd() / (trials.max(1) as f64).sqrt()),
        ),
        "patients_mean" => (per_dose(&|d| row.oc.patients[d]), None),
        "dlt_mean" => (per_dose(&|d| row.oc.dlts[d]), None),
        "backfill_patients_mean" if backfill(0).is_some() => (per_dose(&|d| backfill(d).unwrap_or(0.0)), None),
        "duration_mean" if duration.is_some() => (duration.unwrap_or_default(), None),
        m => return Err(format!("metric `{m}` has no value in this dose-finding run")),
    };
    let se = if exact {
        Some(0.0)
    } else if r.metric.ends_with("_pct") {
        Some(percent_se(value, trials))
    } else {
        se
    };
    Ok(Ours {
        value,
        se,
        trials,
        exact,
    })
}

/// Runs the folder's scenario and finds trialsim's figure for every reference row.
fn our_values(
    folder: &Path,
    scenario: &AnyScenario,
    rows: &[Reference],
    exact_reference: bool,
) -> Result<Vec<Ours>, String> {
    let options = RunOptions {
        trials: None,
        seed: None,
        threads: 2,
        exact: false,
    };
    let find = |truth: &str, design: &str, r: &Reference, names: &[(String, String)]| {
        names
            .iter()
            .position(|(t, d)| t == truth && d == design)
            .ok_or_else(|| {
                bad(
                    folder,
                    "reference.csv",
                    format!(
                        "line {}: no truth `{truth}` × design `{design}` in scenario.toml",
                        r.line
                    ),
                )
            })
    };
    let at_line = |r: &Reference, e: String| bad(folder, "reference.csv", format!("line {}: {e}", r.line));
    match scenario {
        AnyScenario::DoseFinding(s) => {
            let table: OcTable = simulate_scenario(s, &options, &|_| {})
                .map_err(|e| bad(folder, "scenario.toml", e))?
                .0;
            let names: Vec<_> = table.rows.iter().map(|r| (r.truth.clone(), r.design.clone())).collect();
            rows.iter()
                .map(|r| {
                    let row = &table.rows[find(&r.truth, &r.design, r, &names)?];
                    dose_finding_value(row, r).map_err(|e| at_line(r, e))
                })
                .collect()
        }
        AnyScenario::SingleArm(s) => {
            let table = simulate_single_arm(s, &options, &|_| {}).map_err(|e| bad(folder, "scenario.toml", e))?;
            let names: Vec<_> = table.rows.iter().map(|r| (r.truth.clone(), r.design.clone())).collect();
            rows.iter()
                .map(|r| {
                    let at = find(&r.truth, &r.design, r, &names)?;
                    let spec = s
                        .designs
                        .iter()
                        .find(|d| d.name == r.design)
                        .expect("a design of the run");
                    let boundaries = match spec.design.analysis() {
                        Analysis::Responses(b) => Some(b),
                        _ => None,
                    };
                    let orr = s
                        .truths
                        .iter()
                        .find(|t| t.name() == r.truth)
                        .expect("a truth of the run")
                        .orr();
                    if let Some(exact) = single_arm_exact(r, boundaries, orr, exact_reference) {
                        return exact.map_err(|e| at_line(r, e));
                    }
                    let s = &table.rows[at].summary;
                    let root_n = (s.trials.max(1) as f64).sqrt();
                    let (value, se) = match (r.metric.as_str(), r.dose) {
                        ("type1_error_pct" | "power_pct", _) => {
                            (100.0 * s.promising, percent_se(100.0 * s.promising, s.trials))
                        }
                        ("stopped_early_pct", _) => {
                            let pct = 100.0 * (1.0 - s.completed);
                            (pct, percent_se(pct, s.trials))
                        }
                        ("patients_mean", DoseKey::Total) => (s.mean_patients, s.sd_patients / root_n),
                        ("duration_mean", _) => (s.mean_duration, s.sd_duration / root_n),
                        (m, d) => {
                            return Err(at_line(
                                r,
                                format!("metric `{m}` ({d:?}) has no value in a single-arm run"),
                            ))
                        }
                    };
                    Ok(Ours {
                        value,
                        se: Some(se),
                        trials: s.trials,
                        exact: false,
                    })
                })
                .collect()
        }
    }
}

/// trialsim's exact figure for a single-arm row, when it has one: a `boundary`, or in an exact
/// reference a row with se 0 of an operating characteristic of the design's boundaries at the
/// truth's ORR. None: the row is compared with the simulation.
fn single_arm_exact(
    r: &Reference,
    boundaries: Option<&Boundaries>,
    orr: f64,
    exact_reference: bool,
) -> Option<Result<Ours, String>> {
    let exact = |value: f64| Ours {
        value,
        se: Some(0.0),
        trials: 0,
        exact: true,
    };
    let no_boundaries = || Err(format!("design `{}` does not count responses at fixed looks", r.design));
    if let DoseKey::Look(n) = r.dose {
        let Some(b) = boundaries else {
            return Some(no_boundaries());
        };
        return Some(match b.looks().iter().position(|&look| look == n) {
            Some(k) => Ok(exact(f64::from(b.min_responses()[k]) - 1.0)),
            None => Err(format!(
                "design `{}` has no look at {n} patients (looks {:?})",
                r.design,
                b.looks()
            )),
        });
    }
    let exact_oc = matches!(
        (r.metric.as_str(), r.dose),
        ("type1_error_pct" | "power_pct" | "stopped_early_pct", _) | ("patients_mean", DoseKey::Total)
    );
    if !(exact_reference && r.se == 0.0 && exact_oc) {
        return None;
    }
    let Some(b) = boundaries else {
        return Some(no_boundaries());
    };
    let oc = b.oc(orr);
    Some(Ok(exact(match r.metric.as_str() {
        "stopped_early_pct" => 100.0 * oc.early_stop,
        "patients_mean" => oc.expected_n,
        _ => 100.0 * oc.reject,
    })))
}

/// The number of doses of a scenario (1 for a single-arm one).
fn doses(scenario: &AnyScenario) -> usize {
    match scenario {
        AnyScenario::DoseFinding(s) => s.trial.doses.len(),
        AnyScenario::SingleArm(_) => 1,
    }
}

/// Compares one folder: every reference row against trialsim's run of its scenario.
fn compare_folder(folder: &Path, source: &Source) -> Result<Vec<Compared>, String> {
    let scenario = AnyScenario::load(&folder.join("scenario.toml")).map_err(|e| bad(folder, "scenario.toml", e))?;
    if !folder.join("reference.R").is_file() && !folder.join("reference.py").is_file() {
        return Err(bad(
            folder,
            "reference.R",
            "missing (the script that wrote reference.csv; reference.py for a Python reference)",
        ));
    }
    let exact_reference = source.trials == 0;
    let rows = read_reference(folder, doses(&scenario))?;
    let ours = our_values(folder, &scenario, &rows, exact_reference)?;
    let mut compared = Vec::new();
    for (r, o) in rows.iter().zip(ours) {
        let dose = match r.dose {
            DoseKey::Empty => String::new(),
            DoseKey::Level(d) => format!(" dose {d}"),
            DoseKey::NoDose => " none".into(),
            DoseKey::Total => " total".into(),
            DoseKey::Look(n) => format!(" at {n}"),
        };
        let z = if (exact_reference || r.metric == "boundary") && r.se == 0.0 && o.exact {
            let diff = (o.value - r.value).abs();
            (diff > EXACT_TOLERANCE).then_some(f64::INFINITY)
        } else {
            let se_ref = if r.se == 0.0 && !exact_reference {
                percent_se(r.value, source.trials)
            } else {
                r.se
            };
            let se_ours = match o.se {
                Some(se) => se,
                None if source.trials > 0 => r.se * (source.trials as f64 / o.trials.max(1) as f64).sqrt(),
                None => {
                    return Err(bad(
                        folder,
                        "reference.csv",
                        format!(
                            "line {}: an exact reference mean needs trialsim's exact enumeration",
                            r.line
                        ),
                    ))
                }
            };
            let se = (se_ref * se_ref + se_ours * se_ours).sqrt();
            let diff = o.value - r.value;
            Some(if diff == 0.0 { 0.0 } else { diff / se })
        };
        compared.push(Compared {
            truth: r.truth.clone(),
            design: r.design.clone(),
            what: format!("{}{dose}", r.metric),
            ours: o.value,
            reference: r.value,
            z,
        });
    }
    Ok(compared)
}

/// The worst |z| of some compared rows (None: all exact).
fn worst<'a>(rows: &[&'a Compared]) -> Option<&'a Compared> {
    rows.iter()
        .filter(|c| c.z.is_some())
        .max_by(|a, b| a.z.unwrap().abs().total_cmp(&b.z.unwrap().abs()))
        .copied()
}

/// One line of the README table per folder × truth × design.
fn table_lines(id: &str, source: &Source, compared: &[Compared], out: &mut String) {
    let mut groups: BTreeMap<(&str, &str), Vec<&Compared>> = BTreeMap::new();
    for c in compared {
        groups.entry((&c.design, &c.truth)).or_default().push(c);
    }
    for ((design, truth), rows) in groups {
        let mut verdict = match worst(&rows) {
            None => "exact".to_string(),
            // Exact on both sides yet different: the largest difference, in the rows' units.
            Some(c) if c.z.is_some_and(f64::is_infinite) => {
                let gap = rows.iter().map(|c| (c.ours - c.reference).abs()).fold(0.0, f64::max);
                format!("both exact, largest difference {gap:.1e}")
            }
            Some(c) => format!("{:.2}", c.z.unwrap().abs()),
        };
        if source.known_difference.is_some() {
            verdict += " — differs, not asserted (see its `source.toml`)";
        }
        let _ = writeln!(
            out,
            "| {design} | {} {} | `{id}` {truth} | {} | {verdict} |",
            source.software,
            source.version,
            rows.len()
        );
    }
}

/// Every fixture folder, sorted by name.
fn folders() -> Vec<PathBuf> {
    let base = root().join("tests/fixtures/parity");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&base)
        .unwrap_or_else(|e| panic!("{}: {e}", base.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    folders
}

/// Every parity fixture: trialsim within 4 standard errors of the reference software on every
/// row (exactly where both are exact); writes the README table when `PARITY_TABLE` is set.
#[test]
fn parity_with_reference_software() {
    let folders = folders();
    assert!(!folders.is_empty(), "no folder in tests/fixtures/parity");
    let mut table = String::from(
        "| Design | Reference software | Fixture and truth | Rows | Worst \\|z\\| |\n|---|---|---|---|---|\n",
    );
    let mut failures = Vec::new();
    for folder in &folders {
        let id = folder.file_name().unwrap().to_string_lossy().into_owned();
        let started = std::time::Instant::now();
        let source = match read_source(folder) {
            Ok(s) => s,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        if let Some((design, why)) = &source.unavailable {
            let _ = writeln!(
                table,
                "| {design} | {} {} | — | 0 | {why} |",
                source.software, source.version
            );
            eprintln!("parity {id}: no reference run ({why})");
            continue;
        }
        let compared = match compare_folder(folder, &source) {
            Ok(c) => c,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        table_lines(&id, &source, &compared, &mut table);
        let all: Vec<&Compared> = compared.iter().collect();
        let summary = match worst(&all) {
            None => "all exact".to_string(),
            Some(c) => format!(
                "worst |z| {:.2} at {} / {} / {} (trialsim {:.4}, reference {:.4})",
                c.z.unwrap().abs(),
                c.truth,
                c.design,
                c.what,
                c.ours,
                c.reference
            ),
        };
        eprintln!(
            "parity {id} ({} {}): {} rows, {summary} [{:.1} s]",
            source.software,
            source.version,
            compared.len(),
            started.elapsed().as_secs_f64()
        );
        if let Some(why) = &source.known_difference {
            eprintln!("parity {id}: not asserted (known difference: {why})");
            continue;
        }
        for c in &compared {
            match c.z {
                Some(z) if z.abs() >= Z_BOUND => failures.push(format!(
                    "{id}: {} / {} / {}: trialsim {:.6} vs {} {:.6}: z = {z:.2}",
                    c.truth, c.design, c.what, c.ours, source.software, c.reference
                )),
                _ => {}
            }
        }
    }
    if let Ok(path) = std::env::var("PARITY_TABLE") {
        std::fs::write(&path, &table).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    assert!(failures.is_empty(), "parity failures:\n{}", failures.join("\n"));
}
