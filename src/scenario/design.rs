//! `[[design]]` tables: a base design (`rule = "3+3" | "boin" | "crm"`), its keys, and its
//! ordered `rules`. This is the one place that maps scenario names to design types.

use super::raw::Errors;
use super::{FieldPath, ScenarioError, TrialSettings};
use crate::designs::blrm::{Blrm, BlrmConfig};
use crate::designs::crm::{calibrate_skeleton, Crm, CrmConfig, CrmEstimate, CrmModel};
use crate::designs::interval::{IntervalConfig, IntervalDesign, IntervalRule};
use crate::designs::rules::{DontSkipDoses, DoseSelector, StopAtN, StopWhenNAtDose, StopWhenTooToxic};
use crate::designs::three_plus_three::ThreePlusThree;
use crate::designs::tite::{TimedWithRules, TiteBoin, TiteCrm, TiteWeights};
use crate::designs::titration::AcceleratedTitration;
use crate::designs::{Design, Dose, DoseFinder, Rule, WithRules};
use crate::sim::protocol::{Backfill, StepUpRule};
use crate::sim::timed::{TimedEntry, TimedFinder};
use serde::Deserialize;

/// The rule names a `[[design]]` may use.
pub const RULE_NAMES: [&str; 9] = [
    "3+3",
    "boin",
    "keyboard",
    "mtpi2",
    "i3+3",
    "crm",
    "blrm",
    "tite-crm",
    "tite-boin",
];

/// A validated `[[design]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct DesignSpec {
    pub name: String,
    pub base: BaseDesign,
    /// Single-patient cohorts until the first DLT before the base design (Simon et al. 1997).
    pub accelerated_titration: bool,
    pub rules: Vec<RuleSpec>,
    /// When cohorts switch to step-up dosing (calendar time only).
    pub step_up: StepUpRule,
    /// Backfill cohorts (calendar time, waiting designs only).
    pub backfill: Option<Backfill>,
}

/// The base dose-finding rule and its settings.
#[derive(Clone, Debug, PartialEq)]
pub enum BaseDesign {
    ThreePlusThree(ThreePlusThree),
    /// BOIN, Keyboard, mTPI-2, i3+3.
    Interval(IntervalConfig),
    Blrm(BlrmConfig),
    /// TITE-CRM (calendar time only).
    TiteCrm(CrmConfig, TiteWeights),
    /// TITE-BOIN (calendar time only).
    TiteBoin(IntervalConfig),
    Crm(CrmConfig),
}

/// A stopping or skipping rule wrapped around the base design.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RuleSpec {
    StopAtN(StopAtN),
    StopWhenNAtDose(StopWhenNAtDose),
    DontSkipDoses(DontSkipDoses),
    StopWhenTooToxic(StopWhenTooToxic),
}

impl std::fmt::Display for DoseSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DoseSelector::Recommended => f.write_str("\"recommended\""),
            DoseSelector::Any => f.write_str("\"any\""),
            DoseSelector::Level(d) => write!(f, "{d}"),
        }
    }
}

/// A rule in the scenario's inline-table syntax.
impl std::fmt::Display for RuleSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuleSpec::StopAtN(r) => write!(f, "stop_at_n {{ n = {} }}", r.n),
            RuleSpec::StopWhenNAtDose(r) => write!(f, "stop_when_n_at_dose {{ n = {}, dose = {} }}", r.n, r.dose),
            RuleSpec::DontSkipDoses(r) => write!(
                f,
                "dont_skip_doses {{ when_escalating = {}, when_deescalating = {} }}",
                r.when_escalating, r.when_deescalating
            ),
            RuleSpec::StopWhenTooToxic(r) => write!(
                f,
                "stop_when_too_toxic {{ dose = {}, threshold = {}, certainty = {} }}",
                r.dose, r.threshold, r.certainty
            ),
        }
    }
}

