//! CRM against dfcrm and its own invariants.

use super::*;

fn assert_close(actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < tol, "{actual:?} vs {expected:?}");
    }
}

/// VALIDATION R6: dfcrm `getprior` examples, to 4 decimals.
#[test]
fn getprior_examples() {
    assert_close(
        &calibrate_skeleton(0.05, 0.25, 3, 5, CrmModel::Empiric),
        &[0.0840, 0.1567, 0.2500, 0.3545, 0.4603],
        5e-5,
    );
    assert_close(
        &calibrate_skeleton(0.05, 0.30, 3, 5, CrmModel::Empiric),
        &[0.1225, 0.2040, 0.3000, 0.4018, 0.5013],
        5e-5,
    );
    assert_close(
        &calibrate_skeleton(0.10, 0.25, 3, 6, CrmModel::LOGISTIC),
        &[0.0177, 0.0861, 0.2500, 0.4668, 0.6469, 0.7631],
        5e-5,
    );
}

pub(crate) fn r6_data() -> TrialData {
    let doses = [3, 4, 4, 3, 3, 4, 3, 2, 2, 2];
    let dlts = [0, 0, 1, 0, 0, 1, 1, 0, 0, 0];
    let mut data = TrialData::new(6);
    for (d, y) in doses.iter().zip(dlts) {
        data.add_cohort(Dose::from_level(*d), 1, y);
    }
    data
}

fn r6_config(model: CrmModel, estimate: CrmEstimate) -> CrmConfig {
    CrmConfig {
        target: 0.2,
        skeleton: vec![0.05, 0.10, 0.20, 0.35, 0.50, 0.70],
        model,
        prior_variance: 1.34,
        estimate,
        restrict: false,
        select_untried: true,
    }
}

/// VALIDATION R6: dfcrm `crm` example, empiric model, to 4 decimals.
#[test]
fn crm_example_empiric() {
    let crm = Crm::new(r6_config(CrmModel::Empiric, CrmEstimate::PlugIn));
    let data = r6_data();
    let fit = crm.fit(&data);
    assert!(
        (fit.posterior().mean - -0.2122).abs() < 5e-5,
        "{}",
        fit.posterior().mean
    );
    assert!(
        (fit.posterior().variance - 0.1576).abs() < 5e-5,
        "{}",
        fit.posterior().variance
    );
    assert_close(
        &fit.posterior().plug_in,
        &[0.0887, 0.1553, 0.2721, 0.4278, 0.5708, 0.7494],
        5e-5,
    );
    assert_close(
        &crm.posterior_mean_probs(fit.posterior()),
        &[0.1097, 0.1725, 0.2797, 0.4241, 0.5606, 0.7377],
        5e-5,
    );
    assert_eq!(fit.decision(), Decision::Treat(Dose::from_level(2)));
}

/// VALIDATION R6: dfcrm `crm` example, logistic model, to 4 decimals.
#[test]
fn crm_example_logistic() {
    let crm = Crm::new(r6_config(CrmModel::LOGISTIC, CrmEstimate::PlugIn));
    let data = r6_data();
    let fit = crm.fit(&data);
    assert!(
        (fit.posterior().mean - -0.1101).abs() < 5e-5,
        "{}",
        fit.posterior().mean
    );
    assert_close(
        &fit.posterior().plug_in,
        &[0.0891, 0.1604, 0.2831, 0.4399, 0.5776, 0.7449],
        5e-5,
    );
    assert_eq!(fit.decision(), Decision::Treat(Dose::from_level(2)));
}

/// The production grid against a much finer and wider one (not against itself).
#[test]
fn grid_matches_fine_reference() {
    let config = r6_config(CrmModel::Empiric, CrmEstimate::PlugIn);
    let fine = Crm::with_grid(config.clone(), 200_001, 30.0);
    let crm = Crm::new(config);
    // Data that pull the posterior far from the prior: many DLTs at the lowest dose, and
    // a long run without DLTs at the top.
    let mut heavy = TrialData::new(6);
    heavy.add_cohort(Dose(0), 6, 6);
    let mut light = TrialData::new(6);
    light.add_cohort(Dose(5), 60, 0);
    for data in [r6_data(), heavy, light] {
        let (a, b) = (crm.posterior(&data), fine.posterior(&data));
        assert!((a.mean - b.mean).abs() < 1e-9, "{} vs {}", a.mean, b.mean);
        assert!((a.variance - b.variance).abs() < 1e-9);
        let (fa, fb) = (crm.fit(&data), fine.fit(&data));
        for d in data.doses() {
            let (pa, pb) = (
                fa.prob_tox_exceeds(d, 0.3).unwrap(),
                fb.prob_tox_exceeds(d, 0.3).unwrap(),
            );
            assert!((pa - pb).abs() < 1e-6, "dose {d}: {pa} vs {pb}");
        }
    }
}

#[test]
fn restrict_caps_escalation() {
    let mut config = r6_config(CrmModel::Empiric, CrmEstimate::PlugIn);
    config.restrict = true;
    let crm = Crm::new(config);
    let mut data = TrialData::new(6);
    data.add_cohort(Dose(0), 3, 0);
    // The model would jump several levels; restrict allows one.
    assert_eq!(crm.fit(&data).decision(), Decision::Treat(Dose(1)));
    assert!(crm.fit(&data).selected_dose().unwrap() > Dose(1));
    // After a cohort with DLT fraction ≥ target, no escalation.
    let mut data = TrialData::new(6);
    data.add_cohort(Dose(0), 3, 0);
    data.add_cohort(Dose(1), 3, 0);
    data.add_cohort(Dose(2), 3, 1);
    if let Decision::Treat(d) = crm.fit(&data).decision() {
        assert!(d <= Dose(2));
    }
}

/// `select_untried`: after 0/3 at dose 1 of the R6 skeleton the model's choice is an untried
/// higher dose. As dfcrm (true) it is selected; with false, the highest tried dose at or below it
/// (dose 1). After 3/3 at dose 3 only (a higher start) the model's choice is below every tried
/// dose: nothing is selected with false. The next dose is the same either way.
#[test]
fn select_untried_only_changes_the_selected_dose() {
    let dfcrm = Crm::new(r6_config(CrmModel::Empiric, CrmEstimate::PlugIn));
    let tried_only = Crm::new(CrmConfig {
        select_untried: false,
        ..r6_config(CrmModel::Empiric, CrmEstimate::PlugIn)
    });
    let mut low = TrialData::new(6);
    low.add_cohort(Dose(0), 3, 0);
    let choice = dfcrm.fit(&low).selected_dose().unwrap();
    assert!(choice > Dose(0) && low.patients(choice) == 0, "{choice}");
    assert_eq!(tried_only.fit(&low).selected_dose(), Some(Dose(0)));
    assert_eq!(dfcrm.fit(&low).decision(), tried_only.fit(&low).decision());
    let mut high = TrialData::new(6);
    high.add_cohort(Dose(2), 3, 3);
    let choice = dfcrm.fit(&high).selected_dose().unwrap();
    assert!(choice < Dose(2), "{choice}");
    assert_eq!(tried_only.fit(&high).selected_dose(), None);
    let mut both = high.clone();
    both.add_cohort(Dose(0), 3, 0);
    let choice = dfcrm.fit(&both).selected_dose().unwrap();
    let expected = (0..=choice.0).rev().map(Dose).find(|&d| both.patients(d) > 0);
    assert_eq!(tried_only.fit(&both).selected_dose(), expected);
    assert!(expected.is_some_and(|d| d <= choice));
}
