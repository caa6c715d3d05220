//! The pages of a sweep (every point's correct decision by truth, with links to the points'
//! reports) and of a comparison of runs (`trialsim compare`).

use super::precision::Figure;
use super::svg::{BarChart, BarData, BarValue};
use super::{Setting, VERSION};
use crate::report::colours::{css, design_colours};
use crate::report::sweep::point_dir;
use crate::results::{Method, OcTable};
use crate::scenario::Sweep;
use serde::Serialize;

/// A design and its colour.
#[derive(Clone, Debug, Serialize)]
pub struct Coloured {
    /// The design's name.
    pub name: String,
    /// Its colour.
    pub colour: String,
}

/// The designs `names` with their colours.
fn coloured(names: &[String]) -> Vec<Coloured> {
    names
        .iter()
        .zip(design_colours(names))
        .map(|(n, c)| Coloured {
            name: n.clone(),
            colour: css(c),
        })
        .collect()
}

/// A point of a sweep.
#[derive(Clone, Debug, Serialize)]
pub struct PointLine {
    /// 1-based.
    pub point: usize,
    /// The swept values.
    pub values: Vec<String>,
    /// Its folder.
    pub folder: String,
}

/// One point × truth of the sweep's table.
#[derive(Clone, Debug, Serialize)]
pub struct SweepLine {
    /// 1-based point.
    pub point: usize,
    /// The truth.
    pub truth: String,
    /// Correct decision per design (none where a design has no row).
    pub cells: Vec<Option<Figure>>,
}

/// The page of a sweep.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPage {
    /// The sweep's name.
    pub title: String,
    /// trialsim's version.
    pub version: &'static str,
    /// The settings.
    pub settings: Vec<Setting>,
    /// The swept keys.
    pub keys: Vec<&'static str>,
    /// The points.
    pub points: Vec<PointLine>,
    /// The designs.
    pub designs: Vec<Coloured>,
    /// Whether any row is simulated.
    pub simulated: bool,
    /// Correct decision by point and truth.
    pub rows: Vec<SweepLine>,
    /// Mean correct decision over truths, by point.
    pub chart: BarChart,
}

/// The page of `sweep`, whose points' tables are `tables`.
pub fn sweep_page(sweep: &Sweep, tables: &[OcTable]) -> SweepPage {
    let mut names: Vec<String> = Vec::new();
    for table in tables {
        for row in &table.rows {
            if !names.contains(&row.design) {
                names.push(row.design.clone());
            }
        }
    }
    let designs = coloured(&names);
    let trials = tables.iter().flat_map(|t| &t.rows).find_map(|r| match r.method {
        Method::Simulated { trials } => Some(trials),
        Method::Exact { .. } => None,
    });
    let mut settings = vec![
        Setting::new("scenario file", sweep.file.display().to_string()),
        Setting::new("trialsim version", VERSION.to_string()),
    ];
    if let Some(t) = tables.first() {
        settings.push(Setting::new("seed", t.seed.to_string()));
    }
    settings.push(Setting::new(
        "method",
        trials.map_or("exact".into(), |n| {
            format!("simulated, {n} trials per design and truth (exact where marked in the points' reports)")
        }),
    ));
    let mut rows = Vec::new();
    let mut means: Vec<Vec<BarValue>> = Vec::new();
    for (k, table) in tables.iter().enumerate() {
        let mut truths: Vec<&str> = Vec::new();
        for row in &table.rows {
            if !truths.contains(&row.truth.as_str()) {
                truths.push(&row.truth);
            }
        }
        let mut point_cells: Vec<Vec<Figure>> = vec![Vec::new(); names.len()];
        for truth in truths {
            let cells: Vec<Option<Figure>> = names
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let row = table.rows.iter().find(|r| r.truth == truth && &r.design == d)?;
                    let f = Figure::percent(row.correct_selection_pct(), row.method);
                    point_cells[i].push(f.clone());
                    Some(f)
                })
                .collect();
            rows.push(SweepLine {
                point: k + 1,
                truth: truth.to_string(),
                cells,
            });
        }
        means.push(
            point_cells
                .iter()
                .map(|cells| {
                    let n = cells.len() as f64;
                    (n > 0.0).then(|| {
                        let mean = cells.iter().map(|f| f.value).sum::<f64>() / n;
                        let se = cells.iter().map(|f| f.se.unwrap_or(0.0)).sum::<f64>() / n;
                        (mean, trials.map(|_| se))
                    })
                })
                .collect(),
        );
    }
    let value = |g: usize, k: usize| means[g][k];
    let chart = BarChart::new(&BarData {
        title: "Correct decision, mean over truths, % of trials, by point".into(),
        y_label: "% of trials",
        y_max: 100.0,
        groups: sweep
            .points
            .iter()
            .enumerate()
            .map(|(k, p)| format!("{}: {}", k + 1, p.describe(&sweep.keys)))
            .collect(),
        series: names.iter().cloned().zip(design_colours(&names)).collect(),
        value: &value,
        highlight: None,
    });
    SweepPage {
        title: sweep.name.clone(),
        version: VERSION,
        settings,
        keys: sweep.keys.iter().map(|k| k.name()).collect(),
        points: sweep
            .points
            .iter()
            .enumerate()
            .map(|(k, p)| PointLine {
                point: k + 1,
                values: p.values.iter().map(|v| v.to_string()).collect(),
                folder: point_dir(k, sweep.points.len()),
            })
            .collect(),
        designs,
        simulated: trials.is_some(),
        rows,
        chart,
    }
}

