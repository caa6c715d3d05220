//! The randomized dose-optimization section of a dose-finding report, for runs with a design that
//! randomizes after escalation ([`crate::designs::optimization`]): per truth and such design, the
//! true utility per dose with the truly best dose marked, the % of trials randomizing each dose,
//! the final choice % per dose, and the % choosing the truly best dose among the arms and overall,
//! with the exact sample size for the target selection probability.
//!
//! Everything comes from the rows of the optimization tables ([`crate::results::optimization`]);
//! runs without a randomized stage have no section (and an unchanged page).

use super::precision::{Figure, Precision};
use crate::results::optimization::{OptimizationRow, OptimizationTable};
use serde::Serialize;

/// One design under one truth.
#[derive(Clone, Debug, Serialize)]
pub struct OptimizationDesignRows {
    /// The design's name.
    pub design: String,
    /// The stage's settings.
    pub settings: String,
    /// True utility per dose, as printed, and whether the dose is the truly best overall.
    pub utility: Vec<(String, bool)>,
    /// % of trials randomizing each dose.
    pub arms: Vec<Figure>,
    /// Final choice % per dose.
    pub selected: Vec<Figure>,
    /// No final dose, %.
    pub none: Figure,
    /// % of randomized trials choosing the truly best of their arms.
    pub best_among_arms: Figure,
    /// % of trials choosing the truly best dose overall.
    pub best_overall: Figure,
    /// Mean patients per trial, escalation and stage.
    pub patients: Figure,
    /// Mean randomized patients per trial.
    pub randomized_patients: Figure,
    /// The exact calculation in words.
    pub planning: String,
}

/// One truth's table.
#[derive(Clone, Debug, Serialize)]
pub struct OptimizationTruthTable {
    /// The truth's name.
    pub name: String,
    /// The dose labels.
    pub doses: Vec<String>,
    /// Each randomizing design's rows.
    pub designs: Vec<OptimizationDesignRows>,
}

/// The section: one table per truth.
#[derive(Clone, Debug, Serialize)]
pub struct OptimizationSection {
    /// Per truth, in the scenario's order.
    pub truths: Vec<OptimizationTruthTable>,
}

fn figure((value, se): (f64, f64), decimals: usize) -> Figure {
    Figure::new(value, decimals, Precision::Se, se)
}

/// The exact calculation of a row in words.
fn planning_words(row: &OptimizationRow, labels: &[String]) -> String {
    let Some(p) = &row.planning else {
        return "no exact calculation: fewer than two doses have a true P(DLT) at most the target".into();
    };
    let arms: Vec<&str> = p.arms.iter().map(|d| labels[d.index()].as_str()).collect();
    let needed = match p.needed {
        Some((n, q)) => format!("{n} per arm reach it ({:.1}%)", 100.0 * q),
        None => format!("no n up to {} per arm reaches it", p.max_n_per_arm),
    };
    format!(
        "arms {}: P(choosing {}) = {:.1}% with {} per arm (exact); target {:.0}%: {needed}",
        arms.join(", "),
        labels[p.best_arm.index()],
        100.0 * p.correct_at_n,
        row.n_per_arm,
        100.0 * p.target
    )
}

/// The section of `table`'s randomized stages, truth by truth.
pub fn optimization_section(table: &OptimizationTable) -> OptimizationSection {
    let mut truths: Vec<OptimizationTruthTable> = Vec::new();
    for row in &table.rows {
        if truths.last().is_none_or(|t| t.name != row.truth) {
            truths.push(OptimizationTruthTable {
                name: row.truth.clone(),
                doses: table.dose_labels.clone(),
                designs: Vec::new(),
            });
        }
        let f = &row.figures;
        let rows = OptimizationDesignRows {
            design: row.design.clone(),
            settings: row.settings.clone(),
            utility: (row.true_utility.iter().enumerate())
                .map(|(i, u)| (format!("{u:.1}"), row.best_overall.is_some_and(|b| b.index() == i)))
                .collect(),
            arms: f.doses.iter().map(|d| figure(d.arm_pct, 1)).collect(),
            selected: f.doses.iter().map(|d| figure(d.selected_pct, 1)).collect(),
            none: figure(f.selected_none_pct, 1),
            best_among_arms: figure(f.best_among_arms_pct, 1),
            best_overall: figure(f.best_overall_pct, 1),
            patients: figure(f.patients_mean, 1),
            randomized_patients: figure(f.stage_patients_mean, 1),
            planning: planning_words(row, &table.dose_labels),
        };
        truths.last_mut().expect("a truth").designs.push(rows);
    }
    OptimizationSection { truths }
}
