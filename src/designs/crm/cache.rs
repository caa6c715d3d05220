//! Complete-data CRM fits memoised by the patients and DLTs per dose. TITE-CRM decides at every
//! arrival from the pending patients' follow-up, but judges its rules (`stop_when_too_toxic`,
//! admissibility, the MTD) on the complete patients' CRM fit, whose counts change only when an
//! outcome becomes known: successive decisions, and trials, mostly share it. The posterior is a
//! function of the counts alone, so a memoised one is exact. The posteriors are integrated around
//! their modes ([`Crm::posterior_by_quadrature`]): a few hundred bytes each instead of the grid's
//! 8 kB, so many more fit in the cache.

use super::{Crm, CrmFit, CrmPosterior, HermiteRule};
use crate::core::limits::MAX_DOSES;
use crate::designs::TrialData;
use rustc_hash::FxHashMap;
use std::sync::{Arc, RwLock};

/// Posteriors memoised per generation (about 400 bytes each with their keys, so at most about
/// 30 MB in both with six doses).
const GENERATION_LIMIT: usize = 1 << 15;

/// A posterior and the estimates that drive decisions.
type Fitted = Arc<(CrmPosterior, Vec<f64>)>;

/// Posteriors by the patients and DLTs per dose.
type Posteriors = FxHashMap<Box<[u16]>, Fitted>;

/// The posteriors fitted or used since the last turnover (`current`) and before it (`previous`).
/// A full `current` becomes `previous`, dropping the older generation: the states every trial
/// visits (the first cohorts' counts) stay, where clearing one map at its limit refitted them
/// all (a third more fits under qls4131_full's TITE-CRM).
#[derive(Default)]
struct Generations {
    current: Posteriors,
    previous: Posteriors,
}

/// One design's complete-data posteriors, shared by every thread, keyed by the patients and DLTs
/// per dose.
#[derive(Default)]
pub struct PosteriorCache {
    generations: RwLock<Generations>,
}

impl PosteriorCache {
    /// The posterior of these counts if either generation holds it (one of the previous
    /// generation moves to the current one).
    fn get(&self, key: &[u16]) -> Option<Fitted> {
        let (current, previous) = {
            let generations = self.generations.read().ok()?;
            let current = generations.current.get(key).cloned();
            let previous = current.is_none().then(|| generations.previous.get(key).cloned());
            (current, previous.flatten())
        };
        if let Some(fitted) = &previous {
            self.keep(key, fitted);
        }
        current.or(previous)
    }

    /// Keeps `fitted` in the current generation, turning the generations over when it is full.
    fn keep(&self, key: &[u16], fitted: &Fitted) {
        if let Ok(mut generations) = self.generations.write() {
            if generations.current.len() >= GENERATION_LIMIT {
                generations.previous = std::mem::take(&mut generations.current);
            }
            generations.current.insert(key.into(), Arc::clone(fitted));
        }
    }
}

impl Crm {
    /// [`Crm::fit`] with the posterior integrated by `rule` around its mode
    /// ([`Crm::posterior_by_quadrature`]), taken from `cache` when these counts have been fitted
    /// before (by any thread).
    pub fn fit_cached<'a>(&'a self, data: &'a TrialData, (rule, cache): (&HermiteRule, &PosteriorCache)) -> CrmFit<'a> {
        let mut key = [0u16; 2 * MAX_DOSES];
        for d in data.doses() {
            let j = 2 * d.index();
            // Counts fit in 16 bits: the state holds them so.
            (key[j], key[j + 1]) = (data.patients(d) as u16, data.dlts(d) as u16);
        }
        let key = &key[..2 * data.num_doses()];
        let fitted = match cache.get(key) {
            Some(fitted) => fitted,
            None => {
                let posterior = self.posterior_by_quadrature(rule, data);
                let estimate = self.estimate_of(&posterior);
                let fitted = Arc::new((posterior, estimate));
                cache.keep(key, &fitted);
                fitted
            }
        };
        CrmFit {
            crm: self,
            data,
            fitted,
        }
    }
}
