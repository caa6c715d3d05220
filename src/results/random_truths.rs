//! Operating characteristics over random truths (`[random_truths]`): each design's OCs under each
//! random dose-toxicity curve, and their distribution across the curves, written to
//! `random_truths.csv` (one row per design, [`RandomTruthsRow`]) and `random_truths_curves.csv`
//! (one row per design × curve, [`CurveRow`]).
//!
//! Each curve's trials draw from streams of their own (independent of the other curves'), so the
//! per-curve estimates are independent draws of the OC at a random curve: the Monte Carlo
//! standard error of a mean over curves is SD/√curves of the per-curve values, which counts both
//! the spread of the OCs across curves and each curve's simulation noise. The SD and quartiles are
//! those of the per-curve estimates (with `trials` trials each, their spread includes that noise,
//! of variance at most 1/(4·trials) for a proportion).

use super::cells::{Fixed, Mean, Percent};
use super::oc::OcProbabilities;
use super::rows::{flat_row, write_rows};
use serde::{Deserialize, Serialize};

/// The file of one row per design.
pub const RANDOM_TRUTHS_FILE: &str = "random_truths.csv";
/// The file of one row per design × curve.
pub const CURVES_FILE: &str = "random_truths_curves.csv";

/// The files of a run with random truths, with one line each on what they show.
pub const RANDOM_TRUTHS_TABLES: [(&str, &str); 2] = [
    (RANDOM_TRUTHS_FILE, "one row per design: its operating characteristics over the [random_truths] curves: mean % correct selection (the curve's MTD) with its Monte Carlo SE, SD and quartiles across curves; mean % over-dose selection, % stopped without a dose, patients and % of patients at the MTD, sample size, each with its SE."),
    (CURVES_FILE, "one row per design × random curve: the curve's MTD and true P(DLT) per dose, and the design's % correct selection, % over-dose selection, % stopped, patients and % of patients at the MTD, and mean sample size under it."),
];

/// One design's OCs under one curve.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveOc {
    /// % of trials selecting the curve's MTD.
    pub correct: f64,
    /// % of trials selecting a dose above the MTD.
    pub overdose: f64,
    /// % of trials stopping without selecting a dose.
    pub stopped: f64,
    /// Mean patients treated at the MTD per trial.
    pub mtd_patients: f64,
    /// % of the patients treated at the MTD (over all trials).
    pub mtd_patients_pct: f64,
    /// Mean sample size.
    pub mean_n: f64,
}

impl CurveOc {
    /// The OCs of a design under a curve with MTD `mtd` (0-based), from its simulated
    /// probabilities.
    pub fn new(oc: &OcProbabilities, mtd: usize) -> CurveOc {
        let total: f64 = oc.patients.iter().sum();
        CurveOc {
            correct: 100.0 * oc.selected[mtd],
            overdose: 100.0 * oc.selected[mtd + 1..].iter().sum::<f64>(),
            stopped: 100.0 * oc.selected_none,
            mtd_patients: oc.patients[mtd],
            mtd_patients_pct: if total > 0.0 {
                100.0 * oc.patients[mtd] / total
            } else {
                0.0
            },
            mean_n: total,
        }
    }
}

/// The distribution of one OC across the curves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// Mean over the curves.
    pub mean: f64,
    /// Monte Carlo standard error of the mean: SD/√curves.
    pub se: f64,
    /// Standard deviation across the curves (n − 1 denominator).
    pub sd: f64,
    /// Quartiles across the curves (R's default, type 7).
    pub quartiles: [f64; 3],
}

impl Spread {
    /// The spread of `values` (at least two).
    pub fn of(values: &[f64]) -> Spread {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Spread {
            mean,
            se: sd / n.sqrt(),
            sd,
            quartiles: [0.25, 0.5, 0.75].map(|p| quantile(&sorted, p)),
        }
    }
}

