//! Time-to-event analyses of a single arm against a historical control:
//!
//! - the one-sample log-rank test, Z = (E − O)/√E with O the observed events and E = Σ Λ0(t_i)
//!   the events expected under the null cumulative hazard at each patient's observed time
//!   (Finkelstein, Muzikansky & Schoenfeld 2003, *Biometrics* 59:505–510), and Wu's modified
//!   statistic Z = (E − O)/√((O + E)/2) (Wu 2014, *J Biometrics & Biostatistics* 5:210), which
//!   corrects the classical test's conservatism in small samples ([`LogRankStatistic`]);
//! - their sample size and power under proportional hazards, uniform accrual and extra follow-up,
//!   from the exact variance of O − E under H1 (Wu 2015, *Pharmaceutical Statistics* 14:26–33;
//!   R packages `logRank1s` and `OneArm2stage`);
//! - the Kaplan–Meier estimate, with Greenwood's variance and log-log intervals, its median with
//!   the Brookmeyer & Crowley (1982, *Biometrics* 38:29–41) interval, and landmark survival.

use super::{open_unit, positive, require, SingleArmError};
use statrs::distribution::{ContinuousCDF, Normal};
use std::f64::consts::LN_2;

/// Two-sided 95% normal quantile, for the Kaplan–Meier intervals.
const Z_95: f64 = 1.959_963_984_540_054;

/// A Weibull survival curve given by its median and shape: S(t) = exp(−ln 2 · (t/median)^shape).
/// Shape 1 is the exponential.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeibullSurvival {
    median: f64,
    shape: f64,
}

impl WeibullSurvival {
    /// Checks that the median and the shape are finite and positive.
    pub fn new(median: f64, shape: f64) -> Result<WeibullSurvival, SingleArmError> {
        Ok(WeibullSurvival {
            median: positive("median", median)?,
            shape: positive("shape", shape)?,
        })
    }

    /// The exponential curve with this median.
    pub fn exponential(median: f64) -> Result<WeibullSurvival, SingleArmError> {
        WeibullSurvival::new(median, 1.0)
    }

    /// The median survival time.
    pub fn median(&self) -> f64 {
        self.median
    }

    /// The Weibull shape.
    pub fn shape(&self) -> f64 {
        self.shape
    }

    /// Λ(t) = ln 2 · (t/median)^shape, for t ≥ 0.
    pub fn cumulative_hazard(&self, t: f64) -> f64 {
        LN_2 * (t / self.median).powf(self.shape)
    }

    /// S(t) = exp(−Λ(t)).
    pub fn survival(&self, t: f64) -> f64 {
        (-self.cumulative_hazard(t)).exp()
    }

    /// The time t with Λ(t) = u.
    pub fn time_at_cumulative_hazard(&self, u: f64) -> f64 {
        self.median * (u / LN_2).powf(1.0 / self.shape)
    }
}

/// One patient's observed time and whether it ends in the event (false: censored).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observation {
    /// Time from entry to the event or censoring (months).
    pub time: f64,
    /// Whether the time ends in the event (false: censored).
    pub event: bool,
}

/// Checks that there is at least one observation and every time is finite and ≥ 0.
fn check_observations(data: &[Observation]) -> Result<(), SingleArmError> {
    let bad = data.iter().find(|o| !(o.time.is_finite() && o.time >= 0.0));
    require(
        !data.is_empty() && bad.is_none(),
        "observations",
        bad.map_or_else(|| "[]".to_string(), |o| format!("time {}", o.time)),
        "non-empty, with finite times ≥ 0",
    )
}

/// Which estimate of the variance of E − O under H0 standardises the one-sample log-rank test.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogRankStatistic {
    /// Z = (E − O)/√E (Finkelstein, Muzikansky & Schoenfeld 2003; the statistic of the R packages
    /// `logRank1s` and `OneArm2stage`, whose "exact variance" is that of the sample size formula).
    /// Conservative in small samples: about 4.2% at a nominal 5% with 56 patients.
    #[default]
    Classical,
    /// Z = (E − O)/√((O + E)/2), Wu's (2014) modified one-sample log-rank test, whose type I error
    /// stays close to the nominal level in small samples.
    Wu,
}

