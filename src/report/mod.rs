//! Reports: consumers of [`crate::montecarlo::Results`]. They never reach into the model.
//!
//! Every output file is rendered in memory first; a command's folder is then written as a set
//! (see [`output::Staging`]), so a reader never sees a half-written file or a mix of two runs.

pub mod analysis_chart;
pub mod chart;
pub mod csv;
pub mod doc;
pub mod html;
pub mod output;
pub mod view;

use rayon::prelude::*;

use crate::analysis::budget::Budget;
use crate::error::Error;
use crate::montecarlo::Results;
use crate::scenario::Scenario;

pub use output::{write_atomic, Staging};

/// A rendered output file.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// File name within the output folder.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Renders every output file of a run into `staging`: the CSV files, then the charts (with
/// the budget lines when a budget is given), then the files `more` makes from those (the HTML
/// report). Files are rendered in parallel with each other and with `versions.csv`, which
/// takes longest and is written straight into `staging` (it can be hundreds of megabytes);
/// every file is in `staging` when this returns, so that the commit only swaps the folder.
/// Returns the other files, in that order whatever the thread count.
pub fn render(
    scenario: &Scenario,
    results: &Results,
    headline: &crate::analysis::headline::Headline,
    budget: &Budget,
    staging: &Staging,
    more: impl FnOnce(&mut Vec<OutputFile>) -> Result<(), Error> + Send,
) -> Result<Vec<OutputFile>, Error> {
    let (versions, files) = rayon::join(
        || csv::stream_versions(scenario, results, staging),
        || {
            let data = chart::ChartData::new(scenario, results, budget);
            let mut jobs = csv::jobs(scenario, results, headline);
            jobs.extend(chart::jobs(&data));
            let mut files = run_jobs(&jobs)?;
            // Written while `versions.csv` is still being made, not at the commit.
            staging.write(&files)?;
            let made = files.len();
            more(&mut files)?;
            // The report too: the commit then only swaps the folder.
            staging.write(&files[made..])?;
            Ok(files)
        },
    );
    versions?;
    files
}

/// Renders some output files.
type Job<'a> = Box<dyn Fn() -> Result<Vec<OutputFile>, Error> + Send + Sync + 'a>;

/// Runs `jobs` in parallel; their files in job order.
fn run_jobs(jobs: &[Job<'_>]) -> Result<Vec<OutputFile>, Error> {
    let files: Vec<Vec<OutputFile>> = jobs.par_iter().map(|job| job()).collect::<Result<_, _>>()?;
    Ok(files.concat())
}

/// `x` with `places` decimals for people, never `-0` (a value that rounds to zero is shown
/// unsigned); with `sign`, positive values get a `+`.
pub fn fixed(x: f64, places: usize, sign: bool) -> String {
    let text = match sign {
        true => format!("{x:+.places$}"),
        false => format!("{x:.places$}"),
    };
    match text
        .trim_start_matches(['-', '+'])
        .bytes()
        .all(|b| b == b'0' || b == b'.')
    {
        true => text.trim_start_matches(['-', '+']).to_string(),
        false => text,
    }
}

/// A plain decimal with four places (no negative zero): the CSV money and quantity format.
/// Formats through integers (much faster than `{:.4}` on large files); values whose fifth
/// decimal is too close to a tie for the multiplication to decide fall back to `{:.4}`, so
/// the result is always the same as `format!("{:.4}", x)`.
pub fn dec(x: f64) -> String {
    let mut out = Vec::with_capacity(24);
    push_dec(&mut out, x);
    String::from_utf8(out).expect("ASCII digits")
}

/// Appends [`dec`]`(x)` to `out`.
pub fn push_dec(out: &mut Vec<u8>, x: f64) {
    let raw = x * 10_000.0;
    // Floor and round by integer conversion (exact below 2^53; `f64::floor` and `round` are
    // library calls on baseline x86-64): a value far enough from a tie rounds to the nearer
    // integer whichever way ties go.
    let floor = (raw.abs() < 9.0e15).then(|| {
        let toward_zero = raw as i64;
        toward_zero - i64::from(toward_zero as f64 > raw)
    });
    let Some(floor) = floor
        .filter(|&floor| (raw - floor as f64 - 0.5).abs() > raw.abs() * 4.0 * f64::EPSILON + 1e-9)
    else {
        use std::io::Write;
        write!(out, "{:.4}", x + 0.0).expect("writing to memory cannot fail");
        return;
    };
    let units = floor + i64::from(raw - floor as f64 > 0.5);
    if units < 0 {
        out.push(b'-');
    }
    let units = units.unsigned_abs();
    out.extend_from_slice(itoa::Buffer::new().format(units / 10_000).as_bytes());
    let frac = units % 10_000;
    out.extend_from_slice(&[
        b'.',
        b'0' + (frac / 1000) as u8,
        b'0' + (frac / 100 % 10) as u8,
        b'0' + (frac / 10 % 10) as u8,
        b'0' + (frac % 10) as u8,
    ]);
}

#[cfg(test)]
mod tests {
    use super::dec;

    #[test]
    fn fixed_never_shows_a_negative_zero() {
        use super::fixed;
        assert_eq!(fixed(-0.0, 1, false), "0.0");
        assert_eq!(fixed(-0.04, 1, true), "0.0");
        assert_eq!(fixed(-0.4, 0, false), "0");
        assert_eq!(fixed(-0.6, 0, false), "-1");
        assert_eq!(fixed(2.25, 1, true), "+2.2");
        assert_eq!(fixed(-0.123, 2, true), "-0.12");
    }

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
