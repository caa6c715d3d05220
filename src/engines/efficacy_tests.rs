//! The engines with a design that decides on responses, before any real phase I/II design: a
//! test-only rule ("respond-up": escalate after a cohort with a response and no DLT, de-escalate
//! after a DLT, stop for toxicity after two DLTs in a cohort at the lowest dose) whose simulated
//! operating characteristics must equal exact enumeration within Monte Carlo error, whose exact
//! ones must equal a brute-force sum over every patient's outcome, and whose decision graph must
//! give the counts of the plain trial loop.

use super::cache::{DecisionGraph, SharedDecisions};
use super::dose_finding::{DoseFindingPlan, OcCounts};
use super::exact::exact_joint_oc;
use super::outcomes::Joint;
use super::rng::{JointThreshold, PatientStream};
use super::{simulate, Accumulator};
use crate::core::{Association, DoseTruth, Truth, TruthProfile, NO_WAIT_WITHOUT_FOLLOW_UP};
use crate::designs::{Decision, Design, Dose, DoseFinder, Fit, StopReason, TrialData, TrialLimits, WithRules};

/// The test-only phase I/II rule.
struct RespondUp;

struct RespondUpFit<'a> {
    data: &'a TrialData,
}

impl Fit for RespondUpFit<'_> {
    fn decision(&self) -> Decision {
        let state = self.data.state();
        let [dose, _, dlts, responses, _] = state[state.len() - 5..] else {
            unreachable!("data with efficacy end with the latest cohort's five counts")
        };
        let top = self.data.num_doses() as u16 - 1;
        match (dlts, responses) {
            (2.., _) if dose == 0 => Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic,
            },
            (1.., _) => Decision::Treat(Dose(dose.saturating_sub(1))),
            (0, 1..) => Decision::Treat(Dose((dose + 1).min(top))),
            (0, 0) => Decision::Treat(Dose(dose)),
        }
    }

    /// The treated dose with the most responses less DLTs per patient (ties: the lower dose).
    fn selected_dose(&self) -> Option<Dose> {
        let score = |d: Dose| {
            let c = self.data.efficacy(d).expect("data with efficacy");
            (f64::from(c.responses) - f64::from(c.dlts)) / f64::from(c.patients)
        };
        let treated = self.data.doses().filter(|&d| self.data.patients(d) > 0);
        treated.fold(None, |best: Option<Dose>, d| match best {
            Some(b) if score(b) >= score(d) => Some(b),
            _ => Some(d),
        })
    }

    fn reason(&self) -> String {
        "test rule".into()
    }
}

impl Design for RespondUp {
    type Fit<'a> = RespondUpFit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> RespondUpFit<'a> {
        RespondUpFit { data }
    }

    fn uses_efficacy(&self) -> bool {
        true
    }

    fn true_utility(&self, truth: &DoseTruth) -> Option<f64> {
        Some(truth.response - truth.dlt)
    }
}

fn respond_up(cohort_size: u16, max_patients: u32) -> Box<dyn DoseFinder> {
    let limits = TrialLimits {
        num_doses: 4,
        cohort_size,
        max_patients,
        start_dose: Dose(0),
    };
    Box::new(WithRules::new("respond-up", RespondUp, vec![], limits))
}

/// A truth with a response plateau, DLT and response associated with odds ratio `psi`.
fn truth(psi: f64) -> Truth {
    Truth {
        name: "plateau".into(),
        dlt: vec![0.05, 0.15, 0.30, 0.45],
        onset: None,
        profile: TruthProfile {
            efficacy: Some(vec![0.10, 0.35, 0.50, 0.50]),
            association: Association::OddsRatio(psi),
            ..TruthProfile::default()
        },
    }
}

