//! The sample size of a single-arm survival trial tested against a historical Weibull curve by the
//! one-sample log-rank test (Wu 2015, [`WuDesign`]; classical or Wu's 2014 modified statistic),
//! with the alternative given either as the median survival under H1 or as the hazard ratio.

use crate::designs::single_arm::{LogRankStatistic, SingleArmError, WeibullSurvival, WuDesign};

/// The alternative hypothesis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Alternative {
    /// The median survival under H1, in the historical median's unit.
    Median(f64),
    /// The hazard ratio δ under H1 (S1 = S0^δ; below 1: longer survival).
    HazardRatio(f64),
}

/// Why a survival sample size cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum SurvivalSizeError {
    /// The median under H1 is not finite and positive.
    #[error("median1 must be positive, got {0}")]
    Median1(f64),
    /// A parameter of Wu's design (or the target power) is invalid.
    #[error(transparent)]
    Design(#[from] SingleArmError),
}

/// Wu's design sized for a target power.
#[derive(Clone, Debug, PartialEq)]
pub struct SurvivalSize {
    /// The historical (null) survival curve.
    pub null: WeibullSurvival,
    /// The hazard ratio δ under H1.
    pub hazard_ratio: f64,
    /// The design, whose [`WuDesign::power`] gives the power at any sample size.
    pub design: WuDesign,
    /// The smallest sample size with at least the target power.
    pub sample_size: u32,
}

impl SurvivalSize {
    /// Sizes the one-sample log-rank test of the `null` curve against `alternative` with uniform
    /// accrual over `accrual`, `followup` more after the last patient, one-sided level `alpha`
    /// and the target `power`, tested by `statistic`. With a common Weibull shape k, S1 = S0^δ
    /// gives δ = (median0 / median1)^k.
    pub fn new(
        null: WeibullSurvival,
        alternative: Alternative,
        (accrual, followup): (f64, f64),
        alpha: f64,
        power: f64,
        statistic: LogRankStatistic,
    ) -> Result<SurvivalSize, SurvivalSizeError> {
        let hazard_ratio = match alternative {
            Alternative::Median(m1) if m1.is_finite() && m1 > 0.0 => (null.median() / m1).powf(null.shape()),
            Alternative::Median(m1) => return Err(SurvivalSizeError::Median1(m1)),
            Alternative::HazardRatio(hr) => hr,
        };
        let design = WuDesign::new(alpha, accrual, followup, null, hazard_ratio)?.with_statistic(statistic);
        let sample_size = design.sample_size(power)?;
        Ok(SurvivalSize {
            null,
            hazard_ratio,
            design,
            sample_size,
        })
    }

    /// The median survival under H1: median0 · δ^(−1/k).
    pub fn median1(&self) -> f64 {
        self.null.median() * self.hazard_ratio.powf(-1.0 / self.null.shape())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASSICAL: LogRankStatistic = LogRankStatistic::Classical;

    /// Wu (2015): median 10 → 15 months, exponential, 18 months' accrual, 12 more: 61 patients
    /// for 80% power at one-sided 5%.
    #[test]
    fn median_and_hazard_ratio_agree() {
        let null = WeibullSurvival::new(10.0, 1.0).unwrap();
        let by_median = SurvivalSize::new(null, Alternative::Median(15.0), (18.0, 12.0), 0.05, 0.8, CLASSICAL).unwrap();
        assert_eq!(by_median.sample_size, 61);
        assert!((by_median.hazard_ratio - 2.0 / 3.0).abs() < 1e-12);
        assert!((by_median.median1() - 15.0).abs() < 1e-9);
        let by_ratio = SurvivalSize::new(
            null,
            Alternative::HazardRatio(2.0 / 3.0),
            (18.0, 12.0),
            0.05,
            0.8,
            CLASSICAL,
        )
        .unwrap();
        assert_eq!(by_ratio.sample_size, 61);
    }

    /// OneArm2stage 1.2.1's single-stage designs (`phase2.TTE(...)$Single_stage$nsingle`,
    /// `tests/fixtures/logrank/oneArm2stage_single_stage.csv`): the classical statistic sized by
    /// Wu's exact-variance formula, accrual at `rate` patients a month (so its duration is n/rate)
    /// and `tf` months more, the null Weibull given by S0 = S(x0). trialsim's n is the smallest
    /// whose design with accrual n/rate needs at most n patients.
    #[test]
    fn single_stage_sizes_match_one_arm_2_stage() {
        let csv = include_str!("../../tests/fixtures/logrank/oneArm2stage_single_stage.csv");
        let mut rows = 0;
        for line in csv.lines().skip(1) {
            let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
            let (shape, s0, x0, hr, tf, rate, alpha, beta, nsingle) =
                (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8] as u32);
            let median0 = x0 * (std::f64::consts::LN_2 / -s0.ln()).powf(1.0 / shape);
            let null = WeibullSurvival::new(median0, shape).unwrap();
            let needed = |n: u32| {
                let accrual = (f64::from(n) / rate, tf);
                SurvivalSize::new(
                    null,
                    Alternative::HazardRatio(hr),
                    accrual,
                    alpha,
                    1.0 - beta,
                    CLASSICAL,
                )
                .unwrap()
                .sample_size
            };
            let n = (1..1000).find(|&n| needed(n) <= n).unwrap();
            assert_eq!(n, nsingle, "{line}");
            rows += 1;
        }
        assert!(rows >= 1);
    }

    #[test]
    fn a_median_must_be_positive() {
        let null = WeibullSurvival::new(10.0, 1.0).unwrap();
        let err = SurvivalSize::new(null, Alternative::Median(-3.0), (18.0, 12.0), 0.05, 0.8, CLASSICAL).unwrap_err();
        assert!(matches!(err, SurvivalSizeError::Median1(m) if m == -3.0));
    }
}
