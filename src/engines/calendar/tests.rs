//! The calendar-time engine's tests: deterministic trials checked exactly, and runs checked
//! against each other.

use super::enrolment::{Cohorts, Enrolment};
use super::patients::{Patients, Stage};
use super::trial::{run_trial, Arm, TimedTrial};
use super::*;
use crate::core::{Arrival, Backfill, BackfillVariant, Onset, Regimen, TruthProfile, Utility};
use crate::designs::crm::{Crm, CrmConfig, CrmEstimate, CrmModel};
use crate::designs::interval::{IntervalConfig, IntervalDesign, IntervalRule};
use crate::designs::three_plus_three::ThreePlusThree;
use crate::designs::tite::{TiteCrm, TiteWeights};
use crate::designs::{Decision, StopReason};
use crate::designs::{TrialLimits, WithRules};
use crate::engines::{simulate, RunCounts};
use rustc_hash::FxHashMap;

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
        selects_obd: entry.finder.uses_efficacy(),
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
    let entry = TimedEntry::plain(three_plus_three(2));
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
    let entry = TimedEntry::plain(three_plus_three(5));
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
        .filter(|&i| onset.fraction((i as f64 + 0.5) / n as f64, 0.5) > 0.5)
        .count();
    assert!((late as f64 / n as f64 - 0.7).abs() < 1e-3, "{late}");
    assert!(Onset::weibull_shape(0.5, 0.5).unwrap() > 1.0);
}

fn tite_crm(num_doses: usize) -> Box<dyn DoseFinder> {
    let crm = Crm::new(CrmConfig {
        target: 0.25,
        skeleton: (1..=num_doses).map(|i| 0.05 * i as f64).collect(),
        model: CrmModel::Empiric,
        prior_variance: 1.34,
        estimate: CrmEstimate::PlugIn,
        restrict: true,
        select_untried: true,
    });
    Box::new(WithRules::new(
        "TITE-CRM",
        TiteCrm::new(crm, TiteWeights::Linear),
        Vec::new(),
        limits(num_doses, 1, 12),
    ))
}

/// TITE-CRM does not wait: with no DLTs, twelve patients one a month end 11 + 1 months in.
#[test]
fn time_to_event_design_does_not_wait() {
    let entry = TimedEntry::plain(tite_crm(4));
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
    use crate::designs::tite::TiteBoin;
    let config = IntervalConfig::new(0.25, IntervalRule::boin(0.25));
    let design = TiteBoin::new(IntervalDesign::new(config, 36));
    let entry = TimedEntry::plain(Box::new(WithRules::new(
        "TITE-BOIN",
        design,
        Vec::new(),
        limits(6, 3, 36),
    )));
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
            selects_obd: false,
        };
        let (mut cohorts, mut patients, mut enrolment) = (Cohorts::new(), Patients::default(), Enrolment::default());
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
        finder: (boin(3, 12)),
        step_up: StepUpRule::default(),
        backfill: Some(Backfill {
            max_per_dose: 12,
            variant: BackfillVariant::Design,
            require_response: false,
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
    let entry = TimedEntry::plain(three_plus_three(2));
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
    let designs = [TimedEntry::plain(three_plus_three(4)), TimedEntry::plain(tite_crm(4))];
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
    let settings = TimedSettings {
        timing: Timing {
            arrival: Arrival::Poisson { rate: 2.0 },
            ..fixed(1.0, 1.0)
        },
        total_patients: None,
        utility: Utility::default(),
        target: 0.25,
    };
    let plan = TimedPlan::new(&designs, &truths, settings, 5);
    let run = |trials, threads| simulate(&plan, trials, threads, &|_| {}).unwrap();
    let (one, two) = (run(0..300, 1), run(0..300, 2));
    assert_eq!(one, two);
    // Two slices of the run, merged, are the run.
    let mut split = run(0..120, 2);
    split.merge(&run(120..300, 1)).unwrap();
    assert_eq!(split, one);
    assert!(
        one[0][0].duration_mean() > one[1][0].duration_mean(),
        "waiting takes longer"
    );
}

/// TEAE intervals on a deterministic case: every patient has a TEAE (probability 1), so each
/// trial's interval at a dose with n patients is the exact [(0.025)^(1/n), 1].
#[test]
fn teae_intervals_are_exact_clopper_pearson() {
    let designs = [TimedEntry::plain(three_plus_three(2))];
    let truths = [Truth {
        name: "t".into(),
        dlt: vec![0.0, 0.0],
        onset: None,
        profile: TruthProfile {
            teae: Some(vec![1.0, 1.0]),
            ..TruthProfile::default()
        },
    }];
    let settings = TimedSettings {
        timing: fixed(1.0, 1.0),
        total_patients: Some(9),
        utility: Utility::default(),
        target: 0.25,
    };
    let plan = TimedPlan::new(&designs, &truths, settings, 1);
    let counts = simulate(&plan, 0..20, 1, &|_| {}).unwrap();
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
