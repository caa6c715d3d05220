//! The TITE-CRM posterior (Cheung & Chappell 2000) by posterior-centred Gauss–Hermite quadrature
//! (adaptive Gauss–Hermite; Liu & Pierce 1994, Biometrika 81:624–629): safeguarded Newton steps
//! on the one-parameter weighted log posterior find its mode m and curvature −ℓ″(m) = 1/s², and a
//! Gauss–Hermite rule on the nodes m + √2·s·xᵢ integrates the posterior. The posterior is smooth,
//! unimodal and close to normal around its mode, so a few nodes give the posterior mean of β to
//! far more digits than the choice of the next dose needs, at a small fraction of the cost of the
//! fixed grid ([`Crm::posterior_of`]), which needs one ln(1 − w·p) per pending patient and grid
//! point.

use super::{Crm, CrmEstimate, CrmModel, WeightedOutcome};
use crate::core::limits::MAX_DOSES;
use crate::core::stats::softplus;
use std::f64::consts::PI;

/// Nodes of the Gauss–Hermite rule for the TITE-CRM posterior.
pub const HERMITE_NODES: usize = 32;

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
                // 1 − w·p without cancellation.
                l += y * lp + f * lq + weights.iter().map(|&w| ((1.0 - w) + w * q).ln()).sum::<f64>();
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

    /// The mode of the weighted log posterior by Newton's method, safeguarded: uphill steps of
    /// at most one prior standard deviation, halved until ℓ increases. Returns (mode, ℓ″ there).
    fn weighted_mode(&self, terms: &Terms) -> (f64, f64) {
        let most = self.config.prior_variance.sqrt();
        let mut beta = 0.0;
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
            if !moved || step.abs() < 1e-12 * beta.abs().max(1.0) {
                break;
            }
        }
        (beta, d2)
    }

    /// The weighted posterior of β (TITE-CRM) by Gauss–Hermite quadrature `rule` centred on the
    /// mode with the curvature's scale (see the module's documentation).
    pub fn weighted_posterior(&self, rule: &HermiteRule, outcomes: &[WeightedOutcome]) -> WeightedPosterior {
        let k = self.scaled.len();
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
        // Each dose's pending weights together, in order of entry.
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
        let terms = Terms { doses, weights };
        let (mode, curvature) = self.weighted_mode(&terms);
        // A flat or convex mode (not met in practice) falls back to the prior's scale.
        let scale = if curvature < 0.0 {
            (-1.0 / curvature).sqrt()
        } else {
            self.config.prior_variance.sqrt()
        };
        let peak = self.weighted_log_density(&terms, mode, false).0;
        let (mut total, mut first, mut second) = (0.0, 0.0, 0.0);
        let mut probs = [0.0; MAX_DOSES];
        let mean_probs = self.config.estimate == CrmEstimate::PosteriorMean;
        for &(x, weight) in &rule.nodes {
            let beta = mode + std::f64::consts::SQRT_2 * scale * x;
            let g = weight * (self.weighted_log_density(&terms, beta, false).0 - peak).exp();
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
        WeightedPosterior {
            mean,
            variance: (second / total - mean * mean).max(0.0),
            plug_in: self.scaled.iter().map(|&s| self.config.model.prob(s, mean)).collect(),
            mean_probs: if mean_probs {
                probs[..k].iter().map(|p| p / total).collect()
            } else {
                Vec::new()
            },
        }
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
}
