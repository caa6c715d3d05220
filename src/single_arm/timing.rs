//! The simulated patients of a single-arm phase 2 trial: true response, toxicity and survival
//! models ([`SingleArmTruth`]), calendar time ([`StudyTiming`]: accrual, assessment window,
//! minimum follow-up, dropout), and the construction of patients from latent uniforms.
//!
//! # Common random numbers
//!
//! Patient i of trial t draws [`LATENTS_PER_PATIENT`] 53-bit uniforms from the trial's stream
//! ([`trial_rng`](crate::sim::rng::trial_rng)), always in the order [`Latent`] lists them (arrival
//! gap, response, toxicity, PFS, OS, dropout), then the trial draws one more (the spacing that
//! closes uniform accrual). Every truth and every design of a run is applied to these same
//! uniforms, so the same patients are compared: a patient responds under a truth with ORR p iff
//! u_response < p, has a limiting toxicity iff u_toxicity < p_tox, and their survival times are
//! inverse-cumulative-hazard transforms of u_pfs and u_os.
//!
//! # Survival model
//!
//! PFS and OS are each given as a marginal curve ([`SurvivalCurve`]: exponential, Weibull or
//! piecewise exponential) and an optional responder hazard ratio h ([`TimeToEvent`]): a
//! responder's cumulative hazard is h·Λ_nr(t), a non-responder's Λ_nr(t) = Λ(s·t), with Λ the
//! given curve and s > 0 the time scale that makes the *marginal* median (the mixture
//! ORR·S_r + (1 − ORR)·S_nr) equal the given median. With v = Λ(s·m) the equation is
//! ORR·e^{−h·v} + (1 − ORR)·e^{−v} = 1/2, solved for v by bisection on the bracket
//! [ln 2·min(1, 1/h), ln 2·max(1, 1/h)], then s = Λ⁻¹(v)/m. (With h = 1, s = 1 and the curve is
//! used as given.) Only the median of the mixture is matched; its shape is a mixture of two scaled
//! copies of the given curve.
//!
//! PFS ≤ OS with both marginals exact: within each response stratum, OS is drawn from its curve,
//! and PFS = min(P, OS) where P is a latent progression time independent of OS with cumulative
//! hazard Λ_PFS − Λ_OS (the competing-risks reading "PFS event = progression or death"), so
//! P(PFS > t) = S_PFS(t) exactly. This needs the PFS hazard to be at least the OS hazard at every
//! time in both strata; the constructor checks it, which holds for exponential or piecewise
//! exponential curves with pointwise larger PFS hazards, and for Weibull curves of the same
//! shape with the PFS median at most the OS median (with equal responder hazard ratios; other
//! combinations are checked exactly). Weibull curves of different shapes always cross and are
//! rejected.

use super::survival::WeibullSurvival;
use super::{positive, require, SingleArmError};
use crate::sim::rng::dlt_threshold;
use rand::RngCore;
use std::f64::consts::LN_2;

/// Number of latent uniforms each patient draws.
pub const LATENTS_PER_PATIENT: usize = 6;

/// The latent uniforms of a patient, in the order they are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latent {
    /// The exponential spacing before this patient's entry.
    ArrivalGap = 0,
    Response = 1,
    Toxicity = 2,
    Pfs = 3,
    Os = 4,
    Dropout = 5,
}

/// One patient's latent uniforms, as 53-bit integers k (the uniform is (k + 1/2)/2^53 for
/// transforms, so it is never 0 or 1; a Bernoulli(p) event is k < ⌈p·2^53⌉).
pub type PatientLatents = [u64; LATENTS_PER_PATIENT];

/// Draws the latents of `patients` patients, then the closing spacing, from `rng`, into `out`
/// (cleared first); returns the closing spacing's latent.
pub fn draw_latents(rng: &mut impl RngCore, patients: usize, out: &mut Vec<PatientLatents>) -> u64 {
    out.clear();
    for _ in 0..patients {
        let mut row = [0u64; LATENTS_PER_PATIENT];
        for slot in &mut row {
            *slot = rng.next_u64() >> 11;
        }
        out.push(row);
    }
    rng.next_u64() >> 11
}

