//! The pages of a sweep (every point's correct decision by truth, with links to the points'
//! reports) and of a comparison of runs (`trialsim compare`).

use super::precision::{Figure, Precision};
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
    /// Further tables of some designs (phase I/II designs' OBD selection, randomized stages'
    /// truly best dose), when a point has them.
    pub sections: Vec<SweepSection>,
}

/// A further table of a sweep: a figure of some designs by point and truth, with its chart.
#[derive(Clone, Debug, Serialize)]
pub struct SweepSection {
    /// Its anchor, and its table's `data-table`.
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// Where its figures come from.
    pub note: &'static str,
    /// Its designs.
    pub designs: Vec<Coloured>,
    /// The figure by point and truth.
    pub rows: Vec<SweepLine>,
    /// Its mean over truths, by point.
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
    let correct = |table: &OcTable, truth: &str, design: &str| {
        let row = table.rows.iter().find(|r| r.truth == truth && r.design == design)?;
        Some(Figure::percent(row.correct_selection_pct(), row.method))
    };
    let (rows, means) = by_point(tables, &names, trials.is_some(), correct);
    let chart = point_chart(
        sweep,
        &names,
        &means,
        "Correct decision, mean over truths, % of trials, by point",
    );
    let obd = |table: &OcTable, truth: &str, design: &str| {
        let row = table.rows.iter().find(|r| r.truth == truth && r.design == design)?;
        Some(Figure::percent(row.obd_correct_pct()?, row.method))
    };
    let best = |table: &OcTable, truth: &str, design: &str| {
        let stages = table.optimization.as_ref()?;
        let row = stages.rows.iter().find(|r| r.truth == truth && r.design == design)?;
        let (pct, se) = row.figures.best_overall_pct;
        Some(Figure::new(pct, 1, Precision::Se, se))
    };
    let sections = [
        (
            "obd",
            "OBD selected, % of trials, by point and truth (phase I/II designs)",
            "Each point's obd_summary.csv (obd_correct_pct), stacked in sweep_obd.csv.",
            "OBD selected, mean over truths, % of trials, by point",
            &obd as &dyn Fn(&OcTable, &str, &str) -> Option<Figure>,
        ),
        (
            "optimization",
            "Truly best dose chosen, % of trials, by point and truth (randomized stages)",
            "Each point's optimization_summary.csv (best_overall_pct), stacked in sweep_optimization.csv.",
            "Truly best dose chosen, mean over truths, % of trials, by point",
            &best,
        ),
    ];
    let sections = sections
        .into_iter()
        .filter_map(|(id, title, note, chart_title, figure)| {
            let names: Vec<String> = (names.iter())
                .filter(|d| {
                    tables
                        .iter()
                        .any(|t| t.rows.iter().any(|r| figure(t, &r.truth, d).is_some()))
                })
                .cloned()
                .collect();
            (!names.is_empty()).then(|| {
                let (rows, means) = by_point(tables, &names, trials.is_some(), figure);
                SweepSection {
                    id,
                    title,
                    note,
                    designs: coloured(&names),
                    rows,
                    chart: point_chart(sweep, &names, &means, chart_title),
                }
            })
        })
        .collect();
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
        sections,
    }
}

/// The sweep's table of a figure by point and truth, one cell per design of `names` (`figure`
/// of a point's results, truth and design; none where a design has none), and each design's mean
/// over truths by point, with the mean of the standard errors (a bound, the figures being
/// correlated) when `simulated`.
fn by_point(
    tables: &[OcTable],
    names: &[String],
    simulated: bool,
    figure: impl Fn(&OcTable, &str, &str) -> Option<Figure>,
) -> (Vec<SweepLine>, Vec<Vec<BarValue>>) {
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
                    let f = figure(table, truth, d)?;
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
                        (mean, simulated.then_some(se))
                    })
                })
                .collect(),
        );
    }
    (rows, means)
}

/// The chart of `means` (by point, then design of `names`), titled `title`.
fn point_chart(sweep: &Sweep, names: &[String], means: &[Vec<BarValue>], title: &str) -> BarChart {
    let value = |g: usize, k: usize| means[g][k];
    BarChart::new(&BarData {
        title: title.into(),
        y_label: "% of trials",
        y_max: 100.0,
        groups: sweep
            .points
            .iter()
            .enumerate()
            .map(|(k, p)| format!("{}: {}", k + 1, p.describe(&sweep.keys)))
            .collect(),
        series: names.iter().cloned().zip(design_colours(names)).collect(),
        value: &value,
        highlight: None,
    })
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
    /// Further tables (phase I/II designs, randomized stages), when some run has them.
    pub sections: Vec<CompareSection>,
}

/// A further table of a comparison, of some designs only (phase I/II designs' OBD figures, the
/// randomized stages').
#[derive(Clone, Debug, Serialize)]
pub struct CompareSection {
    /// Its anchor, and its table's `data-table`.
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// What it shows.
    pub note: &'static str,
    /// Its figures' names (after run, truth, design and trials).
    pub header: Vec<&'static str>,
    /// Its rows (colours filled in by [`ComparePage::add_section`]).
    pub rows: Vec<CompareLine>,
    /// Its first figure's mean over each run's truths (drawn by [`ComparePage::add_section`]).
    pub chart: Option<BarChart>,
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
        let chart = first_figure_chart(&runs, &names, &rows, chart_title);
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
            sections: Vec::new(),
        }
    }

    /// Adds a further table, its designs drawn in the page's colours, with the chart of its
    /// first figure's mean over each run's truths (runs with rows in it only).
    pub fn add_section(&mut self, mut section: CompareSection) {
        let mut names: Vec<String> = Vec::new();
        for row in &mut section.rows {
            if let Some(d) = self.designs.iter().find(|d| d.name == row.design) {
                row.colour = d.colour.clone();
            }
            if !names.contains(&row.design) {
                names.push(row.design.clone());
            }
        }
        let runs: Vec<String> = (self.runs.iter())
            .filter(|run| section.rows.iter().any(|r| &r.run == *run))
            .cloned()
            .collect();
        let title = format!("{}, mean over each run's truths", section.header[0]);
        section.chart = Some(first_figure_chart(&runs, &names, &section.rows, &title));
        let mut header = vec!["run", "truth", "design", "trials"];
        header.extend(section.header);
        section.header = header;
        self.sections.push(section);
    }
}

/// The chart of the first figure of `rows`, mean over each run's truths (with the mean of their
/// standard errors, a bound), by run of `runs` and design of `names`.
fn first_figure_chart(runs: &[String], names: &[String], rows: &[CompareLine], title: &str) -> BarChart {
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
    BarChart::new(&BarData {
        title: title.to_string(),
        y_label: "% of trials",
        y_max: 100.0,
        groups: runs.to_vec(),
        series: names.iter().cloned().zip(design_colours(names)).collect(),
        value: &value,
        highlight: None,
    })
}
