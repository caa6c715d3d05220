//! CSV files as typed rows. A row type's serde field names are its file's columns, declared once
//! for the writer and every reader; readers find columns by name, so columns added later (at the
//! end, as the contract allows) do not disturb them.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A row of one CSV file.
pub trait Row: Serialize + Sized {
    /// The file's name in a run folder.
    const FILE: &'static str;

    /// The file's columns, in order.
    fn columns() -> Vec<&'static str>;

    /// Reads one record, finding each column by its name in `headers`.
    fn read(record: &csv::StringRecord, headers: &csv::StringRecord) -> Result<Self, csv::Error>;
}

/// Implements [`Row`] for flat structs (one field per column) stored in `FILE`.
macro_rules! flat_row {
    ($($row:ty => $file:expr),+ $(,)?) => {$(
        impl $crate::results::rows::Row for $row {
            const FILE: &'static str = $file;

            fn columns() -> Vec<&'static str> {
                $crate::results::rows::field_names::<$row>().to_vec()
            }

            fn read(record: &csv::StringRecord, headers: &csv::StringRecord) -> Result<Self, csv::Error> {
                record.deserialize(Some(headers))
            }
        }
    )+};
}

pub(crate) use flat_row;

/// The field names of a struct, in order, as its derived `Deserialize` declares them.
///
/// # Panics
/// If `T` is not a struct with named fields.
pub fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    /// A deserializer that only records the field names a struct asks for.
    struct Names(Option<&'static [&'static str]>);

    impl<'de> Deserializer<'de> for &mut Names {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = Some(fields);
            Err(de::Error::custom("only the field names are read"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    let mut names = Names(None);
    let _ = T::deserialize(&mut names);
    names.0.expect("a struct with named fields")
}

/// A CSV file that cannot be read as its rows.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {message}")]
pub struct TableError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// The CSV text of `rows`: the header, then one record per row, with only the columns that some
/// row fills (a column empty in every row, such as the calendar-time columns of a run without
/// calendar time, is not written; a table without rows keeps every column).
pub fn write_rows<R: Row>(rows: &[R]) -> Vec<u8> {
    let records: Vec<csv::StringRecord> = rows.iter().map(cells).collect();
    let filled = filled_columns(R::columns().len(), &records);
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    writer
        .write_record(kept(R::columns(), &filled))
        .expect("writing to memory");
    for record in &records {
        writer.write_record(kept(record, &filled)).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory cannot fail")
}

/// Which of `width` columns some record of `records` fills (every column when there is none).
pub fn filled_columns(width: usize, records: &[csv::StringRecord]) -> Vec<bool> {
    (0..width)
        .map(|i| records.is_empty() || records.iter().any(|r| r.get(i).is_some_and(|c| !c.is_empty())))
        .collect()
}

/// The items of `items` whose column is kept.
pub fn kept<'a, I: IntoIterator + 'a>(items: I, filled: &'a [bool]) -> impl Iterator<Item = I::Item> + 'a {
    items
        .into_iter()
        .zip(filled)
        .filter(|(_, &keep)| keep)
        .map(|(item, _)| item)
}

/// Reads every row of the CSV file at `path`.
pub fn read_rows<R: Row>(path: &Path) -> Result<Vec<R>, TableError> {
    let error = |e: csv::Error| TableError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = csv::Reader::from_path(path).map_err(error)?;
    let headers = reader.headers().map_err(error)?.clone();
    reader
        .records()
        .map(|record| R::read(&record.map_err(error)?, &headers).map_err(error))
        .collect()
}

/// The cells of one row, as the writer writes them.
pub fn cells<R: Serialize>(row: &R) -> csv::StringRecord {
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    writer.serialize(row).expect("a row is one record");
    let bytes = writer.into_inner().expect("writing to memory cannot fail");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice())
        .records()
        .next()
        .expect("one record")
        .expect("our own CSV")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::cells::{Given, Percent};

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Example {
        name: String,
        value: Percent,
        given: Option<Given>,
    }

    flat_row!(Example => "example.csv");

    #[test]
    fn rows_round_trip_through_their_file() {
        assert_eq!(Example::columns(), ["name", "value", "given"]);
        let rows = vec![
            Example {
                name: "a, quoted".into(),
                value: Percent::default(),
                given: Some(Given(0.25)),
            },
            Example {
                name: "b".into(),
                value: Percent::default(),
                given: None,
            },
        ];
        let bytes = write_rows(&rows);
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "name,value,given\n\"a, quoted\",0.000,0.25\nb,0.000,\n"
        );
        // A column no row fills is not written, and reads back as empty.
        let unfilled = [rows[1].clone()];
        assert_eq!(write_rows(&unfilled), b"name,value\nb,0.000\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(Example::FILE);
        std::fs::write(&path, write_rows(&unfilled)).unwrap();
        assert_eq!(read_rows::<Example>(&path).unwrap(), unfilled);
        assert_eq!(write_rows::<Example>(&[]), b"name,value,given\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(Example::FILE);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(read_rows::<Example>(&path).unwrap(), rows);
        assert_eq!(cells(&rows[1]).iter().collect::<Vec<_>>(), ["b", "0.000", ""]);
        std::fs::write(&path, "name,value\nb,x\n").unwrap();
        let error = read_rows::<Example>(&path).unwrap_err().to_string();
        assert!(
            error.contains("example.csv") && error.contains("`x` is not a number"),
            "{error}"
        );
    }
}
