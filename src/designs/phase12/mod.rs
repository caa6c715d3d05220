//! Phase I/II designs: dose finding on toxicity and response together, selecting the optimal
//! biological dose (OBD) rather than the MTD.
//!
//! [`boin12`] is BOIN12 (Lin, Zhou, Yan, Li & Yuan 2020, JCO Precis Oncol 4:1393): BOIN's
//! boundaries for the DLT rate, admissibility on both outcomes, and a rank-based desirability
//! score (the posterior probability that a dose's utility beats a benchmark) choosing among the
//! neighbouring doses; [`selection`] holds its end-of-trial OBD rules, and [`params`] its keys.

pub mod boin12;
mod explain;
pub mod params;
pub mod selection;
#[cfg(test)]
mod tests;
