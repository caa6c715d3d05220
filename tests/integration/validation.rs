//! Each design against its reference (../shared/VALIDATION.md), within 4 standard errors for
//! simulated quantities and exactly for deterministic ones.

use crate::common::{assert_proportion_within_4se, one_truth, scenario, simulate, three_plus_three_r5, BOIN};
use trialsim::designs::{Decision, Dose, TrialData};

/// VALIDATION R5 (exact 3+3 operating characteristics), both variants, two truths:
/// P(MTD = none, 1, …, 5) and E[N] within 4 SE of the exact values at 200,000 trials.
#[test]
fn three_plus_three_matches_exact_r5() {
    let trials = 200_000;
    let cases: [(&str, bool, [f64; 6], f64); 4] = [
        (
            "0.05, 0.15, 0.30, 0.45, 0.60",
            false,
            [0.0266, 0.1813, 0.4006, 0.2998, 0.0842, 0.0076],
            12.71,
        ),
        (
            "0.05, 0.15, 0.30, 0.45, 0.60",
            true,
            [0.0278, 0.2006, 0.4288, 0.2765, 0.0588, 0.0076],
            15.116,
        ),
        (
            "0.12, 0.27, 0.44, 0.53, 0.57",
            false,
            [0.1285, 0.3861, 0.3648, 0.1036, 0.0151, 0.0018],
            10.19,
        ),
        (
            "0.12, 0.27, 0.44, 0.53, 0.57",
            true,
            [0.1421, 0.4223, 0.3470, 0.0779, 0.0090, 0.0018],
            12.31,
        ),
    ];
    for (dlt, deescalate, mtd, expected_n) in cases {
        let table = simulate(&three_plus_three_r5(dlt, deescalate), trials, 5);
        let row = &table.rows[0];
        let label = format!("3+3 deescalate={deescalate} p=({dlt})");
        assert_proportion_within_4se(
            &format!("{label} P(no MTD)"),
            row.stopped_early_pct() / 100.0,
            trials,
            mtd[0],
            None,
        );
        for d in 0..5u16 {
            let p = row.selected_pct(Dose(d)) / 100.0;
            assert_proportion_within_4se(
                &format!("{label} P(MTD = {})", d + 1),
                p,
                trials,
                mtd[d as usize + 1],
                None,
            );
        }
        let se = row.total_patients_sd() / (trials as f64).sqrt();
        // The reference E[N] is printed to 2–3 decimals: allow that rounding on top of 4 SE.
        let tolerance = 4.0 * se + 0.005;
        assert!(
            (row.total_patients_mean() - expected_n).abs() < tolerance,
            "{label} E[N] {} vs {expected_n}",
            row.total_patients_mean()
        );
    }
}

/// VALIDATION R5: E[DLT] = 2.735 (variant A) and 3.198 (variant B) for the first truth.
#[test]
fn three_plus_three_expected_dlts() {
    let trials = 200_000;
    for (deescalate, expected) in [(false, 2.735), (true, 3.198)] {
        let table = simulate(
            &three_plus_three_r5("0.05, 0.15, 0.30, 0.45, 0.60", deescalate),
            trials,
            9,
        );
        let mean = table.rows[0].total_dlt_mean();
        // sd of the DLT count is below 2 here, so 4 SE < 4 × 2 / sqrt(200,000) = 0.018.
        assert!(
            (mean - expected).abs() < 0.018 + 0.0005,
            "deescalate={deescalate}: {mean} vs {expected}"
        );
    }
}

/// VALIDATION R3 (R `BOIN::get.oc` documentation example, 10,000 trials): selection %
/// 1.1 / 23.5 / 55.0 / 19.0 / 1.4, no early stop; 4 SE from both sides' trial counts.
#[test]
fn boin_matches_get_oc_r3() {
    let text = one_truth("R3", (0.3, 3, 30), "0.05, 0.15, 0.30, 0.45, 0.60", BOIN);
    let trials = 200_000;
    let table = simulate(&text, trials, 11);
    let row = &table.rows[0];
    let reference = [0.011, 0.235, 0.550, 0.190, 0.014];
    for (d, &r) in reference.iter().enumerate() {
        let p = row.selected_pct(Dose(d as u16)) / 100.0;
        assert_proportion_within_4se(&format!("BOIN P(MTD = {})", d + 1), p, trials, r, Some(10_000));
    }
    assert!(row.stopped_early_pct() < 0.1, "{}", row.stopped_early_pct());
    // R's 1,000-trial run: mean 30 patients (no early stop), mean DLTs 7.43.
    assert!((row.total_patients_mean() - 30.0).abs() < 0.05);
    assert!((row.total_dlt_mean() - 7.43).abs() < 0.25, "{}", row.total_dlt_mean());
}

/// VALIDATION R2 (Han et al. 2019, p. 25): BOIN's decisions in a live trial, phi = 0.3, 5 doses.
#[test]
fn boin_live_decisions_r2() {
    let s = scenario(&one_truth("R2", (0.3, 3, 60), "0.1, 0.2, 0.3, 0.4, 0.5", BOIN));
    let boin = s.designs[0].build(&s.trial);
    let steps = [
        ("1NNN", 2),
        ("2NNN", 3),
        ("3NTT", 2),
        ("2NTN", 3),
        ("3NNN", 3),
        ("3NNN", 4),
        ("4TTT", 3),
        ("3NTN", 3),
    ];
    let mut data = TrialData::new(5);
    for (cohort, expected) in steps {
        let c = &trialsim::designs::outcomes::parse_outcomes(cohort, 5).unwrap()[0];
        data.add_cohort(c.dose, c.patients, c.dlts);
        assert_eq!(
            boin.decide(&data),
            Decision::Treat(Dose::from_level(expected)),
            "after +{cohort}"
        );
    }
}

