//! The rows of a single-arm run's tables (**contract**: file names and leading columns fixed;
//! columns are only added at the end). Percentages are over all simulated trials; times are in
//! months. The single-arm code builds them (`engines::single_arm::table`); reports and charts read
//! them.

use super::cells::{word_cell, Fixed, Given, Mean, Percent};
use super::rows::flat_row;
use super::SUMMARY_FILE;
use serde::{Deserialize, Serialize};

/// One truth × design of the single-arm `summary.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SingleArmSummaryRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// Simulated trials.
    pub trials: u64,
    /// The truth's objective response rate.
    pub true_orr: Given,
    /// % of trials declaring the regimen promising.
    pub promising_pct: Percent,
    /// % of trials stopping for futility at an interim look.
    pub futility_stop_pct: Percent,
    /// % of trials stopping for toxicity.
    pub toxicity_stop_pct: Percent,
    /// % of trials reaching the final analysis.
    pub completed_pct: Percent,
    /// Mean sample size.
    pub patients_mean: Mean,
    /// SD of the sample size.
    pub patients_sd: Mean,
    /// Mean patients with a limiting toxicity.
    pub toxicities_mean: Mean,
    /// Mean trial duration (from the study's opening to its stop or final analysis).
    pub duration_mean: Mean,
    /// SD of the trial duration.
    pub duration_sd: Mean,
    /// Mean ORR estimate minus the true ORR.
    pub orr_bias: Mean,
    /// % of trials whose 95% Clopper–Pearson interval of the ORR holds the true ORR.
    pub orr_coverage_pct: Percent,
    /// Mean of the reached Kaplan–Meier median OS (empty when none was reached).
    pub os_median_mean: Option<Mean>,
    /// SD of the reached median OS (empty with fewer than two).
    pub os_median_sd: Option<Mean>,
    /// % of trials reaching the final analysis whose median OS was not reached (empty when none did).
    pub os_median_not_reached_pct: Option<Percent>,
    /// Mean of the reached median PFS.
    pub pfs_median_mean: Option<Mean>,
    /// SD of the reached median PFS.
    pub pfs_median_sd: Option<Mean>,
    /// % of trials reaching the final analysis whose median PFS was not reached.
    pub pfs_median_not_reached_pct: Option<Percent>,
    /// A log-rank design's nominal one-sided level, % (empty for other designs).
    pub nominal_alpha_pct: Option<Percent>,
    /// A log-rank design's simulated type I error, %: its test alone rejecting H0 when survival
    /// follows its historical curve, on the same trials (the same in every truth's row).
    pub type1_error_pct: Option<Percent>,
    /// The Monte Carlo standard error of `type1_error_pct`, %.
    pub type1_error_pct_se: Option<Percent>,
    /// The Monte Carlo standard errors of the figures above, named after them (binomial for a
    /// percentage, over the trials it counts; SD/√n for a mean): of `promising_pct`.
    pub promising_pct_se: Percent,
    /// Of `futility_stop_pct`.
    pub futility_stop_pct_se: Percent,
    /// Of `toxicity_stop_pct`.
    pub toxicity_stop_pct_se: Percent,
    /// Of `completed_pct`.
    pub completed_pct_se: Percent,
    /// Of `patients_mean`.
    pub patients_mean_se: Mean,
    /// Of `toxicities_mean`.
    pub toxicities_mean_se: Mean,
    /// Of `duration_mean`.
    pub duration_mean_se: Mean,
    /// Of `orr_bias`.
    pub orr_bias_se: Mean,
    /// Of `orr_coverage_pct`.
    pub orr_coverage_pct_se: Percent,
    /// Of `os_median_mean` (over the medians reached).
    pub os_median_mean_se: Option<Mean>,
    /// Of `os_median_not_reached_pct` (over the trials reaching the final analysis).
    pub os_median_not_reached_pct_se: Option<Percent>,
    /// Of `pfs_median_mean`.
    pub pfs_median_mean_se: Option<Mean>,
    /// Of `pfs_median_not_reached_pct`.
    pub pfs_median_not_reached_pct_se: Option<Percent>,
}

/// One row of `sample_size.csv`: the share of trials of a truth × design ending with `patients`
/// patients (only sizes some trial reached).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleSizeRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// The sample size.
    pub patients: usize,
    /// % of trials ending with that many patients.
    pub trials_pct: Percent,
    /// Its binomial standard error.
    pub trials_pct_se: Percent,
}

