//! Scale-out: a shard is a contiguous block of a scenario's run indices, simulated anywhere
//! (Slurm array task, Kubernetes indexed job, GNU parallel) into a **partial** file; `merge`
//! checks a set of partials and finishes them into exactly the result of one `run`.
//!
//! A partial file is one line of JSON (the header: format, version, the content hash, seed,
//! runs, the run range, the size and hash of the body), a newline, then the body in postcard
//! (a compact, specified binary serde format that keeps every `f64` bit and NaN): the exact
//! scenario text after `--set` overrides, the price catalog (its text, which identifies it,
//! and the name its prices are shown by) if one was used, the budget options, and the
//! [`Accumulator`] of the shard's runs. `head -1 FILE` shows the header.
//!
//! Runs keep their own seeds (a pure function of the master seed and the run index), and the
//! accumulator's sums are exact, so any split merges into the same bytes.
//!
//! A partial is checked for meaning, not only integrity (a hash can be recomputed): every
//! header field against the body (the seed against the runs' seeds, the run range against
//! the shard and the runs inside, the gallerysim version against this one), the body's
//! scenario validated again, and the accumulator against that scenario. A merge reads the
//! headers first (coverage is known before any body is read), then reads, checks and folds
//! the bodies one at a time: its memory is one partial plus the result, not the sum.

use std::io::{BufRead as _, Read as _};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::montecarlo::Accumulator;
use crate::montecarlo::Results;
use crate::scenario::{CatalogInput, CatalogText, Inputs, Overrides, Scenario, MAX_RUNS};
use crate::stats::fnv1a;

/// The `format` field of every partial.
pub const FORMAT: &str = "gallerysim-partial";
/// Version of the partial format; a merge refuses others (2: accumulators carry the
/// monthly cost of images no lab can use; 3: the price catalog is recorded with the name its
/// prices are shown by, and its text alone identifies it).
pub const VERSION: u32 = 4;
/// File name suffix of partials.
pub const SUFFIX: &str = ".gsp";
/// The gallerysim version that writes partials; a merge reads only its own.
pub const GALLERYSIM: &str = env!("CARGO_PKG_VERSION");
/// The longest header line read.
const MAX_HEADER_BYTES: u64 = 64 * 1024;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// Parses `K/N` with 1 <= K <= N.
    pub fn parse(text: &str) -> Result<Shard, ShardError> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| ShardError::Syntax(text.to_string()))?;
        let (index, count): (u32, u32) = match (k.trim().parse(), n.trim().parse()) {
            (Ok(k), Ok(n)) => (k, n),
            _ => return Err(ShardError::NotWhole(text.to_string())),
        };
        if count == 0 || index == 0 || index > count || count > 100_000 {
            return Err(ShardError::Range(text.to_string()));
        }
        Ok(Shard { index, count })
    }

    /// The run indices (0-based) of this shard among `runs`: contiguous blocks whose sizes
    /// differ by at most one. Empty when there are more shards than runs.
    pub fn runs(&self, runs: u32) -> Range<u32> {
        let bound = |k: u32| (u64::from(k) * u64::from(runs) / u64::from(self.count)) as u32;
        bound(self.index - 1)..bound(self.index)
    }

    /// The partial's file name, e.g. `partial-0003-of-0008.gsp`.
    pub fn file_name(&self) -> String {
        format!("partial-{:04}-of-{:04}{SUFFIX}", self.index, self.count)
    }

    /// What the shard simulates, for people: `runs 251..375 of 1000`, or that it has none.
    pub fn describe(&self, runs: u32) -> String {
        let range = self.runs(runs);
        if range.is_empty() {
            format!(
                "no runs in this shard ({runs} runs over {} shards); its partial is empty and the merge accepts it",
                self.count
            )
        } else {
            format!("runs {}..{} of {runs}", range.start + 1, range.end)
        }
    }
}

