//! Reading a parity folder's `source.toml` and `reference.csv` (the format is described in
//! `tests/integration/parity.rs`), refusing a malformed one with a message naming the folder, the
//! file, the line and the problem.

use std::path::Path;

/// The header `reference.csv` must have.
const HEADER: &str = "truth,design,metric,dose,value,se";

/// The reference software of one folder (`source.toml`).
#[derive(Debug)]
pub(super) struct Source {
    pub(super) software: String,
    pub(super) version: String,
    /// Trials of the reference run; 0 for an exact reference.
    pub(super) trials: u64,
    /// Set for a design whose reference could not be run: the design's name and why.
    pub(super) unavailable: Option<(String, String)>,
    /// A difference between the two codes' rules, found and reported but not yet resolved: the
    /// folder's rows are compared and listed with this note, and not asserted.
    pub(super) known_difference: Option<String>,
}

/// The dose column of a reference row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum DoseKey {
    /// Empty: a per-trial quantity.
    Empty,
    /// 1-based dose level.
    Level(usize),
    /// `none`: no dose selected.
    NoDose,
    /// `total`: summed over doses.
    Total,
    /// A single-arm look, by its number of patients (metric `boundary`).
    Look(u32),
}

/// One row of `reference.csv`.
#[derive(Debug)]
pub(super) struct Reference {
    /// 1-based line in the file (the header is line 1).
    pub(super) line: usize,
    pub(super) truth: String,
    pub(super) design: String,
    pub(super) metric: String,
    pub(super) dose: DoseKey,
    pub(super) value: f64,
    pub(super) se: f64,
}

/// A malformed fixture: the message names the folder, file and row.
pub(super) fn bad(folder: &Path, file: &str, message: impl std::fmt::Display) -> String {
    format!("parity fixture {}/{file}: {message}", folder.display())
}

