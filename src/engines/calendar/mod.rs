//! Calendar-time simulation: patients arrive over time, each with a DLT assessment window.
//!
//! Designs that need complete data (3+3, BOIN, CRM, … as [`DoseFinder`]s) treat a cohort and then
//! suspend accrual until every window of that cohort has closed; patients who arrive meanwhile
//! wait. Time-to-event designs ([`TimedDesign`]s) decide as each cohort arrives from whatever
//! follow-up exists, and suspend accrual only when they say so. Every design and truth sees the
//! same patients (arrival gaps, DLT latents and DLT onset times), and trial t's stream depends
//! only on (seed, t), so results do not depend on the number of threads.

use crate::engines::cache::{DecisionCache, SharedDecisions};
use crate::engines::dose_finding::{SimulationError, Truth};
use crate::engines::parallel::run_blocks;
use crate::sim::oc::{CorrectDecision, OcCounts, TimedDoseSummary, TimedSummary};
pub mod protocol;

use crate::dose_finding::tite::{FollowUp, PatientRecord, TimedDecision, TimedDesign};
use crate::dose_finding::{Decision, Dose, DoseFinder, StopReason, TrialData, TrialLimits};
use crate::engines::rng::trial_rng;
use crate::single_arm::sim::clopper_pearson;
use protocol::{dlt_as_given, Backfill, EfficacyCounts, Regimen, StepUpRule, TruthThresholds, Utility};
use rand::RngCore;
use rand_xoshiro::Xoshiro256PlusPlus;
use rustc_hash::FxHashMap;

/// How patients arrive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arrival {
    /// A Poisson process with this many patients a month.
    Poisson { rate: f64 },
    /// One patient every `interval` months.
    Fixed { interval: f64 },
}

/// When, within the DLT window, a DLT occurs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Onset {
    /// Uniformly over the window.
    Uniform,
    /// Late onset: a Weibull time to DLT with scale equal to the window, truncated to it, whose
    /// shape puts `share` of the DLTs in the last `last` fraction of the window (as in the
    /// TITE-BOIN simulations of Yuan et al. 2018).
    Late { share: f64, last: f64 },
}

impl Onset {
    /// The Weibull shape for late onset: P(T > (1 − last)·W | T ≤ W) = share with scale W.
    pub fn weibull_shape(share: f64, last: f64) -> Option<f64> {
        let e = (-1.0f64).exp();
        let inner = -(e + share * (1.0 - e)).ln();
        let shape = inner.ln() / (1.0 - last).ln();
        (shape.is_finite() && shape > 0.0).then_some(shape)
    }

    /// The DLT time as a fraction of the window, from a uniform latent `u` in [0, 1).
    pub fn fraction(&self, u: f64) -> f64 {
        match *self {
            Onset::Uniform => u,
            Onset::Late { share, last } => {
                let k = Onset::weibull_shape(share, last).expect("validated");
                // Inverse CDF of a Weibull(k, 1) truncated to (0, 1].
                let total = 1.0 - (-1.0f64).exp();
                (-(1.0 - u * total).ln()).powf(1.0 / k)
            }
        }
    }
}

/// The calendar of a trial: arrivals, the DLT window and the TEAE follow-up (months).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    pub arrival: Arrival,
    pub window: f64,
    pub teae_followup: f64,
    pub onset: Onset,
    /// The longest a patient waits for accrual to reopen before being turned away (months;
    /// infinite: everyone waits).
    pub max_wait: f64,
}

/// A design's dose-finding rule, as run in calendar time.
pub enum TimedFinder {
    /// Treats a cohort, then waits for every window to close before deciding.
    Waiting(Box<dyn DoseFinder>),
    /// Decides from partial follow-up.
    TimeToEvent(Box<dyn TimedDesign>),
}

/// A design run in calendar time: its dose-finding rule, regimen switch and backfill.
pub struct TimedEntry {
    pub finder: TimedFinder,
    pub step_up: StepUpRule,
    /// Backfill cohorts (waiting designs only).
    pub backfill: Option<Backfill>,
}

impl TimedEntry {
    /// A design with direct dosing throughout and no backfill.
    pub fn plain(finder: TimedFinder) -> TimedEntry {
        TimedEntry {
            finder,
            step_up: StepUpRule::default(),
            backfill: None,
        }
    }

    pub fn name(&self) -> &str {
        match &self.finder {
            TimedFinder::Waiting(d) => d.name(),
            TimedFinder::TimeToEvent(d) => d.name(),
        }
    }

    fn limits(&self) -> &TrialLimits {
        match &self.finder {
            TimedFinder::Waiting(d) => d.limits(),
            TimedFinder::TimeToEvent(d) => d.limits(),
        }
    }
}

/// Duration histogram resolution: months per bin, and the number of bins (the last collects
/// everything beyond).
const DURATION_BIN: f64 = 0.05;
const DURATION_BINS: usize = 4800;

/// Position of (n patients, x events) in a per-dose triangular table.
fn triangle(n: u32, x: u32) -> usize {
    (n * (n + 1) / 2 + x) as usize
}

/// Integer accumulators of the protocol's other outcomes, per dose unless said otherwise.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProtocolCounts {
    pub step_up_patients: Vec<u64>,
    pub step_up_dlts: Vec<u64>,
    pub crs_dlts: Vec<u64>,
    pub backfill_patients: Vec<u64>,
    pub expansion_patients: Vec<u64>,
    pub responses: Vec<u64>,
    pub teae: Vec<u64>,
    /// Trials by (patients n, patients with a TEAE x) at each dose, n ≥ 1, indexed
    /// `[dose][triangle(n, x)]`: the exact distribution behind the mean Clopper–Pearson interval.
    pub teae_table: Vec<Vec<u64>>,
    /// Trials choosing each dose as RP2D, and choosing none.
    pub rp2d: Vec<u64>,
    pub rp2d_none: u64,
    /// Trials whose MTD was given with step-up dosing when the trial ended.
    pub selected_step_up: u64,
    /// Trials whose decision was right, and trials that selected a dose above the right one, for
    /// the truth as given when the trial ended (step-up from the level in use then).
    pub correct_as_given: u64,
    pub overdose_as_given: u64,
}

