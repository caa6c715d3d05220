//! The tables of randomized dose optimization after escalation (designs with a `randomize`
//! table; see [`crate::designs::optimization`]): `optimization_by_dose.csv`,
//! `optimization_summary.csv` and `optimization_sample_size.csv`, one row per truth × such design
//! (× dose). They are separate files, written only when a design randomizes, so every other
//! table stays as it was.
//!
//! The truly best dose is judged by the true utility of the design's `randomize` table (BOIN12's
//! scores): among the arms a trial randomized (`best_among_arms_pct`, over the randomized trials)
//! and overall, among the doses whose true P(DLT) is at most the target (`best_overall_pct`, over
//! all trials; no final dose is right when every dose is above the target).

use super::cells::{Choice, Fixed, Flag, Mean, Percent, Trials};
use super::rows::{flat_row, write_rows};
use crate::core::Dose;
use serde::{Deserialize, Serialize};

/// A figure and its Monte Carlo standard error.
pub type WithSe = (f64, f64);

/// One dose's figures in the randomized stage.
#[derive(Clone, Debug, PartialEq)]
pub struct PerDose {
    /// % of trials whose final dose it is.
    pub selected_pct: WithSe,
    /// % of trials randomizing it as an arm.
    pub arm_pct: WithSe,
    /// Mean randomized patients at it per trial.
    pub patients_mean: WithSe,
    /// Mean responses at it in the stage per trial.
    pub responses_mean: WithSe,
    /// Mean DLTs at it in the stage per trial.
    pub dlts_mean: WithSe,
}

/// A design's randomized-stage figures under one truth (from the engine's counts).
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizationFigures {
    /// Simulated trials.
    pub trials: u64,
    /// % of trials that randomized.
    pub randomized_pct: WithSe,
    /// % of randomized trials whose final dose is the truly best of their arms.
    pub best_among_arms_pct: WithSe,
    /// % of trials whose final dose is the truly best overall.
    pub best_overall_pct: WithSe,
    /// % of trials with no final dose.
    pub selected_none_pct: WithSe,
    /// Mean patients per trial, escalation and stage.
    pub patients_mean: WithSe,
    /// Mean randomized patients per trial.
    pub stage_patients_mean: WithSe,
    /// Mean responses in the stage per trial.
    pub stage_responses_mean: WithSe,
    /// Mean DLTs in the stage per trial.
    pub stage_dlts_mean: WithSe,
    /// Per dose.
    pub doses: Vec<PerDose>,
}

/// The exact sample-size calculation for one truth (no simulation error).
#[derive(Clone, Debug, PartialEq)]
pub struct Planning {
    /// The arms assumed: those randomized when the escalation selects the truly best dose.
    pub arms: Vec<Dose>,
    /// The truly best of them.
    pub best_arm: Dose,
    /// P(choosing it) with the design's `n_per_arm`, exact.
    pub correct_at_n: f64,
    /// The target probability.
    pub target: f64,
    /// The smallest n per arm reaching the target, with its probability; `None` when no n up to
    /// `max_n_per_arm` does.
    pub needed: Option<(u32, f64)>,
    /// The largest n per arm tried.
    pub max_n_per_arm: u32,
}

/// One truth × design with a randomized stage.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizationRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// The stage's settings in words (arms, n per arm, rule, pooling).
    pub settings: String,
    /// Patients per arm.
    pub n_per_arm: u32,
    /// True utility per dose.
    pub true_utility: Vec<f64>,
    /// The truly best dose overall.
    pub best_overall: Option<Dose>,
    /// The simulated figures.
    pub figures: OptimizationFigures,
    /// The exact calculation (`None` when fewer than two doses are at most the target).
    pub planning: Option<Planning>,
}

/// Every truth × design with a randomized stage, truth by truth.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizationTable {
    /// The doses' labels.
    pub dose_labels: Vec<String>,
    /// The rows.
    pub rows: Vec<OptimizationRow>,
}

