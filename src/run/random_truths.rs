//! Simulating the designs under random curves (`[random_truths]`), alongside the scenario's own
//! truths, in the same run, shards and merges.
//!
//! The curves are extra truths at the end of the dose-finding engine's counts (indexed
//! `[design][truth]`, the scenario's truths first), so shard files, merging and their checks carry
//! them with no further work. Their trials differ from the scenario truths' in one way: curve c's
//! trial t draws its patients from a stream of its own, keyed by
//! (mix64((s ⊕ [`CURVE_TRIALS_STREAM`]) ⊕ mix64(c)), t) for run seed s (see
//! [`crate::engines::rng`]), so the curves' estimates are independent and the standard error of
//! their mean is SD/√curves ([`crate::results::random_truths`]). Within a curve every design sees
//! the same patients (common random numbers). Trial t of every curve is run as trial t of the
//! run, so the counts of any slice of trials add up as the engine's do.

use crate::core::random::trial_key;
use crate::core::NO_WAIT_WITHOUT_FOLLOW_UP;
use crate::designs::{Decision, DoseFinder, TrialData};
use crate::engines::cache::{DecisionCache, SharedDecisions};
use crate::engines::dose_finding::{DoseFindingPlan, DoseFindingWorker, OcCounts};
use crate::engines::rng::{dlt_threshold, PatientStream};
use crate::engines::Simulation;
use crate::report::write_atomic;
use crate::results::random_truths::{CurveOc, DesignOverCurves, RandomTruthsTable, RANDOM_TRUTHS_TABLES};
use crate::results::OcTable;
use crate::run::{write_error, RunError};
use crate::scenario::{Curve, Scenario};
use std::path::{Path, PathBuf};

/// The curves' trials' seed offset ("rnd_trls" in ASCII), XOR-ed into the run seed.
pub const CURVE_TRIALS_STREAM: u64 = 0x726e_645f_7472_6c73;

/// The run's seed of curve `curve`'s trials in the run seeded with `seed`.
pub fn curve_trials_seed(seed: u64, curve: usize) -> u64 {
    trial_key(seed ^ CURVE_TRIALS_STREAM, curve as u64)
}

/// The dose-finding engine's simulation of a scenario: its truths ([`DoseFindingPlan`]), then
/// its random curves, if any.
pub struct WithCurves<'a> {
    plan: DoseFindingPlan<'a>,
    designs: &'a [Box<dyn DoseFinder>],
    /// Each curve's DLT thresholds per dose.
    curves: Vec<Vec<u64>>,
    seed: u64,
    /// Each design's decisions, shared by the workers.
    shared: Vec<SharedDecisions>,
}

impl<'a> WithCurves<'a> {
    /// `plan`, with `designs` under `curves` as well, in the run seeded with `seed`.
    pub fn new(plan: DoseFindingPlan<'a>, designs: &'a [Box<dyn DoseFinder>], curves: &[Curve], seed: u64) -> Self {
        WithCurves {
            plan,
            designs,
            curves: curves
                .iter()
                .map(|c| c.dlt.iter().map(|&p| dlt_threshold(p)).collect())
                .collect(),
            seed,
            shared: designs.iter().map(|_| SharedDecisions::default()).collect(),
        }
    }
}

/// A worker of [`WithCurves`].
pub struct CurvesWorker<'s> {
    plan: DoseFindingWorker<'s>,
    /// Counts `[design][curve]`.
    counts: Vec<Vec<OcCounts>>,
    caches: Vec<DecisionCache<'s>>,
    patients: PatientStream,
    data: TrialData,
}

impl Simulation for WithCurves<'_> {
    type Counts = Vec<Vec<OcCounts>>;
    type Worker<'s>
        = CurvesWorker<'s>
    where
        Self: 's;
    const BLOCK: u64 = <DoseFindingPlan as Simulation>::BLOCK;

    fn worker(&self) -> CurvesWorker<'_> {
        let max_patients = self.designs.iter().map(|d| d.limits().max_patients).max().unwrap_or(0);
        let num_doses = self.curves.first().map_or(0, Vec::len);
        CurvesWorker {
            plan: self.plan.worker(),
            counts: (self.designs.iter())
                .map(|d| vec![OcCounts::new(num_doses, d.limits().max_patients); self.curves.len()])
                .collect(),
            caches: self.shared.iter().map(SharedDecisions::cache).collect(),
            patients: PatientStream::with_capacity(max_patients as usize),
            data: TrialData::new(num_doses),
        }
    }

    fn run<'s>(&'s self, worker: &mut CurvesWorker<'s>, trial: u64) {
        self.plan.run(&mut worker.plan, trial);
        for (c, thresholds) in self.curves.iter().enumerate() {
            worker.patients.start_trial(curve_trials_seed(self.seed, c), trial);
            for (k, finder) in self.designs.iter().enumerate() {
                let end = run_trial(
                    finder.as_ref(),
                    &mut worker.caches[k],
                    &worker.patients,
                    thresholds,
                    &mut worker.data,
                );
                worker.counts[k][c].add_times(&worker.data, end, 1);
            }
        }
    }

    fn finish<'s>(&'s self, worker: CurvesWorker<'s>) -> Vec<Vec<OcCounts>> {
        let mut counts = self.plan.finish(worker.plan);
        for (by_truth, curves) in counts.iter_mut().zip(worker.counts) {
            by_truth.extend(curves);
        }
        counts
    }
}

