//! Accelerated titration (Simon, Freidlin, Rubinstein, Arbuck, Collins & Christian 1997, JNCI
//! 89:1138–1147, design 2): one patient per dose level, escalating after each patient, until the
//! first DLT (or until the top dose has been given); then the trial reverts to standard cohorts
//! under the base design.
//!
//! After the first DLT at dose d the next cohort tops up a dose to a full cohort: by default d
//! itself, as the titration option of `BOIN::get.oc` (BOIN 2.7.2) gives the next `cohortsize − 1`
//! patients dose d ([`AfterFirstDlt::SameDose`]); or d − 1 (dose 1 if d is the lowest), the dose
//! below the DLT ([`AfterFirstDlt::DoseBelow`]). Without a DLT, the current dose is topped up once
//! the top dose is reached or the next level is inadmissible under the base design (BLRM's
//! overdose control). The base design decides from then on, with the titration patients counted.

use super::{Decision, Design, Dose, Fit, TrialData};

/// Which dose the cohort after titration's first DLT fills up (`titration_after_dlt`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AfterFirstDlt {
    /// The DLT dose itself, as `BOIN::get.oc(titration = TRUE)` (BOIN 2.7.2): `"same"`.
    #[default]
    SameDose,
    /// The dose below the DLT dose (the DLT dose if it is the lowest): `"below"`.
    DoseBelow,
}

impl AfterFirstDlt {
    /// The scenario's value of `titration_after_dlt`.
    pub fn key(self) -> &'static str {
        match self {
            AfterFirstDlt::SameDose => "same",
            AfterFirstDlt::DoseBelow => "below",
        }
    }

    /// The value of `titration_after_dlt` named `key`, if any.
    pub fn from_key(key: &str) -> Option<AfterFirstDlt> {
        [AfterFirstDlt::SameDose, AfterFirstDlt::DoseBelow]
            .into_iter()
            .find(|a| a.key() == key)
    }
}

/// A base design preceded by accelerated titration.
#[derive(Clone, Debug)]
pub struct AcceleratedTitration<D> {
    base: D,
    after_first_dlt: AfterFirstDlt,
}

impl<D> AcceleratedTitration<D> {
    /// `base` after its titration stage, which fills up `after_first_dlt` after the first DLT.
    pub fn new(base: D, after_first_dlt: AfterFirstDlt) -> AcceleratedTitration<D> {
        AcceleratedTitration { base, after_first_dlt }
    }
}

/// Where the trial stands: titrating, topping up a dose to a full cohort, or under the base design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Titrating(Dose),
    TopUp(Dose),
    Base,
}

/// The phase after the data so far. Titration lasts while no dose has more than one patient and
/// the next level is admissible under the base design (e.g. BLRM's overdose control); when it is
/// not, titration ends by topping up the current dose; after the first DLT, by topping up the
/// dose `after_first_dlt` names.
fn phase(data: &TrialData, after_first_dlt: AfterFirstDlt, admissible: impl Fn(Dose) -> bool) -> Phase {
    if data.doses().any(|d| data.patients(d) > 1) {
        return Phase::Base;
    }
    let current = data.current_dose();
    let top = Dose((data.num_doses() - 1) as u16);
    let phase = if data.total_patients() == 0 {
        Phase::Titrating(current)
    } else if data.total_dlts() == 0 && current < top && admissible(Dose(current.0 + 1)) {
        Phase::Titrating(Dose(current.0 + 1))
    } else if data.total_dlts() == 0 || after_first_dlt == AfterFirstDlt::SameDose {
        Phase::TopUp(current)
    } else {
        Phase::TopUp(Dose(current.0.saturating_sub(1)))
    };
    // Titration never treats where the base design would not: it hands over instead.
    match phase {
        Phase::Titrating(d) | Phase::TopUp(d) if !admissible(d) => Phase::Base,
        other => other,
    }
}

/// A base design's fit whose decision a stage in front of the base design may override:
/// accelerated titration while it lasts, or a time-to-event design's decision on data with
/// follow-up ([`tite`](super::tite)). The selected dose, admissibility and estimates (what rules
/// judge) are always the base fit's.
pub struct OverriddenFit<F> {
    base: F,
    /// The stage's decision and the rule that made it, in words.
    decision: Option<(Decision, &'static str)>,
}

impl<F> OverriddenFit<F> {
    /// `base` with the stage's `decision` (and its rule, in words) in place of its own, where
    /// there is one.
    pub(crate) fn new(base: F, decision: Option<(Decision, &'static str)>) -> OverriddenFit<F> {
        OverriddenFit { base, decision }
    }
}

/// The titration stage's rules, in words.
const TITRATING: &str = "accelerated titration (Simon et al. 1997): one patient per cohort, one \
                         dose higher each time, until the first DLT";
const TOP_UP: &str = "accelerated titration ended at the first DLT: the dose is filled up to a full cohort";

impl<D: Design> Design for AcceleratedTitration<D> {
    type Fit<'a>
        = OverriddenFit<D::Fit<'a>>
    where
        Self: 'a;

    fn fit<'a>(&'a self, data: &'a TrialData) -> Self::Fit<'a> {
        let base = self.base.fit(data);
        let decision = match phase(data, self.after_first_dlt, |d| base.admissible(d)) {
            Phase::Titrating(d) => Some((Decision::Treat(d), TITRATING)),
            Phase::TopUp(d) => Some((Decision::Treat(d), TOP_UP)),
            Phase::Base => None,
        };
        OverriddenFit::new(base, decision)
    }

    fn costly_fit(&self) -> bool {
        self.base.costly_fit()
    }

