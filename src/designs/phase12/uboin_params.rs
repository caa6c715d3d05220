//! U-BOIN's keys in a `[[design]]` table (`rule = "u-boin"`): BOIN12's `phi_e`, `c_t`, `c_e`,
//! `response_with_dlt` and `neither` (same meanings and defaults), `stage1_target`, `stage2_at` and
//! `selection`; φ_T is the scenario's `[trial] target`.

use super::params::{named, shared_keys};
use super::uboin::{Uboin, UboinConfig, UboinSelection};
use crate::core::params::{integer, probability, ParamError, Params};
use crate::designs::interval::IntervalRule;
use crate::designs::registry::{Capabilities, ConfiguredDesign, DesignKind, SimpleKind, TrialContext, Wrappers};
use crate::designs::DoseFinder;
use serde::Deserialize;

/// U-BOIN as a scenario names it: `rule = "u-boin"`.
pub static UBOIN: SimpleKind = SimpleKind {
    rule: "u-boin",
    citation: "Zhou, Lee & Yuan (2019), Stat Med 38:5299",
    capabilities: Capabilities {
        exact: true,
        decision_cache: false,
        posterior: true,
        time_to_event: false,
        backfill: false,
        efficacy: true,
    },
    parse: |params, trial| Ok(Box::new(parse_config(params, trial)?)),
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUboin {
    phi_e: Option<f64>,
    c_t: Option<f64>,
    c_e: Option<f64>,
    stage1_target: Option<f64>,
    stage2_at: Option<i64>,
    response_with_dlt: Option<f64>,
    neither: Option<f64>,
    selection: Option<String>,
}

/// U-BOIN's settings from the keys left in `params` (every one of them must be U-BOIN's).
pub(crate) fn parse_config(params: &mut Params, trial: &TrialContext) -> Result<UboinConfig, ParamError> {
    let raw: RawUboin = params.rest()?;
    let mut config = UboinConfig::new(trial.target);
    (config.phi_e, config.c_t, config.c_e, config.utility) = shared_keys(
        params,
        [raw.phi_e, raw.c_t, raw.c_e],
        [raw.response_with_dlt, raw.neither],
        (config.phi_e, config.c_t, config.c_e, config.utility),
    )?;
    if let Some(target) = raw.stage1_target {
        config.stage1_target = stage1_target(params, target, trial.target)?;
    }
    if let Some(n) = raw.stage2_at {
        config.stage2_at = integer(&params.field("stage2_at"), n, 1, i64::from(trial.max_patients_limit))? as u32;
    }
    if let Some(name) = raw.selection {
        config.selection = named(params, "selection", &name, &UboinSelection::ALL, UboinSelection::name)?;
    }
    Ok(config)
}

/// `stage1_target`: a probability at most φ_T (elimination and admissibility stay at φ_T) at which
/// BOIN's default interval (0.6 and 1.4 times the target) is valid.
fn stage1_target(params: &Params, value: f64, phi_t: f64) -> Result<f64, ParamError> {
    let target = probability(&params.field("stage1_target"), value, true)?;
    if target > phi_t {
        return Err(params.error(
            "stage1_target",
            format!("must be at most [trial] target φ_T = {phi_t} (elimination stays at φ_T), got {target}"),
        ));
    }
    IntervalRule::boin(target)
        .check(target)
        .map_err(|(_, problem)| params.error("stage1_target", format!("BOIN at {target} {problem}")))?;
    Ok(target)
}

impl ConfiguredDesign for UboinConfig {
    fn kind(&self) -> &'static dyn DesignKind {
        &UBOIN
    }

    /// The settings; `stage1_target` only when it differs from φ_T.
    fn settings(&self) -> String {
        let stage1 = if self.stage1_target == self.phi_t {
            String::new()
        } else {
            format!(", stage1_target = {}", self.stage1_target)
        };
        format!(
            "phi_e = {}, c_t = {}, c_e = {}{stage1}, stage2_at = {}, response_with_dlt = {}, neither = {}, selection = \"{}\"",
            self.phi_e,
            self.c_t,
            self.c_e,
            self.stage2_at,
            self.utility.response_with_dlt,
            self.utility.neither,
            self.selection.name()
        )
    }

    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        let max_patients = wrappers.limits.max_patients;
        wrappers.wrap(Uboin::new(self.clone(), max_patients))
    }
}
