//! Phase I/II designs: dose finding on toxicity and response together, selecting the optimal
//! biological dose (OBD) rather than the MTD.
//!
//! [`boin12`] is BOIN12 (Lin, Zhou, Yan, Li & Yuan 2020, JCO Precis Oncol 4:1393): BOIN's
//! boundaries for the DLT rate, admissibility on both outcomes, and a rank-based desirability
//! score (the posterior probability that a dose's utility beats a benchmark) choosing among the
//! neighbouring doses; [`selection`] holds its end-of-trial OBD rules, and [`params`] its keys.
//! [`uboin`] is U-BOIN (Zhou, Lee & Yuan 2019, Stat Med 38:5299): BOIN's exploration, then
//! assignment and OBD selection by the posterior mean utility among admissible doses, sharing
//! BOIN12's BOIN table, keys and utility; [`uboin_params`] holds its keys.

pub mod boin12;
mod explain;
pub mod params;
pub mod selection;
#[cfg(test)]
mod tests;
pub mod uboin;
pub mod uboin_params;
#[cfg(test)]
mod uboin_tests;
