use super::*;
use crate::core::Utility;
use crate::designs::optimization::{NonInferiorityTest, SelectionRule};

/// A truth with DLT and response associated at some doses (P(both) ≠ P(DLT)·P(response)).
fn truth() -> Vec<DoseTruth> {
    [
        (0.05, 0.20, 0.02),
        (0.10, 0.45, 0.06),
        (0.20, 0.50, 0.08),
        (0.30, 0.55, 0.20),
        (0.45, 0.55, 0.25),
    ]
    .iter()
    .map(|&(dlt, response, response_with_dlt)| DoseTruth {
        dlt,
        response,
        response_with_dlt,
    })
    .collect()
}

fn stage(arms: usize, n_per_arm: u32, rule: SelectionRule, toxicity_cutoff: Option<f64>) -> Randomization {
    Randomization {
        arms,
        n_per_arm,
        rule,
        pool: false,
        utility: Utility::default(),
        phi_t: 0.35,
        eliminate_cutoff: 0.95,
        toxicity_cutoff,
        target_selection: 0.8,
        max_n_per_arm: 100,
    }
}

/// The randomized stage simulated as the engine runs it (counter-based latents, Fisher–Yates
/// allocation, the rule) agrees with its exact law (binomial enumeration) within 4 standard
/// errors for every arm and for "no dose", under four rules with two and three arms.
#[test]
fn simulated_stage_agrees_with_its_exact_law() {
    let posterior = SelectionRule::NonInferiority {
        margin: 0.1,
        test: NonInferiorityTest::Posterior { certainty: 0.6 },
    };
    let observed = SelectionRule::NonInferiority {
        margin: 0.1,
        test: NonInferiorityTest::Observed,
    };
    let cases = [
        (stage(2, 10, SelectionRule::Utility, None), vec![Dose(1), Dose(2)]),
        (
            stage(3, 8, SelectionRule::Utility, Some(0.7)),
            vec![Dose(1), Dose(2), Dose(3)],
        ),
        (stage(3, 12, observed, None), vec![Dose(0), Dose(1), Dose(2)]),
        (stage(2, 10, posterior, Some(0.8)), vec![Dose(2), Dose(3)]),
    ];
    let truth = truth();
    let thresholds: Vec<JointThreshold> = truth.iter().map(JointThreshold::new).collect();
    let trials = 20_000u64;
    let mut worst = 0.0f64;
    for (r, doses) in &cases {
        let arms = Arms::of(doses);
        let mut patients = PatientStream::with_capacity(3 * r.n_per_arm as usize).with_responses();
        let mut allocation = Vec::new();
        let mut counts = vec![0u64; doses.len() + 1];
        for t in 0..trials {
            patients.start_trial(5 ^ STAGE_STREAM, t);
            patients.start_responses(5 ^ STAGE_STREAM, t);
            allocate(5, t, doses.len(), r.n_per_arm, &mut allocation);
            let data = stage_data(&patients, &allocation, &arms, &thresholds);
            assert!(data.iter().all(|c| c.patients == r.n_per_arm), "n per arm");
            match r.select(arms.doses(), &data) {
                Some(d) => counts[doses.iter().position(|&x| x == d).unwrap()] += 1,
                None => counts[doses.len()] += 1,
            }
        }
        let zero = vec![EfficacyCounts::default(); doses.len()];
        let law = r.stage_law(doses, &truth, r.n_per_arm, &zero);
        let exact: Vec<f64> = law.selected.iter().copied().chain([law.none]).collect();
        assert!((exact.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{exact:?}");
        for (&count, &p) in counts.iter().zip(&exact) {
            let simulated = count as f64 / trials as f64;
            let se = (p * (1.0 - p) / trials as f64).sqrt().max(1e-12);
            let z = (simulated - p) / se;
            worst = worst.max(z.abs());
            assert!(
                z.abs() < 4.0,
                "{:?}: simulated {simulated}, exact {p}, z = {z:.2}",
                r.rule
            );
        }
    }
    eprintln!("randomized stage, simulated vs exact: worst |z| = {worst:.2}");
}

/// The allocation gives every arm exactly n patients, depends on (seed, trial) only, and differs
/// between trials.
#[test]
fn allocation_is_balanced_and_counter_based() {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    allocate(9, 4, 3, 7, &mut a);
    allocate(9, 4, 3, 7, &mut b);
    assert_eq!(a, b);
    for arm in 0..3u8 {
        assert_eq!(a.iter().filter(|&&x| x == arm).count(), 7);
    }
    allocate(9, 5, 3, 7, &mut b);
    assert_ne!(a, b);
}
