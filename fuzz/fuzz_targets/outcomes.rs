//! Fuzzes the outcome-string parser of `trialsim next`: any text must parse or give an error with
//! a position inside the string, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trialsim::designs::outcomes::parse_outcomes;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_outcomes(text, 6) {
        Ok(cohorts) => assert!(cohorts.iter().all(|c| c.patients > 0 && c.dlts <= c.patients && c.dose.index() < 6)),
        Err(e) => assert!(e.position >= 1 && e.position <= text.len() + 1, "{e}"),
    }
});
