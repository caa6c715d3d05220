//! BOIN12's decisions on hand-computed examples and the paper's worked example; its keys.

use super::boin12::{Boin12, Boin12Config};
use super::params::{parse_config, BOIN12};
use super::selection::ObdSelection;
use crate::core::params::{FieldPath, Params};
use crate::designs::registry::{ConfiguredDesign, TrialContext, Wrappers};
use crate::designs::rules::{DoseSelector, StopWhenNAtDose};
use crate::designs::{Decision, Design, Dose, DoseTruth, Fit, StopReason, TrialData, TrialLimits};

/// Data from outcome strings as the R package escalation (and trialr) writes them: a cohort is
/// a dose level and a letter per patient, `N` neither, `T` DLT only, `E` response only, `B` both.
pub(super) fn outcomes(text: &str, num_doses: usize) -> TrialData {
    crate::designs::outcomes::parse_phase12_outcomes(text, num_doses).expect("a valid outcome string")
}

/// The paper's example: φ_T = 0.35, φ_E = 0.25, utilities 100/0/60/40, N* = 6.
fn paper_design() -> Boin12 {
    Boin12::new(Boin12Config::new(0.35), 36)
}

/// ū = 100·0.25·0.65 + 60·0.25·0.35 + 40·0.75·0.65 = 16.25 + 5.25 + 19.5 = 41; u_b = 41 + 59/2.
#[test]
fn benchmark_by_hand() {
    assert!((Boin12Config::new(0.35).benchmark() - 0.705).abs() < 1e-12);
}

/// Desirability 100·P(U > 0.705) with U ~ Beta(1 + x, 1 + n − x); the reference values are R
/// 4.2.2's `pbeta(0.705, a, b, lower.tail = FALSE)`.
#[test]
fn desirability_by_hand() {
    let design = paper_design();
    let cases = [
        ("1ETE", 0.3394910519),      // x = 2.0: Beta(3, 2); by hand 1 − (4·0.705³ − 3·0.705⁴)
        ("1NNN", 0.1134001034),      // x = 1.2: Beta(2.2, 2.8)
        ("1NEE", 0.5008679295),      // x = 2.4: Beta(3.4, 1.6)
        ("1ETE 1NBE", 0.3416141819), // x = (3·100 + 60 + 40)/100 = 4: Beta(5, 3)
        ("1BEN 1NBT", 0.1196460841), // x = (60 + 100 + 40 + 40 + 60)/100 = 3: Beta(4, 4)
    ];
    for (text, p) in cases {
        let data = outcomes(text, 2);
        let score = design.fit(&data).utility(Dose(0)).unwrap();
        assert!((score - 100.0 * p).abs() < 1e-8, "{text}: {score}");
        // An untried dose scores the prior's 100 · (1 − 0.705).
        assert!((design.fit(&data).utility(Dose(1)).unwrap() - 29.5).abs() < 1e-9);
    }
}

/// Lin et al. (2020), p. 1396 and the Data Supplement's Figure S2 (as escalation's test suite
/// transcribes them): the dose after each cohort.
#[test]
fn paper_worked_examples() {
    let design = paper_design();
    let cases = [
        ("1NNN 2ENT 3ETT 2EEN", 2),
        ("1NNN", 2),
        ("1NNN 2NNB", 3),
        ("1NNN 2NNB 3NEE", 3),
        ("1NNN 2NNB 3NEE 3NTN", 4),
        ("1NNN 2NNB 3NEE 3NTN 4ETE", 4),
        ("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE", 4),
        // n = 9 at dose 4 below the de-escalation boundary, dose 5 untried: explore.
        ("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE 4BNN", 5),
        ("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE 4BNN 5BEN", 5),
        ("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE 4BNN 5BEN 5NBT", 4),
    ];
    for (text, level) in cases {
        let data = outcomes(text, 5);
        let fit = design.fit(&data);
        assert_eq!(
            fit.decision(),
            Decision::Treat(Dose(level - 1)),
            "{text}: {}",
            fit.reason()
        );
    }
}