/// The type-7 quantile (linear interpolation between order statistics) of sorted `values`.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// One design over every curve.
#[derive(Clone, Debug, PartialEq)]
pub struct DesignOverCurves {
    /// The design's name.
    pub design: String,
    /// Its OCs under each curve, in curve order.
    pub curves: Vec<CurveOc>,
    /// Correct selection % across the curves.
    pub correct: Spread,
    /// Over-dose selection % across the curves.
    pub overdose: Spread,
    /// Stopped-without-selection % across the curves.
    pub stopped: Spread,
    /// Mean patients at the MTD across the curves.
    pub mtd_patients: Spread,
    /// % of patients at the MTD across the curves.
    pub mtd_patients_pct: Spread,
    /// Mean sample size across the curves.
    pub mean_n: Spread,
}

impl DesignOverCurves {
    /// The design `design` with its OCs under each curve.
    pub fn new(design: &str, curves: Vec<CurveOc>) -> DesignOverCurves {
        let spread = |f: fn(&CurveOc) -> f64| Spread::of(&curves.iter().map(f).collect::<Vec<_>>());
        DesignOverCurves {
            design: design.to_string(),
            correct: spread(|c| c.correct),
            overdose: spread(|c| c.overdose),
            stopped: spread(|c| c.stopped),
            mtd_patients: spread(|c| c.mtd_patients),
            mtd_patients_pct: spread(|c| c.mtd_patients_pct),
            mean_n: spread(|c| c.mean_n),
            curves,
        }
    }
}

/// The random curves and every design's OCs over them.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomTruthsTable {
    /// How the curves were drawn (e.g. "pseudo-uniform").
    pub method: &'static str,
    /// The paper(s) the method follows.
    pub citation: &'static str,
    /// The target the curves are drawn around, and their MTD is closest to.
    pub target: f64,
    /// The curves' own seed.
    pub seed: u64,
    /// Trials per design and curve.
    pub trials: u64,
    /// Each curve's true P(DLT) per dose.
    pub dlt: Vec<Vec<f64>>,
    /// Each curve's MTD (0-based).
    pub mtd: Vec<usize>,
    /// Each design over the curves, in scenario order.
    pub designs: Vec<DesignOverCurves>,
}

impl RandomTruthsTable {
    /// Designs ranked by mean correct selection (ties: less over-dose selection first), as
    /// indices into [`RandomTruthsTable::designs`].
    pub fn ranked(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.designs.len()).collect();
        let d = &self.designs;
        order.sort_by(|&a, &b| {
            (d[b].correct.mean.total_cmp(&d[a].correct.mean)).then(d[a].overdose.mean.total_cmp(&d[b].overdose.mean))
        });
        order
    }

    /// `random_truths.csv`.
    pub fn summary_csv(&self) -> Vec<u8> {
        write_rows(
            &self
                .designs
                .iter()
                .map(|d| RandomTruthsRow::new(self, d))
                .collect::<Vec<_>>(),
        )
    }

    /// `random_truths_curves.csv`.
    pub fn curves_csv(&self) -> Vec<u8> {
        let rows: Vec<CurveRow> = (self.designs.iter())
            .flat_map(|d| {
                d.curves.iter().enumerate().map(|(c, oc)| CurveRow {
                    design: d.design.clone(),
                    curve: c as u32 + 1,
                    mtd: self.mtd[c] + 1,
                    dlt: self.dlt[c]
                        .iter()
                        .map(|p| format!("{p:.4}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                    correct_pct: Fixed(oc.correct),
                    overdose_pct: Fixed(oc.overdose),
                    stopped_pct: Fixed(oc.stopped),
                    mtd_patients_mean: Fixed(oc.mtd_patients),
                    mtd_patients_pct: Fixed(oc.mtd_patients_pct),
                    mean_n: Fixed(oc.mean_n),
                })
            })
            .collect();
        write_rows(&rows)
    }
}

/// A row of `random_truths.csv`: one design's OCs across the random curves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomTruthsRow {
    /// The design.
    pub design: String,
    /// How the curves were drawn.
    pub method: String,
    /// Number of curves.
    pub curves: usize,
    /// Trials per curve.
    pub trials_per_curve: u64,
    /// The target.
    pub target: f64,
    /// The curves' seed.
    pub curve_seed: u64,
    /// Mean % correct selection (the curve's MTD) over the curves.
    pub correct_pct_mean: Percent,
    /// Its Monte Carlo standard error.
    pub correct_pct_se: Percent,
    /// SD of the per-curve correct selection %.
    pub correct_pct_sd: Percent,
    /// First quartile of the per-curve correct selection %.
    pub correct_pct_q1: Percent,
    /// Median of the per-curve correct selection %.
    pub correct_pct_median: Percent,
    /// Third quartile of the per-curve correct selection %.
    pub correct_pct_q3: Percent,
    /// Mean % over-dose selection (a dose above the MTD).
    pub overdose_pct_mean: Percent,
    /// Its Monte Carlo standard error.
    pub overdose_pct_se: Percent,
    /// Mean % of trials stopped without selecting a dose.
    pub stopped_pct_mean: Percent,
    /// Its Monte Carlo standard error.
    pub stopped_pct_se: Percent,
    /// Mean patients treated at the MTD per trial.
    pub mtd_patients_mean: Mean,
    /// Its Monte Carlo standard error.
    pub mtd_patients_se: Mean,
    /// Mean % of patients treated at the MTD.
    pub mtd_patients_pct_mean: Percent,
    /// Its Monte Carlo standard error.
    pub mtd_patients_pct_se: Percent,
    /// Mean sample size.
    pub mean_n: Mean,
    /// Its Monte Carlo standard error.
    pub mean_n_se: Mean,
}

