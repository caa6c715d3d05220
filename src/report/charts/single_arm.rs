//! The charts of a single-arm (phase 2) run: the probability of a positive result, early
//! stopping and expected sample size against the true ORR (exact, for designs that count
//! responses; drawn in `charts/orr.rs`), example Kaplan–Meier curves of overall survival, and the
//! distribution of the estimated median OS (`charts/survival.rs`).

use super::orr::{draw_power, draw_stopping};
use super::survival::{draw_km, draw_medians};
use super::{push_unique, register_font, render_png, Area, ChartError, FontScope};
use crate::results::single_arm::{
    AnalysisKind, DesignTargetRow, KmExampleRow, Measured, MedianOsRow, OrrCurveRow, SampleSizeRow, SingleArmSummaryRow,
};
use crate::results::{read_rows, Row};
use std::path::{Path, PathBuf};

/// The charts of a single-arm run, with one line each on what they show.
pub const SINGLE_ARM_CHARTS: [(&str, &str); 4] = [
    ("orr_power.png", "probability of declaring the regimen promising against the true ORR, exact, for each design that counts responses, with p0 and p1, the nominal alpha and the target power marked, each design's exact type I error and power, and the simulated truths as hollow circles (time-to-event designs have no ORR curve)."),
    ("orr_stopping.png", "% of trials stopping early for futility and the expected sample size against the true ORR, exact, for each design that counts responses, with the simulated truths as hollow circles."),
    ("km_examples.png", "overall survival in the first 5 simulated trials under each truth (Kaplan–Meier, all patients at the final analysis) over the truth's OS curve and the historical control curve, one panel per truth."),
    ("median_os.png", "distribution of the estimated median OS (Kaplan–Meier, all patients at the final analysis) across simulated trials, one panel per truth, with the true and historical medians marked and the % of trials where the median was not reached."),
];

/// A single-arm run's tables, as the charts need them.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmChartTables {
    /// The truths, in first-seen order.
    pub(super) truths: Vec<String>,
    /// The rows of `design_targets.csv`.
    pub(super) targets: Vec<DesignTargetRow>,
    /// The rows of `orr_curve.csv`.
    pub(super) curve: Vec<OrrCurveRow>,
    /// The rows of `summary.csv`.
    pub(super) simulated: Vec<SingleArmSummaryRow>,
    /// The rows of `km_examples.csv`.
    pub(super) km: Vec<KmExampleRow>,
    /// The rows of `median_os.csv`.
    pub(super) medians: Vec<MedianOsRow>,
}

impl SingleArmChartTables {
    /// The tables a folder must hold to be redrawn as a single-arm run.
    pub const FILES: [&'static str; 5] = [
        SingleArmSummaryRow::FILE,
        OrrCurveRow::FILE,
        DesignTargetRow::FILE,
        KmExampleRow::FILE,
        MedianOsRow::FILE,
    ];

    /// Reads the tables of [`FILES`](Self::FILES) from a run folder.
    pub fn read(dir: &Path) -> Result<SingleArmChartTables, ChartError> {
        let simulated: Vec<SingleArmSummaryRow> = read_rows(&dir.join(SingleArmSummaryRow::FILE))?;
        let mut truths = Vec::new();
        for row in &simulated {
            push_unique(&mut truths, &row.truth);
        }
        let tables = SingleArmChartTables {
            truths,
            targets: read_rows(&dir.join(DesignTargetRow::FILE))?,
            curve: read_rows(&dir.join(OrrCurveRow::FILE))?,
            simulated,
            km: read_rows(&dir.join(KmExampleRow::FILE))?,
            medians: read_rows(&dir.join(MedianOsRow::FILE))?,
        };
        if tables.truths.is_empty() || tables.targets.is_empty() {
            return Err(ChartError::Read {
                path: dir.to_path_buf(),
                message: "the tables have no rows".into(),
            });
        }
        Ok(tables)
    }