impl RuleSpec {
    fn build(self) -> Box<dyn Rule> {
        match self {
            RuleSpec::StopAtN(r) => Box::new(r),
            RuleSpec::StopWhenNAtDose(r) => Box::new(r),
            RuleSpec::DontSkipDoses(r) => Box::new(r),
            RuleSpec::StopWhenTooToxic(r) => Box::new(r),
        }
    }
}

impl DesignSpec {
    /// The design with its rules and the trial's limits, ready for the engine.
    pub fn build(&self, trial: &TrialSettings) -> Box<dyn DoseFinder> {
        match &self.base {
            BaseDesign::ThreePlusThree(d) => self.finish(*d, trial),
            BaseDesign::Interval(c) => self.finish(IntervalDesign::new(c.clone(), trial.limits.max_patients), trial),
            BaseDesign::Crm(c) => self.finish(Crm::new(c.clone()), trial),
            BaseDesign::Blrm(c) => self.finish(Blrm::new(c.clone()), trial),
            // Outside calendar time a TITE design sees complete data only: its CRM or BOIN.
            BaseDesign::TiteCrm(c, _) => self.finish(Crm::new(c.clone()), trial),
            BaseDesign::TiteBoin(c) => self.finish(IntervalDesign::new(c.clone(), trial.limits.max_patients), trial),
        }
    }

    /// The design for the calendar-time engine: TITE designs decide from partial follow-up;
    /// every other design waits for complete data.
    pub fn build_timed(&self, trial: &TrialSettings) -> TimedEntry {
        TimedEntry {
            finder: self.build_timed_finder(trial),
            step_up: self.step_up,
            backfill: self.backfill,
        }
    }

    fn build_timed_finder(&self, trial: &TrialSettings) -> TimedFinder {
        let (name, limits) = (self.name.clone(), trial.limits);
        let rules = || self.rules.iter().map(|r| r.build()).collect::<Vec<Box<dyn Rule>>>();
        match &self.base {
            BaseDesign::TiteCrm(c, weights) => {
                let tite = TiteCrm::new(name, Crm::new(c.clone()), *weights, limits);
                TimedFinder::TimeToEvent(Box::new(TimedWithRules::new(tite, Crm::new(c.clone()), rules())))
            }
            BaseDesign::TiteBoin(c) => {
                let boin = || IntervalDesign::new(c.clone(), limits.max_patients);
                let tite = TiteBoin::new(name, boin(), limits);
                TimedFinder::TimeToEvent(Box::new(TimedWithRules::new(tite, boin(), rules())))
            }
            _ => TimedFinder::Waiting(self.build(trial)),
        }
    }

    /// Whether the design decides from partial follow-up (needs `[timing]`).
    pub fn is_time_to_event(&self) -> bool {
        matches!(self.base, BaseDesign::TiteCrm(..) | BaseDesign::TiteBoin(_))
    }

