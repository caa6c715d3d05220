//! EffTox's fit against a brute-force evaluation of the same posterior, and its dose rules.

use super::*;

/// Data from outcome strings as the R package escalation (and trialr) writes them: a cohort is
/// a dose level and a letter per patient, `N` neither, `T` DLT only, `E` response only, `B` both.
pub(crate) fn outcomes(text: &str, num_doses: usize) -> TrialData {
    crate::designs::outcomes::parse_phase12_outcomes(text, num_doses).expect("a valid outcome string")
}

fn demo() -> EffToxConfig {
    EffToxConfig::thall_2014(vec![1.0, 2.0, 4.0, 6.6, 10.0], 0.3)
}

/// Data sets from one patient to a full trial, including extremes (no response anywhere,
/// every patient toxic, both events together).
const CASES: [&str; 10] = [
    "1N",
    "1NNE 2EEB",
    "1NNN 2ENN",
    "1NNN 2ENN 3ETB",
    "1TTT",
    "1TTT 1BTN",
    "1NNN 2NNN 3NNN 4NNN 5NNN",
    "1NNE 2EEB 3BTE 2ENN 2EEN",
    "1ENN 2EEN 3EBT 3ETT 2NNE 2EEE 2BNE",
    "1NEN 2EEN 3EEE 4EBE 5BBT 4EEB 4EEN 3ENE 4BEE 4EEE 4NEE 4EEE 4BEN",
];

/// The production posterior against a brute-force evaluation of the same posterior: 256 times
/// the points (2^19), a single sample from a wider proposal (scale 1.6, 3 degrees of freedom)
/// with no pilot. Posterior means agree within 0.005, probabilities of acceptability within
/// 0.015, desirabilities within 0.012, and every decision and OBD is the same.
#[test]
fn matches_a_brute_force_evaluation() {
    let design = EffTox::new(demo());
    let brute = EffTox::with_points(demo(), PointSet::new(1 << 18, 3.0, 1.6, 0));
    for text in CASES {
        let data = outcomes(text, 5);
        let (fit, reference) = (design.fit(&data), brute.fit(&data));
        assert!(reference.posterior().effective_sample_size() > 50_000.0, "{text}");
        for (d, (a, b)) in fit.assessments().iter().zip(reference.assessments()).enumerate() {
            let at = || format!("{text}, dose {}: {a:?} vs {b:?}", d + 1);
            assert!((a.prob_eff - b.prob_eff).abs() < 0.005, "{}", at());
            assert!((a.prob_tox - b.prob_tox).abs() < 0.005, "{}", at());
            assert!((a.prob_acc_eff - b.prob_acc_eff).abs() < 0.015, "{}", at());
            assert!((a.prob_acc_tox - b.prob_acc_tox).abs() < 0.015, "{}", at());
            assert!((a.desirability - b.desirability).abs() < 0.012, "{}", at());
        }
        assert_eq!(fit.decision(), reference.decision(), "{text}");
        assert_eq!(fit.selected_dose(), reference.selected_dose(), "{text}");
    }
}

/// The same data give the same bits.
#[test]
fn fits_are_deterministic() {
    let (a, b) = (EffTox::new(demo()), EffTox::new(demo()));
    for text in CASES {
        let data = outcomes(text, 5);
        assert_eq!(a.fit(&data).assessments(), b.fit(&data).assessments(), "{text}");
        assert_eq!(a.fit(&data).posterior().weights, b.fit(&data).posterior().weights);
    }
}

/// Untried doses are never skipped: after the lowest dose only doses 1 and 2 are within reach,
/// however desirable dose 5 looks (trialr's `in_range`).
#[test]
fn untried_doses_are_not_skipped() {
    let design = EffTox::new(demo());
    let data = outcomes("1N", 5);
    let fit = design.fit(&data);
    let best_overall = (0..5).max_by(|&i, &j| {
        let u = |k: usize| fit.assessments()[k].desirability;
        u(i).total_cmp(&u(j))
    });
    assert!(best_overall.unwrap() > 1, "{:?}", fit.assessments());
    assert_eq!(fit.decision(), Decision::Treat(Dose(1)));
    assert_eq!(fit.selected_dose(), Some(Dose(1)));
    // Started at dose 3: dose 1 is out of reach below, as dose 5 is above.
    let data = outcomes("3NNN", 5);
    let fit = design.fit(&data);
    assert!(!fit.within_reach(Dose(0)) && fit.within_reach(Dose(1)) && !fit.within_reach(Dose(4)));
}

/// No acceptable dose within reach stops the trial without a dose: for lack of efficacy
/// (every dose inefficacious, none too toxic) or for toxicity (six DLTs in six at dose 1 leave
/// P(π_T < 0.3) = 0.31 at dose 2, under a demanding p_t = 0.5).
#[test]
fn no_acceptable_dose_stops_the_trial() {
    let design = EffTox::new(demo());
    let data = outcomes("1NNN 2NNN 3NNN 4NNN 5NNN", 5);
    let fit = design.fit(&data);
    assert!((0..5).all(|d| !fit.passes_efficacy(Dose(d)) && fit.passes_toxicity(Dose(d))));
    let stop = |reason| Decision::Stop { selected: None, reason };
    assert_eq!(fit.decision(), stop(StopReason::NoAcceptableDose));
    assert_eq!(fit.selected_dose(), None);
    let design = EffTox::new(EffToxConfig { p_t: 0.5, ..demo() });
    let data = outcomes("1TTT 1TTT", 5);
    let fit = design.fit(&data);
    assert!((0..2).all(|d| !fit.passes_toxicity(Dose(d))), "{:?}", fit.assessments());
    assert_eq!(fit.decision(), stop(StopReason::TooToxic));
}

