//! The serde layer: TOML text to loosely typed structs (unknown keys rejected), then validation
//! into [`Scenario`].

use super::design::parse_design;
use super::{FieldPath, Kind, Method, Scenario, ScenarioError, SimulationSettings, TrialSettings};
use crate::core::limits::{MAX_DOSES, MAX_PATIENTS_LIMIT};
use crate::core::params::{self, ParamError};
use crate::designs::{Dose, TrialLimits};
use crate::engines::calendar::protocol::{TruthProfile, Utility};
use crate::engines::calendar::{Arrival, Onset, Timing};
use crate::engines::dose_finding::Truth;
use crate::engines::exact::DEFAULT_MAX_STATES;
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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTiming {
    arrival: RawArrival,
    dlt_window: f64,
    teae_followup: Option<f64>,
    onset: Option<toml::Value>,
    max_wait: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUtility {
    response_with_dlt: Option<f64>,
    neither: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArrival {
    rate: Option<f64>,
    interval: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLateOnset {
    share: f64,
    last: f64,
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
struct RawTruth {
    name: String,
    dlt: Vec<f64>,
    onset: Option<toml::Value>,
    crs: Option<Vec<f64>>,
    dlt_step_up: Option<Vec<f64>>,
    step_up_relative_risk: Option<toml::Value>,
    teae: Option<Vec<f64>>,
    efficacy: Option<Vec<f64>>,
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
        warnings,
    })
}

/// `[rp2d]`: BOIN12's utility scores, each within [0, 100].
fn validate_utility(raw: RawUtility, timed: bool, errors: &Errors) -> Result<Utility, ScenarioError> {
    let path = FieldPath::default().key("rp2d");
    if !timed {
        return Err(errors.field(&path, "the RP2D is chosen in calendar time: add a [timing] table"));
    }
    let score = |key: &str, value: Option<f64>, default: f64| -> Result<f64, ScenarioError> {
        match value {
            None => Ok(default),
            Some(v) if (0.0..=100.0).contains(&v) => Ok(v),
            Some(v) => Err(errors.field(&path.key(key), format!("must be a utility between 0 and 100, got {v}"))),
        }
    };
    let default = Utility::default();
    Ok(Utility {
        response_with_dlt: score("response_with_dlt", raw.response_with_dlt, default.response_with_dlt)?,
        neither: score("neither", raw.neither, default.neither)?,
    })
}

/// `onset = "uniform" | { share, last }`.
fn parse_onset(value: toml::Value, path: &FieldPath, errors: &Errors) -> Result<Onset, ScenarioError> {
    match value {
        toml::Value::String(s) if s == "uniform" => Ok(Onset::Uniform),
        value @ toml::Value::Table(_) => {
            let late: RawLateOnset = errors.deserialize(value, path)?;
            let share = errors.probability(&path.key("share"), late.share, true)?;
            let last = errors.probability(&path.key("last"), late.last, true)?;
            if Onset::weibull_shape(share, last).is_none() {
                return Err(errors.field(
                    path,
                    format!("no Weibull onset puts {share} of DLTs in the last {last} of the window"),
                ));
            }
            Ok(Onset::Late { share, last })
        }
        other => Err(errors.field(
            path,
            format!("must be \"uniform\" or {{ share, last }} (late onset), got {other}"),
        )),
    }
}

fn validate_timing(raw: RawTiming, errors: &Errors) -> Result<Timing, ScenarioError> {
    let path = FieldPath::default().key("timing");
    let positive = |key: &FieldPath, v: f64| -> Result<f64, ScenarioError> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(errors.field(key, format!("must be a positive number of months, got {v}")))
        }
    };
    let arrival_path = path.key("arrival");
    let arrival = match (raw.arrival.rate, raw.arrival.interval) {
        (Some(rate), None) => Arrival::Poisson {
            rate: positive(&arrival_path.key("rate"), rate)?,
        },
        (None, Some(interval)) => Arrival::Fixed {
            interval: positive(&arrival_path.key("interval"), interval)?,
        },
        _ => {
            return Err(errors.field(
                &arrival_path,
                "give exactly one of `rate` (patients per month, Poisson) or `interval` (months between patients)",
            ))
        }
    };
    let window = positive(&path.key("dlt_window"), raw.dlt_window)?;
    let teae_followup = positive(
        &path.key("teae_followup"),
        raw.teae_followup.unwrap_or(24.0 * 7.0 / 30.4375),
    )?;
    let onset = raw
        .onset
        .map(|v| parse_onset(v, &path.key("onset"), errors))
        .transpose()?
        .unwrap_or(Onset::Uniform);
    let max_wait = match raw.max_wait {
        None => f64::INFINITY,
        Some(w) if w.is_finite() && w >= 0.0 => w,
        Some(w) => {
            return Err(errors.field(
                &path.key("max_wait"),
                format!("must be a number of months ≥ 0, got {w}"),
            ))
        }
    };
    Ok(Timing {
        arrival,
        window,
        teae_followup,
        onset,
        max_wait,
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
            let profile = truth_profile(&t, &path.at(i), timed, errors)?;
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

/// A truth's CRS-type DLTs, step-up dosing, TEAEs and response (see [`TruthProfile`]).
fn truth_profile(t: &RawTruth, path: &FieldPath, timed: bool, errors: &Errors) -> Result<TruthProfile, ScenarioError> {
    let given = [
        ("crs", t.crs.is_some()),
        ("dlt_step_up", t.dlt_step_up.is_some()),
        ("step_up_relative_risk", t.step_up_relative_risk.is_some()),
        ("teae", t.teae.is_some()),
        ("efficacy", t.efficacy.is_some()),
    ];
    if let (Some((key, _)), false) = (given.iter().find(|(_, g)| *g), timed) {
        return Err(errors.field(&path.key(key), "is simulated in calendar time: add a [timing] table"));
    }
    let doses = t.dlt.len();
    let per_dose = |key: &str, values: &Option<Vec<f64>>| -> Result<Option<Vec<f64>>, ScenarioError> {
        let Some(values) = values else { return Ok(None) };
        if values.len() != doses {
            return Err(errors.field(
                &path.key(key),
                format!(
                    "has {} values, but [trial] doses lists {doses} dose levels",
                    values.len()
                ),
            ));
        }
        for (j, &v) in values.iter().enumerate() {
            errors.probability(&path.key(key).at(j), v, false)?;
        }
        Ok(Some(values.clone()))
    };
    let crs = per_dose("crs", &t.crs)?;
    let teae = per_dose("teae", &t.teae)?;
    let efficacy = per_dose("efficacy", &t.efficacy)?;
    let mut dlt_step_up = per_dose("dlt_step_up", &t.dlt_step_up)?;
    let rr_path = path.key("step_up_relative_risk");
    let relative_risk: Option<Vec<f64>> = match &t.step_up_relative_risk {
        None => None,
        Some(toml::Value::Float(_) | toml::Value::Integer(_)) => {
            let v = errors.deserialize::<f64>(t.step_up_relative_risk.clone().expect("given"), &rr_path)?;
            Some(vec![v; doses])
        }
        Some(value @ toml::Value::Array(_)) => {
            let v: Vec<f64> = errors.deserialize(value.clone(), &rr_path)?;
            if v.len() != doses {
                return Err(errors.field(
                    &rr_path,
                    format!("has {} values, but [trial] doses lists {doses} dose levels", v.len()),
                ));
            }
            Some(v)
        }
        Some(other) => {
            return Err(errors.field(
                &rr_path,
                format!("must be a number or a list of numbers (one per dose), got {other}"),
            ))
        }
    };
    if let Some(rr) = &relative_risk {
        if let Some(j) = rr.iter().position(|&r| !(r.is_finite() && r >= 0.0)) {
            return Err(errors.field(&rr_path.at(j), format!("must be a relative risk ≥ 0, got {}", rr[j])));
        }
        if dlt_step_up.is_some() {
            return Err(errors.field(&rr_path, "give either dlt_step_up or step_up_relative_risk, not both"));
        }
    }
    if let Some(crs) = &crs {
        if let Some(j) = (0..doses).find(|&j| crs[j] > t.dlt[j]) {
            return Err(errors.field(
                &path.key("crs").at(j),
                format!("CRS-type DLTs are DLTs: {} exceeds dlt ({})", crs[j], t.dlt[j]),
            ));
        }
        if dlt_step_up.is_some() {
            return Err(errors.field(
                &path.key("dlt_step_up"),
                "with crs, step-up changes only CRS-type DLTs: give step_up_relative_risk instead",
            ));
        }
    }
    // Step-up changes the CRS-type part when there is one, else every DLT.
    let crs_step_up = match (&crs, &relative_risk) {
        (Some(crs), Some(rr)) => Some((0..doses).map(|j| crs[j] * rr[j]).collect::<Vec<f64>>()),
        _ => None,
    };
    if let (Some(crs), Some(crs_step_up)) = (&crs, &crs_step_up) {
        dlt_step_up = Some((0..doses).map(|j| t.dlt[j] - crs[j] + crs_step_up[j]).collect());
    } else if let (None, Some(rr)) = (&crs, &relative_risk) {
        dlt_step_up = Some((0..doses).map(|j| t.dlt[j] * rr[j]).collect());
    }
    if let Some(step_up) = &dlt_step_up {
        if let Some(j) = (0..doses).find(|&j| step_up[j] > 1.0) {
            return Err(errors.field(
                &rr_path.at(j),
                format!("makes the step-up DLT probability {} > 1", step_up[j]),
            ));
        }
    }
    if let Some(teae) = &teae {
        if let Some(j) = (0..doses).find(|&j| teae[j] < t.dlt[j]) {
            return Err(errors.field(
                &path.key("teae").at(j),
                format!("DLTs are TEAEs: {} is below dlt ({})", teae[j], t.dlt[j]),
            ));
        }
    }
    Ok(TruthProfile {
        crs,
        dlt_step_up,
        crs_step_up,
        teae,
        efficacy,
    })
}
