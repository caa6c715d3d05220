//! The i3+3 design (Liu, Wang & Ji 2020, Statistics in Biopharmaceutical Research 12:2, 2020).
//!
//! With y DLTs in n patients and equivalence interval [φ − ε1, φ + ε2]: escalate if
//! y/n < φ − ε1; stay if y/n is in the interval; above it, stay if (y − 1)/n < φ − ε1 (one DLT
//! fewer would have escalated), else de-escalate. Doses with P(p > φ | y, n) > 0.95 under
//! Beta(1, 1) are eliminated, as in the other interval designs ([`interval`](super)).

use super::{Counts, EarlyStop, Edges, IntervalFamily};

/// i3+3: the equivalence interval [φ − `epsilon1`, φ + `epsilon2`], by default ± 0.05.
pub static I3PLUS3: IntervalFamily = IntervalFamily {
    name: "i3+3",
    citation: "Liu, Wang & Ji (2020), Stat Biopharm Res 12:2",
    parameters: ("epsilon1", "epsilon2"),
    edges: Edges::Margins,
    defaults: |_| (0.05, 0.05),
    counts,
    elimination_listed_from: 3,
    early_stop: EarlyStop::Always,
    describe: |target, epsilon1, epsilon2| {
        format!(
            "i3+3 (Liu, Wang & Ji 2020): target {target}, equivalence interval [{}, {}]",
            target - epsilon1,
            target + epsilon2
        )
    },
};

/// Rates within this of an interval edge count as on the edge (the edges are inclusive).
const ROUNDING: f64 = 1e-12;

/// i3+3's counts at n.
pub fn counts(target: f64, epsilon1: f64, epsilon2: f64, n: u32) -> Counts {
    let (lower, upper) = (target - epsilon1, target + epsilon2);
    let nf = f64::from(n);
    let below = |y: u32| f64::from(y) / nf < lower - ROUNDING;
    let above = |y: u32| f64::from(y) / nf > upper + ROUNDING;
    Counts {
        escalate: (0..=n).rev().find(|&y| below(y)),
        deescalate: (0..=n).find(|&y| above(y) && !(y >= 1 && below(y - 1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_from_the_paper() {
        // φ = 0.3, interval [0.25, 0.35].
        let c = counts(0.3, 0.05, 0.05, 3);
        assert_eq!((c.escalate, c.deescalate), (Some(0), Some(2)));
        // 1/4 = 0.25 is on the edge: stay.
        assert_eq!(counts(0.3, 0.05, 0.05, 4).escalate, Some(0));
        // 2/5 = 0.4 is above the interval, but 1/5 = 0.2 is below it: stay; 3/5 de-escalates.
        assert_eq!(counts(0.3, 0.05, 0.05, 5).deescalate, Some(3));
        assert_eq!(
            counts(0.3, 0.05, 0.05, 6),
            Counts {
                escalate: Some(1),
                deescalate: Some(3)
            }
        );
        // One patient: 0/1 escalates; 1/1 stays, since 0/1 would have escalated.
        assert_eq!(
            counts(0.3, 0.05, 0.05, 1),
            Counts {
                escalate: Some(0),
                deescalate: None
            }
        );
    }
}
