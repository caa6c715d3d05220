//! Exact building blocks shared by the single-arm designs: binomial and beta-binomial
//! probabilities, the conjugate Beta prior, and the exact operating characteristics of any design
//! that counts responses after fixed numbers of patients and stops for futility.
//!
//! Every design here ([`SimonDesign`](super::SimonDesign), [`Bop2`](super::Bop2),
//! [`PredictiveDesign`](super::PredictiveDesign), or a single-stage exact binomial test) reduces
//! to [`Boundaries`]: at look k, after `looks[k]` patients, the trial goes on only if it has at
//! least `min_responses[k]` responses; at the last look that same count rejects H0. The operating
//! characteristics then follow by exact recursion over the response count (convolving binomial
//! increments between looks), as in Simon (1989) and Lee & Liu (2008), with no Monte Carlo error.

use super::{open_unit, positive, require, SingleArmError};
use crate::core::stats::beta_sf;
use crate::core::stats::{beta_binomial_pmf, binomial_pmf};

/// A Beta(a, b) prior on the response rate, updated by binomial data (conjugate).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BetaPrior {
    a: f64,
    b: f64,
}

impl BetaPrior {
    /// Beta(a, b), with both parameters finite and positive (checked as `prior_a`, `prior_b`).
    pub fn new(a: f64, b: f64) -> Result<BetaPrior, SingleArmError> {
        Ok(BetaPrior {
            a: positive("prior_a", a)?,
            b: positive("prior_b", b)?,
        })
    }

    /// The first shape parameter a.
    pub fn a(&self) -> f64 {
        self.a
    }

    /// The second shape parameter b.
    pub fn b(&self) -> f64 {
        self.b
    }

    /// Posterior P(p > p0 | x responses in n patients) = P(Beta(a + x, b + n − x) > p0).
    pub fn posterior_exceeds(&self, p0: f64, x: u32, n: u32) -> f64 {
        beta_sf(p0, self.a + f64::from(x), self.b + f64::from(n - x))
    }

    /// Predictive distribution of the responses among `m` more patients after x responses in n:
    /// Beta-binomial(m, a + x, b + n − x) (Lee & Liu 2008, eq. 1).
    pub fn predictive_pmf(&self, x: u32, n: u32, m: u32) -> Vec<f64> {
        beta_binomial_pmf(m, self.a + f64::from(x), self.b + f64::from(n - x))
    }
}

/// Checks that looks are a non-empty, strictly increasing list of patient counts ≥ 1.
pub(super) fn check_looks(looks: &[u32]) -> Result<(), SingleArmError> {
    let increasing = looks.first().is_some_and(|&n| n >= 1) && looks.windows(2).all(|w| w[0] < w[1]);
    require(
        increasing,
        "looks",
        format!("{looks:?}"),
        "a non-empty, strictly increasing list of counts ≥ 1",
    )
}

/// The decision counts of a single-arm design with looks at fixed numbers of patients.
///
/// At look k (after `looks[k]` patients) the trial stops for futility when it has fewer than
/// `min_responses[k]` responses; at the last look, reaching `min_responses` rejects H0. A
/// single-stage exact binomial test "reject if more than r of n" is `new(vec![n], vec![r + 1])`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Boundaries {
    looks: Vec<u32>,
    min_responses: Vec<u32>,
}

/// Exact operating characteristics of a design at one true response rate.
#[derive(Clone, Debug, PartialEq)]
pub struct OperatingCharacteristics {
    /// P(reject H0), i.e. the regimen is declared promising (the type I error at p0, power at p1).
    pub reject: f64,
    /// P(the trial stops for futility at a look before the last).
    pub early_stop: f64,
    /// Expected number of patients.
    pub expected_n: f64,
    /// P(the trial ends at look k), for every look (the last entry: it reaches the final analysis).
    pub end_at_look: Vec<f64>,
}

