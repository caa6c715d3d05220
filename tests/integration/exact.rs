//! Exact operating characteristics (issue 5): against closed-form references, and against
//! simulation within 4 standard errors.

use crate::common::{assert_proportion_within_4se, bundled, exact, one_truth, simulate, three_plus_three_r5};
use trialsim::results::Method;
use trialsim::run::{simulate_scenario, RunOptions};

/// VALIDATION R5: exact 3+3 equals the published values to the printed digits, both variants.
#[test]
fn exact_three_plus_three_equals_r5() {
    // (truth, variant, P(MTD = none, 1, …, 5), E[N] and its printed half-unit, E[DLT]).
    type Case<'a> = (&'a str, bool, [f64; 6], (f64, f64), Option<f64>);
    let cases: [Case; 4] = [
        (
            "0.05, 0.15, 0.30, 0.45, 0.60",
            false,
            [0.0266, 0.1813, 0.4006, 0.2998, 0.0842, 0.0076],
            (12.71, 5e-3),
            Some(2.735),
        ),
        (
            "0.05, 0.15, 0.30, 0.45, 0.60",
            true,
            [0.0278, 0.2006, 0.4288, 0.2765, 0.0588, 0.0076],
            (15.116, 5e-4),
            Some(3.198),
        ),
        (
            "0.12, 0.27, 0.44, 0.53, 0.57",
            false,
            [0.1285, 0.3861, 0.3648, 0.1036, 0.0151, 0.0018],
            (10.19, 5e-3),
            None,
        ),
        (
            "0.12, 0.27, 0.44, 0.53, 0.57",
            true,
            [0.1421, 0.4223, 0.3470, 0.0779, 0.0090, 0.0018],
            (12.31, 5e-3),
            None,
        ),
    ];
    for (dlt, deescalate, mtd, (n, half_unit), dlts) in cases {
        let table = exact(&three_plus_three_r5(dlt, deescalate));
        let row = &table.rows[0];
        assert!(matches!(row.method, Method::Exact { .. }));
        let label = format!("deescalate={deescalate} p=({dlt})");
        assert!(
            (row.oc.selected_none - mtd[0]).abs() < 5e-5,
            "{label} none {}",
            row.oc.selected_none
        );
        for d in 0..5 {
            let p = row.oc.selected[d];
            assert!(
                (p - mtd[d + 1]).abs() < 5e-5,
                "{label} MTD {}: {p} vs {}",
                d + 1,
                mtd[d + 1]
            );
        }
        assert!(
            (row.total_patients_mean() - n).abs() < half_unit,
            "{label} E[N] {}",
            row.total_patients_mean()
        );
        if let Some(y) = dlts {
            assert!(
                (row.total_dlt_mean() - y).abs() < 5e-4,
                "{label} E[DLT] {}",
                row.total_dlt_mean()
            );
        }
        // The closed form for variant A: P(MTD = j) = (∏_{i≤j} Q_i)(1 − Q_{j+1}).
        if !deescalate {
            let p: Vec<f64> = dlt.split(", ").map(|x| x.parse().unwrap()).collect();
            let q: Vec<f64> = p
                .iter()
                .map(|&p| {
                    let (p0, p1) = ((1.0 - p).powi(3), 3.0 * p * (1.0 - p).powi(2));
                    p0 + p1 * p0
                })
                .collect();
            // P(MTD = none) = 1 − Q_1, then P(MTD = j) = Q_1⋯Q_j (1 − Q_{j+1}), with Q_6 = 0.
            let ours = std::iter::once(row.oc.selected_none).chain(row.oc.selected.iter().copied());
            let mut cleared = 1.0;
            for (ours, q_next) in ours.zip(q.iter().copied().chain([0.0])) {
                let closed = cleared * (1.0 - q_next);
                assert!((ours - closed).abs() < 1e-12, "{label} closed form: {ours} vs {closed}");
                cleared *= q_next;
            }
        }
    }
}

