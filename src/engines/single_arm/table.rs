//! The operating-characteristics table of a single-arm run, and the rows of the run's CSV files
//! ([`crate::results::single_arm`]) computed from it and from the designs: percentages and means
//! from the simulated summaries, exact operating characteristics from each design's response
//! boundaries, and the true and historical survival curves.

use super::{
    KmSteps, MedianHistogram, MedianSummary, NullRejections, SingleArmCounts, SingleArmSummary, MEDIAN_BIN_MONTHS,
};
use crate::designs::single_arm::sim::{Analysis, Endpoint, SingleArmDesign};
use crate::designs::single_arm::{LogRankStatistic, SingleArmTruth};
use crate::results::cells::{Fixed, Given, Percent};
use crate::results::moments::binomial_se_pct;
use crate::results::single_arm::{
    AnalysisKind, Curve, DesignTargetRow, KmExampleRow, Measured, MedianOsRow, OrrCurveRow, SampleSizeRow,
    SingleArmSummaryRow,
};

/// One truth × design row.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// The truth's objective response rate.
    pub true_orr: f64,
    /// The simulated operating characteristics.
    pub summary: SingleArmSummary,
    /// Trials by sample size N = 0 … the design's maximum.
    pub sample_size: Vec<u64>,
}

/// The design-independent distribution of the estimated median OS under one truth.
#[derive(Clone, Debug, PartialEq)]
pub struct TruthMedians {
    /// The truth's name.
    pub truth: String,
    /// The truth's (marginal) median OS, months.
    pub true_median: f64,
    /// Trials by bin of the estimated median.
    pub histogram: MedianHistogram,
}

/// The OS Kaplan–Meier curve of one simulated trial under one truth.
#[derive(Clone, Debug, PartialEq)]
pub struct KmExample {
    /// The truth's name.
    pub truth: String,
    /// 1-based trial number in the run.
    pub trial: u64,
    /// The curve's step points.
    pub steps: KmSteps,
}

/// A log-rank design's simulated type I error beside its nominal level.
#[derive(Clone, Debug, PartialEq)]
pub struct NullTest {
    /// The design's name.
    pub design: String,
    /// Its test statistic.
    pub statistic: LogRankStatistic,
    /// Its nominal one-sided level.
    pub alpha: f64,
    /// Its test's rejections when survival follows its historical curve.
    pub counts: NullRejections,
}

/// Every design under every truth.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmTable {
    /// The scenario's name.
    pub scenario: String,
    /// Trials per design and truth.
    pub trials: u64,
    /// The run's seed.
    pub seed: u64,
    /// Rows truth by truth, designs in scenario order within each truth.
    pub rows: Vec<SingleArmRow>,
    /// Per truth, in scenario order (empty unless added with [`with_os_medians`](Self::with_os_medians)).
    pub os_medians: Vec<TruthMedians>,
    /// Truth by truth, trials in order (empty unless added with [`with_km_examples`](Self::with_km_examples)).
    pub km_examples: Vec<KmExample>,
    /// The log-rank designs' simulated type I errors, in scenario order (empty unless added with
    /// [`with_null_tests`](Self::with_null_tests)).
    pub null_tests: Vec<NullTest>,
}

/// Spacing of the true and historical curves in `km_examples.csv`, months.
const CURVE_STEP_MONTHS: f64 = 0.25;

/// A probability as a percentage.
fn percent(p: f64) -> Percent {
    Fixed(100.0 * p)
}

/// The binomial standard error of a probability `p` of `trials` trials, in percentage points.
fn binomial(p: f64, trials: u64) -> Percent {
    Fixed(binomial_se_pct(100.0 * p, trials))
}

impl SingleArmTable {
    /// Builds the table from counts indexed `[design][truth]`.
    pub fn new(
        scenario: &str,
        truths: &[SingleArmTruth],
        design_names: &[&str],
        counts: &[Vec<SingleArmCounts>],
        trials: u64,
        seed: u64,
    ) -> SingleArmTable {
        let mut rows = Vec::new();
        for (j, truth) in truths.iter().enumerate() {
            for (k, name) in design_names.iter().enumerate() {
                let c = &counts[k][j];
                rows.push(SingleArmRow {
                    truth: truth.name().to_string(),
                    design: name.to_string(),
                    true_orr: truth.orr(),
                    summary: c.summary(truth.orr()),
                    sample_size: c.patients_distribution(),
                });
            }
        }
        SingleArmTable {
            scenario: scenario.to_string(),
            trials,
            seed,
            rows,
            os_medians: Vec::new(),
            km_examples: Vec::new(),
            null_tests: Vec::new(),
        }
    }

