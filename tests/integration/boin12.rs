//! BOIN12 (`rule = "boin12"`, Lin, Zhou, Yan, Li & Yuan 2020) through the engines: OBD selection
//! against the authors' simulation code (tests/fixtures/boin12_authors_oc.csv, which gives the
//! source, versions and exact call), and the exact engine against simulation.

use crate::common::{assert_proportion_within_4se, exact, simulate};
use trialsim::designs::Dose;

/// One reference scenario of the fixture.
struct Reference {
    name: String,
    dlt: Vec<f64>,
    response: Vec<f64>,
    true_obd: usize,
    trials: u64,
    obd_selection_pct: f64,
}

fn references() -> Vec<Reference> {
    let text = include_str!("../fixtures/boin12_authors_oc.csv");
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let numbers = |prefix: &str| {
                (1..=5)
                    .map(|d| cells[column(&format!("{prefix}{d}"))].parse().unwrap())
                    .collect()
            };
            Reference {
                name: cells[column("scenario")].to_string(),
                dlt: numbers("dlt"),
                response: numbers("response"),
                true_obd: cells[column("true_obd")].parse().unwrap(),
                trials: cells[column("trials")].parse().unwrap(),
                obd_selection_pct: cells[column("obd_selection_pct")].parse().unwrap(),
            }
        })
        .collect()
}

fn list(values: &[f64]) -> String {
    values.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
}

/// The fixture's setting: five doses, φ_T = 0.35, cohorts of 3, 36 patients, BOIN12's defaults.
fn scenario(references: &[Reference], max_patients: u32, doses: usize) -> String {
    let mut text = format!(
        "name = \"boin12\"\n[trial]\ndoses = [{}]\ntarget = 0.35\ncohort_size = 3\nmax_patients = {max_patients}\n",
        (1..=doses).map(|d| format!("\"{d}\"")).collect::<Vec<_>>().join(", ")
    );
    for r in references {
        text += &format!(
            "[[truth]]\nname = \"{}\"\ndlt = [{}]\nefficacy = [{}]\n",
            r.name,
            list(&r.dlt[..doses]),
            list(&r.response[..doses])
        );
    }
    text + "[[design]]\nname = \"BOIN12\"\nrule = \"boin12\"\n"
}

/// OBD selection % within 4 Monte Carlo standard errors of the authors' code on the fixture's
/// plateau (OBD below the MTD), monotone (OBD = MTD) and flat-efficacy scenarios.
#[test]
fn obd_selection_matches_the_authors_code() {
    let references = references();
    let trials = 20_000;
    let table = simulate(&scenario(&references, 36, 5), trials, 20261201);
    for r in &references {
        let row = table.rows.iter().find(|row| row.truth == r.name).unwrap();
        let ours = row.selected_pct(Dose(r.true_obd as u16 - 1)) / 100.0;
        let what = format!("BOIN12 {}: OBD dose {} selected", r.name, r.true_obd);
        assert_proportion_within_4se(&what, ours, trials, r.obd_selection_pct / 100.0, Some(r.trials));
    }
}

/// The exact engine's OBD selection against 20,000 simulated trials, on four doses and 18
/// patients (small enough to enumerate).
#[test]
fn exact_and_simulated_agree() {
    let references = references();
    let text = scenario(&references, 18, 4);
    let exact = exact(&text);
    let trials = 20_000;
    let simulated = simulate(&text, trials, 7);
    for (e, s) in exact.rows.iter().zip(&simulated.rows) {
        for d in 0..4 {
            let what = format!("BOIN12 {} dose {} selected", e.truth, d + 1);
            let (p, q) = (e.selected_pct(Dose(d)) / 100.0, s.selected_pct(Dose(d)) / 100.0);
            assert_proportion_within_4se(&what, q, trials, p, None);
        }
    }
}
