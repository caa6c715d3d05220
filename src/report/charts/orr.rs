//! The ORR charts of a single-arm run: the probability of declaring the regimen promising, early
//! stopping and expected sample size against the true ORR, exact for designs that count
//! responses, with the simulated truths as hollow circles.

use super::single_arm::SingleArmChartTables;
use super::{design_fills, design_rgbs, err, footnote, header, nothing_to_plot, text_style, Area, Chart};
use crate::results::cells::Fixed;
use crate::results::single_arm::{DesignTargetRow, OrrCurveRow, SingleArmSummaryRow};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The note shared by the ORR charts: what the exact curves assume, and what is left out.
fn orr_note(t: &SingleArmChartTables) -> String {
    let monitored = t.response_designs().iter().any(|d| d.toxicity_monitoring);
    let mut note = if t.response_designs().is_empty() {
        String::new()
    } else {
        format!(
        "Lines: exact (no Monte Carlo error) from each design's response boundaries, every enrolled patient assessed at each look{}. Hollow circles: simulated under the scenario's truths ({}patients enrolled while earlier ones are assessed).",
        if monitored { ", no toxicity monitoring" } else { "" },
        if monitored { "with toxicity monitoring; " } else { "" }
    )
    };
    let others: Vec<String> = t
        .other_designs()
        .iter()
        .map(|d| {
            format!(
                "{} ({} on {})",
                d.design,
                d.analysis,
                d.endpoint.as_str().to_uppercase()
            )
        })
        .collect();
    if !others.is_empty() {
        note.push_str(&format!(
            " No ORR curve for time-to-event designs: {}.",
            others.join(", ")
        ));
        note = note.trim_start().to_string();
    }
    note
}

/// Distinct values, in first-seen order.
fn distinct(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    for v in values {
        if !out.iter().any(|&x| (x - v).abs() < 1e-12) {
            out.push(v);
        }
    }
    out
}

