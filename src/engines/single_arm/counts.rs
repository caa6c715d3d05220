//! The single-arm engine's integer accumulators.
//!
//! [`SingleArmCounts`] holds integers only, merged by addition, so results do not depend on the
//! number of threads: outcome counts, the joint table of (N, responses among N) (from which E\[N\],
//! the distribution of N, the ORR estimate x/N and the coverage of its Clopper–Pearson interval
//! follow exactly), toxicities, and the sums and sums of squares of the duration and of the
//! Kaplan–Meier medians of OS and PFS, in units of 10⁻⁶ month. The medians are estimated at the
//! final analysis of the trials that reach it (not those stopped early); a curve that stays above
//! 0.5 counts as "not reached".

use crate::core::stats::clopper_pearson_covers;
use crate::designs::single_arm::sim::{Outcome, TrialResult};
use crate::engines::{add, add_counts, total, Accumulator, MergeError, RunCounts};

/// Accumulated times are in units of 10⁻⁶ month.
const TIME_UNITS_PER_MONTH: f64 = 1e6;

/// Count, sum and sum of squares of times, in units of 10⁻⁶ month (exact integer arithmetic).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TimeMoments {
    /// Times counted.
    pub count: u64,
    /// Their sum.
    pub sum: u128,
    /// The sum of their squares.
    pub sum_sq: u128,
}

impl TimeMoments {
    fn add(&mut self, months: f64) {
        let units = (months * TIME_UNITS_PER_MONTH).round() as u128;
        self.count += 1;
        self.sum += units;
        self.sum_sq += units * units;
    }

    fn merge(&mut self, other: &TimeMoments) -> Result<(), MergeError> {
        add(&mut self.count, other.count)?;
        add(&mut self.sum, other.sum)?;
        add(&mut self.sum_sq, other.sum_sq)
    }

    /// Mean in months (`None` when empty).
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / self.count as f64 / TIME_UNITS_PER_MONTH)
    }

    /// Sample standard deviation in months (`None` with fewer than two values); the numerator
    /// n·Σx² − (Σx)² is computed exactly in integers.
    pub fn sd(&self) -> Option<f64> {
        (self.count > 1).then(|| {
            let n = u128::from(self.count);
            let spread = n
                .checked_mul(self.sum_sq)
                .zip(self.sum.checked_mul(self.sum))
                .map(|(a, b)| a.saturating_sub(b) as f64)
                .unwrap_or_else(|| {
                    let (sum, sum_sq) = (self.sum as f64, self.sum_sq as f64);
                    (n as f64 * sum_sq - sum * sum).max(0.0)
                });
            (spread / (n as f64 * (n - 1) as f64)).sqrt() / TIME_UNITS_PER_MONTH
        })
    }
}

/// Kaplan–Meier medians of the trials that reached the final analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MedianCounts {
    /// Medians reached.
    pub reached: TimeMoments,
    /// Trials whose curve stays above 0.5.
    pub not_reached: u64,
}

impl MedianCounts {
    fn add(&mut self, median: Option<f64>) {
        match median {
            Some(m) => self.reached.add(m),
            None => self.not_reached += 1,
        }
    }

    fn merge(&mut self, other: &MedianCounts) -> Result<(), MergeError> {
        self.reached.merge(&other.reached)?;
        add(&mut self.not_reached, other.not_reached)
    }

    /// Medians counted, reached or not.
    fn estimated(&self) -> u128 {
        u128::from(self.reached.count) + u128::from(self.not_reached)
    }
}

/// The (OS, PFS) Kaplan–Meier medians of a trial at its final analysis (`None`: not reached).
pub type FinalMedians = (Option<f64>, Option<f64>);

/// Width of the bins of [`MedianHistogram`], in months.
pub const MEDIAN_BIN_MONTHS: f64 = 0.5;

/// Medians beyond this many bins share the last one (a guard against absurd calendars).
const MAX_MEDIAN_BINS: usize = 100_000;

