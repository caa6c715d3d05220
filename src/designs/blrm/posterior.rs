//! BLRM's posterior on its grid: the log posterior summed block by block over the treated doses,
//! exponentiated, normalised, and summed up each column, so that P(p(d) ≥ c) is a sum over the
//! columns (see the module doc of [`super`]). Every operation on a node is the one a direct
//! node-by-node computation makes, in the same order, so the results are the same to the bit.

use super::memo::IntervalProbabilities;
use super::{Blrm, Dose, TrialData};
use crate::core::stats::logit;

/// Grid nodes whose log posterior is summed at once: a block stays in the L1 cache while every
/// treated dose's terms are added to it.
const BLOCK: usize = 1024;

/// Independent running maxima (the largest value does not depend on the order it is sought in).
const LANES: usize = 4;

/// Raises each of `lanes` to the largest of its share of `values` (comparisons only, so that
/// they run side by side).
#[inline(always)]
fn raise_maxima(lanes: &mut [f64; LANES], values: &[f64]) {
    let mut chunks = values.chunks_exact(LANES);
    for chunk in &mut chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            if v > *lane {
                *lane = v;
            }
        }
    }
    for &v in chunks.remainder() {
        if v > lanes[0] {
            lanes[0] = v;
        }
    }
}

/// ⌈x⌉ for 0 ≤ x < 2⁵² (exactly `x.ceil() as usize`, without a call to libm).
fn ceil_index(x: f64) -> usize {
    let below = x as usize;
    if (below as f64) < x {
        below + 1
    } else {
        below
    }
}

/// Writes (`first`) or adds a treated dose's log-likelihood term y·ln p + f·ln(1 − p) at each
/// node of a block. Where a count is 0 its table is not read: ln p and ln(1 − p) are at most −0,
/// so 0·ln p = −0 and x + (−0) = x, and the term is the same to the bit.
#[inline(always)]
fn add_dose(sums: &mut [f64], (lp, lq): (&[f64], &[f64]), (y, f): (f64, f64), first: bool) {
    let pairs = lp.iter().zip(lq);
    match (first, y == 0.0, f == 0.0) {
        (true, true, _) => sums.iter_mut().zip(lq).for_each(|(s, &q)| *s = f * q),
        (true, _, true) => sums.iter_mut().zip(lp).for_each(|(s, &p)| *s = y * p),
        (true, _, _) => sums.iter_mut().zip(pairs).for_each(|(s, (&p, &q))| *s = y * p + f * q),
        (false, true, _) => sums.iter_mut().zip(lq).for_each(|(s, &q)| *s += f * q),
        (false, _, true) => sums.iter_mut().zip(lp).for_each(|(s, &p)| *s += y * p),
        (false, _, _) => sums.iter_mut().zip(pairs).for_each(|(s, (&p, &q))| *s += y * p + f * q),
    }
}

