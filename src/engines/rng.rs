//! Random numbers: the one layout every engine follows. Each simulated trial draws from a stream
//! of its own, keyed by (run seed, trial index), so results never depend on thread scheduling,
//! block size or shard boundaries; and each patient's variables are fixed by that key and the
//! patient's position, whatever the design or the truth does with them (common random numbers:
//! patient i of trial t is the same patient in every design and under every truth).
//!
//! # Trial keys
//!
//! Trial t of a run seeded s has the key k = mix64(s ⊕ mix64(t)) ([`trial_key`]), mix64 being
//! SplitMix64's output function (Steele, Lea & Flood 2014).
//!
//! # Dose-finding ([`PatientStream`])
//!
//! Counter-based: patient i's latent (patients numbered in order of treatment) is SplitMix64's
//! (i+1)-th output from state k, mix64(k + (i+1)·γ) with γ = 0x9e3779b97f4a7c15, read on its top
//! 53 bits ([`patient_latent`]). Any patient can be drawn directly, so a trial's latents are
//! computed at once when it starts (eight at a time where the processor has AVX-512). Patient i
//! has a DLT at dose d iff u_i < p(d), compared as integers ([`dlt_threshold`]).
//!
//! # Calendar time ([`calendar_rng`], [`calendar_patient`])
//!
//! Xoshiro256++ seeded by SplitMix64 from the key of (s ⊕ [`CALENDAR_STREAM`], t), a stream apart
//! from the dose-finding one. Patients are numbered in order of arrival, whether they are then
//! treated, kept waiting or turned away, and patient i draws four numbers, in this order, when the
//! trial first needs them (every design and truth of the trial reuses them):
//!
//! 1. the arrival uniform u (the gap before the patient: −ln(1 − u)/rate for Poisson arrivals;
//!    drawn and not used for arrivals at fixed intervals; the first patient arrives at time 0);
//! 2. the DLT latent (53 bits): a DLT iff it is below the dose's DLT threshold; a CRS-type DLT and
//!    a TEAE compare the same latent with their own thresholds;
//! 3. the onset uniform: when within the window the DLT occurs;
//! 4. the response latent (53 bits): a response iff it is below the dose's response threshold.
//!
//! # Single-arm ([`trial_rng`])
//!
//! Xoshiro256++ seeded by SplitMix64 from the key of (s, t). A trial draws all its study's patients
//! when it starts: patient i, in order of entry, takes six 53-bit latents in the order of
//! `Latent` (arrival gap, response, toxicity, PFS, OS,
//! dropout), then the trial takes one more, the spacing that closes uniform accrual
//! (`draw_latents`). There a latent k is turned into
//! the uniform (k + 1/2)/2^53, never 0 or 1, and a Bernoulli(p) event is k < ⌈p·2^53⌉.

pub use crate::core::random::{dlt_threshold, mix64, trial_key, trial_rng};

use crate::core::random::UNIFORM_BITS;
use rand::RngCore;
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64's increment γ (the odd integer closest to 2^64 / golden ratio).
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The calendar-time engine's seed offset ("timed_tr" in ASCII), XOR-ed into the run seed.
pub const CALENDAR_STREAM: u64 = 0x7469_6d65_645f_7472;

/// The calendar-time engine's generator for trial `trial` of the run seeded with `seed`.
pub fn calendar_rng(seed: u64, trial: u64) -> Xoshiro256PlusPlus {
    trial_rng(seed ^ CALENDAR_STREAM, trial)
}

/// One calendar-time patient's draws (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalendarLatents {
    /// The arrival uniform, in [0, 1).
    pub arrival: f64,
    /// The DLT latent (53 bits).
    pub dlt: u64,
    /// The DLT onset uniform, in [0, 1).
    pub onset: f64,
    /// The response latent (53 bits).
    pub response: u64,
}

/// The next calendar-time patient's draws from the trial's stream, in their fixed order.
pub fn calendar_patient(rng: &mut Xoshiro256PlusPlus) -> CalendarLatents {
    let arrival = uniform(rng);
    let dlt = rng.next_u64() >> (64 - UNIFORM_BITS);
    let onset = uniform(rng);
    let response = rng.next_u64() >> (64 - UNIFORM_BITS);
    CalendarLatents {
        arrival,
        dlt,
        onset,
        response,
    }
}

/// A uniform in [0, 1) from the top 53 bits of the generator's next output.
fn uniform(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> (64 - UNIFORM_BITS)) as f64 / (1u64 << UNIFORM_BITS) as f64
}

/// Patient `i`'s latent uniform in the trial with key `key`, as a 53-bit integer: SplitMix64's
/// (i+1)-th output from state `key`.
#[inline]
pub fn patient_latent(key: u64, i: usize) -> u64 {
    mix64(key.wrapping_add((i as u64 + 1).wrapping_mul(GOLDEN_GAMMA))) >> (64 - UNIFORM_BITS)
}