/// Every design of the bundled scenario, exact against simulation within 4 SE for every truth and
/// every dose's selection probability: 10^6 trials, or 10^5 for BLRM (slower to fit).
#[test]
fn exact_agrees_with_simulation() {
    let path = bundled("qls4131_escalation.toml");
    let scenario = trialsim::scenario::Scenario::load(&path).unwrap();
    let exact_options = RunOptions {
        trials: None,
        seed: None,
        threads: 2,
        exact: true,
    };
    let (exact, _) = simulate_scenario(&scenario, &exact_options, &|_| {}).unwrap();
    for (blrm, trials) in [(true, 100_000u64), (false, 1_000_000)] {
        let mut subset = scenario.clone();
        subset.designs.retain(|d| (d.rule_name() == "blrm") == blrm);
        let options = RunOptions {
            trials: Some(trials),
            seed: Some(2026),
            threads: 2,
            exact: false,
        };
        let (simulated, _) = simulate_scenario(&subset, &options, &|_| {}).unwrap();
        for s in &simulated.rows {
            let e = exact
                .rows
                .iter()
                .find(|e| e.truth == s.truth && e.design == s.design)
                .unwrap();
            for d in 0..s.true_dlt.len() {
                let label = format!("{} under {}: P(select dose {})", s.design, s.truth, d + 1);
                assert_proportion_within_4se(&label, s.oc.selected[d], trials, e.oc.selected[d], None);
            }
            let label = format!("{} under {}: P(no dose)", s.design, s.truth);
            assert_proportion_within_4se(&label, s.oc.selected_none, trials, e.oc.selected_none, None);
            let se = e.total_patients_sd() / (trials as f64).sqrt();
            let z = (s.total_patients_mean() - e.total_patients_mean()) / se.max(1e-12);
            assert!(z.abs() < 4.0, "{} under {}: E[N] {z:.2} SE", s.design, s.truth);
            eprintln!("{} under {}: E[N] {z:+.2} SE", s.design, s.truth);
            let total: f64 = e.oc.selected.iter().sum::<f64>() + e.oc.selected_none;
            assert!((total - 1.0).abs() < 1e-12);
            assert!((e.oc.sample_size.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
}

/// mTPI-2 and Keyboard share a decision table (VALIDATION R4), elimination and MTD selection, so
/// their exact operating characteristics coincide. At φ = 0.3 in cohorts of 3, i3+3's table is the
/// same too; in cohorts of 1 it differs (2/5 stays under i3+3, de-escalates under Keyboard).
#[test]
fn mtpi2_and_keyboard_coincide() {
    for cohort_size in [3, 1] {
        let text = format!(
            r#"
name = "equivalence"
[trial]
doses = ["1", "2", "3", "4", "5"]
target = 0.3
cohort_size = {cohort_size}
max_patients = 18
[[truth]]
name = "t1"
dlt = [0.05, 0.15, 0.30, 0.45, 0.60]
[[truth]]
name = "t2"
dlt = [0.2, 0.35, 0.5, 0.6, 0.7]
[[design]]
name = "Keyboard"
rule = "keyboard"
[[design]]
name = "mTPI-2"
rule = "mtpi2"
[[design]]
name = "i3+3"
rule = "i3+3"
"#
        );
        let table = exact(&text);
        for truth in table.rows.chunks(3) {
            assert_eq!(truth[0].oc, truth[1].oc, "{}", truth[0].truth);
            if cohort_size == 3 {
                assert_eq!(truth[0].oc, truth[2].oc, "{}", truth[0].truth);
            } else {
                assert_ne!(truth[0].oc, truth[2].oc, "{}", truth[0].truth);
            }
            let total: f64 = truth[2].oc.selected.iter().sum::<f64>() + truth[2].oc.selected_none;
            assert!((total - 1.0).abs() < 1e-12);
        }
    }
}

/// Accelerated titration (single patients until the first DLT, then full cohorts): exact and
/// simulated operating characteristics agree within 4 SE, and exact sample-size probabilities
/// match hand calculations.
#[test]
fn accelerated_titration_exact_and_simulated() {
    let designs = r#"
[[design]]
name = "BOIN titration"
rule = "boin"
accelerated_titration = true
[[design]]
name = "3+3 titration"
rule = "3+3"
accelerated_titration = true
"#;
    let text = one_truth("titration", (0.3, 3, 24), "0.02, 0.05, 0.1, 0.3, 0.5", designs);
    let trials = 400_000;
    let simulated = simulate(&text, trials, 77);
    let exact = exact(&text);
    for (s, e) in simulated.rows.iter().zip(&exact.rows) {
        for d in 0..5 {
            let label = format!("{}: P(select dose {})", s.design, d + 1);
            assert_proportion_within_4se(&label, s.oc.selected[d], trials, e.oc.selected[d], None);
            let label = format!("{}: P(N = {})", s.design, 5 + d);
            assert_proportion_within_4se(&label, s.oc.sample_size[5 + d], trials, e.oc.sample_size[5 + d], None);
        }
    }
    // Paths with one route each under 3+3: N = 3 needs a DLT in the first patient and another
    // among the two who top up dose 1; N = 4 needs a clear first patient, a DLT at dose 2, and
    // another among the two who top up dose 2 (`titration_after_dlt = "same"`, BOIN's get.oc).
    let (p1, p2) = (0.02_f64, 0.05_f64);
    let three = &exact.rows[1];
    let n3 = p1 * (1.0 - (1.0 - p1).powi(2));
    let n4 = (1.0 - p1) * p2 * (1.0 - (1.0 - p2).powi(2));
    assert!(
        (three.oc.sample_size[3] - n3).abs() < 1e-15,
        "{} vs {n3}",
        three.oc.sample_size[3]
    );
    assert!(
        (three.oc.sample_size[4] - n4).abs() < 1e-15,
        "{} vs {n4}",
        three.oc.sample_size[4]
    );
}
