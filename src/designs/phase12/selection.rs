//! BOIN12's end-of-trial OBD selection. Published sources differ, so the scenario chooses
//! (`selection`):
//!
//! - [`ObdSelection::Authors`] (default), the authors' simulation code for Lin et al. (2020): the
//!   DLT rates by isotonic regression of (y + 0.05)/(n + 0.1) over all doses (weights n + 0.1,
//!   plus 0.001 · level to break ties), the MTD the dose closest to φ_T; the response rates
//!   smoothed by an average of unimodal isotonic fits of (r + 0.05)/(n + 0.1), one with its mode at
//!   each dose, weighted by their binomial likelihoods (fit weights n + 0.5, plus 0.01 · level);
//!   the OBD the tried, admissible dose at or below the MTD whose utility at the smoothed rates is
//!   highest (ties: the lower dose). The authors' code fits the unimodal regressions with
//!   `Iso::ufit`, whose mode argument Iso up to 0.0-18 read as the mode's index, as here (from
//!   0.0-21 the same call puts every mode at the last dose, a monotone fit); see [`unimodal`].
//! - [`ObdSelection::PosteriorMean`], the paper's text as TITE-BOIN12 and trialsim's `[rp2d]`
//!   read it: BOIN's isotonic MTD (`select.mtd`), then the tried, admissible dose at or below it of
//!   highest posterior mean utility (1 + x)/(2 + n) ([`Utility::select_rp2d`]).
//! - [`ObdSelection::Escalation`], the R package `escalation` 0.2.3 (`select_boin12_obd`): the MTD
//!   by unweighted isotonic regression of the tried doses' y/n (closest to φ_T, ties: the higher
//!   dose), then the dose at or below it with the highest desirability score, tried or not and
//!   whatever its admissibility (ties: the lower dose).
//!
//! [`Utility::select_rp2d`]: crate::core::Utility::select_rp2d

use super::boin12::Boin12Config;
use crate::core::stats::isotonic::{pava_blocks, Block};
use crate::designs::{Dose, TrialData};

/// How BOIN12 selects the OBD at the end of the trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObdSelection {
    /// The authors' code: isotonic MTD, then the utility at smoothed rates (`"authors"`).
    Authors,
    /// BOIN's MTD, then the highest posterior mean utility (`"posterior_mean"`).
    PosteriorMean,
    /// The R package escalation's `select_boin12_obd`: the highest desirability at or below an
    /// isotonic MTD (`"escalation"`).
    Escalation,
}

impl ObdSelection {
    /// Every rule, in the order messages list them.
    pub const ALL: [ObdSelection; 3] = [
        ObdSelection::Authors,
        ObdSelection::PosteriorMean,
        ObdSelection::Escalation,
    ];

    /// The scenario's name for the rule.
    pub fn name(self) -> &'static str {
        match self {
            ObdSelection::Authors => "authors",
            ObdSelection::PosteriorMean => "posterior_mean",
            ObdSelection::Escalation => "escalation",
        }
    }
}

/// Weighted isotonic (non-decreasing) regression of `points` (value, weight), one fitted value
/// per point.
pub(super) fn isotonic(points: impl ExactSizeIterator<Item = (f64, f64)>) -> Vec<f64> {
    let mut blocks: Vec<Block> = vec![(0.0, 0.0, 0); points.len()];
    let count = pava_blocks(points, &mut blocks);
    blocks[..count]
        .iter()
        .flat_map(|&(mean, _, len)| std::iter::repeat_n(mean, len))
        .collect()
}

