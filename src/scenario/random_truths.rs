//! `[random_truths]`: operating characteristics averaged over random dose-toxicity curves, the way
//! reviewers ask "how does the design do on average", besides the scenario's hand-picked truths.
//!
//! The curves are drawn by the pseudo-uniform algorithm of Clertant & O'Quigley (2017,
//! "Semiparametric dose finding methods", *Journal of the Royal Statistical Society B* 79(5),
//! 1487–1508), in the three steps that Zhou, Murray, Pan & Yuan (2018, "Comparative review of
//! novel model-assisted designs for phase I clinical trials", *Statistics in Medicine* 37(14),
//! 2208–2222, section 4) state for target φ and K doses:
//!
//! 1. the MTD j is one of the K doses, each with probability 1/K;
//! 2. M ~ Beta(max(K − j, 0.5), 1), and B = φ + (1 − φ)·M bounds the curve;
//! 3. K probabilities are drawn uniformly on [0, B] and sorted, again until dose j is the one
//!    closest to φ.
//!
//! The MTD is therefore uniform over the doses, and is the dose whose true P(DLT) is closest to
//! the target (as the papers define it), which is how a run judges each curve.
//!
//! Curve c is drawn from a stream of its own, keyed by (`seed`, c) ([`CURVE_STREAM`]): the curves
//! do not depend on the run's seed, its trials, threads or shards, nor on how many curves are
//! drawn after them.

use super::raw::Errors;
use super::{FieldPath, ScenarioError, TrialSettings};
use crate::core::random::trial_rng;
use rand::Rng;
use serde::Deserialize;

/// Most curves a run may average over.
pub const MAX_CURVES: i64 = 100_000;

/// The curves' seed offset ("curves!!" in ASCII), XOR-ed into `[random_truths] seed`.
pub const CURVE_STREAM: u64 = 0x6375_7276_6573_2121;

/// Most draws of step 3 for one curve before the generator gives up (never reached with the
/// doses a scenario may have; a bound, so that a bug cannot loop forever).
const MAX_DRAWS: u32 = 10_000_000;

/// How the random curves are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurveMethod {
    /// Clertant & O'Quigley's (2017) pseudo-uniform curves (`method = "pseudo-uniform"`).
    PseudoUniform,
}

impl CurveMethod {
    /// The name in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            CurveMethod::PseudoUniform => "pseudo-uniform",
        }
    }

    /// The paper(s) it follows.
    pub fn citation(self) -> &'static str {
        match self {
            CurveMethod::PseudoUniform => {
                "Clertant M, O'Quigley J (2017). Semiparametric dose finding methods. J R Stat Soc B 79(5):1487-1508; \
                 as stated by Zhou H, Murray TA, Pan H, Yuan Y (2018). Comparative review of novel model-assisted \
                 designs for phase I clinical trials. Stat Med 37(14):2208-2222"
            }
        }
    }
}

/// `[random_truths]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct RandomTruths {
    /// How many curves (`curves`).
    pub curves: u32,
    /// The target around which the curves are drawn (`target`, default `[trial] target`).
    pub target: f64,
    /// The doses of each curve (`doses`, equal to `[trial] doses`' count).
    pub doses: usize,
    /// The curves' own seed (`seed`), independent of `[simulation] seed`.
    pub seed: u64,
    /// How the curves are drawn (`method`, default "pseudo-uniform").
    pub method: CurveMethod,
}

/// One random curve: its true P(DLT) per dose and its MTD.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// True P(DLT) per dose, increasing.
    pub dlt: Vec<f64>,
    /// The MTD: the dose whose P(DLT) is closest to the target (0-based).
    pub mtd: usize,
}

/// `[random_truths]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRandomTruths {
    curves: i64,
    target: Option<f64>,
    doses: Option<i64>,
    seed: i64,
    method: Option<String>,
}

/// Validates `[random_truths]` against the scenario's `[trial]`; random curves are simulated by
/// the dose-finding engine only (no calendar time, no exact enumeration: `timed`, `exact`) and
/// give no efficacy (`efficacy`: a design of the scenario decides on responses).
pub(super) fn validate(
    raw: RawRandomTruths,
    trial: &TrialSettings,
    (timed, exact, efficacy): (bool, bool, bool),
    errors: &Errors,
) -> Result<RandomTruths, ScenarioError> {
    let path = FieldPath::default().key("random_truths");
    let refuse = |why: &str| Err(errors.field(&path, why.to_string()));
    if timed {
        return refuse("random truths are simulated without calendar time: remove [timing] or [random_truths]");
    }
    if exact {
        return refuse("random truths are simulated: set [simulation] method = \"simulate\" or remove [random_truths]");
    }
    if efficacy {
        return refuse("random curves give no P(response), which a phase I/II design of this scenario decides on");
    }
    let curves = errors.integer(&path.key("curves"), raw.curves, 2, MAX_CURVES)? as u32;
    let target = match raw.target {
        Some(t) => errors.probability(&path.key("target"), t, true)?,
        None => trial.target,
    };
    let num_doses = trial.doses.len();
    if let Some(doses) = raw.doses {
        if doses != num_doses as i64 {
            return Err(errors.field(
                &path.key("doses"),
                format!("is {doses}, but [trial] doses lists {num_doses} dose levels: they must be equal"),
            ));
        }
    }
    let seed = errors.integer(&path.key("seed"), raw.seed, 0, i64::MAX)? as u64;
    let method = match raw.method.as_deref() {
        None | Some("pseudo-uniform") => CurveMethod::PseudoUniform,
        Some(other) => {
            return Err(errors.field(
                &path.key("method"),
                format!("unknown method '{other}'; expected \"pseudo-uniform\""),
            ))
        }
    };
    Ok(RandomTruths {
        curves,
        target,
        doses: num_doses,
        seed,
        method,
    })
}

