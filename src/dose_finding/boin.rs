//! Bayesian optimal interval design (BOIN; Liu & Yuan 2015, JRSS-C 64:507–523), with the
//! semantics of the R package `BOIN` 2.7.2 (`get.boundary`, `get.oc`, `select.mtd`).
//!
//! After each cohort, with y DLTs in n patients at the current dose: escalate if y ≤ ⌊λe·n⌋,
//! de-escalate if y ≥ the de-escalation count (⌈λd·n⌉, one more when λd·n is an integer), else stay.
//! A dose with n ≥ 3 and P(p > φ | y, n) > `cutoff_eliminate` under Beta(1, 1) is eliminated with
//! every higher dose; eliminating dose 1 stops the trial. The MTD is selected by isotonic regression.

use super::isotonic::pava_in_place;
use super::{Decision, Design, Dose, Fit, StopReason, TrialData};
use crate::stats::beta_uniform_posterior_exceeds;

/// BOIN's settings (keys of a `rule = "boin"` design).
#[derive(Clone, Debug, PartialEq)]
pub struct BoinConfig {
    /// Target DLT probability φ.
    pub target: f64,
    /// Highest DLT probability deemed sub-therapeutic (default 0.6 φ).
    pub phi1: f64,
    /// Lowest DLT probability deemed overly toxic (default 1.4 φ).
    pub phi2: f64,
    /// Posterior probability above which a dose is eliminated (default 0.95).
    pub cutoff_eliminate: f64,
    /// Stop when the lowest dose is too toxic at the looser cutoff `cutoff_eliminate − offset`.
    pub extra_safe: bool,
    /// Offset for `extra_safe` (BOIN's default 0.05).
    pub offset: f64,
    /// Stop once this many patients are at a dose the trial would stay at (default 100: off).
    pub n_earlystop: u32,
}

impl BoinConfig {
    /// BOIN's defaults for a target φ.
    pub fn new(target: f64) -> BoinConfig {
        BoinConfig {
            target,
            phi1: 0.6 * target,
            phi2: 1.4 * target,
            cutoff_eliminate: 0.95,
            extra_safe: false,
            offset: 0.05,
            n_earlystop: 100,
        }
    }

    /// λe, the escalation boundary on the observed DLT rate.
    pub fn lambda_e(&self) -> f64 {
        let (phi, phi1) = (self.target, self.phi1);
        ((1.0 - phi1) / (1.0 - phi)).ln() / (phi * (1.0 - phi1) / (phi1 * (1.0 - phi))).ln()
    }

    /// λd, the de-escalation boundary on the observed DLT rate.
    pub fn lambda_d(&self) -> f64 {
        let (phi, phi2) = (self.target, self.phi2);
        ((1.0 - phi) / (1.0 - phi2)).ln() / (phi2 * (1.0 - phi) / (phi * (1.0 - phi2))).ln()
    }
}

/// BOIN's decision counts for n = 1, 2, …, max patients at a dose.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundaryTable {
    /// Escalate if DLTs ≤ `escalate[n]`.
    pub escalate: Vec<u32>,
    /// De-escalate if DLTs ≥ `deescalate[n]`.
    pub deescalate: Vec<u32>,
    /// Eliminate the dose (and all higher) if DLTs ≥ `eliminate[n]`; `None` when n < 3 or no
    /// count qualifies.
    pub eliminate: Vec<Option<u32>>,
    /// With `extra_safe`, stop the trial if DLTs at the lowest dose ≥ `lowest_dose_stop[n]`
    /// (posterior cutoff `cutoff_eliminate − offset`; BOIN's `stop_boundary`).
    pub lowest_dose_stop: Vec<Option<u32>>,
}

