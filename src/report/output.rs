//! Where results land: output folders written as a set, single output files, and the rules
//! that keep both from ever destroying a user's files.
//!
//! - A folder is replaced only when it is empty, or carries gallerysim's marker
//!   (`.gallerysim-output`, listing the files it wrote) and holds nothing but those files. A
//!   folder holding anything else is refused (exit 2) with the foreign entries named.
//! - A folder's new content is written into a private staging folder beside it
//!   (`.gallerysim-<pid>@<host>-XXXXXX`) and swapped in with one atomic exchange; where the file
//!   system cannot exchange (FUSE, NFS), with renames that never leave a mix of two runs.
//! - Ctrl-C, SIGTERM and SIGHUP remove the staging folders of the process
//!   ([`remove_staging_on_signals`], installed by the binary); a staging folder left by a
//!   process that no longer exists (a `kill -9`, a node crash) is removed by the next command
//!   that writes beside it.
//! - Files and folders get the usual permissions under the user's umask (0644 and 0755 under
//!   umask 022), so that a merge run by a colleague can read the partials.
//! - A single output file (a catalog, a generated scenario) never replaces one of the command's
//!   inputs, and replaces another existing file only with `--force`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, InputError};

use super::OutputFile;

/// Marks a folder as gallerysim output; lists the files of the folder that gallerysim wrote.
const MARKER: &str = ".gallerysim-output";
/// First line of the marker. A marker of earlier versions holds only this line.
const MARKER_HEAD: &str = "written by gallerysim";
/// Prefix of staging folders and temporary files.
const PREFIX: &str = ".gallerysim-";

/// `PREFIX` and `<pid>@<host>-`: staging folders and temporary files of this process. The host
/// is in the name because output folders are often shared between machines (cluster scratch):
/// only this machine's dead processes are swept.
fn private_prefix() -> String {
    format!("{PREFIX}{}@{}-", std::process::id(), host())
}

/// This machine's name as the kernel gives it (`localhost` where it cannot be read), with only
/// the characters a file name keeps.
fn host() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let clean: String = name
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
            .collect();
        if clean.is_empty() {
            "localhost".to_string()
        } else {
            clean
        }
    })
}

/// A refusal on the command line, naming the option (exit 2).
fn refuse(key: &str, message: String) -> Error {
    InputError {
        file: "command line".to_string(),
        line: None,
        column: None,
        key: Some(key.to_string()),
        message,
    }
    .into()
}

/// `dir` without `.` components or a trailing slash (`results/.` is `results`), refusing a path
/// that ends in `..` (it names no folder of its own).
fn normalized(dir: &Path) -> Result<PathBuf, Error> {
    let clean: PathBuf = dir.components().collect();
    match clean.file_name() {
        Some(_) => Ok(clean),
        None => Err(refuse(
            "--out",
            format!(
                "{} names the current folder, one above it or the root, not a folder of its own; gallerysim replaces its output folder whole, so name a folder inside, e.g. --out results",
                dir.display()
            ),
        )),
    }
}

/// Creates `folder` and its parents; a failure (a parent that is a file, a read-only or
/// immutable folder) is an error naming option `key` (exit 2), found before any work.
pub fn create_folder(folder: &Path, key: &str) -> Result<(), Error> {
    std::fs::create_dir_all(folder).map_err(|e| cannot_write(key, folder, e))
}

/// Makes sure files can be written into `folder` (created if missing) before any work: a
/// private probe file is created and removed. Failures name option `key` (exit 2).
pub fn check_writable_folder(folder: &Path, key: &str) -> Result<(), Error> {
    if std::fs::symlink_metadata(folder).is_ok_and(|m| !m.is_dir()) {
        return Err(refuse(key, format!("{} is not a folder", folder.display())));
    }
    create_folder(folder, key)?;
    tempfile::Builder::new()
        .prefix(&private_prefix())
        .tempfile_in(folder)
        .map(drop)
        .map_err(|e| cannot_write(key, folder, e))
}

/// A folder that cannot be written to, named as option `key` (exit 2).
fn cannot_write(key: &str, folder: &Path, e: std::io::Error) -> Error {
    refuse(key, format!("cannot write in {}: {e}", folder.display()))
}

/// The folder that holds `path` (`.` for a bare name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The new content of an output folder, being written: files go into a private staging folder
/// beside `dir` and are swapped in by [`Staging::commit`], so a failure or a kill leaves the
/// previous folder intact, files of an earlier run that this one does not produce do not
/// survive, and of two runs on one folder the last to finish wins whole. Created before a
/// command simulates, so that a folder it may not replace or cannot write is refused before
/// any work. Dropping a staging folder without committing removes it.
pub struct Staging {
    dir: PathBuf,
    staging: tempfile::TempDir,
    /// Files already written by [`Staging::stream`], in the order they finished.
    streamed: Mutex<Vec<String>>,
    /// Files already written by [`Staging::write`].
    written: Mutex<Vec<String>>,
    /// Keeps the staging folder on the list that a signal removes.
    _registered: Registered,
}

