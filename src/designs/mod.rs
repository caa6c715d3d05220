//! Dose-finding designs behind one small interface, and their registry.
//!
//! Modelled on the R package `escalation` (Brock 2019): a configured [`Design`] is *fitted* to the
//! outcomes so far ([`TrialData`]); the [`Fit`] proposes a [`Decision`] and answers a few questions
//! (which dose it would select as MTD now, which doses are admissible, model estimates). Stopping and
//! skipping [`Rule`]s wrap any design, in order, through [`WithRules`], which is what a scenario's
//! `[[design]]` becomes. Engines see only the object-safe [`DoseFinder`].
//!
//! Every design kind a scenario can name is listed once in the [`registry`], which declares its
//! rule name, paper and capabilities and parses its own keys. The interval designs (BOIN,
//! Keyboard, mTPI-2, i3+3) share one engine in [`interval`], one file per rule; the time-to-event
//! designs (TITE-CRM, TITE-BOIN), which also weigh pending outcomes when the data carry
//! follow-up ([`TrialData::follow_up`]), are in [`tite`].
//!
//! The single-arm phase 2 designs (Simon, predictive probability, BOP2, log-rank), their exact
//! operating characteristics and the patient models of a phase 2 study are in [`single_arm`].

pub mod blrm;
pub mod crm;
pub mod efftox;
pub mod interval;
pub(crate) mod memo;
pub mod optimization;
pub mod outcomes;
pub mod phase12;
pub mod registry;
pub mod rules;
pub mod single_arm;
pub mod three_plus_three;
pub mod tite;
pub mod titration;

pub use rules::Rule;

pub use crate::core::{Cohort, Decision, Dose, DoseTruth, StopReason, TrialData};

/// A design fitted to a trial's data.
pub trait Fit {
    /// The design's own proposal, before any rule.
    fn decision(&self) -> Decision;
    /// The dose this design selects if the trial ends now with these data: the MTD, or for a
    /// phase I/II design ([`Design::uses_efficacy`]) the optimal biological dose (OBD).
    fn selected_dose(&self) -> Option<Dose>;
    /// Whether `dose` may still be given (e.g. not eliminated by a safety rule).
    fn admissible(&self, _dose: Dose) -> bool {
        true
    }
    /// The design's estimate of the DLT probability at `dose`, where it has one.
    fn prob_tox(&self, _dose: Dose) -> Option<f64> {
        None
    }
    /// Posterior probability that the DLT probability at `dose` exceeds `threshold`, where the
    /// design has a posterior.
    fn prob_tox_exceeds(&self, _dose: Dose, _threshold: f64) -> Option<f64> {
        None
    }
    /// Whether that posterior probability ([`Fit::prob_tox_exceeds`]) is at least `certainty`:
    /// what a safety rule asks, which a design may settle from a bound without the probability.
    fn prob_tox_exceeds_at_least(&self, dose: Dose, threshold: f64, certainty: f64) -> Option<bool> {
        self.prob_tox_exceeds(dose, threshold).map(|p| p >= certainty)
    }
    /// Whether these data call for treating below `dose` were the trial there now: the design's
    /// own de-escalation rule judged at `dose`. Backfill at a dose closes when it does (BF-BOIN,
    /// Zhao, Yuan et al. 2024, where the rule is BOIN's λd; every design here applies its own).
    /// By default the design's proposal is below `dose` or a stop, which is right for designs whose
    /// proposal does not depend on the current dose; rules judged at the current dose override it.
    fn calls_for_deescalation(&self, dose: Dose) -> bool {
        !matches!(self.decision(), Decision::Treat(d) if d >= dose)
    }
    /// Why the design proposes [`Fit::decision`], in words with the numbers that decided and the
    /// boundaries in force (e.g. "0/3 DLTs at dose 2 ≤ 0, the escalation boundary at n = 3
    /// (λe = 0.197): escalate"). Only for explanations: engines never ask.
    fn reason(&self) -> String;
    /// The design's estimate of the response probability at `dose` (phase I/II designs).
    fn prob_response(&self, _dose: Dose) -> Option<f64> {
        None
    }
    /// The design's estimate of the utility of `dose`, on the design's own scale (phase I/II
    /// designs that select by utility or desirability).
    fn utility(&self, _dose: Dose) -> Option<f64> {
        None
    }
    /// Why the design selects [`Fit::selected_dose`] now, in words with the numbers that chose,
    /// where the selection is a rule of its own (a phase I/II design's OBD).
    fn selection_reason(&self) -> Option<String> {
        None
    }
    /// A 90% credible interval for the DLT probability at `dose`, where the design has one.
    fn prob_tox_interval(&self, _dose: Dose) -> Option<(f64, f64)> {
        None
    }
    /// The posterior probabilities that the DLT probability at `dose` lies below, within and
    /// above the target interval (BLRM's under-dosing, targeted toxicity, over-dosing).
    fn dosing_intervals(&self, _dose: Dose) -> Option<[f64; 3]> {
        None
    }
}