impl ProtocolCounts {
    fn new(num_doses: usize, max_patients: u32) -> ProtocolCounts {
        let zeros = || vec![0; num_doses];
        ProtocolCounts {
            step_up_patients: zeros(),
            step_up_dlts: zeros(),
            crs_dlts: zeros(),
            backfill_patients: zeros(),
            expansion_patients: zeros(),
            responses: zeros(),
            teae: zeros(),
            teae_table: vec![vec![0; triangle(max_patients + 1, 0)]; num_doses],
            rp2d: zeros(),
            rp2d_none: 0,
            selected_step_up: 0,
            correct_as_given: 0,
            overdose_as_given: 0,
        }
    }

    fn merge(&mut self, other: &ProtocolCounts) {
        fn add(a: &mut [u64], b: &[u64]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        add(&mut self.step_up_patients, &other.step_up_patients);
        add(&mut self.step_up_dlts, &other.step_up_dlts);
        add(&mut self.crs_dlts, &other.crs_dlts);
        add(&mut self.backfill_patients, &other.backfill_patients);
        add(&mut self.expansion_patients, &other.expansion_patients);
        add(&mut self.responses, &other.responses);
        add(&mut self.teae, &other.teae);
        for (a, b) in self.teae_table.iter_mut().zip(&other.teae_table) {
            add(a, b);
        }
        add(&mut self.rp2d, &other.rp2d);
        self.rp2d_none += other.rp2d_none;
        self.selected_step_up += other.selected_step_up;
        self.correct_as_given += other.correct_as_given;
        self.overdose_as_given += other.overdose_as_given;
    }

    /// Trials with n ≥ 1 patients at `dose`, as ((n, x), trials) for every observed pair.
    pub fn teae_outcomes(&self, dose: Dose) -> impl Iterator<Item = ((u32, u32), u64)> + '_ {
        let table = &self.teae_table[dose.index()];
        (1u32..)
            .map_while(move |n| (triangle(n, n) < table.len()).then_some(n))
            .flat_map(move |n| (0..=n).map(move |x| ((n, x), table[triangle(n, x)])))
            .filter(|&(_, trials)| trials > 0)
    }
}

/// Integer accumulators of a calendar-time run, merged by addition (and written by shards as they
/// are: every field serialises).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TimedCounts {
    pub oc: OcCounts,
    /// Trials by duration (first patient's entry to the last window's close), in bins of
    /// `DURATION_BIN` months.
    pub duration: Vec<u64>,
    /// Sum of durations in 10⁻⁶ months.
    pub duration_sum: u128,
    /// Patients who waited for accrual to reopen, and their total wait in 10⁻⁶ months.
    pub waited: u64,
    pub wait_sum: u128,
    /// Patients turned away because they would have waited longer than `max_wait`.
    pub turned_away: u64,
    pub protocol: ProtocolCounts,
}

impl TimedCounts {
    fn new(num_doses: usize, max_patients: u32) -> TimedCounts {
        TimedCounts {
            oc: OcCounts::new(num_doses, max_patients),
            duration: vec![0; DURATION_BINS],
            duration_sum: 0,
            waited: 0,
            wait_sum: 0,
            turned_away: 0,
            protocol: ProtocolCounts::new(num_doses, max_patients),
        }
    }

    /// Adds another accumulator's counts.
    pub fn merge(&mut self, other: &TimedCounts) {
        self.oc.merge(&other.oc);
        self.duration.iter_mut().zip(&other.duration).for_each(|(a, b)| *a += b);
        self.duration_sum += other.duration_sum;
        self.waited += other.waited;
        self.wait_sum += other.wait_sum;
        self.turned_away += other.turned_away;
        self.protocol.merge(&other.protocol);
    }

    /// Mean duration in months.
    pub fn duration_mean(&self) -> f64 {
        self.duration_sum as f64 / 1e6 / self.oc.trials.max(1) as f64
    }

    /// The q-quantile of the duration (upper edge of its bin), in months.
    pub fn duration_quantile(&self, q: f64) -> f64 {
        let goal = (q * self.oc.trials as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &count) in self.duration.iter().enumerate() {
            seen += count;
            if seen >= goal {
                return (i + 1) as f64 * DURATION_BIN;
            }
        }
        DURATION_BINS as f64 * DURATION_BIN
    }

    /// The calendar-time summary: `planned_dlt` is the truth as the design gives it and
    /// `correct_rp2d` the right RP2D; `intervals` memoises Clopper–Pearson intervals by (n, x).
    pub fn summary(
        &self,
        planned_dlt: Vec<f64>,
        correct_rp2d: Option<Dose>,
        intervals: &mut FxHashMap<(u32, u32), (f64, f64)>,
    ) -> TimedSummary {
        let trials = self.oc.trials.max(1) as f64;
        let mean = |x: u64| x as f64 / trials;
        let p = &self.protocol;
        let doses = (0..self.oc.patients.len())
            .map(|d| {
                let (mut treated, mut lower, mut upper) = (0u64, 0.0, 0.0);
                for ((n, x), count) in p.teae_outcomes(Dose(d as u16)) {
                    let (l, u) = *intervals.entry((n, x)).or_insert_with(|| clopper_pearson(x, n, 0.95));
                    treated += count;
                    lower += count as f64 * l;
                    upper += count as f64 * u;
                }
                let treated = treated.max(1) as f64;
                TimedDoseSummary {
                    step_up_patients_mean: mean(p.step_up_patients[d]),
                    step_up_dlt_mean: mean(p.step_up_dlts[d]),
                    crs_dlt_mean: mean(p.crs_dlts[d]),
                    backfill_patients_mean: mean(p.backfill_patients[d]),
                    expansion_patients_mean: mean(p.expansion_patients[d]),
                    response_mean: mean(p.responses[d]),
                    teae_mean: mean(p.teae[d]),
                    teae_ci_lower_mean: lower / treated,
                    teae_ci_upper_mean: upper / treated,
                    rp2d_pct: 100.0 * mean(p.rp2d[d]),
                }
            })
            .collect();
        TimedSummary {
            duration_mean: self.duration_mean(),
            duration_median: self.duration_quantile(0.5),
            duration_p90: self.duration_quantile(0.9),
            waited_mean: mean(self.waited),
            wait_mean: if self.waited == 0 {
                0.0
            } else {
                self.wait_sum as f64 / 1e6 / self.waited as f64
            },
            turned_away_mean: mean(self.turned_away),
            planned_dlt,
            correct_rp2d,
            rp2d_none_pct: 100.0 * mean(p.rp2d_none),
            selected_step_up_pct: 100.0 * mean(p.selected_step_up),
            correct_as_given_pct: 100.0 * mean(p.correct_as_given),
            overdose_as_given_pct: 100.0 * mean(p.overdose_as_given),
            doses,
        }
    }

