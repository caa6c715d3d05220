//! Tables and index of a single-arm run (**contract**: file names and leading columns fixed;
//! columns are only ever added at the end).

use crate::report::charts_single_arm::SINGLE_ARM_CHARTS;
use crate::report::index::VERSION;
use crate::scenario::SingleArmScenario;
use crate::single_arm::sim::MEDIAN_BIN_MONTHS;
use crate::single_arm::{Analysis, Endpoint, SingleArmTable};
use std::fmt::Write;

/// Columns of the single-arm `summary.csv`.
pub const SINGLE_ARM_SUMMARY_COLUMNS: [&str; 21] = [
    "truth",
    "design",
    "trials",
    "true_orr",
    "promising_pct",
    "futility_stop_pct",
    "toxicity_stop_pct",
    "completed_pct",
    "patients_mean",
    "patients_sd",
    "toxicities_mean",
    "duration_mean",
    "duration_sd",
    "orr_bias",
    "orr_coverage_pct",
    "os_median_mean",
    "os_median_sd",
    "os_median_not_reached_pct",
    "pfs_median_mean",
    "pfs_median_sd",
    "pfs_median_not_reached_pct",
];

fn num(x: f64) -> String {
    format!("{:.4}", x + 0.0)
}

fn pct(x: f64) -> String {
    format!("{:.3}", 100.0 * x + 0.0)
}

fn optional(x: Option<f64>) -> String {
    x.map_or(String::new(), num)
}

/// `summary.csv`: one row per truth × design.
pub fn summary(table: &SingleArmTable) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SINGLE_ARM_SUMMARY_COLUMNS).expect("in memory");
    for row in &table.rows {
        let s = &row.summary;
        let not_reached = |m: &crate::single_arm::sim::MedianSummary| {
            if m.estimated == 0 {
                String::new()
            } else {
                pct(m.not_reached as f64 / m.estimated as f64)
            }
        };
        w.write_record([
            row.truth.clone(),
            row.design.clone(),
            s.trials.to_string(),
            row.true_orr.to_string(),
            pct(s.promising),
            pct(s.futility_stop),
            pct(s.toxicity_stop),
            pct(s.completed),
            num(s.mean_patients),
            num(s.sd_patients),
            num(s.mean_toxicities),
            num(s.mean_duration),
            num(s.sd_duration),
            num(s.orr_bias),
            pct(s.orr_coverage),
            optional(s.os_median.mean),
            optional(s.os_median.sd),
            not_reached(&s.os_median),
            optional(s.pfs_median.mean),
            optional(s.pfs_median.sd),
            not_reached(&s.pfs_median),
        ])
        .expect("in memory");
    }
    w.into_inner().expect("in memory")
}

/// `sample_size.csv`: the distribution of the sample size, one row per truth × design × N
/// reached in at least one trial.
pub fn sample_size(table: &SingleArmTable) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["truth", "design", "patients", "trials_pct"])
        .expect("in memory");
    for row in &table.rows {
        for (n, &count) in row.sample_size.iter().enumerate().filter(|(_, &c)| c > 0) {
            w.write_record([
                row.truth.clone(),
                row.design.clone(),
                n.to_string(),
                pct(count as f64 / table.trials as f64),
            ])
            .expect("in memory");
        }
    }
    w.into_inner().expect("in memory")
}

/// The ORR grid of `orr_curve.csv`: 0.00, 0.01, …, 1.00.
pub fn orr_grid() -> impl Iterator<Item = f64> {
    (0..=100).map(|i| f64::from(i) / 100.0)
}

/// `orr_curve.csv`: the exact operating characteristics of every design that counts responses
/// (from its boundaries: every enrolled patient assessed at each look, no toxicity monitoring),
/// over the ORR grid. Time-to-event designs have no ORR curve and no rows.
pub fn orr_curve(scenario: &SingleArmScenario) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["design", "true_orr", "promising_pct", "early_stop_pct", "patients_mean"])
        .expect("in memory");
    for d in &scenario.designs {
        if let Analysis::Responses(boundaries) = d.design.analysis() {
            for p in orr_grid() {
                let oc = boundaries.oc(p);
                w.write_record([
                    d.name.clone(),
                    format!("{p:.2}"),
                    pct(oc.reject),
                    pct(oc.early_stop),
                    num(oc.expected_n),
                ])
                .expect("in memory");
            }
        }
    }
    w.into_inner().expect("in memory")
}

