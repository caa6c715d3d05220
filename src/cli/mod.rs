//! One module per subcommand: each defines its arguments (clap stays here, out of the library),
//! calls the library and prints. This module holds what they share: printing, writing a small
//! file, the progress bar, Ctrl-C handling and the exit on error.

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
use trialsim::report::write_atomic;

/// Prints a line to standard output, ignoring write errors: the summary is a courtesy (the files
/// are the product), and a closed pipe (`trialsim run … | head`) must not abort the run.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use say;

/// Ctrl-C asks the engines to stop at their next block; nothing of an unfinished run is written
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

/// A progress bar on a terminal; nothing otherwise.
pub fn progress_bar(total: u64, message: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} trials ({per_sec}, {eta} left)")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}
