//! EffTox's probability model (Thall & Cook 2004, Biometrics 60:684–693, section 2, with the
//! parametrisation of trialr's EffTox model, Brock 2017):
//!
//! logit π_T(x) = μ_T + β_T x, logit π_E(x) = μ_E + β_E1 x + β_E2 x², x = ln(dose) − mean ln(dose),
//!
//! joined by the Gumbel–Morgenstern association: with c = (e^ψ − 1)/(e^ψ + 1) = tanh(ψ/2),
//! P(response = a, DLT = b) is π_E^a (1 − π_E)^{1−a} π_T^b (1 − π_T)^{1−b} plus
//! (−1)^{a+b} π_E(1 − π_E) π_T(1 − π_T) c. The six parameters
//! θ = (μ_T, β_T, μ_E, β_E1, β_E2, ψ) (trialr's alpha, beta, gamma, zeta, eta, psi) have
//! independent normal priors.
//!
//! Each cell factorises, e.g. P(1, 1) = π_E π_T [1 + (1 − π_E)(1 − π_T) c], which keeps its
//! logarithm accurate far in the tails. The per-dose counts of the four joint outcomes are the
//! sufficient statistics; patients whose response was not observed (data without efficacy)
//! contribute their DLT margin only.

/// Number of model parameters.
pub const PARAMETERS: usize = 6;

/// A parameter vector θ = (μ_T, β_T, μ_E, β_E1, β_E2, ψ).
pub type Theta = [f64; PARAMETERS];

/// Independent normal priors on the six parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prior {
    /// Prior means, in θ's order.
    pub mean: Theta,
    /// Prior standard deviations, in θ's order.
    pub sd: Theta,
}

impl Prior {
    /// The log prior density up to its constant.
    pub fn log_density(&self, theta: &Theta) -> f64 {
        (0..PARAMETERS)
            .map(|i| {
                let z = (theta[i] - self.mean[i]) / self.sd[i];
                -0.5 * z * z
            })
            .sum()
    }

    /// Adds the gradient of [`Prior::log_density`] to `gradient`.
    fn add_gradient(&self, theta: &Theta, gradient: &mut Theta) {
        for i in 0..PARAMETERS {
            gradient[i] -= (theta[i] - self.mean[i]) / (self.sd[i] * self.sd[i]);
        }
    }
}

/// The observed outcomes at one dose, as the likelihood uses them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DoseOutcomes {
    /// The standardized dose x.
    pub x: f64,
    /// Patients with (response, DLT) = (0, 0), (0, 1), (1, 0), (1, 1).
    pub cells: [f64; 4],
    /// Patients whose response was not observed, without and with a DLT.
    pub tox_only: [f64; 2],
}

/// The linear predictors (logit π_E, logit π_T) at x.
pub fn linear_predictors(theta: &Theta, x: f64) -> (f64, f64) {
    (theta[2] + theta[3] * x + theta[4] * x * x, theta[0] + theta[1] * x)
}