/// Columns of `design_targets.csv`.
pub const DESIGN_TARGETS_COLUMNS: [&str; 15] = [
    "design",
    "analysis",
    "endpoint",
    "max_patients",
    "p0",
    "p1",
    "alpha",
    "target_power",
    "exact_alpha",
    "exact_power",
    "null_median",
    "null_shape",
    "landmark_time",
    "null_rate",
    "toxicity_monitoring",
];

/// `design_targets.csv`: one row per design: its analysis and endpoint, the hypotheses and error
/// rates it was built for, its exact type I error at p0 and power at p1 (response designs), and
/// the historical control of a time-to-event design.
pub fn design_targets(scenario: &SingleArmScenario) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(DESIGN_TARGETS_COLUMNS).expect("in memory");
    let exact = |x: f64| format!("{:.6}", x + 0.0);
    let endpoint = |e: &Endpoint| match e {
        Endpoint::Os => "os",
        Endpoint::Pfs => "pfs",
    };
    for d in &scenario.designs {
        let (mut exact_alpha, mut exact_power) = (String::new(), String::new());
        let (mut null_median, mut null_shape, mut landmark_time, mut null_rate) =
            (String::new(), String::new(), String::new(), String::new());
        let (analysis, measured) = match d.design.analysis() {
            Analysis::Responses(b) => {
                exact_alpha = d.p0.map_or(String::new(), |p| exact(b.oc(p).reject));
                exact_power = d.p1.map_or(String::new(), |p| exact(b.oc(p).reject));
                ("responses", "orr")
            }
            Analysis::LogRank { endpoint: e, null, .. } => {
                null_median = null.median().to_string();
                null_shape = null.shape().to_string();
                ("log-rank", endpoint(e))
            }
            Analysis::Landmark {
                endpoint: e,
                time,
                null_rate: rate,
                ..
            } => {
                landmark_time = time.to_string();
                null_rate = rate.to_string();
                ("landmark", endpoint(e))
            }
        };
        let given = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
        w.write_record([
            d.name.clone(),
            analysis.to_string(),
            measured.to_string(),
            d.design.max_patients().to_string(),
            given(d.p0),
            given(d.p1),
            given(d.alpha),
            given(d.power.map(|p| (p * 1e12).round() / 1e12)),
            exact_alpha,
            exact_power,
            null_median,
            null_shape,
            landmark_time,
            null_rate,
            d.design.toxicity().is_some().to_string(),
        ])
        .expect("in memory");
    }
    w.into_inner().expect("in memory")
}

/// Spacing of the true and historical curves in `km_examples.csv`, months.
const CURVE_STEP_MONTHS: f64 = 0.25;

/// `km_examples.csv`: the OS Kaplan–Meier step points of the example trials (`curve` =
/// `simulated`, `trial` its number), each truth's true OS curve (`true`) on a grid, and the
/// historical control curve of the first log-rank design on OS (`historical`, `truth` empty).
pub fn km_examples(scenario: &SingleArmScenario, table: &SingleArmTable) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["truth", "curve", "trial", "time", "survival"])
        .expect("in memory");
    let last = table
        .km_examples
        .iter()
        .flat_map(|e| e.steps.iter().map(|&(t, _)| t))
        .fold(0.0, f64::max);
    let horizon = if last > 0.0 {
        last.ceil()
    } else {
        (scenario.timing.min_followup() + 12.0).ceil()
    };
    let grid = || (0..=(horizon / CURVE_STEP_MONTHS).round() as u32).map(|i| f64::from(i) * CURVE_STEP_MONTHS);
    for truth in &scenario.truths {
        for example in table.km_examples.iter().filter(|e| e.truth == truth.name()) {
            for &(time, survival) in &example.steps {
                w.write_record([
                    truth.name().to_string(),
                    "simulated".into(),
                    example.trial.to_string(),
                    num(time),
                    num(survival),
                ])
                .expect("in memory");
            }
        }
        for time in grid() {
            w.write_record([
                truth.name().to_string(),
                "true".into(),
                String::new(),
                num(time),
                num(truth.os_survival(time)),
            ])
            .expect("in memory");
        }
    }
    let historical = scenario.designs.iter().find_map(|d| match d.design.analysis() {
        Analysis::LogRank {
            endpoint: Endpoint::Os,
            null,
            ..
        } => Some(*null),
        _ => None,
    });
    if let Some(null) = historical {
        for time in grid() {
            w.write_record([
                String::new(),
                "historical".into(),
                String::new(),
                num(time),
                num(null.survival(time)),
            ])
            .expect("in memory");
        }
    }
    w.into_inner().expect("in memory")
}

