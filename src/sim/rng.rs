//! Random streams: one per simulated trial, derived from (run seed, trial index), so results never
//! depend on thread scheduling, block size or shard boundaries. Common random numbers: patient i of
//! trial t carries the same latent uniform in every design and under every truth, and has a DLT at
//! dose d iff u < p(d).
//!
//! Dose-finding trials use a counter-based stream ([`PatientStream`]): SplitMix64 (Steele, Lea &
//! Flood 2014) seeded per trial with the key k = mix64(seed ⊕ mix64(t)), so patient i's latent is
//! the generator's (i+1)-th output, mix64(k + (i+1)·γ) with γ = 0x9e3779b97f4a7c15, read on its
//! top 53 bits. Starting a trial costs two mixes and any patient can be drawn directly. Engines
//! that draw other variables (calendar time, single-arm) use [`trial_rng`].

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64's output function (Steele, Lea & Flood 2014), a bijection on u64.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// SplitMix64's increment γ (the odd integer closest to 2^64 / golden ratio).
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The key of trial `trial` in a run seeded with `seed` (distinct trials get distinct keys).
pub fn trial_key(seed: u64, trial: u64) -> u64 {
    mix64(seed ^ mix64(trial))
}

/// A general generator for trial `trial` in a run seeded with `seed`: Xoshiro256++ whose state is
/// filled by SplitMix64 from [`trial_key`]. Engines that draw more than one latent per patient
/// derive their streams from it (with their own seed offsets).
pub fn trial_rng(seed: u64, trial: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(trial_key(seed, trial))
}

/// Uniforms on [0, 1) are drawn with 53 bits: u = k / 2^53.
const UNIFORM_BITS: u32 = 53;

/// The integer threshold t with k < t ⟺ k / 2^53 < p, so a DLT is one integer comparison.
pub fn dlt_threshold(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * (1u64 << UNIFORM_BITS) as f64).ceil() as u64
}

/// Patient `i`'s latent uniform in the trial with key `key`, as a 53-bit integer: SplitMix64's
/// (i+1)-th output from state `key`.
#[inline]
pub fn patient_latent(key: u64, i: usize) -> u64 {
    mix64(key.wrapping_add((i as u64 + 1).wrapping_mul(GOLDEN_GAMMA))) >> (64 - UNIFORM_BITS)
}

/// The latent uniforms of one trial's patients, computed on first use and shared by every design
/// and truth.
pub struct PatientStream {
    key: u64,
    /// Latents of patients 0 … `filled` − 1 of the current trial.
    latent: Vec<u64>,
    filled: usize,
}

impl PatientStream {
    /// A stream with room for `capacity` patients (no allocation until a trial exceeds it).
    pub fn with_capacity(capacity: usize) -> PatientStream {
        PatientStream {
            key: trial_key(0, 0),
            latent: vec![0; capacity],
            filled: 0,
        }
    }

    /// Starts trial `trial` of the run seeded with `seed`.
    pub fn start_trial(&mut self, seed: u64, trial: u64) {
        self.key = trial_key(seed, trial);
        self.filled = 0;
    }

    /// Patient `i`'s latent uniform, as a 53-bit integer.
    #[inline]
    pub fn latent(&mut self, i: usize) -> u64 {
        self.fill(i + 1);
        self.latent[i]
    }

    /// DLTs among patients `first` … `first + size − 1` at a dose with threshold `threshold` (see
    /// [`dlt_threshold`]).
    #[inline]
    pub fn dlts(&mut self, first: usize, size: usize, threshold: u64) -> u16 {
        self.fill(first + size);
        let cohort = &self.latent[first..first + size];
        let dlt = |&u: &u64| u16::from(u < threshold);
        match *cohort {
            // The usual cohort, counted without a loop.
            [a, b, c] => dlt(&a) + dlt(&b) + dlt(&c),
            _ => cohort.iter().map(dlt).sum(),
        }
    }

    /// Computes the latents of patients up to at least `end` (exclusive), a chunk at a time.
    #[inline]
    fn fill(&mut self, end: usize) {
        if end > self.filled {
            self.fill_chunk(end);
        }
    }

    fn fill_chunk(&mut self, end: usize) {
        const CHUNK: usize = 8;
        let end = end.next_multiple_of(CHUNK);
        if end > self.latent.len() {
            self.latent.resize(end, 0);
        }
        // SplitMix64 from patient `filled` on: the state advances by γ per output.
        let mut state = self
            .key
            .wrapping_add((self.filled as u64 + 1).wrapping_mul(GOLDEN_GAMMA));
        for u in &mut self.latent[self.filled..end] {
            *u = mix64(state) >> (64 - UNIFORM_BITS);
            state = state.wrapping_add(GOLDEN_GAMMA);
        }
        self.filled = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn thresholds_are_exact_at_the_edges() {
        assert_eq!(dlt_threshold(0.0), 0);
        assert_eq!(dlt_threshold(1.0), 1 << 53);
        assert_eq!(dlt_threshold(0.5), 1 << 52);
    }

    #[test]
    fn streams_depend_on_seed_and_trial_only() {
        let mut a = PatientStream::with_capacity(4);
        let mut b = PatientStream::with_capacity(4);
        a.start_trial(7, 3);
        b.start_trial(7, 3);
        let first = a.latent(2);
        assert_eq!(first, b.latent(2));
        assert_eq!(a.latent(0), b.latent(0));
        b.start_trial(7, 4);
        assert_ne!(first, b.latent(2));
    }

    /// The latents are SplitMix64's outputs from the trial key, which rand_xoshiro's SplitMix64
    /// reproduces (its `seed_from_u64` takes the state as is).
    #[test]
    fn latents_are_splitmix64_outputs() {
        let mut reference = rand_xoshiro::SplitMix64::seed_from_u64(trial_key(11, 5));
        let mut stream = PatientStream::with_capacity(8);
        stream.start_trial(11, 5);
        for i in 0..8 {
            assert_eq!(stream.latent(i), reference.next_u64() >> 11, "patient {i}");
        }
    }

    #[test]
    fn dlts_count_latents_below_the_threshold() {
        let mut stream = PatientStream::with_capacity(2);
        stream.start_trial(3, 9);
        let threshold = dlt_threshold(0.4);
        let expected = (4..10).filter(|&i| stream.latent(i) < threshold).count() as u16;
        stream.start_trial(3, 9);
        assert_eq!(stream.dlts(4, 6, threshold), expected);
        assert_eq!(stream.dlts(0, 3, 0), 0);
        assert_eq!(stream.dlts(0, 3, dlt_threshold(1.0)), 3);
    }
}
