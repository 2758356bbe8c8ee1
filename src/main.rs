//! The `gallerysim` binary: parse arguments, run, print, map errors to exit codes
//! (0 success, 2 invalid input or usage, 3 a `--fail-over` budget gate failed, 1 anything
//! else).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: reports of large fleets allocate and free millions
/// of small strings on every thread and grow buffers of hundreds of megabytes; glibc's malloc
/// hands those back to the kernel and faults them in again page by page.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (include/mimalloc.h of the v3 sources
/// that libmimalloc-sys builds; it names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Never give freed memory back to the system (purge delay -1): a run is one short process
    // that frees and reallocates the same few hundred megabytes (a run's parts, output
    // buffers, chart bitmaps, one Monte Carlo run after another), and memory handed back is
    // handed out again zeroed, one page fault per page. Measured (BENCHMARKS.md): 100 runs of
    // a 2,000-lab fleet took 527,000 page faults and 3.1 s of system time with immediate
    // purging, 320 and 0.1 s without; one 8,000-lab run's peak grew from 231 to 301 MB.
    // SAFETY: sets a process-wide allocator option; no memory is handed over.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    let cli = gallerysim::cli::Cli::parse();
    // A signal removes the output being written instead of leaving a hidden staging folder.
    gallerysim::report::output::remove_staging_on_signals();
    match gallerysim::cli::execute(cli) {
        Ok(outcome) => {
            // A closed pipe (e.g. `| head`) is not an error worth reporting.
            let _ = std::io::stdout()
                .lock()
                .write_all(outcome.stdout.as_bytes());
            let _ = std::io::stderr()
                .lock()
                .write_all(outcome.stderr.as_bytes());
            ExitCode::from(outcome.code)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code() as u8)
        }
    }
}
