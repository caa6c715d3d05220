//! 4. Seeds.

use super::generate::{case_strategy, trial_strategy, Rules};
use super::{config, ALL_BUT_BLRM};
use proptest::prelude::*;
use trialsim::run::{simulate_scenario, RunOptions};

proptest! {
    #![proptest_config(config(32))]

    /// The same seed gives identical tables on 1 and 2 threads; another seed gives another table
    /// (truths strictly between 5 % and 95 %, no sample-size stops, so every trial is random).
    #[test]
    fn same_seed_same_table_other_seed_other_table(
        case in case_strategy(
            trial_strategy(2..=6, 1..=4, |_| 30).prop_map(|mut t| {
                t.max_patients = t.max_patients.max(3 * u32::from(t.cohort));
                t
            }),
            1..=2,
            5..=95,
            &ALL_BUT_BLRM,
            1..=2,
            Rules::NoSizeStops,
        ),
        seed in 0u64..1 << 53,
        other in 1u64..1 << 53,
    ) {
        let scenario = case.scenario()?;
        let run = |seed: u64, threads: usize| {
            let options = RunOptions { trials: Some(500), seed: Some(seed), threads, exact: false };
            simulate_scenario(&scenario, &options, &|_| {}).expect("simulation runs").0
        };
        let one = run(seed, 1);
        let two = run(seed, 2);
        prop_assert!(one == two, "same seed, different tables\n{}", case.toml());
        let another = run(seed ^ other, 2);
        prop_assert!(one.rows != another.rows, "seeds {} and {} give the same table\n{}", seed, seed ^ other, case.toml());
    }
}
