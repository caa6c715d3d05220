//! Patient outcomes and the trial data designs decide from, as sufficient statistics.

use super::{Dose, DoseSpace, EfficacyCounts, FollowUp, PatientRecord};

/// One patient's outcome: a dose-limiting toxicity (DLT) or not and, where the scenario has an
/// efficacy endpoint, a response or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Whether the patient had a DLT.
    pub dlt: bool,
    /// Whether the patient responded; `None` when efficacy is not observed.
    pub response: Option<bool>,
}

/// What is known at one dose: patients treated, DLTs and, with efficacy, responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DoseSummary {
    /// Patients treated at the dose.
    pub patients: u32,
    /// DLTs among them.
    pub dlts: u32,
    /// Responses among them, where efficacy is observed.
    pub responses: Option<u32>,
}

/// One cohort's outcome: its dose, size and number of dose-limiting toxicities (DLTs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cohort {
    /// The dose the cohort was given.
    pub dose: Dose,
    /// Patients in the cohort.
    pub patients: u16,
    /// DLTs among them.
    pub dlts: u16,
}

/// The outcomes of a trial so far, as sufficient statistics.
///
/// Every design here decides from the patients and DLTs (and, with efficacy, responses) per dose
/// plus the latest cohort, so the state is kept as one flat `u16` slice,
/// `[n_1, y_1, …, n_K, y_K, last dose, last n, last y]` (with efficacy `[n_1, y_1, r_1, b_1, …,
/// last dose, last n, last y, last r, last b]`, r counting responses and b responses with a DLT,
/// so that the four joint outcomes of phase I/II designs are known), which also serves as the key
/// under which engines cache decisions (see [`TrialData::state`]).
///
/// In calendar time the data may also carry every patient's follow-up ([`TrialData::follow_up`]):
/// the counts are then those of complete patients, and time-to-event designs also weigh the
/// pending ones.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialData {
    state: Vec<u16>,
    follow_up: Option<FollowUp>,
    num_doses: usize,
    /// Entries per dose in `state`: 2 (patients, DLTs) or 4 (and responses, responses with a DLT).
    stride: usize,
    total_patients: u32,
    total_dlts: u32,
}

impl TrialData {
    /// Empty toxicity-only data for a trial with `num_doses` dose levels.
    pub fn new(num_doses: usize) -> TrialData {
        TrialData::with_stride(num_doses, 2)
    }

    /// Empty data for a trial that also observes a response per patient.
    pub fn with_efficacy(num_doses: usize) -> TrialData {
        TrialData::with_stride(num_doses, 4)
    }

    fn with_stride(num_doses: usize, stride: usize) -> TrialData {
        TrialData {
            state: vec![0; stride * (num_doses + 1) + 1],
            follow_up: None,
            num_doses,
            stride,
            total_patients: 0,
            total_dlts: 0,
        }
    }

    /// Data with a given [`TrialData::state`] (as produced by another toxicity-only `TrialData`
    /// with the same number of doses).
    pub fn from_state(num_doses: usize, state: &[u16]) -> TrialData {
        let mut data = TrialData::new(num_doses);
        data.set_state(state);
        data
    }

    /// Replaces the outcomes by a given [`TrialData::state`] of a trial with as many doses and the
    /// same endpoints (keeps the allocation).
    pub fn set_state(&mut self, state: &[u16]) {
        assert_eq!(state.len(), self.state.len(), "state of another dose count");
        self.state.copy_from_slice(state);
        let (mut total_patients, mut total_dlts) = (0, 0);
        for d in 0..self.num_doses {
            total_patients += u32::from(state[self.stride * d]);
            total_dlts += u32::from(state[self.stride * d + 1]);
        }
        self.total_patients = total_patients;
        self.total_dlts = total_dlts;
    }

    /// Replaces the data by `records` as known at time `now` with DLT window `window`: the
    /// follow-up is kept (in a buffer reused from call to call) and the counts become those of
    /// complete patients, each a cohort of one in order of entry.
    pub fn set_follow_up(&mut self, records: &[PatientRecord], now: f64, window: f64) {
        let mut follow_up = self.follow_up.take().unwrap_or_default();
        follow_up.records.clear();
        follow_up.records.extend_from_slice(records);
        (follow_up.now, follow_up.window) = (now, window);
        follow_up.complete_counts(self);
        self.follow_up = Some(follow_up);
    }