/// The latent uniforms of one trial's patients, computed when the trial starts and shared by
/// every design and truth.
pub struct PatientStream {
    /// Latents of patients 0 … capacity − 1 of the current trial.
    latent: Vec<u64>,
    /// Whether the processor computes eight latents at once (AVX-512 with 64-bit multiplies).
    wide: bool,
}

impl PatientStream {
    /// A stream for trials of at most `capacity` patients.
    pub fn with_capacity(capacity: usize) -> PatientStream {
        PatientStream {
            latent: vec![0; capacity],
            wide: wide_multiplies(),
        }
    }

    /// Starts trial `trial` of the run seeded with `seed`: computes every patient's latent.
    pub fn start_trial(&mut self, seed: u64, trial: u64) {
        let key = trial_key(seed, trial);
        #[cfg(target_arch = "x86_64")]
        if self.wide {
            // SAFETY: `wide` is set only when the processor has AVX-512F and AVX-512DQ.
            return unsafe { fill_latents_avx512(key, &mut self.latent) };
        }
        fill_latents(key, &mut self.latent);
    }

    /// Patient `i`'s latent uniform, as a 53-bit integer.
    #[inline]
    pub fn latent(&self, i: usize) -> u64 {
        self.latent[i]
    }

    /// DLTs among patients `first` … `first + size − 1` at a dose with threshold `threshold` (see
    /// [`dlt_threshold`]).
    #[inline]
    pub fn dlts(&self, first: usize, size: usize, threshold: u64) -> u16 {
        let cohort = &self.latent[first..first + size];
        let dlt = |&u: &u64| u16::from(u < threshold);
        match *cohort {
            // The usual cohort, counted without a loop.
            [a, b, c] => dlt(&a) + dlt(&b) + dlt(&c),
            _ => cohort.iter().map(dlt).sum(),
        }
    }
}

/// Whether [`fill_latents_avx512`] can run here.
fn wide_multiplies() -> bool {
    #[cfg(target_arch = "x86_64")]
    return is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512dq");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Patient i's latent for i = 0 … `latent.len()` − 1: SplitMix64's outputs from state `key`.
#[inline(always)]
fn fill_latents(key: u64, latent: &mut [u64]) {
    for (i, u) in latent.iter_mut().enumerate() {
        *u = patient_latent(key, i);
    }
}

/// [`fill_latents`] compiled for AVX-512, whose 64-bit multiplies let the compiler compute eight
/// latents at once (the results are the same integers).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn fill_latents_avx512(key: u64, latent: &mut [u64]) {
    fill_latents(key, latent);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

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

    /// The scalar and the AVX-512 generators give the same latents for the same key, at lengths
    /// that are and are not multiples of eight, and both follow the documented formula (the
    /// SplitMix64 outputs from the key, on their top 53 bits). Without AVX-512 only the scalar
    /// path can be checked, and the test says so.
    #[test]
    fn scalar_and_avx512_latents_agree() {
        let wide = wide_multiplies();
        if !wide {
            eprintln!("this processor lacks AVX-512F/DQ: only the scalar latents are checked");
        }
        for key in [0, 1, trial_key(11, 5), trial_key(u64::MAX, 123_456), u64::MAX] {
            for len in [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 1_001] {
                let mut scalar = vec![0; len];
                fill_latents(key, &mut scalar);
                let mut reference = rand_xoshiro::SplitMix64::seed_from_u64(key);
                for (i, &u) in scalar.iter().enumerate() {
                    assert_eq!(u, reference.next_u64() >> 11, "key {key}, length {len}, patient {i}");
                }
                #[cfg(target_arch = "x86_64")]
                if wide {
                    let mut vector = vec![u64::MAX; len];
                    // SAFETY: `wide` says the processor has AVX-512F and AVX-512DQ.
                    unsafe { fill_latents_avx512(key, &mut vector) };
                    assert_eq!(vector, scalar, "key {key}, length {len}");
                }
            }
        }
    }

    /// A calendar-time patient takes four outputs of the trial's stream, in the documented order.
    #[test]
    fn calendar_patients_draw_four_numbers_in_order() {
        let mut stream = calendar_rng(3, 8);
        let mut reference = trial_rng(3 ^ CALENDAR_STREAM, 8);
        for _ in 0..3 {
            let k: Vec<u64> = (0..4).map(|_| reference.next_u64() >> 11).collect();
            let expected = CalendarLatents {
                arrival: k[0] as f64 / 2f64.powi(53),
                dlt: k[1],
                onset: k[2] as f64 / 2f64.powi(53),
                response: k[3],
            };
            assert_eq!(calendar_patient(&mut stream), expected);
        }
    }

    #[test]
    fn dlts_count_latents_below_the_threshold() {
        let mut stream = PatientStream::with_capacity(10);
        stream.start_trial(3, 9);
        let threshold = dlt_threshold(0.4);
        let expected = (4..10).filter(|&i| stream.latent(i) < threshold).count() as u16;
        assert_eq!(stream.dlts(4, 6, threshold), expected);
        assert_eq!(stream.dlts(0, 3, 0), 0);
        assert_eq!(stream.dlts(0, 3, dlt_threshold(1.0)), 3);
    }
}
