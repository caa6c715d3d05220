//! One module per subcommand: each defines its arguments (clap stays here, out of the library),
//! calls the library and prints. This module holds what they share: printing, writing a small
//! file, the progress report, Ctrl-C handling and the exit on error.

pub mod bench;
pub mod boundaries;
pub mod compare;
pub mod interim;
pub mod merge;
pub mod next;
pub mod pathways;
pub mod plot;
pub mod run;
pub mod simon;
pub mod survival_size;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use trialsim::report::write_atomic;
use trialsim::run::{ANNOUNCE_AFTER_SECONDS, PROGRESS_AFTER_SECONDS};

/// Prints a line to standard output, ignoring write errors: the summary is a courtesy (the files
/// are the product), and a closed pipe (`trialsim run … | head`) must not abort the run.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use say;

/// Ctrl-C asks the engines to stop before their next trial; nothing of an unfinished run is written
/// (outputs are written only after a run finishes, each atomically). A second Ctrl-C exits at
/// once.
pub fn stop_on_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if trialsim::engines::cancel::requested() {
            std::process::exit(130);
        }
        trialsim::engines::cancel::request();
    });
}

/// Ends the program on an error: prints it with its causes and exits with status 1.
pub fn exit_on_error(result: Result<()>) {
    if let Err(e) = result {
        eprintln!("error: {}", describe(&e));
        std::process::exit(1);
    }
}

/// An error and its causes on one line, "outer: cause: …", each cause said once: a cause whose
/// words the message already carries (e.g. a scenario error that quotes its reason) is left out.
fn describe(e: &anyhow::Error) -> String {
    let mut message = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message = format!("{message}: {cause}");
        }
    }
    message
}

/// Says `wrote PATH` for each file written.
pub fn say_wrote(paths: &[PathBuf]) {
    for path in paths {
        say!("wrote {}", path.display());
    }
}

/// Writes a small text file atomically and says so.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    say!("wrote {}", path.display());
    Ok(())
}

/// Seconds between two progress lines when standard error is not a terminal.
const PROGRESS_EVERY: Duration = Duration::from_secs(3);

/// A run's progress on standard error: a bar on a terminal; otherwise one line (trials done,
/// elapsed time, time left) every few seconds, from the start when the run's estimate exceeds
/// [`ANNOUNCE_AFTER_SECONDS`], else only once it has run [`PROGRESS_AFTER_SECONDS`] (so quick runs stay
/// silent and a mis-estimated one still reports). A ticker thread prints, so lines keep coming
/// while a single slow trial or an exact enumeration holds the engines.
pub struct Progress {
    bar: ProgressBar,
    done: Arc<AtomicU64>,
    ticker: Option<(mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
}

impl Progress {
    /// Starts reporting a run of `total` trials named `message`, estimated at `estimate` seconds.
    pub fn start(total: u64, message: &str, estimate: f64) -> Progress {
        let done = Arc::new(AtomicU64::new(0));
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} trials ({rate}, {eta} left)")
                    .expect("valid template")
                    .with_key(
                        "rate",
                        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = w.write_str(&rate(state.per_sec()));
                        },
                    )
                    .progress_chars("=> "),
            );
            bar.set_message(message.to_string());
            bar.enable_steady_tick(Duration::from_secs(1));
            return Progress {
                bar,
                done,
                ticker: None,
            };
        }
        let loud = estimate > ANNOUNCE_AFTER_SECONDS;
        if loud {
            eprintln!(
                "{message}: {total} trials, estimated about {}; progress every {} s",
                duration(estimate),
                PROGRESS_EVERY.as_secs()
            );
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let (counter, message) = (Arc::clone(&done), message.to_string());
        let started = Instant::now();
        let ticker = std::thread::spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(PROGRESS_EVERY) {
                let elapsed = started.elapsed().as_secs_f64();
                if !loud && elapsed < PROGRESS_AFTER_SECONDS {
                    continue;
                }
                let n = counter.load(Ordering::Relaxed);
                let left = if n > 0 {
                    duration(elapsed * (total.saturating_sub(n)) as f64 / n as f64)
                } else if estimate > elapsed {
                    duration(estimate - elapsed)
                } else {
                    "unknown".to_string()
                };
                eprintln!(
                    "{message}: {n}/{total} trials ({:.0}%), {} elapsed, about {left} left",
                    100.0 * n as f64 / total.max(1) as f64,
                    duration(elapsed)
                );
            }
        });
        Progress {
            bar: ProgressBar::hidden(),
            done,
            ticker: Some((stop, ticker)),
        }
    }

    /// Records that `n` trials are finished.
    pub fn set_position(&self, n: u64) {
        self.done.store(n, Ordering::Relaxed);
        self.bar.set_position(n);
    }

    /// Stops reporting and clears the bar.
    pub fn finish_and_clear(self) {
        self.bar.finish_and_clear();
        if let Some((stop, ticker)) = self.ticker {
            drop(stop);
            let _ = ticker.join();
        }
    }
}

