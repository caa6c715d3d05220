//! Fuzzes scenario parsing and validation: any text must give a scenario or a clear error, never a
//! panic or a hang. Valid dose-finding scenarios are also built and run for two trials, so design
//! construction (boundary tables, skeleton calibration, grids) is exercised on what validation lets
//! through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use trialsim::run::{simulate_scenario, RunOptions};
use trialsim::scenario::AnyScenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match AnyScenario::parse(text, Path::new("fuzz.toml")) {
        Ok(AnyScenario::DoseFinding(scenario)) => {
            // Bound the work: small trial counts, one thread; skip huge sample sizes.
            if scenario.trial.limits.max_patients > 200 || scenario.timing.is_some() {
                return;
            }
            let options = RunOptions {
                trials: Some(2),
                seed: Some(1),
                threads: 1,
                exact: false,
            };
            let _ = simulate_scenario(&scenario, &options, &|_| {});
        }
        Ok(AnyScenario::SingleArm(_)) => {}
        Err(e) => {
            // Every rejection names the file.
            assert!(e.to_string().starts_with("fuzz.toml"), "{e}");
        }
    }
});