/// A shard argument, or the budget options a partial recorded, that cannot be right.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShardError {
    /// Not `K/N`.
    #[error("`{0}`: expected K/N, e.g. 3/8")]
    Syntax(String),
    /// `K` or `N` not a whole number.
    #[error("`{0}`: K and N must be whole numbers")]
    NotWhole(String),
    /// Not `1 <= K <= N <= 100000`.
    #[error("`{0}`: need 1 <= K <= N <= 100000")]
    Range(String),
    /// A budget amount negative or not finite.
    #[error("budget option {name} {value} is not a non-negative amount")]
    Amount {
        /// The option.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// `--fail-over` outside 0..1.
    #[error("--fail-over {0} is not a probability between 0 and 1")]
    Probability(f64),
    /// `--fail-over` without a budget.
    #[error("--fail-over without a budget to test against")]
    FailOverAlone,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Budget options of the run, recorded so that the merge writes the same files.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct BudgetOptions {
    /// `--budget-monthly`.
    pub monthly: Option<f64>,
    /// `--budget-total`.
    pub total: Option<f64>,
    /// `--fail-over`.
    pub fail_over: Option<f64>,
}

impl BudgetOptions {
    /// The checks of the command line's budget options: amounts finite and not negative, a
    /// probability from 0 to 1, and `--fail-over` only with a budget.
    pub fn check(&self) -> Result<(), ShardError> {
        for (name, amount) in [
            ("--budget-monthly", self.monthly),
            ("--budget-total", self.total),
        ] {
            if let Some(x) = amount.filter(|x| !(x.is_finite() && *x >= 0.0)) {
                return Err(ShardError::Amount { name, value: x });
            }
        }
        if let Some(p) = self.fail_over {
            if !(0.0..=1.0).contains(&p) {
                return Err(ShardError::Probability(p));
            }
            if self.monthly.is_none() && self.total.is_none() {
                return Err(ShardError::FailOverAlone);
            }
        }
        Ok(())
    }

    /// Whether both are the same options, bit for bit.
    fn same(&self, other: &BudgetOptions) -> bool {
        let bits =
            |b: &BudgetOptions| [b.monthly, b.total, b.fail_over].map(|x| x.map(f64::to_bits));
        bits(self) == bits(other)
    }
}

/// The header line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] of the writer.
    pub version: u32,
    /// The gallerysim version that wrote it.
    pub gallerysim: String,
    /// Hash of everything that must agree between shards: scenario text, catalog text,
    /// seed, runs and budget options (FNV-1a 64, hex).
    pub content_hash: String,
    /// The scenario file as named on the shard's command line.
    pub scenario_file: String,
    /// Master seed.
    pub seed: u64,
    /// Total runs of the scenario.
    pub runs: u32,
    /// First run (0-based) of this shard.
    pub first_run: u32,
    /// One past its last run.
    pub end_run: u32,
    /// `K/N`.
    pub shard: String,
    /// Bytes of the body.
    pub body_bytes: u64,
    /// FNV-1a 64 of the body (hex): a truncated or altered file is detected.
    pub body_hash: String,
}

/// The body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Body {
    /// The scenario text after `--set` overrides.
    pub scenario_text: String,
    /// The price catalog, if the scenario read one: its text and the name its prices are
    /// shown by.
    pub catalog: Option<CatalogText>,
    /// Budget options.
    pub budget: BudgetOptions,
    /// The shard's runs.
    pub accumulator: Accumulator,
}