/// The logistic function.
pub fn inv_logit(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The logistic probability p = logit⁻¹(η) with ln p and ln(1 − p), from one exponential and one
/// logarithm, accurate in both tails.
pub fn logistic_logs(eta: f64) -> (f64, f64, f64) {
    let tail = (-eta.abs()).exp();
    let log1p = tail.ln_1p();
    if eta >= 0.0 {
        (1.0 / (1.0 + tail), -log1p, -eta - log1p)
    } else {
        (tail / (1.0 + tail), eta - log1p, -log1p)
    }
}

/// The log-likelihood of `outcomes` under θ, with its gradient.
pub fn log_likelihood(theta: &Theta, outcomes: &[DoseOutcomes]) -> (f64, Theta) {
    let mut total = 0.0;
    let mut grad = [0.0; PARAMETERS];
    let c = (0.5 * theta[5]).tanh();
    let dc = 0.5 * (1.0 - c * c);
    for o in outcomes {
        let (eta_e, eta_t) = linear_predictors(theta, o.x);
        let ((e, ln_e, ln_ne), (t, ln_t, ln_nt)) = (logistic_logs(eta_e), logistic_logs(eta_t));
        // d/dη_E, d/dη_T, d/dψ of this dose's log-likelihood.
        let (mut g_e, mut g_t, mut g_psi) = (0.0, 0.0, 0.0);
        for (cell, &count) in o.cells.iter().enumerate() {
            if count == 0.0 {
                continue;
            }
            let (response, dlt) = (cell >= 2, cell % 2 == 1);
            // P(cell) = f_E f_T (1 + s g_E g_T c), f the cell's margin factors and g the
            // complementary ones: s = +1 when response and DLT agree, −1 otherwise.
            let (f_e_ln, g_e_val, df_e) = if response {
                (ln_e, 1.0 - e, 1.0 - e)
            } else {
                (ln_ne, e, -e)
            };
            let (f_t_ln, g_t_val, df_t) = if dlt { (ln_t, 1.0 - t, 1.0 - t) } else { (ln_nt, t, -t) };
            let s = if response == dlt { 1.0 } else { -1.0 };
            let bracket = 1.0 + s * g_e_val * g_t_val * c;
            total += count * (f_e_ln + f_t_ln + bracket.ln());
            // d g_E/dη_E = −(d f_E/dη_E) since g_E = 1 − f_E; d f_E/dη_E = f_E·df_e.
            let dg_e = if response { -e * (1.0 - e) } else { e * (1.0 - e) };
            let dg_t = if dlt { -t * (1.0 - t) } else { t * (1.0 - t) };
            g_e += count * (df_e + s * c * dg_e * g_t_val / bracket);
            g_t += count * (df_t + s * c * g_e_val * dg_t / bracket);
            g_psi += count * s * g_e_val * g_t_val * dc / bracket;
        }
        let [free, dlt] = o.tox_only;
        total += dlt * ln_t + free * ln_nt;
        g_t += dlt * (1.0 - t) - free * t;
        grad[0] += g_t;
        grad[1] += g_t * o.x;
        grad[2] += g_e;
        grad[3] += g_e * o.x;
        grad[4] += g_e * o.x * o.x;
        grad[5] += g_psi;
    }
    (total, grad)
}

/// The log posterior density (up to its constant) with its gradient.
pub fn log_posterior(theta: &Theta, prior: &Prior, outcomes: &[DoseOutcomes]) -> (f64, Theta) {
    let (ll, mut grad) = log_likelihood(theta, outcomes);
    prior.add_gradient(theta, &mut grad);
    (ll + prior.log_density(theta), grad)
}

/// The log posterior density alone (the importance weights need no gradient).
pub fn log_posterior_value(theta: &Theta, prior: &Prior, outcomes: &[DoseOutcomes]) -> f64 {
    let c = (0.5 * theta[5]).tanh();
    let mut total = prior.log_density(theta);
    for o in outcomes {
        let (eta_e, eta_t) = linear_predictors(theta, o.x);
        let ((e, ln_e, ln_ne), (t, ln_t, ln_nt)) = (logistic_logs(eta_e), logistic_logs(eta_t));
        let [n00, n01, n10, n11] = o.cells;
        // ln P(cell) = ln of its margins + ln(1 ± the association term relative to them).
        let log_cell = |count: f64, margins: f64, relative: f64| {
            if count == 0.0 {
                0.0
            } else {
                count * (margins + relative.ln_1p())
            }
        };
        total += log_cell(n00, ln_ne + ln_nt, c * e * t)
            + log_cell(n01, ln_ne + ln_t, -c * e * (1.0 - t))
            + log_cell(n10, ln_e + ln_nt, -c * (1.0 - e) * t)
            + log_cell(n11, ln_e + ln_t, c * (1.0 - e) * (1.0 - t));
        let [free, dlt] = o.tox_only;
        total += dlt * ln_t + free * ln_nt;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes() -> Vec<DoseOutcomes> {
        vec![
            DoseOutcomes {
                x: -0.8,
                cells: [2.0, 0.0, 1.0, 0.0],
                tox_only: [0.0; 2],
            },
            DoseOutcomes {
                x: 0.3,
                cells: [1.0, 1.0, 2.0, 1.0],
                tox_only: [1.0, 1.0],
            },
        ]
    }

    /// The cell probabilities by hand: π_E = 0.6, π_T = 0.2, ψ = ln 3 (c = 0.5) give
    /// q = 0.6·0.4·0.2·0.8·0.5 = 0.0192 and P(0,0) = 0.4·0.8 + q = 0.3392, P(0,1) = 0.4·0.2 − q
    /// = 0.0608, P(1,0) = 0.6·0.8 − q = 0.4608, P(1,1) = 0.6·0.2 + q = 0.1392, summing to 1.
    #[test]
    fn one_patient_per_cell_by_hand() {
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let theta = [logit(0.2), 0.0, logit(0.6), 0.0, 0.0, 3f64.ln()];
        let expected = [0.3392, 0.0608, 0.4608, 0.1392];
        assert!((expected.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        for (cell, p) in expected.iter().enumerate() {
            let mut cells = [0.0; 4];
            cells[cell] = 1.0;
            let o = [DoseOutcomes {
                x: 0.7,
                cells,
                tox_only: [0.0; 2],
            }];
            let (ll, _) = log_likelihood(&theta, &o);
            assert!((ll - p.ln()).abs() < 1e-12, "cell {cell}: {ll} vs {}", p.ln());
            let prior = Prior {
                mean: [0.0; 6],
                sd: [1e300; 6],
            };
            assert!((log_posterior_value(&theta, &prior, &o) - p.ln()).abs() < 1e-12);
        }
        // A patient whose response is unobserved contributes P(DLT) = 0.2.
        let o = [DoseOutcomes {
            x: 0.0,
            cells: [0.0; 4],
            tox_only: [0.0, 1.0],
        }];
        assert!((log_likelihood(&theta, &o).0 - 0.2f64.ln()).abs() < 1e-12);
    }

    /// The analytic gradient against central differences of the log posterior.
    #[test]
    fn gradient_matches_finite_differences() {
        let prior = Prior {
            mean: [-1.0, 1.5, 0.7, 3.4, 0.0, 0.0],
            sd: [3.5, 3.5, 2.5, 2.4, 0.2, 1.0],
        };
        let theta = [-1.3, 0.9, 0.4, 1.7, -0.3, 0.8];
        let (value, grad) = log_posterior(&theta, &prior, &outcomes());
        assert!((value - log_posterior_value(&theta, &prior, &outcomes())).abs() < 1e-12);
        for i in 0..PARAMETERS {
            let h = 1e-6;
            let (mut up, mut down) = (theta, theta);
            up[i] += h;
            down[i] -= h;
            let numeric = (log_posterior_value(&up, &prior, &outcomes())
                - log_posterior_value(&down, &prior, &outcomes()))
                / (2.0 * h);
            assert!(
                (numeric - grad[i]).abs() < 1e-6,
                "parameter {i}: {numeric} vs {}",
                grad[i]
            );
        }
    }
}
