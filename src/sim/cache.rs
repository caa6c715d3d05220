//! Decisions memoised by trial state, for designs whose fits are costly (model-based designs).
//! Every decision is a function of [`TrialData::state`], so a memoised decision is exact.

use crate::dose_finding::{Decision, DoseFinder, TrialData};
use rustc_hash::FxHashMap;
use std::sync::RwLock;

type DecisionMap = FxHashMap<Box<[u16]>, Decision>;

/// Maps are cleared when they reach this many entries, so memory stays bounded.
const CACHE_LIMIT: usize = 1 << 20;

fn insert_bounded(map: &mut DecisionMap, key: &[u16], decision: Decision) {
    if map.len() >= CACHE_LIMIT {
        map.clear();
    }
    map.insert(key.into(), decision);
}

/// One design's decisions, shared by every thread (and, in exact enumeration, every truth).
#[derive(Default)]
pub struct SharedDecisions {
    map: RwLock<DecisionMap>,
}

impl SharedDecisions {
    /// A thread's cache in front of the shared map.
    pub fn cache(&self) -> DecisionCache<'_> {
        DecisionCache {
            local: DecisionMap::default(),
            shared: &self.map,
        }
    }
}

/// A thread's own map in front of a [`SharedDecisions`]: no state is fitted twice, and hits in
/// the thread's map take no lock.
pub struct DecisionCache<'a> {
    local: DecisionMap,
    shared: &'a RwLock<DecisionMap>,
}

impl DecisionCache<'_> {
    /// `finder`'s decision on `data`, fitted only if no thread has fitted this state before.
    pub fn decide(&mut self, finder: &dyn DoseFinder, data: &TrialData) -> Decision {
        let key = data.state();
        if let Some(&decision) = self.local.get(key) {
            return decision;
        }
        let known = self.shared.read().ok().and_then(|shared| shared.get(key).copied());
        let decision = known.unwrap_or_else(|| {
            let decision = finder.decide(data);
            if let Ok(mut shared) = self.shared.write() {
                insert_bounded(&mut shared, key, decision);
            }
            decision
        });
        insert_bounded(&mut self.local, key, decision);
        decision
    }
}
