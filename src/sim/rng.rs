//! Random streams: one per simulated trial, derived from (run seed, trial index), so results never
//! depend on thread scheduling. Common random numbers: patient i of trial t carries the same
//! latent uniform in every design and under every truth, and has a DLT at dose d iff u < p(d).

use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64's output function (Steele, Lea & Flood 2014), a bijection on u64.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The generator of trial `trial` in a run seeded with `seed`: Xoshiro256++ whose state is filled
/// by SplitMix64 from `mix64(seed ^ mix64(trial))` (distinct trials get distinct seeds).
pub fn trial_rng(seed: u64, trial: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix64(seed ^ mix64(trial)))
}

/// Uniforms on [0, 1) are drawn with 53 bits: u = k / 2^53.
const UNIFORM_BITS: u32 = 53;

/// The integer threshold t with k < t ⟺ k / 2^53 < p, so a DLT is one integer comparison.
pub fn dlt_threshold(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * (1u64 << UNIFORM_BITS) as f64).ceil() as u64
}

/// The latent uniforms of one trial's patients, drawn lazily and shared by every design and truth.
pub struct PatientStream {
    rng: Xoshiro256PlusPlus,
    latent: Vec<u64>,
}

impl PatientStream {
    /// A stream with room for `capacity` patients (no allocation until a trial exceeds it).
    pub fn with_capacity(capacity: usize) -> PatientStream {
        PatientStream {
            rng: trial_rng(0, 0),
            latent: Vec::with_capacity(capacity),
        }
    }

    /// Starts trial `trial` of the run seeded with `seed`.
    pub fn start_trial(&mut self, seed: u64, trial: u64) {
        self.rng = trial_rng(seed, trial);
        self.latent.clear();
    }

    /// Patient `i`'s latent uniform, as a 53-bit integer.
    #[inline]
    pub fn latent(&mut self, i: usize) -> u64 {
        while self.latent.len() <= i {
            self.latent.push(self.rng.next_u64() >> (64 - UNIFORM_BITS));
        }
        self.latent[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