    /// Designs with an ORR curve, in scenario order.
    pub(super) fn response_designs(&self) -> Vec<&DesignTargetRow> {
        self.targets
            .iter()
            .filter(|t| self.curve.iter().any(|c| c.design == t.design))
            .collect()
    }

    /// Designs without an ORR curve (time-to-event analyses).
    pub(super) fn other_designs(&self) -> Vec<&DesignTargetRow> {
        self.targets
            .iter()
            .filter(|t| !self.curve.iter().any(|c| c.design == t.design))
            .collect()
    }

    pub(super) fn curve_of<'s>(&'s self, design: &'s str) -> impl Iterator<Item = &'s OrrCurveRow> + 's {
        self.curve.iter().filter(move |c| c.design == design)
    }

    /// The ORR range worth showing: where some curve is neither flat at 0 nor at its extreme,
    /// with p0, p1 and the truths' ORRs, padded and rounded to 0.05.
    pub(super) fn orr_range(&self) -> (f64, f64) {
        let designs = self.response_designs();
        let mut moving: Vec<f64> = self
            .curve
            .iter()
            .filter(|c| {
                let inside = |v: f64| v > 0.5 && v < 99.5;
                inside(c.promising_pct.0) || inside(c.early_stop_pct.0)
            })
            .map(|c| c.true_orr.0)
            .collect();
        moving.extend(designs.iter().flat_map(|t| [t.p0, t.p1]).flatten().map(|p| p.0));
        moving.extend(
            self.simulated
                .iter()
                .filter(|s| designs.iter().any(|t| t.design == s.design))
                .map(|s| s.true_orr.0),
        );
        if moving.is_empty() {
            return (0.0, 1.0);
        }
        let lo = moving.iter().copied().fold(1.0, f64::min);
        let hi = moving.iter().copied().fold(0.0, f64::max);
        let lo = ((lo - 0.05) / 0.05).floor().max(0.0) * 0.05;
        let hi = (((hi + 0.05) / 0.05).ceil() * 0.05).min(1.0);
        if hi - lo < 0.1 {
            ((lo - 0.05).max(0.0), (hi + 0.05).min(1.0))
        } else {
            (lo, hi)
        }
    }

    /// The historical median OS (a log-rank design on OS), if any.
    pub(super) fn historical_median(&self) -> Option<f64> {
        self.targets
            .iter()
            .find(|t| t.analysis == AnalysisKind::LogRank && t.endpoint == Measured::Os)
            .and_then(|t| t.null_median)
            .map(|m| m.0)
    }

    /// The historical landmark OS rate (a landmark design on OS), if any.
    pub(super) fn historical_landmark(&self) -> Option<(f64, f64)> {
        self.targets
            .iter()
            .find(|t| t.analysis == AnalysisKind::Landmark && t.endpoint == Measured::Os)
            .and_then(|t| t.landmark_time.zip(t.null_rate))
            .map(|(time, rate)| (time.0, rate.0))
    }
}

/// Draws every single-arm chart into `dir`; returns the files written.
pub fn render_single_arm(tables: &SingleArmChartTables, dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    register_font();
    let _font = FontScope::for_folder(dir);
    let mut written = Vec::new();
    for (file, _) in SINGLE_ARM_CHARTS {
        let draw: fn(&SingleArmChartTables, &Area) -> Result<(), String> = match file {
            "orr_power.png" => draw_power,
            "orr_stopping.png" => draw_stopping,
            "km_examples.png" => draw_km,
            _ => draw_medians,
        };
        written.push(render_png(dir, file, |area| draw(tables, area))?);
    }
    Ok(written)
}

/// Whether `dir` holds a single-arm run's tables (the dose-finding runs have no `orr_curve.csv`
/// nor `sample_size.csv`).
pub fn is_single_arm_run(dir: &Path) -> bool {
    dir.join(OrrCurveRow::FILE).is_file() || dir.join(SampleSizeRow::FILE).is_file()
}
