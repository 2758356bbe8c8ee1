//! The short report printed after a run: what it will cost, where, and what to look at.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::catalog::Regions;
use crate::model::LabStatus;
use crate::montecarlo::Results;
use crate::scenario::Scenario;
use crate::stats::Summary;

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
    let amount = format!("{sign}{grouped}.{:02}", cents % 100);
    if currency == "USD" {
        format!("${amount}")
    } else {
        format!("{amount} {currency}")
    }
}

/// The terminal report; `written` lists the files written, if any.
pub fn render(scenario: &Scenario, results: &Results, written: &[PathBuf]) -> String {
    let regions = Regions::bundled();
    let cur = scenario.currency.as_str();
    let mut out = String::new();
    let runs = results.runs.len();
    let _ = writeln!(
        out,
        "{}: {} billing months from {}, {} run{}, seed {}",
        scenario.name,
        scenario.months,
        scenario.calendar.start(),
        runs,
        if runs == 1 { "" } else { "s" },
        scenario.seed
    );
    let _ = writeln!(
        out,
        "\nGallery cost over the horizon{}:",
        if runs > 1 { " (mean over runs)" } else { "" }
    );
    let _ = writeln!(
        out,
        "  {:<16} {:<20} {:>14} {:>14} {:>14}",
        "gallery", "region", "storage", "egress", "total"
    );
    let ledger = &results.monthly_mean;
    for (c, cell) in scenario.cells.iter().enumerate() {
        let (mut storage, mut egress) = (0.0, 0.0);
        for m in 0..ledger.months() {
            storage += ledger.entry(m, c).storage_cost;
            egress += ledger.entry(m, c).egress_cost;
        }
        let _ = writeln!(
            out,
            "  {:<16} {:<20} {:>14} {:>14} {:>14}",
            scenario.galleries[cell.gallery].name,
            regions.get(cell.region).name,
            money(storage, cur),
            money(egress, cur),
            money(storage + egress, cur)
        );
    }
    let total = |read: fn(&crate::model::RunTotals) -> f64| {
        Summary::of(
            &results
                .runs
                .iter()
                .map(|r| read(&r.totals))
                .collect::<Vec<_>>(),
        )
    };
    let (t, s, e) = (
        total(|t| t.total_cost),
        total(|t| t.storage_cost),
        total(|t| t.egress_cost),
    );
    let _ = writeln!(
        out,
        "  {:<16} {:<20} {:>14} {:>14} {:>14}",
        "total",
        "",
        money(s.mean, cur),
        money(e.mean, cur),
        money(t.mean, cur)
    );
    let per_month = t.mean / f64::from(scenario.months);
    let _ = writeln!(
        out,
        "  about {} per billing month on average",
        money(per_month, cur)
    );
    if runs > 1 {
        let _ = writeln!(
            out,
            "  total cost P50 {}, P80 {}, P90 {} (budget at P80 or P90 to cover uncertainty)",
            money(t.p50, cur),
            money(t.p80, cur),
            money(t.p90, cur)
        );
    }

    let ineligible: Vec<_> = scenario
        .images
        .iter()
        .enumerate()
        .filter(|(_, im)| !im.eligibility.eligible())
        .collect();
    if !ineligible.is_empty() {
        let _ = writeln!(
            out,
            "\nImages no lab can use (still stored and billed): {} in all",
            money(total(|t| t.ineligible_cost).mean, cur)
        );
        for (i, im) in ineligible {
            let reasons: Vec<String> = im
                .eligibility
                .reasons
                .iter()
                .map(|r| r.to_string())
                .collect();
            let _ = writeln!(
                out,
                "  {}: {} ({})",
                im.name,
                money(results.image_cost_mean[i], cur),
                reasons.join("; ")
            );
        }
    }

    let not_ready: Vec<_> = scenario
        .labs
        .iter()
        .zip(&results.labs)
        .filter(|(_, o)| o.status != LabStatus::Ready)
        .collect();
    if !not_ready.is_empty() {
        let _ = writeln!(out, "\nLabs that never become ready (run 1):");
        for (lab, o) in not_ready {
            let why = match o.status {
                LabStatus::IneligibleImage => "its image breaks an eligibility rule".to_string(),
                LabStatus::NotReplicatedToRegion => format!(
                    "no version is ever replicated to {}",
                    regions.get(lab.region).name
                ),
                LabStatus::NoVersion => {
                    "no version reaches its region before the horizon ends".to_string()
                }
                LabStatus::Ready => unreachable!(),
            };
            let _ = writeln!(
                out,
                "  {} ({} lab(s), image {}): {}",
                lab.name, lab.count, scenario.images[lab.image].name, why
            );
        }
    }

    let mut warnings: Vec<String> = scenario.warnings.clone();
    for im in &scenario.images {
        for w in &im.eligibility.warnings {
            warnings.push(format!("image `{}`: {w}", im.name));
        }
    }
    if !warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings:");
        for w in warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    if let Some(first) = written.first() {
        let dir = first
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "\nWrote {} files to {dir}/", written.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(1234567.891, "USD"), "$1,234,567.89");
        assert_eq!(money(24.64, "USD"), "$24.64");
        assert_eq!(money(0.004, "EUR"), "0.00 EUR");
        assert_eq!(money(-5.5, "USD"), "$-5.50");
    }
}
