//! Interim decisions of a live single-arm phase 2 trial (issue 15, item 7): given the patients
//! assessed so far, their responses and their limiting toxicities, one of a single-arm
//! scenario's designs says whether to continue, stop for futility, stop for toxicity, or (at the
//! final analysis) whether the regimen is promising. This is what `trialsim interim` prints.
//!
//! Every decision is the simulation's own: the rule at a look is [`Look::decide`] and the final
//! analysis of a response design is [`responses_promising`], both as [`run_trial`] applies them,
//! and the quantities shown come from the design objects the scenario built ([`ResponseDesign`],
//! [`ToxicityRule`]). Time-to-event designs (one-sample log-rank, landmark) have no interim
//! efficacy look: their interims apply the toxicity rule only, and their final analysis needs
//! each patient's follow-up time and event status, which counts cannot give, so it is refused.
//!
//! [`run_trial`]: crate::designs::single_arm::run_trial

use super::UnknownDesign;
use crate::designs::single_arm::{
    responses_promising, Analysis, Endpoint, Look, Outcome, ResponseDesign, SingleArmDesign,
};
use crate::scenario::{SingleArmDesignSpec, SingleArmScenario};
use serde::Serialize;

/// Why an interim look cannot be judged.
#[derive(Debug, thiserror::Error)]
pub enum InterimError {
    /// The scenario has no `[[design]]` of that name.
    #[error(transparent)]
    UnknownDesign(#[from] UnknownDesign),
    /// A count is larger than the number of patients.
    #[error("--{flag} {value} is more than --patients {patients}")]
    Count {
        /// The flag (`responses` or `toxicities`).
        flag: &'static str,
        /// Its value.
        value: u32,
        /// The number of patients.
        patients: u32,
    },
    /// No patient has been assessed.
    #[error("--patients must be at least 1")]
    NoPatients,
    /// The final analysis of a time-to-event design needs event times.
    #[error(
        "design '{design}' ends with {analysis}: it needs each patient's follow-up time and whether \
         the event occurred, which --patients/--responses/--toxicities cannot give; its interim looks \
         (toxicity monitoring) are before {max_patients} patients"
    )]
    NeedsEventTimes {
        /// The design's name.
        design: String,
        /// The final analysis in words.
        analysis: String,
        /// The design's sample size.
        max_patients: u32,
    },
}

/// The boundaries in force at this number of patients (`null` where the design has none).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct InterimBoundaries {
    /// Stop for futility if responses ≤ this (a futility look at this n).
    pub futility_at_most: Option<u32>,
    /// Stop for toxicity if toxicities ≥ this (a toxicity look at this n).
    pub toxicity_at_least: Option<u32>,
    /// At the final analysis (N patients), promising with at least this many responses.
    pub promising_at_least: Option<u32>,
    /// Simon: stage-1 futility bound r1 (stop after n1 if responses ≤ r1).
    pub simon_r1: Option<u32>,
    /// Simon: stage-1 size n1.
    pub simon_n1: Option<u32>,
    /// BOP2: the posterior cutoff C(n) = λ·(n/N)^γ at this n.
    pub bop2_cutoff: Option<f64>,
    /// Predictive probability: stop at an interim look when PP < θL.
    pub theta_l: Option<f64>,
    /// Predictive probability: promising at the end when P(ORR > p0 | data) > θT.
    pub theta_t: Option<f64>,
    /// Toxicity rule: stop when P(tox rate > limit | data) > this certainty.
    pub toxicity_certainty: Option<f64>,
}

/// The posterior probabilities the rules use (`null` where the design has no such rule).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct InterimPosterior {
    /// The null response rate p0 of a Bayesian response design.
    pub p0: Option<f64>,
    /// P(ORR > p0 | data) under the design's prior (BOP2, predictive probability).
    pub efficacy: Option<f64>,
    /// The toxicity rule's limit.
    pub toxicity_limit: Option<f64>,
    /// P(tox rate > limit | data) under the toxicity rule's prior (needs --toxicities).
    pub toxicity: Option<f64>,
}

/// What the next look needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NextLook {
    /// Patients assessed at the next look.
    pub n: u32,
    /// Whether it is the final analysis.
    pub is_final: bool,
    /// Responses needed then: to go on at an interim look, to be promising at the final one.
    pub responses_at_least: Option<u32>,
    /// Toxicities that stop then.
    pub toxicities_stop_at: Option<u32>,
    /// The same in words.
    pub text: String,
}

