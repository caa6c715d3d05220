//! BOP2 with joint efficacy and toxicity monitoring (Zhou, Lee & Yuan 2017, Stat Med 36:3302):
//! boundaries and exact operating characteristics against the authors' group's code
//! (tests/fixtures/bop2_joint_gbop2.csv, with its source and exact calls), and against a
//! brute-force enumeration of every outcome sequence with the posterior probabilities computed by
//! quadrature (not by the library's incomplete beta function).

use std::collections::HashMap;
use trialsim::designs::single_arm::{Bop2Joint, JointNull, JointOutcome, ToxicityExponent};

/// ∫_lo^hi f by adaptive Simpson to absolute tolerance `tol`.
fn simpson(f: &dyn Fn(f64) -> f64, lo: f64, hi: f64, tol: f64) -> f64 {
    /// Simpson on [a, b] from the points (a, f(a)), (m, f(m)), (b, f(b)) and its `whole` estimate.
    fn step(f: &dyn Fn(f64) -> f64, points: [(f64, f64); 3], whole: f64, tol: f64, depth: u32) -> f64 {
        let [(a, fa), (m, fm), (b, fb)] = points;
        let (lm, rm) = (0.5 * (a + m), 0.5 * (m + b));
        let (flm, frm) = (f(lm), f(rm));
        let left = (m - a) / 6.0 * (fa + 4.0 * flm + fm);
        let right = (b - m) / 6.0 * (fm + 4.0 * frm + fb);
        if depth == 0 || (left + right - whole).abs() <= 15.0 * tol {
            return left + right + (left + right - whole) / 15.0;
        }
        step(f, [(a, fa), (lm, flm), (m, fm)], left, tol / 2.0, depth - 1)
            + step(f, [(m, fm), (rm, frm), (b, fb)], right, tol / 2.0, depth - 1)
    }
    let mid = 0.5 * (lo + hi);
    let points = [(lo, f(lo)), (mid, f(mid)), (hi, f(hi))];
    let whole = (hi - lo) / 6.0 * (points[0].1 + 4.0 * points[1].1 + points[2].1);
    step(f, points, whole, tol, 60)
}

/// ∫_0^z t^(a−1) (1 − t)^(b−1) dt with t = s^(1/a), which removes the singularity at 0:
/// (1/a) ∫_0^(z^a) (1 − s^(1/a))^(b−1) ds (z < 1).
fn lower_integral(z: f64, a: f64, b: f64) -> f64 {
    simpson(&|s: f64| (1.0 - s.powf(1.0 / a)).powf(b - 1.0), 0.0, z.powf(a), 1e-14) / a
}

/// P(p ≤ z) for p ~ Beta(a, b), both integrals by quadrature (the normalising constant split at
/// 1/2 and the upper half mirrored).
fn beta_cdf(z: f64, a: f64, b: f64) -> f64 {
    let total = lower_integral(0.5, a, b) + lower_integral(0.5, b, a);
    lower_integral(z, a, b) / total
}

/// Exact operating characteristics by enumerating all 4^N outcome sequences of N patients: the
/// Dirichlet(θ0) posterior gives p_E ~ Beta(p0 + x, 1 − p0 + n − x) and p_T ~ Beta(t0 + t,
/// 1 − t0 + n − t); stop for toxicity when P(p_T > t0) > 1 − λ(n/N)^(γ/3), else for futility
/// when P(p_E ≤ p0) > 1 − λ(n/N)^γ (at N: not promising). Returns (P(promising), P(futility stop
/// before N), P(toxicity stop), E[N]) and the boundaries found on the way.
struct Brute {
    looks: Vec<u32>,
    p0: f64,
    t0: f64,
    lambda: f64,
    gamma: f64,
    futile: HashMap<(u32, u32), bool>,
    toxic: HashMap<(u32, u32), bool>,
}

impl Brute {
    fn new(looks: &[u32], p0: f64, t0: f64, lambda: f64, gamma: f64) -> Brute {
        Brute {
            looks: looks.to_vec(),
            p0,
            t0,
            lambda,
            gamma,
            futile: HashMap::new(),
            toxic: HashMap::new(),
        }
    }

