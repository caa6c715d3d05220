//! Time-to-event dose finding: decisions in calendar time from patients whose DLT window may still
//! be open. TITE-CRM (Cheung & Chappell 2000, Biometrics 56:1177–1182) weights each pending
//! patient by their follow-up; TITE-BOIN (Lin & Yuan 2020, Biostatistics 21:807–824, the
//! effective-sample-size version) counts pending patients by their standardised follow-up.
//!
//! Both are [`Design`](super::Design)s like any other, built on a complete-data design (CRM,
//! BOIN): on data that carry follow-up ([`TrialData::follow_up`]) their decision is the
//! time-to-event one (which may be [`Decision::Wait`]), while the selected dose, admissibility and
//! estimates (what rules judge) come from the complete-data fit of the complete patients;
//! without follow-up they decide exactly as their complete-data design.

pub mod boin;
pub mod crm;

pub use crate::core::{FollowUp, PatientRecord};
pub use boin::{TiteBoin, TiteBoinConfig};
pub use crm::{weighted_outcomes, TiteCrm, TiteCrmConfig, TiteWeights};

use super::{Decision, Dose, Fit, TrialData};

/// A time-to-event design fitted to the data: its decision, and the complete-data design's fit
/// for everything else.
pub struct TiteFit<F> {
    base: F,
    decision: Decision,
}

impl<F: Fit> TiteFit<F> {
    /// `base` fitted to `data`'s complete patients; the decision is `tite`'s when the data carry
    /// follow-up, the base design's otherwise.
    fn new(base: F, data: &TrialData, tite: impl FnOnce(&F, &FollowUp) -> Decision) -> TiteFit<F> {
        let decision = match data.follow_up() {
            Some(follow_up) if !follow_up.records.is_empty() => tite(&base, follow_up),
            _ => base.decision(),
        };
        TiteFit { base, decision }
    }
}

impl<F: Fit> Fit for TiteFit<F> {
    fn decision(&self) -> Decision {
        self.decision
    }

    fn selected_dose(&self) -> Option<Dose> {
        self.base.selected_dose()
    }

    fn admissible(&self, dose: Dose) -> bool {
        self.base.admissible(dose)
    }

    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        self.base.prob_tox(dose)
    }

    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        self.base.prob_tox_exceeds(dose, threshold)
    }

    fn calls_for_deescalation(&self, dose: Dose) -> bool {
        self.base.calls_for_deescalation(dose)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A patient at `dose` (index) entering at `entry`, with a DLT at `dlt_at`.
    pub(crate) fn patient(dose: u16, entry: f64, dlt_at: Option<f64>) -> PatientRecord {
        PatientRecord {
            dose: Dose(dose),
            entry,
            dlt_at,
        }
    }

    /// `patients` at time `now` with a one-month window, as data over `num_doses` doses.
    pub(crate) fn data_at(patients: &[PatientRecord], now: f64, num_doses: usize) -> TrialData {
        let mut data = TrialData::new(num_doses);
        data.set_follow_up(patients, now, 1.0);
        data
    }
}
