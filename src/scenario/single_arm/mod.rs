//! Single-arm phase 2 scenarios (`kind = "single-arm"`): the study's size and calendar, truths
//! (response, PFS, OS, toxicity), and the designs or analyses to compare. Validated into the
//! library's types before anything is simulated; errors name the file and field.

//!
//! The `[[design]]` tables are read by `designs` (and BOP2's, with its joint efficacy–toxicity
//! form, by `bop2`).

mod bop2;
mod designs;

use super::raw::{deserialize_text, simulation_settings, Errors, RawSimulation};
use super::{FieldPath, ScenarioError, SimulationSettings};
use crate::core::limits::MAX_PATIENTS_LIMIT;
use crate::designs::single_arm::{
    Accrual, Bop2Joint, JointNull, ResponseDesign, SingleArmDesign, SingleArmError, SingleArmTruth, StudyTiming,
    SurvivalCurve, TimeToEvent,
};
use designs::design;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The design rules a single-arm `[[design]]` may use.
pub const SINGLE_ARM_RULES: [&str; 6] = ["binomial", "simon", "bop2", "predictive", "log-rank", "landmark"];

/// A validated single-arm scenario.
#[derive(Clone, Debug)]
pub struct SingleArmScenario {
    /// The file it was read from (for messages and output names).
    pub file: PathBuf,
    /// The scenario's name (`name`).
    pub name: String,
    /// `[simulation]`.
    pub simulation: SimulationSettings,
    /// `[study]`: accrual, follow-up and the historical survival of the study's patients.
    pub timing: StudyTiming,
    /// `[[truth]]`: true response and toxicity rates and survival, one scenario per truth.
    pub truths: Vec<SingleArmTruth>,
    /// `[[design]]`: the designs compared.
    pub designs: Vec<SingleArmDesignSpec>,
    /// Warnings found while validating (settings accepted but probably unintended).
    pub warnings: Vec<String>,
}

/// A validated single-arm `[[design]]`.
#[derive(Clone, Debug)]
pub struct SingleArmDesignSpec {
    /// The design's name.
    pub name: String,
    /// The design's rule (one of [`SINGLE_ARM_RULES`]).
    pub rule: String,
    /// The design's decision rule in words (boundaries found by a search are shown).
    pub description: String,
    /// The design, ready to simulate.
    pub design: SingleArmDesign,
    /// The response rate under H0 (designs that count responses), as the file gives it.
    pub p0: Option<f64>,
    /// The response rate under H1, where the file gives it (calibrated or searched designs).
    pub p1: Option<f64>,
    /// The nominal one-sided type I error, where the file gives it or a default applies.
    pub alpha: Option<f64>,
    /// The target power at `p1`, where the design states one (Simon: 1 − beta).
    pub power: Option<f64>,
    /// The Simon, BOP2 or predictive design the boundaries come from (`None` for other rules;
    /// a joint BOP2's futility half).
    pub origin: Option<ResponseDesign>,
    /// A BOP2 with joint efficacy and toxicity monitoring (`tox0` given).
    pub joint: Option<JointSpec>,
}

/// A BOP2 design with joint efficacy and toxicity monitoring, as the scenario states it.
#[derive(Clone, Debug)]
pub struct JointSpec {
    /// The design (its null cells: p0, tox0 and the odds ratio).
    pub design: Bop2Joint,
    /// The acceptable toxicity rate of H1, where the file gives it (calibrated designs).
    pub tox1: Option<f64>,
    /// The null the calibration controls.
    pub null: JointNull,
}

/// What a design aims at: (p0, p1, alpha, power), see [`SingleArmDesignSpec`].
type Targets = (Option<f64>, Option<f64>, Option<f64>, Option<f64>);

