//! A truth of a single-arm trial (response rate, toxicity probability, PFS and OS) and the
//! patients it gives from their latent uniforms.

use super::curves::{Hazard, TimeToEvent};
use super::{exponential, Latent, PatientLatents};
use crate::core::random::dlt_threshold;
use crate::designs::single_arm::{require, JointOutcome, SingleArmError};

/// One truth of a single-arm trial: response rate, toxicity probability, PFS and OS.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleArmTruth {
    name: String,
    orr: f64,
    p_tox: f64,
    pfs: TimeToEvent,
    os: TimeToEvent,
    /// Odds ratio of response and toxicity (1: independent).
    odds_ratio: f64,
    response_threshold: u64,
    /// Toxicity thresholds of non-responders and responders (equal when independent).
    toxicity_threshold: [u64; 2],
    /// OS cumulative hazard by stratum (0: non-responders, 1: responders).
    os_hazard: [Hazard; 2],
    /// Latent progression cumulative hazard Λ_PFS − Λ_OS by stratum.
    progression_hazard: [Hazard; 2],
}

impl SingleArmTruth {
    /// Checks `orr` and `p_tox` in [0, 1] and that PFS can be at most OS with both marginals
    /// exact (the PFS hazard at least the OS hazard at all times in each stratum; see the module
    /// documentation), else names `pfs`.
    pub fn new(
        name: impl Into<String>,
        orr: f64,
        p_tox: f64,
        pfs: TimeToEvent,
        os: TimeToEvent,
    ) -> Result<SingleArmTruth, SingleArmError> {
        require((0.0..=1.0).contains(&orr), "orr", orr, "in [0, 1]")?;
        require((0.0..=1.0).contains(&p_tox), "p_tox", p_tox, "in [0, 1]")?;
        let os_hazard = os.strata(orr);
        let pfs_hazard = pfs.strata(orr);
        let difference = |g: usize| pfs_hazard[g].minus(&os_hazard[g]);
        let (Some(nonresponders), Some(responders)) = (difference(0), difference(1)) else {
            return Err(SingleArmError::InvalidParameter {
                name: "pfs",
                value: format!(
                    "median {} (responder HR {}) against OS median {} (responder HR {})",
                    pfs.curve().median(),
                    pfs.responder_hr(),
                    os.curve().median(),
                    os.responder_hr()
                ),
                requirement: "a curve whose hazard is at least OS's at every time in each response stratum \
                              (same-shape Weibull, or exponential/piecewise exponential curves)",
            });
        };
        Ok(SingleArmTruth {
            name: name.into(),
            orr,
            p_tox,
            pfs,
            os,
            odds_ratio: 1.0,
            response_threshold: dlt_threshold(orr),
            toxicity_threshold: [dlt_threshold(p_tox); 2],
            os_hazard,
            progression_hazard: [nonresponders, responders],
        })
    }

    /// The truth with response and toxicity associated by the odds ratio `odds_ratio` (see
    /// [`JointOutcome`]): a patient has a toxicity iff u_toxicity < P(toxicity | their response),
    /// so the marginal toxicity rate is unchanged. Names `odds_ratio` unless finite and positive.
    pub fn with_odds_ratio(mut self, odds_ratio: f64) -> Result<SingleArmTruth, SingleArmError> {
        let joint = JointOutcome::new(self.orr, self.p_tox, odds_ratio)?;
        self.odds_ratio = odds_ratio;
        self.toxicity_threshold = joint.toxicity_given_response().map(dlt_threshold);
        Ok(self)
    }

    /// The odds ratio of response and toxicity.
    pub fn odds_ratio(&self) -> f64 {
        self.odds_ratio
    }

    /// The four joint outcome probabilities of a patient (response × toxicity).
    pub fn joint(&self) -> JointOutcome {
        JointOutcome::new(self.orr, self.p_tox, self.odds_ratio).expect("checked by the constructors")
    }

    /// The truth's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True objective response rate.
    pub fn orr(&self) -> f64 {
        self.orr
    }

    /// True probability of a limiting toxicity.
    pub fn p_tox(&self) -> f64 {
        self.p_tox
    }

    /// PFS truth.
    pub fn pfs(&self) -> &TimeToEvent {
        &self.pfs
    }

    /// OS truth.
    pub fn os(&self) -> &TimeToEvent {
        &self.os
    }

    /// Marginal P(OS > t) of the simulated patients (the response-stratum mixture).
    pub fn os_survival(&self, t: f64) -> f64 {
        self.mixture(&self.os_hazard, t)
    }

    /// Marginal P(PFS > t) of the simulated patients (equal to the given PFS curve's mixture).
    pub fn pfs_survival(&self, t: f64) -> f64 {
        let both = |g: usize| self.os_hazard[g].cumulative(t) + self.progression_hazard[g].cumulative(t);
        (1.0 - self.orr) * (-both(0)).exp() + self.orr * (-both(1)).exp()
    }