/// One point of `orr_curve.csv`: a design's exact operating characteristics at one true ORR (from
/// its response boundaries, every enrolled patient assessed at each look, no toxicity monitoring).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrrCurveRow {
    /// The design's name.
    pub design: String,
    /// The true ORR, on the grid 0.00, 0.01, …, 1.00.
    pub true_orr: Fixed<2>,
    /// % of trials declaring the regimen promising.
    pub promising_pct: Percent,
    /// % of trials stopping early for futility.
    pub early_stop_pct: Percent,
    /// Expected sample size.
    pub patients_mean: Mean,
}

word_cell! {
    /// How a single-arm design decides.
    pub enum AnalysisKind {
        /// By counting responses at fixed looks.
        Responses => "responses",
        /// By a one-sample log-rank test against a historical curve.
        LogRank => "log-rank",
        /// By the Kaplan–Meier survival at a landmark time against a historical rate.
        Landmark => "landmark",
    }
}

word_cell! {
    /// The endpoint a single-arm design measures.
    pub enum Measured {
        /// Objective response.
        Orr => "orr",
        /// Overall survival.
        Os => "os",
        /// Progression-free survival.
        Pfs => "pfs",
    }
}

/// One design of `design_targets.csv`: its analysis and endpoint, the hypotheses and error rates
/// it was built for (as the scenario gives them), its exact type I error at p0 and power at p1
/// (response designs), and the historical control of a time-to-event design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignTargetRow {
    /// The design's name.
    pub design: String,
    /// How it decides.
    pub analysis: AnalysisKind,
    /// What it measures.
    pub endpoint: Measured,
    /// Its maximum sample size.
    pub max_patients: u32,
    /// The uninteresting response rate.
    pub p0: Option<Given>,
    /// The response rate worth pursuing.
    pub p1: Option<Given>,
    /// The nominal type I error.
    pub alpha: Option<Given>,
    /// The target power.
    pub target_power: Option<Given>,
    /// The exact type I error at p0.
    pub exact_alpha: Option<Fixed<6>>,
    /// The exact power at p1.
    pub exact_power: Option<Fixed<6>>,
    /// The historical median of a log-rank design.
    pub null_median: Option<Given>,
    /// The historical Weibull shape of a log-rank design.
    pub null_shape: Option<Given>,
    /// The landmark time of a landmark design.
    pub landmark_time: Option<Given>,
    /// The historical rate at the landmark.
    pub null_rate: Option<Given>,
    /// Whether toxicity is monitored.
    pub toxicity_monitoring: bool,
    /// The test statistic of a log-rank design: "classical" or "wu".
    pub statistic: Option<String>,
}

word_cell! {
    /// What a curve of `km_examples.csv` is.
    pub enum Curve {
        /// The Kaplan–Meier curve of a simulated trial (step points).
        Simulated => "simulated",
        /// The truth's OS curve, on a grid.
        True => "true",
        /// The historical control curve of the log-rank design on OS, on a grid.
        Historical => "historical",
    }
}

/// One point of `km_examples.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KmExampleRow {
    /// The truth's name (empty for the historical curve).
    pub truth: String,
    /// Which curve.
    pub curve: Curve,
    /// The simulated trial's number (empty for the other curves).
    pub trial: Option<u64>,
    /// Months from entry; a simulated curve's survival holds until the next point's time.
    pub time: Mean,
    /// Overall survival.
    pub survival: Mean,
}

/// One bin of `median_os.csv`: the share of trials under a truth whose estimated median OS is in
/// [`median_from`, `median_to`), or, with empty bounds, was not reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MedianOsRow {
    /// The truth's name.
    pub truth: String,
    /// The bin's lower bound.
    pub median_from: Option<Given>,
    /// The bin's upper bound.
    pub median_to: Option<Given>,
    /// % of trials.
    pub trials_pct: Percent,
    /// The truth's median OS.
    pub true_median_os: Given,
    /// The binomial standard error of `trials_pct`.
    pub trials_pct_se: Percent,
}

flat_row!(
    SingleArmSummaryRow => SUMMARY_FILE,
    SampleSizeRow => "sample_size.csv",
    OrrCurveRow => "orr_curve.csv",
    DesignTargetRow => "design_targets.csv",
    KmExampleRow => "km_examples.csv",
    MedianOsRow => "median_os.csv",
);