/// `median_os.csv`: per truth, the distribution over trials of the Kaplan–Meier median OS of all
/// the study's patients at the planned final analysis, by bins of
/// [`MEDIAN_BIN_MONTHS`] (non-empty bins only), then a row with empty bounds for trials where the
/// median was not reached; with the truth's median OS.
pub fn median_os(table: &SingleArmTable) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["truth", "median_from", "median_to", "trials_pct", "true_median_os"])
        .expect("in memory");
    for m in &table.os_medians {
        let trials = m.histogram.trials().max(1) as f64;
        for (i, &count) in m.histogram.bins().iter().enumerate().filter(|(_, &c)| c > 0) {
            let from = i as f64 * MEDIAN_BIN_MONTHS;
            w.write_record([
                m.truth.clone(),
                from.to_string(),
                (from + MEDIAN_BIN_MONTHS).to_string(),
                pct(count as f64 / trials),
                m.true_median.to_string(),
            ])
            .expect("in memory");
        }
        w.write_record([
            m.truth.clone(),
            String::new(),
            String::new(),
            pct(m.histogram.not_reached as f64 / trials),
            m.true_median.to_string(),
        ])
        .expect("in memory");
    }
    w.into_inner().expect("in memory")
}

/// The tables of a single-arm run, with one line each on what they show.
pub const SINGLE_ARM_TABLES: [(&str, &str); 6] = [
    ("summary.csv", "one row per truth × design: % of trials declaring the regimen promising, stopping for futility or toxicity, or completing; mean and SD of the sample size and of the trial duration (months); mean toxicities; bias of the ORR estimate and coverage of its 95% Clopper–Pearson interval; mean and SD of the estimated median OS and PFS (Kaplan–Meier at the final analysis) and % of trials where the median was not reached."),
    ("sample_size.csv", "the distribution of the sample size: % of trials ending with each number of patients."),
    ("orr_curve.csv", "for each design that counts responses, exactly (no Monte Carlo error) at every true ORR 0.00, 0.01, …, 1.00: % of trials declaring the regimen promising, % stopping early for futility, and the expected sample size; from the design's response boundaries, with every enrolled patient assessed at each look and no toxicity monitoring (time-to-event designs have no ORR curve)."),
    ("design_targets.csv", "one row per design: analysis, endpoint and maximum sample size; p0, p1, nominal alpha and target power as the scenario gives them; the exact type I error at p0 and power at p1 of response designs; the historical median (and Weibull shape) of a log-rank design, the landmark time and historical rate of a landmark design; whether toxicity is monitored."),
    ("km_examples.csv", "overall survival: the Kaplan–Meier curves of the first 5 simulated trials under each truth, all patients at the planned final analysis (`curve` = simulated, step points: the survival holds from `time` until the next row), the truth's OS curve (`true`) and the historical control curve of the log-rank design (`historical`, no truth)."),
    ("median_os.csv", "per truth, the distribution over simulated trials of the Kaplan–Meier median OS of all patients at the planned final analysis, whatever the designs decide: % of trials by half-month bin [median_from, median_to), and a row with empty bounds for a median not reached; with the truth's median OS."),
];

/// Every file of a single-arm run (tables, charts, index), with one line each on what it shows.
pub const SINGLE_ARM_FILES: [(&str, &str); 11] = [
    SINGLE_ARM_TABLES[0],
    SINGLE_ARM_TABLES[1],
    SINGLE_ARM_TABLES[2],
    SINGLE_ARM_TABLES[3],
    SINGLE_ARM_TABLES[4],
    SINGLE_ARM_TABLES[5],
    SINGLE_ARM_CHARTS[0],
    SINGLE_ARM_CHARTS[1],
    SINGLE_ARM_CHARTS[2],
    SINGLE_ARM_CHARTS[3],
    ("README.md", "this index."),
];