    fn mixture(&self, hazard: &[Hazard; 2], t: f64) -> f64 {
        (1.0 - self.orr) * (-hazard[0].cumulative(t)).exp() + self.orr * (-hazard[1].cumulative(t)).exp()
    }

    /// The patients of one trial under this truth, from their latents and the trial's calendar
    /// (`calendar[i]` = (entry, dropout) of patient i, from [`StudyTiming::calendar`](super::StudyTiming::calendar)).
    pub fn patients(&self, latents: &[PatientLatents], calendar: &[(f64, f64)], out: &mut Vec<Patient>) {
        out.clear();
        out.extend(latents.iter().zip(calendar).map(|(u, &(entry, dropout))| {
            let responder = u[Latent::Response as usize] < self.response_threshold;
            let g = usize::from(responder);
            let os = self.os_hazard[g].inverse(exponential(u[Latent::Os as usize]));
            let progression = self.progression_hazard[g].inverse(exponential(u[Latent::Pfs as usize]));
            Patient {
                entry,
                responder,
                toxicity: u[Latent::Toxicity as usize] < self.toxicity_threshold[g],
                pfs: progression.min(os),
                os,
                dropout,
            }
        }));
    }
}

/// A simulated patient; times in months, `entry` on the calendar, the others from entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Patient {
    /// Entry on the study's calendar.
    pub entry: f64,
    /// Whether the patient responds.
    pub responder: bool,
    /// Whether the patient has a limiting toxicity.
    pub toxicity: bool,
    /// Progression-free survival time (at most `os`).
    pub pfs: f64,
    /// Overall survival time.
    pub os: f64,
    /// Time of loss to follow-up (infinite without dropout).
    pub dropout: f64,
}

#[cfg(test)]
mod tests {
    use super::super::{draw_latents, Accrual, StudyTiming, SurvivalCurve};
    use super::*;
    use crate::core::random::trial_rng;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Both marginals exact and PFS ≤ OS: 200,000 patients, the empirical P(T > t) at several t
    /// within 4 SE of the true curve, for exponential OS and piecewise PFS with responder effects.
    #[test]
    fn simulated_patients_follow_both_marginals() {
        let os_curve = SurvivalCurve::exponential(12.0).unwrap();
        let pfs_curve = SurvivalCurve::piecewise(vec![2.0], vec![0.25, 0.15]).unwrap();
        let (orr, hr) = (0.5, 0.5);
        let truth = SingleArmTruth::new(
            "t",
            orr,
            0.2,
            TimeToEvent::new(pfs_curve.clone(), hr).unwrap(),
            TimeToEvent::new(os_curve.clone(), hr).unwrap(),
        )
        .unwrap();
        assert!(close(truth.os_survival(12.0), 0.5, 1e-12));
        assert!(close(truth.pfs_survival(pfs_curve.median()), 0.5, 1e-12));
        let timing = StudyTiming::new(50, Accrual::poisson(2.0).unwrap(), 1.5, 12.0, 0.0).unwrap();
        let (mut latents, mut calendar, mut patients) = (Vec::new(), Vec::new(), Vec::new());
        let times = [1.0, 3.0, 6.0, 12.0, 24.0];
        let (mut os_above, mut pfs_above) = ([0u32; 5], [0u32; 5]);
        let (mut responders, mut toxic, mut total) = (0u32, 0u32, 0u32);
        for trial in 0..4000 {
            let closing = draw_latents(&mut trial_rng(5, trial), 50, &mut latents);
            timing.calendar(&latents, closing, &mut calendar);
            truth.patients(&latents, &calendar, &mut patients);
            for p in &patients {
                assert!(p.pfs <= p.os && p.dropout.is_infinite());
                for (k, &t) in times.iter().enumerate() {
                    os_above[k] += u32::from(p.os > t);
                    pfs_above[k] += u32::from(p.pfs > t);
                }
                responders += u32::from(p.responder);
                toxic += u32::from(p.toxicity);
                total += 1;
            }
        }
        let n = f64::from(total);
        let check = |count: u32, p: f64, what: &str| {
            let se = (p * (1.0 - p) / n).sqrt();
            assert!(
                (f64::from(count) / n - p).abs() < 4.0 * se,
                "{what}: {} vs {p}",
                f64::from(count) / n
            );
        };
        for (k, &t) in times.iter().enumerate() {
            check(os_above[k], truth.os_survival(t), "OS");
            check(pfs_above[k], truth.pfs_survival(t), "PFS");
        }
        check(os_above[3], 0.5, "OS median");
        check(responders, orr, "ORR");
        check(toxic, 0.2, "toxicity");
    }
}
