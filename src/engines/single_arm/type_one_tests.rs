//! The log-rank designs' simulated type I error: counted on the trials' own patients, and at
//! n = 56 against an independent direct simulation of the statistics in R.

use super::*;
use crate::designs::single_arm::survival::{LogRankStatistic, WeibullSurvival};
use crate::designs::single_arm::timing::{Accrual, SurvivalCurve, TimeToEvent};
use crate::engines::simulate;

/// The four log-rank tests at n = 56: (null shape, statistic, reference type I error, its SE),
/// from `tests/fixtures/logrank/type1.csv`: base R 4.2.2, `type1_reference.R`, 10⁶ trials each,
/// entries i.i.d. uniform on [0, 18] months, analysis 12 months after the last entry, no dropout,
/// survival from the null Weibull curve (median 10 months).
const REFERENCES: [(f64, LogRankStatistic, f64, f64); 4] = [
    (1.0, LogRankStatistic::Classical, 0.041_753, 0.000_200),
    (1.0, LogRankStatistic::Wu, 0.051_965, 0.000_222),
    (0.5, LogRankStatistic::Classical, 0.042_282, 0.000_201),
    (0.5, LogRankStatistic::Wu, 0.053_526, 0.000_225),
];

/// The null curve of a reference.
fn null(shape: f64) -> WeibullSurvival {
    WeibullSurvival::new(10.0, shape).unwrap()
}

/// Each log-rank design's type I error, counted by the engine on 100,000 trials (its historical
/// curve, the trial's own entries), agrees with R's within 4 combined SE; the classical statistic
/// is conservative (4.2% at a nominal 5%), Wu's is closer to 5% (5.2%, 5.4% for shape 0.5). Under a
/// truth whose OS is the null curve (no responder effect), a design without toxicity monitoring
/// rejects in exactly the trials its null test does (same latents, same times).
#[test]
fn type_one_errors_at_n56() {
    let designs: Vec<SingleArmDesign> = REFERENCES
        .iter()
        .map(|&(shape, statistic, ..)| {
            SingleArmDesign::log_rank("log-rank", 56, Endpoint::Os, null(shape), 0.05, statistic).unwrap()
        })
        .collect();
    let os = TimeToEvent::independent(SurvivalCurve::exponential(10.0).unwrap());
    let pfs = TimeToEvent::independent(SurvivalCurve::exponential(5.0).unwrap());
    let truths = [SingleArmTruth::new("H0 exponential", 0.3, 0.1, pfs, os).unwrap()];
    let timing = StudyTiming::new(56, Accrual::uniform(18.0).unwrap(), 1.5, 12.0, 0.0).unwrap();
    let trials = 100_000u64;
    let plan = SingleArmPlan::new(&timing, &truths, &designs, 2014).unwrap();
    let results = simulate(&plan, 0..trials, 2, &|_| {}).unwrap();
    for (k, &(shape, statistic, reference, reference_se)) in REFERENCES.iter().enumerate() {
        let counts = results.null_tests[k].expect("a log-rank design");
        assert_eq!(counts.trials, trials);
        let (rate, se) = counts.rate();
        let z = (rate - reference) / (se * se + reference_se * reference_se).sqrt();
        eprintln!("shape {shape}, {statistic:?}: type I error {rate} (R {reference}), z = {z:.2}");
        assert!(
            z.abs() < 4.0,
            "shape {shape}, {statistic:?}: {rate} vs {reference}, z = {z}"
        );
        if shape == 1.0 {
            assert_eq!(counts.rejections, results.counts[k][0].promising);
        }
    }
    let gap = |k: usize| (REFERENCES[k].2 - 0.05).abs();
    assert!(REFERENCES[0].2 < 0.045 && gap(1) < gap(0) && gap(3) < gap(2));
}
