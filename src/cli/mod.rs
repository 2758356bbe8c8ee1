//! The command line: argument definitions, and the glue from arguments to library calls.
//! Commands return an [`Outcome`] (text and exit code); `main` prints it. Nothing here
//! computes results: it loads scenarios, runs them and hands the results to `report`.

mod analyze;
mod reconcile;
mod run;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::analysis::budget::Budget;
use crate::catalog::PriceBook;
use crate::error::{Error, InputError};
use crate::montecarlo::{self, Results};
use crate::scenario::{Inputs, Override, Overrides, Scenario, Work, DEFAULT_SCENARIO_NAME};

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
    /// Compare scenarios (or variants of one) with common random numbers.
    Compare(CompareArgs),
    /// Run a scenario for several values of one parameter.
    Sweep(SweepArgs),
    /// Rank the uncertain inputs by how much they move the total cost.
    Tornado(TornadoArgs),
    /// Advise the fewest replicas per region so that deployment waves meet a target.
    Advise(AdviseArgs),
    /// Check the forecast against Cost Management exports (the real bill) and calibrate the
    /// images' occupied sizes from them.
    Reconcile(reconcile::ReconcileArgs),
    /// Merge the partial files of `run --shard K/N` into the files of one run.
    Merge(MergeArgs),
    /// Write a realistic large scenario (a fleet of labs) for benchmarks and trials.
    Generate(GenerateArgs),
    /// Price catalogs: import saved Azure Retail Prices API pages.
    Prices {
        #[command(subcommand)]
        #[allow(missing_docs)]
        command: PricesCommand,
    },
    /// Galleries: import the gallery as it stands (Azure CLI or REST JSON) as a scenario.
    Gallery {
        #[command(subcommand)]
        #[allow(missing_docs)]
        command: GalleryCommand,
    },
    /// Validate a scenario and show image eligibility and each lab's expected status,
    /// without writing anything.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Override a scenario key, e.g. `--set gallery.campus.keep_versions=2` (repeatable);
        /// `--set PATH=` removes the key, so the scenario's default applies.
        #[arg(long = "set", value_name = "PATH=VALUE", value_parser = Override::parse)]
        set: Vec<Override>,
        /// Price catalog CSV (from `gallerysim prices import`) instead of the bundled one;
        /// the scenario's own `[prices]` figures still win.
        #[arg(long, value_name = "CATALOG.csv")]
        prices: Option<PathBuf>,
        /// Print every warning (otherwise at most three of each kind).
        #[arg(long)]
        verbose: bool,
    },
    /// List Azure geographies and their regions (restricted ones marked), with the
    /// continent that picks the egress price.
    Regions {
        /// Only this geography, e.g. "United States" (case-insensitive).
        geography: Option<String>,
    },
}

/// Arguments of `gallerysim generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Lab entries (about 40 per institution).
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub labs: u32,
    /// Geographies, comma-separated: `us`, `europe` or names from `gallerysim regions`.
    #[arg(long, value_delimiter = ',', default_value = "us,europe")]
    pub geographies: Vec<String>,
    /// Horizon in billing months.
    #[arg(long, default_value_t = 36, value_parser = clap::value_parser!(u32).range(1..=600))]
    pub months: u32,
    /// Monte Carlo runs written into the scenario.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub runs: u32,
    /// Seed of the generator and of the scenario (0 to 2^63 - 1, as scenario.seed).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: u64,
    /// Write the scenario here instead of to standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `gallerysim prices ...`.
#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// Turn saved Azure Retail Prices API pages (JSON) into a price catalog CSV for
    /// `--prices` or `[prices] catalog`.
    Import(ImportArgs),
}

/// `gallerysim gallery ...`.
#[derive(Debug, Subcommand)]
pub enum GalleryCommand {
    /// Write a runnable scenario of a gallery as it stands from what `az sig list`,
    /// `az sig image-definition list` and `az sig image-version list` (or the REST API)
    /// print: galleries, images (without a consumer yet) and the versions that exist.
    Import(GalleryImportArgs),
}

