//! Strategies generating the scenarios of the properties.

use super::{Base, Case, DesignCfg, Family, IntervalKeys, RuleCfg, Selector, Skeleton, Trial};
use proptest::prelude::*;
use proptest::sample::Index;

/// `[trial]`: doses, target 10–45 %, cohort size, max patients from one cohort to `max_cap`, and
/// usually dose 1 to start.
pub(super) fn trial_strategy(
    doses: std::ops::RangeInclusive<usize>,
    cohorts: std::ops::RangeInclusive<u16>,
    max_cap: impl Fn(u16) -> u32 + 'static,
) -> impl Strategy<Value = Trial> {
    (doses, cohorts, 10u32..=45, any::<Index>(), any::<Index>(), 0u8..4).prop_map(
        move |(doses, cohort, target, max, start, other_start)| {
            let cap = max_cap(cohort).max(u32::from(cohort));
            Trial {
                doses,
                target,
                cohort,
                max_patients: u32::from(cohort) + max.index((cap - u32::from(cohort) + 1) as usize) as u32,
                start: if other_start == 0 { start.index(doses) } else { 0 },
            }
        },
    )
}

/// A truth in percent: any values (75 % of the time sorted, i.e. monotone); `range` bounds them.
fn truth_strategy(doses: usize, range: std::ops::RangeInclusive<u32>) -> impl Strategy<Value = Vec<u32>> {
    (prop::collection::vec(range, doses), 0u8..4).prop_map(|(mut v, unsorted)| {
        if unsorted != 0 {
            v.sort_unstable();
        }
        v
    })
}

fn selector_strategy(doses: usize) -> impl Strategy<Value = Selector> {
    prop_oneof![
        Just(Selector::Recommended),
        Just(Selector::Any),
        (0..doses).prop_map(Selector::Level),
    ]
}

/// Which rules a generated design may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rules {
    /// Any rule.
    All,
    /// Rules that never stop a trial for its sample size (so that trials have several cohorts).
    NoSizeStops,
    None,
}

fn rule_strategy(trial: &Trial, posterior: bool, which: Rules) -> BoxedStrategy<RuleCfg> {
    let doses = trial.doses;
    let dont_skip = (any::<bool>(), any::<bool>())
        .prop_map(|(escalating, deescalating)| RuleCfg::DontSkip {
            escalating: escalating || !deescalating,
            deescalating,
        })
        .boxed();
    let too_toxic = (selector_strategy(doses), 15u32..=60, 60u32..=99)
        .prop_map(|(dose, threshold, certainty)| RuleCfg::TooToxic {
            dose,
            threshold,
            certainty,
        })
        .boxed();
    let size_stops = prop_oneof![
        (1..=trial.max_patients).prop_map(RuleCfg::StopAtN),
        (1u32..=15, selector_strategy(doses)).prop_map(|(n, d)| RuleCfg::StopWhenNAtDose(n, d)),
    ]
    .boxed();
    match (which, posterior) {
        (Rules::All, true) => prop_oneof![2 => dont_skip, 1 => too_toxic, 2 => size_stops].boxed(),
        (Rules::All, false) => prop_oneof![dont_skip, size_stops].boxed(),
        (_, true) => prop_oneof![dont_skip, too_toxic].boxed(),
        (_, false) => dont_skip,
    }
}

fn interval_keys(family: Family, trial: &Trial) -> impl Strategy<Value = IntervalKeys> {
    let t = trial.target * 10; // thousandths
    let own = match family {
        // φ1 in 40–80 % of the target, φ2 in 120–160 %.
        Family::Boin => (40u32..=80, 120u32..=160)
            .prop_map(move |(a, b)| (t * a / 100, t * b / 100))
            .boxed(),
        // Margins of 20–80 thousandths below (the target is ≥ 100) and 20–100 above.
        _ => (20u32..=80, 20u32..=100).boxed(),
    };
    (
        prop::option::of(own),
        prop::option::of(85u32..=99),
        prop::option::of(any::<bool>()),
        prop::option::weighted(0.3, 3u32..=20),
    )
        .prop_map(|(own, cutoff, extra_safe, n_earlystop)| IntervalKeys {
            own,
            cutoff,
            extra_safe,
            n_earlystop,
        })
}

