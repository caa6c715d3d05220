//! Tables and index of a single-arm run (**contract**: file names and leading columns fixed;
//! columns are only ever added at the end). The rows come from
//! `engines::single_arm::table`; this module only writes them.

use crate::engines::single_arm::table::{design_target_row, orr_curve_rows};
use crate::engines::single_arm::SingleArmTable;
use crate::report::charts::single_arm::SINGLE_ARM_CHARTS;
use crate::report::index::VERSION;
use crate::results::cells::{Fixed, Given};
use crate::results::single_arm::{
    AnalysisKind, DesignTargetRow, KmExampleRow, MedianOsRow, OrrCurveRow, SampleSizeRow, SingleArmSummaryRow,
};
use crate::results::{write_rows, Row};
use crate::scenario::SingleArmScenario;
use std::fmt::Write;

/// The tables of a single-arm run, with one line each on what they show.
pub(crate) const SINGLE_ARM_TABLES: [(&str, &str); 6] = [
    (SingleArmSummaryRow::FILE, "one row per truth × design: % of trials declaring the regimen promising, stopping for futility or toxicity, or completing; mean and SD of the sample size and of the trial duration (months); mean toxicities; bias of the ORR estimate and coverage of its 95% Clopper–Pearson interval; mean and SD of the estimated median OS and PFS (Kaplan–Meier at the final analysis) and % of trials where the median was not reached."),
    (SampleSizeRow::FILE, "the distribution of the sample size: % of trials ending with each number of patients."),
    (OrrCurveRow::FILE, "for each design that counts responses, exactly (no Monte Carlo error) at every true ORR 0.00, 0.01, …, 1.00: % of trials declaring the regimen promising, % stopping early for futility, and the expected sample size; from the design's response boundaries, with every enrolled patient assessed at each look and no toxicity monitoring (time-to-event designs have no ORR curve)."),
    (DesignTargetRow::FILE, "one row per design: analysis, endpoint and maximum sample size; p0, p1, nominal alpha and target power as the scenario gives them; the exact type I error at p0 and power at p1 of response designs; the historical median (and Weibull shape) of a log-rank design, the landmark time and historical rate of a landmark design; whether toxicity is monitored."),
    (KmExampleRow::FILE, "overall survival: the Kaplan–Meier curves of the first 5 simulated trials under each truth, all patients at the planned final analysis (`curve` = simulated, step points: the survival holds from `time` until the next row), the truth's OS curve (`true`) and the historical control curve of the log-rank design (`historical`, no truth)."),
    (MedianOsRow::FILE, "per truth, the distribution over simulated trials of the Kaplan–Meier median OS of all patients at the planned final analysis, whatever the designs decide: % of trials by half-month bin [median_from, median_to), and a row with empty bounds for a median not reached; with the truth's median OS."),
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

/// The rows of `orr_curve.csv`: every design that counts responses, in scenario order.
fn orr_curve(scenario: &SingleArmScenario) -> Vec<OrrCurveRow> {
    scenario
        .designs
        .iter()
        .flat_map(|d| orr_curve_rows(&d.name, &d.design))
        .collect()
}

/// The rows of `design_targets.csv`, one per design in scenario order.
fn design_targets(scenario: &SingleArmScenario) -> Vec<DesignTargetRow> {
    scenario
        .designs
        .iter()
        .map(|d| design_target_row(&d.name, &d.design, (d.p0, d.p1), d.alpha, d.power))
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
