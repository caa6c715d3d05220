//! The serde layer: TOML text to loosely typed structs (unknown keys rejected), then validation
//! into [`Scenario`].

use super::calendar::{parse_onset, truth_profile, validate_timing, validate_utility, RawTiming, RawUtility};
use super::design::{parse_design, DesignSpec};
use super::{FieldPath, Kind, Method, Scenario, ScenarioError, SimulationSettings, TrialSettings};
use crate::core::limits::DEFAULT_MAX_STATES;
use crate::core::limits::{MAX_DOSES, MAX_PATIENTS_LIMIT};
use crate::core::params::{self, ParamError};
use crate::core::{Association, Truth};
use crate::designs::{Dose, TrialLimits};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

/// Default number of simulated trials per design and truth.
pub const DEFAULT_TRIALS: u64 = 10_000;
/// Default run seed.
pub const DEFAULT_SEED: u64 = 20_261_121;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    kind: Option<String>,
    #[serde(default)]
    simulation: RawSimulation,
    trial: RawTrial,
    timing: Option<RawTiming>,
    rp2d: Option<RawUtility>,
    #[serde(default)]
    truth: Vec<RawTruth>,
    #[serde(default)]
    design: Vec<toml::Table>,
    random_truths: Option<super::random_truths::RawRandomTruths>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSimulation {
    trials: Option<i64>,
    seed: Option<i64>,
    method: Option<String>,
    max_exact_states: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrial {
    doses: Vec<String>,
    target: f64,
    cohort_size: i64,
    max_patients: i64,
    start_dose: Option<i64>,
    total_patients: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTruth {
    name: String,
    pub(super) dlt: Vec<f64>,
    onset: Option<toml::Value>,
    pub(super) crs: Option<Vec<f64>>,
    pub(super) dlt_step_up: Option<Vec<f64>>,
    pub(super) step_up_relative_risk: Option<toml::Value>,
    pub(super) teae: Option<Vec<f64>>,
    pub(super) efficacy: Option<Vec<f64>>,
    association: Option<RawAssociation>,
}

/// A truth's `association` between DLT and response.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssociation {
    odds_ratio: f64,
}

/// Builds errors that name the scenario file.
pub(super) struct Errors<'a> {
    pub file: &'a Path,
}

impl Errors<'_> {
    pub fn field(&self, path: &FieldPath, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Field {
            file: self.file.to_path_buf(),
            field: path.to_string(),
            message: message.into(),
        }
    }

    /// The scenario error for a problem with one field.
    pub fn param(&self, error: ParamError) -> ScenarioError {
        self.field(&error.path, error.message)
    }

    /// A finite probability within [0, 1] (closed) or (0, 1) (open).
    pub fn probability(&self, path: &FieldPath, value: f64, open: bool) -> Result<f64, ScenarioError> {
        params::probability(path, value, open).map_err(|e| self.param(e))
    }

    /// An integer within [lo, hi].
    pub fn integer(&self, path: &FieldPath, value: i64, lo: i64, hi: i64) -> Result<i64, ScenarioError> {
        params::integer(path, value, lo, hi).map_err(|e| self.param(e))
    }

    /// Names must be non-empty and unique within their list.
    pub fn unique_name<'n>(
        &self,
        path: &FieldPath,
        name: &'n str,
        seen: &mut HashSet<&'n str>,
    ) -> Result<(), ScenarioError> {
        if name.trim().is_empty() {
            return Err(self.field(path, "must not be empty"));
        }
        if !seen.insert(name) {
            return Err(self.field(path, format!("the name '{name}' is used twice")));
        }
        Ok(())
    }

    /// Removes the required string `key` from a `[[design]]`-like table (its `name`, its `rule`).
    pub fn take_string(&self, table: &mut toml::Table, path: &FieldPath, key: &str) -> Result<String, ScenarioError> {
        match table.remove(key) {
            Some(toml::Value::String(s)) => Ok(s),
            Some(other) => Err(self.field(&path.key(key), format!("must be a string, got {}", other.type_str()))),
            None => Err(self.field(&path.key(key), "is missing")),
        }
    }

    /// Deserializes a TOML value into `T`, reporting the path of any error below `path`.
    pub fn deserialize<T: DeserializeOwned>(&self, value: toml::Value, path: &FieldPath) -> Result<T, ScenarioError> {
        params::deserialize(value, path).map_err(|e| self.param(e))
    }
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
    (line, column)
}

