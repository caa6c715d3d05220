//! `[[design]]` tables: the keys every design shares (`name`, `rule`, `accelerated_titration`,
//! `titration_after_dlt`, `rules`, `step_up`, `backfill`, `randomize`); the design's own keys are parsed by its kind in the design
//! registry ([`crate::designs::registry`]).

use super::backfill::{backfill as resolve_backfill, raw_backfill, DesignContext};
use super::randomize::parse_randomize;
use super::raw::Errors;
use super::{FieldPath, ScenarioError, TrialSettings, MAX_PATIENTS_LIMIT};
use crate::core::params::Params;
use crate::core::words::did_you_mean;
use crate::core::{Backfill, BackfillAssign, BackfillVariant, StepUpRule};
use crate::designs::optimization::Randomization;
use crate::designs::registry::{self, ConfiguredDesign, TrialContext, Wrappers};
use crate::designs::rules::{DontSkipDoses, DoseSelector, StopAtN, StopWhenNAtDose, StopWhenTooToxic};
use crate::designs::titration::AfterFirstDlt;
use crate::designs::{Dose, DoseFinder, Rule};
use serde::Deserialize;
use std::sync::Arc;

/// A validated `[[design]]`.
#[derive(Clone, Debug)]
pub struct DesignSpec {
    /// The design's name in the scenario (unique among its designs).
    pub name: String,
    /// The base design with its own settings; its kind gives the `rule` name and capabilities.
    pub base: Arc<dyn ConfiguredDesign>,
    /// Single-patient cohorts until the first DLT before the base design (Simon et al. 1997), and
    /// which dose the cohort after that DLT fills up; `None`: no titration.
    pub accelerated_titration: Option<AfterFirstDlt>,
    /// Stopping and skipping rules, in order.
    pub rules: Vec<RuleSpec>,
    /// When cohorts switch to step-up dosing (calendar time only).
    pub step_up: StepUpRule,
    /// Backfill cohorts (calendar time, waiting designs only).
    pub backfill: Option<Backfill>,
    /// The randomized dose-optimization stage after escalation (`randomize`), if any.
    pub randomize: Option<Randomization>,
}

/// A stopping or skipping rule wrapped around the base design.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RuleSpec {
    /// `stop_at_n`.
    StopAtN(StopAtN),
    /// `stop_when_n_at_dose`.
    StopWhenNAtDose(StopWhenNAtDose),
    /// `dont_skip_doses`.
    DontSkipDoses(DontSkipDoses),
    /// `stop_when_too_toxic`.
    StopWhenTooToxic(StopWhenTooToxic),
}