impl Boundaries {
    /// Checks the looks (non-empty, strictly increasing, ≥ 1) and that there is one count per look,
    /// each at most the look's patients + 1 (which never goes on, or never rejects).
    pub fn new(looks: Vec<u32>, min_responses: Vec<u32>) -> Result<Boundaries, SingleArmError> {
        check_looks(&looks)?;
        require(
            min_responses.len() == looks.len() && min_responses.iter().zip(&looks).all(|(&m, &n)| m <= n + 1),
            "min_responses",
            format!("{min_responses:?}"),
            "one count per look, each at most the look's sample size + 1",
        )?;
        Ok(Boundaries { looks, min_responses })
    }

    /// For designs that derive valid counts themselves.
    pub(super) fn from_valid(looks: Vec<u32>, min_responses: Vec<u32>) -> Boundaries {
        debug_assert!(Boundaries::new(looks.clone(), min_responses.clone()).is_ok());
        Boundaries { looks, min_responses }
    }

    /// Numbers of patients at the looks; the last is the maximum sample size.
    pub fn looks(&self) -> &[u32] {
        &self.looks
    }

    /// Responses needed at each look to go on (at the last look: to reject H0).
    pub fn min_responses(&self) -> &[u32] {
        &self.min_responses
    }

    /// The futility boundaries as papers print them: stop (at the last look: do not reject H0)
    /// if responses ≤ this; `None` where no count stops.
    pub fn futility(&self) -> Vec<Option<u32>> {
        self.min_responses.iter().map(|&m| m.checked_sub(1)).collect()
    }

    /// Exact operating characteristics when every patient responds with probability `p`
    /// (in [0, 1]): the distribution of the response count among trials still running is carried
    /// from look to look by convolution with Binomial(n_k − n_{k−1}, p), and the mass below the
    /// boundary is removed at each look.
    ///
    /// # Panics
    /// If `p` is not in [0, 1].
    pub fn oc(&self, p: f64) -> OperatingCharacteristics {
        assert!((0.0..=1.0).contains(&p), "response probability {p} is not in [0, 1]");
        let last = self.looks.len() - 1;
        let mut running = vec![1.0];
        let mut previous = 0;
        let mut end_at_look = Vec::with_capacity(self.looks.len());
        let mut reject = 0.0;
        for (k, (&n, &m)) in self.looks.iter().zip(&self.min_responses).enumerate() {
            let step = binomial_pmf(n - previous, p);
            let mut next = vec![0.0; n as usize + 1];
            for (x, &mass) in running.iter().enumerate() {
                for (y, &q) in step.iter().enumerate() {
                    next[x + y] += mass * q;
                }
            }
            let (stop, go_on) = next.split_at_mut(m as usize);
            if k == last {
                reject = go_on.iter().sum();
                end_at_look.push(stop.iter().sum::<f64>() + reject);
            } else {
                end_at_look.push(stop.iter().sum());
                stop.fill(0.0);
            }
            running = next;
            previous = n;
        }
        OperatingCharacteristics {
            reject,
            early_stop: end_at_look[..last].iter().sum(),
            expected_n: self
                .looks
                .iter()
                .zip(&end_at_look)
                .map(|(&n, &q)| f64::from(n) * q)
                .sum(),
            end_at_look,
        }
    }
}

/// A design whose decisions are fixed [`Boundaries`], so its operating characteristics are exact.
pub trait ExactDesign {
    /// The design's decision counts.
    fn boundaries(&self) -> &Boundaries;

    /// Exact operating characteristics at true response rate `p` (see [`Boundaries::oc`]).
    fn oc(&self, p: f64) -> OperatingCharacteristics {
        self.boundaries().oc(p)
    }
}

impl ExactDesign for Boundaries {
    fn boundaries(&self) -> &Boundaries {
        self
    }
}

/// A design chosen by a calibration search, with its exact error rates.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibrated<D> {
    /// The design chosen.
    pub design: D,
    /// P(reject H0) at p0.
    pub type1_error: f64,
    /// P(reject H0) at p1.
    pub power: f64,
}

