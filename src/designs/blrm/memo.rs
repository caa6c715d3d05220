//! BLRM fits memoised by the patients and DLTs per dose. The engines memoise decisions by the
//! whole trial state, which also holds the last cohort (dose, size, DLTs); the posterior depends
//! on the counts alone, so states that differ only in how the counts were reached share one
//! fit. A fit is the same function of the counts whichever thread or truth reaches them first,
//! so a memoised one is exact.

use crate::core::limits::MAX_DOSES;
use crate::designs::TrialData;
use rustc_hash::FxHashMap;
use std::sync::{Arc, RwLock};

/// Most fits held before the map is cleared.
const MEMO_LIMIT: usize = 1 << 16;

/// Bytes the map may hold, roughly: with 100 doses an entry takes about 2 kB.
const MEMO_BYTES: usize = 16 << 20;

/// The posterior interval probabilities that BLRM's decisions are made of.
#[derive(Debug)]
pub(super) struct IntervalProbabilities {
    /// P(targeted toxicity) per dose.
    pub target: Vec<f64>,
    /// P(overdosing) per dose.
    pub overdose: Vec<f64>,
}

/// One BLRM's fits by the patients and DLTs per dose, shared by every thread (and, in exact
/// enumeration, every truth).
#[derive(Debug, Default)]
pub(super) struct FitMemo {
    map: RwLock<FxHashMap<Box<[u16]>, Arc<IntervalProbabilities>>>,
}

/// A copy of a design starts with an empty memo.
impl Clone for FitMemo {
    fn clone(&self) -> Self {
        FitMemo::default()
    }
}

impl FitMemo {
    /// The interval probabilities of `data`'s counts: memoised, or computed by `fit` and kept.
    pub(super) fn get_or_fit(
        &self,
        data: &TrialData,
        fit: impl FnOnce() -> IntervalProbabilities,
    ) -> Arc<IntervalProbabilities> {
        let mut key = [0u16; 2 * MAX_DOSES];
        for d in data.doses() {
            let j = 2 * d.index();
            // Counts fit in 16 bits: the trial state holds them so.
            (key[j], key[j + 1]) = (data.patients(d) as u16, data.dlts(d) as u16);
        }
        let key = &key[..2 * data.num_doses()];
        if let Some(known) = self.map.read().ok().and_then(|map| map.get(key).cloned()) {
            return known;
        }
        let fitted = Arc::new(fit());
        if let Ok(mut map) = self.map.write() {
            // Key, two probabilities per dose, and the table's overhead per entry.
            let limit = (MEMO_BYTES / (20 * data.num_doses() + 96)).min(MEMO_LIMIT);
            if map.len() >= limit {
                map.clear();
            }
            map.insert(key.into(), Arc::clone(&fitted));
        }
        fitted
    }
}
