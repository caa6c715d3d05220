//! An interval design's keys in a `[[design]]` table: the rule's own two parameters (named by
//! its [`IntervalFamily`]), then the keys every interval design shares. Every registered
//! [`IntervalFamily`] is a design kind through this file.

use super::keyboard::KEYBOARD;
use super::{IntervalConfig, IntervalDesign, IntervalFamily, IntervalRule};
use crate::core::params::{integer, probability, ParamError, Params};
use crate::designs::registry::{Capabilities, ConfiguredDesign, DesignKind, TrialContext, Wrappers};
use crate::designs::DoseFinder;
use serde::Deserialize;

/// What every interval design supports.
const CAPABILITIES: Capabilities = Capabilities {
    exact: true,
    decision_cache: false,
    posterior: true,
    time_to_event: false,
    backfill: true,
    efficacy: false,
};

/// The keys every interval design shares.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterval {
    cutoff_eliminate: Option<f64>,
    extra_safe: Option<bool>,
    offset: Option<f64>,
    n_earlystop: Option<i64>,
    extra_safe_selection: Option<bool>,
}

/// The settings of an interval design of `family`: the rule's own two keys (checked against the
/// target by [`IntervalRule::check`]), then the keys every interval design shares.
pub(crate) fn parse_config(
    family: &'static IntervalFamily,
    params: &mut Params,
    trial: &TrialContext,
) -> Result<IntervalConfig, ParamError> {
    let target = trial.target;
    let (below_key, above_key) = family.parameters;
    let (below, above) = (family.defaults)(target);
    let (below, above) = (
        params.take(below_key)?.unwrap_or(below),
        params.take(above_key)?.unwrap_or(above),
    );
    let rule = IntervalRule::new(family, below, above);
    rule.check(target)
        .map_err(|(key, message)| params.error(key, message))?;
    let raw: RawInterval = params.rest()?;
    let mut config = IntervalConfig::new(target, rule);
    if let Some(v) = raw.cutoff_eliminate {
        config.cutoff_eliminate = probability(&params.field("cutoff_eliminate"), v, true)?;
    }
    if let Some(v) = raw.offset {
        if !(v.is_finite() && v >= 0.0 && v < config.cutoff_eliminate) {
            return Err(params.error("offset", format!("must be from 0 to below cutoff_eliminate, got {v}")));
        }
        config.offset = v;
    }
    config.extra_safe = raw.extra_safe.unwrap_or(false);
    if let Some(v) = raw.extra_safe_selection {
        if !std::ptr::eq(family, &KEYBOARD) {
            return Err(params.error(
                "extra_safe_selection",
                format!("is a keyboard key ({} always selects with extra_safe)", family.name),
            ));
        }
        if v && !config.extra_safe {
            return Err(params.error("extra_safe_selection", "applies only with extra_safe = true"));
        }
        config.extra_safe_at_selection = v;
    }
    if let Some(v) = raw.n_earlystop {
        config.n_earlystop = integer(&params.field("n_earlystop"), v, 1, i64::from(trial.max_patients_limit))? as u32;
    }
    Ok(config)
}

/// The settings in the scenario's key names: the rule's two, then the shared ones (and Keyboard's
/// `extra_safe_selection` where `extra_safe` makes it matter).
pub(crate) fn settings(config: &IntervalConfig) -> String {
    let selection = if config.extra_safe && std::ptr::eq(config.rule.family(), &KEYBOARD) {
        format!(", extra_safe_selection = {}", config.extra_safe_at_selection)
    } else {
        String::new()
    };
    format!(
        "{}, cutoff_eliminate = {}, extra_safe = {}, offset = {}, n_earlystop = {}{selection}",
        config.rule.settings(),
        config.cutoff_eliminate,
        config.extra_safe,
        config.offset,
        config.n_earlystop
    )
}

impl DesignKind for IntervalFamily {
    fn rule(&self) -> &'static str {
        self.name
    }

    fn citation(&self) -> &'static str {
        self.citation
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    fn parse(
        &'static self,
        params: &mut Params,
        trial: &TrialContext,
    ) -> Result<Box<dyn ConfiguredDesign>, ParamError> {
        Ok(Box::new(parse_config(self, params, trial)?))
    }

    fn interval_family(&'static self) -> Option<&'static IntervalFamily> {
        Some(self)
    }
}

impl ConfiguredDesign for IntervalConfig {
    fn kind(&self) -> &'static dyn DesignKind {
        self.rule.family()
    }

    fn settings(&self) -> String {
        settings(self)
    }

    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        let max_patients = wrappers.limits.max_patients;
        wrappers.wrap(IntervalDesign::new(self.clone(), max_patients))
    }
}
