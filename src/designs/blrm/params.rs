//! BLRM's keys in a `[[design]]` table (`rule = "blrm"`): the dose amounts and reference dose,
//! the bivariate normal prior, the target interval, the overdose limit and the escalation limit.

use super::{Blrm, BlrmConfig};
use crate::core::params::{probability, FieldPath, ParamError, Params};
use crate::designs::crm::params::MODEL_BASED;
use crate::designs::registry::{ConfiguredDesign, DesignKind, SimpleKind, TrialContext, Wrappers};
use crate::designs::DoseFinder;
use serde::Deserialize;

/// The BLRM as a scenario names it: `rule = "blrm"`.
pub static BLRM: SimpleKind = SimpleKind {
    rule: "blrm",
    citation: "Neuenschwander, Branson & Gsponer (2008), Stat Med 27:2420",
    capabilities: MODEL_BASED,
    parse: |params, trial| Ok(Box::new(parse_config(params, trial)?)),
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlrm {
    dose_amounts: Vec<f64>,
    reference_dose: f64,
    prior_mean: Option<[f64; 2]>,
    prior_sd: Option<[f64; 2]>,
    prior_correlation: Option<f64>,
    target_interval: Option<[f64; 2]>,
    overdose_limit: Option<f64>,
    max_escalation: Option<f64>,
}

/// The BLRM settings from the keys left in `params`.
fn parse_config(params: &mut Params, trial: &TrialContext) -> Result<BlrmConfig, ParamError> {
    let raw: RawBlrm = params.rest()?;
    let amounts_path = params.field("dose_amounts");
    check_dose_amounts(&raw.dose_amounts, &amounts_path, trial.limits.num_doses)?;
    let positive = |key: &str, v: f64| -> Result<f64, ParamError> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(params.error(key, format!("must be positive, got {v}")))
        }
    };
    let mut config = BlrmConfig::new(
        raw.dose_amounts,
        positive("reference_dose", raw.reference_dose)?,
        trial.target,
    );
    if let Some(mean) = raw.prior_mean {
        if let Some(j) = mean.iter().position(|m| !m.is_finite()) {
            return Err(ParamError::new(&params.field("prior_mean").at(j), "must be finite"));
        }
        config.prior_mean = mean;
    }
    if let Some(sd) = raw.prior_sd {
        for (j, &v) in sd.iter().enumerate() {
            if !(v.is_finite() && v > 0.0) {
                return Err(ParamError::new(
                    &params.field("prior_sd").at(j),
                    format!("must be positive, got {v}"),
                ));
            }
        }
        config.prior_sd = sd;
    }
    if let Some(rho) = raw.prior_correlation {
        if !(rho.is_finite() && rho.abs() < 1.0) {
            return Err(params.error("prior_correlation", format!("must be in (−1, 1), got {rho}")));
        }
        config.prior_correlation = rho;
    }
    if let Some([lower, upper]) = raw.target_interval {
        if !(lower.is_finite() && upper.is_finite() && 0.0 < lower && lower < upper && upper < 1.0) {
            return Err(params.error(
                "target_interval",
                format!("must be [lower, upper] with 0 < lower < upper < 1, got [{lower}, {upper}]"),
            ));
        }
        config.target_interval = [lower, upper];
    }
    if let Some(v) = raw.overdose_limit {
        config.overdose_limit = probability(&params.field("overdose_limit"), v, true)?;
    }
    if let Some(v) = raw.max_escalation {
        if !(v.is_finite() && v >= 1.0) {
            return Err(params.error("max_escalation", format!("must be at least 1, got {v}")));
        }
        config.max_escalation = v;
    }
    let amounts = &config.dose_amounts;
    if let Some(j) = amounts
        .windows(2)
        .position(|w| w[1] > w[0] * config.max_escalation * (1.0 + 1e-12))
    {
        return Err(ParamError::new(
            &amounts_path,
            format!(
                "dose {} ({}) is more than max_escalation ({}) times dose {} ({}), so the design could never \
                 escalate past dose {}; raise max_escalation or add intermediate doses",
                j + 2,
                amounts[j + 1],
                config.max_escalation,
                j + 1,
                amounts[j],
                j + 1
            ),
        ));
    }
    Ok(config)
}

/// Checks a model's `dose_amounts` key: one positive amount per dose level, strictly increasing.
pub(crate) fn check_dose_amounts(amounts: &[f64], path: &FieldPath, num_doses: usize) -> Result<(), ParamError> {
    if amounts.len() != num_doses {
        return Err(ParamError::new(
            path,
            format!(
                "has {} amounts, but [trial] doses lists {num_doses} dose levels",
                amounts.len()
            ),
        ));
    }
    if let Some(j) = amounts.iter().position(|&a| !(a.is_finite() && a > 0.0)) {
        return Err(ParamError::new(
            &path.at(j),
            format!("must be a positive amount, got {}", amounts[j]),
        ));
    }
    if let Some(j) = amounts.windows(2).position(|w| w[1] <= w[0]) {
        return Err(ParamError::new(
            path,
            format!("must increase strictly, but dose {} is not above dose {}", j + 2, j + 1),
        ));
    }
    Ok(())
}

impl ConfiguredDesign for BlrmConfig {
    fn kind(&self) -> &'static dyn DesignKind {
        &BLRM
    }

    fn settings(&self) -> String {
        let c = self;
        let amounts: Vec<String> = c.dose_amounts.iter().map(f64::to_string).collect();
        format!(
            "dose_amounts = [{}], reference_dose = {}, prior_mean = [{:.4}, {}], prior_sd = [{}, {}], \
             prior_correlation = {}, target_interval = [{}, {}], overdose_limit = {}, max_escalation = {}",
            amounts.join(", "),
            c.reference_dose,
            c.prior_mean[0],
            c.prior_mean[1],
            c.prior_sd[0],
            c.prior_sd[1],
            c.prior_correlation,
            c.target_interval[0],
            c.target_interval[1],
            c.overdose_limit,
            c.max_escalation
        )
    }

    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        wrappers.wrap(Blrm::new(self.clone()))
    }
}
