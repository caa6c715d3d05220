//! `rule = "bop2"`: the Bayesian optimal phase 2 design (Zhou, Lee & Yuan 2017), futility on
//! response only, or, with `tox0`, joint efficacy and toxicity monitoring
//! ([`Bop2Joint`]).

use super::super::raw::Errors;
use super::super::{FieldPath, ScenarioError};
use super::designs::{looks, prior};
use super::{at, JointSpec, Targets};
use crate::designs::single_arm::{Bop2, Bop2Joint, ExactDesign, JointNull, SingleArmDesign, ToxicityExponent};
use serde::Deserialize;

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
    tox0: Option<f64>,
    tox1: Option<f64>,
    odds_ratio: Option<f64>,
    null: Option<String>,
    tox_gamma: Option<String>,
}

/// A parsed BOP2 `[[design]]`.
pub(super) struct ParsedBop2 {
    /// The design to simulate (with its toxicity rule when joint).
    pub design: SingleArmDesign,
    /// Its rule in words.
    pub description: String,
    /// (p0, p1, alpha, power).
    pub targets: Targets,
    /// The futility half.
    pub efficacy: Bop2,
    /// The joint design, with `tox0`.
    pub joint: Option<JointSpec>,
}

/// The grids the calibrations search: λ = 0.50, 0.51, …, 0.99 and γ = 0, 0.05, …, 2.
fn grids() -> (Vec<f64>, Vec<f64>) {
    (
        (50..100).map(|i| f64::from(i) / 100.0).collect(),
        (0..=40).map(|i| f64::from(i) / 20.0).collect(),
    )
}

/// Reads a BOP2 `[[design]]` (its `name` and `rule` already taken).
pub(super) fn parse(
    params: toml::Value,
    path: &FieldPath,
    errors: &Errors,
    patients: u32,
    name: &str,
) -> Result<ParsedBop2, ScenarioError> {
    let raw: RawBop2 = errors.deserialize(params, path)?;
    let looks = looks(&raw.looks, &path.key("looks"), errors, patients)?;
    let p0 = errors.probability(&path.key("p0"), raw.p0, true)?;
    if raw.tox0.is_some() {
        return joint(raw, looks, p0, path, errors, name);
    }
    let joint_only = [
        ("tox1", raw.tox1.is_some()),
        ("odds_ratio", raw.odds_ratio.is_some()),
        ("null", raw.null.is_some()),
        ("tox_gamma", raw.tox_gamma.is_some()),
    ];
    if let Some((key, _)) = joint_only.iter().find(|(_, given)| *given) {
        return Err(errors.field(
            &path.key(key),
            "applies to BOP2 with joint efficacy and toxicity monitoring: give `tox0` too",
        ));
    }
    let prior = prior(raw.prior, [p0, 1.0 - p0], &path.key("prior"), errors)?;
    let (bop2, targets) = match (raw.lambda, raw.gamma, raw.p1, raw.alpha) {
        (Some(lambda), Some(gamma), None, None) => (
            Bop2::new(looks, prior, p0, lambda, gamma).map_err(at(errors, path))?,
            (Some(p0), None, None, None),
        ),
        (None, None, Some(p1), alpha) => {
            let (lambdas, gammas) = grids();
            let alpha = alpha.unwrap_or(0.05);
            let design = Bop2::calibrate(looks, prior, p0, p1, alpha, &lambdas, &gammas)
                .map_err(at(errors, path))?
                .design;
            (design, (Some(p0), Some(p1), Some(alpha), None))
        }
        _ => return Err(calibration_error(errors, path)),
    };
    let boundaries = bop2.boundaries();
    let (looks, futility) = (boundaries.looks(), boundaries.futility());
    let last = looks.len() - 1;
    let final_rule = futility[last].map_or(0, |r| r + 1);
    let description = format!(
        "BOP2 (lambda {}, gamma {}): stop for futility with responses at {}; promising with at least {final_rule} of {}",
        bop2.lambda(),
        bop2.gamma(),
        at_looks(&looks[..last], &futility, "≤"),
        looks[last]
    );
    Ok(ParsedBop2 {
        design: SingleArmDesign::responses(name, &bop2),
        description,
        targets,
        efficacy: bop2,
        joint: None,
    })
}

fn calibration_error(errors: &Errors, path: &FieldPath) -> ScenarioError {
    errors.field(
        path,
        "give `lambda` and `gamma`, or `p1` (and `alpha`) to calibrate them",
    )
}

/// "n: ≤ r" per look ("n: none" where no count stops).
fn at_looks(looks: &[u32], counts: &[Option<u32>], sign: &str) -> String {
    let parts: Vec<String> = looks
        .iter()
        .zip(counts)
        .map(|(n, r)| r.map_or(format!("{n}: none"), |r| format!("{n}: {sign} {r}")))
        .collect();
    parts.join(", ")
}