/// The paper's example ends with 12 patients at dose 4 (`stop_when_n_at_dose`, n = 12, as
/// escalation's test has it): the authors' rule selects dose 4, the paper's recommendation. Its
/// rates, from the authors' `pava` and `peestimate` (Iso 0.0-18.1) in R: DLT 0.0171, 0.2303,
/// 0.2313, 0.2561, 0.5050 (MTD dose 4); response 0.0413, 0.3807, 0.4162, 0.5160, 0.5260;
/// utilities 41.79, 53.63, 55.72, 60.72, 51.36.
#[test]
fn paper_example_ends_at_dose_4() {
    let data = outcomes("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE 4BNN 5BEN 5NBT 4NEN", 5);
    let rule = StopWhenNAtDose {
        n: 12,
        dose: DoseSelector::Any,
    };
    let limits = TrialLimits {
        num_doses: 5,
        ..trial().limits
    };
    let finder = Boin12Config::new(0.35).build(Wrappers {
        rules: vec![Box::new(rule)],
        limits,
        ..wrappers()
    });
    let stop = Decision::Stop {
        selected: Some(Dose(3)),
        reason: StopReason::EnoughAtDose,
    };
    assert_eq!(finder.decide(&data), stop);
}

/// The N* rule: 2/6 DLTs lies between the boundaries (escalate ≤ 1, de-escalate ≥ 3 at n = 6);
/// with 6 ≥ N* patients the dose above is no candidate, with 3 < N* (1/3) it is, and wins with
/// the untried dose's 29.5 against dose 1's 100·P(Beta(1.8, 3.2) > 0.705).
#[test]
fn n_star_closes_escalation_between_the_boundaries() {
    let design = paper_design();
    let six = outcomes("1TNN 1TNN", 3);
    assert_eq!(design.fit(&six).decision(), Decision::Treat(Dose(0)));
    assert!(
        design.fit(&six).reason().contains("N* = 6"),
        "{}",
        design.fit(&six).reason()
    );
    let three = outcomes("1TNN", 3);
    assert_eq!(design.fit(&three).decision(), Decision::Treat(Dose(1)));
    let mut config = Boin12Config::new(0.35);
    config.n_star = 9;
    assert_eq!(Boin12::new(config, 36).fit(&six).decision(), Decision::Treat(Dose(1)));
}

/// Futility: P(π_E < 0.25 | r of n) = P(Binomial(n + 1, 0.25) ≥ r + 1) > 0.90. n = 7, r = 0:
/// 1 − 0.75⁸ = 0.8999 (no); n = 8, r = 0: 1 − 0.75⁹ = 0.925; n = 9, r = 1: 1 − 0.75¹⁰ − 2.5·0.75⁹
/// = 0.756 (no); n = 15, r = 1: 1 − 0.75¹⁶ − 4·0.75¹⁵ = 0.937, r = 2: 0.803.
#[test]
fn futility_boundary_by_hand() {
    let design = paper_design();
    let boundary = (0..=15).map(|n| design.futility_boundary(n)).collect::<Vec<_>>();
    assert!(boundary[..8].iter().all(Option::is_none), "{boundary:?}");
    assert_eq!(boundary[8..10], [Some(0), Some(0)]);
    assert_eq!(boundary[15], Some(1));
    // Nine patients without a response: dose 1 is futile, the trial moves up.
    let data = outcomes("1NNN 1NNN 1NNN", 3);
    let fit = design.fit(&data);
    assert!(!fit.admissible(Dose(0)) && fit.admissible(Dose(1)));
    assert_eq!(fit.utility(Dose(0)), Some(0.0));
    assert_eq!(fit.decision(), Decision::Treat(Dose(1)));
}

/// Toxicity: 3/3 DLTs gives P(π_T > 0.35) = 1 − 0.35⁴ = 0.985 > 0.95 (2/3: 0.874): dose 1 and all
/// above are out and the trial stops with no OBD; at dose 2, the trial de-escalates.
#[test]
fn too_toxic_doses_are_eliminated() {
    let design = paper_design();
    let data = outcomes("1TTB", 3);
    let stop = Decision::Stop {
        selected: None,
        reason: StopReason::TooToxic,
    };
    assert_eq!(design.fit(&data).decision(), stop);
    assert_eq!(design.fit(&data).selected_dose(), None);
    let data = outcomes("1ENN 2TTT", 3);
    let fit = design.fit(&data);
    assert!(fit.admissible(Dose(0)) && !fit.admissible(Dose(1)) && !fit.admissible(Dose(2)));
    assert_eq!(fit.decision(), Decision::Treat(Dose(0)));
    assert!(fit.calls_for_deescalation(Dose(1)));
    let data = outcomes("1ETT", 3);
    assert_eq!(
        design.fit(&data).decision(),
        Decision::Treat(Dose(0)),
        "stays at the lowest dose"
    );
}

