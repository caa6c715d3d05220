//! An output folder written as a transaction. The whole folder is written into a staging folder
//! beside it (`.NAME.staging-PID`), its manifest last, then swapped in for the previous one; on
//! any failure (an error, a full disk, Ctrl-C or SIGTERM) the staging folder is removed and the
//! previous folder stays as it was. A lock file beside the folder (`.NAME.lock`, held with an
//! operating-system file lock that ends with the process) refuses a second writer. Staging
//! folders and temporary files left by killed runs are removed by the next writer.

use super::manifest::{write_manifest, RunInfo, MANIFEST};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The lock files this process holds (a second lock of the same folder by the same process,
/// e.g. `run` then its writer, is granted at once).
static HELD: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// An error whose message says what is wrong.
fn refused(message: String) -> io::Error {
    io::Error::other(message)
}

/// The parent folder of `path` (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `PARENT/.NAME.SUFFIX` beside `target`.
fn beside(target: &Path, suffix: &str) -> PathBuf {
    let name = target.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy());
    parent_of(target).join(format!(".{name}.{suffix}"))
}

/// Makes `out` a folder that can hold output folders: creates it if missing (its parent must
/// exist) and checks that a file can be created in it. Called before any simulation.
pub fn prepare_out(out: &Path) -> io::Result<()> {
    check_out(out)?;
    match fs::create_dir(out) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    let probe = out.join(format!(".trialsim-probe-{}", std::process::id()));
    File::create(&probe).map_err(|e| refused(format!("cannot create a file in {}: {e}", out.display())))?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// Checks, creating nothing, that `out` is a folder, or absent with an existing parent folder.
pub fn check_out(out: &Path) -> io::Result<()> {
    match fs::metadata(out) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(refused(format!("{} is a file, not a folder", out.display()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let parent = parent_of(out);
            if parent.is_dir() {
                Ok(())
            } else {
                Err(refused(format!(
                    "the folder {} does not exist; create it first",
                    parent.display()
                )))
            }
        }
        Err(e) => Err(e),
    }
}

/// Checks that `target` is a folder or absent (not a file in the way).
pub fn check_target(target: &Path) -> io::Result<()> {
    match fs::metadata(target) {
        Ok(m) if !m.is_dir() => Err(refused(format!("{} is a file, not a folder", target.display()))),
        _ => Ok(()),
    }
}

/// The lock of an output folder, released (and its file removed) when dropped.
#[derive(Debug)]
pub struct FolderLock {
    path: PathBuf,
    /// The locked file; none when this process already held the lock.
    file: Option<File>,
}

/// Whether `file` is still the file at `path` (a previous holder may have removed it between
/// our opening and locking it).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `file` is still the file at `path` (without inode numbers: assumed).
#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

impl FolderLock {
    /// Locks `target` against other writers, or refuses naming the process that holds it.
    pub fn acquire(target: &Path) -> io::Result<FolderLock> {
        let path = beside(target, "lock");
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        if held.contains(&path) {
            return Ok(FolderLock { path, file: None });
        }
        loop {
            let mut file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let holder = fs::read_to_string(&path).unwrap_or_default();
                    let holder = holder.trim();
                    return Err(io::Error::new(
                        io::ErrorKind::WouldBlock,
                        format!(
                            "another trialsim{} is writing {} (lock {}); wait for it to finish or choose another --out",
                            if holder.is_empty() {
                                String::new()
                            } else {
                                format!(" (process {holder})")
                            },
                            target.display(),
                            path.display()
                        ),
                    ));
                }
                Err(fs::TryLockError::Error(e)) => return Err(e),
            }
            if same_file(&file, &path) {
                file.set_len(0)?;
                writeln!(file, "{}", std::process::id())?;
                held.push(path.clone());
                return Ok(FolderLock { path, file: Some(file) });
            }
        }
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let _ = fs::remove_file(&self.path);
            HELD.lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|p| p != &self.path);
            drop(file);
        }
    }
}

/// Whether process `pid` is running (on Linux, from `/proc`; elsewhere assumed).
fn alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// The PID ending `name` after `marker` (`.x.staging-123` → 123).
fn pid_after(name: &str, marker: &str) -> Option<u32> {
    name.rsplit_once(marker).and_then(|(_, pid)| pid.parse().ok())
}

