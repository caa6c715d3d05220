//! Operating characteristics: integer counts merged across threads. The table computed from them
//! (the only thing reports read) is in [`crate::results`], re-exported here.

pub use crate::results::oc::{
    CorrectDecision, Method, OcProbabilities, OcRow, OcTable, RowResult, TimedDoseSummary, TimedSummary,
};

pub use crate::engines::dose_finding::OcCounts;

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
