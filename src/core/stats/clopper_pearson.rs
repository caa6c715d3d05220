//! Binomial tail probabilities through the regularized incomplete beta function, and the exact
//! two-sided Clopper–Pearson (1934) interval for a binomial proportion built on them.

use statrs::function::beta::beta_reg;

/// P(X ≥ x) for X ~ Binomial(n, p) (x ≤ n): the regularized incomplete beta I_p(x, n − x + 1).
pub fn binomial_at_least(x: u32, n: u32, p: f64) -> f64 {
    if x == 0 {
        1.0
    } else if p <= 0.0 {
        0.0
    } else if p >= 1.0 {
        1.0
    } else {
        beta_reg(f64::from(x), f64::from(n - x + 1), p)
    }
}

/// P(X ≤ x) for X ~ Binomial(n, p) (x ≤ n): 1 − P(X ≥ x + 1).
pub fn binomial_at_most(x: u32, n: u32, p: f64) -> f64 {
    if x == n {
        1.0
    } else {
        1.0 - binomial_at_least(x + 1, n, p)
    }
}

/// Whether the two-sided Clopper–Pearson interval at `level` for x responses in n contains p:
/// L ≤ p ⟺ P(X ≥ x | p) ≥ (1 − level)/2 and p ≤ U ⟺ P(X ≤ x | p) ≥ (1 − level)/2, so no
/// quantile is needed.
pub fn clopper_pearson_covers(x: u32, n: u32, p: f64, level: f64) -> bool {
    let tail = 0.5 * (1.0 - level);
    binomial_at_least(x, n, p) >= tail && binomial_at_most(x, n, p) >= tail
}

/// The two-sided Clopper–Pearson interval at `level` for x responses in n (x ≤ n, n ≥ 1):
/// L solves P(X ≥ x | L) = (1 − level)/2 (0 when x = 0), U solves P(X ≤ x | U) = (1 − level)/2
/// (1 when x = n); by bisection on the regularized incomplete beta function to 1e-15.
pub fn clopper_pearson(x: u32, n: u32, level: f64) -> (f64, f64) {
    let tail = 0.5 * (1.0 - level);
    let solve = |f: &dyn Fn(f64) -> bool| {
        // f is false then true along (0, 1): the crossing point.
        let (mut lo, mut hi) = (0.0, 1.0);
        while hi - lo > 1e-15 {
            let mid = 0.5 * (lo + hi);
            if f(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        0.5 * (lo + hi)
    };
    let lower = if x == 0 {
        0.0
    } else {
        solve(&|p| binomial_at_least(x, n, p) >= tail)
    };
    let upper = if x == n {
        1.0
    } else {
        solve(&|p| binomial_at_most(x, n, p) < tail)
    };
    (lower, upper)
}