/// The hash of what must agree between the partials of one result. The catalog counts by
/// its text, not by its name: the same catalog at two paths is one catalog.
pub fn content_hash(body: &Body, seed: u64, runs: u32) -> String {
    let mut bytes = Vec::new();
    for part in [
        Some(body.scenario_text.as_str()),
        body.catalog.as_ref().map(|c| c.text.as_str()),
    ] {
        let part = part.unwrap_or("");
        bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    bytes.extend_from_slice(&seed.to_le_bytes());
    bytes.extend_from_slice(&runs.to_le_bytes());
    for x in [
        body.budget.monthly,
        body.budget.total,
        body.budget.fail_over,
    ] {
        bytes.extend_from_slice(&x.map_or(u64::MAX, f64::to_bits).to_le_bytes());
    }
    format!("{:016x}", fnv1a(&bytes))
}

/// The bytes of a partial file.
pub fn encode(shard: Shard, scenario_file: &str, seed: u64, runs: u32, body: &Body) -> Vec<u8> {
    let payload = postcard::to_stdvec(body).expect("in-memory serialisation");
    let range = shard.runs(runs);
    let header = Header {
        format: FORMAT.to_string(),
        version: VERSION,
        gallerysim: GALLERYSIM.to_string(),
        content_hash: content_hash(body, seed, runs),
        scenario_file: scenario_file.to_string(),
        seed,
        runs,
        first_run: range.start,
        end_run: range.end,
        shard: shard.to_string(),
        body_bytes: payload.len() as u64,
        body_hash: format!("{:016x}", fnv1a(&payload)),
    };
    let mut bytes = serde_json::to_vec(&header).expect("in-memory serialisation");
    bytes.push(b'\n');
    bytes.extend_from_slice(&payload);
    bytes
}

fn bad(path: &Path, message: impl std::fmt::Display) -> InputError {
    InputError {
        file: path.display().to_string(),
        line: None,
        column: None,
        key: None,
        message: message.to_string(),
    }
}

/// A partial file whose header was read and checked; its body is read once, later.
#[derive(Debug, Clone)]
pub struct Listed {
    /// Where it is.
    pub path: PathBuf,
    /// Its header.
    pub header: Header,
    /// Its shard, as the header names it (and its run range agrees).
    pub shard: Shard,
    /// The header line's bytes, newline included: the body starts here.
    header_bytes: u64,
}

/// Reads and checks the header line of a partial file: format and gallerysim version, the
/// run range against the shard and the runs, the file's size against the body's.
pub fn read_header(path: &Path) -> Result<Listed, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| bad(path, format!("cannot read: {e}")))?;
    if !meta.is_file() || meta.len() > 4 * crate::error::MAX_INPUT_BYTES {
        return Err(bad(
            path,
            "not a partial file (not a regular file of at most 256 MiB)",
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| bad(path, format!("cannot read: {e}")))?;
    let mut line = Vec::new();
    std::io::BufReader::new(file)
        .take(MAX_HEADER_BYTES)
        .read_until(b'\n', &mut line)
        .map_err(|e| bad(path, format!("cannot read: {e}")))?;
    if line.last() != Some(&b'\n') {
        return Err(bad(path, "not a gallerysim partial file (no header line)"));
    }
    let header: Header = serde_json::from_slice(&line[..line.len() - 1])
        .map_err(|e| bad(path, format!("not a gallerysim partial file: {e}")))?;
    if header.format != FORMAT {
        return Err(bad(
            path,
            format!("format `{}` is not {FORMAT}", header.format.escape_debug()),
        ));
    }
    if header.version != VERSION {
        return Err(bad(
            path,
            format!(
                "partial format version {} (gallerysim {}); this gallerysim reads version {VERSION}: merge with the version that wrote it",
                header.version,
                header.gallerysim.escape_debug()
            ),
        ));
    }
    if header.gallerysim != GALLERYSIM {
        return Err(bad(
            path,
            format!(
                "written by gallerysim {}; this is gallerysim {GALLERYSIM}: merge with the build that ran the shards (or run them again with this one)",
                header.gallerysim.escape_debug()
            ),
        ));
    }
    if header
        .scenario_file
        .chars()
        .any(crate::error::is_hidden_char)
    {
        return Err(bad(
            path,
            "the header's scenario file name has control characters",
        ));
    }
    if !(1..=MAX_RUNS).contains(&header.runs) {
        return Err(bad(
            path,
            format!(
                "the header says {} runs; a scenario has 1..={MAX_RUNS}",
                header.runs
            ),
        ));
    }
    let shard = Shard::parse(&header.shard)
        .map_err(|e| bad(path, format!("the header's shard is not K/N: {e}")))?;
    let range = shard.runs(header.runs);
    if (header.first_run..header.end_run) != range {
        return Err(bad(
            path,
            format!(
                "the header's runs {}..{} are not those of shard {shard} of {} runs ({})",
                u64::from(header.first_run) + 1,
                header.end_run,
                header.runs,
                shard.describe(header.runs)
            ),
        ));
    }
    let header_bytes = line.len() as u64;
    let body_bytes = meta.len() - header_bytes;
    if body_bytes < header.body_bytes {
        return Err(bad(
            path,
            format!(
                "truncated: the body has {body_bytes} bytes, the header says {}; run the shard again",
                header.body_bytes
            ),
        ));
    }
    if body_bytes > header.body_bytes {
        return Err(bad(
            path,
            format!(
                "{} bytes follow the body the header announces ({} bytes): not one partial file; run the shard again",
                body_bytes - header.body_bytes,
                header.body_bytes
            ),
        ));
    }
    Ok(Listed {
        path: path.to_path_buf(),
        header,
        shard,
        header_bytes,
    })
}

/// Reads the body of a listed partial and checks its integrity: its size and hash against
/// the header, then the content hash of what it decodes to.
pub fn read_body(listed: &Listed) -> Result<Body, InputError> {
    let (path, header) = (&listed.path, &listed.header);
    let mut file = std::fs::File::open(path).map_err(|e| bad(path, format!("cannot read: {e}")))?;
    let mut line = vec![0; listed.header_bytes as usize];
    file.read_exact(&mut line)
        .map_err(|e| bad(path, format!("cannot read: {e}")))?;
    let mut payload = Vec::with_capacity(header.body_bytes as usize);
    file.take(header.body_bytes.saturating_add(1))
        .read_to_end(&mut payload)
        .map_err(|e| bad(path, format!("cannot read: {e}")))?;
    if payload.len() as u64 != header.body_bytes || line.last() != Some(&b'\n') {
        return Err(bad(
            path,
            format!(
                "changed while being merged: the body now has {} bytes, the header says {}",
                payload.len(),
                header.body_bytes
            ),
        ));
    }
    let hash = format!("{:016x}", fnv1a(&payload));
    if hash != header.body_hash {
        return Err(bad(
            path,
            format!(
                "altered: the body's hash is {hash}, the header says {} (same size, {} bytes: a flipped bit or an edit); run the shard again",
                header.body_hash.escape_debug(),
                header.body_bytes
            ),
        ));
    }
    let body: Body =
        postcard::from_bytes(&payload).map_err(|e| bad(path, format!("unreadable body: {e}")))?;
    drop(payload);
    if content_hash(&body, header.seed, header.runs) != header.content_hash {
        return Err(bad(
            path,
            "the body does not match its header's content hash",
        ));
    }
    Ok(body)
}

/// The partial files named by `args`: files as given, folders for their `*.gsp` files
/// (sorted by name).
pub fn collect(args: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for arg in args {
        if arg.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(arg)
                .map_err(|e| bad(arg, format!("cannot list: {e}")))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(SUFFIX))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(bad(
                    arg,
                    format!("no partial files (*{SUFFIX}) in this folder"),
                ));
            }
            files.extend(found);
        } else {
            files.push(arg.clone());
        }
    }
    Ok(files)
}