impl SingleArmScenario {
    /// The file name without extension, used for the output folder.
    pub fn stem(&self) -> String {
        self.file
            .file_stem()
            .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSingleArm {
    name: String,
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(default)]
    simulation: RawSimulation,
    trial: RawStudy,
    #[serde(default)]
    truth: Vec<RawTruth>,
    #[serde(default)]
    design: Vec<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStudy {
    patients: i64,
    accrual: RawAccrual,
    assessment: Option<f64>,
    min_followup: Option<f64>,
    dropout: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccrual {
    rate: Option<f64>,
    duration: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTruth {
    name: String,
    orr: f64,
    tox: Option<f64>,
    odds_ratio: Option<f64>,
    pfs: RawCurve,
    os: RawCurve,
    responder_hr: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCurve {
    median: Option<f64>,
    shape: Option<f64>,
    cuts: Option<Vec<f64>>,
    hazards: Option<Vec<f64>>,
}

/// A library error on a field: the field, and the library's own message.
fn at<'e>(errors: &'e Errors<'e>, path: &FieldPath) -> impl Fn(SingleArmError) -> ScenarioError + 'e {
    let path = path.clone();
    move |e| errors.field(&path, e.to_string())
}

/// Parses and validates a single-arm scenario.
pub(super) fn parse(text: &str, file: &Path) -> Result<SingleArmScenario, ScenarioError> {
    let raw: RawSingleArm = deserialize_text(text, file)?;
    let errors = Errors { file };
    let root = FieldPath::default();
    if raw.name.trim().is_empty() {
        return Err(errors.field(&root.key("name"), "must not be empty"));
    }
    let simulation = simulation_settings(raw.simulation, &errors)?;
    if simulation.method != super::Method::Simulate {
        return Err(errors.field(
            &root.key("simulation").key("method"),
            "single-arm scenarios are simulated; the designs' exact operating characteristics come from `trialsim simon` and the library",
        ));
    }
    let timing = study(raw.trial, &errors)?;
    if raw.truth.is_empty() {
        return Err(errors.field(&root.key("truth"), "at least one [[truth]] is needed"));
    }
    let mut names = HashSet::new();
    for (i, t) in raw.truth.iter().enumerate() {
        errors.unique_name(&root.key("truth").at(i).key("name"), &t.name, &mut names)?;
    }
    let mut truths = Vec::new();
    for (i, t) in raw.truth.into_iter().enumerate() {
        truths.push(truth(t, &root.key("truth").at(i), &errors)?);
    }
    if raw.design.is_empty() {
        return Err(errors.field(&root.key("design"), "at least one [[design]] is needed"));
    }
    let mut designs = Vec::new();
    for (i, table) in raw.design.into_iter().enumerate() {
        designs.push(design(table, &root.key("design").at(i), &timing, &errors)?);
    }
    let mut names = HashSet::new();
    for (i, d) in designs.iter().enumerate() {
        errors.unique_name(&root.key("design").at(i).key("name"), &d.name, &mut names)?;
    }
    Ok(SingleArmScenario {
        file: file.to_path_buf(),
        name: raw.name,
        simulation,
        timing,
        truths,
        designs,
        warnings: Vec::new(),
    })
}

fn study(raw: RawStudy, errors: &Errors) -> Result<StudyTiming, ScenarioError> {
    let path = FieldPath::default().key("trial");
    let patients = errors.integer(&path.key("patients"), raw.patients, 1, i64::from(MAX_PATIENTS_LIMIT))? as u32;
    let accrual_path = path.key("accrual");
    let accrual = match (raw.accrual.rate, raw.accrual.duration) {
        (Some(rate), None) => Accrual::poisson(rate).map_err(at(errors, &accrual_path.key("rate")))?,
        (None, Some(duration)) => Accrual::uniform(duration).map_err(at(errors, &accrual_path.key("duration")))?,
        _ => {
            return Err(errors.field(
                &accrual_path,
                "give exactly one of `rate` (patients per month, Poisson) or `duration` (months, uniform)",
            ))
        }
    };
    StudyTiming::new(
        patients,
        accrual,
        raw.assessment.unwrap_or(0.0),
        raw.min_followup.unwrap_or(0.0),
        raw.dropout.unwrap_or(0.0),
    )
    .map_err(|e| {
        let field = match &e {
            SingleArmError::InvalidParameter { name, .. } => match *name {
                "dropout_rate" => "dropout",
                other => other,
            },
            _ => "",
        };
        errors.field(&path.key(field), e.to_string())
    })
}

fn curve(raw: RawCurve, path: &FieldPath, errors: &Errors) -> Result<SurvivalCurve, ScenarioError> {
    match (raw.median, raw.shape, raw.cuts, raw.hazards) {
        (Some(median), None, None, None) => SurvivalCurve::exponential(median).map_err(at(errors, &path.key("median"))),
        (Some(median), Some(shape), None, None) => SurvivalCurve::weibull(median, shape).map_err(at(errors, path)),
        (None, None, Some(cuts), Some(hazards)) => SurvivalCurve::piecewise(cuts, hazards).map_err(at(errors, path)),
        _ => Err(errors.field(
            path,
            "give `median` (exponential), `median` and `shape` (Weibull), or `cuts` and `hazards` (piecewise exponential)",
        )),
    }
}

fn truth(raw: RawTruth, path: &FieldPath, errors: &Errors) -> Result<SingleArmTruth, ScenarioError> {
    let orr = errors.probability(&path.key("orr"), raw.orr, false)?;
    let tox = errors.probability(&path.key("tox"), raw.tox.unwrap_or(0.0), false)?;
    let hr = raw.responder_hr.unwrap_or(1.0);
    let with_hr = |c: SurvivalCurve, key: &str| -> Result<TimeToEvent, ScenarioError> {
        TimeToEvent::new(c, hr).map_err(at(errors, &path.key(if key.is_empty() { "responder_hr" } else { key })))
    };
    let pfs = with_hr(curve(raw.pfs, &path.key("pfs"), errors)?, "responder_hr")?;
    let os = with_hr(curve(raw.os, &path.key("os"), errors)?, "responder_hr")?;
    let truth = SingleArmTruth::new(raw.name, orr, tox, pfs, os).map_err(at(errors, &path.key("pfs")))?;
    match raw.odds_ratio {
        Some(psi) => truth.with_odds_ratio(psi).map_err(at(errors, &path.key("odds_ratio"))),
        None => Ok(truth),
    }
}