/// A dose-finding rule, configured for one trial (escalation's `selector_factory`).
pub trait Design: Send + Sync {
    /// The fitted design; borrows the design and the data, allocates nothing for cheap rules.
    type Fit<'a>: Fit
    where
        Self: 'a;
    /// Fits the design to the data (at least one cohort has been treated).
    fn fit<'a>(&'a self, data: &'a TrialData) -> Self::Fit<'a>;
    /// Whether a fit costs enough (a model fit) that engines should cache decisions by state.
    fn costly_fit(&self) -> bool {
        false
    }
    /// Patients in the next cohort, given the trial's standard cohort size (a function of the
    /// data, like every decision).
    fn cohort_size(&self, _data: &TrialData, standard: u16) -> u16 {
        standard
    }
    /// Whether the design decides on pending outcomes (time-to-event: it weighs
    /// [`TrialData::follow_up`] and may answer [`Decision::Wait`]) rather than waiting for every
    /// window to close.
    fn decides_on_pending(&self) -> bool {
        false
    }
    /// Whether the design decides on responses as well as DLTs (a phase I/II design): it is then
    /// given data with efficacy ([`TrialData::with_efficacy`]) and selects an OBD.
    fn uses_efficacy(&self) -> bool {
        false
    }
    /// A phase I/II design's true utility of a dose under a truth, on the design's own scale
    /// (e.g. BOIN12's utility, EffTox's desirability); `None` for toxicity-only designs.
    fn true_utility(&self, _truth: &DoseTruth) -> Option<f64> {
        None
    }
    /// Whether a dose is acceptable under a truth by the design's own criteria (e.g. BOIN12: P(DLT)
    /// ≤ φ_T and P(response) ≥ φ_E). The true OBD is the acceptable dose of highest
    /// [`Design::true_utility`] (ties: the lower dose).
    fn truly_acceptable(&self, _truth: &DoseTruth) -> bool {
        true
    }
}

/// The limits every design obeys, from the scenario's `[trial]` table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialLimits {
    /// Number of dose levels.
    pub num_doses: usize,
    /// Patients per cohort.
    pub cohort_size: u16,
    /// The trial's sample size.
    pub max_patients: u32,
    /// The dose of the first cohort.
    pub start_dose: Dose,
}

/// The object-safe face of a configured design (base design, rules and limits), which is all that
/// engines and the command line use.
pub trait DoseFinder: Send + Sync {
    /// The design's name in the scenario.
    fn name(&self) -> &str;
    /// The trial's limits.
    fn limits(&self) -> &TrialLimits;
    /// The decision after the latest cohort, with every rule and the sample-size limit applied.
    fn decide(&self, data: &TrialData) -> Decision;
    /// The MTD if the trial ends now at its planned size: the design's selection, then every rule
    /// judging that end (e.g. `stop_when_too_toxic` may withdraw it).
    fn conclude(&self, data: &TrialData) -> Option<Dose>;
    /// Whether engines should cache [`DoseFinder::decide`] by [`TrialData::state`] (never for
    /// data with follow-up, whose state is not the whole story).
    fn cache_decisions(&self) -> bool;
    /// Whether the design decides on pending outcomes ([`Design::decides_on_pending`]): the
    /// calendar-time engine then decides at each arrival from the follow-up instead of waiting
    /// for every window of a cohort to close.
    fn decides_on_pending(&self) -> bool;
    /// Whether the design decides on responses as well ([`Design::uses_efficacy`]).
    fn uses_efficacy(&self) -> bool;
    /// The true OBD under a truth given dose by dose, with each dose's true utility on the
    /// design's scale ([`Design::true_utility`], [`Design::truly_acceptable`]); `None` for
    /// toxicity-only designs, and an OBD of `None` when no dose is acceptable.
    fn true_obd(&self, truth: &[DoseTruth]) -> Option<(Option<Dose>, Vec<f64>)>;
    /// Patients in the next cohort: the design's size, cut to what `max_patients` leaves.
    fn next_cohort_size(&self, data: &TrialData) -> u16;
    /// Per-dose estimates for a report of the current fit (e.g. `trialsim next`).
    fn estimates(&self, data: &TrialData) -> Vec<DoseEstimate>;
    /// Whether a backfill patient may be treated at `dose` on these (complete) data: the design
    /// neither excludes the dose nor calls for de-escalation from it
    /// ([`Fit::calls_for_deescalation`]).
    fn backfill_open(&self, data: &TrialData, dose: Dose) -> bool;
    /// [`DoseFinder::decide`] with the steps that made the decision: the design's proposal
    /// and its reason, then each safeguard or rule that changed it.
    fn explain(&self, data: &TrialData) -> (Decision, Vec<Step>);
    /// Why the design would select its dose now ([`Fit::selection_reason`]).
    fn explain_selection(&self, _data: &TrialData) -> Option<String> {
        None
    }
}