/// Checks, from their headers alone, that `listed` come from one seed and number of runs and
/// cover every run exactly once (each shard once); returns them in run order.
pub fn plan(mut listed: Vec<Listed>) -> Result<Vec<Listed>, InputError> {
    let first = listed
        .first()
        .ok_or_else(|| bad(Path::new("merge"), "no partial files given"))?;
    for p in &listed[1..] {
        let (a, b) = (&first.header, &p.header);
        let differs = if a.seed != b.seed {
            Some("another seed")
        } else if a.runs != b.runs {
            Some("another number of runs")
        } else {
            None
        };
        if let Some(what) = differs {
            return Err(bad(
                &p.path,
                format!(
                    "comes from {what} than {} (seed {} vs {}, runs {} vs {})",
                    first.path.display(),
                    b.seed,
                    a.seed,
                    b.runs,
                    a.runs,
                ),
            ));
        }
    }
    // Partials of other inputs are named as such before any complaint about coverage: both
    // bodies are read to say what differs.
    if let Some(other) = listed
        .iter()
        .find(|p| p.header.content_hash != first.header.content_hash)
    {
        let (a, b) = (read_body(first)?, read_body(other)?);
        let what = differs(&a.scenario_text, a.catalog.as_ref(), &a.budget, &b)
            .unwrap_or("other inputs (another content hash)");
        return Err(bad(
            &other.path,
            format!("comes from {what} than {}", first.path.display()),
        ));
    }
    listed.sort_by_key(|p| {
        (
            p.header.first_run,
            p.header.end_run,
            p.shard.count,
            p.shard.index,
        )
    });
    for pair in listed.windows(2) {
        if pair[0].shard == pair[1].shard {
            return Err(bad(
                &pair[1].path,
                format!(
                    "is shard {}, given twice (also {}): the same runs would overlap",
                    pair[1].shard,
                    pair[0].path.display()
                ),
            ));
        }
    }
    let runs = listed[0].header.runs;
    let mut next = 0u32;
    for p in &listed {
        let (start, end) = (p.header.first_run, p.header.end_run);
        if start < next {
            return Err(bad(
                &p.path,
                format!(
                    "its runs {}..{} overlap runs already given (a shard given twice?)",
                    start + 1,
                    end
                ),
            ));
        }
        if start > next {
            return Err(bad(
                &p.path,
                format!(
                    "runs {}..{} are missing: a shard's partial is not among those given",
                    next + 1,
                    start
                ),
            ));
        }
        next = end.max(next);
    }
    if next < runs {
        return Err(bad(
            &listed[listed.len() - 1].path,
            format!(
                "runs {}..{runs} are missing: a shard's partial is not among those given",
                next + 1
            ),
        ));
    }
    Ok(listed)
}

