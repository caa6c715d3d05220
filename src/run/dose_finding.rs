//! The dose-finding engine's run of a scenario without calendar time: its designs under its
//! truths and its `[random_truths]` curves ([`super::random_truths`]).

use super::optimization::{optimization_table, stages};
use super::random_truths::{random_truths_table, split_curves, WithCurves};
use super::{oc_table, simulated_row, write_outputs, Engine, RunError};
use crate::designs::DoseFinder;
use crate::engines::dose_finding::{DoseFindingPlan, OcCounts};
use crate::results::oc::OcTable;
use crate::scenario::{Curve, Scenario};
use std::path::{Path, PathBuf};

/// A dose-finding scenario without calendar time, by the dose-finding engine.
pub(crate) struct DoseFindingRun<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) designs: Vec<Box<dyn DoseFinder>>,
    /// The `[random_truths]` curves (none without).
    pub(super) curves: Vec<Curve>,
}

impl<'a> DoseFindingRun<'a> {
    /// Every design of `scenario`, under its truths and its random curves.
    pub fn new(scenario: &'a Scenario) -> DoseFindingRun<'a> {
        DoseFindingRun {
            scenario,
            designs: scenario.build_designs(),
            curves: scenario.random_truths.as_ref().map(|r| r.draw()).unwrap_or_default(),
        }
    }
}

impl Engine for DoseFindingRun<'_> {
    type Counts = Vec<Vec<OcCounts>>;
    type Simulation<'s>
        = WithCurves<'s>
    where
        Self: 's;
    type Table = OcTable;

    fn simulation(&self, seed: u64) -> Result<WithCurves<'_>, RunError> {
        let plan = DoseFindingPlan::new(&self.designs, &self.scenario.truths, seed)
            .with_randomization(stages(self.scenario), &self.scenario.truths);
        Ok(WithCurves::new(plan, &self.designs, &self.curves, seed))
    }

    fn table(&self, counts: &Vec<Vec<OcCounts>>, trials: u64, seed: u64) -> Result<OcTable, RunError> {
        let (counts, curves) = split_curves(counts.clone(), self.scenario.truths.len());
        let results = counts
            .iter()
            .map(|by_truth| by_truth.iter().map(|c| simulated_row(c, trials)).collect())
            .collect();
        let mut table = oc_table(self.scenario, results, seed);
        table.optimization = optimization_table(self.scenario, &counts);
        table.random_truths = random_truths_table(self.scenario, &self.curves, &curves, trials);
        Ok(table)
    }

    fn write(&self, table: &OcTable, dir: &Path) -> Result<Vec<PathBuf>, RunError> {
        write_outputs(self.scenario, table, dir)
    }
}