    fn fraction(&self, n: u32) -> f64 {
        f64::from(n) / f64::from(self.looks[self.looks.len() - 1])
    }

    fn is_toxic(&mut self, t: u32, n: u32) -> bool {
        let (t0, c) = (self.t0, 1.0 - self.lambda * self.fraction(n).powf(self.gamma / 3.0));
        *self
            .toxic
            .entry((t, n))
            .or_insert_with(|| 1.0 - beta_cdf(t0, t0 + f64::from(t), 1.0 - t0 + f64::from(n - t)) > c)
    }

    fn is_futile(&mut self, x: u32, n: u32) -> bool {
        let (p0, c) = (self.p0, 1.0 - self.lambda * self.fraction(n).powf(self.gamma));
        *self
            .futile
            .entry((x, n))
            .or_insert_with(|| beta_cdf(p0, p0 + f64::from(x), 1.0 - p0 + f64::from(n - x)) > c)
    }

    fn boundaries(&mut self) -> Vec<(u32, Option<u32>, Option<u32>)> {
        let looks = self.looks.clone();
        looks
            .iter()
            .map(|&n| {
                let futility = (0..=n).filter(|&x| self.is_futile(x, n)).max();
                let toxicity = (0..=n).find(|&t| self.is_toxic(t, n));
                (n, futility, toxicity)
            })
            .collect()
    }

    fn oc(&mut self, cells: [f64; 4]) -> (f64, f64, f64, f64) {
        let n_max = *self.looks.last().unwrap();
        let (mut promising, mut futility, mut toxicity, mut mean_n) = (0.0, 0.0, 0.0, 0.0);
        let looks = self.looks.clone();
        for code in 0..4u64.pow(n_max) {
            // Patient i's outcome: digit i of `code` in base 4 (0: response and toxicity,
            // 1: response only, 2: toxicity only, 3: neither).
            let outcome = |i: u32| (code / 4u64.pow(i) % 4) as usize;
            let probability: f64 = (0..n_max).map(|i| cells[outcome(i)]).product();
            let mut end = None;
            for (k, &n) in looks.iter().enumerate() {
                let x = (0..n).filter(|&i| outcome(i) <= 1).count() as u32;
                let t = (0..n).filter(|&i| outcome(i) % 2 == 0).count() as u32;
                if self.is_toxic(t, n) {
                    end = Some((n, 2));
                } else if self.is_futile(x, n) {
                    end = Some((n, if k + 1 < looks.len() { 1 } else { 3 }));
                } else if k + 1 == looks.len() {
                    end = Some((n, 0));
                }
                if end.is_some() {
                    break;
                }
            }
            let (n, how) = end.unwrap();
            mean_n += probability * f64::from(n);
            match how {
                0 => promising += probability,
                1 => futility += probability,
                2 => toxicity += probability,
                _ => {}
            }
        }
        (promising, futility, toxicity, mean_n)
    }
}

/// Boundaries and P(promising), P(futility stop), P(toxicity stop), E[N] of the library equal the
/// brute-force enumeration of all 4^8 outcome sequences of 8 patients with quadrature posteriors,
/// for both toxicity exponents and associated outcomes.
#[test]
fn joint_bop2_equals_brute_force_enumeration() {
    let looks = [3, 5, 8];
    for (p0, t0, odds_ratio, lambda, gamma, exponent) in [
        (0.3, 0.3, 2.5, 0.8, 1.0, ToxicityExponent::GammaThird),
        (0.4, 0.25, 1.0, 0.7, 0.5, ToxicityExponent::GammaThird),
    ] {
        let design = Bop2Joint::new(looks.to_vec(), (p0, t0, odds_ratio), lambda, gamma, exponent).unwrap();
        let mut brute = Brute::new(&looks, p0, t0, lambda, gamma);
        assert_eq!(design.table(), brute.boundaries(), "p0 {p0}, t0 {t0}");
        for (response, toxicity) in [(p0, t0), (p0 + 0.25, t0 - 0.15), (0.5, 0.5)] {
            let outcome = JointOutcome::new(response, toxicity, odds_ratio).unwrap();
            let oc = design.oc(&outcome);
            let (promising, futility, tox, mean_n) = brute.oc(outcome.cells());
            // Rounding over 65,536 summed products: 1e-11 on probabilities, 1e-10 on E[N].
            let close = |a: f64, b: f64| (a - b).abs() < 1e-11;
            assert!(
                close(oc.reject, promising)
                    && close(oc.futility_stop, futility)
                    && close(oc.toxicity_stop, tox)
                    && (oc.expected_n - mean_n).abs() < 1e-10,
                "{response}, {toxicity}: {oc:?} vs {promising} {futility} {tox} {mean_n}"
            );
        }
    }
}

