//! The page of a dose-finding run (calendar time included): settings, designs in words, per truth
//! the table the literature prints, the summary across truths, the precision section and a draft
//! statistical-section paragraph per design ([`super::summary`]).

use super::precision::Figure;
use super::summary::{
    precision_section, protocol_paragraphs, summary_across_truths, PrecisionSection, Protocol, Summary,
};
use super::svg::{BarChart, BarData};
use super::{Setting, VERSION};
use crate::core::Dose;
use crate::report::colours::{css, design_colours};
use crate::results::{CorrectDecision, Method, OcRow, OcTable};
use crate::scenario::{DesignSpec, Scenario};
use serde::Serialize;

/// A design as the page describes it.
#[derive(Clone, Debug, Serialize)]
pub struct DesignText {
    /// The design's name in the scenario.
    pub name: String,
    /// Its colour in every chart (CSS).
    pub colour: String,
    /// The scenario's `rule`.
    pub rule: &'static str,
    /// The paper(s) it follows.
    pub citation: &'static str,
    /// The design in words.
    pub words: String,
    /// Its settings in the scenario's key names.
    pub settings: String,
    /// Its stopping and skipping rules, in scenario syntax.
    pub rules: Vec<String>,
}

/// The design in words, from its rule (the settings follow in the table).
pub fn in_words(rule: &str) -> &'static str {
    match rule {
        "3+3" => "the rule-based 3+3 design: cohorts of three; escalate after 0/3 DLTs, treat three more after 1/3 and escalate after at most 1/6; stop at 2 or more DLTs, the MTD being the dose below (with de-escalation, the highest dose with at least six patients and at most one DLT)",
        "boin" => "the Bayesian optimal interval (BOIN) design: escalate while the observed DLT rate at the current dose is at or below the escalation boundary, de-escalate at or above the de-escalation boundary, and eliminate doses whose posterior probability of exceeding the target is too high; the MTD is chosen by isotonic regression",
        "keyboard" => "the keyboard design: the posterior of the DLT probability is split into equal-width keys; the dose moves towards the target key according to the key with the highest posterior probability",
        "mtpi2" => "the modified toxicity probability interval design (mTPI-2): the unit interval is split into equal-width intervals and the dose moves according to the interval with the highest posterior unit probability mass",
        "i3+3" => "the interval 3+3 (i3+3) design: the observed DLT rate is compared with an equivalence interval around the target, with a rule that avoids escalating onto a dose whose next DLT would make it too toxic",
        "crm" => "the continual reassessment method (CRM): a one-parameter dose-toxicity model, updated after each cohort, gives each dose's estimated P(DLT); the next cohort is treated at the dose whose estimate is closest to the target",
        "blrm" => "the Bayesian logistic regression model (BLRM) with escalation with overdose control: a two-parameter logistic model; the next dose maximises the posterior probability of the target interval among doses whose probability of overdosing is below the limit",
        "tite-crm" => "the time-to-event CRM: the CRM with patients still in follow-up weighted by the fraction of the DLT window they have completed",
        "tite-boin" => "the time-to-event BOIN: BOIN's boundaries applied to an effective sample size that imputes the pending patients' outcomes, suspending accrual when too much is pending",
        "boin12" => "the BOIN12 phase I/II design: BOIN's boundaries for the DLT rate decide whether to de-escalate; otherwise the next cohort goes, among the admissible neighbouring doses (acceptable posterior toxicity and efficacy), to the dose with the highest posterior probability that its utility (response and DLT jointly scored) exceeds a benchmark; the optimal biological dose (OBD) is the admissible dose of highest estimated utility",
        "u-boin" => "the utility-based BOIN (U-BOIN) phase I/II design: BOIN explores the doses in stage I; from stage II the next cohort explores the dose above while its DLT rate allows, otherwise goes to the admissible dose of highest posterior mean utility under a multinomial-Dirichlet model; the OBD is the admissible dose of highest posterior mean utility",
        "efftox" => "the EffTox phase I/II design: a Bayesian model of the probabilities of response and DLT by dose, with a trade-off contour that scores each dose's desirability; the next cohort goes to the most desirable acceptable dose (posterior probability of response above its hurdle and of DLT below its hurdle), escalating at most one untried dose; the OBD is the most desirable acceptable dose",
        _ => "a registered design (see its citation)",
    }
}

