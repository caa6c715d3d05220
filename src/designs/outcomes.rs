//! The outcome-string grammar of the R package `escalation` (`parse_phase1_outcomes`): cohorts
//! written as a dose level followed by one letter per patient, `N` (no DLT) or `T` (DLT), e.g.
//! `"1NNN 2NTN"`. Whitespace between cohorts is optional.
//!
//! A phase I/II trial also records each patient's response, as escalation's
//! `parse_phase12_outcomes` (and trialr's EffTox) write it: `N` neither, `T` a DLT without a
//! response, `E` a response without a DLT, `B` both, e.g. `"1NEN 2TBE"` ([`Grammar::PhaseOneTwo`]).
//! A toxicity-only design accepts only `N` and `T` ([`Grammar::Toxicity`]), and the error names the
//! cohort and the letter.
//!
//! A live trial run by a time-to-event design also has patients still in their DLT window:
//! `P(0.4)` is a patient without a DLT so far who has completed 40% of the window, e.g.
//! `"1NNN 2NNT 3NP(0.5)P(0.2)"` ([`parse_history`]).

use super::{Cohort, Dose, TrialData};
use crate::core::EfficacyCounts;
use std::fmt;

/// Why an outcome string was rejected, with the 1-based character position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeError {
    /// 1-based character position of the problem.
    pub position: usize,
    /// What is wrong.
    pub message: String,
    /// The grammar the string was read with (which example the message gives).
    pub grammar: Grammar,
}

impl fmt::Display for OutcomeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let example = match self.grammar {
            Grammar::Toxicity => "1NNN 2NTN",
            Grammar::PhaseOneTwo => "1NEN 2TBE",
        };
        write!(
            f,
            "at character {}: {} (example of a valid string: \"{example}\")",
            self.position, self.message
        )
    }
}

impl std::error::Error for OutcomeError {}

/// Which letters an outcome string may use: those of the design that reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grammar {
    /// A toxicity-only design: `N`, `T` and pending `P(f)`.
    Toxicity,
    /// A phase I/II design, deciding on responses too: `N`, `T`, `E` and `B` (escalation's
    /// `parse_phase12_outcomes`), where `N` and `T` mean no response.
    PhaseOneTwo,
}

/// One patient of a live history.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PatientOutcome {
    /// `N`: the DLT window closed without a DLT (and, in a phase I/II history, without a
    /// response).
    NoDlt,
    /// `T`: a DLT (in a phase I/II history, without a response).
    Dlt,
    /// `E` (phase I/II): a response without a DLT.
    Response,
    /// `B` (phase I/II): a response and a DLT.
    Both,
    /// `P(f)`: no DLT so far, a fraction `f` in [0, 1) of the window observed.
    Pending(f64),
}

impl PatientOutcome {
    /// Whether the patient had a DLT.
    pub fn dlt(self) -> bool {
        matches!(self, PatientOutcome::Dlt | PatientOutcome::Both)
    }

