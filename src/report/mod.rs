//! Reports: consumers of [`crate::montecarlo::Results`]. They never reach into the model.
//!
//! Every output file is rendered in memory first; a command's folder is then written as a set
//! (see [`write_all`]), so a reader never sees a half-written file or a mix of two runs.

pub mod analysis_chart;
pub mod chart;
pub mod csv;
pub mod html;
pub mod terminal;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::budget::Budget;
use crate::error::Error;
use crate::montecarlo::Results;
use crate::scenario::Scenario;

/// A rendered output file.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// File name within the output folder.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Renders every output file of a run into `staging`: the CSV files, then the charts (with
/// the budget lines when a budget is given), then the files `more` makes from those (the HTML
/// report). Files are rendered in parallel with each other and with `versions.csv`, which
/// takes longest and is written straight into `staging` (it can be hundreds of megabytes).
/// Returns the other files, in that order whatever the thread count.
pub fn render(
    scenario: &Scenario,
    results: &Results,
    budget: &Budget,
    staging: &Staging,
    more: impl FnOnce(&mut Vec<OutputFile>) -> Result<(), Error> + Send,
) -> Result<Vec<OutputFile>, Error> {
    let (versions, files) = rayon::join(
        || csv::stream_versions(scenario, results, staging),
        || {
            let data = chart::ChartData::new(scenario, results, budget);
            let mut jobs = csv::jobs(scenario, results);
            jobs.extend(chart::jobs(&data));
            let mut files = run_jobs(&jobs)?;
            // Written while `versions.csv` is still being made, not at the commit.
            staging.write(&files)?;
            more(&mut files)?;
            Ok(files)
        },
    );
    versions?;
    files
}

/// Renders some output files.
type Job<'a> = Box<dyn Fn() -> Result<Vec<OutputFile>, Error> + Send + Sync + 'a>;