/// A rule in the scenario's inline-table syntax.
impl std::fmt::Display for RuleSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rule: &dyn Rule = match self {
            RuleSpec::StopAtN(r) => r,
            RuleSpec::StopWhenNAtDose(r) => r,
            RuleSpec::DontSkipDoses(r) => r,
            RuleSpec::StopWhenTooToxic(r) => r,
        };
        f.write_str(&rule.describe())
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
        self.base.build(self.wrappers(trial))
    }

    /// The design for the calendar-time engine: with BF-BOIN backfill
    /// ([`BackfillVariant::Bfboin`]), whose patients come on top of `max_patients`, the design's
    /// tables reach every patient a trial can treat (the escalation's size is in the BF-BOIN
    /// table).
    pub fn build_timed(&self, trial: &TrialSettings) -> Box<dyn DoseFinder> {
        let mut wrappers = self.wrappers(trial);
        if let Some(b) = &self.backfill {
            wrappers.limits.max_patients += b.extra_patients(trial.limits.num_doses);
        }
        self.base.build(wrappers)
    }

    /// What the base design is wrapped in: titration (if any), rules and the trial's limits.
    fn wrappers(&self, trial: &TrialSettings) -> Wrappers {
        Wrappers {
            name: self.name.clone(),
            accelerated_titration: self.accelerated_titration,
            rules: self.rules.iter().map(|r| r.build()).collect(),
            limits: trial.limits,
        }
    }

    /// The scenario's `rule` name of the base design.
    pub fn rule_name(&self) -> &'static str {
        self.base.kind().rule()
    }

    /// The design's settings, in the scenario's key names (the calibrated skeleton shown).
    pub fn settings(&self) -> String {
        let mut settings = self.base.settings();
        if let Some(after) = self.accelerated_titration {
            settings = format!(
                "accelerated_titration = true, titration_after_dlt = \"{}\", {settings}",
                after.key()
            );
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
        if let Some(b) = &self.backfill {
            let variant = match b.variant {
                BackfillVariant::Bfboin(_) => "bfboin",
                BackfillVariant::Design => "design",
            };
            let response = if b.require_response {
                ", require_response = true"
            } else {
                ""
            };
            let assign = match &b.variant {
                BackfillVariant::Bfboin(t) if t.assign != BackfillAssign::Highest => {
                    format!(", assign = \"{}\"", t.assign.key())
                }
                _ => String::new(),
            };
            settings.push_str(&format!(
                ", backfill = {{ max_per_dose = {}, variant = \"{variant}\"{response}{assign} }}",
                b.max_per_dose
            ));
        }
        if let Some(stage) = &self.randomize {
            settings.push_str(&format!(", randomize = {{ {} }}", stage.settings()));
        }
        settings
    }
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
    let name = errors.take_string(&mut table, path, "name")?;
    let rule = errors.take_string(&mut table, path, "rule")?;
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
    let after_first_dlt = match table.remove("titration_after_dlt") {
        Some(value) => {
            let key_path = path.key("titration_after_dlt");
            let value: String = errors.deserialize(value, &key_path)?;
            if !accelerated_titration {
                return Err(errors.field(&key_path, "applies only with accelerated_titration = true"));
            }
            AfterFirstDlt::from_key(&value).ok_or_else(|| {
                errors.field(
                    &key_path,
                    format!("unknown value '{value}'; expected \"same\" or \"below\""),
                )
            })?
        }
        None => AfterFirstDlt::default(),
    };
    let step_up = table
        .remove("step_up")
        .map(|v| step_up_rule(v, &path.key("step_up"), trial, timed, errors))
        .transpose()?
        .unwrap_or_default();
    let backfill = table
        .remove("backfill")
        .map(|v| raw_backfill(v, &path.key("backfill"), timed, errors))
        .transpose()?
        .flatten();
    let raw_randomize = table.remove("randomize");
    let raw_rules: Vec<toml::Value> = match table.remove("rules") {
        Some(value) => errors.deserialize(value, &path.key("rules"))?,
        None => Vec::new(),
    };
    let Some(kind) = registry::find(&rule) else {
        return Err(errors.field(
            &path.key("rule"),
            format!(
                "unknown rule '{rule}'{}; expected one of {}",
                did_you_mean(&rule, registry::rule_names()),
                quoted(&registry::rule_names())
            ),
        ));
    };
    let capabilities = kind.capabilities();
    if capabilities.time_to_event && !timed {
        return Err(errors.field(
            &path.key("rule"),
            format!("{rule} decides in calendar time: add a [timing] table (arrival, dlt_window)"),
        ));
    }
    let context = TrialContext {
        target: trial.target,
        limits: trial.limits,
        max_patients_limit: MAX_PATIENTS_LIMIT,
    };
    let own_keys = backfill.as_ref().map(|_| table.clone());
    let base = kind
        .parse(&mut Params::new(table, path.clone()), &context)
        .map_err(|e| errors.param(e))?;
    if backfill.is_some() && !capabilities.backfill {
        let can: Vec<&str> = registry::DESIGNS
            .iter()
            .filter(|k| k.capabilities().backfill)
            .map(|k| k.rule())
            .collect();
        return Err(errors.field(
            &path.key("backfill"),
            format!(
                "{rule} cannot backfill: backfill data are pooled into the counts a waiting model-based or interval design decides from ({})",
                can.join(", ")
            ),
        ));
    }
    let backfill = match (backfill, own_keys) {
        (Some(raw), Some(own_keys)) => {
            let design = DesignContext {
                kind,
                own_keys: &own_keys,
                rules: !raw_rules.is_empty(),
                accelerated_titration,
            };
            Some(resolve_backfill(raw, &path.key("backfill"), design, trial, errors)?)
        }
        _ => None,
    };
    if (capabilities.time_to_event || capabilities.efficacy) && accelerated_titration {
        return Err(errors.field(
            &path.key("accelerated_titration"),
            format!("{rule} does not take titration yet"),
        ));
    }
    let randomize = match raw_randomize {
        Some(_) if timed => {
            return Err(errors.field(
                &path.key("randomize"),
                "the randomized dose-optimization stage is not simulated in calendar time yet: remove [timing]",
            ))
        }
        Some(value) => Some(parse_randomize(
            value,
            &path.key("randomize"),
            trial,
            capabilities.efficacy,
            errors,
        )?),
        None => None,
    };
    let mut spec = DesignSpec {
        name,
        base: Arc::from(base),
        accelerated_titration: accelerated_titration.then_some(after_first_dlt),
        rules: Vec::new(),
        step_up,
        backfill,
        randomize,
    };
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

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
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
    let max = i64::from(MAX_PATIENTS_LIMIT);
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
            if !design.base.kind().capabilities().posterior {
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
