//! The old path of [`crate::designs`], kept while callers move to it (temporary).

pub use crate::designs::*;
