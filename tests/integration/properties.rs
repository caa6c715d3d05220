//! Property tests of design invariants (issue 7, item 2), over random truths, targets, cohort sizes,
//! dose counts, designs, rules and accelerated titration.
//!
//! Every case is written as scenario TOML and parsed, so validation sees every generated
//! configuration (a valid configuration that fails to parse is a failure too). Then:
//! 1. simulated integer counts add up;
//! 2. random trial paths, driven through `DoseFinder::decide` and `next_cohort_size`, never treat at
//!    an inadmissible dose, never skip when `dont_skip_doses` forbids it, and obey each design's own
//!    safety rules (3+3, BOIN coherence, CRM's restriction, BLRM's increment limit); the selected MTD
//!    was tried;
//! 3. exact operating characteristics are monotone: a more toxic truth never raises the mean
//!    selected dose level Σ level · P(select level). This holds for 3+3 from dose 1 (Korn's variant
//!    with full cohorts) and is asserted there; every interval design, and 3+3 with truncated
//!    cohorts, titration or a higher start dose, has counterexamples, kept as ignored tests;
//! 4. the same seed gives identical tables (whatever the thread count); another seed differs.
//!
//! Violations found are pinned by regression tests at the end of the file (fixed: 3+3 selecting an
//! untried dose below the start, 3+3 forgetting a cleared dose when cut short, titration and
//! `dont_skip_doses` stepping into doses BLRM's overdose control forbids). By design, CRM may
//! select an untried dose as dfcrm does; the properties exempt it (`may_select_untried`).
//!
//! The proptest seed is fixed so that runs are reproducible (set `PROPTEST_RNG_SEED` to explore
//! others, `PROPTEST_CASES` for more cases). Failures are not persisted to files.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed};
use std::fmt::Write as _;
use std::path::Path;
use trialsim::designs::interval::boin::lambda_d;
use trialsim::designs::{Decision, Dose, DoseFinder, StopReason, TrialData};
use trialsim::engines::dose_finding::DoseFindingPlan;
use trialsim::engines::{exact::exact_oc, simulate};
use trialsim::run::{simulate_scenario, RunOptions};
use trialsim::scenario::Scenario;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// `cases` cases from a fixed seed, unless the environment asks otherwise; no failure files.
fn config(cases: u32) -> Config {
    let base = Config::default();
    Config {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            base.cases
        } else {
            cases
        },
        rng_seed: match base.rng_seed {
            RngSeed::Random => RngSeed::Fixed(0x7131_A15E),
            fixed => fixed,
        },
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..base
    }
}

/// A small deterministic generator for the patients of a driven trial path (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

// ---------------------------------------------------------------------------------------------
// Generated scenarios
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    ThreePlusThree,
    Boin,
    Keyboard,
    Mtpi2,
    I3Plus3,
    Crm,
    Blrm,
}

const INTERVAL: [Family; 4] = [Family::Boin, Family::Keyboard, Family::Mtpi2, Family::I3Plus3];
const ALL_BUT_BLRM: [Family; 6] = [
    Family::ThreePlusThree,
    Family::Boin,
    Family::Keyboard,
    Family::Mtpi2,
    Family::I3Plus3,
    Family::Crm,
];

#[derive(Clone, Debug)]
struct Trial {
    doses: usize,
    /// Target DLT probability in percent.
    target: u32,
    cohort: u16,
    max_patients: u32,
    /// 0-based.
    start: usize,
}

impl Trial {
    fn target(&self) -> f64 {
        f64::from(self.target) / 100.0
    }
}

#[derive(Clone, Debug)]
enum Skeleton {
    Calibrated { halfwidth: u32, nu: usize },
    Explicit(Vec<u32>),
}

#[derive(Clone, Debug)]
struct IntervalKeys {
    /// The rule's own two parameters (φ1, φ2 for BOIN; margins otherwise), in thousandths.
    own: Option<(u32, u32)>,
    cutoff: Option<u32>,
    extra_safe: Option<bool>,
    n_earlystop: Option<u32>,
}

#[derive(Clone, Debug)]
enum Base {
    ThreePlusThree {
        deescalate: bool,
    },
    Interval(Family, IntervalKeys),
    Crm {
        logistic: bool,
        skeleton: Skeleton,
        posterior_mean: bool,
        restrict: Option<bool>,
    },
    Blrm {
        /// Dose amounts, in tenths (increasing, ratio ≤ 2 between neighbours).
        amounts: Vec<u32>,
        reference: usize,
        overdose_limit: u32,
        max_escalation: u32,
    },
}

