//! Single-arm phase 2 scenarios (`kind = "single-arm"`): the study's size and calendar, truths
//! (response, PFS, OS, toxicity), and the designs or analyses to compare. Validated into the
//! library's types before anything is simulated; errors name the file and field.

use super::raw::{deserialize_text, simulation_settings, Errors, RawSimulation};
use super::{FieldPath, ScenarioError, SimulationSettings};
use crate::core::limits::MAX_PATIENTS_LIMIT;
use crate::core::stats::binomial_critical;
use crate::core::words::did_you_mean;
use crate::designs::single_arm::{
    Accrual, BetaPrior, Bop2, Endpoint, ExactDesign, PredictiveDesign, ResponseDesign, SimonDesign, SimonSearch,
    SingleArmDesign, SingleArmError, SingleArmTruth, StudyTiming, SurvivalCurve, TimeToEvent, ToxicityRule,
    WeibullSurvival,
};
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
    /// The Simon, BOP2 or predictive design the boundaries come from (`None` for other rules).
    pub origin: Option<ResponseDesign>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinomial {
    p0: f64,
    alpha: Option<f64>,
    n: Option<i64>,
    r: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimon {
    p0: Option<f64>,
    p1: Option<f64>,
    alpha: Option<f64>,
    beta: Option<f64>,
    choice: Option<String>,
    r1: Option<i64>,
    n1: Option<i64>,
    r: Option<i64>,
    n: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBop2 {
    p0: f64,
    looks: Vec<i64>,
    prior: Option<[f64; 2]>,
    lambda: Option<f64>,
    gamma: Option<f64>,
    p1: Option<f64>,
    alpha: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPredictive {
    p0: f64,
    looks: Vec<i64>,
    prior: Option<[f64; 2]>,
    theta_t: Option<f64>,
    theta_l: Option<f64>,
    p1: Option<f64>,
    alpha: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLogRank {
    endpoint: String,
    median0: f64,
    shape: Option<f64>,
    alpha: Option<f64>,
    n: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLandmark {
    endpoint: String,
    time: f64,
    rate0: f64,
    alpha: Option<f64>,
    n: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToxicity {
    limit: f64,
    certainty: f64,
    prior: Option<[f64; 2]>,
    looks: Vec<i64>,
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
    SingleArmTruth::new(raw.name, orr, tox, pfs, os).map_err(at(errors, &path.key("pfs")))
}

fn looks(raw: &[i64], path: &FieldPath, errors: &Errors, patients: u32) -> Result<Vec<u32>, ScenarioError> {
    if raw.is_empty() {
        return Err(errors.field(path, "needs at least one look"));
    }
    let mut out = Vec::with_capacity(raw.len());
    for (j, &n) in raw.iter().enumerate() {
        let n = errors.integer(&path.at(j), n, 1, i64::from(patients))? as u32;
        if out.last().is_some_and(|&last| n <= last) {
            return Err(errors.field(&path.at(j), "looks must increase"));
        }
        out.push(n);
    }
    Ok(out)
}

fn prior(
    raw: Option<[f64; 2]>,
    default: [f64; 2],
    path: &FieldPath,
    errors: &Errors,
) -> Result<BetaPrior, ScenarioError> {
    let [a, b] = raw.unwrap_or(default);
    BetaPrior::new(a, b).map_err(at(errors, path))
}

fn endpoint(raw: &str, path: &FieldPath, errors: &Errors) -> Result<Endpoint, ScenarioError> {
    match raw {
        "os" => Ok(Endpoint::Os),
        "pfs" => Ok(Endpoint::Pfs),
        other => Err(errors.field(path, format!("unknown endpoint '{other}'; expected \"os\" or \"pfs\""))),
    }
}

fn alpha(raw: Option<f64>, path: &FieldPath, errors: &Errors) -> Result<f64, ScenarioError> {
    errors.probability(path, raw.unwrap_or(0.05), true)
}

fn design(
    mut table: toml::Table,
    path: &FieldPath,
    timing: &StudyTiming,
    errors: &Errors,
) -> Result<SingleArmDesignSpec, ScenarioError> {
    let mut take_string = |key: &str| -> Result<String, ScenarioError> {
        match table.remove(key) {
            Some(toml::Value::String(s)) => Ok(s),
            Some(other) => Err(errors.field(&path.key(key), format!("must be a string, got {}", other.type_str()))),
            None => Err(errors.field(&path.key(key), "is missing")),
        }
    };
    let name = take_string("name")?;
    let rule = take_string("rule")?;
    let toxicity: Option<RawToxicity> = table
        .remove("toxicity")
        .map(|v| errors.deserialize(v, &path.key("toxicity")))
        .transpose()?;
    let params = toml::Value::Table(table);
    let patients = timing.patients();
    let size = |n: Option<i64>| -> Result<u32, ScenarioError> {
        n.map_or(Ok(patients), |n| {
            errors
                .integer(&path.key("n"), n, 1, i64::from(patients))
                .map(|n| n as u32)
        })
    };
    let mut origin = None;
    let (design, description, targets): (SingleArmDesign, String, Targets) = match rule.as_str() {
        "binomial" => {
            let raw: RawBinomial = errors.deserialize(params, path)?;
            let p0 = errors.probability(&path.key("p0"), raw.p0, true)?;
            let n = size(raw.n)?;
            let (r, nominal) = match raw.r {
                Some(r) => (errors.integer(&path.key("r"), r, 0, i64::from(n) - 1)? as u32, None),
                None => {
                    let a = alpha(raw.alpha, &path.key("alpha"), errors)?;
                    (binomial_critical(n, p0, a), Some(a))
                }
            };
            let d = SingleArmDesign::single_stage(&name, n, r).map_err(at(errors, path))?;
            (
                d,
                format!("promising if more than {r} of {n} respond (exact binomial test of ORR = {p0})"),
                (Some(p0), None, nominal, None),
            )
        }
        "simon" => {
            let raw: RawSimon = errors.deserialize(params, path)?;
            let optional = |key: &str, value: Option<f64>| -> Result<Option<f64>, ScenarioError> {
                value.map(|v| errors.probability(&path.key(key), v, true)).transpose()
            };
            let given = (
                optional("p0", raw.p0)?,
                optional("p1", raw.p1)?,
                optional("alpha", raw.alpha)?,
                optional("beta", raw.beta)?,
            );
            let mut targets = (given.0, given.1, given.2, given.3.map(|b| 1.0 - b));
            let simon = match (raw.r1, raw.n1, raw.r, raw.n) {
                (Some(r1), Some(n1), Some(r), Some(n)) => {
                    // Simon: 0 ≤ r1 < n1 < n, r1 ≤ r < n, each checked before any conversion.
                    let n = errors.integer(&path.key("n"), n, 2, i64::from(patients))?;
                    let n1 = errors.integer(&path.key("n1"), n1, 1, n - 1)?;
                    let r1 = errors.integer(&path.key("r1"), r1, 0, n1 - 1)?;
                    let r = errors.integer(&path.key("r"), r, r1, n - 1)?;
                    SimonDesign::new(r1 as u32, n1 as u32, r as u32, n as u32).map_err(at(errors, path))?
                }
                (None, None, None, None) => {
                    let p0 = raw
                        .p0
                        .ok_or_else(|| errors.field(&path.key("p0"), "is missing (or give r1, n1, r, n)"))?;
                    let p1 = raw
                        .p1
                        .ok_or_else(|| errors.field(&path.key("p1"), "is missing (or give r1, n1, r, n)"))?;
                    let (a, b) = (raw.alpha.unwrap_or(0.05), raw.beta.unwrap_or(0.2));
                    targets = (Some(p0), Some(p1), Some(a), Some(1.0 - b));
                    let search = SimonSearch::new(p0, p1, a, b, patients).map_err(at(errors, path))?;
                    let found = search.run().map_err(at(errors, path))?;
                    match raw.choice.as_deref().unwrap_or("optimal") {
                        "optimal" => found.optimal.design,
                        "minimax" => found.minimax.design,
                        other => {
                            return Err(errors.field(
                                &path.key("choice"),
                                format!("unknown choice '{other}'; expected \"optimal\" or \"minimax\""),
                            ))
                        }
                    }
                }
                _ => return Err(errors.field(path, "give all of r1, n1, r, n, or none of them (to search)")),
            };
            let text = format!(
                "Simon two-stage: stop if ≤ {} of {} respond; promising if more than {} of {}",
                simon.r1(),
                simon.n1(),
                simon.r(),
                simon.n()
            );
            origin = Some(ResponseDesign::Simon(simon.clone()));
            (SingleArmDesign::responses(&name, &simon), text, targets)
        }
        "bop2" => {
            let raw: RawBop2 = errors.deserialize(params, path)?;
            let looks = looks(&raw.looks, &path.key("looks"), errors, patients)?;
            let p0 = errors.probability(&path.key("p0"), raw.p0, true)?;
            let prior = prior(raw.prior, [p0, 1.0 - p0], &path.key("prior"), errors)?;
            let (bop2, targets) = match (raw.lambda, raw.gamma, raw.p1, raw.alpha) {
                (Some(lambda), Some(gamma), None, None) => (
                    Bop2::new(looks, prior, p0, lambda, gamma).map_err(at(errors, path))?,
                    (Some(p0), None, None, None),
                ),
                (None, None, Some(p1), alpha) => {
                    let lambdas: Vec<f64> = (50..100).map(|i| f64::from(i) / 100.0).collect();
                    let gammas: Vec<f64> = (0..=40).map(|i| f64::from(i) / 20.0).collect();
                    let alpha = alpha.unwrap_or(0.05);
                    let design = Bop2::calibrate(looks, prior, p0, p1, alpha, &lambdas, &gammas)
                        .map_err(at(errors, path))?
                        .design;
                    (design, (Some(p0), Some(p1), Some(alpha), None))
                }
                _ => {
                    return Err(errors.field(
                        path,
                        "give `lambda` and `gamma`, or `p1` (and `alpha`) to calibrate them",
                    ))
                }
            };
            let boundaries = bop2.boundaries();
            let (looks, futility) = (boundaries.looks(), boundaries.futility());
            let last = looks.len() - 1;
            let stops: Vec<String> = looks[..last]
                .iter()
                .zip(&futility)
                .map(|(n, r)| r.map_or(format!("{n}: none"), |r| format!("{n}: ≤ {r}")))
                .collect();
            let final_rule = futility[last].map_or(0, |r| r + 1);
            let text = format!(
                "BOP2 (lambda {}, gamma {}): stop for futility with responses at {}; promising with at least {final_rule} of {}",
                bop2.lambda(),
                bop2.gamma(),
                stops.join(", "),
                looks[last]
            );
            origin = Some(ResponseDesign::Bop2(bop2.clone()));
            (SingleArmDesign::responses(&name, &bop2), text, targets)
        }
        "predictive" => {
            let raw: RawPredictive = errors.deserialize(params, path)?;
            let looks = looks(&raw.looks, &path.key("looks"), errors, patients)?;
            let p0 = errors.probability(&path.key("p0"), raw.p0, true)?;
            let prior = prior(raw.prior, [1.0, 1.0], &path.key("prior"), errors)?;
            let (pp, targets) = match (raw.theta_t, raw.theta_l, raw.p1, raw.alpha) {
                (Some(theta_t), Some(theta_l), None, None) => (
                    PredictiveDesign::new(looks, prior, p0, theta_t, theta_l).map_err(at(errors, path))?,
                    (Some(p0), None, None, None),
                ),
                (None, None, Some(p1), alpha) => {
                    // Lee & Liu's search: θT in [0.80, 0.99], θL in [0.001, 0.20].
                    let theta_t: Vec<f64> = (80..100).map(|i| f64::from(i) / 100.0).collect();
                    let theta_l: Vec<f64> = [0.001, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2].to_vec();
                    let alpha = alpha.unwrap_or(0.05);
                    let design = PredictiveDesign::calibrate(looks, prior, p0, p1, alpha, &theta_t, &theta_l)
                        .map_err(at(errors, path))?
                        .design;
                    (design, (Some(p0), Some(p1), Some(alpha), None))
                }
                _ => {
                    return Err(errors.field(
                        path,
                        "give `theta_t` and `theta_l`, or `p1` (and `alpha`) to search for them",
                    ))
                }
            };
            let text = format!(
                "predictive probability (Lee & Liu 2008): stop if PP < {} at a look; promising if P(ORR > {p0}) > {} at the end",
                pp.theta_l(),
                pp.predictive().theta_t()
            );
            origin = Some(ResponseDesign::Predictive(pp.clone()));
            (SingleArmDesign::responses(&name, &pp), text, targets)
        }
        "log-rank" => {
            let raw: RawLogRank = errors.deserialize(params, path)?;
            let endpoint_kind = endpoint(&raw.endpoint, &path.key("endpoint"), errors)?;
            let null = WeibullSurvival::new(raw.median0, raw.shape.unwrap_or(1.0)).map_err(at(errors, path))?;
            let a = alpha(raw.alpha, &path.key("alpha"), errors)?;
            let n = size(raw.n)?;
            let d = SingleArmDesign::log_rank(&name, n, endpoint_kind, null, a).map_err(at(errors, path))?;
            let text = format!(
                "one-sample log-rank test of {} against a historical median of {} months, one-sided alpha {a}, {n} patients",
                raw.endpoint.to_uppercase(),
                raw.median0
            );
            (d, text, (None, None, Some(a), None))
        }
        "landmark" => {
            let raw: RawLandmark = errors.deserialize(params, path)?;
            let endpoint_kind = endpoint(&raw.endpoint, &path.key("endpoint"), errors)?;
            let a = alpha(raw.alpha, &path.key("alpha"), errors)?;
            let n = size(raw.n)?;
            let d =
                SingleArmDesign::landmark(&name, n, endpoint_kind, raw.time, raw.rate0, a).map_err(at(errors, path))?;
            let text = format!(
                "{}-month {} rate (Kaplan–Meier) against a historical {}, one-sided alpha {a}, {n} patients",
                raw.time,
                raw.endpoint.to_uppercase(),
                raw.rate0
            );
            (d, text, (None, None, Some(a), None))
        }
        other => {
            let names: Vec<String> = SINGLE_ARM_RULES.iter().map(|r| format!("\"{r}\"")).collect();
            return Err(errors.field(
                &path.key("rule"),
                format!(
                    "unknown rule '{other}'{}; expected one of {}",
                    did_you_mean(other, SINGLE_ARM_RULES.iter().copied()),
                    names.join(", ")
                ),
            ));
        }
    };
    let (design, description) = match toxicity {
        Some(raw) => {
            let tox_path = path.key("toxicity");
            let looks = looks(&raw.looks, &tox_path.key("looks"), errors, design.max_patients())?;
            let prior = prior(raw.prior, [1.0, 1.0], &tox_path.key("prior"), errors)?;
            let rule = ToxicityRule::new(prior, raw.limit, raw.certainty, looks).map_err(at(errors, &tox_path))?;
            let text = format!(
                "{description}; stop for toxicity when P(tox rate > {}) > {} at {:?} patients",
                raw.limit,
                raw.certainty,
                rule.looks()
            );
            (design.with_toxicity(rule).map_err(at(errors, &tox_path))?, text)
        }
        None => (design, description),
    };
    let (p0, p1, alpha, power) = targets;
    Ok(SingleArmDesignSpec {
        name,
        rule,
        description,
        design,
        p0,
        p1,
        alpha,
        power,
        origin,
    })
}
