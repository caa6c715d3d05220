//! EffTox's posterior without MCMC: a Laplace approximation at the posterior mode, refined by a
//! pilot importance sample, then importance sampling on a fixed quasi-random point set from a
//! multivariate-t proposal.
//!
//! 1. **Mode.** Damped Newton (Levenberg–Marquardt) ascent of the log posterior from the prior
//!    mean, with the analytic gradient ([`super::model::log_posterior`]) and the Hessian by central
//!    differences of that gradient, until the prior-scaled gradient is below 1e-9.
//! 2. **Pilot.** Importance sampling on the first [`PILOT_PAIRS`] pairs of points from the t
//!    proposal centred at the mode with the Laplace covariance (the inverse negative Hessian),
//!    whose weighted mean and covariance then centre and shape the final proposal: a posterior
//!    skewed by a boundary of the data (e.g. no DLT yet) is wider on one side than its Laplace
//!    approximation.
//! 3. **Final sample.** θ = mean + L z, L the Cholesky factor of the pilot covariance, z over all
//!    [`POINT_PAIRS`] pairs of points; weights w ∝ posterior(θ)/t-density(z), self-normalised.
//!
//! **Points.** Standard 6-variate t points with [`PROPOSAL_DF`] degrees of freedom, built once
//! without any seed from the Kronecker (R₆) low-discrepancy sequence of Roberts (2018),
//! u_ij = frac(½ + i·φ^{−j}), φ the positive root of x⁷ = x + 1: a normal vector g = Φ⁻¹(u_i)
//! is stretched radially so that its χ²₆ quantile becomes the same quantile of the t radius
//! (|z|²/6 ~ F(6, ν)), which keeps the map smooth in six dimensions. Each point comes with its
//! mirror −z (antithetic pairs), so that every linear function of the proposal's core is
//! integrated exactly.
//!
//! The same data give the same bits: no randomness, a fixed order of operations. Against a
//! brute-force evaluation of the same posterior with 256 times the points and another proposal,
//! posterior means agree within 0.005 and posterior probabilities within 0.015
//! (`tests::matches_a_brute_force_evaluation`).

use super::model::{log_posterior, log_posterior_value, DoseOutcomes, Prior, Theta, PARAMETERS};
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, Normal};

/// Antithetic pairs of points of the final sample (the posterior is sampled at twice as many).
pub const POINT_PAIRS: usize = 1024;
/// Antithetic pairs of points of the pilot sample.
pub const PILOT_PAIRS: usize = 256;
/// Degrees of freedom of the multivariate-t proposal.
pub const PROPOSAL_DF: f64 = 5.0;

type Matrix = [[f64; PARAMETERS]; PARAMETERS];

/// A fixed set of standard multivariate-t points with the log of their density (up to its
/// constant), and how the posterior uses them.
#[derive(Clone, Debug)]
pub struct PointSet {
    points: Vec<Theta>,
    log_density: Vec<f64>,
    /// The proposal's scale relative to the (Laplace or pilot) covariance's square root.
    scale: f64,
    /// Pairs of the pilot sample; 0 for a single sample from the Laplace approximation.
    pilot_pairs: usize,
}

impl PointSet {
    /// `pairs` antithetic pairs of t points with `df` degrees of freedom, the proposal scaled by
    /// `scale`, with a pilot sample on the first `pilot_pairs` pairs (none when 0).
    pub fn new(pairs: usize, df: f64, scale: f64, pilot_pairs: usize) -> PointSet {
        assert!(pilot_pairs <= pairs, "the pilot sample is a prefix of the points");
        let dims = PARAMETERS as f64;
        // φ: the positive root of x⁷ = x + 1, by Newton's method from 1.1.
        let mut phi = 1.1f64;
        for _ in 0..60 {
            phi -= (phi.powi(7) - phi - 1.0) / (7.0 * phi.powi(6) - 1.0);
        }
        let alpha: Theta = std::array::from_fn(|j| phi.powi(-(j as i32 + 1)));
        let normal = Normal::standard();
        let chi2 = ChiSquared::new(dims).expect("positive degrees of freedom");
        let radius = FisherSnedecor::new(dims, df).expect("positive degrees of freedom");
        let mut points = Vec::with_capacity(2 * pairs);
        let mut log_density = Vec::with_capacity(2 * pairs);
        for i in 1..=pairs {
            let g: Theta = std::array::from_fn(|j| {
                normal.inverse_cdf((0.5 + i as f64 * alpha[j]).fract().clamp(1e-15, 1.0 - 1e-15))
            });
            let g2: f64 = g.iter().map(|v| v * v).sum();
            let z2 = dims * radius.inverse_cdf(chi2.cdf(g2));
            let z = g.map(|v| v * (z2 / g2).sqrt());
            let ln_q = -0.5 * (df + dims) * (z2 / df).ln_1p();
            points.push(z);
            points.push(z.map(|v| -v));
            log_density.extend([ln_q, ln_q]);
        }
        PointSet {
            points,
            log_density,
            scale,
            pilot_pairs,
        }
    }

