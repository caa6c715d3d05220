//! `manifest.json`: the last file of every run folder. It lists every other file of the folder
//! with its size, its 64-bit FNV-1a checksum and, for a CSV table, its number of rows, with the
//! run's seed, trials and trialsim version; it holds no timestamp, so the same run writes the same
//! manifest. `plot` and `compare` check the tables they read against it before reading them, so a
//! table cut short, edited or left over from another run is refused, naming the file.

use super::index::VERSION;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";

/// The manifest's `format` field.
const FORMAT: &str = "trialsim-run-manifest";

/// What a manifest says of the run besides its files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// The run's seed (none for a comparison).
    pub seed: Option<u64>,
    /// Simulated trials per design and truth (none when every row is exact, or for a comparison).
    pub trials: Option<u64>,
}

/// One file of a run folder, as the manifest records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The path relative to the run folder, with `/` between folders.
    pub path: String,
    /// The size in bytes.
    pub bytes: u64,
    /// The data rows of a CSV table (its header excluded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// The 64-bit FNV-1a hash of the bytes, 16 hexadecimal digits.
    pub fnv1a64: String,
}

/// The manifest of a run folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `trialsim-run-manifest`.
    pub format: String,
    /// The trialsim version that wrote the folder.
    pub trialsim: String,
    /// The run's seed and trials.
    #[serde(flatten)]
    pub info: RunInfo,
    /// Every file of the folder but the manifest, sorted by path.
    pub files: Vec<FileEntry>,
}

/// Why a folder does not match its manifest.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ManifestError {
    /// The file that does not match (or the manifest itself).
    pub path: PathBuf,
    /// What is wrong, and what to do.
    pub message: String,
}

/// 64-bit FNV-1a (Fowler, Noll and Vo) hash of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The data rows of a CSV table, or none if it does not parse.
fn csv_rows(bytes: &[u8]) -> Option<u64> {
    let mut reader = ::csv::Reader::from_reader(bytes);
    let mut rows = 0;
    for record in reader.records() {
        record.ok()?;
        rows += 1;
    }
    Some(rows)
}

/// The entry of `bytes` stored at `path`.
fn entry(path: String, bytes: &[u8]) -> FileEntry {
    FileEntry {
        rows: path.ends_with(".csv").then(|| csv_rows(bytes)).flatten(),
        path,
        bytes: bytes.len() as u64,
        fnv1a64: format!("{:016x}", fnv1a64(bytes)),
    }
}

/// Every file below `dir` except manifests' own entry at the top and hidden files, by relative
/// path.
fn listing(base: &Path, dir: &Path, out: &mut Vec<FileEntry>) -> io::Result<()> {
    for item in fs::read_dir(dir)? {
        let path = item?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || (dir == base && name == MANIFEST) {
            continue;
        }
        if path.is_dir() {
            listing(base, &path, out)?;
        } else {
            let relative = path
                .strip_prefix(base)
                .expect("below the base")
                .to_string_lossy()
                .replace('\\', "/");
            out.push(entry(relative, &fs::read(&path)?));
        }
    }
    Ok(())
}

impl Manifest {
    /// The manifest of the files now in `dir`.
    pub fn of(dir: &Path, info: RunInfo) -> io::Result<Manifest> {
        let mut files = Vec::new();
        listing(dir, dir, &mut files)?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Manifest {
            format: FORMAT.into(),
            trialsim: VERSION.into(),
            info,
            files,
        })
    }

    /// The manifest as written: pretty JSON ending with a newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest serializes");
        text.push('\n');
        text.into_bytes()
    }

    /// Reads the manifest of the run folder `dir`.
    pub fn read(dir: &Path) -> Result<Manifest, ManifestError> {
        let path = dir.join(MANIFEST);
        let bad = |message: String| ManifestError {
            path: path.clone(),
            message,
        };
        let text = fs::read_to_string(&path).map_err(|e| {
            bad(if e.kind() == io::ErrorKind::NotFound {
                "missing: the folder is not a complete run folder of this trialsim (its run did not finish, \
                 or an earlier version wrote it); run it again"
                    .into()
            } else {
                format!("cannot read: {e}")
            })
        })?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| bad(format!("damaged manifest: {e}")))?;
        if manifest.format != FORMAT {
            return Err(bad(format!("not a run manifest (no \"format\": \"{FORMAT}\")")));
        }
        Ok(manifest)
    }

    /// Checks that every listed file whose path `wanted` accepts is in `dir` exactly as listed;
    /// refuses naming the first that is missing or differs.
    pub fn verify(&self, dir: &Path, wanted: impl Fn(&str) -> bool) -> Result<(), ManifestError> {
        for listed in self.files.iter().filter(|f| wanted(&f.path)) {
            let path = dir.join(&listed.path);
            let bad = |what: String| ManifestError {
                path: path.clone(),
                message: format!(
                    "{what}; the folder was changed after trialsim wrote it (see {MANIFEST}); run it again"
                ),
            };
            let bytes = fs::read(&path).map_err(|e| bad(format!("cannot read ({e})")))?;
            let found = entry(listed.path.clone(), &bytes);
            if found.bytes != listed.bytes {
                return Err(bad(format!(
                    "{} bytes where the manifest lists {}",
                    found.bytes, listed.bytes
                )));
            }
            if found != *listed {
                return Err(bad("content differs from the manifest's checksum".into()));
            }
        }
        Ok(())
    }
}

/// Writes `results.json` beside the CSV tables of `dir` and of the folders below it
/// ([`super::json`]), then the manifest of the files now in `dir` into `dir`, atomically (so a
/// sweep point's manifest lists its `results.json` too).
pub fn write_manifest(dir: &Path, info: RunInfo) -> io::Result<PathBuf> {
    super::json::write_results_json(dir)?;
    let bytes = Manifest::of(dir, info)?.to_bytes();
    let path = dir.join(MANIFEST);
    super::write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Checks the CSV tables of the run folder `dir` against its manifest (a sweep folder's manifest
/// covers its points' tables too).
pub fn verify_tables(dir: &Path) -> Result<Manifest, ManifestError> {
    let manifest = Manifest::read(dir)?;
    manifest.verify(dir, |path| path.ends_with(".csv"))?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_and_refuses_a_cut_table() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("summary.csv"), "a,b\n1,2\n3,4\n").unwrap();
        fs::create_dir(dir.path().join("point-1")).unwrap();
        fs::write(dir.path().join("point-1/x.csv"), "a\n1\n").unwrap();
        let info = RunInfo {
            seed: Some(7),
            trials: Some(10),
        };
        let manifest = Manifest::of(dir.path(), info).unwrap();
        assert_eq!(manifest.files.len(), 2);
        assert_eq!(manifest.files[1].rows, Some(2));
        assert_eq!(manifest.files[0].path, "point-1/x.csv");
        fs::write(dir.path().join(MANIFEST), manifest.to_bytes()).unwrap();
        assert_eq!(verify_tables(dir.path()).unwrap(), manifest);
        fs::write(dir.path().join("summary.csv"), "a,b\n1,2\n").unwrap();
        let e = verify_tables(dir.path()).unwrap_err();
        assert!(e.to_string().contains("summary.csv"), "{e}");
    }

    #[test]
    fn fnv_matches_the_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
    }
}