/// One step of a decision ([`DoseFinder::explain`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// What acted: "design", "admissibility", "max_patients" or a rule with its settings.
    pub by: String,
    /// Why, in words with the numbers that decided.
    pub why: String,
    /// The decision after this step.
    pub decision: Decision,
}

/// The fitted design's proposal, made safe: a dose it calls inadmissible (e.g. eliminated, or
/// above an eliminated dose) is never given. Such a proposal arises only from a history the design
/// could not have produced itself (a live trial that deviated from it, e.g. treated above an
/// eliminated dose): the next cohort then goes to the highest admissible dose below the proposal,
/// and when there is none (the lowest dose is inadmissible) the trial stops for toxicity with no
/// dose selected.
pub fn admissible_proposal(fit: &impl Fit, proposal: Decision) -> Decision {
    match proposal {
        Decision::Treat(dose) if !fit.admissible(dose) => {
            match (0..dose.0).rev().map(Dose).find(|&d| fit.admissible(d)) {
                Some(below) => Decision::Treat(below),
                None => Decision::Stop {
                    selected: None,
                    reason: StopReason::TooToxic,
                },
            }
        }
        other => other,
    }
}

/// What a fitted design says about one dose.
#[derive(Clone, Debug, PartialEq)]
pub struct DoseEstimate {
    /// The dose.
    pub dose: Dose,
    /// Patients treated at it.
    pub patients: u32,
    /// DLTs observed at it.
    pub dlts: u32,
    /// Whether it may still be given.
    pub admissible: bool,
    /// The design's estimate of its DLT probability, where it has one.
    pub prob_tox: Option<f64>,
    /// A 90% credible interval for the DLT probability ([`Fit::prob_tox_interval`]).
    pub interval: Option<(f64, f64)>,
    /// P(under-dosing), P(targeted toxicity), P(over-dosing) ([`Fit::dosing_intervals`]).
    pub dosing_intervals: Option<[f64; 3]>,
    /// The estimated response probability (phase I/II designs, [`Fit::prob_response`]).
    pub prob_response: Option<f64>,
    /// The utility on the design's scale (phase I/II designs, [`Fit::utility`]).
    pub utility: Option<f64>,
}

/// A base design with its ordered rules and the trial's limits: what a `[[design]]` becomes.
pub struct WithRules<D> {
    name: String,
    design: D,
    rules: Vec<Box<dyn Rule>>,
    limits: TrialLimits,
}

impl<D: Design> WithRules<D> {
    /// `design` with its ordered `rules` and the trial's `limits`, named `name`.
    pub fn new(name: impl Into<String>, design: D, rules: Vec<Box<dyn Rule>>, limits: TrialLimits) -> Self {
        WithRules {
            name: name.into(),
            design,
            rules,
            limits,
        }
    }
}

