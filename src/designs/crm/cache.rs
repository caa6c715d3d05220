//! Complete-data CRM fits memoised by the patients and DLTs per dose. TITE-CRM decides at every
//! arrival from the pending patients' follow-up, but judges its rules (`stop_when_too_toxic`,
//! admissibility, the MTD) on the complete patients' CRM fit, whose counts change only when an
//! outcome becomes known: successive decisions, and trials, mostly share it. The posterior is a
//! function of the counts alone, so a memoised one is exact. The posteriors are integrated around
//! their modes ([`Crm::posterior_by_quadrature`]): a few hundred bytes each instead of the grid's
//! 8 kB, so many more fit in the cache.

use super::{Crm, CrmFit, CrmPosterior, HermiteRule};
use crate::designs::memo::{counts_key, Memo};
use crate::designs::TrialData;
use std::sync::Arc;

/// Posteriors memoised per generation (about 400 bytes each with their keys, so at most about
/// 30 MB in both with six doses).
const GENERATION_LIMIT: usize = 1 << 15;

/// Posterior means memoised per generation (about 40 bytes each with their keys).
const MEAN_GENERATION_LIMIT: usize = 1 << 17;

/// A posterior and the estimates that drive decisions.
type Fitted = Arc<(CrmPosterior, Vec<f64>)>;

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
