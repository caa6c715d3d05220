//! CRM's `next` against the R package dfcrm (issue 15): on the 50 histories of
//! tests/fixtures/dfcrm_next.csv, written by tests/fixtures/dfcrm_next.R with dfcrm's `crm()`
//! (version and date in the file's first line), trialsim's CRM recommends dfcrm's `$mtd` and
//! estimates its `$ptox` and its 90% interval (`$ptoxL`, `$ptoxU`).

use super::common::{bundled, root, scenario};
use trialsim::conduct::LiveTrial;
use trialsim::designs::crm::{calibrate_skeleton, CrmModel};
use trialsim::designs::{Decision, Dose};
use trialsim::scenario::Scenario;

/// The CRM of scenarios/qls4131_escalation.toml without what dfcrm's `crm()` lacks: no stopping
/// rules, and `restrict = false` (no cap on escalation after the latest cohort). The truth is
/// only there because a scenario needs one.
const SCENARIO: &str = r#"
name = "dfcrm crm() reference"
kind = "dose-finding"

[trial]
doses = ["DL1", "DL2", "DL3", "DL4", "DL5", "DL6"]
target = 0.25
cohort_size = 3
max_patients = 36
start_dose = 1

[[truth]]
name = "unused"
dlt = [0.04, 0.10, 0.25, 0.40, 0.52, 0.62]

[[design]]
name = "CRM"
rule = "crm"
model = "empiric"
skeleton = { halfwidth = 0.05, nu = 3 }
prior_variance = 1.34
restrict = false
"#;

/// Largest absolute difference allowed between trialsim's and dfcrm's DLT probability estimates.
const PTOX_TOLERANCE: f64 = 1e-6;

/// One row of the fixture: a history and dfcrm's answer to it.
struct Reference {
    /// The outcomes so far, e.g. "1NNN 2NTN".
    history: String,
    /// `crm()$mtd`, 1-based.
    mtd: usize,
    /// `crm()$ptox`: the model at the posterior mean of β, per dose.
    ptox: Vec<f64>,
    /// `crm()$ptoxL`, `$ptoxU` at `conf.level = 0.9`, per dose.
    interval: Vec<(f64, f64)>,
}

/// The fixture: its `# source:` line, the skeleton dfcrm's `getprior` gave (from its
/// `# skeleton:` line) and its rows.
struct Fixture {
    source: String,
    skeleton: Vec<f64>,
    rows: Vec<Reference>,
}

fn fixture() -> Fixture {
    let path = root().join("tests/fixtures/dfcrm_next.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let number = |s: &str| s.parse::<f64>().unwrap_or_else(|e| panic!("'{s}': {e}"));
    let (mut source, mut skeleton) = (String::new(), Vec::new());
    let mut lines = text.lines().filter(|line| {
        if let Some(s) = line.strip_prefix("# source: ") {
            source = s.to_string();
        } else if let Some((_, values)) = line.strip_prefix("# skeleton: ").and_then(|s| s.rsplit_once(" = ")) {
            skeleton = values.split(' ').map(number).collect();
        }
        !line.starts_with('#')
    });
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(header[..3], ["history", "mtd", "ptox1"]);
    assert_eq!((header[8], header[14]), ("ptoxL1", "ptoxU1"));
    assert_eq!(
        header.len(),
        2 + 3 * 6,
        "history, mtd and 6 doses of ptox, ptoxL, ptoxU"
    );
    let rows = lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), header.len(), "{line}");
            Reference {
                history: fields[0].to_string(),
                mtd: fields[1].parse().unwrap(),
                ptox: fields[2..8].iter().map(|s| number(s)).collect(),
                interval: (8..14).map(|i| (number(fields[i]), number(fields[i + 6]))).collect(),
            }
        })
        .collect();
    Fixture { source, skeleton, rows }
}

#[test]
fn the_fixture_states_its_source_and_has_fifty_histories() {
    let fixture = fixture();
    assert!(fixture.source.starts_with("dfcrm ") && fixture.source.contains(" crm(), R version "));
    assert_eq!(fixture.rows.len(), 50);
}

/// dfcrm's `getprior(0.05, 0.25, 3, 6)` is trialsim's calibrated skeleton, and the scenario here
/// has the bundled scenario's CRM but for the restriction and the rules.
#[test]
fn the_reference_crm_is_the_bundled_one() {
    let ours = calibrate_skeleton(0.05, 0.25, 3, 6, CrmModel::Empiric);
    let theirs = fixture().skeleton;
    assert_eq!(theirs.len(), ours.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert!((a - b).abs() <= 1e-9, "skeleton: trialsim {ours:?}, dfcrm {theirs:?}");
    }
    let bundled = Scenario::load(&bundled("qls4131_escalation.toml")).unwrap();
    let crm = |s: &Scenario| s.designs.iter().find(|d| d.name == "CRM").unwrap().settings();
    assert_eq!(
        crm(&scenario(SCENARIO)),
        crm(&bundled).replace("restrict = true", "restrict = false")
    );
}

#[test]
fn crm_next_matches_dfcrm_crm() {
    let scenario = scenario(SCENARIO);
    let (mut largest, mut worst) = (0.0f64, String::new());
    let mut mismatches = Vec::new();
    for reference in fixture().rows {
        let trial = LiveTrial::new(&scenario, "CRM", &reference.history).unwrap();
        let mtd = Dose::from_level(reference.mtd);
        let decision = trial.decision();
        if decision != Decision::Treat(mtd) {
            mismatches.push(format!("{}: {decision:?}, dfcrm {}", reference.history, reference.mtd));
        }
        for ((estimate, ptox), (low, high)) in trial.estimates().iter().zip(&reference.ptox).zip(&reference.interval) {
            let (our_low, our_high) = estimate.interval.expect("CRM has an interval at every dose");
            let difference = [
                (estimate.prob_tox.expect("CRM estimates every dose") - ptox).abs(),
                (our_low - low).abs(),
                (our_high - high).abs(),
            ]
            .into_iter()
            .fold(0.0, f64::max);
            if difference > largest {
                (largest, worst) = (difference, format!("{} at {:?}", reference.history, estimate.dose));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "recommendations differ from dfcrm: {mismatches:#?}"
    );
    assert!(
        largest <= PTOX_TOLERANCE,
        "ptox or its interval differs from dfcrm by {largest:e} ({worst})"
    );
}
