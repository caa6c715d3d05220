//! The charts of a single-arm (phase 2) run: the probability of a positive result, early
//! stopping and expected sample size against the true ORR (exact, for designs that count
//! responses; drawn in `charts/orr.rs`), example Kaplan–Meier curves of overall survival, and the
//! distribution of the estimated median OS (`charts/survival.rs`).

use super::orr::{draw_power, draw_stopping};
use super::survival::{draw_km, draw_medians};
use super::{field, push_unique, read_csv, register_font, render_png, Area, ChartError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The charts of a single-arm run, with one line each on what they show.
pub const SINGLE_ARM_CHARTS: [(&str, &str); 4] = [
    ("orr_power.png", "probability of declaring the regimen promising against the true ORR, exact, for each design that counts responses, with p0 and p1, the nominal alpha and the target power marked, each design's exact type I error and power, and the simulated truths as hollow circles (time-to-event designs have no ORR curve)."),
    ("orr_stopping.png", "% of trials stopping early for futility and the expected sample size against the true ORR, exact, for each design that counts responses, with the simulated truths as hollow circles."),
    ("km_examples.png", "overall survival in the first 5 simulated trials under each truth (Kaplan–Meier, all patients at the final analysis) over the truth's OS curve and the historical control curve, one panel per truth."),
    ("median_os.png", "distribution of the estimated median OS (Kaplan–Meier, all patients at the final analysis) across simulated trials, one panel per truth, with the true and historical medians marked and the % of trials where the median was not reached."),
];

/// One row of `design_targets.csv`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Target {
    pub(super) design: String,
    pub(super) analysis: String,
    pub(super) endpoint: String,
    pub(super) p0: Option<f64>,
    pub(super) p1: Option<f64>,
    pub(super) alpha: Option<f64>,
    pub(super) target_power: Option<f64>,
    pub(super) exact_alpha: Option<f64>,
    pub(super) exact_power: Option<f64>,
    pub(super) null_median: Option<f64>,
    pub(super) landmark_time: Option<f64>,
    pub(super) null_rate: Option<f64>,
    pub(super) toxicity: bool,
}

/// One row of `orr_curve.csv`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct CurvePoint {
    pub(super) design: String,
    pub(super) orr: f64,
    pub(super) promising_pct: f64,
    pub(super) early_stop_pct: f64,
    pub(super) patients_mean: f64,
}

/// The columns of the single-arm `summary.csv` the charts use.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Simulated {
    pub(super) truth: String,
    pub(super) design: String,
    pub(super) true_orr: f64,
    pub(super) promising_pct: f64,
    pub(super) futility_stop_pct: f64,
    pub(super) patients_mean: f64,
}

/// One row of `km_examples.csv`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct KmPoint {
    pub(super) truth: String,
    pub(super) curve: String,
    pub(super) trial: Option<u32>,
    pub(super) time: f64,
    pub(super) survival: f64,
}

/// One row of `median_os.csv` (`from`/`to` empty: not reached).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct MedianBin {
    pub(super) truth: String,
    pub(super) from: Option<f64>,
    pub(super) to: Option<f64>,
    pub(super) trials_pct: f64,
    pub(super) true_median: f64,
}

/// A single-arm run's tables, as the charts need them.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmChartTables {
    pub(super) truths: Vec<String>,
    pub(super) targets: Vec<Target>,
    pub(super) curve: Vec<CurvePoint>,
    pub(super) simulated: Vec<Simulated>,
    pub(super) km: Vec<KmPoint>,
    pub(super) medians: Vec<MedianBin>,
}

/// A column that may be empty (`None`); anything else must parse.
fn optional<T: std::str::FromStr>(
    path: &Path,
    row: &BTreeMap<String, String>,
    name: &str,
) -> Result<Option<T>, ChartError> {
    match row.get(name).map(String::as_str) {
        None | Some("") => Ok(None),
        Some(_) => field(path, row, name).map(Some),
    }
}

fn text(row: &BTreeMap<String, String>, name: &str) -> String {
    row.get(name).cloned().unwrap_or_default()
}

impl SingleArmChartTables {
    /// The tables a folder must hold to be redrawn as a single-arm run.
    pub const FILES: [&'static str; 5] = [
        "summary.csv",
        "orr_curve.csv",
        "design_targets.csv",
        "km_examples.csv",
        "median_os.csv",
    ];

