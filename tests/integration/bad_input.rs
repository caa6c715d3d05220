//! Bad input: every validation error names the file and the field, exits non-zero, and writes
//! nothing.

use crate::common::{run_cli, stderr};
use std::fs;
use std::process::Output;
use tempfile::TempDir;

const GOOD: &str = r#"
name = "good"
[simulation]
trials = 100
seed = 1
[trial]
doses = ["a", "b", "c", "d"]
target = 0.25
cohort_size = 3
max_patients = 24
start_dose = 1
[[truth]]
name = "t1"
dlt = [0.05, 0.1, 0.25, 0.4]
[[truth]]
name = "t2"
dlt = [0.1, 0.2, 0.3, 0.5]
[[design]]
name = "BOIN"
rule = "boin"
[[design]]
name = "CRM"
rule = "crm"
skeleton = { halfwidth = 0.05, nu = 2 }
[[design]]
name = "3+3"
rule = "3+3"
"#;

/// Writes `text` as `file` in a fresh folder and runs `trialsim run FILE --out out` there.
fn run_text(file: &str, text: &str) -> (TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(file), text).unwrap();
    let out = run_cli(&["run", file, "--out", "out"], dir.path());
    (dir, out)
}

/// Runs `trialsim run` on `text` and checks the failure names `field` and `words`.
fn rejects(text: &str, field: &str, words: &str) {
    let (dir, out) = run_text("bad.toml", text);
    let message = stderr(&out);
    assert!(!out.status.success(), "accepted: {text}");
    assert!(message.contains("bad.toml"), "file not named: {message}");
    assert!(message.contains(field), "field {field} not named: {message}");
    assert!(message.contains(words), "'{words}' not in: {message}");
    assert!(!dir.path().join("out").exists(), "output written despite the error");
}

fn replace(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1)
}

#[test]
fn the_good_scenario_runs() {
    let (dir, out) = run_text("good.toml", GOOD);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("out/good/summary.csv").exists());
}

#[test]
fn probability_above_one() {
    rejects(&replace("0.3, 0.5]", "1.5, 0.5]"), "truth[2].dlt[3]", "probability");
}

#[test]
fn probability_nan() {
    rejects(&replace("0.3, 0.5]", "nan, 0.5]"), "truth[2].dlt[3]", "NaN");
}

#[test]
fn probability_of_wrong_type() {
    rejects(&replace("0.3, 0.5]", "\"x\", 0.5]"), "truth[2].dlt[3]", "invalid type");
}

#[test]
fn truth_of_wrong_length() {
    rejects(&replace("0.3, 0.5]", "0.3]"), "truth[2].dlt", "3 probabilities");
}

