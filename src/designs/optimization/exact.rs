//! The randomized stage's selection probabilities, exactly (no simulation error): given the arms
//! and the truth, each arm's n patients fall into the four cells DLT × response by a multinomial
//! law, enumerated cell count by cell count and merged into the classes its rule reads (the arm's
//! score and toxicity check: [`Randomization::summarize`]). The arms are independent, so
//! - for the utility rule, arm k is chosen with probability Σ_s P_k(s, eligible) · Π_{j<k}
//!   P_j(ineligible or score < s) · Π_{j>k} P_j(ineligible or score ≤ s) (ties go to the lower
//!   dose);
//! - for the non-inferiority rules, every combination of the arms' classes is decided by the
//!   rule itself ([`Randomization::choose`]), with P(q_low > q_best − δ) tabled for every pair of
//!   response counts.
//!
//! [`sample_size`] scans n per arm upwards for the smallest n whose probability of choosing the
//! truly best arm reaches the target.

use super::quadrature::not_worse_table;
use super::{true_utility, truly_best, ArmSummary, Randomization, SelectionRule};
use crate::core::stats::binomial_pmf;
use crate::core::{Dose, DoseTruth, EfficacyCounts};

/// The randomized stage's law of the final choice, given its arms.
#[derive(Clone, Debug, PartialEq)]
pub struct StageLaw {
    /// P(each arm is chosen), arms lowest first.
    pub selected: Vec<f64>,
    /// P(no arm passes the toxicity check).
    pub none: f64,
}

/// One arm's classes: (summary, randomized responses, probability).
type Classes = Vec<(ArmSummary, u32, f64)>;

/// The four cells' probabilities at a dose: (response only, both, DLT only, neither).
fn cells(t: &DoseTruth) -> [f64; 4] {
    let both = t.response_with_dlt;
    let clamp = |p: f64| p.clamp(0.0, 1.0);
    [
        clamp(t.response - both),
        clamp(both),
        clamp(t.dlt - both),
        clamp(1.0 - t.dlt - t.response + both),
    ]
}

/// P(X = k) for X ~ Binomial(n, part / whole), 0 < whole; a whole of 0 puts all mass on 0.
fn conditional_pmf(n: u32, part: f64, whole: f64) -> Vec<f64> {
    binomial_pmf(n, if whole > 0.0 { (part / whole).min(1.0) } else { 0.0 })
}

impl Randomization {
    /// One arm's classes after `n` randomized patients at a dose whose joint law is `truth`, on
    /// top of `base` (the escalation's counts when pooling, else zero).
    fn arm_classes(&self, truth: &DoseTruth, n: u32, base: &EfficacyCounts) -> Classes {
        let [pa, pb, pc, _] = cells(truth);
        let by_noninferiority = matches!(self.rule, SelectionRule::NonInferiority { .. });
        let eligible: Vec<bool> = (0..=n)
            .map(|y| self.eligible(base.patients + n, base.dlts + y))
            .collect();
        let mut classes: Vec<(ArmSummary, u32, f64)> = Vec::new();
        let mut index = rustc_hash::FxHashMap::default();
        let pmf_both = binomial_pmf(n, pb);
        for (b, &p_b) in pmf_both.iter().enumerate() {
            let rest_b = n - b as u32;
            let pmf_dlt_only = conditional_pmf(rest_b, pc, 1.0 - pb);
            for (c, &p_c) in pmf_dlt_only.iter().enumerate() {
                let rest = rest_b - c as u32;
                let pmf_response_only = conditional_pmf(rest, pa, 1.0 - pb - pc);
                for (a, &p_a) in pmf_response_only.iter().enumerate() {
                    let p = p_b * p_c * p_a;
                    if p == 0.0 {
                        continue;
                    }
                    let (a, b, c) = (a as u32, b as u32, c as u32);
                    let counts = EfficacyCounts {
                        patients: base.patients + n,
                        dlts: base.dlts + b + c,
                        responses: base.responses + a + b,
                        responses_with_dlt: base.responses_with_dlt + b,
                    };
                    let summary = ArmSummary {
                        eligible: eligible[(b + c) as usize],
                        score: self.score(&counts),
                    };
                    let responses = if by_noninferiority { a + b } else { 0 };
                    let key = (summary.score.to_bits(), summary.eligible, responses);
                    let at = *index.entry(key).or_insert_with(|| {
                        classes.push((summary, responses, 0.0));
                        classes.len() - 1
                    });
                    classes[at].2 += p;
                }
            }
        }
        classes
    }

    /// The exact law of the final choice among `arms` (lowest first) with `n` randomized patients
    /// each, under `truth` (per dose), each arm's escalation counts `base` pooled in (zeros when
    /// not pooling).
    pub fn stage_law(&self, arms: &[Dose], truth: &[DoseTruth], n: u32, base: &[EfficacyCounts]) -> StageLaw {
        let classes: Vec<Classes> = (arms.iter().zip(base))
            .map(|(d, b)| self.arm_classes(&truth[d.index()], n, b))
            .collect();
        let none: f64 = classes
            .iter()
            .map(|c| c.iter().filter(|(s, _, _)| !s.eligible).map(|(_, _, p)| p).sum::<f64>())
            .product();
        let selected = match self.rule {
            SelectionRule::Utility => utility_law(&classes),
            SelectionRule::NonInferiority { margin, .. } => self.noninferiority_law(&classes, n, base, margin),
        };
        StageLaw { selected, none }
    }

