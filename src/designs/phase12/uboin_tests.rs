//! U-BOIN's decisions and posterior on hand-computed examples; its keys.

use super::tests::outcomes;
use super::uboin::{Uboin, UboinConfig, UboinSelection};
use super::uboin_params::{parse_config, UBOIN};
use crate::core::params::{FieldPath, Params};
use crate::designs::registry::{ConfiguredDesign, TrialContext};
use crate::designs::{Decision, Design, Dose, Fit, StopReason, TrialLimits};

/// φ_T = 0.35 with stage II from `stage2_at` patients at a dose.
fn design(stage2_at: u32) -> Uboin {
    let mut config = UboinConfig::new(0.35);
    config.stage2_at = stage2_at;
    Uboin::new(config, 36)
}

/// (Σ ¼·u + Σ u_i)/(1 + n): the prior adds ¼·(100 + 0 + 60 + 40) = 50. "1ETE": 100 + 0 + 100 over
/// 4 → 62.5; "1ETE 1NBE": 300 + 60 + 40 → 450/7; untried: 50.
#[test]
fn posterior_mean_utility_by_hand() {
    let d = design(12);
    for (text, expected) in [("1ETE", 62.5), ("1ETE 1NBE", 450.0 / 7.0)] {
        let data = outcomes(text, 2);
        let fit = d.fit(&data);
        assert!((fit.utility(Dose(0)).unwrap() - expected).abs() < 1e-12, "{text}");
        assert!((fit.utility(Dose(1)).unwrap() - 50.0).abs() < 1e-12);
    }
    // P(response) = (½ + r)/(1 + n): 2 responses of 3 → 0.625.
    assert_eq!(d.fit(&outcomes("1ETE", 2)).prob_response(Dose(0)), Some(0.625));
}

/// Stage II's boundaries under Beta(½ + k, ½ + n − k), from R 4.2.2: too toxic at n = 2, 3, 6,
/// 12 from y = 2, 3, 5, 7 (`1 - pbeta(0.35, 0.5 + y, 0.5 + n - y) > 0.95`); futile at n = 4
/// never, n = 5 … 11 with no response, n = 12 with at most one (`pbeta(0.25, 0.5 + r, 0.5 + n - r)
/// > 0.9`; n = 3, r = 0 gives 0.830).
#[test]
fn stage_two_boundaries_by_hand() {
    let d = design(12);
    let toxic: Vec<_> = [2, 3, 6, 12].map(|n| d.toxicity_boundary(n)).into();
    assert_eq!(toxic, [Some(2), Some(3), Some(5), Some(7)]);
    assert_eq!(d.toxicity_boundary(1), None);
    let futile: Vec<_> = [3, 4, 5, 11, 12].map(|n| d.futility_boundary(n)).into();
    assert_eq!(futile, [None, None, Some(0), Some(0), Some(1)]);
}

/// Stage I is BOIN at φ_T = 0.35 (escalate at 0/3, stay at 1/3, de-escalate at 2/3); it ends once
/// a dose has `stage2_at` patients.
#[test]
fn stage_one_is_boin() {
    let d = design(12);
    let cases = [("1NNN", 1), ("1NNN 2TNN", 1), ("1NNN 2TNT", 0), ("1NEN 2ENB 3NNN", 3)];
    for (text, next) in cases {
        let data = outcomes(text, 4);
        let fit = d.fit(&data);
        assert_eq!(fit.decision(), Decision::Treat(Dose(next)), "{text}: {}", fit.reason());
        assert!(fit.reason().starts_with("stage I "), "{}", fit.reason());
    }
    // 3/3 DLTs at dose 1: BOIN's elimination (P(π_T > 0.35 | Beta(4, 1)) = 0.985): stop, no OBD.
    let data = outcomes("1TTB", 4);
    let fit = d.fit(&data);
    let stop = Decision::Stop {
        selected: None,
        reason: StopReason::TooToxic,
    };
    assert_eq!((fit.decision(), fit.selected_dose()), (stop, None));
}

/// `stage1_target` = 0.25 moves stage I by BOIN at 0.25 (at n = 3: escalate at 0, de-escalate
/// from 1 DLT) while elimination stays at φ_T = 0.35: "1NNN 2TNN" de-escalates (BOIN at 0.35
/// stays); "1NNN 2TTT 1NNN" would escalate at 0/6 but dose 2 is eliminated (3/3 at 0.35), so it
/// stays at dose 1.
#[test]
fn stage_one_at_a_lower_target_eliminates_at_phi_t() {
    let mut config = UboinConfig::new(0.35);
    config.stage1_target = 0.25;
    let lower = Uboin::new(config, 36);
    let table = lower.boundaries();
    assert_eq!((table.escalate[3], table.deescalate[3]), (Some(0), Some(1)));
    let cases = [("1NNN 2TNN", 0, 1), ("1NNN 2TTT 1NNN", 0, 0), ("1NNN", 1, 1)];
    for (text, next_lower, next_default) in cases {
        let data = outcomes(text, 4);
        let fit = lower.fit(&data);
        assert_eq!(
            fit.decision(),
            Decision::Treat(Dose(next_lower)),
            "{text}: {}",
            fit.reason()
        );
        assert!(fit.reason().contains("stage1_target = 0.25"), "{}", fit.reason());
        assert_eq!(
            design(12).fit(&data).decision(),
            Decision::Treat(Dose(next_default)),
            "{text}"
        );
    }
    // Dose 1 with 3/3 DLTs is eliminated at φ_T = 0.35 whatever the target of the moves.
    let data = outcomes("1TTB", 4);
    let fit = lower.fit(&data);
    assert_eq!(fit.selected_dose(), None);
    assert!(matches!(
        fit.decision(),
        Decision::Stop {
            reason: StopReason::TooToxic,
            ..
        }
    ));
}