/// The calibrated design's type I error and power are exact: equal to the enumeration's.
#[test]
fn calibrated_error_rates_equal_enumeration() {
    let looks = [4, 8];
    let lambdas: Vec<f64> = (50..100).map(|i| f64::from(i) / 100.0).collect();
    let gammas: Vec<f64> = (0..=40).map(|i| f64::from(i) / 20.0).collect();
    for null in [JointNull::Paper, JointNull::Composite] {
        let best = Bop2Joint::calibrate(
            looks.to_vec(),
            (0.3, 0.4),
            (0.6, 0.15),
            1.0,
            0.2,
            null,
            ToxicityExponent::GammaThird,
            (&lambdas, &gammas),
        )
        .unwrap();
        let e = best.design.efficacy();
        let mut brute = Brute::new(&looks, 0.3, 0.4, e.lambda(), e.gamma());
        let cells = |r: f64, t: f64| JointOutcome::new(r, t, 1.0).unwrap().cells();
        let mut type1 = brute.oc(cells(0.3, 0.4)).0;
        if null == JointNull::Composite {
            type1 = type1.max(brute.oc(cells(0.3, 0.15)).0).max(brute.oc(cells(0.6, 0.4)).0);
        }
        assert!(
            (best.type1_error - type1).abs() < 1e-12 && type1 <= 0.2,
            "{best:?} vs {type1}"
        );
        assert!((best.power - brute.oc(cells(0.6, 0.15)).0).abs() < 1e-11, "{best:?}");
    }
}

/// The boundaries and exact operating characteristics of the authors' group's code, two
/// settings (one with associated outcomes), to the printed digits.
#[test]
fn joint_bop2_equals_the_authors_code() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/bop2_joint_gbop2.csv"
    ))
    .unwrap();
    let numbers = |s: &str| -> Vec<u32> { s.split(' ').map(|v| v.parse().unwrap()).collect() };
    let settings: HashMap<&str, (f64, f64, f64, f64, f64)> =
        HashMap::from([("A", (0.2, 0.3, 1.0, 0.9, 1.0)), ("B", (0.6, 0.3, 2.0, 0.95, 0.8))]);
    let mut designs = HashMap::new();
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split(',').collect();
        if f[0] == "setting" {
            let (p0, t0, odds_ratio, lambda, gamma) = settings[f[1]];
            let looks = numbers(f[3]);
            let design = Bop2Joint::new(
                looks.clone(),
                (p0, t0, odds_ratio),
                lambda,
                gamma,
                ToxicityExponent::GammaThird,
            )
            .unwrap();
            let expected: Vec<(u32, Option<u32>, Option<u32>)> = looks
                .iter()
                .zip(numbers(f[5]).into_iter().zip(numbers(f[7])))
                .map(|(&n, (e, t))| (n, Some(e), Some(t)))
                .collect();
            assert_eq!(design.table(), expected, "setting {}", f[1]);
            designs.insert(f[1].to_string(), design);
        } else {
            let design = &designs[f[1]];
            let v: Vec<f64> = f[2..].iter().map(|v| v.parse().unwrap()).collect();
            let oc = design.oc(&JointOutcome::new(v[0], v[1], v[2]).unwrap());
            let early = oc.futility_stop + oc.early_toxicity_stop;
            assert!((oc.reject - v[3]).abs() < 1e-11, "{line}: {oc:?}");
            assert!((early - v[4]).abs() <= 5e-5 + 1e-12, "{line}: early stop {early}");
            assert!(
                (oc.expected_n - v[5]).abs() <= 5e-3 + 1e-9,
                "{line}: E[N] {}",
                oc.expected_n
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 8);
}