/// Removes what killed writers of `target` left beside it: staging and swapped-out folders
/// (restoring a previous folder whose swap was cut short), and temporary files of processes
/// that no longer run. Called with the lock held, so no live writer of `target` is staging.
fn clean_stale(target: &Path) -> io::Result<()> {
    let name = target.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy());
    let staging = format!(".{name}.staging-");
    let old = format!(".{name}.old-");
    for item in fs::read_dir(parent_of(target))? {
        let path = item?.path();
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if file.starts_with(&old) && !target.exists() {
            fs::rename(&path, target)?;
        } else if file.starts_with(&staging) || file.starts_with(&old) {
            fs::remove_dir_all(&path)?;
        } else if file.starts_with('.') && pid_after(&file, ".tmp-").is_some_and(|pid| !alive(pid)) {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Copies the files and folders of `from` into the existing folder `to`.
pub fn copy_folder(from: &Path, to: &Path) -> io::Result<()> {
    for item in fs::read_dir(from)? {
        let path = item?.path();
        let dest = to.join(path.file_name().expect("a listed entry has a name"));
        if path.is_dir() {
            fs::create_dir(&dest)?;
            copy_folder(&path, &dest)?;
        } else {
            fs::copy(&path, &dest)?;
        }
    }
    Ok(())
}

/// A staging folder, removed when dropped unless swapped in.
struct Staging {
    path: PathBuf,
    done: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Swaps `staging` in as `target`, keeping the previous folder until the new one is in place.
fn swap_in(staging: &mut Staging, target: &Path) -> io::Result<()> {
    if target.exists() {
        let old = beside(target, &format!("old-{}", std::process::id()));
        fs::rename(target, &old)?;
        if let Err(e) = fs::rename(&staging.path, target) {
            fs::rename(&old, target)?;
            return Err(e);
        }
        staging.done = true;
        fs::remove_dir_all(&old)
    } else {
        fs::rename(&staging.path, target)?;
        staging.done = true;
        Ok(())
    }
}

/// Writes the output folder `target` as a transaction: creates its parent if needed, locks it,
/// cleans what killed writers
/// left, lets `write` fill a staging folder, writes `results.json` beside its CSV tables
/// ([`super::json`]), writes the manifest (with `info`) and swaps the
/// staging folder in. Returns the files `write` wrote, under `target`. `io_error` turns a failure
/// of the folder's own handling into the caller's error; whatever fails, `target` keeps its
/// previous content.
pub fn write_staged<E>(
    target: &Path,
    info: RunInfo,
    io_error: impl Fn(&Path, io::Error) -> E,
    write: impl FnOnce(&Path) -> Result<Vec<PathBuf>, E>,
) -> Result<Vec<PathBuf>, E> {
    check_target(target).map_err(|e| io_error(target, e))?;
    fs::create_dir_all(parent_of(target)).map_err(|e| io_error(parent_of(target), e))?;
    let _lock = FolderLock::acquire(target).map_err(|e| io_error(target, e))?;
    clean_stale(target).map_err(|e| io_error(target, e))?;
    let mut staging = Staging {
        path: beside(target, &format!("staging-{}", std::process::id())),
        done: false,
    };
    fs::create_dir(&staging.path).map_err(|e| io_error(&staging.path, e))?;
    let mut written = write(&staging.path)?;
    let json = super::json::write_results_json(&staging.path).map_err(|e| io_error(target, e))?;
    written.extend(json.into_iter().filter(|p| !written.contains(p)).collect::<Vec<_>>());
    write_manifest(&staging.path, info).map_err(|e| io_error(&target.join(MANIFEST), e))?;
    swap_in(&mut staging, target).map_err(|e| io_error(target, e))?;
    Ok(written
        .into_iter()
        .map(|p| {
            p.strip_prefix(&staging.path)
                .map_or(p.clone(), |rest| target.join(rest))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) -> Result<Vec<PathBuf>, io::Error> {
        files
            .iter()
            .map(|(name, text)| {
                let path = dir.join(name);
                fs::write(&path, text)?;
                Ok(path)
            })
            .collect()
    }

    #[test]
    fn a_folder_holds_one_complete_run_and_survives_a_failure() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("run");
        let ok = |_: &Path, e: io::Error| e;
        let files = write_staged(&target, RunInfo::default(), ok, |d| {
            write(d, &[("a.csv", "x\n1\n"), ("b", "b")])
        })
        .unwrap();
        assert_eq!(files, vec![target.join("a.csv"), target.join("b")]);
        // A second run replaces the whole folder: `b` is gone.
        write_staged(&target, RunInfo::default(), ok, |d| write(d, &[("a.csv", "x\n2\n")])).unwrap();
        assert!(!target.join("b").exists());
        // A failing run leaves the previous one as it was, and nothing beside it.
        let failed = write_staged(&target, RunInfo::default(), ok, |d| {
            write(d, &[("a.csv", "x\n3\n")])?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read_to_string(target.join("a.csv")).unwrap(), "x\n2\n");
        let names: Vec<_> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["run"]);
        assert!(crate::report::manifest::verify_tables(&target).is_ok());
    }

    #[test]
    fn stale_staging_and_temporary_files_are_removed_and_a_cut_swap_restored() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("run");
        fs::create_dir(root.path().join(".run.staging-4194305")).unwrap();
        fs::write(root.path().join(".x.csv.tmp-4194305"), "").unwrap();
        fs::create_dir(root.path().join(".run.old-4194305")).unwrap();
        fs::write(root.path().join(".run.old-4194305/a.csv"), "old").unwrap();
        clean_stale(&target).unwrap();
        let names: Vec<_> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["run"]);
        assert_eq!(fs::read_to_string(target.join("a.csv")).unwrap(), "old");
    }

    #[test]
    fn out_problems_are_named() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("file");
        fs::write(&file, "").unwrap();
        assert!(prepare_out(&file).unwrap_err().to_string().contains("not a folder"));
        let e = prepare_out(&root.path().join("no/such")).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        prepare_out(&root.path().join("new")).unwrap();
        assert!(root.path().join("new").is_dir());
    }
}