/// The true utility of the joint law: with P(DLT) = 0.2, P(response) = 0.5 and P(both) = 0.15
/// (positively associated), 100·0.35 + 60·0.15 + 40·0.45 = 62 (independent: 100·0.4 + 60·0.1 +
/// 40·0.4 = 62 too, since 60 + 40 = 100); with 70/40, 100·0.35 + 70·0.15 + 40·0.45 = 63.5 against
/// 100·0.4 + 70·0.1 + 40·0.4 = 63.
#[test]
fn true_utility_of_the_joint_law() {
    let joint = DoseTruth {
        dlt: 0.2,
        response: 0.5,
        response_with_dlt: 0.15,
    };
    let independent = DoseTruth {
        response_with_dlt: 0.1,
        ..joint
    };
    let design = paper_design();
    assert!((design.true_utility(&joint).unwrap() - 62.0).abs() < 1e-9);
    let mut config = Boin12Config::new(0.35);
    config.utility.response_with_dlt = 70.0;
    let design = Boin12::new(config, 36);
    assert!((design.true_utility(&joint).unwrap() - 63.5).abs() < 1e-9);
    assert!((design.true_utility(&independent).unwrap() - 63.0).abs() < 1e-9);
    assert!(design.truly_acceptable(&joint));
    assert!(!design.truly_acceptable(&DoseTruth { dlt: 0.36, ..joint }));
    assert!(!design.truly_acceptable(&DoseTruth {
        response: 0.2,
        response_with_dlt: 0.04,
        ..joint
    }));
}

/// The true OBD through the design as engines see it: the acceptable dose of highest utility.
/// Utilities (independent, 60/40: 60·q + 40·(1 − p)): 45.2, 61.2, 64, 76; dose 4's is the
/// highest but it is too toxic.
#[test]
fn true_obd_is_the_best_acceptable_dose() {
    let truth = [(0.05, 0.12), (0.10, 0.42), (0.30, 0.60), (0.45, 0.90)].map(|(p, q)| DoseTruth {
        dlt: p,
        response: q,
        response_with_dlt: p * q,
    });
    let finder = Boin12Config::new(0.35).build(wrappers());
    assert!(finder.uses_efficacy());
    let (obd, utilities) = finder.true_obd(&truth).unwrap();
    assert_eq!(obd, Some(Dose(2)));
    for (u, expected) in utilities.iter().zip([45.2, 61.2, 64.0, 76.0]) {
        assert!((u - expected).abs() < 1e-9, "{utilities:?}");
    }
}

fn trial() -> TrialContext {
    TrialContext {
        target: 0.35,
        limits: TrialLimits {
            num_doses: 4,
            cohort_size: 3,
            max_patients: 36,
            start_dose: Dose(0),
        },
        max_patients_limit: 10_000,
    }
}

fn wrappers() -> Wrappers {
    Wrappers {
        name: "boin12".into(),
        accelerated_titration: None,
        rules: Vec::new(),
        limits: trial().limits,
    }
}

fn parse(text: &str) -> Result<Boin12Config, String> {
    let mut params = Params::new(toml::from_str(text).unwrap(), FieldPath::default().key("design").at(0));
    parse_config(&mut params, &trial()).map_err(|e| e.to_string())
}

#[test]
fn keys_default_to_the_paper() {
    let config = parse("").unwrap();
    assert_eq!(config, Boin12Config::new(0.35));
    assert_eq!(
        config.settings(),
        "phi_e = 0.25, c_t = 0.95, c_e = 0.9, n_star = 6, response_with_dlt = 60, neither = 40, selection = \"authors\""
    );
    let config =
        parse("phi_e = 0.3\nc_t = 0.9\nc_e = 0.8\nn_star = 9\nresponse_with_dlt = 50\nneither = 30\nselection = \"escalation\"")
            .unwrap();
    assert_eq!(
        (config.phi_e, config.c_t, config.c_e, config.n_star),
        (0.3, 0.9, 0.8, 9)
    );
    assert_eq!((config.utility.response_with_dlt, config.utility.neither), (50.0, 30.0));
    assert_eq!(config.selection, ObdSelection::Escalation);
    assert_eq!(BOIN12.capabilities.efficacy, config.build(wrappers()).uses_efficacy());
}

#[test]
fn bad_keys_are_refused_naming_the_field() {
    let cases = [
        ("phi_e = 1.0", "design[1].phi_e"),
        ("phi_e = 0", "design[1].phi_e"),
        ("c_t = 1.5", "design[1].c_t"),
        ("c_e = -0.1", "design[1].c_e"),
        ("n_star = 0", "design[1].n_star"),
        ("response_with_dlt = 101", "design[1].response_with_dlt"),
        ("neither = -1", "design[1].neither"),
        ("selection = \"best\"", "design[1].selection"),
        ("phi_t = 0.3", "phi_t"),
    ];
    for (text, field) in cases {
        let message = parse(text).unwrap_err();
        assert!(message.contains(field), "{text}: {message}");
    }
}