    /// Adds the simulated type I errors of the log-rank designs among `designs` (named `names`),
    /// `counts[k]` for design k.
    pub fn with_null_tests(
        mut self,
        names: &[&str],
        designs: &[SingleArmDesign],
        counts: &[Option<NullRejections>],
    ) -> SingleArmTable {
        self.null_tests = names
            .iter()
            .zip(designs)
            .zip(counts)
            .filter_map(|((name, design), counts)| match (design.analysis(), counts) {
                (&Analysis::LogRank { alpha, statistic, .. }, Some(counts)) => Some(NullTest {
                    design: name.to_string(),
                    statistic,
                    alpha,
                    counts: *counts,
                }),
                _ => None,
            })
            .collect();
        self
    }

    /// Adds the per-truth distributions of the estimated median OS (`histograms[j]` for truth j).
    pub fn with_os_medians(mut self, truths: &[SingleArmTruth], histograms: &[MedianHistogram]) -> SingleArmTable {
        self.os_medians = truths
            .iter()
            .zip(histograms)
            .map(|(truth, h)| TruthMedians {
                truth: truth.name().to_string(),
                true_median: truth.os().curve().median(),
                histogram: h.clone(),
            })
            .collect();
        self
    }

    /// Adds example Kaplan–Meier curves, `curves[j][t]` for truth j and trial t + 1.
    pub fn with_km_examples(mut self, truths: &[SingleArmTruth], curves: &[Vec<KmSteps>]) -> SingleArmTable {
        self.km_examples = truths
            .iter()
            .zip(curves)
            .flat_map(|(truth, per_trial)| {
                per_trial.iter().enumerate().map(|(t, steps)| KmExample {
                    truth: truth.name().to_string(),
                    trial: t as u64 + 1,
                    steps: steps.clone(),
                })
            })
            .collect();
        self
    }

    /// The rows of `summary.csv`, one per truth × design.
    pub fn summary_rows(&self) -> Vec<SingleArmSummaryRow> {
        // % of the trials that reached the final analysis whose median was not reached.
        let not_reached =
            |m: &MedianSummary| (m.estimated > 0).then(|| percent(m.not_reached as f64 / m.estimated as f64));
        let not_reached_se = |m: &MedianSummary| {
            (m.estimated > 0).then(|| binomial(m.not_reached as f64 / m.estimated as f64, m.estimated))
        };
        // The reached medians' SD over √(medians reached).
        let median_se = |m: &MedianSummary| {
            let reached = (m.estimated - m.not_reached).max(1) as f64;
            m.sd.map(|sd| Fixed(sd / reached.sqrt()))
        };
        self.rows
            .iter()
            .map(|row| {
                let s = &row.summary;
                let null_test = self.null_tests.iter().find(|t| t.design == row.design);
                let type1 = null_test.map(|t| t.counts.rate());
                let root_n = (s.trials.max(1) as f64).sqrt();
                SingleArmSummaryRow {
                    truth: row.truth.clone(),
                    design: row.design.clone(),
                    trials: s.trials,
                    true_orr: Given(row.true_orr),
                    promising_pct: percent(s.promising),
                    futility_stop_pct: percent(s.futility_stop),
                    toxicity_stop_pct: percent(s.toxicity_stop),
                    completed_pct: percent(s.completed),
                    patients_mean: Fixed(s.mean_patients),
                    patients_sd: Fixed(s.sd_patients),
                    toxicities_mean: Fixed(s.mean_toxicities),
                    duration_mean: Fixed(s.mean_duration),
                    duration_sd: Fixed(s.sd_duration),
                    orr_bias: Fixed(s.orr_bias),
                    orr_coverage_pct: percent(s.orr_coverage),
                    os_median_mean: s.os_median.mean.map(Fixed),
                    os_median_sd: s.os_median.sd.map(Fixed),
                    os_median_not_reached_pct: not_reached(&s.os_median),
                    pfs_median_mean: s.pfs_median.mean.map(Fixed),
                    pfs_median_sd: s.pfs_median.sd.map(Fixed),
                    pfs_median_not_reached_pct: not_reached(&s.pfs_median),
                    nominal_alpha_pct: null_test.map(|t| Fixed(100.0 * t.alpha)),
                    type1_error_pct: type1.map(|(p, _)| percent(p)),
                    type1_error_pct_se: type1.map(|(_, se)| percent(se)),
                    promising_pct_se: binomial(s.promising, s.trials),
                    futility_stop_pct_se: binomial(s.futility_stop, s.trials),
                    toxicity_stop_pct_se: binomial(s.toxicity_stop, s.trials),
                    completed_pct_se: binomial(s.completed, s.trials),
                    patients_mean_se: Fixed(s.sd_patients / root_n),
                    toxicities_mean_se: Fixed(s.sd_toxicities / root_n),
                    duration_mean_se: Fixed(s.sd_duration / root_n),
                    orr_bias_se: Fixed(s.sd_orr / root_n),
                    orr_coverage_pct_se: binomial(s.orr_coverage, s.trials),
                    os_median_mean_se: median_se(&s.os_median),
                    os_median_not_reached_pct_se: not_reached_se(&s.os_median),
                    pfs_median_mean_se: median_se(&s.pfs_median),
                    pfs_median_not_reached_pct_se: not_reached_se(&s.pfs_median),
                }
            })
            .collect()
    }

