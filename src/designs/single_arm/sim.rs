//! Single-arm phase 2 designs as simulated in calendar time: the design ([`SingleArmDesign`]) and
//! how one trial of it runs on its patients ([`run_trial`]; patients from
//! [`timing`](super::timing)). The Monte Carlo engine that runs them, with its accumulators, is
//! [`crate::engines::single_arm`].
//!
//! # A simulated trial
//!
//! A [`SingleArmDesign`] is an efficacy [`Analysis`] plus an optional Bayesian
//! [`ToxicityRule`]. Patients enter as the study's accrual dictates; patient k's response and
//! toxicity become known `assessment` months after entry (for every patient, whatever their
//! survival or dropout: the ORR is an intention-to-treat rate), and a *look* at k patients happens
//! at that moment, using the first k patients' data only. Accrual does not pause: every patient
//! who entered by then counts toward N (and toward the trial's responses and toxicities, which all
//! become known eventually, so the ORR estimate is x/N over the N enrolled) but not toward the
//! look's data. At each look the toxicity rule is checked first (if the look is one of its
//! looks), then the efficacy futility boundary (at the interim looks of a response design). A
//! toxicity look at the maximum sample size is allowed: it ends the trial as a toxicity stop.
//!
//! A trial that is not stopped reaches its final analysis at t_N + max(min follow-up,
//! assessment), t_N the last entry: response designs reject H0 when the responses among N reach
//! the last boundary; time-to-event designs test the patients' observed times at that moment
//! (administrative censoring at the analysis time, loss to follow-up by the study's dropout). The
//! trial's duration is the time of the look that stopped it, or of the final analysis. With
//! `assessment = 0` a look at k patients sees exactly k patients and enrols no more, so the exact
//! operating characteristics of the design ([`Boundaries::oc`]) apply.
//!
//! Time-to-event analyses:
//! - [`Analysis::LogRank`]: one-sample log-rank test, classical or Wu's (2014) modified statistic
//!   ([`LogRankStatistic`]), reject when Z > z_{1−α}.
//! - [`Analysis::Landmark`]: Kaplan–Meier Ŝ(L) against a historical rate s0 on the log(−log)
//!   scale, g(s) = ln(−ln s): Z = (g(s0) − g(Ŝ))/se, se = Greenwood's se of ln Ŝ over |ln Ŝ|
//!   (recovered exactly from the 95% log-log interval as (g(lower) − g(Ŝ))/z_{0.975}); reject when
//!   Z > z_{1−α}, i.e. when the one-sided (1 − α) log-log lower limit exceeds s0. The test does
//!   not reject when nobody is followed to L, or when Ŝ(L) is 0 or 1 (the interval is undefined).

use super::exact::{check_looks, BetaPrior, Boundaries, ExactDesign};
use super::survival::{one_sample_log_rank, KaplanMeier, LogRankStatistic, Observation, WeibullSurvival};
use super::timing::{Patient, SingleArmTruth, StudyTiming};
use super::{open_unit, positive, require, SingleArmError};
use statrs::distribution::{ContinuousCDF, Normal};

/// Two-sided 95% normal quantile, as in the Kaplan–Meier intervals of [`KaplanMeier::landmark`].
const Z_95: f64 = 1.959_963_984_540_054;

/// A time-to-event endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// Overall survival.
    Os,
    /// Progression-free survival.
    Pfs,
}

/// The efficacy analysis of a design.
#[derive(Clone, Debug, PartialEq)]
pub enum Analysis {
    /// Response counts at fixed looks: single-stage exact binomial test, Simon, BOP2, predictive
    /// probability ([`Boundaries`]: go on at a look with at least `min_responses`; at the last,
    /// that count declares the regimen promising).
    Responses(Boundaries),
    /// One-sample log-rank test against the historical curve `null` at one-sided level `alpha`.
    LogRank {
        /// The endpoint tested.
        endpoint: Endpoint,
        /// The historical survival curve.
        null: WeibullSurvival,
        /// One-sided level.
        alpha: f64,
        /// The test statistic.
        statistic: LogRankStatistic,
    },
    /// Kaplan–Meier survival at `time` against the historical rate `null_rate`, one-sided
    /// log-log test at level `alpha`.
    Landmark {
        /// The endpoint tested.
        endpoint: Endpoint,
        /// The landmark time (months).
        time: f64,
        /// The historical survival rate at that time.
        null_rate: f64,
        /// One-sided level.
        alpha: f64,
    },
}

