//! Regression tests for the violations the properties found (all fixed but CRM's, which follows
//! dfcrm by design, unless `select_untried = false`, and is exempt through `may_select_untried`).

use super::one_design;
use std::path::Path;
use trialsim::designs::{Decision, Dose, DoseFinder, StopReason, TrialData};
use trialsim::scenario::Scenario;

/// The only design of a scenario given its `[trial]` and `[[design]]` bodies.
fn finder(trial: &str, design: &str) -> Box<dyn DoseFinder> {
    let text = one_design(trial, design);
    let scenario = Scenario::parse(&text, Path::new("regression.toml")).unwrap_or_else(|e| panic!("{e}"));
    scenario.build_designs().pop().unwrap()
}

/// Data after cohorts of (0-based dose, patients, DLTs).
fn after(doses: usize, cohorts: &[(u16, u16, u16)]) -> TrialData {
    let mut data = TrialData::new(doses);
    for &(d, n, y) in cohorts {
        data.add_cohort(Dose(d), n, y);
    }
    data
}

/// Asserts that `f` treats the next cohort (rather than stopping) at a dose it deems admissible.
fn assert_treats_an_admissible_dose(f: &dyn DoseFinder, data: &TrialData) {
    let Decision::Treat(next) = f.decide(data) else {
        panic!("stopped")
    };
    assert!(
        f.estimates(data)[next.index()].admissible,
        "treats at dose {next}, inadmissible: {:?}",
        f.estimates(data)
    );
}

/// Regression, found by `three_plus_three_paths`: 3+3 without de-escalation starting at dose 2
/// selected dose 1, which nobody received, after 2/3 at dose 2. It now treats dose 1 instead.
#[test]
fn three_plus_three_never_selects_an_untried_dose() {
    let f = finder(
        "doses = [\"1\", \"2\"]\ntarget = 0.3\ncohort_size = 3\nmax_patients = 6\nstart_dose = 2",
        "rule = \"3+3\"",
    );
    let data = after(2, &[(1, 3, 2)]);
    match f.decide(&data) {
        Decision::Stop { selected: Some(d), .. } => assert!(data.patients(d) > 0, "selected dose {d}, untried"),
        Decision::Stop { selected: None, .. } => {}
        Decision::Treat(d) => assert_eq!(d, Dose(0), "treats the untried dose below"),
        Decision::Wait => unreachable!("no follow-up: nothing to wait for"),
    }
}

/// Found through `three_plus_three_monotone_counterexamples`: a dose cleared at 0/3 stops
/// counting as cleared once a cohort cut short by `max_patients` adds a patient (0/4), so a
/// trial with 0/4 at dose 1 and 2/6 at dose 2 selects no dose instead of dose 1 (README: "selects
/// the highest dose cleared so far (0/3 or ≤ 1/6)"). Titration's single patients never clear a
/// dose either: with no DLT at all, 4 doses and 5 patients, nothing is selected.
#[test]
fn three_plus_three_keeps_a_cleared_dose_when_cut_short() {
    let f = finder(
        "doses = [\"1\", \"2\"]\ntarget = 0.3\ncohort_size = 3\nmax_patients = 10",
        "rule = \"3+3\"\ndeescalate = true",
    );
    let data = after(2, &[(0, 3, 0), (1, 3, 1), (1, 3, 1)]);
    assert_eq!(f.decide(&data), Decision::Treat(Dose(0)));
    assert_eq!(f.next_cohort_size(&data), 1);
    let data = after(2, &[(0, 3, 0), (1, 3, 1), (1, 3, 1), (0, 1, 0)]);
    assert_eq!(
        f.decide(&data),
        Decision::Stop {
            selected: Some(Dose(0)),
            reason: StopReason::MaxPatients
        }
    );
}

/// Found by `trial_paths_respect_design_invariants` and `counts_add_up`: CRM selects the dose its
/// model puts closest to the target even if nobody received it, as dfcrm's `crm()$mtd` does, e.g.
/// dose 2 after 0/3 at dose 1 when the trial stops at 3 patients. That stays the default
/// (`select_untried = true`); `select_untried = false` selects the highest tried dose at or below
/// the model's choice, here dose 1.
#[test]
fn crm_selects_an_untried_dose_only_by_default() {
    let design = "rule = \"crm\"\nskeleton = { halfwidth = 0.03, nu = 1 }";
    let trial = "doses = [\"1\", \"2\"]\ntarget = 0.24\ncohort_size = 3\nmax_patients = 3";
    let data = after(2, &[(0, 3, 0)]);
    for (keys, expected) in [
        ("", Dose(1)),
        ("\nselect_untried = true", Dose(1)),
        ("\nselect_untried = false", Dose(0)),
    ] {
        let f = finder(trial, &format!("{design}{keys}"));
        match f.decide(&data) {
            Decision::Stop {
                selected: Some(d),
                reason: StopReason::MaxPatients,
            } => assert_eq!(d, expected, "{keys:?}"),
            other => panic!("{keys:?}: {other:?}"),
        }
    }
    assert_eq!(data.patients(Dose(1)), 0);
}

/// Found by `blrm_paths_respect_ewoc`: accelerated titration escalates the second patient to dose
/// 2 although EWOC (P(overdose) ≥ 0.25) has made it inadmissible after 0/1 at dose 1.
#[test]
fn blrm_titration_respects_ewoc() {
    let f = finder(
        "doses = [\"1\", \"2\"]\ntarget = 0.1\ncohort_size = 2\nmax_patients = 6",
        "rule = \"blrm\"\ndose_amounts = [2.0, 4.0]\nreference_dose = 2.0\naccelerated_titration = true",
    );
    assert_treats_an_admissible_dose(f.as_ref(), &after(2, &[(0, 1, 0)]));
}

/// Found by `blrm_paths_respect_ewoc`: after 2/2 at dose 3 the BLRM de-escalates to dose 1, the
/// only admissible dose; `dont_skip_doses { when_deescalating = true }` raises that to dose 2,
/// which EWOC forbids.
#[test]
fn dont_skip_when_deescalating_respects_ewoc() {
    let f = finder(
        "doses = [\"1\", \"2\", \"3\"]\ntarget = 0.1\ncohort_size = 2\nmax_patients = 6\nstart_dose = 3",
        "rule = \"blrm\"\ndose_amounts = [0.5, 1.0, 2.0]\nreference_dose = 1.0\noverdose_limit = 0.35\n\
         rules = [{ kind = \"dont_skip_doses\", when_escalating = false, when_deescalating = true }]",
    );
    assert_treats_an_admissible_dose(f.as_ref(), &after(3, &[(2, 2, 2)]));
}