    /// Reads the tables of [`FILES`](Self::FILES) from a run folder.
    pub fn read(dir: &Path) -> Result<SingleArmChartTables, ChartError> {
        let [summary, curve, targets, km, medians] = Self::FILES.map(|f| dir.join(f));
        let mut tables = SingleArmChartTables {
            truths: Vec::new(),
            targets: Vec::new(),
            curve: Vec::new(),
            simulated: Vec::new(),
            km: Vec::new(),
            medians: Vec::new(),
        };
        for row in read_csv(&summary)? {
            let p = &summary;
            push_unique(&mut tables.truths, &text(&row, "truth"));
            tables.simulated.push(Simulated {
                truth: text(&row, "truth"),
                design: text(&row, "design"),
                true_orr: field(p, &row, "true_orr")?,
                promising_pct: field(p, &row, "promising_pct")?,
                futility_stop_pct: field(p, &row, "futility_stop_pct")?,
                patients_mean: field(p, &row, "patients_mean")?,
            });
        }
        for row in read_csv(&targets)? {
            let p = &targets;
            tables.targets.push(Target {
                design: text(&row, "design"),
                analysis: text(&row, "analysis"),
                endpoint: text(&row, "endpoint"),
                p0: optional(p, &row, "p0")?,
                p1: optional(p, &row, "p1")?,
                alpha: optional(p, &row, "alpha")?,
                target_power: optional(p, &row, "target_power")?,
                exact_alpha: optional(p, &row, "exact_alpha")?,
                exact_power: optional(p, &row, "exact_power")?,
                null_median: optional(p, &row, "null_median")?,
                landmark_time: optional(p, &row, "landmark_time")?,
                null_rate: optional(p, &row, "null_rate")?,
                toxicity: text(&row, "toxicity_monitoring") == "true",
            });
        }
        for row in read_csv(&curve)? {
            let p = &curve;
            tables.curve.push(CurvePoint {
                design: text(&row, "design"),
                orr: field(p, &row, "true_orr")?,
                promising_pct: field(p, &row, "promising_pct")?,
                early_stop_pct: field(p, &row, "early_stop_pct")?,
                patients_mean: field(p, &row, "patients_mean")?,
            });
        }
        for row in read_csv(&km)? {
            let p = &km;
            tables.km.push(KmPoint {
                truth: text(&row, "truth"),
                curve: text(&row, "curve"),
                trial: optional(p, &row, "trial")?,
                time: field(p, &row, "time")?,
                survival: field(p, &row, "survival")?,
            });
        }
        for row in read_csv(&medians)? {
            let p = &medians;
            tables.medians.push(MedianBin {
                truth: text(&row, "truth"),
                from: optional(p, &row, "median_from")?,
                to: optional(p, &row, "median_to")?,
                trials_pct: field(p, &row, "trials_pct")?,
                true_median: field(p, &row, "true_median_os")?,
            });
        }
        if tables.truths.is_empty() || tables.targets.is_empty() {
            return Err(ChartError::Read {
                path: dir.to_path_buf(),
                message: "the tables have no rows".into(),
            });
        }
        Ok(tables)
    }

    /// Designs with an ORR curve, in scenario order.
    pub(super) fn response_designs(&self) -> Vec<&Target> {
        self.targets
            .iter()
            .filter(|t| self.curve.iter().any(|c| c.design == t.design))
            .collect()
    }

    /// Designs without an ORR curve (time-to-event analyses).
    pub(super) fn other_designs(&self) -> Vec<&Target> {
        self.targets
            .iter()
            .filter(|t| !self.curve.iter().any(|c| c.design == t.design))
            .collect()
    }

    pub(super) fn curve_of<'s>(&'s self, design: &'s str) -> impl Iterator<Item = &'s CurvePoint> + 's {
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
                inside(c.promising_pct) || inside(c.early_stop_pct)
            })
            .map(|c| c.orr)
            .collect();
        moving.extend(designs.iter().flat_map(|t| [t.p0, t.p1]).flatten());
        moving.extend(
            self.simulated
                .iter()
                .filter(|s| designs.iter().any(|t| t.design == s.design))
                .map(|s| s.true_orr),
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
            .find(|t| t.analysis == "log-rank" && t.endpoint == "os")
            .and_then(|t| t.null_median)
    }

    /// The historical landmark OS rate (a landmark design on OS), if any.
    pub(super) fn historical_landmark(&self) -> Option<(f64, f64)> {
        self.targets
            .iter()
            .find(|t| t.analysis == "landmark" && t.endpoint == "os")
            .and_then(|t| t.landmark_time.zip(t.null_rate))
    }
}

/// Draws every single-arm chart into `dir`; returns the files written.
pub fn render_single_arm(tables: &SingleArmChartTables, dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    register_font();
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
    dir.join("orr_curve.csv").is_file() || dir.join("sample_size.csv").is_file()
}