/// Arguments of `gallerysim gallery import`.
#[derive(Debug, Args)]
pub struct GalleryImportArgs {
    /// JSON files: a single resource, an array, or a REST page `{ "value": [...] }`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The scenario to write, e.g. `our-gallery.toml`.
    #[arg(long, value_name = "SCENARIO.toml", required = true)]
    pub out: PathBuf,
    /// First day of the horizon (default: the first of the month after the newest version).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub start: Option<jiff::civil::Date>,
    /// Horizon in billing months.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=600))]
    pub months: u32,
    /// Occupied size of an image's versions in GB (the inventory holds only the provisioned
    /// size, which is written otherwise); repeatable, e.g. `--used-gb cs101=48`.
    #[arg(long = "used-gb", value_name = "IMAGE=GB", value_parser = crate::inventory::parse_used_gb)]
    pub used_gb: Vec<(String, f64)>,
    /// Replace the --out file if it exists (never one of the inputs).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `gallerysim prices import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// API pages, in order (each the JSON the API returned).
    #[arg(required = true)]
    pub pages: Vec<PathBuf>,
    /// The catalog to write, e.g. `prices-usd.csv` (required: a catalog is an input you keep
    /// and name, not a run's output).
    #[arg(long, value_name = "CATALOG.csv", required = true)]
    pub out: PathBuf,
    /// Keep zero-priced items (placeholders, free tiers) instead of skipping them.
    #[arg(long)]
    pub include_zero: bool,
    /// Replace the --out file if it exists (never one of the pages).
    #[arg(long)]
    pub force: bool,
}

/// Options shared by every command that simulates.
#[derive(Debug, Args, Default, Clone)]
pub struct SimArgs {
    /// Output folder. Default: `output/<scenario file stem>/`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Monte Carlo runs (overrides scenario.runs).
    #[arg(long, value_name = "N")]
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
    /// Print every row and warning (long tables otherwise show their top rows).
    #[arg(long)]
    pub verbose: bool,
    /// Override a scenario key, e.g. `--set image.cs101.used_gb=60` (repeatable);
    /// `--set PATH=` removes the key, so the scenario's default applies.
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = Override::parse)]
    pub set: Vec<Override>,
    /// Price catalog CSV (from `gallerysim prices import`) instead of the bundled one;
    /// the scenario's own `[prices]` figures still win.
    #[arg(long, value_name = "CATALOG.csv")]
    pub prices: Option<PathBuf>,
    /// Refuse simulations estimated above this many engine events (default 2e9, about three
    /// minutes on two cores).
    #[arg(long, value_name = "N")]
    pub max_events: Option<f64>,
}

impl SimArgs {
    /// What these arguments change in a scenario before it is validated.
    fn overrides(&self) -> Overrides {
        Overrides {
            set: self.set.clone(),
            runs: self.runs,
            seed: self.seed,
        }
    }

    /// Reads the inputs of `scenario` (the bundled default when None): `--prices`, the
    /// scenario, the catalog it names.
    fn inputs(&self, scenario: Option<&Path>) -> Result<Inputs, Error> {
        Ok(Inputs::read(scenario, self.prices.as_deref(), &self.set)?)
    }

    /// The most engine events a command may simulate (`--max-events`).
    fn max_events(&self) -> Result<f64, Error> {
        match self.max_events {
            Some(n) if n.is_finite() && n >= 1.0 => Ok(n),
            Some(n) => Err(usage(
                "--max-events",
                format!("must be at least 1 (got {n})"),
            )),
            None => Ok(Work::MAX_EVENTS),
        }
    }
}