/// The fit of `values` (weights `weights`) non-decreasing up to index `mode` and non-increasing
/// after it, as `Iso::ufit`'s `unimode` computes it (the routine of the authors' code): each
/// side's isotonic fit, merged in increasing order with the mode's value last and pooled once more.
/// Iso weights the merged sequence through the inverse of the merge's permutation (position p
/// takes the weight of the dose whose index is p's place in the merge), which is not the exact
/// weighted least-squares fit when the permutation is not its own inverse; the authors' numbers
/// come from this routine, so it is kept.
pub(super) fn unimodal(values: &[f64], weights: &[f64], mode: usize) -> Vec<f64> {
    let n = values.len();
    let points = |indices: &[usize]| {
        isotonic(
            indices
                .iter()
                .map(|&i| (values[i], weights[i]))
                .collect::<Vec<_>>()
                .into_iter(),
        )
    };
    if mode + 1 >= n {
        return points(&(0..n).collect::<Vec<_>>());
    }
    if mode == 0 {
        let mut fit = vec![0.0; n];
        let all = (0..n).rev().collect::<Vec<_>>();
        for (&i, v) in all.iter().zip(points(&all)) {
            fit[i] = v;
        }
        return fit;
    }
    let (left, right): (Vec<usize>, Vec<usize>) = ((0..mode).collect(), (mode + 1..n).rev().collect());
    let (l, r) = (points(&left), points(&right));
    // (value, dose) in increasing order of value, the mode last.
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, 0);
    while merged.len() + 1 < n {
        let t1 = l.get(i).copied().unwrap_or(r[r.len() - 1] + 1e10);
        let t2 = r.get(j).copied().unwrap_or(l[l.len() - 1] + 1e10);
        if t1 < t2 {
            merged.push((l[i], left[i]));
            i += 1;
        } else {
            merged.push((r[j], right[j]));
            j += 1;
        }
    }
    merged.push((values[mode], mode));
    let mut place = vec![0; n];
    for (p, &(_, dose)) in merged.iter().enumerate() {
        place[dose] = p;
    }
    let pooled = isotonic(
        merged
            .iter()
            .enumerate()
            .map(|(p, &(v, _))| (v, weights[place[p]]))
            .collect::<Vec<_>>()
            .into_iter(),
    );
    let mut fit = vec![0.0; n];
    for (&(_, dose), v) in merged.iter().zip(pooled) {
        fit[dose] = v;
    }
    fit
}

/// The authors' smoothed response rates: the unimodal fits with each mode, averaged with weights
/// proportional to their binomial likelihoods, plus 0.01 · level.
pub(super) fn smoothed_response(data: &TrialData) -> Vec<f64> {
    let counts = data
        .doses()
        .map(|d| data.efficacy(d).unwrap_or_default())
        .collect::<Vec<_>>();
    let (values, weights): (Vec<f64>, Vec<f64>) = counts
        .iter()
        .map(|c| {
            let (n, r) = (f64::from(c.patients), f64::from(c.responses));
            ((r + 0.05) / (n + 0.1), n + 0.5)
        })
        .unzip();
    let fits = (0..values.len())
        .map(|mode| unimodal(&values, &weights, mode))
        .collect::<Vec<_>>();
    let log_likelihoods = fits
        .iter()
        .map(|fit| {
            counts
                .iter()
                .zip(fit)
                .map(|(c, &p): (_, &f64)| {
                    let (n, r) = (f64::from(c.patients), f64::from(c.responses));
                    r * p.ln() + (n - r) * (1.0 - p).ln()
                })
                .sum::<f64>()
        })
        .collect::<Vec<_>>();
    let best = log_likelihoods.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights = log_likelihoods.iter().map(|l| (l - best).exp()).collect::<Vec<_>>();
    let total: f64 = weights.iter().sum();
    (0..values.len())
        .map(|i| {
            let mean: f64 = fits.iter().zip(&weights).map(|(fit, w)| fit[i] * w).sum::<f64>() / total;
            mean + 0.01 * (i + 1) as f64
        })
        .collect()
}

/// The authors' DLT rates: isotonic regression of (y + 0.05)/(n + 0.1) over all doses, weights
/// n + 0.1, plus 0.001 · level.
pub(super) fn smoothed_toxicity(data: &TrialData) -> Vec<f64> {
    let points = data.doses().map(|d| {
        let (n, y) = (f64::from(data.patients(d)), f64::from(data.dlts(d)));
        ((y + 0.05) / (n + 0.1), n + 0.1)
    });
    let fit = isotonic(points.collect::<Vec<_>>().into_iter());
    fit.into_iter()
        .enumerate()
        .map(|(i, p)| p + 0.001 * (i + 1) as f64)
        .collect()
}

