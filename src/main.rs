//! The `gallerysim` binary: parse arguments, run, print, map errors to exit codes
//! (0 success, 2 invalid input or usage, 1 anything else).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = gallerysim::cli::Cli::parse();
    match gallerysim::cli::execute(cli) {
        Ok(text) => {
            // A closed pipe (e.g. `| head`) is not an error worth reporting.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code() as u8)
        }
    }
}