fn base_strategy(family: Family, trial: &Trial) -> BoxedStrategy<Base> {
    let doses = trial.doses;
    match family {
        Family::ThreePlusThree => any::<bool>()
            .prop_map(|deescalate| Base::ThreePlusThree { deescalate })
            .boxed(),
        Family::Crm => {
            let skeleton = prop_oneof![
                (3u32..=8, 0..doses).prop_map(|(halfwidth, nu)| Skeleton::Calibrated { halfwidth, nu }),
                prop::collection::btree_set(1u32..=90, doses).prop_map(|s| Skeleton::Explicit(s.into_iter().collect())),
            ];
            let keys = (any::<bool>(), prop::option::of(any::<bool>()), any::<bool>());
            (any::<bool>(), skeleton, keys)
                .prop_map(
                    |(logistic, skeleton, (posterior_mean, restrict, select_untried))| Base::Crm {
                        logistic,
                        skeleton,
                        posterior_mean,
                        restrict,
                        select_untried,
                    },
                )
                .boxed()
        }
        Family::Blrm => (
            prop::sample::select(vec![(15u32, 10u32), (20, 10)]),
            prop::sample::select(vec![5u32, 10, 20]),
            0..doses,
            prop::sample::select(vec![25u32, 35]),
            2u32..=3,
        )
            .prop_map(move |((num, den), first, reference, overdose_limit, max_escalation)| {
                // Amounts first·(num/den)^i, in tenths, rounded up so neighbours rise by ≤ num/den.
                let mut amounts = vec![first];
                for _ in 1..doses {
                    let last = *amounts.last().unwrap();
                    amounts.push(last * num / den);
                }
                Base::Blrm {
                    amounts,
                    reference,
                    overdose_limit,
                    max_escalation,
                }
            })
            .boxed(),
        interval => interval_keys(interval, trial)
            .prop_map(move |keys| Base::Interval(interval, keys))
            .boxed(),
    }
}

/// One design of a family allowed for this trial (3+3 needs cohorts of 3), with titration when
/// cohorts have at least 2 patients, and 0–3 rules.
fn design_strategy(families: &[Family], trial: &Trial, rules: Rules) -> BoxedStrategy<DesignCfg> {
    let allowed: Vec<Family> = families
        .iter()
        .copied()
        .filter(|&f| f != Family::ThreePlusThree || trial.cohort == 3)
        .collect();
    let allowed = if allowed.is_empty() {
        vec![Family::Boin]
    } else {
        allowed
    };
    let trial = trial.clone();
    let titration_possible = trial.cohort >= 2;
    prop::sample::select(allowed)
        .prop_flat_map(move |family| {
            let posterior = family != Family::ThreePlusThree;
            let rule_list = match rules {
                Rules::None => Just(Vec::new()).boxed(),
                _ => prop::collection::vec(rule_strategy(&trial, posterior, rules), 0..=3).boxed(),
            };
            let titration = if titration_possible {
                prop::bool::weighted(0.3).boxed()
            } else {
                Just(false).boxed()
            };
            (base_strategy(family, &trial), titration, rule_list).prop_map(|(base, titration, rules)| DesignCfg {
                base,
                titration,
                rules,
            })
        })
        .boxed()
}

/// A whole case: a trial, `truths` truths with values in `range` (percent), `designs` designs.
pub(super) fn case_strategy(
    trial: impl Strategy<Value = Trial>,
    truths: std::ops::RangeInclusive<usize>,
    range: std::ops::RangeInclusive<u32>,
    families: &'static [Family],
    designs: std::ops::RangeInclusive<usize>,
    rules: Rules,
) -> impl Strategy<Value = Case> {
    trial.prop_flat_map(move |trial| {
        (
            prop::collection::vec(truth_strategy(trial.doses, range.clone()), truths.clone()),
            prop::collection::vec(design_strategy(families, &trial, rules), designs.clone()),
        )
            .prop_map(move |(truths, designs)| Case {
                trial: trial.clone(),
                truths,
                designs,
            })
    })
}