    /// Every patient's follow-up, in calendar time (`None`: the counts are all there is).
    pub fn follow_up(&self) -> Option<&FollowUp> {
        self.follow_up.as_ref()
    }

    /// Forget every outcome (keeps the allocation).
    pub fn clear(&mut self) {
        self.state.fill(0);
        self.total_patients = 0;
        self.total_dlts = 0;
    }

    /// Records a cohort of `patients` at `dose` with `dlts` DLTs.
    pub fn add_cohort(&mut self, dose: Dose, patients: u16, dlts: u16) {
        self.add_patients(dose, patients, dlts);
        let k = self.stride * self.num_doses;
        self.state[k] = dose.0;
        self.state[k + 1] = patients;
        self.state[k + 2] = dlts;
        if self.has_efficacy() {
            self.state[k + 3..k + 5].fill(0);
        }
    }

    /// Records a cohort at `dose` with its joint outcomes (patients, DLTs, responses and responses
    /// with a DLT) in data that observe efficacy.
    pub fn add_cohort_outcomes(&mut self, dose: Dose, outcomes: EfficacyCounts) {
        assert!(self.has_efficacy(), "responses recorded in toxicity-only data");
        debug_assert!(outcomes.responses_with_dlt <= outcomes.responses.min(outcomes.dlts));
        let [n, y, r, b] = [
            outcomes.patients,
            outcomes.dlts,
            outcomes.responses,
            outcomes.responses_with_dlt,
        ]
        .map(|x| u16::try_from(x).expect("cohort counts fit in 16 bits"));
        self.add_cohort(dose, n, y);
        let i = self.stride * dose.index();
        self.state[i + 2] += r;
        self.state[i + 3] += b;
        let k = self.stride * self.num_doses;
        self.state[k + 3] = r;
        self.state[k + 4] = b;
    }

    /// Records `patients` more at `dose` with `dlts` DLTs without making them the latest cohort
    /// (patients outside the escalation, e.g. backfill, whose outcomes count in decisions).
    pub fn add_patients(&mut self, dose: Dose, patients: u16, dlts: u16) {
        debug_assert!(dlts <= patients && dose.index() < self.num_doses);
        let i = self.stride * dose.index();
        self.state[i] += patients;
        self.state[i + 1] += dlts;
        self.total_patients += u32::from(patients);
        self.total_dlts += u32::from(dlts);
    }

    /// Records patients more at `dose` with their joint outcomes, in data that observe efficacy,
    /// without making them the latest cohort (backfill patients of a phase I/II design).
    pub fn add_patients_outcomes(&mut self, dose: Dose, outcomes: EfficacyCounts) {
        assert!(self.has_efficacy(), "responses recorded in toxicity-only data");
        let [n, y, r, b] = [
            outcomes.patients,
            outcomes.dlts,
            outcomes.responses,
            outcomes.responses_with_dlt,
        ]
        .map(|x| u16::try_from(x).expect("counts fit in 16 bits"));
        self.add_patients(dose, n, y);
        let i = self.stride * dose.index();
        self.state[i + 2] += r;
        self.state[i + 3] += b;
    }

    /// Records one patient's outcome at `dose` as a cohort of one (its response is counted where
    /// the data observe efficacy).
    pub fn add_patient(&mut self, dose: Dose, outcome: Outcome) {
        match outcome.response {
            Some(response) if self.has_efficacy() => {
                let (y, r) = (u32::from(outcome.dlt), u32::from(response));
                let outcomes = EfficacyCounts {
                    patients: 1,
                    dlts: y,
                    responses: r,
                    responses_with_dlt: y * r,
                };
                self.add_cohort_outcomes(dose, outcomes);
            }
            _ => self.add_cohort(dose, 1, u16::from(outcome.dlt)),
        }
    }

