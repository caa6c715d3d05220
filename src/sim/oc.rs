//! Operating characteristics: integer counts merged across threads, and the table computed from
//! them (the only thing reports read).

use crate::dose_finding::{Decision, Dose, StopReason, TrialData};

/// Integer accumulators for one design under one truth. Merging is exact addition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcCounts {
    pub trials: u64,
    /// Trials that selected each dose.
    pub selected: Vec<u64>,
    /// Trials that selected no dose.
    pub selected_none: u64,
    /// Patients treated at each dose, summed over trials.
    pub patients: Vec<u64>,
    /// DLTs at each dose, summed over trials.
    pub dlts: Vec<u64>,
    /// Trials by stop reason, indexed as [`StopReason::ALL`].
    pub stops: [u64; 4],
    /// Trials by total sample size (index = patients).
    pub sample_size: Vec<u64>,
}

impl OcCounts {
    pub fn new(num_doses: usize, max_patients: u32) -> OcCounts {
        OcCounts {
            trials: 0,
            selected: vec![0; num_doses],
            selected_none: 0,
            patients: vec![0; num_doses],
            dlts: vec![0; num_doses],
            stops: [0; 4],
            sample_size: vec![0; max_patients as usize + 1],
        }
    }

    /// Adds one finished trial.
    pub fn record(&mut self, data: &TrialData, end: Decision) {
        self.trials += 1;
        if let Decision::Stop { selected, reason } = end {
            match selected {
                Some(d) => self.selected[d.index()] += 1,
                None => self.selected_none += 1,
            }
            self.stops[reason.index()] += 1;
        }
        for d in data.doses() {
            self.patients[d.index()] += u64::from(data.patients(d));
            self.dlts[d.index()] += u64::from(data.dlts(d));
        }
        self.sample_size[data.total_patients() as usize] += 1;
    }

    /// Adds another accumulator's counts.
    pub fn merge(&mut self, other: &OcCounts) {
        fn add(a: &mut [u64], b: &[u64]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.trials += other.trials;
        self.selected_none += other.selected_none;
        add(&mut self.selected, &other.selected);
        add(&mut self.patients, &other.patients);
        add(&mut self.dlts, &other.dlts);
        add(&mut self.stops, &other.stops);
        add(&mut self.sample_size, &other.sample_size);
    }
}

/// The right answer under a truth: a dose, or stopping because every dose is too toxic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CorrectDecision {
    Select(Dose),
    Stop,
}

impl CorrectDecision {
    /// The dose whose true DLT probability is closest to the target (ties: the lower dose), as
    /// BOIN's `get.oc`; stopping when every dose exceeds 1.4 × target. Comparisons allow for
    /// rounding (1e-12), so doses written equally far from the target tie as written.
    pub fn for_truth(dlt: &[f64], target: f64) -> CorrectDecision {
        const ROUNDING: f64 = 1e-12;
        if dlt.iter().all(|&p| p > 1.4 * target + ROUNDING) {
            return CorrectDecision::Stop;
        }
        let mut best = 0;
        for (j, p) in dlt.iter().enumerate() {
            if (p - target).abs() < (dlt[best] - target).abs() - ROUNDING {
                best = j;
            }
        }
        CorrectDecision::Select(Dose(best as u16))
    }

    /// Whether `dose` is above the correct dose (every dose, when stopping is correct).
    pub fn is_overdose(self, dose: Dose) -> bool {
        match self {
            CorrectDecision::Select(correct) => dose > correct,
            CorrectDecision::Stop => true,
        }
    }
}

/// One truth × design row of the OC tables.
#[derive(Clone, Debug, PartialEq)]
pub struct OcRow {
    pub truth: String,
    pub design: String,
    pub true_dlt: Vec<f64>,
    pub correct: CorrectDecision,
    pub counts: OcCounts,
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn mean(sum: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        sum as f64 / n as f64
    }
}

