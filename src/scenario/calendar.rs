//! The calendar-time part of a dose-finding scenario: `[timing]`, `[rp2d]`, and each truth's DLT
//! onset and protocol profile (CRS-type DLTs, step-up dosing, TEAEs, response), parsed and
//! validated.

use super::raw::{Errors, RawTruth};
use super::{FieldPath, ScenarioError};
use crate::core::limits::{MAX_MONTHS, MIN_MONTHS};
use crate::core::{Arrival, Onset, Timing, TruthProfile, Utility};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTiming {
    arrival: RawArrival,
    dlt_window: f64,
    teae_followup: Option<f64>,
    onset: Option<toml::Value>,
    max_wait: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUtility {
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
    scale: Option<String>,
}

/// `[rp2d]`: BOIN12's utility scores, each within [0, 100].
pub(super) fn validate_utility(raw: RawUtility, timed: bool, errors: &Errors) -> Result<Utility, ScenarioError> {
    let path = FieldPath::default().key("rp2d");
    if !timed {
        return Err(errors.field(&path, "the RP2D is chosen in calendar time: add a [timing] table"));
    }
    utility_scores(raw.response_with_dlt, raw.neither, &path, errors)
}

/// BOIN12's utility scores for a response with a DLT and for neither (response alone 100, DLT
/// alone 0), each within [0, 100], defaults where not given; errors name `path.key`.
pub(super) fn utility_scores(
    response_with_dlt: Option<f64>,
    neither: Option<f64>,
    path: &FieldPath,
    errors: &Errors,
) -> Result<Utility, ScenarioError> {
    let score = |key: &str, value: Option<f64>, default: f64| -> Result<f64, ScenarioError> {
        match value {
            None => Ok(default),
            Some(v) if (0.0..=100.0).contains(&v) => Ok(v),
            Some(v) => Err(errors.field(&path.key(key), format!("must be a utility between 0 and 100, got {v}"))),
        }
    };
    let default = Utility::default();
    Ok(Utility {
        response_with_dlt: score("response_with_dlt", response_with_dlt, default.response_with_dlt)?,
        neither: score("neither", neither, default.neither)?,
    })
}

/// `onset = "uniform" | { share, last, scale = "window" | "dose" }`.
pub(super) fn parse_onset(value: toml::Value, path: &FieldPath, errors: &Errors) -> Result<Onset, ScenarioError> {
    match value {
        toml::Value::String(s) if s == "uniform" => Ok(Onset::Uniform),
        value @ toml::Value::Table(_) => {
            let late: RawLateOnset = errors.deserialize(value, path)?;
            let share = errors.probability(&path.key("share"), late.share, true)?;
            let last = errors.probability(&path.key("last"), late.last, true)?;
            match late.scale.as_deref() {
                None | Some("window") => {}
                Some("dose") => return Ok(Onset::LateAtDose { share, last }),
                Some(other) => {
                    return Err(errors.field(
                        &path.key("scale"),
                        format!("must be \"window\" or \"dose\", got \"{other}\""),
                    ))
                }
            }
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
            format!("must be \"uniform\" or {{ share, last[, scale] }} (late onset), got {other}"),
        )),
    }
}

/// `[timing]`: arrivals, the DLT window, TEAE follow-up, DLT onset and the longest wait.
pub(super) fn validate_timing(raw: RawTiming, errors: &Errors) -> Result<Timing, ScenarioError> {
    let path = FieldPath::default().key("timing");
    // Every span within [MIN_MONTHS, MAX_MONTHS] (a rate within their inverses): beyond them a
    // trial's calendar never ends or loses its resolution.
    let span = |key: &FieldPath, v: f64, unit: &str, (lo, hi): (f64, f64)| -> Result<f64, ScenarioError> {
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(errors.field(key, format!("must be between {lo} and {hi} {unit}, got {v}")))
        }
    };
    let months = (MIN_MONTHS, MAX_MONTHS);
    let positive = |key: &FieldPath, v: f64| span(key, v, "months", months);
    let arrival_path = path.key("arrival");
    let arrival = match (raw.arrival.rate, raw.arrival.interval) {
        (Some(rate), None) => Arrival::Poisson {
            rate: span(
                &arrival_path.key("rate"),
                rate,
                "participants a month",
                (1.0 / MAX_MONTHS, 1.0 / MIN_MONTHS),
            )?,
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
        Some(w) => span(&path.key("max_wait"), w, "months", (0.0, MAX_MONTHS))?,
    };
    Ok(Timing {
        arrival,
        window,
        teae_followup,
        onset,
        max_wait,
    })
}

/// A truth's CRS-type DLTs, step-up dosing, TEAEs and response (see [`TruthProfile`]).
pub(super) fn truth_profile(
    t: &RawTruth,
    path: &FieldPath,
    timed: bool,
    errors: &Errors,
) -> Result<TruthProfile, ScenarioError> {
    let given = [
        ("crs", t.crs.is_some()),
        ("dlt_step_up", t.dlt_step_up.is_some()),
        ("step_up_relative_risk", t.step_up_relative_risk.is_some()),
        ("teae", t.teae.is_some()),
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
        association: Default::default(),
    })
}