/// Bayesian toxicity monitoring: with a Beta prior on the toxicity probability, stop at look n
/// (the moment patient n's toxicity is known) when P(p_tox > limit | data) > the look's certainty
/// (one certainty for every look, or one per look as in the joint BOP2's C_T(n)).
#[derive(Clone, Debug, PartialEq)]
pub struct ToxicityRule {
    prior: BetaPrior,
    limit: f64,
    /// The certainty at each look.
    certainties: Vec<f64>,
    looks: Vec<u32>,
    /// Per look, the smallest toxicity count that stops (look + 1: none).
    stop_counts: Vec<u32>,
}

impl ToxicityRule {
    /// Checks `limit` and `certainty` in (0, 1) and the looks (strictly increasing, ≥ 1).
    pub fn new(prior: BetaPrior, limit: f64, certainty: f64, looks: Vec<u32>) -> Result<ToxicityRule, SingleArmError> {
        open_unit("tox_limit", limit)?;
        open_unit("tox_certainty", certainty)?;
        let certainties = vec![certainty; looks.len()];
        ToxicityRule::with_certainties(prior, limit, looks, certainties)
    }

    /// A rule with one certainty per look (each in [0, 1]); checks `limit` in (0, 1) and the looks.
    pub fn with_certainties(
        prior: BetaPrior,
        limit: f64,
        looks: Vec<u32>,
        certainties: Vec<f64>,
    ) -> Result<ToxicityRule, SingleArmError> {
        open_unit("tox_limit", limit)?;
        check_looks(&looks)?;
        require(
            certainties.len() == looks.len() && certainties.iter().all(|c| (0.0..=1.0).contains(c)),
            "tox_certainty",
            format!("{certainties:?}"),
            "one certainty in [0, 1] per look",
        )?;
        let stop_counts = looks
            .iter()
            .zip(&certainties)
            .map(|(&n, &certainty)| {
                (0..=n)
                    .find(|&x| prior.posterior_exceeds(limit, x, n) > certainty)
                    .unwrap_or(n + 1)
            })
            .collect();
        Ok(ToxicityRule {
            prior,
            limit,
            certainties,
            looks,
            stop_counts,
        })
    }

    /// The prior on the toxicity probability.
    pub fn prior(&self) -> BetaPrior {
        self.prior
    }

    /// The toxicity limit.
    pub fn limit(&self) -> f64 {
        self.limit
    }

    /// The posterior certainty that stops at the rule's look at `n` patients, or at its next look
    /// after n (its last look past the end).
    pub fn certainty_at(&self, n: u32) -> f64 {
        let i = self.looks.partition_point(|&l| l < n).min(self.looks.len() - 1);
        self.certainties[i]
    }

    /// The certainty at each look.
    pub fn certainties(&self) -> &[f64] {
        &self.certainties
    }

    /// P(p_tox > limit | `toxicities` in `n` patients) under the rule's prior, the probability
    /// the rule compares with its certainty.
    pub fn posterior(&self, toxicities: u32, n: u32) -> f64 {
        self.prior.posterior_exceeds(self.limit, toxicities, n)
    }

    /// Numbers of patients at which the rule is checked.
    pub fn looks(&self) -> &[u32] {
        &self.looks
    }

    /// Per look, the stopping boundary as protocols print it: stop if toxicities ≥ this
    /// (`None` where no count stops).
    pub fn stop_counts(&self) -> Vec<Option<u32>> {
        self.looks
            .iter()
            .zip(&self.stop_counts)
            .map(|(&n, &m)| (m <= n).then_some(m))
            .collect()
    }
}

/// A look at `n` patients: futility (go on only with at least `min_responses`) and/or toxicity
/// (stop with at least `tox_stop` toxicities).
#[derive(Clone, Debug, PartialEq)]
pub struct Look {
    n: u32,
    min_responses: Option<u32>,
    tox_stop: Option<u32>,
}