pub(super) fn read_source(folder: &Path) -> Result<Source, String> {
    let path = folder.join("source.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| bad(folder, "source.toml", e))?;
    let table: toml::Table = text.parse().map_err(|e| bad(folder, "source.toml", e))?;
    let string = |key: &str| match table.get(key) {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(_) => Err(bad(
            folder,
            "source.toml",
            format!("`{key}` must be a non-empty string"),
        )),
        None => Err(bad(folder, "source.toml", format!("`{key}` is missing"))),
    };
    let software = string("software")?;
    let version = string("version")?;
    if table.contains_key("unavailable") {
        return Ok(Source {
            software,
            version,
            trials: 0,
            unavailable: Some((string("design")?, string("unavailable")?)),
            known_difference: None,
        });
    }
    let language = if table.contains_key("python_version") {
        "python_version"
    } else {
        "r_version"
    };
    for key in [language, "call", "notes"] {
        string(key)?;
    }
    if !table.contains_key("seed") {
        return Err(bad(folder, "source.toml", "`seed` is missing"));
    }
    let trials = match table.get("trials") {
        Some(toml::Value::Integer(n)) if *n >= 0 => *n as u64,
        _ => return Err(bad(folder, "source.toml", "`trials` must be an integer ≥ 0 (0: exact)")),
    };
    Ok(Source {
        software,
        version,
        trials,
        unavailable: None,
        known_difference: table
            .contains_key("known_difference")
            .then(|| string("known_difference"))
            .transpose()?,
    })
}

/// Which dose columns a metric takes: (levels, `none`, `total`, empty).
fn dose_forms(metric: &str) -> Option<(bool, bool, bool, bool)> {
    Some(match metric {
        "selected_pct" => (true, true, false, false),
        "patients_mean" | "dlt_mean" | "backfill_patients_mean" => (true, false, true, false),
        "stopped_early_pct" | "duration_mean" | "type1_error_pct" | "power_pct" => (false, false, false, true),
        "boundary" => (false, false, false, false),
        _ => return None,
    })
}

pub(super) fn read_reference(folder: &Path, doses: usize) -> Result<Vec<Reference>, String> {
    let file = "reference.csv";
    let text = std::fs::read_to_string(folder.join(file)).map_err(|e| bad(folder, file, e))?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().trim();
    if header != HEADER {
        return Err(bad(folder, file, format!("line 1 is `{header}`, not `{HEADER}`")));
    }
    let mut rows = Vec::new();
    for (i, raw) in lines.enumerate() {
        let line = i + 2;
        if raw.trim().is_empty() {
            continue;
        }
        let row_bad = |message: String| bad(folder, file, format!("line {line} (`{raw}`): {message}"));
        let cells: Vec<&str> = raw.split(',').map(str::trim).collect();
        let [truth, design, metric, dose, value, se] = cells[..] else {
            return Err(row_bad(format!("{} cells, not 6", cells.len())));
        };
        let Some((levels, none, total, empty)) = dose_forms(metric) else {
            return Err(row_bad(format!("unknown metric `{metric}`")));
        };
        let dose = match dose {
            d if metric == "boundary" => match d.parse::<u32>() {
                Ok(n) if n >= 1 => DoseKey::Look(n),
                _ => {
                    return Err(row_bad(format!(
                        "boundary dose `{d}` is not a look's number of patients"
                    )))
                }
            },
            "" if empty => DoseKey::Empty,
            "none" if none => DoseKey::NoDose,
            "total" if total => DoseKey::Total,
            d if levels => match d.parse::<usize>() {
                Ok(level) if (1..=doses).contains(&level) => DoseKey::Level(level),
                _ => return Err(row_bad(format!("dose `{d}` is not a level 1..{doses} of the scenario"))),
            },
            d => return Err(row_bad(format!("metric `{metric}` does not take dose `{d}`"))),
        };
        let number = |name: &str, s: &str| match s.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(row_bad(format!("{name} `{s}` is not a finite number"))),
        };
        let (value, se) = (number("value", value)?, number("se", se)?);
        if se < 0.0 {
            return Err(row_bad(format!("se {se} is negative")));
        }
        if metric == "boundary" && se != 0.0 {
            return Err(row_bad(format!("a boundary is exact: se must be 0, not {se}")));
        }
        rows.push(Reference {
            line,
            truth: truth.to_string(),
            design: design.to_string(),
            metric: metric.to_string(),
            dose,
            value,
            se,
        });
    }
    if rows.is_empty() {
        return Err(bad(folder, file, "no rows"));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A malformed `reference.csv` is refused with a message naming the folder, the file, the line
    /// and the problem.
    #[test]
    fn malformed_reference_names_folder_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("truth,design,metric,value,se\n", "line 1"),
            (
                "truth,design,metric,dose,value,se\nt,BOIN,selected_pct,7,1.0,0.1\n",
                "line 2",
            ),
            (
                "truth,design,metric,dose,value,se\nt,BOIN,selected_pct,1,1.0,0.1\nt,BOIN,speed,,1,0.1\n",
                "unknown metric",
            ),
            (
                "truth,design,metric,dose,value,se\nt,BOIN,stopped_early_pct,1,1.0,0.1\n",
                "does not take dose",
            ),
            (
                "truth,design,metric,dose,value,se\nt,BOIN,dlt_mean,total,1.0,-0.1\n",
                "negative",
            ),
            (
                "truth,design,metric,dose,value,se\nt,Simon,boundary,,1,0\n",
                "not a look's number of patients",
            ),
            (
                "truth,design,metric,dose,value,se\nt,Simon,boundary,13,3,0.1\n",
                "se must be 0",
            ),
        ];
        for (text, expected) in cases {
            std::fs::write(dir.path().join("reference.csv"), text).unwrap();
            let error = read_reference(dir.path(), 5).unwrap_err();
            assert!(
                error.contains("reference.csv")
                    && error.contains(&dir.path().display().to_string())
                    && error.contains(expected),
                "{error}"
            );
        }
    }
}