/// `exempt_next_untried` (clintrials' rule): the untried dose one above the highest given needs
/// only the toxicity criterion. After "1NNN" with p_e = 0.2, dose 2's P(π_E > 0.5) ≈ 0.14 fails
/// the efficacy criterion and dose 1's too: trialr's rule stops, clintrials' treats dose 2 and
/// says why. Tried doses and doses two above the highest stay bound by both criteria.
#[test]
fn the_next_untried_dose_may_be_exempt_from_efficacy() {
    let strict = EffToxConfig { p_e: 0.2, ..demo() };
    let data = outcomes("1NNN", 5);
    let trialr = EffTox::new(strict.clone());
    let fit = trialr.fit(&data);
    assert!(
        !fit.passes_efficacy(Dose(0)) && !fit.passes_efficacy(Dose(1)),
        "{:?}",
        fit.assessments()
    );
    let stop = Decision::Stop {
        selected: None,
        reason: StopReason::NoAcceptableDose,
    };
    assert_eq!(fit.decision(), stop);
    let clintrials = EffTox::new(EffToxConfig {
        exempt_next_untried: true,
        ..strict
    });
    let fit = clintrials.fit(&data);
    assert_eq!(fit.decision(), Decision::Treat(Dose(1)));
    assert_eq!(fit.selected_dose(), Some(Dose(1)));
    assert!(fit.admissible(Dose(1)) && !fit.admissible(Dose(0)));
    assert!(fit.exempt(Dose(1)) && !fit.exempt(Dose(0)) && !fit.exempt(Dose(2)));
    assert!(fit.reason().contains("dose 2: P(eff > 0.5) = 0.1"), "{}", fit.reason());
    assert!(fit.reason().contains("on toxicity alone"), "{}", fit.reason());
    // The exemption waives efficacy only: after "1TTT" dose 2's P(π_T < 0.3) ≈ 0.4 fails p_t = 0.5.
    let cautious = EffTox::new(EffToxConfig {
        exempt_next_untried: true,
        p_t: 0.5,
        ..demo()
    });
    let toxic = outcomes("1TTT", 5);
    let fit = cautious.fit(&toxic);
    assert!(
        fit.exempt(Dose(1)) && !fit.passes_toxicity(Dose(1)),
        "{:?}",
        fit.assessments()
    );
    assert!(!fit.admissible(Dose(1)));
    assert_eq!(
        fit.decision(),
        Decision::Stop {
            selected: None,
            reason: StopReason::TooToxic
        }
    );
}

/// Data without efficacy contribute their DLTs only: the efficacy parameters keep their prior
/// (posterior mean response probabilities as with no data at all, within the sampling error).
#[test]
fn toxicity_only_data_leave_efficacy_at_its_prior() {
    let design = EffTox::new(demo());
    let mut data = TrialData::new(5);
    data.add_cohort(Dose(0), 3, 0);
    data.add_cohort(Dose(1), 3, 1);
    let fit = design.fit(&data);
    let empty = TrialData::with_efficacy(5);
    let prior = design.fit(&empty);
    let known = outcomes("1NNN 2NNT", 5);
    let with_responses = design.fit(&known);
    for d in 0..5 {
        let (a, b) = (fit.assessments()[d], prior.assessments()[d]);
        assert!(
            (a.prob_eff - b.prob_eff).abs() < 0.005,
            "dose {}: {a:?} vs {b:?}",
            d + 1
        );
        // Toxicity is learnt from the DLTs as when responses are known (ψ couples them weakly).
        let c = with_responses.assessments()[d];
        assert!((a.prob_tox - c.prob_tox).abs() < 0.02, "dose {}: {a:?} vs {c:?}", d + 1);
    }
    assert!(fit.assessments()[1].prob_tox > prior.assessments()[1].prob_tox + 0.05);
}

/// The truth's desirability and acceptability: (π_E, π_T) = (0.6, 0.15) is acceptable with
/// desirability 1 − ((0.4/0.5)^p + (0.15/0.65)^p)^{1/p}; a DLT probability at the hurdle or a
/// response probability at its hurdle is not acceptable.
#[test]
fn true_desirability_and_acceptability() {
    let design = EffTox::new(demo());
    let truth = |response, dlt| DoseTruth {
        dlt,
        response,
        response_with_dlt: dlt * response,
    };
    let p = design.contour().p;
    let expected = 1.0 - ((0.8f64).powf(p) + (0.15f64 / 0.65).powf(p)).powf(1.0 / p);
    assert!((design.true_utility(&truth(0.6, 0.15)).unwrap() - expected).abs() < 1e-12);
    assert!(design.truly_acceptable(&truth(0.6, 0.15)));
    assert!(!design.truly_acceptable(&truth(0.6, 0.3)));
    assert!(!design.truly_acceptable(&truth(0.5, 0.1)));
}

/// The reason names each dose within reach with its numbers and the rule's verdict.
#[test]
fn reason_gives_the_numbers() {
    let (design, data) = (EffTox::new(demo()), outcomes("1NNE 2EEB", 5));
    let fit = design.fit(&data);
    let reason = fit.reason();
    for words in [
        "dose 1: P(eff > 0.5) = 0.3",
        "dose 3:",
        "desirability 0.5",
        "treat at dose 3",
        "Thall & Cook",
    ] {
        assert!(reason.contains(words), "'{words}' not in {reason}");
    }
    assert!(!reason.contains("dose 4:"), "{reason}");
}