/// Budget options of `run` and `compare`.
#[derive(Debug, Args, Default, Clone)]
pub struct BudgetArgs {
    /// Budget per billing month: budget.csv gives the probability of exceeding it each month.
    #[arg(long, value_name = "AMOUNT", value_parser = non_negative)]
    pub budget_monthly: Option<f64>,
    /// Budget for the whole horizon.
    #[arg(long, value_name = "AMOUNT", value_parser = non_negative)]
    pub budget_total: Option<f64>,
    /// Exit with code 3 when the probability of exceeding a budget is above P (0..1).
    #[arg(long, value_name = "P", value_parser = probability)]
    pub fail_over: Option<f64>,
}

impl BudgetArgs {
    fn budget(&self) -> Budget {
        Budget {
            monthly: self.budget_monthly,
            total: self.budget_total,
        }
    }
}

/// Arguments of `gallerysim run`.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Scenario file (TOML). Default: the bundled scenarios/default.toml.
    pub scenario: Option<PathBuf>,
    /// Run only shard K of N (a contiguous block of the runs) and write a partial file into
    /// --out; `gallerysim merge` turns the partials into the files of one run.
    #[arg(long, value_name = "K/N", value_parser = crate::shard::Shard::parse)]
    pub shard: Option<crate::shard::Shard>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sim: SimArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub budget: BudgetArgs,
}

/// Arguments of `gallerysim compare`.
#[derive(Debug, Args)]
#[command(mut_arg("out", |a| a.help("Output folder. Default: `output/compare-<first scenario's file stem>/`")))]
pub struct CompareArgs {
    /// Scenario files; the first is the baseline. One file is enough with --variant.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// A variant of the first scenario: `NAME:PATH=VALUE` (repeat a NAME for several keys);
    /// `NAME:PATH=` removes the key in that variant.
    #[arg(long, value_name = "NAME:PATH=VALUE")]
    pub variant: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sim: SimArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub budget: BudgetArgs,
}

/// Arguments of `gallerysim sweep`.
#[derive(Debug, Args)]
#[command(mut_arg("out", |a| a.help("Output folder. Default: `output/sweep-<scenario file stem>/`")))]
pub struct SweepArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// The key to vary, as for --set, e.g. `gallery.campus.keep_versions`.
    #[arg(long, value_name = "PATH")]
    pub param: String,
    /// Comma-separated values, e.g. `0,1,2,3` (commas inside `{ }`, `[ ]` or quotes belong to
    /// the value: `'{ dist = "uniform", min = 40, max = 60 },50'` is two values).
    #[arg(long, value_name = "V1,V2,...", required = true)]
    pub values: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sim: SimArgs,
}

/// Arguments of `gallerysim tornado`.
#[derive(Debug, Args)]
#[command(mut_arg("out", |a| a.help("Output folder. Default: `output/tornado-<scenario file stem>/`")))]
pub struct TornadoArgs {
    /// Scenario file.
    pub scenario: PathBuf,
    /// One input per image and kind, even on a fleet (above 20 images with uncertain inputs
    /// the inputs are grouped by kind: all images' used sizes together, and so on).
    #[arg(long)]
    pub per_image: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sim: SimArgs,
}

/// Arguments of `gallerysim merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partial files, or folders holding them (`*.gsp`).
    #[arg(required = true)]
    pub partials: Vec<PathBuf>,
    /// Output folder for the merged results.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print every row and warning.
    #[arg(long)]
    pub verbose: bool,
}

/// Arguments of `gallerysim advise`.
#[derive(Debug, Args)]
#[command(mut_arg("out", |a| a.help("Output folder. Default: `output/advise-<scenario file stem>/`")))]
pub struct AdviseArgs {
    /// Scenario file (with `[[deployment]]` tables).
    pub scenario: PathBuf,
    /// Minutes within which every wave must be ready.
    #[arg(long, value_name = "M")]
    pub target_minutes: f64,
    /// Percentile of the minutes to ready (over every wave of every run) that must meet it.
    #[arg(long, default_value_t = 90.0, value_name = "P")]
    pub percentile: f64,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub sim: SimArgs,
}

