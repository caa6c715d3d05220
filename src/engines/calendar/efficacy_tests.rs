//! Phase I/II designs in calendar time: the engine against the dose-finding engine, and backfill
//! patients' responses in the decisions.

use super::patients::{Outcome, Patients, Stage};
use crate::core::{PatientRecord, Regimen};
use crate::designs::{Dose, TrialData};
use crate::results::oc::OcRow;
use crate::run::{simulate_scenario, RunOptions};
use crate::scenario::Scenario;
use std::path::Path;

/// BOIN12 (φ_T 0.35, 36 patients in cohorts of 3) under the authors' plateau truth, with
/// `timing` inserted before the truth.
fn boin12(timing: &str) -> Scenario {
    let text = format!(
        r#"
name = "BOIN12 in calendar time"
kind = "dose-finding"
[simulation]
trials = 4000
seed = 11
[trial]
doses = ["1", "2", "3", "4", "5"]
target = 0.35
cohort_size = 3
max_patients = 36
{timing}
[[truth]]
name = "plateau"
dlt = [0.05, 0.10, 0.20, 0.30, 0.45]
efficacy = [0.20, 0.50, 0.52, 0.54, 0.55]
[[design]]
name = "BOIN12"
rule = "boin12"
"#
    );
    Scenario::parse(&text, Path::new("boin12.toml")).unwrap()
}

fn row(scenario: &Scenario) -> OcRow {
    let options = RunOptions {
        trials: None,
        seed: None,
        threads: 2,
        exact: false,
    };
    let (table, _) = simulate_scenario(scenario, &options, &|_| {}).unwrap();
    table.rows.into_iter().next().unwrap()
}

/// With accrual that never holds a cohort back (a patient every 0.001 months, who waits as long as
/// needed) and no backfill, calendar-time BOIN12 treats the same cohorts by the same rule as the
/// dose-finding engine, on other random numbers (calendar time numbers patients by arrival): the
/// OBD selection, patients and responses per dose agree within 4 standard errors of the difference
/// of two independent runs.
#[test]
fn calendar_boin12_matches_the_dose_finding_engine() {
    let timed = row(&boin12("[timing]\narrival = { interval = 0.001 }\ndlt_window = 1.0"));
    let plain = row(&boin12(""));
    assert!(timed.timing.is_some() && plain.timing.is_none());
    let z = |a: f64, b: f64, se_a: f64, se_b: f64| (a - b) / (se_a * se_a + se_b * se_b).sqrt().max(1e-12);
    let mut worst = 0.0f64;
    for d in (0..5).map(Dose) {
        let (a, b) = (timed.selected_pct(d), plain.selected_pct(d));
        worst = worst.max(z(a, b, timed.pct_se(a), plain.pct_se(b)).abs());
        let (a, b) = (timed.patients_mean(d), plain.patients_mean(d));
        worst = worst.max(z(a, b, timed.patients_mean_se(d), plain.patients_mean_se(d)).abs());
        let (a, b) = (timed.response_mean(d).unwrap(), plain.response_mean(d).unwrap());
        worst = worst.max(z(a, b, timed.response_mean_se(d), plain.response_mean_se(d)).abs());
    }
    assert!(worst < 4.0, "worst |z| {worst:.2}");
    // The OBD tables are there for both, with the same true OBD (DL2).
    let (a, b) = (timed.obd.as_ref().unwrap(), plain.obd.as_ref().unwrap());
    assert_eq!((a.obd, b.obd), (Some(Dose(1)), Some(Dose(1))));
    // Every cohort waits a whole window: a trial of 12 cohorts takes 12 months and a little.
    let median = timed.timing.as_ref().unwrap().duration_median;
    assert!((12.0..12.1).contains(&median), "median duration {median}");
}

fn patient(dose: u16, entry: f64, dlt: bool, (stage, response): (Stage, bool)) -> (PatientRecord, Outcome) {
    let record = PatientRecord {
        dose: Dose(dose),
        entry,
        dlt_at: dlt.then_some(entry + 0.5),
    };
    let outcome = Outcome {
        stage,
        regimen: Regimen::Direct,
        crs: false,
        teae: dlt,
        response,
    };
    (record, outcome)
}

/// A phase I/II design decides on backfill patients once their window has closed (when the
/// response is assessed), with their DLT and response; a toxicity-only design counts a DLT as soon
/// as it is observed. Only an escalation patient's response, once assessed, opens a dose.
#[test]
fn backfill_patients_count_with_their_responses() {
    let mut patients = Patients::default();
    for (r, o) in [
        patient(0, 0.0, false, (Stage::Escalation, true)),
        patient(0, 1.2, true, (Stage::Backfill, true)),
        patient(0, 1.4, false, (Stage::Backfill, true)),
        patient(0, 2.5, true, (Stage::Backfill, false)),
    ] {
        patients.push(r, o);
    }
    let mut escalation = TrialData::with_efficacy(2);
    escalation.add_cohort_outcomes(Dose(0), patients.cohort_outcomes(0..1));
    let mut data = TrialData::with_efficacy(2);
    // At 3.0 the first two backfill windows (closing at 2.2 and 2.4) have closed, not the third.
    patients.decision_data(&escalation, 3.0, 1.0, &mut data);
    let counts = data.efficacy(Dose(0)).unwrap();
    assert_eq!(
        (
            counts.patients,
            counts.dlts,
            counts.responses,
            counts.responses_with_dlt
        ),
        (3, 1, 3, 1)
    );
    assert_eq!(data.last_cohort().unwrap().patients, 1, "backfill is no cohort");
    // Toxicity only: the third patient's DLT (at 3.0) is known at 3.0.
    let mut toxicity = TrialData::new(2);
    toxicity.add_cohort(Dose(0), 1, 0);
    let mut data = TrialData::new(2);
    patients.decision_data(&toxicity, 3.0, 1.0, &mut data);
    assert_eq!((data.patients(Dose(0)), data.dlts(Dose(0))), (4, 2));
    // The escalation patient's response is assessed at 1.0 and counts after it.
    assert!(!patients.responded(Dose(0), 1.0, 1.0));
    assert!(patients.responded(Dose(0), 1.01, 1.0));
    assert!(!patients.responded(Dose(1), 5.0, 1.0));
}