/// The dose of highest score among `candidates` (ties: the first, i.e. the lower dose).
pub(super) fn best(candidates: &[(Dose, f64)]) -> Option<Dose> {
    let mut best: Option<(Dose, f64)> = None;
    for &(dose, score) in candidates {
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((dose, score));
        }
    }
    best.map(|(dose, _)| dose)
}

/// [`ObdSelection::Authors`] in steps: the MTD, and the utility at the smoothed rates of each
/// candidate (the tried, admissible doses at or below it), whose [`best`] is the OBD.
pub(super) fn authors_candidates(
    data: &TrialData,
    config: &Boin12Config,
    admissible: impl Fn(Dose) -> bool,
) -> (Dose, Vec<(Dose, f64)>) {
    let tox = smoothed_toxicity(data);
    let mut mtd = 0;
    for (i, p) in tox.iter().enumerate() {
        if (p - config.phi_t).abs() < (tox[mtd] - config.phi_t).abs() {
            mtd = i;
        }
    }
    let response = smoothed_response(data);
    let candidates = data
        .doses()
        .take(mtd + 1)
        .filter(|&dose| data.patients(dose) > 0 && admissible(dose))
        .map(|dose| {
            let i = dose.index();
            (dose, config.utility.true_utility(tox[i], response[i]))
        })
        .collect();
    (Dose(mtd as u16), candidates)
}

/// [`ObdSelection::Authors`].
pub(super) fn authors(data: &TrialData, config: &Boin12Config, admissible: impl Fn(Dose) -> bool) -> Option<Dose> {
    best(&authors_candidates(data, config, admissible).1)
}

/// [`ObdSelection::Escalation`] in steps, with `desirability` each dose's score before
/// admissibility: the MTD (none before any dose is tried), and the desirability of every dose at
/// or below it, whose [`best`] is the OBD.
pub(super) fn escalation_candidates(
    data: &TrialData,
    phi_t: f64,
    desirability: impl Fn(Dose) -> f64,
) -> Option<(Dose, Vec<(Dose, f64)>)> {
    let tried = data.doses().filter(|&d| data.patients(d) > 0).collect::<Vec<_>>();
    let rates = tried
        .iter()
        .map(|&d| (f64::from(data.dlts(d)) / f64::from(data.patients(d)), 1.0));
    let fit = isotonic(rates.collect::<Vec<_>>().into_iter());
    let mut mtd: Option<(Dose, f64)> = None;
    for (&dose, p) in tried.iter().zip(&fit) {
        let distance = (p - phi_t).abs();
        if mtd.is_none_or(|(_, best)| distance <= best) {
            mtd = Some((dose, distance));
        }
    }
    let (mtd, _) = mtd?;
    Some((mtd, (0..=mtd.0).map(Dose).map(|d| (d, desirability(d))).collect()))
}

