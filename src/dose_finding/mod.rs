//! Dose-finding designs behind one small interface.
//!
//! Modelled on the R package `escalation` (Brock 2019): a configured [`Design`] is *fitted* to the
//! outcomes so far ([`TrialData`]); the [`Fit`] proposes a [`Decision`] and answers a few questions
//! (which dose it would select as MTD now, which doses are admissible, model estimates). Stopping and
//! skipping [`Rule`]s wrap any design, in order, through [`WithRules`], which is what a scenario's
//! `[[design]]` becomes. Engines see only the object-safe [`DoseFinder`].

pub mod blrm;
pub mod boin;
pub mod crm;
pub mod i3plus3;
pub mod interval;
pub mod isotonic;
pub mod keyboard;
pub mod mtpi2;
pub mod outcomes;
pub mod rules;
pub mod three_plus_three;
pub mod tite;
pub mod titration;

pub use rules::Rule;

use std::fmt;

/// A dose level: 0-based inside the library, 1-based in files, output and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dose(pub u16);

impl Dose {
    /// The dose at 1-based `level`.
    pub fn from_level(level: usize) -> Dose {
        debug_assert!(level >= 1);
        Dose((level - 1) as u16)
    }
    /// 0-based index into per-dose arrays.
    pub fn index(self) -> usize {
        self.0 as usize
    }
    /// 1-based dose level, as users number doses.
    pub fn level(self) -> usize {
        self.0 as usize + 1
    }
}

impl fmt::Display for Dose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.level())
    }
}

/// Why a trial stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StopReason {
    /// The design reached its own end (e.g. 3+3 found its MTD).
    DesignComplete,
    /// The lowest dose (or every dose) is too toxic: no dose is recommended.
    TooToxic,
    /// The sample size limit (`max_patients` or a `stop_at_n` rule) was reached.
    MaxPatients,
    /// Enough patients at a dose (`stop_when_n_at_dose`, BOIN's `n_earlystop`).
    EnoughAtDose,
}

impl StopReason {
    /// Every reason, in the order tables report them.
    pub const ALL: [StopReason; 4] = [
        StopReason::DesignComplete,
        StopReason::TooToxic,
        StopReason::MaxPatients,
        StopReason::EnoughAtDose,
    ];

    /// Short snake_case name used in tables and messages.
    pub fn name(self) -> &'static str {
        match self {
            StopReason::DesignComplete => "design_complete",
            StopReason::TooToxic => "too_toxic",
            StopReason::MaxPatients => "max_patients",
            StopReason::EnoughAtDose => "enough_at_dose",
        }
    }

    /// Position in [`StopReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What happens after the latest cohort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Treat the next cohort at this dose.
    Treat(Dose),
    /// End the trial, selecting this dose as MTD (or none).
    Stop { selected: Option<Dose>, reason: StopReason },
}

/// One cohort's outcome: its dose, size and number of dose-limiting toxicities (DLTs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cohort {
    pub dose: Dose,
    pub patients: u16,
    pub dlts: u16,
}

/// The outcomes of a trial so far, as sufficient statistics.
///
/// Every design here decides from the patients and DLTs per dose plus the latest cohort, so the
/// state is kept as one flat `u16` slice, `[n_1, y_1, …, n_K, y_K, last dose, last n, last y]`,
/// which also serves as the key under which engines cache decisions (see [`TrialData::state`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrialData {
    state: Vec<u16>,
    num_doses: usize,
    total_patients: u32,
    total_dlts: u32,
}

impl TrialData {
    /// Empty data for a trial with `num_doses` dose levels.
    pub fn new(num_doses: usize) -> TrialData {
        TrialData {
            state: vec![0; 2 * num_doses + 3],
            num_doses,
            total_patients: 0,
            total_dlts: 0,
        }
    }

    /// Data with a given [`TrialData::state`] (as produced by another `TrialData` with the same
    /// number of doses).
    pub fn from_state(num_doses: usize, state: &[u16]) -> TrialData {
        let mut data = TrialData::new(num_doses);
        data.set_state(state);
        data
    }

    /// Replaces the outcomes by a given [`TrialData::state`] of a trial with as many doses (keeps
    /// the allocation).
    pub fn set_state(&mut self, state: &[u16]) {
        assert_eq!(state.len(), self.state.len(), "state of another dose count");
        self.state.copy_from_slice(state);
        let (mut total_patients, mut total_dlts) = (0, 0);
        for d in 0..self.num_doses {
            total_patients += u32::from(state[2 * d]);
            total_dlts += u32::from(state[2 * d + 1]);
        }
        self.total_patients = total_patients;
        self.total_dlts = total_dlts;
    }

    /// Forget every outcome (keeps the allocation).
    pub fn clear(&mut self) {
        self.state.fill(0);
        self.total_patients = 0;
        self.total_dlts = 0;
    }

    /// Records a cohort of `patients` at `dose` with `dlts` DLTs.
    pub fn add_cohort(&mut self, dose: Dose, patients: u16, dlts: u16) {
        self.add_patients(dose, patients, dlts);
        let k = 2 * self.num_doses;
        self.state[k] = dose.0;
        self.state[k + 1] = patients;
        self.state[k + 2] = dlts;
    }

    /// Records `patients` more at `dose` with `dlts` DLTs without making them the latest cohort
    /// (patients outside the escalation, e.g. backfill, whose outcomes count in decisions).
    pub fn add_patients(&mut self, dose: Dose, patients: u16, dlts: u16) {
        debug_assert!(dlts <= patients && dose.index() < self.num_doses);
        let i = 2 * dose.index();
        self.state[i] += patients;
        self.state[i + 1] += dlts;
        self.total_patients += u32::from(patients);
        self.total_dlts += u32::from(dlts);
    }

