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

    /// The escalation's data plus every backfill patient whose outcome is known at time `t`.
    pub(super) fn decision_data(&self, escalation: &TrialData, t: f64, window: f64, out: &mut TrialData) {
        out.clone_from(escalation);
        for (r, o) in self.records.iter().zip(&self.outcomes) {
            if o.stage == Stage::Backfill && r.complete(t, window) {
                out.add_patients(r.dose, 1, u16::from(r.dlt_observed(t)));
            }
        }
    }

    /// The RP2D from every patient's final outcome (the MTD when the truth has no response).
    pub(super) fn rp2d(&mut self, mtd: Option<Dose>, arm: &Arm) -> Option<Dose> {
        if arm.truth.efficacy.is_none() {
            return mtd;
        }
        self.efficacy.clear();
        self.efficacy.resize(arm.truth.dlt[0].len(), EfficacyCounts::default());
        for (r, o) in self.records.iter().zip(&self.outcomes) {
            let c = &mut self.efficacy[r.dose.index()];
            let dlt = r.dlt_at.is_some();
            c.patients += 1;
            c.dlts += u32::from(dlt);
            c.responses += u32::from(o.response);
            c.responses_with_dlt += u32::from(o.response && dlt);
        }
        arm.utility.select_rp2d(&self.efficacy, mtd)
    }
}
