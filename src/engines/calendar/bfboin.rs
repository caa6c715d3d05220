//! BF-BOIN (Zhao, Yuan, Korn & Freidlin 2024, Clin Cancer Res 30:673) as the authors' R package
//! bfboin 0.1.1 codes it (`sim.one.trial`): the escalation loop of an interval design with
//! backfill ([`BackfillVariant::Bfboin`](crate::core::BackfillVariant)).
//!
//! A cohort is treated at the current dose and is complete once each of its patients has had a
//! DLT or finished the window. Meanwhile each arriving patient is backfilled at an open dose below
//! the current one (the highest, the lowest or one at random: bfboin's `backfill.assign`), or
//! turned away unless they can wait for the next cohort. The
//! decision is taken when the next patient arrives, on every outcome known then: each dose up to
//! the current one gets its own call from the design's table; calls that disagree with the current
//! dose's are resolved by pooling. The MTD is selected on the outcomes known when the last cohort
//! is complete.

use super::enrolment::{Cohorts, Enrolment};
use super::patients::{Patients, Stage};
use super::trial::Arm;
use crate::core::limits::MAX_DOSES;
use crate::core::random::UNIFORM_BITS;
use crate::core::{Backfill, BackfillAssign, BfBoinTable};
use crate::designs::{Decision, Dose, DoseFinder, StopReason, TrialData};

/// A dose's call from its own counts (bfboin's `decision`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Escalate,
    Stay,
    Deescalate,
    Eliminate,
}

/// What BF-BOIN's rule decides after a cohort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Treat the next cohort at this dose.
    Treat(usize),
    /// Stay at this dose, unless it has `n_earlystop` patients (then stop and select).
    Stay(usize),
    /// Stop: the lowest dose is too toxic.
    TooToxic,
}

/// (patients, DLTs) at a dose.
type Count = (u32, u32);

/// The doses open for backfill: bit k for dose k.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct OpenDoses(u128);

const _: () = assert!(MAX_DOSES <= u128::BITS as usize, "a dose per bit of OpenDoses");

impl BackfillAssign {
    /// The open dose a backfill patient is treated at, `None` if none is open; `latent` (53 bits,
    /// drawn only for [`BackfillAssign::Random`]) picks the ⌊u·m⌋-th lowest of m open doses,
    /// u = latent / 2^53.
    fn pick(self, OpenDoses(open): OpenDoses, latent: impl FnOnce() -> u64) -> Option<usize> {
        if open == 0 {
            return None;
        }
        let k = match self {
            BackfillAssign::Highest => u128::BITS - 1 - open.leading_zeros(),
            BackfillAssign::Lowest => open.trailing_zeros(),
            BackfillAssign::Random => {
                let j = (u128::from(latent()) * u128::from(open.count_ones())) >> UNIFORM_BITS;
                let mut rest = open;
                for _ in 0..j {
                    rest &= rest - 1;
                }
                rest.trailing_zeros()
            }
        };
        Some(k as usize)
    }
}

/// The count at `n` of a table, `None` past its end.
fn at(table: &[Option<u32>], n: u32) -> Option<u32> {
    table.get(n as usize).copied().flatten()
}

impl BfBoinTable {
    /// The call of y DLTs in n patients (n taken as at least 1, as bfboin's `pmax(1, n)`).
    fn call(&self, (n, y): Count) -> Call {
        let n = n.max(1);
        if at(&self.escalate, n).is_some_and(|e| y <= e) {
            Call::Escalate
        } else if at(&self.eliminate, n).is_some_and(|e| y >= e) {
            Call::Eliminate
        } else if at(&self.deescalate, n).is_some_and(|e| y >= e) {
            Call::Deescalate
        } else {
            Call::Stay
        }
    }

    /// Whether y of n lies below the de-escalation boundary (λd for BOIN).
    fn below_deescalation(&self, (n, y): Count) -> bool {
        at(&self.deescalate, n.max(1)).is_none_or(|e| y < e)
    }

