//! Patients followed in calendar time: who was treated when, and which outcomes are known yet
//! (what time-to-event designs decide from).

use super::{Dose, Outcome, TrialData};

/// A treated patient, in calendar time (months).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatientRecord {
    /// The dose given.
    pub dose: Dose,
    /// When the patient was treated.
    pub entry: f64,
    /// When the patient's DLT occurred, if they have one within the DLT window.
    pub dlt_at: Option<f64>,
}

impl PatientRecord {
    /// Whether the patient's DLT has been observed by time `now`.
    pub fn dlt_observed(&self, now: f64) -> bool {
        self.dlt_at.is_some_and(|t| t <= now)
    }

    /// Whether the patient's outcome is known at `now`: a DLT observed, or the window closed
    /// without one. (Compared with the closing time itself, so that waiting until
    /// `entry + window` completes the patient whatever the rounding.)
    pub fn complete(&self, now: f64, window: f64) -> bool {
        self.dlt_observed(now) || now >= self.entry + window
    }
}

/// Replaces `out`'s outcomes by the patients and DLTs per dose among `records` complete at `now`
/// with DLT window `window`, each a cohort of one in order of entry (keeps the allocation).
pub fn complete_counts(records: &[PatientRecord], now: f64, window: f64, out: &mut TrialData) {
    out.clear();
    for p in records.iter().filter(|p| p.complete(now, window)) {
        out.add_patient(
            p.dose,
            Outcome {
                dlt: p.dlt_observed(now),
                response: None,
            },
        );
    }
}

/// Every patient treated so far as known at time `now`, with DLT window `window`: the pending
/// follow-up a time-to-event design weighs (see [`TrialData::follow_up`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FollowUp {
    /// Every patient treated so far, in order of entry.
    pub records: Vec<PatientRecord>,
    /// The current time (months).
    pub now: f64,
    /// The DLT window (months).
    pub window: f64,
}

impl FollowUp {
    /// Whether the patient's DLT has been observed by now.
    pub fn dlt_observed(&self, p: &PatientRecord) -> bool {
        p.dlt_observed(self.now)
    }

    /// Whether the patient's outcome is known now (see [`PatientRecord::complete`]).
    pub fn complete(&self, p: &PatientRecord) -> bool {
        p.complete(self.now, self.window)
    }

    /// Follow-up as a fraction of the window, in [0, 1].
    pub fn fraction(&self, p: &PatientRecord) -> f64 {
        ((self.now - p.entry) / self.window).clamp(0.0, 1.0)
    }

    /// Replaces `out`'s outcomes by the patients and DLTs per dose among complete patients, each
    /// a cohort of one in order of entry (keeps the allocation).
    pub fn complete_counts(&self, out: &mut TrialData) {
        complete_counts(&self.records, self.now, self.window, out);
    }

    /// The time at which the next pending patient's outcome becomes known (a DLT or the window
    /// closing), if any is pending.
    pub fn next_event(&self) -> Option<f64> {
        self.records
            .iter()
            .filter(|p| !self.complete(p))
            .map(|p| p.dlt_at.unwrap_or(p.entry + self.window).min(p.entry + self.window))
            .min_by(f64::total_cmp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A patient at `dose` (index) entering at `entry`, with a DLT at `dlt_at`.
    pub(crate) fn patient(dose: u16, entry: f64, dlt_at: Option<f64>) -> PatientRecord {
        PatientRecord {
            dose: Dose(dose),
            entry,
            dlt_at,
        }
    }

    #[test]
    fn next_event_is_the_earliest_pending_outcome() {
        let view = FollowUp {
            records: vec![
                patient(0, 0.0, Some(0.4)),
                patient(0, 0.2, None),
                patient(0, 0.3, Some(2.0)),
            ],
            now: 0.35,
            window: 1.0,
        };
        assert_eq!(view.next_event(), Some(0.4));
        let view = FollowUp { now: 0.5, ..view };
        assert_eq!(view.next_event(), Some(1.2));
    }
}
