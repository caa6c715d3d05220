//! The outcome-string grammar of the R package `escalation` (`parse_phase1_outcomes`): cohorts
//! written as a dose level followed by one letter per patient, `N` (no DLT) or `T` (DLT), e.g.
//! `"1NNN 2NTN"`. Whitespace between cohorts is optional.

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

/// Parses an outcome string into cohorts, checking dose levels against `num_doses`.
pub fn parse_outcomes(text: &str, num_doses: usize) -> Result<Vec<Cohort>, OutcomeError> {
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
        let (mut patients, mut dlts) = (0u16, 0u16);
        while i < bytes.len() && matches!(bytes[i], b'N' | b'T') {
            patients = patients
                .checked_add(1)
                .ok_or_else(|| err(i, "too many patients in one cohort".into()))?;
            dlts += u16::from(bytes[i] == b'T');
            i += 1;
        }
        if patients == 0 {
            let found = text[i..]
                .chars()
                .next()
                .map_or("the end".to_string(), |c| format!("'{c}'"));
            return Err(err(
                i,
                format!("expected N or T after dose level {level}, found {found}"),
            ));
        }
        cohorts.push(Cohort {
            dose: Dose::from_level(level),
            patients,
            dlts,
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
    }
}
