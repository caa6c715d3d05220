//! `[sweep]`: a dose-finding scenario run over a grid of settings. Each key lists values; the
//! Cartesian product of the lists (first key slowest, in the order of [`SweepKey::ALL`]) gives the
//! sweep's points, each an ordinary scenario validated before anything runs.

use super::{AnyScenario, FieldPath, Scenario, ScenarioError};
use crate::core::limits::MAX_SWEEP_POINTS;
use std::fmt;
use std::path::{Path, PathBuf};

/// A setting a sweep may vary (**contract**: the `[sweep]` keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepKey {
    /// `[trial] target`.
    Target,
    /// `[trial] cohort_size`.
    CohortSize,
    /// `[trial] max_patients`.
    MaxPatients,
    /// `skeleton.halfwidth` of every design with a calibrated skeleton (`skeleton = { halfwidth, nu }`).
    Halfwidth,
    /// `randomize.n_per_arm` of every design with a randomized dose-optimization stage.
    NPerArm,
}

impl SweepKey {
    /// Every key, in the order of the sweep's columns and loops.
    pub const ALL: [SweepKey; 5] = [
        SweepKey::Target,
        SweepKey::CohortSize,
        SweepKey::MaxPatients,
        SweepKey::Halfwidth,
        SweepKey::NPerArm,
    ];

    /// The key as written in `[sweep]` and as a column of `sweep.csv`.
    pub fn name(self) -> &'static str {
        match self {
            SweepKey::Target => "target",
            SweepKey::CohortSize => "cohort_size",
            SweepKey::MaxPatients => "max_patients",
            SweepKey::Halfwidth => "halfwidth",
            SweepKey::NPerArm => "n_per_arm",
        }
    }

    /// For a key of the designs' tables, that table and its key (`("skeleton", "halfwidth")`):
    /// the value goes to every design whose table has the key.
    fn in_design(self) -> Option<(&'static str, &'static str)> {
        match self {
            SweepKey::Halfwidth => Some(("skeleton", "halfwidth")),
            SweepKey::NPerArm => Some(("randomize", "n_per_arm")),
            SweepKey::Target | SweepKey::CohortSize | SweepKey::MaxPatients => None,
        }
    }

    fn integer(self) -> bool {
        matches!(self, SweepKey::CohortSize | SweepKey::MaxPatients | SweepKey::NPerArm)
    }
}

/// One value of a swept setting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SweepValue {
    /// A real-valued setting (e.g. `target`).
    Number(f64),
    /// An integer setting (e.g. `cohort_size`).
    Integer(i64),
}

impl SweepValue {
    fn toml(self) -> toml::Value {
        match self {
            SweepValue::Number(x) => toml::Value::Float(x),
            SweepValue::Integer(n) => toml::Value::Integer(n),
        }
    }
}

impl fmt::Display for SweepValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepValue::Number(x) => write!(f, "{x}"),
            SweepValue::Integer(n) => write!(f, "{n}"),
        }
    }
}

/// One point of a sweep: its settings and the scenario they give.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    /// The value of each of the sweep's keys, in the order of [`Sweep::keys`].
    pub values: Vec<SweepValue>,
    /// The scenario at this point.
    pub scenario: Scenario,
}

impl SweepPoint {
    /// `target = 0.2, cohort_size = 3`.
    pub fn describe(&self, keys: &[SweepKey]) -> String {
        describe(keys, &self.values)
    }
}