/// The distribution of a Kaplan–Meier median across trials: integer counts by bins of
/// [`MEDIAN_BIN_MONTHS`] (bin i holds medians in [i·w, (i + 1)·w)), and the trials where the
/// median was not reached. Merged by addition, so it does not depend on the number of threads.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MedianHistogram {
    bins: Vec<u64>,
    /// Trials whose curve stays above 0.5.
    pub not_reached: u64,
}

impl MedianHistogram {
    /// Trials by bin (bin i: medians in [i·w, (i + 1)·w) months, w = [`MEDIAN_BIN_MONTHS`]),
    /// up to the last non-empty bin.
    pub fn bins(&self) -> &[u64] {
        &self.bins
    }

    /// Trials counted (medians reached and not reached).
    pub fn trials(&self) -> u64 {
        self.bins.iter().sum::<u64>() + self.not_reached
    }
}

/// A trial's median, or `None` when it was not reached.
impl Accumulator for MedianHistogram {
    type Trial<'t> = Option<f64>;

    fn add(&mut self, median: Option<f64>) {
        match median {
            Some(m) => {
                let bin = ((m.max(0.0) / MEDIAN_BIN_MONTHS).floor() as usize).min(MAX_MEDIAN_BINS - 1);
                if self.bins.len() <= bin {
                    self.bins.resize(bin + 1, 0);
                }
                self.bins[bin] += 1;
            }
            None => self.not_reached += 1,
        }
    }

    fn merge(&mut self, other: &MedianHistogram) -> Result<(), MergeError> {
        if self.bins.len() < other.bins.len() {
            self.bins.resize(other.bins.len(), 0);
        }
        add_counts(&mut self.bins, &other.bins)?;
        add(&mut self.not_reached, other.not_reached)
    }

    fn trials(&self) -> u64 {
        MedianHistogram::trials(self)
    }

    /// Any counts are possible; the trials are their sum, which must fit.
    fn check(&self) -> Result<(), String> {
        let trials = total(&self.bins) + u128::from(self.not_reached);
        u64::try_from(trials)
            .map(|_| ())
            .map_err(|_| format!("the median histogram holds {trials} trials"))
    }
}

/// The simulated type I error of a log-rank design's test: trials, and trials in which the test
/// rejects H0 when every patient's survival follows the design's historical curve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NullRejections {
    /// Trials counted.
    pub trials: u64,
    /// Trials whose test rejected H0.
    pub rejections: u64,
}

impl NullRejections {
    /// The share of trials rejecting H0, and its Monte Carlo standard error.
    pub fn rate(&self) -> (f64, f64) {
        let p = self.rejections as f64 / self.trials as f64;
        (p, (p * (1.0 - p) / self.trials as f64).sqrt())
    }
}

/// Whether the trial's test rejected H0.
impl Accumulator for NullRejections {
    type Trial<'t> = bool;

    fn add(&mut self, rejected: bool) {
        self.trials += 1;
        self.rejections += u64::from(rejected);
    }

    fn merge(&mut self, other: &NullRejections) -> Result<(), MergeError> {
        add(&mut self.trials, other.trials)?;
        add(&mut self.rejections, other.rejections)
    }

    fn trials(&self) -> u64 {
        self.trials
    }

    fn check(&self) -> Result<(), String> {
        if self.rejections > self.trials {
            return Err(format!("{} rejections in {} trials", self.rejections, self.trials));
        }
        Ok(())
    }
}

/// Everything a simulation accumulates: counts indexed `[design][truth]`, per truth the
/// design-independent distribution of the OS Kaplan–Meier median of all the study's patients at
/// the planned final analysis (last entry + the final lag), in every trial, and per log-rank
/// design its test's rejections under its historical curve.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SingleArmResults {
    /// Counts indexed `[design][truth]`.
    pub counts: Vec<Vec<SingleArmCounts>>,
    /// Per truth, the OS medians of all the study's patients.
    pub os_medians: Vec<MedianHistogram>,
    /// Per design, its test's rejections under H0 (`None`: not a log-rank design).
    pub null_tests: Vec<Option<NullRejections>>,
}

