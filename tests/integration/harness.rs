//! Shared helpers: running the binary, simulating scenario text, reading CSVs, and comparing
//! floats through one helper with named tolerances.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gallerysim::montecarlo::{self, Results};
use gallerysim::scenario::Scenario;

/// Money that is computed exactly up to floating-point rounding.
pub const EXACT: f64 = 1e-9;
/// Figures read back from a CSV with four decimals.
pub const CSV_4DP: f64 = 5e-5;

/// Asserts `|actual - expected| <= tolerance`, naming what was compared.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: got {actual}, expected {expected} (tolerance {tolerance})"
    );
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A bundled scenario file.
pub fn bundled(name: &str) -> PathBuf {
    repo().join("scenarios").join(name)
}

/// Every bundled scenario file, by name.
pub fn bundled_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
}

/// Validates scenario text, panicking with the error if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    Scenario::parse(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a scenario with every run on the current thread pool.
pub fn simulate(scenario: &Scenario) -> Results {
    montecarlo::simulate(scenario, &|| {})
}

/// The `gallerysim` binary.
pub fn bin() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("gallerysim").expect("binary built")
}

/// A CSV file as rows of column -> value.
pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .deserialize()
        .map(|row| row.expect("well-formed row"))
        .collect()
}

/// A number from a CSV row.
pub fn num(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?}", row[column]))
}

/// Runs `gallerysim ARGS` in `dir` (bounded at 120 s, so a hang fails instead of stalling).
pub fn gallerysim(dir: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .current_dir(dir)
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

/// Every file of a folder, by name.
pub fn folder(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}