impl LogRankStatistic {
    /// The scenario's and the command line's name: "classical" or "wu".
    pub fn name(self) -> &'static str {
        match self {
            LogRankStatistic::Classical => "classical",
            LogRankStatistic::Wu => "wu",
        }
    }

    /// The statistic named `name` ("classical" or "wu").
    pub fn from_name(name: &str) -> Option<LogRankStatistic> {
        [LogRankStatistic::Classical, LogRankStatistic::Wu]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// The one-sample log-rank statistic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneSampleLogRank {
    /// O, the number of events.
    pub observed: u32,
    /// E = Σ Λ0(t_i), the expected number of events under the null curve.
    pub expected: f64,
    /// The classical Z = (E − O)/√E; large when there are fewer events than the null curve
    /// predicts.
    pub z: f64,
}

impl OneSampleLogRank {
    /// One-sided p-value of the classical statistic for H1 "survival is longer than the null
    /// curve's": 1 − Φ(Z).
    pub fn p_value(&self) -> f64 {
        Normal::standard().sf(self.z)
    }

    /// Z by `statistic`: (E − O)/√E or (E − O)/√((O + E)/2).
    pub fn z_of(&self, statistic: LogRankStatistic) -> f64 {
        let observed = f64::from(self.observed);
        match statistic {
            LogRankStatistic::Classical => self.z,
            LogRankStatistic::Wu => (self.expected - observed) / ((observed + self.expected) / 2.0).sqrt(),
        }
    }
}

/// The one-sample log-rank test of `data` against the historical curve `null`. Fails when the data
/// are empty or invalid, or when E = 0 (every observed time is 0).
pub fn one_sample_log_rank(data: &[Observation], null: &WeibullSurvival) -> Result<OneSampleLogRank, SingleArmError> {
    check_observations(data)?;
    let observed = data.iter().filter(|o| o.event).count() as u32;
    let expected: f64 = data.iter().map(|o| null.cumulative_hazard(o.time)).sum();
    require(expected > 0.0, "observations", "all times 0", "with some positive time")?;
    Ok(OneSampleLogRank {
        observed,
        expected,
        z: (expected - f64::from(observed)) / expected.sqrt(),
    })
}

/// Wu's (2015) design for the one-sample log-rank test: H0 the historical curve S0 (Weibull),
/// H1 proportional hazards S1 = S0^δ with δ the hazard ratio, patients accrued uniformly over
/// `accrual` and followed for `followup` more, so a patient's administrative censoring time C
/// has P(C > t) = G(t) = 1 on [0, followup] and (τ − t)/accrual on [followup, τ], τ = accrual +
/// followup. With p0 = ∫ G S1 λ0 dt and p00 = ∫ G S1 Λ0 λ0 dt (p1 = δ p0, p01 = δ p00),
/// ω = p1 − p0 and σ² = p1 − p1² + 2 p00 − p0² − 2 p01 + 2 p0 p1 (the exact variance of O − E
/// per patient under H1):
///
/// n = ⌈(v · z_{1−α} + σ · z_{power})² / ω²⌉,  power(n) = Φ(−(v · z_{1−α} + √n · ω)/σ),
///
/// with v² the limit of the statistic's variance estimate per patient under H1: E/n → p0 for the
/// classical statistic (Wu 2015), (O + E)/(2n) → (p0 + p1)/2 for Wu's modified one (Wu 2014).
#[derive(Clone, Debug, PartialEq)]
pub struct WuDesign {
    alpha: f64,
    hazard_ratio: f64,
    statistic: LogRankStatistic,
    /// p0 and p1.
    events: (f64, f64),
    omega: f64,
    sigma: f64,
}

impl WuDesign {
    /// Checks the one-sided `alpha` in (0, 1), `accrual` and `followup` finite and positive, and
    /// 0 < `hazard_ratio` < 1 (the test is for longer survival than the historical curve).
    pub fn new(
        alpha: f64,
        accrual: f64,
        followup: f64,
        null: WeibullSurvival,
        hazard_ratio: f64,
    ) -> Result<WuDesign, SingleArmError> {
        open_unit("alpha", alpha)?;
        positive("accrual", accrual)?;
        positive("followup", followup)?;
        open_unit("hazard_ratio", hazard_ratio)?;
        // Substituting u = Λ0(t): ∫ G(t) S0(t)^δ λ0(t) h(t) dt = ∫ G(t(u)) e^{−δu} h dt, split at
        // the kink of G.
        let tau = accrual + followup;
        let (u_followup, u_tau) = (null.cumulative_hazard(followup), null.cumulative_hazard(tau));
        let censoring = |u: f64| (tau - null.time_at_cumulative_hazard(u)) / accrual;
        let decay = |u: f64| (-hazard_ratio * u).exp();
        let p0 = simpson(decay, 0.0, u_followup) + simpson(|u| censoring(u) * decay(u), u_followup, u_tau);
        let p00 =
            simpson(|u| u * decay(u), 0.0, u_followup) + simpson(|u| censoring(u) * u * decay(u), u_followup, u_tau);
        let (p1, p01) = (hazard_ratio * p0, hazard_ratio * p00);
        let sigma = (p1 - p1 * p1 + 2.0 * p00 - p0 * p0 - 2.0 * p01 + 2.0 * p0 * p1).sqrt();
        Ok(WuDesign {
            alpha,
            hazard_ratio,
            statistic: LogRankStatistic::Classical,
            events: (p0, p1),
            omega: p1 - p0,
            sigma,
        })
    }

