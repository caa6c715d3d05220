//! 3. Monotone sensitivity in exact operating characteristics.

use super::generate::{case_strategy, trial_strategy, Rules};
use super::{config, one_design, Base, Case, Family, INTERVAL};
use proptest::prelude::*;
use std::path::Path;
use trialsim::engines::exact::exact_oc;
use trialsim::scenario::Scenario;

/// Σ_d level_d · P(select d), no selection counting as level 0.
fn mean_selected_level(selected: &[f64]) -> f64 {
    selected.iter().enumerate().map(|(d, p)| (d + 1) as f64 * p).sum()
}

/// Exact OCs under `truth` and under a more toxic truth (`truth + bump`, capped at 100 %): the
/// mean selected level must not rise. Also checks that exact probabilities add up.
fn check_monotone(case: &Case, bump: &[u32]) -> Result<(), TestCaseError> {
    let scenario = case.scenario()?;
    let finders = scenario.build_designs();
    let low = case.truth(0);
    let high: Vec<f64> = case.truths[0]
        .iter()
        .zip(bump)
        .map(|(&p, &b)| f64::from((p + b).min(100)) / 100.0)
        .collect();
    for finder in &finders {
        let mut means = Vec::new();
        for truth in [&low, &high] {
            let exact = exact_oc(finder.as_ref(), truth, 5_000_000, None)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{}", case.toml())))?;
            let oc = &exact.oc;
            let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
            prop_assert!(
                close(oc.selected.iter().sum::<f64>() + oc.selected_none, 1.0),
                "{:?}",
                oc
            );
            prop_assert!(close(oc.stops.iter().sum::<f64>(), 1.0), "{:?}", oc);
            prop_assert!(close(oc.sample_size.iter().sum::<f64>(), 1.0), "{:?}", oc);
            let first_moment: f64 = oc.sample_size.iter().enumerate().map(|(n, p)| n as f64 * p).sum();
            prop_assert!(close(first_moment, oc.patients.iter().sum::<f64>()), "{:?}", oc);
            means.push(mean_selected_level(&oc.selected));
        }
        prop_assert!(
            means[1] <= means[0] + 1e-9,
            "{}: mean selected level rises from {} under {:?} to {} under the more toxic {:?}\n{}",
            finder.name(),
            means[0],
            low,
            means[1],
            high,
            case.toml()
        );
    }
    Ok(())
}

fn bump_strategy(doses: usize) -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(prop_oneof![Just(0u32), 1u32..=30], doses)
}

proptest! {
    #![proptest_config(config(64))]

    /// 3+3, both variants, from dose 1 without titration: more toxicity never raises the mean
    /// selected level. Korn's variant only with full cohorts (see
    /// `three_plus_three_monotone_counterexamples`).
    #[test]
    fn three_plus_three_exact_oc_is_monotone(
        (case, bump) in case_strategy(
            trial_strategy(1..=4, 3..=3, |_| 18),
            1..=1,
            0..=100,
            &[Family::ThreePlusThree],
            1..=2,
            Rules::None,
        ).prop_flat_map(|mut case| {
            case.trial.start = 0;
            case.designs.iter_mut().for_each(|d| d.titration = false);
            if case.designs.iter().any(|d| matches!(d.base, Base::ThreePlusThree { deescalate: true })) {
                case.trial.max_patients -= case.trial.max_patients % 3;
            }
            let doses = case.trial.doses;
            (Just(case), bump_strategy(doses))
        }),
    ) {
        check_monotone(&case, &bump)?;
    }
}

proptest! {
    #![proptest_config(config(1000))]

    /// BOIN, Keyboard, mTPI-2 and i3+3 at small sizes (≤ 4 doses, ≤ 18 patients, ≤ 10 with
    /// single-patient cohorts). None of them is monotone in this sense: see
    /// `interval_designs_monotone_counterexamples` for one counterexample each (this property finds
    /// and shrinks others within its 1,000 cases).
    #[test]
    #[ignore = "not monotone: BOIN, Keyboard, mTPI-2 and i3+3 have counterexamples at small sizes"]
    fn interval_designs_exact_oc_is_monotone(
        (case, bump) in case_strategy(
            trial_strategy(1..=4, 1..=4, |c| if c == 1 { 10 } else { 18 }),
            1..=1,
            0..=100,
            &INTERVAL,
            1..=1,
            Rules::None,
        ).prop_flat_map(|case| {
            let doses = case.trial.doses;
            (Just(case), bump_strategy(doses))
        }),
    ) {
        check_monotone(&case, &bump)?;
    }
}

/// Exact mean selected level of the scenario's first design under `dlt`.
fn exact_mean_level(text: &str, dlt: &[f64]) -> f64 {
    let scenario = Scenario::parse(text, Path::new("counterexample.toml")).unwrap_or_else(|e| panic!("{e}"));
    let finder = &scenario.build_designs()[0];
    let exact = exact_oc(finder.as_ref(), dlt, 5_000_000, None).expect("few states");
    mean_selected_level(&exact.oc.selected)
}

