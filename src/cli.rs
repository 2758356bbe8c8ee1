//! The command line: argument definitions and the glue from arguments to library calls.
//! It returns the text to print; `main` prints it and maps errors to exit codes.

use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::catalog::Regions;

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
    /// Simulate a scenario and write CSV files and charts (and a short report).
    Run(RunArgs),
    /// Validate a scenario and show image eligibility and each lab's expected status,
    /// without writing anything.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// List Azure geographies and their regions (restricted ones marked), with the
    /// continent that picks the egress price.
    Regions {
        /// Only this geography, e.g. "United States" (case-insensitive).
        geography: Option<String>,
    },
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
        Some(Command::Check { scenario }) => check(&scenario),
        Some(Command::Regions { geography }) => regions(geography.as_deref()),
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
    let progress = Progress::new(u64::from(scenario.runs), args.quiet);
    let results = pool.install(|| montecarlo::simulate(&scenario, &|| progress.tick()));
    progress.finish();

    let files = report::render(&scenario, &results)?;
    let written = report::write_all(&out, &files)?;
    Ok(if args.quiet {
        String::new()
    } else {
        report::terminal::render(&scenario, &results, &written)
    })
}

/// A progress bar on stderr that appears only when a run takes more than a moment, and only
/// on a terminal (indicatif draws nothing when stderr is redirected).
struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
    enabled: bool,
}

impl Progress {
    const DELAY: Duration = Duration::from_millis(400);

    fn new(runs: u64, quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} simulating [{bar:40}] {pos}/{len} runs ({percent}%), about {eta} left",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
            enabled: !quiet,
        }
    }

    fn tick(&self) {
        self.bar.inc(1);
        if self.enabled
            && self.started.elapsed() > Self::DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn check(path: &Path) -> Result<String, Error> {
    let mut scenario = Scenario::load(path)?;
    scenario.runs = 1;
    let results = montecarlo::simulate(&scenario, &|| {});
    Ok(report::terminal::check(&scenario, &results))
}

fn regions(geography: Option<&str>) -> Result<String, Error> {
    let catalog = Regions::bundled();
    if let Some(g) = geography {
        if !catalog
            .iter()
            .any(|(_, r)| r.geography.eq_ignore_ascii_case(g))
        {
            let mut names: Vec<&str> = catalog.iter().map(|(_, r)| r.geography.as_str()).collect();
            names.dedup();
            return Err(InputError {
                file: "command line".to_string(),
                line: None,
                column: None,
                key: Some("GEOGRAPHY".to_string()),
                message: format!("unknown geography `{g}`; known: {}", names.join(", ")),
            }
            .into());
        }
    }
    Ok(report::terminal::regions(catalog, geography))
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "scenario".to_string())
}
