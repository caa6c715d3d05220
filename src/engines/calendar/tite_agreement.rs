//! TITE-CRM's posteriors by quadrature around the mode ([`Crm::weighted_posterior`],
//! [`Crm::posterior_by_quadrature`]) against the fixed fine grid they replaced
//! ([`Crm::posterior_of`]), on every decision of simulated trials of the bundled TITE-CRM design
//! (scenarios/qls4131_full.toml): the next dose (weighted posterior), the MTD and the verdict of
//! its `stop_when_too_toxic` rule (complete-data posterior) must be the same in at least 99.9% of
//! decisions. Rules of 8 to 32 Gauss–Hermite nodes are compared side by side; the design uses
//! [`HERMITE_NODES`].

use super::*;
use crate::core::DoseTruth;
use crate::designs::crm::{calibrate_skeleton, CrmData, CrmModel};
use crate::designs::crm::{Crm, CrmConfig, CrmEstimate, HermiteRule, HERMITE_NODES};
use crate::designs::registry::ConfiguredDesign;
use crate::designs::rules::{DoseSelector, StopWhenTooToxic};
use crate::designs::tite::{weighted_outcomes, TiteCrmConfig, TiteWeights};
use crate::designs::{Decision, Design, DoseEstimate, Fit, Step, TrialData};
use crate::engines::simulate;
use crate::scenario::{RuleSpec, Scenario};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Gauss–Hermite rules compared with the grid.
const NODES: [usize; 5] = [8, 10, 12, 16, 32];

/// The bundled design, its decisions compared on every data with follow-up it is given.
struct Compared {
    finder: Box<dyn DoseFinder>,
    crm: Crm,
    weights: TiteWeights,
    /// The design's toxicity stop: dose, threshold and certainty.
    stop: (Dose, f64, f64),
    rules: Vec<HermiteRule>,
    tallies: Arc<Tallies>,
}

/// How one rule fared against the grid.
#[derive(Default)]
struct Tally {
    /// Decisions where the next dose, the MTD or the toxicity stop differ.
    differing: AtomicU64,
    /// The largest |difference| of a posterior mean of β, in units of 10⁻¹².
    largest_beta: AtomicU64,
    /// The largest |difference| of P(p > threshold) at the rule's dose, in units of 10⁻¹².
    largest_prob: AtomicU64,
}

/// What the comparisons found.
#[derive(Default)]
struct Tallies {
    decisions: AtomicU64,
    /// Per rule of [`NODES`].
    rules: [Tally; NODES.len()],
    /// The design's rule's differing decisions, in words.
    differences: Mutex<Vec<String>>,
}

/// Raises `slot` to |gap| in units of 10⁻¹².
fn note(slot: &AtomicU64, gap: f64) {
    slot.fetch_max((gap.abs() * 1e12).round() as u64, Ordering::Relaxed);
}

impl Compared {
    fn compare(&self, data: &TrialData) {
        let Some(view) = data.follow_up().filter(|f| !f.records.is_empty()) else {
            return;
        };
        let outcomes = weighted_outcomes(view, self.weights);
        let grid = self.crm.posterior_of(CrmData::Weighted(&outcomes));
        let grid_next = self.crm.closest_to_target(&grid.plug_in);
        let complete = self.crm.fit(data);
        let (grid_mtd, grid_p) = (
            complete.closest_to_target(),
            complete.prob_tox_exceeds(self.stop.0, self.stop.1).expect("CRM"),
        );
        let tallies = &self.tallies;
        tallies.decisions.fetch_add(1, Ordering::Relaxed);
        for ((rule, tally), nodes) in self.rules.iter().zip(&tallies.rules).zip(NODES) {
            let posterior = self.crm.posterior_by_quadrature(rule, data);
            let p = self
                .crm
                .prob_exceeds(&posterior, CrmData::Counts(data), self.stop.0, self.stop.1);
            let mtd = self.crm.closest_to_target(&posterior.plug_in);
            let weighted = self.crm.weighted_posterior(rule, &outcomes, posterior.mean);
            let next = self.crm.closest_to_target(&weighted.plug_in);
            note(&tally.largest_beta, weighted.mean - grid.mean);
            note(&tally.largest_beta, posterior.mean - complete.posterior().mean);
            note(&tally.largest_prob, p - grid_p);
            let certain = |p: f64| p >= self.stop.2;
            if next != grid_next || mtd != grid_mtd || certain(p) != certain(grid_p) {
                tally.differing.fetch_add(1, Ordering::Relaxed);
                if nodes == HERMITE_NODES {
                    tallies.differences.lock().unwrap().push(format!(
                        "next {next} vs {grid_next} (mean β {:.6} vs {:.6}), MTD {mtd} vs {grid_mtd}, \
                         P {p:.6} vs {grid_p:.6}",
                        weighted.mean, grid.mean
                    ));
                }
            }
        }
    }
}

