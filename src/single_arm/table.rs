//! The operating-characteristics table of a single-arm run: what reports read.

use super::sim::{SingleArmCounts, SingleArmSummary};
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

/// Every design under every truth.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmTable {
    pub scenario: String,
    pub trials: u64,
    pub seed: u64,
    /// Rows truth by truth, designs in scenario order within each truth.
    pub rows: Vec<SingleArmRow>,
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
        }
    }
}
