//! Reading settings from TOML with the path of every field, so that a problem names the field
//! (`design[2].skeleton[3]`, 1-based as dose levels) and what is wrong with it.
//!
//! Designs parse their own keys with [`Params`] and report a [`ParamError`]; the scenario layer
//! adds the file name.

use serde::de::DeserializeOwned;
use std::fmt;

/// A dotted path to a field, with 1-based indices (`truth[2].dlt[3]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldPath(String);

impl FieldPath {
    /// The field `key` below this one.
    pub fn key(&self, key: &str) -> FieldPath {
        if self.0.is_empty() {
            FieldPath(key.to_string())
        } else {
            FieldPath(format!("{}.{key}", self.0))
        }
    }

    /// Element `index` (0-based) of an array, written 1-based.
    pub fn at(&self, index: usize) -> FieldPath {
        FieldPath(format!("{}[{}]", self.0, index + 1))
    }

    /// Appends a serde path (0-based indices) to this one (1-based).
    pub fn below(&self, path: &serde_path_to_error::Path) -> FieldPath {
        use serde_path_to_error::Segment;
        path.iter().fold(self.clone(), |p, segment| match segment {
            Segment::Seq { index } => p.at(*index),
            Segment::Map { key } => p.key(key),
            Segment::Enum { variant } => p.key(variant),
            Segment::Unknown => p,
        })
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A problem with one field: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("field `{path}`: {message}")]
pub struct ParamError {
    /// The offending field.
    pub path: FieldPath,
    /// What is wrong with it.
    pub message: String,
}

impl ParamError {
    /// A problem at `path`.
    pub fn new(path: &FieldPath, message: impl Into<String>) -> ParamError {
        ParamError {
            path: path.clone(),
            message: message.into(),
        }
    }
}

/// Deserializes a TOML value into `T`, reporting the path of any error below `path`.
pub fn deserialize<T: DeserializeOwned>(value: toml::Value, path: &FieldPath) -> Result<T, ParamError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = path.below(e.path());
        ParamError::new(&inner, e.into_inner().message().to_string())
    })
}

/// A finite probability within [0, 1] (closed) or (0, 1) (open).
pub fn probability(path: &FieldPath, value: f64, open: bool) -> Result<f64, ParamError> {
    let ok = value.is_finite()
        && if open {
            value > 0.0 && value < 1.0
        } else {
            (0.0..=1.0).contains(&value)
        };
    if ok {
        Ok(value)
    } else {
        let range = if open {
            "strictly between 0 and 1"
        } else {
            "between 0 and 1"
        };
        Err(ParamError::new(
            path,
            format!("must be a probability {range}, got {value}"),
        ))
    }
}

/// An integer within [lo, hi].
pub fn integer(path: &FieldPath, value: i64, lo: i64, hi: i64) -> Result<i64, ParamError> {
    if (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(ParamError::new(
            path,
            format!("must be an integer from {lo} to {hi}, got {value}"),
        ))
    }
}

/// The keys of one TOML table that a reader still has to take, and the table's path: a design
/// takes its own keys one by one or deserializes the rest at once (where unknown keys are refused).
#[derive(Debug)]
pub struct Params {
    table: toml::Table,
    path: FieldPath,
}

impl Params {
    /// The keys of `table`, found at `path`.
    pub fn new(table: toml::Table, path: FieldPath) -> Params {
        Params { table, path }
    }

    /// The table's path.
    pub fn path(&self) -> &FieldPath {
        &self.path
    }

    /// The path of `key` in the table.
    pub fn field(&self, key: &str) -> FieldPath {
        self.path.key(key)
    }

    /// A problem with `key`.
    pub fn error(&self, key: &str, message: impl Into<String>) -> ParamError {
        ParamError::new(&self.field(key), message)
    }

    /// Takes `key` out of the table as it is written.
    pub fn take_value(&mut self, key: &str) -> Option<toml::Value> {
        self.table.remove(key)
    }

    /// Takes `key` out of the table as a `T`, if given.
    pub fn take<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, ParamError> {
        self.table
            .remove(key)
            .map(|value| deserialize(value, &self.path.key(key)))
            .transpose()
    }

    /// Takes every remaining key at once as a `T` (whose `deny_unknown_fields` refuses the
    /// keys it does not know).
    pub fn rest<T: DeserializeOwned>(&mut self) -> Result<T, ParamError> {
        deserialize(toml::Value::Table(std::mem::take(&mut self.table)), &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_dotted_and_one_based() {
        let path = FieldPath::default().key("design").at(1).key("skeleton").at(0);
        assert_eq!(path.to_string(), "design[2].skeleton[1]");
    }

    #[test]
    fn errors_name_the_field_below_the_table() {
        let table: toml::Table = toml::from_str("phi1 = 0.2\nlimits = [1, \"x\"]").unwrap();
        let mut params = Params::new(table, FieldPath::default().key("design").at(0));
        assert_eq!(params.take::<f64>("phi1"), Ok(Some(0.2)));
        assert_eq!(params.take::<f64>("phi2"), Ok(None));
        let e = params.take::<Vec<i64>>("limits").unwrap_err();
        assert_eq!(e.path.to_string(), "design[1].limits[2]");
        assert_eq!(e.to_string(), format!("field `design[1].limits[2]`: {}", e.message));
    }
}
