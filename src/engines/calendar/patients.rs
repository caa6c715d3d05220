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

/// The treated patients of one trial, in order of entry, with their final outcomes tallied per
/// dose as they are treated (what the trial's counts, its final data and the RP2D read, without
/// a pass over every patient).
#[derive(Default)]
pub(super) struct Patients {
    pub(super) records: Vec<PatientRecord>,
    pub(super) outcomes: Vec<Outcome>,
    /// Each CRS-type DLT as (when it occurs, dose), in order of entry: what step-up looks at,
    /// without a pass over every patient.
    crs: Vec<(f64, Dose)>,
    /// The backfill patients' indices, in order of entry (what decisions add to the escalation's
    /// data).
    backfill: Vec<u32>,
    /// The latest entry (0 with no patients).
    last_entry: f64,
    /// Every patient's final joint outcome, per dose (the RP2D's counts).
    joint: Vec<EfficacyCounts>,
    /// Per dose, in the order of [`Tally`]: the protocol's counts of patients and their events.
    tally: Vec<[u32; TALLIES]>,
}

/// What [`Patients`] tallies per dose beyond the joint outcome: patients given step-up dosing,
/// their DLTs, CRS-type DLTs, backfill patients, expansion patients, responders and patients with
/// a TEAE, at these indices.
#[derive(Clone, Copy, Debug)]
pub(super) enum Tally {
    StepUpPatients,
    StepUpDlts,
    CrsDlts,
    Backfill,
    Expansion,
    Responses,
    Teae,
}

/// The number of [`Tally`] counts.
pub(super) const TALLIES: usize = 7;

impl Patients {
    pub(super) fn clear(&mut self) {
        self.records.clear();
        self.outcomes.clear();
        self.crs.clear();
        self.backfill.clear();
        self.last_entry = 0.0;
        self.joint.fill(EfficacyCounts::default());
        self.tally.fill([0; TALLIES]);
    }

    /// Adds a treated patient.
    pub(super) fn push(&mut self, record: PatientRecord, outcome: Outcome) {
        if let (true, Some(at)) = (outcome.crs, record.dlt_at) {
            self.crs.push((at, record.dose));
        }
        if outcome.stage == Stage::Backfill {
            self.backfill.push(self.records.len() as u32);
        }
        self.last_entry = self.last_entry.max(record.entry);
        let d = record.dose.index();
        if d >= self.joint.len() {
            self.joint.resize(d + 1, EfficacyCounts::default());
            self.tally.resize(d + 1, [0; TALLIES]);
        }
        add_outcome(&mut self.joint[d], joint_outcome(&record, &outcome));
        let tally = &mut self.tally[d];
        if outcome.regimen == Regimen::StepUp {
            tally[Tally::StepUpPatients as usize] += 1;
            tally[Tally::StepUpDlts as usize] += u32::from(record.dlt_at.is_some());
        }
        tally[Tally::CrsDlts as usize] += u32::from(outcome.crs);
        match outcome.stage {
            Stage::Backfill => tally[Tally::Backfill as usize] += 1,
            Stage::Expansion => tally[Tally::Expansion as usize] += 1,
            Stage::Escalation => {}
        }
        tally[Tally::Responses as usize] += u32::from(outcome.response);
        tally[Tally::Teae as usize] += u32::from(outcome.teae);
        self.records.push(record);
        self.outcomes.push(outcome);
    }

    pub(super) fn len(&self) -> u32 {
        self.records.len() as u32
    }

    /// Patients treated at `dose` so far.
    pub(super) fn at(&self, dose: Dose) -> u32 {
        self.joint.get(dose.index()).map_or(0, |j| j.patients)
    }

    /// The joint outcomes (patients, DLTs, responses, responses with a DLT) and the [`Tally`]
    /// counts at `dose`, over every patient treated so far.
    pub(super) fn tallied(&self, dose: Dose) -> (EfficacyCounts, [u32; TALLIES]) {
        let d = dose.index();
        match self.joint.get(d) {
            Some(&joint) => (joint, self.tally[d]),
            None => (EfficacyCounts::default(), [0; TALLIES]),
        }
    }

    /// The lowest level with a CRS-type DLT observed by time `t`.
    pub(super) fn lowest_crs(&self, t: f64) -> Option<Dose> {
        self.crs.iter().filter(|&&(at, _)| at <= t).map(|&(_, dose)| dose).min()
    }

    /// When the last DLT window closes (0 with no patients).
    pub(super) fn last_close(&self, window: f64) -> f64 {
        // Rounding is monotone: the latest entry's window closes last.
        match self.records.is_empty() {
            true => 0.0,
            false => self.last_entry + window,
        }
    }

    /// The escalation's data plus every backfill patient whose outcome is known at time `t`: a
    /// DLT observed or the window closed; with efficacy (data that observe responses) the window
    /// closed, when the response is assessed.
    pub(super) fn decision_data(&self, escalation: &TrialData, t: f64, window: f64, out: &mut TrialData) {
        debug_assert!(escalation.follow_up().is_none() && out.follow_up().is_none());
        // The escalation's counts, copied into `out`'s allocation.
        out.set_state(escalation.state());
        let efficacy = out.has_efficacy();
        for &i in &self.backfill {
            let (r, o) = (&self.records[i as usize], &self.outcomes[i as usize]);
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
    /// them), each a cohort of one in order of entry (keeps the allocation): the per-dose tallies,
    /// and the last patient as the latest cohort.
    pub(super) fn final_data(&self, out: &mut TrialData) {
        out.clear();
        let (Some(last), Some(last_outcome)) = (self.records.last(), self.outcomes.last()) else {
            return;
        };
        let efficacy = out.has_efficacy();
        for (d, joint) in self.joint.iter().enumerate() {
            let mut joint = *joint;
            if d == last.dose.index() {
                let one = joint_outcome(last, last_outcome);
                joint.patients -= one.patients;
                joint.dlts -= one.dlts;
                joint.responses -= one.responses;
                joint.responses_with_dlt -= one.responses_with_dlt;
            }
            if joint.patients == 0 {
                continue;
            }
            let dose = Dose(d as u16);
            match efficacy {
                true => out.add_patients_outcomes(dose, joint),
                false => out.add_patients(dose, joint.patients as u16, joint.dlts as u16),
            }
        }
        let outcome = crate::core::Outcome {
            dlt: last.dlt_at.is_some(),
            response: Some(last_outcome.response),
        };
        out.add_patient(last.dose, outcome);
    }

    /// The RP2D from every patient's final outcome: a phase I/II design's selection (its OBD)
    /// as it is; otherwise the `[rp2d]` utility's choice (the MTD when the truth has no
    /// response).
    pub(super) fn rp2d(&mut self, mtd: Option<Dose>, arm: &Arm) -> Option<Dose> {
        if arm.truth.efficacy.is_none() || arm.selects_obd {
            return mtd;
        }
        let num_doses = arm.truth.dlt[0].len();
        if self.joint.len() < num_doses {
            self.joint.resize(num_doses, EfficacyCounts::default());
            self.tally.resize(num_doses, [0; TALLIES]);
        }
        arm.utility.select_rp2d(&self.joint[..num_doses], mtd)
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