#[test]
fn empty_dose_list() {
    rejects(&replace(r#"["a", "b", "c", "d"]"#, "[]"), "trial.doses", "at least one");
}

#[test]
fn duplicate_dose_label() {
    rejects(&replace(r#""c", "d"]"#, r#""c", "c"]"#), "trial.doses[4]", "used twice");
}

#[test]
fn start_dose_out_of_range() {
    rejects(
        &replace("start_dose = 1", "start_dose = 5"),
        "trial.start_dose",
        "from 1 to 4",
    );
}

#[test]
fn cohort_size_zero() {
    rejects(
        &replace("cohort_size = 3", "cohort_size = 0"),
        "trial.cohort_size",
        "from 1",
    );
}

#[test]
fn max_patients_below_cohort_size() {
    rejects(
        &replace("max_patients = 24", "max_patients = 2"),
        "trial.max_patients",
        "at least cohort_size",
    );
}

#[test]
fn target_not_a_probability() {
    rejects(&replace("target = 0.25", "target = 1.2"), "trial.target", "probability");
}

#[test]
fn duplicate_truth_names() {
    rejects(
        &replace("name = \"t2\"", "name = \"t1\""),
        "truth[2].name",
        "used twice",
    );
}

#[test]
fn duplicate_design_names() {
    rejects(
        &replace("name = \"CRM\"", "name = \"BOIN\""),
        "design[2].name",
        "used twice",
    );
}

#[test]
fn unknown_top_level_key() {
    rejects(
        &replace("[simulation]\ntrials", "[simulation]\ntrails = 5\ntrials"),
        "simulation",
        "unknown field `trails`",
    );
}

#[test]
fn unknown_rule() {
    rejects(
        &replace("rule = \"boin\"", "rule = \"bion\""),
        "design[1].rule",
        "unknown rule 'bion'",
    );
}

#[test]
fn unknown_design_key() {
    rejects(
        &replace("rule = \"boin\"", "rule = \"boin\"\nphi3 = 0.1"),
        "design[1]",
        "unknown field `phi3`",
    );
}

#[test]
fn unknown_stopping_rule_kind() {
    rejects(
        &replace(
            "rule = \"boin\"",
            "rule = \"boin\"\nrules = [{ kind = \"stop_sometimes\" }]",
        ),
        "design[1].rules[1]",
        "unknown variant `stop_sometimes`",
    );
}

#[test]
fn too_toxic_rule_without_a_posterior() {
    rejects(
        &replace(
            "rule = \"3+3\"",
            "rule = \"3+3\"\nrules = [{ kind = \"stop_when_too_toxic\", dose = 1, threshold = 0.3, certainty = 0.9 }]",
        ),
        "design[3].rules[1].kind",
        "needs a design with a posterior",
    );
}

#[test]
fn boin_phi2_below_target() {
    rejects(
        &replace("rule = \"boin\"", "rule = \"boin\"\nphi2 = 0.2"),
        "design[1].phi2",
        "outside (target 0.25, 1)",
    );
}

#[test]
fn crm_skeleton_not_increasing() {
    rejects(
        &replace(
            "skeleton = { halfwidth = 0.05, nu = 2 }",
            "skeleton = [0.1, 0.3, 0.2, 0.4]",
        ),
        "design[2].skeleton",
        "increase strictly",
    );
}

#[test]
fn crm_calibration_dose_out_of_range() {
    rejects(&replace("nu = 2", "nu = 9"), "design[2].skeleton.nu", "from 1 to 4");
}

/// Regression: a calibrated skeleton that underflows to 0 used to run and report NaN-driven OCs.
#[test]
fn crm_calibrated_skeleton_outside_unit_interval() {
    let many_doses = replace(
        r#"doses = ["a", "b", "c", "d"]"#,
        &format!(
            "doses = [{}]",
            (1..=14).map(|i| format!("\"d{i}\"")).collect::<Vec<_>>().join(", ")
        ),
    )
    .replace("target = 0.25", "target = 0.3")
    .replace(
        "skeleton = { halfwidth = 0.05, nu = 2 }",
        "skeleton = { halfwidth = 0.1, nu = 13 }",
    );
    let fixed = many_doses
        .replace("[0.05, 0.1, 0.25, 0.4]", &format!("[{}]", vec!["0.3"; 14].join(", ")))
        .replace("[0.1, 0.2, 0.3, 0.5]", &format!("[{}]", vec!["0.3"; 14].join(", ")));
    rejects(&fixed, "design[2].skeleton", "outside (0, 1)");
}

#[test]
fn accelerated_titration_needs_cohorts() {
    let text = replace("cohort_size = 3", "cohort_size = 1").replace(
        "name = \"3+3\"\nrule = \"3+3\"",
        "name = \"BOIN titration\"\nrule = \"boin\"\naccelerated_titration = true",
    );
    rejects(
        &text,
        "design[3].accelerated_titration",
        "cohort_size must be at least 2",
    );
}

#[test]
fn titration_after_dlt_is_same_or_below_with_titration() {
    let titration = |keys: &str| {
        replace(
            "name = \"3+3\"\nrule = \"3+3\"",
            &format!("name = \"3+3\"\nrule = \"3+3\"\n{keys}"),
        )
    };
    rejects(
        &titration("accelerated_titration = true\ntitration_after_dlt = \"above\""),
        "design[3].titration_after_dlt",
        "expected \"same\" or \"below\"",
    );
    rejects(
        &titration("titration_after_dlt = \"below\""),
        "design[3].titration_after_dlt",
        "only with accelerated_titration = true",
    );
}

#[test]
fn extra_safe_selection_is_a_keyboard_key_with_extra_safe() {
    rejects(
        &replace(
            "rule = \"boin\"",
            "rule = \"boin\"\nextra_safe = true\nextra_safe_selection = false",
        ),
        "design[1].extra_safe_selection",
        "is a keyboard key",
    );
    rejects(
        &replace("rule = \"boin\"", "rule = \"keyboard\"\nextra_safe_selection = true"),
        "design[1].extra_safe_selection",
        "only with extra_safe = true",
    );
}

#[test]
fn three_plus_three_needs_cohorts_of_three() {
    rejects(
        &replace("cohort_size = 3", "cohort_size = 2"),
        "design[3].rule",
        "cohorts of 3",
    );
}

#[test]
fn rule_dose_out_of_range() {
    rejects(
        &replace(
            "rule = \"boin\"",
            "rule = \"boin\"\nrules = [{ kind = \"stop_when_n_at_dose\", n = 9, dose = 7 }]",
        ),
        "design[1].rules[1].dose",
        "from 1 to 4",
    );
}

#[test]
fn unknown_method() {
    rejects(
        &replace("seed = 1", "seed = 1\nmethod = \"exactly\""),
        "simulation.method",
        "unknown method 'exactly'",
    );
}

#[test]
fn truth_onset_without_timing() {
    rejects(
        &replace("name = \"t2\"", "name = \"t2\"\nonset = \"uniform\""),
        "truth[2].onset",
        "[timing]",
    );
}

#[test]
fn missing_field() {
    rejects(&replace("target = 0.25\n", ""), "trial", "missing field `target`");
}

#[test]
fn toml_syntax_error() {
    rejects(&replace("cohort_size = 3", "cohort_size = = 3"), "line", "");
}

#[test]
fn unsupported_kind() {
    rejects(
        &replace("name = \"good\"", "name = \"good\"\nkind = \"phase-3\""),
        "kind",
        "unknown kind 'phase-3'",
    );
}

#[test]
fn missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(&["run", "nowhere.toml", "--out", "out"], dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("nowhere.toml"), "{}", stderr(&out));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn non_utf8_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.toml"), b"name = \"\xff\xfe\"\n").unwrap();
    let out = run_cli(&["run", "bad.toml", "--out", "out"], dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bad.toml"), "{}", stderr(&out));
    assert!(!dir.path().join("out").exists());
}

/// One bad file among several: nothing is simulated or written, not even for the good ones.
#[test]
fn one_bad_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.toml"), GOOD).unwrap();
    fs::write(dir.path().join("bad.toml"), replace("target = 0.25", "target = -1")).unwrap();
    let out = run_cli(&["run", "good.toml", "bad.toml", "--out", "out"], dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("trial.target"));
    assert!(!dir.path().join("out").exists());
}

/// A non-monotone truth is allowed, with a warning.
#[test]
fn non_monotone_truth_warns() {
    let (_dir, out) = run_text("warn.toml", &replace("0.1, 0.2, 0.3, 0.5", "0.1, 0.3, 0.2, 0.5"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning") && stderr(&out).contains("'t2' is not monotone"));
}

#[test]
fn bad_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.toml"), GOOD).unwrap();
    for args in [["--trials", "0"], ["--threads", "0"]] {
        let out = run_cli(&["run", "good.toml", args[0], args[1], "--out", "out"], dir.path());
        assert!(!out.status.success());
        assert!(stderr(&out).contains(args[0]), "{}", stderr(&out));
    }
    assert!(!dir.path().join("out").exists());
}

const SINGLE_ARM: &str = r#"
name = "sa"
kind = "single-arm"
[simulation]
trials = 50
[trial]
patients = 40
accrual = { rate = 3 }
assessment = 1
min_followup = 6
[[truth]]
name = "t"
orr = 0.3
tox = 0.1
pfs = { median = 5 }
os = { median = 10 }
[[design]]
name = "Simon"
rule = "simon"
p0 = 0.2
p1 = 0.4
alpha = 0.1
toxicity = { limit = 0.3, certainty = 0.9, looks = [10, 20] }
[[design]]
name = "LR"
rule = "log-rank"
endpoint = "os"
median0 = 8
"#;

fn replace_sa(from: &str, to: &str) -> String {
    assert!(SINGLE_ARM.contains(from), "{from}");
    SINGLE_ARM.replacen(from, to, 1)
}

#[test]
fn the_good_single_arm_scenario_runs() {
    let (_dir, out) = run_text("sa.toml", SINGLE_ARM);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn single_arm_errors_name_the_field() {
    let cases: [(String, &str, &str); 9] = [
        (
            replace_sa("median0 = 8", "median0 = 8\nstatistic = \"exact\""),
            "design[2].statistic",
            "unknown statistic 'exact'",
        ),
        (
            replace_sa("rule = \"simon\"", "rule = \"simpson\""),
            "design[1].rule",
            "unknown rule 'simpson'",
        ),
        (
            replace_sa("{ rate = 3 }", "{ rate = 3, duration = 12 }"),
            "trial.accrual",
            "exactly one",
        ),
        (
            replace_sa("pfs = { median = 5 }", "pfs = { shape = 2 }"),
            "truth[1].pfs",
            "give `median`",
        ),
        (replace_sa("orr = 0.3", "orr = 1.3"), "truth[1].orr", "probability"),
        (
            replace_sa("looks = [10, 20]", "looks = [20, 10]"),
            "design[1].toxicity.looks[2]",
            "increase",
        ),
        (
            replace_sa("endpoint = \"os\"", "endpoint = \"dfs\""),
            "design[2].endpoint",
            "unknown endpoint",
        ),
        (
            replace_sa("median0 = 8", "median0 = 8\nwhatever = 1"),
            "design[2]",
            "unknown field `whatever`",
        ),
        (
            replace_sa("pfs = { median = 5 }", "pfs = { median = 15 }"),
            "truth[1].pfs",
            "pfs",
        ),
    ];
    for (text, field, words) in cases {
        rejects(&text, field, words);
    }
}

/// `GOOD` in calendar time, with `extra_truth` added to the first truth and `extra_design` to the
/// BOIN design.
fn timed(extra_truth: &str, extra_design: &str) -> String {
    let text = replace(
        "start_dose = 1\n",
        "start_dose = 1\n[timing]\narrival = { rate = 2.0 }\ndlt_window = 1.0\n",
    );
    text.replacen(
        "dlt = [0.05, 0.1, 0.25, 0.4]\n",
        &format!("dlt = [0.05, 0.1, 0.25, 0.4]\n{extra_truth}"),
        1,
    )
    .replacen("rule = \"boin\"\n", &format!("rule = \"boin\"\n{extra_design}"), 1)
}

#[test]
fn protocol_keys_are_checked() {
    let cases = [
        (
            timed("crs = [0.1, 0.0, 0.0, 0.0]\n", ""),
            "truth[1].crs[1]",
            "exceeds dlt",
        ),
        (
            timed("teae = [0.0, 0.2, 0.3, 0.5]\n", ""),
            "truth[1].teae[1]",
            "DLTs are TEAEs",
        ),
        (
            timed("efficacy = [0.1, 0.2]\n", ""),
            "truth[1].efficacy",
            "has 2 values",
        ),
        (
            timed("step_up_relative_risk = 3.0\n", ""),
            "truth[1].step_up_relative_risk[4]",
            "> 1",
        ),
        (
            timed("step_up_relative_risk = -1\n", ""),
            "truth[1].step_up_relative_risk[1]",
            "relative risk",
        ),
        (
            timed("crs = [0.0, 0.0, 0.1, 0.2]\ndlt_step_up = [0.05, 0.1, 0.2, 0.3]\n", ""),
            "truth[1].dlt_step_up",
            "step_up_relative_risk instead",
        ),
        (
            timed("", "step_up = { from_dose = 5 }\n"),
            "design[1].step_up.from_dose",
            "from 1 to 4",
        ),
        (timed("", "step_up = {}\n"), "design[1].step_up", "after_crs"),
        (timed("", "backfill = 3\n"), "design[1].backfill", "max_per_dose"),
        (
            timed("", "backfill = { max_per_dose = 0 }\n"),
            "design[1].backfill.max_per_dose",
            "from 1 to 24",
        ),
        (
            timed("", "").replacen(
                "name = \"3+3\"\nrule = \"3+3\"\n",
                "name = \"3+3\"\nrule = \"3+3\"\nbackfill = true\n",
                1,
            ),
            "design[3].backfill",
            "3+3 cannot backfill",
        ),
        (
            timed("", "").replacen("max_patients = 24\n", "max_patients = 24\ntotal_patients = 12\n", 1),
            "trial.total_patients",
            "from 24",
        ),
        (
            timed("", "").replacen("[timing]", "[rp2d]\nneither = 140\n[timing]", 1),
            "rp2d.neither",
            "between 0 and 100",
        ),
        (
            replace(
                "dlt = [0.05, 0.1, 0.25, 0.4]\n",
                "dlt = [0.05, 0.1, 0.25, 0.4]\nefficacy = [0.1, 0.2, 0.3, 0.4]\n",
            ),
            "truth[1].efficacy",
            "[timing]",
        ),
        (
            replace("rule = \"boin\"\n", "rule = \"boin\"\nstep_up = { after_crs = true }\n"),
            "design[1].step_up",
            "[timing]",
        ),
        (
            replace("max_patients = 24\n", "max_patients = 24\ntotal_patients = 48\n"),
            "trial.total_patients",
            "[timing]",
        ),
    ];
    for (text, field, words) in cases {
        rejects(&text, field, words);
    }
    // And a scenario using every key runs.
    let text = timed(
        "crs = [0.0, 0.02, 0.1, 0.2]\nstep_up_relative_risk = [1, 1, 0.5, 0.5]\nteae = [0.2, 0.3, 0.4, 0.5]\nefficacy = [0.1, 0.3, 0.5, 0.5]\n",
        "step_up = { from_dose = 3, after_crs = true }\nbackfill = { max_per_dose = 9 }\n",
    )
    .replacen("max_patients = 24\n", "max_patients = 24\ntotal_patients = 36\n", 1);
    let (dir, out) = run_text("good.toml", &text);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = fs::read_to_string(dir.path().join("out/good/summary.csv")).unwrap();
    assert!(summary.lines().count() == 7, "{summary}");
}