impl Staging {
    /// Starts the new content of `dir`, after checking that `dir` may be replaced.
    pub fn new(dir: &Path) -> Result<Staging, Error> {
        let dir = &normalized(dir)?;
        check_replaceable(dir)?;
        let parent = parent_of(dir);
        create_folder(&parent, "--out")?;
        sweep_stale(&parent);
        let staging = tempfile::Builder::new()
            .prefix(&private_prefix())
            .tempdir_in(&parent)
            .map_err(|e| cannot_write("--out", &parent, e))?;
        let registered = Registered::new(staging.path());
        set_mode(staging.path(), 0o777).map_err(|e| Error::io(staging.path(), e))?;
        write_marker(staging.path(), &[])?;
        Ok(Staging {
            dir: dir.to_path_buf(),
            staging,
            streamed: Mutex::new(Vec::new()),
            written: Mutex::new(Vec::new()),
            _registered: registered,
        })
    }

    /// The folder this staging folder will replace.
    pub fn dir(&self) -> &Path {
        &self.dir
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
        // Small writes are gathered; a write of at least the buffer's 64 KB (a block of
        // `versions.csv`, about 470 KB) goes straight to the file instead of being copied
        // into the buffer first (46 MB copied once more, on the thread that writes, for a
        // 2,000-lab fleet).
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
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

    /// Writes those of `files` not written yet beside the streamed ones, lists them all in the
    /// marker and swaps the folder in. Returns the paths of every file: `files` in order, then
    /// the streamed ones.
    pub fn commit(self, files: &[OutputFile]) -> Result<Vec<PathBuf>, Error> {
        let written = std::mem::take(&mut *lock(&self.written)?);
        self.put(files.iter().filter(|f| !written.contains(&f.name)))?;
        let streamed = std::mem::take(&mut *lock(&self.streamed)?);
        let names: Vec<&str> = files
            .iter()
            .map(|f| f.name.as_str())
            .chain(streamed.iter().map(String::as_str))
            .collect();
        write_marker(self.staging.path(), &names)?;
        let paths = names.iter().map(|name| self.dir.join(name)).collect();
        // A signal waits for the swap (its handler takes this lock), so that it never removes
        // a folder halfway through being swapped.
        let mut in_progress = IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner());
        let staging_path = self.staging.path().to_path_buf();
        let swapped = swap_in(self.staging, &self.dir, exchange);
        in_progress.retain(|p| *p != staging_path);
        drop(in_progress);
        swapped?;
        Ok(paths)
    }
}

/// The list of names behind `names`'s lock.
fn lock(names: &Mutex<Vec<String>>) -> Result<std::sync::MutexGuard<'_, Vec<String>>, Error> {
    names.lock().map_err(|_| {
        Error::io(
            "output folder",
            std::io::Error::other("a writer thread panicked"),
        )
    })
}

/// Writes the marker into folder `dir`, listing `names`.
fn write_marker(dir: &Path, names: &[&str]) -> Result<(), Error> {
    let mut text = format!("{MARKER_HEAD}\n");
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    let path = dir.join(MARKER);
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
}

/// The files a marker says gallerysim wrote: `None` when the marker is missing or not ours,
/// an empty list for the marker of earlier versions (which listed nothing).
fn read_marker(dir: &Path) -> Option<Vec<String>> {
    let path = dir.join(MARKER);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let mut lines = text.lines();
    (lines.next()? == MARKER_HEAD).then(|| lines.map(str::to_string).collect())
}

/// Refuses a `dir` that exists and is not an empty folder or a folder of gallerysim output
/// holding only gallerysim's files, that holds the current folder, or that cannot be written.
pub fn check_replaceable(dir: &Path) -> Result<(), Error> {
    let meta = match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(cannot_write("--out", dir, e)),
        Ok(meta) => meta,
    };
    let shown = dir.display();
    if meta.file_type().is_symlink() {
        return Err(refuse(
            "--out",
            format!("{shown} is a symbolic link; give the folder it points to (gallerysim replaces the folder it names whole, never through a link)"),
        ));
    }
    if !meta.is_dir() {
        return Err(refuse(
            "--out",
            format!("{shown} exists and is not a folder; --out takes a folder that gallerysim may replace"),
        ));
    }
    if holds_current_folder(dir) {
        return Err(refuse(
            "--out",
            format!("{shown} is the current folder or holds it, and gallerysim replaces its output folder whole; name a folder inside it, e.g. --out results"),
        ));
    }
    let foreign = foreign_entries(dir)?;
    if !foreign.is_empty() {
        let shown_names = crate::error::first_of(&foreign, 5);
        let marker = match read_marker(dir) {
            None => " (it has no .gallerysim-output marker)",
            Some(_) => "",
        };
        return Err(refuse(
            "--out",
            format!("{shown} holds entries gallerysim did not write{marker}: {shown_names}; gallerysim replaces its output folder whole, so give a new or empty folder (nothing was written)"),
        ));
    }
    if !writable(dir) {
        return Err(refuse(
            "--out",
            format!("{shown} cannot be written (permissions or a read-only file system)"),
        ));
    }
    Ok(())
}