    /// Wraps a base design in its titration stage (if any), its rules and the trial's limits.
    fn finish<D: Design + 'static>(&self, design: D, trial: &TrialSettings) -> Box<dyn DoseFinder> {
        let rules: Vec<Box<dyn Rule>> = self.rules.iter().map(|r| r.build()).collect();
        let (name, limits) = (self.name.clone(), trial.limits);
        if self.accelerated_titration {
            Box::new(WithRules::new(name, AcceleratedTitration::new(design), rules, limits))
        } else {
            Box::new(WithRules::new(name, design, rules, limits))
        }
    }

    /// The scenario's `rule` name of the base design.
    pub fn rule_name(&self) -> &'static str {
        match &self.base {
            BaseDesign::ThreePlusThree(_) => "3+3",
            BaseDesign::Interval(c) => c.rule.name(),
            BaseDesign::Crm(_) => "crm",
            BaseDesign::Blrm(_) => "blrm",
            BaseDesign::TiteCrm(..) => "tite-crm",
            BaseDesign::TiteBoin(_) => "tite-boin",
        }
    }

    /// The design's settings, in the scenario's key names (the calibrated skeleton shown).
    pub fn settings(&self) -> String {
        let mut settings = self.base_settings();
        if self.accelerated_titration {
            settings = format!("accelerated_titration = true, {settings}");
        }
        if self.step_up.is_used() {
            let mut keys = Vec::new();
            if let Some(from) = self.step_up.from {
                keys.push(format!("from_dose = {}", from.level()));
            }
            if self.step_up.after_crs {
                keys.push("after_crs = true".to_string());
            }
            settings.push_str(&format!(", step_up = {{ {} }}", keys.join(", ")));
        }
        if let Some(b) = self.backfill {
            settings.push_str(&format!(", backfill = {{ max_per_dose = {} }}", b.max_per_dose));
        }
        settings
    }

    fn base_settings(&self) -> String {
        match &self.base {
            BaseDesign::TiteCrm(c, weights) => {
                let crm = BaseDesign::Crm(c.clone());
                let weights = match weights {
                    TiteWeights::Linear => "linear",
                    TiteWeights::Adaptive => "adaptive",
                };
                format!(
                    "weights = {weights}, {}",
                    DesignSpec {
                        base: crm,
                        ..self.clone()
                    }
                    .base_settings()
                )
            }
            BaseDesign::TiteBoin(c) => DesignSpec {
                base: BaseDesign::Interval(c.clone()),
                ..self.clone()
            }
            .base_settings(),
            BaseDesign::Blrm(c) => {
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
            BaseDesign::ThreePlusThree(d) => format!("deescalate = {}", d.deescalate),
            BaseDesign::Interval(c) => {
                let own = match c.rule {
                    IntervalRule::Boin { phi1, phi2 } => format!("phi1 = {phi1}, phi2 = {phi2}"),
                    IntervalRule::Keyboard {
                        margin_left,
                        margin_right,
                    } => format!("margin_left = {margin_left}, margin_right = {margin_right}"),
                    IntervalRule::Mtpi2 { epsilon1, epsilon2 } | IntervalRule::I3Plus3 { epsilon1, epsilon2 } => {
                        format!("epsilon1 = {epsilon1}, epsilon2 = {epsilon2}")
                    }
                };
                format!(
                    "{own}, cutoff_eliminate = {}, extra_safe = {}, offset = {}, n_earlystop = {}",
                    c.cutoff_eliminate, c.extra_safe, c.offset, c.n_earlystop
                )
            }
            BaseDesign::Crm(c) => {
                let model = match c.model {
                    CrmModel::Empiric => "empiric".to_string(),
                    CrmModel::Logistic { intercept } => format!("logistic (intercept {intercept})"),
                };
                let skeleton: Vec<String> = c.skeleton.iter().map(|x| format!("{x:.4}")).collect();
                let estimate = match c.estimate {
                    CrmEstimate::PlugIn => "plug-in",
                    CrmEstimate::PosteriorMean => "posterior-mean",
                };
                format!(
                    "model = {model}, skeleton = [{}], prior_variance = {}, estimate = {estimate}, restrict = {}",
                    skeleton.join(", "),
                    c.prior_variance,
                    c.restrict
                )
            }
        }
    }

    fn has_posterior(&self) -> bool {
        !matches!(self.base, BaseDesign::ThreePlusThree(_))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreePlusThree {
    deescalate: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterval {
    cutoff_eliminate: Option<f64>,
    extra_safe: Option<bool>,
    offset: Option<f64>,
    n_earlystop: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrm {
    model: Option<String>,
    intercept: Option<f64>,
    skeleton: toml::Value,
    prior_variance: Option<f64>,
    estimate: Option<String>,
    restrict: Option<bool>,
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibratedSkeleton {
    halfwidth: f64,
    nu: i64,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RawRule {
    StopAtN {
        n: i64,
    },
    StopWhenNAtDose {
        n: i64,
        dose: toml::Value,
    },
    DontSkipDoses {
        when_escalating: Option<bool>,
        when_deescalating: Option<bool>,
    },
    StopWhenTooToxic {
        dose: toml::Value,
        threshold: f64,
        certainty: f64,
    },
}

/// Parses and validates one `[[design]]` table at `path`.
pub(super) fn parse_design(
    mut table: toml::Table,
    path: &FieldPath,
    trial: &TrialSettings,
    timed: bool,
    errors: &Errors,
) -> Result<DesignSpec, ScenarioError> {
    let mut take_string = |key: &str| -> Result<String, ScenarioError> {
        match table.remove(key) {
            Some(toml::Value::String(s)) => Ok(s),
            Some(other) => Err(errors.field(&path.key(key), format!("must be a string, got {}", other.type_str()))),
            None => Err(errors.field(&path.key(key), "is missing")),
        }
    };
    let name = take_string("name")?;
    let rule = take_string("rule")?;
    let accelerated_titration = match table.remove("accelerated_titration") {
        Some(value) => errors.deserialize::<bool>(value, &path.key("accelerated_titration"))?,
        None => false,
    };
    if accelerated_titration && trial.limits.cohort_size < 2 {
        return Err(errors.field(
            &path.key("accelerated_titration"),
            "switches from single patients to full cohorts, so [trial] cohort_size must be at least 2",
        ));
    }
    let step_up = table
        .remove("step_up")
        .map(|v| step_up_rule(v, &path.key("step_up"), trial, timed, errors))
        .transpose()?
        .unwrap_or_default();
    let backfill = table
        .remove("backfill")
        .map(|v| backfill_rule(v, &path.key("backfill"), trial, timed, errors))
        .transpose()?
        .flatten();
    let raw_rules: Vec<toml::Value> = match table.remove("rules") {
        Some(value) => errors.deserialize(value, &path.key("rules"))?,
        None => Vec::new(),
    };
    let params = toml::Value::Table(table);
    let base = match rule.as_str() {
        "3+3" => {
            let raw: RawThreePlusThree = errors.deserialize(params, path)?;
            if trial.limits.cohort_size != 3 {
                return Err(errors.field(
                    &path.key("rule"),
                    format!(
                        "3+3 treats cohorts of 3, but [trial] cohort_size is {}",
                        trial.limits.cohort_size
                    ),
                ));
            }
            BaseDesign::ThreePlusThree(ThreePlusThree {
                deescalate: raw.deescalate.unwrap_or(false),
            })
        }
        "boin" | "keyboard" | "mtpi2" | "i3+3" => {
            let toml::Value::Table(mut params) = params else {
                unreachable!("built as a table")
            };
            BaseDesign::Interval(interval_config(&rule, &mut params, path, trial, errors)?)
        }
        "crm" => BaseDesign::Crm(crm_config(errors.deserialize(params, path)?, path, trial, errors)?),
        "tite-crm" | "tite-boin" if !timed => {
            return Err(errors.field(
                &path.key("rule"),
                format!("{rule} decides in calendar time: add a [timing] table (arrival, dlt_window)"),
            ))
        }
        "tite-crm" => {
            let toml::Value::Table(mut params) = params else {
                unreachable!("built as a table")
            };
            let weights = match params.remove("weights") {
                None => TiteWeights::Linear,
                Some(toml::Value::String(w)) if w == "linear" => TiteWeights::Linear,
                Some(toml::Value::String(w)) if w == "adaptive" => TiteWeights::Adaptive,
                Some(other) => {
                    return Err(errors.field(
                        &path.key("weights"),
                        format!("must be \"linear\" or \"adaptive\", got {other}"),
                    ))
                }
            };
            let raw = errors.deserialize(toml::Value::Table(params), path)?;
            BaseDesign::TiteCrm(crm_config(raw, path, trial, errors)?, weights)
        }
        "tite-boin" => {
            let toml::Value::Table(mut params) = params else {
                unreachable!("built as a table")
            };
            BaseDesign::TiteBoin(interval_config("boin", &mut params, path, trial, errors)?)
        }
        "blrm" => BaseDesign::Blrm(blrm_config(errors.deserialize(params, path)?, path, trial, errors)?),
        other => {
            return Err(errors.field(
                &path.key("rule"),
                format!("unknown rule '{other}'; expected one of {}", quoted(&RULE_NAMES)),
            ))
        }
    };
    let mut spec = DesignSpec {
        name,
        base,
        accelerated_titration,
        rules: Vec::new(),
        step_up,
        backfill,
    };
    if spec.backfill.is_some() && (spec.is_time_to_event() || matches!(spec.base, BaseDesign::ThreePlusThree(_))) {
        return Err(errors.field(
            &path.key("backfill"),
            format!(
                "{} cannot backfill: backfill data are pooled into the counts a waiting model-based or interval design decides from (boin, keyboard, mtpi2, i3+3, crm, blrm)",
                spec.rule_name()
            ),
        ));
    }
    if spec.is_time_to_event() && accelerated_titration {
        return Err(errors.field(
            &path.key("accelerated_titration"),
            format!("{} does not take titration yet", spec.rule_name()),
        ));
    }
    for (i, value) in raw_rules.into_iter().enumerate() {
        let rule_path = path.key("rules").at(i);
        let raw: RawRule = errors.deserialize(value, &rule_path)?;
        spec.rules.push(rule_spec(raw, &rule_path, &spec, trial, errors)?);
    }
    Ok(spec)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStepUp {
    from_dose: Option<i64>,
    after_crs: Option<bool>,
}

/// `step_up = { from_dose = L, after_crs = true }`: either switch, or both.
fn step_up_rule(
    value: toml::Value,
    path: &FieldPath,
    trial: &TrialSettings,
    timed: bool,
    errors: &Errors,
) -> Result<StepUpRule, ScenarioError> {
    if !timed {
        return Err(errors.field(
            path,
            "step-up dosing is simulated in calendar time: add a [timing] table",
        ));
    }
    let raw: RawStepUp = errors.deserialize(value, path)?;
    let from = raw
        .from_dose
        .map(|l| errors.integer(&path.key("from_dose"), l, 1, trial.doses.len() as i64))
        .transpose()?
        .map(|l| Dose::from_level(l as usize));
    let rule = StepUpRule {
        from,
        after_crs: raw.after_crs.unwrap_or(false),
    };
    if !rule.is_used() {
        return Err(errors.field(
            path,
            "give `from_dose` (pre-specified step-up from that level) and/or `after_crs = true` (the committee's switch)",
        ));
    }
    Ok(rule)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBackfill {
    max_per_dose: Option<i64>,
}

/// `backfill = true | false | { max_per_dose = n }`.
fn backfill_rule(
    value: toml::Value,
    path: &FieldPath,
    trial: &TrialSettings,
    timed: bool,
    errors: &Errors,
) -> Result<Option<Backfill>, ScenarioError> {
    let raw = match value {
        toml::Value::Boolean(false) => return Ok(None),
        toml::Value::Boolean(true) => RawBackfill { max_per_dose: None },
        table @ toml::Value::Table(_) => errors.deserialize(table, path)?,
        other => {
            return Err(errors.field(
                path,
                format!("must be true, false or {{ max_per_dose = n }}, got {other}"),
            ))
        }
    };
    if !timed {
        return Err(errors.field(path, "backfill is simulated in calendar time: add a [timing] table"));
    }
    let max = trial.limits.max_patients;
    let max_per_dose = raw
        .max_per_dose
        .map(|n| errors.integer(&path.key("max_per_dose"), n, 1, i64::from(max)))
        .transpose()?
        .map_or(max, |n| n as u32);
    let target = trial.target;
    Ok(Some(Backfill {
        max_per_dose,
        close_at_rate: crate::designs::boin::lambda_d(target, 1.4 * target),
    }))
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// The settings of an interval design: the rule's own two keys (taken out of `params` here, and
/// checked by [`IntervalRule::check`]), then the keys every interval design shares.
fn interval_config(
    rule: &str,
    params: &mut toml::Table,
    path: &FieldPath,
    trial: &TrialSettings,
    errors: &Errors,
) -> Result<IntervalConfig, ScenarioError> {
    let target = trial.target;
    let mut take = |key: &str| -> Result<Option<f64>, ScenarioError> {
        params
            .remove(key)
            .map(|v| errors.deserialize::<f64>(v, &path.key(key)))
            .transpose()
    };
    let (below_key, above_key) = IntervalRule::parameter_names(rule);
    let (below, above) = IntervalRule::default_parameters(rule, target);
    let (below, above) = (take(below_key)?.unwrap_or(below), take(above_key)?.unwrap_or(above));
    let rule = IntervalRule::from_parts(rule, below, above).expect("an interval rule name");
    rule.check(target)
        .map_err(|(key, message)| errors.field(&path.key(key), message))?;
    let raw: RawInterval = errors.deserialize(toml::Value::Table(std::mem::take(params)), path)?;
    let mut config = IntervalConfig::new(target, rule);
    if let Some(v) = raw.cutoff_eliminate {
        config.cutoff_eliminate = errors.probability(&path.key("cutoff_eliminate"), v, true)?;
    }
    if let Some(v) = raw.offset {
        if !(v.is_finite() && v >= 0.0 && v < config.cutoff_eliminate) {
            return Err(errors.field(
                &path.key("offset"),
                format!("must be from 0 to below cutoff_eliminate, got {v}"),
            ));
        }
        config.offset = v;
    }
    config.extra_safe = raw.extra_safe.unwrap_or(false);
    if let Some(v) = raw.n_earlystop {
        config.n_earlystop =
            errors.integer(&path.key("n_earlystop"), v, 1, i64::from(super::MAX_PATIENTS_LIMIT))? as u32;
    }
    Ok(config)
}

fn crm_config(
    raw: RawCrm,
    path: &FieldPath,
    trial: &TrialSettings,
    errors: &Errors,
) -> Result<CrmConfig, ScenarioError> {
    let model = match raw.model.as_deref() {
        None | Some("empiric") => {
            if raw.intercept.is_some() {
                return Err(errors.field(&path.key("intercept"), "applies only to model = \"logistic\""));
            }
            CrmModel::Empiric
        }
        Some("logistic") => {
            let intercept = raw.intercept.unwrap_or(3.0);
            if !intercept.is_finite() {
                return Err(errors.field(&path.key("intercept"), format!("must be finite, got {intercept}")));
            }
            CrmModel::Logistic { intercept }
        }
        Some(other) => {
            return Err(errors.field(
                &path.key("model"),
                format!("unknown model '{other}'; expected \"empiric\" or \"logistic\""),
            ))
        }
    };
    let num_doses = trial.doses.len();
    let skeleton_path = path.key("skeleton");
    let skeleton = match raw.skeleton {
        toml::Value::Table(_) => {
            let c: RawCalibratedSkeleton = errors.deserialize(raw.skeleton, &skeleton_path)?;
            let hw = c.halfwidth;
            if !(hw.is_finite() && hw > 0.0 && trial.target - hw > 0.0 && trial.target + hw < 1.0) {
                return Err(errors.field(
                    &skeleton_path.key("halfwidth"),
                    format!("must be positive with target ± halfwidth inside (0, 1), got {hw}"),
                ));
            }
            let nu = errors.integer(&skeleton_path.key("nu"), c.nu, 1, num_doses as i64)? as usize;
            calibrate_skeleton(hw, trial.target, nu, num_doses, model)
        }
        value => {
            let values: Vec<f64> = errors.deserialize(value, &skeleton_path)?;
            if values.len() != num_doses {
                return Err(errors.field(
                    &skeleton_path,
                    format!(
                        "has {} values, but [trial] doses lists {num_doses} dose levels",
                        values.len()
                    ),
                ));
            }
            for (j, &v) in values.iter().enumerate() {
                errors.probability(&skeleton_path.at(j), v, true)?;
            }
            values
        }
    };
    // Calibration can underflow to 0 or reach 1 for many doses or a wide half-width.
    if let Some(j) = skeleton.iter().position(|&x| !(x.is_finite() && x > 0.0 && x < 1.0)) {
        return Err(errors.field(
            &skeleton_path,
            format!(
                "dose {} gets {}, outside (0, 1); choose a smaller halfwidth or another nu",
                j + 1,
                skeleton[j]
            ),
        ));
    }
    if let Some(j) = skeleton.windows(2).position(|w| w[1] <= w[0]) {
        return Err(errors.field(
            &skeleton_path,
            format!("must increase strictly, but dose {} is not above dose {}", j + 2, j + 1),
        ));
    }
    if let CrmModel::Logistic { intercept } = model {
        let ceiling = 1.0 / (1.0 + (-intercept).exp());
        if let Some(j) = skeleton.iter().position(|&x| x >= ceiling) {
            return Err(errors.field(
                &skeleton_path,
                format!(
                    "dose {} is {}, but the logistic model with intercept {intercept} needs values below {ceiling:.4}",
                    j + 1,
                    skeleton[j]
                ),
            ));
        }
    }
    let prior_variance = raw.prior_variance.unwrap_or(1.34);
    if !(prior_variance.is_finite() && prior_variance > 0.0) {
        return Err(errors.field(
            &path.key("prior_variance"),
            format!("must be positive, got {prior_variance}"),
        ));
    }
    let estimate = match raw.estimate.as_deref() {
        None | Some("plug-in") => CrmEstimate::PlugIn,
        Some("posterior-mean") => CrmEstimate::PosteriorMean,
        Some(other) => {
            return Err(errors.field(
                &path.key("estimate"),
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
    })
}

fn blrm_config(
    raw: RawBlrm,
    path: &FieldPath,
    trial: &TrialSettings,
    errors: &Errors,
) -> Result<BlrmConfig, ScenarioError> {
    let amounts_path = path.key("dose_amounts");
    if raw.dose_amounts.len() != trial.doses.len() {
        return Err(errors.field(
            &amounts_path,
            format!(
                "has {} amounts, but [trial] doses lists {} dose levels",
                raw.dose_amounts.len(),
                trial.doses.len()
            ),
        ));
    }
    if let Some(j) = raw.dose_amounts.iter().position(|&a| !(a.is_finite() && a > 0.0)) {
        return Err(errors.field(
            &amounts_path.at(j),
            format!("must be a positive amount, got {}", raw.dose_amounts[j]),
        ));
    }
    if let Some(j) = raw.dose_amounts.windows(2).position(|w| w[1] <= w[0]) {
        return Err(errors.field(
            &amounts_path,
            format!("must increase strictly, but dose {} is not above dose {}", j + 2, j + 1),
        ));
    }
    let positive = |key: &str, v: f64| -> Result<f64, ScenarioError> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(errors.field(&path.key(key), format!("must be positive, got {v}")))
        }
    };
    let mut config = BlrmConfig::new(
        raw.dose_amounts,
        positive("reference_dose", raw.reference_dose)?,
        trial.target,
    );
    if let Some(mean) = raw.prior_mean {
        if let Some(j) = mean.iter().position(|m| !m.is_finite()) {
            return Err(errors.field(&path.key("prior_mean").at(j), "must be finite"));
        }
        config.prior_mean = mean;
    }
    if let Some(sd) = raw.prior_sd {
        for (j, &v) in sd.iter().enumerate() {
            if !(v.is_finite() && v > 0.0) {
                return Err(errors.field(&path.key("prior_sd").at(j), format!("must be positive, got {v}")));
            }
        }
        config.prior_sd = sd;
    }
    if let Some(rho) = raw.prior_correlation {
        if !(rho.is_finite() && rho.abs() < 1.0) {
            return Err(errors.field(&path.key("prior_correlation"), format!("must be in (−1, 1), got {rho}")));
        }
        config.prior_correlation = rho;
    }
    if let Some([lower, upper]) = raw.target_interval {
        if !(lower.is_finite() && upper.is_finite() && 0.0 < lower && lower < upper && upper < 1.0) {
            return Err(errors.field(
                &path.key("target_interval"),
                format!("must be [lower, upper] with 0 < lower < upper < 1, got [{lower}, {upper}]"),
            ));
        }
        config.target_interval = [lower, upper];
    }
    if let Some(v) = raw.overdose_limit {
        config.overdose_limit = errors.probability(&path.key("overdose_limit"), v, true)?;
    }
    if let Some(v) = raw.max_escalation {
        if !(v.is_finite() && v >= 1.0) {
            return Err(errors.field(&path.key("max_escalation"), format!("must be at least 1, got {v}")));
        }
        config.max_escalation = v;
    }
    let amounts = &config.dose_amounts;
    if let Some(j) = amounts
        .windows(2)
        .position(|w| w[1] > w[0] * config.max_escalation * (1.0 + 1e-12))
    {
        return Err(errors.field(
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

/// `dose = "recommended" | "any" | level`.
fn dose_selector(
    value: toml::Value,
    path: &FieldPath,
    trial: &TrialSettings,
    errors: &Errors,
) -> Result<DoseSelector, ScenarioError> {
    match value {
        toml::Value::String(s) if s == "recommended" => Ok(DoseSelector::Recommended),
        toml::Value::String(s) if s == "any" => Ok(DoseSelector::Any),
        toml::Value::Integer(level) => {
            let level = errors.integer(path, level, 1, trial.doses.len() as i64)?;
            Ok(DoseSelector::Level(Dose::from_level(level as usize)))
        }
        other => Err(errors.field(
            path,
            format!("must be \"recommended\", \"any\" or a dose level, got {other}"),
        )),
    }
}

fn rule_spec(
    raw: RawRule,
    path: &FieldPath,
    design: &DesignSpec,
    trial: &TrialSettings,
    errors: &Errors,
) -> Result<RuleSpec, ScenarioError> {
    let max = i64::from(super::MAX_PATIENTS_LIMIT);
    Ok(match raw {
        RawRule::StopAtN { n } => RuleSpec::StopAtN(StopAtN {
            n: errors.integer(&path.key("n"), n, 1, max)? as u32,
        }),
        RawRule::StopWhenNAtDose { n, dose } => RuleSpec::StopWhenNAtDose(StopWhenNAtDose {
            n: errors.integer(&path.key("n"), n, 1, max)? as u32,
            dose: dose_selector(dose, &path.key("dose"), trial, errors)?,
        }),
        RawRule::DontSkipDoses {
            when_escalating,
            when_deescalating,
        } => RuleSpec::DontSkipDoses(DontSkipDoses {
            when_escalating: when_escalating.unwrap_or(true),
            when_deescalating: when_deescalating.unwrap_or(false),
        }),
        RawRule::StopWhenTooToxic {
            dose,
            threshold,
            certainty,
        } => {
            if !design.has_posterior() {
                return Err(errors.field(
                    &path.key("kind"),
                    format!(
                        "stop_when_too_toxic needs a design with a posterior; rule '{}' has none",
                        design.rule_name()
                    ),
                ));
            }
            RuleSpec::StopWhenTooToxic(StopWhenTooToxic {
                dose: dose_selector(dose, &path.key("dose"), trial, errors)?,
                threshold: errors.probability(&path.key("threshold"), threshold, true)?,
                certainty: errors.probability(&path.key("certainty"), certainty, true)?,
            })
        }
    })
}
