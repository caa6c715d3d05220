//! BOIN12's keys in a `[[design]]` table (`rule = "boin12"`): `phi_e`, `c_t`, `c_e`, `n_star`,
//! the utility scores `response_with_dlt` and `neither` (named as in `[rp2d]`) and `selection`;
//! φ_T is the scenario's `[trial] target`.

use super::boin12::{Boin12, Boin12Config};
use super::selection::ObdSelection;
use crate::core::params::{integer, probability, ParamError, Params};
use crate::core::Utility;
use crate::designs::registry::{Capabilities, ConfiguredDesign, DesignKind, SimpleKind, TrialContext, Wrappers};
use crate::designs::DoseFinder;
use serde::Deserialize;

/// BOIN12 as a scenario names it: `rule = "boin12"`.
pub static BOIN12: SimpleKind = SimpleKind {
    rule: "boin12",
    citation: "Lin, Zhou, Yan, Li & Yuan (2020), JCO Precis Oncol 4:1393",
    capabilities: Capabilities {
        exact: true,
        decision_cache: false,
        posterior: true,
        time_to_event: false,
        backfill: true,
        efficacy: true,
    },
    parse: |params, trial| Ok(Box::new(parse_config(params, trial)?)),
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoin12 {
    phi_e: Option<f64>,
    c_t: Option<f64>,
    c_e: Option<f64>,
    n_star: Option<i64>,
    response_with_dlt: Option<f64>,
    neither: Option<f64>,
    selection: Option<String>,
}

/// The keys BOIN12 and U-BOIN share, `[phi_e, c_t, c_e]` (probabilities in (0, 1)) and
/// `[response_with_dlt, neither]` (utilities in [0, 100]), validated over their defaults
/// (φ_E, c_t, c_e, utility).
pub(crate) fn shared_keys(
    params: &Params,
    [phi_e_key, c_t_key, c_e_key]: [Option<f64>; 3],
    [both_key, neither_key]: [Option<f64>; 2],
    defaults: (f64, f64, f64, Utility),
) -> Result<(f64, f64, f64, Utility), ParamError> {
    let open = |key: &str, value: Option<f64>, default: f64| match value {
        Some(v) => probability(&params.field(key), v, true),
        None => Ok(default),
    };
    let score = |key: &str, value: Option<f64>, default: f64| match value {
        Some(v) if (0.0..=100.0).contains(&v) => Ok(v),
        Some(v) => Err(params.error(key, format!("must be a utility between 0 and 100, got {v}"))),
        None => Ok(default),
    };
    let (phi_e, c_t, c_e, utility) = defaults;
    Ok((
        open("phi_e", phi_e_key, phi_e)?,
        open("c_t", c_t_key, c_t)?,
        open("c_e", c_e_key, c_e)?,
        Utility {
            response_with_dlt: score("response_with_dlt", both_key, utility.response_with_dlt)?,
            neither: score("neither", neither_key, utility.neither)?,
        },
    ))
}

/// The rule `key` names, one of `all` by `name_of`; an unknown name is refused listing them.
pub(crate) fn named<T: Copy>(
    params: &Params,
    key: &str,
    name: &str,
    all: &[T],
    name_of: fn(T) -> &'static str,
) -> Result<T, ParamError> {
    all.iter().copied().find(|&t| name_of(t) == name).ok_or_else(|| {
        let names = all
            .iter()
            .map(|&t| format!("\"{}\"", name_of(t)))
            .collect::<Vec<_>>()
            .join(", ");
        params.error(key, format!("unknown {key} '{name}'; expected one of {names}"))
    })
}

/// BOIN12's settings from the keys left in `params` (every one of them must be BOIN12's).
pub(crate) fn parse_config(params: &mut Params, trial: &TrialContext) -> Result<Boin12Config, ParamError> {
    let raw: RawBoin12 = params.rest()?;
    let mut config = Boin12Config::new(trial.target);
    (config.phi_e, config.c_t, config.c_e, config.utility) = shared_keys(
        params,
        [raw.phi_e, raw.c_t, raw.c_e],
        [raw.response_with_dlt, raw.neither],
        (config.phi_e, config.c_t, config.c_e, config.utility),
    )?;
    if let Some(n) = raw.n_star {
        config.n_star = integer(&params.field("n_star"), n, 1, i64::from(trial.max_patients_limit))? as u32;
    }
    if let Some(name) = raw.selection {
        config.selection = named(params, "selection", &name, &ObdSelection::ALL, ObdSelection::name)?;
    }
    Ok(config)
}

impl ConfiguredDesign for Boin12Config {
    fn kind(&self) -> &'static dyn DesignKind {
        &BOIN12
    }

    fn settings(&self) -> String {
        format!(
            "phi_e = {}, c_t = {}, c_e = {}, n_star = {}, response_with_dlt = {}, neither = {}, selection = \"{}\"",
            self.phi_e,
            self.c_t,
            self.c_e,
            self.n_star,
            self.utility.response_with_dlt,
            self.utility.neither,
            self.selection.name()
        )
    }

    fn build(&self, wrappers: Wrappers) -> Box<dyn DoseFinder> {
        let max_patients = wrappers.limits.max_patients;
        wrappers.wrap(Boin12::new(self.clone(), max_patients))
    }
}