/// One truth × design × dose of `optimization_by_dose.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimizationByDoseRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// 1-based dose level.
    pub dose: usize,
    /// The dose's label.
    pub label: String,
    /// True utility (the `randomize` table's scores).
    pub true_utility: Mean,
    /// Whether the dose is the truly best overall.
    pub best_overall: Flag,
    /// % of trials randomizing the dose as an arm.
    pub arm_pct: Percent,
    /// Mean randomized patients at the dose per trial.
    pub randomized_patients_mean: Mean,
    /// Mean responses at the dose in the randomized stage per trial.
    pub response_mean: Mean,
    /// Mean DLTs at the dose in the randomized stage per trial.
    pub dlt_mean: Mean,
    /// % of trials whose final dose it is.
    pub final_selected_pct: Percent,
    /// Of `arm_pct`.
    pub arm_pct_se: Percent,
    /// Of `randomized_patients_mean`.
    pub randomized_patients_mean_se: Mean,
    /// Of `response_mean`.
    pub response_mean_se: Mean,
    /// Of `dlt_mean`.
    pub dlt_mean_se: Mean,
    /// Of `final_selected_pct`.
    pub final_selected_pct_se: Percent,
}

/// One truth × design of `optimization_summary.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimizationSummaryRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// Simulated trials.
    pub trials: Trials,
    /// The stage's settings.
    pub settings: String,
    /// The truly best dose overall, or `stop`.
    pub best_overall: Choice,
    /// % of trials that randomized.
    pub randomized_pct: Percent,
    /// % of randomized trials choosing the truly best of their arms.
    pub best_among_arms_pct: Percent,
    /// % of trials choosing the truly best dose overall.
    pub best_overall_pct: Percent,
    /// % of trials with no final dose.
    pub final_none_pct: Percent,
    /// Mean patients per trial, escalation and randomized stage.
    pub patients_mean: Mean,
    /// Mean randomized patients per trial.
    pub randomized_patients_mean: Mean,
    /// Mean responses in the randomized stage per trial.
    pub response_mean: Mean,
    /// Mean DLTs in the randomized stage per trial.
    pub dlt_mean: Mean,
    /// Of `randomized_pct`.
    pub randomized_pct_se: Percent,
    /// Of `best_among_arms_pct` (binomial over the randomized trials).
    pub best_among_arms_pct_se: Percent,
    /// Of `best_overall_pct`.
    pub best_overall_pct_se: Percent,
    /// Of `final_none_pct`.
    pub final_none_pct_se: Percent,
    /// Of `patients_mean`.
    pub patients_mean_se: Mean,
    /// Of `randomized_patients_mean`.
    pub randomized_patients_mean_se: Mean,
    /// Of `response_mean`.
    pub response_mean_se: Mean,
    /// Of `dlt_mean`.
    pub dlt_mean_se: Mean,
}

/// One truth × design of `optimization_sample_size.csv` (exact).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimizationSampleSizeRow {
    /// The truth's name.
    pub truth: String,
    /// The design's name.
    pub design: String,
    /// The arms assumed, as dose levels joined by spaces.
    pub arms: String,
    /// The truly best arm's level.
    pub best_arm: usize,
    /// The design's patients per arm.
    pub n_per_arm: u32,
    /// P(choosing the best arm) with `n_per_arm`, %, exact.
    pub correct_selection_pct: Percent,
    /// The target, %.
    pub target_selection_pct: Percent,
    /// The smallest n per arm reaching the target (empty when none up to `max_n_per_arm` does).
    pub n_per_arm_needed: Option<u32>,
    /// P(choosing the best arm) with `n_per_arm_needed`, %.
    pub correct_selection_pct_needed: Option<Percent>,
    /// The largest n per arm tried.
    pub max_n_per_arm: u32,
}

flat_row!(
    OptimizationByDoseRow => "optimization_by_dose.csv",
    OptimizationSummaryRow => "optimization_summary.csv",
    OptimizationSampleSizeRow => "optimization_sample_size.csv",
);

/// The randomized-stage tables, with one line each on what they show.
pub const OPTIMIZATION_TABLES: [(&str, &str); 3] = [
    ("optimization_by_dose.csv", "designs with a randomized dose-optimization stage: one row per truth × design × dose: true utility, whether the dose is the truly best overall, % of trials randomizing it, mean randomized patients, responses and DLTs at it in the stage, % of trials choosing it as the final dose."),
    ("optimization_summary.csv", "designs with a randomized stage: one row per truth × design: % of trials randomizing, % choosing the truly best of their arms and the truly best overall, % with no final dose, mean patients (all, randomized), responses and DLTs in the stage."),
    ("optimization_sample_size.csv", "designs with a randomized stage: one row per truth × design, exact: P(choosing the truly best arm) with n per arm, and the smallest n per arm reaching the target selection probability."),
];