impl Look {
    /// The number of patients assessed at this look.
    pub fn n(&self) -> u32 {
        self.n
    }

    /// Responses needed to go on, where the efficacy futility rule checks at this look.
    pub fn min_responses(&self) -> Option<u32> {
        self.min_responses
    }

    /// Toxicities that stop, where the toxicity rule checks at this look (n + 1: none stops).
    pub fn tox_stop(&self) -> Option<u32> {
        self.tox_stop
    }

    /// The rule at this look, as [`run_trial`] applies it to the cumulative counts of the first
    /// n patients: the toxicity rule first, then the futility boundary; `None` goes on.
    pub fn decide(&self, responses: u32, toxicities: u32) -> Option<Outcome> {
        if self.tox_stop.is_some_and(|m| toxicities >= m) {
            Some(Outcome::ToxicityStop)
        } else if self.min_responses.is_some_and(|m| responses < m) {
            Some(Outcome::FutilityStop)
        } else {
            None
        }
    }
}

/// The final analysis of a design that counts responses ([`Analysis::Responses`]), as
/// [`run_trial`] applies it: promising with at least the last look's `min_responses` of N.
pub fn responses_promising(boundaries: &Boundaries, responses: u32) -> bool {
    let last = boundaries.min_responses().len() - 1;
    responses >= boundaries.min_responses()[last]
}

/// A design to simulate: an efficacy analysis, optionally with toxicity monitoring.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmDesign {
    name: String,
    max_patients: u32,
    analysis: Analysis,
    toxicity: Option<ToxicityRule>,
    /// The looks before the final analysis and, if the toxicity rule checks at the maximum, that
    /// one too, in increasing order.
    looks: Vec<Look>,
    /// z_{1−α} of a time-to-event test.
    critical: f64,
}

impl SingleArmDesign {
    /// A design that counts responses: `Boundaries`, a [`SimonDesign`](super::SimonDesign),
    /// [`Bop2`](super::Bop2) or [`PredictiveDesign`](super::PredictiveDesign).
    pub fn responses(name: impl Into<String>, design: &impl ExactDesign) -> SingleArmDesign {
        let boundaries = design.boundaries().clone();
        let looks = boundaries.looks();
        SingleArmDesign::build(
            name.into(),
            looks[looks.len() - 1],
            Analysis::Responses(boundaries),
            None,
            0.0,
        )
    }

    /// The single-stage exact binomial test: declare promising if more than `r` of `n` respond.
    pub fn single_stage(name: impl Into<String>, n: u32, r: u32) -> Result<SingleArmDesign, SingleArmError> {
        require(r < n, "r", r, "less than n")?;
        Ok(SingleArmDesign::responses(
            name,
            &Boundaries::new(vec![n], vec![r + 1])?,
        ))
    }

    /// The one-sample log-rank test of `endpoint` against `null` with `max_patients` patients,
    /// one-sided `alpha` in (0, 1), by `statistic`.
    pub fn log_rank(
        name: impl Into<String>,
        max_patients: u32,
        endpoint: Endpoint,
        null: WeibullSurvival,
        alpha: f64,
        statistic: LogRankStatistic,
    ) -> Result<SingleArmDesign, SingleArmError> {
        require(max_patients >= 1, "max_patients", max_patients, "at least 1")?;
        open_unit("alpha", alpha)?;
        let critical = Normal::standard().inverse_cdf(1.0 - alpha);
        let analysis = Analysis::LogRank {
            endpoint,
            null,
            alpha,
            statistic,
        };
        Ok(SingleArmDesign::build(
            name.into(),
            max_patients,
            analysis,
            None,
            critical,
        ))
    }

