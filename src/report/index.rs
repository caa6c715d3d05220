//! The run's `README.md`: settings, what each file holds, and a summary a reader can scan.

use crate::core::TruthProfile;
use crate::results::{CorrectDecision, Method, OcRow, OcTable};
use crate::scenario::Scenario;
use std::fmt::Write;

/// The software version written into every run index.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The files every output folder with tables holds beside its own, written after them, as its
/// index lists them: the tables as JSON, and the manifest.
pub const FOLDER_FILES: [(&str, &str); 2] = [
    (
        super::json::RESULTS_JSON,
        "every CSV table of this folder as JSON, one member per table named after its file (rows as objects, numbers as numbers, empty cells as null), for R (`jsonlite::fromJSON`) and Python (`pandas.json_normalize`).",
    ),
    (
        super::manifest::MANIFEST,
        "the manifest: trialsim's version, the seed and trials, and every other file with its size, rows (tables) and FNV-1a checksum; `plot` and `compare` check the tables against it.",
    ),
];

/// Writes the index's `## Files` section: `files`, then [`FOLDER_FILES`].
pub fn files_section(s: &mut String, files: &[(&str, &str)]) {
    let _ = writeln!(s, "\n## Files\n");
    for (name, what) in files.iter().chain(&FOLDER_FILES) {
        let _ = writeln!(s, "- `{name}`: {what}");
    }
}

/// Markdown index of a run folder. Holds nothing that varies between identical runs (no time,
/// no thread count), so a rerun reproduces it byte for byte.
pub fn index(scenario: &Scenario, table: &OcTable, files: &[(&str, &str)]) -> String {
    let mut s = String::new();
    let t = &scenario.trial;
    let _ = writeln!(s, "# {}\n", table.scenario);
    let _ = writeln!(s, "Operating characteristics simulated by trialsim {VERSION}.\n");
    let _ = writeln!(s, "| setting | value |\n|---|---|");
    let _ = writeln!(s, "| scenario file | `{}` |", scenario.file.display());
    let _ = writeln!(s, "| seed | {} |", table.seed);
    let simulated: Vec<u64> = table
        .rows
        .iter()
        .filter_map(|r| match r.method {
            Method::Simulated { trials } => Some(trials),
            Method::Exact { .. } => None,
        })
        .collect();
    if let Some(trials) = simulated.first() {
        let _ = writeln!(s, "| trials per design and truth | {trials} |");
    }
    let exact = table.rows.len() - simulated.len();
    if exact > 0 {
        let _ = writeln!(
            s,
            "| exact rows (enumeration of every trial state, no Monte Carlo error) | {exact} of {} |",
            table.rows.len()
        );
    }
    let _ = writeln!(s, "| target DLT probability | {} |", t.target);
    let _ = writeln!(s, "| doses | {} |", t.doses.join(", "));
    let _ = writeln!(s, "| cohort size | {} |", t.limits.cohort_size);
    let _ = writeln!(s, "| maximum patients | {} |", t.limits.max_patients);
    let _ = writeln!(
        s,
        "| start dose | {} ({}) |",
        t.limits.start_dose,
        t.doses[t.limits.start_dose.index()]
    );
    if let Some(total) = t.total_patients {
        let _ = writeln!(s, "| total patients (expansion at the RP2D fills up to it) | {total} |");
    }
    if scenario.timing.is_some() && table.features.response {
        let u = scenario.utility;
        let _ = writeln!(
            s,
            "| RP2D utility (BOIN12): response alone, response with DLT, neither, DLT alone | 100, {}, {}, 0 |",
            u.response_with_dlt, u.neither
        );
    }

    let _ = writeln!(
        s,
        "\n## Truths\n\n| truth | true DLT probability by dose | correct decision |\n|---|---|---|"
    );
    for truth in &scenario.truths {
        let correct = match CorrectDecision::for_truth(&truth.dlt, t.target) {
            CorrectDecision::Select(d) => format!("dose {d} ({})", t.doses[d.index()]),
            CorrectDecision::Stop => "stop (every dose above 1.4 × target)".into(),
        };
        let dlt: Vec<String> = truth.dlt.iter().map(f64::to_string).collect();
        let _ = writeln!(s, "| {} | {} | {} |", truth.name, dlt.join(", "), correct);
    }

    let profiled: Vec<_> = scenario
        .truths
        .iter()
        .filter(|t| t.profile != TruthProfile::default())
        .collect();
    if !profiled.is_empty() {
        let _ = writeln!(
            s,
            "\n## Truths beyond DLT\n\nBy dose, lowest first; step-up DLT probabilities follow from the CRS-type part and its \
             relative risk.\n\n| truth | CRS-type DLT | DLT with step-up | TEAE | response |\n|---|---|---|---|---|"
        );
        let list = |v: &Option<Vec<f64>>| {
            v.as_ref().map_or_else(
                || "–".to_string(),
                |v| v.iter().map(|p| format!("{p:.3}")).collect::<Vec<_>>().join(", "),
            )
        };
        for truth in profiled {
            let p = &truth.profile;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                truth.name,
                list(&p.crs),
                list(&p.dlt_step_up),
                list(&p.teae),
                list(&p.efficacy)
            );
        }
    }

    let _ = writeln!(
        s,
        "\n## Designs\n\n| design | rule | settings | stopping and skipping rules, in order |\n|---|---|---|---|"
    );
    for d in &scenario.designs {
        let rules: Vec<String> = d.rules.iter().map(|r| format!("`{r}`")).collect();
        let rules = if rules.is_empty() {
            "none".to_string()
        } else {
            rules.join("; ")
        };
        let _ = writeln!(s, "| {} | {} | {} | {} |", d.name, d.rule_name(), d.settings(), rules);
    }

    files_section(&mut s, files);

    let percent_table = |s: &mut String, title: &str, cell: &dyn Fn(&OcRow) -> Option<f64>| {
        let designs: Vec<&str> = scenario.designs.iter().map(|d| d.name.as_str()).collect();
        let _ = writeln!(s, "\n## {title}, % of trials\n");
        let _ = writeln!(s, "| truth | {} |", designs.join(" | "));
        let _ = writeln!(s, "|---|{}", "---|".repeat(designs.len()));
        for truth in &scenario.truths {
            let cells: Vec<String> = table
                .rows
                .iter()
                .filter(|r| r.truth == truth.name)
                .filter_map(|r| cell(r).map(|pct| format!("{pct:.1}")))
                .collect();
            let _ = writeln!(s, "| {} | {} |", truth.name, cells.join(" | "));
        }
    };
    percent_table(&mut s, "Correct decision", &|r| Some(r.correct_selection_pct()));
    if table.features.response && table.rows.iter().any(|r| r.timing.is_some()) {
        percent_table(&mut s, "Correct RP2D", &|r| {
            r.timing.as_ref().map(|t| t.rp2d_correct_pct())
        });
    }
    s
}
