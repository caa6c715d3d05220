//! The randomized dose-optimization stages of a run ([`crate::designs::optimization`]): the
//! simulated figures from the engine's counts, and the exact sample-size calculation per truth.

use super::{write_error, RunError};
use crate::designs::optimization::exact::sample_size;
use crate::designs::optimization::{true_utility, truly_best, Randomization};
use crate::engines::dose_finding::OcCounts;
use crate::report::write_atomic;
use crate::results::oc::OcTable;
use crate::results::optimization::{
    optimization_tables, OptimizationRow, OptimizationTable, Planning, OPTIMIZATION_TABLES,
};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// Each design's randomized stage, in scenario order (`None` for designs without one).
pub(crate) fn stages(scenario: &Scenario) -> Vec<Option<Randomization>> {
    scenario.designs.iter().map(|d| d.randomize.clone()).collect()
}

/// The exact calculation under a truth given dose by dose: P(choosing the truly best of the
/// planning arms) with `n_per_arm`, and the smallest n per arm reaching the target.
pub fn planning(stage: &Randomization, truth: &[crate::core::DoseTruth]) -> Option<Planning> {
    let arms = stage.planning_arms(truth)?;
    let utilities: Vec<f64> = truth.iter().map(|t| true_utility(&stage.utility, t)).collect();
    let best_arm = truly_best(&utilities, arms.doses())?;
    Some(Planning {
        arms: arms.doses().to_vec(),
        best_arm,
        correct_at_n: stage.correct_selection(arms.doses(), truth, stage.n_per_arm),
        target: stage.target_selection,
        needed: sample_size(stage, arms.doses(), truth),
        max_n_per_arm: stage.max_n_per_arm,
    })
}

/// The table of every design with a randomized stage under every truth, from counts indexed
/// `[design][truth]`; `None` when no design randomizes.
pub(crate) fn optimization_table(scenario: &Scenario, counts: &[Vec<OcCounts>]) -> Option<OptimizationTable> {
    let mut rows = Vec::new();
    for (j, truth) in scenario.truths.iter().enumerate() {
        for (design, by_truth) in scenario.designs.iter().zip(counts) {
            let (Some(stage), Some(stage_counts)) = (&design.randomize, &by_truth[j].optimization) else {
                continue;
            };
            let doses = truth.dose_truths().expect("a randomized stage's truths give efficacy");
            rows.push(OptimizationRow {
                truth: truth.name.clone(),
                design: design.name.clone(),
                settings: stage.settings(),
                n_per_arm: stage.n_per_arm,
                true_utility: doses.iter().map(|t| true_utility(&stage.utility, t)).collect(),
                best_overall: stage.best_overall(&doses),
                figures: stage_counts.figures(stage.n_per_arm),
                planning: planning(stage, &doses),
            });
        }
    }
    (!rows.is_empty()).then(|| OptimizationTable {
        dose_labels: scenario.trial.doses.clone(),
        rows,
    })
}

/// Writes the optimization tables of `table` into `dir` (when a design randomizes), adding them to
/// `written` and to the index's `files`.
pub(crate) fn write_optimization(
    table: &OcTable,
    dir: &Path,
    written: &mut Vec<PathBuf>,
    files: &mut Vec<(&'static str, &'static str)>,
) -> Result<(), RunError> {
    let Some(stages) = &table.optimization else {
        return Ok(());
    };
    for ((name, _), bytes) in OPTIMIZATION_TABLES.iter().zip(optimization_tables(stages)) {
        let path = dir.join(name);
        write_atomic(&path, &bytes).map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    files.extend(OPTIMIZATION_TABLES);
    Ok(())
}