impl BoundaryTable {
    /// Counts for n = 0 … `max_n` (index 0 is unused), as `BOIN::get.boundary` (R12).
    pub fn new(config: &BoinConfig, max_n: u32) -> BoundaryTable {
        let (lambda_e, lambda_d) = (config.lambda_e(), config.lambda_d());
        let mut table = BoundaryTable {
            escalate: vec![0],
            deescalate: vec![0],
            eliminate: posterior_boundary(config.target, config.cutoff_eliminate, max_n),
            lowest_dose_stop: posterior_boundary(config.target, config.cutoff_eliminate - config.offset, max_n),
        };
        for n in 1..=max_n {
            let nf = f64::from(n);
            let escalate = (lambda_e * nf).floor() as u32;
            let scaled = lambda_d * nf;
            let mut deescalate = scaled.ceil() as u32;
            if (scaled - scaled.round()).abs() < 1e-12 {
                deescalate = scaled.round() as u32 + 1;
            }
            if let Some(e) = table.eliminate[n as usize] {
                deescalate = deescalate.min(e);
            }
            table.escalate.push(escalate);
            table.deescalate.push(deescalate);
        }
        table
    }
}

/// For n = 0 … `max_n`: the fewest DLTs y with P(p > target | y of n, Beta(1, 1)) > `cutoff`,
/// for n ≥ 3 (`None` below 3 or when no count qualifies). The count never decreases with n, so
/// each search starts from the previous one.
fn posterior_boundary(target: f64, cutoff: f64, max_n: u32) -> Vec<Option<u32>> {
    let mut boundary = vec![None; max_n as usize + 1];
    let mut from = 1;
    for n in 3..=max_n {
        let found = (from..=n).find(|&y| beta_uniform_posterior_exceeds(target, n, y) > cutoff);
        if let Some(y) = found {
            from = y;
        }
        boundary[n as usize] = found;
    }
    boundary
}

/// A BOIN design for a trial with a given number of doses and patients.
#[derive(Clone, Debug)]
pub struct Boin {
    config: BoinConfig,
    table: BoundaryTable,
}

impl Boin {
    /// BOIN with its boundary table precomputed up to `max_patients` at one dose.
    pub fn new(config: BoinConfig, max_patients: u32) -> Boin {
        let table = BoundaryTable::new(&config, max_patients);
        Boin { config, table }
    }

    pub fn config(&self) -> &BoinConfig {
        &self.config
    }

    pub fn table(&self) -> &BoundaryTable {
        &self.table
    }

    /// Whether the DLTs at a dose cross the elimination boundary.
    fn crosses_elimination(&self, n: u32, y: u32) -> bool {
        n >= 3 && self.table.eliminate[n as usize].is_some_and(|e| y >= e)
    }

    /// Extra safety at the lowest dose: P(p₁ > φ) > cutoff − offset with n₁ ≥ 3.
    fn lowest_dose_unsafe(&self, data: &TrialData) -> bool {
        let (n, y) = (data.patients(Dose(0)), data.dlts(Dose(0)));
        self.config.extra_safe && self.table.lowest_dose_stop[n as usize].is_some_and(|stop| y >= stop)
    }

    /// The lowest eliminated dose, if any: elimination is checked after every cohort at the dose
    /// treated, so it is a function of the counts.
    fn first_eliminated(&self, data: &TrialData) -> Option<Dose> {
        data.doses()
            .find(|&d| self.crosses_elimination(data.patients(d), data.dlts(d)))
    }

    /// `select.mtd`: isotonic estimates over treated, non-eliminated doses; the dose closest to
    /// φ, ties within a pooled block resolved upwards below φ and downwards above φ.
    fn select_mtd(&self, data: &TrialData) -> Option<Dose> {
        let first_eliminated = if self.lowest_dose_unsafe(data) {
            Some(Dose(0))
        } else {
            self.first_eliminated(data)
        };
        let limit = first_eliminated.map_or(data.num_doses(), Dose::index);
        let (doses, phat) = isotonic_estimates(data, limit);
        let phi = self.config.target;
        let mut best: Option<(f64, usize)> = None;
        for (i, p) in phat.iter().enumerate() {
            // BOIN breaks ties within a pooled block by adding i·1e-10.
            let distance = (p + (i + 1) as f64 * 1e-10 - phi).abs();
            if best.is_none_or(|(b, _)| distance < b) {
                best = Some((distance, i));
            }
        }
        best.map(|(_, i)| doses[i])
    }
}