impl RandomTruths {
    /// Curve `c` (0-based), from its own stream.
    pub fn curve(&self, c: u32) -> Curve {
        match self.method {
            CurveMethod::PseudoUniform => pseudo_uniform(
                self.target,
                self.doses,
                &mut trial_rng(self.seed ^ CURVE_STREAM, u64::from(c)),
            ),
        }
    }

    /// Every curve, in order.
    pub fn draw(&self) -> Vec<Curve> {
        (0..self.curves).map(|c| self.curve(c)).collect()
    }
}

/// The dose whose probability is closest to `target` (ties: the lower dose).
pub fn closest(dlt: &[f64], target: f64) -> usize {
    let distance = |d: usize| (dlt[d] - target).abs();
    (0..dlt.len()).fold(0, |best, d| if distance(d) < distance(best) { d } else { best })
}

/// Step 2's M ~ Beta(max(K − j, 0.5), 1) for MTD `mtd` (0-based, so K − j = doses − 1 − mtd):
/// Beta(a, 1) has CDF m^a, so M = U^(1/a).
fn beta_m(doses: usize, mtd: usize, rng: &mut impl Rng) -> f64 {
    let a = ((doses - 1 - mtd) as f64).max(0.5);
    rng.random::<f64>().powf(1.0 / a)
}

/// One pseudo-uniform curve of `doses` doses around `target` (see the module documentation).
pub fn pseudo_uniform(target: f64, doses: usize, rng: &mut impl Rng) -> Curve {
    let mtd = rng.random_range(0..doses);
    let bound = target + (1.0 - target) * beta_m(doses, mtd, rng);
    let mut dlt = vec![0.0; doses];
    for _ in 0..MAX_DRAWS {
        for p in dlt.iter_mut() {
            *p = bound * rng.random::<f64>();
        }
        dlt.sort_by(f64::total_cmp);
        if closest(&dlt, target) == mtd {
            return Curve { dlt, mtd };
        }
    }
    panic!(
        "no pseudo-uniform curve of {doses} doses with MTD {} in {MAX_DRAWS} draws",
        mtd + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(curves: u32, doses: usize, target: f64) -> RandomTruths {
        RandomTruths {
            curves,
            target,
            doses,
            seed: 17,
            method: CurveMethod::PseudoUniform,
        }
    }

    /// The MTD is uniform over the doses (step 1, kept by the acceptance in step 3): Pearson's
    /// χ² over 6 doses (5 degrees of freedom) of 30,000 curves is below 25.7 (p = 10⁻⁴), and each
    /// curve is increasing, within [0, 1], with its MTD the dose closest to the target.
    #[test]
    fn mtd_is_uniform_over_the_doses() {
        for (doses, target) in [(6, 0.25), (4, 0.3), (8, 0.2)] {
            let random = settings(30_000, doses, target);
            let mut counts = vec![0u32; doses];
            for curve in random.draw() {
                assert!(curve.dlt.windows(2).all(|w| w[0] <= w[1]));
                assert!(curve.dlt.iter().all(|&p| (0.0..=1.0).contains(&p)));
                assert_eq!(closest(&curve.dlt, target), curve.mtd);
                counts[curve.mtd] += 1;
            }
            let expected = 30_000.0 / doses as f64;
            let chi2: f64 = counts
                .iter()
                .map(|&c| (f64::from(c) - expected).powi(2) / expected)
                .sum();
            let critical = [0.0, 0.0, 0.0, 21.1, 23.5, 25.7, 27.9, 29.9][doses - 1];
            assert!(chi2 < critical, "{doses} doses: MTD counts {counts:?}, χ² = {chi2:.1}");
        }
    }

    /// Step 2's M has CDF m^a with a = max(K − j, 0.5): for K = 6 and each MTD j, the share of
    /// 20,000 draws with M ≤ 0.6 is 0.6^a within 4 binomial standard errors (a uniform M, or
    /// a = K − j without the 0.5 floor at the top dose, fails).
    #[test]
    fn the_bound_follows_the_beta_law() {
        let mut rng = trial_rng(5, 0);
        for mtd in 0..6 {
            let a = ((5 - mtd) as f64).max(0.5);
            let expected = 0.6f64.powf(a);
            let n = 20_000;
            let below = (0..n).filter(|_| beta_m(6, mtd, &mut rng) <= 0.6).count() as f64 / f64::from(n);
            let z = (below - expected) / (expected * (1.0 - expected) / f64::from(n)).sqrt();
            assert!(
                z.abs() < 4.0,
                "MTD {}: P(M ≤ 0.6) = {below:.4}, expected {expected:.4}, z = {z:.2}",
                mtd + 1
            );
        }
    }

    /// A curve depends only on (seed, index): the first curves of a longer draw are the same.
    #[test]
    fn curves_come_from_their_own_streams() {
        let short = settings(5, 6, 0.3).draw();
        let long = settings(50, 6, 0.3).draw();
        assert_eq!(short[..], long[..5]);
        let other = RandomTruths {
            seed: 18,
            ..settings(5, 6, 0.3)
        }
        .draw();
        assert_ne!(short, other);
    }
}