    /// Adds one finished trial; `correct[s]` is the right decision when step-up starts at level
    /// s (the last entry: direct dosing everywhere).
    fn record(
        &mut self,
        (patients, enrolment): (&Patients, &Enrolment),
        trial: &TimedTrial,
        step_up: StepUpRule,
        correct: &[CorrectDecision],
    ) {
        let num_doses = self.oc.patients.len();
        self.oc.record(&counts_of(&patients.records, num_doses), trial.end);
        let bin = ((trial.duration / DURATION_BIN) as usize).min(DURATION_BINS - 1);
        self.duration[bin] += 1;
        self.duration_sum += (trial.duration * 1e6).round() as u128;
        self.waited += enrolment.waited;
        self.wait_sum += enrolment.wait_sum;
        self.turned_away += enrolment.turned_away;
        let p = &mut self.protocol;
        let mut teae_at = [(0u32, 0u32); crate::scenario::MAX_DOSES];
        for (r, o) in patients.records.iter().zip(&patients.outcomes) {
            let d = r.dose.index();
            if o.regimen == Regimen::StepUp {
                p.step_up_patients[d] += 1;
                p.step_up_dlts[d] += u64::from(r.dlt_at.is_some());
            }
            p.crs_dlts[d] += u64::from(o.crs);
            match o.stage {
                Stage::Backfill => p.backfill_patients[d] += 1,
                Stage::Expansion => p.expansion_patients[d] += 1,
                Stage::Escalation => {}
            }
            p.responses[d] += u64::from(o.response);
            p.teae[d] += u64::from(o.teae);
            teae_at[d].0 += 1;
            teae_at[d].1 += u32::from(o.teae);
        }
        for (d, &(n, x)) in teae_at.iter().enumerate().take(num_doses) {
            if n > 0 {
                p.teae_table[d][triangle(n, x)] += 1;
            }
        }
        match trial.rp2d {
            Some(d) => p.rp2d[d.index()] += 1,
            None => p.rp2d_none += 1,
        }
        let lowest_crs = patients.lowest_crs(f64::INFINITY);
        let right = correct[step_up.switch_level(lowest_crs).map_or(num_doses, Dose::index)];
        let selected = match trial.end {
            Decision::Stop { selected, .. } => selected,
            Decision::Treat(_) => unreachable!("a finished trial has stopped"),
        };
        if let Some(mtd) = selected {
            p.selected_step_up += u64::from(step_up.regimen(mtd, lowest_crs) == Regimen::StepUp);
            p.overdose_as_given += u64::from(right.is_overdose(mtd));
        }
        p.correct_as_given += u64::from(match right {
            CorrectDecision::Select(d) => selected == Some(d),
            CorrectDecision::Stop => selected.is_none(),
        });
    }
}

/// One trial's patients: arrival times, DLT latents, onset fractions and response latents,
/// drawn lazily from the trial's stream (four uniforms per patient, in that order).
struct Cohorts {
    rng: Xoshiro256PlusPlus,
    arrivals: Vec<f64>,
    dlt_latent: Vec<u64>,
    onset: Vec<f64>,
    response_latent: Vec<u64>,
}

fn uniform(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

impl Cohorts {
    fn new() -> Cohorts {
        Cohorts {
            rng: trial_rng(0, 0),
            arrivals: Vec::new(),
            dlt_latent: Vec::new(),
            onset: Vec::new(),
            response_latent: Vec::new(),
        }
    }

    fn start(&mut self, seed: u64, trial: u64) {
        // A stream of its own, distinct from the untimed engine's (seed mixed with a constant).
        self.rng = trial_rng(seed ^ 0x7469_6d65_645f_7472, trial);
        self.arrivals.clear();
        self.dlt_latent.clear();
        self.onset.clear();
        self.response_latent.clear();
    }

    /// Ensures patient `i` exists; returns their arrival time.
    fn patient(&mut self, i: usize, arrival: Arrival) -> f64 {
        while self.arrivals.len() <= i {
            let gap = match arrival {
                Arrival::Poisson { rate } => -(1.0 - uniform(&mut self.rng)).ln() / rate,
                Arrival::Fixed { interval } => {
                    uniform(&mut self.rng);
                    interval
                }
            };
            let previous = if self.arrivals.is_empty() {
                -gap
            } else {
                self.arrivals[self.arrivals.len() - 1]
            };
            // The first patient arrives at time 0.
            self.arrivals.push(previous + gap);
            self.dlt_latent.push(self.rng.next_u64() >> 11);
            self.onset.push(uniform(&mut self.rng));
            self.response_latent.push(self.rng.next_u64() >> 11);
        }
        self.arrivals[i]
    }
}

/// Why a patient was treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Escalation,
    Backfill,
    Expansion,
}

/// What happened to a patient beyond [`PatientRecord`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Outcome {
    stage: Stage,
    regimen: Regimen,
    /// A CRS-type DLT.
    crs: bool,
    teae: bool,
    response: bool,
}

/// The treated patients of one trial, in order of entry.
#[derive(Default)]
struct Patients {
    records: Vec<PatientRecord>,
    outcomes: Vec<Outcome>,
    /// Scratch space for the RP2D choice.
    efficacy: Vec<EfficacyCounts>,
}

impl Patients {
    fn clear(&mut self) {
        self.records.clear();
        self.outcomes.clear();
    }

    fn len(&self) -> u32 {
        self.records.len() as u32
    }

    /// The lowest level with a CRS-type DLT observed by time `t`.
    fn lowest_crs(&self, t: f64) -> Option<Dose> {
        self.records
            .iter()
            .zip(&self.outcomes)
            .filter(|(r, o)| o.crs && r.dlt_at.is_some_and(|at| at <= t))
            .map(|(r, _)| r.dose)
            .min()
    }

    /// When the last DLT window closes (0 with no patients).
    fn last_close(&self, window: f64) -> f64 {
        self.records.iter().map(|r| r.entry + window).fold(0.0, f64::max)
    }

    /// The escalation's data plus every backfill patient whose outcome is known at time `t`.
    fn decision_data(&self, escalation: &TrialData, t: f64, window: f64, out: &mut TrialData) {
        out.clone_from(escalation);
        let view = FollowUp {
            patients: &self.records,
            now: t,
            window,
            num_doses: escalation.num_doses(),
        };
        for (r, o) in self.records.iter().zip(&self.outcomes) {
            if o.stage == Stage::Backfill && view.complete(r) {
                out.add_patients(r.dose, 1, u16::from(view.dlt_observed(r)));
            }
        }
    }

