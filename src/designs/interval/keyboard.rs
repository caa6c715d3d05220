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

/// Whether an interval design of `family` applies `extra_safe` to its final MTD selection by
/// default: Keyboard 0.1.3's `get.oc.kb` calls `select.mtd.kb(target, n, y)` without `extrasafe`,
/// so its selection skips the extra safety rule its trial loop applies (`extra_safe_selection =
/// false`); BOIN's `get.oc` and the other rules pass it on.
pub(super) fn extra_safe_at_selection_by_default(family: &IntervalFamily) -> bool {
    !std::ptr::eq(family, &KEYBOARD)
}

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
///
/// The strongest key never moves down as y grows (the Beta(1 + y, 1 + n − y) posteriors have a
/// monotone likelihood ratio in y, so key masses are totally positive in (key, y)), so the last y
/// that escalates and the first that de-escalates are found by bisection: O(keys · log n) work
/// per n, not O(keys · n), which keeps a table to n = 10,000 within a second.
pub fn counts(target: f64, margin_left: f64, margin_right: f64, n: u32) -> Counts {
    let keys = Keys::new(target, margin_left, margin_right);
    // The first y in 0..=n+1 at which `past` holds (`past` is false, then true, as y grows).
    let first = |past: &dyn Fn(u32) -> bool| {
        let (mut low, mut high) = (0, n + 1);
        while low < high {
            let mid = low + (high - low) / 2;
            if past(mid) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        low
    };
    let stay_or_above = first(&|y| keys.strongest(y, n) >= keys.target);
    let above = first(&|y| keys.strongest(y, n) > keys.target);
    Counts {
        escalate: stay_or_above.checked_sub(1),
        deescalate: (above <= n).then_some(above),
    }
}

/// The keys of one target key: their edges, width and which one is the target's.
struct Keys {
    edges: Vec<f64>,
    width: f64,
    target: usize,
}

impl Keys {
    fn new(target: f64, margin_left: f64, margin_right: f64) -> Keys {
        let (lower, upper) = (target - margin_left, target + margin_right);
        let edges = key_edges(lower, upper);
        let target = edges
            .iter()
            .position(|&e| e == lower)
            .expect("the target key's lower edge");
        Keys {
            edges,
            width: upper - lower,
            target,
        }
    }

    /// The key with the most posterior mass per unit width after y DLTs in n patients (ties: the
    /// highest key, as `max(which(targetp == max(targetp)))`).
    fn strongest(&self, y: u32, n: u32) -> usize {
        let (a, b) = (f64::from(y + 1), f64::from(n - y + 1));
        let last = self.edges.len() - 2;
        let mut strongest = (f64::NEG_INFINITY, 0);
        for (k, key) in self.edges.windows(2).enumerate() {
            let mass = beta_sf(key[0], a, b) - beta_sf(key[1], a, b);
            let compensation = if k == 0 || k == last {
                self.width / (key[1] - key[0])
            } else {
                1.0
            };
            if mass * compensation >= strongest.0 {
                strongest = (mass * compensation, k);
            }
        }
        strongest.1
    }
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

    /// The bisection finds what a scan of every y finds (the published rule: escalate at the
    /// last y whose strongest key is below the target key, de-escalate from the first above it).
    #[test]
    fn bisection_equals_the_scan_of_every_count() {
        for (target, left, right) in [
            (0.3, 0.05, 0.05),
            (0.25, 0.05, 0.05),
            (0.2, 0.03, 0.07),
            (0.5, 0.1, 0.02),
            (0.1, 0.05, 0.05),
        ] {
            let keys = super::Keys::new(target, left, right);
            for n in 1..=120 {
                let (mut escalate, mut deescalate) = (None, None);
                for y in 0..=n {
                    let k = keys.strongest(y, n);
                    if k < keys.target {
                        escalate = Some(y);
                    } else if k > keys.target && deescalate.is_none() {
                        deescalate = Some(y);
                    }
                }
                let c = super::counts(target, left, right, n);
                assert_eq!(
                    (c.escalate, c.deescalate),
                    (escalate, deescalate),
                    "{target} {left} {right} n {n}"
                );
            }
        }
    }

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

    /// Keyboard 0.1.3's `get.oc.kb` selects with `select.mtd.kb(target, n, y)`, without
    /// `extrasafe`: 2/3 DLTs at the lowest dose (P(p > 0.25) = 0.949, above 0.95 − 0.05 but not
    /// 0.95) still lets a dose be selected, unless `extra_safe_selection = true`.
    #[test]
    fn selection_skips_extra_safety_unless_asked() {
        use super::super::IntervalDesign;
        use crate::designs::{Design, Dose, Fit, TrialData};
        let mut config = IntervalConfig::new(0.25, IntervalRule::with_defaults(&KEYBOARD, 0.25));
        config.extra_safe = true;
        assert!(!config.extra_safe_at_selection);
        let mut data = TrialData::new(3);
        data.add_cohort(Dose(0), 3, 2);
        data.add_cohort(Dose(1), 3, 0);
        let select = |config: &IntervalConfig| IntervalDesign::new(config.clone(), 12).fit(&data).selected_dose();
        assert!(select(&config).is_some());
        config.extra_safe_at_selection = true;
        assert_eq!(select(&config), None);
        let boin = IntervalConfig::new(0.25, IntervalRule::boin(0.25));
        assert!(boin.extra_safe_at_selection);
    }
}
