//! The report's section on random truths (`[random_truths]`): how the curves were drawn, each
//! design's OCs across them (ranked, with Monte Carlo standard errors, the spread of correct
//! selection), and a box plot of the per-curve correct selection (template
//! `random_truths.html`).

use super::precision::{Figure, Precision};
use super::svg::columns;
use crate::report::colours::css;
use crate::results::random_truths::{quantile, RandomTruthsTable, Spread};
use serde::Serialize;

/// One design's line of the section's table.
#[derive(Clone, Debug, Serialize)]
pub struct Line {
    /// Rank by mean correct selection.
    pub rank: usize,
    /// The design.
    pub design: String,
    /// Its colour (CSS).
    pub colour: String,
    /// Mean correct selection %, with its SE.
    pub correct: Figure,
    /// SD of the per-curve correct selection %.
    pub correct_sd: String,
    /// Its quartiles.
    pub correct_quartiles: [String; 3],
    /// Mean over-dose selection %, with its SE.
    pub overdose: Figure,
    /// Mean % stopped without a dose, with its SE.
    pub stopped: Figure,
    /// Mean patients at the MTD, with its SE.
    pub mtd_patients: Figure,
    /// Mean % of patients at the MTD, with its SE.
    pub mtd_patients_pct: Figure,
    /// Mean sample size, with its SE.
    pub mean_n: Figure,
}

/// One design's box in the chart (coordinates in the SVG's units).
#[derive(Clone, Debug, Serialize)]
pub struct BoxGlyph {
    /// The design.
    pub design: String,
    /// Its colour (CSS).
    pub colour: String,
    /// Vertical centre and half height.
    pub y: f64,
    /// Half the box's height.
    pub half: f64,
    /// x of the 5th percentile, first quartile, median, third quartile, 95th percentile and mean.
    pub x: [f64; 6],
    /// The figures, as a tooltip.
    pub title: String,
}

/// A tick of the x axis.
#[derive(Clone, Debug, Serialize)]
pub struct Tick {
    /// Its x.
    pub x: f64,
    /// Its label.
    pub text: String,
}

/// The box plot of per-curve correct selection.
#[derive(Clone, Debug, Serialize)]
pub struct BoxChart {
    /// SVG width and height.
    pub width: f64,
    /// SVG height.
    pub height: f64,
    /// Plot area: left, top, right, bottom.
    pub plot: [f64; 4],
    /// The title.
    pub title: String,
    /// x ticks (0–100%).
    pub ticks: Vec<Tick>,
    /// One box per design, ranked.
    pub boxes: Vec<BoxGlyph>,
}

/// The section.
#[derive(Clone, Debug, Serialize)]
pub struct RandomTruthsSection {
    /// Number of curves.
    pub curves: usize,
    /// Trials per design and curve.
    pub trials: u64,
    /// The curves' target.
    pub target: f64,
    /// The curves' seed.
    pub seed: u64,
    /// The method's name.
    pub method: &'static str,
    /// Its citation.
    pub citation: &'static str,
    /// How many curves have their MTD at each dose (label, count).
    pub mtd_counts: Vec<(String, usize)>,
    /// Designs, ranked.
    pub lines: Vec<Line>,
    /// The box plot.
    pub chart: BoxChart,
}

const WIDTH: f64 = 640.0;
const ROW: f64 = 28.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 36.0;

/// A mean over curves with its Monte Carlo standard error.
fn figure(s: &Spread, decimals: usize) -> Figure {
    Figure::new(s.mean, decimals, Precision::Se, s.se)
}

/// The section of `table`, doses labelled `labels`, each design in colour `colours[k]` (scenario
/// order).
pub fn section(table: &RandomTruthsTable, labels: &[String], colours: &[usize]) -> RandomTruthsSection {
    let ranked = table.ranked();
    let lines = (ranked.iter().enumerate())
        .map(|(r, &k)| {
            let d = &table.designs[k];
            Line {
                rank: r + 1,
                design: d.design.clone(),
                colour: css(colours[k]),
                correct: figure(&d.correct, 1),
                correct_sd: format!("{:.1}", d.correct.sd),
                correct_quartiles: d.correct.quartiles.map(|q| format!("{q:.1}")),
                overdose: figure(&d.overdose, 1),
                stopped: figure(&d.stopped, 1),
                mtd_patients: figure(&d.mtd_patients, 2),
                mtd_patients_pct: figure(&d.mtd_patients_pct, 1),
                mean_n: figure(&d.mean_n, 2),
            }
        })
        .collect();
    let mut mtd_counts: Vec<(String, usize)> = labels.iter().map(|l| (l.clone(), 0)).collect();
    for &m in &table.mtd {
        mtd_counts[m].1 += 1;
    }
    RandomTruthsSection {
        curves: table.mtd.len(),
        trials: table.trials,
        target: table.target,
        seed: table.seed,
        method: table.method,
        citation: table.citation,
        mtd_counts,
        lines,
        chart: chart(table, &ranked, colours),
    }
}

/// The box plot: per design (ranked), the 5th, 25th, 50th, 75th and 95th percentiles of the
/// per-curve correct selection %, and its mean.
fn chart(table: &RandomTruthsTable, ranked: &[usize], colours: &[usize]) -> BoxChart {
    let longest = (table.designs.iter()).map(|d| columns(&d.design)).max().unwrap_or(0);
    let left = (12.0 + 6.5 * longest as f64).clamp(60.0, 240.0);
    let plot = [left, TOP, WIDTH - 20.0, TOP + ROW * ranked.len() as f64];
    let x = |pct: f64| plot[0] + (plot[2] - plot[0]) * pct.clamp(0.0, 100.0) / 100.0;
    let boxes = (ranked.iter().enumerate())
        .map(|(r, &k)| {
            let d = &table.designs[k];
            let mut values: Vec<f64> = d.curves.iter().map(|c| c.correct).collect();
            values.sort_by(f64::total_cmp);
            let p = |q: f64| x(quantile(&values, q));
            let [q1, median, q3] = d.correct.quartiles;
            BoxGlyph {
                design: d.design.clone(),
                colour: css(colours[k]),
                y: TOP + ROW * (r as f64 + 0.5),
                half: ROW * 0.3,
                x: [p(0.05), x(q1), x(median), x(q3), p(0.95), x(d.correct.mean)],
                title: format!(
                    "{}: mean {:.1}%, quartiles {q1:.1} / {median:.1} / {q3:.1}%",
                    d.design, d.correct.mean
                ),
            }
        })
        .collect();
    BoxChart {
        width: WIDTH,
        height: plot[3] + BOTTOM,
        plot,
        title: format!(
            "Correct selection across {} random curves, % of trials",
            table.mtd.len()
        ),
        ticks: (0..=5)
            .map(|i| Tick {
                x: x(20.0 * f64::from(i)),
                text: format!("{}", 20 * i),
            })
            .collect(),
        boxes,
    }
}