/// The tables' contents, in the order of [`SINGLE_ARM_TABLES`].
pub fn single_arm_tables(scenario: &SingleArmScenario, table: &SingleArmTable) -> [Vec<u8>; 6] {
    [
        summary(table),
        sample_size(table),
        orr_curve(scenario),
        design_targets(scenario),
        km_examples(scenario, table),
        median_os(table),
    ]
}

/// Markdown index of a single-arm run (nothing that varies between identical runs).
pub fn index(scenario: &SingleArmScenario, table: &SingleArmTable) -> String {
    let mut s = String::new();
    let t = &scenario.timing;
    let _ = writeln!(s, "# {}\n", table.scenario);
    let _ = writeln!(
        s,
        "Single-arm operating characteristics simulated by trialsim {VERSION}.\n"
    );
    let _ = writeln!(s, "| setting | value |\n|---|---|");
    let _ = writeln!(s, "| scenario file | `{}` |", scenario.file.display());
    let _ = writeln!(s, "| seed | {} |", table.seed);
    let _ = writeln!(s, "| trials per design and truth | {} |", table.trials);
    let _ = writeln!(s, "| patients | {} |", t.patients());
    let _ = writeln!(s, "| accrual | {:?} |", t.accrual());
    let _ = writeln!(
        s,
        "| response and toxicity assessed | {} months after entry |",
        t.assessment()
    );
    let _ = writeln!(
        s,
        "| minimum follow-up after the last patient | {} months |",
        t.min_followup()
    );
    let _ = writeln!(s, "| dropout hazard | {} per month |", t.dropout_rate());
    let _ = writeln!(
        s,
        "\n## Truths\n\n| truth | ORR | P(toxicity) | median PFS | median OS | responders' hazard ratio |\n|---|---|---|---|---|---|"
    );
    for truth in &scenario.truths {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            truth.name(),
            truth.orr(),
            truth.p_tox(),
            truth.pfs().curve().median(),
            truth.os().curve().median(),
            truth.os().responder_hr()
        );
    }
    let _ = writeln!(s, "\n## Designs\n\n| design | rule | decision rule |\n|---|---|---|");
    for d in &scenario.designs {
        let _ = writeln!(s, "| {} | {} | {} |", d.name, d.rule, d.description);
    }
    let exact: Vec<String> = scenario
        .designs
        .iter()
        .filter_map(|d| {
            let Analysis::Responses(b) = d.design.analysis() else {
                return None;
            };
            let at = |p: Option<f64>| p.map_or("–".to_string(), |p| format!("{:.4} at {p}", b.oc(p).reject));
            let given = |x: Option<f64>| x.map_or("–".to_string(), |x| x.to_string());
            Some(format!(
                "| {} | {} | {} | {} | {} |",
                d.name,
                at(d.p0),
                at(d.p1),
                given(d.alpha),
                given(d.power.map(|p| (p * 1e12).round() / 1e12))
            ))
        })
        .collect();
    if !exact.is_empty() {
        let _ = writeln!(
            s,
            "\n## Exact error rates of the designs that count responses\n\nFrom the response boundaries alone (every enrolled patient assessed at each look, no toxicity monitoring); `orr_curve.csv` has the whole curve.\n\n| design | type I error at p0 | power at p1 | nominal alpha | target power |\n|---|---|---|---|---|"
        );
        for line in exact {
            let _ = writeln!(s, "{line}");
        }
    }
    let _ = writeln!(s, "\n## Files\n");
    for (name, what) in SINGLE_ARM_FILES {
        let _ = writeln!(s, "- `{name}`: {what}");
    }
    let _ = writeln!(s, "\n## Declared promising, % of trials\n");
    let designs: Vec<&str> = scenario.designs.iter().map(|d| d.name.as_str()).collect();
    let _ = writeln!(s, "| truth | {} |", designs.join(" | "));
    let _ = writeln!(s, "|---|{}", "---|".repeat(designs.len()));
    for truth in &scenario.truths {
        let cells: Vec<String> = table
            .rows
            .iter()
            .filter(|r| r.truth == truth.name())
            .map(|r| format!("{:.1}", 100.0 * r.summary.promising))
            .collect();
        let _ = writeln!(s, "| {} | {} |", truth.name(), cells.join(" | "));
    }
    s
}
