//! Simon's two-stage designs (Simon 1989, *Controlled Clinical Trials* 10:1–10), with the
//! admissible designs of Jung, Lee, Kim & George (2004, *J Stat Plan Inference* 120:191–204).
//!
//! Convention of R's `clinfun::ph2simon`: treat n1 patients and stop for futility if they have
//! ≤ r1 responses; otherwise treat n − n1 more and reject H0 (p ≤ p0) if the n have > r responses.
//! A design is feasible when, at the exact binomial, P(reject | p0) ≤ alpha and
//! P(reject | p1) ≥ 1 − beta. The *optimal* design minimises E\[N | p0\]; the *minimax* design
//! minimises n (ties: smallest E\[N | p0\]); the *admissible* designs minimise
//! q·n + (1 − q)·E\[N | p0\] for some weight q in (0, 1): the vertices of the lower convex hull
//! of (n, E\[N | p0\]) between the minimax and the optimal design.

use super::exact::{Boundaries, ExactDesign};
use super::{open_unit, require, SingleArmError};
use crate::core::limits::MAX_SIMON_NMAX;
use crate::core::stats::{binomial_pmf, upper_tail};

/// A two-stage design: stop after `n1` patients if responses ≤ `r1`; reject H0 at `n` if > `r`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimonDesign {
    r1: u32,
    n1: u32,
    r: u32,
    n: u32,
    boundaries: Boundaries,
}

impl SimonDesign {
    /// Checks 1 ≤ n1 < n, r1 < n1 and r1 ≤ r < n.
    pub fn new(r1: u32, n1: u32, r: u32, n: u32) -> Result<SimonDesign, SingleArmError> {
        require(n1 >= 1 && n1 < n, "n1", n1, "at least 1 and less than n")?;
        require(r1 < n1, "r1", r1, "less than n1")?;
        require(r >= r1 && r < n, "r", r, "at least r1 and less than n")?;
        Ok(SimonDesign::from_valid(r1, n1, r, n))
    }

    fn from_valid(r1: u32, n1: u32, r: u32, n: u32) -> SimonDesign {
        SimonDesign {
            r1,
            n1,
            r,
            n,
            boundaries: Boundaries::from_valid(vec![n1, n], vec![r1 + 1, r + 1]),
        }
    }

    /// Stage-1 futility bound: stop if responses ≤ r1.
    pub fn r1(&self) -> u32 {
        self.r1
    }

    /// Stage-1 sample size.
    pub fn n1(&self) -> u32 {
        self.n1
    }

    /// Final bound: reject H0 if responses > r.
    pub fn r(&self) -> u32 {
        self.r
    }

    /// Maximum sample size.
    pub fn n(&self) -> u32 {
        self.n
    }
}

impl ExactDesign for SimonDesign {
    /// Looks at n1 and n; PET is `oc(p).early_stop`, E\[N\] is `oc(p).expected_n`.
    fn boundaries(&self) -> &Boundaries {
        &self.boundaries
    }
}

/// A design found by [`SimonSearch`], with its exact properties (the columns of `ph2simon`).
#[derive(Clone, Debug, PartialEq)]
pub struct SimonSolution {
    /// The two-stage design.
    pub design: SimonDesign,
    /// E\[N | p0\].
    pub en_p0: f64,
    /// Probability of early termination at p0.
    pub pet_p0: f64,
    /// Exact type I error, P(reject | p0).
    pub alpha: f64,
    /// Exact power, P(reject | p1).
    pub power: f64,
}

/// The designs a search reports.
#[derive(Clone, Debug, PartialEq)]
pub struct SimonDesigns {
    /// Smallest E\[N | p0\] (ties: smallest n).
    pub optimal: SimonSolution,
    /// Smallest n (ties: smallest E\[N | p0\]).
    pub minimax: SimonSolution,
    /// Admissible designs strictly between the minimax and the optimal design, by increasing n
    /// (Jung et al. 2004); empty when no compromise design exists.
    pub admissible: Vec<SimonSolution>,
}

/// The search for Simon designs for H0: p ≤ p0 against H1: p = p1.
#[derive(Clone, Debug, PartialEq)]
pub struct SimonSearch {
    p0: f64,
    p1: f64,
    alpha: f64,
    beta: f64,
    nmax: u32,
}

