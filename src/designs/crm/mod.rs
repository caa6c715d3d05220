//! The continual reassessment method (CRM; O'Quigley, Pepe & Fisher 1990), with the semantics of
//! the R package `dfcrm` (Cheung 2011): `crm`, `crmsim` and `getprior`.
//!
//! One-parameter dose-toxicity models on a skeleton x₁ < … < x_K:
//! - empiric (power): p_j(β) = x_j^exp(β);
//! - logistic: p_j(β) = 1 / (1 + exp(−a − exp(β)·(logit x_j − a))), intercept a (default 3).
//!
//! The prior is β ~ N(0, σ²) with σ² = 1.34 by default. The posterior is integrated with the
//! trapezoidal rule on a fixed grid of [`GRID_POINTS`] points over ±[`GRID_HALF_WIDTH_SD`] prior
//! standard deviations: for a smooth integrand that vanishes at both ends the trapezoidal rule
//! converges geometrically, so it matches adaptive quadrature (dfcrm's `integrate`) to far more
//! digits than the decisions need. Gauss–Hermite quadrature centred on the prior does not: it
//! misplaces a posterior that has moved away from the prior.

mod bounds;
mod cache;
pub(crate) mod params;
mod weighted;

pub use cache::PosteriorCache;
pub use params::CRM;
use weighted::Density;
pub use weighted::{HermiteRule, LegendreRule, WeightedPosterior, HERMITE_NODES, LEGENDRE_NODES, REACH};

use super::{Decision, Design, Dose, Fit, TrialData};
use crate::core::stats::{logit, softplus};

/// Number of grid points for the posterior of β.
pub const GRID_POINTS: usize = 1024;
/// Half-width of the grid in prior standard deviations.
pub const GRID_HALF_WIDTH_SD: f64 = 10.0;

/// The dose-toxicity model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CrmModel {
    /// p = x^exp(β).
    Empiric,
    /// p = expit(a + exp(β)·(logit x − a)).
    Logistic {
        /// The intercept a (dfcrm's default 3).
        intercept: f64,
    },
}

impl CrmModel {
    /// dfcrm's logistic model with intercept 3.
    pub const LOGISTIC: CrmModel = CrmModel::Logistic { intercept: 3.0 };

    /// The model's working "dose" for a skeleton value: ln x (empiric) or logit x − a (logistic).
    fn scaled_dose(self, x: f64) -> f64 {
        match self {
            CrmModel::Empiric => x.ln(),
            CrmModel::Logistic { intercept } => logit(x) - intercept,
        }
    }

    /// (ln p, ln(1 − p)) at parameter β for a scaled dose, computed without cancellation.
    fn log_probs(self, scaled: f64, beta: f64) -> (f64, f64) {
        let slope = beta.exp();
        match self {
            CrmModel::Empiric => {
                let lp = slope * scaled;
                (lp, (-lp.exp_m1()).ln())
            }
            CrmModel::Logistic { intercept } => {
                let z = intercept + slope * scaled;
                (-softplus(-z), -softplus(z))
            }
        }
    }

    /// p at parameter β for a scaled dose.
    fn prob(self, scaled: f64, beta: f64) -> f64 {
        self.log_probs(scaled, beta).0.exp()
    }

    /// The β below which p exceeds `threshold` (p decreases in β for every valid skeleton), or
    /// `None` when no β gives p > threshold.
    fn beta_where_prob_equals(self, scaled: f64, threshold: f64) -> Option<f64> {
        let ratio = match self {
            CrmModel::Empiric => threshold.ln() / scaled,
            CrmModel::Logistic { intercept } => (logit(threshold) - intercept) / scaled,
        };
        (ratio > 0.0).then(|| ratio.ln())
    }
}

/// Which DLT probability estimate drives decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrmEstimate {
    /// The model at the posterior mean of β (dfcrm).
    PlugIn,
    /// The posterior mean of each dose's DLT probability.
    PosteriorMean,
}