fn describe(keys: &[SweepKey], values: &[SweepValue]) -> String {
    keys.iter()
        .zip(values)
        .map(|(k, v)| format!("{} = {v}", k.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A validated sweep: the keys it varies and every point.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The file the sweep was read from.
    pub file: PathBuf,
    /// The sweep's name (`name`).
    pub name: String,
    /// The swept keys, in the order of [`SweepKey::ALL`].
    pub keys: Vec<SweepKey>,
    /// Points in loop order (the last key varies fastest).
    pub points: Vec<SweepPoint>,
}

impl Sweep {
    /// The file name without extension, used for the output folder.
    pub fn stem(&self) -> String {
        self.points[0].scenario.stem()
    }

    /// Warnings of the points, each once.
    pub fn warnings(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        for w in self.points.iter().flat_map(|p| &p.scenario.warnings) {
            if !all.contains(w) {
                all.push(w.clone());
            }
        }
        all
    }
}

/// What `trialsim run` reads from one file: a scenario, or a sweep of one.
#[derive(Clone, Debug)]
pub enum RunFile {
    /// A single scenario.
    Scenario(AnyScenario),
    /// A scenario swept over a grid of settings.
    Sweep(Sweep),
}

impl RunFile {
    /// Reads and validates a scenario file, with or without `[sweep]`; returns it with its text.
    pub fn read(path: &Path) -> Result<(RunFile, String), ScenarioError> {
        let text = super::read_scenario(path)?;
        Ok((RunFile::parse(&text, path)?, text))
    }

    /// Parses and validates scenario text, with or without `[sweep]`.
    pub fn parse(text: &str, file: &Path) -> Result<RunFile, ScenarioError> {
        let table = toml::from_str::<toml::Table>(text).ok();
        match table {
            Some(mut table) if table.contains_key("sweep") => {
                let sweep = table.remove("sweep").expect("present");
                parse_sweep(text, table, sweep, file).map(RunFile::Sweep)
            }
            _ => AnyScenario::parse(text, file).map(RunFile::Scenario),
        }
    }

    /// The file read.
    pub fn file(&self) -> &Path {
        match self {
            RunFile::Scenario(s) => s.file(),
            RunFile::Sweep(s) => &s.file,
        }
    }

    /// The file's stem, which names the run's output directory.
    pub fn stem(&self) -> String {
        match self {
            RunFile::Scenario(s) => s.stem(),
            RunFile::Sweep(s) => s.stem(),
        }
    }

    /// Warnings found while validating (for a sweep, every point's).
    pub fn warnings(&self) -> Vec<String> {
        match self {
            RunFile::Scenario(s) => s.warnings().to_vec(),
            RunFile::Sweep(s) => s.warnings(),
        }
    }
}

fn field(file: &Path, path: &FieldPath, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Field {
        file: file.to_path_buf(),
        field: path.to_string(),
        message: message.into(),
    }
}

fn parse_sweep(text: &str, base: toml::Table, sweep: toml::Value, file: &Path) -> Result<Sweep, ScenarioError> {
    let root = FieldPath::default().key("sweep");
    if base.get("kind").and_then(toml::Value::as_str) == Some("single-arm") {
        return Err(field(file, &root, "sweeps apply to dose-finding scenarios"));
    }
    if base.contains_key("random_truths") {
        let path = FieldPath::default().key("random_truths");
        return Err(field(
            file,
            &path,
            "a sweep is not averaged over random truths: remove [sweep] or [random_truths]",
        ));
    }
    let toml::Value::Table(sweep) = sweep else {
        return Err(field(
            file,
            &root,
            "must be a table of lists, e.g. target = [0.2, 0.25]",
        ));
    };
    for key in sweep.keys() {
        if !SweepKey::ALL.iter().any(|k| k.name() == key) {
            let known: Vec<&str> = SweepKey::ALL.iter().map(|k| k.name()).collect();
            return Err(field(
                file,
                &root.key(key),
                format!("unknown sweep key; expected one of {}", known.join(", ")),
            ));
        }
    }
    let mut keys = Vec::new();
    let mut lists: Vec<Vec<SweepValue>> = Vec::new();
    for key in SweepKey::ALL {
        let Some(value) = sweep.get(key.name()) else { continue };
        let path = root.key(key.name());
        let Some(items) = value.as_array().filter(|a| !a.is_empty()) else {
            return Err(field(file, &path, "must be a non-empty list of values"));
        };
        let mut values = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let value = match (key.integer(), item) {
                (true, toml::Value::Integer(n)) => SweepValue::Integer(*n),
                (false, toml::Value::Float(x)) => SweepValue::Number(*x),
                (false, toml::Value::Integer(n)) => SweepValue::Number(*n as f64),
                (true, other) => return Err(field(file, &path.at(i), format!("must be an integer, got {other}"))),
                (false, other) => return Err(field(file, &path.at(i), format!("must be a number, got {other}"))),
            };
            if values.contains(&value) {
                return Err(field(file, &path.at(i), format!("{value} is listed twice")));
            }
            values.push(value);
        }
        keys.push(key);
        lists.push(values);
    }
    if keys.is_empty() {
        return Err(field(file, &root, "lists no setting to sweep"));
    }
    // The file without [sweep] must be a valid scenario (its errors then carry line numbers).
    let base_text = toml::to_string(&base).expect("a TOML table serialises");
    if let Err(e) = Scenario::parse(&base_text, file) {
        // Report the error on the original text, where lines match the user's file.
        return Err(match Scenario::parse(&strip_sweep(text), file) {
            Err(original) => original,
            Ok(_) => e,
        });
    }
    for key in &keys {
        let Some((inner, name)) = key.in_design() else { continue };
        if designs_with(&base, inner, name) == 0 {
            let what = match key {
                SweepKey::NPerArm => "a randomized stage (randomize = { n_per_arm, … })",
                _ => "a calibrated skeleton (skeleton = { halfwidth, nu })",
            };
            return Err(field(
                file,
                &root.key(key.name()),
                format!("no design has {what} to sweep"),
            ));
        }
    }
    let total = (lists.iter())
        .try_fold(1usize, |total, list| total.checked_mul(list.len()))
        .filter(|&total| total <= MAX_SWEEP_POINTS)
        .ok_or_else(|| {
            let lengths: Vec<String> = lists.iter().map(|l| l.len().to_string()).collect();
            let product = (lists.iter()).fold(1u128, |total, list| total.saturating_mul(list.len() as u128));
            field(
                file,
                &root,
                format!(
                    "has {product} points ({} values), more than the {MAX_SWEEP_POINTS} allowed; each point \
                     is a whole run: shorten the lists or split the sweep into several files",
                    lengths.join(" × ")
                ),
            )
        })?;
    let mut points = Vec::with_capacity(total);
    for index in 0..total {
        // Mixed radix, last key fastest.
        let mut rest = index;
        let mut values = vec![SweepValue::Integer(0); keys.len()];
        for (slot, list) in values.iter_mut().zip(&lists).rev() {
            *slot = list[rest % list.len()];
            rest /= list.len();
        }
        let mut table = base.clone();
        for (&key, &value) in keys.iter().zip(&values) {
            set(&mut table, key, value);
        }
        let point_text = toml::to_string(&table).expect("a TOML table serialises");
        let scenario = Scenario::parse(&point_text, file).map_err(|e| point_error(e, file, &keys, &values))?;
        points.push(SweepPoint { values, scenario });
    }
    let name = points[0].scenario.name.clone();
    Ok(Sweep {
        file: file.to_path_buf(),
        name,
        keys,
        points,
    })
}

/// The text without its `[sweep]` table (every line from `[sweep]` to the next table header).
fn strip_sweep(text: &str) -> String {
    let mut inside = false;
    let mut kept = String::new();
    for line in text.lines() {
        let header = line.trim_start().starts_with('[');
        if header {
            inside = line.trim() == "[sweep]";
        }
        // Keep a blank line in place of each removed one, so line numbers still match.
        kept.push_str(if inside { "" } else { line });
        kept.push('\n');
    }
    kept
}

/// The number of designs whose table `inner` has the key `key` (`skeleton.halfwidth`).
fn designs_with(table: &toml::Table, inner: &str, key: &str) -> usize {
    table
        .get("design")
        .and_then(toml::Value::as_array)
        .map_or(0, |designs| {
            designs
                .iter()
                .filter(|d| d.get(inner).and_then(|s| s.get(key)).is_some())
                .count()
        })
}

/// Writes a swept value into the scenario's table.
fn set(table: &mut toml::Table, key: SweepKey, value: SweepValue) {
    if let Some((inner, design_key)) = key.in_design() {
        if let Some(designs) = table.get_mut("design").and_then(toml::Value::as_array_mut) {
            for settings in designs
                .iter_mut()
                .filter_map(|d| d.get_mut(inner).and_then(toml::Value::as_table_mut))
            {
                if settings.contains_key(design_key) {
                    settings.insert(design_key.into(), value.toml());
                }
            }
        }
        return;
    }
    if let Some(trial) = table.get_mut("trial").and_then(toml::Value::as_table_mut) {
        trial.insert(key.name().into(), value.toml());
    }
}

/// An invalid point: names the sweep key whose value it concerns (or `sweep` when it is the
/// combination), the point's values, and the scenario field with its problem.
fn point_error(error: ScenarioError, file: &Path, keys: &[SweepKey], values: &[SweepValue]) -> ScenarioError {
    let at = describe(keys, values);
    let root = FieldPath::default().key("sweep");
    match error {
        ScenarioError::Field {
            field: inner, message, ..
        } => {
            let key = keys.iter().find(|k| match k.in_design() {
                Some((table, key)) => inner.ends_with(&format!("{table}.{key}")),
                None => inner == format!("trial.{}", k.name()),
            });
            let path = key.map_or_else(|| root.clone(), |k| root.key(k.name()));
            field(file, &path, format!("at the point {at}: `{inner}`: {message}"))
        }
        other => field(file, &root, format!("at the point {at}: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
name = "grid"
[trial]
doses = ["a", "b", "c"]
target = 0.25
cohort_size = 3
max_patients = 12
[[truth]]
name = "t"
dlt = [0.1, 0.25, 0.4]
[[design]]
name = "CRM"
rule = "crm"
skeleton = { halfwidth = 0.05, nu = 2 }
[[design]]
name = "3+3"
rule = "3+3"
"#;

    fn sweep(extra: &str) -> Result<Sweep, ScenarioError> {
        match RunFile::parse(&format!("{BASE}\n[sweep]\n{extra}"), Path::new("grid.toml"))? {
            RunFile::Sweep(s) => Ok(s),
            RunFile::Scenario(_) => panic!("a sweep"),
        }
    }

    #[test]
    fn points_are_the_product_last_key_fastest() {
        let s = sweep("max_patients = [12, 18]\ntarget = [0.2, 0.3]\nhalfwidth = [0.04, 0.06, 0.08]").unwrap();
        assert_eq!(s.keys, [SweepKey::Target, SweepKey::MaxPatients, SweepKey::Halfwidth]);
        assert_eq!(s.points.len(), 12);
        let p = &s.points[5];
        assert_eq!(p.describe(&s.keys), "target = 0.2, max_patients = 18, halfwidth = 0.08");
        assert_eq!(p.scenario.trial.target, 0.2);
        assert_eq!(p.scenario.trial.limits.max_patients, 18);
        let last = &s.points[11].scenario;
        assert_eq!((last.trial.target, last.trial.limits.max_patients), (0.3, 18));
        // The skeleton follows the half-width: its calibrated doses differ between points.
        let skeleton = |p: &SweepPoint| format!("{:?}", p.scenario.designs[0].base);
        assert_ne!(skeleton(&s.points[0]), skeleton(&s.points[1]));
        assert_eq!(skeleton(&s.points[0]), skeleton(&s.points[3]));
    }

    /// The point count is judged from the lists' lengths before any point is built (a product
    /// that overflows is refused too).
    #[test]
    fn more_points_than_allowed_are_refused_before_any_is_built() {
        let targets: Vec<String> = (0..50).map(|i| format!("{:.3}", 0.15 + 0.002 * f64::from(i))).collect();
        let sizes: Vec<String> = (0..50).map(|i| (30 + i).to_string()).collect();
        let text = format!(
            "target = [{}]\nmax_patients = [{}]",
            targets.join(", "),
            sizes.join(", ")
        );
        let started = std::time::Instant::now();
        let message = sweep(&text).unwrap_err().to_string();
        assert!(
            message.contains("sweep") && message.contains("has 2500 points (50 × 50 values)"),
            "{message}"
        );
        assert!(message.contains("1000 allowed"), "{message}");
        assert!(started.elapsed().as_secs_f64() < 1.0, "no point was parsed");
    }

    #[test]
    fn a_file_without_sweep_is_a_scenario() {
        assert!(matches!(
            RunFile::parse(BASE, Path::new("grid.toml")).unwrap(),
            RunFile::Scenario(_)
        ));
    }

    #[test]
    fn errors_name_the_file_and_the_sweep_key() {
        let message = |extra: &str| sweep(extra).unwrap_err().to_string();
        assert_eq!(
            message("max_patients = [12, 2]"),
            "grid.toml: field `sweep.max_patients`: at the point max_patients = 2: `trial.max_patients`: \
             must be at least cohort_size (3), got 2"
        );
        // A combination at fault (no swept key names the field) is reported on `sweep`.
        let combination = message("cohort_size = [3, 20]");
        assert!(
            combination.starts_with("grid.toml: field `sweep`: at the point cohort_size = 20: `trial.max_patients`"),
            "{combination}"
        );
        assert!(message("target = [0.2, 1.5]").contains("field `sweep.target`: at the point target = 1.5"));
        assert!(message("seed = [1, 2]").contains("field `sweep.seed`: unknown sweep key"));
        assert!(message("target = []").contains("field `sweep.target`: must be a non-empty list"));
        assert!(message("cohort_size = [3, 2.5]").contains("field `sweep.cohort_size[2]`: must be an integer"));
        assert!(message("target = [0.2, 0.2]").contains("field `sweep.target[2]`: 0.2 is listed twice"));
        assert!(message("").contains("field `sweep`: lists no setting"));
    }

    #[test]
    fn halfwidth_needs_a_calibrated_skeleton() {
        let text = BASE.replace("skeleton = { halfwidth = 0.05, nu = 2 }", "skeleton = [0.1, 0.25, 0.4]");
        let e = RunFile::parse(&format!("{text}\n[sweep]\nhalfwidth = [0.05]"), Path::new("g.toml")).unwrap_err();
        assert!(
            e.to_string()
                .contains("field `sweep.halfwidth`: no design has a calibrated skeleton"),
            "{e}"
        );
    }

    /// `n_per_arm` goes to every design's randomized stage, needs one, and its values are
    /// checked like the design's own.
    #[test]
    fn n_per_arm_sweeps_the_randomized_stages() {
        let text = BASE.replace(
            "dlt = [0.1, 0.25, 0.4]",
            "dlt = [0.1, 0.25, 0.4]\nefficacy = [0.2, 0.4, 0.5]",
        ) + "[[design]]\nname = \"R\"\nrule = \"boin\"\nrandomize = { arms = 2, n_per_arm = 12 }\n";
        let parse = |extra: &str| RunFile::parse(&format!("{text}\n[sweep]\n{extra}"), Path::new("g.toml"));
        let Ok(RunFile::Sweep(s)) = parse("n_per_arm = [8, 30]") else {
            panic!("a sweep")
        };
        let stage = |p: &SweepPoint| p.scenario.designs[2].randomize.as_ref().unwrap().n_per_arm;
        assert_eq!((stage(&s.points[0]), stage(&s.points[1])), (8, 30));
        assert_eq!(s.points[1].describe(&s.keys), "n_per_arm = 30");
        let zero = parse("n_per_arm = [0]").unwrap_err().to_string();
        assert!(
            zero.starts_with("g.toml: field `sweep.n_per_arm`: at the point n_per_arm = 0: `design["),
            "{zero}"
        );
        let e = RunFile::parse(&format!("{BASE}\n[sweep]\nn_per_arm = [8]"), Path::new("g.toml")).unwrap_err();
        assert!(
            e.to_string()
                .contains("field `sweep.n_per_arm`: no design has a randomized stage"),
            "{e}"
        );
    }

    #[test]
    fn errors_outside_the_sweep_keep_their_line() {
        let text = BASE.replace("cohort_size = 3", "cohort_size = 0");
        let e = RunFile::parse(&format!("{text}\n[sweep]\ntarget = [0.2]"), Path::new("g.toml")).unwrap_err();
        assert_eq!(e.field(), Some("trial.cohort_size"), "{e}");
        let single = "name = \"x\"\nkind = \"single-arm\"\n[sweep]\ntarget = [0.2]\n";
        let e = RunFile::parse(single, Path::new("s.toml")).unwrap_err();
        assert!(e.to_string().contains("sweeps apply to dose-finding scenarios"), "{e}");
    }
}
