//! The simulated operating characteristics of one design under one truth, computed from its
//! integer counts ([`OcCounts`]) as the frequencies and means the OC tables
//! ([`crate::results::oc`]) hold.

use super::dose_finding::OcCounts;
use crate::results::oc::OcProbabilities;

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
            responses: (!self.responses.is_empty()).then(|| scale(&self.responses)),
            moments: Some(self.moments()),
        }
    }
}