/// BOP2 with joint efficacy and toxicity monitoring (`tox0` given).
fn joint(
    raw: RawBop2,
    looks: Vec<u32>,
    p0: f64,
    path: &FieldPath,
    errors: &Errors,
    name: &str,
) -> Result<ParsedBop2, ScenarioError> {
    if raw.prior.is_some() {
        return Err(errors.field(
            &path.key("prior"),
            "the joint design's prior is Dirichlet with the null cell probabilities (effective sample size 1); \
             `prior` applies to the response-only BOP2",
        ));
    }
    let tox0 = errors.probability(&path.key("tox0"), raw.tox0.unwrap_or_default(), true)?;
    let odds_ratio = raw.odds_ratio.unwrap_or(1.0);
    let null = match raw.null.as_deref().unwrap_or("paper") {
        "paper" => JointNull::Paper,
        "composite" => JointNull::Composite,
        other => {
            return Err(errors.field(
                &path.key("null"),
                format!("unknown null '{other}'; expected \"paper\" or \"composite\""),
            ))
        }
    };
    let exponent = match raw.tox_gamma.as_deref().unwrap_or("gamma/3") {
        "gamma/3" => ToxicityExponent::GammaThird,
        "gamma" => ToxicityExponent::Gamma,
        other => {
            return Err(errors.field(
                &path.key("tox_gamma"),
                format!("unknown toxicity exponent '{other}'; expected \"gamma/3\" or \"gamma\""),
            ))
        }
    };
    let (design, tox1, targets) = match (raw.lambda, raw.gamma, raw.p1, raw.alpha) {
        (Some(lambda), Some(gamma), None, None) => {
            for (key, given) in [("tox1", raw.tox1.is_some()), ("null", raw.null.is_some())] {
                if given {
                    return Err(errors.field(
                        &path.key(key),
                        "applies to the calibration (with `p1`), not to given `lambda` and `gamma`",
                    ));
                }
            }
            let design =
                Bop2Joint::new(looks, (p0, tox0, odds_ratio), lambda, gamma, exponent).map_err(at(errors, path))?;
            (design, None, (Some(p0), None, None, None))
        }
        (None, None, Some(p1), alpha) => {
            let tox1 = raw
                .tox1
                .ok_or_else(|| errors.field(&path.key("tox1"), "is missing (the acceptable toxicity rate of H1)"))?;
            let tox1 = errors.probability(&path.key("tox1"), tox1, true)?;
            if tox1 >= tox0 {
                return Err(errors.field(
                    &path.key("tox1"),
                    format!("must be less than tox0 = {tox0}, got {tox1}"),
                ));
            }
            let alpha = alpha.unwrap_or(0.05);
            let (lambdas, gammas) = grids();
            let design = Bop2Joint::calibrate(
                looks,
                (p0, tox0),
                (p1, tox1),
                odds_ratio,
                alpha,
                null,
                exponent,
                (&lambdas, &gammas),
            )
            .map_err(at(errors, path))?
            .design;
            (design, Some(tox1), (Some(p0), Some(p1), Some(alpha), None))
        }
        _ => return Err(calibration_error(errors, path)),
    };
    let efficacy = design.efficacy().clone();
    let table = design.table();
    let looks: Vec<u32> = table.iter().map(|r| r.0).collect();
    let futility: Vec<Option<u32>> = table.iter().map(|r| r.1).collect();
    let toxicity: Vec<Option<u32>> = table.iter().map(|r| r.2).collect();
    let last = looks.len() - 1;
    let promising = futility[last].map_or(0, |r| r + 1);
    let below = toxicity[last].map_or(format!("at most {}", looks[last]), |t| format!("fewer than {t}"));
    let description = format!(
        "BOP2 efficacy and toxicity (lambda {}, gamma {}, toxicity exponent {}; Dirichlet prior on the null cells, \
         ORR {p0}, toxicity {tox0}, odds ratio {odds_ratio}, effective sample size 1): stop for toxicity with \
         toxicities at {}; stop for futility with responses at {}; promising with at least {promising} of {} \
         responding and {below} toxicities",
        efficacy.lambda(),
        efficacy.gamma(),
        exponent.key(),
        at_looks(&looks, &toxicity, "≥"),
        at_looks(&looks[..last], &futility, "≤"),
        looks[last]
    );
    let simulated = SingleArmDesign::responses(name, &efficacy)
        .with_toxicity(design.toxicity().clone())
        .map_err(at(errors, path))?;
    Ok(ParsedBop2 {
        design: simulated,
        description,
        targets,
        efficacy,
        joint: Some(JointSpec { design, tox1, null }),
    })
}