impl Blrm {
    /// The posterior on the grid given `data`.
    pub(super) fn posterior(&self, data: &TrialData) -> Posterior {
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2.
            return unsafe { self.posterior_avx2(data) };
        }
        self.posterior_on_grid(data)
    }

    /// [`Blrm::posterior_on_grid`] compiled for AVX2: four nodes an instruction instead of two,
    /// each by the same IEEE operations (Rust fuses no multiply and add), so the same to the bit.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn posterior_avx2(&self, data: &TrialData) -> Posterior {
        self.posterior_on_grid(data)
    }

    /// The posterior on the grid given `data`, computed in passes over the nodes.
    #[inline(always)]
    pub(super) fn posterior_on_grid(&self, data: &TrialData) -> Posterior {
        let treated: Vec<(usize, f64, f64)> = data
            .doses()
            .filter(|&d| data.patients(d) > 0)
            .map(|d| {
                (
                    d.index(),
                    f64::from(data.dlts(d)),
                    f64::from(data.patients(d) - data.dlts(d)),
                )
            })
            .collect();
        // Each node's log-likelihood, dose by dose in dose order (the sum is the same, term by
        // term, as a per-node sum), then the log prior added; block by block, so that the
        // partial sums stay in the L1 cache.
        let nodes = self.log_prior.len();
        let mut w: Vec<f64> = Vec::with_capacity(nodes);
        let mut maxima = [f64::NEG_INFINITY; LANES];
        for start in (0..nodes).step_by(BLOCK) {
            let block = start..nodes.min(start + BLOCK);
            let prior = &self.log_prior[block.clone()];
            let tables = |j: usize| {
                let at = j * nodes;
                (
                    &self.log_p[at + block.start..at + block.end],
                    &self.log_q[at + block.start..at + block.end],
                )
            };
            match treated.split_first() {
                None => w.extend_from_slice(prior),
                Some((&(j, y, f), rest)) => {
                    w.resize(block.end, 0.0);
                    let sums = &mut w[block.clone()];
                    add_dose(sums, tables(j), (y, f), true);
                    for &(j, y, f) in rest {
                        add_dose(sums, tables(j), (y, f), false);
                    }
                    for (sum, &lp0) in sums.iter_mut().zip(prior) {
                        *sum += lp0;
                    }
                }
            }
            raise_maxima(&mut maxima, &w[block]);
        }
        let max = maxima.into_iter().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for v in w.iter_mut() {
            // exp underflows to exactly 0 below −745.2; skip libm's slow underflow path there.
            let x = *v - max;
            *v = if x < -746.0 { 0.0 } else { x.exp() };
            total += *v;
        }
        // Normalised row by row from the top (largest log α), each row's column sums from the
        // top following it.
        let n = self.alpha.len();
        let mut above: Vec<f64> = Vec::with_capacity(nodes);
        for row in w.chunks_exact_mut(n).rev() {
            for v in row.iter_mut() {
                *v /= total;
            }
            above.extend_from_slice(row);
            if let Some(previous) = above.len().checked_sub(2 * n) {
                let (done, last) = above.split_at_mut(previous + n);
                for (sum, &v) in last.iter_mut().zip(&done[previous..]) {
                    *sum += v;
                }
            }
        }
        Posterior { weights: w, above }
    }

    /// P(targeted toxicity) and P(overdosing) per dose under `posterior`.
    pub(super) fn interval_probabilities(&self, posterior: &Posterior, data: &TrialData) -> IntervalProbabilities {
        let [lower, upper] = self.config.target_interval;
        let (mut target, mut overdose) = (Vec::new(), Vec::new());
        for d in data.doses() {
            let (at_least_lower, at_least_upper) = (
                posterior.prob_at_least(self, d, lower),
                posterior.prob_at_least(self, d, upper),
            );
            target.push((at_least_lower - at_least_upper).max(0.0));
            overdose.push(at_least_upper);
        }
        IntervalProbabilities { target, overdose }
    }
}

/// The normalised posterior on the grid.
pub(super) struct Posterior {
    /// Posterior weight per node, row-major (log α rows, log β columns).
    weights: Vec<f64>,
    /// Per node: the posterior weight of that node and every node above it in its column
    /// (larger log α), row by row from the top row (index (n − 1 − row)·n + column).
    above: Vec<f64>,
}

impl Posterior {
    /// P(p(dose) ≥ cut) under the grid posterior, column by column (see the module doc).
    pub(super) fn prob_at_least(&self, blrm: &Blrm, dose: Dose, cut: f64) -> f64 {
        if cut <= 0.0 {
            return 1.0;
        }
        if cut >= 1.0 {
            return 0.0;
        }
        let (n, h) = (blrm.alpha.len(), blrm.steps[0]);
        let (x, logit_cut) = (blrm.log_ratio[dose.index()], logit(cut));
        let mut mass = 0.0;
        for (j, &slope) in blrm.slopes.iter().enumerate() {
            // p ≥ cut ⟺ log α ≥ logit(cut) − e^β·x: each node carries the mass of the cell
            // [u − h/2, u + h/2], counted for the part above the cut.
            let cut_alpha = logit_cut - slope * x;
            let position = (cut_alpha - blrm.alpha[0]) / h + 0.5;
            if position >= n as f64 {
                continue;
            }
            let first_full = ceil_index(position.max(0.0));
            if first_full < n {
                mass += self.above[(n - 1 - first_full) * n + j];
            }
            if position > 0.0 && first_full > 0 {
                let fraction = first_full as f64 - position;
                mass += fraction * self.weights[(first_full - 1) * n + j];
            }
        }
        mass.clamp(0.0, 1.0)
    }

