//! Statistics shared by designs, engines and results, each written once: the beta upper tail and
//! Beta(1, 1) posteriors, binomial and beta-binomial probabilities and tails, the exact binomial
//! test's critical value, the Clopper–Pearson interval, the logit link, weighted
//! isotonic regression (PAVA).

mod beta;
mod binomial;
mod binomial_test;
mod clopper_pearson;
pub mod isotonic;
mod logit;

pub use beta::{beta_interval, beta_sf, beta_uniform_posterior_exceeds};
pub use binomial::{beta_binomial_pmf, binomial_pmf, upper_tail};
pub use binomial_test::binomial_critical;
pub use clopper_pearson::{clopper_pearson, clopper_pearson_covers};
pub use logit::{logit, softplus};
