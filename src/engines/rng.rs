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
//! When a design of the run decides on responses (a phase I/II design), patient i also has a
//! response latent v_i, drawn the same way from a second counter stream, the key
//! k_E = mix64((s ⊕ [`RESPONSE_STREAM`]) ⊕ mix64(t)) ([`PatientStream::with_responses`]): the
//! toxicity latents are those of a toxicity-only run, and runs without such a design compute no
//! response latent. Patient i responds at dose d iff v_i < P(response | DLT at d) when the patient
//! had a DLT, and v_i < P(response | no DLT at d) otherwise ([`JointThreshold`]), the conditionals
//! of the truth's joint law of DLT and response ([`DoseTruth`]).
//!
//! # Random truths
//!
//! Curve c of `[random_truths]` (see [`crate::run::random_truths`]) runs its trial t as the
//! dose-finding engine runs trial t of a run seeded mix64((s ⊕ `CURVE_TRIALS_STREAM`) ⊕ mix64(c)),
//! so each curve's patients are its own; the curves themselves come from Xoshiro256++ keyed by
//! (their own seed ⊕ `CURVE_STREAM`, c), see [`crate::scenario::RandomTruths`].
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
//! BF-BOIN's random backfill assignment (`backfill = { assign = "random" }`) gives patient i (in
//! the same numbering) the 53-bit latent [`patient_latent`]`(k_B, i)` of a counter stream of its
//! own, k_B = mix64((s ⊕ [`BACKFILL_STREAM`]) ⊕ mix64(t)), read only when the patient is
//! backfilled at random: the four draws above are those of a run without it.
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
use crate::core::{DoseTruth, EfficacyCounts};
use rand::RngCore;
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64's increment γ (the odd integer closest to 2^64 / golden ratio).
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The calendar-time engine's seed offset ("timed_tr" in ASCII), XOR-ed into the run seed.
pub const CALENDAR_STREAM: u64 = 0x7469_6d65_645f_7472;

/// The backfill assignment latents' seed offset ("backfill" in ASCII), XOR-ed into the run seed.
pub const BACKFILL_STREAM: u64 = 0x6261_636b_6669_6c6c;

/// The response latents' seed offset ("response" in ASCII), XOR-ed into the run seed.
pub const RESPONSE_STREAM: u64 = 0x7265_7370_6f6e_7365;

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

/// The thresholds of one dose under one truth for a patient's DLT and response (see
/// [`dlt_threshold`]): the response threshold depends on whether the patient had a DLT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JointThreshold {
    /// The DLT threshold.
    pub dlt: u64,
    /// The response threshold of a patient with a DLT: P(response | DLT).
    pub response_if_dlt: u64,
    /// The response threshold of a patient without a DLT: P(response | no DLT).
    pub response_if_no_dlt: u64,
}

impl JointThreshold {
    /// The thresholds of a dose whose joint law is `truth`.
    pub fn new(truth: &DoseTruth) -> JointThreshold {
        JointThreshold {
            dlt: dlt_threshold(truth.dlt),
            response_if_dlt: dlt_threshold(truth.response_given_dlt()),
            response_if_no_dlt: dlt_threshold(truth.response_given_no_dlt()),
        }
    }
}

/// The latent uniforms of one trial's patients, computed when the trial starts and shared by
/// every design and truth.
pub struct PatientStream {
    /// Latents of patients 0 … capacity − 1 of the current trial.
    latent: Vec<u64>,
    /// Their response latents; empty unless the run observes efficacy.
    response: Vec<u64>,
    /// Whether the processor computes eight latents at once (AVX-512 with 64-bit multiplies).
    wide: bool,
}

impl PatientStream {
    /// A stream for trials of at most `capacity` patients.
    pub fn with_capacity(capacity: usize) -> PatientStream {
        PatientStream {
            latent: vec![0; capacity],
            response: Vec::new(),
            wide: wide_multiplies(),
        }
    }

    /// The stream with a response latent per patient as well (see the module documentation).
    pub fn with_responses(mut self) -> PatientStream {
        self.response = vec![0; self.latent.len()];
        self
    }

    /// Starts trial `trial` of the run seeded with `seed`: computes every patient's latent (a
    /// stream with responses then needs [`PatientStream::start_responses`] too).
    pub fn start_trial(&mut self, seed: u64, trial: u64) {
        fill(self.wide, trial_key(seed, trial), &mut self.latent);
    }