/// `select.mtd`'s estimates for the treated doses among the lowest `limit`: (y + 0.05)/(n + 0.1),
/// made non-decreasing by PAVA with weights 1/var, var = (y+0.05)(n−y+0.05)/((n+0.1)²(n+1.1)).
fn isotonic_estimates(data: &TrialData, limit: usize) -> (Vec<Dose>, Vec<f64>) {
    let doses: Vec<Dose> = data.doses().take(limit).filter(|&d| data.patients(d) > 0).collect();
    let (mut phat, weights): (Vec<f64>, Vec<f64>) = doses
        .iter()
        .map(|&d| {
            let (n, y) = (f64::from(data.patients(d)), f64::from(data.dlts(d)));
            let var = (y + 0.05) * (n - y + 0.05) / ((n + 0.1).powi(2) * (n + 1.1));
            ((y + 0.05) / (n + 0.1), 1.0 / var)
        })
        .unzip();
    pava_in_place(&mut phat, &weights, &mut Vec::new());
    (doses, phat)
}

/// BOIN fitted to the outcomes so far.
pub struct BoinFit<'a> {
    boin: &'a Boin,
    data: &'a TrialData,
    first_eliminated: Option<Dose>,
}

impl Design for Boin {
    type Fit<'a> = BoinFit<'a>;

    fn fit<'a>(&'a self, data: &'a TrialData) -> BoinFit<'a> {
        BoinFit {
            boin: self,
            data,
            first_eliminated: self.first_eliminated(data),
        }
    }

    fn has_posterior(&self) -> bool {
        true
    }
}

impl Fit for BoinFit<'_> {
    fn decision(&self) -> Decision {
        let (boin, data) = (self.boin, self.data);
        let d = data.current_dose();
        let (n, y) = (data.patients(d), data.dlts(d));
        let top = Dose((data.num_doses() - 1) as u16);
        let stop_too_toxic = Decision::Stop {
            selected: None,
            reason: StopReason::TooToxic,
        };
        // get.oc checks elimination (and, inside that check, extra safety) only where the
        // elimination boundary exists at n.
        if n >= 3 && boin.table.eliminate[n as usize].is_some() {
            if d == Dose(0) && boin.crosses_elimination(n, y) {
                return stop_too_toxic;
            }
            if d == Dose(0) && boin.lowest_dose_unsafe(data) {
                return stop_too_toxic;
            }
        }
        let table = &boin.table;
        let escalate = y <= table.escalate[n as usize];
        let deescalate = y >= table.deescalate[n as usize];
        let next_eliminated = d == top || !self.admissible(Dose(d.0 + 1));
        let stays = (!escalate && !deescalate) || (d == Dose(0) && deescalate) || (next_eliminated && escalate);
        if n >= boin.config.n_earlystop && stays {
            return Decision::Stop {
                selected: boin.select_mtd(data),
                reason: StopReason::EnoughAtDose,
            };
        }
        if escalate && d != top {
            Decision::Treat(if next_eliminated { d } else { Dose(d.0 + 1) })
        } else if deescalate && d != Dose(0) {
            Decision::Treat(Dose(d.0 - 1))
        } else {
            Decision::Treat(d)
        }
    }

    fn selected_dose(&self) -> Option<Dose> {
        self.boin.select_mtd(self.data)
    }

    fn admissible(&self, dose: Dose) -> bool {
        self.first_eliminated.is_none_or(|e| dose < e)
    }

    /// The isotonic estimate of `select.mtd` (without its tie-breaking offsets), for treated doses.
    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        let (doses, phat) = isotonic_estimates(self.data, self.data.num_doses());
        doses.iter().position(|&d| d == dose).map(|i| phat[i])
    }

    /// Beta(1 + y, 1 + n − y) posterior of the dose's own data, as BOIN's elimination rule;
    /// `None` for an untried dose (no data to judge it by).
    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        let (n, y) = (self.data.patients(dose), self.data.dlts(dose));
        (n > 0).then(|| beta_uniform_posterior_exceeds(threshold, n, y))
    }
}

