//! Scale-out: a shard is a contiguous block of a scenario's run indices, simulated anywhere
//! (Slurm array task, Kubernetes indexed job, GNU parallel) into a **partial** file; `merge`
//! checks a set of partials and finishes them into exactly the result of one `run`.
//!
//! A partial file is one line of JSON (the header: format, version, the content hash, seed,
//! runs, the run range, the size and hash of the body), a newline, then the body in postcard
//! (a compact, specified binary serde format that keeps every `f64` bit and NaN): the exact
//! scenario text after `--set` overrides, the price catalog text if one was used, the budget
//! options, and the [`Accumulator`] of the shard's runs. `head -1 FILE` shows the header.
//!
//! Runs keep their own seeds (a pure function of the master seed and the run index), and the
//! accumulator's sums are exact, so any split merges into the same bytes.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::montecarlo::Accumulator;
use crate::stats::fnv1a;

/// The `format` field of every partial.
pub const FORMAT: &str = "gallerysim-partial";
/// Version of the partial format; a merge refuses others (2: accumulators carry the
/// monthly cost of images no lab can use).
pub const VERSION: u32 = 2;
/// File name suffix of partials.
pub const SUFFIX: &str = ".gsp";

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
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}`: expected K/N, e.g. 3/8"))?;
        let (index, count): (u32, u32) = match (k.trim().parse(), n.trim().parse()) {
            (Ok(k), Ok(n)) => (k, n),
            _ => return Err(format!("`{text}`: K and N must be whole numbers")),
        };
        if count == 0 || index == 0 || index > count || count > 100_000 {
            return Err(format!("`{text}`: need 1 <= K <= N <= 100000"));
        }
        Ok(Shard { index, count })
    }

    /// The run indices (0-based) of this shard among `runs`: contiguous blocks whose sizes
    /// differ by at most one.
    pub fn runs(&self, runs: u32) -> Range<u32> {
        let bound = |k: u32| (u64::from(k) * u64::from(runs) / u64::from(self.count)) as u32;
        bound(self.index - 1)..bound(self.index)
    }

    /// The partial's file name, e.g. `partial-0003-of-0008.gsp`.
    pub fn file_name(&self) -> String {
        format!("partial-{:04}-of-{:04}{SUFFIX}", self.index, self.count)
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
    /// The price catalog text, if the scenario read one.
    pub catalog_text: Option<String>,
    /// Budget options.
    pub budget: BudgetOptions,
    /// The shard's runs.
    pub accumulator: Accumulator,
}

/// A partial file, read back.
#[derive(Debug, Clone)]
pub struct Partial {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its header.
    pub header: Header,
    /// Its body.
    pub body: Body,
}

/// The hash of what must agree between the partials of one result.
pub fn content_hash(body: &Body, seed: u64, runs: u32) -> String {
    let mut bytes = Vec::new();
    for part in [
        Some(body.scenario_text.as_str()),
        body.catalog_text.as_deref(),
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
        gallerysim: env!("CARGO_PKG_VERSION").to_string(),
        content_hash: content_hash(body, seed, runs),
        scenario_file: scenario_file.to_string(),
        seed,
        runs,
        first_run: range.start,
        end_run: range.end,
        shard: format!("{}/{}", shard.index, shard.count),
        body_bytes: payload.len() as u64,
        body_hash: format!("{:016x}", fnv1a(&payload)),
    };
    let mut bytes = serde_json::to_vec(&header).expect("in-memory serialisation");
    bytes.push(b'\n');
    bytes.extend_from_slice(&payload);
    bytes
}

fn bad(path: &Path, message: impl Into<String>) -> InputError {
    InputError {
        file: path.display().to_string(),
        line: None,
        column: None,
        key: None,
        message: message.into(),
    }
}

/// Reads and checks one partial file.
pub fn read(path: &Path) -> Result<Partial, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| bad(path, format!("cannot read: {e}")))?;
    if !meta.is_file() || meta.len() > 4 * crate::error::MAX_INPUT_BYTES {
        return Err(bad(
            path,
            "not a partial file (not a regular file of at most 256 MiB)",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(path, format!("cannot read: {e}")))?;
    let newline = bytes
        .iter()
        .take(64 * 1024)
        .position(|&b| b == b'\n')
        .ok_or_else(|| bad(path, "not a gallerysim partial file (no header line)"))?;
    let header: Header = serde_json::from_slice(&bytes[..newline])
        .map_err(|e| bad(path, format!("not a gallerysim partial file: {e}")))?;
    if header.format != FORMAT {
        return Err(bad(
            path,
            format!("format `{}` is not {FORMAT}", header.format),
        ));
    }
    if header.version != VERSION {
        return Err(bad(
            path,
            format!(
                "partial format version {} (gallerysim {}); this gallerysim reads version {VERSION}: merge with the version that wrote it",
                header.version, header.gallerysim
            ),
        ));
    }
    let payload = &bytes[newline + 1..];
    if payload.len() as u64 != header.body_bytes
        || format!("{:016x}", fnv1a(payload)) != header.body_hash
    {
        return Err(bad(
            path,
            format!(
                "truncated or altered: the body has {} bytes, the header says {}; run the shard again",
                payload.len(),
                header.body_bytes
            ),
        ));
    }
    let body: Body =
        postcard::from_bytes(payload).map_err(|e| bad(path, format!("unreadable body: {e}")))?;
    if content_hash(&body, header.seed, header.runs) != header.content_hash {
        return Err(bad(
            path,
            "the body does not match its header's content hash",
        ));
    }
    let expected: Vec<u32> = (header.first_run..header.end_run).collect();
    if body.accumulator.runs_absorbed() != expected {
        return Err(bad(path, "the runs inside do not match the header's range"));
    }
    Ok(Partial {
        path: path.to_path_buf(),
        header,
        body,
    })
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

/// Checks that `partials` come from one scenario, seed and runs and cover every run exactly
/// once; merges their accumulators. Returns the first partial's body fields and the merged
/// accumulator.
pub fn merge(mut partials: Vec<Partial>) -> Result<(Body, Header), InputError> {
    let first = partials
        .first()
        .ok_or_else(|| bad(Path::new("merge"), "no partial files given"))?;
    for p in &partials[1..] {
        let (a, b) = (&first.header, &p.header);
        let differs = if a.seed != b.seed {
            Some("another seed")
        } else if a.runs != b.runs {
            Some("another number of runs")
        } else if a.content_hash != b.content_hash {
            Some("another scenario text, overrides, price catalog or budget options")
        } else {
            None
        };
        if let Some(what) = differs {
            return Err(bad(
                &p.path,
                format!(
                    "comes from {what} than {} (seed {} vs {}, runs {} vs {}, hash {} vs {})",
                    first.path.display(),
                    b.seed,
                    a.seed,
                    b.runs,
                    a.runs,
                    b.content_hash,
                    a.content_hash
                ),
            ));
        }
    }
    partials.sort_by_key(|p| (p.header.first_run, p.header.end_run));
    let runs = partials[0].header.runs;
    let mut next = 0u32;
    for p in &partials {
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
            &partials[partials.len() - 1].path,
            format!(
                "runs {}..{runs} are missing: a shard's partial is not among those given",
                next + 1
            ),
        ));
    }
    let mut iter = partials.into_iter();
    let first = iter.next().expect("at least one");
    let header = first.header;
    let mut body = first.body;
    for p in iter {
        body.accumulator.merge(p.body.accumulator);
    }
    Ok((body, header))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_run_once() {
        for runs in [1u32, 7, 100, 1000] {
            for count in [1u32, 2, 3, 7, 16] {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.runs(runs);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, runs);
            }
        }
        assert_eq!(Shard::parse("3/8").unwrap(), Shard { index: 3, count: 8 });
        assert!(Shard::parse("0/8").is_err() && Shard::parse("9/8").is_err());
        assert!(Shard::parse("x").is_err());
    }
}