/// Skeleton calibration by the indifference-interval method of Lee & Cheung (2009, Clinical
/// Trials 6:227–238), dfcrm's `getprior(halfwidth, target, nu, nlevel, model)`: dose `nu` gets
/// the target, and each neighbour is placed so that the model's indifference interval
/// target ± halfwidth is shared by adjacent doses.
pub fn calibrate_skeleton(halfwidth: f64, target: f64, nu: usize, num_doses: usize, model: CrmModel) -> Vec<f64> {
    assert!(nu >= 1 && nu <= num_doses, "nu must be a dose level");
    let (lower, upper) = (
        model.scaled_dose(target - halfwidth),
        model.scaled_dose(target + halfwidth),
    );
    let mut scaled = vec![0.0; num_doses];
    scaled[nu - 1] = model.scaled_dose(target);
    for k in (1..nu).rev() {
        // exp(β) at which dose k+1 sits at target + halfwidth; dose k then sits at target − halfwidth.
        let slope = upper / scaled[k];
        scaled[k - 1] = lower / slope;
    }
    for k in nu..num_doses {
        let slope = lower / scaled[k - 1];
        scaled[k] = upper / slope;
    }
    scaled.iter().map(|&s| model.prob(s, 0.0)).collect()
}

/// One patient's outcome for the TITE-CRM likelihood (Cheung & Chappell 2000): a DLT counts in
/// full; a patient without a DLT so far contributes 1 − w·p, w the weight of the follow-up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightedOutcome {
    /// The patient's dose.
    pub dose: Dose,
    /// Whether a DLT has been observed.
    pub dlt: bool,
    /// The follow-up weight w in [0, 1] (1 for a DLT or complete follow-up).
    pub weight: f64,
}