/// The most powerful candidate at `p1` among those whose type I error at `p0` is at most `alpha`
/// (ties: the first in order); the common last step of the BOP2 and predictive calibrations.
pub(super) fn most_powerful<D: ExactDesign>(
    candidates: impl IntoIterator<Item = D>,
    p0: f64,
    p1: f64,
    alpha: f64,
) -> Result<Calibrated<D>, SingleArmError> {
    let mut best: Option<Calibrated<D>> = None;
    for design in candidates {
        let type1_error = design.oc(p0).reject;
        if type1_error > alpha {
            continue;
        }
        let power = design.oc(p1).reject;
        if best.as_ref().is_none_or(|b| power > b.power) {
            best = Some(Calibrated {
                design,
                type1_error,
                power,
            });
        }
    }
    best.ok_or(SingleArmError::NoCalibratedDesign { alpha })
}

/// Checks a calibration target: 0 < p0 < p1 < 1 and 0 < alpha < 1.
pub(super) fn check_target(p0: f64, p1: f64, alpha: f64) -> Result<(), SingleArmError> {
    open_unit("p0", p0)?;
    open_unit("p1", p1)?;
    require(p1 > p0, "p1", p1, "greater than p0")?;
    open_unit("alpha", alpha)?;
    Ok(())
}

/// Per look, a statistic that grows with the response count (a posterior or a predictive
/// probability), tabulated once so that many thresholds can be tried cheaply.
pub(super) struct MonotoneScores {
    looks: Vec<u32>,
    /// `scores[k][x]` for x = 0…looks[k].
    scores: Vec<Vec<f64>>,
}

impl MonotoneScores {
    /// Tabulates `score(x, n)` at every look n and count x ≤ n (looks already checked).
    pub(super) fn new(looks: &[u32], score: impl Fn(u32, u32) -> f64) -> MonotoneScores {
        MonotoneScores {
            looks: looks.to_vec(),
            scores: looks.iter().map(|&n| (0..=n).map(|x| score(x, n)).collect()).collect(),
        }
    }

    /// The last look, the maximum sample size.
    pub(super) fn n_max(&self) -> u32 {
        self.looks[self.looks.len() - 1]
    }

    /// Boundaries that go on (at the last look: reject H0) when the score at look n reaches
    /// `threshold(n)`.
    pub(super) fn boundaries(&self, threshold: impl Fn(u32) -> f64) -> Boundaries {
        let min_responses = self
            .looks
            .iter()
            .zip(&self.scores)
            .map(|(&n, row)| {
                let t = threshold(n);
                row.partition_point(|&s| s < t) as u32
            })
            .collect();
        Boundaries::from_valid(self.looks.clone(), min_responses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::stats::upper_tail;

    /// A single-stage test: P(reject) is the binomial upper tail, no early stop.
    #[test]
    fn single_stage_oc_is_the_binomial_tail() {
        let design = Boundaries::new(vec![20], vec![8]).unwrap();
        let oc = design.oc(0.3);
        assert!((oc.reject - upper_tail(&binomial_pmf(20, 0.3))[8]).abs() < 1e-14);
        assert_eq!(oc.early_stop, 0.0);
        assert!((oc.expected_n - 20.0).abs() < 1e-12);
        assert_eq!(design.futility(), vec![Some(7)]);
    }

    #[test]
    fn invalid_boundaries_name_the_parameter() {
        let err = Boundaries::new(vec![10, 10], vec![1, 2]).unwrap_err();
        assert!(
            matches!(err, SingleArmError::InvalidParameter { name: "looks", .. }),
            "{err}"
        );
        let err = Boundaries::new(vec![10], vec![12]).unwrap_err();
        assert!(
            matches!(
                err,
                SingleArmError::InvalidParameter {
                    name: "min_responses",
                    ..
                }
            ),
            "{err}"
        );
        assert!(BetaPrior::new(0.0, 1.0).is_err());
    }
}
