//! One `trialsim run`: simulate a validated scenario and write its tables.

use crate::report::{self, write_atomic};
use crate::scenario::Scenario;
use crate::sim::{simulate, OcTable, SimulationError, SimulationPlan};
use std::path::{Path, PathBuf};

/// Overrides and settings from the command line.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Trials per design and truth (default: the scenario's).
    pub trials: Option<u64>,
    /// Run seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads.
    pub threads: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Simulation(#[from] SimulationError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Simulates every design under every truth of `scenario`.
pub fn simulate_scenario(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<OcTable, SimulationError> {
    let designs = scenario.build_designs();
    let trials = options.trials.unwrap_or(scenario.simulation.trials);
    let seed = options.seed.unwrap_or(scenario.simulation.seed);
    let plan = SimulationPlan {
        designs: &designs,
        truths: &scenario.truths,
        trials,
        seed,
        threads: options.threads,
    };
    let counts = simulate(&plan, progress)?;
    let names: Vec<&str> = designs.iter().map(|d| d.name()).collect();
    Ok(OcTable::new(scenario, &names, counts, trials, seed))
}

/// The files of a dose-finding run, with one line each on what they show.
pub const OUTPUT_FILES: [(&str, &str); 3] = [
    ("oc_by_dose.csv", "one row per truth × design × dose: true DLT probability, % of trials selecting the dose as MTD, mean patients and mean DLTs at the dose per trial."),
    ("summary.csv", "one row per truth × design: % correct decision, % stopped without selecting a dose, mean and SD of the sample size, DLTs per patient, % of patients treated and % of trials selecting above the correct dose, % of trials by stop reason."),
    ("README.md", "this index."),
];

/// Writes the run's tables into `dir` (created if needed), each file atomically.
pub fn write_outputs(scenario: &Scenario, table: &OcTable, dir: &Path) -> Result<Vec<PathBuf>, RunError> {
    let write_error = |path: &Path, source| RunError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let contents = [
        report::csv::oc_by_dose(table),
        report::csv::summary(table),
        report::index::index(scenario, table, &OUTPUT_FILES).into_bytes(),
    ];
    let mut written = Vec::new();
    for ((name, _), bytes) in OUTPUT_FILES.iter().zip(contents) {
        let path = dir.join(name);
        write_atomic(&path, &bytes).map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}
