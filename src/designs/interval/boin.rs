//! Bayesian optimal interval design (BOIN; Liu & Yuan 2015, JRSS-C 64:507–523), with the
//! semantics of the R package `BOIN` 2.7.2 (`get.boundary`, `get.oc`, `select.mtd`; VALIDATION
//! R1, R12). The trial loop, elimination and MTD selection are shared by every interval design
//! ([`interval`](super)); this file derives BOIN's boundaries.
//!
//! With y DLTs in n patients at the current dose: escalate if y ≤ ⌊λe·n⌋, de-escalate if
//! y ≥ ⌈λd·n⌉ (one more when λd·n is an integer), else stay, where λe and λd minimise the
//! probability of an incorrect decision between φ1 = 0.6 φ, φ and φ2 = 1.4 φ by default.

use super::{Counts, EarlyStop, Edges, IntervalFamily};

/// BOIN: φ1 (highest sub-therapeutic rate) and φ2 (lowest overly toxic rate), by default
/// 0.6 φ and 1.4 φ; `n_earlystop` stops only when the trial would stay.
pub static BOIN: IntervalFamily = IntervalFamily {
    name: "boin",
    citation: "Liu & Yuan (2015), JRSS-C 64:507",
    parameters: ("phi1", "phi2"),
    edges: Edges::Rates,
    defaults: |target| (0.6 * target, 1.4 * target),
    counts,
    elimination_listed_from: 3,
    early_stop: EarlyStop::WhenStaying,
    describe: |target, phi1, phi2| {
        format!(
            "BOIN (Liu & Yuan 2015): target {target}, phi1 {phi1}, phi2 {phi2}, lambda_e {:.4}, lambda_d {:.4}",
            lambda_e(target, phi1),
            lambda_d(target, phi2)
        )
    },
};

/// λe = log((1 − φ1)/(1 − φ)) / log(φ(1 − φ1) / (φ1(1 − φ))).
pub fn lambda_e(target: f64, phi1: f64) -> f64 {
    ((1.0 - phi1) / (1.0 - target)).ln() / (target * (1.0 - phi1) / (phi1 * (1.0 - target))).ln()
}

/// λd = log((1 − φ)/(1 − φ2)) / log(φ2(1 − φ) / (φ(1 − φ2))).
pub fn lambda_d(target: f64, phi2: f64) -> f64 {
    ((1.0 - target) / (1.0 - phi2)).ln() / (phi2 * (1.0 - target) / (target * (1.0 - phi2))).ln()
}

/// BOIN's counts at n (`get.boundary`, R12's integer edge for λd·n).
pub fn counts(target: f64, phi1: f64, phi2: f64, n: u32) -> Counts {
    let nf = f64::from(n);
    let scaled = lambda_d(target, phi2) * nf;
    let deescalate = if (scaled - scaled.round()).abs() < 1e-12 {
        scaled.round() as u32 + 1
    } else {
        scaled.ceil() as u32
    };
    Counts {
        escalate: Some((lambda_e(target, phi1) * nf).floor() as u32),
        deescalate: Some(deescalate),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{BoundaryTable, IntervalConfig, IntervalRule};
    use super::*;

    /// VALIDATION R1 (R `BOIN::get.boundary`, cohort size 3): counts at n = 3, 6, …, 30.
    #[test]
    fn boundaries_match_get_boundary() {
        type Row = (f64, f64, f64, [u32; 10], [u32; 10], [u32; 10]);
        let cases: [Row; 4] = [
            (
                0.20,
                0.1572,
                0.2385,
                [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
                [1, 2, 3, 3, 4, 5, 6, 6, 7, 8],
                [2, 3, 4, 5, 6, 7, 8, 8, 9, 10],
            ),
            (
                0.25,
                0.1968,
                0.2984,
                [0, 1, 1, 2, 2, 3, 4, 4, 5, 5],
                [1, 2, 3, 4, 5, 6, 7, 8, 9, 9],
                [3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
            ),
            (
                0.30,
                0.2365,
                0.3585,
                [0, 1, 2, 2, 3, 4, 4, 5, 6, 7],
                [2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
                [3, 4, 5, 7, 8, 9, 10, 11, 12, 14],
            ),
            (
                0.33,
                0.2604,
                0.3947,
                [0, 1, 2, 3, 3, 4, 5, 6, 7, 7],
                [2, 3, 4, 5, 6, 8, 9, 10, 11, 12],
                [3, 4, 6, 7, 8, 10, 11, 12, 13, 15],
            ),
        ];
        for (phi, le, ld, esc, deesc, elim) in cases {
            assert!((lambda_e(phi, 0.6 * phi) - le).abs() < 5e-5, "phi {phi}");
            assert!((lambda_d(phi, 1.4 * phi) - ld).abs() < 5e-5, "phi {phi}");
            let table = BoundaryTable::new(&IntervalConfig::new(phi, IntervalRule::boin(phi)), 30);
            for k in 0..10 {
                let n = 3 * (k + 1);
                assert_eq!(table.escalate[n], Some(esc[k]), "phi {phi} n {n} escalate");
                assert_eq!(table.deescalate[n], Some(deesc[k]), "phi {phi} n {n} de-escalate");
                assert_eq!(table.eliminate[n], Some(elim[k]), "phi {phi} n {n} eliminate");
            }
        }
    }
}