/// Stage II (from 3 patients at a dose here): B1 explores the dose above the highest tried one
/// while its DLT rate is at most λe (0/3); otherwise B2 takes the admissible dose of highest
/// posterior mean utility: "1ENN 2TEN" gives dose 1 (50 + 180)/4 = 57.5 against dose 2
/// (50 + 140)/4 = 47.5.
#[test]
fn stage_two_explores_then_follows_the_utility() {
    let d = design(3);
    let fit_of = |text: &str| {
        let data = outcomes(text, 3);
        let fit = d.fit(&data);
        (fit.decision(), fit.reason(), fit.selected_dose())
    };
    let (decision, why, _) = fit_of("1NNN");
    assert_eq!(decision, Decision::Treat(Dose(1)));
    assert!(why.contains("B1"), "{why}");
    let (decision, why, obd) = fit_of("1ENN 2TEN");
    assert_eq!(decision, Decision::Treat(Dose(0)), "{why}");
    assert!(why.contains("B2") && why.contains("dose 1 57.5, dose 2 47.5"), "{why}");
    assert_eq!(obd, Some(Dose(0)));
    // Dose 2 too toxic under the Dirichlet posterior (2/2 DLTs, P = 0.97 > 0.95): only dose 1.
    let (decision, _, obd) = fit_of("1NNE 2TT");
    assert_eq!((decision, obd), (Decision::Treat(Dose(0)), Some(Dose(0))));
}

/// No admissible dose in stage II stops: one dose, six patients without a response (futile:
/// P(π_E < 0.25 | Beta(½, 6½)) > 0.9).
#[test]
fn no_admissible_dose_stops() {
    let d = design(6);
    let data = outcomes("1NNN 1NNN", 1);
    let fit = d.fit(&data);
    let stop = Decision::Stop {
        selected: None,
        reason: StopReason::NoAcceptableDose,
    };
    assert_eq!((fit.decision(), fit.selected_dose()), (stop, None), "{}", fit.reason());
    assert!(!fit.admissible(Dose(0)));
}

/// `"at_or_below_mtd"` keeps the OBD at or below BOIN's isotonic MTD. At φ_T = 0.2 (c_t = 0.99,
/// stage I throughout), dose 1 has 0/6 DLTs and no response (futile), dose 2 3/6 DLTs and 5
/// responses (utility (50 + 420)/7 = 67.1): the default selects dose 2, but BOIN's MTD is dose 1
/// (estimates 0.008 and 0.5 against 0.2), below which no dose is admissible.
#[test]
fn selection_at_or_below_the_mtd() {
    let data = outcomes("1NNN 1NNN 2EBB 2EBN", 2);
    let mut config = UboinConfig::new(0.2);
    config.stage2_at = 36;
    config.c_t = 0.99;
    let utility = Uboin::new(config.clone(), 36);
    assert_eq!(utility.fit(&data).selected_dose(), Some(Dose(1)));
    config.selection = UboinSelection::AtOrBelowMtd;
    let below = Uboin::new(config, 36);
    let fit = below.fit(&data);
    assert_eq!(fit.selected_dose(), None, "{:?}", fit.selection_reason());
}

fn trial() -> TrialContext {
    TrialContext {
        target: 0.35,
        limits: TrialLimits {
            num_doses: 5,
            cohort_size: 3,
            max_patients: 36,
            start_dose: Dose(0),
        },
        max_patients_limit: 10_000,
    }
}

fn parse(text: &str) -> Result<UboinConfig, String> {
    let mut params = Params::new(toml::from_str(text).unwrap(), FieldPath::default().key("design").at(0));
    parse_config(&mut params, &trial()).map_err(|e| e.to_string())
}

#[test]
fn keys_default_and_parse() {
    assert_eq!(parse("").unwrap(), UboinConfig::new(0.35));
    let config = parse("phi_e = 0.3\nstage2_at = 9\nneither = 30\nselection = \"at_or_below_mtd\"").unwrap();
    assert_eq!(
        (config.phi_e, config.stage2_at, config.utility.neither, config.selection),
        (0.3, 9, 30.0, UboinSelection::AtOrBelowMtd)
    );
    assert_eq!(config.kind().rule(), UBOIN.rule);
    // stage1_target is shown only when it differs from φ_T (recorded settings stay as they were).
    assert!(!parse("").unwrap().settings().contains("stage1_target"));
    let lower = parse("stage1_target = 0.30").unwrap();
    assert_eq!(lower.stage1_target, 0.30);
    assert!(
        lower.settings().contains("stage1_target = 0.3,"),
        "{}",
        lower.settings()
    );
}

#[test]
fn bad_keys_are_refused_naming_the_field() {
    for (text, field) in [
        ("stage2_at = 0", "stage2_at"),
        ("c_e = 1.5", "c_e"),
        ("neither = 120", "neither"),
        ("selection = \"best\"", "selection"),
        ("n_star = 6", "n_star"),
        ("stage1_target = 0.4", "stage1_target"),
        ("stage1_target = 0", "stage1_target"),
    ] {
        let error = parse(text).unwrap_err();
        assert!(error.contains(field), "{text}: {error}");
    }
}