/// The entries of folder `dir` that gallerysim did not write, sorted (`name/` for folders):
/// none for an empty folder; every entry without our marker; with it, whatever is not a
/// regular file of a kind gallerysim writes (CSV, chart, report, reconcile's calibrated.toml)
/// listed by the marker. The
/// marker of earlier versions lists nothing: then only the names those versions wrote count.
fn foreign_entries(dir: &Path) -> Result<Vec<String>, Error> {
    let manifest = read_marker(dir);
    let mut foreign = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let file_type = entry.file_type().ok();
        let is_file = file_type.is_some_and(|t| t.is_file());
        if name == MARKER && is_file {
            continue;
        }
        let ours = match &manifest {
            // Only files of the kinds gallerysim writes count, whatever a marker lists (a
            // marker can be edited).
            Some(names) if !names.is_empty() => {
                is_file
                    && [".csv", ".svg", ".png", ".html", ".toml"]
                        .iter()
                        .any(|ext| name.ends_with(ext))
                    && names.contains(&name)
            }
            Some(_) => is_file && written_by_earlier_versions(&name),
            None => false,
        };
        if !ours {
            let slash = if file_type.is_some_and(|t| t.is_dir()) {
                "/"
            } else {
                ""
            };
            foreign.push(format!("{name}{slash}"));
        }
    }
    foreign.sort();
    Ok(foreign)
}

/// Whether `name` is a file that versions without a listing marker wrote.
fn written_by_earlier_versions(name: &str) -> bool {
    const CSV: [&str; 15] = [
        "summary",
        "monthly",
        "runs",
        "versions",
        "eligibility",
        "labs",
        "prices_used",
        "budget",
        "comparison",
        "comparison_monthly",
        "sweep",
        "sensitivity",
        "advice",
        "deployments",
        "deployment_minutes",
    ];
    const CHARTS: [&str; 10] = [
        "monthly_cost",
        "monthly_cost_by_gallery",
        "cumulative_cost",
        "cost_distribution",
        "replicas",
        "deployment_minutes",
        "advice_frontier",
        "tornado",
        "sweep",
        "comparison",
    ];
    name == "report.html"
        || name.strip_suffix(".csv").is_some_and(|s| CSV.contains(&s))
        || [".png", ".svg"]
            .iter()
            .any(|ext| name.strip_suffix(ext).is_some_and(|s| CHARTS.contains(&s)))
}

/// Whether `dir` is the current folder or one of its ancestors.
fn holds_current_folder(dir: &Path) -> bool {
    match (std::fs::canonicalize(dir), std::env::current_dir()) {
        (Ok(dir), Ok(cwd)) => std::fs::canonicalize(cwd).is_ok_and(|cwd| cwd.starts_with(dir)),
        _ => false,
    }
}