/// Checks each (scenario, truth, more toxic truth) and lists every violation.
fn assert_monotone_cases(cases: &[(String, Vec<f64>, Vec<f64>)]) {
    let mut violations = Vec::new();
    for (text, low, high) in cases {
        assert!(low.iter().zip(high).all(|(a, b)| a <= b), "not more toxic");
        let (m_low, m_high) = (exact_mean_level(text, low), exact_mean_level(text, high));
        if m_high > m_low + 1e-9 {
            violations.push(format!("{m_low:.6} under {low:?} < {m_high:.6} under {high:?}\n{text}"));
        }
    }
    assert!(
        violations.is_empty(),
        "mean selected level rises with toxicity:\n{}",
        violations.join("\n")
    );
}

/// Counterexamples to monotone sensitivity for 3+3, exact to the digits shown. Each has a
/// mechanism in the design's rules, not in the engine:
/// - Korn's variant when `max_patients` cuts the last cohort: after 0/3 at dose 1, 1/3 then 2/6
///   at dose 2 (9 patients), one patient returns to dose 1; at 0/4 it no longer counts as cleared
///   (0/3 or ≤ 1/6), so the trial selects nothing. A DLT at dose 1 earlier avoids that path:
///   1.355957 → 1.356204.
/// - Accelerated titration with a short trial: with no DLT at all, one patient per dose and two
///   at the top leave no dose cleared and nothing is selected (level 0); a rare DLT at dose 3
///   sends a full cohort to dose 2, which then clears: 0 → 0.02.
/// - A start dose above 1: 1/3 at the start dose cut by `max_patients` selects nothing, while
///   2/3 selects the (untried) dose below: 0.810416 → 0.817048.
#[test]
#[ignore = "not monotone: 3+3 counterexamples (truncated cohorts, titration, start dose above 1)"]
fn three_plus_three_monotone_counterexamples() {
    let cases = [
        (
            one_design(
                "doses = [\"1\", \"2\"]\ntarget = 0.29\ncohort_size = 3\nmax_patients = 10",
                "rule = \"3+3\"\ndeescalate = true",
            ),
            vec![0.0, 0.25],
            vec![0.01, 0.25],
        ),
        (
            one_design(
                "doses = [\"1\", \"2\", \"3\", \"4\"]\ntarget = 0.35\ncohort_size = 3\nmax_patients = 5",
                "rule = \"3+3\"\naccelerated_titration = true",
            ),
            vec![0.0, 0.0, 0.0, 0.0],
            vec![0.0, 0.0, 0.01, 0.0],
        ),
        (
            one_design(
                "doses = [\"1\", \"2\", \"3\"]\ntarget = 0.12\ncohort_size = 3\nmax_patients = 3\nstart_dose = 2",
                "rule = \"3+3\"",
            ),
            vec![0.0, 0.66, 0.72],
            vec![0.0, 0.67, 0.72],
        ),
    ];
    assert_monotone_cases(&cases);
}

/// Counterexamples to monotone sensitivity for the interval designs, with the references'
/// default settings apart from what is shown: single-patient (or two-patient) cohorts in a short
/// trial, where a DLT at dose 1 keeps patients there and changes which doses are tried, eliminated
/// and pooled by the isotonic selection.
/// - BOIN, Keyboard and mTPI-2, 3 doses, target 0.31, cohorts of 1, 6 patients:
///   [0, 0.93, 0.94] → [0.01, 0.93, 0.94] raises the mean level (BOIN 1.017935 → 1.018255, Keyboard and mTPI-2 → 1.018303).
/// - i3+3, 4 doses, target 0.38, cohorts of 2, 6 patients, ε = (0.025, 0.075):
///   [0, 0.69, 0.74, 0.77] → [0.01, 0.69, 0.74, 0.77] (1.363700 → 1.366629).
#[test]
#[ignore = "not monotone: BOIN, Keyboard, mTPI-2 and i3+3 counterexamples at small sizes"]
fn interval_designs_monotone_counterexamples() {
    let trial = "doses = [\"1\", \"2\", \"3\"]\ntarget = 0.31\ncohort_size = 1\nmax_patients = 6";
    let (low, high) = (vec![0.0, 0.93, 0.94], vec![0.01, 0.93, 0.94]);
    let cases = [
        (one_design(trial, "rule = \"boin\""), low.clone(), high.clone()),
        (one_design(trial, "rule = \"keyboard\""), low.clone(), high.clone()),
        (one_design(trial, "rule = \"mtpi2\""), low, high),
        (
            one_design(
                "doses = [\"1\", \"2\", \"3\", \"4\"]\ntarget = 0.38\ncohort_size = 2\nmax_patients = 6",
                "rule = \"i3+3\"\nepsilon1 = 0.025\nepsilon2 = 0.075",
            ),
            vec![0.0, 0.69, 0.74, 0.77],
            vec![0.01, 0.69, 0.74, 0.77],
        ),
    ];
    assert_monotone_cases(&cases);
}
