//! `results.json`: every CSV table of a run folder as JSON, written beside the CSV files in every
//! folder that holds tables (a run, each point of a sweep, a comparison), so that R and Python
//! load a run in one line:
//!
//! ```text
//! jsonlite::fromJSON("output/run/results.json")$summary
//! pandas.json_normalize(json.load(open("output/run/results.json")), "summary")
//! ```
//!
//! The file is one object with a member per table, named after its file (`summary`,
//! `oc_by_dose`, …), each an array of row objects. Each table is read back from its CSV file as
//! its typed rows (the same serde structs the CSV writer wrote, [`crate::results`]), so the JSON
//! holds the same columns in the same order, numbers as numbers (with the CSV's digits), empty
//! cells as null.

use crate::results::compare::{ComparisonRow, DoseFindingCompared, SingleArmComparedRow, Stacked};
use crate::results::obd::{ObdByDoseRow, ObdSummaryRow};
use crate::results::optimization::{OptimizationByDoseRow, OptimizationSampleSizeRow, OptimizationSummaryRow};
use crate::results::single_arm::{
    DesignTargetRow, KmExampleRow, MedianOsRow, OrrCurveRow, SampleSizeRow, SingleArmSummaryRow,
};
use crate::results::sweep::SWEEP_FILE;
use crate::results::{OcByDoseRow, PathwayRow, Row, SummaryRow};
use serde::Serialize;
use serde_json::{Map, Value};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The file's name.
pub const RESULTS_JSON: &str = "results.json";

/// A table's rows as (column, value) lists, in its CSV file's column order.
type JsonRows = Vec<Vec<(String, Value)>>;

/// The error of a table that cannot be read as its rows.
fn unreadable(path: &Path, message: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("cannot read {}: {message}", path.display()))
}

/// `row`'s values by column (nested row structs flattened), numbers as numbers.
fn values<R: Serialize>(row: &R) -> Map<String, Value> {
    fn flatten(value: Value, into: &mut Map<String, Value>) {
        if let Value::Object(members) = value {
            for (key, value) in members {
                match value {
                    Value::Object(_) => flatten(value, into),
                    value => {
                        into.insert(key, value);
                    }
                }
            }
        }
    }
    let mut map = Map::new();
    let value = crate::results::cells::as_numbers(|| serde_json::to_value(row)).expect("rows serialise");
    flatten(value, &mut map);
    map
}

