//! The page of a single-arm run: settings, each design with its boundaries per look and its exact
//! type I error and power, and per truth the simulated operating characteristics with their
//! Monte Carlo standard errors.

use super::precision::Figure;
use super::svg::{BarChart, BarData};
use super::{Setting, VERSION};
use crate::engines::single_arm::table::design_target_row;
use crate::engines::single_arm::SingleArmTable;
use crate::report::colours::{css, design_colours};
use crate::results::Method;
use crate::scenario::SingleArmScenario;
use serde::Serialize;

/// One look of a design: patients assessed, responses needed to go on, toxicities that stop.
#[derive(Clone, Debug, Serialize)]
pub struct LookRow {
    /// Patients assessed.
    pub n: u32,
    /// Go on with at least this many responses.
    pub min_responses: Option<u32>,
    /// Stop with at least this many toxicities.
    pub tox_stop: Option<u32>,
}

/// A design, with its boundaries and exact error rates.
#[derive(Clone, Debug, Serialize)]
pub struct ArmDesign {
    /// The design's name.
    pub name: String,
    /// Its colour.
    pub colour: String,
    /// Its rule.
    pub rule: String,
    /// Its decision rule in words.
    pub description: String,
    /// Its maximum sample size.
    pub max_patients: u32,
    /// The hypotheses and error rates as given.
    pub targets: Vec<Setting>,
    /// Its looks before the final analysis.
    pub looks: Vec<LookRow>,
}

/// One design under one truth.
#[derive(Clone, Debug, Serialize)]
pub struct ArmRow {
    /// The design.
    pub design: String,
    /// Its colour.
    pub colour: String,
    /// % declaring the regimen promising.
    pub promising: Figure,
    /// % stopping for futility.
    pub futility: Figure,
    /// % stopping for toxicity.
    pub toxicity: Figure,
    /// % reaching the final analysis.
    pub completed: Figure,
    /// Mean sample size.
    pub mean_n: Figure,
    /// Mean duration, months.
    pub duration: Figure,
    /// % of 95% intervals of the ORR holding the true ORR.
    pub coverage: Figure,
}

/// One truth's table.
#[derive(Clone, Debug, Serialize)]
pub struct ArmTruth {
    /// The truth's name.
    pub name: String,
    /// Its ORR.
    pub orr: f64,
    /// Its rows.
    pub rows: Vec<ArmRow>,
}

/// The page of a single-arm run.
#[derive(Clone, Debug, Serialize)]
pub struct SingleArmPage {
    /// The scenario's name.
    pub title: String,
    /// trialsim's version.
    pub version: &'static str,
    /// The settings.
    pub settings: Vec<Setting>,
    /// The designs.
    pub designs: Vec<ArmDesign>,
    /// Per truth.
    pub truths: Vec<ArmTruth>,
    /// Declared promising, by truth and design.
    pub chart: BarChart,
}

/// The page of `scenario`'s single-arm run `table`.
pub fn page(scenario: &SingleArmScenario, table: &SingleArmTable) -> SingleArmPage {
    let names: Vec<&str> = scenario.designs.iter().map(|d| d.name.as_str()).collect();
    let colours = design_colours(&names);
    let colour_of = |name: &str| colours[names.iter().position(|n| *n == name).unwrap_or(0)];
    let method = Method::Simulated { trials: table.trials };
    let designs = scenario
        .designs
        .iter()
        .zip(&colours)
        .map(|(d, &c)| {
            let target = design_target_row(&d.name, &d.design, (d.p0, d.p1), d.alpha, d.power);
            let mut targets = Vec::new();
            let mut add = |name: &str, value: Option<String>| {
                if let Some(value) = value {
                    targets.push(Setting::new(name, value));
                }
            };
            add("p0", target.p0.map(|v| v.to_string()));
            add("p1", target.p1.map(|v| v.to_string()));
            add("nominal alpha", target.alpha.map(|v| v.to_string()));
            add("target power", target.target_power.map(|v| v.to_string()));
            add("exact type I error at p0", target.exact_alpha.map(|v| v.to_string()));
            add("exact power at p1", target.exact_power.map(|v| v.to_string()));
            ArmDesign {
                name: d.name.clone(),
                colour: css(c),
                rule: d.rule.clone(),
                description: d.description.clone(),
                max_patients: d.design.max_patients(),
                targets,
                looks: d
                    .design
                    .looks()
                    .iter()
                    .map(|l| LookRow {
                        n: l.n(),
                        min_responses: l.min_responses(),
                        tox_stop: l.tox_stop(),
                    })
                    .collect(),
            }
        })
        .collect();
    let mut truths: Vec<ArmTruth> = Vec::new();
    for row in &table.rows {
        let s = &row.summary;
        let arm = ArmRow {
            design: row.design.clone(),
            colour: css(colour_of(&row.design)),
            promising: Figure::percent(100.0 * s.promising, method),
            futility: Figure::percent(100.0 * s.futility_stop, method),
            toxicity: Figure::percent(100.0 * s.toxicity_stop, method),
            completed: Figure::percent(100.0 * s.completed, method),
            mean_n: Figure::mean(s.mean_patients, s.sd_patients, 1, method),
            duration: Figure::mean(s.mean_duration, s.sd_duration, 1, method),
            coverage: Figure::percent(100.0 * s.orr_coverage, method),
        };
        match truths.last_mut() {
            Some(t) if t.name == row.truth => t.rows.push(arm),
            _ => truths.push(ArmTruth {
                name: row.truth.clone(),
                orr: row.true_orr,
                rows: vec![arm],
            }),
        }
    }
    let value = |g: usize, k: usize| {
        truths[g]
            .rows
            .iter()
            .find(|r| r.design == names[k])
            .map(|r| (r.promising.value, r.promising.se))
    };
    let chart = BarChart::new(&BarData {
        title: "Declared promising, % of trials".into(),
        y_label: "% of trials",
        y_max: 100.0,
        groups: truths.iter().map(|t| t.name.clone()).collect(),
        series: names.iter().map(|n| (n.to_string(), colour_of(n))).collect(),
        value: &value,
        highlight: None,
    });
    SingleArmPage {
        title: table.scenario.clone(),
        version: VERSION,
        settings: vec![
            Setting::new("scenario file", scenario.file.display().to_string()),
            Setting::new("trialsim version", VERSION.to_string()),
            Setting::new("seed", table.seed.to_string()),
            Setting::new("trials per design and truth", table.trials.to_string()),
            Setting::new(
                "method",
                "simulated (Monte Carlo); exact type I error and power from the response boundaries".into(),
            ),
        ],
        designs,
        truths,
        chart,
    }
}