/// One row of a comparison: a run's truth × design with its figures.
#[derive(Clone, Debug, Serialize)]
pub struct CompareLine {
    /// The run's label.
    pub run: String,
    /// The truth.
    pub truth: String,
    /// The design.
    pub design: String,
    /// The design's colour.
    pub colour: String,
    /// Trials, or `exact`.
    pub trials: String,
    /// The figures, under the page's header after the first four columns.
    pub cells: Vec<Figure>,
}

/// The page of a comparison.
#[derive(Clone, Debug, Serialize)]
pub struct ComparePage {
    /// The page's title.
    pub title: &'static str,
    /// trialsim's version.
    pub version: &'static str,
    /// Each run's label.
    pub runs: Vec<String>,
    /// The table's header.
    pub header: Vec<&'static str>,
    /// Its rows.
    pub rows: Vec<CompareLine>,
    /// The designs.
    pub designs: Vec<Coloured>,
    /// The first figure, mean over each run's truths, by run.
    pub chart: BarChart,
}

impl ComparePage {
    /// The page of runs labelled `runs` with rows `rows` (colours filled in here), whose
    /// figures are named by `header` (after run, truth, design and trials); the chart shows the
    /// first figure's mean over each run's truths, titled `chart_title`.
    pub fn new(
        runs: Vec<String>,
        header: Vec<&'static str>,
        mut rows: Vec<CompareLine>,
        chart_title: &str,
    ) -> ComparePage {
        let mut names: Vec<String> = Vec::new();
        for row in &rows {
            if !names.contains(&row.design) {
                names.push(row.design.clone());
            }
        }
        let designs = coloured(&names);
        for row in &mut rows {
            if let Some(d) = designs.iter().find(|d| d.name == row.design) {
                row.colour = d.colour.clone();
            }
        }
        let value = |g: usize, k: usize| {
            let figures: Vec<&Figure> = rows
                .iter()
                .filter(|r| r.run == runs[g] && r.design == names[k])
                .filter_map(|r| r.cells.first())
                .collect();
            let n = figures.len() as f64;
            (n > 0.0).then(|| {
                let se = figures.iter().map(|f| f.se.unwrap_or(0.0)).sum::<f64>() / n;
                (figures.iter().map(|f| f.value).sum::<f64>() / n, Some(se))
            })
        };
        let chart = BarChart::new(&BarData {
            title: chart_title.to_string(),
            y_label: "% of trials",
            y_max: 100.0,
            groups: runs.clone(),
            series: names.iter().cloned().zip(design_colours(&names)).collect(),
            value: &value,
            highlight: None,
        });
        let mut header_all = vec!["run", "truth", "design", "trials"];
        header_all.extend(header);
        ComparePage {
            title: "comparison",
            version: VERSION,
            runs,
            header: header_all,
            rows,
            designs,
            chart,
        }
    }
}
