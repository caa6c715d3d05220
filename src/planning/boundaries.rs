//! An interval design's decision table as a protocol prints it: for each multiple of the cohort
//! size up to the maximum sample size, the DLT counts at which to escalate, de-escalate and
//! eliminate (BOIN, Liu & Yuan 2015; Keyboard, Yan, Mandrekar & Yuan 2017; mTPI-2, Guo et al.
//! 2017; i3+3, Liu, Wang & Ji 2020). The counts come from [`BoundaryTable`]; this module validates
//! the request, picks the published defaults and lays the counts out by cohort.

use crate::designs::interval::{BoundaryTable, IntervalConfig, IntervalRule};
use crate::designs::registry::{interval_family, interval_rule_names};

/// What a decision table is asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundarySettings {
    /// The interval rule's name: `boin`, `keyboard`, `mtpi2` or `i3+3`.
    pub rule: String,
    /// Target DLT probability φ.
    pub target: f64,
    /// The rule's parameter below the target: φ1 for BOIN, the target interval's margin below φ
    /// for the others; `None` for the published default.
    pub below: Option<f64>,
    /// The rule's parameter above the target: φ2 for BOIN, the target interval's margin above φ
    /// for the others; `None` for the published default.
    pub above: Option<f64>,
    /// Patients per cohort: the table has one column per multiple of it.
    pub cohort_size: u32,
    /// The largest number of patients at a dose in the table.
    pub max_patients: u32,
    /// Elimination cutoff on P(p > target | data) under Beta(1, 1).
    pub cutoff_eliminate: f64,
}

/// Why a decision table cannot be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BoundaryError {
    /// The target is not strictly between 0 and 1.
    #[error("target must be strictly between 0 and 1, got {0}")]
    Target(f64),
    /// The elimination cutoff is not strictly between 0 and 1.
    #[error("cutoff_eliminate must be strictly between 0 and 1, got {0}")]
    CutoffEliminate(f64),
    /// The cohort size is 0.
    #[error("cohort_size must be at least 1")]
    CohortSize,
    /// The maximum sample size is below one cohort.
    #[error("max_patients ({max_patients}) must be at least cohort_size ({cohort_size})")]
    MaxPatients {
        /// The maximum sample size asked for.
        max_patients: u32,
        /// The cohort size asked for.
        cohort_size: u32,
    },
    /// The rule name is none of the registered interval designs.
    #[error("unknown interval rule '{0}'; the rules are {rules}", rules = interval_rule_names().join(", "))]
    UnknownRule(String),
    /// A parameter of the rule does not fit the target; `key` is its scenario key (as
    /// [`IntervalFamily::parameters`](crate::designs::interval::IntervalFamily)).
    #[error("{key} {message}")]
    Parameter {
        /// The parameter's scenario key.
        key: &'static str,
        /// The problem.
        message: String,
    },
}

/// The decision counts at one number of patients at a dose; `None` means never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoundaryRow {
    /// Patients treated at the dose.
    pub n: u32,
    /// Escalate if DLTs ≤ this.
    pub escalate: Option<u32>,
    /// De-escalate if DLTs ≥ this.
    pub deescalate: Option<u32>,
    /// Eliminate the dose and every higher dose if DLTs ≥ this.
    pub eliminate: Option<u32>,
}

/// An interval design's decision table: one row per multiple of the cohort size.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionTable {
    /// The rule, the target and the elimination cutoff the table was computed for.
    pub config: IntervalConfig,
    /// The counts at n = cohort size, twice the cohort size, … up to the maximum sample size.
    pub rows: Vec<BoundaryRow>,
}

/// The header of [`DecisionTable::csv`].
pub const BOUNDARY_CSV_HEADER: &str = "n,escalate,deescalate,eliminate";

