//! A design's `randomize = { … }`: the randomized dose-optimization stage after its escalation
//! ([`crate::designs::optimization`]), validated before any work.

use super::raw::Errors;
use super::{FieldPath, ScenarioError, TrialSettings};
use crate::designs::optimization::{NonInferiorityTest, Randomization, SelectionRule, MAX_ARMS};
use serde::Deserialize;

/// The largest `n_per_arm` (and `max_n_per_arm`) accepted: the exact calculation enumerates
/// every outcome of every arm.
pub const MAX_N_PER_ARM: i64 = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRandomize {
    arms: Option<i64>,
    n_per_arm: i64,
    rule: Option<String>,
    margin: Option<f64>,
    test: Option<String>,
    certainty: Option<f64>,
    pool: Option<bool>,
    response_with_dlt: Option<f64>,
    neither: Option<f64>,
    eliminate_cutoff: Option<f64>,
    toxicity_cutoff: Option<f64>,
    target_selection: Option<f64>,
    max_n_per_arm: Option<i64>,
}

/// Parses `randomize` at `path` for a design that observes responses during escalation or not
/// (`observes_responses`): pooling needs the escalation's responses.
pub(super) fn parse_randomize(
    value: toml::Value,
    path: &FieldPath,
    trial: &TrialSettings,
    observes_responses: bool,
    errors: &Errors,
) -> Result<Randomization, ScenarioError> {
    let raw: RawRandomize = errors.deserialize(value, path)?;
    let arms = errors.integer(&path.key("arms"), raw.arms.unwrap_or(2), 2, MAX_ARMS as i64)? as usize;
    let n_per_arm = errors.integer(&path.key("n_per_arm"), raw.n_per_arm, 1, MAX_N_PER_ARM)? as u32;
    let rule_name = raw.rule.as_deref().unwrap_or("utility");
    let only_for_noninferiority = |key: &str, given: bool| -> Result<(), ScenarioError> {
        match given {
            true => Err(errors.field(&path.key(key), "applies only with rule = \"noninferiority\"")),
            false => Ok(()),
        }
    };
    let rule = match rule_name {
        "utility" => {
            only_for_noninferiority("margin", raw.margin.is_some())?;
            only_for_noninferiority("test", raw.test.is_some())?;
            only_for_noninferiority("certainty", raw.certainty.is_some())?;
            SelectionRule::Utility
        }
        "noninferiority" => {
            let margin = raw
                .margin
                .ok_or_else(|| errors.field(&path.key("margin"), "is required with rule = \"noninferiority\""))?;
            if !(margin.is_finite() && (0.0..1.0).contains(&margin)) {
                return Err(errors.field(
                    &path.key("margin"),
                    format!("must be a response-rate difference in [0, 1), got {margin}"),
                ));
            }
            let test = match (raw.test.as_deref().unwrap_or("observed"), raw.certainty) {
                ("observed", None) => NonInferiorityTest::Observed,
                ("observed", Some(_)) => {
                    return Err(errors.field(&path.key("certainty"), "applies only with test = \"posterior\""))
                }
                ("posterior", certainty) => NonInferiorityTest::Posterior {
                    certainty: errors.probability(&path.key("certainty"), certainty.unwrap_or(0.8), true)?,
                },
                (other, _) => {
                    return Err(errors.field(
                        &path.key("test"),
                        format!("unknown test '{other}'; expected \"observed\" or \"posterior\""),
                    ))
                }
            };
            SelectionRule::NonInferiority { margin, test }
        }
        other => {
            return Err(errors.field(
                &path.key("rule"),
                format!("unknown rule '{other}'; expected \"utility\" or \"noninferiority\""),
            ))
        }
    };
    let pool = raw.pool.unwrap_or(false);
    if pool && !observes_responses {
        return Err(errors.field(
            &path.key("pool"),
            "pooling adds the escalation's responses, and this design's escalation decides on DLTs alone \
             (responses are not observed there): use pool = false or a phase I/II design",
        ));
    }
    let utility = super::calendar::utility_scores(raw.response_with_dlt, raw.neither, path, errors)?;
    let max_n_per_arm = raw.max_n_per_arm.unwrap_or(100);
    Ok(Randomization {
        arms,
        n_per_arm,
        rule,
        pool,
        utility,
        phi_t: trial.target,
        eliminate_cutoff: errors.probability(
            &path.key("eliminate_cutoff"),
            raw.eliminate_cutoff.unwrap_or(0.95),
            true,
        )?,
        toxicity_cutoff: raw
            .toxicity_cutoff
            .map(|c| errors.probability(&path.key("toxicity_cutoff"), c, true))
            .transpose()?,
        target_selection: errors.probability(
            &path.key("target_selection"),
            raw.target_selection.unwrap_or(0.8),
            true,
        )?,
        max_n_per_arm: errors.integer(&path.key("max_n_per_arm"), max_n_per_arm, 1, MAX_N_PER_ARM)? as u32,
    })
}

impl Randomization {
    /// The stage's settings in the scenario's key names.
    pub fn settings(&self) -> String {
        let mut keys = vec![format!("arms = {}, n_per_arm = {}", self.arms, self.n_per_arm)];
        match self.rule {
            SelectionRule::Utility => keys.push("rule = \"utility\"".into()),
            SelectionRule::NonInferiority { margin, test } => {
                keys.push(format!("rule = \"noninferiority\", margin = {margin}"));
                match test {
                    NonInferiorityTest::Observed => keys.push("test = \"observed\"".into()),
                    NonInferiorityTest::Posterior { certainty } => {
                        keys.push(format!("test = \"posterior\", certainty = {certainty}"))
                    }
                }
            }
        }
        keys.push(format!("pool = {}", self.pool));
        if let Some(c) = self.toxicity_cutoff {
            keys.push(format!("toxicity_cutoff = {c}"));
        }
        keys.join(", ")
    }
}
