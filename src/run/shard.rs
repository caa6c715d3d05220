//! Many machines: `trialsim run FILE --shard I/N` simulates the I-th slice of the trials and
//! writes their raw integer counts; `trialsim merge` adds the shards' counts and writes exactly
//! the files a single run writes.
//!
//! Trial t always uses the stream of (seed, t), and counts are integers merged by addition, so
//! the merged counts equal those of the unsharded run, and so do the tables, charts and index.
//!
//! A shard file (`OUT/<file stem>/shard-I-of-N.json`, format `trialsim-shard` version 2; version 1,
//! without the sums of squares behind the standard errors, is refused) is one
//! JSON object: the format and software version, the scenario file's path and full text, seed,
//! trials, I, N, the slice `[first_trial, end_trial)`, and `points`: the counts of the scenario
//! (one point) or of each point of its sweep, as the engines accumulate them, tagged with their
//! engine (`Counts`; every field of
//! [`OcCounts`](crate::engines::dose_finding::OcCounts),
//! `TimedCounts` and
//! [`SingleArmResults`](crate::engines::single_arm::SingleArmResults)
//! serialises, so fields added there travel through shards without further work here).
//!
//! The object ends with a `checksum` of the rest (see `checksum`): merge refuses a shard whose
//! content does not match it, and checks every invariant of its counts (`Counts::check`).
//!
//! Shards are simulated, and merged counts turned into the run's files, by the scenario's
//! `Engine`, whichever it is.

mod checksum;
mod counts;

use super::Counts;

use crate::engines::SimulationError;
use crate::report::write_atomic;
use crate::run::{RunError, RunOptions};
use crate::scenario::{AnyScenario, Method as ScenarioMethod, RunFile, ScenarioError};
use counts::write_from_counts;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The `format` of a shard file.
const SHARD_FORMAT: &str = "trialsim-shard";
/// The version of the shard format this build reads and writes.
const SHARD_FORMAT_VERSION: u32 = 2;

/// Slice I (1-based) of N of a run's trials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// I (1-based).
    pub index: u64,
    /// N.
    pub count: u64,
}

