//! The Monte Carlo standard errors of a dose-finding row's figures ([`OcRow`]), each with the
//! formula of [`super::moments`]; 0 for exact rows.

use super::moments::{binomial_se_pct, Part, TrialMoments};
use super::oc::{Method, OcRow};
use crate::core::Dose;

impl OcRow {
    /// The per-trial moments of a simulated row (none for an exact row).
    fn moments(&self) -> Option<&TrialMoments> {
        match self.method {
            Method::Simulated { .. } => self.oc.moments.as_ref(),
            Method::Exact { .. } => None,
        }
    }

    /// The binomial standard error of a percentage `pct` of this row's trials.
    pub fn pct_se(&self, pct: f64) -> f64 {
        match self.method {
            Method::Simulated { trials } => binomial_se_pct(pct, trials),
            Method::Exact { .. } => 0.0,
        }
    }

    /// The standard error of the per-trial mean of `part` summed over the doses where `at` holds.
    pub fn mean_se(&self, part: Part, at: impl Fn(usize) -> bool) -> f64 {
        self.moments().map_or(0.0, |m| m.mean_se(&m.weights(part, at)))
    }

    /// The standard error of the percentage of `part` at the doses where `at` holds among
    /// `of` at the doses where `among` holds (a ratio of means).
    pub fn share_se(&self, part: (Part, &dyn Fn(usize) -> bool), of: (Part, &dyn Fn(usize) -> bool)) -> f64 {
        self.moments().map_or(0.0, |m| {
            m.ratio_se(&m.weights(part.0, part.1), &m.weights(of.0, of.1), 100.0)
        })
    }

    /// The standard error of the mean patients treated at `dose`.
    pub fn patients_mean_se(&self, dose: Dose) -> f64 {
        self.mean_se(Part::Patients, |d| d == dose.index())
    }

    /// The standard error of the mean DLTs at `dose`.
    pub fn dlt_mean_se(&self, dose: Dose) -> f64 {
        self.mean_se(Part::Dlts, |d| d == dose.index())
    }

    /// The standard error of the mean responses at `dose`.
    pub fn response_mean_se(&self, dose: Dose) -> f64 {
        self.mean_se(Part::Responses, |d| d == dose.index())
    }

    /// The standard error of the mean sample size.
    pub fn total_patients_mean_se(&self) -> f64 {
        self.mean_se(Part::Patients, |_| true)
    }

    /// The standard error of the mean DLTs per trial.
    pub fn total_dlt_mean_se(&self) -> f64 {
        self.mean_se(Part::Dlts, |_| true)
    }

    /// The standard error of DLTs per patient treated.
    pub fn dlt_rate_se(&self) -> f64 {
        self.share_se((Part::Dlts, &|_| true), (Part::Patients, &|_| true)) / 100.0
    }

    /// The standard error of the % of patients treated above the correct dose.
    pub fn overdose_patients_pct_se(&self) -> f64 {
        let over = |d: usize| self.correct.is_overdose(Dose(d as u16));
        self.share_se((Part::Patients, &over), (Part::Patients, &|_| true))
    }

    /// The standard error of the sample size's SD: √((μ₄ − σ⁴)/n)/(2σ), from the sample-size
    /// distribution (the delta method for √ of the sample variance).
    pub fn total_patients_sd_se(&self) -> f64 {
        let Method::Simulated { trials } = self.method else {
            return 0.0;
        };
        let mean = self.total_patients_mean();
        let central = |k: i32| -> f64 {
            (self.oc.sample_size.iter().enumerate())
                .map(|(n, &p)| p * (n as f64 - mean).powi(k))
                .sum()
        };
        let (variance, fourth) = (central(2), central(4));
        if variance <= 0.0 || trials < 2 {
            return 0.0;
        }
        ((fourth - variance * variance).max(0.0) / trials as f64).sqrt() / (2.0 * variance.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::oc::{CorrectDecision, OcProbabilities};

    /// Two simulated trials at one dose: (2 patients, 0 DLTs) and (4, 2).
    #[test]
    fn simulated_rows_have_standard_errors_and_exact_rows_none() {
        let mut row = OcRow {
            truth: "t".into(),
            design: "d".into(),
            true_dlt: vec![0.3],
            correct: CorrectDecision::Select(Dose(0)),
            method: Method::Simulated { trials: 2 },
            oc: OcProbabilities {
                selected: vec![1.0],
                selected_none: 0.0,
                patients: vec![3.0],
                dlts: vec![1.0],
                stops: [1.0, 0.0, 0.0, 0.0, 0.0],
                sample_size: vec![0.0, 0.0, 0.5, 0.0, 0.5],
                responses: None,
                moments: Some(TrialMoments {
                    trials: 2,
                    doses: 1,
                    products: vec![10.0, 4.0, 2.0],
                    means: vec![3.0, 1.0],
                }),
            },
            timing: None,
            obd: None,
        };
        // Patients 2, 4: sample SD √2, SE 1; DLTs 0, 2: SE 1.
        assert!((row.patients_mean_se(Dose(0)) - 1.0).abs() < 1e-12);
        assert!((row.total_dlt_mean_se() - 1.0).abs() < 1e-12);
        // DLT rate 1/3: residuals 0 − 2/3, 2 − 4/3 → ±2/3, sample variance 8/9, SE √(4/9)/3.
        assert!((row.dlt_rate_se() - 2.0 / 9.0).abs() < 1e-12);
        assert_eq!(row.pct_se(50.0), 100.0 * (0.25f64 / 2.0).sqrt());
        row.method = Method::Exact { states: 3 };
        assert_eq!((row.patients_mean_se(Dose(0)), row.pct_se(50.0)), (0.0, 0.0));
    }
}
