//! The counts a shard file holds ([`Counts`]): simulated, merged, and turned back into the run's
//! files, by the scenario's [`Engine`] whichever it is.

use crate::engines::{MergeError, RunCounts, SimulationError};
use crate::results::OcTable;
use crate::run::{with_dose_finding_engine, with_engine, Counts, Engine, EngineTask, RunError, Tagged};
use crate::scenario::{AnyScenario, RunFile};
use std::ops::Range;
use std::path::{Path, PathBuf};

impl Counts {
    /// Simulates the trials in `trials` of `scenario` (simulation only: exact rows have no trials
    /// to split).
    pub fn simulate(
        scenario: &AnyScenario,
        trials: Range<u64>,
        seed: u64,
        threads: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Counts, RunError> {
        with_engine(
            scenario,
            Count {
                trials,
                seed,
                threads,
                progress,
            },
        )
    }

    /// Adds `other`'s counts; an error if they are not counts of the same designs and truths.
    pub fn merge(&mut self, other: &Counts) -> Result<(), MergeError> {
        fn add<C: RunCounts + Tagged>(total: &mut C, other: &Counts) -> Result<(), MergeError> {
            let other = C::untag(other).ok_or(MergeError("the counts are of different kinds of scenario"))?;
            total.merge(other)
        }
        match self {
            Counts::DoseFinding(c) => add(c, other),
            Counts::CalendarTime(c) => add(c, other),
            Counts::SingleArm(c) => add(c, other),
        }
    }

    /// Checks the invariants of every accumulator ([`RunCounts::check`]).
    pub(super) fn check(&self) -> Result<(), String> {
        match self {
            Counts::DoseFinding(c) => c.check(),
            Counts::CalendarTime(c) => c.check(),
            Counts::SingleArm(c) => c.check(),
        }
    }

    /// The number of trials counted in each design × truth (and by every other accumulator).
    pub(super) fn trials(&self) -> Vec<u64> {
        match self {
            Counts::DoseFinding(c) => c.trials(),
            Counts::CalendarTime(c) => c.trials(),
            Counts::SingleArm(c) => c.trials(),
        }
    }
}

/// [`Engine::count`] as an [`EngineTask`], the counts tagged.
struct Count<'p> {
    trials: Range<u64>,
    seed: u64,
    threads: usize,
    progress: &'p (dyn Fn(u64) + Sync),
}

impl<T> EngineTask<T, Result<Counts, RunError>> for Count<'_> {
    fn with<E: Engine<Table = T>>(self, engine: &E) -> Result<Counts, RunError> {
        Ok(engine.count(self.trials, self.seed, self.threads, self.progress)?.tag())
    }
}

/// The table of a run from its counts, with the engine's counts unpacked from `counts`
/// (`file` names the scenario in the error when `counts` are another engine's).
struct Table<'c> {
    counts: &'c Counts,
    trials: u64,
    seed: u64,
    file: &'c Path,
}

impl Table<'_> {
    fn of<E: Engine>(self, engine: &E) -> Result<E::Table, RunError> {
        let counts = E::Counts::untag(self.counts).ok_or_else(|| {
            SimulationError::Unsupported(format!(
                "{}: the shard's counts are of another kind of scenario",
                self.file.display()
            ))
        })?;
        engine.table(counts, self.trials, self.seed)
    }
}

impl<T> EngineTask<T, Result<T, RunError>> for Table<'_> {
    fn with<E: Engine<Table = T>>(self, engine: &E) -> Result<T, RunError> {
        self.of(engine)
    }
}

/// The run's files written into `dir` from its counts.
struct Write<'c> {
    table: Table<'c>,
    dir: &'c Path,
}

impl<T> EngineTask<T, Result<Vec<PathBuf>, RunError>> for Write<'_> {
    fn with<E: Engine<Table = T>>(self, engine: &E) -> Result<Vec<PathBuf>, RunError> {
        engine.write(&self.table.of(engine)?, self.dir)
    }
}

/// Writes what `trialsim run` writes for `file` into `dir`, from the counts of its points.
pub(super) fn write_from_counts(
    file: &RunFile,
    counts: &[Counts],
    trials: u64,
    seed: u64,
    dir: &Path,
) -> Result<Vec<PathBuf>, RunError> {
    let table = |counts| Table {
        counts,
        trials,
        seed,
        file: file.file(),
    };
    match file {
        RunFile::Scenario(s) => with_engine(
            s,
            Write {
                table: table(&counts[0]),
                dir,
            },
        ),
        RunFile::Sweep(sweep) => {
            let tables: Vec<OcTable> = sweep
                .points
                .iter()
                .zip(counts)
                .map(|(p, c)| with_dose_finding_engine(&p.scenario, table(c)))
                .collect::<Result<_, _>>()?;
            crate::run::sweep::write_sweep_outputs(sweep, &tables, dir)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engines::dose_finding::OcCounts;

    #[test]
    fn counts_of_other_designs_do_not_merge() {
        let one = Counts::DoseFinding(vec![vec![OcCounts::new(3, 6)]]);
        let mut two = Counts::DoseFinding(vec![vec![OcCounts::new(3, 6)], vec![OcCounts::new(3, 6)]]);
        assert!(two.merge(&one).is_err());
        let mut timed = Counts::CalendarTime(Vec::new());
        assert!(timed.merge(&one).is_err());
    }

    /// u128 sums (durations in 10⁻⁶ months) survive the JSON text.
    #[test]
    fn counts_round_trip_through_json() {
        let mut c = OcCounts::new(2, 3);
        c.trials = 7;
        c.selected[1] = 7;
        let counts = Counts::DoseFinding(vec![vec![c]]);
        let text = serde_json::to_string(&counts).unwrap();
        assert_eq!(serde_json::from_str::<Counts>(&text).unwrap(), counts);
        let big: u128 = u128::from(u64::MAX) * 1_000;
        let back: u128 = serde_json::from_str(&serde_json::to_string(&big).unwrap()).unwrap();
        assert_eq!(back, big);
    }
}
