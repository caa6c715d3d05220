//! Operating characteristics: integer counts merged across threads. The table computed from them
//! (the only thing reports read) is in [`crate::results`], re-exported here.

#[cfg(doc)]
use crate::dose_finding::StopReason;
use crate::dose_finding::{Decision, TrialData};
pub use crate::results::oc::{
    CorrectDecision, Method, OcProbabilities, OcRow, OcTable, RowResult, TimedDoseSummary, TimedSummary,
};

/// Integer accumulators for one design under one truth. Merging is exact addition. Shards write
/// them as they are (every field serialises), so a field added here travels through shards.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OcCounts {
    pub trials: u64,
    /// Trials that selected each dose.
    pub selected: Vec<u64>,
    /// Trials that selected no dose.
    pub selected_none: u64,
    /// Patients treated at each dose, summed over trials.
    pub patients: Vec<u64>,
    /// DLTs at each dose, summed over trials.
    pub dlts: Vec<u64>,
    /// Trials by stop reason, indexed as [`StopReason::ALL`].
    pub stops: [u64; 4],
    /// Trials by total sample size (index = patients).
    pub sample_size: Vec<u64>,
}

impl OcCounts {
    pub fn new(num_doses: usize, max_patients: u32) -> OcCounts {
        OcCounts {
            trials: 0,
            selected: vec![0; num_doses],
            selected_none: 0,
            patients: vec![0; num_doses],
            dlts: vec![0; num_doses],
            stops: [0; 4],
            sample_size: vec![0; max_patients as usize + 1],
        }
    }

    /// Adds one finished trial.
    pub fn record(&mut self, data: &TrialData, end: Decision) {
        self.record_times(data, end, 1);
    }

    /// Adds `times` finished trials that all ended with the same data and decision.
    pub fn record_times(&mut self, data: &TrialData, end: Decision, times: u64) {
        self.trials += times;
        if let Decision::Stop { selected, reason } = end {
            match selected {
                Some(d) => self.selected[d.index()] += times,
                None => self.selected_none += times,
            }
            self.stops[reason.index()] += times;
        }
        for d in data.doses() {
            self.patients[d.index()] += times * u64::from(data.patients(d));
            self.dlts[d.index()] += times * u64::from(data.dlts(d));
        }
        self.sample_size[data.total_patients() as usize] += times;
    }

    /// Adds another accumulator's counts.
    pub fn merge(&mut self, other: &OcCounts) {
        fn add(a: &mut [u64], b: &[u64]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.trials += other.trials;
        self.selected_none += other.selected_none;
        add(&mut self.selected, &other.selected);
        add(&mut self.patients, &other.patients);
        add(&mut self.dlts, &other.dlts);
        add(&mut self.stops, &other.stops);
        add(&mut self.sample_size, &other.sample_size);
    }
}

impl OcCounts {
    /// The simulated frequencies and means.
    pub fn probabilities(&self) -> OcProbabilities {
        let n = self.trials.max(1) as f64;
        let scale = |v: &[u64]| v.iter().map(|&x| x as f64 / n).collect();
        OcProbabilities {
            selected: scale(&self.selected),
            selected_none: self.selected_none as f64 / n,
            patients: scale(&self.patients),
            dlts: scale(&self.dlts),
            stops: self.stops.map(|x| x as f64 / n),
            sample_size: scale(&self.sample_size),
        }
    }
}
