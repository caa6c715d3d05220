//! TITE-CRM's posterior by quadrature around the mode ([`Crm::weighted_posterior`]) against the
//! fixed fine grid it replaced ([`Crm::posterior_of`]), on every decision of simulated trials of
//! the bundled TITE-CRM design (scenarios/qls4131_full.toml): the next dose the two recommend
//! must be the same in at least 99.9% of decisions.

use super::*;
use crate::core::DoseTruth;
use crate::designs::crm::{calibrate_skeleton, CrmData, CrmModel};
use crate::designs::crm::{Crm, CrmConfig, CrmEstimate, HermiteRule, WeightedOutcome, HERMITE_NODES};
use crate::designs::registry::ConfiguredDesign;
use crate::designs::tite::{weighted_outcomes, TiteCrmConfig, TiteWeights};
use crate::designs::{Decision, DoseEstimate, Step, TrialData};
use crate::engines::simulate;
use crate::scenario::Scenario;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The bundled design, its decisions compared on every data with follow-up it is given.
struct Compared {
    finder: Box<dyn DoseFinder>,
    crm: Crm,
    weights: TiteWeights,
    rule: HermiteRule,
    tallies: Arc<Tallies>,
}

/// Where the two differ: (quadrature's dose, grid's dose, their posterior means of β).
type Difference = (Dose, Dose, f64, f64);

/// What the comparisons found.
#[derive(Default)]
struct Tallies {
    decisions: AtomicU64,
    /// Decisions where they differ.
    differences: Mutex<Vec<Difference>>,
    /// The largest |difference| of the posterior means of β, in units of 10⁻¹².
    largest: AtomicU64,
    /// The outcomes where it was found.
    worst: Mutex<Vec<WeightedOutcome>>,
}

impl Compared {
    fn compare(&self, data: &TrialData) {
        let Some(view) = data.follow_up().filter(|f| !f.records.is_empty()) else {
            return;
        };
        let outcomes = weighted_outcomes(view, self.weights);
        let quadrature = self.crm.weighted_posterior(&self.rule, &outcomes);
        let grid = self.crm.posterior_of(CrmData::Weighted(&outcomes));
        let (a, b) = (
            self.crm.closest_to_target(&quadrature.plug_in),
            self.crm.closest_to_target(&grid.plug_in),
        );
        let tallies = &self.tallies;
        tallies.decisions.fetch_add(1, Ordering::Relaxed);
        let gap = ((quadrature.mean - grid.mean).abs() * 1e12).round() as u64;
        if tallies.largest.fetch_max(gap, Ordering::Relaxed) < gap {
            *tallies.worst.lock().unwrap() = outcomes.clone();
        }
        if a != b {
            tallies
                .differences
                .lock()
                .unwrap()
                .push((a, b, quadrature.mean, grid.mean));
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

/// Every decision of `trials` trials per truth of the bundled TITE-CRM: (decisions, differences,
/// largest gap between the posterior means of β).
fn agreement(trials: u64) -> (u64, Vec<Difference>, f64) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/qls4131_full.toml");
    let scenario = Scenario::load(&path).expect("bundled scenario");
    let design = scenario
        .designs
        .iter()
        .find(|d| d.rule_name() == "tite-crm")
        .expect("a TITE-CRM");
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
        rule: HermiteRule::new(HERMITE_NODES),
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
    let differences = tallies.differences.lock().unwrap().clone();
    println!("largest gap on {:?}", tallies.worst.lock().unwrap());
    (
        tallies.decisions.load(Ordering::Relaxed),
        differences,
        tallies.largest.load(Ordering::Relaxed) as f64 * 1e-12,
    )
}

fn check(trials: u64) {
    let (decisions, differences, largest) = agreement(trials);
    let share = 1.0 - differences.len() as f64 / decisions as f64;
    println!(
        "{trials} trials per truth: {decisions} TITE decisions, {} differ ({:.5}% agree); largest |Δ mean β| {largest:.2e}; differing: {differences:?}",
        differences.len(),
        100.0 * share
    );
    assert!(decisions > trials, "{decisions} decisions");
    assert!(share >= 0.999, "{} of {decisions} decisions differ", differences.len());
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
