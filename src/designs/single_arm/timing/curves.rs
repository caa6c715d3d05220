//! Survival curves for PFS and OS (exponential, Weibull, piecewise exponential) and a
//! time-to-event truth: a marginal curve with the responders' hazard ratio, split into response
//! strata whose mixture has the given median (see the module documentation of
//! [`timing`](super)).

use crate::designs::single_arm::survival::WeibullSurvival;
use crate::designs::single_arm::{positive, require, SingleArmError};
use std::f64::consts::LN_2;

/// A cumulative hazard of one of two closed-form families.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Hazard {
    /// Λ(t) = rate · t^shape (Weibull; exponential when shape = 1); rate ≥ 0.
    Power { rate: f64, shape: f64 },
    /// Piecewise-constant hazard `rates[j]` on [cuts[j−1], cuts[j]) (cuts[−1] = 0, the last piece
    /// unbounded); `cumulative[j]` = Λ(cuts[j]).
    Piecewise {
        cuts: Vec<f64>,
        rates: Vec<f64>,
        cumulative: Vec<f64>,
    },
}

impl Hazard {
    fn piecewise(cuts: Vec<f64>, rates: Vec<f64>) -> Hazard {
        let mut cumulative = Vec::with_capacity(cuts.len());
        let (mut total, mut start) = (0.0, 0.0);
        for (&cut, &rate) in cuts.iter().zip(&rates) {
            total += rate * (cut - start);
            cumulative.push(total);
            start = cut;
        }
        Hazard::Piecewise {
            cuts,
            rates,
            cumulative,
        }
    }

    pub(super) fn cumulative(&self, t: f64) -> f64 {
        match self {
            Hazard::Power { rate, shape } => rate * t.powf(*shape),
            Hazard::Piecewise {
                cuts,
                rates,
                cumulative,
            } => {
                let j = cuts.partition_point(|&c| c <= t);
                let (start, base) = if j == 0 {
                    (0.0, 0.0)
                } else {
                    (cuts[j - 1], cumulative[j - 1])
                };
                base + rates[j] * (t - start)
            }
        }
    }

    /// The time t with Λ(t) = u (u ≥ 0); infinite when Λ never reaches u.
    pub(super) fn inverse(&self, u: f64) -> f64 {
        match self {
            Hazard::Power { rate, shape } => {
                if *rate <= 0.0 {
                    f64::INFINITY
                } else if *shape == 1.0 {
                    u / rate
                } else {
                    (u / rate).powf(1.0 / shape)
                }
            }
            Hazard::Piecewise {
                cuts,
                rates,
                cumulative,
            } => {
                let j = cumulative.partition_point(|&c| c < u);
                let (start, base) = if j == 0 {
                    (0.0, 0.0)
                } else {
                    (cuts[j - 1], cumulative[j - 1])
                };
                if rates[j] <= 0.0 {
                    f64::INFINITY
                } else {
                    start + (u - base) / rates[j]
                }
            }
        }
    }

    /// Λ'(t) = mult · Λ(scale · t), in the same family.
    fn transformed(&self, scale: f64, mult: f64) -> Hazard {
        match self {
            Hazard::Power { rate, shape } => Hazard::Power {
                rate: mult * rate * scale.powf(*shape),
                shape: *shape,
            },
            Hazard::Piecewise { cuts, rates, .. } => Hazard::piecewise(
                cuts.iter().map(|c| c / scale).collect(),
                rates.iter().map(|r| r * scale * mult).collect(),
            ),
        }
    }

    /// The piecewise form of an exponential or piecewise hazard.
    fn as_piecewise(&self) -> Option<(&[f64], Vec<f64>)> {
        match self {
            Hazard::Power { rate, shape } if *shape == 1.0 => Some((&[], vec![*rate])),
            Hazard::Power { .. } => None,
            Hazard::Piecewise { cuts, rates, .. } => Some((cuts, rates.clone())),
        }
    }

