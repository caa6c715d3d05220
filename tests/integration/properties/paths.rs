//! 2. Invariants along trial paths.

use super::generate::{case_strategy, trial_strategy, Rules};
use super::{
    config, may_select_untried, Base, Case, DesignCfg, Family, RuleCfg, Selector, SplitMix, ALL_BUT_BLRM, INTERVAL,
};
use proptest::prelude::*;
use trialsim::designs::interval::boin::lambda_d;
use trialsim::designs::{Decision, Dose, DoseFinder, StopReason, TrialData};

/// The cohorts so far, for failure messages.
fn path(history: &[(usize, u16, u16)]) -> String {
    format!("cohorts (level, n, DLTs) {history:?}")
}

/// Drives one trial of `finder` under `truth`, checking every decision against `design`'s rules.
fn drive(
    finder: &dyn DoseFinder,
    case: &Case,
    design: &DesignCfg,
    truth: &[f64],
    rng: &mut SplitMix,
) -> Result<(), TestCaseError> {
    let limits = *finder.limits();
    let k = case.trial.doses;
    let target = case.trial.target();
    let family = design.family();
    let mut data = TrialData::new(k);
    let mut dose = limits.start_dose;
    let mut history: Vec<(usize, u16, u16)> = Vec::new();
    let dont_skip_up = design
        .rules
        .iter()
        .any(|r| matches!(r, RuleCfg::DontSkip { escalating: true, .. }));
    let dont_skip_down = design
        .rules
        .iter()
        .any(|r| matches!(r, RuleCfg::DontSkip { deescalating: true, .. }));
    loop {
        prop_assert!(
            dose.index() < k,
            "dose {} out of range; {}",
            dose.level(),
            path(&history)
        );
        if data.total_patients() > 0 {
            let estimates = finder.estimates(&data);
            prop_assert!(
                estimates[dose.index()].admissible,
                "treats at inadmissible dose {}; {}; estimates {:?}",
                dose.level(),
                path(&history),
                estimates
            );
            // No cohort starts once a rule's patient count has been reached.
            for (i, rule) in design.rules.iter().enumerate() {
                match *rule {
                    RuleCfg::StopAtN(n) => {
                        prop_assert!(data.total_patients() < n, "stop_at_n {} ignored; {}", n, path(&history))
                    }
                    RuleCfg::StopWhenNAtDose(n, selector) => {
                        let at = |d: usize| data.patients(Dose(d as u16));
                        match selector {
                            Selector::Any => prop_assert!(
                                (0..k).all(|d| at(d) < n),
                                "stop_when_n_at_dose {} (any) ignored; {}",
                                n,
                                path(&history)
                            ),
                            Selector::Level(d) => {
                                prop_assert!(
                                    at(d) < n,
                                    "stop_when_n_at_dose {} at {} ignored; {}",
                                    n,
                                    d + 1,
                                    path(&history)
                                )
                            }
                            // A later dont_skip_doses may move the dose after this rule looked.
                            Selector::Recommended => {
                                let moved_later = design.rules[i + 1..]
                                    .iter()
                                    .any(|r| matches!(r, RuleCfg::DontSkip { .. }));
                                prop_assert!(
                                    moved_later || at(dose.index()) < n,
                                    "stop_when_n_at_dose {} (recommended) ignored; {}",
                                    n,
                                    path(&history)
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let size = finder.next_cohort_size(&data);
        prop_assert!(size >= 1, "an empty cohort; {}", path(&history));
        prop_assert!(
            data.total_patients() + u32::from(size) <= limits.max_patients,
            "beyond max_patients; {}",
            path(&history)
        );
        let p = truth[dose.index()];
        let dlts = (0..size).filter(|_| rng.uniform() < p).count() as u16;
        data.add_cohort(dose, size, dlts);
        history.push((dose.level(), size, dlts));
        let decision = finder.decide(&data);
        // Decisions are a function of the sufficient statistic (what caching and exact OCs rely on).
        prop_assert_eq!(
            decision,
            finder.decide(&TrialData::from_state(k, data.state())),
            "decision differs from the state's; {}",
            path(&history)
        );
        let last = dose;
        let (n, y) = (data.patients(last), data.dlts(last));
        match decision {
            Decision::Treat(next) => {
                prop_assert!(
                    next.index() < k,
                    "next dose {} out of range; {}",
                    next.level(),
                    path(&history)
                );
                if dont_skip_up {
                    prop_assert!(
                        next.0 <= last.0 + 1,
                        "skipped up to {}; {}",
                        next.level(),
                        path(&history)
                    );
                }
                if dont_skip_down {
                    // Safety first: skipping down past a dose the design has made inadmissible
                    // (BLRM's overdose control) is allowed.
                    let below = Dose(last.0.saturating_sub(1));
                    let below_admissible = finder.estimates(&data)[below.index()].admissible;
                    prop_assert!(
                        next.0 + 1 >= last.0 || !below_admissible,
                        "skipped down to {}; {}",
                        next.level(),
                        path(&history)
                    );
                }
                match family {
                    Family::ThreePlusThree | Family::Boin | Family::Keyboard | Family::Mtpi2 | Family::I3Plus3 => {
                        prop_assert!(
                            next.0 <= last.0 + 1 && next.0 + 1 >= last.0,
                            "moved from {} to {}; {}",
                            last.level(),
                            next.level(),
                            path(&history)
                        );
                    }
                    _ => {}
                }
                if family == Family::ThreePlusThree && y >= 2 {
                    prop_assert!(next <= last, "3+3 escalated after {}/{}; {}", y, n, path(&history));
                }
                if let Base::Interval(Family::Boin, keys) = &design.base {
                    let phi2 = keys.own.map_or(1.4 * target, |(_, b)| f64::from(b) / 1000.0);
                    let lambda = lambda_d(target, phi2);
                    if f64::from(y) / f64::from(n) > lambda {
                        prop_assert!(
                            next <= last,
                            "BOIN escalated at {}/{} > lambda_d {}; {}",
                            y,
                            n,
                            lambda,
                            path(&history)
                        );
                    }
                }
                if INTERVAL.contains(&family) && f64::from(y) > target * f64::from(n) {
                    prop_assert!(
                        next <= last,
                        "{:?} escalated at {}/{} above the target; {}",
                        family,
                        y,
                        n,
                        path(&history)
                    );
                }
                if let Base::Crm { restrict, .. } = &design.base {
                    if restrict.unwrap_or(true) {
                        let c = data.last_cohort().unwrap();
                        let cap = if f64::from(c.dlts) >= target * f64::from(c.patients) {
                            last.0
                        } else {
                            last.0 + 1
                        };
                        prop_assert!(
                            next.0 <= cap,
                            "CRM restriction broken: {}; {}",
                            next.level(),
                            path(&history)
                        );
                    }
                }
                if let Base::Blrm {
                    amounts,
                    max_escalation,
                    ..
                } = &design.base
                {
                    let highest = data.highest_tried().unwrap();
                    prop_assert!(
                        amounts[next.index()] <= amounts[highest.index()] * max_escalation,
                        "BLRM escalated beyond the increment limit to {}; {}",
                        next.level(),
                        path(&history)
                    );
                }
                dose = next;
            }
            Decision::Wait => unreachable!("no follow-up: nothing to wait for"),
            Decision::Stop { selected, reason } => {
                if let Some(s) = selected {
                    prop_assert!(s.index() < k);
                    prop_assert!(
                        data.patients(s) > 0 || may_select_untried(design),
                        "selected untried dose {} ({:?}); {}",
                        s.level(),
                        reason,
                        path(&history)
                    );
                    let estimates = finder.estimates(&data);
                    prop_assert!(
                        estimates[s.index()].admissible,
                        "selected inadmissible dose {}; {}; {:?}",
                        s.level(),
                        path(&history),
                        estimates
                    );
                }
                if reason == StopReason::TooToxic {
                    prop_assert_eq!(selected, None, "stopped too toxic with a selection; {}", path(&history));
                }
                return Ok(());
            }
        }
        prop_assert!(
            history.len() <= limits.max_patients as usize,
            "never stops; {}",
            path(&history)
        );
    }
}

fn check_paths(case: &Case, paths: usize, seed: u64) -> Result<(), TestCaseError> {
    let scenario = case.scenario()?;
    let finders = scenario.build_designs();
    let mut rng = SplitMix(seed);
    for (finder, design) in finders.iter().zip(&case.designs) {
        for j in 0..case.truths.len() {
            let truth = case.truth(j);
            for _ in 0..paths {
                drive(finder.as_ref(), case, design, &truth, &mut rng)
                    .map_err(|e| TestCaseError::fail(format!("{e}\ntruth {truth:?}\nscenario:\n{}", case.toml())))?;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    /// Random paths of every design but the BLRM: admissibility, rules, each design's own safety
    /// rules, and the selected MTD was tried.
    #[test]
    fn trial_paths_respect_design_invariants(
        case in case_strategy(
            trial_strategy(1..=8, 1..=4, |_| 40),
            1..=2,
            0..=100,
            &ALL_BUT_BLRM,
            1..=2,
            Rules::All,
        ),
        seed in any::<u64>(),
    ) {
        check_paths(&case, 16, seed)?;
    }

    /// As above, 3+3 only (whose cohorts of 3 the general generator picks less often).
    #[test]
    fn three_plus_three_paths(
        case in case_strategy(
            trial_strategy(1..=8, 3..=3, |_| 40),
            1..=2,
            0..=100,
            &[Family::ThreePlusThree],
            1..=2,
            Rules::All,
        ),
        seed in any::<u64>(),
    ) {
        check_paths(&case, 16, seed)?;
    }
}

proptest! {
    #![proptest_config(config(32))]

    /// BLRM paths: EWOC admissibility and the increment limit (few cases: the fit is slow).
    #[test]
    fn blrm_paths_respect_ewoc(
        case in case_strategy(
            trial_strategy(2..=4, 1..=3, |c| 5 * u32::from(c)),
            1..=1,
            0..=100,
            &[Family::Blrm],
            1..=1,
            Rules::All,
        ),
        seed in any::<u64>(),
    ) {
        check_paths(&case, 6, seed)?;
    }
}