/// What a command produced: text for stdout and stderr, and the exit code.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Report text.
    pub stdout: String,
    /// Notices (e.g. a failed budget gate).
    pub stderr: String,
    /// 0, or 3 when a budget gate failed.
    pub code: u8,
}

impl Outcome {
    fn text(stdout: String) -> Outcome {
        Outcome {
            stdout,
            ..Outcome::default()
        }
    }
}

/// Runs the command.
pub fn execute(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        None => run::run(RunArgs::default()),
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Compare(args)) => analyze::compare(args),
        Some(Command::Sweep(args)) => analyze::sweep(args),
        Some(Command::Tornado(args)) => analyze::tornado(args),
        Some(Command::Advise(args)) => analyze::advise(args),
        Some(Command::Merge(args)) => run::merge(args),
        Some(Command::Reconcile(args)) => reconcile::reconcile(args),
        Some(Command::Generate(args)) => run::generate(args).map(Outcome::text),
        Some(Command::Prices {
            command: PricesCommand::Import(args),
        }) => run::import_prices(args).map(Outcome::text),
        Some(Command::Gallery {
            command: GalleryCommand::Import(args),
        }) => run::import_gallery(args).map(Outcome::text),
        Some(Command::Check {
            scenario,
            set,
            prices,
            verbose,
        }) => run::check(&scenario, set, prices, verbose).map(Outcome::text),
        Some(Command::Regions { geography }) => {
            run::regions(geography.as_deref()).map(Outcome::text)
        }
    }
}

/// Largest budget amount: a trillion in the scenario's currency.
const MAX_BUDGET: f64 = 1e12;

/// A budget option's value that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum BudgetArgError {
    #[error("`{0}` is not an amount from 0 to 1,000,000,000,000")]
    Amount(String),
    #[error("`{0}` is not a probability between 0 and 1")]
    Probability(String),
}

fn non_negative(text: &str) -> Result<f64, BudgetArgError> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=MAX_BUDGET).contains(&x) => Ok(x),
        _ => Err(BudgetArgError::Amount(text.to_string())),
    }
}

fn probability(text: &str) -> Result<f64, BudgetArgError> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(BudgetArgError::Probability(text.to_string())),
    }
}

/// A usage error located on the command line (exit code 2).
fn usage(key: &str, message: impl std::fmt::Display) -> Error {
    InputError {
        file: "command line".to_string(),
        line: None,
        column: None,
        key: Some(key.to_string()),
        message: message.to_string(),
    }
    .into()
}

/// Reads and builds a scenario (the bundled default when `path` is None) with the command's
/// overrides, refuses absurd work for one simulation of it, and returns it with its file stem.
fn load(path: Option<&Path>, sim: &SimArgs) -> Result<(Scenario, String), Error> {
    let scenario = build(&sim.inputs(path)?, &sim.overrides(), sim)?;
    let stem = file_stem(path.unwrap_or(Path::new(DEFAULT_SCENARIO_NAME)));
    Ok((scenario, stem))
}

/// Builds the scenario of `inputs` with `overrides` and refuses absurd work for one
/// simulation of it.
fn build(inputs: &Inputs, overrides: &Overrides, sim: &SimArgs) -> Result<Scenario, Error> {
    let scenario = Scenario::build(inputs, overrides)?;
    check_work("run", &[&scenario], 1, sim)?;
    Ok(scenario)
}

/// The work check of a `command` that simulates each of `scenarios` `simulations` times,
/// against `--max-events` (see [`crate::work::check`]).
fn check_work(
    command: &'static str,
    scenarios: &[&Scenario],
    simulations: u64,
    sim: &SimArgs,
) -> Result<(), Error> {
    crate::work::check(command, scenarios, simulations, sim.max_events()?).map_err(work_refused)
}

/// A refused work estimate, as a usage error naming what to lower.
fn work_refused(e: crate::work::WorkError) -> Error {
    usage(e.key(), e)
}

