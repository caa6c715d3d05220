//! EffTox's keys in a `[[design]]` table (`rule = "efftox"`): the dose amounts, the hurdles and
//! their posterior probability thresholds, the trade-off contour's points and the normal priors,
//! named as in the R package trialr's `stan_efftox`.

use super::contour::Contour;
use super::model::PARAMETERS;
use super::{EffTox, EffToxConfig};
use crate::core::params::{probability, ParamError, Params};
use crate::designs::blrm::check_dose_amounts;
use crate::designs::registry::{Capabilities, ConfiguredDesign, DesignKind, SimpleKind, TrialContext, Wrappers};
use crate::designs::DoseFinder;
use serde::Deserialize;

/// EffTox as a scenario names it: `rule = "efftox"`.
pub static EFFTOX: SimpleKind = SimpleKind {
    rule: "efftox",
    citation:
        "Thall & Cook (2004), Biometrics 60:684; Thall, Herrick, Nguyen, Venier & Norris (2014), Clin Trials 11:657",
    capabilities: Capabilities {
        exact: false,
        decision_cache: true,
        posterior: true,
        time_to_event: false,
        backfill: false,
        efficacy: true,
    },
    parse: |params, trial| Ok(Box::new(parse_config(params, trial)?)),
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEffTox {
    dose_amounts: Vec<f64>,
    efficacy_hurdle: Option<f64>,
    toxicity_hurdle: Option<f64>,
    p_e: Option<f64>,
    p_t: Option<f64>,
    eff0: Option<f64>,
    tox1: Option<f64>,
    eff_star: Option<f64>,
    tox_star: Option<f64>,
    prior_mean: Option<[f64; PARAMETERS]>,
    prior_sd: Option<[f64; PARAMETERS]>,
    exempt_next_untried: Option<bool>,
}

/// The EffTox settings from the keys left in `params`: Thall et al. (2014)'s values for every key
/// not given, the toxicity hurdle defaulting to `[trial] target`.
fn parse_config(params: &mut Params, trial: &TrialContext) -> Result<EffToxConfig, ParamError> {
    let raw: RawEffTox = params.rest()?;
    check_dose_amounts(&raw.dose_amounts, &params.field("dose_amounts"), trial.limits.num_doses)?;
    let mut config = EffToxConfig::thall_2014(raw.dose_amounts, trial.target);
    let open = |key: &str, value: Option<f64>, default: f64| match value {
        Some(v) => probability(&params.field(key), v, true),
        None => Ok(default),
    };
    config.efficacy_hurdle = open("efficacy_hurdle", raw.efficacy_hurdle, config.efficacy_hurdle)?;
    config.toxicity_hurdle = open("toxicity_hurdle", raw.toxicity_hurdle, config.toxicity_hurdle)?;
    config.p_e = open("p_e", raw.p_e, config.p_e)?;
    config.p_t = open("p_t", raw.p_t, config.p_t)?;
    config.eff0 = open("eff0", raw.eff0, config.eff0)?;
    config.tox1 = open("tox1", raw.tox1, config.tox1)?;
    config.eff_star = open("eff_star", raw.eff_star, config.eff_star)?;
    config.tox_star = open("tox_star", raw.tox_star, config.tox_star)?;
    if let Err(e) = Contour::through(config.eff0, config.tox1, config.eff_star, config.tox_star) {
        let key = if raw.eff_star.is_some() || raw.tox_star.is_some() {
            "eff_star"
        } else {
            "eff0"
        };
        return Err(params.error(
            key,
            format!(
                "the contour through (eff0, 0) = ({}, 0), (1, tox1) = (1, {}) and (eff_star, tox_star) = ({}, {}) \
                 is not defined: {e}",
                config.eff0, config.tox1, config.eff_star, config.tox_star
            ),
        ));
    }
    if let Some(mean) = raw.prior_mean {
        if let Some(j) = mean.iter().position(|m| !m.is_finite()) {
            return Err(params.error("prior_mean", format!("entry {} must be finite", j + 1)));
        }
        config.prior.mean = mean;
    }
    if let Some(sd) = raw.prior_sd {
        if let Some(j) = sd.iter().position(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(params.error("prior_sd", format!("entry {} must be positive, got {}", j + 1, sd[j])));
        }
        config.prior.sd = sd;
    }
    config.exempt_next_untried = raw.exempt_next_untried.unwrap_or(false);
    Ok(config)
}

impl ConfiguredDesign for EffToxConfig {
    fn kind(&self) -> &'static dyn DesignKind {
        &EFFTOX
    }

    fn settings(&self) -> String {
        let c = self;
        let list = |v: &[f64]| v.iter().map(f64::to_string).collect::<Vec<_>>().join(", ");
        format!(
            "dose_amounts = [{}], efficacy_hurdle = {}, toxicity_hurdle = {}, p_e = {}, p_t = {}, eff0 = {}, \
             tox1 = {}, eff_star = {}, tox_star = {}, prior_mean = [{}], prior_sd = [{}]",
            list(&c.dose_amounts),
            c.efficacy_hurdle,
            c.toxicity_hurdle,
            c.p_e,
            c.p_t,
            c.eff0,
            c.tox1,
            c.eff_star,
            c.tox_star,
            list(&c.prior.mean),
            list(&c.prior.sd)
        ) + if c.exempt_next_untried {
            ", exempt_next_untried = true"
        } else {
            ""
        }
    }

    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        wrappers.wrap(EffTox::new(self.clone()))
    }
}