    /// Patients and DLTs at `dose` whose outcome is known at time `t`.
    fn complete_at(&self, dose: Dose, t: f64, window: f64) -> (u32, u32) {
        let view = FollowUp {
            patients: &self.records,
            now: t,
            window,
            num_doses: 0,
        };
        self.records
            .iter()
            .filter(|r| r.dose == dose && view.complete(r))
            .fold((0, 0), |(n, y), r| (n + 1, y + u32::from(view.dlt_observed(r))))
    }

    /// The RP2D from every patient's final outcome (the MTD when the truth has no response).
    fn rp2d(&mut self, mtd: Option<Dose>, arm: &Arm) -> Option<Dose> {
        if arm.truth.efficacy.is_none() {
            return mtd;
        }
        self.efficacy.clear();
        self.efficacy.resize(arm.truth.dlt[0].len(), EfficacyCounts::default());
        for (r, o) in self.records.iter().zip(&self.outcomes) {
            let c = &mut self.efficacy[r.dose.index()];
            let dlt = r.dlt_at.is_some();
            c.patients += 1;
            c.dlts += u32::from(dlt);
            c.responses += u32::from(o.response);
            c.responses_with_dlt += u32::from(o.response && dlt);
        }
        arm.utility.select_rp2d(&self.efficacy, mtd)
    }
}

/// What one simulated trial produced.
struct TimedTrial {
    end: Decision,
    rp2d: Option<Dose>,
    duration: f64,
}

/// One design under one truth: what every patient's outcome depends on.
struct Arm<'a> {
    timing: &'a Timing,
    truth: &'a TruthThresholds,
    step_up: StepUpRule,
    utility: Utility,
}

/// Who has arrived and been enrolled, waited or been turned away in one trial. Patients are
/// numbered by arrival (their latents follow that order, whatever happens to them).
#[derive(Default)]
struct Enrolment {
    /// The next patient to arrive.
    next: usize,
    waited: u64,
    wait_sum: u128,
    turned_away: u64,
}

impl Enrolment {
    /// The next patient who will accept a place opening at `open`: those who would wait longer
    /// than `max_wait` are turned away. Returns (patient, entry time).
    fn next_patient(&mut self, cohorts: &mut Cohorts, timing: &Timing, open: f64) -> (usize, f64) {
        loop {
            let i = self.next;
            let arrival = cohorts.patient(i, timing.arrival);
            if open - arrival > timing.max_wait {
                self.turned_away += 1;
                self.next += 1;
                continue;
            }
            return (i, arrival.max(open));
        }
    }

    /// Enrols `size` patients at `dose` from `open` on; returns the last entry time. Each
    /// patient's regimen follows the design's step-up rule given the CRS-type DLTs observed by
    /// their entry.
    fn enrol(
        &mut self,
        cohorts: &mut Cohorts,
        arm: &Arm,
        (dose, size, stage): (Dose, u16, Stage),
        open: f64,
        patients: &mut Patients,
    ) -> f64 {
        let mut last = open;
        let d = dose.index();
        for _ in 0..size {
            let (i, entry) = self.next_patient(cohorts, arm.timing, open);
            if entry > cohorts.arrivals[i] {
                self.waited += 1;
                self.wait_sum += ((entry - cohorts.arrivals[i]) * 1e6).round() as u128;
            }
            let regimen = arm.step_up.regimen(dose, patients.lowest_crs(entry));
            let r = regimen as usize;
            let u = cohorts.dlt_latent[i];
            let dlt = u < arm.truth.dlt[r][d];
            let dlt_at = dlt.then(|| entry + arm.timing.onset.fraction(cohorts.onset[i]) * arm.timing.window);
            patients.records.push(PatientRecord { dose, entry, dlt_at });
            patients.outcomes.push(Outcome {
                stage,
                regimen,
                crs: u < arm.truth.crs[r][d],
                teae: u < arm.truth.teae[r][d],
                response: arm
                    .truth
                    .efficacy
                    .as_ref()
                    .is_some_and(|e| cohorts.response_latent[i] < e[d]),
            });
            self.next = i + 1;
            last = entry;
        }
        last
    }

    /// Backfill while the escalation cohort at `current` is followed, until `until`: each patient
    /// arriving meanwhile is treated at once at the highest open backfill dose at or below
    /// `cleared` and below `current` (see [`Backfill`]); the first for whom none is open waits.
    fn backfill(
        &mut self,
        cohorts: &mut Cohorts,
        arm: &Arm,
        (rule, limits): (&Backfill, &TrialLimits),
        (current, cleared): (Dose, Option<Dose>),
        until: f64,
        patients: &mut Patients,
    ) {
        let (Some(cleared), Some(below)) = (cleared, current.0.checked_sub(1)) else {
            return;
        };
        let highest = cleared.min(Dose(below));
        // Keep room for the next escalation cohort.
        while patients.len() + 1 + u32::from(limits.cohort_size) <= limits.max_patients {
            let arrival = cohorts.patient(self.next, arm.timing.arrival);
            if arrival >= until {
                return;
            }
            let open = (0..=highest.0).rev().map(Dose).find(|&b| {
                let at = patients.records.iter().filter(|r| r.dose == b).count() as u32;
                let (n, y) = patients.complete_at(b, arrival, arm.timing.window);
                at > 0 && at < rule.max_per_dose && (n == 0 || f64::from(y) < rule.close_at_rate * f64::from(n))
            });
            let Some(dose) = open else { return };
            self.enrol(cohorts, arm, (dose, 1, Stage::Backfill), arrival, patients);
        }
    }
}

fn counts_of(records: &[PatientRecord], num_doses: usize) -> TrialData {
    let mut data = TrialData::new(num_doses);
    for r in records {
        data.add_cohort(r.dose, 1, u16::from(r.dlt_at.is_some()));
    }
    data
}

