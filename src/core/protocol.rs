//! The settings of a phase 1b protocol simulated in calendar time, as a scenario file gives them
//! and the calendar-time engine ([`crate::engines::calendar`]) reads them: how patients arrive and
//! are followed ([`Timing`]), step-up dosing ([`StepUpRule`]), backfill ([`Backfill`]) and the
//! utility that chooses the recommended phase-2 dose ([`Utility`]).

use super::{Dose, Onset};

/// How patients arrive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arrival {
    /// A Poisson process with this many patients a month.
    Poisson {
        /// Patients a month.
        rate: f64,
    },
    /// One patient every `interval` months.
    Fixed {
        /// Months between patients.
        interval: f64,
    },
}

/// The calendar of a trial: arrivals, the DLT window and the TEAE follow-up (months).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// How patients arrive.
    pub arrival: Arrival,
    /// The DLT assessment window (months).
    pub window: f64,
    /// How long TEAEs are followed (months).
    pub teae_followup: f64,
    /// When within the window DLTs occur (unless a truth says otherwise).
    pub onset: Onset,
    /// The longest a patient waits for accrual to reopen before being turned away (months;
    /// infinite: everyone waits).
    pub max_wait: f64,
}

/// How a dose level is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Regimen {
    /// The target dose at once.
    Direct,
    /// Priming dose(s) before the target dose.
    StepUp,
}

/// When cohorts switch from direct to step-up dosing (a design's `step_up` key).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepUpRule {
    /// Pre-specified: this level and every level above use step-up from the start.
    pub from: Option<Dose>,
    /// The safety committee's rule: after a CRS-type DLT at a level, every later patient at that
    /// level and above gets step-up dosing.
    pub after_crs: bool,
}

impl StepUpRule {
    /// The regimen of a patient treated at `dose` when `lowest_crs` is the lowest level with a
    /// CRS-type DLT observed so far.
    pub fn regimen(&self, dose: Dose, lowest_crs: Option<Dose>) -> Regimen {
        if self.switch_level(lowest_crs).is_some_and(|from| dose >= from) {
            Regimen::StepUp
        } else {
            Regimen::Direct
        }
    }

    /// The lowest level given step-up dosing when `lowest_crs` is the lowest level with a
    /// CRS-type DLT observed so far (none: direct dosing everywhere).
    pub fn switch_level(&self, lowest_crs: Option<Dose>) -> Option<Dose> {
        let committee = lowest_crs.filter(|_| self.after_crs);
        match (self.from, committee) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether the rule can give step-up dosing (from a pre-specified level or after a CRS-type DLT).
    pub fn is_used(&self) -> bool {
        self.from.is_some() || self.after_crs
    }
}

/// Backfill (a design's `backfill` key): while the escalation cohort is followed, arriving
/// patients are treated at once at a lower dose that is still open for backfill; their outcomes
/// count in later dose decisions once known. How doses open and close, how the data decide and how
/// backfill patients are counted is the [`BackfillVariant`].
#[derive(Clone, Debug, PartialEq)]
pub struct Backfill {
    /// The per-dose cap: with [`BackfillVariant::Bfboin`] a dose takes a backfill patient while it
    /// has at most this many patients (bfboin's `n.cap`, compared with ≤); with
    /// [`BackfillVariant::Design`] while it has fewer.
    pub max_per_dose: u32,
    /// Which reading of BF-BOIN.
    pub variant: BackfillVariant,
    /// Whether a dose opens for backfill only once an escalation patient there has responded
    /// (the response assessed when the patient's DLT window closes), as bfboin 0.1.1 gates
    /// backfill on `p.response.true`.
    pub require_response: bool,
}

impl Backfill {
    /// The most backfill patients one trial can treat beyond the escalation's `max_patients`
    /// (none when backfill counts toward it).
    pub fn extra_patients(&self, num_doses: usize) -> u32 {
        match self.variant {
            BackfillVariant::Bfboin(_) => self.max_per_dose * num_doses as u32,
            BackfillVariant::Design => 0,
        }
    }
}

/// The two readings of backfill.
#[derive(Clone, Debug, PartialEq)]
pub enum BackfillVariant {
    /// BF-BOIN as the authors' R package bfboin 0.1.1 codes it (Zhao, Yuan, Korn & Freidlin 2024,
    /// Clin Cancer Res 30:673): each dose up to the current one is judged on its own complete data
    /// by the interval design's table; when a lower dose's call disagrees with the current dose's,
    /// the current dose is pooled with the lower doses from the highest disagreeing one up, and
    /// the pooled counts decide; a backfill dose closes when neither its own rate nor its rate
    /// pooled with the next dose up is below the de-escalation boundary, and every dose above a
    /// closed one closes with it. A cohort is complete when each of its patients has had a DLT or
    /// finished the window; the decision is taken when the next patient arrives. Backfill
    /// patients come on top of the escalation's `max_patients`; the MTD is selected on the
    /// outcomes known when the last cohort is complete.
    Bfboin(std::sync::Arc<BfBoinTable>),
    /// trialsim's reading before bfboin parity: backfill patients join the dose's counts and the
    /// design decides as usual at the current dose; a backfill dose closes when the design's own
    /// rule calls for de-escalation from it ([`crate::designs::Fit::calls_for_deescalation`]);
    /// backfill counts toward `max_patients` and pauses while fewer than a cohort's places remain.
    Design,
}

/// An interval design's decision counts for every n, as BF-BOIN reads them (bfboin takes BOIN's
/// `get.boundary` full table), the stopping settings its rule uses and how it assigns backfill.
#[derive(Clone, Debug, PartialEq)]
pub struct BfBoinTable {
    /// Escalate if DLTs ≤ `escalate[n]`.
    pub escalate: Vec<Option<u32>>,
    /// De-escalate if DLTs ≥ `deescalate[n]` (capped at elimination).
    pub deescalate: Vec<Option<u32>>,
    /// Eliminate the dose and all above if DLTs ≥ `eliminate[n]` (n ≥ 3).
    pub eliminate: Vec<Option<u32>>,
    /// Whether the design has `extra_safe` (BF-BOIN then checks the lowest dose when its call
    /// is to de-escalate).
    pub extra_safe: bool,
    /// With `extra_safe`: stop if DLTs at the lowest dose ≥ `lowest_dose_stop[n]`.
    pub lowest_dose_stop: Vec<Option<u32>>,
    /// Stop (selecting the MTD) when the dose the trial stays at has this many patients.
    pub n_earlystop: u32,
    /// The escalation's sample size (`[trial] max_patients`, bfboin's `ncohort × cohortsize`);
    /// backfill patients come on top.
    pub escalation_patients: u32,
    /// Which open dose a backfill patient is treated at.
    pub assign: BackfillAssign,
}

/// Which of the doses open for backfill a BF-BOIN backfill patient is treated at (bfboin 0.1.1's
/// `backfill.assign`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackfillAssign {
    /// The highest open dose (bfboin's default).
    #[default]
    Highest,
    /// The lowest open dose.
    Lowest,
    /// One of the open doses, each with the same probability (bfboin's `sample`).
    Random,
}

