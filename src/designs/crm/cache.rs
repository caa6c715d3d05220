//! Complete-data CRM fits memoised by the patients and DLTs per dose. TITE-CRM decides at every
//! arrival from the pending patients' follow-up, but judges its rules (`stop_when_too_toxic`,
//! admissibility, the MTD) on the complete patients' CRM fit, whose counts change only when an
//! outcome becomes known: successive decisions, and trials, mostly share it. The posterior is a
//! function of the counts alone, so a memoised one is exact.

use super::{Crm, CrmFit, CrmPosterior};
use crate::core::limits::MAX_DOSES;
use crate::designs::TrialData;
use rustc_hash::FxHashMap;
use std::sync::{Arc, RwLock};

/// Posteriors memoised; the map is cleared when it reaches this many (about 8 kB each).
const CACHE_LIMIT: usize = 1 << 12;

/// A posterior and the estimates that drive decisions.
type Fitted = Arc<(CrmPosterior, Vec<f64>)>;

/// One design's complete-data posteriors, shared by every thread, keyed by the patients and DLTs
/// per dose.
#[derive(Default)]
pub struct PosteriorCache {
    map: RwLock<FxHashMap<Box<[u16]>, Fitted>>,
}

impl Crm {
    /// [`Crm::fit`], with the posterior taken from `cache` when these counts have been fitted
    /// before (by any thread).
    pub fn fit_cached<'a>(&'a self, data: &'a TrialData, cache: &PosteriorCache) -> CrmFit<'a> {
        let mut key = [0u16; 2 * MAX_DOSES];
        for d in data.doses() {
            let j = 2 * d.index();
            // Counts fit in 16 bits: the state holds them so.
            (key[j], key[j + 1]) = (data.patients(d) as u16, data.dlts(d) as u16);
        }
        let key = &key[..2 * data.num_doses()];
        let known = cache.map.read().ok().and_then(|map| map.get(key).cloned());
        let fitted = known.unwrap_or_else(|| {
            let posterior = self.posterior(data);
            let estimate = self.estimate_of(&posterior);
            let fitted = Arc::new((posterior, estimate));
            if let Ok(mut map) = cache.map.write() {
                if map.len() >= CACHE_LIMIT {
                    map.clear();
                }
                map.insert(key.into(), Arc::clone(&fitted));
            }
            fitted
        });
        CrmFit {
            crm: self,
            data,
            fitted,
        }
    }
}