/// The output folder, `--out` or `output/<default_name>`, started before any simulation: a
/// folder gallerysim may not replace or cannot write is refused before the work.
fn out_dir(sim: &SimArgs, default_name: &str) -> Result<crate::report::Staging, Error> {
    let out = sim
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(default_name));
    crate::report::Staging::new(&out)
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        // `...toml` has the stem `..`: never a folder outside output/.
        .filter(|s| !s.is_empty() && s.chars().any(|c| c != '.'))
        .unwrap_or_else(|| "scenario".to_string())
}

/// The thread pool and progress bar of one command: every simulation goes through it.
struct Runner {
    pool: rayon::ThreadPool,
    progress: Progress,
    /// The note that `--threads` was capped, printed once the input is read (a bad input
    /// gets its error alone).
    capped: Option<String>,
}

impl Runner {
    /// The command's threads (`--threads`). Reading the scenario runs on them too
    /// ([`Runner::load`]); [`Runner::expect_runs`] then sizes the progress bar.
    fn new(sim: &SimArgs) -> Result<Runner, Error> {
        // Every command that takes --set makes its runner first: a key given twice is refused
        // before anything is read.
        crate::scenario::overrides::distinct(&sim.set).map_err(|e| usage("--set", e))?;
        let mut pool = rayon::ThreadPoolBuilder::new();
        let mut capped = None;
        if let Some(n) = sim.threads {
            let cores = std::thread::available_parallelism().map_or(1, usize::from);
            // More threads than cores only adds overhead; results do not depend on it.
            if usize::from(n) > cores && !sim.quiet {
                capped = Some(format!(
                    "note: --threads {n} capped to the machine's {cores} cores"
                ));
            }
            pool = pool.num_threads(usize::from(n).min(cores));
        }
        let pool = pool
            .build()
            .map_err(|e| Error::io("thread pool", std::io::Error::other(e.to_string())))?;
        Ok(Runner {
            pool,
            progress: Progress::new(sim.quiet),
            capped,
        })
    }

    /// Once the input is read: prints the `--threads` note, if any, and sets the number of
    /// runs the progress bar counts to.
    fn expect_runs(&self, total_runs: u64) {
        if let Some(note) = &self.capped {
            eprintln!("{note}");
        }
        self.progress.bar.set_length(total_runs);
    }

    /// Runs `work` on the command's threads.
    fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        self.pool.install(work)
    }

    /// Reads and builds a scenario on the command's threads (see [`load`]).
    fn load(&self, path: Option<&Path>, sim: &SimArgs) -> Result<(Scenario, String), Error> {
        self.install(|| load(path, sim))
    }

    fn simulate(&self, scenario: &Scenario) -> Results {
        self.pool
            .install(|| montecarlo::simulate(scenario, &|| self.progress.tick()))
    }

    /// Simulates the runs `runs` of `scenario`, unfinished.
    fn simulate_runs(
        &self,
        scenario: &Scenario,
        runs: std::ops::Range<u32>,
    ) -> montecarlo::Accumulator {
        self.pool.install(|| {
            montecarlo::simulate_runs(
                scenario,
                std::slice::from_ref(&scenario.prices),
                runs,
                &|| self.progress.tick(),
            )
            .pop()
            .expect("one price book")
        })
    }

    /// Simulates once, prices with each book.
    fn simulate_priced(&self, scenario: &Scenario, books: &[PriceBook]) -> Vec<Results> {
        self.pool
            .install(|| montecarlo::simulate_priced(scenario, books, &|| self.progress.tick()))
    }

    fn finish(&self) {
        self.progress.bar.finish_and_clear();
    }
}

/// A progress bar on stderr that appears only when a command takes more than a moment, and
/// only on a terminal (indicatif draws nothing when stderr is redirected).
struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
    enabled: bool,
}

impl Progress {
    const DELAY: Duration = Duration::from_millis(400);

    fn new(quiet: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
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
}