impl RunCounts for SingleArmResults {
    fn merge(&mut self, other: &SingleArmResults) -> Result<(), MergeError> {
        if self.os_medians.len() != other.os_medians.len() {
            return Err(MergeError("the counts are not of the same truths"));
        }
        let tested = |r: &SingleArmResults| r.null_tests.iter().map(Option::is_some).collect::<Vec<_>>();
        if tested(self) != tested(other) {
            return Err(MergeError("the counts are not of the same log-rank designs"));
        }
        self.counts.merge(&other.counts)?;
        for (a, b) in self.os_medians.iter_mut().zip(&other.os_medians) {
            a.merge(b)?;
        }
        for (a, b) in self
            .null_tests
            .iter_mut()
            .flatten()
            .zip(other.null_tests.iter().flatten())
        {
            a.merge(b)?;
        }
        Ok(())
    }

    fn trials(&self) -> Vec<u64> {
        let histograms = self.os_medians.iter().map(Accumulator::trials);
        let null_tests = self.null_tests.iter().flatten().map(Accumulator::trials);
        self.counts
            .trials()
            .into_iter()
            .chain(histograms)
            .chain(null_tests)
            .collect()
    }

    fn check(&self) -> Result<(), String> {
        self.counts.check()?;
        for (t, h) in self.os_medians.iter().enumerate() {
            h.check().map_err(|e| format!("truth {}: {e}", t + 1))?;
        }
        for (d, n) in self.null_tests.iter().enumerate() {
            if let Some(n) = n {
                n.check().map_err(|e| format!("design {} under H0: {e}", d + 1))?;
            }
        }
        Ok(())
    }
}

/// Integer accumulators of one design under one truth (merged by addition).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SingleArmCounts {
    /// Trials counted.
    pub trials: u64,
    /// Trials declaring the regimen promising.
    pub promising: u64,
    /// Trials reaching the final analysis without doing so.
    pub not_promising: u64,
    /// Trials stopped for futility.
    pub futility_stops: u64,
    /// Trials stopped for toxicity.
    pub toxicity_stops: u64,
    /// Σ toxicities over trials.
    pub toxicities: u64,
    /// Σ over trials of the squared number of toxicities (for the standard error of their mean).
    pub toxicities_sq: u64,
    /// Trial end times (stop or final analysis).
    pub duration: TimeMoments,
    /// Kaplan–Meier medians of OS at the final analysis.
    pub os_median: MedianCounts,
    /// Kaplan–Meier medians of PFS at the final analysis.
    pub pfs_median: MedianCounts,
    max_patients: u32,
    /// Trials by (N, responses among N), at `n * (max_patients + 1) + x`.
    by_n_and_responses: Vec<u64>,
}

impl SingleArmCounts {
    /// Empty counts for a design with at most `max_patients` patients.
    pub fn new(max_patients: u32) -> SingleArmCounts {
        let side = max_patients as usize + 1;
        SingleArmCounts {
            trials: 0,
            promising: 0,
            not_promising: 0,
            futility_stops: 0,
            toxicity_stops: 0,
            toxicities: 0,
            toxicities_sq: 0,
            duration: TimeMoments::default(),
            os_median: MedianCounts::default(),
            pfs_median: MedianCounts::default(),
            max_patients,
            by_n_and_responses: vec![0; side * side],
        }
    }

    /// The maximum number of patients of the design.
    pub fn max_patients(&self) -> u32 {
        self.max_patients
    }

    /// Trials with exactly x responses among N = n patients.
    pub fn trials_with(&self, n: u32, x: u32) -> u64 {
        let side = self.max_patients as usize + 1;
        self.by_n_and_responses[n as usize * side + x as usize]
    }

    /// Trials by N = 0…max_patients.
    pub fn patients_distribution(&self) -> Vec<u64> {
        self.by_n_and_responses
            .chunks(self.max_patients as usize + 1)
            .map(|row| row.iter().sum())
            .collect()
    }