    /// The landmark test of `endpoint`'s survival at `time` (finite, positive) against
    /// `null_rate` in (0, 1), one-sided `alpha` in (0, 1), with `max_patients` patients.
    pub fn landmark(
        name: impl Into<String>,
        max_patients: u32,
        endpoint: Endpoint,
        time: f64,
        null_rate: f64,
        alpha: f64,
    ) -> Result<SingleArmDesign, SingleArmError> {
        require(max_patients >= 1, "max_patients", max_patients, "at least 1")?;
        positive("landmark_time", time)?;
        open_unit("null_rate", null_rate)?;
        open_unit("alpha", alpha)?;
        let critical = Normal::standard().inverse_cdf(1.0 - alpha);
        let analysis = Analysis::Landmark {
            endpoint,
            time,
            null_rate,
            alpha,
        };
        Ok(SingleArmDesign::build(
            name.into(),
            max_patients,
            analysis,
            None,
            critical,
        ))
    }

    /// Adds toxicity monitoring; its looks must not exceed the maximum number of patients.
    pub fn with_toxicity(self, rule: ToxicityRule) -> Result<SingleArmDesign, SingleArmError> {
        let last = rule.looks[rule.looks.len() - 1];
        require(
            last <= self.max_patients,
            "tox_looks",
            format!("{:?}", rule.looks),
            "at most the design's maximum number of patients",
        )?;
        let SingleArmDesign {
            name,
            max_patients,
            analysis,
            critical,
            ..
        } = self;
        Ok(SingleArmDesign::build(
            name,
            max_patients,
            analysis,
            Some(rule),
            critical,
        ))
    }

    fn build(
        name: String,
        max_patients: u32,
        analysis: Analysis,
        toxicity: Option<ToxicityRule>,
        critical: f64,
    ) -> SingleArmDesign {
        let mut looks: Vec<Look> = Vec::new();
        fn look_at(looks: &mut Vec<Look>, n: u32) -> &mut Look {
            let i = looks.partition_point(|l| l.n < n);
            if looks.get(i).is_none_or(|l| l.n != n) {
                let look = Look {
                    n,
                    min_responses: None,
                    tox_stop: None,
                };
                looks.insert(i, look);
            }
            &mut looks[i]
        }
        if let Analysis::Responses(b) = &analysis {
            let interim = b.looks().len() - 1;
            for (&n, &m) in b.looks()[..interim].iter().zip(b.min_responses()) {
                look_at(&mut looks, n).min_responses = Some(m);
            }
        }
        if let Some(rule) = &toxicity {
            for (&n, &m) in rule.looks.iter().zip(&rule.stop_counts) {
                look_at(&mut looks, n).tox_stop = Some(m);
            }
        }
        SingleArmDesign {
            name,
            max_patients,
            analysis,
            toxicity,
            looks,
            critical,
        }
    }

    /// The design's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The maximum number of patients.
    pub fn max_patients(&self) -> u32 {
        self.max_patients
    }

    /// The efficacy analysis.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// The toxicity rule, if any.
    pub fn toxicity(&self) -> Option<&ToxicityRule> {
        self.toxicity.as_ref()
    }

    /// The looks [`run_trial`] checks before the final analysis (and a toxicity look at the
    /// maximum, if any), in increasing order of patients.
    pub fn looks(&self) -> &[Look] {
        &self.looks
    }
}

/// Checks that a study has truths and designs, and that no design enrols more patients than the
/// study.
pub fn check_study(
    timing: &StudyTiming,
    truths: &[SingleArmTruth],
    designs: &[SingleArmDesign],
) -> Result<(), SingleArmError> {
    require(!truths.is_empty(), "truths", "[]", "non-empty")?;
    require(!designs.is_empty(), "designs", "[]", "non-empty")?;
    match designs.iter().find(|d| d.max_patients > timing.patients()) {
        Some(d) => Err(SingleArmError::InvalidParameter {
            name: "max_patients",
            value: format!("{} (design {})", d.max_patients, d.name),
            requirement: "at most the study's number of patients",
        }),
        None => Ok(()),
    }
}

/// How a simulated trial ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Reached the final analysis and declared the regimen promising (H0 rejected).
    Promising,
    /// Reached the final analysis without rejecting H0.
    NotPromising,
    /// Stopped for futility at an interim look.
    FutilityStop,
    /// Stopped by the toxicity rule (at any of its looks, the last included).
    ToxicityStop,
}