/// Vertical dashed lines at the designs' p0 and p1, labelled at the top of the plot.
fn mark_hypotheses<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    designs: &[&DesignTargetRow],
    y_max: f64,
    label_left: bool,
) -> Result<(), String> {
    let grey = RGBColor(90, 90, 90);
    let p0s = distinct(designs.iter().filter_map(|d| d.p0).map(|p| p.0));
    let p1s = distinct(designs.iter().filter_map(|d| d.p1).map(|p| p.0));
    for (values, name) in [(p0s, "p0"), (p1s, "p1")] {
        for p in values {
            chart
                .draw_series(DashedLineSeries::new(
                    [(p, 0.0), (p, y_max)],
                    10,
                    8,
                    grey.stroke_width(2),
                ))
                .map_err(err)?;
            let (label, side) = if label_left {
                (format!("{name} = {p:.2} "), HPos::Right)
            } else {
                (format!(" {name} = {p:.2}"), HPos::Left)
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (p, y_max * 0.99),
                    text_style(22).color(&grey).pos(Pos::new(side, VPos::Top)),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The header, legend and footnote shared by the ORR charts; `None` (after saying so on the
/// chart) when no design counts responses.
fn orr_chart<'a, 't>(
    t: &'t SingleArmChartTables,
    root: &Area<'a>,
    title: &str,
) -> Result<Option<(Vec<&'t DesignTargetRow>, Area<'a>)>, String> {
    let designs = t.response_designs();
    let names: Vec<String> = designs.iter().map(|d| d.design.clone()).collect();
    let body = header(root, title, &names, design_fills(&names))?;
    let body = footnote(&body, &orr_note(t), 4)?;
    if designs.is_empty() {
        nothing_to_plot(&body, "No design counts responses: no ORR curve to draw.")?;
        return Ok(None);
    }
    Ok(Some((designs, body)))
}

pub(super) fn draw_power(t: &SingleArmChartTables, root: &Area) -> Result<(), String> {
    let Some((designs, body)) = orr_chart(t, root, "Probability of declaring the regimen promising, by true ORR")?
    else {
        return Ok(());
    };
    let colour = design_colour_of(&designs);
    let (lo, hi) = t.orr_range();
    let mut chart = ChartBuilder::on(&body)
        .margin(30)
        .margin_right(50)
        .x_label_area_size(70)
        .y_label_area_size(100)
        .build_cartesian_2d(lo..hi, 0f64..100.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(((hi - lo) / 0.05).round() as usize + 1)
        .y_labels(11)
        .x_label_formatter(&|x| format!("{x:.2}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc("True objective response rate (ORR)")
        .y_desc("Declared promising, % of trials")
        .label_style(text_style(22))
        .axis_desc_style(text_style(26))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(228, 228, 228))
        .draw()
        .map_err(err)?;
    // Reference lines: nominal alpha and target power.
    let black = RGBColor(40, 40, 40);
    let alphas = distinct(designs.iter().filter_map(|d| d.alpha).map(|a| a.0));
    let powers = distinct(designs.iter().filter_map(|d| d.target_power).map(|p| p.0));
    let lines = alphas
        .iter()
        .map(|a| (100.0 * a, format!("nominal α = {a}")))
        .chain(powers.iter().map(|p| (100.0 * p, format!("target power = {p}"))));
    for (y, label) in lines {
        chart
            .draw_series(DashedLineSeries::new([(lo, y), (hi, y)], 14, 8, black.stroke_width(2)))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (hi - 0.005 * (hi - lo), y + 1.2),
                text_style(22).pos(Pos::new(HPos::Right, VPos::Bottom)),
            )))
            .map_err(err)?;
    }
    mark_hypotheses(&mut chart, &designs, 100.0, true)?;
    for (k, d) in designs.iter().enumerate() {
        let points: Vec<(f64, f64)> = t
            .curve_of(&d.design)
            .map(|c| (c.true_orr.0, c.promising_pct.0))
            .collect();
        chart
            .draw_series(LineSeries::new(points, colour(k).stroke_width(line_width(k))))
            .map_err(err)?;
        let marks = [(d.p0, d.exact_alpha), (d.p1, d.exact_power)];
        let marks = marks.iter().filter_map(|&(p, v)| Some((p?.0, 100.0 * v?.0)));
        chart
            .draw_series(marks.map(|p| Circle::new(p, 8, colour(k).filled())))
            .map_err(err)?;
        let simulated = t.simulated.iter().filter(|s| s.design == d.design);
        chart
            .draw_series(
                simulated.map(|s| Circle::new((s.true_orr.0, s.promising_pct.0), 11, colour(k).stroke_width(3))),
            )
            .map_err(err)?;
    }
    label_departures(
        &mut chart,
        t,
        &designs,
        |c| c.promising_pct.0,
        |s| s.promising_pct.0,
        100.0,
    )?;
    // The exact error rates, top left (where power curves are low, so the area is free), below
    // the labels of p0 and p1.
    let mut rows: Vec<(String, RGBColor)> = vec![("Exact at p0 (type I error) and p1 (power):".into(), black)];
    for (k, d) in designs.iter().enumerate() {
        if d.exact_alpha.is_none() && d.exact_power.is_none() {
            continue;
        }
        let value = |v: Option<Fixed<6>>| v.map_or("–".to_string(), |v| format!("{:.3}", v.0));
        rows.push((
            format!(
                "{}: α {}, power {}",
                d.design,
                value(d.exact_alpha),
                value(d.exact_power)
            ),
            colour(k),
        ));
    }
    if rows.len() == 1 {
        return Ok(());
    }
    let (x_range, y_range) = chart.plotting_area().get_pixel_range();
    let (base_x, base_y) = body.get_base_pixel();
    let (left, top) = (x_range.start - base_x + 16, y_range.start - base_y + 50);
    let widest = rows.iter().map(|(r, _)| r.chars().count()).max().unwrap_or(0) as i32;
    body.draw(&Rectangle::new(
        [
            (left, top),
            (left + widest * 11 + 24, top + 32 * rows.len() as i32 + 16),
        ],
        WHITE.mix(0.9).filled(),
    ))
    .map_err(err)?;
    for (i, (line, c)) in rows.iter().enumerate() {
        body.draw(&Text::new(
            line.clone(),
            (left + 12, top + 10 + 32 * i as i32),
            text_style(22).color(c),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Stroke widths that keep overlapping curves visible: earlier designs are drawn wider, so a
/// later curve on top of an earlier one leaves its edges showing.
/// The colour of design `k` of `designs`: each design's own ([`crate::report::colours`]).
fn design_colour_of(designs: &[&DesignTargetRow]) -> impl Fn(usize) -> RGBColor {
    let palette = design_rgbs(&designs.iter().map(|d| d.design.clone()).collect::<Vec<_>>());
    move |k| palette[k]
}

fn line_width(k: usize) -> u32 {
    7u32.saturating_sub(2 * k as u32).max(3)
}

/// Names the truths whose simulated values (hollow circles) depart from the exact curves by more
/// than 8% of the axis (e.g. a truth where toxicity monitoring stops trials), to their right.
fn label_departures<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    t: &SingleArmChartTables,
    designs: &[&DesignTargetRow],
    exact: impl Fn(&OrrCurveRow) -> f64,
    simulated: impl Fn(&SingleArmSummaryRow) -> f64,
    y_max: f64,
) -> Result<(), String> {
    for truth in &t.truths {
        let mut departure: f64 = 0.0;
        let mut values = Vec::new();
        let mut orr = None;
        for d in designs {
            let Some(s) = t.simulated.iter().find(|s| &s.truth == truth && s.design == d.design) else {
                continue;
            };
            let Some(c) = t.curve_of(&d.design).min_by(|a, b| {
                (a.true_orr.0 - s.true_orr.0)
                    .abs()
                    .total_cmp(&(b.true_orr.0 - s.true_orr.0).abs())
            }) else {
                continue;
            };
            departure = departure.max((simulated(s) - exact(c)).abs());
            values.push(simulated(s));
            orr = Some(s.true_orr.0);
        }
        if let (Some(orr), true) = (orr, departure > 0.08 * y_max) {
            // Centred under the lowest circle (above the highest when too close to the axis),
            // on a white background, two lines.
            let low = values.iter().copied().fold(f64::INFINITY, f64::min);
            let high = values.iter().copied().fold(0.0, f64::max);
            let lines = [truth.clone(), "(simulated)".to_string()];
            let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as i32 * 11 + 12;
            let (anchor, top) =
                if chart.backend_coord(&(orr, low)).1 + 80 < chart.plotting_area().get_pixel_range().1.end {
                    ((orr, low), 16)
                } else {
                    ((orr, high), -16 - 2 * 24)
                };
            let style = text_style(20)
                .color(&RGBColor(60, 60, 60))
                .pos(Pos::new(HPos::Center, VPos::Top));
            let background = Rectangle::new(
                [(-width / 2, top - 2), (width / 2, top + 2 * 24 + 2)],
                WHITE.mix(0.85).filled(),
            );
            let label = EmptyElement::at(anchor)
                + background
                + Text::new(lines[0].clone(), (0, top), style.clone())
                + Text::new(lines[1].clone(), (0, top + 24), style);
            chart.draw_series(std::iter::once(label)).map_err(err)?;
        }
    }
    Ok(())
}

pub(super) fn draw_stopping(t: &SingleArmChartTables, root: &Area) -> Result<(), String> {
    let Some((designs, body)) = orr_chart(
        t,
        root,
        "Early stopping for futility and expected sample size, by true ORR",
    )?
    else {
        return Ok(());
    };
    let colour = design_colour_of(&designs);
    let (lo, hi) = t.orr_range();
    let max_n = t
        .curve
        .iter()
        .map(|c| c.patients_mean.0)
        .chain(t.simulated.iter().map(|s| s.patients_mean.0))
        .fold(1.0, f64::max);
    let y_max_n = (max_n * 1.1 / 5.0).ceil() * 5.0;
    type Metric = (
        &'static str,
        &'static str,
        fn(&OrrCurveRow) -> f64,
        fn(&SingleArmSummaryRow) -> f64,
    );
    let metrics: [Metric; 2] = [
        (
            "Stopped early for futility",
            "% of trials",
            |c| c.early_stop_pct.0,
            |s| s.futility_stop_pct.0,
        ),
        (
            "Expected sample size",
            "patients",
            |c| c.patients_mean.0,
            |s| s.patients_mean.0,
        ),
    ];
    for (panel, (title, unit, exact, simulated)) in body.split_evenly((1, 2)).iter().zip(metrics) {
        let y_max = if unit == "patients" { y_max_n } else { 100.0 };
        let mut chart = ChartBuilder::on(panel)
            .caption(title, text_style(28))
            .margin(24)
            .margin_right(44)
            .x_label_area_size(70)
            .y_label_area_size(90)
            .build_cartesian_2d(lo..hi, 0f64..y_max)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels((((hi - lo) / 0.1).round() as usize + 1).max(3))
            .y_labels(11)
            .x_label_formatter(&|x| format!("{x:.2}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("True objective response rate (ORR)")
            .y_desc(if unit == "patients" {
                "patients (mean per trial)"
            } else {
                unit
            })
            .label_style(text_style(20))
            .axis_desc_style(text_style(24))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(228, 228, 228))
            .draw()
            .map_err(err)?;
        mark_hypotheses(&mut chart, &designs, y_max, false)?;
        for (k, d) in designs.iter().enumerate() {
            let points: Vec<(f64, f64)> = t.curve_of(&d.design).map(|c| (c.true_orr.0, exact(c))).collect();
            chart
                .draw_series(LineSeries::new(points, colour(k).stroke_width(line_width(k))))
                .map_err(err)?;
            let points = t.simulated.iter().filter(|s| s.design == d.design);
            chart
                .draw_series(points.map(|s| Circle::new((s.true_orr.0, simulated(s)), 11, colour(k).stroke_width(3))))
                .map_err(err)?;
        }
        label_departures(&mut chart, t, &designs, exact, simulated, y_max)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::distinct;

    #[test]
    fn distinct_values_keep_their_first_order() {
        assert_eq!(distinct([0.1, 0.1, 0.2]), vec![0.1, 0.2]);
    }
}