impl DesignText {
    fn new(d: &DesignSpec, colour: usize) -> DesignText {
        DesignText {
            name: d.name.clone(),
            colour: css(colour),
            rule: d.rule_name(),
            citation: d.base.kind().citation(),
            words: in_words(d.rule_name()).to_string(),
            settings: d.settings(),
            rules: d.rules.iter().map(|r| r.to_string()).collect(),
        }
    }
}

/// A dose column of a truth's table.
#[derive(Clone, Debug, Serialize)]
pub struct DoseHead {
    /// 1-based level.
    pub level: usize,
    /// Its label.
    pub label: String,
    /// Whether it is the correct (target) dose.
    pub correct: bool,
}

/// One design's rows in a truth's table.
#[derive(Clone, Debug, Serialize)]
pub struct DesignRows {
    /// The design's name.
    pub design: String,
    /// Its colour.
    pub colour: String,
    /// How its figures were obtained, in words.
    pub method: String,
    /// True P(DLT) by dose as this design gives the doses, when it differs from the truth's.
    pub own_dlt: Option<Vec<String>>,
    /// Selection % per dose.
    pub selected: Vec<Figure>,
    /// Selection of no dose, %.
    pub none: Figure,
    /// Mean patients per dose.
    pub patients: Vec<Figure>,
    /// Mean DLTs per dose.
    pub dlts: Vec<Figure>,
    /// Early stop (no dose selected), %.
    pub early_stop: Figure,
    /// Correct decision, %.
    pub correct: Figure,
    /// Mean sample size.
    pub mean_n: Figure,
    /// Median sample size.
    pub median_n: usize,
    /// Mean and median duration in months, in calendar time.
    pub duration: Option<[Figure; 2]>,
}

/// A truth's table.
#[derive(Clone, Debug, Serialize)]
pub struct TruthTable {
    /// The truth's name.
    pub name: String,
    /// The correct decision in words.
    pub correct: String,
    /// Whether stopping is the correct decision.
    pub stop_correct: bool,
    /// The dose columns.
    pub doses: Vec<DoseHead>,
    /// True P(DLT) by dose.
    pub true_dlt: Vec<String>,
    /// True P(response) by dose, where the truth gives it.
    pub true_response: Option<Vec<String>>,
    /// Each design's rows.
    pub designs: Vec<DesignRows>,
    /// Selection by dose, by design.
    pub chart: BarChart,
}

/// The whole page of a dose-finding run.
#[derive(Clone, Debug, Serialize)]
pub struct DoseFindingPage {
    /// The scenario's name.
    pub title: String,
    /// trialsim's version.
    pub version: &'static str,
    /// The settings.
    pub settings: Vec<Setting>,
    /// The designs.
    pub designs: Vec<DesignText>,
    /// Per truth.
    pub truths: Vec<TruthTable>,
    /// Whether any row is simulated (the SE notes apply).
    pub simulated: bool,
    /// Whether the run is in calendar time.
    pub calendar: bool,
    /// Across truths.
    pub summary: Summary,
    /// Trials for a stated precision.
    pub precision: PrecisionSection,
    /// Draft protocol paragraphs.
    pub protocol: Vec<Protocol>,
    /// The dose-optimization section, for runs with phase I/II designs ([`super::obd`]).
    pub obd: Option<super::obd::ObdSection>,
    /// The randomized dose-optimization section, for runs with a randomized stage.
    pub optimization: Option<super::optimization::OptimizationSection>,
    /// OCs over random truths, when the scenario has them.
    pub random_truths: Option<super::random_truths::RandomTruthsSection>,
}

