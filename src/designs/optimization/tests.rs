use super::exact::sample_size;
use super::*;

fn settings(rule: SelectionRule) -> Randomization {
    Randomization {
        arms: 2,
        n_per_arm: 20,
        rule,
        pool: false,
        utility: Utility::default(),
        phi_t: 0.35,
        eliminate_cutoff: 0.95,
        toxicity_cutoff: None,
        target_selection: 0.8,
        max_n_per_arm: 60,
    }
}

fn independent(dlt: f64, response: f64) -> DoseTruth {
    DoseTruth {
        dlt,
        response,
        response_with_dlt: dlt * response,
    }
}

const OBSERVED: SelectionRule = SelectionRule::NonInferiority {
    margin: 0.25,
    test: NonInferiorityTest::Observed,
};

/// A two-arm case computed by hand. One patient per arm, utility rule: each arm's single patient
/// scores 100, 60, 0 or 40 (response only, both, DLT only, neither), and the lower arm is chosen
/// when its score is at least the higher arm's. Two patients per arm, observed non-inferiority
/// with δ = 0.25: the lower arm is chosen when r_low/2 ≥ r_high/2 − 0.25, i.e. r_low ≥ r_high.
#[test]
fn two_arms_by_hand() {
    let truth = [independent(0.1, 0.3), independent(0.3, 0.6)];
    let arms = [Dose(0), Dose(1)];
    let zero = [EfficacyCounts::default(); 2];
    let cells = |t: &DoseTruth| {
        let (p, q) = (t.dlt, t.response);
        // (score, probability): response only, both, DLT only, neither.
        [
            (100.0, q * (1.0 - p)),
            (60.0, q * p),
            (0.0, p * (1.0 - q)),
            (40.0, (1.0 - p) * (1.0 - q)),
        ]
    };
    let mut lower = 0.0;
    for (s0, p0) in cells(&truth[0]) {
        for (s1, p1) in cells(&truth[1]) {
            if s0 >= s1 {
                lower += p0 * p1;
            }
        }
    }
    let law = settings(SelectionRule::Utility).stage_law(&arms, &truth, 1, &zero);
    assert!(
        (law.selected[0] - lower).abs() < 1e-15,
        "{} vs {lower}",
        law.selected[0]
    );
    assert!((law.selected[1] - (1.0 - lower)).abs() < 1e-15);
    assert_eq!(law.none, 0.0);

    let bin2 = |q: f64| [(1.0 - q) * (1.0 - q), 2.0 * q * (1.0 - q), q * q];
    let (low, high) = (bin2(0.3), bin2(0.6));
    let lower: f64 = (0..3)
        .map(|r0| (0..=r0).map(|r1| low[r0] * high[r1]).sum::<f64>())
        .sum();
    let law = settings(OBSERVED).stage_law(&arms, &truth, 2, &zero);
    assert!(
        (law.selected[0] - lower).abs() < 1e-15,
        "{} vs {lower}",
        law.selected[0]
    );
    // Hand value: P(R_low ≥ R_high) = 0.49·0.16 + 0.42·0.64 + 0.09·1 = 0.4372.
    assert!((lower - 0.4372).abs() < 1e-12);
}

/// The toxicity check: with c_T = 0.5 and φ_T = 0.35, one patient with a DLT gives P(p_T > 0.35)
/// = 1 − 0.35² = 0.8775 ≥ 0.5 (fails), without a DLT 0.65² = 0.4225 (passes); no arm passes with
/// probability P(DLT)·P(DLT).
#[test]
fn toxicity_check_by_hand() {
    let mut r = settings(SelectionRule::Utility);
    r.toxicity_cutoff = Some(0.5);
    assert!(!r.eligible(1, 1) && r.eligible(1, 0));
    let truth = [independent(0.2, 0.3), independent(0.4, 0.5)];
    let law = r.stage_law(&[Dose(0), Dose(1)], &truth, 1, &[EfficacyCounts::default(); 2]);
    assert!((law.none - 0.2 * 0.4).abs() < 1e-15);
    assert!((law.selected.iter().sum::<f64>() + law.none - 1.0).abs() < 1e-14);
}

/// Arms: the selected dose and the admissible doses below, then tried doses above; a dose whose
/// escalation data cross the elimination cutoff, and every dose above it, are never arms.
#[test]
fn arms_are_the_selected_dose_and_its_neighbours() {
    let mut data = TrialData::new(5);
    data.add_cohort(Dose(0), 3, 0);
    data.add_cohort(Dose(1), 3, 0);
    data.add_cohort(Dose(2), 3, 1);
    data.add_cohort(Dose(3), 3, 3);
    let mut r = settings(SelectionRule::Utility);
    let arms = |r: &Randomization, s: u16| r.choose_arms(&data, Some(Dose(s))).map(|a| a.doses().to_vec());
    assert_eq!(arms(&r, 2), Some(vec![Dose(1), Dose(2)]));
    assert_eq!(arms(&r, 0), Some(vec![Dose(0), Dose(1)]));
    r.arms = 3;
    assert_eq!(arms(&r, 1), Some(vec![Dose(0), Dose(1), Dose(2)]));
    assert_eq!(arms(&r, 0), Some(vec![Dose(0), Dose(1), Dose(2)]));
    // 3/3 DLTs at DL4: P(p > 0.35) = 1 − 0.35⁴ > 0.95, eliminated.
    assert_eq!(arms(&r, 3), None);
    assert_eq!(r.choose_arms(&data, None), None);
}

/// The rules on given data: utility ties go to the lower dose; the posterior test picks the
/// lower arm only when P(q_low > q_best − δ) exceeds the certainty.
#[test]
fn selection_rules_on_given_data() {
    let counts = |n, y, r, b| EfficacyCounts {
        patients: n,
        dlts: y,
        responses: r,
        responses_with_dlt: b,
    };
    let arms = [Dose(1), Dose(2)];
    let same = [counts(10, 1, 5, 0), counts(10, 1, 5, 0)];
    assert_eq!(settings(SelectionRule::Utility).select(&arms, &same), Some(Dose(1)));
    let data = [counts(20, 2, 8, 1), counts(20, 4, 11, 2)];
    assert_eq!(settings(SelectionRule::Utility).select(&arms, &data), Some(Dose(2)));
    assert_eq!(settings(OBSERVED).select(&arms, &data), Some(Dose(1)));
    let p = not_worse(&data[0], &data[1], 0.1);
    for (certainty, expected) in [(p - 0.01, Dose(1)), (p + 0.01, Dose(2))] {
        let rule = SelectionRule::NonInferiority {
            margin: 0.1,
            test: NonInferiorityTest::Posterior { certainty },
        };
        assert_eq!(settings(rule).select(&arms, &data), Some(expected));
    }
}

/// The sample size is the first n whose exact probability reaches the target, and the
/// probability of choosing the truly best arm grows towards 1 for a clear difference.
#[test]
fn sample_size_reaches_the_target() {
    let truth = [independent(0.05, 0.2), independent(0.1, 0.5)];
    let r = settings(SelectionRule::Utility);
    let arms = [Dose(0), Dose(1)];
    let (n, p) = sample_size(&r, &arms, &truth).expect("reached");
    assert!(
        p >= 0.8 && r.correct_selection(&arms, &truth, n - 1) < 0.8,
        "n = {n}, p = {p}"
    );
    assert!(r.correct_selection(&arms, &truth, 60) > 0.99);
}
