//! Fuzzing that runs in CI (issue 7): proptest mutates the bundled scenarios and generates
//! arbitrary text; parsing and validation must never panic, and every rejection names the file.
//! Coverage-guided fuzzing with libFuzzer lives in `fuzz/` (`cargo +nightly fuzz run scenario`);
//! crashers it finds become regression tests here.

use crate::common;
use proptest::prelude::*;
use std::path::Path;
use trialsim::designs::outcomes::parse_outcomes;
use trialsim::scenario::AnyScenario;

fn bundled() -> Vec<String> {
    ["qls4131_escalation", "qls4131_full", "ql1706_es_sclc"]
        .iter()
        .map(|s| std::fs::read_to_string(common::bundled(&format!("{s}.toml"))).unwrap())
        .collect()
}

/// Replacement tokens that stress types, ranges and structure.
const TOKENS: [&str; 24] = [
    "0",
    "-1",
    "1e308",
    "nan",
    "inf",
    "-inf",
    "0.0",
    "1.0",
    "1.5",
    "\"\"",
    "\"x\"",
    "[]",
    "[1, 2]",
    "{}",
    "{ a = 1 }",
    "true",
    "9999999999999999999",
    "65536",
    "\"crm\"",
    "\"boin\"",
    "=",
    "[[",
    "]]",
    "\n[trial]\n",
];

fn check(text: &str) -> Result<(), TestCaseError> {
    if let Err(e) = AnyScenario::parse(text, Path::new("fuzz.toml")) {
        prop_assert!(e.to_string().starts_with("fuzz.toml"), "{}", e);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(7), ..ProptestConfig::default() })]

    /// A bundled scenario with one value or line replaced, truncated, or with bytes inserted.
    #[test]
    fn mutated_scenarios_never_panic(
        which in 0usize..3,
        position in 0.0f64..1.0,
        token in 0usize..TOKENS.len(),
        kind in 0u8..3,
    ) {
        let text = &bundled()[which];
        let at = ((text.len() as f64 * position) as usize).min(text.len());
        let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let mutated = match kind {
            0 => {
                // Replace the value after the next `=` on this line.
                let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
                match text[at..line_end].find('=') {
                    Some(eq) => format!("{} {}{}", &text[..at + eq + 1], TOKENS[token], &text[line_end..]),
                    None => format!("{}{}{}", &text[..at], TOKENS[token], &text[at..]),
                }
            }
            1 => text[..at].to_string(),
            _ => format!("{}{}{}", &text[..at], TOKENS[token], &text[at..]),
        };
        check(&mutated)?;
    }

    /// Arbitrary text, including TOML-looking fragments.
    #[test]
    fn arbitrary_text_never_panics(text in "(\\PC|\\n|=|\\[|\\]|\"|kind|single-arm|rule|doses|truth|design){0,200}") {
        check(&text)?;
    }

    /// The outcome-string parser of `trialsim next` on arbitrary text.
    #[test]
    fn outcome_strings_never_panic(text in "(\\PC|[0-9NT ]){0,60}") {
        match parse_outcomes(&text, 6) {
            Ok(cohorts) => prop_assert!(cohorts.iter().all(|c| c.patients > 0 && c.dlts <= c.patients)),
            Err(e) => prop_assert!(e.position >= 1 && e.position <= text.len() + 1),
        }
    }
}
