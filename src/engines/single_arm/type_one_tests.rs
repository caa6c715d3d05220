//! The log-rank designs' simulated type I error is counted on the trials' own patients. Its
//! agreement with an independent simulation in R at n = 56 is a parity fixture
//! (`tests/fixtures/parity/logrank-exponential` and `logrank-weibull`, run by
//! `tests/integration/parity.rs`).

use super::*;
use crate::designs::single_arm::survival::{LogRankStatistic, WeibullSurvival};
use crate::designs::single_arm::timing::{Accrual, SurvivalCurve, TimeToEvent};
use crate::engines::simulate;

/// Under a truth whose OS is the null curve (no responder effect), a design without toxicity
/// monitoring rejects in exactly the trials its null test does (same latents, same times); Wu's
/// statistic rejects whenever the classical one does (when E > O, (O + E)/2 < E), so its type I
/// error is at least the classical one's on the same trials, and strictly more here.
#[test]
fn null_test_counts_the_trials_own_patients() {
    let null = WeibullSurvival::new(10.0, 1.0).unwrap();
    let designs: Vec<SingleArmDesign> = [LogRankStatistic::Classical, LogRankStatistic::Wu]
        .into_iter()
        .map(|statistic| SingleArmDesign::log_rank("log-rank", 56, Endpoint::Os, null, 0.05, statistic).unwrap())
        .collect();
    let os = TimeToEvent::independent(SurvivalCurve::exponential(10.0).unwrap());
    let pfs = TimeToEvent::independent(SurvivalCurve::exponential(5.0).unwrap());
    let truths = [SingleArmTruth::new("H0 exponential", 0.3, 0.1, pfs, os).unwrap()];
    let timing = StudyTiming::new(56, Accrual::uniform(18.0).unwrap(), 1.5, 12.0, 0.0).unwrap();
    let trials = 20_000u64;
    let plan = SingleArmPlan::new(&timing, &truths, &designs, 2014).unwrap();
    let results = simulate(&plan, 0..trials, 2, &|_| {}).unwrap();
    let rejections: Vec<u64> = (0..2)
        .map(|k| {
            let counts = results.null_tests[k].expect("a log-rank design");
            assert_eq!(counts.trials, trials);
            assert_eq!(counts.rejections, results.counts[k][0].promising);
            counts.rejections
        })
        .collect();
    assert!(rejections[0] > 0 && rejections[1] > rejections[0], "{rejections:?}");
}
