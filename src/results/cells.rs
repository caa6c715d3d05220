//! How values are written in CSV cells and read back: each cell type writes exactly the text the
//! tables have always held (**contract**) and parses it again, so a row read from a file equals
//! the row written.

use crate::core::Dose;
use std::fmt;
use std::str::FromStr;

/// A cell that did not hold what its column holds.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not {expected}")]
pub struct CellError {
    /// The cell's text.
    pub text: String,
    /// What the column holds.
    pub expected: &'static str,
}

impl CellError {
    fn new(text: &str, expected: &'static str) -> CellError {
        CellError {
            text: text.to_string(),
            expected,
        }
    }
}

thread_local! {
    /// Whether cells are being serialised as JSON values rather than CSV text.
    static NUMBERS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with numeric cells serialised as numbers (their CSV text read as a number, so a JSON
/// value holds the digits the CSV cell holds; NaN as null) and the other cells as their text: how
/// `results.json` holds the rows the CSV files hold.
pub fn as_numbers<T>(f: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            NUMBERS.with(|n| n.set(self.0));
        }
    }
    let _reset = Reset(NUMBERS.with(|n| n.replace(true)));
    f()
}

/// Serialises `text` (a cell's CSV text) as a number in [`as_numbers`] mode, and as text otherwise.
fn numeric<S: serde::Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    if !NUMBERS.with(std::cell::Cell::get) {
        return serializer.collect_str(text);
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9e15 && !text.contains('.') => {
            serializer.serialize_i64(x as i64)
        }
        Ok(x) if x.is_finite() => serializer.serialize_f64(x),
        Ok(_) => serializer.serialize_none(),
        Err(_) => serializer.collect_str(text),
    }
}

/// Serialises a cell as its [`Display`](fmt::Display) text (a number in [`as_numbers`] mode, when
/// the text is one) and reads it back with [`FromStr`].
macro_rules! number_cell {
    ($($cell:ty),+ $(,)?) => {$(
        impl serde::Serialize for $cell {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                numeric(&self.to_string(), serializer)
            }
        }

        impl<'de> serde::Deserialize<'de> for $cell {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    )+};
}

/// Serialises a cell as its [`Display`](fmt::Display) text and reads it back with [`FromStr`].
macro_rules! text_cell {
    ($($cell:ty),+ $(,)?) => {$(
        impl serde::Serialize for $cell {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $cell {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    )+};
}

/// An enum whose variants are written as fixed words, each word given once.
macro_rules! word_cell {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The word written in the cell.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::results::cells::CellError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::results::cells::CellError {
                        text: text.to_string(),
                        expected: concat!("one of:", $(" ", $word),+),
                    }),
                }
            }
        }

        $crate::results::cells::text_cell!($name);
    };
}

pub(crate) use {text_cell, word_cell};

/// A number written with `DECIMALS` decimals (−0 written as 0): percentages with 3, means with 4.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Fixed<const DECIMALS: usize>(pub f64);

impl<const DECIMALS: usize> fmt::Display for Fixed<DECIMALS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Adding 0.0 turns −0.0 (an empty f64 sum) into 0.0.
        write!(f, "{:.*}", DECIMALS, self.0 + 0.0)
    }
}

impl<const DECIMALS: usize> FromStr for Fixed<DECIMALS> {
    type Err = CellError;

    fn from_str(text: &str) -> Result<Self, CellError> {
        text.parse().map(Fixed).map_err(|_| CellError::new(text, "a number"))
    }
}

impl<const DECIMALS: usize> serde::Serialize for Fixed<DECIMALS> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        numeric(&self.to_string(), serializer)
    }
}

impl<'de, const DECIMALS: usize> serde::Deserialize<'de> for Fixed<DECIMALS> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A percentage, written with 3 decimals.
pub type Percent = Fixed<3>;

/// A mean (or another measured number), written with 4 decimals.
pub type Mean = Fixed<4>;

/// A number written as Rust writes it: the shortest text that reads back as the same number
/// (`0.25`, `10`). Used for values the scenario gives (true probabilities, targets, medians) and
/// for bin bounds.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Given(pub f64);