/// A merge: the scenario as the shards ran it, their budget options, and the results of
/// every run, as one `run` finishes them.
#[derive(Debug)]
pub struct Merged {
    /// The scenario, built again from the partials' text and catalog, with their seed and
    /// runs.
    pub scenario: Scenario,
    /// The budget options the shards recorded.
    pub budget: BudgetOptions,
    /// Every run, finished.
    pub results: Results,
}

/// Merges the partial files `files`: headers first ([`plan`]), then each body in run order,
/// read, checked against its header and the scenario, and folded into the result before the
/// next is read; the runs are then finished into the results of one `run`.
pub fn merge(files: &[PathBuf]) -> Result<Merged, InputError> {
    let listed = files
        .iter()
        .map(|p| read_header(p))
        .collect::<Result<Vec<_>, _>>()?;
    let listed = plan(listed)?;
    // The first partial's scenario, budget options and name, the prices it used, the runs.
    let mut merged: Option<(Scenario, BudgetOptions, &Path, Vec<_>, Accumulator)> = None;
    for p in &listed {
        let body = read_body(p)?;
        let runs = p.header.first_run..p.header.end_run;
        match &mut merged {
            None => {
                body.budget.check().map_err(|e| bad(&p.path, e))?;
                let scenario = scenario_of(p, &body)?;
                let prices_used = Accumulator::prices_used_by(&scenario);
                body.accumulator
                    .check(&scenario, runs, &prices_used)
                    .map_err(|e| bad(&p.path, e))?;
                merged = Some((
                    scenario,
                    body.budget,
                    &p.path,
                    prices_used,
                    body.accumulator,
                ));
            }
            Some((scenario, budget, first, prices_used, accumulator)) => {
                let catalog = scenario.catalog.as_deref();
                if let Some(what) = differs(&scenario.text, catalog, budget, &body) {
                    return Err(bad(
                        &p.path,
                        format!("comes from {what} than {}", first.display()),
                    ));
                }
                body.accumulator
                    .check(scenario, runs, prices_used)
                    .map_err(|e| bad(&p.path, e))?;
                accumulator.merge(body.accumulator);
            }
        }
    }
    let (scenario, budget, _, _, accumulator) =
        merged.ok_or_else(|| bad(Path::new("merge"), "no partial files given"))?;
    let results = accumulator.finish(&scenario);
    Ok(Merged {
        scenario,
        budget,
        results,
    })
}

const TEXT: &str = "another scenario text or overrides";
const CATALOG: &str = "another price catalog (its content differs)";
const BUDGET: &str = "other budget options";

/// What differs between a body's inputs and these (a scenario text, catalog and budget
/// options), if anything. A catalog counts by its text, not by its name.
fn differs(
    text: &str,
    catalog: Option<&CatalogText>,
    budget: &BudgetOptions,
    b: &Body,
) -> Option<&'static str> {
    if text != b.scenario_text {
        Some(TEXT)
    } else if catalog.map(|c| &c.text) != b.catalog.as_ref().map(|c| &c.text) {
        Some(CATALOG)
    } else if !budget.same(&b.budget) {
        Some(BUDGET)
    } else {
        None
    }
}

/// The scenario of a partial, built again from its text and catalog (no file is read) with
/// the header's seed and runs; an error names the partial.
fn scenario_of(p: &Listed, body: &Body) -> Result<Scenario, InputError> {
    let inputs = Inputs {
        catalog: CatalogInput::Given(body.catalog.clone().map(std::sync::Arc::new)),
        ..Inputs::text(&p.header.scenario_file, &body.scenario_text)
    };
    let overrides = Overrides::default().with_runs_seed(p.header.runs, p.header.seed);
    Scenario::build(&inputs, &overrides).map_err(|mut e| {
        e.file = format!("{} (its scenario {})", p.path.display(), e.file);
        e
    })
}

#[cfg(test)]
#[path = "shard_tests.rs"]
mod tests;