impl DecisionTable {
    /// Validates the settings (target and cutoff in (0, 1), at least one cohort, the rule's
    /// parameters around the target), fills in the published defaults (BOIN: φ1 = 0.6 φ,
    /// φ2 = 1.4 φ; the others: margins of 0.05) and computes the table.
    pub fn new(settings: &BoundarySettings) -> Result<DecisionTable, BoundaryError> {
        let (target, cutoff_eliminate) = (settings.target, settings.cutoff_eliminate);
        let (cohort_size, max_patients) = (settings.cohort_size, settings.max_patients);
        if !(target.is_finite() && target > 0.0 && target < 1.0) {
            return Err(BoundaryError::Target(target));
        }
        if !(cutoff_eliminate.is_finite() && cutoff_eliminate > 0.0 && cutoff_eliminate < 1.0) {
            return Err(BoundaryError::CutoffEliminate(cutoff_eliminate));
        }
        if cohort_size == 0 {
            return Err(BoundaryError::CohortSize);
        }
        if max_patients < cohort_size {
            return Err(BoundaryError::MaxPatients {
                max_patients,
                cohort_size,
            });
        }
        let name = settings.rule.as_str();
        let family = interval_family(name).ok_or_else(|| BoundaryError::UnknownRule(name.into()))?;
        let (default_below, default_above) = (family.defaults)(target);
        let below = settings.below.unwrap_or(default_below);
        let above = settings.above.unwrap_or(default_above);
        let rule = IntervalRule::new(family, below, above);
        rule.check(target)
            .map_err(|(key, message)| BoundaryError::Parameter { key, message })?;
        let mut config = IntervalConfig::new(target, rule);
        config.cutoff_eliminate = cutoff_eliminate;
        let table = BoundaryTable::new(&config, max_patients);
        let rows = (cohort_size..=max_patients)
            .step_by(cohort_size as usize)
            .map(|n| BoundaryRow {
                n,
                escalate: table.escalate[n as usize],
                deescalate: table.deescalate[n as usize],
                eliminate: table.eliminate[n as usize],
            })
            .collect();
        Ok(DecisionTable { config, rows })
    }

    /// The rule, its paper and its settings in one line, e.g. `BOIN (Liu & Yuan 2015): target
    /// 0.3, phi1 0.18, phi2 0.42, lambda_e 0.2365, lambda_d 0.3585`.
    pub fn describe(&self) -> String {
        self.config.rule.describe(self.config.target)
    }

    /// The table as CSV: `BOUNDARY_CSV_HEADER`, then one line per row, counts written by
    /// [`count_text`].
    pub fn csv(&self) -> String {
        let mut text = format!("{BOUNDARY_CSV_HEADER}\n");
        for row in &self.rows {
            text.push_str(&format!(
                "{},{},{},{}\n",
                row.n,
                count_text(row.escalate),
                count_text(row.deescalate),
                count_text(row.eliminate)
            ));
        }
        text
    }
}

/// A decision count as the table writes it: the number, or `NA` for never.
pub fn count_text(count: Option<u32>) -> String {
    count.map_or("NA".to_string(), |c| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boin(target: f64) -> BoundarySettings {
        BoundarySettings {
            rule: "boin".to_string(),
            target,
            below: None,
            above: None,
            cohort_size: 3,
            max_patients: 30,
            cutoff_eliminate: 0.95,
        }
    }

    /// Liu & Yuan (2015), Table 1 / `BOIN::get.boundary(0.25, ncohort = 12, cohortsize = 3)`.
    #[test]
    fn boin_table_for_target_a_quarter() {
        let settings = BoundarySettings {
            max_patients: 12,
            ..boin(0.25)
        };
        let table = DecisionTable::new(&settings).unwrap();
        assert_eq!(
            table.describe(),
            "BOIN (Liu & Yuan 2015): target 0.25, phi1 0.15, phi2 0.35, lambda_e 0.1968, lambda_d 0.2984"
        );
        assert_eq!(
            table.csv(),
            "n,escalate,deescalate,eliminate\n3,0,1,3\n6,1,2,4\n9,1,3,5\n12,2,4,6\n"
        );
    }

    #[test]
    fn never_is_na() {
        let settings = BoundarySettings {
            cohort_size: 2,
            max_patients: 4,
            below: Some(0.2),
            above: Some(0.4),
            ..boin(0.3)
        };
        let table = DecisionTable::new(&settings).unwrap();
        assert_eq!(table.rows[0].eliminate, None);
        assert_eq!(count_text(table.rows[0].eliminate), "NA");
        assert_eq!(table.rows.iter().map(|r| r.n).collect::<Vec<_>>(), [2, 4]);
    }

    #[test]
    fn settings_are_checked() {
        let check = |settings: BoundarySettings| DecisionTable::new(&settings).unwrap_err();
        assert_eq!(check(boin(1.5)), BoundaryError::Target(1.5));
        let cutoff = BoundarySettings {
            cutoff_eliminate: 1.0,
            ..boin(0.3)
        };
        assert_eq!(check(cutoff), BoundaryError::CutoffEliminate(1.0));
        let short = BoundarySettings {
            max_patients: 2,
            ..boin(0.3)
        };
        assert!(matches!(check(short), BoundaryError::MaxPatients { .. }));
        let phi1 = BoundarySettings {
            below: Some(0.4),
            ..boin(0.3)
        };
        assert!(matches!(check(phi1), BoundaryError::Parameter { key: "phi1", .. }));
        let unknown = BoundarySettings {
            rule: "ccd".to_string(),
            ..boin(0.3)
        };
        assert_eq!(check(unknown), BoundaryError::UnknownRule("ccd".to_string()));
    }
}