    /// Whether the patient responded.
    pub fn response(self) -> bool {
        matches!(self, PatientOutcome::Response | PatientOutcome::Both)
    }
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
        let dlts = self.patients.iter().filter(|p| p.dlt()).count();
        Cohort {
            dose: self.dose,
            patients: self.patients.len() as u16,
            dlts: dlts as u16,
        }
    }

    /// Patients, DLTs and responses (phase I/II histories).
    pub fn efficacy_counts(&self) -> EfficacyCounts {
        let count = |f: fn(&PatientOutcome) -> bool| self.patients.iter().filter(|p| f(p)).count() as u32;
        EfficacyCounts {
            patients: self.patients.len() as u32,
            dlts: count(|p| p.dlt()),
            responses: count(|p| p.response()),
            responses_with_dlt: count(|p| *p == PatientOutcome::Both),
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
    let cohorts = parse_history(text, num_doses, Grammar::Toxicity)?;
    if let Some(at) = text.find('P') {
        return Err(OutcomeError {
            position: at + 1,
            message: "P(…) marks a pending patient, which only a time-to-event design weighs".into(),
            grammar: Grammar::Toxicity,
        });
    }
    Ok(cohorts.iter().map(LiveCohort::counts).collect())
}

/// Parses a live history: cohorts of `N`, `T` and pending `P(f)` patients (`f`, the fraction of
/// the DLT window observed, in [0, 1)), and with [`Grammar::PhaseOneTwo`] `E` and `B` patients,
/// checking dose levels against `num_doses`. A letter of the other grammar is refused, naming
/// its cohort.
pub fn parse_history(text: &str, num_doses: usize, grammar: Grammar) -> Result<Vec<LiveCohort>, OutcomeError> {
    let err = |position: usize, message: String| OutcomeError {
        position: position + 1,
        message,
        grammar,
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
        while i < bytes.len() && matches!(bytes[i], b'N' | b'T' | b'P' | b'E' | b'B') {
            if patients.len() == usize::from(u16::MAX) {
                return Err(err(i, "too many patients in one cohort".into()));
            }
            let cohort = cohorts.len() + 1;
            let outcome = match (bytes[i], grammar) {
                (b'N', _) => PatientOutcome::NoDlt,
                (b'T', _) => PatientOutcome::Dlt,
                (b'E' | b'B', Grammar::Toxicity) => {
                    return Err(err(
                        i,
                        format!(
                            "cohort {cohort} has '{}', a response letter, but this design decides on DLTs only: \
                             write N (no DLT) or T (DLT)",
                            bytes[i] as char
                        ),
                    ))
                }
                (b'E', Grammar::PhaseOneTwo) => PatientOutcome::Response,
                (b'B', Grammar::PhaseOneTwo) => PatientOutcome::Both,
                (_, Grammar::PhaseOneTwo) => {
                    return Err(err(
                        i,
                        format!(
                            "cohort {cohort} has a pending patient P(…), but phase I/II designs decide on \
                             complete outcomes only: write N, T, E or B"
                        ),
                    ))
                }
                (_, Grammar::Toxicity) => {
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
            let letters = match grammar {
                Grammar::Toxicity => "N, T or P(…)",
                Grammar::PhaseOneTwo => "N, T, E or B",
            };
            return Err(err(
                i,
                format!("expected {letters} after dose level {level}, found {found}"),
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

/// A phase I/II history (`N`, `T`, `E`, `B`) as data that observe efficacy, one cohort per
/// cohort written (escalation's `parse_phase12_outcomes`).
pub fn parse_phase12_outcomes(text: &str, num_doses: usize) -> Result<TrialData, OutcomeError> {
    let mut data = TrialData::with_efficacy(num_doses);
    for cohort in parse_history(text, num_doses, Grammar::PhaseOneTwo)? {
        data.add_cohort_outcomes(cohort.dose, cohort.efficacy_counts());
    }
    Ok(data)
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
        let c = parse_history("1NNN 2TP(0.5)P(0)", 5, Grammar::Toxicity).unwrap();
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
        assert_eq!(parse_history("1P(1)", 5, Grammar::Toxicity).unwrap_err().position, 4);
        assert_eq!(parse_history("1P0.5", 5, Grammar::Toxicity).unwrap_err().position, 2);
        assert!(parse_history("1P(x)", 5, Grammar::Toxicity).is_err());
        assert!(parse_history("1P(0.5", 5, Grammar::Toxicity).is_err());
    }

    #[test]
    fn phase12_letters_count_responses() {
        use PatientOutcome::*;
        let c = parse_history("1NEN 2TBE", 5, Grammar::PhaseOneTwo).unwrap();
        assert_eq!(c[0].patients, [NoDlt, Response, NoDlt]);
        assert_eq!(c[1].patients, [Dlt, Both, Response]);
        let counts = c[1].efficacy_counts();
        assert_eq!(
            (
                counts.patients,
                counts.dlts,
                counts.responses,
                counts.responses_with_dlt
            ),
            (3, 2, 2, 1)
        );
        assert_eq!((c[1].counts().patients, c[1].counts().dlts), (3, 2));
        let data = parse_phase12_outcomes("1NEN 2TBE 2N", 3).unwrap();
        assert_eq!(data.efficacy(Dose(1)).unwrap().patients, 4);
        assert_eq!(data.responses(Dose(1)), Some(2));
    }

    #[test]
    fn each_grammar_refuses_the_others_letters() {
        let e = parse_history("1NNN 2NEN", 5, Grammar::Toxicity).unwrap_err();
        assert_eq!(e.position, 8);
        assert!(e.message.contains("cohort 2 has 'E'"), "{}", e.message);
        assert!(e.to_string().contains("\"1NNN 2NTN\""));
        let e = parse_history("1NNB", 5, Grammar::Toxicity).unwrap_err();
        assert!(e.message.contains("cohort 1 has 'B'"), "{}", e.message);
        let e = parse_history("1NE 2P(0.5)", 5, Grammar::PhaseOneTwo).unwrap_err();
        assert!(e.message.contains("cohort 2 has a pending patient"), "{}", e.message);
        let e = parse_history("1NEX", 5, Grammar::PhaseOneTwo).unwrap_err();
        assert_eq!(e.position, 4);
        assert!(e.to_string().contains("\"1NEN 2TBE\""));
        assert!(parse_history("1", 5, Grammar::PhaseOneTwo)
            .unwrap_err()
            .message
            .contains("N, T, E or B"));
        assert!(parse_outcomes("1NE", 5).is_err());
    }
}