/// One trial of `finder` on `patients` at DLT `thresholds`, decisions through `cache`; leaves the
/// trial's data in `data` and returns its last decision.
fn run_trial(
    finder: &dyn DoseFinder,
    cache: &mut DecisionCache,
    patients: &PatientStream,
    thresholds: &[u64],
    data: &mut TrialData,
) -> Decision {
    data.clear();
    let mut dose = finder.limits().start_dose;
    loop {
        let size = finder.next_cohort_size(data);
        let first = data.total_patients() as usize;
        data.add_cohort(
            dose,
            size,
            patients.dlts(first, usize::from(size), thresholds[dose.index()]),
        );
        match cache.decide(finder, data) {
            Decision::Treat(next) => dose = next,
            Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
            stop => return stop,
        }
    }
}

/// Splits counts `[design][truth ++ curve]` into the scenario truths' and the curves'.
pub fn split_curves(mut counts: Vec<Vec<OcCounts>>, truths: usize) -> (Vec<Vec<OcCounts>>, Vec<Vec<OcCounts>>) {
    let curves = counts.iter_mut().map(|by_truth| by_truth.split_off(truths)).collect();
    (counts, curves)
}

/// The table of the designs' OCs over the scenario's random curves `curves`, from their counts
/// `[design][curve]` of `trials` trials each; `None` without `[random_truths]`.
pub fn random_truths_table(
    scenario: &Scenario,
    curves: &[Curve],
    counts: &[Vec<OcCounts>],
    trials: u64,
) -> Option<RandomTruthsTable> {
    let random = scenario.random_truths.as_ref()?;
    let designs = (scenario.designs.iter().zip(counts))
        .map(|(design, by_curve)| {
            let ocs = (by_curve.iter().zip(curves))
                .map(|(c, curve)| CurveOc::new(&c.probabilities(), curve.mtd))
                .collect();
            DesignOverCurves::new(&design.name, ocs)
        })
        .collect();
    Some(RandomTruthsTable {
        method: random.method.name(),
        citation: random.method.citation(),
        target: random.target,
        seed: random.seed,
        trials,
        dlt: curves.iter().map(|c| c.dlt.clone()).collect(),
        mtd: curves.iter().map(|c| c.mtd).collect(),
        designs,
    })
}

/// Writes `random_truths.csv` and `random_truths_curves.csv` into `dir` when `table` has random
/// truths, adding their paths to `written` and their names with what they hold to `files`.
pub fn write_random_truths(
    table: &OcTable,
    dir: &Path,
    written: &mut Vec<PathBuf>,
    files: &mut Vec<(&'static str, &'static str)>,
) -> Result<(), RunError> {
    let Some(random) = &table.random_truths else {
        return Ok(());
    };
    for ((name, _), bytes) in RANDOM_TRUTHS_TABLES
        .iter()
        .zip([random.summary_csv(), random.curves_csv()])
    {
        let path = dir.join(name);
        write_atomic(&path, &bytes).map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    files.extend(RANDOM_TRUTHS_TABLES);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Truth;
    use crate::engines::simulate;
    use crate::run::{DoseFindingRun, Engine};

    /// The fixture scenario: BOIN, CRM and 3+3 over 200 pseudo-uniform curves.
    fn fixture() -> Scenario {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/random_truths/scenario.toml");
        Scenario::load(&file).expect("the fixture is valid")
    }

    /// Curve c's counts are exactly those of the dose-finding engine (its decision graphs) run
    /// with the curve as its only truth and seeded by [`curve_trials_seed`]: the same patients
    /// and decisions. The table's means, SDs and quartiles over curves are then recomputed
    /// directly from the counts.
    #[test]
    fn each_curve_is_a_run_of_its_own_and_the_table_averages_them() {
        let scenario = fixture();
        let run = DoseFindingRun::new(&scenario);
        let (trials, seed) = (150, 99);
        let counts = run.count(0..trials, seed, 2, &|_| {}).unwrap();
        let (_, curves) = split_curves(counts.clone(), scenario.truths.len());
        for c in [0, 7, 199] {
            let truth = Truth {
                dlt: run.curves[c].dlt.clone(),
                ..scenario.truths[0].clone()
            };
            let plan = DoseFindingPlan::new(&run.designs, std::slice::from_ref(&truth), curve_trials_seed(seed, c));
            let direct = simulate(&plan, 0..trials, 1, &|_| {}).unwrap();
            for (k, by_truth) in direct.iter().enumerate() {
                assert_eq!(curves[k][c], by_truth[0], "design {k}, curve {c}");
            }
        }
        let table = run.table(&counts, trials, seed).unwrap().random_truths.unwrap();
        assert_eq!(table.mtd, run.curves.iter().map(|c| c.mtd).collect::<Vec<_>>());
        for (k, design) in table.designs.iter().enumerate() {
            let pct = |c: &OcCounts, d: &[usize]| {
                100.0 * d.iter().map(|&d| c.selected[d]).sum::<u64>() as f64 / trials as f64
            };
            let correct: Vec<f64> = (curves[k].iter().zip(&run.curves))
                .map(|(c, v)| pct(c, &[v.mtd]))
                .collect();
            let over: Vec<f64> = (curves[k].iter().zip(&run.curves))
                .map(|(c, v)| pct(c, &(v.mtd + 1..6).collect::<Vec<_>>()))
                .collect();
            let n = correct.len() as f64;
            let mean = correct.iter().sum::<f64>() / n;
            let sd = (correct.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let mut sorted = correct.clone();
            sorted.sort_by(f64::total_cmp);
            // Type-7 median of 200 values: the mean of the 100th and 101st.
            let median = (sorted[99] + sorted[100]) / 2.0;
            assert!((design.correct.mean - mean).abs() < 1e-9);
            assert!((design.correct.sd - sd).abs() < 1e-9);
            assert!((design.correct.se - sd / n.sqrt()).abs() < 1e-9);
            assert!((design.correct.quartiles[1] - median).abs() < 1e-9);
            assert!((design.overdose.mean - over.iter().sum::<f64>() / n).abs() < 1e-9);
        }
    }
}
