//! BLRM fits memoised by the patients and DLTs per dose. The engines memoise decisions by the
//! whole trial state, which also holds the last cohort (dose, size, DLTs); the posterior depends
//! on the counts alone, so states that differ only in how the counts were reached share one
//! fit. A fit is the same function of the counts whichever thread or truth reaches them first,
//! so a memoised one is exact.

use crate::designs::memo::{counts_key, Memo};
use crate::designs::TrialData;
use std::sync::Arc;

/// Most fits held in a generation.
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
pub(super) struct FitMemo {
    fits: Memo<Arc<IntervalProbabilities>>,
    limit: usize,
}

/// A copy of a design starts with an empty memo.
impl Clone for FitMemo {
    fn clone(&self) -> Self {
        FitMemo::new(self.limit)
    }
}

impl std::fmt::Debug for FitMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FitMemo").field("limit", &self.limit).finish()
    }
}

impl FitMemo {
    /// An empty memo for a design with `doses` dose levels: each of its two generations holds
    /// at most half of [`MEMO_BYTES`] (key, two probabilities per dose and the table's overhead
    /// per entry) and [`MEMO_LIMIT`] fits.
    pub(super) fn for_doses(doses: usize) -> FitMemo {
        FitMemo::new((MEMO_BYTES / 2 / (20 * doses + 96)).min(MEMO_LIMIT))
    }

    fn new(limit: usize) -> FitMemo {
        FitMemo {
            fits: Memo::new(limit),
            limit,
        }
    }

    /// The interval probabilities of `data`'s counts: memoised, or computed by `fit` and kept.
    pub(super) fn get_or_fit(
        &self,
        data: &TrialData,
        fit: impl FnOnce() -> IntervalProbabilities,
    ) -> Arc<IntervalProbabilities> {
        let key = counts_key(data);
        (self.fits).get_or(&key[..2 * data.num_doses()], || Arc::new(fit()))
    }
}
