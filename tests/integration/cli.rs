//! The command line end to end, as a user runs it.

mod charts;
mod commands;
mod compare;
mod run;
