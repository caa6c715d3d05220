//! CRM's keys in a `[[design]]` table (`rule = "crm"`, and TITE-CRM's besides `weights`): the
//! model, the skeleton (given, or calibrated by Lee & Cheung's method), the prior variance, the
//! estimate, `restrict` and `select_untried`.

use super::{calibrate_skeleton, Crm, CrmConfig, CrmEstimate, CrmModel};
use crate::core::params::{deserialize, integer, probability, ParamError, Params};
use crate::designs::registry::{Capabilities, ConfiguredDesign, DesignKind, SimpleKind, TrialContext, Wrappers};
use crate::designs::DoseFinder;
use serde::Deserialize;

/// The CRM as a scenario names it: `rule = "crm"`.
pub static CRM: SimpleKind = SimpleKind {
    rule: "crm",
    citation: "O'Quigley, Pepe & Fisher (1990), Biometrics 46:33; Lee & Cheung (2009), Clin Trials 6:227",
    capabilities: MODEL_BASED,
    parse: |params, trial| Ok(Box::new(parse_config(params, trial)?)),
};

/// What a Bayesian model fitted to the per-dose counts supports (the CRM and the BLRM): exact
/// enumeration, decisions cached by state (a fit is a model fit), a posterior for
/// `stop_when_too_toxic`, and backfill; no partial follow-up, no efficacy.
pub(crate) const MODEL_BASED: Capabilities = Capabilities {
    exact: true,
    decision_cache: true,
    posterior: true,
    time_to_event: false,
    backfill: true,
    efficacy: false,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrm {
    model: Option<String>,
    intercept: Option<f64>,
    skeleton: toml::Value,
    prior_variance: Option<f64>,
    estimate: Option<String>,
    restrict: Option<bool>,
    select_untried: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibratedSkeleton {
    halfwidth: f64,
    nu: i64,
}

/// The CRM settings from the keys left in `params` (every one of them must be CRM's).
pub(crate) fn parse_config(params: &mut Params, trial: &TrialContext) -> Result<CrmConfig, ParamError> {
    let raw: RawCrm = params.rest()?;
    let model = match raw.model.as_deref() {
        None | Some("empiric") => {
            if raw.intercept.is_some() {
                return Err(params.error("intercept", "applies only to model = \"logistic\""));
            }
            CrmModel::Empiric
        }
        Some("logistic") => {
            let intercept = raw.intercept.unwrap_or(3.0);
            if !intercept.is_finite() {
                return Err(params.error("intercept", format!("must be finite, got {intercept}")));
            }
            CrmModel::Logistic { intercept }
        }
        Some(other) => {
            return Err(params.error(
                "model",
                format!("unknown model '{other}'; expected \"empiric\" or \"logistic\""),
            ))
        }
    };
    let skeleton = skeleton(raw.skeleton, model, params, trial)?;
    let prior_variance = raw.prior_variance.unwrap_or(1.34);
    if !(prior_variance.is_finite() && prior_variance > 0.0) {
        return Err(params.error("prior_variance", format!("must be positive, got {prior_variance}")));
    }
    let estimate = match raw.estimate.as_deref() {
        None | Some("plug-in") => CrmEstimate::PlugIn,
        Some("posterior-mean") => CrmEstimate::PosteriorMean,
        Some(other) => {
            return Err(params.error(
                "estimate",
                format!("unknown estimate '{other}'; expected \"plug-in\" or \"posterior-mean\""),
            ))
        }
    };
    Ok(CrmConfig {
        target: trial.target,
        skeleton,
        model,
        prior_variance,
        estimate,
        restrict: raw.restrict.unwrap_or(true),
        select_untried: raw.select_untried.unwrap_or(true),
    })
}

/// `skeleton = [x₁, …, x_K]` or `skeleton = { halfwidth, nu }` (calibrated), checked to increase
/// strictly inside (0, 1) (below expit(intercept) for the logistic model).
fn skeleton(
    value: toml::Value,
    model: CrmModel,
    params: &Params,
    trial: &TrialContext,
) -> Result<Vec<f64>, ParamError> {
    let num_doses = trial.limits.num_doses;
    let path = params.field("skeleton");
    let fail = |message: String| Err(ParamError::new(&path, message));
    let skeleton = match value {
        toml::Value::Table(_) => {
            let c: RawCalibratedSkeleton = deserialize(value, &path)?;
            let hw = c.halfwidth;
            if !(hw.is_finite() && hw > 0.0 && trial.target - hw > 0.0 && trial.target + hw < 1.0) {
                return Err(ParamError::new(
                    &path.key("halfwidth"),
                    format!("must be positive with target ± halfwidth inside (0, 1), got {hw}"),
                ));
            }
            let nu = integer(&path.key("nu"), c.nu, 1, num_doses as i64)? as usize;
            calibrate_skeleton(hw, trial.target, nu, num_doses, model)
        }
        value => {
            let values: Vec<f64> = deserialize(value, &path)?;
            if values.len() != num_doses {
                return fail(format!(
                    "has {} values, but [trial] doses lists {num_doses} dose levels",
                    values.len()
                ));
            }
            for (j, &v) in values.iter().enumerate() {
                probability(&path.at(j), v, true)?;
            }
            values
        }
    };
    // Calibration can underflow to 0 or reach 1 for many doses or a wide half-width.
    if let Some(j) = skeleton.iter().position(|&x| !(x.is_finite() && x > 0.0 && x < 1.0)) {
        return fail(format!(
            "dose {} gets {}, outside (0, 1); choose a smaller halfwidth or another nu",
            j + 1,
            skeleton[j]
        ));
    }
    if let Some(j) = skeleton.windows(2).position(|w| w[1] <= w[0]) {
        return fail(format!(
            "must increase strictly, but dose {} is not above dose {}",
            j + 2,
            j + 1
        ));
    }
    if let CrmModel::Logistic { intercept } = model {
        let ceiling = 1.0 / (1.0 + (-intercept).exp());
        if let Some(j) = skeleton.iter().position(|&x| x >= ceiling) {
            return fail(format!(
                "dose {} is {}, but the logistic model with intercept {intercept} needs values below {ceiling:.4}",
                j + 1,
                skeleton[j]
            ));
        }
    }
    Ok(skeleton)
}

/// The settings in the scenario's key names, with the skeleton as used (calibrated or given).
pub(crate) fn settings(c: &CrmConfig) -> String {
    let model = match c.model {
        CrmModel::Empiric => "empiric".to_string(),
        CrmModel::Logistic { intercept } => format!("logistic (intercept {intercept})"),
    };
    let skeleton: Vec<String> = c.skeleton.iter().map(|x| format!("{x:.4}")).collect();
    let estimate = match c.estimate {
        CrmEstimate::PlugIn => "plug-in",
        CrmEstimate::PosteriorMean => "posterior-mean",
    };
    let settings = format!(
        "model = {model}, skeleton = [{}], prior_variance = {}, estimate = {estimate}, restrict = {}",
        skeleton.join(", "),
        c.prior_variance,
        c.restrict
    );
    // dfcrm's default is left unsaid, so existing runs describe themselves as before.
    if c.select_untried {
        settings
    } else {
        settings + ", select_untried = false"
    }
}

impl ConfiguredDesign for CrmConfig {
    fn kind(&self) -> &'static dyn DesignKind {
        &CRM
    }

    fn settings(&self) -> String {
        settings(self)
    }

    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        wrappers.wrap(Crm::new(self.clone()))
    }
}