impl BackfillAssign {
    /// Every rule, in the order the scenario's error message lists them.
    pub const ALL: [BackfillAssign; 3] = [BackfillAssign::Highest, BackfillAssign::Lowest, BackfillAssign::Random];

    /// The rule a scenario names (`assign = "…"`), `None` for an unknown name.
    pub fn from_key(key: &str) -> Option<BackfillAssign> {
        BackfillAssign::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The scenario's name of the rule (the `assign` key).
    pub fn key(self) -> &'static str {
        match self {
            BackfillAssign::Highest => "highest",
            BackfillAssign::Lowest => "lowest",
            BackfillAssign::Random => "random",
        }
    }
}

/// BOIN12's utility scores (Lin, Zhou, Yan, Li & Yuan 2020, JCO Precision Oncology 4:1393–1402)
/// on a 0–100 scale: a response without DLT scores 100 and a DLT without response 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Utility {
    /// A response with a DLT (BOIN12's u₃; 60 in the paper's example).
    pub response_with_dlt: f64,
    /// Neither response nor DLT (BOIN12's u₂; 40 in the paper's example).
    pub neither: f64,
}

impl Default for Utility {
    fn default() -> Utility {
        Utility {
            response_with_dlt: 60.0,
            neither: 40.0,
        }
    }
}

/// A dose's outcomes for choosing the RP2D.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EfficacyCounts {
    /// Patients treated.
    pub patients: u32,
    /// Patients with a DLT.
    pub dlts: u32,
    /// Responders.
    pub responses: u32,
    /// Responders who also had a DLT.
    pub responses_with_dlt: u32,
}

impl Utility {
    /// BOIN12's posterior mean utility of a dose: the scores summed as a quasi-binomial count
    /// x = Σ u/100 out of n, with a Beta(1, 1) prior: (1 + x) / (2 + n).
    pub fn posterior_mean(&self, c: &EfficacyCounts) -> f64 {
        let response_only = c.responses - c.responses_with_dlt;
        let neither = c.patients - c.dlts - response_only;
        let x = (100.0 * f64::from(response_only)
            + self.response_with_dlt * f64::from(c.responses_with_dlt)
            + self.neither * f64::from(neither))
            / 100.0;
        (1.0 + x) / (2.0 + f64::from(c.patients))
    }

