//! `report.html`: one self-contained page per run folder (dose-finding, calendar time,
//! single-arm, sweep, comparison) that a protocol's statistical section can use: settings, designs
//! in words with their papers, per truth the operating-characteristics table the literature
//! prints with each simulated figure's Monte Carlo standard error, the summary across truths, the
//! trials a stated precision needs, a draft statistical-section paragraph per design, and the
//! charts inlined as SVG (each design in its own colour, [`crate::report::colours`]; text in the
//! reader's fonts, so any script renders).
//!
//! The page is built from typed rows ([`crate::results`]) rendered by minijinja templates
//! (`src/report/templates/`, compiled in), which escape every text; no HTML is assembled by
//! hand. Nothing in it varies between identical runs (no time, no absolute path beyond the
//! scenario file as given), so it is recorded byte for byte like the tables.

pub mod dose_finding;
pub mod obd;
pub mod optimization;
pub mod precision;
pub mod random_truths;
pub mod single_arm_page;
pub mod summary;
pub mod svg;
pub mod tables;

use minijinja::Environment;
use serde::Serialize;
use std::sync::OnceLock;

pub use crate::report::index::VERSION;

/// The report's file name in a run folder.
pub const REPORT: &str = "report.html";

/// What the report holds, as a run's index lists it.
pub const DESCRIPTION: &str = "the report: settings, designs in words with their papers, per truth the operating characteristics \
     by dose with their Monte Carlo standard errors, the summary across truths, the trials a stated precision needs, a draft \
     statistical-section paragraph per design, and the charts (SVG); one self-contained file for a browser or print.";

/// One line of a settings table.
#[derive(Clone, Debug, Serialize)]
pub struct Setting {
    /// What is set.
    pub name: String,
    /// Its value.
    pub value: String,
}

impl Setting {
    /// A setting.
    pub fn new(name: &str, value: String) -> Setting {
        Setting {
            name: name.to_string(),
            value,
        }
    }
}

/// The templates, compiled in.
const TEMPLATES: [(&str, &str); 10] = [
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("style.css", include_str!("../templates/style.css")),
    ("dose_finding.html", include_str!("../templates/dose_finding.html")),
    ("obd.html", include_str!("../templates/obd.html")),
    ("optimization.html", include_str!("../templates/optimization.html")),
    ("random_truths.html", include_str!("../templates/random_truths.html")),
    ("single_arm.html", include_str!("../templates/single_arm.html")),
    ("sweep.html", include_str!("../templates/sweep.html")),
    ("compare.html", include_str!("../templates/compare.html")),
];

/// The template environment (HTML escaping for `.html` templates).
fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source).expect("the bundled templates parse");
        }
        env
    })
}

/// Renders template `name` with `page`.
pub fn render<T: Serialize>(name: &str, page: &T) -> String {
    let template = environment().get_template(name).expect("a bundled template");
    let mut html = template
        .render(minijinja::context! { page => minijinja::value::Serde(page) })
        .unwrap_or_else(|e| panic!("the bundled template {name} renders: {e:#}"));
    if !html.ends_with('\n') {
        html.push('\n');
    }
    html
}

/// The report of a dose-finding run.
pub fn dose_finding_report(scenario: &crate::scenario::Scenario, table: &crate::results::OcTable) -> String {
    render("dose_finding.html", &dose_finding::page(scenario, table))
}

/// The report of a single-arm run.
pub fn single_arm_report(
    scenario: &crate::scenario::SingleArmScenario,
    table: &crate::engines::single_arm::SingleArmTable,
) -> String {
    render("single_arm.html", &single_arm_page::page(scenario, table))
}

/// The report of a sweep (its points' own reports are written in their folders).
pub fn sweep_report(sweep: &crate::scenario::Sweep, tables: &[crate::results::OcTable]) -> String {
    render("sweep.html", &tables::sweep_page(sweep, tables))
}
