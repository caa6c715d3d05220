//! The logit link and the softplus function of the logistic dose-toxicity models (CRM's
//! one-parameter logistic model, O'Quigley, Pepe & Fisher 1990; the BLRM, Neuenschwander et al.
//! 2008).

/// logit(p) = ln(p / (1 − p)).
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// ln(1 + e^z), stable for large |z|.
pub fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softplus_is_the_log_of_one_plus_exp_and_inverts_the_logit() {
        for z in [-3.0, 0.0, 2.5] {
            let direct: f64 = (1.0 + f64::exp(z)).ln();
            assert!((softplus(z) - direct).abs() < 1e-14, "{z}");
        }
        // No overflow or loss of the small term in the tails.
        assert!((softplus(40.0) - 40.0 - f64::exp(-40.0)).abs() < 1e-14);
        assert!((softplus(-40.0) / f64::exp(-40.0) - 1.0).abs() < 1e-14);
        // −ln p = softplus(−logit p).
        for p in [0.01, 0.25, 0.9] {
            assert!((softplus(-logit(p)) + f64::ln(p)).abs() < 1e-14);
        }
    }
}