/// The median of a distribution of sizes `p` (P(size = n), n = 0, 1, …): the smallest n with
/// P(size ≤ n) ≥ 1/2.
pub fn median_size(p: &[f64]) -> usize {
    let mut cumulative = 0.0;
    for (n, q) in p.iter().enumerate() {
        cumulative += q;
        if cumulative >= 0.5 - 1e-12 {
            return n;
        }
    }
    p.len().saturating_sub(1)
}

/// How a row was computed, in words.
pub fn method_words(method: Method) -> String {
    match method {
        Method::Simulated { trials } => format!("simulated, {trials} trials"),
        Method::Exact { states } => format!("exact ({states} trial states)"),
    }
}

/// Formats probabilities as the scenario gives them.
fn probabilities(p: &[f64]) -> Vec<String> {
    p.iter().map(|v| format!("{v}")).collect()
}

impl DesignRows {
    fn new(row: &OcRow, colour: usize, truth_dlt: &[f64]) -> DesignRows {
        let m = row.method;
        let doses = (0..row.true_dlt.len() as u16).map(Dose);
        DesignRows {
            design: row.design.clone(),
            colour: css(colour),
            method: method_words(m),
            own_dlt: (row.true_dlt != truth_dlt).then(|| probabilities(&row.true_dlt)),
            selected: doses.clone().map(|d| Figure::percent(row.selected_pct(d), m)).collect(),
            none: Figure::percent(row.stopped_early_pct(), m),
            patients: doses
                .clone()
                .map(|d| Figure::simulated(row.patients_mean(d), 2, m, row.patients_mean_se(d)))
                .collect(),
            dlts: doses
                .map(|d| Figure::simulated(row.dlt_mean(d), 2, m, row.dlt_mean_se(d)))
                .collect(),
            early_stop: Figure::percent(row.stopped_early_pct(), m),
            correct: Figure::percent(row.correct_selection_pct(), m),
            mean_n: Figure::mean(row.total_patients_mean(), row.total_patients_sd(), 1, m),
            median_n: median_size(&row.oc.sample_size),
            duration: row.timing.as_ref().map(|t| {
                [
                    Figure::simulated(t.duration_mean, 1, m, t.se.duration_mean),
                    Figure::simulated(t.duration_median, 1, m, t.se.duration_median),
                ]
            }),
        }
    }
}

/// The correct decision in words.
pub fn correct_words(correct: CorrectDecision, labels: &[String]) -> String {
    match correct {
        CorrectDecision::Select(d) => format!("dose {} ({})", d.level(), labels[d.index()]),
        CorrectDecision::Stop => "stop: every dose is above 1.4 × target".into(),
    }
}