    /// The rows of `sample_size.csv`: per truth × design, every sample size reached in at least
    /// one trial.
    pub fn sample_size_rows(&self) -> Vec<SampleSizeRow> {
        let mut rows = Vec::new();
        for row in &self.rows {
            for (n, &count) in row.sample_size.iter().enumerate().filter(|(_, &c)| c > 0) {
                rows.push(SampleSizeRow {
                    truth: row.truth.clone(),
                    design: row.design.clone(),
                    patients: n,
                    trials_pct: percent(count as f64 / self.trials as f64),
                    trials_pct_se: binomial(count as f64 / self.trials as f64, self.trials),
                });
            }
        }
        rows
    }

    /// The rows of `median_os.csv`: per truth, the non-empty bins of [`MEDIAN_BIN_MONTHS`] of
    /// the estimated median OS, then the trials where it was not reached (empty bounds).
    pub fn median_os_rows(&self) -> Vec<MedianOsRow> {
        let mut rows = Vec::new();
        for m in &self.os_medians {
            let trials = m.histogram.trials().max(1) as f64;
            let row = |bounds: Option<(f64, f64)>, count: u64| MedianOsRow {
                truth: m.truth.clone(),
                median_from: bounds.map(|(from, _)| Given(from)),
                median_to: bounds.map(|(_, to)| Given(to)),
                trials_pct: percent(count as f64 / trials),
                true_median_os: Given(m.true_median),
                trials_pct_se: binomial(count as f64 / trials, trials as u64),
            };
            for (i, &count) in m.histogram.bins().iter().enumerate().filter(|(_, &c)| c > 0) {
                let from = i as f64 * MEDIAN_BIN_MONTHS;
                rows.push(row(Some((from, from + MEDIAN_BIN_MONTHS)), count));
            }
            rows.push(row(None, m.histogram.not_reached));
        }
        rows
    }