/// Runs `jobs` in parallel; their files in job order.
fn run_jobs(jobs: &[Job<'_>]) -> Result<Vec<OutputFile>, Error> {
    let files: Vec<Vec<OutputFile>> = jobs.par_iter().map(|job| job()).collect::<Result<_, _>>()?;
    Ok(files.concat())
}

/// Marks a folder as gallerysim output, so that a later run may replace it.
const MARKER: &str = ".gallerysim-output";

/// Result files of earlier versions, which wrote no marker.
const KNOWN_OUTPUTS: [&str; 4] = [
    "summary.csv",
    "comparison.csv",
    "sweep.csv",
    "sensitivity.csv",
];

/// Writes `files` as the new content of folder `dir`, as a set (see [`Staging`]).
/// Returns the paths of the files.
pub fn write_all(dir: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>, Error> {
    Staging::new(dir)?.commit(files)
}

/// The new content of an output folder, being written: files go into a private staging folder
/// beside `dir` and are swapped in with one atomic rename by [`Staging::commit`], so a failure
/// or a kill leaves the previous folder intact, files of an earlier run that this one does not
/// produce do not survive, and of two runs on one folder the last to finish wins whole.
/// A folder that holds something other than gallerysim output is never replaced. Dropping a
/// staging folder without committing removes it.
pub struct Staging {
    dir: PathBuf,
    staging: tempfile::TempDir,
    /// Files already written by [`Staging::stream`], in the order they finished.
    streamed: std::sync::Mutex<Vec<String>>,
    /// Files already written by [`Staging::write`].
    written: std::sync::Mutex<Vec<String>>,
}

impl Staging {
    /// Starts the new content of `dir`.
    pub fn new(dir: &Path) -> Result<Staging, Error> {
        check_replaceable(dir)?;
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let staging = tempfile::Builder::new()
            .prefix(".gallerysim-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        std::fs::write(staging.path().join(MARKER), b"written by gallerysim\n")
            .map_err(|e| Error::io(staging.path(), e))?;
        Ok(Staging {
            dir: dir.to_path_buf(),
            staging,
            streamed: std::sync::Mutex::new(Vec::new()),
            written: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Writes file `name` through `write` (buffered), for files too large to hold in memory.
    /// May be called from several threads.
    pub fn stream(
        &self,
        name: &str,
        write: impl FnOnce(&mut (dyn std::io::Write + Send)) -> Result<(), Error>,
    ) -> Result<(), Error> {
        use std::io::Write as _;
        let path = self.staging.path().join(name);
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut out)?;
        out.flush().map_err(|e| Error::io(&path, e))?;
        lock(&self.streamed)?.push(name.to_string());
        Ok(())
    }

    /// Writes `files` now, before the commit (which does not write them again). May be called
    /// from several threads.
    pub fn write(&self, files: &[OutputFile]) -> Result<(), Error> {
        self.put(files)?;
        lock(&self.written)?.extend(files.iter().map(|f| f.name.clone()));
        Ok(())
    }

    fn put<'f>(&self, files: impl IntoIterator<Item = &'f OutputFile>) -> Result<(), Error> {
        for file in files {
            let path = self.staging.path().join(&file.name);
            std::fs::write(&path, &file.bytes).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }

    /// Writes those of `files` not written yet beside the streamed ones and swaps the folder
    /// in. Returns the paths of every file: `files` in order, then the streamed ones.
    pub fn commit(self, files: &[OutputFile]) -> Result<Vec<PathBuf>, Error> {
        let written = std::mem::take(&mut *lock(&self.written)?);
        self.put(files.iter().filter(|f| !written.contains(&f.name)))?;
        let streamed = self.streamed.into_inner().unwrap_or_default();
        let names = files.iter().map(|f| f.name.as_str());
        let paths = names
            .chain(streamed.iter().map(String::as_str))
            .map(|name| self.dir.join(name))
            .collect();
        swap_in(self.staging, &self.dir)?;
        Ok(paths)
    }
}

/// The list of names behind `names`'s lock.
fn lock(
    names: &std::sync::Mutex<Vec<String>>,
) -> Result<std::sync::MutexGuard<'_, Vec<String>>, Error> {
    names.lock().map_err(|_| {
        Error::io(
            "output folder",
            std::io::Error::other("a writer thread panicked"),
        )
    })
}

/// Refuses a `dir` that exists and is not an empty folder or a gallerysim output folder.
pub fn check_replaceable(dir: &Path) -> Result<(), Error> {
    let refuse = |why: String| {
        Err(crate::error::InputError {
            file: "command line".to_string(),
            line: None,
            column: None,
            key: Some("--out".to_string()),
            message: why,
        }
        .into())
    };
    let meta = match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
        Ok(meta) => meta,
    };
    if !meta.is_dir() {
        return refuse(format!(
            "{} exists and is not a folder; --out takes a folder that gallerysim may replace",
            dir.display()
        ));
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let empty = entries.next().is_none();
    let ours = dir.join(MARKER).is_file() || KNOWN_OUTPUTS.iter().any(|f| dir.join(f).is_file());
    if empty || ours {
        Ok(())
    } else {
        refuse(format!(
            "{} holds files that gallerysim did not write; its results replace the whole folder, so give an empty or new folder",
            dir.display()
        ))
    }
}

/// Moves the staging folder to `dir`, exchanging it with the previous folder if there is one;
/// the previous content is removed with the staging folder.
fn swap_in(staging: tempfile::TempDir, dir: &Path) -> Result<(), Error> {
    let exists = std::fs::symlink_metadata(dir).is_ok();
    if !exists {
        let path = staging.keep();
        return std::fs::rename(&path, dir).map_err(|e| {
            let _ = std::fs::remove_dir_all(&path);
            Error::io(dir, e)
        });
    }
    exchange(staging.path(), dir).map_err(|e| Error::io(dir, e))?;
    // `staging` now holds the previous results; dropping it removes them.
    drop(staging);
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// Without an atomic exchange: move the old folder aside, the new one in, the old one back to
/// the staging path (removed with it).
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

/// Writes `bytes` to a private temporary file beside `path`, then renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".gallerysim-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// A plain decimal with four places (no negative zero): the CSV money and quantity format.
/// Formats through integers (much faster than `{:.4}` on large files); values whose fifth
/// decimal is too close to a tie for the multiplication to decide fall back to `{:.4}`, so
/// the result is always the same as `format!("{:.4}", x)`.
pub fn dec(x: f64) -> String {
    let mut out = Vec::with_capacity(24);
    push_dec(&mut out, x);
    String::from_utf8(out).expect("ASCII digits")
}

/// Appends [`dec`]`(x)` to `out`.
pub fn push_dec(out: &mut Vec<u8>, x: f64) {
    let raw = x * 10_000.0;
    // Floor and round by integer conversion (exact below 2^53; `f64::floor` and `round` are
    // library calls on baseline x86-64): a value far enough from a tie rounds to the nearer
    // integer whichever way ties go.
    let floor = (raw.abs() < 9.0e15).then(|| {
        let toward_zero = raw as i64;
        toward_zero - i64::from(toward_zero as f64 > raw)
    });
    let Some(floor) = floor
        .filter(|&floor| (raw - floor as f64 - 0.5).abs() > raw.abs() * 4.0 * f64::EPSILON + 1e-9)
    else {
        use std::io::Write;
        write!(out, "{:.4}", x + 0.0).expect("writing to memory cannot fail");
        return;
    };
    let units = floor + i64::from(raw - floor as f64 > 0.5);
    if units < 0 {
        out.push(b'-');
    }
    let units = units.unsigned_abs();
    out.extend_from_slice(itoa::Buffer::new().format(units / 10_000).as_bytes());
    let frac = units % 10_000;
    out.extend_from_slice(&[
        b'.',
        b'0' + (frac / 1000) as u8,
        b'0' + (frac / 100 % 10) as u8,
        b'0' + (frac / 10 % 10) as u8,
        b'0' + (frac % 10) as u8,
    ]);
}

#[cfg(test)]
mod tests {
    use super::dec;

    #[test]
    fn dec_matches_four_place_formatting() {
        for x in [
            0.0,
            -0.0,
            24.64,
            3.4,
            1e-5,
            0.00005,
            0.00015,
            12345.67895,
            -2.5,
            1e13 + 0.1,
        ] {
            assert_eq!(dec(x), format!("{:.4}", x + 0.0), "{x}");
        }
        // Money-like values from a deterministic sequence: thousands of cases.
        let mut x = 0.123_456_789_f64;
        for _ in 0..20_000 {
            x = (x * 7.31 + 0.917).fract() * 5000.0;
            assert_eq!(dec(x), format!("{x:.4}"), "{x}");
            x /= 5000.0;
        }
        assert_eq!(dec(f64::NAN), "NaN");
    }
}
