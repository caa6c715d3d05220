//! The survival charts of a single-arm run: Kaplan–Meier curves of example trials over the true
//! and historical OS curves, and the distribution of the estimated median OS.

use super::single_arm::SingleArmChartTables;
use super::{colour, err, footnote, header, panels, text_style, Area};
use crate::results::single_arm::{Curve, MedianOsRow};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

/// A step curve through `points` (each value holds until the next point's time).
fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut path = Vec::with_capacity(2 * points.len());
    for (i, &(time, survival)) in points.iter().enumerate() {
        if i > 0 {
            path.push((time, points[i - 1].1));
        }
        path.push((time, survival));
    }
    path
}

/// A panel of the survival charts with its caption, axes and grid: x over `x` in whole months
/// with `x_labels` labels, y over `y` with six labels of `y_decimals` decimals.
fn panel_chart<'a, 'b>(
    panel: &'a Area<'b>,
    caption: &str,
    (x, x_labels, x_desc): (Range<f64>, usize, &str),
    (y, y_decimals, y_desc): (Range<f64>, usize, &str),
) -> Result<Panel<'a, 'b>, String> {
    let mut chart = ChartBuilder::on(panel)
        .caption(caption, text_style(26))
        .margin(14)
        .margin_right(30)
        .x_label_area_size(56)
        .y_label_area_size(80)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(x_labels)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.y_decimals$}"))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(text_style(18))
        .axis_desc_style(text_style(20))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(232, 232, 232))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// A chart drawn on a panel, in months (x) against survival or % of trials (y).
type Panel<'a, 'b> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

pub(super) fn draw_km(t: &SingleArmChartTables, root: &Area) -> Result<(), String> {
    let trials: Vec<u64> = {
        let mut list: Vec<u64> = t.km.iter().filter_map(|k| k.trial).collect();
        list.sort_unstable();
        list.dedup();
        list
    };
    let historical_median = t.historical_median();
    let has_historical = t.km.iter().any(|k| k.curve == Curve::Historical);
    let mut names: Vec<String> = trials.iter().map(|n| format!("trial {n}")).collect();
    let true_index = names.len();
    names.push("true OS curve".into());
    if has_historical {
        names.push(match historical_median {
            Some(m) => format!("historical, median {m} mo"),
            None => "historical control".into(),
        });
    }
    let marker = |i: usize| match i.cmp(&true_index) {
        std::cmp::Ordering::Less => colour(i).filled(),
        std::cmp::Ordering::Equal => BLACK.filled(),
        std::cmp::Ordering::Greater => RGBColor(120, 120, 120).filled(),
    };
    let body = header(
        root,
        "Overall survival: Kaplan–Meier curves of simulated trials at the final analysis",
        &names,
        marker,
    )?;
    let mut note = "Each simulated trial: all its patients at the planned final analysis (last entry + follow-up); trial n uses the same patients' random numbers under every truth.".to_string();
    if let Some((time, rate)) = t.historical_landmark() {
        note.push_str(&format!(
            " Grey diamond: the landmark design's historical {time}-month OS rate {rate}."
        ));
    }
    let body = footnote(&body, &note, 2)?;
    let x_max = (t.km.iter().map(|k| k.time.0).fold(6.0, f64::max) / 6.0).ceil() * 6.0;
    let grey = RGBColor(120, 120, 120);
    for (panel, truth) in panels(&body, t.truths.len()).iter().zip(&t.truths) {
        let mut chart = panel_chart(
            panel,
            truth,
            (0f64..x_max, (x_max / 6.0) as usize + 1, "Months from entry"),
            (0f64..1.0, 1, "Overall survival"),
        )?;
        let curve = |kind: Curve, truth: &str, trial: Option<u64>| -> Vec<(f64, f64)> {
            t.km.iter()
                .filter(|k| k.curve == kind && k.truth == truth && k.trial == trial)
                .map(|k| (k.time.0, k.survival.0))
                .collect()
        };
        for (i, &n) in trials.iter().enumerate() {
            let points = steps(&curve(Curve::Simulated, truth, Some(n)));
            chart
                .draw_series(LineSeries::new(points, colour(i).stroke_width(2)))
                .map_err(err)?;
        }
        let truth_curve = curve(Curve::True, truth, None);
        chart
            .draw_series(LineSeries::new(truth_curve, BLACK.stroke_width(5)))
            .map_err(err)?;
        let historical = curve(Curve::Historical, "", None);
        if !historical.is_empty() {
            chart
                .draw_series(DashedLineSeries::new(historical, 12, 8, grey.stroke_width(4)))
                .map_err(err)?;
        }
        if let Some((time, rate)) = t.historical_landmark() {
            let diamond = |(x, y): (f64, f64)| {
                EmptyElement::at((x, y)) + Polygon::new(vec![(0, -11), (11, 0), (0, 11), (-11, 0)], grey.filled())
            };
            chart.draw_series(std::iter::once(diamond((time, rate)))).map_err(err)?;
        }
    }
    Ok(())
}

