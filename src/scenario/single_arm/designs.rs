//! The `[[design]]` tables of a single-arm scenario: one rule each, with optional Bayesian
//! toxicity monitoring (`toxicity = { … }`).

use super::super::raw::Errors;
use super::super::{FieldPath, ScenarioError};
use super::{at, bop2, JointSpec, SingleArmDesignSpec, Targets, SINGLE_ARM_RULES};
use crate::core::stats::binomial_critical;
use crate::core::words::did_you_mean;
use crate::designs::single_arm::{
    BetaPrior, Endpoint, LogRankStatistic, PredictiveDesign, ResponseDesign, SimonDesign, SimonSearch, SingleArmDesign,
    StudyTiming, ToxicityRule, WeibullSurvival,
};
use serde::Deserialize;

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
    statistic: Option<String>,
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
pub(super) fn looks(raw: &[i64], path: &FieldPath, errors: &Errors, patients: u32) -> Result<Vec<u32>, ScenarioError> {
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

pub(super) fn prior(
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

/// `statistic = "classical" | "wu"` of a log-rank design (default "classical").
fn log_rank_statistic(raw: Option<&str>, path: &FieldPath, errors: &Errors) -> Result<LogRankStatistic, ScenarioError> {
    match raw {
        None => Ok(LogRankStatistic::Classical),
        Some(name) => LogRankStatistic::from_name(name).ok_or_else(|| {
            errors.field(
                path,
                format!("unknown statistic '{name}'; expected \"classical\" or \"wu\""),
            )
        }),
    }
}

pub(super) fn alpha(raw: Option<f64>, path: &FieldPath, errors: &Errors) -> Result<f64, ScenarioError> {
    errors.probability(path, raw.unwrap_or(0.05), true)
}

/// Reads one `[[design]]` table.
pub(super) fn design(
    mut table: toml::Table,
    path: &FieldPath,
    timing: &StudyTiming,
    errors: &Errors,
) -> Result<SingleArmDesignSpec, ScenarioError> {
    let name = errors.take_string(&mut table, path, "name")?;
    let rule = errors.take_string(&mut table, path, "rule")?;
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
    let mut joint: Option<JointSpec> = None;
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
            let parsed = bop2::parse(params, path, errors, patients, &name)?;
            origin = Some(ResponseDesign::Bop2(parsed.efficacy));
            joint = parsed.joint;
            (parsed.design, parsed.description, parsed.targets)
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
            let statistic = log_rank_statistic(raw.statistic.as_deref(), &path.key("statistic"), errors)?;
            let d = SingleArmDesign::log_rank(&name, n, endpoint_kind, null, a, statistic).map_err(at(errors, path))?;
            let mut text = format!(
                "one-sample log-rank test of {} against a historical median of {} months, one-sided alpha {a}, {n} patients",
                raw.endpoint.to_uppercase(),
                raw.median0
            );
            if statistic == LogRankStatistic::Wu {
                text += ", Wu's (2014) modified statistic (E − O)/√((O + E)/2)";
            }
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
        Some(_) if joint.is_some() => {
            return Err(errors.field(
                &path.key("toxicity"),
                "a BOP2 with `tox0` monitors toxicity itself (jointly with response); drop `toxicity` or `tox0`",
            ))
        }
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
        joint,
    })
}