impl DoseFinder for Compared {
    fn name(&self) -> &str {
        self.finder.name()
    }
    fn limits(&self) -> &TrialLimits {
        self.finder.limits()
    }
    fn decide(&self, data: &TrialData) -> Decision {
        self.compare(data);
        self.finder.decide(data)
    }
    fn conclude(&self, data: &TrialData) -> Option<Dose> {
        self.finder.conclude(data)
    }
    fn cache_decisions(&self) -> bool {
        self.finder.cache_decisions()
    }
    fn decides_on_pending(&self) -> bool {
        self.finder.decides_on_pending()
    }
    fn uses_efficacy(&self) -> bool {
        self.finder.uses_efficacy()
    }
    fn true_obd(&self, truth: &[DoseTruth]) -> Option<(Option<Dose>, Vec<f64>)> {
        self.finder.true_obd(truth)
    }
    fn next_cohort_size(&self, data: &TrialData) -> u16 {
        self.finder.next_cohort_size(data)
    }
    fn estimates(&self, data: &TrialData) -> Vec<DoseEstimate> {
        self.finder.estimates(data)
    }
    fn backfill_open(&self, data: &TrialData, dose: Dose) -> bool {
        self.finder.backfill_open(data, dose)
    }
    fn explain(&self, data: &TrialData) -> (Decision, Vec<Step>) {
        self.finder.explain(data)
    }
}

/// Every decision of `trials` trials per truth of the bundled TITE-CRM.
fn agreement(trials: u64) -> Arc<Tallies> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/qls4131_full.toml");
    let scenario = Scenario::load(&path).expect("bundled scenario");
    let design = scenario
        .designs
        .iter()
        .find(|d| d.rule_name() == "tite-crm")
        .expect("a TITE-CRM");
    let stop = design
        .rules
        .iter()
        .find_map(|r| match r {
            RuleSpec::StopWhenTooToxic(StopWhenTooToxic {
                dose: DoseSelector::Level(dose),
                threshold,
                certainty,
            }) => Some((*dose, *threshold, *certainty)),
            _ => None,
        })
        .expect("a toxicity stop at one dose");
    let config = CrmConfig {
        target: scenario.trial.target,
        skeleton: calibrate_skeleton(0.05, 0.25, 3, 6, CrmModel::Empiric),
        model: CrmModel::Empiric,
        prior_variance: 1.34,
        estimate: CrmEstimate::PlugIn,
        restrict: true,
        select_untried: true,
    };
    let mirror = TiteCrmConfig {
        crm: config.clone(),
        weights: TiteWeights::Linear,
    };
    assert!(
        design.settings().contains(&mirror.settings()),
        "the bundled TITE-CRM changed: {}",
        design.settings()
    );
    let tallies = Arc::new(Tallies::default());
    let compared = Compared {
        finder: design.build(&scenario.trial),
        crm: Crm::new(config),
        weights: TiteWeights::Linear,
        stop,
        rules: NODES.iter().map(|&n| HermiteRule::new(n)).collect(),
        tallies: Arc::clone(&tallies),
    };
    let entries = [TimedEntry {
        finder: Box::new(compared),
        step_up: design.step_up,
        backfill: design.backfill.clone(),
    }];
    let settings = TimedSettings {
        timing: scenario.timing.expect("calendar time"),
        total_patients: scenario.trial.total_patients,
        utility: scenario.utility,
        target: scenario.trial.target,
    };
    let plan = TimedPlan::new(&entries, &scenario.truths, settings, scenario.simulation.seed);
    simulate(&plan, 0..trials, 2, &|_| {}).expect("runs");
    tallies
}

fn check(trials: u64) {
    let tallies = agreement(trials);
    let decisions = tallies.decisions.load(Ordering::Relaxed);
    assert!(decisions > trials, "{decisions} decisions");
    println!("{trials} trials per truth: {decisions} TITE-CRM decisions");
    for (tally, nodes) in tallies.rules.iter().zip(NODES) {
        let differing = tally.differing.load(Ordering::Relaxed);
        let share = 1.0 - differing as f64 / decisions as f64;
        let gap = |slot: &AtomicU64| slot.load(Ordering::Relaxed) as f64 * 1e-12;
        println!(
            "{nodes:>2} nodes: {differing} differ ({:.4}% agree); largest |Δ mean β| {:.2e}, |Δ P| {:.2e}",
            100.0 * share,
            gap(&tally.largest_beta),
            gap(&tally.largest_prob)
        );
        if nodes == HERMITE_NODES {
            println!("differing: {:#?}", tallies.differences.lock().unwrap());
            assert!(share >= 0.999, "{differing} of {decisions} decisions differ");
        }
    }
}

/// Every decision of 300 trials per truth.
#[test]
fn quadrature_recommends_as_the_grid() {
    check(300);
}

/// Every decision of 10,000 trials per truth (the figure in the README; about a minute:
/// `cargo test --release --lib tite_agreement -- --ignored --nocapture`).
#[test]
#[ignore]
fn quadrature_recommends_as_the_grid_in_10000_trials() {
    check(10_000);
}
