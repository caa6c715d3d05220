//! The summary across truths per design (ranked), the trials a stated precision needs, and the
//! draft statistical-section paragraph per design.
//!
//! Metrics the run's counts do not carry are omitted and named: BOIN's risk of overdosing (% of
//! trials treating more than 60% or 80% of patients above the MTD; Liu & Yuan 2015) needs each
//! trial's share of patients above the MTD, which the accumulators do not keep (they keep sums per
//! dose), so it is not printed.

use super::dose_finding::{correct_words, in_words};
use super::precision::{trials_for_mean, trials_for_percent, Figure, Precision};
use super::svg::{BarChart, BarData};
use crate::core::Dose;
use crate::report::colours::css;
use crate::results::moments::Part;
use crate::results::{CorrectDecision, Method, OcRow, OcTable};
use crate::scenario::Scenario;
use serde::Serialize;

/// Half-width of the band around the target within which a dose's true P(DLT) makes it
/// acceptable.
pub const ACCEPTABLE_BAND: f64 = 0.05;

/// The precision the report states trials for: a standard error of 1 percentage point for
/// percentages, and of half a patient for the mean sample size.
pub const STATED_SE_POINTS: f64 = 1.0;
/// See [`STATED_SE_POINTS`].
pub const STATED_SE_PATIENTS: f64 = 0.5;

/// One design's line of the summary across truths.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryLine {
    /// 1 = best mean correct decision.
    pub rank: usize,
    /// The design.
    pub design: String,
    /// Its colour.
    pub colour: String,
    /// Mean correct decision, %.
    pub correct: Figure,
    /// Mean selection above the correct dose, %.
    pub overdose_selection: Figure,
    /// Mean patients treated above the MTD per trial.
    pub overdose_patients: Figure,
    /// Mean % of patients treated above the MTD.
    pub overdose_patients_pct: Figure,
    /// Mean acceptable-dose selection, %.
    pub acceptable: Figure,
    /// Mean sample size.
    pub mean_n: Figure,
}

/// The correct decision of every design under one truth.
#[derive(Clone, Debug, Serialize)]
pub struct CorrectByTruth {
    /// The truth.
    pub truth: String,
    /// Its correct decision in words.
    pub correct: String,
    /// One figure per design, in scenario order.
    pub cells: Vec<Figure>,
}

/// The summary across truths.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The band around the target of acceptable doses.
    pub band: f64,
    /// Lower and upper end of the band.
    pub band_range: [f64; 2],
    /// The designs, best first.
    pub lines: Vec<SummaryLine>,
    /// The designs in scenario order (header of `by_truth`).
    pub designs: Vec<String>,
    /// Correct decision per truth and design.
    pub by_truth: Vec<CorrectByTruth>,
    /// Correct decision by truth, by design.
    pub chart: BarChart,
    /// Metrics left out, and why.
    pub omitted: Vec<&'static str>,
}

/// The mean of `figures` (one per truth): its SE at most the mean of theirs (figures from common
/// random numbers are correlated); exact when every one is.
fn mean_of(figures: &[Figure], decimals: usize) -> Figure {
    let n = figures.len().max(1) as f64;
    let value = figures.iter().map(|f| f.value).sum::<f64>() / n;
    let precision = if figures.iter().all(|f| f.precision == Precision::Exact) {
        Precision::Exact
    } else {
        Precision::Bound
    };
    let se = figures.iter().map(|f| f.se.unwrap_or(0.0)).sum::<f64>() / n;
    Figure::new(value, decimals, precision, se)
}

/// Percentage of trials selecting a dose whose true P(DLT) is within `band` of `target` (or
/// stopping, when stopping is the correct decision).
pub fn acceptable_pct(row: &OcRow, target: f64, band: f64) -> f64 {
    match row.correct {
        CorrectDecision::Stop => row.stopped_early_pct(),
        CorrectDecision::Select(_) => {
            100.0
                * row
                    .true_dlt
                    .iter()
                    .zip(&row.oc.selected)
                    .filter(|(p, _)| (*p - target).abs() <= band + 1e-12)
                    .map(|(_, s)| s)
                    .sum::<f64>()
        }
    }
}