/// The uniform (k + 1/2)/2^53 in (0, 1).
#[inline]
fn uniform(k: u64) -> f64 {
    (k as f64 + 0.5) * (1.0 / 9_007_199_254_740_992.0)
}

/// A standard exponential, −ln u, from a latent (always finite and > 0).
#[inline]
fn exponential(k: u64) -> f64 {
    -uniform(k).ln()
}

/// A cumulative hazard of one of two closed-form families.
#[derive(Clone, Debug, PartialEq)]
enum Hazard {
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

    fn cumulative(&self, t: f64) -> f64 {
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
    fn inverse(&self, u: f64) -> f64 {
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
    fn minus(&self, other: &Hazard) -> Option<Hazard> {
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
    fn strata(&self, orr: f64) -> [Hazard; 2] {
        let s = self.nonresponder_scale(orr);
        [
            self.curve.hazard.transformed(s, 1.0),
            self.curve.hazard.transformed(s, self.responder_hr),
        ]
    }
}

/// One truth of a single-arm trial: response rate, toxicity probability, PFS and OS.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmTruth {
    name: String,
    orr: f64,
    p_tox: f64,
    pfs: TimeToEvent,
    os: TimeToEvent,
    response_threshold: u64,
    toxicity_threshold: u64,
    /// OS cumulative hazard by stratum (0: non-responders, 1: responders).
    os_hazard: [Hazard; 2],
    /// Latent progression cumulative hazard Λ_PFS − Λ_OS by stratum.
    progression_hazard: [Hazard; 2],
}

impl SingleArmTruth {
    /// Checks `orr` and `p_tox` in [0, 1] and that PFS can be at most OS with both marginals
    /// exact (the PFS hazard at least the OS hazard at all times in each stratum; see the module
    /// documentation), else names `pfs`.
    pub fn new(
        name: impl Into<String>,
        orr: f64,
        p_tox: f64,
        pfs: TimeToEvent,
        os: TimeToEvent,
    ) -> Result<SingleArmTruth, SingleArmError> {
        require((0.0..=1.0).contains(&orr), "orr", orr, "in [0, 1]")?;
        require((0.0..=1.0).contains(&p_tox), "p_tox", p_tox, "in [0, 1]")?;
        let os_hazard = os.strata(orr);
        let pfs_hazard = pfs.strata(orr);
        let difference = |g: usize| pfs_hazard[g].minus(&os_hazard[g]);
        let (Some(nonresponders), Some(responders)) = (difference(0), difference(1)) else {
            return Err(SingleArmError::InvalidParameter {
                name: "pfs",
                value: format!(
                    "median {} (responder HR {}) against OS median {} (responder HR {})",
                    pfs.curve.median, pfs.responder_hr, os.curve.median, os.responder_hr
                ),
                requirement: "a curve whose hazard is at least OS's at every time in each response stratum \
                              (same-shape Weibull, or exponential/piecewise exponential curves)",
            });
        };
        Ok(SingleArmTruth {
            name: name.into(),
            orr,
            p_tox,
            pfs,
            os,
            response_threshold: dlt_threshold(orr),
            toxicity_threshold: dlt_threshold(p_tox),
            os_hazard,
            progression_hazard: [nonresponders, responders],
        })
    }

    /// The truth's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True objective response rate.
    pub fn orr(&self) -> f64 {
        self.orr
    }

    /// True probability of a limiting toxicity.
    pub fn p_tox(&self) -> f64 {
        self.p_tox
    }

    /// PFS truth.
    pub fn pfs(&self) -> &TimeToEvent {
        &self.pfs
    }

    /// OS truth.
    pub fn os(&self) -> &TimeToEvent {
        &self.os
    }

    /// Marginal P(OS > t) of the simulated patients (the response-stratum mixture).
    pub fn os_survival(&self, t: f64) -> f64 {
        self.mixture(&self.os_hazard, t)
    }

    /// Marginal P(PFS > t) of the simulated patients (equal to the given PFS curve's mixture).
    pub fn pfs_survival(&self, t: f64) -> f64 {
        let both = |g: usize| self.os_hazard[g].cumulative(t) + self.progression_hazard[g].cumulative(t);
        (1.0 - self.orr) * (-both(0)).exp() + self.orr * (-both(1)).exp()
    }

    fn mixture(&self, hazard: &[Hazard; 2], t: f64) -> f64 {
        (1.0 - self.orr) * (-hazard[0].cumulative(t)).exp() + self.orr * (-hazard[1].cumulative(t)).exp()
    }

    /// The patients of one trial under this truth, from their latents and the trial's calendar
    /// (`calendar[i]` = (entry, dropout) of patient i, from [`StudyTiming::calendar`]).
    pub fn patients(&self, latents: &[PatientLatents], calendar: &[(f64, f64)], out: &mut Vec<Patient>) {
        out.clear();
        out.extend(latents.iter().zip(calendar).map(|(u, &(entry, dropout))| {
            let responder = u[Latent::Response as usize] < self.response_threshold;
            let g = usize::from(responder);
            let os = self.os_hazard[g].inverse(exponential(u[Latent::Os as usize]));
            let progression = self.progression_hazard[g].inverse(exponential(u[Latent::Pfs as usize]));
            Patient {
                entry,
                responder,
                toxicity: u[Latent::Toxicity as usize] < self.toxicity_threshold,
                pfs: progression.min(os),
                os,
                dropout,
            }
        }));
    }
}

/// A simulated patient; times in months, `entry` on the calendar, the others from entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Patient {
    pub entry: f64,
    pub responder: bool,
    pub toxicity: bool,
    pub pfs: f64,
    pub os: f64,
    /// Time of loss to follow-up (infinite without dropout).
    pub dropout: f64,
}

/// How patients arrive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Accrual {
    /// A Poisson process with this rate (patients per month); the first patient arrives after
    /// one exponential gap.
    Poisson { rate: f64 },
    /// The study's patients arrive at the order statistics of that many independent uniforms on
    /// [0, duration] (the uniform accrual of Wu 2015); a design with fewer patients uses the
    /// first ones, so it finishes accrual earlier.
    Uniform { duration: f64 },
}

