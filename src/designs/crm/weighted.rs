//! The TITE-CRM posterior (Cheung & Chappell 2000) by posterior-centred Gauss–Hermite quadrature
//! (adaptive Gauss–Hermite; Liu & Pierce 1994, Biometrika 81:624–629): safeguarded Newton steps
//! on the one-parameter weighted log posterior find its mode m and curvature −ℓ″(m) = 1/s², and a
//! Gauss–Hermite rule on the nodes m + √2·s·xᵢ integrates the posterior. The posterior is smooth,
//! unimodal and close to normal around its mode, so a few nodes give the posterior mean of β to
//! far more digits than the choice of the next dose needs, at a small fraction of the cost of the
//! fixed grid ([`Crm::posterior_of`]), which needs one ln(1 − w·p) per pending patient and grid
//! point. TITE-CRM's complete-data fit is integrated the same way
//! ([`Crm::posterior_by_quadrature`]), and its P(β < β*) by Gauss–Legendre quadrature between
//! [`REACH`] curvature scales below and above the mode.

use super::{Crm, CrmData, CrmEstimate, CrmModel, CrmPosterior, WeightedOutcome};
use crate::core::limits::MAX_DOSES;
use crate::core::stats::softplus;
use crate::designs::memo::counts_key;
use crate::designs::{Dose, TrialData};
use std::f64::consts::PI;
use std::sync::OnceLock;

/// Nodes of the Gauss–Hermite rule for the TITE-CRM posteriors.
pub const HERMITE_NODES: usize = 12;

/// Nodes of the Gauss–Legendre rule for each side of P(β < β*) under a quadrature posterior
/// (on a normal posterior, 16 nodes integrate the mass between −10 and any point below the mean
/// to 4 × 10⁻¹⁰).
pub const LEGENDRE_NODES: usize = 16;

/// Curvature scales on each side of the mode over which a quadrature posterior's P(β < β*) is
/// integrated (the mass beyond is neglected).
pub const REACH: f64 = 10.0;

/// A Gauss–Hermite rule, ∫ e^(−x²) f(x) dx ≈ Σ wᵢ f(xᵢ), stored as (xᵢ, wᵢ·e^(xᵢ²)) to integrate
/// a function that carries no Gaussian factor of its own.
#[derive(Clone, Debug)]
pub struct HermiteRule {
    nodes: Vec<(f64, f64)>,
}

impl HermiteRule {
    /// The n-point rule: the roots of the orthonormal Hermite polynomial p_n, found by a scan for
    /// sign changes and polished by Newton's method (p_n′ = √(2n)·p_(n−1)), with the Christoffel
    /// weights wᵢ = 1 / (n·p_(n−1)(xᵢ)²).
    pub fn new(n: usize) -> HermiteRule {
        assert!(n >= 1, "a rule needs a node");
        // (p_n(x), p_(n−1)(x)) by the three-term recurrence.
        let values = |x: f64| {
            let (mut previous, mut current) = (0.0, PI.powf(-0.25));
            for k in 0..n {
                let k = k as f64;
                let next = x * (2.0 / (k + 1.0)).sqrt() * current - (k / (k + 1.0)).sqrt() * previous;
                (previous, current) = (current, next);
            }
            (current, previous)
        };
        let polish = |mut x: f64| {
            for _ in 0..100 {
                let (p, below) = values(x);
                let step = p / ((2.0 * n as f64).sqrt() * below);
                x -= step;
                if step.abs() < 1e-15 * x.abs().max(1.0) {
                    break;
                }
            }
            x
        };
        // Every root lies inside ±√(2n + 1); neighbours are at least ~π/√(2n + 1) apart.
        let reach = (2.0 * n as f64 + 1.0).sqrt() + 0.5;
        let step = 0.05 / (n as f64).sqrt();
        let mut nodes = Vec::with_capacity(n);
        let (mut x, mut before) = (-reach, values(-reach).0);
        while x < reach && nodes.len() < n {
            let next = x + step;
            let after = values(next).0;
            if before == 0.0 || before.signum() != after.signum() {
                let root = polish(0.5 * (x + next));
                let below = values(root).1;
                let weight = 1.0 / (n as f64 * below * below);
                nodes.push((root, weight * (root * root).exp()));
            }
            (x, before) = (next, after);
        }
        assert_eq!(nodes.len(), n, "every root of p_{n} found");
        HermiteRule { nodes }
    }
}

