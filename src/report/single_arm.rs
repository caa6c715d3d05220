//! Tables and index of a single-arm run (**contract**: file names and leading columns fixed;
//! columns are only ever added at the end). The rows come from
//! `engines::single_arm::table`; this module only writes them.

use crate::designs::single_arm::{null_cases, JointNull, JointOutcome};
use crate::engines::single_arm::table::{design_target_row, orr_curve_rows};
use crate::engines::single_arm::SingleArmTable;
use crate::report::charts::single_arm::SINGLE_ARM_CHARTS;
use crate::report::index::VERSION;
use crate::results::cells::{Fixed, Given};
use crate::results::single_arm::{
    AnalysisKind, DesignTargetRow, KmExampleRow, MedianOsRow, OrrCurveRow, SampleSizeRow, SingleArmSummaryRow,
};
use crate::results::{write_rows, Row};
use crate::scenario::{JointSpec, SingleArmScenario};
use std::fmt::Write;

/// The tables of a single-arm run, with one line each on what they show.
pub(crate) const SINGLE_ARM_TABLES: [(&str, &str); 6] = [
    (SingleArmSummaryRow::FILE, "one row per truth × design: % of trials declaring the regimen promising, stopping for futility or toxicity, or completing; mean and SD of the sample size and of the trial duration (months); mean toxicities; bias of the ORR estimate and coverage of its 95% Clopper–Pearson interval; mean and SD of the estimated median OS and PFS (Kaplan–Meier at the final analysis) and % of trials where the median was not reached; for a log-rank design, its nominal alpha and its test's simulated type I error (with its Monte Carlo SE), the same in every truth's row."),
    (SampleSizeRow::FILE, "the distribution of the sample size: % of trials ending with each number of patients."),
    (OrrCurveRow::FILE, "for each design that counts responses, exactly (no Monte Carlo error) at every true ORR 0.00, 0.01, …, 1.00: % of trials declaring the regimen promising, % stopping early for futility, and the expected sample size; from the design's response boundaries, with every enrolled patient assessed at each look and no toxicity monitoring (time-to-event designs have no ORR curve)."),
    (DesignTargetRow::FILE, "one row per design: analysis, endpoint and maximum sample size; p0, p1, nominal alpha and target power as the scenario gives them; the exact type I error at p0 and power at p1 of response designs; the historical median (and Weibull shape) of a log-rank design, the landmark time and historical rate of a landmark design; whether toxicity is monitored; a log-rank design's test statistic (classical or wu)."),
    (KmExampleRow::FILE, "overall survival: the Kaplan–Meier curves of the first 5 simulated trials under each truth, all patients at the planned final analysis (`curve` = simulated, step points: the survival holds from `time` until the next row), the truth's OS curve (`true`) and the historical control curve of the log-rank design (`historical`, no truth)."),
    (MedianOsRow::FILE, "per truth, the distribution over simulated trials of the Kaplan–Meier median OS of all patients at the planned final analysis, whatever the designs decide: % of trials by half-month bin [median_from, median_to), and a row with empty bounds for a median not reached; with the truth's median OS."),
];

/// Every file of a single-arm run (tables, charts, report, index) but those of every folder
/// ([`FOLDER_FILES`](super::index::FOLDER_FILES)), with one line each on what it shows.
pub const SINGLE_ARM_FILES: [(&str, &str); 12] = [
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
    (
        crate::report::html::REPORT,
        "the report: settings, each design in words with its boundaries per look, per truth the operating characteristics with their Monte Carlo standard errors, and the charts (SVG); one self-contained file for a browser or print.",
    ),
    ("README.md", "this index."),
];

/// The rows of `orr_curve.csv`: every design that counts responses, in scenario order.
fn orr_curve(scenario: &SingleArmScenario) -> Vec<OrrCurveRow> {
    scenario
        .designs
        .iter()
        .flat_map(|d| orr_curve_rows(&d.name, &d.design))
        .collect()
}