#[cfg(target_os = "linux")]
fn writable(dir: &Path) -> bool {
    rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn writable(dir: &Path) -> bool {
    std::fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

/// Moves the staging folder to `dir`, exchanging it with the previous folder if there is one
/// (the previous content is then removed with the staging folder). Where `exchange` is not
/// supported by the file system, the previous folder is moved aside, the new one in, and the
/// previous one removed: `dir` is briefly missing, never a mix.
fn swap_in(
    staging: tempfile::TempDir,
    dir: &Path,
    exchange: fn(&Path, &Path) -> std::io::Result<()>,
) -> Result<(), Error> {
    // Checked again: the user may have put a file into the folder while the command ran.
    check_replaceable(dir)?;
    if std::fs::symlink_metadata(dir).is_err() {
        let path = staging.keep();
        return std::fs::rename(&path, dir).map_err(|e| {
            let _ = std::fs::remove_dir_all(&path);
            Error::io(dir, e)
        });
    }
    match exchange(staging.path(), dir) {
        Ok(()) => {}
        Err(e) if exchange_unsupported(&e) => {
            two_step_swap(staging.path(), dir).map_err(|e| Error::io(dir, e))?
        }
        Err(e) => return Err(Error::io(dir, e)),
    }
    // `staging` now holds the previous content. Anything added to it between the check above
    // and the swap is not ours to remove: swap back and refuse.
    let added = foreign_entries(staging.path())?;
    if !added.is_empty() {
        let back = exchange(staging.path(), dir).or_else(|_| two_step_swap(staging.path(), dir));
        let left = match back {
            // `staging` holds the new results again: removed with it.
            Ok(()) => String::new(),
            // `staging` still holds the user's folder: kept, and named.
            Err(_) => format!(" in {}", staging.keep().display()),
        };
        return Err(refuse(
            "--out",
            format!(
                "{} changed while gallerysim wrote it ({} appeared); it was left as it was{left}",
                dir.display(),
                added.join(", "),
            ),
        ));
    }
    drop(staging);
    Ok(())
}

/// Moves `dir` aside, `new` in its place, and the previous content to `new`'s path (three
/// renames; `dir` is missing between the first two, never a mix).
fn two_step_swap(new: &Path, dir: &Path) -> std::io::Result<()> {
    let mut aside = new.as_os_str().to_owned();
    aside.push("-previous");
    let aside = PathBuf::from(aside);
    std::fs::rename(dir, &aside)?;
    if let Err(e) = std::fs::rename(new, dir) {
        let _ = std::fs::rename(&aside, dir);
        return Err(e);
    }
    std::fs::rename(&aside, new)
}

/// Whether an exchange failed because the file system cannot do it (FUSE and NFS answer
/// EINVAL; old kernels ENOSYS).
fn exchange_unsupported(e: &std::io::Error) -> bool {
    // EINVAL, ENOSYS, EOPNOTSUPP on Linux.
    matches!(e.raw_os_error(), Some(22 | 38 | 95)) || e.kind() == std::io::ErrorKind::Unsupported
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Writes `bytes` to a private temporary file beside `path`, then renames it over `path`; the
/// file gets the permissions of a new file under the user's umask.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write as _;
    let dir = parent_of(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(&private_prefix())
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    let _registered = Registered::new(tmp.path());
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    set_mode(tmp.path(), 0o666).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Writes a single output file (a price catalog, a generated scenario) named by option `key`:
/// never over one of the command's `inputs`, over another existing file only when `force`.
pub fn write_new_file(
    path: &Path,
    bytes: &[u8],
    inputs: &[PathBuf],
    force: bool,
    key: &str,
) -> Result<(), Error> {
    let shown = path.display();
    if let Some(input) = inputs.iter().find(|input| same_file(path, input)) {
        return Err(refuse(
            key,
            format!(
                "{shown} is also an input of this command ({}); write the result to another file",
                input.display()
            ),
        ));
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.is_file() {
            return Err(refuse(key, format!("{shown} exists and is not a file")));
        }
        if !force {
            return Err(refuse(
                key,
                format!("{shown} exists; add --force to replace it (nothing was written)"),
            ));
        }
    }
    create_folder(&parent_of(path), key)?;
    write_atomic(path, bytes)
}

/// Whether `a` and `b` name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The process's umask, read once (`/proc/self/status`; 022 where it cannot be read). Read,
/// not set and restored, so that no other thread ever sees a changed umask.
fn umask() -> u32 {
    static UMASK: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *UMASK.get_or_init(|| {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("Umask:"))
                    .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
            })
            .unwrap_or(0o022)
    })
}

/// Gives `path` the permissions `mode` under the umask (as a newly created file or folder).
#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !umask()))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

/// Removes staging folders and temporary files in `parent` left by gallerysim processes that
/// no longer exist on this machine (named `.gallerysim-<pid>@<host>-XXXXXX`; folders only
/// when they carry the marker). Only where the process table can be read (`/proc`); best effort.
fn sweep_stale(parent: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = stale_pid(&name) else {
            continue;
        };
        if Path::new("/proc").join(pid.to_string()).exists() {
            continue;
        }
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() && read_marker(&path).is_some() => {
                let _ = std::fs::remove_dir_all(&path);
            }
            Ok(t) if t.is_file() => {
                let _ = std::fs::remove_file(&path);
            }
            _ => {}
        }
    }
}

/// The process id in a staging name of this machine, `.gallerysim-<pid>@<host>-XXXXXX`. A
/// folder moved aside by the two-rename swap (`...-previous`) is never swept: after a failure
/// it may hold the only copy of earlier results.
fn stale_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?;
    let (pid, tail) = rest.split_once('@')?;
    let (machine, random) = tail.rsplit_once('-')?;
    let ours =
        machine == host() && random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric());
    (ours && pid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pid.parse().ok())
        .flatten()
}

#[path = "output_signals.rs"]
mod signals;

pub use signals::remove_staging_on_signals;
use signals::{Registered, IN_PROGRESS};

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;