    /// The extra safety rule at the lowest dose.
    fn lowest_unsafe(&self, (n, y): Count) -> bool {
        self.extra_safe && at(&self.lowest_dose_stop, n).is_some_and(|s| y >= s)
    }

    /// BF-BOIN's decision at dose `d` from the counts of doses 0..=d (`counts`), the lowest
    /// dose's escalation counts alone (which bfboin's extra safety check reads after pooling)
    /// and the lowest eliminated dose, which it updates.
    fn decide(
        &self,
        counts: &[Count],
        (lowest_escalation, num_doses): (Count, usize),
        eliminated: &mut Option<usize>,
    ) -> Step {
        let d = counts.len() - 1;
        let escalate = |eliminated: Option<usize>| {
            if eliminated.is_none_or(|e| d + 1 < e) && d + 1 < num_doses {
                Step::Treat(d + 1)
            } else {
                Step::Stay(d)
            }
        };
        let mut calls = [Call::Stay; MAX_DOSES];
        for (c, &count) in calls.iter_mut().zip(counts) {
            *c = self.call(count);
        }
        if d == 0 {
            return match calls[0] {
                Call::Escalate => escalate(*eliminated),
                Call::Stay => Step::Stay(0),
                Call::Eliminate => Step::TooToxic,
                Call::Deescalate if self.extra_safe => {
                    if self.lowest_unsafe(counts[0]) {
                        Step::TooToxic
                    } else {
                        Step::Treat(0)
                    }
                }
                Call::Deescalate => Step::Stay(0),
            };
        }
        let lower = &calls[..d];
        let agree = lower.iter().all(|c| matches!(c, Call::Stay | Call::Escalate));
        let from = match calls[d] {
            Call::Escalate if lower.iter().all(|&c| c == Call::Escalate) => return escalate(*eliminated),
            Call::Stay if agree => return Step::Stay(d),
            Call::Deescalate if agree => return Step::Treat(d - 1),
            Call::Eliminate if agree => {
                *eliminated = Some(eliminated.map_or(d, |e| e.min(d)));
                return Step::Treat(d - 1);
            }
            // The highest lower dose whose call disagrees.
            Call::Escalate => lower.iter().rposition(|&c| c != Call::Escalate),
            call => {
                if call == Call::Eliminate {
                    *eliminated = Some(eliminated.map_or(d, |e| e.min(d)));
                }
                lower
                    .iter()
                    .rposition(|c| matches!(c, Call::Deescalate | Call::Eliminate))
            }
        };
        let from = from.expect("a disagreeing lower dose");
        let pooled = counts[from..].iter().fold((0, 0), |(n, y), &(a, b)| (n + a, y + b));
        match self.call(pooled) {
            Call::Escalate => escalate(*eliminated),
            Call::Stay => Step::Stay(d),
            Call::Deescalate | Call::Eliminate => {
                // The highest dose whose data pooled from `from` up lie below de-escalation.
                let mut cumulative = (0, 0);
                let mut safe = None;
                for (j, &(n, y)) in counts.iter().enumerate().skip(from) {
                    cumulative = (cumulative.0 + n, cumulative.1 + y);
                    if self.below_deescalation(cumulative) {
                        safe = Some(j);
                    }
                }
                match safe {
                    Some(j) if j == d => Step::Stay(d),
                    Some(j) => Step::Treat(j),
                    None if from > 0 => Step::Treat(from - 1),
                    None if self.call(counts[0]) == Call::Eliminate || self.lowest_unsafe(lowest_escalation) => {
                        Step::TooToxic
                    }
                    None => Step::Treat(0),
                }
            }
        }
    }