impl<D: Design> WithRules<D> {
    /// [`DoseFinder::decide`], noting each step in `steps` when given (a decision is made once,
    /// whether explained or not).
    fn decide_with(&self, data: &TrialData, mut steps: Option<&mut Vec<Step>>) -> Decision {
        let fit = self.design.fit(data);
        let mut note = |by: &dyn Fn() -> String, why: &dyn Fn() -> String, decision: Decision| {
            if let Some(steps) = steps.as_deref_mut() {
                steps.push(Step {
                    by: by(),
                    why: why(),
                    decision,
                });
            }
        };
        let proposal = fit.decision();
        note(&|| "design".into(), &|| fit.reason(), proposal);
        let safe = admissible_proposal(&fit, proposal);
        if safe != proposal {
            let why = || match proposal {
                Decision::Treat(d) => format!("dose {d} is not admissible (eliminated, or above an eliminated dose)"),
                _ => unreachable!("only a dose to treat at is judged"),
            };
            note(&|| "admissibility".into(), &why, safe);
        }
        let mut decision = match safe {
            Decision::Wait => return Decision::Wait,
            Decision::Treat(_) if data.total_patients() >= self.limits.max_patients => {
                let stop = Decision::Stop {
                    selected: fit.selected_dose(),
                    reason: StopReason::MaxPatients,
                };
                let why = || {
                    let (n, max) = (data.total_patients(), self.limits.max_patients);
                    format!("{n} patients treated, the sample size is {max}")
                };
                note(&|| "max_patients".into(), &why, stop);
                stop
            }
            other => other,
        };
        for rule in &self.rules {
            let after = rule.apply(data, &fit, decision);
            if after != decision {
                note(&|| rule.describe(), &|| format!("{decision} becomes {after}"), after);
            }
            decision = after;
        }
        decision
    }
}

impl<D: Design> DoseFinder for WithRules<D> {
    fn name(&self) -> &str {
        &self.name
    }

    fn limits(&self) -> &TrialLimits {
        &self.limits
    }

    /// The design's decision, never at a dose the design calls inadmissible
    /// ([`admissible_proposal`]); then the sample-size limit, as a first `stop_at_n`; then each
    /// rule in order, so rules such as `stop_when_too_toxic` also judge the final selection. A
    /// suspension of accrual ([`Decision::Wait`]) is no proposal to judge: it stands.
    fn decide(&self, data: &TrialData) -> Decision {
        self.decide_with(data, None)
    }

    fn explain(&self, data: &TrialData) -> (Decision, Vec<Step>) {
        let mut steps = Vec::new();
        (self.decide_with(data, Some(&mut steps)), steps)
    }

    fn explain_selection(&self, data: &TrialData) -> Option<String> {
        self.design.fit(data).selection_reason()
    }

    fn conclude(&self, data: &TrialData) -> Option<Dose> {
        let fit = self.design.fit(data);
        let selected = fit.selected_dose();
        let end = Decision::Stop {
            selected,
            reason: StopReason::MaxPatients,
        };
        match self
            .rules
            .iter()
            .fold(end, |decision, rule| rule.apply(data, &fit, decision))
        {
            Decision::Stop { selected, .. } => selected,
            Decision::Treat(_) | Decision::Wait => selected,
        }
    }

    fn cache_decisions(&self) -> bool {
        self.design.costly_fit()
    }

    fn decides_on_pending(&self) -> bool {
        self.design.decides_on_pending()
    }

    fn uses_efficacy(&self) -> bool {
        self.design.uses_efficacy()
    }

    fn true_obd(&self, truth: &[DoseTruth]) -> Option<(Option<Dose>, Vec<f64>)> {
        let utilities = truth
            .iter()
            .map(|t| self.design.true_utility(t))
            .collect::<Option<Vec<f64>>>()?;
        let mut obd: Option<Dose> = None;
        for (d, t) in truth.iter().enumerate() {
            let better = obd.is_none_or(|best| utilities[d] > utilities[best.index()]);
            if self.design.truly_acceptable(t) && better {
                obd = Some(Dose(d as u16));
            }
        }
        Some((obd, utilities))
    }

    fn next_cohort_size(&self, data: &TrialData) -> u16 {
        let left = self.limits.max_patients.saturating_sub(data.total_patients());
        let size = self.design.cohort_size(data, self.limits.cohort_size);
        u32::from(size).min(left) as u16
    }

    fn estimates(&self, data: &TrialData) -> Vec<DoseEstimate> {
        let fit = self.design.fit(data);
        data.doses()
            .map(|dose| DoseEstimate {
                dose,
                patients: data.patients(dose),
                dlts: data.dlts(dose),
                admissible: fit.admissible(dose),
                prob_tox: fit.prob_tox(dose),
                interval: fit.prob_tox_interval(dose),
                dosing_intervals: fit.dosing_intervals(dose),
                prob_response: fit.prob_response(dose),
                utility: fit.utility(dose),
            })
            .collect()
    }

    fn backfill_open(&self, data: &TrialData, dose: Dose) -> bool {
        let fit = self.design.fit(data);
        fit.admissible(dose) && !fit.calls_for_deescalation(dose)
    }
}
