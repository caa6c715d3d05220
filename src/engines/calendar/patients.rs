//! The patients one calendar-time trial has treated, with what happened to each.

use super::trial::Arm;
use crate::core::PatientRecord;
use crate::core::{EfficacyCounts, Regimen};
use crate::designs::{Dose, TrialData};

/// Why a patient was treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    Escalation,
    Backfill,
    Expansion,
}

/// What happened to a patient beyond [`PatientRecord`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Outcome {
    pub(super) stage: Stage,
    pub(super) regimen: Regimen,
    /// A CRS-type DLT.
    pub(super) crs: bool,
    pub(super) teae: bool,
    pub(super) response: bool,
}

/// The treated patients of one trial, in order of entry.
#[derive(Default)]
pub(super) struct Patients {
    pub(super) records: Vec<PatientRecord>,
    pub(super) outcomes: Vec<Outcome>,
    /// Each CRS-type DLT as (when it occurs, dose), in order of entry: what step-up looks at,
    /// without a pass over every patient.
    crs: Vec<(f64, Dose)>,
    /// Scratch space for the RP2D choice.
    efficacy: Vec<EfficacyCounts>,
}

impl Patients {
    pub(super) fn clear(&mut self) {
        self.records.clear();
        self.outcomes.clear();
        self.crs.clear();
    }

    /// Adds a treated patient.
    pub(super) fn push(&mut self, record: PatientRecord, outcome: Outcome) {
        if let (true, Some(at)) = (outcome.crs, record.dlt_at) {
            self.crs.push((at, record.dose));
        }
        self.records.push(record);
        self.outcomes.push(outcome);
    }

    pub(super) fn len(&self) -> u32 {
        self.records.len() as u32
    }

    /// The lowest level with a CRS-type DLT observed by time `t`.
    pub(super) fn lowest_crs(&self, t: f64) -> Option<Dose> {
        self.crs.iter().filter(|&&(at, _)| at <= t).map(|&(_, dose)| dose).min()
    }

    /// When the last DLT window closes (0 with no patients).
    pub(super) fn last_close(&self, window: f64) -> f64 {
        self.records.iter().map(|r| r.entry + window).fold(0.0, f64::max)
    }

    /// The escalation's data plus every backfill patient whose outcome is known at time `t`: a
    /// DLT observed or the window closed; with efficacy (data that observe responses) the window
    /// closed, when the response is assessed.
    pub(super) fn decision_data(&self, escalation: &TrialData, t: f64, window: f64, out: &mut TrialData) {
        out.clone_from(escalation);
        let efficacy = out.has_efficacy();
        for (r, o) in self.records.iter().zip(&self.outcomes) {
            if o.stage != Stage::Backfill {
                continue;
            }
            if efficacy {
                if t >= r.entry + window {
                    out.add_patients_outcomes(r.dose, joint_outcome(r, o));
                }
            } else if r.complete(t, window) {
                out.add_patients(r.dose, 1, u16::from(r.dlt_observed(t)));
            }
        }
    }

    /// Every patient whose DLT window has closed by time `t` (both outcomes known), each as a
    /// cohort of one in order of entry, into `out` (data that observe responses).
    pub(super) fn closed_outcomes(&self, t: f64, window: f64, out: &mut TrialData) {
        out.clear();
        for (r, o) in self.records.iter().zip(&self.outcomes) {
            if t >= r.entry + window {
                out.add_cohort_outcomes(r.dose, joint_outcome(r, o));
            }
        }
    }

    /// The joint outcomes of the patients `range` (in order of entry), at the end of their windows.
    pub(super) fn cohort_outcomes(&self, range: std::ops::Range<usize>) -> EfficacyCounts {
        let mut counts = EfficacyCounts::default();
        for (r, o) in self.records[range.clone()].iter().zip(&self.outcomes[range]) {
            add_outcome(&mut counts, joint_outcome(r, o));
        }
        counts
    }

    /// Whether an escalation patient at `dose` has responded by time `t`: the response is assessed
    /// when the DLT window closes, and counts strictly after (bfboin's `first.response < clock`).
    pub(super) fn responded(&self, dose: Dose, t: f64, window: f64) -> bool {
        (self.records.iter().zip(&self.outcomes))
            .any(|(r, o)| o.stage == Stage::Escalation && o.response && r.dose == dose && r.entry + window < t)
    }

    /// The trial's data from every patient's final outcome (with responses where `out` observes
    /// them), each a cohort of one in order of entry (keeps the allocation).
    pub(super) fn final_data(&self, out: &mut TrialData) {
        out.clear();
        for (r, o) in self.records.iter().zip(&self.outcomes) {
            let outcome = crate::core::Outcome {
                dlt: r.dlt_at.is_some(),
                response: Some(o.response),
            };
            out.add_patient(r.dose, outcome);
        }
    }

    /// The RP2D from every patient's final outcome: a phase I/II design's selection (its OBD)
    /// as it is; otherwise the `[rp2d]` utility's choice (the MTD when the truth has no
    /// response).
    pub(super) fn rp2d(&mut self, mtd: Option<Dose>, arm: &Arm) -> Option<Dose> {
        if arm.truth.efficacy.is_none() || arm.selects_obd {
            return mtd;
        }
        self.efficacy.clear();
        self.efficacy.resize(arm.truth.dlt[0].len(), EfficacyCounts::default());
        for (r, o) in self.records.iter().zip(&self.outcomes) {
            add_outcome(&mut self.efficacy[r.dose.index()], joint_outcome(r, o));
        }
        arm.utility.select_rp2d(&self.efficacy, mtd)
    }
}

/// One patient's final joint outcome, as counts of one patient.
fn joint_outcome(r: &PatientRecord, o: &Outcome) -> EfficacyCounts {
    let dlt = u32::from(r.dlt_at.is_some());
    let response = u32::from(o.response);
    EfficacyCounts {
        patients: 1,
        dlts: dlt,
        responses: response,
        responses_with_dlt: dlt * response,
    }
}

/// Adds `one`'s counts to `counts`.
fn add_outcome(counts: &mut EfficacyCounts, one: EfficacyCounts) {
    counts.patients += one.patients;
    counts.dlts += one.dlts;
    counts.responses += one.responses;
    counts.responses_with_dlt += one.responses_with_dlt;
}
