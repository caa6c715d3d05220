//! Calendar-time simulation: patients arrive over time, each with a DLT assessment window.
//!
//! Designs that need complete data (3+3, BOIN, CRM, … as [`DoseFinder`]s) treat a cohort and then
//! suspend accrual until every window of that cohort has closed; patients who arrive meanwhile
//! wait. Time-to-event designs ([`TimedDesign`]s) decide as each cohort arrives from whatever
//! follow-up exists, and suspend accrual only when they say so. Every design and truth sees the
//! same patients (arrival gaps, DLT latents and DLT onset times), and trial t's stream depends
//! only on (seed, t), so results do not depend on the number of threads.

use super::cache::{DecisionCache, SharedDecisions};
use super::engine::{SimulationError, Truth};
use super::oc::OcCounts;
use super::parallel::run_blocks;
use super::rng::{dlt_threshold, trial_rng};
use crate::dose_finding::tite::{FollowUp, PatientRecord, TimedDecision, TimedDesign};
use crate::dose_finding::{Decision, Dose, DoseFinder, StopReason, TrialData};
use rand::RngCore;
use rand_xoshiro::Xoshiro256PlusPlus;

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

/// A design run in calendar time.
pub enum TimedEntry {
    /// Treats a cohort, then waits for every window to close before deciding.
    Waiting(Box<dyn DoseFinder>),
    /// Decides from partial follow-up.
    TimeToEvent(Box<dyn TimedDesign>),
}

impl TimedEntry {
    pub fn name(&self) -> &str {
        match self {
            TimedEntry::Waiting(d) => d.name(),
            TimedEntry::TimeToEvent(d) => d.name(),
        }
    }

    fn max_patients(&self) -> u32 {
        match self {
            TimedEntry::Waiting(d) => d.limits().max_patients,
            TimedEntry::TimeToEvent(d) => d.limits().max_patients,
        }
    }
}

/// Duration histogram resolution: months per bin, and the number of bins (the last collects
/// everything beyond).
const DURATION_BIN: f64 = 0.05;
const DURATION_BINS: usize = 4800;

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
}

/// One trial's patients: arrival times, DLT latents and onset fractions, drawn lazily from the
/// trial's stream (three uniforms per patient, in that order).
struct Cohorts {
    rng: Xoshiro256PlusPlus,
    arrivals: Vec<f64>,
    dlt_latent: Vec<u64>,
    onset: Vec<f64>,
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
        }
    }

    fn start(&mut self, seed: u64, trial: u64) {
        // A stream of its own, distinct from the untimed engine's (seed mixed with a constant).
        self.rng = trial_rng(seed ^ 0x7469_6d65_645f_7472, trial);
        self.arrivals.clear();
        self.dlt_latent.clear();
        self.onset.clear();
    }

    /// Ensures patient `i` exists.
    fn patient(&mut self, i: usize, arrival: Arrival) {
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
        }
    }
}

/// What one simulated trial produced.
struct TimedTrial {
    end: Decision,
    duration: f64,
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
            cohorts.patient(i, timing.arrival);
            let arrival = cohorts.arrivals[i];
            if open - arrival > timing.max_wait {
                self.turned_away += 1;
                self.next += 1;
                continue;
            }
            return (i, arrival.max(open));
        }
    }

    /// Enrols `size` patients at `dose` from `open` on; returns the last entry time.
    fn enrol(
        &mut self,
        cohorts: &mut Cohorts,
        (timing, thresholds): (&Timing, &[u64]),
        dose: Dose,
        size: u16,
        open: f64,
        records: &mut Vec<PatientRecord>,
    ) -> f64 {
        let mut last = open;
        for _ in 0..size {
            let (i, entry) = self.next_patient(cohorts, timing, open);
            if entry > cohorts.arrivals[i] {
                self.waited += 1;
                self.wait_sum += ((entry - cohorts.arrivals[i]) * 1e6).round() as u128;
            }
            let dlt = cohorts.dlt_latent[i] < thresholds[dose.index()];
            let dlt_at = dlt.then(|| entry + timing.onset.fraction(cohorts.onset[i]) * timing.window);
            records.push(PatientRecord { dose, entry, dlt_at });
            self.next = i + 1;
            last = entry;
        }
        last
    }
}

