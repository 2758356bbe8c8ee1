//! The views: what each command's report says, built as a [`Doc`] from analysed results.
//! The terminal prints a view as text, `report.html` as HTML; the views compute nothing that
//! analysis has not (headline figures come from [`crate::analysis::headline`]).

mod analyses;
mod listing;
mod run;

pub use analyses::{advice, budget, comparison, sweep, tornado};
pub use listing::{gallery_imported, imported, prices, regions};
pub use run::{check, monthly, run};

use std::path::PathBuf;

use super::doc::Doc;
use crate::model::LabStatus;
use crate::scenario::Scenario;

/// Formats money with thousands separators, e.g. `$1,234.56` or `1,234.56 EUR`.
pub fn money(x: f64, currency: &str) -> String {
    let cents = (x * 100.0).round() as i64;
    let (sign, cents) = if cents < 0 {
        ("-", -cents)
    } else {
        ("", cents)
    };
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    with_currency(format!("{sign}{grouped}.{:02}", cents % 100), currency)
}

/// `$amount` for USD, `amount CUR` for any other currency; a negative amount gets its sign in
/// front (`-$1,912.65`, not `$-1,912.65`).
pub fn with_currency(amount: String, currency: &str) -> String {
    if let Some(positive) = amount.strip_prefix('-') {
        return format!("-{}", with_currency(positive.to_string(), currency));
    }
    if currency == "USD" {
        format!("${amount}")
    } else {
        format!("{amount} {currency}")
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn quantity(x: f64) -> String {
    super::fixed(x, usize::from(x < 100.0), false)
}

fn pct(p: f64) -> String {
    format!("{}%", super::fixed(100.0 * p, 0, false))
}

/// Why a lab is not ready, in words.
pub fn lab_reason(scenario: &Scenario, lab: usize, status: LabStatus) -> String {
    let lab = &scenario.labs[lab];
    let image = &scenario.images[lab.image];
    match status {
        LabStatus::Ready => "ready".to_string(),
        LabStatus::Retired => {
            let account = &scenario.accounts[lab.account];
            let ended = account
                .until
                .map(|u| {
                    scenario
                        .calendar
                        .date_of(crate::engine::Time(u))
                        .to_string()
                })
                .unwrap_or_default();
            if account.kind.is_lab_services() {
                format!(
                    "account `{}` runs no labs when this lab is created (Azure Lab Services retires on {ended}); move it to a successor",
                    account.name
                )
            } else {
                format!(
                    "account `{}` ends on {ended}, before this lab is created",
                    account.name
                )
            }
        }
        LabStatus::IneligibleImage => {
            format!(
                "image `{}` is unusable: {}",
                image.name,
                image.eligibility.why()
            )
        }
        LabStatus::NotReplicatedToRegion => format!(
            "no version of `{}` is ever replicated to {} (add it to the lab plan's replicate_to)",
            image.name,
            scenario.regions.get(lab.region).name
        ),
        LabStatus::NoVersion => format!(
            "no version of `{}` reaches {} before the horizon ends",
            image.name,
            scenario.regions.get(lab.region).name
        ),
    }
}

/// Rows of a long table shown unless `verbose`.
const TOP_ROWS: usize = 10;

/// Keeps the first [`TOP_ROWS`] of a long list unless `verbose` (a list barely longer is
/// kept whole); returns how many were cut.
fn shorten<T>(list: &mut Vec<T>, verbose: bool) -> usize {
    if verbose || list.len() <= TOP_ROWS + 2 {
        return 0;
    }
    let hidden = list.len() - TOP_ROWS;
    list.truncate(TOP_ROWS);
    hidden
}

/// The pointer to what [`shorten`] cut.
fn more(doc: &mut Doc, hidden: usize, file: &str) {
    if hidden > 0 {
        doc.line(format!(
            "and {hidden} more ({file}; --verbose lists them all)"
        ));
    }
}

/// Every caution about a scenario, as (code, sentence): the scenario's warnings, then each
/// image's eligibility cautions.
pub fn all_warnings(scenario: &Scenario) -> Vec<(&'static str, String)> {
    let mut warnings: Vec<(&'static str, String)> = scenario
        .warnings
        .iter()
        .map(|w| (w.code.code(), w.to_string()))
        .collect();
    for im in &scenario.images {
        for w in &im.eligibility.warnings {
            warnings.push((w.code(), format!("image `{}`: {w} [{}]", im.name, w.code())));
        }
    }
    warnings
}

/// The "Warnings" section, if there are any: unless `verbose`, at most three of each kind and
/// a count of the rest.
fn warnings_section(doc: &mut Doc, scenario: &Scenario, verbose: bool) {
    let warnings = all_warnings(scenario);
    if warnings.is_empty() {
        return;
    }
    doc.heading("Warnings:");
    let mut shown: Vec<(&str, usize)> = Vec::new();
    for (code, text) in &warnings {
        let seen = match shown.iter_mut().find(|(k, _)| k == code) {
            Some(entry) => {
                entry.1 += 1;
                entry.1
            }
            None => {
                shown.push((code, 1));
                1
            }
        };
        if verbose || seen <= 3 {
            doc.item(text.clone());
        }
    }
    for (code, n) in shown.into_iter().filter(|(_, n)| !verbose && *n > 3) {
        doc.item(format!(
            "and {} more [{code}] (--verbose lists them all)",
            n - 3
        ));
    }
}

/// The line that ends a command's terminal output: how many files went where.
pub fn wrote(written: &[PathBuf]) -> String {
    match written.first() {
        Some(first) => {
            let dir = first
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            format!(
                "\nWrote {} to {dir}/\n",
                count(written.len(), "file", "files")
            )
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(1234567.891, "USD"), "$1,234,567.89");
        assert_eq!(money(24.64, "USD"), "$24.64");
        assert_eq!(money(0.004, "EUR"), "0.00 EUR");
        assert_eq!(money(-5.5, "USD"), "-$5.50");
        assert_eq!(money(-1912.65, "USD"), "-$1,912.65");
        assert_eq!(money(-1912.65, "EUR"), "-1,912.65 EUR");
    }
}