/// A Gauss–Legendre rule on [−1, 1], ∫ f(x) dx ≈ Σ wᵢ f(xᵢ), as (xᵢ, wᵢ).
#[derive(Clone, Debug)]
pub struct LegendreRule {
    nodes: Vec<(f64, f64)>,
}

impl LegendreRule {
    /// The n-point rule: the roots of the Legendre polynomial P_n by Newton's method from
    /// Tricomi's approximation cos(π(i − ¼)/(n + ½)), with the weights 2 / ((1 − x²)·P_n′(x)²)
    /// (Abramowitz & Stegun 25.4.29).
    pub fn new(n: usize) -> LegendreRule {
        assert!(n >= 1, "a rule needs a node");
        let nodes = (1..=n)
            .map(|i| {
                let mut x = (PI * (i as f64 - 0.25) / (n as f64 + 0.5)).cos();
                let mut slope = 1.0;
                for _ in 0..100 {
                    // (P_(k−1), P_k) by Bonnet's recurrence, then P_n′ from both.
                    let (mut below, mut p) = (1.0, x);
                    for k in 2..=n {
                        let k = k as f64;
                        (below, p) = (p, ((2.0 * k - 1.0) * x * p - (k - 1.0) * below) / k);
                    }
                    slope = n as f64 * (x * p - below) / (x * x - 1.0);
                    let step = p / slope;
                    x -= step;
                    if step.abs() < 1e-15 {
                        break;
                    }
                }
                (x, 2.0 / ((1.0 - x * x) * slope * slope))
            })
            .collect();
        LegendreRule { nodes }
    }
}

/// How a posterior's density is held.
#[derive(Clone, Debug)]
pub(super) enum Density {
    /// Normalised at each point of the fixed grid ([`Crm::posterior_of`]).
    Grid(Vec<f64>),
    /// By Gauss–Hermite quadrature around its mode on the curvature's scale
    /// ([`Crm::posterior_by_quadrature`]), with each dose's posterior mean DLT probability and
    /// the first P(p_dose > threshold) asked, as (dose, threshold, probability).
    Quadrature {
        mode: f64,
        scale: f64,
        mean_probs: Vec<f64>,
        exceeds: OnceLock<(Dose, f64, f64)>,
    },
}

/// The weighted (TITE-CRM) posterior of β, integrated around its mode.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightedPosterior {
    /// Posterior mean of β.
    pub mean: f64,
    /// Posterior variance of β.
    pub variance: f64,
    /// The model at the posterior mean of β, per dose.
    pub plug_in: Vec<f64>,
    /// The posterior mean of each dose's DLT probability (computed for
    /// [`CrmEstimate::PosteriorMean`] only; empty otherwise).
    pub mean_probs: Vec<f64>,
}

/// The weighted likelihood's terms, per dose with data: (dose, DLTs, complete patients without
/// one, where its pending patients' weights lie in `weights`).
struct Terms {
    doses: Vec<(usize, f64, f64, std::ops::Range<usize>)>,
    weights: Vec<f64>,
}

impl Terms {
    /// Weighted outcomes' terms: DLTs and complete patients counted per dose, each dose's
    /// pending weights together, in order of entry.
    fn of_outcomes(outcomes: &[WeightedOutcome], k: usize) -> Terms {
        let (mut dlts, mut clear, mut waiting) = ([0.0; MAX_DOSES], [0.0; MAX_DOSES], [0usize; MAX_DOSES]);
        for o in outcomes {
            let j = o.dose.index();
            if o.dlt {
                dlts[j] += 1.0;
            } else if o.weight >= 1.0 {
                clear[j] += 1.0;
            } else {
                waiting[j] += 1;
            }
        }
        let mut weights = Vec::with_capacity(waiting[..k].iter().sum());
        let mut doses = Vec::with_capacity(k);
        for j in (0..k).filter(|&j| dlts[j] + clear[j] > 0.0 || waiting[j] > 0) {
            let start = weights.len();
            weights.extend(
                outcomes
                    .iter()
                    .filter(|o| o.dose.index() == j && !o.dlt && o.weight < 1.0)
                    .map(|o| o.weight),
            );
            doses.push((j, dlts[j], clear[j], start..weights.len()));
        }
        Terms { doses, weights }
    }