/// The rows of `design_targets.csv`, one per design in scenario order; a joint BOP2's exact
/// error rates are its own (toxicity rule included, under its null and H1 cells).
fn design_targets(scenario: &SingleArmScenario) -> Vec<DesignTargetRow> {
    scenario
        .designs
        .iter()
        .map(|d| {
            let mut row = design_target_row(&d.name, &d.design, (d.p0, d.p1), d.alpha, d.power);
            if let Some(joint) = &d.joint {
                let (alpha, power) = joint_error_rates(joint, d.p1);
                row.exact_alpha = Some(Fixed(alpha));
                row.exact_power = power.map(Fixed);
            }
            row
        })
        .collect()
}

/// The tables' contents, in the order of [`SINGLE_ARM_TABLES`].
pub(crate) fn single_arm_tables(scenario: &SingleArmScenario, table: &SingleArmTable) -> [Vec<u8>; 6] {
    let designs: Vec<_> = scenario.designs.iter().map(|d| &d.design).collect();
    [
        write_rows(&table.summary_rows()),
        write_rows(&table.sample_size_rows()),
        write_rows(&orr_curve(scenario)),
        write_rows(&design_targets(scenario)),
        write_rows(&table.km_example_rows(&scenario.truths, &designs, scenario.timing.min_followup())),
        write_rows(&table.median_os_rows()),
    ]
}

/// Markdown index of a single-arm run (nothing that varies between identical runs).
pub(crate) fn index(scenario: &SingleArmScenario, table: &SingleArmTable) -> String {
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
    let given = |x: Option<String>| x.unwrap_or_else(|| "–".to_string());
    let exact: Vec<String> = design_targets(scenario)
        .into_iter()
        .filter(|d| d.analysis == AnalysisKind::Responses)
        .map(|d| {
            let at = |p: Option<Given>, rate: Option<Fixed<6>>| {
                given(p.zip(rate).map(|(p, r)| format!("{:.4} at {p}", r.0)))
            };
            format!(
                "| {} | {} | {} | {} | {} |",
                d.design,
                at(d.p0, d.exact_alpha),
                at(d.p1, d.exact_power),
                given(d.alpha.map(|a| a.to_string())),
                given(d.target_power.map(|p| p.to_string()))
            )
        })
        .collect();
    if !exact.is_empty() {
        let _ = writeln!(
            s,
            "\n## Exact error rates of the designs that count responses\n\nFrom the response boundaries alone (every enrolled patient assessed at each look, no toxicity monitoring){}; `orr_curve.csv` has the whole curve.\n\n| design | type I error at p0 | power at p1 | nominal alpha | target power |\n|---|---|---|---|---|",
            if scenario.designs.iter().any(|d| d.joint.is_some()) {
                ", except for BOP2 with joint efficacy and toxicity monitoring: its own rules, under its null and H1 cells (below)"
            } else {
                ""
            }
        );
        for line in exact {
            let _ = writeln!(s, "{line}");
        }
    }
    joint_section(&mut s, scenario);
    null_test_section(&mut s, table);
    super::index::files_section(&mut s, &SINGLE_ARM_FILES);
    let _ = writeln!(s, "\n## Declared promising, % of trials\n");
    let designs: Vec<&str> = scenario.designs.iter().map(|d| d.name.as_str()).collect();
    let _ = writeln!(s, "| truth | {} |", designs.join(" | "));
    let _ = writeln!(s, "|---|{}", "---|".repeat(designs.len()));
    let rows = table.summary_rows();
    for truth in &scenario.truths {
        let cells: Vec<String> = rows
            .iter()
            .filter(|r| r.truth == truth.name())
            .map(|r| format!("{:.1}", r.promising_pct.0))
            .collect();
        let _ = writeln!(s, "| {} | {} |", truth.name(), cells.join(" | "));
    }
    s
}

/// The index section of the log-rank designs' simulated type I errors beside their nominal level.
fn null_test_section(s: &mut String, table: &SingleArmTable) {
    if table.null_tests.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n## One-sample log-rank tests: simulated type I error\n\nEach log-rank design's test alone (no toxicity monitoring) on the same simulated trials, every patient's survival following the design's historical curve. The classical statistic (E − O)/√E is conservative in small samples; Wu's (2014) modified statistic (E − O)/√((O + E)/2) keeps closer to the nominal level (`statistic = \"wu\"`).\n\n| design | statistic | nominal alpha | simulated type I error | Monte Carlo SE |\n|---|---|---|---|---|"
    );
    for t in &table.null_tests {
        let (rate, se) = t.counts.rate();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.4} | {:.4} |",
            t.design,
            t.statistic.name(),
            t.alpha,
            rate,
            se
        );
    }
}