    /// self − other when that is a cumulative hazard (non-decreasing) in a closed-form family;
    /// differences of −1e-12 relative are treated as 0.
    pub(super) fn minus(&self, other: &Hazard) -> Option<Hazard> {
        let tolerance = |a: f64, b: f64| 1e-12 * a.abs().max(b.abs());
        if let (Hazard::Power { rate: a, shape: k }, Hazard::Power { rate: b, shape: l }) = (self, other) {
            if k == l && *k != 1.0 {
                let diff = a - b;
                return (diff >= -tolerance(*a, *b)).then_some(Hazard::Power {
                    rate: diff.max(0.0),
                    shape: *k,
                });
            }
        }
        let (cuts_a, rates_a) = self.as_piecewise()?;
        let (cuts_b, rates_b) = other.as_piecewise()?;
        let mut cuts: Vec<f64> = cuts_a.iter().chain(cuts_b).copied().collect();
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        // The piece starting at j_start(j) (0 for the first) has one rate in each curve.
        let j_start = |j: usize| if j == 0 { 0.0 } else { cuts[j - 1] };
        let mut rates = Vec::with_capacity(cuts.len() + 1);
        for j in 0..=cuts.len() {
            let start = j_start(j);
            let a = rates_a[cuts_a.partition_point(|&c| c <= start)];
            let b = rates_b[cuts_b.partition_point(|&c| c <= start)];
            let diff = a - b;
            if diff < -tolerance(a, b) {
                return None;
            }
            rates.push(diff.max(0.0));
        }
        Some(Hazard::piecewise(cuts, rates))
    }
}

/// A survival curve for PFS or OS: exponential, Weibull, or piecewise exponential.
#[derive(Clone, Debug, PartialEq)]
pub struct SurvivalCurve {
    hazard: Hazard,
    median: f64,
}

impl SurvivalCurve {
    /// Exponential with this median (checked finite and positive as `median`).
    pub fn exponential(median: f64) -> Result<SurvivalCurve, SingleArmError> {
        SurvivalCurve::weibull(median, 1.0)
    }

    /// Weibull S(t) = exp(−ln 2·(t/median)^shape), as [`WeibullSurvival`] (shape 1: exponential).
    pub fn weibull(median: f64, shape: f64) -> Result<SurvivalCurve, SingleArmError> {
        Ok(SurvivalCurve::from(WeibullSurvival::new(median, shape)?))
    }

    /// Piecewise exponential: hazard `hazards[0]` (per month) on \[0, `cuts[0]`), `hazards[j]` on
    /// \[`cuts[j−1]`, `cuts[j]`), and the last hazard after the last cut. Checks that the cuts are
    /// finite, positive and strictly increasing, that there is one more hazard than cuts, each
    /// finite and ≥ 0, and that the last is positive (so the curve falls to 0 and has a median).
    pub fn piecewise(cuts: Vec<f64>, hazards: Vec<f64>) -> Result<SurvivalCurve, SingleArmError> {
        let increasing = cuts.first().is_none_or(|&c| c > 0.0)
            && cuts.iter().all(|c| c.is_finite())
            && cuts.windows(2).all(|w| w[0] < w[1]);
        require(
            increasing,
            "cuts",
            format!("{cuts:?}"),
            "finite, positive and strictly increasing",
        )?;
        require(
            hazards.len() == cuts.len() + 1
                && hazards.iter().all(|h| h.is_finite() && *h >= 0.0)
                && hazards.last().is_some_and(|&h| h > 0.0),
            "hazards",
            format!("{hazards:?}"),
            "one more than the cuts, finite and ≥ 0, the last positive",
        )?;
        let hazard = Hazard::piecewise(cuts, hazards);
        let median = hazard.inverse(LN_2);
        Ok(SurvivalCurve { hazard, median })
    }

    /// The median survival time.
    pub fn median(&self) -> f64 {
        self.median
    }

    /// Λ(t), for t ≥ 0.
    pub fn cumulative_hazard(&self, t: f64) -> f64 {
        self.hazard.cumulative(t)
    }

    /// S(t) = exp(−Λ(t)).
    pub fn survival(&self, t: f64) -> f64 {
        (-self.cumulative_hazard(t)).exp()
    }

    /// The time t with Λ(t) = u (u ≥ 0).
    pub fn time_at_cumulative_hazard(&self, u: f64) -> f64 {
        self.hazard.inverse(u)
    }
}

impl From<WeibullSurvival> for SurvivalCurve {
    fn from(w: WeibullSurvival) -> SurvivalCurve {
        SurvivalCurve {
            hazard: Hazard::Power {
                rate: LN_2 / w.median().powf(w.shape()),
                shape: w.shape(),
            },
            median: w.median(),
        }
    }
}

/// A time-to-event endpoint's truth: its marginal curve and the responders' hazard ratio
/// against non-responders (1: survival independent of response).
#[derive(Clone, Debug, PartialEq)]
pub struct TimeToEvent {
    curve: SurvivalCurve,
    responder_hr: f64,
}