    /// The same design tested by `statistic` (the classical one by default).
    pub fn with_statistic(mut self, statistic: LogRankStatistic) -> WuDesign {
        self.statistic = statistic;
        self
    }

    /// The statistic the design is tested by.
    pub fn statistic(&self) -> LogRankStatistic {
        self.statistic
    }

    /// v · z_{1−α}, v² the limit of the statistic's variance estimate per patient under H1.
    fn critical(&self) -> f64 {
        let (p0, p1) = self.events;
        let variance = match self.statistic {
            LogRankStatistic::Classical => p0,
            LogRankStatistic::Wu => (p0 + p1) / 2.0,
        };
        variance.sqrt() * Normal::standard().inverse_cdf(1.0 - self.alpha)
    }

    /// The one-sided significance level.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The hazard ratio δ under H1.
    pub fn hazard_ratio(&self) -> f64 {
        self.hazard_ratio
    }

    /// Power of the test with `n` patients.
    pub fn power(&self, n: u32) -> f64 {
        Normal::standard().cdf(-(self.critical() + f64::from(n).sqrt() * self.omega) / self.sigma)
    }

    /// Smallest n with at least `power` (in (0, 1)) by Wu's formula.
    pub fn sample_size(&self, power: f64) -> Result<u32, SingleArmError> {
        open_unit("power", power)?;
        let root = self.critical() + self.sigma * Normal::standard().inverse_cdf(power);
        Ok((root * root / (self.omega * self.omega)).ceil() as u32)
    }
}

/// Composite Simpson's rule on [a, b] with 2,000 panels (the integrands here are smooth).
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    const PANELS: u32 = 2000;
    let h = (b - a) / f64::from(PANELS);
    let inner: f64 = (1..PANELS)
        .map(|i| f(a + h * f64::from(i)) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(a) + inner + f(b)) * h / 3.0
}

/// Wu's sample size: the smallest n whose one-sided level-`alpha_one_sided` one-sample log-rank
/// test has at least `power` against hazard ratio `hazard_ratio`, for a Weibull historical curve of
/// median `median0` and shape `shape` (1: exponential), accrual over `accrual` and `followup` more.
pub fn wu_sample_size(
    alpha_one_sided: f64,
    power: f64,
    accrual: f64,
    followup: f64,
    shape: f64,
    median0: f64,
    hazard_ratio: f64,
) -> Result<u32, SingleArmError> {
    let null = WeibullSurvival::new(median0, shape)?;
    WuDesign::new(alpha_one_sided, accrual, followup, null, hazard_ratio)?.sample_size(power)
}

/// Wu's power with `n` patients (arguments as [`wu_sample_size`]).
pub fn wu_power(
    n: u32,
    alpha_one_sided: f64,
    accrual: f64,
    followup: f64,
    shape: f64,
    median0: f64,
    hazard_ratio: f64,
) -> Result<f64, SingleArmError> {
    let null = WeibullSurvival::new(median0, shape)?;
    Ok(WuDesign::new(alpha_one_sided, accrual, followup, null, hazard_ratio)?.power(n))
}

/// A point of the Kaplan–Meier curve at a time with events.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Step {
    time: f64,
    survival: f64,
    /// Greenwood's Σ d/(n(n − d)), the variance of log S.
    greenwood: f64,
}

impl Step {
    /// The 95% log-log interval (R `survfit`'s `conf.type = "log-log"`):
    /// S^exp(±1.96 · se/log S), se² = Greenwood's sum; (S, S) where S is 0 or 1.
    fn interval(&self) -> (f64, f64) {
        if self.survival <= 0.0 || self.survival >= 1.0 {
            return (self.survival, self.survival);
        }
        let shift = Z_95 * self.greenwood.sqrt() / self.survival.ln();
        (self.survival.powf((-shift).exp()), self.survival.powf(shift.exp()))
    }
}

