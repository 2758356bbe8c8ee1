//! Reports: consumers of [`crate::montecarlo::Results`]. They never reach into the model.
//!
//! Every output file is rendered in memory first, then written through a temporary file and a
//! rename, so a reader never sees a half-written file.

pub mod analysis_chart;
pub mod chart;
pub mod csv;
pub mod terminal;

use std::path::{Path, PathBuf};

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

/// Renders every output file of a run: the CSV files, then the charts (with the budget
/// lines when a budget is given).
pub fn render(
    scenario: &Scenario,
    results: &Results,
    budget: &Budget,
) -> Result<Vec<OutputFile>, Error> {
    let mut files = csv::render_all(scenario, results)?;
    files.extend(chart::render_all(scenario, results, budget)?);
    Ok(files)
}

/// Writes `files` into `dir` (created if needed), each atomically; returns their paths.
pub fn write_all(dir: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    files
        .iter()
        .map(|file| {
            let path = dir.join(&file.name);
            write_atomic(&path, &file.bytes)?;
            Ok(path)
        })
        .collect()
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// A plain decimal with four places (no negative zero): the CSV money and quantity format.
/// Formats through integers (much faster than `{:.4}` on large files); values whose fifth
/// decimal is too close to a tie for the multiplication to decide fall back to `{:.4}`, so
/// the result is always the same as `format!("{:.4}", x)`.
pub fn dec(x: f64) -> String {
    let raw = x * 10_000.0;
    let near_tie = (raw - raw.floor() - 0.5).abs() <= raw.abs() * 4.0 * f64::EPSILON + 1e-9;
    if !(raw.abs() < 9.0e15) || near_tie {
        return format!("{:.4}", x + 0.0);
    }
    let scaled = raw.round();
    let units = scaled as i64;
    let sign = if units < 0 { "-" } else { "" };
    let units = units.unsigned_abs();
    format!("{sign}{}.{:04}", units / 10_000, units % 10_000)
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