impl Accrual {
    /// Poisson arrivals, `rate` finite and positive.
    pub fn poisson(rate: f64) -> Result<Accrual, SingleArmError> {
        Ok(Accrual::Poisson {
            rate: positive("accrual_rate", rate)?,
        })
    }

    /// Uniform accrual over `duration` months, finite and positive.
    pub fn uniform(duration: f64) -> Result<Accrual, SingleArmError> {
        Ok(Accrual::Uniform {
            duration: positive("accrual_duration", duration)?,
        })
    }
}

/// The study's calendar: its maximum number of patients, accrual, the window after entry at
/// which response and toxicity are known, the minimum follow-up after the last patient, and
/// loss to follow-up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StudyTiming {
    patients: u32,
    accrual: Accrual,
    assessment: f64,
    min_followup: f64,
    dropout_rate: f64,
}

impl StudyTiming {
    /// Checks `patients` ≥ 1 (the most any design enrols), `assessment` and `min_followup`
    /// finite and ≥ 0 (months), and `dropout_rate` (exponential, per month) finite and ≥ 0.
    pub fn new(
        patients: u32,
        accrual: Accrual,
        assessment: f64,
        min_followup: f64,
        dropout_rate: f64,
    ) -> Result<StudyTiming, SingleArmError> {
        require(patients >= 1, "patients", patients, "at least 1")?;
        let nonnegative = |x: f64| x.is_finite() && x >= 0.0;
        require(nonnegative(assessment), "assessment", assessment, "finite and ≥ 0")?;
        require(
            nonnegative(min_followup),
            "min_followup",
            min_followup,
            "finite and ≥ 0",
        )?;
        require(
            nonnegative(dropout_rate),
            "dropout_rate",
            dropout_rate,
            "finite and ≥ 0",
        )?;
        Ok(StudyTiming {
            patients,
            accrual,
            assessment,
            min_followup,
            dropout_rate,
        })
    }

    /// Maximum number of patients of the study (every design enrols at most this many).
    pub fn patients(&self) -> u32 {
        self.patients
    }

    /// The accrual process.
    pub fn accrual(&self) -> Accrual {
        self.accrual
    }

    /// Months from entry until response and toxicity are known.
    pub fn assessment(&self) -> f64 {
        self.assessment
    }