    /// The posterior mean of p(dose).
    pub(super) fn mean_prob(&self, blrm: &Blrm, dose: Dose) -> f64 {
        let nodes = self.weights.len();
        let log_p = &blrm.log_p[dose.index() * nodes..(dose.index() + 1) * nodes];
        self.weights.iter().zip(log_p).map(|(w, lp)| w * lp.exp()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::blrm::tests::{config, data};
    use crate::designs::{Design, Fit};
    use std::sync::Arc;

    /// The posterior computed node by node in the most direct way: per node the log-likelihood
    /// dose by dose, then the log prior; the largest; the exponentials and their total in node
    /// order; each weight divided by the total; each column summed from the top.
    fn direct_posterior(blrm: &Blrm, data: &TrialData) -> Posterior {
        let n = blrm.alpha.len();
        let nodes = n * n;
        let mut w: Vec<f64> = (0..nodes)
            .map(|g| {
                let mut terms = data.doses().filter(|&d| data.patients(d) > 0).map(|d| {
                    let (y, f) = (f64::from(data.dlts(d)), f64::from(data.patients(d) - data.dlts(d)));
                    y * blrm.log_p[d.index() * nodes + g] + f * blrm.log_q[d.index() * nodes + g]
                });
                match terms.next() {
                    Some(first) => terms.fold(first, |sum, t| sum + t) + blrm.log_prior[g],
                    None => blrm.log_prior[g],
                }
            })
            .collect();
        let max = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for v in w.iter_mut() {
            *v = (*v - max).exp();
            total += *v;
        }
        let weights: Vec<f64> = w.iter().map(|v| v / total).collect();
        let mut above = vec![0.0; nodes];
        for j in 0..n {
            let mut sum = 0.0;
            for (k, i) in (0..n).rev().enumerate() {
                sum = if k == 0 {
                    weights[i * n + j]
                } else {
                    weights[i * n + j] + sum
                };
                above[k * n + j] = sum;
            }
        }
        Posterior { weights, above }
    }

    /// The blocked, vectorised posterior equals the direct one bit for bit (so do the interval
    /// probabilities made from it), and a state with the same counts reached another way
    /// shares the memoised fit, equal to a fresh design's.
    #[test]
    fn posterior_equals_the_direct_computation_bit_for_bit() {
        let blrm = Blrm::new(config());
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for cohorts in [
            vec![],
            vec![(0, 3, 0)],
            vec![(0, 3, 3)],
            vec![(0, 3, 0), (1, 3, 0), (2, 3, 1)],
            vec![(0, 3, 0), (1, 3, 0), (2, 3, 0), (3, 6, 2), (4, 3, 2)],
            vec![(0, 3, 0), (1, 3, 0), (2, 6, 1), (3, 12, 3), (4, 9, 4), (5, 3, 3)],
            vec![
                (0, 3, 0),
                (1, 3, 0),
                (2, 3, 0),
                (3, 3, 0),
                (4, 3, 0),
                (5, 3, 0),
                (6, 30, 1),
            ],
        ] {
            let d = data(&cohorts);
            let direct = direct_posterior(&blrm, &d);
            // The posterior as dispatched (AVX2 where the processor has it), and without AVX2.
            for fast in [blrm.posterior(&d), blrm.posterior_on_grid(&d)] {
                assert_eq!(bits(&fast.weights), bits(&direct.weights), "{cohorts:?}");
                assert_eq!(bits(&fast.above), bits(&direct.above), "{cohorts:?}");
            }
            let fit = blrm.fit(&d);
            let expected = blrm.interval_probabilities(&direct, &d);
            assert_eq!(bits(fit.target_probabilities()), bits(&expected.target));
            assert_eq!(bits(fit.overdose_probabilities()), bits(&expected.overdose));
        }
        // The same counts, the last cohort at dose 1 instead of dose 2.
        let (first, second) = (
            data(&[(0, 3, 0), (2, 3, 1), (1, 3, 0)]),
            data(&[(0, 3, 0), (1, 3, 0), (2, 3, 1)]),
        );
        assert_ne!(first.state(), second.state());
        let (a, b) = (blrm.fit(&first), blrm.fit(&second));
        assert!(Arc::ptr_eq(&a.probabilities, &b.probabilities));
        let fresh = Blrm::new(config());
        let c = fresh.fit(&second);
        assert_eq!(bits(b.target_probabilities()), bits(c.target_probabilities()));
        for dose in second.doses() {
            assert_eq!(b.prob_tox(dose).unwrap().to_bits(), c.prob_tox(dose).unwrap().to_bits());
            let (p, q) = (b.prob_tox_exceeds(dose, 0.3), c.prob_tox_exceeds(dose, 0.3));
            assert_eq!(p.unwrap().to_bits(), q.unwrap().to_bits());
        }
    }

    #[test]
    fn ceil_index_is_the_ceiling() {
        for x in [0.0, 0.25, 1.0, 1.0 - 1e-15, 1.0 + 1e-15, 17.5, 160.0, 159.999_999_999] {
            assert_eq!(ceil_index(x), x.ceil() as usize, "{x}");
        }
    }
}