    fn cohort_size(&self, data: &TrialData, standard: u16) -> u16 {
        let base = self.base.fit(data);
        match phase(data, self.after_first_dlt, |d| base.admissible(d)) {
            Phase::Titrating(_) => 1,
            Phase::TopUp(d) => (standard as u32).saturating_sub(data.patients(d)).max(1) as u16,
            Phase::Base => self.base.cohort_size(data, standard),
        }
    }
}

impl<F: Fit> Fit for OverriddenFit<F> {
    fn decision(&self) -> Decision {
        self.decision.map_or_else(|| self.base.decision(), |(d, _)| d)
    }
    fn reason(&self) -> String {
        match self.decision {
            Some((decision, rule)) => format!("{rule}: {decision}"),
            None => self.base.reason(),
        }
    }
    fn prob_tox_interval(&self, dose: Dose) -> Option<(f64, f64)> {
        self.base.prob_tox_interval(dose)
    }
    fn dosing_intervals(&self, dose: Dose) -> Option<[f64; 3]> {
        self.base.dosing_intervals(dose)
    }
    fn selected_dose(&self) -> Option<Dose> {
        self.base.selected_dose()
    }
    fn admissible(&self, dose: Dose) -> bool {
        self.base.admissible(dose)
    }
    fn prob_tox(&self, dose: Dose) -> Option<f64> {
        self.base.prob_tox(dose)
    }
    fn prob_tox_exceeds(&self, dose: Dose, threshold: f64) -> Option<f64> {
        self.base.prob_tox_exceeds(dose, threshold)
    }
    fn prob_tox_exceeds_at_least(&self, dose: Dose, threshold: f64, certainty: f64) -> Option<bool> {
        self.base.prob_tox_exceeds_at_least(dose, threshold, certainty)
    }
    fn calls_for_deescalation(&self, dose: Dose) -> bool {
        self.base.calls_for_deescalation(dose)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designs::three_plus_three::ThreePlusThree;

    fn design(after_first_dlt: AfterFirstDlt) -> AcceleratedTitration<ThreePlusThree> {
        AcceleratedTitration::new(ThreePlusThree { deescalate: false }, after_first_dlt)
    }

    /// BOIN 2.7.2's `get.oc(titration = TRUE)`: the first DLT at dose d (n[1:d] = 1, y[d] = 1),
    /// then `cohortsize − 1` more patients at d in the first cohort.
    #[test]
    fn single_patients_until_the_first_dlt_then_the_dlt_dose_filled_up() {
        let t = design(AfterFirstDlt::SameDose);
        let mut data = TrialData::new(4);
        assert_eq!(t.cohort_size(&data, 3), 1);
        data.add_cohort(Dose(0), 1, 0);
        data.add_cohort(Dose(1), 1, 0);
        data.add_cohort(Dose(2), 1, 1);
        // First DLT at dose 3: top up dose 3 (one patient) with two more.
        assert_eq!(
            (t.fit(&data).decision(), t.cohort_size(&data, 3)),
            (Decision::Treat(Dose(2)), 2)
        );
        data.add_cohort(Dose(2), 2, 0);
        // Now 3+3 decides: 1/3 at dose 3 stays there for three more.
        assert_eq!(
            (t.fit(&data).decision(), t.cohort_size(&data, 3)),
            (Decision::Treat(Dose(2)), 3)
        );
    }

    #[test]
    fn single_patients_until_the_first_dlt_then_a_full_cohort_below() {
        let t = design(AfterFirstDlt::DoseBelow);
        let mut data = TrialData::new(4);
        assert_eq!(t.cohort_size(&data, 3), 1);
        data.add_cohort(Dose(0), 1, 0);
        assert_eq!(
            (t.fit(&data).decision(), t.cohort_size(&data, 3)),
            (Decision::Treat(Dose(1)), 1)
        );
        data.add_cohort(Dose(1), 1, 0);
        data.add_cohort(Dose(2), 1, 1);
        // First DLT at dose 3: top up dose 2 (one patient) with two more.
        assert_eq!(
            (t.fit(&data).decision(), t.cohort_size(&data, 3)),
            (Decision::Treat(Dose(1)), 2)
        );
        data.add_cohort(Dose(1), 2, 0);
        // Now 3+3 decides: 0/3 at dose 2 escalates to dose 3 in a full cohort.
        assert_eq!(
            (t.fit(&data).decision(), t.cohort_size(&data, 3)),
            (Decision::Treat(Dose(2)), 3)
        );
    }

    #[test]
    fn no_dlt_through_the_top_dose_tops_up_the_top() {
        let t = design(AfterFirstDlt::DoseBelow);
        let mut data = TrialData::new(2);
        data.add_cohort(Dose(0), 1, 0);
        data.add_cohort(Dose(1), 1, 0);
        assert_eq!(
            (t.fit(&data).decision(), t.cohort_size(&data, 3)),
            (Decision::Treat(Dose(1)), 2)
        );
    }

    #[test]
    fn first_dlt_at_the_lowest_dose_tops_up_that_dose() {
        for after in [AfterFirstDlt::SameDose, AfterFirstDlt::DoseBelow] {
            let t = design(after);
            let mut data = TrialData::new(3);
            data.add_cohort(Dose(0), 1, 1);
            assert_eq!(
                (t.fit(&data).decision(), t.cohort_size(&data, 3)),
                (Decision::Treat(Dose(0)), 2)
            );
        }
    }

    #[test]
    fn keys_round_trip() {
        for after in [AfterFirstDlt::SameDose, AfterFirstDlt::DoseBelow] {
            assert_eq!(AfterFirstDlt::from_key(after.key()), Some(after));
        }
        assert_eq!(AfterFirstDlt::from_key("above"), None);
        assert_eq!(AfterFirstDlt::default(), AfterFirstDlt::SameDose);
    }
}