    /// Every combination of the arms' classes, decided by [`Randomization::choose`].
    fn noninferiority_law(&self, classes: &[Classes], n: u32, base: &[EfficacyCounts], margin: f64) -> Vec<f64> {
        let k = classes.len();
        // tables[i][j]: P(q_i > q_j − δ) by randomized responses, for arms i < j.
        let tables: Vec<Vec<Vec<Vec<f64>>>> = (0..k)
            .map(|i| {
                (0..k)
                    .map(|j| match i < j && self.needs_posterior() {
                        true => not_worse_table(
                            (n, base[i].patients, base[i].responses),
                            (n, base[j].patients, base[j].responses),
                            margin,
                        ),
                        false => Vec::new(),
                    })
                    .collect()
            })
            .collect();
        let mut selected = vec![0.0; k];
        let mut pick = vec![0usize; k];
        loop {
            let summaries: Vec<ArmSummary> = (0..k).map(|i| classes[i][pick[i]].0).collect();
            let p: f64 = (0..k).map(|i| classes[i][pick[i]].2).product();
            let responses = |i: usize| classes[i][pick[i]].1 as usize;
            if let Some(chosen) = self.choose(&summaries, |i, j| tables[i][j][responses(i)][responses(j)]) {
                selected[chosen] += p;
            }
            // The next combination, the last arm fastest.
            let mut i = k;
            loop {
                if i == 0 {
                    return selected;
                }
                i -= 1;
                pick[i] += 1;
                if pick[i] < classes[i].len() {
                    break;
                }
                pick[i] = 0;
            }
        }
    }

    /// Whether the rule needs P(q_low > q_best − δ).
    fn needs_posterior(&self) -> bool {
        matches!(
            self.rule,
            SelectionRule::NonInferiority {
                test: super::NonInferiorityTest::Posterior { .. },
                ..
            }
        )
    }

    /// P(the truly best of `arms` is chosen) with `n` per arm and the randomized data alone.
    pub fn correct_selection(&self, arms: &[Dose], truth: &[DoseTruth], n: u32) -> f64 {
        let utilities: Vec<f64> = truth.iter().map(|t| true_utility(&self.utility, t)).collect();
        let best = truly_best(&utilities, arms).expect("arms");
        let law = self.stage_law(arms, truth, n, &vec![EfficacyCounts::default(); arms.len()]);
        let at = arms.iter().position(|&d| d == best).expect("the best is an arm");
        law.selected[at]
    }
}

/// Arm k is chosen when it passes and every lower arm that passes scores less, every higher one
/// at most as much.
fn utility_law(classes: &[Classes]) -> Vec<f64> {
    // Each arm's passing classes sorted by score, with cumulative probabilities.
    let sorted: Vec<(Vec<(f64, f64)>, f64)> = classes
        .iter()
        .map(|c| {
            let mut passing: Vec<(f64, f64)> = c.iter().filter(|x| x.0.eligible).map(|x| (x.0.score, x.2)).collect();
            passing.sort_by(|a, b| a.0.total_cmp(&b.0));
            let failing: f64 = c.iter().filter(|x| !x.0.eligible).map(|x| x.2).sum();
            let mut total = 0.0;
            for x in &mut passing {
                total += x.1;
                x.1 = total;
            }
            (passing, failing)
        })
        .collect();
    // P(arm j fails, or passes with a score below s (or at most s when `ties`)).
    let beaten = |j: usize, s: f64, ties: bool| {
        let (passing, failing) = &sorted[j];
        let count = passing.partition_point(|x| if ties { x.0 <= s } else { x.0 < s });
        failing + if count > 0 { passing[count - 1].1 } else { 0.0 }
    };
    (0..classes.len())
        .map(|k| {
            classes[k]
                .iter()
                .filter(|x| x.0.eligible)
                .map(|x| {
                    let others: f64 = (0..classes.len())
                        .filter(|&j| j != k)
                        .map(|j| beaten(j, x.0.score, j > k))
                        .product();
                    x.2 * others
                })
                .sum()
        })
        .collect()
}

/// The smallest n per arm in 1 … `max_n_per_arm` whose probability of choosing the truly best of
/// `arms` under `truth` reaches `target_selection` (randomized data alone), with that probability;
/// `None` when none does.
pub fn sample_size(r: &Randomization, arms: &[Dose], truth: &[DoseTruth]) -> Option<(u32, f64)> {
    (1..=r.max_n_per_arm)
        .map(|n| (n, r.correct_selection(arms, truth, n)))
        .find(|&(_, p)| p >= r.target_selection)
}