impl fmt::Display for Given {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Given {
    type Err = CellError;

    fn from_str(text: &str) -> Result<Self, CellError> {
        text.parse().map(Given).map_err(|_| CellError::new(text, "a number"))
    }
}

/// A choice of dose: its 1-based level, or `stop` (no dose).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// The dose at this 1-based level.
    Level(usize),
    /// No dose: stop.
    Stop,
}

impl Choice {
    /// The dose chosen, `None` for stopping.
    pub fn dose(dose: Option<Dose>) -> Choice {
        dose.map_or(Choice::Stop, |d| Choice::Level(d.level()))
    }
}

const STOP: &str = "stop";

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Choice::Level(level) => write!(f, "{level}"),
            Choice::Stop => f.write_str(STOP),
        }
    }
}

impl FromStr for Choice {
    type Err = CellError;

    fn from_str(text: &str) -> Result<Self, CellError> {
        if text == STOP {
            return Ok(Choice::Stop);
        }
        match text.parse() {
            Ok(level) if level >= 1 => Ok(Choice::Level(level)),
            _ => Err(CellError::new(text, "a dose level (from 1) or `stop`")),
        }
    }
}

word_cell! {
    /// How a dose-finding row was computed.
    pub enum MethodName {
        /// By Monte Carlo simulation.
        Simulated => "simulated",
        /// By exact enumeration of every trial state.
        Exact => "exact",
    }
}

/// The `trials` cell of a dose-finding summary: the number of simulated trials, or `exact`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trials {
    /// Simulated with this many trials.
    Simulated(u64),
    /// Computed exactly.
    Exact,
}

impl fmt::Display for Trials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trials::Simulated(trials) => write!(f, "{trials}"),
            Trials::Exact => f.write_str(MethodName::Exact.as_str()),
        }
    }
}

impl FromStr for Trials {
    type Err = CellError;

    fn from_str(text: &str) -> Result<Self, CellError> {
        if text == MethodName::Exact.as_str() {
            return Ok(Trials::Exact);
        }
        text.parse()
            .map(Trials::Simulated)
            .map_err(|_| CellError::new(text, "a number of trials or `exact`"))
    }
}

/// A yes/no cell written as `1` or `0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flag(pub bool);

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "1" } else { "0" })
    }
}

impl FromStr for Flag {
    type Err = CellError;

    fn from_str(text: &str) -> Result<Self, CellError> {
        match text {
            "1" => Ok(Flag(true)),
            "0" => Ok(Flag(false)),
            _ => Err(CellError::new(text, "1 or 0")),
        }
    }
}

number_cell!(Given, Choice, Trials, Flag);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_write_the_tables_text_and_read_it_back() {
        assert_eq!(Percent::default().to_string(), "0.000");
        assert_eq!(Fixed::<4>(-0.0).to_string(), "0.0000");
        assert_eq!(Fixed::<4>(f64::NAN).to_string(), "NaN");
        assert_eq!(Fixed::<2>(0.6).to_string(), "0.60");
        assert_eq!(Given(10.0).to_string(), "10");
        assert_eq!(Given(0.25).to_string(), "0.25");
        for text in ["12.345", "0.000", "100.000"] {
            assert_eq!(text.parse::<Percent>().unwrap().to_string(), text);
        }
        assert_eq!("stop".parse::<Choice>(), Ok(Choice::Stop));
        assert_eq!("3".parse::<Choice>(), Ok(Choice::Level(3)));
        assert!("0".parse::<Choice>().is_err());
        assert_eq!("exact".parse::<Trials>(), Ok(Trials::Exact));
        assert_eq!(Trials::Simulated(400).to_string(), "400");
        assert_eq!("simulated".parse::<MethodName>(), Ok(MethodName::Simulated));
        assert!("Exact".parse::<MethodName>().is_err());
        assert_eq!(Flag(true).to_string(), "1");
        assert_eq!("0".parse::<Flag>(), Ok(Flag(false)));
    }
}
