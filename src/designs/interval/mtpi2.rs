//! Modified toxicity probability interval design, version 2 (mTPI-2; Guo, Wang, Ji, Ji, Lin & Li
//! 2017, Contemporary Clinical Trials 58:23–33).
//!
//! The equivalence interval [φ − ε1, φ + ε2] and sub-intervals of the same width below and above
//! it (the outermost cut at 0 and 1) compete by unit probability mass, the Beta(1 + y, 1 + n − y)
//! posterior mass divided by the interval's length; the winner below the equivalence interval
//! escalates, the equivalence interval stays, above it de-escalates. Dividing by the length
//! ranks intervals exactly as Keyboard's compensated keys do, so the decision table is Keyboard's
//! (Yan et al. 2017 show the equivalence; VALIDATION R4), computed here by the same function.

use super::{keyboard, Counts, EarlyStop, Edges, IntervalFamily};

/// mTPI-2: the equivalence interval [φ − `epsilon1`, φ + `epsilon2`], by default ± 0.05.
pub static MTPI2: IntervalFamily = IntervalFamily {
    name: "mtpi2",
    citation: "Guo et al. (2017), Contemp Clin Trials 58:23",
    parameters: ("epsilon1", "epsilon2"),
    edges: Edges::Margins,
    defaults: |_| (0.05, 0.05),
    counts,
    elimination_listed_from: 1,
    early_stop: EarlyStop::Always,
    describe: |target, epsilon1, epsilon2| {
        format!(
            "mTPI-2 (Guo et al. 2017): target {target}, equivalence interval [{}, {}]",
            target - epsilon1,
            target + epsilon2
        )
    },
};

/// mTPI-2's counts at n.
pub fn counts(target: f64, epsilon1: f64, epsilon2: f64, n: u32) -> Counts {
    keyboard::counts(target, epsilon1, epsilon2, n)
}

#[cfg(test)]
mod tests {
    /// VALIDATION R4: mTPI-2's table at φ = 0.30 and 0.25.
    #[test]
    fn table_matches_r4() {
        super::super::keyboard::tests::assert_r4(&super::MTPI2);
    }
}