    /// The patients and DLTs per dose of complete data, as `[n₁, y₁, n₂, y₂, …]`.
    fn of_counts(counts: &[u16]) -> Terms {
        let doses = (counts.chunks_exact(2).enumerate())
            .filter(|(_, c)| c[0] > 0)
            .map(|(j, c)| (j, f64::from(c[1]), f64::from(c[0] - c[1]), 0..0))
            .collect();
        Terms {
            doses,
            weights: Vec::new(),
        }
    }
}

/// A posterior integrated around its mode: the mode, the curvature's scale there, ln of the
/// integral of the unnormalised density, the mean and variance of β, and (when asked for) each
/// dose's posterior mean DLT probability.
struct Integrated {
    mode: f64,
    scale: f64,
    log_normaliser: f64,
    mean: f64,
    variance: f64,
    mean_probs: Vec<f64>,
}

/// What one dose contributes at β: ln p, ln(1 − p), p, 1 − p, dp/dβ and d²p/dβ².
struct DoseAt {
    lp: f64,
    lq: f64,
    p: f64,
    q: f64,
    dp: f64,
    d2p: f64,
}

impl CrmModel {
    /// (ln p, ln(1 − p), 1 − p) at slope e^β for a scaled dose, as [`CrmModel::log_probs`]
    /// computes them.
    fn at_slope(self, scaled: f64, slope: f64) -> (f64, f64, f64) {
        match self {
            CrmModel::Empiric => {
                let lp = slope * scaled;
                let q = -lp.exp_m1();
                (lp, q.ln(), q)
            }
            CrmModel::Logistic { intercept } => {
                let z = intercept + slope * scaled;
                let lq = -softplus(z);
                (-softplus(-z), lq, lq.exp())
            }
        }
    }

    /// The dose's probabilities and their derivatives in β: empiric p = exp(a), a = e^β·s, so
    /// p′ = p·a and p″ = p·a·(a + 1); logistic p = expit(c + v), v = e^β·s, so p′ = p·q·v and
    /// p″ = p·q·v·(1 + (q − p)·v).
    fn at(self, scaled: f64, slope: f64) -> DoseAt {
        let (lp, lq, q) = self.at_slope(scaled, slope);
        let p = lp.exp();
        let (dp, d2p) = match self {
            CrmModel::Empiric => (p * lp, p * lp * (lp + 1.0)),
            CrmModel::Logistic { .. } => {
                let v = slope * scaled;
                (p * q * v, p * q * v * (1.0 + (q - p) * v))
            }
        };
        DoseAt { lp, lq, p, q, dp, d2p }
    }
}

impl Crm {
    /// The unnormalised log posterior ℓ(β) of weighted data, with ℓ′ and ℓ″ when `derivatives`.
    fn weighted_log_density(&self, terms: &Terms, beta: f64, derivatives: bool) -> (f64, f64, f64) {
        let variance = self.config.prior_variance;
        let (mut l, mut d1, mut d2) = (-0.5 * beta * beta / variance, -beta / variance, -1.0 / variance);
        let (model, slope) = (self.config.model, beta.exp());
        for (j, y, f, pending) in &terms.doses {
            let (y, f, weights) = (*y, *f, &terms.weights[pending.clone()]);
            if !derivatives {
                let (lp, lq, q) = model.at_slope(self.scaled[*j], slope);
                l += y * lp + f * lq;
                if !weights.is_empty() {
                    // Π (1 − w·p), each factor without cancellation and at least 1 − w > 0
                    // (w < 1 for a pending patient), so the product of a cohort's factors stays
                    // far from underflow: one logarithm per dose.
                    l += weights.iter().map(|&w| (1.0 - w) + w * q).product::<f64>().ln();
                }
                continue;
            }
            let a = model.at(self.scaled[*j], slope);
            l += y * a.lp + f * a.lq;
            let (r, s) = (a.dp / a.p, a.dp / a.q);
            d1 += y * r - f * s;
            d2 += y * (a.d2p / a.p - r * r) - f * (a.d2p / a.q + s * s);
            for &w in weights {
                let rest = (1.0 - w) + w * a.q;
                l += rest.ln();
                let s = w * a.dp / rest;
                d1 -= s;
                d2 -= w * a.d2p / rest + s * s;
            }
        }
        (l, d1, d2)
    }

