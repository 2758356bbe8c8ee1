//! The command line: argument definitions and the glue from arguments to library calls.
//! It returns the text to print; `main` prints it and maps errors to exit codes.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, InputError};
use crate::montecarlo;
use crate::report;
use crate::scenario::{Scenario, DEFAULT_SCENARIO_NAME};

/// Plans what an Azure Lab Services image gallery will cost: exports, geography-wide
/// replication, retention, and the storage and egress they incur.
#[derive(Debug, Parser)]
#[command(name = "gallerysim", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: `run` on the bundled default scenario).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and write CSV files (and a short report).
    Run(RunArgs),
}

/// Arguments of `gallerysim run`.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Scenario file (TOML). Default: the bundled scenarios/default.toml.
    pub scenario: Option<PathBuf>,
    /// Output folder. Default: output/<scenario file stem>/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Monte Carlo runs (overrides scenario.runs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub runs: Option<u32>,
    /// Master seed (overrides scenario.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the command; returns the text for standard output.
pub fn execute(cli: Cli) -> Result<String, Error> {
    match cli.command {
        None => run(RunArgs::default()),
        Some(Command::Run(args)) => run(args),
    }
}

fn run(args: RunArgs) -> Result<String, Error> {
    let (mut scenario, stem) = match &args.scenario {
        Some(path) => (Scenario::load(path)?, file_stem(path)),
        None => (
            Scenario::bundled_default(),
            file_stem(Path::new(DEFAULT_SCENARIO_NAME)),
        ),
    };
    if let Some(runs) = args.runs {
        scenario.runs = runs;
    }
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(stem));
    if out.is_file() {
        return Err(InputError {
            file: out.display().to_string(),
            line: None,
            column: None,
            key: Some("--out".to_string()),
            message: "is a file; --out takes a folder".to_string(),
        }
        .into());
    }

    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(usize::from(n));
    }
    let pool = pool
        .build()
        .map_err(|e| Error::io("thread pool", std::io::Error::other(e.to_string())))?;
    let results = pool.install(|| montecarlo::simulate(&scenario, &|_| {}));

    let files = report::render(&scenario, &results)?;
    let written = report::write_all(&out, &files)?;
    Ok(if args.quiet {
        String::new()
    } else {
        report::terminal::render(&scenario, &results, &written)
    })
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "scenario".to_string())
}
