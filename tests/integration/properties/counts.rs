//! 1. Counts add up.

use super::generate::{case_strategy, trial_strategy, Rules};
use super::{config, may_select_untried, Case, Family, RuleCfg, ALL_BUT_BLRM};
use proptest::prelude::*;
use trialsim::designs::StopReason;
use trialsim::engines::dose_finding::DoseFindingPlan;
use trialsim::engines::simulate;

fn check_counts(case: &Case, trials: u64, seed: u64) -> Result<(), TestCaseError> {
    let scenario = case.scenario()?;
    let designs = scenario.build_designs();
    let plan = DoseFindingPlan::new(&designs, &scenario.truths, seed);
    let counts = simulate(&plan, 0..trials, 2, &|_| {}).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(counts.len(), designs.len());
    for (k, per_truth) in counts.iter().enumerate() {
        prop_assert_eq!(per_truth.len(), scenario.truths.len());
        let max = designs[k].limits().max_patients as usize;
        for (j, c) in per_truth.iter().enumerate() {
            let what = format!("design {} truth {}: {c:?}", k + 1, j + 1);
            prop_assert_eq!(c.trials, trials, "{}", what);
            prop_assert_eq!(c.selected.iter().sum::<u64>() + c.selected_none, trials, "{}", what);
            prop_assert_eq!(c.stops.iter().sum::<u64>(), trials, "{}", what);
            prop_assert_eq!(c.sample_size.len(), max + 1, "{}", what);
            prop_assert_eq!(c.sample_size.iter().sum::<u64>(), trials, "{}", what);
            let first_moment: u64 = c.sample_size.iter().enumerate().map(|(n, &k)| n as u64 * k).sum();
            prop_assert_eq!(first_moment, c.patients.iter().sum::<u64>(), "{}", what);
            prop_assert_eq!(c.sample_size[0], 0, "a trial treated nobody: {}", what);
            for d in 0..case.trial.doses {
                prop_assert!(
                    c.dlts[d] <= c.patients[d],
                    "DLTs > patients at dose {}: {}",
                    d + 1,
                    what
                );
                prop_assert!(
                    c.selected[d] == 0 || c.patients[d] > 0 || may_select_untried(&case.designs[k]),
                    "dose {} selected but never given: {}",
                    d + 1,
                    what
                );
            }
            // Stopping for toxicity never recommends a dose.
            prop_assert!(c.stops[StopReason::TooToxic.index()] <= c.selected_none, "{}", what);
            // `stop_at_n { n }`: no cohort starts once n patients have been treated.
            for rule in &case.designs[k].rules {
                if let RuleCfg::StopAtN(n) = *rule {
                    let bound = (n + u32::from(case.trial.cohort) - 1) as usize;
                    prop_assert!(
                        c.sample_size.iter().skip(bound + 1).all(|&k| k == 0),
                        "sample size above {} under stop_at_n {}: {}",
                        bound,
                        n,
                        what
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    /// Selections + none = trials = stops by reason = the sample-size histogram, whose first moment
    /// is the total number of patients; DLTs ≤ patients per dose; no dose selected that nobody got.
    #[test]
    fn counts_add_up(
        case in case_strategy(
            trial_strategy(1..=8, 1..=4, |_| 40),
            1..=3,
            0..=100,
            &ALL_BUT_BLRM,
            1..=3,
            Rules::All,
        ),
        trials in 1u64..=1000,
        seed in any::<u64>(),
    ) {
        check_counts(&case, trials, seed)?;
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// As `counts_add_up`, for the BLRM (its fit is slow: few, small cases).
    #[test]
    fn counts_add_up_blrm(
        case in case_strategy(
            trial_strategy(1..=4, 1..=3, |c| 5 * u32::from(c)),
            1..=2,
            0..=100,
            &[Family::Blrm],
            1..=1,
            Rules::All,
        ),
        trials in 1u64..=100,
        seed in any::<u64>(),
    ) {
        check_counts(&case, trials, seed)?;
    }
}
