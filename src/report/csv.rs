//! The tidy CSV tables of a dose-finding run (**contract**: file names and leading columns are
//! fixed; columns are only ever added at the end). Their rows, and so their columns, are
//! [`OcByDoseRow`] and [`SummaryRow`].

use crate::results::{write_rows, OcByDoseRow, OcTable, SummaryRow};

/// `oc_by_dose.csv`: one row per truth × design × dose.
pub fn oc_by_dose(table: &OcTable) -> Vec<u8> {
    write_rows(&OcByDoseRow::rows(table))
}

/// `summary.csv`: one row per truth × design.
pub fn summary(table: &OcTable) -> Vec<u8> {
    write_rows(&SummaryRow::rows(table))
}