/// A waiting design: cohort, wait for the windows, decide on complete data (with any backfill
/// patients whose windows have closed). Returns the end of escalation and the time it ended.
fn run_waiting(
    finder: &dyn DoseFinder,
    (arm, backfill): (&Arm, Option<&Backfill>),
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
    mut cache: Option<&mut DecisionCache<'_>>,
) -> (Decision, f64) {
    let limits = finder.limits();
    let window = arm.timing.window;
    let mut escalation = TrialData::new(limits.num_doses);
    let mut data = TrialData::new(limits.num_doses);
    let (mut dose, mut open, mut cleared) = (limits.start_dose, 0.0, None::<Dose>);
    loop {
        let room = limits.max_patients - patients.len();
        let size = finder.next_cohort_size(&data).min(room as u16);
        let first = patients.records.len();
        let last = enrolment.enrol(cohorts, arm, (dose, size, Stage::Escalation), open, patients);
        let dlts = patients.records[first..].iter().filter(|r| r.dlt_at.is_some()).count();
        escalation.add_cohort(dose, size, dlts as u16);
        // Every window of the cohort closes before the next decision.
        open = last + window;
        if let Some(rule) = backfill {
            enrolment.backfill(cohorts, arm, (rule, limits), (dose, cleared), open, patients);
        }
        if patients.len() >= limits.max_patients {
            // Nobody more can be treated: decide once every outcome is known.
            open = open.max(patients.last_close(window));
        }
        patients.decision_data(&escalation, open, window, &mut data);
        let decision = match cache.as_deref_mut() {
            Some(cache) => cache.decide(finder, &data),
            None => finder.decide(&data),
        };
        match decision {
            Decision::Treat(next) => {
                if next > dose {
                    cleared = cleared.max(Some(dose));
                }
                dose = next;
            }
            end => return (end, open),
        }
    }
}

/// A time-to-event design: decide at each cohort's arrival from partial follow-up. Returns the
/// end of escalation and the time it ended.
fn run_time_to_event(
    design: &dyn TimedDesign,
    arm: &Arm,
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
) -> (Decision, f64) {
    let limits = *design.limits();
    let (timing, num_doses) = (arm.timing, arm.truth.dlt[0].len());
    let mut open = 0.0f64;
    while patients.len() < limits.max_patients {
        let (_, now) = enrolment.next_patient(cohorts, timing, open);
        let view = FollowUp {
            patients: &patients.records,
            now,
            window: timing.window,
            num_doses,
        };
        let decision = if patients.records.is_empty() {
            TimedDecision::Treat(limits.start_dose)
        } else {
            design.next(&view)
        };
        match decision {
            TimedDecision::Treat(dose) => {
                let left = limits.max_patients - patients.len();
                let size = u32::from(limits.cohort_size).min(left) as u16;
                enrolment.enrol(cohorts, arm, (dose, size, Stage::Escalation), now, patients);
            }
            // Wait for the next outcome; time always moves on (completion is judged against the
            // closing time itself, so the next event lies after `now`).
            TimedDecision::Wait => open = view.next_event().filter(|&t| t > now).unwrap_or(now + timing.window),
            TimedDecision::Stop { selected, reason } => return (Decision::Stop { selected, reason }, now),
        }
    }
    let end = patients.last_close(timing.window);
    let view = FollowUp {
        patients: &patients.records,
        now: end,
        window: timing.window,
        num_doses,
    };
    let end_decision = Decision::Stop {
        selected: design.select(&view),
        reason: StopReason::MaxPatients,
    };
    (end_decision, end)
}

/// After escalation: once every window has closed, treat an expansion cohort at the provisional
/// RP2D up to `total_patients` (when an MTD was found), then choose the RP2D on every patient.
fn finish(
    (end, ended): (Decision, f64),
    arm: &Arm,
    total_patients: Option<u32>,
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
) -> TimedTrial {
    let mtd = match end {
        Decision::Stop { selected, .. } => selected,
        Decision::Treat(_) => unreachable!("escalation ends with a stop"),
    };
    let closed = ended.max(patients.last_close(arm.timing.window));
    if let (Some(total), Some(_)) = (total_patients, mtd) {
        let more = total.saturating_sub(patients.len());
        if more > 0 {
            let provisional = patients.rp2d(mtd, arm).expect("an MTD gives an RP2D");
            enrolment.enrol(
                cohorts,
                arm,
                (provisional, more as u16, Stage::Expansion),
                closed,
                patients,
            );
        }
    }
    TimedTrial {
        end,
        rp2d: patients.rp2d(mtd, arm),
        duration: closed.max(patients.last_close(arm.timing.window)),
    }
}

/// One trial of one design under one truth: escalation, then expansion and the RP2D.
fn run_trial(
    entry: &TimedEntry,
    (arm, total_patients): (&Arm, Option<u32>),
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
    cache: Option<&mut DecisionCache<'_>>,
) -> TimedTrial {
    let escalation = match &entry.finder {
        TimedFinder::Waiting(f) => run_waiting(
            f.as_ref(),
            (arm, entry.backfill.as_ref()),
            cohorts,
            patients,
            enrolment,
            cache,
        ),
        TimedFinder::TimeToEvent(d) => run_time_to_event(d.as_ref(), arm, cohorts, patients, enrolment),
    };
    finish(escalation, arm, total_patients, cohorts, patients, enrolment)
}

/// What to simulate in calendar time.
pub struct TimedPlan<'a> {
    pub designs: &'a [TimedEntry],
    pub truths: &'a [Truth],
    pub timing: Timing,
    /// Escalation, backfill and expansion together (expansion fills up to it).
    pub total_patients: Option<u32>,
    pub utility: Utility,
    /// The target DLT probability (for the right decision as given).
    pub target: f64,
    pub trials: u64,
    pub seed: u64,
    pub threads: usize,
}

/// Trials per unit of work handed to a thread; results do not depend on it.
const BLOCK: u64 = 64;