    /// The production point set: [`POINT_PAIRS`] pairs with [`PROPOSAL_DF`] degrees of freedom,
    /// unscaled, and a pilot sample on [`PILOT_PAIRS`] pairs.
    pub fn standard() -> PointSet {
        PointSet::new(POINT_PAIRS, PROPOSAL_DF, 1.0, PILOT_PAIRS)
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether the set is empty (never for a design's set).
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// A weighted sample representing the posterior.
#[derive(Clone, Debug)]
pub struct Posterior {
    /// The parameter vectors.
    pub thetas: Vec<Theta>,
    /// Their self-normalised importance weights (summing to 1).
    pub weights: Vec<f64>,
    /// The posterior mode found by Newton's method.
    pub mode: Theta,
}

/// A proposal: θ = center + scale · root · z.
struct Proposal {
    center: Theta,
    root: Matrix,
}

impl Posterior {
    /// The posterior given `outcomes` under `prior`, on `points` (see the module documentation).
    pub fn new(prior: &Prior, outcomes: &[DoseOutcomes], points: &PointSet) -> Posterior {
        let (mode, hessian) = find_mode(prior, outcomes);
        let laplace = Proposal {
            center: mode,
            root: cholesky_pd(inverse(&cholesky_pd(hessian))),
        };
        let proposal = if points.pilot_pairs == 0 {
            laplace
        } else {
            let pilot = Posterior::sample(prior, outcomes, points, 2 * points.pilot_pairs, &laplace, mode);
            let (center, covariance) = pilot.moments();
            Proposal {
                center,
                root: cholesky_pd(covariance),
            }
        };
        Posterior::sample(prior, outcomes, points, points.len(), &proposal, mode)
    }

    /// Importance sampling on the first `n` points from `proposal`.
    fn sample(
        prior: &Prior,
        outcomes: &[DoseOutcomes],
        points: &PointSet,
        n: usize,
        proposal: &Proposal,
        mode: Theta,
    ) -> Posterior {
        let (center, root) = (&proposal.center, &proposal.root);
        let mut thetas = Vec::with_capacity(n);
        let mut log_w = Vec::with_capacity(n);
        for (z, ln_q) in points.points[..n].iter().zip(&points.log_density[..n]) {
            let theta: Theta =
                std::array::from_fn(|i| center[i] + points.scale * (0..=i).map(|k| root[i][k] * z[k]).sum::<f64>());
            log_w.push(log_posterior_value(&theta, prior, outcomes) - ln_q);
            thetas.push(theta);
        }
        let max = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut weights: Vec<f64> = log_w.iter().map(|l| (l - max).exp()).collect();
        let total: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= total);
        Posterior { thetas, weights, mode }
    }

    /// The weighted mean and covariance of the sample.
    fn moments(&self) -> (Theta, Matrix) {
        let mut mean = [0.0; PARAMETERS];
        for (t, w) in self.thetas.iter().zip(&self.weights) {
            (0..PARAMETERS).for_each(|i| mean[i] += w * t[i]);
        }
        let mut cov = [[0.0; PARAMETERS]; PARAMETERS];
        for (t, w) in self.thetas.iter().zip(&self.weights) {
            for (i, row) in cov.iter_mut().enumerate() {
                for (j, entry) in row.iter_mut().enumerate() {
                    *entry += w * (t[i] - mean[i]) * (t[j] - mean[j]);
                }
            }
        }
        (mean, cov)
    }

    /// The effective sample size of the weights, 1/Σw².
    pub fn effective_sample_size(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }
}

/// The posterior mode and the negative Hessian of the log posterior there.
fn find_mode(prior: &Prior, outcomes: &[DoseOutcomes]) -> (Theta, Matrix) {
    let mut theta = prior.mean;
    let (mut value, mut grad) = log_posterior(&theta, prior, outcomes);
    let mut damping = 0.0;
    for _ in 0..200 {
        let scaled = (0..PARAMETERS)
            .map(|i| (grad[i] * prior.sd[i]).abs())
            .fold(0.0, f64::max);
        if scaled < 1e-9 {
            break;
        }
        let hessian = negative_hessian(&theta, prior, outcomes);
        let mut moved = false;
        while damping < 1e12 {
            let mut damped = hessian;
            (0..PARAMETERS).for_each(|i| damped[i][i] += damping);
            if let Some(step) = cholesky(damped).map(|r| solve(&r, &grad)) {
                let trial: Theta = std::array::from_fn(|i| theta[i] + step[i]);
                let (v, g) = log_posterior(&trial, prior, outcomes);
                if v >= value {
                    let stalled = trial == theta;
                    (theta, value, grad) = (trial, v, g);
                    damping *= 0.1;
                    moved = !stalled;
                    break;
                }
            }
            damping = (damping * 10.0).max(1e-4);
        }
        if !moved {
            break;
        }
    }
    (theta, negative_hessian(&theta, prior, outcomes))
}

/// The negative Hessian of the log posterior at θ by central differences of its gradient,
/// symmetrised.
fn negative_hessian(theta: &Theta, prior: &Prior, outcomes: &[DoseOutcomes]) -> Matrix {
    let mut h = [[0.0; PARAMETERS]; PARAMETERS];
    for j in 0..PARAMETERS {
        let step = 1e-5 * prior.sd[j];
        let (mut up, mut down) = (*theta, *theta);
        up[j] += step;
        down[j] -= step;
        let (gu, gd) = (
            log_posterior(&up, prior, outcomes).1,
            log_posterior(&down, prior, outcomes).1,
        );
        for i in 0..PARAMETERS {
            h[i][j] = -(gu[i] - gd[i]) / (2.0 * step);
        }
    }
    std::array::from_fn(|i| std::array::from_fn(|j| 0.5 * (h[i][j] + h[j][i])))
}

/// The lower Cholesky factor R (R Rᵀ = a) of a symmetric matrix, if positive definite.
fn cholesky(a: Matrix) -> Option<Matrix> {
    let mut r = [[0.0; PARAMETERS]; PARAMETERS];
    for i in 0..PARAMETERS {
        for j in 0..=i {
            let s: f64 = a[i][j] - (0..j).map(|k| r[i][k] * r[j][k]).sum::<f64>();
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                r[i][i] = s.sqrt();
            } else {
                r[i][j] = s / r[j][j];
            }
        }
    }
    Some(r)
}

/// The Cholesky factor of `a`, adding the smallest power-of-ten ridge (relative to its diagonal)
/// that makes it positive definite (the negative Hessian at a mode is, save for rounding).
fn cholesky_pd(a: Matrix) -> Matrix {
    let mut ridge = 0.0;
    let scale = (0..PARAMETERS).map(|i| a[i][i].abs()).fold(1e-12, f64::max);
    loop {
        let mut b = a;
        (0..PARAMETERS).for_each(|i| b[i][i] += ridge);
        if let Some(r) = cholesky(b) {
            return r;
        }
        ridge = if ridge == 0.0 { 1e-10 * scale } else { ridge * 10.0 };
    }
}

/// The inverse of R Rᵀ given its lower Cholesky factor R.
fn inverse(r: &Matrix) -> Matrix {
    let mut inv = [[0.0; PARAMETERS]; PARAMETERS];
    for j in 0..PARAMETERS {
        let mut unit = [0.0; PARAMETERS];
        unit[j] = 1.0;
        let column = solve(r, &unit);
        (0..PARAMETERS).for_each(|i| inv[i][j] = column[i]);
    }
    inv
}

/// Solves R Rᵀ x = b given the lower Cholesky factor R.
fn solve(r: &Matrix, b: &Theta) -> Theta {
    let mut y = [0.0; PARAMETERS];
    for i in 0..PARAMETERS {
        let s: f64 = (0..i).map(|k| r[i][k] * y[k]).sum();
        y[i] = (b[i] - s) / r[i][i];
    }
    let mut x = [0.0; PARAMETERS];
    for i in (0..PARAMETERS).rev() {
        let s: f64 = (i + 1..PARAMETERS).map(|k| r[k][i] * x[k]).sum();
        x[i] = (y[i] - s) / r[i][i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without data the posterior is the prior: the mode is the prior mean, and the weighted
    /// sample reproduces the prior means and standard deviations.
    #[test]
    fn without_data_the_posterior_is_the_prior() {
        let prior = Prior {
            mean: [-7.9593, 1.5482, 0.7367, 3.4181, 0.0, 0.0],
            sd: [3.5487, 3.5018, 2.5423, 2.4406, 0.2, 1.0],
        };
        let post = Posterior::new(&prior, &[], &PointSet::standard());
        for i in 0..PARAMETERS {
            assert!((post.mode[i] - prior.mean[i]).abs() < 1e-9);
            let mean: f64 = post.thetas.iter().zip(&post.weights).map(|(t, w)| w * t[i]).sum();
            let var: f64 = post
                .thetas
                .iter()
                .zip(&post.weights)
                .map(|(t, w)| w * (t[i] - mean).powi(2))
                .sum();
            assert!((mean - prior.mean[i]).abs() < 1e-9 * prior.sd[i], "mean {i}");
            assert!((var.sqrt() / prior.sd[i] - 1.0).abs() < 0.02, "sd {i}: {}", var.sqrt());
        }
        assert!(post.effective_sample_size() > 0.5 * PointSet::standard().len() as f64);
    }

    #[test]
    fn solve_inverts_the_cholesky_product() {
        let a: Matrix = std::array::from_fn(|i| {
            std::array::from_fn(|j| 1.0 / (1.0 + i as f64 + j as f64) + if i == j { 1.0 } else { 0.0 })
        });
        let r = cholesky(a).unwrap();
        let b = [1.0, -2.0, 0.5, 3.0, 0.0, 1.5];
        let x = solve(&r, &b);
        for i in 0..PARAMETERS {
            let ax: f64 = (0..PARAMETERS).map(|j| a[i][j] * x[j]).sum();
            assert!((ax - b[i]).abs() < 1e-12);
        }
    }
}
