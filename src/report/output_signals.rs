//! Signals: the staging folders and temporary files being written are removed on Ctrl-C,
//! SIGTERM or SIGHUP, and a signal the parent ignores stays ignored.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Staging folders and temporary files of this process, removed on a signal.
pub(super) static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A path on the [`IN_PROGRESS`] list while it lives.
pub(super) struct Registered(PathBuf);

impl Registered {
    pub(super) fn new(path: &Path) -> Registered {
        if let Ok(mut list) = IN_PROGRESS.lock() {
            list.push(path.to_path_buf());
        }
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut list) = IN_PROGRESS.lock() {
            if let Some(i) = list.iter().position(|p| *p == self.0) {
                list.swap_remove(i);
            }
        }
    }
}

/// On Ctrl-C, SIGTERM or SIGHUP: removes the staging folders and temporary files being
/// written, then exits with code 130. Installed once by the binary.
pub fn remove_staging_on_signals() {
    let ignored = ignored_signals();
    let _ = ctrlc::set_handler(|| {
        let list = IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner());
        for path in list.iter() {
            let _ = std::fs::remove_dir_all(path).or_else(|_| std::fs::remove_file(path));
        }
        if !list.is_empty() {
            eprintln!("interrupted: the output being written was removed");
        }
        std::process::exit(130);
    });
    // A signal the parent ignores (`nohup` ignores SIGHUP, a background job SIGINT) stays
    // ignored: the handler above replaced it.
    restore_ignored(&ignored);
}

#[cfg(unix)]
const CAUGHT: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The signals of [`CAUGHT`] whose disposition is "ignore".
#[cfg(unix)]
fn ignored_signals() -> Vec<libc::c_int> {
    CAUGHT
        .into_iter()
        .filter(|&signal| {
            // SAFETY: reads the disposition only (a null new action).
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                libc::sigaction(signal, std::ptr::null(), &mut old) == 0
                    && old.sa_sigaction == libc::SIG_IGN
            }
        })
        .collect()
}

#[cfg(unix)]
fn restore_ignored(signals: &[libc::c_int]) {
    for &signal in signals {
        // SAFETY: sets a signal to be ignored, as the parent had it.
        unsafe { libc::signal(signal, libc::SIG_IGN) };
    }
}

#[cfg(not(unix))]
fn ignored_signals() -> Vec<i32> {
    Vec::new()
}

#[cfg(not(unix))]
fn restore_ignored(_: &[i32]) {}