    /// The RP2D: among doses tried at or below the MTD, the one with the highest posterior mean
    /// utility (ties: the lower dose), as escalation's `select_boin12_obd` after BOIN12's final
    /// selection. No MTD, no RP2D.
    pub fn select_rp2d(&self, counts: &[EfficacyCounts], mtd: Option<Dose>) -> Option<Dose> {
        let mtd = mtd?;
        let mut best: Option<(Dose, f64)> = None;
        for (d, c) in counts.iter().enumerate().take(mtd.index() + 1) {
            if c.patients == 0 {
                continue;
            }
            let u = self.posterior_mean(c);
            if best.is_none_or(|(_, b)| u > b) {
                best = Some((Dose(d as u16), u));
            }
        }
        best.map(|(d, _)| d).or(Some(mtd))
    }

    /// The true utility of a dose with DLT probability p and response probability q, responses
    /// independent of DLTs.
    pub fn true_utility(&self, p: f64, q: f64) -> f64 {
        100.0 * q * (1.0 - p) + self.response_with_dlt * q * p + self.neither * (1.0 - q) * (1.0 - p)
    }

    /// The right RP2D under a truth: the dose of highest true utility at or below the correct
    /// MTD (ties: the lower dose).
    pub fn correct_rp2d(&self, dlt: &[f64], efficacy: &[f64], mtd: Dose) -> Dose {
        let mut best = Dose(0);
        for d in 1..=mtd.index() {
            let (u, b) = (
                self.true_utility(dlt[d], efficacy[d]),
                self.true_utility(dlt[best.index()], efficacy[best.index()]),
            );
            if u > b + 1e-12 {
                best = Dose(d as u16);
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committee_switch_lowers_the_step_up_level() {
        let rule = StepUpRule {
            from: Some(Dose(4)),
            after_crs: true,
        };
        assert_eq!(rule.regimen(Dose(3), None), Regimen::Direct);
        assert_eq!(rule.regimen(Dose(4), None), Regimen::StepUp);
        assert_eq!(rule.regimen(Dose(3), Some(Dose(2))), Regimen::StepUp);
        assert_eq!(rule.regimen(Dose(1), Some(Dose(2))), Regimen::Direct);
        assert_eq!(rule.regimen(Dose(5), Some(Dose(5))), Regimen::StepUp);
        let never = StepUpRule::default();
        assert_eq!(never.regimen(Dose(5), Some(Dose(0))), Regimen::Direct);
        let committee = StepUpRule {
            from: None,
            after_crs: true,
        };
        assert_eq!(committee.regimen(Dose(2), Some(Dose(2))), Regimen::StepUp);
        assert_eq!(committee.regimen(Dose(2), None), Regimen::Direct);
    }

    /// BOIN12's utility: 3 patients, one response without DLT, one with, one DLT alone:
    /// x = (100 + 60 + 0)/100 = 1.6, posterior mean (1 + 1.6)/(2 + 3) = 0.52.
    #[test]
    fn posterior_mean_utility_by_hand() {
        let c = EfficacyCounts {
            patients: 3,
            dlts: 2,
            responses: 2,
            responses_with_dlt: 1,
        };
        assert!((Utility::default().posterior_mean(&c) - 0.52).abs() < 1e-12);
        // Nothing happened to 2 patients: x = 0.8, (1.8)/(4) = 0.45.
        let quiet = EfficacyCounts {
            patients: 2,
            ..Default::default()
        };
        assert!((Utility::default().posterior_mean(&quiet) - 0.45).abs() < 1e-12);
    }

    #[test]
    fn rp2d_is_the_best_utility_at_or_below_the_mtd() {
        let u = Utility::default();
        let counts = [
            EfficacyCounts {
                patients: 6,
                dlts: 0,
                responses: 1,
                responses_with_dlt: 0,
            },
            EfficacyCounts {
                patients: 9,
                dlts: 1,
                responses: 6,
                responses_with_dlt: 1,
            },
            EfficacyCounts {
                patients: 6,
                dlts: 2,
                responses: 4,
                responses_with_dlt: 2,
            },
            EfficacyCounts {
                patients: 3,
                dlts: 0,
                responses: 3,
                responses_with_dlt: 0,
            },
        ];
        assert_eq!(u.select_rp2d(&counts, Some(Dose(2))), Some(Dose(1)));
        assert_eq!(u.select_rp2d(&counts, Some(Dose(3))), Some(Dose(3)));
        assert_eq!(u.select_rp2d(&counts, None), None);
        assert_eq!(u.correct_rp2d(&[0.05, 0.1, 0.25], &[0.2, 0.5, 0.55], Dose(2)), Dose(1));
    }
}