    /// The mode of the weighted log posterior by Newton's method from `start`, safeguarded:
    /// uphill steps of at most one prior standard deviation, halved until ℓ increases. Returns
    /// (mode, ℓ″ there).
    fn weighted_mode(&self, terms: &Terms, start: f64) -> (f64, f64) {
        let most = self.config.prior_variance.sqrt();
        let mut beta = start;
        let (mut l, mut d1, mut d2) = self.weighted_log_density(terms, beta, true);
        for _ in 0..100 {
            let newton = if d2 < 0.0 { -d1 / d2 } else { d1.signum() * most };
            let mut step = newton.clamp(-most, most);
            let mut moved = false;
            for _ in 0..60 {
                let (l_new, d1_new, d2_new) = self.weighted_log_density(terms, beta + step, true);
                if l_new >= l {
                    (beta, l, d1, d2) = (beta + step, l_new, d1_new, d2_new);
                    moved = true;
                    break;
                }
                step *= 0.5;
            }
            // Newton converges quadratically: after a step of 10⁻⁸ the mode is known to far
            // more digits than the quadrature around it needs.
            if !moved || step.abs() < 1e-8 * beta.abs().max(1.0) {
                break;
            }
        }
        (beta, d2)
    }

    /// The posterior of `terms` by Gauss–Hermite quadrature `rule` centred on the mode (found
    /// from `start`) with the curvature's scale (see the module's documentation).
    fn integrate(&self, rule: &HermiteRule, terms: &Terms, start: f64, mean_probs: bool) -> Integrated {
        let k = self.scaled.len();
        let (mode, curvature) = self.weighted_mode(terms, start);
        // A flat or convex mode (not met in practice) falls back to the prior's scale.
        let scale = if curvature < 0.0 {
            (-1.0 / curvature).sqrt()
        } else {
            self.config.prior_variance.sqrt()
        };
        let peak = self.weighted_log_density(terms, mode, false).0;
        let (mut total, mut first, mut second) = (0.0, 0.0, 0.0);
        let mut probs = [0.0; MAX_DOSES];
        for &(x, weight) in &rule.nodes {
            let beta = mode + std::f64::consts::SQRT_2 * scale * x;
            let g = weight * (self.weighted_log_density(terms, beta, false).0 - peak).exp();
            total += g;
            first += g * beta;
            second += g * beta * beta;
            if mean_probs {
                for (j, &s) in self.scaled.iter().enumerate() {
                    probs[j] += g * self.config.model.prob(s, beta);
                }
            }
        }
        let mean = first / total;
        Integrated {
            mode,
            scale,
            log_normaliser: peak + (std::f64::consts::SQRT_2 * scale * total).ln(),
            mean,
            variance: (second / total - mean * mean).max(0.0),
            mean_probs: if mean_probs {
                probs[..k].iter().map(|p| p / total).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The dose whose DLT probability at β is closest to the target: [`Crm::closest_to_target`]
    /// of the plug-in estimates at β, without allocating them. Every dose's probability falls
    /// as β rises, so this dose never falls as β rises.
    pub fn closest_at(&self, beta: f64) -> Dose {
        let mut probs = [0.0; MAX_DOSES];
        for (p, &s) in probs.iter_mut().zip(&self.scaled) {
            *p = self.config.model.prob(s, beta);
        }
        self.closest_to_target(&probs[..self.scaled.len()])
    }

    /// The weighted posterior of β (TITE-CRM) by Gauss–Hermite quadrature `rule` centred on the
    /// mode with the curvature's scale (see the module's documentation); Newton's search for the
    /// mode starts at `start` (e.g. the complete patients' posterior mean).
    pub fn weighted_posterior(
        &self,
        rule: &HermiteRule,
        outcomes: &[WeightedOutcome],
        start: f64,
    ) -> WeightedPosterior {
        let terms = Terms::of_outcomes(outcomes, self.scaled.len());
        let mean_probs = self.config.estimate == CrmEstimate::PosteriorMean;
        let integrated = self.integrate(rule, &terms, start, mean_probs);
        WeightedPosterior {
            mean: integrated.mean,
            variance: integrated.variance,
            plug_in: self.plug_in(integrated.mean),
            mean_probs: integrated.mean_probs,
        }
    }

    /// The posterior of β given complete data's counts by Gauss–Hermite quadrature `rule`
    /// around its mode (TITE-CRM's complete-data fit), instead of the fixed grid of
    /// [`Crm::posterior`]: the same posterior to about 10⁻⁶ in β at a small fraction of the cost.
    pub fn posterior_by_quadrature(&self, rule: &HermiteRule, data: &TrialData) -> CrmPosterior {
        self.posterior_of_counts(rule, &counts_key(data)[..2 * data.num_doses()])
    }

    /// The posterior mean of β of [`Crm::posterior_of_counts`] alone.
    pub(super) fn posterior_mean_of_counts(&self, rule: &HermiteRule, counts: &[u16]) -> f64 {
        self.integrate(rule, &Terms::of_counts(counts), 0.0, false).mean
    }

    /// [`Crm::posterior_by_quadrature`] of the patients and DLTs per dose `[n₁, y₁, n₂, y₂, …]`.
    pub(super) fn posterior_of_counts(&self, rule: &HermiteRule, counts: &[u16]) -> CrmPosterior {
        let integrated = self.integrate(rule, &Terms::of_counts(counts), 0.0, true);
        CrmPosterior {
            mean: integrated.mean,
            variance: integrated.variance,
            plug_in: self.plug_in(integrated.mean),
            density: Density::Quadrature {
                mode: integrated.mode,
                scale: integrated.scale,
                mean_probs: integrated.mean_probs,
                exceeds: Default::default(),
            },
            log_normaliser: integrated.log_normaliser,
        }
    }

    /// P(β < `cut`) under a quadrature posterior of `data` (mode, curvature scale): the
    /// posterior's mass on [mode − [`REACH`]·scale, cut] over its mass on the whole reach, each
    /// part by Gauss–Legendre quadrature on the exact density.
    pub(super) fn quadrature_below(
        &self,
        data: CrmData,
        (mode, scale, log_normaliser): (f64, f64, f64),
        cut: f64,
    ) -> f64 {
        let (lowest, highest) = (mode - REACH * scale, mode + REACH * scale);
        if cut <= lowest {
            return 0.0;
        }
        if cut >= highest {
            return 1.0;
        }
        let terms = match data {
            CrmData::Counts(data) => Terms::of_counts(&counts_key(data)[..2 * data.num_doses()]),
            CrmData::Weighted(outcomes) => Terms::of_outcomes(outcomes, self.scaled.len()),
        };
        let mass = |a: f64, b: f64| {
            let (half, middle) = (0.5 * (b - a), 0.5 * (a + b));
            let sum: f64 = (self.legendre.nodes.iter())
                .map(|&(x, w)| {
                    let l = self.weighted_log_density(&terms, middle + half * x, false).0;
                    w * (l - log_normaliser).exp()
                })
                .sum();
            half * sum
        };
        let (below, above) = (mass(lowest, cut), mass(cut, highest));
        (below / (below + above)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule integrates polynomials up to degree 2n − 1 exactly: ∫ e^(−x²) x^(2m) dx =
    /// Γ(m + ½) = √π·(2m − 1)!!/2^m.
    #[test]
    fn hermite_rule_integrates_moments() {
        for n in [1, 5, 20, 32] {
            let rule = HermiteRule::new(n);
            let mut exact = PI.sqrt();
            for m in 0..n {
                let got: f64 = rule
                    .nodes
                    .iter()
                    .map(|&(x, w)| w * (-x * x).exp() * x.powi(2 * m as i32))
                    .sum();
                assert!((got / exact - 1.0).abs() < 1e-10, "n = {n}, m = {m}: {got} vs {exact}");
                let odd: f64 = rule
                    .nodes
                    .iter()
                    .map(|&(x, w)| w * (-x * x).exp() * x.powi(2 * m as i32 + 1))
                    .sum();
                assert!(odd.abs() < 1e-10 * exact.max(1.0), "n = {n}: odd moment {odd}");
                exact *= (2 * m + 1) as f64 / 2.0;
            }
        }
    }

    /// TITE-CRM's complete-data fit by quadrature around the mode against the fine grid on
    /// dfcrm's `crm` example (VALIDATION R6): the posterior mean and variance of β, each dose's
    /// posterior mean DLT probability and P(p_j > t) at every dose and several thresholds to
    /// 10⁻⁵ with the empiric model, 10⁻⁴ with the logistic one (whose posterior here is skewed:
    /// 12 nodes give its mean to 4 × 10⁻⁵); P(p_j > t) is remembered for the first (dose,
    /// threshold) asked.
    #[test]
    fn complete_fit_by_quadrature_matches_the_grid() {
        use crate::designs::crm::tests::r6_data;
        let data = r6_data();
        let rule = HermiteRule::new(HERMITE_NODES);
        for model in [CrmModel::Empiric, CrmModel::LOGISTIC] {
            let crm = Crm::new(crate::designs::crm::CrmConfig {
                target: 0.2,
                skeleton: vec![0.05, 0.10, 0.20, 0.35, 0.50, 0.70],
                model,
                prior_variance: 1.34,
                estimate: CrmEstimate::PosteriorMean,
                restrict: false,
                select_untried: true,
            });
            let tolerance = if model == CrmModel::Empiric { 1e-5 } else { 1e-4 };
            let (grid, quadrature) = (crm.posterior(&data), crm.posterior_by_quadrature(&rule, &data));
            let (mean, variance) = (quadrature.mean, quadrature.variance);
            assert!(
                (grid.mean - mean).abs() < tolerance,
                "{model:?}: {} vs {mean}",
                grid.mean
            );
            assert!((grid.variance - variance).abs() < tolerance, "{model:?}: {variance}");
            let means = |p| crm.posterior_mean_probs(p);
            for (a, b) in means(&grid).iter().zip(means(&quadrature)) {
                assert!((a - b).abs() < tolerance, "{model:?}: {a} vs {b}");
            }
            for dose in data.doses() {
                for threshold in [0.05, 0.2, 0.33, 0.6] {
                    let exceeds = |p| crm.prob_exceeds(p, CrmData::Counts(&data), dose, threshold);
                    let (a, b) = (exceeds(&grid), exceeds(&quadrature));
                    assert!((a - b).abs() < tolerance, "{model:?} {dose:?} {threshold}: {a} vs {b}");
                    assert_eq!(exceeds(&quadrature), b);
                }
            }
            let Density::Quadrature { exceeds, .. } = &quadrature.density else {
                panic!("a quadrature posterior")
            };
            assert_eq!(exceeds.get().map(|&(d, t, _)| (d, t)), Some((Dose(0), 0.05)));
        }
    }

    /// The Gauss–Legendre rule integrates polynomials up to degree 2n − 1 exactly:
    /// ∫₋₁¹ x^(2m) dx = 2/(2m + 1), odd powers 0.
    #[test]
    fn legendre_rule_integrates_moments() {
        for n in [1, 2, 7, 32] {
            let rule = LegendreRule::new(n);
            for m in 0..n {
                let even: f64 = rule.nodes.iter().map(|&(x, w)| w * x.powi(2 * m as i32)).sum();
                let exact = 2.0 / (2 * m + 1) as f64;
                assert!((even - exact).abs() < 1e-13, "n = {n}, m = {m}: {even} vs {exact}");
                let odd: f64 = rule.nodes.iter().map(|&(x, w)| w * x.powi(2 * m as i32 + 1)).sum();
                assert!(odd.abs() < 1e-13, "n = {n}: odd moment {odd}");
            }
        }
    }
}
