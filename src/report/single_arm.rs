//! Tables and index of a single-arm run (**contract**: file names and leading columns fixed;
//! columns are only ever added at the end).

use crate::report::index::VERSION;
use crate::scenario::SingleArmScenario;
use crate::single_arm::SingleArmTable;
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

/// The files of a single-arm run, with one line each on what they show.
pub const SINGLE_ARM_FILES: [(&str, &str); 3] = [
    ("summary.csv", "one row per truth × design: % of trials declaring the regimen promising, stopping for futility or toxicity, or completing; mean and SD of the sample size and of the trial duration (months); mean toxicities; bias of the ORR estimate and coverage of its 95% Clopper–Pearson interval; mean and SD of the estimated median OS and PFS (Kaplan–Meier at the final analysis) and % of trials where the median was not reached."),
    ("sample_size.csv", "the distribution of the sample size: % of trials ending with each number of patients."),
    ("README.md", "this index."),
];

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