/// The data a CRM posterior conditions on.
#[derive(Clone, Copy, Debug)]
pub enum CrmData<'a> {
    /// Patients and DLTs per dose (complete follow-up).
    Counts(&'a TrialData),
    /// Per-patient outcomes with follow-up weights (TITE-CRM).
    Weighted(&'a [WeightedOutcome]),
}

/// CRM settings (keys of a `rule = "crm"` design).
#[derive(Clone, Debug, PartialEq)]
pub struct CrmConfig {
    /// Target DLT probability.
    pub target: f64,
    /// Skeleton x₁ < … < x_K, one value per dose.
    pub skeleton: Vec<f64>,
    /// The dose-toxicity model.
    pub model: CrmModel,
    /// Prior variance of β (dfcrm's `scale` squared).
    pub prior_variance: f64,
    /// Which estimate drives decisions.
    pub estimate: CrmEstimate,
    /// dfcrm `crmsim`'s `restrict`: next dose ≤ last + 1, and ≤ last after a cohort whose DLT
    /// fraction is ≥ target.
    pub restrict: bool,
    /// Whether the MTD selected at the end may be a dose no patient received: true as dfcrm
    /// (`crm()$mtd`, `crmsim`), the dose closest to the target whatever was tried; false selects
    /// the highest tried dose at or below that one (none if no dose at or below it was tried).
    pub select_untried: bool,
}

/// A CRM design with its posterior grid precomputed.
#[derive(Clone, Debug)]
pub struct Crm {
    config: CrmConfig,
    scaled: Vec<f64>,
    grid: Vec<f64>,
    step: f64,
    log_prior: Vec<f64>,
    /// ln p and ln(1 − p) per dose and grid point, one dose after another (index j·points + g), so
    /// a dose's log-likelihood terms are added over the grid in one contiguous pass.
    log_p: Vec<f64>,
    log_q: Vec<f64>,
    /// p per dose and grid point, laid out as `log_p`.
    prob: Vec<f64>,
    /// The rule for P(β < β*) under a quadrature posterior ([`Crm::posterior_by_quadrature`]).
    legendre: LegendreRule,
}

impl Crm {
    /// Builds the design; the skeleton must be strictly increasing in (0, 1) (and below
    /// expit(intercept) for the logistic model), as the scenario validation ensures.
    pub fn new(config: CrmConfig) -> Crm {
        Crm::with_grid(config, GRID_POINTS, GRID_HALF_WIDTH_SD)
    }

    /// A CRM with a custom integration grid (for accuracy checks).
    pub fn with_grid(config: CrmConfig, points: usize, half_width_sd: f64) -> Crm {
        let sd = config.prior_variance.sqrt();
        let half = half_width_sd * sd;
        let step = 2.0 * half / (points - 1) as f64;
        let grid: Vec<f64> = (0..points).map(|k| -half + step * k as f64).collect();
        let scaled: Vec<f64> = config.skeleton.iter().map(|&x| config.model.scaled_dose(x)).collect();
        let log_prior = grid.iter().map(|b| -0.5 * b * b / config.prior_variance).collect();
        let mut log_p = Vec::with_capacity(points * scaled.len());
        let mut log_q = Vec::with_capacity(points * scaled.len());
        for &s in &scaled {
            for &b in &grid {
                let (lp, lq) = config.model.log_probs(s, b);
                log_p.push(lp);
                log_q.push(lq);
            }
        }
        let prob = log_p.iter().map(|lp| lp.exp()).collect();
        Crm {
            config,
            scaled,
            grid,
            step,
            log_prior,
            log_p,
            log_q,
            prob,
            legendre: LegendreRule::new(LEGENDRE_NODES),
        }
    }

    /// The model's DLT probability of each dose at β.
    fn plug_in(&self, beta: f64) -> Vec<f64> {
        self.scaled.iter().map(|&s| self.config.model.prob(s, beta)).collect()
    }

    /// The design's settings.
    pub fn config(&self) -> &CrmConfig {
        &self.config
    }

    /// The posterior of β given per-dose counts.
    pub fn posterior(&self, data: &TrialData) -> CrmPosterior {
        self.posterior_of(CrmData::Counts(data))
    }

    /// The posterior of β given counts or weighted outcomes.
    pub fn posterior_of(&self, data: CrmData) -> CrmPosterior {
        let (k, points) = (self.scaled.len(), self.grid.len());
        let mut density: Vec<f64> = match data {
            CrmData::Counts(data) => {
                // Σ over treated doses of y·ln p + (n − y)·ln(1 − p), dose by dose over the grid.
                let terms = |d: Dose| {
                    let (y, f) = (f64::from(data.dlts(d)), f64::from(data.patients(d) - data.dlts(d)));
                    let column = d.index() * points..(d.index() + 1) * points;
                    let (log_p, log_q) = (&self.log_p[column.clone()], &self.log_q[column]);
                    log_p.iter().zip(log_q).map(move |(&lp, &lq)| y * lp + f * lq)
                };
                let mut treated = data.doses().filter(|&d| data.patients(d) > 0);
                let mut log_likelihood: Vec<f64> = match treated.next() {
                    Some(d) => terms(d).collect(),
                    None => vec![0.0; points],
                };
                for d in treated {
                    for (sum, term) in log_likelihood.iter_mut().zip(terms(d)) {
                        *sum += term;
                    }
                }
                for (sum, &lp0) in log_likelihood.iter_mut().zip(&self.log_prior) {
                    *sum += lp0;
                }
                log_likelihood
            }
            CrmData::Weighted(outcomes) => {
                // Patients with a DLT or complete follow-up are counted per dose; only pending
                // patients need their own term ln(1 − w·p).
                let (mut dlts, mut clear) = (vec![0.0; k], vec![0.0; k]);
                let mut pending = Vec::new();
                for o in outcomes {
                    if o.dlt {
                        dlts[o.dose.index()] += 1.0;
                    } else if o.weight >= 1.0 {
                        clear[o.dose.index()] += 1.0;
                    } else {
                        pending.push((o.dose.index(), o.weight));
                    }
                }
                let counted: Vec<(usize, f64, f64)> = (0..k)
                    .filter(|&j| dlts[j] + clear[j] > 0.0)
                    .map(|j| (j, dlts[j], clear[j]))
                    .collect();
                self.log_prior
                    .iter()
                    .enumerate()
                    .map(|(g, &lp0)| {
                        let at = |j: usize| j * points + g;
                        lp0 + counted
                            .iter()
                            .map(|&(j, y, f)| y * self.log_p[at(j)] + f * self.log_q[at(j)])
                            .sum::<f64>()
                            + pending
                                .iter()
                                .map(|&(j, w)| (-w * self.prob[at(j)]).ln_1p())
                                .sum::<f64>()
                    })
                    .collect()
            }
        };
        let max = density.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for v in density.iter_mut() {
            // exp underflows to exactly 0 below −745.2; skip libm's slow underflow path there.
            let x = *v - max;
            *v = if x < -746.0 { 0.0 } else { x.exp() };
        }
        // Trapezoid weights: 1/2 at both ends (where the density is negligible anyway).
        let last = density.len() - 1;
        let total = (density.iter().sum::<f64>() - 0.5 * (density[0] + density[last])) * self.step;
        let log_normaliser = max + total.ln();
        for v in density.iter_mut() {
            *v /= total;
        }
        let mean = self.expectation(&density, |g| self.grid[g]);
        let variance = self.expectation(&density, |g| (self.grid[g] - mean).powi(2));
        CrmPosterior {
            mean,
            variance,
            plug_in: self.plug_in(mean),
            density: Density::Grid(density),
            log_normaliser,
        }
    }

    /// E[h(β)] under a normalised grid density, by the trapezoidal rule; `h` takes a grid index.
    fn expectation(&self, density: &[f64], h: impl Fn(usize) -> f64) -> f64 {
        let last = density.len() - 1;
        let ends = 0.5 * (density[0] * h(0) + density[last] * h(last));
        (density.iter().enumerate().map(|(g, f)| f * h(g)).sum::<f64>() - ends) * self.step
    }

    /// The DLT probability estimates that drive decisions (see [`CrmEstimate`]).
    fn estimate_of(&self, posterior: &CrmPosterior) -> Vec<f64> {
        match self.config.estimate {
            CrmEstimate::PlugIn => posterior.plug_in.clone(),
            CrmEstimate::PosteriorMean => self.posterior_mean_probs(posterior),
        }
    }

    /// Posterior mean of each dose's DLT probability.
    pub fn posterior_mean_probs(&self, posterior: &CrmPosterior) -> Vec<f64> {
        let points = self.grid.len();
        match &posterior.density {
            Density::Grid(density) => (0..self.scaled.len())
                .map(|j| self.expectation(density, |g| self.prob[j * points + g]))
                .collect(),
            Density::Quadrature { mean_probs, .. } => mean_probs.clone(),
        }
    }

    /// The unnormalised log posterior density of β, evaluated directly (off the grid).
    fn log_density(&self, data: CrmData, beta: f64) -> f64 {
        let model = self.config.model;
        let log_likelihood: f64 = match data {
            CrmData::Counts(data) => data
                .doses()
                .filter(|&d| data.patients(d) > 0)
                .map(|d| {
                    let (lp, lq) = model.log_probs(self.scaled[d.index()], beta);
                    let (y, n) = (f64::from(data.dlts(d)), f64::from(data.patients(d)));
                    y * lp + (n - y) * lq
                })
                .sum(),
            CrmData::Weighted(outcomes) => outcomes
                .iter()
                .map(|o| {
                    let (lp, _) = model.log_probs(self.scaled[o.dose.index()], beta);
                    if o.dlt {
                        lp
                    } else {
                        (-o.weight * lp.exp()).ln_1p()
                    }
                })
                .sum(),
        };
        -0.5 * beta * beta / self.config.prior_variance + log_likelihood
    }

    /// P(p_j > t | data) = P(β < β*), where p_j(β*) = t: on the grid, the trapezoid sum up to the
    /// last node below β*, end-corrected (Euler–Maclaurin, slope by central difference) to fourth
    /// order, plus Simpson's rule on the exact density over the remaining part of the cell; for a
    /// quadrature posterior, [`Crm::quadrature_below`] (the first dose and threshold asked are
    /// remembered with the posterior).
    pub fn prob_exceeds(&self, posterior: &CrmPosterior, data: CrmData, dose: Dose, threshold: f64) -> f64 {
        if threshold <= 0.0 {
            return 1.0;
        }
        if threshold >= 1.0 {
            return 0.0;
        }
        let Some(cut) = self
            .config
            .model
            .beta_where_prob_equals(self.scaled[dose.index()], threshold)
        else {
            return 0.0;
        };
        let f = match &posterior.density {
            Density::Grid(f) => f,
            Density::Quadrature {
                mode, scale, exceeds, ..
            } => {
                let known = exceeds.get().filter(|&&(d, t, _)| d == dose && t == threshold);
                if let Some(&(_, _, p)) = known {
                    return p;
                }
                let p = self.quadrature_below(data, (*mode, *scale, posterior.log_normaliser), cut);
                // Another thread may have remembered another question first: either is right.
                let _ = exceeds.set((dose, threshold, p));
                return p;
            }
        };
        let (h, lo) = (self.step, self.grid[0]);
        let m = ((cut - lo) / h).floor();
        if m < 1.0 {
            return 0.0;
        }
        let m = m as usize;
        if m + 1 >= f.len() {
            return 1.0;
        }
        let trapezoid = (f[..=m].iter().sum::<f64>() - 0.5 * (f[0] + f[m])) * h;
        let slope = (f[m + 1] - f[m - 1]) / (2.0 * h);
        let exact = |b: f64| (self.log_density(data, b) - posterior.log_normaliser).exp();
        let (start, width) = (self.grid[m], cut - self.grid[m]);
        let rest = width / 6.0 * (f[m] + 4.0 * exact(start + 0.5 * width) + exact(cut));
        (trapezoid - h * h / 12.0 * slope + rest).clamp(0.0, 1.0)
    }

    /// dfcrm's recommendation from estimates: the dose closest to target (lowest on ties);
    /// the top dose if every estimate is ≤ target, dose 1 if every estimate is ≥ target.
    pub fn closest_to_target(&self, estimate: &[f64]) -> Dose {
        let target = self.config.target;
        if estimate.iter().all(|&p| p <= target) {
            return Dose((estimate.len() - 1) as u16);
        }
        if estimate.iter().all(|&p| p >= target) {
            return Dose(0);
        }
        let mut best = 0;
        for (j, p) in estimate.iter().enumerate() {
            if (p - target).abs() < (estimate[best] - target).abs() {
                best = j;
            }
        }
        Dose(best as u16)
    }
}

/// The posterior of β on the integration grid, with the estimates it implies.
#[derive(Clone, Debug)]
pub struct CrmPosterior {
    /// Posterior mean of β.
    pub mean: f64,
    /// Posterior variance of β.
    pub variance: f64,
    /// The model at the posterior mean of β, per dose (dfcrm's `ptox`).
    pub plug_in: Vec<f64>,
    /// The posterior density of β.
    density: Density,
    /// ln of the integral of the unnormalised density.
    log_normaliser: f64,
}

/// CRM fitted to the outcomes so far.
pub struct CrmFit<'a> {
    crm: &'a Crm,
    data: &'a TrialData,
    /// The posterior of β and the DLT probability estimates that drive decisions (see
    /// [`CrmEstimate`]), perhaps shared with other fits of the same counts ([`PosteriorCache`]).
    fitted: std::sync::Arc<(CrmPosterior, Vec<f64>)>,
}

