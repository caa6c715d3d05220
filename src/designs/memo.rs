//! Values that are functions of a trial's patients and DLTs per dose alone (a model's fit),
//! memoised by those counts and shared by every thread and truth: states reached in different
//! orders, by other trials or under other truths share one value, and since the value is the same
//! whoever computes it first, a memoised one is exact. Kept in two generations of bounded size.

use crate::core::limits::MAX_DOSES;
use crate::designs::TrialData;
use rustc_hash::FxHashMap;
use std::sync::RwLock;

/// The patients and DLTs of each dose of `data` in turn, `[n₁, y₁, n₂, y₂, …]`, in the first
/// 2 × doses entries (counts fit in 16 bits: the state holds them so).
pub(crate) fn counts_key(data: &TrialData) -> [u16; 2 * MAX_DOSES] {
    let mut key = [0u16; 2 * MAX_DOSES];
    for d in data.doses() {
        let j = 2 * d.index();
        (key[j], key[j + 1]) = (data.patients(d) as u16, data.dlts(d) as u16);
    }
    key
}

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
pub(crate) struct Memo<V> {
    generations: RwLock<Generations<V>>,
}

impl<V: Clone> Memo<V> {
    pub(crate) fn new(limit: usize) -> Memo<V> {
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
    pub(crate) fn get_or(&self, key: &[u16], make: impl FnOnce() -> V) -> V {
        let key = CountsKey::of(key);
        if let Some(value) = self.get(&key) {
            return value;
        }
        let value = make();
        self.keep(&key, &value);
        value
    }
}
