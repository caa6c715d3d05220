//! EffTox's efficacy–toxicity trade-off: the desirability of a pair (π_E, π_T) measured from the
//! neutral contour through three equally desirable points (Thall & Cook 2004, Biometrics
//! 60:684–693, section 3; the L^p form of Thall, Herrick, Nguyen, Venier & Norris 2014, Clinical
//! Trials 11:657–666, and of the R package trialr, Brock 2017).
//!
//! With the points (π*_{1,E}, 0) (the response probability that makes a dose worth giving when it
//! is never toxic), (1, π*_{2,T}) (the DLT probability tolerated for a sure response) and
//! (π*_{3,E}, π*_{3,T}) (an intermediate pair judged as desirable), the desirability is
//!
//! δ(π_E, π_T) = 1 − ( ((1 − π_E)/(1 − π*_{1,E}))^p + (π_T/π*_{2,T})^p )^{1/p},
//!
//! zero on the contour, positive below it, with p solved so that the third point lies on it.

/// The neutral trade-off contour of an EffTox design.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Contour {
    /// π*_{1,E}: the response probability as desirable as no response when DLT is impossible
    /// (trialr's `eff0`).
    pub eff0: f64,
    /// π*_{2,T}: the DLT probability tolerated when response is certain (trialr's `tox1`).
    pub tox1: f64,
    /// The exponent of the L^p distance that puts the third point on the contour.
    pub p: f64,
}

/// Why three points define no contour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContourError {
    /// A coordinate is not strictly between 0 and 1.
    OutOfRange,
    /// The third point's response probability is not above `eff0`.
    EfficacyNotAbove,
    /// The third point's DLT probability is not below `tox1`.
    ToxicityNotBelow,
}

impl Contour {
    /// The contour through (eff0, 0), (1, tox1) and (eff_star, tox_star): p solves
    /// a^p + b^p = 1 with a = (1 − eff_star)/(1 − eff0) and b = tox_star/tox1, both in (0, 1),
    /// where a^p + b^p falls strictly from 2 (p → 0) to 0 (p → ∞), so the root is unique; it
    /// is found by bisection on ln p to full double precision.
    pub fn through(eff0: f64, tox1: f64, eff_star: f64, tox_star: f64) -> Result<Contour, ContourError> {
        let inside = |v: f64| v.is_finite() && v > 0.0 && v < 1.0;
        if ![eff0, tox1, eff_star, tox_star].into_iter().all(inside) {
            return Err(ContourError::OutOfRange);
        }
        if eff_star <= eff0 {
            return Err(ContourError::EfficacyNotAbove);
        }
        if tox_star >= tox1 {
            return Err(ContourError::ToxicityNotBelow);
        }
        let (ln_a, ln_b) = (((1.0 - eff_star) / (1.0 - eff0)).ln(), (tox_star / tox1).ln());
        let excess = |p: f64| (p * ln_a).exp() + (p * ln_b).exp() - 1.0;
        let (mut lo, mut hi) = (-40.0f64, 40.0f64);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid == lo || mid == hi {
                break;
            }
            if excess(mid.exp()) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Ok(Contour {
            eff0,
            tox1,
            p: (0.5 * (lo + hi)).exp(),
        })
    }

    /// The desirability δ(π_E, π_T): 0 on the neutral contour, 1 at (1, 0), negative above the
    /// contour.
    pub fn desirability(&self, prob_eff: f64, prob_tox: f64) -> f64 {
        let a = (1.0 - prob_eff) / (1.0 - self.eff0);
        let b = prob_tox / self.tox1;
        1.0 - (a.powf(self.p) + b.powf(self.p)).powf(1.0 / self.p)
    }
}

impl std::fmt::Display for ContourError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ContourError::OutOfRange => "every contour point must lie strictly between 0 and 1",
            ContourError::EfficacyNotAbove => "eff_star must be above eff0",
            ContourError::ToxicityNotBelow => "tox_star must be below tox1",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// trialr's `efftox_solve_p(eff0 = 0.5, tox1 = 0.65, eff_star = 0.7, tox_star = 0.25)` is
    /// 0.977 to three decimals (trialr 0.1.5, tests/testthat/test_efftox.R); the three points
    /// lie on the contour to rounding.
    #[test]
    fn p_puts_the_three_points_on_the_contour() {
        let c = Contour::through(0.5, 0.65, 0.7, 0.25).unwrap();
        assert_eq!((c.p * 1000.0).round(), 977.0);
        for (e, t) in [(0.5, 0.0), (1.0, 0.65), (0.7, 0.25)] {
            assert!(c.desirability(e, t).abs() < 1e-12, "({e}, {t})");
        }
        assert_eq!(c.desirability(1.0, 0.0), 1.0);
    }

    /// By hand: with p = 1 (points (0.5, 0), (1, 0.5), (0.75, 0.25) are collinear) the
    /// desirability is 1 − 2(1 − π_E) − 2π_T, so δ(0.9, 0.1) = 1 − 0.2 − 0.2 = 0.6; with p = 2
    /// (a quarter circle through (0.5, 0), (1, 0.5) and (1 − 0.5/√2, 0.5/√2)),
    /// δ(0.8, 0.3) = 1 − √(0.16 + 0.36) = 1 − √0.52.
    #[test]
    fn desirability_by_hand() {
        let line = Contour::through(0.5, 0.5, 0.75, 0.25).unwrap();
        assert!((line.p - 1.0).abs() < 1e-12);
        assert!((line.desirability(0.9, 0.1) - 0.6).abs() < 1e-12);
        let s = 0.5 / 2f64.sqrt();
        let circle = Contour::through(0.5, 0.5, 1.0 - s, s).unwrap();
        assert!((circle.p - 2.0).abs() < 1e-10);
        assert!((circle.desirability(0.8, 0.3) - (1.0 - 0.52f64.sqrt())).abs() < 1e-10);
    }

    #[test]
    fn points_that_make_no_contour_are_refused() {
        assert_eq!(
            Contour::through(0.5, 0.65, 0.4, 0.25),
            Err(ContourError::EfficacyNotAbove)
        );
        assert_eq!(
            Contour::through(0.5, 0.65, 0.7, 0.7),
            Err(ContourError::ToxicityNotBelow)
        );
        assert_eq!(Contour::through(0.0, 0.65, 0.7, 0.25), Err(ContourError::OutOfRange));
    }
}
