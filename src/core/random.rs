//! The keys and latents of the common random numbers, below every engine so that truths can turn
//! probabilities into thresholds: trial t of a run seeded s draws from a stream keyed by (s, t),
//! and an event of probability p happens to a patient whose 53-bit latent k is below
//! ⌈p·2^53⌉. How each engine lays its patients' draws out on these streams is documented, in one
//! place, in [`crate::engines::rng`].

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64's output function (Steele, Lea & Flood 2014), a bijection on u64.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The key of trial `trial` in a run seeded with `seed` (distinct trials get distinct keys).
pub fn trial_key(seed: u64, trial: u64) -> u64 {
    mix64(seed ^ mix64(trial))
}

/// A general generator for trial `trial` in a run seeded with `seed`: Xoshiro256++ whose state is
/// filled by SplitMix64 from [`trial_key`]. Engines that draw more than one latent per patient
/// derive their streams from it, with their own seed offsets
/// ([`CALENDAR_STREAM`](crate::engines::rng::CALENDAR_STREAM)).
pub fn trial_rng(seed: u64, trial: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(trial_key(seed, trial))
}

/// Uniforms on [0, 1) are drawn with 53 bits: u = k / 2^53.
pub const UNIFORM_BITS: u32 = 53;

/// The integer threshold t with k < t ⟺ k / 2^53 < p, so a DLT is one integer comparison.
pub fn dlt_threshold(p: f64) -> u64 {
    (p.clamp(0.0, 1.0) * (1u64 << UNIFORM_BITS) as f64).ceil() as u64
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
}
