//! Keyboard design (Yan, Mandrekar & Yuan 2017, Clinical Cancer Research 23:3994–4003), with the
//! semantics of the R package `Keyboard` (`get.boundary.kb`, `get.oc.kb`, `select.mtd.kb`).
//!
//! The target key [φ − margin_left, φ + margin_right] and keys of the same width on both sides
//! tile [0, 1] (the outermost keys cut at 0 and 1, their posterior mass scaled up by
//! width / cut width). With y DLTs in n patients the strongest key, the one with the most
//! Beta(1 + y, 1 + n − y) posterior mass (ties: the highest key), decides: left of the target key
//! escalate, the target key stay, right of it de-escalate. The trial loop, elimination and MTD
//! selection are shared by every interval design ([`interval`](super)).

use super::{Counts, EarlyStop, Edges, IntervalFamily};
use crate::core::stats::beta_sf;

/// Keyboard: the target key [φ − `margin_left`, φ + `margin_right`], by default ± 0.05.
pub static KEYBOARD: IntervalFamily = IntervalFamily {
    name: "keyboard",
    citation: "Yan, Mandrekar & Yuan (2017), Clin Cancer Res 23:3994",
    parameters: ("margin_left", "margin_right"),
    edges: Edges::Margins,
    defaults: |_| (0.05, 0.05),
    counts,
    elimination_listed_from: 1,
    early_stop: EarlyStop::Always,
    describe: |target, margin_left, margin_right| {
        format!(
            "Keyboard (Yan, Mandrekar & Yuan 2017): target {target}, target key [{}, {}]",
            target - margin_left,
            target + margin_right
        )
    },
};

/// The key edges, lowest first, as `get.boundary.kb` builds them: steps of the target key's
/// width from its edges down past 0 and up past 1, clipped to [0, 1].
fn key_edges(lower: f64, upper: f64) -> Vec<f64> {
    let width = upper - lower;
    let mut below = Vec::new();
    let mut edge = lower;
    while edge > 0.0 {
        edge = lower - (below.len() + 1) as f64 * width;
        below.push(edge.max(0.0));
    }
    below.reverse();
    let mut above = Vec::new();
    let mut edge = upper;
    while edge < 1.0 {
        edge = upper + (above.len() + 1) as f64 * width;
        above.push(edge.min(1.0));
    }
    below.into_iter().chain([lower, upper]).chain(above).collect()
}

/// Counts at n for the interval [φ − `margin_left`, φ + `margin_right`] and equal-width
/// neighbours, deciding by the largest posterior mass per unit width.
pub fn counts(target: f64, margin_left: f64, margin_right: f64, n: u32) -> Counts {
    let (lower, upper) = (target - margin_left, target + margin_right);
    let edges = key_edges(lower, upper);
    let width = upper - lower;
    let last = edges.len() - 2;
    let target_key = edges
        .iter()
        .position(|&e| e == lower)
        .expect("the target key's lower edge");
    let (mut escalate, mut deescalate) = (None, None);
    for y in 0..=n {
        let (a, b) = (f64::from(y + 1), f64::from(n - y + 1));
        let mut strongest = (f64::NEG_INFINITY, 0);
        for (k, key) in edges.windows(2).enumerate() {
            let mass = beta_sf(key[0], a, b) - beta_sf(key[1], a, b);
            let compensation = if k == 0 || k == last {
                width / (key[1] - key[0])
            } else {
                1.0
            };
            // `>=`: ties go to the higher key, as `max(which(targetp == max(targetp)))`.
            if mass * compensation >= strongest.0 {
                strongest = (mass * compensation, k);
            }
        }
        if strongest.1 < target_key {
            escalate = Some(y);
        } else if strongest.1 > target_key && deescalate.is_none() {
            deescalate = Some(y);
        }
    }
    Counts { escalate, deescalate }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{BoundaryTable, IntervalConfig, IntervalFamily, IntervalRule};
    use super::KEYBOARD;

    /// VALIDATION R4: escalate if y ≤ …, de-escalate if y ≥ … at n = 3, 6, …, 30.
    pub(in super::super) const R4: [(f64, [u32; 10], [u32; 10]); 2] = [
        (0.30, [0, 1, 2, 2, 3, 4, 5, 5, 6, 7], [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        (0.25, [0, 1, 1, 2, 2, 3, 4, 4, 5, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]),
    ];

    /// Asserts the table of `family` (with its defaults) against R4.
    pub(in super::super) fn assert_r4(family: &'static IntervalFamily) {
        for (phi, esc, deesc) in R4 {
            let rule = IntervalRule::with_defaults(family, phi);
            let table = BoundaryTable::new(&IntervalConfig::new(phi, rule), 30);
            for k in 0..10 {
                let n = 3 * (k + 1);
                assert_eq!(
                    table.escalate[n],
                    Some(esc[k]),
                    "{} phi {phi} n {n} escalate",
                    rule.name()
                );
                assert_eq!(
                    table.deescalate[n],
                    Some(deesc[k]),
                    "{} phi {phi} n {n} de-escalate",
                    rule.name()
                );
            }
        }
    }

    #[test]
    fn table_matches_r4() {
        assert_r4(&KEYBOARD);
    }

    /// VALIDATION R4: Keyboard eliminates from n = 1 (2/2 at φ = 0.3), BOIN only from n = 3.
    #[test]
    fn elimination_listed_from_one_patient() {
        let keyboard = BoundaryTable::new(
            &IntervalConfig::new(0.3, IntervalRule::with_defaults(&KEYBOARD, 0.3)),
            6,
        );
        assert_eq!(keyboard.eliminate[2], Some(2));
        let boin = BoundaryTable::new(&IntervalConfig::new(0.3, IntervalRule::boin(0.3)), 6);
        assert_eq!(boin.eliminate[2], None);
    }
}