#[derive(Clone, Copy, Debug)]
enum Selector {
    Recommended,
    Any,
    Level(usize),
}

impl Selector {
    fn toml(self) -> String {
        match self {
            Selector::Recommended => "\"recommended\"".into(),
            Selector::Any => "\"any\"".into(),
            Selector::Level(d) => (d + 1).to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum RuleCfg {
    StopAtN(u32),
    StopWhenNAtDose(u32, Selector),
    DontSkip {
        escalating: bool,
        deescalating: bool,
    },
    TooToxic {
        dose: Selector,
        threshold: u32,
        certainty: u32,
    },
}

#[derive(Clone, Debug)]
struct DesignCfg {
    base: Base,
    titration: bool,
    rules: Vec<RuleCfg>,
}

impl DesignCfg {
    fn family(&self) -> Family {
        match &self.base {
            Base::ThreePlusThree { .. } => Family::ThreePlusThree,
            Base::Interval(f, _) => *f,
            Base::Crm { .. } => Family::Crm,
            Base::Blrm { .. } => Family::Blrm,
        }
    }
}

#[derive(Clone, Debug)]
struct Case {
    trial: Trial,
    /// True DLT probabilities in percent, one vector per truth.
    truths: Vec<Vec<u32>>,
    designs: Vec<DesignCfg>,
}

fn pct(x: u32) -> String {
    format!("{:?}", f64::from(x) / 100.0)
}

fn permille(x: u32) -> String {
    format!("{:?}", f64::from(x) / 1000.0)
}

fn list<T>(values: &[T], f: impl Fn(&T) -> String) -> String {
    values.iter().map(f).collect::<Vec<_>>().join(", ")
}

impl Case {
    fn truth(&self, j: usize) -> Vec<f64> {
        self.truths[j].iter().map(|&p| f64::from(p) / 100.0).collect()
    }

    /// The scenario file.
    fn toml(&self) -> String {
        let t = &self.trial;
        let mut s = String::new();
        writeln!(s, "name = \"property\"\nkind = \"dose-finding\"\n").unwrap();
        writeln!(s, "[trial]").unwrap();
        let labels: Vec<String> = (1..=t.doses).map(|d| format!("\"DL{d}\"")).collect();
        writeln!(s, "doses = [{}]", labels.join(", ")).unwrap();
        writeln!(s, "target = {}", pct(t.target)).unwrap();
        writeln!(s, "cohort_size = {}", t.cohort).unwrap();
        writeln!(s, "max_patients = {}", t.max_patients).unwrap();
        writeln!(s, "start_dose = {}\n", t.start + 1).unwrap();
        for (j, truth) in self.truths.iter().enumerate() {
            writeln!(
                s,
                "[[truth]]\nname = \"truth{}\"\ndlt = [{}]\n",
                j + 1,
                list(truth, |&p| pct(p))
            )
            .unwrap();
        }
        for (k, d) in self.designs.iter().enumerate() {
            writeln!(s, "[[design]]\nname = \"design{}\"", k + 1).unwrap();
            match &d.base {
                Base::ThreePlusThree { deescalate } => {
                    writeln!(s, "rule = \"3+3\"\ndeescalate = {deescalate}").unwrap();
                }
                Base::Interval(family, keys) => {
                    let (rule, below, above) = match family {
                        Family::Boin => ("boin", "phi1", "phi2"),
                        Family::Keyboard => ("keyboard", "margin_left", "margin_right"),
                        Family::Mtpi2 => ("mtpi2", "epsilon1", "epsilon2"),
                        _ => ("i3+3", "epsilon1", "epsilon2"),
                    };
                    writeln!(s, "rule = \"{rule}\"").unwrap();
                    if let Some((a, b)) = keys.own {
                        writeln!(s, "{below} = {}\n{above} = {}", permille(a), permille(b)).unwrap();
                    }
                    if let Some(c) = keys.cutoff {
                        writeln!(s, "cutoff_eliminate = {}", pct(c)).unwrap();
                    }
                    if let Some(e) = keys.extra_safe {
                        writeln!(s, "extra_safe = {e}").unwrap();
                    }
                    if let Some(n) = keys.n_earlystop {
                        writeln!(s, "n_earlystop = {n}").unwrap();
                    }
                }
                Base::Crm {
                    logistic,
                    skeleton,
                    posterior_mean,
                    restrict,
                } => {
                    writeln!(s, "rule = \"crm\"").unwrap();
                    if *logistic {
                        writeln!(s, "model = \"logistic\"").unwrap();
                    }
                    match skeleton {
                        Skeleton::Calibrated { halfwidth, nu } => {
                            writeln!(s, "skeleton = {{ halfwidth = {}, nu = {} }}", pct(*halfwidth), nu + 1).unwrap()
                        }
                        Skeleton::Explicit(v) => writeln!(s, "skeleton = [{}]", list(v, |&p| pct(p))).unwrap(),
                    }
                    if *posterior_mean {
                        writeln!(s, "estimate = \"posterior-mean\"").unwrap();
                    }
                    if let Some(r) = restrict {
                        writeln!(s, "restrict = {r}").unwrap();
                    }
                }
                Base::Blrm {
                    amounts,
                    reference,
                    overdose_limit,
                    max_escalation,
                } => {
                    let tenths = |&a: &u32| format!("{:?}", f64::from(a) / 10.0);
                    writeln!(s, "rule = \"blrm\"\ndose_amounts = [{}]", list(amounts, tenths)).unwrap();
                    writeln!(s, "reference_dose = {}", tenths(&amounts[*reference])).unwrap();
                    writeln!(s, "overdose_limit = {}", pct(*overdose_limit)).unwrap();
                    writeln!(s, "max_escalation = {max_escalation}").unwrap();
                }
            }
            if d.titration {
                writeln!(s, "accelerated_titration = true").unwrap();
            }
            if !d.rules.is_empty() {
                let rules: Vec<String> = d
                    .rules
                    .iter()
                    .map(|r| match *r {
                        RuleCfg::StopAtN(n) => format!("{{ kind = \"stop_at_n\", n = {n} }}"),
                        RuleCfg::StopWhenNAtDose(n, dose) => {
                            format!("{{ kind = \"stop_when_n_at_dose\", n = {n}, dose = {} }}", dose.toml())
                        }
                        RuleCfg::DontSkip {
                            escalating,
                            deescalating,
                        } => format!(
                            "{{ kind = \"dont_skip_doses\", when_escalating = {escalating}, \
                             when_deescalating = {deescalating} }}"
                        ),
                        RuleCfg::TooToxic {
                            dose,
                            threshold,
                            certainty,
                        } => format!(
                            "{{ kind = \"stop_when_too_toxic\", dose = {}, threshold = {}, certainty = {} }}",
                            dose.toml(),
                            pct(threshold),
                            pct(certainty)
                        ),
                    })
                    .collect();
                writeln!(s, "rules = [\n  {},\n]", rules.join(",\n  ")).unwrap();
            }
            writeln!(s).unwrap();
        }
        s
    }

    /// Parses the generated scenario; every generated configuration is valid.
    fn scenario(&self) -> Result<Scenario, TestCaseError> {
        let text = self.toml();
        Scenario::parse(&text, Path::new("property.toml"))
            .map_err(|e| TestCaseError::fail(format!("a valid scenario was rejected: {e}\n{text}")))
    }
}

/// `[trial]`: doses, target 10–45 %, cohort size, max patients from one cohort to `max_cap`, and
/// usually dose 1 to start.
fn trial_strategy(
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rules {
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
            (any::<bool>(), skeleton, any::<bool>(), prop::option::of(any::<bool>()))
                .prop_map(|(logistic, skeleton, posterior_mean, restrict)| Base::Crm {
                    logistic,
                    skeleton,
                    posterior_mean,
                    restrict,
                })
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
fn case_strategy(
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

// ---------------------------------------------------------------------------------------------
// Known violations (see the ignored regression tests at the end of this file): the properties skip
// exactly these configurations so that they keep guarding everything else.
// ---------------------------------------------------------------------------------------------

/// CRM selects the dose its model puts closest to the target, tried or not (dfcrm's `mtd`, whose
/// semantics the CRM follows by default), which breaks "the selected MTD was tried".
fn may_select_untried(design: &DesignCfg) -> bool {
    matches!(design.base, Base::Crm { .. })
}

// ---------------------------------------------------------------------------------------------
// 1. Counts add up
// ---------------------------------------------------------------------------------------------

fn check_counts(case: &Case, trials: u64, seed: u64) -> Result<(), TestCaseError> {
    let scenario = case.scenario()?;
    let designs = scenario.build_designs();
    let plan = DoseFindingPlan::new(&designs, &scenario.truths, seed);
    let counts = simulate(&plan, 0..trials, 2, &|_| {}).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(counts.len(), designs.len());
    for (k, per_truth) in counts.iter().enumerate() {
        prop_assert_eq!(per_truth.len(), scenario.truths.len());
        let max = designs[k].limits().max_patients as usize;
        for (j, c) in per_truth.iter().enumerate() {
            let what = format!("design {} truth {}: {c:?}", k + 1, j + 1);
            prop_assert_eq!(c.trials, trials, "{}", what);
            prop_assert_eq!(c.selected.iter().sum::<u64>() + c.selected_none, trials, "{}", what);
            prop_assert_eq!(c.stops.iter().sum::<u64>(), trials, "{}", what);
            prop_assert_eq!(c.sample_size.len(), max + 1, "{}", what);
            prop_assert_eq!(c.sample_size.iter().sum::<u64>(), trials, "{}", what);
            let first_moment: u64 = c.sample_size.iter().enumerate().map(|(n, &k)| n as u64 * k).sum();
            prop_assert_eq!(first_moment, c.patients.iter().sum::<u64>(), "{}", what);
            prop_assert_eq!(c.sample_size[0], 0, "a trial treated nobody: {}", what);
            for d in 0..case.trial.doses {
                prop_assert!(
                    c.dlts[d] <= c.patients[d],
                    "DLTs > patients at dose {}: {}",
                    d + 1,
                    what
                );
                prop_assert!(
                    c.selected[d] == 0 || c.patients[d] > 0 || may_select_untried(&case.designs[k]),
                    "dose {} selected but never given: {}",
                    d + 1,
                    what
                );
            }
            // Stopping for toxicity never recommends a dose.
            prop_assert!(c.stops[StopReason::TooToxic.index()] <= c.selected_none, "{}", what);
            // `stop_at_n { n }`: no cohort starts once n patients have been treated.
            for rule in &case.designs[k].rules {
                if let RuleCfg::StopAtN(n) = *rule {
                    let bound = (n + u32::from(case.trial.cohort) - 1) as usize;
                    prop_assert!(
                        c.sample_size.iter().skip(bound + 1).all(|&k| k == 0),
                        "sample size above {} under stop_at_n {}: {}",
                        bound,
                        n,
                        what
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(64))]

    /// Selections + none = trials = stops by reason = the sample-size histogram, whose first moment
    /// is the total number of patients; DLTs ≤ patients per dose; no dose selected that nobody got.
    #[test]
    fn counts_add_up(
        case in case_strategy(
            trial_strategy(1..=8, 1..=4, |_| 40),
            1..=3,
            0..=100,
            &ALL_BUT_BLRM,
            1..=3,
            Rules::All,
        ),
        trials in 1u64..=1000,
        seed in any::<u64>(),
    ) {
        check_counts(&case, trials, seed)?;
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// As `counts_add_up`, for the BLRM (its fit is slow: few, small cases).
    #[test]
    fn counts_add_up_blrm(
        case in case_strategy(
            trial_strategy(1..=4, 1..=3, |c| 5 * u32::from(c)),
            1..=2,
            0..=100,
            &[Family::Blrm],
            1..=1,
            Rules::All,
        ),
        trials in 1u64..=100,
        seed in any::<u64>(),
    ) {
        check_counts(&case, trials, seed)?;
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Invariants along trial paths
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// 3. Monotone sensitivity in exact operating characteristics
// ---------------------------------------------------------------------------------------------

/// Σ_d level_d · P(select d), no selection counting as level 0.
fn mean_selected_level(selected: &[f64]) -> f64 {
    selected.iter().enumerate().map(|(d, p)| (d + 1) as f64 * p).sum()
}

/// Exact OCs under `truth` and under a more toxic truth (`truth + bump`, capped at 100 %): the
/// mean selected level must not rise. Also checks that exact probabilities add up.
fn check_monotone(case: &Case, bump: &[u32]) -> Result<(), TestCaseError> {
    let scenario = case.scenario()?;
    let finders = scenario.build_designs();
    let low = case.truth(0);
    let high: Vec<f64> = case.truths[0]
        .iter()
        .zip(bump)
        .map(|(&p, &b)| f64::from((p + b).min(100)) / 100.0)
        .collect();
    for finder in &finders {
        let mut means = Vec::new();
        for truth in [&low, &high] {
            let exact = exact_oc(finder.as_ref(), truth, 5_000_000, None)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{}", case.toml())))?;
            let oc = &exact.oc;
            let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
            prop_assert!(
                close(oc.selected.iter().sum::<f64>() + oc.selected_none, 1.0),
                "{:?}",
                oc
            );
            prop_assert!(close(oc.stops.iter().sum::<f64>(), 1.0), "{:?}", oc);
            prop_assert!(close(oc.sample_size.iter().sum::<f64>(), 1.0), "{:?}", oc);
            let first_moment: f64 = oc.sample_size.iter().enumerate().map(|(n, p)| n as f64 * p).sum();
            prop_assert!(close(first_moment, oc.patients.iter().sum::<f64>()), "{:?}", oc);
            means.push(mean_selected_level(&oc.selected));
        }
        prop_assert!(
            means[1] <= means[0] + 1e-9,
            "{}: mean selected level rises from {} under {:?} to {} under the more toxic {:?}\n{}",
            finder.name(),
            means[0],
            low,
            means[1],
            high,
            case.toml()
        );
    }
    Ok(())
}

fn bump_strategy(doses: usize) -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(prop_oneof![Just(0u32), 1u32..=30], doses)
}

proptest! {
    #![proptest_config(config(64))]

    /// 3+3, both variants, from dose 1 without titration: more toxicity never raises the mean
    /// selected level. Korn's variant only with full cohorts (see
    /// `three_plus_three_monotone_counterexamples`).
    #[test]
    fn three_plus_three_exact_oc_is_monotone(
        (case, bump) in case_strategy(
            trial_strategy(1..=4, 3..=3, |_| 18),
            1..=1,
            0..=100,
            &[Family::ThreePlusThree],
            1..=2,
            Rules::None,
        ).prop_flat_map(|mut case| {
            case.trial.start = 0;
            case.designs.iter_mut().for_each(|d| d.titration = false);
            if case.designs.iter().any(|d| matches!(d.base, Base::ThreePlusThree { deescalate: true })) {
                case.trial.max_patients -= case.trial.max_patients % 3;
            }
            let doses = case.trial.doses;
            (Just(case), bump_strategy(doses))
        }),
    ) {
        check_monotone(&case, &bump)?;
    }
}

proptest! {
    #![proptest_config(config(1000))]

    /// BOIN, Keyboard, mTPI-2 and i3+3 at small sizes (≤ 4 doses, ≤ 18 patients, ≤ 10 with
    /// single-patient cohorts). None of them is monotone in this sense: see
    /// `interval_designs_monotone_counterexamples` for one counterexample each (this property finds
    /// and shrinks others within its 1,000 cases).
    #[test]
    #[ignore = "not monotone: BOIN, Keyboard, mTPI-2 and i3+3 have counterexamples at small sizes"]
    fn interval_designs_exact_oc_is_monotone(
        (case, bump) in case_strategy(
            trial_strategy(1..=4, 1..=4, |c| if c == 1 { 10 } else { 18 }),
            1..=1,
            0..=100,
            &INTERVAL,
            1..=1,
            Rules::None,
        ).prop_flat_map(|case| {
            let doses = case.trial.doses;
            (Just(case), bump_strategy(doses))
        }),
    ) {
        check_monotone(&case, &bump)?;
    }
}

/// Exact mean selected level of the scenario's first design under `dlt`.
fn exact_mean_level(text: &str, dlt: &[f64]) -> f64 {
    let scenario = Scenario::parse(text, Path::new("counterexample.toml")).unwrap_or_else(|e| panic!("{e}"));
    let finder = &scenario.build_designs()[0];
    let exact = exact_oc(finder.as_ref(), dlt, 5_000_000, None).expect("few states");
    mean_selected_level(&exact.oc.selected)
}

/// A scenario with one design, given its `[trial]` and `[[design]]` bodies.
fn one_design(trial: &str, design: &str) -> String {
    let doses = trial
        .lines()
        .find_map(|l| l.trim().strip_prefix("doses = "))
        .expect("doses")
        .matches('"')
        .count()
        / 2;
    let zeros = vec!["0.0"; doses].join(", ");
    format!(
        "name = \"counterexample\"\n[trial]\n{trial}\n[[truth]]\nname = \"t\"\ndlt = [{zeros}]\n\
         [[design]]\nname = \"d\"\n{design}\n"
    )
}

/// Checks each (scenario, truth, more toxic truth) and lists every violation.
fn assert_monotone_cases(cases: &[(String, Vec<f64>, Vec<f64>)]) {
    let mut violations = Vec::new();
    for (text, low, high) in cases {
        assert!(low.iter().zip(high).all(|(a, b)| a <= b), "not more toxic");
        let (m_low, m_high) = (exact_mean_level(text, low), exact_mean_level(text, high));
        if m_high > m_low + 1e-9 {
            violations.push(format!("{m_low:.6} under {low:?} < {m_high:.6} under {high:?}\n{text}"));
        }
    }
    assert!(
        violations.is_empty(),
        "mean selected level rises with toxicity:\n{}",
        violations.join("\n")
    );
}

/// Counterexamples to monotone sensitivity for 3+3, exact to the digits shown. Each has a
/// mechanism in the design's rules, not in the engine:
/// - Korn's variant when `max_patients` cuts the last cohort: after 0/3 at dose 1, 1/3 then 2/6
///   at dose 2 (9 patients), one patient returns to dose 1; at 0/4 it no longer counts as cleared
///   (0/3 or ≤ 1/6), so the trial selects nothing. A DLT at dose 1 earlier avoids that path:
///   1.355957 → 1.356204.
/// - Accelerated titration with a short trial: with no DLT at all, one patient per dose and two
///   at the top leave no dose cleared and nothing is selected (level 0); a rare DLT at dose 3
///   sends a full cohort to dose 2, which then clears: 0 → 0.02.
/// - A start dose above 1: 1/3 at the start dose cut by `max_patients` selects nothing, while
///   2/3 selects the (untried) dose below: 0.810416 → 0.817048.
#[test]
#[ignore = "not monotone: 3+3 counterexamples (truncated cohorts, titration, start dose above 1)"]
fn three_plus_three_monotone_counterexamples() {
    let cases = [
        (
            one_design(
                "doses = [\"1\", \"2\"]\ntarget = 0.29\ncohort_size = 3\nmax_patients = 10",
                "rule = \"3+3\"\ndeescalate = true",
            ),
            vec![0.0, 0.25],
            vec![0.01, 0.25],
        ),
        (
            one_design(
                "doses = [\"1\", \"2\", \"3\", \"4\"]\ntarget = 0.35\ncohort_size = 3\nmax_patients = 5",
                "rule = \"3+3\"\naccelerated_titration = true",
            ),
            vec![0.0, 0.0, 0.0, 0.0],
            vec![0.0, 0.0, 0.01, 0.0],
        ),
        (
            one_design(
                "doses = [\"1\", \"2\", \"3\"]\ntarget = 0.12\ncohort_size = 3\nmax_patients = 3\nstart_dose = 2",
                "rule = \"3+3\"",
            ),
            vec![0.0, 0.66, 0.72],
            vec![0.0, 0.67, 0.72],
        ),
    ];
    assert_monotone_cases(&cases);
}

/// Counterexamples to monotone sensitivity for the interval designs, with the references'
/// default settings apart from what is shown: single-patient (or two-patient) cohorts in a short
/// trial, where a DLT at dose 1 keeps patients there and changes which doses are tried, eliminated
/// and pooled by the isotonic selection.
/// - BOIN, Keyboard and mTPI-2, 3 doses, target 0.31, cohorts of 1, 6 patients:
///   [0, 0.93, 0.94] → [0.01, 0.93, 0.94] raises the mean level (BOIN 1.017935 → 1.018255, Keyboard and mTPI-2 → 1.018303).
/// - i3+3, 4 doses, target 0.38, cohorts of 2, 6 patients, ε = (0.025, 0.075):
///   [0, 0.69, 0.74, 0.77] → [0.01, 0.69, 0.74, 0.77] (1.363700 → 1.366629).
#[test]
#[ignore = "not monotone: BOIN, Keyboard, mTPI-2 and i3+3 counterexamples at small sizes"]
fn interval_designs_monotone_counterexamples() {
    let trial = "doses = [\"1\", \"2\", \"3\"]\ntarget = 0.31\ncohort_size = 1\nmax_patients = 6";
    let (low, high) = (vec![0.0, 0.93, 0.94], vec![0.01, 0.93, 0.94]);
    let cases = [
        (one_design(trial, "rule = \"boin\""), low.clone(), high.clone()),
        (one_design(trial, "rule = \"keyboard\""), low.clone(), high.clone()),
        (one_design(trial, "rule = \"mtpi2\""), low, high),
        (
            one_design(
                "doses = [\"1\", \"2\", \"3\", \"4\"]\ntarget = 0.38\ncohort_size = 2\nmax_patients = 6",
                "rule = \"i3+3\"\nepsilon1 = 0.025\nepsilon2 = 0.075",
            ),
            vec![0.0, 0.69, 0.74, 0.77],
            vec![0.01, 0.69, 0.74, 0.77],
        ),
    ];
    assert_monotone_cases(&cases);
}

// ---------------------------------------------------------------------------------------------
// 4. Seeds
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(32))]

    /// The same seed gives identical tables on 1 and 2 threads; another seed gives another table
    /// (truths strictly between 5 % and 95 %, no sample-size stops, so every trial is random).
    #[test]
    fn same_seed_same_table_other_seed_other_table(
        case in case_strategy(
            trial_strategy(2..=6, 1..=4, |_| 30).prop_map(|mut t| {
                t.max_patients = t.max_patients.max(3 * u32::from(t.cohort));
                t
            }),
            1..=2,
            5..=95,
            &ALL_BUT_BLRM,
            1..=2,
            Rules::NoSizeStops,
        ),
        seed in 0u64..1 << 53,
        other in 1u64..1 << 53,
    ) {
        let scenario = case.scenario()?;
        let run = |seed: u64, threads: usize| {
            let options = RunOptions { trials: Some(500), seed: Some(seed), threads, exact: false };
            simulate_scenario(&scenario, &options, &|_| {}).expect("simulation runs").0
        };
        let one = run(seed, 1);
        let two = run(seed, 2);
        prop_assert!(one == two, "same seed, different tables\n{}", case.toml());
        let another = run(seed ^ other, 2);
        prop_assert!(one.rows != another.rows, "seeds {} and {} give the same table\n{}", seed, seed ^ other, case.toml());
    }
}

// ---------------------------------------------------------------------------------------------
// Regression tests for the violations the properties found (all fixed but CRM's, which follows
// dfcrm by design and is exempt through `may_select_untried`).
// ---------------------------------------------------------------------------------------------

/// The only design of a scenario given its `[trial]` and `[[design]]` bodies.
fn finder(trial: &str, design: &str) -> Box<dyn DoseFinder> {
    let text = one_design(trial, design);
    let scenario = Scenario::parse(&text, Path::new("regression.toml")).unwrap_or_else(|e| panic!("{e}"));
    scenario.build_designs().pop().unwrap()
}

/// Data after cohorts of (0-based dose, patients, DLTs).
fn after(doses: usize, cohorts: &[(u16, u16, u16)]) -> TrialData {
    let mut data = TrialData::new(doses);
    for &(d, n, y) in cohorts {
        data.add_cohort(Dose(d), n, y);
    }
    data
}

/// Regression, found by `three_plus_three_paths`: 3+3 without de-escalation starting at dose 2
/// selected dose 1, which nobody received, after 2/3 at dose 2. It now treats dose 1 instead.
#[test]
fn three_plus_three_never_selects_an_untried_dose() {
    let f = finder(
        "doses = [\"1\", \"2\"]\ntarget = 0.3\ncohort_size = 3\nmax_patients = 6\nstart_dose = 2",
        "rule = \"3+3\"",
    );
    let data = after(2, &[(1, 3, 2)]);
    match f.decide(&data) {
        Decision::Stop { selected: Some(d), .. } => assert!(data.patients(d) > 0, "selected dose {d}, untried"),
        Decision::Stop { selected: None, .. } => {}
        Decision::Treat(d) => assert_eq!(d, Dose(0), "treats the untried dose below"),
        Decision::Wait => unreachable!("no follow-up: nothing to wait for"),
    }
}

/// Found through `three_plus_three_monotone_counterexamples`: a dose cleared at 0/3 stops
/// counting as cleared once a cohort cut short by `max_patients` adds a patient (0/4), so a
/// trial with 0/4 at dose 1 and 2/6 at dose 2 selects no dose instead of dose 1 (README: "selects
/// the highest dose cleared so far (0/3 or ≤ 1/6)"). Titration's single patients never clear a
/// dose either: with no DLT at all, 4 doses and 5 patients, nothing is selected.
#[test]
fn three_plus_three_keeps_a_cleared_dose_when_cut_short() {
    let f = finder(
        "doses = [\"1\", \"2\"]\ntarget = 0.3\ncohort_size = 3\nmax_patients = 10",
        "rule = \"3+3\"\ndeescalate = true",
    );
    let data = after(2, &[(0, 3, 0), (1, 3, 1), (1, 3, 1)]);
    assert_eq!(f.decide(&data), Decision::Treat(Dose(0)));
    assert_eq!(f.next_cohort_size(&data), 1);
    let data = after(2, &[(0, 3, 0), (1, 3, 1), (1, 3, 1), (0, 1, 0)]);
    assert_eq!(
        f.decide(&data),
        Decision::Stop {
            selected: Some(Dose(0)),
            reason: StopReason::MaxPatients
        }
    );
}

/// Found by `trial_paths_respect_design_invariants` and `counts_add_up`: CRM selects the dose its
/// model puts closest to the target even if nobody received it (dfcrm's `crm()$mtd` does the
/// same), e.g. dose 2 after 0/3 at dose 1 when the trial stops at 3 patients.
#[test]
#[ignore = "by design: dfcrm's crmsim recommends the dose closest to the target, tried or not"]
fn crm_never_selects_an_untried_dose() {
    let f = finder(
        "doses = [\"1\", \"2\"]\ntarget = 0.24\ncohort_size = 3\nmax_patients = 3",
        "rule = \"crm\"\nskeleton = { halfwidth = 0.03, nu = 1 }",
    );
    let data = after(2, &[(0, 3, 0)]);
    match f.decide(&data) {
        Decision::Stop { selected: Some(d), .. } => assert!(data.patients(d) > 0, "selected dose {d}, untried"),
        other => panic!("{other:?}"),
    }
}

/// Found by `blrm_paths_respect_ewoc`: accelerated titration escalates the second patient to dose
/// 2 although EWOC (P(overdose) ≥ 0.25) has made it inadmissible after 0/1 at dose 1.
#[test]
fn blrm_titration_respects_ewoc() {
    let f = finder(
        "doses = [\"1\", \"2\"]\ntarget = 0.1\ncohort_size = 2\nmax_patients = 6",
        "rule = \"blrm\"\ndose_amounts = [2.0, 4.0]\nreference_dose = 2.0\naccelerated_titration = true",
    );
    let data = after(2, &[(0, 1, 0)]);
    let Decision::Treat(next) = f.decide(&data) else {
        panic!("stopped")
    };
    assert!(
        f.estimates(&data)[next.index()].admissible,
        "treats at dose {next}, inadmissible: {:?}",
        f.estimates(&data)
    );
}

/// Found by `blrm_paths_respect_ewoc`: after 2/2 at dose 3 the BLRM de-escalates to dose 1, the
/// only admissible dose; `dont_skip_doses { when_deescalating = true }` raises that to dose 2,
/// which EWOC forbids.
#[test]
fn dont_skip_when_deescalating_respects_ewoc() {
    let f = finder(
        "doses = [\"1\", \"2\", \"3\"]\ntarget = 0.1\ncohort_size = 2\nmax_patients = 6\nstart_dose = 3",
        "rule = \"blrm\"\ndose_amounts = [0.5, 1.0, 2.0]\nreference_dose = 1.0\noverdose_limit = 0.35\n\
         rules = [{ kind = \"dont_skip_doses\", when_escalating = false, when_deescalating = true }]",
    );
    let data = after(3, &[(2, 2, 2)]);
    let Decision::Treat(next) = f.decide(&data) else {
        panic!("stopped")
    };
    assert!(
        f.estimates(&data)[next.index()].admissible,
        "treats at dose {next}, inadmissible: {:?}",
        f.estimates(&data)
    );
}
