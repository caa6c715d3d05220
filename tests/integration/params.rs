//! Every design parameter is validated at load (issue 17, item 2): random parameter tables, per
//! design family, are either refused naming a field of the design, or run a trial without panic.

use super::common::simulate;
use proptest::prelude::*;
use std::path::Path;
use trialsim::scenario::Scenario;

/// A TOML value of any type and size: typical, boundary, negative, huge, wrapping and wrong-typed.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1000i32..2000).prop_map(|v| format!("{}", f64::from(v) / 1000.0)),
        prop::sample::select(vec![
            "0",
            "1",
            "3",
            "-5",
            "1000",
            "4294967297",
            "-1e300",
            "1e300",
            "0.0",
            "1.0",
            "true",
            "\"x\"",
            "nan",
        ])
        .prop_map(str::to_string),
    ]
}

/// An array of `len` values.
fn array(len: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(value(), len).prop_map(|v| format!("[{}]", v.join(", ")))
}

/// A `[[design]]` table of `rule` with each of `keys` present or not, at a random value
/// (`arrays`: keys whose values are arrays of the given length).
fn design(
    rule: &'static str,
    keys: &'static [&'static str],
    arrays: &'static [(&'static str, usize)],
) -> impl Strategy<Value = String> {
    let scalars = prop::collection::vec(prop::option::weighted(0.35, value()), keys.len());
    let vectors = arrays
        .iter()
        .map(|&(_, n)| prop::option::of(array(n)))
        .collect::<Vec<_>>();
    (scalars, vectors).prop_map(move |(scalars, vectors)| {
        let mut table = format!("[[design]]\nname = \"D\"\nrule = \"{rule}\"\n");
        for (key, v) in keys.iter().zip(scalars) {
            if let Some(v) = v {
                table += &format!("{key} = {v}\n");
            }
        }
        for ((key, _), v) in arrays.iter().zip(vectors) {
            if let Some(v) = v {
                table += &format!("{key} = {v}\n");
            }
        }
        table
    })
}

/// The scenario around a design table: four doses, target 0.25, cohorts of 3, 12 patients.
fn scenario(design: &str) -> String {
    format!(
        "name = \"params\"\n[trial]\ndoses = [\"1\", \"2\", \"3\", \"4\"]\ntarget = 0.25\ncohort_size = 3\n\
         max_patients = 12\n[[truth]]\nname = \"t\"\ndlt = [0.1, 0.2, 0.3, 0.4]\n{design}"
    )
}

/// Refused naming the design's field, or one trial runs.
fn check(text: &str) -> Result<(), TestCaseError> {
    match Scenario::parse(text, Path::new("params.toml")) {
        Err(e) => {
            let message = e.to_string();
            prop_assert!(
                message.contains("design"),
                "refused without naming the design's field: {message}\n{text}"
            );
        }
        Ok(_) => {
            simulate(text, 2, 1);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn boin_parameters(table in design("boin", &["phi1", "phi2", "cutoff_eliminate", "extra_safe", "offset", "n_earlystop"], &[])) {
        check(&scenario(&table))?;
    }

    #[test]
    fn keyboard_and_mtpi2_parameters(
        table in prop_oneof![
            design("keyboard", &["margin_left", "margin_right", "cutoff_eliminate", "extra_safe", "offset", "n_earlystop"], &[]),
            design("mtpi2", &["epsilon1", "epsilon2", "cutoff_eliminate", "extra_safe", "offset", "n_earlystop"], &[]),
            design("i3+3", &["epsilon1", "epsilon2", "cutoff_eliminate", "extra_safe", "offset", "n_earlystop"], &[]),
        ]
    ) {
        check(&scenario(&table))?;
    }

    #[test]
    fn crm_parameters(table in design("crm", &["intercept", "prior_variance", "restrict", "accelerated_titration"], &[("skeleton", 4)])) {
        check(&scenario(&table))?;
    }

    #[test]
    fn blrm_parameters(
        table in design(
            "blrm",
            &["reference_dose", "prior_correlation", "overdose_limit", "max_escalation"],
            &[("dose_amounts", 4), ("prior_mean", 2), ("prior_sd", 2), ("target_interval", 2)],
        )
    ) {
        check(&scenario(&table))?;
    }

    #[test]
    fn three_plus_three_parameters(table in design("3+3", &["deescalate"], &[])) {
        check(&scenario(&table))?;
    }
}

/// A rule name off by case or a letter is refused with the rule meant ("did you mean").
#[test]
fn a_misspelt_rule_gets_a_suggestion() {
    let refused = Scenario::parse(
        &scenario("[[design]]\nname = \"D\"\nrule = \"Boin\"\n"),
        Path::new("p.toml"),
    );
    let message = refused.unwrap_err().to_string();
    assert!(
        message.contains("field `design[1].rule`: unknown rule 'Boin' (did you mean 'boin'?)"),
        "{message}"
    );
    let refused = Scenario::parse(
        &scenario("[[design]]\nname = \"D\"\nrule = \"mtpi-2\"\n"),
        Path::new("p.toml"),
    );
    assert!(refused.unwrap_err().to_string().contains("(did you mean 'mtpi2'?)"));
}