    /// Computes every patient's response latent for trial `trial` of the run seeded with `seed`
    /// (a stream with responses only).
    #[inline(never)]
    pub fn start_responses(&mut self, seed: u64, trial: u64) {
        debug_assert!(!self.response.is_empty(), "a stream without responses");
        fill(self.wide, trial_key(seed ^ RESPONSE_STREAM, trial), &mut self.response);
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

    /// Patient `i`'s response latent, as a 53-bit integer (a stream with responses only).
    #[inline]
    pub fn response_latent(&self, i: usize) -> u64 {
        self.response[i]
    }

    /// The joint outcomes of patients `first` … `first + size − 1` at a dose with thresholds
    /// `threshold` (a stream with responses only).
    #[inline]
    pub fn joint(&self, first: usize, size: usize, threshold: JointThreshold) -> EfficacyCounts {
        let mut outcomes = EfficacyCounts {
            patients: size as u32,
            ..EfficacyCounts::default()
        };
        for (&u, &v) in self.latent[first..first + size]
            .iter()
            .zip(&self.response[first..first + size])
        {
            let dlt = u < threshold.dlt;
            let bar = if dlt {
                threshold.response_if_dlt
            } else {
                threshold.response_if_no_dlt
            };
            let response = v < bar;
            outcomes.dlts += u32::from(dlt);
            outcomes.responses += u32::from(response);
            outcomes.responses_with_dlt += u32::from(dlt && response);
        }
        outcomes
    }
}

/// The latents from `key` into `latent`, eight at a time when `wide`.
#[inline(always)]
fn fill(wide: bool, key: u64, latent: &mut [u64]) {
    #[cfg(target_arch = "x86_64")]
    if wide {
        // SAFETY: `wide` is set only when the processor has AVX-512F and AVX-512DQ.
        return unsafe { fill_latents_avx512(key, latent) };
    }
    fill_latents(key, latent);
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

    /// Response latents come from their own stream: the toxicity latents are those of a stream
    /// without responses, and the response latents are SplitMix64's outputs from the key of
    /// (seed ⊕ RESPONSE_STREAM, trial).
    #[test]
    fn response_latents_leave_toxicity_latents_alone() {
        let mut plain = PatientStream::with_capacity(9);
        let mut joint = PatientStream::with_capacity(9).with_responses();
        plain.start_trial(5, 2);
        joint.start_trial(5, 2);
        joint.start_responses(5, 2);
        let mut reference = rand_xoshiro::SplitMix64::seed_from_u64(trial_key(5 ^ RESPONSE_STREAM, 2));
        for i in 0..9 {
            assert_eq!(plain.latent(i), joint.latent(i));
            assert_eq!(joint.response_latent(i), reference.next_u64() >> 11);
            assert_ne!(joint.response_latent(i), joint.latent(i));
        }
    }

    /// A cohort's joint outcome counts each patient by the documented comparisons.
    #[test]
    fn joint_outcomes_follow_the_conditional_thresholds() {
        let mut stream = PatientStream::with_capacity(40).with_responses();
        stream.start_trial(1, 1);
        stream.start_responses(1, 1);
        let truth = DoseTruth {
            dlt: 0.5,
            response: 0.5,
            response_with_dlt: 0.375,
        };
        let t = JointThreshold::new(&truth);
        assert_eq!(t.response_if_dlt, dlt_threshold(0.75));
        let outcomes = stream.joint(3, 30, t);
        let (mut y, mut r, mut b) = (0, 0, 0);
        for i in 3..33 {
            let dlt = stream.latent(i) < t.dlt;
            let response = stream.response_latent(i) < if dlt { t.response_if_dlt } else { t.response_if_no_dlt };
            (y, r, b) = (
                y + u32::from(dlt),
                r + u32::from(response),
                b + u32::from(dlt && response),
            );
        }
        assert_eq!(
            (
                outcomes.patients,
                outcomes.dlts,
                outcomes.responses,
                outcomes.responses_with_dlt
            ),
            (30, y, r, b)
        );
        assert_eq!(u32::from(stream.dlts(3, 30, t.dlt)), y);
    }
}
