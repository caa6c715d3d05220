//! A design's `backfill` key: `true`, `false` or `{ max_per_dose = n, variant = "bfboin" |
//! "design", require_response = bool, assign = "highest" | "lowest" | "random" }` (see
//! [`Backfill`], [`BackfillVariant`] and [`BackfillAssign`]).

use super::raw::Errors;
use super::{FieldPath, ScenarioError, TrialSettings};
use crate::core::params::Params;
use crate::core::{Backfill, BackfillAssign, BackfillVariant, BfBoinTable};
use crate::designs::interval::params::parse_config;
use crate::designs::interval::BoundaryTable;
use crate::designs::registry::{DesignKind, TrialContext};
use serde::Deserialize;
use std::sync::Arc;

/// bfboin's default per-dose cap (`n.cap = 12`).
const BFBOIN_CAP: u32 = 12;

/// The `backfill` key as written, before the design is known.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBackfill {
    max_per_dose: Option<i64>,
    variant: Option<String>,
    require_response: Option<bool>,
    assign: Option<String>,
}

/// `backfill = true | false | { max_per_dose = n, variant = "…" }`: `None` for `false`.
pub(super) fn raw_backfill(
    value: toml::Value,
    path: &FieldPath,
    timed: bool,
    errors: &Errors,
) -> Result<Option<RawBackfill>, ScenarioError> {
    let raw = match value {
        toml::Value::Boolean(false) => return Ok(None),
        toml::Value::Boolean(true) => RawBackfill {
            max_per_dose: None,
            variant: None,
            require_response: None,
            assign: None,
        },
        table @ toml::Value::Table(_) => errors.deserialize(table, path)?,
        other => {
            return Err(errors.field(
                path,
                format!("must be true, false or {{ max_per_dose = n, variant = \"bfboin\" }}, got {other}"),
            ))
        }
    };
    if !timed {
        return Err(errors.field(path, "backfill is simulated in calendar time: add a [timing] table"));
    }
    Ok(Some(raw))
}

/// What else of the `[[design]]` BF-BOIN's rule depends on.
pub(super) struct DesignContext<'a> {
    /// The design's kind.
    pub kind: &'static dyn DesignKind,
    /// The design's own keys (what its kind parses), to read the interval design's settings.
    pub own_keys: &'a toml::Table,
    /// Whether the design has `rules` or accelerated titration, which BF-BOIN's rule replaces.
    pub rules: bool,
    pub accelerated_titration: bool,
}

/// Resolves the variant (default: `"bfboin"` for an interval design, `"design"` otherwise), the
/// cap (default: bfboin's 12 with `"bfboin"`, `max_patients` with `"design"`),
/// `require_response` (default: whether the design decides on responses, a phase I/II design)
/// and, with `"bfboin"` only, `assign` (default: bfboin's `"highest"`).
pub(super) fn backfill(
    raw: RawBackfill,
    path: &FieldPath,
    design: DesignContext<'_>,
    trial: &TrialSettings,
    errors: &Errors,
) -> Result<Backfill, ScenarioError> {
    let family = design.kind.interval_family();
    let bfboin = match raw.variant.as_deref() {
        None => family.is_some(),
        Some("bfboin") => true,
        Some("design") => false,
        Some(other) => {
            return Err(errors.field(
                &path.key("variant"),
                format!("must be \"bfboin\" (bfboin 0.1.1, the default for interval designs) or \"design\" (the design decides on the pooled counts), got \"{other}\""),
            ))
        }
    };
    let assign = match raw.assign.as_deref() {
        None => None,
        Some(key) => match BackfillAssign::from_key(key) {
            Some(assign) => Some(assign),
            None => {
                return Err(errors.field(
                    &path.key("assign"),
                    format!("must be \"highest\" (the default), \"lowest\" or \"random\" (bfboin's backfill.assign), got \"{key}\""),
                ))
            }
        },
    };
    if assign.is_some() && !bfboin {
        return Err(errors.field(
            &path.key("assign"),
            "chooses among the doses BF-BOIN opens (variant = \"bfboin\"); variant \"design\" backfills at the highest open dose: remove `assign`",
        ));
    }
    let require_response = raw
        .require_response
        .unwrap_or_else(|| design.kind.capabilities().efficacy);
    let max = trial.limits.max_patients;
    let max_per_dose = raw
        .max_per_dose
        .map(|n| errors.integer(&path.key("max_per_dose"), n, 1, i64::from(max)))
        .transpose()?
        .map(|n| n as u32);
    if !bfboin {
        return Ok(Backfill {
            max_per_dose: max_per_dose.unwrap_or(max),
            variant: BackfillVariant::Design,
            require_response,
        });
    }
    let rule = design.kind.rule();
    let Some(family) = family else {
        return Err(errors.field(
            &path.key("variant"),
            format!("\"bfboin\" judges each dose by an interval design's decision table (boin, keyboard, mtpi2, i3+3); {rule} backfills with variant = \"design\""),
        ));
    };
    let refused = if design.rules {
        Some("rules")
    } else if design.accelerated_titration {
        Some("accelerated_titration")
    } else {
        None
    };
    if let Some(key) = refused {
        return Err(errors.field(
            &path.key("variant"),
            format!("BF-BOIN (\"bfboin\", the default for {rule}) decides by its own rule, which `{key}` cannot change: remove `{key}` or give backfill variant = \"design\""),
        ));
    }
    let max_per_dose = max_per_dose.unwrap_or(BFBOIN_CAP);
    let context = TrialContext {
        target: trial.target,
        limits: trial.limits,
        max_patients_limit: super::MAX_PATIENTS_LIMIT,
    };
    // The design's kind parses the same keys and reports any error in them first.
    let config = parse_config(
        family,
        &mut Params::new(design.own_keys.clone(), path.clone()),
        &context,
    )
    .map_err(|e| errors.param(e))?;
    // No dose, and no pool of doses, holds more than every patient of a trial.
    let most = max + max_per_dose * trial.limits.num_doses as u32;
    let table = BoundaryTable::new(&config, most);
    Ok(Backfill {
        max_per_dose,
        require_response,
        variant: BackfillVariant::Bfboin(Arc::new(BfBoinTable {
            escalate: table.escalate,
            deescalate: table.deescalate,
            eliminate: table.eliminate,
            extra_safe: config.extra_safe,
            lowest_dose_stop: table.lowest_dose_stop,
            n_earlystop: config.n_earlystop,
            escalation_patients: max,
            assign: assign.unwrap_or_default(),
        })),
    })
}