/// dfcrm `crmsim` semantics (VALIDATION R12): no early stopping of its own, so every trial
/// treats all patients and selects a dose.
#[test]
fn crm_without_rules_treats_everyone() {
    let crm = r#"
[[design]]
name = "CRM"
rule = "crm"
skeleton = [0.05, 0.10, 0.20, 0.35, 0.50, 0.70]
"#;
    let text = one_truth("crm", (0.2, 1, 20), "0.02, 0.04, 0.06, 0.1, 0.2, 0.4", crm);
    let table = simulate(&text, 20_000, 3);
    let row = &table.rows[0];
    assert_eq!(row.oc.selected_none, 0.0);
    assert_eq!(row.oc.sample_size[20], 1.0);
}

/// dfcrm `restrict` (VALIDATION R12) along random trial paths: the next dose is at most one
/// above the last, and not above it after a cohort whose DLT fraction is at least the target.
#[test]
fn crm_restrict_holds_on_random_paths() {
    let crm = r#"
[[design]]
name = "CRM"
rule = "crm"
skeleton = { halfwidth = 0.05, nu = 2 }
"#;
    let s = scenario(&one_truth("crm", (0.25, 3, 30), "0.1, 0.2, 0.3, 0.4, 0.5", crm));
    let crm = s.designs[0].build(&s.trial);
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut random = move || {
        state = trialsim::engines::rng::mix64(state.wrapping_add(1));
        state
    };
    for _ in 0..300 {
        let mut data = TrialData::new(5);
        let mut dose = Dose(0);
        loop {
            let dlts = (0..3).filter(|_| random() % 100 < 35).count() as u16;
            data.add_cohort(dose, 3, dlts);
            match crm.decide(&data) {
                Decision::Treat(next) => {
                    assert!(next.0 <= dose.0 + 1, "skipped from {dose} to {next}");
                    if f64::from(dlts) / 3.0 >= 0.25 {
                        assert!(next <= dose, "escalated after {dlts}/3");
                    }
                    dose = next;
                }
                Decision::Stop { .. } => break,
                Decision::Wait => unreachable!("no follow-up: nothing to wait for"),
            }
        }
    }
}

/// DLT onset within the window matters only to designs that decide on partial follow-up (or
/// switch regimen when a CRS-type DLT is seen): on the same patients (common random numbers),
/// waiting designs with direct or pre-specified step-up dosing give identical results under
/// uniform and late onset, while TITE designs differ.
#[test]
fn onset_affects_only_time_to_event_designs() {
    let text = std::fs::read_to_string(crate::common::bundled("qls4131_full.toml")).unwrap();
    let table = simulate(&text, 1_500, 17);
    let row = |truth: &str, design: &str| {
        table
            .rows
            .iter()
            .find(|r| r.truth == truth && r.design == design)
            .unwrap()
            .clone()
    };
    let (uniform, late) = ("mtd-middle (DL3)", "mtd-middle (DL3), late onset");
    for design in ["BOIN, no step-up", "BOIN, step-up from DL5"] {
        assert_eq!(row(uniform, design).oc, row(late, design).oc, "{design}");
        assert_eq!(row(uniform, design).timing, row(late, design).timing, "{design}");
    }
    for design in ["TITE-BOIN", "TITE-CRM"] {
        assert_ne!(row(uniform, design).oc, row(late, design).oc, "{design}");
    }
}

/// TEAE and response rates are estimated without bias where the dose path does not depend on
/// them: with no DLTs, BOIN escalates on a fixed path (3 participants at each of DL1–DL3, then 15
/// at DL4), so each dose's pooled TEAE and response proportions are binomial and lie within 4 SE
/// of the truth, and step-up planned from DL3 is given to every participant there (with no DLTs
/// the step-up regimen leaves the TEAE probability unchanged).
#[test]
fn teae_and_response_rates_match_the_truth() {
    let text = r#"
name = "rates"
[trial]
doses = ["a", "b", "c", "d"]
target = 0.25
cohort_size = 3
max_patients = 24
[timing]
arrival = { rate = 4.0 }
dlt_window = 1.0
[[truth]]
name = "t"
dlt = [0.0, 0.0, 0.0, 0.0]
teae = [0.2, 0.3, 0.45, 0.6]
efficacy = [0.1, 0.3, 0.5, 0.7]
[[design]]
name = "BOIN"
rule = "boin"
step_up = { from_dose = 3 }
"#;
    let trials = 20_000;
    let table = simulate(text, trials, 3);
    let row = &table.rows[0];
    let timing = row.timing.as_ref().expect("calendar time");
    let (teae, efficacy) = ([0.2, 0.3, 0.45, 0.6], [0.1, 0.3, 0.5, 0.7]);
    for d in 0..4 {
        let patients = row.oc.patients[d];
        assert_eq!(patients, if d < 3 { 3.0 } else { 15.0 }, "fixed path");
        let n = (patients * trials as f64).round() as u64;
        let dose = &timing.doses[d];
        assert_proportion_within_4se(&format!("TEAE at {d}"), dose.teae_mean / patients, n, teae[d], None);
        assert_proportion_within_4se(
            &format!("response at {d}"),
            dose.response_mean / patients,
            n,
            efficacy[d],
            None,
        );
        let step_up = if d >= 2 { patients } else { 0.0 };
        assert_eq!(dose.step_up_patients_mean, step_up, "pre-specified step-up from DL3");
        // Every trial treats the dose with the same n, so the mean interval brackets the truth.
        assert!(dose.teae_ci_lower_mean < teae[d] && teae[d] < dose.teae_ci_upper_mean);
    }
}