    /// (n, x, trials) for every non-empty cell.
    fn cells(&self) -> impl Iterator<Item = (u32, u32, u64)> + '_ {
        let side = self.max_patients as usize + 1;
        self.by_n_and_responses
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(move |(i, &c)| ((i / side) as u32, (i % side) as u32, c))
    }

    /// The operating characteristics, with the ORR estimate judged against `true_orr`.
    pub fn summary(&self, true_orr: f64) -> SingleArmSummary {
        let trials = self.trials as f64;
        let share = |count: u64| count as f64 / trials;
        let (mut sum_n, mut sum_n2, mut sum_orr, mut covered) = (0u64, 0u64, 0.0, 0u64);
        let mut sum_orr2 = 0.0;
        for (n, x, c) in self.cells() {
            sum_n += u64::from(n) * c;
            sum_n2 += u64::from(n) * u64::from(n) * c;
            if n > 0 {
                let orr = f64::from(x) / f64::from(n);
                sum_orr += orr * c as f64;
                sum_orr2 += orr * orr * c as f64;
                covered += if clopper_pearson_covers(x, n, true_orr, 0.95) {
                    c
                } else {
                    0
                };
            }
        }
        let mean_patients = sum_n as f64 / trials;
        let median = |m: &MedianCounts| MedianSummary {
            estimated: m.reached.count + m.not_reached,
            not_reached: m.not_reached,
            mean: m.reached.mean(),
            sd: m.reached.sd(),
        };
        SingleArmSummary {
            trials: self.trials,
            promising: share(self.promising),
            futility_stop: share(self.futility_stops),
            toxicity_stop: share(self.toxicity_stops),
            completed: share(self.promising + self.not_promising),
            mean_patients,
            sd_patients: ((sum_n2 as f64 - trials * mean_patients * mean_patients) / (trials - 1.0))
                .max(0.0)
                .sqrt(),
            mean_toxicities: share(self.toxicities),
            mean_duration: self.duration.mean().unwrap_or(f64::NAN),
            sd_duration: self.duration.sd().unwrap_or(f64::NAN),
            orr_bias: sum_orr / trials - true_orr,
            sd_orr: sample_sd(sum_orr, sum_orr2, trials),
            sd_toxicities: sample_sd(self.toxicities as f64, self.toxicities_sq as f64, trials),
            orr_coverage: share(covered),
            os_median: median(&self.os_median),
            pfs_median: median(&self.pfs_median),
        }
    }
}

/// The sample SD of n values with sum `sum` and sum of squares `sum_sq` (0 with fewer than two).
fn sample_sd(sum: f64, sum_sq: f64, n: f64) -> f64 {
    if n < 2.0 {
        return 0.0;
    }
    ((sum_sq - sum * sum / n) / (n - 1.0)).max(0.0).sqrt()
}