#[cfg(test)]
mod tests {
    use crate::scenario::Scenario;
    use std::path::Path;

    /// A timed scenario with one design whose keys are `design` and a truth with `truth` keys.
    fn parse(design: &str, truth: &str) -> Result<Scenario, String> {
        let text = format!(
            "name = \"b\"\nkind = \"dose-finding\"\n[trial]\ndoses = [\"1\", \"2\", \"3\"]\ntarget = 0.3\n\
             cohort_size = 3\nmax_patients = 18\n[timing]\narrival = {{ rate = 2.0 }}\ndlt_window = 1.0\n\
             [[truth]]\nname = \"t\"\ndlt = [0.1, 0.2, 0.4]\n{truth}\n[[design]]\nname = \"d\"\n{design}\n"
        );
        Scenario::parse(&text, Path::new("b.toml")).map_err(|e| e.to_string())
    }

    /// `require_response` defaults to whether the design decides on responses, and needs every
    /// truth to give efficacy; a value of another type is refused naming the field.
    #[test]
    fn require_response_defaults_and_needs_efficacy() {
        let efficacy = "efficacy = [0.2, 0.4, 0.5]";
        let s = parse("rule = \"boin12\"\nbackfill = true", efficacy).unwrap();
        assert!(s.designs[0].backfill.as_ref().unwrap().require_response);
        assert!(s.designs[0].settings().contains("require_response = true"));
        let s = parse("rule = \"boin\"\nbackfill = true", efficacy).unwrap();
        assert!(!s.designs[0].backfill.as_ref().unwrap().require_response);
        assert!(!s.designs[0].settings().contains("require_response"));
        let e = parse("rule = \"boin\"\nbackfill = { require_response = true }", "").unwrap_err();
        for words in [
            "b.toml",
            "design[1].backfill.require_response",
            "truth 't' gives no efficacy",
        ] {
            assert!(e.contains(words), "'{words}' not in {e}");
        }
        let e = parse("rule = \"boin\"\nbackfill = { require_response = 1 }", efficacy).unwrap_err();
        assert!(e.contains("design[1].backfill"), "{e}");
    }

    /// `assign` defaults to "highest", takes "lowest" and "random", and is refused naming file,
    /// field and value when unknown or with variant "design" (given, or the default of a
    /// non-interval design).
    #[test]
    fn assign_defaults_to_highest_and_needs_bfboin() {
        use crate::core::{BackfillAssign, BackfillVariant};
        let assign = |design: &str| {
            let s = parse(design, "").unwrap();
            let b = s.designs[0].backfill.clone().unwrap();
            let BackfillVariant::Bfboin(table) = b.variant else {
                panic!("not bfboin")
            };
            (table.assign, s.designs[0].settings())
        };
        let (highest, settings) = assign("rule = \"boin\"\nbackfill = true");
        assert_eq!(highest, BackfillAssign::Highest);
        assert!(!settings.contains("assign"), "{settings}");
        let (lowest, settings) = assign("rule = \"boin\"\nbackfill = { assign = \"lowest\" }");
        assert_eq!(lowest, BackfillAssign::Lowest);
        assert!(settings.contains("assign = \"lowest\""), "{settings}");
        let (random, _) = assign("rule = \"boin\"\nbackfill = { assign = \"random\" }");
        assert_eq!(random, BackfillAssign::Random);
        let e = parse("rule = \"boin\"\nbackfill = { assign = \"middle\" }", "").unwrap_err();
        for words in ["b.toml", "design[1].backfill.assign", "\"middle\"", "\"lowest\""] {
            assert!(e.contains(words), "'{words}' not in {e}");
        }
        for design in [
            "rule = \"boin\"\nbackfill = { variant = \"design\", assign = \"lowest\" }",
            "rule = \"crm\"\nskeleton = [0.1, 0.2, 0.3]\nbackfill = { assign = \"random\" }",
        ] {
            let e = parse(design, "").unwrap_err();
            for words in ["b.toml", "design[1].backfill.assign", "variant = \"bfboin\""] {
                assert!(e.contains(words), "'{words}' not in {e}");
            }
        }
    }
}
