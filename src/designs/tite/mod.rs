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

use super::titration::OverriddenFit;
use super::{Decision, Fit, TrialData};

/// `base` fitted to `data`'s complete patients, with `tite`'s decision when the data carry
/// follow-up and the base design's otherwise.
fn tite_fit<F: Fit>(base: F, data: &TrialData, tite: impl FnOnce(&F, &FollowUp) -> Decision) -> OverriddenFit<F> {
    let decision = match data.follow_up() {
        Some(follow_up) if !follow_up.records.is_empty() => Some(tite(&base, follow_up)),
        _ => None,
    };
    OverriddenFit::new(base, decision)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::designs::Dose;

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