/// The Kaplan–Meier estimate of a survival curve.
#[derive(Clone, Debug, PartialEq)]
pub struct KaplanMeier {
    /// One step per distinct event time, in time order.
    steps: Vec<Step>,
}

/// The Kaplan–Meier median and its 95% Brookmeyer–Crowley interval; `None` where the curve (or
/// its confidence limit) never reaches 0.5 ("not reached").
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MedianEstimate {
    /// The Kaplan–Meier median (`None`: not reached).
    pub median: Option<f64>,
    /// Lower limit of the 95% interval (`None`: not reached).
    pub lower: Option<f64>,
    /// Upper limit of the 95% interval (`None`: not reached, i.e. unbounded).
    pub upper: Option<f64>,
}

/// Survival at a landmark time, with its 95% log-log interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LandmarkEstimate {
    /// The landmark time (months).
    pub time: f64,
    /// Kaplan–Meier survival at that time.
    pub survival: f64,
    /// Lower limit of the 95% log-log interval.
    pub lower: f64,
    /// Upper limit of the 95% log-log interval.
    pub upper: f64,
}

impl KaplanMeier {
    /// Fits the curve; patients censored at an event time count as at risk at it. Fails on empty
    /// data or a time that is negative or not finite.
    pub fn new(data: &[Observation]) -> Result<KaplanMeier, SingleArmError> {
        check_observations(data)?;
        let mut sorted = data.to_vec();
        sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
        let (mut steps, mut survival, mut greenwood) = (Vec::new(), 1.0, 0.0);
        let mut start = 0;
        while start < sorted.len() {
            let time = sorted[start].time;
            let end = start + sorted[start..].partition_point(|o| o.time <= time);
            let events = sorted[start..end].iter().filter(|o| o.event).count() as f64;
            if events > 0.0 {
                let at_risk = (sorted.len() - start) as f64;
                survival *= 1.0 - events / at_risk;
                greenwood += events / (at_risk * (at_risk - events));
                steps.push(Step {
                    time,
                    survival,
                    greenwood,
                });
            }
            start = end;
        }
        Ok(KaplanMeier { steps })
    }

    /// The last step at or before `t`, if any.
    fn step_at(&self, t: f64) -> Option<&Step> {
        self.steps[..self.steps.partition_point(|s| s.time <= t)].last()
    }

    /// Ŝ(t), the estimated probability of surviving beyond `t`.
    pub fn survival_at(&self, t: f64) -> f64 {
        self.step_at(t).map_or(1.0, |s| s.survival)
    }

    /// Ŝ(t) at the landmark `t`, with its 95% log-log interval (1, 1) before the first event.
    pub fn landmark(&self, t: f64) -> LandmarkEstimate {
        let (survival, (lower, upper)) = self
            .step_at(t)
            .map_or((1.0, (1.0, 1.0)), |s| (s.survival, s.interval()));
        LandmarkEstimate {
            time: t,
            survival,
            lower,
            upper,
        }
    }

    /// The median and its Brookmeyer–Crowley 95% interval, read off the curve and its pointwise
    /// log-log limits as R's `survfit` does: the median is the first time Ŝ ≤ 0.5, the lower limit
    /// the first time the lower confidence curve is ≤ 0.5, the upper limit the first time the upper
    /// curve is. Where a curve sits exactly at 0.5 the answer is the midpoint between that time
    /// and the time the curve next drops.
    pub fn median(&self) -> MedianEstimate {
        let times: Vec<f64> = self.steps.iter().map(|s| s.time).collect();
        let crossing = |value: &dyn Fn(&Step) -> f64| {
            let values: Vec<f64> = self.steps.iter().map(value).collect();
            half_crossing(&times, &values)
        };
        MedianEstimate {
            median: crossing(&|s| s.survival),
            lower: crossing(&|s| s.interval().0),
            upper: crossing(&|s| s.interval().1),
        }
    }
}

/// The first time a non-increasing step curve is ≤ 0.5 (midpoint rule at exactly 0.5).
fn half_crossing(times: &[f64], values: &[f64]) -> Option<f64> {
    const TOLERANCE: f64 = 1e-9;
    let first = values.iter().position(|&v| v <= 0.5 + TOLERANCE)?;
    if (values[first] - 0.5).abs() > TOLERANCE {
        return Some(times[first]);
    }
    let next_drop = values[first..].iter().position(|&v| v < 0.5 - TOLERANCE);
    Some(next_drop.map_or(times[first], |j| (times[first] + times[first + j]) / 2.0))
}

#[cfg(test)]
mod tests;