    /// Number of dose levels.
    pub fn num_doses(&self) -> usize {
        self.num_doses
    }
    /// The dose space the trial moves in.
    pub fn space(&self) -> DoseSpace {
        DoseSpace::line(self.num_doses)
    }
    /// Whether responses are observed.
    pub fn has_efficacy(&self) -> bool {
        self.stride == 4
    }
    /// Patients treated at `dose`.
    pub fn patients(&self, dose: Dose) -> u32 {
        u32::from(self.state[self.stride * dose.index()])
    }
    /// DLTs observed at `dose`.
    pub fn dlts(&self, dose: Dose) -> u32 {
        u32::from(self.state[self.stride * dose.index() + 1])
    }
    /// Responses observed at `dose`, where efficacy is observed.
    pub fn responses(&self, dose: Dose) -> Option<u32> {
        self.has_efficacy()
            .then(|| u32::from(self.state[self.stride * dose.index() + 2]))
    }
    /// The joint outcomes at `dose` (responses with and without a DLT), where efficacy is observed.
    pub fn efficacy(&self, dose: Dose) -> Option<EfficacyCounts> {
        let i = self.stride * dose.index();
        self.has_efficacy().then(|| EfficacyCounts {
            patients: u32::from(self.state[i]),
            dlts: u32::from(self.state[i + 1]),
            responses: u32::from(self.state[i + 2]),
            responses_with_dlt: u32::from(self.state[i + 3]),
        })
    }
    /// Everything known at `dose`.
    pub fn summary(&self, dose: Dose) -> DoseSummary {
        DoseSummary {
            patients: self.patients(dose),
            dlts: self.dlts(dose),
            responses: self.responses(dose),
        }
    }
    /// Patients treated so far.
    pub fn total_patients(&self) -> u32 {
        self.total_patients
    }
    /// DLTs observed so far.
    pub fn total_dlts(&self) -> u32 {
        self.total_dlts
    }
    /// The latest cohort, if any patient has been treated.
    pub fn last_cohort(&self) -> Option<Cohort> {
        let k = self.stride * self.num_doses;
        (self.total_patients > 0).then(|| Cohort {
            dose: Dose(self.state[k]),
            patients: self.state[k + 1],
            dlts: self.state[k + 2],
        })
    }
    /// The dose of the latest cohort (the "current dose"); dose 1 before any cohort.
    pub fn current_dose(&self) -> Dose {
        self.last_cohort().map_or(Dose(0), |c| c.dose)
    }
    /// The highest dose given to anyone so far.
    pub fn highest_tried(&self) -> Option<Dose> {
        self.doses().rev().find(|&d| self.patients(d) > 0)
    }
    /// All dose levels, lowest first.
    pub fn doses(&self) -> impl DoubleEndedIterator<Item = Dose> {
        self.space().doses()
    }
    /// The sufficient statistic every design decides from; equal states give equal decisions.
    pub fn state(&self) -> &[u16] {
        &self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toxicity_only_state_layout_is_counts_then_the_last_cohort() {
        let mut data = TrialData::new(3);
        data.add_cohort(Dose(0), 3, 0);
        data.add_cohort(Dose(1), 3, 1);
        assert_eq!(data.state(), [3, 0, 3, 1, 0, 0, 1, 3, 1]);
        assert_eq!(data.responses(Dose(1)), None);
        assert_eq!(TrialData::from_state(3, data.state()), data);
    }

    #[test]
    fn efficacy_is_counted_beside_toxicity() {
        let mut data = TrialData::with_efficacy(2);
        let outcome = |dlt, response| Outcome {
            dlt,
            response: Some(response),
        };
        data.add_patient(Dose(0), outcome(false, true));
        data.add_patient(Dose(0), outcome(true, false));
        data.add_patient(Dose(1), outcome(false, true));
        assert_eq!(
            data.summary(Dose(0)),
            DoseSummary {
                patients: 2,
                dlts: 1,
                responses: Some(1)
            }
        );
        assert_eq!(data.total_patients(), 3);
        assert_eq!(data.responses(Dose(1)), Some(1));
        assert_eq!(
            data.last_cohort(),
            Some(Cohort {
                dose: Dose(1),
                patients: 1,
                dlts: 0
            })
        );
        assert_eq!(data.efficacy(Dose(0)).map(|c| c.responses_with_dlt), Some(0));
        data.add_patient(Dose(0), outcome(true, true));
        assert_eq!(
            data.efficacy(Dose(0))
                .map(|c| (c.patients, c.dlts, c.responses, c.responses_with_dlt)),
            Some((3, 2, 2, 1))
        );
        assert_eq!(data.state()[data.state().len() - 5..], [0, 1, 1, 1, 1]);
    }
}