/// One simulated trial of a design.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialResult {
    /// How it ended.
    pub outcome: Outcome,
    /// Patients enrolled when the trial stopped or completed accrual.
    pub patients: u32,
    /// Responders among them.
    pub responses: u32,
    /// Patients with a limiting toxicity among them.
    pub toxicities: u32,
    /// The trial's end: the look that stopped it, or the final analysis.
    pub end_time: f64,
    /// The final analysis time, when the trial reached it.
    pub analysis_time: Option<f64>,
}

/// Patients' observed `endpoint` times at calendar time `analysis`: the event time, censored by
/// dropout and by the analysis.
pub fn observations(patients: &[Patient], endpoint: Endpoint, analysis: f64, out: &mut Vec<Observation>) {
    out.clear();
    out.extend(patients.iter().map(|p| {
        let time = match endpoint {
            Endpoint::Os => p.os,
            Endpoint::Pfs => p.pfs,
        };
        let censor = p.dropout.min((analysis - p.entry).max(0.0));
        Observation {
            time: time.min(censor),
            event: time <= censor,
        }
    }));
}

/// Runs `design` on the trial's `patients` (at least its maximum, in entry order) under the
/// study's calendar; `scratch` is reused for the time-to-event data.
pub fn run_trial(
    design: &SingleArmDesign,
    timing: &StudyTiming,
    patients: &[Patient],
    scratch: &mut Vec<Observation>,
) -> TrialResult {
    let patients = &patients[..design.max_patients as usize];
    let count = |group: &[Patient]| {
        let responses = group.iter().filter(|p| p.responder).count() as u32;
        let toxicities = group.iter().filter(|p| p.toxicity).count() as u32;
        (responses, toxicities)
    };
    let (mut responses, mut toxicities, mut seen) = (0, 0, 0);
    for look in &design.looks {
        let n = look.n as usize;
        let (r, t) = count(&patients[seen..n]);
        (responses, toxicities, seen) = (responses + r, toxicities + t, n);
        let Some(outcome) = look.decide(responses, toxicities) else {
            continue;
        };
        let time = patients[n - 1].entry + timing.assessment();
        let enrolled = n + patients[n..].partition_point(|p| p.entry <= time);
        let (responses, toxicities) = count(&patients[..enrolled]);
        return TrialResult {
            outcome,
            patients: enrolled as u32,
            responses,
            toxicities,
            end_time: time,
            analysis_time: None,
        };
    }
    let (r, t) = count(&patients[seen..]);
    (responses, toxicities) = (responses + r, toxicities + t);
    let analysis = patients[patients.len() - 1].entry + timing.final_lag();
    let promising = match &design.analysis {
        Analysis::Responses(b) => responses_promising(b, responses),
        Analysis::LogRank {
            endpoint,
            null,
            statistic,
            ..
        } => {
            observations(patients, *endpoint, analysis, scratch);
            one_sample_log_rank(scratch, null).is_ok_and(|test| test.z_of(*statistic) > design.critical)
        }
        Analysis::Landmark {
            endpoint,
            time,
            null_rate,
            ..
        } => {
            observations(patients, *endpoint, analysis, scratch);
            landmark_rejects(scratch, *time, *null_rate, design.critical)
        }
    };
    TrialResult {
        outcome: if promising {
            Outcome::Promising
        } else {
            Outcome::NotPromising
        },
        patients: patients.len() as u32,
        responses,
        toxicities,
        end_time: analysis,
        analysis_time: Some(analysis),
    }
}

/// The landmark test (see the module documentation): Z > `critical` on the log(−log) scale.
fn landmark_rejects(data: &[Observation], time: f64, null_rate: f64, critical: f64) -> bool {
    if !data.iter().any(|o| o.time >= time) {
        return false;
    }
    let Ok(km) = KaplanMeier::new(data) else {
        return false;
    };
    let estimate = km.landmark(time);
    let g = |s: f64| (-s.ln()).ln();
    if estimate.survival <= 0.0 || estimate.survival >= 1.0 || estimate.lower >= estimate.survival {
        return false;
    }
    let se = (g(estimate.lower) - g(estimate.survival)) / Z_95;
    (g(null_rate) - g(estimate.survival)) / se > critical
}