/// Simulated selection and mean responses per dose agree with exact enumeration within 4 SE.
#[test]
fn simulated_and_exact_operating_characteristics_agree() {
    let designs = [respond_up(3, 18)];
    let truths = [truth(3.0)];
    let trials = 40_000;
    let plan = DoseFindingPlan::new(&designs, &truths, 77);
    let counts = simulate(&plan, 0..trials, 1, &|_| {}).unwrap();
    let simulated = counts[0][0].probabilities();
    let exact = exact_joint_oc(designs[0].as_ref(), &truths[0].dose_truths().unwrap(), 1 << 22, None)
        .unwrap()
        .oc;
    let n = trials as f64;
    let mut selections = exact.selected.clone();
    selections.push(exact.selected_none);
    let mut simulated_selections = simulated.selected.clone();
    simulated_selections.push(simulated.selected_none);
    for (p, q) in selections.iter().zip(&simulated_selections) {
        let se = (p * (1.0 - p) / n).sqrt().max(1e-9);
        assert!((q - p).abs() < 4.0 * se, "selection: exact {p}, simulated {q}");
    }
    let (exact_r, simulated_r) = (exact.responses.unwrap(), simulated.responses.unwrap());
    assert!(exact_r[1] > 0.5, "the design reaches dose 2: {exact_r:?}");
    for d in 0..4 {
        // Responses at a dose lie in [0, 18], so their variance is at most 18 × their mean.
        let se = (18.0 * exact_r[d] / n).sqrt().max(1e-9);
        let z = (simulated_r[d] - exact_r[d]) / se;
        assert!(
            z.abs() < 4.0,
            "dose {d}: exact {}, simulated {}",
            exact_r[d],
            simulated_r[d]
        );
        let patients_se = (18.0 * exact.patients[d] / n).sqrt().max(1e-9);
        assert!(
            (simulated.patients[d] - exact.patients[d]).abs() < 4.0 * patients_se,
            "patients at {d}"
        );
    }
    assert!(
        simulated.stops[StopReason::TooToxic.index()] > 0.0,
        "stops are exercised"
    );
}

/// Exact enumeration (states merged, multinomial cohorts) equals a brute-force sum over every
/// sequence of the four outcomes of each patient, in order, each with its probability.
#[test]
fn exact_enumeration_equals_a_brute_force_sum() {
    let finder = respond_up(2, 8);
    let joint = truth(0.4).dose_truths().unwrap();
    let exact = exact_joint_oc(finder.as_ref(), &joint, 1 << 20, None).unwrap().oc;
    let mut sums = (vec![0.0; 5], vec![0.0; 4]);
    walk_patients(
        finder.as_ref(),
        &joint,
        &TrialData::with_efficacy(4),
        Dose(0),
        1.0,
        &mut sums,
    );
    let (selected, responses) = sums;
    let exact_selected: Vec<f64> = exact.selected.iter().copied().chain([exact.selected_none]).collect();
    for (a, b) in exact_selected.iter().zip(&selected) {
        assert!((a - b).abs() < 1e-12, "selection {exact_selected:?} vs {selected:?}");
    }
    for (a, b) in exact.responses.unwrap().iter().zip(&responses) {
        assert!((a - b).abs() < 1e-12, "responses {a} vs {b}");
    }
    assert!(responses.iter().filter(|&&r| r > 0.0).count() >= 3, "{responses:?}");
}

/// Adds to `sums` (P(select dose), the last entry no dose; E[responses at dose]) every trial
/// that continues from `data`, with probability `probability`, by a cohort of two at `dose` whose
/// patients take each of the four cells (neither, DLT only, response only, both) in turn.
fn walk_patients(
    finder: &dyn DoseFinder,
    joint: &[DoseTruth],
    data: &TrialData,
    dose: Dose,
    probability: f64,
    sums: &mut (Vec<f64>, Vec<f64>),
) {
    let t = joint[dose.index()];
    let cells = [
        1.0 - t.dlt - t.response + t.response_with_dlt,
        t.dlt - t.response_with_dlt,
        t.response - t.response_with_dlt,
        t.response_with_dlt,
    ];
    for first in 0..4 {
        for second in 0..4 {
            let mut cohort = crate::core::EfficacyCounts {
                patients: 2,
                ..Default::default()
            };
            for cell in [first, second] {
                cohort.dlts += u32::from(cell % 2 == 1);
                cohort.responses += u32::from(cell >= 2);
                cohort.responses_with_dlt += u32::from(cell == 3);
            }
            let p = probability * cells[first] * cells[second];
            let mut next = data.clone();
            next.add_cohort_outcomes(dose, cohort);
            match finder.decide(&next) {
                Decision::Treat(d) => walk_patients(finder, joint, &next, d, p, sums),
                Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
                Decision::Stop { selected, .. } => {
                    sums.0[selected.map_or(4, Dose::index)] += p;
                    for d in next.doses() {
                        sums.1[d.index()] += p * f64::from(next.responses(d).unwrap());
                    }
                }
            }
        }
    }
}