/// Deserializes scenario text into `T`, naming the field (and line) of any error.
pub(super) fn deserialize_text<T: DeserializeOwned>(text: &str, file: &Path) -> Result<T, ScenarioError> {
    let errors = Errors { file };
    serde_path_to_error::deserialize(toml::Deserializer::new(text)).map_err(|e| {
        let path = FieldPath::default().below(e.path());
        let inner = e.into_inner();
        let location = inner
            .span()
            .map(|span| {
                let (line, column) = line_column(text, span.start);
                format!(" (line {line}, column {column})")
            })
            .unwrap_or_default();
        let message = format!("{}{location}", inner.message().trim_end());
        if path.to_string().is_empty() {
            ScenarioError::Syntax {
                file: file.to_path_buf(),
                message,
            }
        } else {
            errors.field(&path, message)
        }
    })
}

/// `need_truth`: at least one `[[truth]]` (every use but conducting a live trial).
pub(super) fn parse(text: &str, file: &Path, need_truth: bool) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = deserialize_text(text, file)?;
    validate(raw, &Errors { file }, need_truth)
}

/// `[simulation]` settings, validated.
pub(super) fn simulation_settings(raw: RawSimulation, errors: &Errors) -> Result<SimulationSettings, ScenarioError> {
    let sim = FieldPath::default().key("simulation");
    Ok(SimulationSettings {
        trials: raw
            .trials
            .map(|t| errors.integer(&sim.key("trials"), t, 1, i64::MAX))
            .transpose()?
            .map_or(DEFAULT_TRIALS, |t| t as u64),
        seed: raw
            .seed
            .map(|s| errors.integer(&sim.key("seed"), s, 0, i64::MAX))
            .transpose()?
            .map_or(DEFAULT_SEED, |s| s as u64),
        max_exact_states: raw
            .max_exact_states
            .map(|m| errors.integer(&sim.key("max_exact_states"), m, 1, 1 << 40))
            .transpose()?
            .map_or(DEFAULT_MAX_STATES, |m| m as usize),
        method: match raw.method.as_deref() {
            None | Some("simulate") => Method::Simulate,
            Some("exact") => Method::Exact,
            Some(other) => {
                return Err(errors.field(
                    &sim.key("method"),
                    format!("unknown method '{other}'; expected \"simulate\" or \"exact\""),
                ))
            }
        },
    })
}