impl RandomTruthsRow {
    fn new(table: &RandomTruthsTable, d: &DesignOverCurves) -> RandomTruthsRow {
        RandomTruthsRow {
            design: d.design.clone(),
            method: table.method.to_string(),
            curves: table.mtd.len(),
            trials_per_curve: table.trials,
            target: table.target,
            curve_seed: table.seed,
            correct_pct_mean: Fixed(d.correct.mean),
            correct_pct_se: Fixed(d.correct.se),
            correct_pct_sd: Fixed(d.correct.sd),
            correct_pct_q1: Fixed(d.correct.quartiles[0]),
            correct_pct_median: Fixed(d.correct.quartiles[1]),
            correct_pct_q3: Fixed(d.correct.quartiles[2]),
            overdose_pct_mean: Fixed(d.overdose.mean),
            overdose_pct_se: Fixed(d.overdose.se),
            stopped_pct_mean: Fixed(d.stopped.mean),
            stopped_pct_se: Fixed(d.stopped.se),
            mtd_patients_mean: Fixed(d.mtd_patients.mean),
            mtd_patients_se: Fixed(d.mtd_patients.se),
            mtd_patients_pct_mean: Fixed(d.mtd_patients_pct.mean),
            mtd_patients_pct_se: Fixed(d.mtd_patients_pct.se),
            mean_n: Fixed(d.mean_n.mean),
            mean_n_se: Fixed(d.mean_n.se),
        }
    }
}

/// A row of `random_truths_curves.csv`: one design under one curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurveRow {
    /// The design.
    pub design: String,
    /// The curve (1-based).
    pub curve: u32,
    /// Its MTD (1-based dose level).
    pub mtd: usize,
    /// Its true P(DLT) per dose, space-separated.
    pub dlt: String,
    /// % of trials selecting the MTD.
    pub correct_pct: Percent,
    /// % of trials selecting a dose above the MTD.
    pub overdose_pct: Percent,
    /// % of trials stopped without selecting a dose.
    pub stopped_pct: Percent,
    /// Mean patients at the MTD.
    pub mtd_patients_mean: Mean,
    /// % of patients at the MTD.
    pub mtd_patients_pct: Percent,
    /// Mean sample size.
    pub mean_n: Mean,
}

flat_row!(RandomTruthsRow => RANDOM_TRUTHS_FILE, CurveRow => CURVES_FILE);

#[cfg(test)]
mod tests {
    use super::*;

    /// Quartiles as R's `quantile(x)` (type 7) gives them: quantile(c(1, 2, 4, 10)) is
    /// 1.75, 3, 5.5; mean 4.25, sd 4.031129 (R 4.2.2).
    #[test]
    fn spread_matches_r() {
        let s = Spread::of(&[4.0, 1.0, 10.0, 2.0]);
        assert_eq!(s.quartiles, [1.75, 3.0, 5.5]);
        assert!((s.mean - 4.25).abs() < 1e-12);
        assert!((s.sd - 4.031_129).abs() < 1e-6);
        assert!((s.se - 4.031_129 / 2.0).abs() < 1e-6);
    }
}