/// The page of `scenario`'s run `table`.
pub fn page(scenario: &Scenario, table: &OcTable) -> DoseFindingPage {
    let t = &scenario.trial;
    let names: Vec<&str> = scenario.designs.iter().map(|d| d.name.as_str()).collect();
    let colours = design_colours(&names);
    let colour_of = |design: &str| colours[names.iter().position(|n| *n == design).unwrap_or(0)];
    let trials = table.rows.iter().find_map(|r| match r.method {
        Method::Simulated { trials } => Some(trials),
        Method::Exact { .. } => None,
    });
    let exact = table
        .rows
        .iter()
        .filter(|r| matches!(r.method, Method::Exact { .. }))
        .count();
    let mut settings = vec![
        Setting::new("scenario file", scenario.file.display().to_string()),
        Setting::new("trialsim version", VERSION.to_string()),
        Setting::new("seed", table.seed.to_string()),
    ];
    if let Some(trials) = trials {
        settings.push(Setting::new("trials per design and truth", trials.to_string()));
    }
    settings.push(Setting::new(
        "method",
        match (trials, exact) {
            (Some(_), 0) => "simulated (Monte Carlo)".to_string(),
            (None, _) => "exact: every reachable trial state enumerated, no Monte Carlo error".to_string(),
            (Some(_), n) => format!(
                "exact for {n} of {} design × truth rows, simulated for the others",
                table.rows.len()
            ),
        },
    ));
    settings.push(Setting::new("target DLT probability", table.target.to_string()));
    settings.push(Setting::new("doses", t.doses.join(", ")));
    settings.push(Setting::new("cohort size", t.limits.cohort_size.to_string()));
    settings.push(Setting::new("maximum patients", t.limits.max_patients.to_string()));
    settings.push(Setting::new(
        "start dose",
        format!(
            "{} ({})",
            t.limits.start_dose.level(),
            t.doses[t.limits.start_dose.index()]
        ),
    ));
    if let Some(total) = t.total_patients {
        settings.push(Setting::new("total patients (with expansion)", total.to_string()));
    }
    if scenario.timing.is_some() {
        settings.push(Setting::new(
            "calendar time",
            "simulated (arrivals, DLT windows), months".into(),
        ));
    }
    let truths = scenario
        .truths
        .iter()
        .map(|truth| {
            let rows: Vec<&OcRow> = table.rows.iter().filter(|r| r.truth == truth.name).collect();
            let correct = CorrectDecision::for_truth(&truth.dlt, table.target);
            let designs: Vec<DesignRows> = rows
                .iter()
                .map(|r| DesignRows::new(r, colour_of(&r.design), &truth.dlt))
                .collect();
            let mut groups: Vec<String> = t.doses.clone();
            groups.push("none".into());
            let series: Vec<(String, usize)> = rows.iter().map(|r| (r.design.clone(), colour_of(&r.design))).collect();
            let value = |g: usize, k: usize| {
                let d = &designs[k];
                let f = d.selected.get(g).unwrap_or(&d.none);
                Some((f.value, f.se))
            };
            let chart = BarChart::new(&BarData {
                title: format!("Selection, % of trials: {}", truth.name),
                y_label: "% of trials",
                y_max: 100.0,
                groups,
                series,
                value: &value,
                highlight: match correct {
                    CorrectDecision::Select(d) => Some(d.index()),
                    CorrectDecision::Stop => Some(t.doses.len()),
                },
            });
            TruthTable {
                name: truth.name.clone(),
                correct: correct_words(correct, &t.doses),
                stop_correct: correct == CorrectDecision::Stop,
                doses: t
                    .doses
                    .iter()
                    .enumerate()
                    .map(|(i, label)| DoseHead {
                        level: i + 1,
                        label: label.clone(),
                        correct: correct == CorrectDecision::Select(Dose(i as u16)),
                    })
                    .collect(),
                true_dlt: probabilities(&truth.dlt),
                true_response: truth.profile.efficacy.as_deref().map(probabilities),
                designs,
                chart,
            }
        })
        .collect();
    let designs = scenario
        .designs
        .iter()
        .zip(&colours)
        .map(|(d, &c)| DesignText::new(d, c))
        .collect();
    DoseFindingPage {
        title: table.scenario.clone(),
        version: VERSION,
        settings,
        designs,
        truths,
        simulated: trials.is_some(),
        calendar: scenario.timing.is_some(),
        summary: summary_across_truths(scenario, table, &colours),
        precision: precision_section(scenario, table),
        protocol: protocol_paragraphs(scenario, table),
        obd: super::obd::obd_section(table, &colour_of),
        optimization: table
            .optimization
            .as_ref()
            .map(super::optimization::optimization_section),
        random_truths: (table.random_truths.as_ref())
            .map(|r| super::random_truths::section(r, &table.dose_labels, &colours)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_a_size_distribution() {
        assert_eq!(median_size(&[0.0, 0.2, 0.3, 0.5]), 2);
        assert_eq!(median_size(&[0.0, 0.6, 0.4]), 1);
    }
}