fn validate(raw: RawScenario, errors: &Errors, need_truth: bool) -> Result<Scenario, ScenarioError> {
    let root = FieldPath::default();
    if raw.name.trim().is_empty() {
        return Err(errors.field(&root.key("name"), "must not be empty"));
    }
    let kind = match raw.kind.as_deref() {
        None | Some("dose-finding") => Kind::DoseFinding,
        Some(other) => {
            return Err(errors.field(
                &root.key("kind"),
                format!("unknown kind '{other}'; expected \"dose-finding\" or \"single-arm\""),
            ))
        }
    };

    let simulation = simulation_settings(raw.simulation, errors)?;

    let trial = validate_trial(raw.trial, errors)?;
    let timing = raw.timing.map(|t| validate_timing(t, errors)).transpose()?;
    if trial.total_patients.is_some() && timing.is_none() {
        return Err(errors.field(
            &root.key("trial").key("total_patients"),
            "expansion cohorts are simulated in calendar time: add a [timing] table",
        ));
    }
    let utility = raw
        .rp2d
        .map(|u| validate_utility(u, timing.is_some(), errors))
        .transpose()?
        .unwrap_or_default();
    let mut warnings = Vec::new();
    if need_truth && raw.truth.is_empty() {
        return Err(errors.field(&root.key("truth"), "at least one [[truth]] is needed"));
    }
    let truths = validate_truths(raw.truth, &trial, timing.is_some(), errors, &mut warnings)?;

    if raw.design.is_empty() {
        return Err(errors.field(&root.key("design"), "at least one [[design]] is needed"));
    }
    let mut names = HashSet::new();
    let mut designs = Vec::with_capacity(raw.design.len());
    for (i, table) in raw.design.into_iter().enumerate() {
        designs.push(parse_design(
            table,
            &root.key("design").at(i),
            &trial,
            timing.is_some(),
            errors,
        )?);
    }
    if timing.is_some() && simulation.method == Method::Exact {
        return Err(errors.field(
            &root.key("simulation").key("method"),
            "exact enumeration has no calendar time; remove [timing] or simulate",
        ));
    }
    for (i, d) in designs.iter().enumerate() {
        errors.unique_name(&root.key("design").at(i).key("name"), &d.name, &mut names)?;
    }
    check_efficacy(&truths, &designs, timing.is_some(), errors)?;
    if let Some(i) = designs.iter().position(|d| d.randomize.is_some()) {
        let at = root.key("design").at(i).key("randomize");
        if simulation.method == Method::Exact {
            return Err(errors.field(
                &at,
                "the randomized stage is simulated (its exact selection probabilities given the arms are in \
                 optimization_sample_size.csv): remove method = \"exact\" from [simulation]",
            ));
        }
        if raw.random_truths.is_some() {
            return Err(errors.field(&at, "is not simulated over random truths yet: remove [random_truths]"));
        }
    }
    let efficacy = designs.iter().any(|d| d.base.kind().capabilities().efficacy);
    let exact = simulation.method == Method::Exact;
    let random_truths = (raw.random_truths)
        .map(|r| super::random_truths::validate(r, &trial, (timing.is_some(), exact, efficacy), errors))
        .transpose()?
        .map(Box::new);

    Ok(Scenario {
        file: errors.file.to_path_buf(),
        name: raw.name,
        kind,
        simulation,
        trial,
        truths,
        designs,
        timing,
        utility,
        random_truths,
        warnings,
    })
}

fn validate_trial(raw: RawTrial, errors: &Errors) -> Result<TrialSettings, ScenarioError> {
    let path = FieldPath::default().key("trial");
    let doses_path = path.key("doses");
    if raw.doses.is_empty() {
        return Err(errors.field(&doses_path, "needs at least one dose label"));
    }
    if raw.doses.len() > MAX_DOSES {
        return Err(errors.field(
            &doses_path,
            format!("has {} doses; at most {MAX_DOSES} are supported", raw.doses.len()),
        ));
    }
    let mut seen = HashSet::new();
    for (i, label) in raw.doses.iter().enumerate() {
        errors.unique_name(&doses_path.at(i), label, &mut seen)?;
    }
    let target = errors.probability(&path.key("target"), raw.target, true)?;
    let cohort_size = errors.integer(
        &path.key("cohort_size"),
        raw.cohort_size,
        1,
        i64::from(MAX_PATIENTS_LIMIT),
    )?;
    let max_patients = raw.max_patients;
    if max_patients < cohort_size {
        return Err(errors.field(
            &path.key("max_patients"),
            format!("must be at least cohort_size ({cohort_size}), got {max_patients}"),
        ));
    }
    let max_patients = errors.integer(
        &path.key("max_patients"),
        max_patients,
        1,
        i64::from(MAX_PATIENTS_LIMIT),
    )?;
    let num_doses = raw.doses.len();
    let start = errors.integer(
        &path.key("start_dose"),
        raw.start_dose.unwrap_or(1),
        1,
        num_doses as i64,
    )?;
    let total_patients = raw
        .total_patients
        .map(|t| {
            errors.integer(
                &path.key("total_patients"),
                t,
                max_patients,
                i64::from(MAX_PATIENTS_LIMIT),
            )
        })
        .transpose()?
        .map(|t| t as u32);
    Ok(TrialSettings {
        total_patients,
        doses: raw.doses,
        target,
        limits: TrialLimits {
            num_doses,
            cohort_size: cohort_size as u16,
            max_patients: max_patients as u32,
            start_dose: Dose::from_level(start as usize),
        },
    })
}