pub(super) fn draw_medians(t: &SingleArmChartTables, root: &Area) -> Result<(), String> {
    let historical = t.historical_median();
    let mut names = vec![
        "% of trials (half-month bins)".to_string(),
        "true median OS".to_string(),
    ];
    if let Some(m) = historical {
        names.push(format!("historical median ({m} mo)"));
    }
    let marker = |i: usize| match i {
        0 => colour(0).filled(),
        1 => BLACK.filled(),
        _ => RGBColor(120, 120, 120).filled(),
    };
    let body = header(
        root,
        "Estimated median OS at the final analysis, across simulated trials",
        &names,
        marker,
    )?;
    let note = "Kaplan–Meier median OS of all the study's patients at the planned final analysis (last entry + follow-up), in every simulated trial whatever the designs decide; not reached: the curve stays above 0.5.";
    let body = footnote(&body, note, 2)?;
    let reached = t.medians.iter().filter(|m| m.median_from.is_some());
    let x_lo = reached
        .clone()
        .filter_map(|m| m.median_from)
        .map(|x| x.0)
        .fold(f64::INFINITY, f64::min);
    let x_hi = reached
        .clone()
        .filter_map(|m| m.median_to)
        .map(|x| x.0)
        .fold(0.0, f64::max);
    let (x_lo, x_hi) = if x_lo.is_finite() {
        let marks = t.medians.iter().map(|m| m.true_median_os.0).chain(historical);
        let lo = marks.clone().fold(x_lo, f64::min);
        let hi = marks.fold(x_hi, f64::max);
        (
            ((lo - 1.0) / 2.0).floor().max(0.0) * 2.0,
            ((hi + 1.0) / 2.0).ceil() * 2.0,
        )
    } else {
        (0.0, 24.0)
    };
    let y_max = (t
        .medians
        .iter()
        .filter(|m| m.median_from.is_some())
        .map(|m| m.trials_pct.0)
        .fold(1.0, f64::max)
        * 1.3
        / 2.0)
        .ceil()
        * 2.0;
    let grey = RGBColor(120, 120, 120);
    for (panel, truth) in panels(&body, t.truths.len()).iter().zip(&t.truths) {
        let rows: Vec<&MedianOsRow> = t.medians.iter().filter(|m| &m.truth == truth).collect();
        let true_median = rows.first().map(|m| m.true_median_os.0);
        let caption = match true_median {
            Some(m) => format!("{truth} (true median {m} mo)"),
            None => truth.clone(),
        };
        let step = if x_hi - x_lo > 30.0 { 4.0 } else { 2.0 };
        let mut chart = panel_chart(
            panel,
            &caption,
            (
                x_lo..x_hi,
                ((x_hi - x_lo) / step) as usize + 1,
                "Estimated median OS, months",
            ),
            (0f64..y_max, 0, "% of trials"),
        )?;
        let bars = rows.iter().filter_map(|m| {
            let (from, to) = (m.median_from?.0, m.median_to?.0);
            Some(Rectangle::new(
                [(from, 0.0), (to, m.trials_pct.0)],
                colour(0).mix(0.85).filled(),
            ))
        });
        chart.draw_series(bars).map_err(err)?;
        if let Some(m) = true_median {
            chart
                .draw_series(LineSeries::new([(m, 0.0), (m, 0.86 * y_max)], BLACK.stroke_width(4)))
                .map_err(err)?;
        }
        if let Some(m) = historical {
            chart
                .draw_series(DashedLineSeries::new(
                    [(m, 0.0), (m, 0.86 * y_max)],
                    12,
                    8,
                    grey.stroke_width(4),
                ))
                .map_err(err)?;
        }
        let not_reached: f64 = rows
            .iter()
            .filter(|m| m.median_from.is_none())
            .map(|m| m.trials_pct.0)
            .sum();
        let label = format!("median not reached: {not_reached:.1}% of trials");
        let width = label.chars().count() as i32 * 11 + 8;
        let element = EmptyElement::at((x_hi, y_max))
            + Rectangle::new([(-width - 12, 6), (-6, 38)], WHITE.mix(0.9).filled())
            + Text::new(label, (-12, 10), text_style(20).pos(Pos::new(HPos::Right, VPos::Top)));
        chart.draw_series(std::iter::once(element)).map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::steps;

    #[test]
    fn step_curves_hold_until_the_next_time() {
        assert_eq!(
            steps(&[(0.0, 1.0), (2.0, 0.5), (3.0, 0.5)]),
            vec![(0.0, 1.0), (2.0, 1.0), (2.0, 0.5), (3.0, 0.5), (3.0, 0.5)]
        );
    }
}