fn se(x: WithSe) -> (Fixed<3>, Fixed<3>) {
    (Fixed(x.0), Fixed(x.1))
}

fn mean(x: WithSe) -> (Mean, Mean) {
    (Fixed(x.0), Fixed(x.1))
}

impl OptimizationSummaryRow {
    /// The rows of `table`, one per truth × design with a randomized stage (also stacked by
    /// `compare` and sweeps).
    pub fn rows(table: &OptimizationTable) -> Vec<OptimizationSummaryRow> {
        let rows = table.rows.iter().map(|row| {
            let f = &row.figures;
            OptimizationSummaryRow {
                truth: row.truth.clone(),
                design: row.design.clone(),
                trials: Trials::Simulated(f.trials),
                settings: row.settings.clone(),
                best_overall: Choice::dose(row.best_overall),
                randomized_pct: Fixed(f.randomized_pct.0),
                best_among_arms_pct: Fixed(f.best_among_arms_pct.0),
                best_overall_pct: Fixed(f.best_overall_pct.0),
                final_none_pct: Fixed(f.selected_none_pct.0),
                patients_mean: Fixed(f.patients_mean.0),
                randomized_patients_mean: Fixed(f.stage_patients_mean.0),
                response_mean: Fixed(f.stage_responses_mean.0),
                dlt_mean: Fixed(f.stage_dlts_mean.0),
                randomized_pct_se: Fixed(f.randomized_pct.1),
                best_among_arms_pct_se: Fixed(f.best_among_arms_pct.1),
                best_overall_pct_se: Fixed(f.best_overall_pct.1),
                final_none_pct_se: Fixed(f.selected_none_pct.1),
                patients_mean_se: Fixed(f.patients_mean.1),
                randomized_patients_mean_se: Fixed(f.stage_patients_mean.1),
                response_mean_se: Fixed(f.stage_responses_mean.1),
                dlt_mean_se: Fixed(f.stage_dlts_mean.1),
            }
        });
        rows.collect()
    }
}

/// The three tables' bytes, in the order of [`OPTIMIZATION_TABLES`].
pub fn optimization_tables(table: &OptimizationTable) -> [Vec<u8>; 3] {
    let mut by_dose = Vec::new();
    let mut sample_size = Vec::new();
    for row in &table.rows {
        let f = &row.figures;
        for (i, (label, d)) in table.dose_labels.iter().zip(&f.doses).enumerate() {
            let ((arm, arm_se), (patients, patients_se)) = (se(d.arm_pct), mean(d.patients_mean));
            let ((responses, responses_se), (dlts, dlts_se)) = (mean(d.responses_mean), mean(d.dlts_mean));
            let (selected, selected_se) = se(d.selected_pct);
            by_dose.push(OptimizationByDoseRow {
                truth: row.truth.clone(),
                design: row.design.clone(),
                dose: i + 1,
                label: label.clone(),
                true_utility: Fixed(row.true_utility[i]),
                best_overall: Flag(row.best_overall == Some(Dose(i as u16))),
                arm_pct: arm,
                randomized_patients_mean: patients,
                response_mean: responses,
                dlt_mean: dlts,
                final_selected_pct: selected,
                arm_pct_se: arm_se,
                randomized_patients_mean_se: patients_se,
                response_mean_se: responses_se,
                dlt_mean_se: dlts_se,
                final_selected_pct_se: selected_se,
            });
        }
        if let Some(p) = &row.planning {
            sample_size.push(OptimizationSampleSizeRow {
                truth: row.truth.clone(),
                design: row.design.clone(),
                arms: p
                    .arms
                    .iter()
                    .map(|d| d.level().to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                best_arm: p.best_arm.level(),
                n_per_arm: row.n_per_arm,
                correct_selection_pct: Fixed(100.0 * p.correct_at_n),
                target_selection_pct: Fixed(100.0 * p.target),
                n_per_arm_needed: p.needed.map(|(n, _)| n),
                correct_selection_pct_needed: p.needed.map(|(_, q)| Fixed(100.0 * q)),
                max_n_per_arm: p.max_n_per_arm,
            });
        }
    }
    let summary = OptimizationSummaryRow::rows(table);
    [write_rows(&by_dose), write_rows(&summary), write_rows(&sample_size)]
}