/// Mean patients treated above the correct dose per trial.
fn overdose_patients(row: &OcRow) -> f64 {
    (0..row.true_dlt.len() as u16)
        .map(Dose)
        .filter(|&d| row.correct.is_overdose(d))
        .map(|d| row.patients_mean(d))
        .sum()
}

/// The summary across truths of `table`, designs coloured `colours` (scenario order).
pub fn summary_across_truths(scenario: &Scenario, table: &OcTable, colours: &[usize]) -> Summary {
    let target = table.target;
    let mut lines: Vec<SummaryLine> = scenario
        .designs
        .iter()
        .zip(colours)
        .map(|(d, &colour)| {
            let rows: Vec<&OcRow> = table.rows.iter().filter(|r| r.design == d.name).collect();
            let each = |f: &dyn Fn(&OcRow) -> Figure, decimals| {
                mean_of(&rows.iter().map(|r| f(r)).collect::<Vec<_>>(), decimals)
            };
            SummaryLine {
                rank: 0,
                design: d.name.clone(),
                colour: css(colour),
                correct: each(&|r| Figure::percent(r.correct_selection_pct(), r.method), 1),
                overdose_selection: each(&|r| Figure::percent(r.overdose_selection_pct(), r.method), 1),
                overdose_patients: each(
                    &|r| {
                        let se = r.mean_se(Part::Patients, |d| r.correct.is_overdose(Dose(d as u16)));
                        Figure::simulated(overdose_patients(r), 2, r.method, se)
                    },
                    2,
                ),
                overdose_patients_pct: each(
                    &|r| Figure::simulated(r.overdose_patients_pct(), 1, r.method, r.overdose_patients_pct_se()),
                    1,
                ),
                acceptable: each(
                    &|r| Figure::percent(acceptable_pct(r, target, ACCEPTABLE_BAND), r.method),
                    1,
                ),
                mean_n: each(
                    &|r| Figure::mean(r.total_patients_mean(), r.total_patients_sd(), 1, r.method),
                    1,
                ),
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.correct
            .value
            .total_cmp(&a.correct.value)
            .then(a.overdose_selection.value.total_cmp(&b.overdose_selection.value))
    });
    for (i, line) in lines.iter_mut().enumerate() {
        line.rank = i + 1;
    }
    let designs: Vec<String> = scenario.designs.iter().map(|d| d.name.clone()).collect();
    let by_truth: Vec<CorrectByTruth> = scenario
        .truths
        .iter()
        .map(|truth| CorrectByTruth {
            truth: truth.name.clone(),
            correct: correct_words(CorrectDecision::for_truth(&truth.dlt, target), &scenario.trial.doses),
            cells: designs
                .iter()
                .filter_map(|d| table.rows.iter().find(|r| r.truth == truth.name && &r.design == d))
                .map(|r| Figure::percent(r.correct_selection_pct(), r.method))
                .collect(),
        })
        .collect();
    let value = |g: usize, k: usize| by_truth[g].cells.get(k).map(|f| (f.value, f.se));
    let chart = BarChart::new(&BarData {
        title: "Correct decision by truth, % of trials".into(),
        y_label: "% of trials",
        y_max: 100.0,
        groups: by_truth.iter().map(|t| t.truth.clone()).collect(),
        series: designs.iter().cloned().zip(colours.iter().copied()).collect(),
        value: &value,
        highlight: None,
    });
    Summary {
        band: ACCEPTABLE_BAND,
        band_range: [target - ACCEPTABLE_BAND, target + ACCEPTABLE_BAND],
        lines,
        designs,
        by_truth,
        chart,
        omitted: vec![
            "BOIN's risk of overdosing (% of trials treating more than 60% or 80% of their patients above the MTD) is not \
             printed: it needs each trial's share of patients above the MTD, and a run keeps only the per-dose sums.",
            "No standard error is printed for the % of patients treated above the MTD (a ratio of two means whose \
             covariance a run does not keep), nor for the median sample size and the trial durations.",
        ],
    }
}

/// Trials needed by one design for the stated precision.
#[derive(Clone, Debug, Serialize)]
pub struct TrialsNeeded {
    /// The design.
    pub design: String,
    /// For every correct-decision % (at its estimate) to have SE ≤ the stated points.
    pub correct: u64,
    /// For every mean sample size to have SE ≤ the stated patients.
    pub mean_n: u64,
}

/// The precision section.
#[derive(Clone, Debug, Serialize)]
pub struct PrecisionSection {
    /// Simulated trials per row (none when every row is exact).
    pub trials: Option<u64>,
    /// The largest SE of any percentage at those trials (p = 50%), in points.
    pub worst_se: Option<String>,
    /// The stated SE of percentages, points.
    pub se_points: f64,
    /// The stated SE of the mean sample size, patients.
    pub se_patients: f64,
    /// Trials for any percentage to reach the stated SE (the worst case p = 50%).
    pub worst_case_trials: u64,
    /// Per design.
    pub designs: Vec<TrialsNeeded>,
}

/// The trials a stated precision needs, per design and in the worst case.
pub fn precision_section(scenario: &Scenario, table: &OcTable) -> PrecisionSection {
    let trials = table.rows.iter().find_map(|r| match r.method {
        Method::Simulated { trials } => Some(trials),
        Method::Exact { .. } => None,
    });
    let designs = scenario
        .designs
        .iter()
        .map(|d| {
            let rows = table.rows.iter().filter(|r| r.design == d.name);
            TrialsNeeded {
                design: d.name.clone(),
                correct: rows
                    .clone()
                    .map(|r| trials_for_percent(r.correct_selection_pct(), STATED_SE_POINTS))
                    .max()
                    .unwrap_or(1),
                mean_n: rows
                    .map(|r| trials_for_mean(r.total_patients_sd(), STATED_SE_PATIENTS))
                    .max()
                    .unwrap_or(1),
            }
        })
        .collect();
    PrecisionSection {
        trials,
        worst_se: trials.map(|n| format!("{:.2}", super::precision::binomial_se_pct(50.0, n))),
        se_points: STATED_SE_POINTS,
        se_patients: STATED_SE_PATIENTS,
        worst_case_trials: trials_for_percent(50.0, STATED_SE_POINTS),
        designs,
    }
}

/// A figure's range over truths, as printed.
#[derive(Clone, Debug, Serialize)]
pub struct Range {
    /// The smallest.
    pub low: String,
    /// The largest.
    pub high: String,
}

fn range(values: impl Iterator<Item = f64>, decimals: usize) -> Range {
    let v: Vec<f64> = values.collect();
    let low = v.iter().copied().fold(f64::INFINITY, f64::min);
    let high = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Range {
        low: format!("{low:.decimals$}"),
        high: format!("{high:.decimals$}"),
    }
}

/// What a design's draft protocol paragraph says (the template words it).
#[derive(Clone, Debug, Serialize)]
pub struct Protocol {
    /// The design.
    pub design: String,
    /// The design in words.
    pub words: &'static str,
    /// Its citation.
    pub citation: &'static str,
    /// Its settings.
    pub settings: String,
    /// Its stopping and skipping rules.
    pub rules: Vec<String>,
    /// The target DLT probability.
    pub target: f64,
    /// Cohort size.
    pub cohort_size: u16,
    /// Maximum sample size of the escalation.
    pub max_patients: u32,
    /// Patients in all, with backfill and expansion (calendar time).
    pub total_patients: Option<u32>,
    /// The start dose, in words.
    pub start: String,
    /// The number of truths.
    pub truths: usize,
    /// How the OCs were computed, in words.
    pub method: String,
    /// Correct decision over truths, %.
    pub correct: Range,
    /// Selection above the correct dose over truths, %.
    pub overdose: Range,
    /// Mean sample size over truths.
    pub mean_n: Range,
    /// Early stopping when every dose is too toxic, %, if a truth has it.
    pub stop_when_toxic: Option<String>,
}

/// One draft paragraph per design.
pub fn protocol_paragraphs(scenario: &Scenario, table: &OcTable) -> Vec<Protocol> {
    let t = &scenario.trial;
    scenario
        .designs
        .iter()
        .map(|d| {
            let rows: Vec<&OcRow> = table.rows.iter().filter(|r| r.design == d.name).collect();
            let method = match rows.first().map(|r| r.method) {
                Some(Method::Simulated { trials }) => {
                    format!("{trials} simulated trials per scenario (seed {})", table.seed)
                }
                _ => "exact enumeration of every trial path (no simulation error)".to_string(),
            };
            let toxic: Vec<f64> = rows
                .iter()
                .filter(|r| r.correct == CorrectDecision::Stop)
                .map(|r| r.stopped_early_pct())
                .collect();
            Protocol {
                design: d.name.clone(),
                words: in_words(d.rule_name()),
                citation: d.base.kind().citation(),
                settings: d.settings(),
                rules: d.rules.iter().map(|r| r.to_string()).collect(),
                target: table.target,
                cohort_size: t.limits.cohort_size,
                max_patients: t.limits.max_patients,
                total_patients: t.total_patients,
                start: format!(
                    "dose level {} ({})",
                    t.limits.start_dose.level(),
                    t.doses[t.limits.start_dose.index()]
                ),
                truths: rows.len(),
                method,
                correct: range(rows.iter().map(|r| r.correct_selection_pct()), 1),
                overdose: range(rows.iter().map(|r| r.overdose_selection_pct()), 1),
                mean_n: range(rows.iter().map(|r| r.total_patients_mean()), 1),
                stop_when_toxic: (!toxic.is_empty()).then(|| {
                    let r = range(toxic.into_iter(), 1);
                    if r.low == r.high {
                        r.low
                    } else {
                        format!("{}–{}", r.low, r.high)
                    }
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::OcProbabilities;

    #[test]
    fn acceptable_doses_lie_within_the_band() {
        let row = OcRow {
            truth: "t".into(),
            design: "d".into(),
            true_dlt: vec![0.1, 0.22, 0.3, 0.45],
            correct: CorrectDecision::Select(Dose(2)),
            method: Method::Simulated { trials: 100 },
            oc: OcProbabilities {
                selected: vec![0.1, 0.2, 0.5, 0.15],
                selected_none: 0.05,
                patients: vec![3.0, 6.0, 9.0, 3.0],
                dlts: vec![0.3, 1.3, 2.7, 1.4],
                stops: [1.0, 0.0, 0.0, 0.0, 0.0],
                sample_size: vec![],
                responses: None,
                moments: None,
            },
            timing: None,
            obd: None,
        };
        // Target 0.25 ± 0.05: doses 2 (0.22) and 3 (0.30).
        assert!((acceptable_pct(&row, 0.25, 0.05) - 70.0).abs() < 1e-9);
        assert!((overdose_patients(&row) - 3.0).abs() < 1e-12);
        let m = mean_of(
            &[
                Figure::percent(50.0, Method::Simulated { trials: 100 }),
                Figure::percent(10.0, Method::Simulated { trials: 100 }),
            ],
            1,
        );
        assert_eq!((m.shown.as_str(), m.precision), ("30.0", Precision::Bound));
        assert!((m.se.unwrap() - 4.0).abs() < 1e-9, "mean of SEs 5 and 3");
    }
}