/// [`ObdSelection::Escalation`], with `desirability` each dose's score before admissibility.
pub(super) fn escalation(data: &TrialData, phi_t: f64, desirability: impl Fn(Dose) -> f64) -> Option<Dose> {
    best(&escalation_candidates(data, phi_t, desirability)?.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::phase12::boin12::Boin12;
    use crate::designs::phase12::tests::outcomes;
    use crate::designs::{Design, Fit};

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    /// Unimodal fits of (0.2, 0.6, 0.3, 0.5, 0.1), weights (3, 6, 6, 3, 1), against R's
    /// `Iso::ufit(v, imode = m, w = w)` (Iso 0.0-21, whose `unimode` is that of 0.0-18). For mode
    /// 3 the exact weighted fit pools 0.6, 0.3 and 0.5 to (3.6 + 1.8 + 1.5)/15 = 0.46; Iso's
    /// weights give 0.6·6 + 0.3·3 + 0.5·6 over 15 = 0.5.
    #[test]
    fn unimodal_fits() {
        let (v, w) = ([0.2, 0.6, 0.3, 0.5, 0.1], [3.0, 6.0, 6.0, 3.0, 1.0]);
        let (a, b) = (0.466666666667, 0.366666666667);
        let expected: [[f64; 5]; 5] = [
            [a, a, b, b, 0.1],
            [0.2, 0.6, b, b, 0.1],
            [0.2, 0.5, 0.5, 0.5, 0.1],
            [0.2, 0.45, 0.45, 0.5, 0.1],
            [0.2, 0.4375, 0.4375, 0.4375, 0.4375],
        ];
        for (mode, fit) in expected.iter().enumerate() {
            let got = unimodal(&v, &w, mode);
            assert!(
                got.iter().zip(fit).all(|(x, y)| (x - y).abs() < 1e-9),
                "mode {mode}: {got:?}"
            );
        }
    }

    /// The authors' smoothed rates against R (`pava` of the authors' code, `Iso::ufit` with
    /// `imode`, Iso 0.0-21) for
    /// `1NNN 1ENN 2EEN 2ENE 3BTE 3NTN 4TTN`: MTD dose 3, utilities 52.2, 74.7, 43.9: OBD dose 2,
    /// which the posterior mean (0.5, 0.725, 0.425) and escalation's desirability also choose.
    #[test]
    fn authors_rates_match_r() {
        let data = outcomes("1NNN 1ENN 2EEN 2ENE 3BTE 3NTN 4TTN", 4);
        let tox = [0.009196721311, 0.010196721311, 0.503, 0.665290322581];
        assert!(close(&smoothed_toxicity(&data), &tox), "{:?}", smoothed_toxicity(&data));
        let response = [0.209510717964, 0.585211794205, 0.400287714453, 0.075566661149];
        let got = smoothed_response(&data);
        assert!(got.iter().zip(response).all(|(x, y)| (x - y).abs() < 1e-9), "{got:?}");
        // The authors' `peestimate` itself, run with Iso 0.0-18.1 (the version whose `ufit`
        // reads its mode argument as an index), on r = (0, 3, 2, 1, 0) of n = (3, 9, 6, 3, 0).
        let data2 = outcomes("1NNN 2ENN 2ENN 2ENN 3EEN 3NNN 4ENN", 5);
        let expected = [
            0.048169119951,
            0.352868543651,
            0.365487738089,
            0.381331798505,
            0.428505941169,
        ];
        let got = smoothed_response(&data2);
        assert!(close(&got, &expected), "{got:?}");
        for selection in ObdSelection::ALL {
            let mut config = Boin12Config::new(0.35);
            config.selection = selection;
            let design = Boin12::new(config, 36);
            assert_eq!(design.fit(&data).selected_dose(), Some(Dose(1)), "{selection:?}");
        }
    }

    /// Where the rules part: dose 1 is futile (0/9 responses: P(π_E < 0.25) = 0.944 > 0.9) but
    /// desirable before admissibility (x = 3.6 of 9 against 0.4 of 3 at dose 2); every MTD is dose
    /// 2 (2/3 DLTs is nearer 0.35 than 0/9). The authors' rule and the posterior mean skip the
    /// futile dose; escalation's `select_boin12_obd` does not.
    #[test]
    fn rules_part_on_a_futile_dose() {
        let data = outcomes("1NNN 1NNN 1NNN 2TTN", 3);
        let pick = |selection| {
            let mut config = Boin12Config::new(0.35);
            config.selection = selection;
            Boin12::new(config, 36).fit(&data).selected_dose()
        };
        assert_eq!(pick(ObdSelection::Authors), Some(Dose(1)));
        assert_eq!(pick(ObdSelection::PosteriorMean), Some(Dose(1)));
        assert_eq!(pick(ObdSelection::Escalation), Some(Dose(0)));
    }
}