/// Simulates the plan; returns counts indexed `[design][truth]`.
pub fn simulate_timed(
    plan: &TimedPlan,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Vec<TimedCounts>>, SimulationError> {
    simulate_timed_trials(plan, 0..plan.trials, progress)
}

/// As [`simulate_timed`], for the trials in `trials` only (a shard of the run).
pub fn simulate_timed_trials(
    plan: &TimedPlan,
    trials: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Vec<TimedCounts>>, SimulationError> {
    let num_doses = plan.truths.first().map_or(0, |t| t.dlt.len());
    let thresholds: Vec<TruthThresholds> = plan
        .truths
        .iter()
        .map(|t| TruthThresholds::new(&t.dlt, &t.profile))
        .collect();
    // The right decision per truth for each level step-up may start from (last: none).
    let correct: Vec<Vec<CorrectDecision>> = plan
        .truths
        .iter()
        .map(|t| {
            (0..=num_doses)
                .map(|s| {
                    let switch = (s < num_doses).then_some(Dose(s as u16));
                    CorrectDecision::for_truth(&dlt_as_given(&t.dlt, &t.profile, switch), plan.target)
                })
                .collect()
        })
        .collect();
    // Each truth's calendar: the plan's, with the truth's own DLT onset where it has one.
    let timings: Vec<Timing> = plan
        .truths
        .iter()
        .map(|t| Timing {
            onset: t.onset.unwrap_or(plan.timing.onset),
            ..plan.timing
        })
        .collect();
    let empty = || -> Vec<Vec<TimedCounts>> {
        plan.designs
            .iter()
            .map(|d| {
                let most = d.limits().max_patients.max(plan.total_patients.unwrap_or(0));
                plan.truths.iter().map(|_| TimedCounts::new(num_doses, most)).collect()
            })
            .collect()
    };
    let shared: Vec<SharedDecisions> = plan.designs.iter().map(|_| SharedDecisions::default()).collect();
    let init = || {
        let caches: Vec<Option<DecisionCache>> = plan
            .designs
            .iter()
            .zip(&shared)
            .map(|(d, shared)| match &d.finder {
                TimedFinder::Waiting(f) if f.cache_decisions() => Some(shared.cache()),
                _ => None,
            })
            .collect();
        (empty(), caches, Cohorts::new(), Patients::default())
    };
    let per_thread = run_blocks(
        trials,
        BLOCK,
        plan.threads,
        init,
        |(counts, caches, cohorts, patients), trial| {
            cohorts.start(plan.seed, trial);
            for (k, entry) in plan.designs.iter().enumerate() {
                for (j, truth) in thresholds.iter().enumerate() {
                    patients.clear();
                    let mut enrolment = Enrolment::default();
                    let arm = Arm {
                        timing: &timings[j],
                        truth,
                        step_up: entry.step_up,
                        utility: plan.utility,
                    };
                    let result = run_trial(
                        entry,
                        (&arm, plan.total_patients),
                        cohorts,
                        patients,
                        &mut enrolment,
                        caches[k].as_mut(),
                    );
                    counts[k][j].record((patients, &enrolment), &result, entry.step_up, &correct[j]);
                }
            }
        },
        progress,
    )?;
    let mut total = empty();
    for (counts, ..) in per_thread {
        for (total_k, counts_k) in total.iter_mut().zip(counts) {
            for (t, c) in total_k.iter_mut().zip(counts_k) {
                t.merge(&c);
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::protocol::TruthProfile;
    use super::*;
    use crate::dose_finding::crm::{Crm, CrmConfig, CrmEstimate, CrmModel};
    use crate::dose_finding::interval::{IntervalConfig, IntervalDesign, IntervalRule};
    use crate::dose_finding::three_plus_three::ThreePlusThree;
    use crate::dose_finding::tite::{TiteCrm, TiteWeights};
    use crate::dose_finding::{TrialLimits, WithRules};

    fn limits(num_doses: usize, cohort_size: u16, max_patients: u32) -> TrialLimits {
        TrialLimits {
            num_doses,
            cohort_size,
            max_patients,
            start_dose: Dose(0),
        }
    }

    fn fixed(interval: f64, window: f64) -> Timing {
        Timing {
            arrival: Arrival::Fixed { interval },
            window,
            teae_followup: 6.0,
            onset: Onset::Uniform,
            max_wait: f64::INFINITY,
        }
    }

    fn three_plus_three(num_doses: usize) -> Box<dyn DoseFinder> {
        Box::new(WithRules::new(
            "3+3",
            ThreePlusThree { deescalate: false },
            Vec::new(),
            limits(num_doses, 3, 30),
        ))
    }

    fn boin(num_doses: usize, max_patients: u32) -> Box<dyn DoseFinder> {
        let config = IntervalConfig::new(0.25, IntervalRule::boin(0.25));
        Box::new(WithRules::new(
            "BOIN",
            IntervalDesign::new(config, max_patients),
            Vec::new(),
            limits(num_doses, 3, max_patients),
        ))
    }

    /// One trial: (result, patients, enrolment).
    fn one_trial(
        entry: &TimedEntry,
        timing: &Timing,
        truth: &TruthThresholds,
        total_patients: Option<u32>,
        (seed, trial): (u64, u64),
    ) -> (TimedTrial, Patients, Enrolment) {
        let arm = Arm {
            timing,
            truth,
            step_up: entry.step_up,
            utility: Utility::default(),
        };
        let (mut cohorts, mut patients, mut enrolment) = (Cohorts::new(), Patients::default(), Enrolment::default());
        cohorts.start(seed, trial);
        let result = run_trial(
            entry,
            (&arm, total_patients),
            &mut cohorts,
            &mut patients,
            &mut enrolment,
            None,
        );
        (result, patients, enrolment)
    }

    fn entries(patients: &Patients) -> Vec<f64> {
        patients.records.iter().map(|r| r.entry).collect()
    }

    /// Deterministic: one patient a month, a one-month window, no DLTs, two doses. 3+3 treats
    /// months 0, 1, 2, waits until month 3, treats 3, 4, 5 and stops when the last window closes
    /// at month 6; the patient due at month 3 does not wait.
    #[test]
    fn waiting_design_duration_is_exact() {
        let entry = TimedEntry::plain(TimedFinder::Waiting(three_plus_three(2)));
        let safe = TruthThresholds::direct(&[0.0, 0.0]);
        let (trial, patients, enrolment) = one_trial(&entry, &fixed(1.0, 1.0), &safe, None, (1, 0));
        assert_eq!(trial.duration, 6.0);
        assert_eq!(entries(&patients), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(enrolment.waited, 0);
        // Arrivals every 0.25 months: the second cohort waits for the first's windows to close.
        let (trial, patients, enrolment) = one_trial(&entry, &fixed(0.25, 1.0), &safe, None, (1, 0));
        assert_eq!(entries(&patients), [0.0, 0.25, 0.5, 1.5, 1.5, 1.5]);
        assert_eq!(trial.duration, 2.5);
        assert_eq!(enrolment.waited, 3);
        // Nobody waits: the three who arrive while the windows are open are turned away.
        let timing = Timing {
            max_wait: 0.0,
            ..fixed(0.25, 1.0)
        };
        let (trial, patients, enrolment) = one_trial(&entry, &timing, &safe, None, (1, 0));
        assert_eq!(entries(&patients), [0.0, 0.25, 0.5, 1.5, 1.75, 2.0]);
        assert_eq!((enrolment.waited, enrolment.turned_away), (0, 3));
        assert_eq!(trial.duration, 3.0);
    }

    /// A waiting design never treats a patient before the previous cohort's windows have closed.
    #[test]
    fn waiting_design_never_treats_before_windows_close() {
        let entry = TimedEntry::plain(TimedFinder::Waiting(three_plus_three(5)));
        let timing = Timing {
            arrival: Arrival::Poisson { rate: 4.0 },
            ..fixed(1.0, 0.9)
        };
        let truth = TruthThresholds::direct(&[0.1, 0.2, 0.3, 0.4, 0.5]);
        for trial in 0..500 {
            let (_, patients, _) = one_trial(&entry, &timing, &truth, None, (7, trial));
            let records = &patients.records;
            for (c, cohort) in records.chunks(3).enumerate().skip(1) {
                let previous_close = records[3 * c - 1].entry + timing.window;
                assert!(
                    cohort.iter().all(|r| r.entry >= previous_close),
                    "trial {trial} cohort {c}"
                );
            }
        }
    }

    #[test]
    fn late_onset_puts_the_share_in_the_last_part() {
        let onset = Onset::Late { share: 0.7, last: 0.5 };
        let n = 200_000;
        let late = (0..n)
            .filter(|&i| onset.fraction((i as f64 + 0.5) / n as f64) > 0.5)
            .count();
        assert!((late as f64 / n as f64 - 0.7).abs() < 1e-3, "{late}");
        assert!(Onset::weibull_shape(0.5, 0.5).unwrap() > 1.0);
    }

    fn tite_crm(num_doses: usize) -> Box<dyn TimedDesign> {
        let crm = Crm::new(CrmConfig {
            target: 0.25,
            skeleton: (1..=num_doses).map(|i| 0.05 * i as f64).collect(),
            model: CrmModel::Empiric,
            prior_variance: 1.34,
            estimate: CrmEstimate::PlugIn,
            restrict: true,
        });
        Box::new(TiteCrm::new(
            "TITE-CRM",
            crm,
            TiteWeights::Linear,
            limits(num_doses, 1, 12),
        ))
    }

    /// TITE-CRM does not wait: with no DLTs, twelve patients one a month end 11 + 1 months in.
    #[test]
    fn time_to_event_design_does_not_wait() {
        let entry = TimedEntry::plain(TimedFinder::TimeToEvent(tite_crm(4)));
        let truth = TruthThresholds::direct(&[0.0; 4]);
        let (trial, patients, enrolment) = one_trial(&entry, &fixed(1.0, 1.0), &truth, None, (3, 0));
        assert_eq!(patients.records.len(), 12);
        assert_eq!(trial.duration, 12.0);
        assert_eq!(enrolment.waited, 0);
        assert!(
            patients.records.windows(2).all(|w| w[1].dose.0 <= w[0].dose.0 + 1),
            "never skips upward"
        );
    }

    /// Regression: TITE-BOIN waiting for a window to close looped for ever when
    /// `entry + window − entry` rounded below the window (28 days = 0.92 months).
    #[test]
    fn tite_boin_waits_and_finishes() {
        use crate::dose_finding::tite::TiteBoin;
        let config = IntervalConfig::new(0.25, IntervalRule::boin(0.25));
        let design = TiteBoin::new("TITE-BOIN", IntervalDesign::new(config, 36), limits(6, 3, 36));
        let entry = TimedEntry::plain(TimedFinder::TimeToEvent(Box::new(design)));
        let timing = Timing {
            arrival: Arrival::Poisson { rate: 2.0 },
            window: 0.92,
            teae_followup: 5.52,
            onset: Onset::Late { share: 0.7, last: 0.5 },
            max_wait: f64::INFINITY,
        };
        let truth = TruthThresholds::direct(&[0.04, 0.1, 0.25, 0.4, 0.52, 0.62]);
        let mut waited = 0;
        for trial in 0..300 {
            let (result, patients, enrolment) = one_trial(&entry, &timing, &truth, None, (11, trial));
            assert!(result.duration.is_finite() && patients.records.len() <= 36);
            waited += enrolment.waited;
        }
        assert!(waited > 0, "TITE-BOIN suspends accrual sometimes");
    }

    /// The committee's switch, exactly: every direct-dosing DLT at DL2 is CRS-type and certain,
    /// and step-up dosing removes it. A cohort at DL2 entering together is given directly (no
    /// CRS-type DLT has been seen at entry); once their DLTs are seen, later patients at DL2 and
    /// DL3 get step-up dosing and those at DL1 stay direct. A pre-specified switch from DL2 gives
    /// step-up from the start.
    #[test]
    fn committee_switches_to_step_up_after_a_crs_dlt() {
        let profile = TruthProfile {
            crs: Some(vec![0.0, 1.0, 0.0]),
            crs_step_up: Some(vec![0.0; 3]),
            dlt_step_up: Some(vec![0.0; 3]),
            ..TruthProfile::default()
        };
        let truth = TruthThresholds::new(&[0.0, 1.0, 0.0], &profile);
        let timing = fixed(0.1, 1.0);
        let enrol_all = |step_up: StepUpRule| {
            let arm = Arm {
                timing: &timing,
                truth: &truth,
                step_up,
                utility: Utility::default(),
            };
            let (mut cohorts, mut patients, mut enrolment) =
                (Cohorts::new(), Patients::default(), Enrolment::default());
            cohorts.start(5, 0);
            for (dose, open) in [(1, 1.0), (1, 3.0), (2, 3.0), (0, 3.0)] {
                enrolment.enrol(
                    &mut cohorts,
                    &arm,
                    (Dose(dose), 3, Stage::Escalation),
                    open,
                    &mut patients,
                );
            }
            patients
        };
        let committee = enrol_all(StepUpRule {
            from: None,
            after_crs: true,
        });
        let regimens: Vec<Regimen> = committee.outcomes.iter().map(|o| o.regimen).collect();
        use Regimen::{Direct as D, StepUp as S};
        assert_eq!(regimens, [D, D, D, S, S, S, S, S, S, D, D, D]);
        let crs: Vec<bool> = committee.outcomes.iter().map(|o| o.crs).collect();
        assert_eq!(crs, [[true; 3], [false; 3], [false; 3], [false; 3]].concat());
        assert!(committee.records[3..].iter().all(|r| r.dlt_at.is_none()));
        let prespecified = enrol_all(StepUpRule {
            from: Some(Dose(1)),
            after_crs: false,
        });
        let regimens: Vec<Regimen> = prespecified.outcomes.iter().map(|o| o.regimen).collect();
        assert_eq!(regimens, [S, S, S, S, S, S, S, S, S, D, D, D]);
        assert!(prespecified.outcomes.iter().all(|o| !o.crs));
    }

    /// Backfill, deterministic: one patient every 0.25 months, a one-month window, no DLTs, BOIN
    /// on three doses with at most 12 patients. Cohort 1 (DL1) enters at 0, 0.25, 0.5 and is
    /// followed until 1.5; nobody is cleared yet, so the next three wait. After escalating, cohort
    /// 2 (DL2) enters at 1.5 and is followed until 2.5: the patients arriving at 1.5, 1.75 and
    /// 2.0 backfill DL1, leaving three places for cohort 3 (DL3: the patient arriving at 2.25
    /// waits until 2.5, then those arriving at 2.5 and 2.75).
    #[test]
    fn backfill_treats_cleared_doses_while_escalation_waits() {
        let entry = TimedEntry {
            finder: TimedFinder::Waiting(boin(3, 12)),
            step_up: StepUpRule::default(),
            backfill: Some(Backfill {
                max_per_dose: 12,
                close_at_rate: 0.3,
            }),
        };
        let truth = TruthThresholds::direct(&[0.0; 3]);
        let (result, patients, _) = one_trial(&entry, &fixed(0.25, 1.0), &truth, None, (1, 0));
        let stages: Vec<(u16, Stage, f64)> = patients
            .records
            .iter()
            .zip(&patients.outcomes)
            .map(|(r, o)| (r.dose.0, o.stage, r.entry))
            .collect();
        use Stage::{Backfill as B, Escalation as E};
        assert_eq!(
            stages,
            [
                (0, E, 0.0),
                (0, E, 0.25),
                (0, E, 0.5),
                (1, E, 1.5),
                (1, E, 1.5),
                (1, E, 1.5),
                (0, B, 1.5),
                (0, B, 1.75),
                (0, B, 2.0),
                (2, E, 2.5),
                (2, E, 2.5),
                (2, E, 2.75),
            ]
        );
        assert_eq!(
            result.end,
            Decision::Stop {
                selected: Some(Dose(2)),
                reason: StopReason::MaxPatients
            }
        );
    }

    /// Expansion fills up to the total at the RP2D once escalation has ended and every window has
    /// closed; with no response endpoint the RP2D is the MTD.
    #[test]
    fn expansion_fills_the_total_at_the_rp2d() {
        let entry = TimedEntry::plain(TimedFinder::Waiting(three_plus_three(2)));
        let truth = TruthThresholds::direct(&[0.0, 0.0]);
        let (result, patients, _) = one_trial(&entry, &fixed(1.0, 1.0), &truth, Some(10), (1, 0));
        assert_eq!(patients.records.len(), 10);
        let expansion: Vec<(u16, f64)> = patients
            .records
            .iter()
            .zip(&patients.outcomes)
            .filter(|(_, o)| o.stage == Stage::Expansion)
            .map(|(r, _)| (r.dose.0, r.entry))
            .collect();
        assert_eq!(expansion, [(1, 6.0), (1, 7.0), (1, 8.0), (1, 9.0)]);
        assert_eq!(result.rp2d, Some(Dose(1)));
        assert_eq!(result.duration, 10.0);
    }

    #[test]
    fn same_results_on_one_and_two_threads() {
        let designs = [
            TimedEntry::plain(TimedFinder::Waiting(three_plus_three(4))),
            TimedEntry::plain(TimedFinder::TimeToEvent(tite_crm(4))),
        ];
        let truths = [Truth {
            name: "t".into(),
            dlt: vec![0.05, 0.15, 0.3, 0.5],
            onset: None,
            profile: TruthProfile {
                teae: Some(vec![0.3, 0.4, 0.5, 0.6]),
                efficacy: Some(vec![0.1, 0.3, 0.5, 0.5]),
                ..TruthProfile::default()
            },
        }];
        let run = |threads| {
            let plan = TimedPlan {
                designs: &designs,
                truths: &truths,
                timing: Timing {
                    arrival: Arrival::Poisson { rate: 2.0 },
                    ..fixed(1.0, 1.0)
                },
                total_patients: None,
                utility: Utility::default(),
                target: 0.25,
                trials: 300,
                seed: 5,
                threads,
            };
            simulate_timed(&plan, &|_| {}).unwrap()
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one, two);
        assert!(
            one[0][0].duration_mean() > one[1][0].duration_mean(),
            "waiting takes longer"
        );
    }

    /// TEAE intervals on a deterministic case: every patient has a TEAE (probability 1), so each
    /// trial's interval at a dose with n patients is the exact [(0.025)^(1/n), 1].
    #[test]
    fn teae_intervals_are_exact_clopper_pearson() {
        let designs = [TimedEntry::plain(TimedFinder::Waiting(three_plus_three(2)))];
        let truths = [Truth {
            name: "t".into(),
            dlt: vec![0.0, 0.0],
            onset: None,
            profile: TruthProfile {
                teae: Some(vec![1.0, 1.0]),
                ..TruthProfile::default()
            },
        }];
        let plan = TimedPlan {
            designs: &designs,
            truths: &truths,
            timing: fixed(1.0, 1.0),
            total_patients: Some(9),
            utility: Utility::default(),
            target: 0.25,
            trials: 20,
            seed: 1,
            threads: 1,
        };
        let counts = simulate_timed(&plan, &|_| {}).unwrap();
        let summary = counts[0][0].summary(vec![0.0, 0.0], Some(Dose(1)), &mut FxHashMap::default());
        // 3 patients at DL1 and 3 + 3 expansion patients at DL2 in every trial.
        assert_eq!(summary.doses[0].teae_mean, 3.0);
        assert_eq!(summary.doses[1].teae_mean, 6.0);
        assert!((summary.doses[0].teae_ci_lower_mean - 0.025f64.powf(1.0 / 3.0)).abs() < 1e-9);
        assert!((summary.doses[1].teae_ci_lower_mean - 0.025f64.powf(1.0 / 6.0)).abs() < 1e-9);
        assert_eq!(summary.doses[1].teae_ci_upper_mean, 1.0);
        assert_eq!(summary.doses[1].rp2d_pct, 100.0);
        assert_eq!(summary.doses[1].expansion_patients_mean, 3.0);
    }
}