/// A joint BOP2's exact (type I error, power): under its null (the composite needs H1) and H1;
/// without `p1` and `tox1` (given λ and γ), under the null cells only and no power.
fn joint_error_rates(joint: &JointSpec, p1: Option<f64>) -> (f64, Option<f64>) {
    let design = &joint.design;
    match p1.zip(joint.tox1) {
        Some(h1) => {
            let (alpha, power) = design.error_rates(joint.null, h1).expect("checked by the calibration");
            (alpha, Some(power))
        }
        None => (design.oc(&design.null()).reject, None),
    }
}

/// The index section of the joint BOP2 designs: per design, its boundary table and its exact
/// operating characteristics under its null and H1 cells and under each truth.
fn joint_section(s: &mut String, scenario: &SingleArmScenario) {
    let joint: Vec<_> = scenario
        .designs
        .iter()
        .filter_map(|d| d.joint.as_ref().map(|j| (d, j)))
        .collect();
    if joint.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n## BOP2 with joint efficacy and toxicity monitoring\n\nZhou, Lee & Yuan (2017): at each look of n patients, stop for toxicity when P(toxicity rate > tox0 | data) > C_T(n) = 1 − λ(n/N)^γ_T, else for futility when P(ORR ≤ p0 | data) > C(n) = 1 − λ(n/N)^γ; at N, the regimen is promising when neither rule stops it. Dirichlet prior with the null cell probabilities, effective sample size 1. Exact operating characteristics by enumeration of the (responses, toxicities) counts, every enrolled patient assessed at each look (the simulated tables also count the patients enrolled while a look's data mature)."
    );
    let count = |c: Option<u32>| c.map_or_else(|| "–".to_string(), |c| c.to_string());
    for (d, j) in joint {
        let design = &j.design;
        let _ = writeln!(
            s,
            "\n### {}\n\n| patients | stop for futility if responses ≤ | stop for toxicity if toxicities ≥ | C(n) | C_T(n) |\n|---|---|---|---|---|",
            d.name
        );
        let last = design.looks().len() - 1;
        for (k, (n, futility, toxicity)) in design.table().into_iter().enumerate() {
            let note = if k == last { " (not promising)" } else { "" };
            let _ = writeln!(
                s,
                "| {n} | {}{note} | {} | {:.4} | {:.4} |",
                count(futility),
                count(toxicity),
                1.0 - design.efficacy().cutoff(n),
                design.toxicity_cutoff(n)
            );
        }
        let null = design.null();
        let mut cases: Vec<(String, JointOutcome)> = Vec::new();
        if let Some((p1, tox1)) = d.p1.zip(j.tox1) {
            let names = [
                "H0: futile and toxic (null cells)",
                "H0: futile, safe",
                "H0: effective, toxic",
            ];
            let nulls = null_cases(null, JointNull::Composite, (p1, tox1)).expect("checked by the calibration");
            cases.extend(names.iter().map(|n| n.to_string()).zip(nulls));
            let h1 = JointOutcome::new(p1, tox1, null.odds_ratio()).expect("checked by the calibration");
            cases.push(("H1: effective, safe".to_string(), h1));
        } else {
            cases.push(("H0: null cells".to_string(), null));
        }
        cases.extend(
            scenario
                .truths
                .iter()
                .map(|t| (format!("truth: {}", t.name()), t.joint())),
        );
        let _ = writeln!(
            s,
            "\n| case | ORR | P(toxicity) | odds ratio | promising % | futility stop % (interim) | toxicity stop % (any look) | mean patients |\n|---|---|---|---|---|---|---|---|"
        );
        for (case, outcome) in cases {
            let oc = design.oc(&outcome);
            let _ = writeln!(
                s,
                "| {case} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
                outcome.response(),
                outcome.toxicity(),
                outcome.odds_ratio(),
                100.0 * oc.reject,
                100.0 * oc.futility_stop,
                100.0 * oc.toxicity_stop,
                oc.expected_n
            );
        }
    }
}