#[cfg(test)]
mod tests {
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
            let config = BoinConfig::new(phi);
            assert!((config.lambda_e() - le).abs() < 5e-5, "phi {phi}");
            assert!((config.lambda_d() - ld).abs() < 5e-5, "phi {phi}");
            let table = BoundaryTable::new(&config, 30);
            for k in 0..10 {
                let n = 3 * (k + 1);
                assert_eq!(table.escalate[n], esc[k], "phi {phi} n {n} escalate");
                assert_eq!(table.deescalate[n], deesc[k], "phi {phi} n {n} de-escalate");
                assert_eq!(table.eliminate[n], Some(elim[k]), "phi {phi} n {n} eliminate");
            }
        }
    }

    /// Regression: the elimination boundary vanished for thousands of patients (binomial
    /// underflow), and building the table was cubic in the sample size.
    #[test]
    fn boundaries_for_very_large_trials() {
        let table = BoundaryTable::new(&BoinConfig::new(0.3), 3_000);
        for n in [2_500, 3_000] {
            let e = table.eliminate[n].expect("a boundary exists");
            assert!(e as f64 > 0.3 * n as f64 && (e as f64) < 0.33 * n as f64, "n {n}: {e}");
        }
    }

    #[test]
    fn elimination_needs_three_patients() {
        let table = BoundaryTable::new(&BoinConfig::new(0.3), 6);
        assert_eq!(table.eliminate[1], None);
        assert_eq!(table.eliminate[2], None);
        // Extra safety at dose 1 uses the looser cutoff 0.90: 2/3 at phi = 0.3 gives 0.9163.
        assert_eq!(table.lowest_dose_stop[2], None);
        assert_eq!(table.lowest_dose_stop[3], Some(2));
    }

    fn data(counts: &[(u16, u16)], last: usize) -> TrialData {
        let mut data = TrialData::new(counts.len());
        for (i, &(n, y)) in counts.iter().enumerate() {
            if i != last && n > 0 {
                data.add_cohort(Dose(i as u16), n, y);
            }
        }
        let (n, y) = counts[last];
        data.add_cohort(Dose(last as u16), n, y);
        data
    }

    #[test]
    fn select_mtd_pools_and_breaks_ties() {
        let boin = Boin::new(BoinConfig::new(0.3), 30);
        // 1/3, 0/3 pool below 0.3: the higher dose of the pool wins.
        let d = data(&[(3, 1), (3, 0), (3, 3)], 2);
        assert_eq!(boin.fit(&d).selected_dose(), Some(Dose(1)));
        // Dose 1 with 3/3 is eliminated: no MTD.
        let d = data(&[(3, 3), (0, 0)], 0);
        assert_eq!(boin.fit(&d).selected_dose(), None);
        assert_eq!(
            boin.fit(&d).decision(),
            Decision::Stop {
                selected: None,
                reason: StopReason::TooToxic
            }
        );
    }

    #[test]
    fn escalation_into_eliminated_dose_stays() {
        let boin = Boin::new(BoinConfig::new(0.3), 30);
        // Dose 2 eliminated (3/3); back at dose 1 with 0/6: escalation is blocked.
        let d = data(&[(6, 0), (3, 3), (0, 0)], 0);
        assert_eq!(boin.fit(&d).decision(), Decision::Treat(Dose(0)));
    }

    #[test]
    fn n_earlystop_only_when_staying() {
        let mut config = BoinConfig::new(0.3);
        config.n_earlystop = 9;
        let boin = Boin::new(config, 30);
        // 9 at dose 2 with 3 DLTs: stay (escalate ≤ 2, de-escalate ≥ 4), so stop.
        let d = data(&[(3, 0), (9, 3), (0, 0)], 1);
        assert!(matches!(
            boin.fit(&d).decision(),
            Decision::Stop {
                reason: StopReason::EnoughAtDose,
                ..
            }
        ));
        // 9 at dose 2 with 0 DLTs: escalate, so continue.
        let d = data(&[(3, 0), (9, 0), (0, 0)], 1);
        assert_eq!(boin.fit(&d).decision(), Decision::Treat(Dose(2)));
    }
}