    /// The doses open for backfill to a patient arriving now: those below `d` that the
    /// escalation has treated, whose complete data (`known`, escalation and backfill), or those
    /// pooled with the next dose up, lie below the de-escalation boundary, with no closed dose
    /// below them, and which have at most `cap` patients (escalation and backfill recruited)
    /// and, where `responded` is given, an escalation patient who has responded (bfboin's
    /// `first.response < clock`). At the dose just below `d`, the next dose up counts its earlier
    /// cohorts and the current cohort's known outcomes (`current`), not its backfill patients.
    fn open_doses(
        &self,
        (known, escalation): (&TrialData, &TrialData),
        (d, current): (usize, Count),
        (recruited, responded): (&[u32], Option<&[bool]>),
        cap: u32,
    ) -> OpenDoses {
        let count = |k: usize| (known.patients(Dose(k as u16)), known.dlts(Dose(k as u16)));
        let mut open = 0u128;
        for (k, &backfilled) in recruited.iter().enumerate().take(d) {
            let (n, y) = count(k);
            let (n_up, y_up) = if k + 1 < d {
                count(k + 1)
            } else {
                let e = Dose(d as u16);
                (escalation.patients(e) + current.0, escalation.dlts(e) + current.1)
            };
            let safe = self.below_deescalation((n, y)) || self.below_deescalation((n + n_up, y + y_up));
            if !safe {
                // Every dose above a closed one closes with it.
                break;
            }
            let treated = escalation.patients(Dose(k as u16));
            let active = responded.is_none_or(|r| r[k]);
            if treated > 0 && backfilled + treated <= cap && active {
                open |= 1 << k;
            }
        }
        OpenDoses(open)
    }
}

/// The escalation of an interval design with BF-BOIN backfill. Returns the end of escalation and
/// the time the last cohort was complete.
pub(super) fn run_bfboin(
    finder: &dyn DoseFinder,
    (arm, backfill, table): (&Arm, &Backfill, &BfBoinTable),
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
) -> (Decision, f64) {
    let limits = finder.limits();
    let window = arm.timing.window;
    let num_doses = limits.num_doses;
    let mut escalation = TrialData::new(num_doses);
    let mut data = TrialData::new(num_doses);
    let mut counts = [(0u32, 0u32); MAX_DOSES];
    let (mut d, mut start, mut treated) = (limits.start_dose.index(), 0.0, 0u32);
    let mut eliminated = None;
    loop {
        let size = u32::from(limits.cohort_size).min(table.escalation_patients - treated) as u16;
        let first = patients.records.len();
        enrolment.enrol(cohorts, arm, (Dose(d as u16), size, Stage::Escalation), start, patients);
        treated += u32::from(size);
        let cohort = first..patients.records.len();
        let complete = patients.records[cohort.clone()]
            .iter()
            .map(|r| r.dlt_at.unwrap_or(r.entry + window))
            .fold(0.0, f64::max);
        backfill_while_pending(
            (arm, backfill, table),
            (d, cohort.clone(), complete),
            &escalation,
            cohorts,
            patients,
            enrolment,
            &mut data,
        );
        let dlts = patients.records[cohort].iter().filter(|r| r.dlt_at.is_some()).count();
        escalation.add_cohort(Dose(d as u16), size, dlts as u16);
        // The decision when the next patient arrives (or, if one waits, when the cohort is complete).
        let (_, now) = enrolment.next_patient(cohorts, arm.timing, complete);
        patients.decision_data(&escalation, now, window, &mut data);
        for (k, c) in counts.iter_mut().enumerate().take(d + 1) {
            *c = (data.patients(Dose(k as u16)), data.dlts(Dose(k as u16)));
        }
        let lowest = (escalation.patients(Dose(0)), escalation.dlts(Dose(0)));
        let step = table.decide(&counts[..=d], (lowest, num_doses), &mut eliminated);
        let select = |data: &mut TrialData, reason| {
            patients.decision_data(&escalation, complete, window, data);
            Decision::Stop {
                selected: finder.conclude(data),
                reason,
            }
        };
        let next = match step {
            Step::TooToxic => {
                let end = Decision::Stop {
                    selected: None,
                    reason: StopReason::TooToxic,
                };
                return (end, complete);
            }
            Step::Stay(s) if counts[s].0 >= table.n_earlystop => {
                return (select(&mut data, StopReason::EnoughAtDose), complete);
            }
            Step::Stay(s) | Step::Treat(s) => s,
        };
        if treated >= table.escalation_patients {
            return (select(&mut data, StopReason::MaxPatients), complete);
        }
        d = next;
        start = now;
    }
}