impl TimeToEvent {
    /// Checks that `responder_hr` is finite and positive.
    pub fn new(curve: SurvivalCurve, responder_hr: f64) -> Result<TimeToEvent, SingleArmError> {
        Ok(TimeToEvent {
            curve,
            responder_hr: positive("responder_hr", responder_hr)?,
        })
    }

    /// Survival independent of response.
    pub fn independent(curve: SurvivalCurve) -> TimeToEvent {
        TimeToEvent {
            curve,
            responder_hr: 1.0,
        }
    }

    /// The marginal curve (its median is the marginal median of the simulated patients).
    pub fn curve(&self) -> &SurvivalCurve {
        &self.curve
    }

    /// Responders' hazard ratio against non-responders.
    pub fn responder_hr(&self) -> f64 {
        self.responder_hr
    }

    /// The time scale s of the non-responders' curve Λ(s·t) for which the mixture with response
    /// rate `orr` has the given median (see the module documentation).
    pub fn nonresponder_scale(&self, orr: f64) -> f64 {
        let h = self.responder_hr;
        let marginal = |v: f64| orr * (-h * v).exp() + (1.0 - orr) * (-v).exp() - 0.5;
        let (mut lo, mut hi) = (LN_2 * h.recip().min(1.0), LN_2 * h.recip().max(1.0));
        // marginal(lo) ≥ 0 ≥ marginal(hi); 200 halvings reach adjacent floats.
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if marginal(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let v = 0.5 * (lo + hi);
        self.curve.time_at_cumulative_hazard(v) / self.curve.median()
    }

    /// Cumulative hazards of (non-responders, responders) at response rate `orr`.
    pub(super) fn strata(&self, orr: f64) -> [Hazard; 2] {
        let s = self.nonresponder_scale(orr);
        [
            self.curve.hazard.transformed(s, 1.0),
            self.curve.hazard.transformed(s, self.responder_hr),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn curves_invert_and_have_their_median() {
        let w = SurvivalCurve::weibull(9.0, 1.22).unwrap();
        assert!(close(w.survival(9.0), 0.5, 1e-14));
        assert!(close(
            w.time_at_cumulative_hazard(w.cumulative_hazard(13.0)),
            13.0,
            1e-12
        ));
        let reference = WeibullSurvival::new(9.0, 1.22).unwrap();
        assert!(close(w.cumulative_hazard(4.0), reference.cumulative_hazard(4.0), 1e-14));
        let p = SurvivalCurve::piecewise(vec![3.0, 12.0], vec![0.02, 0.1, 0.05]).unwrap();
        // Λ(3) = 0.06, Λ(12) = 0.96 > ln 2: the median is in the middle piece.
        assert!(close(p.median(), 3.0 + (LN_2 - 0.06) / 0.1, 1e-12));
        assert!(close(p.survival(p.median()), 0.5, 1e-14));
        for t in [0.0, 1.0, 3.0, 7.5, 12.0, 40.0] {
            assert!(
                close(p.time_at_cumulative_hazard(p.cumulative_hazard(t)), t, 1e-12),
                "{t}"
            );
        }
        assert!(close(p.cumulative_hazard(20.0), 0.96 + 0.05 * 8.0, 1e-14));
    }

    /// The non-responders' time scale makes the mixture's median the given one, for Weibull and
    /// piecewise curves, and hazard ratios below and above 1.
    #[test]
    fn marginal_median_is_the_given_median() {
        let curves = [
            SurvivalCurve::weibull(10.0, 1.3).unwrap(),
            SurvivalCurve::piecewise(vec![2.0, 6.0], vec![0.05, 0.15, 0.08]).unwrap(),
        ];
        for curve in curves {
            for (orr, hr) in [(0.3, 0.5), (0.6, 0.3), (0.4, 1.7), (0.0, 0.5), (1.0, 0.5)] {
                let tte = TimeToEvent::new(curve.clone(), hr).unwrap();
                let [nr, r] = tte.strata(orr);
                let m = curve.median();
                let s = orr * (-r.cumulative(m)).exp() + (1.0 - orr) * (-nr.cumulative(m)).exp();
                assert!(close(s, 0.5, 1e-12), "{orr} {hr}: {s}");
            }
        }
        let tte = TimeToEvent::independent(SurvivalCurve::exponential(7.0).unwrap());
        assert!(close(tte.nonresponder_scale(0.4), 1.0, 1e-14));
    }
}