fn validate_truths(
    raw: Vec<RawTruth>,
    trial: &TrialSettings,
    timed: bool,
    errors: &Errors,
    warnings: &mut Vec<String>,
) -> Result<Vec<Truth>, ScenarioError> {
    let path = FieldPath::default().key("truth");
    let mut names = HashSet::new();
    for (i, truth) in raw.iter().enumerate() {
        let p = path.at(i);
        errors.unique_name(&p.key("name"), &truth.name, &mut names)?;
        if truth.dlt.len() != trial.doses.len() {
            return Err(errors.field(
                &p.key("dlt"),
                format!(
                    "has {} probabilities, but [trial] doses lists {} dose levels",
                    truth.dlt.len(),
                    trial.doses.len()
                ),
            ));
        }
        for (j, &v) in truth.dlt.iter().enumerate() {
            errors.probability(&p.key("dlt").at(j), v, false)?;
        }
        if truth.dlt.windows(2).any(|w| w[1] < w[0]) {
            warnings.push(format!(
                "{}: truth '{}' is not monotone: its DLT probability falls between some adjacent doses",
                errors.file.display(),
                truth.name
            ));
        }
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, t)| {
            let mut profile = truth_profile(&t, &path.at(i), timed, errors)?;
            profile.association = association(&t, &path.at(i), errors)?;
            let onset_path = path.at(i).key("onset");
            let onset = match t.onset {
                Some(_) if !timed => {
                    return Err(errors.field(&onset_path, "DLT onset needs calendar time: add a [timing] table"))
                }
                Some(v) => Some(parse_onset(v, &onset_path, errors)?),
                None => None,
            };
            Ok(Truth {
                name: t.name,
                dlt: t.dlt,
                onset,
                profile,
            })
        })
        .collect()
}

/// A truth's `association = { odds_ratio = ψ }`: a finite ψ > 0, with `efficacy`.
fn association(t: &RawTruth, path: &FieldPath, errors: &Errors) -> Result<Association, ScenarioError> {
    let Some(raw) = &t.association else {
        return Ok(Association::Independent);
    };
    let path = path.key("association");
    if t.efficacy.is_none() {
        return Err(errors.field(&path, "associates DLT with response: give the truth an efficacy list"));
    }
    let psi = raw.odds_ratio;
    if !(psi.is_finite() && psi > 0.0) {
        return Err(errors.field(
            &path.key("odds_ratio"),
            format!("must be a finite odds ratio > 0, got {psi}"),
        ));
    }
    Ok(Association::OddsRatio(psi))
}

/// Efficacy and phase I/II designs fit together: a design that decides on responses, or whose
/// backfill waits for a response, needs every truth to give `efficacy`; without calendar time a
/// truth's `efficacy` is read only by phase I/II designs, so it is refused when none is there.
fn check_efficacy(truths: &[Truth], designs: &[DesignSpec], timed: bool, errors: &Errors) -> Result<(), ScenarioError> {
    let uses = |d: &DesignSpec| d.base.kind().capabilities().efficacy || d.randomize.is_some();
    let root = FieldPath::default();
    let gated = |d: &DesignSpec| d.backfill.as_ref().is_some_and(|b| b.require_response);
    if let (Some(i), Some(j)) = (
        designs.iter().position(gated),
        truths.iter().position(|t| t.profile.efficacy.is_none()),
    ) {
        return Err(errors.field(
            &root.key("design").at(i).key("backfill").key("require_response"),
            format!(
                "opens a dose for backfill once a patient there has responded, and truth '{}' gives no efficacy: \
                 add efficacy = [P(response) per dose] to every truth, or require_response = false",
                truths[j].name
            ),
        ));
    }
    match designs.iter().position(uses) {
        Some(i) => match truths.iter().position(|t| t.profile.efficacy.is_none()) {
            Some(j) => Err(errors.field(
                &root.key("truth").at(j),
                format!(
                    "truth '{}' gives no efficacy, which design '{}' decides on: add efficacy = [P(response) per dose]",
                    truths[j].name, designs[i].name
                ),
            )),
            None => Ok(()),
        },
        None if timed => Ok(()),
        None => match truths.iter().position(|t| t.profile.efficacy.is_some()) {
            Some(j) => Err(errors.field(
                &root.key("truth").at(j).key("efficacy"),
                "is read in calendar time (add a [timing] table) or by a design deciding on responses, \
                 and this scenario has neither",
            )),
            None => Ok(()),
        },
    }
}