/// The plain trial loop a graph with joint outcomes replaces.
fn reference(finder: &dyn DoseFinder, thresholds: &[JointThreshold], patients: &PatientStream, counts: &mut OcCounts) {
    let mut data = TrialData::with_efficacy(finder.limits().num_doses);
    let mut dose = finder.limits().start_dose;
    loop {
        let size = finder.next_cohort_size(&data);
        let first = data.total_patients() as usize;
        data.add_cohort_outcomes(dose, patients.joint(first, usize::from(size), thresholds[dose.index()]));
        match finder.decide(&data) {
            Decision::Treat(next) => dose = next,
            Decision::Wait => unreachable!("{NO_WAIT_WITHOUT_FOLLOW_UP}"),
            stop => return counts.add((&data, stop)),
        }
    }
}

/// The graph indexed by joint outcomes gives the plain loop's counts, whole or full after a few
/// states (trials then continue off it), under three truths walked in pairs.
#[test]
fn joint_graph_counts_equal_the_plain_loop() {
    let finder = respond_up(3, 24);
    let finder = finder.as_ref();
    let thresholds: Vec<Vec<JointThreshold>> = [0.3, 1.0, 5.0]
        .map(|psi| {
            truth(psi)
                .dose_truths()
                .unwrap()
                .iter()
                .map(JointThreshold::new)
                .collect()
        })
        .to_vec();
    let empty = || vec![OcCounts::new(4, 24).with_responses(); 3];
    let (mut expected, mut whole, mut small) = (empty(), empty(), empty());
    let shared = SharedDecisions::default();
    let mut graph = DecisionGraph::<Joint>::new(finder, Some(&shared), 3);
    let mut full = DecisionGraph::<Joint>::with_limit(finder, None, 3, 5);
    let mut patients = PatientStream::with_capacity(24).with_responses();
    for trial in 0..500 {
        patients.start_trial(4, trial);
        patients.start_responses(4, trial);
        for (j, truth) in thresholds.iter().enumerate() {
            reference(finder, truth, &patients, &mut expected[j]);
        }
        graph.run_truths(&patients, &thresholds, &mut whole);
        full.run_truths(&patients, &thresholds, &mut small);
    }
    graph.flush(&mut whole);
    full.flush(&mut small);
    assert_eq!(whole, expected);
    assert_eq!(small, expected);
    assert!(expected[0].responses.iter().sum::<u64>() > 0);
    expected[0].check().unwrap();
}

/// Patients' responses follow the truth: P(response) at the marginal, P(response | DLT) and
/// P(response | no DLT) as the odds ratio ψ = 3 makes them, within 4 SE over 400,000 patients.
#[test]
fn responses_follow_the_marginals_and_the_association() {
    let dose = truth(3.0).dose_truths().unwrap()[2];
    let (p_dlt, p_response) = (0.30, 0.50);
    let threshold = JointThreshold::new(&dose);
    let mut stream = PatientStream::with_capacity(40).with_responses();
    let (mut n, mut dlts, mut responses, mut both) = (0u32, 0u32, 0u32, 0u32);
    for trial in 0..10_000 {
        stream.start_trial(12, trial);
        stream.start_responses(12, trial);
        let c = stream.joint(0, 40, threshold);
        (n, dlts, responses, both) = (
            n + c.patients,
            dlts + c.dlts,
            responses + c.responses,
            both + c.responses_with_dlt,
        );
    }
    let within = |k: u32, m: u32, p: f64, what: &str| {
        let (k, m) = (f64::from(k), f64::from(m));
        let z = (k / m - p) / (p * (1.0 - p) / m).sqrt();
        assert!(z.abs() < 4.0, "{what}: {} against {p} (z = {z:.2})", k / m);
    };
    within(dlts, n, p_dlt, "P(DLT)");
    within(responses, n, p_response, "P(response)");
    within(both, dlts, dose.response_given_dlt(), "P(response | DLT)");
    within(
        responses - both,
        n - dlts,
        dose.response_given_no_dlt(),
        "P(response | no DLT)",
    );
    // ψ = 3 makes responders more toxic than independence would.
    assert!(dose.response_given_dlt() > p_response + 0.1);
    let odds = |p: f64| p / (1.0 - p);
    let psi = odds(dose.response_given_dlt()) / odds(dose.response_given_no_dlt());
    assert!((psi - 3.0).abs() < 1e-9, "{psi}");
}