/// A trial, with its (OS, PFS) Kaplan–Meier medians when it reached the final analysis.
impl Accumulator for SingleArmCounts {
    type Trial<'t> = (&'t TrialResult, Option<FinalMedians>);

    fn add(&mut self, (result, medians): (&TrialResult, Option<FinalMedians>)) {
        self.trials += 1;
        match result.outcome {
            Outcome::Promising => self.promising += 1,
            Outcome::NotPromising => self.not_promising += 1,
            Outcome::FutilityStop => self.futility_stops += 1,
            Outcome::ToxicityStop => self.toxicity_stops += 1,
        }
        self.toxicities += u64::from(result.toxicities);
        self.toxicities_sq += u64::from(result.toxicities) * u64::from(result.toxicities);
        self.duration.add(result.end_time);
        if let Some((os, pfs)) = medians {
            self.os_median.add(os);
            self.pfs_median.add(pfs);
        }
        let side = self.max_patients as usize + 1;
        self.by_n_and_responses[result.patients as usize * side + result.responses as usize] += 1;
    }

    fn merge(&mut self, other: &SingleArmCounts) -> Result<(), MergeError> {
        if self.max_patients != other.max_patients || self.by_n_and_responses.len() != other.by_n_and_responses.len() {
            return Err(MergeError("the counts are not of the same designs"));
        }
        add(&mut self.trials, other.trials)?;
        add(&mut self.promising, other.promising)?;
        add(&mut self.not_promising, other.not_promising)?;
        add(&mut self.futility_stops, other.futility_stops)?;
        add(&mut self.toxicity_stops, other.toxicity_stops)?;
        add(&mut self.toxicities, other.toxicities)?;
        add(&mut self.toxicities_sq, other.toxicities_sq)?;
        self.duration.merge(&other.duration)?;
        self.os_median.merge(&other.os_median)?;
        self.pfs_median.merge(&other.pfs_median)?;
        add_counts(&mut self.by_n_and_responses, &other.by_n_and_responses)
    }

    fn trials(&self) -> u64 {
        self.trials
    }

    /// Every trial has one outcome, one duration and one (N, x) cell with x ≤ N; medians only
    /// of trials that reached the final analysis; at most N toxicities a trial.
    fn check(&self) -> Result<(), String> {
        let trials = u128::from(self.trials);
        let side = self.max_patients as usize + 1;
        if self.by_n_and_responses.len() != side * side {
            return Err("the (N, responses) table does not fit max_patients".into());
        }
        let outcomes = [
            self.promising,
            self.not_promising,
            self.futility_stops,
            self.toxicity_stops,
        ];
        let equal = |what: &str, sum: u128| {
            (sum == trials)
                .then_some(())
                .ok_or_else(|| format!("{what} add up to {sum}, not to the {trials} trials"))
        };
        equal("the outcomes", total(&outcomes))?;
        equal("the durations", u128::from(self.duration.count))?;
        equal("the (N, responses) cells", total(&self.by_n_and_responses))?;
        if let Some((n, x, _)) = self.cells().find(|&(n, x, _)| x > n) {
            return Err(format!("{x} responses among {n} patients"));
        }
        let completed = u128::from(self.promising) + u128::from(self.not_promising);
        for (what, m) in [("OS", &self.os_median), ("PFS", &self.pfs_median)] {
            if m.estimated() > completed {
                return Err(format!(
                    "{} {what} medians, but {completed} trials reached the final analysis",
                    m.estimated()
                ));
            }
        }
        let treated: u128 = self.cells().map(|(n, _, c)| u128::from(n) * u128::from(c)).sum();
        if u128::from(self.toxicities) > treated {
            return Err(format!("{} toxicities among {treated} patients", self.toxicities));
        }
        Ok(())
    }
}

/// Kaplan–Meier medians over the trials that reached the final analysis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MedianSummary {
    /// Trials in which the median was estimated (those that reached the final analysis).
    pub estimated: u64,
    /// Among them, trials whose median was not reached.
    pub not_reached: u64,
    /// Mean and SD of the reached medians (months).
    pub mean: Option<f64>,
    /// SD of the reached medians (months).
    pub sd: Option<f64>,
}

/// Operating characteristics of one design under one truth (probabilities over all trials).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SingleArmSummary {
    /// Trials simulated.
    pub trials: u64,
    /// P(declare the regimen promising).
    pub promising: f64,
    /// P(stop for futility at an interim look).
    pub futility_stop: f64,
    /// P(stop for toxicity).
    pub toxicity_stop: f64,
    /// P(reach the final analysis).
    pub completed: f64,
    /// E\[N\] and SD(N).
    pub mean_patients: f64,
    /// SD(N).
    pub sd_patients: f64,
    /// Mean number of patients with a limiting toxicity.
    pub mean_toxicities: f64,
    /// Mean and SD of the trial's end time, in months from the study's opening (time 0).
    pub mean_duration: f64,
    /// SD of the trial's end time (months).
    pub sd_duration: f64,
    /// E\[x/N\] − true ORR, x the responses among the N enrolled.
    pub orr_bias: f64,
    /// SD of x/N across trials (for the standard error of the bias).
    pub sd_orr: f64,
    /// SD of the number of toxicities across trials.
    pub sd_toxicities: f64,
    /// P(the 95% Clopper–Pearson interval for x/N contains the true ORR).
    pub orr_coverage: f64,
    /// Kaplan–Meier medians of OS.
    pub os_median: MedianSummary,
    /// Kaplan–Meier medians of PFS.
    pub pfs_median: MedianSummary,
}
