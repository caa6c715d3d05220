//! One colour per design, the same in every chart (PNG and SVG) and every run: a design's colour
//! is chosen by a stable hash of its name (64-bit FNV-1a, [`fnv1a64`]) into the twelve
//! colour-blind-safe colours of [`DESIGN_PALETTE`] (Okabe & Ito 2008, and Paul Tol's "muted"
//! scheme), not by its position in the scenario, so a design keeps its colour when designs are
//! added, removed or reordered, and across runs and `compare`. Two designs of one chart whose
//! names hash to the same colour: the later one (in the chart's order) takes the next free colour
//! of the palette, so within a chart colours stay distinct (up to twelve designs).

use super::manifest::fnv1a64;

/// The designs' palette: Okabe–Ito (blue, orange, bluish green, vermillion, sky blue, reddish
/// purple, yellow-brown) then Tol's muted wine, teal, olive, indigo and rose; no grey or black,
/// which charts use for truths, targets and marks.
pub const DESIGN_PALETTE: [(u8, u8, u8); 12] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (213, 94, 0),
    (86, 180, 233),
    (204, 121, 167),
    (170, 140, 0),
    (136, 34, 85),
    (68, 170, 153),
    (153, 153, 51),
    (51, 34, 136),
    (204, 102, 119),
];

/// The palette position a design named `name` prefers.
pub fn home_colour(name: &str) -> usize {
    (fnv1a64(name.as_bytes()) % DESIGN_PALETTE.len() as u64) as usize
}

/// The palette positions of the designs `names` of one chart: each its home colour, a collision
/// moved to the next free position (beyond twelve designs, colours repeat).
pub fn design_colours<S: AsRef<str>>(names: &[S]) -> Vec<usize> {
    let n = DESIGN_PALETTE.len();
    let mut taken = vec![false; n];
    let mut out = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let home = home_colour(name.as_ref());
        let free = (0..n).map(|step| (home + step) % n).find(|&c| !taken[c]);
        let chosen = free.unwrap_or((home + i) % n);
        if i < n {
            taken[chosen] = true;
        }
        out.push(chosen);
    }
    out
}

/// The colour of palette position `i` as CSS `#rrggbb`.
pub fn css(i: usize) -> String {
    let (r, g, b) = DESIGN_PALETTE[i % DESIGN_PALETTE.len()];
    format!("#{r:02x}{g:02x}{b:02x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_design_keeps_its_colour_whatever_the_order_and_company() {
        let all = ["3+3", "BOIN", "CRM", "Keyboard", "mTPI-2", "i3+3", "BLRM"];
        let colours = design_colours(&all);
        let mut distinct = colours.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), all.len(), "{colours:?}");
        // BOIN alone, or with others in another order: the same colour when its home is free.
        let boin = home_colour("BOIN");
        assert_eq!(design_colours(&["BOIN"]), vec![boin]);
        assert_eq!(
            design_colours(&["CRM", "BOIN"])[1],
            if home_colour("CRM") == boin {
                (boin + 1) % 12
            } else {
                boin
            }
        );
        assert_eq!(css(0), "#0072b2");
    }
}