/// While the cohort `cohort` at dose `d` is pending (until `complete`), backfills each arriving
/// patient at the dose the table's `assign` picks among [`BfBoinTable::open_doses`] (at random
/// from the patient's own backfill latent, [`Cohorts::backfill_latent`]); one with no open dose
/// waits for the next cohort if `max_wait` allows, and is otherwise turned away (bfboin refers
/// every such patient away).
fn backfill_while_pending(
    (arm, backfill, table): (&Arm, &Backfill, &BfBoinTable),
    (d, cohort, complete): (usize, std::ops::Range<usize>, f64),
    escalation: &TrialData,
    cohorts: &mut Cohorts,
    patients: &mut Patients,
    enrolment: &mut Enrolment,
    known: &mut TrialData,
) {
    if d == 0 {
        return;
    }
    let window = arm.timing.window;
    let mut recruited = [0u32; MAX_DOSES];
    for (r, o) in patients.records.iter().zip(&patients.outcomes) {
        if o.stage == Stage::Backfill && r.dose.index() < d {
            recruited[r.dose.index()] += 1;
        }
    }
    loop {
        let arrival = cohorts.patient(enrolment.next, arm.timing.arrival);
        if arrival >= complete {
            return;
        }
        patients.decision_data(escalation, arrival, window, known);
        let current = patients.records[cohort.clone()]
            .iter()
            .filter(|r| r.complete(arrival, window))
            .fold((0, 0), |(n, y), r| (n + 1, y + u32::from(r.dlt_observed(arrival))));
        let mut responded = [false; MAX_DOSES];
        if backfill.require_response {
            for (k, r) in responded.iter_mut().enumerate().take(d) {
                *r = patients.responded(Dose(k as u16), arrival, window);
            }
        }
        let responded = backfill.require_response.then_some(&responded[..]);
        let open = table.open_doses(
            (known, escalation),
            (d, current),
            (&recruited, responded),
            backfill.max_per_dose,
        );
        match table.assign.pick(open, || cohorts.backfill_latent(enrolment.next)) {
            Some(k) => {
                enrolment.enrol(cohorts, arm, (Dose(k as u16), 1, Stage::Backfill), arrival, patients);
                recruited[k] += 1;
            }
            None if complete - arrival <= arm.timing.max_wait => return,
            None => {
                enrolment.turned_away += 1;
                enrolment.next += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::interval::{BoundaryTable, IntervalConfig, IntervalRule};

    /// BOIN's table at target 0.25 (λe 0.197, λd 0.298), as bfboin builds it from `get.boundary`.
    fn boin(extra_safe: bool) -> BfBoinTable {
        let table = BoundaryTable::new(&IntervalConfig::new(0.25, IntervalRule::boin(0.25)), 60);
        BfBoinTable {
            escalate: table.escalate,
            deescalate: table.deescalate,
            eliminate: table.eliminate,
            extra_safe,
            lowest_dose_stop: table.lowest_dose_stop,
            n_earlystop: 100,
            escalation_patients: 30,
            assign: BackfillAssign::Highest,
        }
    }

    fn decide(counts: &[Count]) -> (Step, Option<usize>) {
        let mut eliminated = None;
        let step = boin(false).decide(counts, (counts[0], 5), &mut eliminated);
        (step, eliminated)
    }

    /// Without disagreement each dose's call stands: escalate, stay, de-escalate, eliminate.
    #[test]
    fn agreeing_calls_decide_alone() {
        assert_eq!(decide(&[(3, 0), (3, 0)]).0, Step::Treat(2));
        assert_eq!(decide(&[(3, 0), (6, 1)]).0, Step::Treat(2));
        assert_eq!(decide(&[(3, 0), (9, 2)]).0, Step::Stay(1));
        assert_eq!(decide(&[(3, 0), (3, 1)]).0, Step::Treat(0));
        assert_eq!(decide(&[(3, 0), (3, 3)]), (Step::Treat(0), Some(1)));
        assert_eq!(decide(&[(3, 3)]).0, Step::TooToxic);
    }

    /// The current dose escalates on 0/3 but DL2 de-escalates on 3/9 (backfill): pooled 3/12
    /// lies between λe·12 and λd·12, so the trial stays (where BOIN alone would escalate).
    #[test]
    fn disagreement_pools_from_the_highest_disagreeing_dose() {
        assert_eq!(decide(&[(3, 0), (9, 3), (3, 0)]).0, Step::Stay(2));
        // Pooled 4/12 de-escalates and no dose pooled from DL2 up (3/9, 4/12) lies below λd:
        // the trial goes below the pool, to DL1.
        assert_eq!(decide(&[(3, 0), (9, 3), (3, 1)]).0, Step::Treat(0));
        // DL2 de-escalates on 2/6 while the current dose stays on 2/9: pooled 4/15 stays.
        assert_eq!(decide(&[(3, 0), (6, 2), (9, 2)]).0, Step::Stay(2));
        // Pooled 1/12 escalates.
        assert_eq!(decide(&[(3, 0), (9, 1), (3, 0)]).0, Step::Treat(3));
    }

    /// A de-escalating pool with no safe dose at the lowest level stops only if DL1 crosses
    /// elimination.
    #[test]
    fn pool_without_a_safe_dose_falls_below_it() {
        assert_eq!(decide(&[(6, 3), (3, 2)]).0, Step::Treat(0));
        assert_eq!(decide(&[(6, 5), (3, 2)]).0, Step::TooToxic);
    }

    fn open_doses(known: &[Count], current: (usize, Count), recruited: &[u32], cap: u32) -> OpenDoses {
        let mut data = TrialData::new(5);
        let mut escalation = TrialData::new(5);
        for (k, &(n, y)) in known.iter().enumerate() {
            data.add_cohort(Dose(k as u16), n as u16, y as u16);
            escalation.add_cohort(Dose(k as u16), 3, 0);
        }
        boin(false).open_doses((&data, &escalation), current, (recruited, None), cap)
    }

    /// The dose bfboin's default assignment (the highest open dose) picks.
    fn open(known: &[Count], current: (usize, Count), recruited: &[u32], cap: u32) -> Option<usize> {
        BackfillAssign::Highest.pick(open_doses(known, current, recruited, cap), || unreachable!())
    }

    /// The highest safe dose below the current one opens; a dose above an unsafe one closes with
    /// it; the cap is compared with ≤.
    #[test]
    fn backfill_opens_below_the_current_dose() {
        assert_eq!(open(&[(3, 0), (3, 0)], (2, (0, 0)), &[0, 0, 0], 12), Some(1));
        // DL1 at 2/3 is unsafe alone and pooled with DL2's 0/3 (2/6 ≥ λd·6): DL2 closes too.
        assert_eq!(open(&[(3, 2), (3, 0)], (2, (0, 0)), &[0, 0, 0], 12), None);
        // DL2 at 1/3 is unsafe alone but 1/6 pooled with the current cohort's 0/3 is not.
        assert_eq!(open(&[(3, 0), (3, 1)], (2, (3, 0)), &[0, 0, 0], 12), Some(1));
        // 3 escalation + 9 backfill = 12 ≤ 12: open; 3 + 10 > 12: DL1 instead.
        assert_eq!(open(&[(3, 0), (3, 0)], (2, (0, 0)), &[0, 9, 0], 12), Some(1));
        assert_eq!(open(&[(3, 0), (3, 0)], (2, (0, 0)), &[0, 10, 0], 12), Some(0));
    }

    /// With the response gate, only doses where an escalation patient has responded open: the
    /// highest such safe dose below the current one.
    #[test]
    fn backfill_waits_for_a_response() {
        let mut data = TrialData::new(5);
        let mut escalation = TrialData::new(5);
        for k in 0..2 {
            data.add_cohort(Dose(k), 3, 0);
            escalation.add_cohort(Dose(k), 3, 0);
        }
        let table = boin(false);
        let open = |responded: &[bool]| {
            let gate = (&[0u32; 3][..], Some(responded));
            let open = table.open_doses((&data, &escalation), (2, (0, 0)), gate, 12);
            BackfillAssign::Highest.pick(open, || unreachable!())
        };
        assert_eq!(open(&[true, true]), Some(1));
        assert_eq!(open(&[true, false]), Some(0));
        assert_eq!(open(&[false, false]), None);
    }

    /// With DL1–DL3 open below the current DL4 (none past the cap, all safe), "highest" picks
    /// DL3 and "lowest" DL1; over the cap, DL1 closes and "lowest" moves up to DL2; with DL2
    /// unsafe, DL2 and DL3 close and every rule picks DL1.
    #[test]
    fn assign_picks_the_highest_or_the_lowest_open_dose() {
        let safe = [(3, 0), (3, 0), (3, 0)];
        let pick = |assign: BackfillAssign, known: &[Count], recruited: &[u32]| {
            assign.pick(open_doses(known, (3, (0, 0)), recruited, 12), || 0)
        };
        assert_eq!(open_doses(&safe, (3, (0, 0)), &[0; 4], 12), OpenDoses(0b111));
        assert_eq!(pick(BackfillAssign::Highest, &safe, &[0; 4]), Some(2));
        assert_eq!(pick(BackfillAssign::Lowest, &safe, &[0; 4]), Some(0));
        assert_eq!(pick(BackfillAssign::Lowest, &safe, &[10, 0, 0, 0]), Some(1));
        let unsafe_dl2 = [(3, 0), (3, 3), (3, 0)];
        for assign in BackfillAssign::ALL {
            assert_eq!(pick(assign, &unsafe_dl2, &[0; 4]), Some(0), "{assign:?}");
            assert_eq!(assign.pick(OpenDoses(0), || 0), None, "{assign:?}");
        }
    }

    /// "random" picks each of m open doses for a uniform latent in its m-th of [0, 2^53): the
    /// ends of each part, and, over the backfill latents of 30,000 patients, each of three open
    /// doses (DL1, DL3, DL5) about a third of the time (within 4 SE); the draws depend only on
    /// the seed, the trial and the patient.
    #[test]
    fn random_assignment_is_uniform_over_the_open_doses() {
        let open = OpenDoses(0b10101);
        let third = (1u64 << UNIFORM_BITS) / 3;
        let pick = |latent: u64| BackfillAssign::Random.pick(open, || latent);
        assert_eq!(pick(0), Some(0));
        assert_eq!(pick(third), Some(0));
        assert_eq!(pick(third + 1), Some(2));
        assert_eq!(pick(2 * third + 1), Some(2));
        assert_eq!(pick(2 * third + 2), Some(4));
        assert_eq!(pick((1 << UNIFORM_BITS) - 1), Some(4));
        let n = 30_000u32;
        let mut cohorts = Cohorts::new();
        let mut times = [0u32; 5];
        for trial in 0..u64::from(n / 30) {
            cohorts.start(20261201, trial);
            for i in 0..30 {
                times[pick(cohorts.backfill_latent(i)).unwrap()] += 1;
            }
        }
        let se = (f64::from(n) * (1.0 / 3.0) * (2.0 / 3.0)).sqrt();
        for k in [0, 2, 4] {
            let z = (f64::from(times[k]) - f64::from(n) / 3.0) / se;
            assert!(
                z.abs() < 4.0,
                "DL{} picked {} times of {n} (z = {z:.2})",
                k + 1,
                times[k]
            );
        }
        assert_eq!(times[1] + times[3], 0);
        let mut again = Cohorts::new();
        again.start(20261201, 7);
        cohorts.start(20261201, 7);
        assert_eq!(again.backfill_latent(12), cohorts.backfill_latent(12));
        cohorts.start(20261201, 8);
        assert_ne!(again.backfill_latent(12), cohorts.backfill_latent(12));
    }
}