fn counts_of(records: &[PatientRecord], num_doses: usize) -> TrialData {
    let mut data = TrialData::new(num_doses);
    for r in records {
        data.add_cohort(r.dose, 1, u16::from(r.dlt_at.is_some()));
    }
    data
}

/// A waiting design: cohort, wait for the windows, decide on complete data.
fn run_waiting(
    finder: &dyn DoseFinder,
    timing: &Timing,
    thresholds: &[u64],
    cohorts: &mut Cohorts,
    records: &mut Vec<PatientRecord>,
    enrolment: &mut Enrolment,
    mut cache: Option<&mut DecisionCache<'_>>,
) -> TimedTrial {
    let mut data = TrialData::new(thresholds.len());
    let (mut dose, mut open) = (finder.limits().start_dose, 0.0);
    loop {
        let size = finder.next_cohort_size(&data);
        let last = enrolment.enrol(cohorts, (timing, thresholds), dose, size, open, records);
        let dlts = records[records.len() - size as usize..]
            .iter()
            .filter(|r| r.dlt_at.is_some())
            .count();
        data.add_cohort(dose, size, dlts as u16);
        // Every window of the cohort closes before the next decision.
        open = last + timing.window;
        let decision = match cache.as_deref_mut() {
            Some(cache) => cache.decide(finder, &data),
            None => finder.decide(&data),
        };
        match decision {
            Decision::Treat(next) => dose = next,
            end => return TimedTrial { end, duration: open },
        }
    }
}

/// A time-to-event design: decide at each cohort's arrival from partial follow-up.
fn run_time_to_event(
    design: &dyn TimedDesign,
    timing: &Timing,
    thresholds: &[u64],
    cohorts: &mut Cohorts,
    records: &mut Vec<PatientRecord>,
    enrolment: &mut Enrolment,
) -> TimedTrial {
    let limits = *design.limits();
    let num_doses = thresholds.len();
    let mut open = 0.0f64;
    while (records.len() as u32) < limits.max_patients {
        let (_, now) = enrolment.next_patient(cohorts, timing, open);
        let view = FollowUp {
            patients: records,
            now,
            window: timing.window,
            num_doses,
        };
        let decision = if records.is_empty() {
            TimedDecision::Treat(limits.start_dose)
        } else {
            design.next(&view)
        };
        match decision {
            TimedDecision::Treat(dose) => {
                let left = limits.max_patients - records.len() as u32;
                let size = u32::from(limits.cohort_size).min(left) as u16;
                enrolment.enrol(cohorts, (timing, thresholds), dose, size, now, records);
            }
            // Wait for the next outcome; time always moves on (completion is judged against the
            // closing time itself, so the next event lies after `now`).
            TimedDecision::Wait => open = view.next_event().filter(|&t| t > now).unwrap_or(now + timing.window),
            TimedDecision::Stop { selected, reason } => {
                let end = records.iter().map(|r| r.entry + timing.window).fold(now, f64::max);
                return TimedTrial {
                    end: Decision::Stop { selected, reason },
                    duration: end,
                };
            }
        }
    }
    let end = records.iter().map(|r| r.entry + timing.window).fold(0.0, f64::max);
    let view = FollowUp {
        patients: records,
        now: end,
        window: timing.window,
        num_doses,
    };
    TimedTrial {
        end: Decision::Stop {
            selected: design.select(&view),
            reason: StopReason::MaxPatients,
        },
        duration: end,
    }
}