impl SimonSearch {
    /// Checks 0 < p0 < p1 < 1, alpha and beta in (0, 1) and 2 ≤ nmax ≤
    /// [`MAX_SIMON_NMAX`] (clinfun's default nmax is 100, its limit 1000).
    pub fn new(p0: f64, p1: f64, alpha: f64, beta: f64, nmax: u32) -> Result<SimonSearch, SingleArmError> {
        open_unit("p0", p0)?;
        open_unit("p1", p1)?;
        require(p1 > p0, "p1", p1, "greater than p0")?;
        open_unit("alpha", alpha)?;
        open_unit("beta", beta)?;
        require(nmax >= 2, "nmax", nmax, "at least 2")?;
        require(
            nmax <= MAX_SIMON_NMAX,
            "nmax",
            nmax,
            "at most 400: the search visits about nmax⁴/8 designs, about 10 s at nmax = 400 and \
             minutes at 1000",
        )?;
        Ok(SimonSearch {
            p0,
            p1,
            alpha,
            beta,
            nmax,
        })
    }

    /// For each maximum sample size n ≤ nmax with a feasible design, the feasible design with the
    /// smallest E\[N | p0\], by increasing n (the rows of `clinfun::ph2simon`'s `out`).
    ///
    /// Every (n, n1, r1, r) is visited, as `clinfun`'s Fortran: binomial tables are computed once,
    /// and for fixed (n, n1) the rejection probabilities for all r are updated in O(n) as r1
    /// decreases. Ties in E\[N\] keep the first design found (n1 ascending, r1 descending, largest
    /// feasible r), as `clinfun` does. A design must be able to stop early (PET > 0).
    pub fn best_by_n(&self) -> Vec<SimonSolution> {
        let nmax = self.nmax as usize;
        let table = |p: f64| -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
            let pmf: Vec<Vec<f64>> = (0..=self.nmax).map(|n| binomial_pmf(n, p)).collect();
            let tail = pmf.iter().map(|row| upper_tail(row)).collect();
            (pmf, tail)
        };
        let (pmf0, tail0) = table(self.p0);
        let (pmf1, tail1) = table(self.p1);
        let (mut reject0, mut reject1) = (vec![0.0; nmax], vec![0.0; nmax]);
        let mut best_by_n = Vec::new();
        for n in 2..=nmax {
            let mut best: Option<(f64, usize, usize, usize)> = None;
            for n1 in 1..n {
                let n2 = n - n1;
                // reject*[r] = P(X1 > r1 and X1 + X2 > r), for the current r1 and every r < n.
                reject0[..n].fill(0.0);
                reject1[..n].fill(0.0);
                for r1 in (0..n1).rev() {
                    let x1 = r1 + 1;
                    for r in 0..n {
                        // P(X2 > r − x1) = P(X2 ≥ r − x1 + 1), which is 1 when r < x1.
                        let need = (r + 1).saturating_sub(x1).min(n2 + 1);
                        reject0[r] += pmf0[n1][x1] * tail0[n2][need];
                        reject1[r] += pmf1[n1][x1] * tail1[n2][need];
                    }
                    let pet = 1.0 - tail0[n1][r1 + 1];
                    let en = n1 as f64 + (1.0 - pet) * n2 as f64;
                    if best.is_some_and(|(best_en, ..)| en >= best_en) || en >= n as f64 {
                        continue;
                    }
                    // Power falls as r rises; the largest r with enough power has the least alpha.
                    if let Some(r) = (r1..n).rev().find(|&r| reject1[r] >= 1.0 - self.beta) {
                        if reject0[r] <= self.alpha {
                            best = Some((en, n1, r1, r));
                        }
                    }
                }
            }
            if let Some((_, n1, r1, r)) = best {
                best_by_n.push(self.solution(SimonDesign::from_valid(r1 as u32, n1 as u32, r as u32, n as u32)));
            }
        }
        best_by_n
    }

    /// Exact properties of `design` at p0 and p1.
    fn solution(&self, design: SimonDesign) -> SimonSolution {
        let at_p0 = design.oc(self.p0);
        SimonSolution {
            en_p0: at_p0.expected_n,
            pet_p0: at_p0.early_stop,
            alpha: at_p0.reject,
            power: design.oc(self.p1).reject,
            design,
        }
    }

    /// The optimal, minimax and admissible designs, or [`SingleArmError::NoSimonDesign`] when no
    /// design with n ≤ nmax is feasible.
    pub fn run(&self) -> Result<SimonDesigns, SingleArmError> {
        let rows = self.best_by_n();
        let optimal = (0..rows.len())
            .min_by(|&i, &j| rows[i].en_p0.total_cmp(&rows[j].en_p0))
            .ok_or(SingleArmError::NoSimonDesign { nmax: self.nmax })?;
        // Rows start at the minimax design; designs beyond the optimal one are dominated.
        let hull = lower_hull(&rows[..=optimal]);
        let inner = hull.get(1..hull.len() - 1).unwrap_or_default();
        Ok(SimonDesigns {
            optimal: rows[optimal].clone(),
            minimax: rows[0].clone(),
            admissible: inner.iter().map(|&i| rows[i].clone()).collect(),
        })
    }
}

