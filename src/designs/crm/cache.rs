//! Complete-data CRM fits memoised by the patients and DLTs per dose. TITE-CRM decides at every
//! arrival from the pending patients' follow-up, but judges its rules (`stop_when_too_toxic`,
//! admissibility, the MTD) on the complete patients' CRM fit, whose counts change only when an
//! outcome becomes known: successive decisions, and trials, mostly share it. The posterior is a
//! function of the counts alone, so a memoised one is exact. The posteriors are integrated around
//! their modes ([`Crm::posterior_by_quadrature`]): a few hundred bytes each instead of the grid's
//! 8 kB, so many more fit in the cache.

use super::weighted::counts_key;
use super::{Crm, CrmFit, CrmPosterior, HermiteRule};
use crate::designs::TrialData;
use rustc_hash::FxHashMap;
use std::sync::{Arc, RwLock};

/// Posteriors memoised per generation (about 400 bytes each with their keys, so at most about
/// 30 MB in both with six doses).
const GENERATION_LIMIT: usize = 1 << 15;

/// Posterior means memoised per generation (about 40 bytes each with their keys).
const MEAN_GENERATION_LIMIT: usize = 1 << 17;

/// A posterior and the estimates that drive decisions.
type Fitted = Arc<(CrmPosterior, Vec<f64>)>;

/// The patients and DLTs per dose, `[n₁, y₁, n₂, y₂, …]`: packed into 128 bits when every count
/// fits the bits each gets (up to 8 doses), held on the heap otherwise.
#[derive(Clone, PartialEq, Eq, Hash)]
enum CountsKey {
    Packed(u128),
    Long(Box<[u16]>),
}

impl CountsKey {
    fn of(counts: &[u16]) -> CountsKey {
        let bits = 128 / counts.len().max(2);
        if bits >= 8 && counts.iter().all(|&c| u32::from(c) < 1 << bits.min(16)) {
            CountsKey::Packed(counts.iter().fold(0, |key, &c| key << bits | u128::from(c)))
        } else {
            CountsKey::Long(counts.into())
        }
    }
}

/// The values kept since the last turnover (`current`) and before it (`previous`), shared by
/// every thread. A full `current` becomes `previous`, dropping the older generation: the states
/// every trial visits (the first cohorts' counts) stay, where clearing one map at its limit
/// refitted them all (a third more fits under qls4131_full's TITE-CRM).
struct Generations<V> {
    current: FxHashMap<CountsKey, V>,
    previous: FxHashMap<CountsKey, V>,
    limit: usize,
}

/// Values memoised by counts, in two generations.
struct Memo<V> {
    generations: RwLock<Generations<V>>,
}

impl<V: Clone> Memo<V> {
    fn new(limit: usize) -> Memo<V> {
        Memo {
            generations: RwLock::new(Generations {
                current: FxHashMap::default(),
                previous: FxHashMap::default(),
                limit,
            }),
        }
    }

    /// The value of these counts if either generation holds it (one of the previous
    /// generation moves to the current one).
    fn get(&self, key: &CountsKey) -> Option<V> {
        let (current, previous) = {
            let generations = self.generations.read().ok()?;
            let current = generations.current.get(key).cloned();
            let previous = current.is_none().then(|| generations.previous.get(key).cloned());
            (current, previous.flatten())
        };
        if let Some(value) = &previous {
            self.keep(key, value);
        }
        current.or(previous)
    }

    /// Keeps `value` in the current generation, turning the generations over when it is full.
    fn keep(&self, key: &CountsKey, value: &V) {
        if let Ok(mut generations) = self.generations.write() {
            if generations.current.len() >= generations.limit {
                generations.previous = std::mem::take(&mut generations.current);
            }
            generations.current.insert(key.clone(), value.clone());
        }
    }

    /// The value of `key`, from memory or made by `make` and kept.
    fn get_or(&self, key: &[u16], make: impl FnOnce() -> V) -> V {
        let key = CountsKey::of(key);
        if let Some(value) = self.get(&key) {
            return value;
        }
        let value = make();
        self.keep(&key, &value);
        value
    }
}

/// One design's complete-data posteriors, and posterior means of β, shared by every thread,
/// keyed by the patients and DLTs per dose.
pub struct PosteriorCache {
    posteriors: Memo<Fitted>,
    means: Memo<f64>,
}

impl Default for PosteriorCache {
    fn default() -> PosteriorCache {
        PosteriorCache {
            posteriors: Memo::new(GENERATION_LIMIT),
            means: Memo::new(MEAN_GENERATION_LIMIT),
        }
    }
}

impl Crm {
    /// [`Crm::fit`] with the posterior integrated by `rule` around its mode
    /// ([`Crm::posterior_by_quadrature`]), taken from `cache` when these counts have been fitted
    /// before (by any thread).
    pub fn fit_cached<'a>(&'a self, data: &'a TrialData, (rule, cache): (&HermiteRule, &PosteriorCache)) -> CrmFit<'a> {
        let key = counts_key(data);
        let fitted = self.fitted(&key[..2 * data.num_doses()], (rule, cache));
        CrmFit {
            crm: self,
            data,
            fitted,
        }
    }

    /// The posterior mean of β given `key`, the patients and DLTs of each dose in turn
    /// (`[n₁, y₁, n₂, y₂, …]`), integrated by `rule` as [`Crm::fit_cached`] integrates it, and
    /// memoised apart from the whole posteriors (a mean takes far less memory).
    pub fn posterior_mean_cached(&self, key: &[u16], (rule, cache): (&HermiteRule, &PosteriorCache)) -> f64 {
        (cache.means).get_or(key, || self.posterior_mean_of_counts(rule, key))
    }

    /// The posterior and estimates of the counts `key`, from `cache` or integrated and kept.
    fn fitted(&self, key: &[u16], (rule, cache): (&HermiteRule, &PosteriorCache)) -> Fitted {
        (cache.posteriors).get_or(key, || {
            let posterior = self.posterior_of_counts(rule, key);
            let estimate = self.estimate_of(&posterior);
            Arc::new((posterior, estimate))
        })
    }
}
