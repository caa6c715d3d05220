//! Scenario files (TOML): parsed, then validated into typed settings before any simulation.
//! Every error names the file, the field (1-based indices, as dose levels: `truth[2].dlt[3]`) and
//! what is wrong.

mod backfill;
mod calendar;
mod design;
mod random_truths;
mod randomize;
mod raw;
mod single_arm;
mod sweep;

pub use design::{DesignSpec, RuleSpec};
pub use random_truths::{closest, Curve, CurveMethod, RandomTruths};
pub use single_arm::{JointSpec, SingleArmDesignSpec, SingleArmScenario, SINGLE_ARM_RULES};
pub use sweep::{RunFile, Sweep, SweepKey, SweepPoint, SweepValue};

pub(crate) use crate::core::params::FieldPath;
use crate::core::Timing;
use crate::core::Truth;
use crate::core::Utility;
use crate::designs::{DoseFinder, TrialLimits};
use std::path::{Path, PathBuf};

// The sample size limit, at its former path (kept while `design` imports it from here).
use crate::core::limits::MAX_PATIENTS_LIMIT;

/// A problem with a scenario file.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The scenario file cannot be read.
    #[error("{file}: cannot read the scenario file: {source}")]
    Read {
        /// The scenario file.
        file: PathBuf,
        /// Why it cannot be read.
        #[source]
        source: std::io::Error,
    },
    /// The file is not TOML, or not a scenario's structure.
    #[error("{file}: {message}")]
    Syntax {
        /// The scenario file.
        file: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A field is missing, of the wrong type or out of range.
    #[error("{file}: field `{field}`: {message}")]
    Field {
        /// The scenario file.
        file: PathBuf,
        /// The field's path, e.g. `design[1].cohort_size`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

impl ScenarioError {
    /// The offending field's path, where the error concerns one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            ScenarioError::Field { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// The kind of study a scenario describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A dose-finding (phase 1) study.
    DoseFinding,
}

/// How operating characteristics are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Monte Carlo simulation.
    Simulate,
    /// Exact enumeration of trial states (falls back to simulation where too large).
    Exact,
}

/// `[simulation]`: how many trials, from which seed, by which method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimulationSettings {
    /// Number of simulated trials.
    pub trials: u64,
    /// Seed of the run's random streams.
    pub seed: u64,
    /// Monte Carlo simulation or exact enumeration.
    pub method: Method,
    /// Exact enumeration gives up (and simulates) beyond this many trial states.
    pub max_exact_states: usize,
}

/// `[trial]`: the dose levels and the trial's limits.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialSettings {
    /// Dose labels, lowest first.
    pub doses: Vec<String>,
    /// Target DLT probability.
    pub target: f64,
    /// Sample size, cohort size and the other limits every design of the scenario shares.
    pub limits: TrialLimits,
    /// Escalation, backfill and expansion together: expansion cohorts at the RP2D fill up to it
    /// (calendar time only).
    pub total_patients: Option<u32>,
}

/// A validated dose-finding scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file it was read from (for messages and output names).
    pub file: PathBuf,
    /// The scenario's name (`name`).
    pub name: String,
    /// The kind of study (`kind`).
    pub kind: Kind,
    /// `[simulation]`.
    pub simulation: SimulationSettings,
    /// `[trial]`.
    pub trial: TrialSettings,
    /// `[[truth]]`: the true DLT (and response) probabilities, one scenario per truth.
    pub truths: Vec<Truth>,
    /// `[[design]]`: the designs compared.
    pub designs: Vec<DesignSpec>,
    /// `[timing]`: simulate in calendar time (arrivals, DLT windows), if given.
    pub timing: Option<Timing>,
    /// `[rp2d]`: the utility by which the RP2D is chosen when truths have a response.
    pub utility: Utility,
    /// `[random_truths]`: random dose-toxicity curves to average the designs over, if given.
    pub random_truths: Option<Box<RandomTruths>>,
    /// Problems worth a warning that do not stop the run (e.g. a non-monotone truth).
    pub warnings: Vec<String>,
}