/// Indices of the vertices of the lower convex hull of (n, E\[N | p0\]), points sorted by n
/// (Andrew's monotone chain); collinear middle points are dropped, as they are optimal only at the
/// weight where their neighbours tie.
fn lower_hull(rows: &[SimonSolution]) -> Vec<usize> {
    let point = |i: usize| (f64::from(rows[i].design.n), rows[i].en_p0);
    let mut hull: Vec<usize> = Vec::new();
    for i in 0..rows.len() {
        while hull.len() >= 2 {
            let (o, a, b) = (point(hull[hull.len() - 2]), point(hull[hull.len() - 1]), point(i));
            let cross = (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0);
            if cross <= 0.0 {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(i);
    }
    hull
}

#[cfg(test)]
mod tests {
    use super::*;

    /// VALIDATION R7 (`clinfun::ph2simon`): p0, p1, alpha, beta; optimal and minimax as
    /// (r1, n1, r, n, EN(p0), PET(p0)). Two minimax entries differ from R7 in the last digit, where
    /// R7 is off by one: for .20 → .40 (.05, .20), 4/18, 10/33, EN = 18 + 15·(1 − P(Bin(18, .2) ≤ 4))
    /// = 22.2547 (R7 prints 22.26); for .10 → .30 (.10, .10), 1/16, 4/25, PET = P(Bin(16, .1) ≤ 1)
    /// = 0.5147 (R7 prints .52). The designs themselves match R7.
    type Row = (u32, u32, u32, u32, f64, f64);
    const R7: [(f64, f64, f64, f64, Row, Row); 7] = [
        (
            0.05,
            0.25,
            0.05,
            0.20,
            (0, 9, 2, 17, 11.96, 0.63),
            (0, 12, 2, 16, 13.84, 0.54),
        ),
        (
            0.10,
            0.30,
            0.05,
            0.20,
            (1, 10, 5, 29, 15.01, 0.74),
            (1, 15, 5, 25, 19.51, 0.55),
        ),
        (
            0.20,
            0.40,
            0.05,
            0.20,
            (3, 13, 12, 43, 20.58, 0.75),
            (4, 18, 10, 33, 22.25, 0.72),
        ),
        (
            0.30,
            0.50,
            0.05,
            0.20,
            (5, 15, 18, 46, 23.63, 0.72),
            (6, 19, 16, 39, 25.69, 0.67),
        ),
        (
            0.05,
            0.20,
            0.05,
            0.20,
            (0, 10, 3, 29, 17.62, 0.60),
            (0, 13, 3, 27, 19.81, 0.51),
        ),
        (
            0.10,
            0.30,
            0.10,
            0.10,
            (1, 12, 5, 35, 19.84, 0.66),
            (1, 16, 4, 25, 20.37, 0.51),
        ),
        (
            0.20,
            0.40,
            0.10,
            0.10,
            (3, 17, 10, 37, 26.02, 0.55),
            (3, 19, 10, 36, 28.26, 0.46),
        ),
    ];

    fn check(found: &SimonSolution, expected: Row, what: &str) {
        let d = &found.design;
        assert_eq!(
            (d.r1(), d.n1(), d.r(), d.n()),
            (expected.0, expected.1, expected.2, expected.3),
            "{what}"
        );
        assert!(
            (found.en_p0 - expected.4).abs() <= 0.005 + 1e-9,
            "{what}: EN {}",
            found.en_p0
        );
        assert!(
            (found.pet_p0 - expected.5).abs() <= 0.005 + 1e-9,
            "{what}: PET {}",
            found.pet_p0
        );
    }

    #[test]
    fn r7_optimal_and_minimax_designs() {
        for (p0, p1, alpha, beta, optimal, minimax) in R7 {
            let designs = SimonSearch::new(p0, p1, alpha, beta, 100).unwrap().run().unwrap();
            let what = format!("{p0} → {p1} ({alpha}, {beta})");
            check(&designs.optimal, optimal, &format!("{what} optimal"));
            check(&designs.minimax, minimax, &format!("{what} minimax"));
            for s in [&designs.optimal, &designs.minimax] {
                assert!(s.alpha <= alpha && s.power >= 1.0 - beta, "{what}: {s:?}");
            }
        }
    }

    /// Exact OC of a two-stage design against clinfun's `oc.twostage.bdry` sum,
    /// P(reject) = Σ_{x1 > r1} b(x1; n1, p) P(X2 > r − x1), written out directly.
    #[test]
    fn exact_oc_matches_the_direct_sum() {
        let design = SimonDesign::new(3, 13, 12, 43).unwrap();
        for p in [0.0, 0.1, 0.2, 0.33, 0.4, 1.0] {
            let b1 = binomial_pmf(13, p);
            let tail2 = upper_tail(&binomial_pmf(30, p));
            let direct: f64 = (4..=13).map(|x1| b1[x1] * tail2[13 - x1]).sum();
            let oc = design.oc(p);
            assert!((oc.reject - direct).abs() < 1e-13, "p = {p}: {} vs {direct}", oc.reject);
            let pet: f64 = b1[..4].iter().sum();
            assert!((oc.early_stop - pet).abs() < 1e-13);
            assert!((oc.expected_n - (13.0 + 30.0 * (1.0 - pet))).abs() < 1e-11);
        }
    }

    /// Admissible designs lie strictly between minimax and optimal, each on the lower hull: for
    /// some weight q it beats both ends.
    #[test]
    fn admissible_designs_are_compromises() {
        let designs = SimonSearch::new(0.2, 0.4, 0.05, 0.2, 100).unwrap().run().unwrap();
        let (mm, opt) = (&designs.minimax, &designs.optimal);
        let loss = |s: &SimonSolution, q: f64| q * f64::from(s.design.n()) + (1.0 - q) * s.en_p0;
        assert!(!designs.admissible.is_empty());
        for a in &designs.admissible {
            assert!(a.design.n() > mm.design.n() && a.design.n() < opt.design.n());
            assert!(a.en_p0 < mm.en_p0 && a.en_p0 > opt.en_p0);
            let beats_both = (1..1000)
                .map(|i| f64::from(i) / 1000.0)
                .any(|q| loss(a, q) < loss(mm, q).min(loss(opt, q)));
            assert!(beats_both, "{a:?}");
        }
    }

    /// The incremental search against a naive one that evaluates every (n1, r1, r) with
    /// [`Boundaries::oc`], same tie order (n1 ascending, r1 descending, largest feasible r).
    #[test]
    fn search_matches_naive_enumeration() {
        let (p0, p1, alpha, beta) = (0.05, 0.25, 0.05, 0.2);
        let found = SimonSearch::new(p0, p1, alpha, beta, 22).unwrap().best_by_n();
        let mut naive = Vec::new();
        for n in 2..=22u32 {
            let mut best: Option<(f64, SimonDesign)> = None;
            for n1 in 1..n {
                for r1 in (0..n1).rev() {
                    for r in (r1..n).rev() {
                        let design = SimonDesign::new(r1, n1, r, n).unwrap();
                        let (at_p0, at_p1) = (design.oc(p0), design.oc(p1));
                        let feasible = at_p0.reject <= alpha && at_p1.reject >= 1.0 - beta;
                        let en = at_p0.expected_n;
                        if feasible && en < n as f64 - 1e-12 && best.as_ref().is_none_or(|b| en < b.0 - 1e-12) {
                            best = Some((en, design));
                        }
                    }
                }
            }
            naive.extend(best.map(|b| b.1));
        }
        let found: Vec<SimonDesign> = found.into_iter().map(|s| s.design).collect();
        assert_eq!(found, naive);
    }

    /// When only one maximum sample size is feasible, minimax = optimal and nothing lies between.
    #[test]
    fn single_feasible_n_has_no_admissible_designs() {
        let designs = SimonSearch::new(0.05, 0.25, 0.05, 0.2, 16).unwrap().run().unwrap();
        assert_eq!(designs.minimax, designs.optimal);
        assert!(designs.admissible.is_empty());
    }

    #[test]
    fn search_is_fast() {
        let start = std::time::Instant::now();
        let designs = SimonSearch::new(0.05, 0.2, 0.05, 0.2, 100).unwrap().run().unwrap();
        assert_eq!(designs.optimal.design.n(), 29);
        assert!(start.elapsed().as_secs_f64() < 1.0, "{:?}", start.elapsed());
    }

    #[test]
    fn errors_name_the_parameter() {
        let err = SimonSearch::new(0.3, 0.2, 0.05, 0.2, 100).unwrap_err();
        assert!(
            matches!(err, SingleArmError::InvalidParameter { name: "p1", .. }),
            "{err}"
        );
        let err = SimonSearch::new(0.1, 0.3, 0.05, 0.2, 5).unwrap().run().unwrap_err();
        assert_eq!(err, SingleArmError::NoSimonDesign { nmax: 5 });
        assert!(SimonDesign::new(3, 13, 2, 43).is_err());
    }
}