    pub fn num_doses(&self) -> usize {
        self.num_doses
    }
    /// Patients treated at `dose`.
    pub fn patients(&self, dose: Dose) -> u32 {
        u32::from(self.state[2 * dose.index()])
    }
    /// DLTs observed at `dose`.
    pub fn dlts(&self, dose: Dose) -> u32 {
        u32::from(self.state[2 * dose.index() + 1])
    }
    pub fn total_patients(&self) -> u32 {
        self.total_patients
    }
    pub fn total_dlts(&self) -> u32 {
        self.total_dlts
    }
    /// The latest cohort, if any patient has been treated.
    pub fn last_cohort(&self) -> Option<Cohort> {
        let k = 2 * self.num_doses;
        (self.total_patients > 0).then(|| Cohort {
            dose: Dose(self.state[k]),
            patients: self.state[k + 1],
            dlts: self.state[k + 2],
        })
    }
    /// The dose of the latest cohort (the "current dose"); dose 1 before any cohort.
    pub fn current_dose(&self) -> Dose {
        self.last_cohort().map_or(Dose(0), |c| c.dose)
    }
    /// The highest dose given to anyone so far.
    pub fn highest_tried(&self) -> Option<Dose> {
        self.doses().rev().find(|&d| self.patients(d) > 0)
    }
    /// All dose levels, lowest first.
    pub fn doses(&self) -> impl DoubleEndedIterator<Item = Dose> {
        (0..self.num_doses as u16).map(Dose)
    }
    /// The sufficient statistic every design decides from; equal states give equal decisions.
    pub fn state(&self) -> &[u16] {
        &self.state
    }
}

/// A design fitted to a trial's data.
pub trait Fit {
    /// The design's own proposal, before any rule.
    fn decision(&self) -> Decision;
    /// The dose this design selects as MTD if the trial ends now with these data.
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
}

/// A dose-finding rule, configured for one trial (escalation's `selector_factory`).
pub trait Design: Send + Sync {
    /// The fitted design; borrows the design and the data, allocates nothing for cheap rules.
    type Fit<'a>: Fit
    where
        Self: 'a;
    /// Fits the design to the data (at least one cohort has been treated).
    fn fit<'a>(&'a self, data: &'a TrialData) -> Self::Fit<'a>;
    /// Whether [`Fit::prob_tox_exceeds`] is available (needed by `stop_when_too_toxic`).
    fn has_posterior(&self) -> bool {
        false
    }
    /// Whether a fit costs enough (a model fit) that engines should cache decisions by state.
    fn costly_fit(&self) -> bool {
        false
    }
    /// Patients in the next cohort, given the trial's standard cohort size (a function of the
    /// data, like every decision).
    fn cohort_size(&self, _data: &TrialData, standard: u16) -> u16 {
        standard
    }
}

/// The limits every design obeys, from the scenario's `[trial]` table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrialLimits {
    pub num_doses: usize,
    pub cohort_size: u16,
    pub max_patients: u32,
    pub start_dose: Dose,
}

/// The object-safe face of a configured design (base design, rules and limits), which is all that
/// engines and the command line use.
pub trait DoseFinder: Send + Sync {
    fn name(&self) -> &str;
    fn limits(&self) -> &TrialLimits;
    /// The decision after the latest cohort, with every rule and the sample-size limit applied.
    fn decide(&self, data: &TrialData) -> Decision;
    /// Whether engines should cache [`DoseFinder::decide`] by [`TrialData::state`].
    fn cache_decisions(&self) -> bool;
    /// Patients in the next cohort: the design's size, cut to what `max_patients` leaves.
    fn next_cohort_size(&self, data: &TrialData) -> u16;
    /// Per-dose estimates for a report of the current fit (e.g. `trialsim next`).
    fn estimates(&self, data: &TrialData) -> Vec<DoseEstimate>;
}

/// What a fitted design says about one dose.
#[derive(Clone, Debug, PartialEq)]
pub struct DoseEstimate {
    pub dose: Dose,
    pub patients: u32,
    pub dlts: u32,
    pub admissible: bool,
    pub prob_tox: Option<f64>,
}

/// A base design with its ordered rules and the trial's limits: what a `[[design]]` becomes.
pub struct WithRules<D> {
    name: String,
    design: D,
    rules: Vec<Box<dyn Rule>>,
    limits: TrialLimits,
}

impl<D: Design> WithRules<D> {
    pub fn new(name: impl Into<String>, design: D, rules: Vec<Box<dyn Rule>>, limits: TrialLimits) -> Self {
        WithRules {
            name: name.into(),
            design,
            rules,
            limits,
        }
    }
}

impl<D: Design> DoseFinder for WithRules<D> {
    fn name(&self) -> &str {
        &self.name
    }

    fn limits(&self) -> &TrialLimits {
        &self.limits
    }

    /// The design's decision; then the sample-size limit, as a first `stop_at_n`; then each rule
    /// in order, so rules such as `stop_when_too_toxic` also judge the final selection.
    fn decide(&self, data: &TrialData) -> Decision {
        let fit = self.design.fit(data);
        let mut decision = match fit.decision() {
            Decision::Treat(_) if data.total_patients() >= self.limits.max_patients => Decision::Stop {
                selected: fit.selected_dose(),
                reason: StopReason::MaxPatients,
            },
            other => other,
        };
        for rule in &self.rules {
            decision = rule.apply(data, &fit, decision);
        }
        decision
    }

    fn cache_decisions(&self) -> bool {
        self.design.costly_fit()
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
            })
            .collect()
    }
}
