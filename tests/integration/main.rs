//! All integration tests in one binary (as ripgrep does): validation against published and exact
//! references, reproducibility, bad input, and the command line end to end.

mod backfill;
mod bad_input;
mod bfboin_parity;
mod boin12;
mod bop2_joint;
mod cli;
mod common;
mod conduct;
mod determinism;
mod dfcrm_next;
mod edges;
mod efficacy;
mod efftox;
mod exact;
mod fuzz;
mod interim;
mod limits;
mod limits_cost;
mod optimization;
mod params;
mod parity;
mod pathways;
mod properties;
mod random_truths;
mod recorded;
mod report;
mod results_json;
mod scale;
mod screenshot;
mod tidy_columns;
mod titeboin_parity;
mod transaction;
mod uboin;
mod validation;
