//! What a cohort's outcome is to the dose-finding engine: its DLTs ([`Toxicity`]), or for a design
//! that decides on responses too, its joint outcome — DLTs, responses and responses with a DLT,
//! the counts of the multinomial over the four cells DLT × response ([`Joint`]). The decision
//! graph ([`DecisionGraph`](super::cache::DecisionGraph)) indexes a state's children by it.

use super::rng::{JointThreshold, PatientStream};
use crate::core::EfficacyCounts;
use crate::designs::{Dose, TrialData};

/// A kind of cohort outcome: how it is drawn from a trial's patients, how many there are for a
/// cohort of `size` (the children of a state) and which child one is, and how it enters the data.
pub trait CohortOutcomes {
    /// One truth's thresholds at one dose.
    type Threshold: Copy + Sync;
    /// A cohort's outcome.
    type Outcome: Copy;

    /// Empty data observing these outcomes, for `num_doses` doses.
    fn data(num_doses: usize) -> TrialData;
    /// The number of outcomes of a cohort of `size`.
    fn slots(size: u16) -> usize;
    /// The outcome of patients `first` … `first + size − 1` at a dose with `threshold`.
    fn draw(patients: &PatientStream, first: usize, size: u16, threshold: Self::Threshold) -> Self::Outcome;
    /// The outcome's index among the [`CohortOutcomes::slots`] of a cohort of `size`.
    fn slot(size: u16, outcome: Self::Outcome) -> usize;
    /// Records a cohort of `size` at `dose` with `outcome`.
    fn record(data: &mut TrialData, dose: Dose, size: u16, outcome: Self::Outcome);
}

/// DLTs only: a cohort's outcome is its number of DLTs.
pub struct Toxicity;

impl CohortOutcomes for Toxicity {
    type Threshold = u64;
    type Outcome = u16;

    fn data(num_doses: usize) -> TrialData {
        TrialData::new(num_doses)
    }
    #[inline(always)]
    fn slots(size: u16) -> usize {
        usize::from(size) + 1
    }
    #[inline(always)]
    fn draw(patients: &PatientStream, first: usize, size: u16, threshold: u64) -> u16 {
        patients.dlts(first, usize::from(size), threshold)
    }
    #[inline(always)]
    fn slot(_size: u16, dlts: u16) -> usize {
        usize::from(dlts)
    }
    fn record(data: &mut TrialData, dose: Dose, size: u16, dlts: u16) {
        data.add_cohort(dose, size, dlts);
    }
}

/// DLTs and responses: a cohort's joint outcome.
pub struct Joint;

impl CohortOutcomes for Joint {
    type Threshold = JointThreshold;
    type Outcome = EfficacyCounts;

    fn data(num_doses: usize) -> TrialData {
        TrialData::with_efficacy(num_doses)
    }
    #[inline(always)]
    fn slots(size: u16) -> usize {
        joint_outcomes(size)
    }
    #[inline(always)]
    fn draw(patients: &PatientStream, first: usize, size: u16, threshold: JointThreshold) -> EfficacyCounts {
        patients.joint(first, usize::from(size), threshold)
    }
    #[inline(always)]
    fn slot(size: u16, outcome: EfficacyCounts) -> usize {
        joint_outcome_index(size, &outcome)
    }
    fn record(data: &mut TrialData, dose: Dose, _size: u16, outcome: EfficacyCounts) {
        data.add_cohort_outcomes(dose, outcome);
    }
}

/// Σ_{k=0}^{m} (k + 1)(k + 2)/2 = (m + 1)(m + 2)(m + 3)/6: the outcomes of a cohort of m over
/// four cells, C(m + 3, 3).
fn tetrahedral(m: usize) -> usize {
    (m + 1) * (m + 2) * (m + 3) / 6
}

/// The number of joint outcomes of a cohort of `size`: C(size + 3, 3) (20 for a cohort of 3).
pub fn joint_outcomes(size: u16) -> usize {
    tetrahedral(usize::from(size))
}

/// The joint outcome's rank among those of a cohort of `size`, in lexicographic order of (both,
/// DLT only, response only) = (b, y − b, r − b), whose sum is at most `size`.
pub fn joint_outcome_index(size: u16, outcome: &EfficacyCounts) -> usize {
    let n = usize::from(size);
    let both = outcome.responses_with_dlt as usize;
    let dlt_only = outcome.dlts as usize - both;
    let response_only = outcome.responses as usize - both;
    debug_assert!(both + dlt_only + response_only <= n);
    // Outcomes with fewer "both": those with b' < b leave n − b' for the other two cells.
    let before_both = tetrahedral(n) - tetrahedral(n - both);
    // Then, with b fixed (m = n − b left), those with fewer DLT-only: m − j + 1 each for j < y − b.
    let m = n - both;
    let before_dlt_only = dlt_only * (m + 1) - dlt_only * dlt_only.saturating_sub(1) / 2;
    before_both + before_dlt_only + response_only
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranks of a cohort's outcomes are 0 … C(n + 3, 3) − 1, each once, in enumeration order.
    #[test]
    fn joint_ranks_are_dense_and_ordered() {
        for size in 0..=7u16 {
            let n = u32::from(size);
            let mut expected = 0;
            for b in 0..=n {
                for t in 0..=n - b {
                    for e in 0..=n - b - t {
                        let outcome = EfficacyCounts {
                            patients: n,
                            dlts: b + t,
                            responses: b + e,
                            responses_with_dlt: b,
                        };
                        assert_eq!(joint_outcome_index(size, &outcome), expected, "{size}: {b} {t} {e}");
                        expected += 1;
                    }
                }
            }
            assert_eq!(expected, joint_outcomes(size));
        }
        assert_eq!(joint_outcomes(3), 20);
    }
}
