//! The operating-characteristics table of a single-arm run: what reports read.

use super::sim::{KmSteps, MedianHistogram, SingleArmCounts, SingleArmSummary};
use super::SingleArmTruth;

/// One truth × design row.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmRow {
    pub truth: String,
    pub design: String,
    pub true_orr: f64,
    pub summary: SingleArmSummary,
    /// Trials by sample size N = 0 … the design's maximum.
    pub sample_size: Vec<u64>,
}

/// The design-independent distribution of the estimated median OS under one truth.
#[derive(Clone, Debug, PartialEq)]
pub struct TruthMedians {
    pub truth: String,
    /// The truth's (marginal) median OS, months.
    pub true_median: f64,
    pub histogram: MedianHistogram,
}

/// The OS Kaplan–Meier curve of one simulated trial under one truth.
#[derive(Clone, Debug, PartialEq)]
pub struct KmExample {
    pub truth: String,
    /// 1-based trial number in the run.
    pub trial: u64,
    pub steps: KmSteps,
}

/// Every design under every truth.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmTable {
    pub scenario: String,
    pub trials: u64,
    pub seed: u64,
    /// Rows truth by truth, designs in scenario order within each truth.
    pub rows: Vec<SingleArmRow>,
    /// Per truth, in scenario order (empty unless added with [`with_os_medians`](Self::with_os_medians)).
    pub os_medians: Vec<TruthMedians>,
    /// Truth by truth, trials in order (empty unless added with [`with_km_examples`](Self::with_km_examples)).
    pub km_examples: Vec<KmExample>,
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
        }
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
}