/// The rows of the CSV file at `path` read as `R`, keeping the file's columns; a column that is
/// not a field of `R` (a sweep's point and swept settings) is a number.
fn typed<R: Row>(path: &Path) -> io::Result<JsonRows> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| unreadable(path, e))?;
    let headers = reader.headers().map_err(|e| unreadable(path, e))?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| unreadable(path, e))?;
        let mut typed = values(&R::read(&record, &headers).map_err(|e| unreadable(path, e))?);
        let mut row = Vec::with_capacity(headers.len());
        for (column, cell) in headers.iter().zip(record.iter()) {
            let value = typed.remove(column).unwrap_or_else(|| {
                cell.parse::<f64>()
                    .ok()
                    .and_then(|x| serde_json::Number::from_f64(x).map(Value::Number))
                    .unwrap_or_else(|| Value::String(cell.to_string()))
            });
            row.push((column.to_string(), value));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The rows of the table in the CSV file at `path`, by the file's name (and, for the files two
/// kinds of run share, its columns); `None` for a file that is not a run's table.
fn table_rows(path: &Path) -> io::Result<Option<JsonRows>> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let headers = || -> io::Result<Vec<String>> {
        let mut reader = csv::Reader::from_path(path).map_err(|e| unreadable(path, e))?;
        let headers = reader.headers().map_err(|e| unreadable(path, e))?;
        Ok(headers.iter().map(str::to_string).collect())
    };
    let dose_finding = || -> io::Result<bool> { Ok(headers()?.iter().any(|c| c == "correct_selection_pct")) };
    let rows = match name {
        n if n == OcByDoseRow::FILE => typed::<OcByDoseRow>(path)?,
        n if n == SummaryRow::FILE && dose_finding()? => typed::<SummaryRow>(path)?,
        n if n == SummaryRow::FILE => typed::<SingleArmSummaryRow>(path)?,
        n if n == ObdByDoseRow::FILE => typed::<ObdByDoseRow>(path)?,
        n if n == ObdSummaryRow::FILE => typed::<ObdSummaryRow>(path)?,
        n if n == OptimizationByDoseRow::FILE => typed::<OptimizationByDoseRow>(path)?,
        n if n == OptimizationSummaryRow::FILE => typed::<OptimizationSummaryRow>(path)?,
        n if n == OptimizationSampleSizeRow::FILE => typed::<OptimizationSampleSizeRow>(path)?,
        n if n == SampleSizeRow::FILE => typed::<SampleSizeRow>(path)?,
        n if n == OrrCurveRow::FILE => typed::<OrrCurveRow>(path)?,
        n if n == DesignTargetRow::FILE => typed::<DesignTargetRow>(path)?,
        n if n == KmExampleRow::FILE => typed::<KmExampleRow>(path)?,
        n if n == MedianOsRow::FILE => typed::<MedianOsRow>(path)?,
        n if n == PathwayRow::FILE => typed::<PathwayRow>(path)?,
        n if n == SWEEP_FILE => typed::<SummaryRow>(path)?,
        n if n == ObdSummaryRow::SWEEP_FILE => typed::<ObdSummaryRow>(path)?,
        n if n == OptimizationSummaryRow::SWEEP_FILE => typed::<OptimizationSummaryRow>(path)?,
        n if n == ObdSummaryRow::COMPARISON_FILE => typed::<ComparisonRow<ObdSummaryRow>>(path)?,
        n if n == OptimizationSummaryRow::COMPARISON_FILE => typed::<ComparisonRow<OptimizationSummaryRow>>(path)?,
        n if n == ComparisonRow::<DoseFindingCompared>::FILE && dose_finding()? => {
            typed::<ComparisonRow<DoseFindingCompared>>(path)?
        }
        n if n == ComparisonRow::<DoseFindingCompared>::FILE => typed::<ComparisonRow<SingleArmComparedRow>>(path)?,
        _ => return Ok(None),
    };
    Ok(Some(rows))
}

/// The text of `results.json` for the folder `dir`, from its CSV tables (sorted by name); `None`
/// when it holds none.
pub fn results_json(dir: &Path) -> io::Result<Option<String>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "csv") && p.is_file());
    files.sort();
    let mut text = String::new();
    for path in files {
        let Some(rows) = table_rows(&path)? else { continue };
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        text.push_str(if text.is_empty() { "{\n" } else { ",\n" });
        text.push_str(&serde_json::to_string(stem).expect("a name"));
        text.push_str(": [");
        for (i, row) in rows.iter().enumerate() {
            text.push_str(if i == 0 { "\n  " } else { ",\n  " });
            text.push('{');
            for (k, (column, value)) in row.iter().enumerate() {
                if k > 0 {
                    text.push(',');
                }
                text.push_str(&serde_json::to_string(column).expect("a name"));
                text.push(':');
                text.push_str(&serde_json::to_string(value).expect("a value"));
            }
            text.push('}');
        }
        text.push_str("\n]");
    }
    Ok((!text.is_empty()).then(|| text + "\n}\n"))
}

/// Writes `results.json` into `dir` and into each folder below it that holds CSV tables; the
/// files written.
pub fn write_results_json(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let mut folders: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    folders.retain(|p| p.is_dir());
    folders.sort();
    for folder in folders {
        written.extend(write_results_json(&folder)?);
    }
    if let Some(text) = results_json(dir)? {
        let path = dir.join(RESULTS_JSON);
        super::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
