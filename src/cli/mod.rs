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
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
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
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} trials ({per_sec}, {eta} left)")
                    .expect("valid template")
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