    /// Minimum follow-up after the last patient's entry.
    pub fn min_followup(&self) -> f64 {
        self.min_followup
    }

    /// Exponential dropout rate per month.
    pub fn dropout_rate(&self) -> f64 {
        self.dropout_rate
    }

    /// Time from the last entry to the final analysis: max(min follow-up, assessment), so the
    /// last patient's response is known by then.
    pub fn final_lag(&self) -> f64 {
        self.min_followup.max(self.assessment)
    }

    /// (entry, dropout) of each patient, from their latents and the closing spacing, into `out`.
    pub fn calendar(&self, latents: &[PatientLatents], closing: u64, out: &mut Vec<(f64, f64)>) {
        out.clear();
        let mut elapsed = 0.0;
        for u in latents {
            elapsed += exponential(u[Latent::ArrivalGap as usize]);
            let dropout = if self.dropout_rate > 0.0 {
                exponential(u[Latent::Dropout as usize]) / self.dropout_rate
            } else {
                f64::INFINITY
            };
            out.push((elapsed, dropout));
        }
        let scale = match self.accrual {
            Accrual::Poisson { rate } => rate.recip(),
            // Uniform order statistics: partial sums of n + 1 exponential spacings over their total.
            Accrual::Uniform { duration } => duration / (elapsed + exponential(closing)),
        };
        for (entry, _) in out.iter_mut() {
            *entry *= scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::trial_rng;

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

    #[test]
    fn invalid_parameters_are_named() {
        let name = |e: SingleArmError| match e {
            SingleArmError::InvalidParameter { name, .. } => name,
            other => panic!("{other}"),
        };
        assert_eq!(
            name(SurvivalCurve::piecewise(vec![3.0, 2.0], vec![0.1; 3]).unwrap_err()),
            "cuts"
        );
        assert_eq!(
            name(SurvivalCurve::piecewise(vec![3.0], vec![0.1, 0.0]).unwrap_err()),
            "hazards"
        );
        assert_eq!(name(SurvivalCurve::exponential(0.0).unwrap_err()), "median");
        assert_eq!(name(Accrual::poisson(-1.0).unwrap_err()), "accrual_rate");
        let curve = SurvivalCurve::exponential(10.0).unwrap();
        assert_eq!(name(TimeToEvent::new(curve.clone(), 0.0).unwrap_err()), "responder_hr");
        let os = TimeToEvent::independent(curve);
        // PFS longer than OS, or Weibull shapes that cross: rejected.
        let long = TimeToEvent::independent(SurvivalCurve::exponential(12.0).unwrap());
        let err = SingleArmTruth::new("x", 0.3, 0.1, long, os.clone()).unwrap_err();
        assert_eq!(name(err), "pfs");
        let crossing = TimeToEvent::independent(SurvivalCurve::weibull(5.0, 1.3).unwrap());
        assert_eq!(
            name(SingleArmTruth::new("x", 0.3, 0.1, crossing, os.clone()).unwrap_err()),
            "pfs"
        );
        let pfs = TimeToEvent::independent(SurvivalCurve::exponential(5.0).unwrap());
        assert_eq!(name(SingleArmTruth::new("x", 1.2, 0.1, pfs, os).unwrap_err()), "orr");
        assert_eq!(
            name(StudyTiming::new(0, Accrual::uniform(18.0).unwrap(), 1.5, 12.0, 0.0).unwrap_err()),
            "patients"
        );
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

    /// Both marginals exact and PFS ≤ OS: 200,000 patients, the empirical P(T > t) at several t
    /// within 4 SE of the true curve, for exponential OS and piecewise PFS with responder effects.
    #[test]
    fn simulated_patients_follow_both_marginals() {
        let os_curve = SurvivalCurve::exponential(12.0).unwrap();
        let pfs_curve = SurvivalCurve::piecewise(vec![2.0], vec![0.25, 0.15]).unwrap();
        let (orr, hr) = (0.5, 0.5);
        let truth = SingleArmTruth::new(
            "t",
            orr,
            0.2,
            TimeToEvent::new(pfs_curve.clone(), hr).unwrap(),
            TimeToEvent::new(os_curve.clone(), hr).unwrap(),
        )
        .unwrap();
        assert!(close(truth.os_survival(12.0), 0.5, 1e-12));
        assert!(close(truth.pfs_survival(pfs_curve.median()), 0.5, 1e-12));
        let timing = StudyTiming::new(50, Accrual::poisson(2.0).unwrap(), 1.5, 12.0, 0.0).unwrap();
        let (mut latents, mut calendar, mut patients) = (Vec::new(), Vec::new(), Vec::new());
        let times = [1.0, 3.0, 6.0, 12.0, 24.0];
        let (mut os_above, mut pfs_above) = ([0u32; 5], [0u32; 5]);
        let (mut responders, mut toxic, mut total) = (0u32, 0u32, 0u32);
        for trial in 0..4000 {
            let closing = draw_latents(&mut trial_rng(5, trial), 50, &mut latents);
            timing.calendar(&latents, closing, &mut calendar);
            truth.patients(&latents, &calendar, &mut patients);
            for p in &patients {
                assert!(p.pfs <= p.os && p.dropout.is_infinite());
                for (k, &t) in times.iter().enumerate() {
                    os_above[k] += u32::from(p.os > t);
                    pfs_above[k] += u32::from(p.pfs > t);
                }
                responders += u32::from(p.responder);
                toxic += u32::from(p.toxicity);
                total += 1;
            }
        }
        let n = f64::from(total);
        let check = |count: u32, p: f64, what: &str| {
            let se = (p * (1.0 - p) / n).sqrt();
            assert!(
                (f64::from(count) / n - p).abs() < 4.0 * se,
                "{what}: {} vs {p}",
                f64::from(count) / n
            );
        };
        for (k, &t) in times.iter().enumerate() {
            check(os_above[k], truth.os_survival(t), "OS");
            check(pfs_above[k], truth.pfs_survival(t), "PFS");
        }
        check(os_above[3], 0.5, "OS median");
        check(responders, orr, "ORR");
        check(toxic, 0.2, "toxicity");
    }

    /// Uniform accrual: the entries are sorted and inside [0, duration], and their mean is
    /// duration/2; Poisson accrual has mean gap 1/rate. Dropout is exponential.
    #[test]
    fn accrual_and_dropout() {
        let uniform = StudyTiming::new(56, Accrual::uniform(18.0).unwrap(), 1.5, 12.0, 0.05).unwrap();
        let poisson = StudyTiming::new(56, Accrual::poisson(3.0).unwrap(), 1.5, 12.0, 0.0).unwrap();
        let (mut latents, mut calendar) = (Vec::new(), Vec::new());
        let (mut sum, mut count, mut last_poisson, mut dropped) = (0.0, 0u32, 0.0, 0u32);
        let trials = 4000u32;
        for trial in 0..trials {
            let closing = draw_latents(&mut trial_rng(9, u64::from(trial)), 56, &mut latents);
            uniform.calendar(&latents, closing, &mut calendar);
            assert!(calendar.windows(2).all(|w| w[0].0 <= w[1].0));
            assert!(calendar.iter().all(|&(e, _)| (0.0..=18.0).contains(&e)));
            sum += calendar.iter().map(|&(e, _)| e).sum::<f64>();
            count += 56;
            dropped += calendar.iter().filter(|&&(_, d)| d < 12.0).count() as u32;
            poisson.calendar(&latents, closing, &mut calendar);
            last_poisson += calendar[55].0;
        }
        // Mean entry 9 (SD of one entry 18/√12), mean 56th Poisson arrival 56/3 (SD √56/3).
        let mean = sum / f64::from(count);
        assert!(
            (mean - 9.0).abs() < 4.0 * 18.0 / 12f64.sqrt() / f64::from(count).sqrt(),
            "{mean}"
        );
        let mean_last = last_poisson / f64::from(trials);
        assert!((mean_last - 56.0 / 3.0).abs() < 4.0 * 56f64.sqrt() / 3.0 / f64::from(trials).sqrt());
        let p = 1.0 - (-0.05f64 * 12.0).exp();
        let observed = f64::from(dropped) / f64::from(count);
        assert!(
            (observed - p).abs() < 4.0 * (p * (1.0 - p) / f64::from(count)).sqrt(),
            "{observed}"
        );
    }
}