impl Shard {
    /// `I/N` with 1 ≤ I ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("expected I/N (e.g. 3/10), got '{text}'"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| format!("expected I/N with whole numbers, got '{text}'"))
        };
        let (index, count) = (number(i)?, number(n)?);
        if count == 0 || index == 0 || index > count {
            return Err(format!("expected I/N with 1 ≤ I ≤ N, got '{text}'"));
        }
        Ok(Shard { index, count })
    }

    /// The trials of this shard among `total`: [⌊(I−1)·T/N⌋, ⌊I·T/N⌋). The shards of a run are
    /// contiguous, disjoint and cover 0..T.
    pub fn trials(&self, total: u64) -> Range<u64> {
        let at = |i: u64| (u128::from(i) * u128::from(total) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }

    /// The shard file's name.
    pub fn file_name(&self) -> String {
        format!("shard-{}-of-{}.json", self.index, self.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The scenarios a run file simulates: itself, or each point of its sweep.
fn points(file: &RunFile) -> Vec<AnyScenario> {
    match file {
        RunFile::Scenario(s) => vec![s.clone()],
        RunFile::Sweep(sweep) => sweep
            .points
            .iter()
            .map(|p| AnyScenario::DoseFinding(p.scenario.clone()))
            .collect(),
    }
}

fn settings(scenario: &AnyScenario, options: &RunOptions) -> (u64, u64) {
    let simulation = match scenario {
        AnyScenario::DoseFinding(s) => s.simulation,
        AnyScenario::SingleArm(s) => s.simulation,
    };
    (
        options.trials.unwrap_or(simulation.trials),
        options.seed.unwrap_or(simulation.seed),
    )
}

/// Trials per point and seed of a run of `file` with `options`.
pub fn run_settings(file: &RunFile, options: &RunOptions) -> (u64, u64) {
    settings(&points(file)[0], options)
}

/// What a shard file holds.
#[derive(Debug, Serialize, Deserialize)]
struct ShardFile {
    format: String,
    format_version: u32,
    software_version: String,
    scenario_file: PathBuf,
    scenario_text: String,
    seed: u64,
    trials: u64,
    shard: u64,
    shards: u64,
    first_trial: u64,
    end_trial: u64,
    points: Vec<Counts>,
}

/// Simulates shard `shard` of `file` (whose text is `text`) and writes its shard file into `dir`;
/// `progress` gets the trials finished over every point. Exact enumeration is refused.
pub fn run_shard(
    file: &RunFile,
    text: &str,
    options: &RunOptions,
    shard: Shard,
    dir: &Path,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<PathBuf, ShardError> {
    let scenarios = points(file);
    let exact = scenarios.iter().any(|s| match s {
        AnyScenario::DoseFinding(s) => s.simulation.method == ScenarioMethod::Exact,
        AnyScenario::SingleArm(_) => false,
    });
    if options.exact || exact {
        return Err(ShardError::Set(format!(
            "{}: exact enumeration has no trials to split; run it without --shard",
            file.file().display()
        )));
    }
    let (trials, seed) = settings(&scenarios[0], options);
    let range = shard.trials(trials);
    let size = range.end - range.start;
    let mut counts = Vec::with_capacity(scenarios.len());
    for (k, scenario) in scenarios.iter().enumerate() {
        let before = k as u64 * size;
        counts.push(Counts::simulate(
            scenario,
            range.clone(),
            seed,
            options.threads,
            &|done| progress(before + done),
        )?);
    }
    let content = ShardFile {
        format: SHARD_FORMAT.into(),
        format_version: SHARD_FORMAT_VERSION,
        software_version: crate::report::index::VERSION.into(),
        scenario_file: file.file().to_path_buf(),
        scenario_text: text.into(),
        seed,
        trials,
        shard: shard.index,
        shards: shard.count,
        first_trial: range.start,
        end_trial: range.end,
        points: counts,
    };
    let bytes = checksum::seal(&serde_json::to_vec(&content).expect("counts serialise"));
    std::fs::create_dir_all(dir).map_err(|e| ShardError::io(dir, e))?;
    let path = dir.join(shard.file_name());
    write_atomic(&path, &bytes).map_err(|e| ShardError::io(&path, e))?;
    Ok(path)
}

/// A problem with a set of shards.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// A shard file cannot be read or used.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    #[error("{0}")]
    /// The shard files do not form one complete set.
    Set(String),
    #[error(transparent)]
    /// A shard's scenario is not valid.
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    /// The run failed.
    Run(#[from] RunError),
}

impl ShardError {
    fn io(path: &Path, e: std::io::Error) -> ShardError {
        ShardError::File {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

impl From<SimulationError> for ShardError {
    fn from(e: SimulationError) -> ShardError {
        ShardError::Run(e.into())
    }
}

/// Shard files under `path` (the file itself, or every `shard-*-of-*.json` below a folder).
fn shard_files(path: &Path, found: &mut Vec<PathBuf>) -> Result<(), ShardError> {
    let meta = std::fs::metadata(path).map_err(|e| ShardError::io(path, e))?;
    if meta.is_file() {
        found.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| ShardError::io(path, e))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|e| ShardError::io(path, e))?;
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if entry.is_dir() {
            shard_files(&entry, found)?;
        } else if name.starts_with("shard-") && name.ends_with(".json") {
            found.push(entry);
        }
    }
    Ok(())
}

/// The shards of one run of one scenario file, merged so far.
struct Group {
    first: PathBuf,
    meta: ShardFile,
    seen: BTreeMap<u64, PathBuf>,
}

/// Reads the shard files under `paths` (files, or folders searched recursively), checks that
/// they form complete sets (same format, this trialsim's version, scenario text, seed, trials and
/// N; every shard 1..N exactly once), adds their counts and writes, for each scenario file, exactly what
/// `trialsim run` writes into `out/<file stem>/`. Nothing is written unless every set is complete.
pub fn merge(paths: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, ShardError> {
    let mut files = Vec::new();
    for path in paths {
        let before = files.len();
        shard_files(path, &mut files)?;
        if files.len() == before {
            return Err(ShardError::File {
                path: path.clone(),
                message: "holds no shard file (shard-I-of-N.json)".into(),
            });
        }
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for path in files {
        let bad = |message: String| ShardError::File {
            path: path.clone(),
            message,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| ShardError::io(&path, e))?;
        let head: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(format!("not a shard file: {e}")))?;
        if head.get("format").and_then(|f| f.as_str()) != Some(SHARD_FORMAT) {
            return Err(bad(format!("not a shard file (no \"format\": \"{SHARD_FORMAT}\")")));
        }
        let version = head.get("format_version").and_then(|v| v.as_u64());
        if version == Some(1) {
            return Err(bad(format!(
                "shard format version 1, written by an earlier trialsim: it lacks the per-trial sums of squares the standard errors need (version {SHARD_FORMAT_VERSION}); run its shard again with this trialsim"
            )));
        }
        if version != Some(u64::from(SHARD_FORMAT_VERSION)) {
            return Err(bad(format!(
                "shard format version {}; this trialsim reads version {SHARD_FORMAT_VERSION}",
                version.map_or_else(|| "missing".into(), |v| v.to_string())
            )));
        }
        let software = head
            .get("software_version")
            .and_then(|v| v.as_str())
            .unwrap_or("unknown");
        if software != crate::report::index::VERSION {
            return Err(bad(format!(
                "written by trialsim {software}; merge it with that version (this is {})",
                crate::report::index::VERSION
            )));
        }
        checksum::verify(&text).map_err(|e| bad(e.into()))?;
        let shard: ShardFile = serde_json::from_value(head).map_err(|e| bad(format!("damaged shard file: {e}")))?;
        let range = Shard {
            index: shard.shard,
            count: shard.shards,
        };
        if shard.shards == 0 || shard.shard == 0 || shard.shard > shard.shards {
            return Err(bad(format!("shard {range} is not a shard")));
        }
        let expected = range.trials(shard.trials);
        if (shard.first_trial..shard.end_trial) != expected {
            return Err(bad(format!(
                "shard {range} of {} trials should hold trials {}..{}, holds {}..{}",
                shard.trials, expected.start, expected.end, shard.first_trial, shard.end_trial
            )));
        }
        let size = expected.end - expected.start;
        if shard.points.iter().any(|c| c.trials().iter().any(|&t| t != size)) {
            return Err(bad(format!(
                "damaged shard file: not every count holds the slice's {size} trials"
            )));
        }
        for (k, counts) in shard.points.iter().enumerate() {
            let point = if shard.points.len() > 1 {
                format!("sweep point {}, ", k + 1)
            } else {
                String::new()
            };
            counts
                .check()
                .map_err(|e| bad(format!("damaged shard file: {point}{e}")))?;
        }
        // As `trialsim run` names the output folder.
        let stem = shard
            .scenario_file
            .file_stem()
            .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
        match groups.get_mut(&stem) {
            None => {
                let mut seen = BTreeMap::new();
                seen.insert(shard.shard, path.clone());
                groups.insert(
                    stem,
                    Group {
                        first: path,
                        meta: shard,
                        seen,
                    },
                );
            }
            Some(group) => {
                let m = &group.meta;
                let differs = [
                    ("scenario file", m.scenario_file != shard.scenario_file),
                    ("scenario text", m.scenario_text != shard.scenario_text),
                    ("seed", m.seed != shard.seed),
                    ("trials", m.trials != shard.trials),
                    ("number of shards", m.shards != shard.shards),
                    ("number of sweep points", m.points.len() != shard.points.len()),
                ];
                if let Some((what, _)) = differs.iter().find(|(_, d)| *d) {
                    return Err(ShardError::Set(format!(
                        "{} and {} are not shards of the same run: different {what}",
                        group.first.display(),
                        path.display()
                    )));
                }
                if let Some(other) = group.seen.insert(shard.shard, path.clone()) {
                    return Err(ShardError::Set(format!(
                        "shard {range} of {stem} appears twice: {} and {}",
                        other.display(),
                        path.display()
                    )));
                }
                for (total, add) in group.meta.points.iter_mut().zip(&shard.points) {
                    total.merge(add).map_err(|e| bad(format!("damaged shard file: {e}")))?;
                }
            }
        }
    }
    // Every set complete and every scenario valid before anything is written.
    let mut ready = Vec::new();
    for (stem, group) in groups {
        let n = group.meta.shards;
        let missing: Vec<String> = (1..=n)
            .filter(|i| !group.seen.contains_key(i))
            .map(|i| i.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(ShardError::Set(format!(
                "{stem}: shards {} of {n} are missing (found {} of {n})",
                missing.join(", "),
                group.seen.len()
            )));
        }
        let file = RunFile::parse(&group.meta.scenario_text, &group.meta.scenario_file)?;
        if points(&file).len() != group.meta.points.len() {
            return Err(ShardError::Set(format!(
                "{}: the counts do not match the scenario's sweep points",
                group.first.display()
            )));
        }
        ready.push((stem, file, group.meta));
    }
    let mut written = Vec::new();
    for (stem, file, meta) in ready {
        written.extend(write_from_counts(
            &file,
            &meta.points,
            meta.trials,
            meta.seed,
            &out.join(stem),
        )?);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_trials_once() {
        for (total, n) in [(10, 3), (7, 7), (3, 5), (1_000_001, 4), (u64::MAX, 3)] {
            let mut next = 0;
            for i in 1..=n {
                let r = Shard { index: i, count: n }.trials(total);
                assert_eq!(r.start, next, "{total} trials, shard {i}/{n}");
                assert!(r.end - r.start <= total / n + 1);
                next = r.end;
            }
            assert_eq!(next, total);
        }
        assert_eq!(Shard::parse("2/4").unwrap().trials(10), 2..5);
    }

    #[test]
    fn shard_spec_is_checked() {
        assert_eq!(Shard::parse(" 3 / 10 ").unwrap(), Shard { index: 3, count: 10 });
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", "-1/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