/// A single-arm scenario with one BOP2 design whose keys are `design` (and a truth with `truth`).
fn single_arm(truth: &str, design: &str) -> String {
    format!(
        "name = \"joint\"\nkind = \"single-arm\"\n[trial]\npatients = 40\naccrual = {{ rate = 2 }}\n\
         [[truth]]\nname = \"t\"\norr = 0.4\ntox = 0.2\npfs = {{ median = 5 }}\nos = {{ median = 10 }}\n{truth}\n\
         [[design]]\nname = \"j\"\nrule = \"bop2\"\np0 = 0.2\nlooks = [10, 20, 30, 40]\n{design}\n"
    )
}

fn parse(text: &str) -> Result<trialsim::scenario::AnyScenario, String> {
    trialsim::scenario::AnyScenario::parse(text, std::path::Path::new("joint.toml")).map_err(|e| e.to_string())
}

/// The scenario keys build the calibrated joint design (the same as the library's), and bad
/// values are refused naming the field.
#[test]
fn scenario_keys_and_bad_input() {
    let text = single_arm(
        "odds_ratio = 2",
        "p1 = 0.4\ntox0 = 0.3\ntox1 = 0.15\nalpha = 0.1\nnull = \"composite\"",
    );
    let Ok(trialsim::scenario::AnyScenario::SingleArm(s)) = parse(&text) else {
        panic!("{text}")
    };
    let joint = s.designs[0].joint.as_ref().expect("a joint design");
    assert_eq!(joint.null, JointNull::Composite);
    assert_eq!(s.truths[0].odds_ratio(), 2.0);
    let lambdas: Vec<f64> = (50..100).map(|i| f64::from(i) / 100.0).collect();
    let gammas: Vec<f64> = (0..=40).map(|i| f64::from(i) / 20.0).collect();
    let expected = Bop2Joint::calibrate(
        vec![10, 20, 30, 40],
        (0.2, 0.3),
        (0.4, 0.15),
        1.0,
        0.1,
        JointNull::Composite,
        ToxicityExponent::GammaThird,
        (&lambdas, &gammas),
    )
    .unwrap();
    assert_eq!(joint.design, expected.design);
    assert!(s.designs[0].design.toxicity().is_some());
    for (truth, design, field, words) in [
        (
            "",
            "p1 = 0.4\ntox0 = 0.3\ntox1 = 0.35",
            "design[1].tox1",
            "less than tox0",
        ),
        ("", "p1 = 0.4\ntox0 = 0.3", "design[1].tox1", "is missing"),
        ("", "p1 = 0.4\ntox1 = 0.15", "design[1].tox1", "give `tox0`"),
        (
            "",
            "p1 = 0.4\ntox0 = 0.3\ntox1 = 0.1\nnull = \"strict\"",
            "design[1].null",
            "\"composite\"",
        ),
        (
            "",
            "p1 = 0.4\ntox0 = 0.3\ntox1 = 0.1\ntox_gamma = \"3\"",
            "design[1].tox_gamma",
            "\"gamma/3\"",
        ),
        (
            "",
            "p1 = 0.4\ntox0 = 0.3\ntox1 = 0.1\nprior = [1, 1]",
            "design[1].prior",
            "Dirichlet",
        ),
        (
            "",
            "lambda = 0.9\ngamma = 1\ntox0 = 0.3\ntox1 = 0.1",
            "design[1].tox1",
            "calibration",
        ),
        ("", "p1 = 0.4\ntox0 = 1.3\ntox1 = 0.1", "design[1].tox0", ""),
        (
            "",
            "p1 = 0.4\ntox0 = 0.3\ntox1 = 0.1\ntoxicity = { limit = 0.3, certainty = 0.9, looks = [10] }",
            "design[1].toxicity",
            "jointly",
        ),
        ("odds_ratio = -1", "p1 = 0.4", "truth[1].odds_ratio", "positive"),
    ] {
        let err = parse(&single_arm(truth, design)).expect_err(design);
        assert!(err.contains(field) && err.contains(words), "{design}: {err}");
    }
}