/// An interim decision, as `trialsim interim --json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Interim {
    /// The `[[design]]`'s name.
    pub design: String,
    /// Its rule (`simon`, `bop2`, …).
    pub design_rule: String,
    /// Patients assessed so far.
    pub patients: u32,
    /// Their responses.
    pub responses: u32,
    /// Their limiting toxicities, when given.
    pub toxicities: Option<u32>,
    /// The design's sample size N.
    pub max_patients: u32,
    /// "continue", "stop_futility", "stop_toxicity", "promising" or "not_promising".
    pub decision: &'static str,
    /// The rule that decided, in words.
    pub rule: String,
    /// The boundaries in force at this n.
    pub boundaries: InterimBoundaries,
    /// The posterior probabilities the rules use.
    pub posterior: InterimPosterior,
    /// Predictive probability designs: P(promising at the final analysis | data so far).
    pub predictive: Option<f64>,
    /// The next look, when the trial goes on.
    pub next_look: Option<NextLook>,
    /// Departures and omissions (a sample size beyond N, toxicities not given at a toxicity look).
    pub warnings: Vec<String>,
}

/// How an endpoint is written.
fn endpoint_name(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Os => "OS",
        Endpoint::Pfs => "PFS",
    }
}

/// The name under which a simulated outcome is a decision.
pub fn decision_name(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        None => "continue",
        Some(Outcome::FutilityStop) => "stop_futility",
        Some(Outcome::ToxicityStop) => "stop_toxicity",
        Some(Outcome::Promising) => "promising",
        Some(Outcome::NotPromising) => "not_promising",
    }
}

/// Checks the counts alone (before a scenario is read): at least one patient, and responses and
/// toxicities each at most the patients.
pub fn check_counts(patients: u32, responses: u32, toxicities: Option<u32>) -> Result<(), InterimError> {
    if patients == 0 {
        return Err(InterimError::NoPatients);
    }
    for (flag, value) in [("responses", Some(responses)), ("toxicities", toxicities)] {
        if let Some(value) = value.filter(|&v| v > patients) {
            return Err(InterimError::Count { flag, value, patients });
        }
    }
    Ok(())
}

/// The decision of `scenario`'s design `design` after `responses` responses (and `toxicities`
/// limiting toxicities, when given) among `patients` assessed patients.
pub fn interim(
    scenario: &SingleArmScenario,
    design: &str,
    patients: u32,
    responses: u32,
    toxicities: Option<u32>,
) -> Result<Interim, InterimError> {
    let spec = scenario.designs.iter().find(|d| d.name == design).ok_or_else(|| {
        let names = scenario.designs.iter().map(|d| d.name.clone()).collect();
        UnknownDesign::new(scenario.file.clone(), design, names)
    })?;
    check_counts(patients, responses, toxicities)?;
    Judge {
        spec,
        d: &spec.design,
        n: patients,
        x: responses,
        t: toxicities,
    }
    .answer()
}

/// One interim look being judged.
struct Judge<'a> {
    spec: &'a SingleArmDesignSpec,
    d: &'a SingleArmDesign,
    n: u32,
    x: u32,
    t: Option<u32>,
}