    /// The rows of `km_examples.csv`: per truth (in the order of `truths`), the step points of
    /// its example trials and its true OS curve on a grid, then the historical control curve of
    /// the first log-rank design on OS among `designs`. The grid runs to the last example time
    /// (rounded up), or to `min_followup` + 12 months without examples.
    pub fn km_example_rows(
        &self,
        truths: &[SingleArmTruth],
        designs: &[&SingleArmDesign],
        min_followup: f64,
    ) -> Vec<KmExampleRow> {
        let last = self
            .km_examples
            .iter()
            .flat_map(|e| e.steps.iter().map(|&(t, _)| t))
            .fold(0.0, f64::max);
        let horizon = if last > 0.0 {
            last.ceil()
        } else {
            (min_followup + 12.0).ceil()
        };
        let grid = || (0..=(horizon / CURVE_STEP_MONTHS).round() as u32).map(|i| f64::from(i) * CURVE_STEP_MONTHS);
        let point = |truth: &str, curve: Curve, trial: Option<u64>, (time, survival): (f64, f64)| KmExampleRow {
            truth: truth.to_string(),
            curve,
            trial,
            time: Fixed(time),
            survival: Fixed(survival),
        };
        let mut rows = Vec::new();
        for truth in truths {
            for example in self.km_examples.iter().filter(|e| e.truth == truth.name()) {
                rows.extend(
                    example
                        .steps
                        .iter()
                        .map(|&step| point(truth.name(), Curve::Simulated, Some(example.trial), step)),
                );
            }
            rows.extend(grid().map(|time| point(truth.name(), Curve::True, None, (time, truth.os_survival(time)))));
        }
        let historical = designs.iter().find_map(|d| match d.analysis() {
            Analysis::LogRank {
                endpoint: Endpoint::Os,
                null,
                ..
            } => Some(*null),
            _ => None,
        });
        if let Some(null) = historical {
            rows.extend(grid().map(|time| point("", Curve::Historical, None, (time, null.survival(time)))));
        }
        rows
    }
}

/// The true ORRs of `orr_curve.csv`: 0.00, 0.01, …, 1.00.
fn orr_grid() -> impl Iterator<Item = f64> {
    (0..=100).map(|i| f64::from(i) / 100.0)
}

/// The rows of `orr_curve.csv` for design `name`: its exact operating characteristics over the
/// ORR grid, from its response boundaries (every enrolled patient assessed at each look, no
/// toxicity monitoring); none for a time-to-event design.
pub fn orr_curve_rows(name: &str, design: &SingleArmDesign) -> Vec<OrrCurveRow> {
    let Analysis::Responses(boundaries) = design.analysis() else {
        return Vec::new();
    };
    orr_grid()
        .map(|p| {
            let oc = boundaries.oc(p);
            OrrCurveRow {
                design: name.to_string(),
                true_orr: Fixed(p),
                promising_pct: percent(oc.reject),
                early_stop_pct: percent(oc.early_stop),
                patients_mean: Fixed(oc.expected_n),
            }
        })
        .collect()
}

/// The row of `design_targets.csv` for design `name`, built for response rates `p0` and `p1`,
/// nominal type I error `alpha` and target `power` (as the scenario gives them): its exact type I
/// error at p0 and power at p1 (response designs), or its historical control.
pub fn design_target_row(
    name: &str,
    design: &SingleArmDesign,
    (p0, p1): (Option<f64>, Option<f64>),
    alpha: Option<f64>,
    power: Option<f64>,
) -> DesignTargetRow {
    let measured = |e: &Endpoint| match e {
        Endpoint::Os => Measured::Os,
        Endpoint::Pfs => Measured::Pfs,
    };
    let mut row = DesignTargetRow {
        design: name.to_string(),
        analysis: AnalysisKind::Responses,
        endpoint: Measured::Orr,
        max_patients: design.max_patients(),
        p0: p0.map(Given),
        p1: p1.map(Given),
        alpha: alpha.map(Given),
        target_power: power.map(|p| Given((p * 1e12).round() / 1e12)),
        exact_alpha: None,
        exact_power: None,
        null_median: None,
        null_shape: None,
        landmark_time: None,
        null_rate: None,
        toxicity_monitoring: design.toxicity().is_some(),
        statistic: None,
    };
    match design.analysis() {
        Analysis::Responses(b) => {
            row.exact_alpha = p0.map(|p| Fixed(b.oc(p).reject));
            row.exact_power = p1.map(|p| Fixed(b.oc(p).reject));
        }
        Analysis::LogRank {
            endpoint,
            null,
            statistic,
            ..
        } => {
            row.analysis = AnalysisKind::LogRank;
            row.endpoint = measured(endpoint);
            row.null_median = Some(Given(null.median()));
            row.null_shape = Some(Given(null.shape()));
            row.statistic = Some(statistic.name().to_string());
        }
        Analysis::Landmark {
            endpoint,
            time,
            null_rate,
            ..
        } => {
            row.analysis = AnalysisKind::Landmark;
            row.endpoint = measured(endpoint);
            row.landmark_time = Some(Given(*time));
            row.null_rate = Some(Given(*null_rate));
        }
    }
    row
}
