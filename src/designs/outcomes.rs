//! The outcome-string grammar of the R package `escalation` (`parse_phase1_outcomes`): cohorts
//! written as a dose level followed by one letter per patient, `N` (no DLT) or `T` (DLT), e.g.
//! `"1NNN 2NTN"`. Whitespace between cohorts is optional.
//!
//! A live trial run by a time-to-event design also has patients still in their DLT window:
//! `P(0.4)` is a patient without a DLT so far who has completed 40% of the window, e.g.
//! `"1NNN 2NNT 3NP(0.5)P(0.2)"` ([`parse_history`]).

use super::{Cohort, Dose};
use std::fmt;

/// Why an outcome string was rejected, with the 1-based character position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeError {
    /// 1-based character position of the problem.
    pub position: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for OutcomeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at character {}: {} (example of a valid string: \"1NNN 2NTN\")",
            self.position, self.message
        )
    }
}

impl std::error::Error for OutcomeError {}

/// One patient of a live history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PatientOutcome {
    /// `N`: the DLT window closed without a DLT.
    NoDlt,
    /// `T`: a DLT.
    Dlt,
    /// `P(f)`: no DLT so far, a fraction `f` in [0, 1) of the window observed.
    Pending(f64),
}

/// A cohort of a live history, patient by patient.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveCohort {
    /// The dose the cohort was given.
    pub dose: Dose,
    /// Its patients, in the order written.
    pub patients: Vec<PatientOutcome>,
}

impl LiveCohort {
    /// Patients and DLTs (a pending patient counts as a patient without a DLT so far).
    pub fn counts(&self) -> Cohort {
        let dlts = self.patients.iter().filter(|p| **p == PatientOutcome::Dlt).count();
        Cohort {
            dose: self.dose,
            patients: self.patients.len() as u16,
            dlts: dlts as u16,
        }
    }

    /// Whether a patient is still in the DLT window.
    pub fn has_pending(&self) -> bool {
        self.patients.iter().any(|p| matches!(p, PatientOutcome::Pending(_)))
    }
}

/// Parses an outcome string into cohorts, checking dose levels against `num_doses`; pending
/// patients are refused (see [`parse_history`]).
pub fn parse_outcomes(text: &str, num_doses: usize) -> Result<Vec<Cohort>, OutcomeError> {
    let cohorts = parse_history(text, num_doses)?;
    if let Some(at) = text.find('P') {
        return Err(OutcomeError {
            position: at + 1,
            message: "P(…) marks a pending patient, which only a time-to-event design weighs".into(),
        });
    }
    Ok(cohorts.iter().map(LiveCohort::counts).collect())
}

/// Parses a live history: cohorts of `N`, `T` and pending `P(f)` patients (`f`, the fraction of
/// the DLT window observed, in [0, 1)), checking dose levels against `num_doses`.
pub fn parse_history(text: &str, num_doses: usize) -> Result<Vec<LiveCohort>, OutcomeError> {
    let err = |position: usize, message: String| OutcomeError {
        position: position + 1,
        message,
    };
    let bytes = text.as_bytes();
    let mut cohorts = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            let c = text[i..].chars().next().unwrap_or(' ');
            return Err(err(i, format!("expected a dose level, found '{c}'")));
        }
        let level: usize = text[start..i]
            .parse()
            .ok()
            .filter(|&l| (1..=num_doses).contains(&l))
            .ok_or_else(|| {
                err(
                    start,
                    format!("dose level {} is not between 1 and {num_doses}", &text[start..i]),
                )
            })?;
        let mut patients = Vec::new();
        while i < bytes.len() && matches!(bytes[i], b'N' | b'T' | b'P') {
            if patients.len() == usize::from(u16::MAX) {
                return Err(err(i, "too many patients in one cohort".into()));
            }
            let outcome = match bytes[i] {
                b'N' => PatientOutcome::NoDlt,
                b'T' => PatientOutcome::Dlt,
                _ => {
                    let close = text[i..].find(')').map(|c| i + c);
                    let fraction = match (bytes.get(i + 1), close) {
                        (Some(b'('), Some(close)) => text[i + 2..close].parse::<f64>().ok().map(|f| (f, close)),
                        _ => None,
                    };
                    let (f, close) = fraction.ok_or_else(|| {
                        err(
                            i,
                            "a pending patient is P(f), f the fraction of the window observed, e.g. P(0.4)".into(),
                        )
                    })?;
                    if !(0.0..1.0).contains(&f) {
                        return Err(err(i + 2, format!("the fraction observed, {f}, is not in [0, 1)")));
                    }
                    i = close;
                    PatientOutcome::Pending(f)
                }
            };
            patients.push(outcome);
            i += 1;
        }
        if patients.is_empty() {
            let found = text[i..]
                .chars()
                .next()
                .map_or("the end".to_string(), |c| format!("'{c}'"));
            return Err(err(
                i,
                format!("expected N, T or P(…) after dose level {level}, found {found}"),
            ));
        }
        cohorts.push(LiveCohort {
            dose: Dose::from_level(level),
            patients,
        });
    }
    if cohorts.is_empty() && !text.is_empty() {
        return Err(err(0, "no cohort found".into()));
    }
    Ok(cohorts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cohorts_with_and_without_spaces() {
        let c = parse_outcomes(" 1NNN 2NTN3TT ", 5).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(
            c[1],
            Cohort {
                dose: Dose(1),
                patients: 3,
                dlts: 1
            }
        );
        assert_eq!(
            c[2],
            Cohort {
                dose: Dose(2),
                patients: 2,
                dlts: 2
            }
        );
        assert_eq!(parse_outcomes("", 5).unwrap(), vec![]);
    }

    #[test]
    fn rejects_bad_strings_with_position() {
        assert_eq!(parse_outcomes("1NNX", 5).unwrap_err().position, 4);
        assert!(parse_outcomes("7NNN", 5)
            .unwrap_err()
            .message
            .contains("between 1 and 5"));
        assert!(parse_outcomes("0N", 5).is_err());
        assert!(parse_outcomes("1nnn", 5).is_err());
        assert!(parse_outcomes("1 NNN", 5).is_err());
        assert!(parse_outcomes("   ", 5).is_err());
        assert!(parse_outcomes("99999999999999999999N", 5).is_err());
        assert!(parse_outcomes("1NP(0.5)", 5).unwrap_err().message.contains("pending"));
    }

    #[test]
    fn pending_patients_carry_their_fraction() {
        let c = parse_history("1NNN 2TP(0.5)P(0)", 5).unwrap();
        use PatientOutcome::*;
        assert_eq!(c[1].patients, [Dlt, Pending(0.5), Pending(0.0)]);
        assert_eq!(
            c[1].counts(),
            Cohort {
                dose: Dose(1),
                patients: 3,
                dlts: 1
            }
        );
        assert!(c[1].has_pending() && !c[0].has_pending());
        assert_eq!(parse_history("1P(1)", 5).unwrap_err().position, 4);
        assert_eq!(parse_history("1P0.5", 5).unwrap_err().position, 2);
        assert!(parse_history("1P(x)", 5).is_err());
        assert!(parse_history("1P(0.5", 5).is_err());
    }
}