impl Judge<'_> {
    fn answer(&self) -> Result<Interim, InterimError> {
        let (d, n, max) = (self.d, self.n, self.d.max_patients());
        let mut warnings = Vec::new();
        if n > max {
            warnings.push(format!(
                "{n} patients is more than the design's {max}: judged as its final analysis, whose \
                 error rates were computed for {max}"
            ));
        }
        let look = d.looks().iter().find(|l| l.n() == n);
        if let Some(look) = look.filter(|l| l.tox_stop().is_some() && self.t.is_none()) {
            warnings.push(format!(
                "the toxicity rule checks at {} patients but --toxicities was not given: it was not applied",
                look.n()
            ));
        }
        if !matches!(d.analysis(), Analysis::Responses(_)) && self.x > 0 {
            warnings.push("responses are not used by this design's rules".into());
        }
        let at_look = look.and_then(|l| l.decide(self.x, self.t.unwrap_or(0)));
        let (outcome, rule) = match at_look {
            Some(stop) => (Some(stop), self.stop_rule(look.expect("a look decided"), stop)),
            None if n >= max => self.final_analysis()?,
            None => (None, self.continue_rule(look)),
        };
        let boundaries = self.boundaries(look);
        Ok(Interim {
            design: self.spec.name.clone(),
            design_rule: self.spec.rule.clone(),
            patients: n,
            responses: self.x,
            toxicities: self.t,
            max_patients: max,
            decision: decision_name(outcome),
            rule,
            boundaries,
            posterior: self.posterior(),
            predictive: match &self.spec.origin {
                Some(ResponseDesign::Predictive(p)) if n <= max => {
                    Some(p.predictive().predictive_probability(self.x, n))
                }
                _ => None,
            },
            next_look: outcome.is_none().then(|| self.next_look()).flatten(),
            warnings,
        })
    }

    /// The final analysis (n ≥ N): the response count's rule, or a refusal for event times.
    fn final_analysis(&self) -> Result<(Option<Outcome>, String), InterimError> {
        let analysis = match self.d.analysis() {
            Analysis::Responses(b) => {
                let needed = b.min_responses()[b.min_responses().len() - 1];
                let promising = responses_promising(b, self.x);
                let (outcome, verb) = if promising {
                    (Outcome::Promising, "promising")
                } else {
                    (Outcome::NotPromising, "not promising")
                };
                let cmp = if promising { "≥" } else { "<" };
                return Ok((
                    Some(outcome),
                    format!(
                        "final analysis: {} responses {cmp} {needed} needed of {}: {verb}",
                        self.x,
                        self.d.max_patients()
                    ),
                ));
            }
            Analysis::LogRank { endpoint, .. } => format!("a one-sample log-rank test of {}", endpoint_name(*endpoint)),
            Analysis::Landmark { endpoint, time, .. } => {
                format!(
                    "a {time}-month {} landmark test (Kaplan–Meier)",
                    endpoint_name(*endpoint)
                )
            }
        };
        Err(InterimError::NeedsEventTimes {
            design: self.spec.name.clone(),
            analysis,
            max_patients: self.d.max_patients(),
        })
    }

    /// The rule that stopped the trial at `look`.
    fn stop_rule(&self, look: &Look, stop: Outcome) -> String {
        let n = look.n();
        match stop {
            Outcome::ToxicityStop => {
                let rule = self.d.toxicity().expect("a toxicity stop has a rule");
                format!(
                    "{} toxicities ≥ {} at {n} patients, i.e. P(tox rate > {} | data) > {}: stop for toxicity",
                    self.t.unwrap_or(0),
                    look.tox_stop().unwrap_or(0),
                    rule.limit(),
                    rule.certainty_at(n)
                )
            }
            _ => format!(
                "{} responses ≤ {} at {n} patients{}: stop for futility",
                self.x,
                look.min_responses().unwrap_or(0).saturating_sub(1),
                self.why_futility()
            ),
        }
    }

    /// The design's own reason behind a futility boundary, in words.
    fn why_futility(&self) -> String {
        match &self.spec.origin {
            Some(ResponseDesign::Simon(s)) => format!(" (Simon r1 = {} at n1 = {})", s.r1(), s.n1()),
            Some(ResponseDesign::Bop2(b)) => format!(
                " (P(ORR > {} | data) = {:.4} < C(n) = {:.4})",
                b.p0(),
                b.posterior(self.x, self.n),
                b.cutoff(self.n)
            ),
            Some(ResponseDesign::Predictive(p)) => format!(
                " (predictive probability {:.4} < θL = {})",
                p.predictive().predictive_probability(self.x, self.n),
                p.theta_l()
            ),
            None => String::new(),
        }
    }

    /// Why the trial goes on at n (a look passed, or no look at n).
    fn continue_rule(&self, look: Option<&Look>) -> String {
        let Some(look) = look else {
            let looks: Vec<String> = self.d.looks().iter().map(|l| l.n().to_string()).collect();
            return format!(
                "no look at {} patients (the design looks at {} and analyses at {}): continue",
                self.n,
                if looks.is_empty() {
                    "none".into()
                } else {
                    looks.join(", ")
                },
                self.d.max_patients()
            );
        };
        let mut passed = Vec::new();
        if let Some(m) = look.min_responses() {
            passed.push(format!("{} responses ≥ {m} needed{}", self.x, self.why_go_on()));
        }
        if let (Some(m), Some(t)) = (look.tox_stop(), self.t) {
            passed.push(format!("{t} toxicities < {m} that stop"));
        }
        if passed.is_empty() {
            passed.push("no rule applied".into());
        }
        format!("look at {} patients: {}: continue", self.n, passed.join("; "))
    }

    /// The design's own reason to go on at a futility look, in words.
    fn why_go_on(&self) -> String {
        match &self.spec.origin {
            Some(ResponseDesign::Bop2(b)) => format!(
                " (P(ORR > {} | data) = {:.4} ≥ C(n) = {:.4})",
                b.p0(),
                b.posterior(self.x, self.n),
                b.cutoff(self.n)
            ),
            Some(ResponseDesign::Predictive(p)) => format!(
                " (predictive probability {:.4} ≥ θL = {})",
                p.predictive().predictive_probability(self.x, self.n),
                p.theta_l()
            ),
            _ => String::new(),
        }
    }

    /// The boundaries in force at n.
    fn boundaries(&self, look: Option<&Look>) -> InterimBoundaries {
        let (n, max) = (self.n, self.d.max_patients());
        let at_end = n >= max;
        let mut b = InterimBoundaries {
            futility_at_most: look.and_then(Look::min_responses).and_then(|m| m.checked_sub(1)),
            toxicity_at_least: look.and_then(Look::tox_stop).filter(|&m| m <= n),
            toxicity_certainty: self.d.toxicity().map(|rule| rule.certainty_at(n)),
            ..InterimBoundaries::default()
        };
        if let Analysis::Responses(r) = self.d.analysis() {
            b.promising_at_least = r.min_responses().last().copied();
        }
        let futility_look = look.is_some_and(|l| l.min_responses().is_some());
        match &self.spec.origin {
            Some(ResponseDesign::Simon(s)) => (b.simon_r1, b.simon_n1) = (Some(s.r1()), Some(s.n1())),
            Some(ResponseDesign::Bop2(d)) => b.bop2_cutoff = (futility_look || at_end).then(|| d.cutoff(n.min(max))),
            Some(ResponseDesign::Predictive(p)) => {
                (b.theta_l, b.theta_t) = (Some(p.theta_l()), Some(p.predictive().theta_t()));
            }
            None => {}
        }
        b
    }

    /// The posterior probabilities the design's rules use.
    fn posterior(&self) -> InterimPosterior {
        let mut p = InterimPosterior::default();
        match &self.spec.origin {
            Some(ResponseDesign::Bop2(b)) => (p.p0, p.efficacy) = (Some(b.p0()), Some(b.posterior(self.x, self.n))),
            Some(ResponseDesign::Predictive(d)) => {
                let pp = d.predictive();
                (p.p0, p.efficacy) = (
                    Some(pp.p0()),
                    Some(pp.prior().posterior_exceeds(pp.p0(), self.x, self.n)),
                );
            }
            _ => {}
        }
        if let Some(rule) = self.d.toxicity() {
            p.toxicity_limit = Some(rule.limit());
            p.toxicity = self.t.map(|t| rule.posterior(t, self.n));
        }
        p
    }

    /// The next look after n, when n is before the final analysis.
    fn next_look(&self) -> Option<NextLook> {
        let max = self.d.max_patients();
        if self.n >= max {
            return None;
        }
        let look = self.d.looks().iter().find(|l| l.n() > self.n);
        let n = look.map_or(max, Look::n);
        let final_count = match self.d.analysis() {
            Analysis::Responses(b) => b.min_responses().last().copied(),
            _ => None,
        };
        let interim_count = look.and_then(Look::min_responses);
        let responses_at_least = if n == max { final_count } else { interim_count };
        let toxicities_stop_at = look.and_then(Look::tox_stop).filter(|&m| m <= n);
        let mut parts = Vec::new();
        if let Some(m) = responses_at_least {
            let more = m.saturating_sub(self.x);
            let verb = if n == max { "promising" } else { "continue" };
            parts.push(format!(
                "{verb} if responses ≥ {m} ({more} more among the next {} patients)",
                n - self.n
            ));
        }
        if let Some(m) = toxicities_stop_at {
            parts.push(format!("stop for toxicity if toxicities ≥ {m}"));
        }
        if n == max && final_count.is_none() {
            parts.push(format!(
                "final analysis ({})",
                self.spec.description.split(';').next().unwrap_or("")
            ));
        }
        if let Some(m) = final_count.filter(|_| n < max) {
            parts.push(format!("{m} responses of {max} are needed at the end"));
        }
        let label = if n == max { " (final analysis)" } else { "" };
        Some(NextLook {
            n,
            is_final: n == max,
            responses_at_least,
            toxicities_stop_at,
            text: format!("at n = {n}{label}: {}", parts.join("; ")),
        })
    }
}
