//! How patients arrive (Poisson or uniform accrual) and the study's calendar: entry times,
//! assessment window, minimum follow-up and dropout.

use super::{exponential, Latent, PatientLatents};
use crate::designs::single_arm::{positive, require, SingleArmError};

/// How patients arrive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Accrual {
    /// A Poisson process with this rate (patients per month); the first patient arrives after
    /// one exponential gap.
    Poisson {
        /// Patients per month.
        rate: f64,
    },
    /// The study's patients arrive at the order statistics of that many independent uniforms on
    /// [0, duration] (the uniform accrual of Wu 2015); a design with fewer patients uses the
    /// first ones, so it finishes accrual earlier.
    Uniform {
        /// Months of accrual of the study's patients.
        duration: f64,
    },
}

impl Accrual {
    /// Poisson arrivals, `rate` finite and positive.
    pub fn poisson(rate: f64) -> Result<Accrual, SingleArmError> {
        Ok(Accrual::Poisson {
            rate: positive("accrual_rate", rate)?,
        })
    }

    /// Uniform accrual over `duration` months, finite and positive.
    pub fn uniform(duration: f64) -> Result<Accrual, SingleArmError> {
        Ok(Accrual::Uniform {
            duration: positive("accrual_duration", duration)?,
        })
    }
}

/// The study's calendar: its maximum number of patients, accrual, the window after entry at
/// which response and toxicity are known, the minimum follow-up after the last patient, and
/// loss to follow-up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StudyTiming {
    patients: u32,
    accrual: Accrual,
    assessment: f64,
    min_followup: f64,
    dropout_rate: f64,
}

impl StudyTiming {
    /// Checks `patients` ≥ 1 (the most any design enrols), `assessment` and `min_followup`
    /// finite and ≥ 0 (months), and `dropout_rate` (exponential, per month) finite and ≥ 0.
    pub fn new(
        patients: u32,
        accrual: Accrual,
        assessment: f64,
        min_followup: f64,
        dropout_rate: f64,
    ) -> Result<StudyTiming, SingleArmError> {
        require(patients >= 1, "patients", patients, "at least 1")?;
        let nonnegative = |x: f64| x.is_finite() && x >= 0.0;
        require(nonnegative(assessment), "assessment", assessment, "finite and ≥ 0")?;
        require(
            nonnegative(min_followup),
            "min_followup",
            min_followup,
            "finite and ≥ 0",
        )?;
        require(
            nonnegative(dropout_rate),
            "dropout_rate",
            dropout_rate,
            "finite and ≥ 0",
        )?;
        Ok(StudyTiming {
            patients,
            accrual,
            assessment,
            min_followup,
            dropout_rate,
        })
    }

    /// Maximum number of patients of the study (every design enrols at most this many).
    pub fn patients(&self) -> u32 {
        self.patients
    }

    /// The accrual process.
    pub fn accrual(&self) -> Accrual {
        self.accrual
    }

    /// Months from entry until response and toxicity are known.
    pub fn assessment(&self) -> f64 {
        self.assessment
    }

    /// Minimum follow-up after the last patient's entry.
    pub fn min_followup(&self) -> f64 {
        self.min_followup
    }

    /// Exponential dropout rate per month.
    pub fn dropout_rate(&self) -> f64 {
        self.dropout_rate
    }

    /// Time from the last entry to the final analysis: max(min follow-up, assessment), so the
    /// last patient's response is known by then.
    pub fn final_lag(&self) -> f64 {
        self.min_followup.max(self.assessment)
    }

    /// (entry, dropout) of each patient, from their latents and the closing spacing, into `out`.
    pub fn calendar(&self, latents: &[PatientLatents], closing: u64, out: &mut Vec<(f64, f64)>) {
        out.clear();
        let mut elapsed = 0.0;
        for u in latents {
            elapsed += exponential(u[Latent::ArrivalGap as usize]);
            let dropout = if self.dropout_rate > 0.0 {
                exponential(u[Latent::Dropout as usize]) / self.dropout_rate
            } else {
                f64::INFINITY
            };
            out.push((elapsed, dropout));
        }
        let scale = match self.accrual {
            Accrual::Poisson { rate } => rate.recip(),
            // Uniform order statistics: partial sums of n + 1 exponential spacings over their total.
            Accrual::Uniform { duration } => duration / (elapsed + exponential(closing)),
        };
        for (entry, _) in out.iter_mut() {
            *entry *= scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::draw_latents;
    use super::*;
    use crate::core::random::trial_rng;

    /// Uniform accrual: the entries are sorted and inside [0, duration], and their mean is
    /// duration/2; Poisson accrual has mean gap 1/rate. Dropout is exponential.
    #[test]
    fn accrual_and_dropout() {
        let uniform = StudyTiming::new(56, Accrual::uniform(18.0).unwrap(), 1.5, 12.0, 0.05).unwrap();
        let poisson = StudyTiming::new(56, Accrual::poisson(3.0).unwrap(), 1.5, 12.0, 0.0).unwrap();
        let (mut latents, mut calendar) = (Vec::new(), Vec::new());
        let (mut sum, mut count, mut last_poisson, mut dropped) = (0.0, 0u32, 0.0, 0u32);
        let trials = 4000u32;
        for trial in 0..trials {
            let closing = draw_latents(&mut trial_rng(9, u64::from(trial)), 56, &mut latents);
            uniform.calendar(&latents, closing, &mut calendar);
            assert!(calendar.windows(2).all(|w| w[0].0 <= w[1].0));
            assert!(calendar.iter().all(|&(e, _)| (0.0..=18.0).contains(&e)));
            sum += calendar.iter().map(|&(e, _)| e).sum::<f64>();
            count += 56;
            dropped += calendar.iter().filter(|&&(_, d)| d < 12.0).count() as u32;
            poisson.calendar(&latents, closing, &mut calendar);
            last_poisson += calendar[55].0;
        }
        // Mean entry 9 (SD of one entry 18/√12), mean 56th Poisson arrival 56/3 (SD √56/3).
        let mean = sum / f64::from(count);
        assert!(
            (mean - 9.0).abs() < 4.0 * 18.0 / 12f64.sqrt() / f64::from(count).sqrt(),
            "{mean}"
        );
        let mean_last = last_poisson / f64::from(trials);
        assert!((mean_last - 56.0 / 3.0).abs() < 4.0 * 56f64.sqrt() / 3.0 / f64::from(trials).sqrt());
        let p = 1.0 - (-0.05f64 * 12.0).exp();
        let observed = f64::from(dropped) / f64::from(count);
        assert!(
            (observed - p).abs() < 4.0 * (p * (1.0 - p) / f64::from(count)).sqrt(),
            "{observed}"
        );
    }
}