/// A rate of trials per second as the progress bar shows it: whole trials from 10 a second up,
/// one decimal below (indicatif's own `{per_sec}` prints four decimals).
fn rate(per_second: f64) -> String {
    if !per_second.is_finite() {
        "– trials/s".to_string()
    } else if per_second >= 10.0 {
        format!("{per_second:.0} trials/s")
    } else {
        format!("{per_second:.1} trials/s")
    }
}

/// Seconds as a short duration ("42 s", "3.5 min", "2.1 h").
fn duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 5400.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

/// Pads `text` with spaces to `width` terminal columns (East Asian wide characters count two),
/// on the right (`left` aligned) or on the left.
pub fn pad(text: &str, width: usize, left: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(unicode_width::UnicodeWidthStr::width(text)));
    if left {
        format!("{text}{fill}")
    } else {
        format!("{fill}{text}")
    }
}

/// A console table: a header and rows of cells, the first `text_columns` left-aligned and the
/// rest right-aligned, each column as wide as its widest cell (in terminal columns), two spaces
/// apart.
pub fn console_table(header: &[&str], rows: &[Vec<String>], text_columns: usize) -> Vec<String> {
    let mut widths: Vec<usize> = header
        .iter()
        .map(|h| unicode_width::UnicodeWidthStr::width(*h))
        .collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(unicode_width::UnicodeWidthStr::width(cell.as_str()));
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        cells
            .enumerate()
            .map(|(i, c)| pad(c, widths[i], i < text_columns))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut lines = vec![line(&mut header.iter().copied())];
    lines.extend(rows.iter().map(|r| line(&mut r.iter().map(String::as_str))));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16: progress showed rates with four decimals.
    #[test]
    fn rates_are_whole_trials_per_second() {
        assert_eq!(rate(1234.5678), "1235 trials/s");
        assert_eq!(rate(3.2584), "3.3 trials/s");
    }

    /// Issue 16: the console table misaligned with long names (and CJK ones).
    #[test]
    fn console_columns_align_with_long_and_wide_names() {
        let rows = vec![
            vec![
                "a very long truth name indeed".to_string(),
                "BOIN".to_string(),
                "61.0".to_string(),
            ],
            vec!["剂量毒性曲线".to_string(), "3+3 设计".to_string(), "5.5".to_string()],
        ];
        let lines = console_table(&["truth", "design", "correct%"], &rows, 2);
        let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
        // Every line ends its last (right-aligned) column at the same terminal column.
        assert!(lines.iter().all(|l| width(l) == width(&lines[0])), "{lines:#?}");
        // The second column starts at the same terminal column on every line.
        let design_at = |l: &str, name: &str| width(&l[..l.find(name).unwrap()]);
        assert_eq!(design_at(&lines[1], "BOIN"), design_at(&lines[2], "3+3"));
        assert_eq!(design_at(&lines[0], "design"), design_at(&lines[1], "BOIN"));
    }

    /// Issue 17: a cause the message already quotes was printed twice ("not a regular file …: not
    /// a regular file …" for a FIFO as the scenario file).
    #[test]
    fn each_cause_is_said_once() {
        let io = std::io::Error::other("not a regular file");
        let quoted = anyhow::Error::new(io).context("x.toml: cannot read the scenario file: not a regular file");
        assert_eq!(
            describe(&quoted),
            "x.toml: cannot read the scenario file: not a regular file"
        );
        let chained = anyhow::anyhow!("disk full").context("writing out/summary.csv");
        assert_eq!(describe(&chained), "writing out/summary.csv: disk full");
    }
}