/// Reads a scenario file's text: a regular file (not a pipe or a device, which could block or
/// never end) of at most [`MAX_SCENARIO_BYTES`](crate::core::limits::MAX_SCENARIO_BYTES).
pub(crate) fn read_scenario(path: &Path) -> Result<String, ScenarioError> {
    use crate::core::limits::MAX_SCENARIO_BYTES;
    use std::io::Read as _;
    let error = |source| ScenarioError::Read {
        file: path.to_path_buf(),
        source,
    };
    let refuse = |message: String| error(std::io::Error::new(std::io::ErrorKind::InvalidInput, message));
    let meta = std::fs::metadata(path).map_err(error)?;
    if !meta.is_file() {
        return Err(refuse(
            "not a regular file (a scenario must be a TOML file, not a pipe, device or folder)".into(),
        ));
    }
    let too_large = || {
        refuse(format!(
            "larger than the {} MiB a scenario may have",
            MAX_SCENARIO_BYTES >> 20
        ))
    };
    if meta.len() > MAX_SCENARIO_BYTES {
        return Err(too_large());
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SCENARIO_BYTES + 1).read_to_string(&mut text))
        .map_err(error)?;
    if text.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(too_large());
    }
    Ok(text)
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = read_scenario(path)?;
        Scenario::parse(&text, path)
    }

    /// Parses and validates scenario text; `file` names it in messages.
    pub fn parse(text: &str, file: &Path) -> Result<Scenario, ScenarioError> {
        refuse_sweep(text, file)?;
        raw::parse(text, file, true)
    }

    /// Reads and validates a scenario file for conducting a live trial (`trialsim next`): the
    /// doses, target, limits and designs are needed, a `[[truth]]` is not (a live trial has none).
    pub fn load_for_conduct(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = read_scenario(path)?;
        refuse_sweep(&text, path)?;
        if kind_of(&text).as_deref() == Some("single-arm") {
            return Err(ScenarioError::Field {
                file: path.to_path_buf(),
                field: "kind".into(),
                message: "a single-arm scenario has no doses to choose: `next` and `pathways` are for \
                          dose-finding trials; for a phase-2 interim look use `trialsim interim`"
                    .into(),
            });
        }
        raw::parse(&text, path, false)
    }

    /// The configured designs, ready to simulate.
    pub fn build_designs(&self) -> Vec<Box<dyn DoseFinder>> {
        self.designs.iter().map(|d| d.build(&self.trial)).collect()
    }

    /// The file name without extension, used for the output folder.
    pub fn stem(&self) -> String {
        self.file
            .file_stem()
            .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
    }
}

/// A scenario of either kind, as `trialsim run` reads it.
#[derive(Clone, Debug)]
pub enum AnyScenario {
    /// A dose-finding scenario.
    DoseFinding(Scenario),
    /// A single-arm phase 2 scenario.
    SingleArm(SingleArmScenario),
}

impl AnyScenario {
    /// Reads and validates a scenario file of either kind (`kind`, default "dose-finding").
    pub fn load(path: &Path) -> Result<AnyScenario, ScenarioError> {
        let text = read_scenario(path)?;
        AnyScenario::parse(&text, path)
    }

    /// Parses and validates scenario text of either kind.
    pub fn parse(text: &str, file: &Path) -> Result<AnyScenario, ScenarioError> {
        // A file that is not even TOML falls through to the dose-finding parser, which reports it.
        let kind = kind_of(text);
        refuse_sweep(text, file)?;
        match kind.as_deref() {
            Some("single-arm") => single_arm::parse(text, file).map(AnyScenario::SingleArm),
            _ => raw::parse(text, file, true).map(AnyScenario::DoseFinding),
        }
    }

    /// The scenario's name.
    pub fn name(&self) -> &str {
        match self {
            AnyScenario::DoseFinding(s) => &s.name,
            AnyScenario::SingleArm(s) => &s.name,
        }
    }

    /// The file the scenario was read from.
    pub fn file(&self) -> &Path {
        match self {
            AnyScenario::DoseFinding(s) => &s.file,
            AnyScenario::SingleArm(s) => &s.file,
        }
    }

    /// The file's stem, which names the run's output directory.
    pub fn stem(&self) -> String {
        match self {
            AnyScenario::DoseFinding(s) => s.stem(),
            AnyScenario::SingleArm(s) => s.stem(),
        }
    }

    /// Warnings found while validating (settings accepted but probably unintended).
    pub fn warnings(&self) -> &[String] {
        match self {
            AnyScenario::DoseFinding(s) => &s.warnings,
            AnyScenario::SingleArm(s) => &s.warnings,
        }
    }
}

/// A file with `[sweep]` is many scenarios: only `trialsim run` ([`RunFile`]) reads it.
/// The scenario's `kind`, if the text is TOML and has one.
fn kind_of(text: &str) -> Option<String> {
    toml::from_str::<toml::Table>(text)
        .ok()
        .and_then(|t| t.get("kind").and_then(|k| k.as_str().map(str::to_string)))
}

fn refuse_sweep(text: &str, file: &Path) -> Result<(), ScenarioError> {
    if toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("sweep")) {
        return Err(ScenarioError::Field {
            file: file.to_path_buf(),
            field: "sweep".into(),
            message: "a sweep is many scenarios: run it with `trialsim run`; this needs a single scenario".into(),
        });
    }
    Ok(())
}