impl OcRow {
    fn doses(&self) -> impl Iterator<Item = Dose> {
        (0..self.true_dlt.len() as u16).map(Dose)
    }
    /// Percentage of trials selecting `dose` (over all trials).
    pub fn selected_pct(&self, dose: Dose) -> f64 {
        pct(self.counts.selected[dose.index()], self.counts.trials)
    }
    /// Mean patients treated at `dose` per trial.
    pub fn patients_mean(&self, dose: Dose) -> f64 {
        mean(self.counts.patients[dose.index()], self.counts.trials)
    }
    /// Mean DLTs at `dose` per trial.
    pub fn dlt_mean(&self, dose: Dose) -> f64 {
        mean(self.counts.dlts[dose.index()], self.counts.trials)
    }
    /// Percentage of trials making the correct decision.
    pub fn correct_selection_pct(&self) -> f64 {
        match self.correct {
            CorrectDecision::Select(d) => self.selected_pct(d),
            CorrectDecision::Stop => self.stopped_early_pct(),
        }
    }
    /// Percentage of trials that stopped without selecting a dose.
    pub fn stopped_early_pct(&self) -> f64 {
        pct(self.counts.selected_none, self.counts.trials)
    }
    /// Mean sample size.
    pub fn total_patients_mean(&self) -> f64 {
        mean(self.counts.patients.iter().sum(), self.counts.trials)
    }
    /// Standard deviation of the sample size.
    pub fn total_patients_sd(&self) -> f64 {
        let n = self.counts.trials as f64;
        if n < 2.0 {
            return 0.0;
        }
        let m = self.total_patients_mean();
        let ss: f64 = self
            .counts
            .sample_size
            .iter()
            .enumerate()
            .map(|(size, &k)| k as f64 * (size as f64 - m).powi(2))
            .sum();
        (ss / (n - 1.0)).sqrt()
    }
    /// Mean DLTs per trial.
    pub fn total_dlt_mean(&self) -> f64 {
        mean(self.counts.dlts.iter().sum(), self.counts.trials)
    }
    /// DLTs per patient treated, over all trials.
    pub fn dlt_rate(&self) -> f64 {
        let patients: u64 = self.counts.patients.iter().sum();
        mean(self.counts.dlts.iter().sum(), patients)
    }
    /// Percentage of patients treated above the correct dose.
    pub fn overdose_patients_pct(&self) -> f64 {
        let over: u64 = self
            .doses()
            .filter(|&d| self.correct.is_overdose(d))
            .map(|d| self.counts.patients[d.index()])
            .sum();
        pct(over, self.counts.patients.iter().sum())
    }
    /// Percentage of trials selecting a dose above the correct dose.
    pub fn overdose_selection_pct(&self) -> f64 {
        let over: u64 = self
            .doses()
            .filter(|&d| self.correct.is_overdose(d))
            .map(|d| self.counts.selected[d.index()])
            .sum();
        pct(over, self.counts.trials)
    }
    /// Percentage of trials that ended for `reason`.
    pub fn stop_pct(&self, reason: StopReason) -> f64 {
        pct(self.counts.stops[reason.index()], self.counts.trials)
    }
}

/// The operating characteristics of every design under every truth.
#[derive(Clone, Debug, PartialEq)]
pub struct OcTable {
    pub scenario: String,
    pub target: f64,
    pub dose_labels: Vec<String>,
    pub trials: u64,
    pub seed: u64,
    /// Rows ordered truth by truth, designs in scenario order within each truth.
    pub rows: Vec<OcRow>,
}

impl OcTable {
    /// Builds the table from counts indexed `[design][truth]`.
    pub fn new(
        scenario: &crate::scenario::Scenario,
        design_names: &[&str],
        counts: Vec<Vec<OcCounts>>,
        trials: u64,
        seed: u64,
    ) -> OcTable {
        let target = scenario.trial.target;
        let mut by_design: Vec<std::vec::IntoIter<OcCounts>> = counts.into_iter().map(Vec::into_iter).collect();
        let mut rows = Vec::new();
        for truth in &scenario.truths {
            for (k, name) in design_names.iter().enumerate() {
                let counts = by_design[k].next().expect("one count per truth");
                rows.push(OcRow {
                    truth: truth.name.clone(),
                    design: name.to_string(),
                    true_dlt: truth.dlt.clone(),
                    correct: CorrectDecision::for_truth(&truth.dlt, target),
                    counts,
                });
            }
        }
        OcTable {
            scenario: scenario.name.clone(),
            target,
            dose_labels: scenario.trial.doses.clone(),
            trials,
            seed,
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correct_dose_is_closest_with_lower_ties() {
        assert_eq!(
            CorrectDecision::for_truth(&[0.05, 0.15, 0.3, 0.45], 0.3),
            CorrectDecision::Select(Dose(2))
        );
        assert_eq!(
            CorrectDecision::for_truth(&[0.2, 0.3], 0.25),
            CorrectDecision::Select(Dose(0))
        );
        assert_eq!(CorrectDecision::for_truth(&[0.5, 0.6], 0.3), CorrectDecision::Stop);
        assert_eq!(
            CorrectDecision::for_truth(&[0.01, 0.02], 0.3),
            CorrectDecision::Select(Dose(1))
        );
    }
}