/// What to simulate in calendar time.
pub struct TimedPlan<'a> {
    pub designs: &'a [TimedEntry],
    pub truths: &'a [Truth],
    pub timing: Timing,
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
    let thresholds: Vec<Vec<u64>> = plan
        .truths
        .iter()
        .map(|t| t.dlt.iter().map(|&p| dlt_threshold(p)).collect())
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
                plan.truths
                    .iter()
                    .map(|_| TimedCounts::new(num_doses, d.max_patients()))
                    .collect()
            })
            .collect()
    };
    let shared: Vec<SharedDecisions> = plan.designs.iter().map(|_| SharedDecisions::default()).collect();
    let init = || {
        let caches: Vec<Option<DecisionCache>> = plan
            .designs
            .iter()
            .zip(&shared)
            .map(|(d, shared)| match d {
                TimedEntry::Waiting(f) if f.cache_decisions() => Some(shared.cache()),
                _ => None,
            })
            .collect();
        (empty(), caches, Cohorts::new(), Vec::new())
    };
    let per_thread = run_blocks(
        trials,
        BLOCK,
        plan.threads,
        init,
        |(counts, caches, cohorts, records), trial| {
            cohorts.start(plan.seed, trial);
            for (k, entry) in plan.designs.iter().enumerate() {
                for (j, truth) in thresholds.iter().enumerate() {
                    records.clear();
                    let mut enrolment = Enrolment::default();
                    let timing = &timings[j];
                    let result = match entry {
                        TimedEntry::Waiting(f) => run_waiting(
                            f.as_ref(),
                            timing,
                            truth,
                            cohorts,
                            records,
                            &mut enrolment,
                            caches[k].as_mut(),
                        ),
                        TimedEntry::TimeToEvent(d) => {
                            run_time_to_event(d.as_ref(), timing, truth, cohorts, records, &mut enrolment)
                        }
                    };
                    let c = &mut counts[k][j];
                    c.oc.record(&counts_of(records, num_doses), result.end);
                    let bin = ((result.duration / DURATION_BIN) as usize).min(DURATION_BINS - 1);
                    c.duration[bin] += 1;
                    c.duration_sum += (result.duration * 1e6).round() as u128;
                    c.waited += enrolment.waited;
                    c.wait_sum += enrolment.wait_sum;
                    c.turned_away += enrolment.turned_away;
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
    use super::*;
    use crate::dose_finding::crm::{Crm, CrmConfig, CrmEstimate, CrmModel};
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

    /// Deterministic: one patient a month, a one-month window, no DLTs, two doses. 3+3 treats
    /// months 0, 1, 2, waits until month 3, treats 3, 4, 5 and stops when the last window closes
    /// at month 6; the patient due at month 3 does not wait.
    #[test]
    fn waiting_design_duration_is_exact() {
        let (finder, timing) = (three_plus_three(2), fixed(1.0, 1.0));
        let (mut cohorts, mut records, mut enrolment) = (Cohorts::new(), Vec::new(), Enrolment::default());
        cohorts.start(1, 0);
        let trial = run_waiting(
            finder.as_ref(),
            &timing,
            &[0, 0],
            &mut cohorts,
            &mut records,
            &mut enrolment,
            None,
        );
        assert_eq!(trial.duration, 6.0);
        let entries: Vec<f64> = records.iter().map(|r| r.entry).collect();
        assert_eq!(entries, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(enrolment.waited, 0);
        // Arrivals every 0.25 months: the second cohort waits for the first's windows to close.
        let timing = fixed(0.25, 1.0);
        let (mut records, mut enrolment) = (Vec::new(), Enrolment::default());
        cohorts.start(1, 0);
        let trial = run_waiting(
            finder.as_ref(),
            &timing,
            &[0, 0],
            &mut cohorts,
            &mut records,
            &mut enrolment,
            None,
        );
        let entries: Vec<f64> = records.iter().map(|r| r.entry).collect();
        assert_eq!(entries, [0.0, 0.25, 0.5, 1.5, 1.5, 1.5]);
        assert_eq!(trial.duration, 2.5);
        assert_eq!(enrolment.waited, 3);
        // Nobody waits: the three who arrive while the windows are open are turned away.
        let timing = Timing {
            max_wait: 0.0,
            ..fixed(0.25, 1.0)
        };
        let (mut records, mut enrolment) = (Vec::new(), Enrolment::default());
        cohorts.start(1, 0);
        let trial = run_waiting(
            finder.as_ref(),
            &timing,
            &[0, 0],
            &mut cohorts,
            &mut records,
            &mut enrolment,
            None,
        );
        let entries: Vec<f64> = records.iter().map(|r| r.entry).collect();
        assert_eq!(entries, [0.0, 0.25, 0.5, 1.5, 1.75, 2.0]);
        assert_eq!((enrolment.waited, enrolment.turned_away), (0, 3));
        assert_eq!(trial.duration, 3.0);
    }

    /// A waiting design never treats a patient before the previous cohort's windows have closed.
    #[test]
    fn waiting_design_never_treats_before_windows_close() {
        let finder = three_plus_three(5);
        let timing = Timing {
            arrival: Arrival::Poisson { rate: 4.0 },
            ..fixed(1.0, 0.9)
        };
        let mut cohorts = Cohorts::new();
        for trial in 0..500 {
            let (mut records, mut enrolment) = (Vec::new(), Enrolment::default());
            cohorts.start(7, trial);
            let thresholds: Vec<u64> = [0.1, 0.2, 0.3, 0.4, 0.5].iter().map(|&p| dlt_threshold(p)).collect();
            run_waiting(
                finder.as_ref(),
                &timing,
                &thresholds,
                &mut cohorts,
                &mut records,
                &mut enrolment,
                None,
            );
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
        let (design, timing) = (tite_crm(4), fixed(1.0, 1.0));
        let (mut cohorts, mut records, mut enrolment) = (Cohorts::new(), Vec::new(), Enrolment::default());
        cohorts.start(3, 0);
        let trial = run_time_to_event(
            design.as_ref(),
            &timing,
            &[0; 4],
            &mut cohorts,
            &mut records,
            &mut enrolment,
        );
        assert_eq!(records.len(), 12);
        assert_eq!(trial.duration, 12.0);
        assert_eq!(enrolment.waited, 0);
        assert!(
            records.windows(2).all(|w| w[1].dose.0 <= w[0].dose.0 + 1),
            "never skips upward"
        );
    }

    /// Regression: TITE-BOIN waiting for a window to close looped for ever when
    /// `entry + window − entry` rounded below the window (28 days = 0.92 months).
    #[test]
    fn tite_boin_waits_and_finishes() {
        use crate::dose_finding::interval::{IntervalConfig, IntervalDesign, IntervalRule};
        use crate::dose_finding::tite::TiteBoin;
        let config = IntervalConfig::new(0.25, IntervalRule::boin(0.25));
        let design = TiteBoin::new("TITE-BOIN", IntervalDesign::new(config, 36), limits(6, 3, 36));
        let timing = Timing {
            arrival: Arrival::Poisson { rate: 2.0 },
            window: 0.92,
            teae_followup: 5.52,
            onset: Onset::Late { share: 0.7, last: 0.5 },
            max_wait: f64::INFINITY,
        };
        let thresholds: Vec<u64> = [0.04, 0.1, 0.25, 0.4, 0.52, 0.62]
            .iter()
            .map(|&p| dlt_threshold(p))
            .collect();
        let mut cohorts = Cohorts::new();
        let mut waited = 0;
        for trial in 0..300 {
            let (mut records, mut enrolment) = (Vec::new(), Enrolment::default());
            cohorts.start(11, trial);
            let result = run_time_to_event(
                &design,
                &timing,
                &thresholds,
                &mut cohorts,
                &mut records,
                &mut enrolment,
            );
            assert!(result.duration.is_finite() && records.len() <= 36);
            waited += enrolment.waited;
        }
        assert!(waited > 0, "TITE-BOIN suspends accrual sometimes");
    }

    #[test]
    fn same_results_on_one_and_two_threads() {
        let designs = [
            TimedEntry::Waiting(three_plus_three(4)),
            TimedEntry::TimeToEvent(tite_crm(4)),
        ];
        let truths = [Truth {
            name: "t".into(),
            dlt: vec![0.05, 0.15, 0.3, 0.5],
            onset: None,
        }];
        let run = |threads| {
            let plan = TimedPlan {
                designs: &designs,
                truths: &truths,
                timing: Timing {
                    arrival: Arrival::Poisson { rate: 2.0 },
                    ..fixed(1.0, 1.0)
                },
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
}