impl CrmFit<'_> {
    /// The posterior of β.
    pub fn posterior(&self) -> &CrmPosterior {
        &self.fitted.0
    }

    fn estimate(&self) -> &[f64] {
        &self.fitted.1
    }

    /// The dose whose estimate is closest to the target ([`Crm::closest_to_target`]).
    pub fn closest_to_target(&self) -> Dose {
        self.crm.closest_to_target(self.estimate())
    }
}

impl Design for Crm {
    type Fit<'a> = CrmFit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> CrmFit<'a> {
        let posterior = self.posterior(data);
        let estimate = self.estimate_of(&posterior);
        CrmFit {
            crm: self,
            data,
            fitted: std::sync::Arc::new((posterior, estimate)),
        }
    }

    fn costly_fit(&self) -> bool {
        true
    }
}

impl Fit for CrmFit<'_> {
    fn decision(&self) -> Decision {
        let mut next = self.closest_to_target();
        if let (true, Some(last)) = (self.crm.config.restrict, self.data.last_cohort()) {
            let toxic = f64::from(last.dlts) >= self.crm.config.target * f64::from(last.patients);
            let cap = if toxic { last.dose } else { Dose(last.dose.0 + 1) };
            next = next.min(cap);
        }
        Decision::Treat(next)
    }

    fn selected_dose(&self) -> Option<Dose> {
        let best = self.closest_to_target();
        if self.crm.config.select_untried {
            return Some(best);
        }
        (0..=best.0).rev().map(Dose).find(|&d| self.data.patients(d) > 0)
    }

    fn reason(&self) -> String {
        let config = &self.crm.config;
        let best = self.closest_to_target();
        let estimate = match config.estimate {
            CrmEstimate::PlugIn => "the model at the posterior mean of β",
            CrmEstimate::PosteriorMean => "the posterior mean",
        };
        let mut why = format!(
            "dose {best} has the estimated P(DLT) closest to the target {} ({:.4} by {estimate}; \
             posterior of β: mean {:.4}, sd {:.4})",
            config.target,
            self.estimate()[best.index()],
            self.posterior().mean,
            self.posterior().variance.sqrt()
        );
        if let (Decision::Treat(next), Some(last)) = (self.decision(), self.data.last_cohort()) {
            if next < best {
                why += &if next == last.dose {
                    format!(
                        "; restrict: no escalation after {}/{} DLTs at dose {} (at least the target)",
                        last.dlts, last.patients, last.dose
                    )
                } else {
                    format!(
                        "; restrict: at most one dose above the last cohort's (dose {})",
                        last.dose
                    )
                };
            }
        }
        format!(
            "{why}: {} [CRM (O'Quigley, Pepe & Fisher 1990), as dfcrm]",
            self.decision()
        )
    }

    /// dfcrm's `ptoxL`, `ptoxU` at `conf.level = 0.9`: the model at β's posterior mean ∓ 1.645
    /// posterior standard deviations (a normal approximation to β's posterior).
    fn prob_tox_interval(&self, dose: Dose) -> Option<(f64, f64)> {
        const Z_95: f64 = 1.6448536269514722;
        let (mean, sd) = (self.posterior().mean, self.posterior().variance.sqrt());
        let at = |beta: f64| self.crm.config.model.prob(self.crm.scaled[dose.index()], beta);
        let (a, b) = (at(mean - Z_95 * sd), at(mean + Z_95 * sd));
        Some((a.min(b), a.max(b)))
    }

    /// The dose closest to the target lies below `dose` (the restriction after the latest
    /// cohort does not apply: it is not judged at `dose`).
    fn calls_for_deescalation(&self, dose: Dose) -> bool {
        self.closest_to_target() < dose
    }

    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        Some(self.estimate()[dose.index()])
    }

    /// See [`Crm::prob_exceeds`].
    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        Some(
            self.crm
                .prob_exceeds(self.posterior(), CrmData::Counts(self.data), dose, threshold),
        )
    }

    /// Settled by Cantelli's bound when it can be ([`Crm::exceeds_by_bound`]), else by
    /// [`Crm::prob_exceeds`].
    fn prob_tox_exceeds_at_least(&self, dose: Dose, threshold: f64, certainty: f64) -> Option<bool> {
        let bound = self.crm.exceeds_by_bound(self.posterior(), dose, threshold, certainty);
        bound.or_else(|| self.prob_tox_exceeds(dose, threshold).map(|p| p >= certainty))
    }
}

#[cfg(test)]
mod tests;
