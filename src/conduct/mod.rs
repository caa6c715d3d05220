//! Conducting a live dose-finding trial: the outcomes so far, written as the R package
//! `escalation` writes them (`"1NNN 2NTN"`, see [`parse_outcomes`]), are turned into the trial's
//! data, and one of a scenario's designs says where to treat the next cohort, or why to stop.
//! This is what `trialsim next` prints.

pub mod pathways;

use crate::designs::outcomes::{parse_outcomes, OutcomeError};
use crate::designs::{Cohort, Decision, DoseEstimate, DoseFinder, TrialData};
use crate::scenario::{DesignSpec, Scenario};
use std::path::PathBuf;

/// Why a live trial's outcomes cannot be judged by the chosen design.
#[derive(Debug, thiserror::Error)]
pub enum ConductError {
    /// The scenario has no `[[design]]` of that name; `designs` lists its design names.
    #[error("{}: no design named '{name}'; the designs are: {}", file.display(), designs.join(", "))]
    UnknownDesign {
        /// The scenario file.
        file: PathBuf,
        /// The name asked for.
        name: String,
        /// The scenario's design names, in file order.
        designs: Vec<String>,
    },
    /// The outcome string does not follow the grammar, or names a dose the scenario lacks.
    #[error("invalid outcomes")]
    Outcomes(#[source] OutcomeError),
    /// The outcomes list more patients than the scenario's `[trial] max_patients`.
    #[error(
        "the outcomes list {treated} patients, more than [trial] max_patients ({max_patients}) in {}",
        file.display()
    )]
    TooManyPatients {
        /// Patients in the outcome string.
        treated: u32,
        /// The scenario's limit.
        max_patients: u32,
        /// The scenario file.
        file: PathBuf,
    },
}

/// A live trial: one of a scenario's designs, built for the scenario's trial settings, and the
/// cohorts treated so far.
pub struct LiveTrial<'a> {
    scenario: &'a Scenario,
    design: &'a DesignSpec,
    finder: Box<dyn DoseFinder>,
    cohorts: Vec<Cohort>,
    data: TrialData,
}

impl<'a> LiveTrial<'a> {
    /// The trial under the scenario's design named `design` after the cohorts in `outcomes`
    /// (`escalation`'s outcome strings; empty before the first cohort). Checks that the design
    /// exists, that the string is valid for the scenario's doses, and that it lists no more
    /// patients than `[trial] max_patients`.
    pub fn new(scenario: &'a Scenario, design: &str, outcomes: &str) -> Result<LiveTrial<'a>, ConductError> {
        let spec = scenario
            .designs
            .iter()
            .find(|d| d.name == design)
            .ok_or_else(|| ConductError::UnknownDesign {
                file: scenario.file.clone(),
                name: design.to_string(),
                designs: scenario.designs.iter().map(|d| d.name.clone()).collect(),
            })?;
        let num_doses = scenario.trial.doses.len();
        let cohorts = parse_outcomes(outcomes, num_doses).map_err(ConductError::Outcomes)?;
        let max_patients = scenario.trial.limits.max_patients;
        let treated: u32 = cohorts.iter().map(|c| u32::from(c.patients)).sum();
        if treated > max_patients {
            return Err(ConductError::TooManyPatients {
                treated,
                max_patients,
                file: scenario.file.clone(),
            });
        }
        let mut data = TrialData::new(num_doses);
        for c in &cohorts {
            data.add_cohort(c.dose, c.patients, c.dlts);
        }
        Ok(LiveTrial {
            scenario,
            design: spec,
            finder: spec.build(&scenario.trial),
            cohorts,
            data,
        })
    }

    /// The chosen `[[design]]`.
    pub fn design(&self) -> &DesignSpec {
        self.design
    }

    /// The cohorts treated so far, in order.
    pub fn cohorts(&self) -> &[Cohort] {
        &self.cohorts
    }

    /// The outcomes so far as per-dose counts.
    pub fn data(&self) -> &TrialData {
        &self.data
    }

    /// The design's per-dose estimates from the outcomes so far.
    pub fn estimates(&self) -> Vec<DoseEstimate> {
        self.finder.estimates(&self.data)
    }

    /// What to do next: before any cohort, treat at the scenario's start dose; afterwards, the
    /// design's decision with every rule and the sample-size limit applied.
    pub fn decision(&self) -> Decision {
        if self.cohorts.is_empty() {
            Decision::Treat(self.scenario.trial.limits.start_dose)
        } else {
            self.finder.decide(&self.data)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::Dose;
    use std::path::Path;

    fn scenario() -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/qls4131_escalation.toml");
        Scenario::load(&path).expect("bundled scenario")
    }

    #[test]
    fn before_the_first_cohort_the_start_dose() {
        let scenario = scenario();
        let trial = LiveTrial::new(&scenario, "BOIN", "").unwrap();
        assert!(trial.cohorts().is_empty());
        assert_eq!(trial.decision(), Decision::Treat(scenario.trial.limits.start_dose));
    }

    #[test]
    fn outcomes_become_counts() {
        let scenario = scenario();
        let trial = LiveTrial::new(&scenario, "BOIN", "1NNN 2NTN").unwrap();
        assert_eq!(trial.cohorts().len(), 2);
        assert_eq!((trial.data().total_patients(), trial.data().total_dlts()), (6, 1));
        let estimates = trial.estimates();
        assert_eq!(estimates[1].dose, Dose::from_level(2));
        assert_eq!((estimates[1].patients, estimates[1].dlts), (3, 1));
    }

    #[test]
    fn errors_name_the_problem() {
        let scenario = scenario();
        let unknown = LiveTrial::new(&scenario, "Nope", "").err().unwrap();
        assert!(unknown
            .to_string()
            .contains("no design named 'Nope'; the designs are: "));
        let invalid = LiveTrial::new(&scenario, "BOIN", "1NNX").err().unwrap();
        assert!(matches!(invalid, ConductError::Outcomes(e) if e.position == 4));
        let many = "1NNN ".repeat(scenario.trial.limits.max_patients as usize / 3 + 1);
        let too_many = LiveTrial::new(&scenario, "BOIN", &many).err().unwrap();
        assert!(matches!(too_many, ConductError::TooManyPatients { .. }));
    }
}
