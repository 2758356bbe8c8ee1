//! The short report printed after a run: what it will cost, where, and what to look at.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::analysis::budget::{Assessment, Scope};
use crate::analysis::compare::{ComparisonRow, SweepPoint};
use crate::analysis::sensitivity::Tornado;
use crate::model::{Component, LabStatus};
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

/// Lays out rows in columns; `right` marks right-aligned (numeric) columns.
fn table(out: &mut String, rows: &[Vec<String>], right: &[bool]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|x| x.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from(" ");
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            line.push(' ');
            if right.get(c).copied().unwrap_or(false) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn quantity(x: f64) -> String {
    super::fixed(x, usize::from(x < 100.0), false)
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
            let reasons: Vec<String> = image
                .eligibility
                .reasons
                .iter()
                .map(|r| r.to_string())
                .collect();
            format!("image `{}` is unusable: {}", image.name, reasons.join("; "))
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
fn more(out: &mut String, hidden: usize, file: &str) {
    if hidden > 0 {
        let _ = writeln!(
            out,
            "  and {hidden} more ({file}; --verbose lists them all)"
        );
    }
}

/// Appends the "Warnings:" section, if there are any: unless `verbose`, at most three of each
/// kind and a count of the rest.
fn warnings_section(out: &mut String, scenario: &Scenario, verbose: bool) {
    let warnings = all_warnings(scenario);
    if warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nWarnings:");
    let code = |w: &str| w.rsplit('[').next().unwrap_or("").to_string();
    let mut shown: Vec<(String, usize)> = Vec::new();
    for w in &warnings {
        let c = code(w);
        let seen = match shown.iter_mut().find(|(k, _)| *k == c) {
            Some(entry) => {
                entry.1 += 1;
                entry.1
            }
            None => {
                shown.push((c, 1));
                1
            }
        };
        if verbose || seen <= 3 {
            let _ = writeln!(out, "  - {w}");
        }
    }
    for (c, n) in shown.into_iter().filter(|(_, n)| !verbose && *n > 3) {
        let _ = writeln!(
            out,
            "  - and {} more [{c} (--verbose lists them all)",
            n - 3
        );
    }
}

/// The scenario's warnings plus every image's eligibility cautions.
pub fn all_warnings(scenario: &Scenario) -> Vec<String> {
    let mut warnings: Vec<String> = scenario.warnings.iter().map(ToString::to_string).collect();
    for im in &scenario.images {
        for w in &im.eligibility.warnings {
            warnings.push(format!("image `{}`: {w} [{}]", im.name, w.code()));
        }
    }
    warnings
}

/// The terminal report; `written` lists the files written, if any.
/// The terminal report; unless `verbose`, long tables show their top rows and a pointer to
/// the CSV file that has them all.
pub fn render(
    scenario: &Scenario,
    results: &Results,
    written: &[PathBuf],
    verbose: bool,
) -> String {
    let regions = &scenario.regions;
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
    let storage_unit = match scenario.storage_billing {
        crate::scenario::StorageBilling::Snapshot => "GB-months",
        crate::scenario::StorageBilling::ManagedDisk => "disk-months",
    };
    let mut rows = vec![vec![
        "gallery".to_string(),
        "region".to_string(),
        storage_unit.to_string(),
        "storage".to_string(),
        "egress GB".to_string(),
        "egress".to_string(),
        "total".to_string(),
    ]];
    let ledger = &results.monthly_mean;
    let mut sums = [0.0; 4];
    let mut cell_rows: Vec<(f64, Vec<String>)> = Vec::new();
    for (c, cell) in scenario.cells.iter().enumerate() {
        let mut cell_sums = [0.0; 4];
        for m in 0..ledger.months() {
            let e = ledger.entry(m, c);
            let figures = Component::ALL
                .into_iter()
                .flat_map(|c| [e.quantity(c), e.cost_of(c)]);
            for (acc, x) in cell_sums.iter_mut().zip(figures) {
                *acc += x;
            }
        }
        for (acc, x) in sums.iter_mut().zip(cell_sums) {
            *acc += x;
        }
        cell_rows.push((
            cell_sums[1] + cell_sums[3],
            vec![
                scenario.galleries[cell.gallery].name.clone(),
                regions.get(cell.region).name.clone(),
                quantity(cell_sums[0]),
                money(cell_sums[1], cur),
                quantity(cell_sums[2]),
                money(cell_sums[3], cur),
                money(cell_sums[1] + cell_sums[3], cur),
            ],
        ));
    }
    if !verbose && cell_rows.len() > TOP_ROWS + 2 {
        // Shortened: the most expensive first; the rest are counted, all are in monthly.csv.
        cell_rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    }
    let hidden = shorten(&mut cell_rows, verbose);
    rows.extend(cell_rows.into_iter().map(|(_, r)| r));
    if hidden > 0 {
        rows.push(vec![
            format!("... and {hidden} more"),
            "(monthly.csv; --verbose)".to_string(),
        ]);
    }
    rows.push(vec![
        "total".to_string(),
        String::new(),
        quantity(sums[0]),
        money(sums[1], cur),
        quantity(sums[2]),
        money(sums[3], cur),
        money(sums[1] + sums[3], cur),
    ]);
    table(
        &mut out,
        &rows,
        &[false, false, true, true, true, true, true],
    );
    let total = |read: fn(&crate::model::RunTotals) -> f64| {
        Summary::of(
            &results
                .runs
                .iter()
                .map(|r| read(&r.totals))
                .collect::<Vec<_>>(),
        )
    };
    let t = total(|t| t.total_cost);
    let _ = writeln!(
        out,
        "  about {} per billing month on average",
        money(t.mean / f64::from(scenario.months), cur)
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

    let mut ineligible: Vec<_> = scenario
        .images
        .iter()
        .enumerate()
        .filter(|(_, im)| !im.eligibility.eligible())
        .collect();
    if !ineligible.is_empty() {
        let _ = writeln!(
            out,
            "\nImages no lab can use, still stored and billed: {} in all",
            money(total(|t| t.ineligible_cost).mean, cur)
        );
        // The most expensive first.
        ineligible
            .sort_by(|a, b| results.image_cost_mean[b.0].total_cmp(&results.image_cost_mean[a.0]));
        let hidden = shorten(&mut ineligible, verbose);
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
        more(&mut out, hidden, "eligibility.csv");
    }

    service_section(&mut out, scenario, results);
    orphans_section(&mut out, scenario, results);

    let mut not_ready: Vec<_> = results
        .labs
        .iter()
        .enumerate()
        .filter(|(_, o)| o.status != LabStatus::Ready)
        .collect();
    if !not_ready.is_empty() {
        let _ = writeln!(out, "\nLabs that never become ready (run 1):");
        let hidden = shorten(&mut not_ready, verbose);
        for (i, o) in not_ready {
            let lab = &scenario.labs[i];
            let _ = writeln!(
                out,
                "  {} ({} lab{}, {}): {}",
                lab.name,
                lab.count,
                if lab.count == 1 { "" } else { "s" },
                o.status.name(),
                lab_reason(scenario, i, o.status)
            );
        }
        more(&mut out, hidden, "labs.csv");
    }

    warnings_section(&mut out, scenario, verbose);
    wrote(&mut out, written);
    out
}

/// Per image, who consumes it in each period and where its versions go; shown when any
/// image has more than one period, an account ends, or a clean-up is set.
fn consumers_section(out: &mut String, scenario: &Scenario) {
    let day = |t: u64| {
        scenario
            .calendar
            .date_of(crate::engine::Time(t))
            .to_string()
    };
    let eventful = scenario.images.iter().any(|im| {
        im.periods.len() > 1
            || im.delete_on.is_some()
            || im
                .periods
                .iter()
                .any(|p| scenario.accounts[p.account].until.is_some())
    }) || scenario.galleries.iter().any(|g| !g.retarget.is_empty());
    if !eventful {
        return;
    }
    let _ = writeln!(
        out,
        "\nConsumers over time (new versions go where the period says):"
    );
    for im in &scenario.images {
        let _ = writeln!(out, "  {}:", im.name);
        for p in &im.periods {
            let a = &scenario.accounts[p.account];
            let regions: Vec<&str> = p
                .targets
                .iter()
                .map(|&t| scenario.regions.get(im.targets[t].0).name.as_str())
                .collect();
            let _ = writeln!(
                out,
                "    from {}: {} ({}, gallery {}){} -> {}",
                day(p.from.max(a.from)),
                a.name,
                a.kind.name(),
                scenario.galleries[p.gallery].name,
                a.until
                    .map(|u| format!(", ends {}", day(u)))
                    .unwrap_or_default(),
                regions.join(", ")
            );
        }
        let gallery = &scenario.galleries[im.periods[im.periods.len() - 1].gallery];
        for (on, regions) in &gallery.retarget {
            let names: Vec<&str> = regions
                .iter()
                .map(|r| scenario.regions.get(*r).name.as_str())
                .collect();
            let _ = writeln!(
                out,
                "    from {}: replicas only in {}",
                day(*on),
                names.join(", ")
            );
        }
        if let Some(d) = im.delete_on {
            let _ = writeln!(out, "    {}: every version deleted", day(d));
        }
    }
}

/// Images whose last consumer ends within the horizon while their versions stay stored.
fn orphans_section(out: &mut String, scenario: &Scenario, results: &Results) {
    let day = |t: u64| {
        scenario
            .calendar
            .date_of(crate::engine::Time(t))
            .to_string()
    };
    let horizon = scenario.horizon_ticks();
    let cur = scenario.currency.as_str();
    let orphans: Vec<String> = scenario
        .images
        .iter()
        .enumerate()
        .filter_map(|(i, im)| {
            let last = im.periods.last()?;
            let ended = scenario.accounts[last.account].until.filter(|&u| u < horizon)?;
            if im.delete_on.is_some_and(|d| d <= ended) {
                return None;
            }
            let until = im
                .delete_on
                .filter(|&d| d < horizon)
                .map_or("the end of the horizon".to_string(), |d| format!("its deletion on {}", day(d)));
            Some(format!(
                "  {}: no consumer from {} to {until} ({} over the horizon in all); delete it (`delete_on`) or move it (`moves`)",
                im.name,
                day(ended),
                money(results.image_cost_mean[i], cur)
            ))
        })
        .collect();
    if !orphans.is_empty() {
        let _ = writeln!(
            out,
            "\nImages nobody uses any more, still stored and billed:"
        );
        for line in orphans {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// What the replicas buy: labs ready and their waits, and deployment waves.
fn service_section(out: &mut String, scenario: &Scenario, results: &Results) {
    let n = results.runs.len().max(1) as f64;
    let mean = |f: fn(&crate::model::RunTotals) -> f64| {
        results.runs.iter().map(|r| f(&r.totals)).sum::<f64>() / n
    };
    let labs: u32 = scenario.labs.iter().map(|l| l.count).sum();
    if labs > 0 {
        let _ = writeln!(
            out,
            "\nWhat it buys: {:.1} of {labs} labs ready on average; ready labs waited {:.1} lab-hours in all for a version",
            f64::from(labs) - mean(|t| f64::from(t.labs_not_ready)),
            mean(|t| t.lab_wait_hours)
        );
    }
    if scenario.deployments.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nDeployment waves (minutes until every VM is created, over every wave of every run):"
    );
    let mut rows = vec![[
        "deployment",
        "region",
        "VMs",
        "replicas",
        "P50",
        "P90",
        "target",
        "never served",
    ]
    .map(String::from)
    .to_vec()];
    for (i, d) in scenario.deployments.iter().enumerate() {
        let minutes = &results.deployment_minutes[i];
        let p = |q: f64| {
            if minutes.is_empty() {
                "-".to_string()
            } else {
                format!("{:.1}", crate::analysis::quantile(minutes, q))
            }
        };
        let gallery = &scenario.galleries[scenario.images[d.image].gallery];
        rows.push(vec![
            d.name.clone(),
            scenario.regions.get(d.region).name.clone(),
            d.vms.to_string(),
            gallery.replicas_in(d.region).to_string(),
            p(0.5),
            p(0.9),
            d.target_minutes
                .map(|t| format!("{t:.0}"))
                .unwrap_or_default(),
            results.deployment_unserved[i].to_string(),
        ]);
    }
    table(
        out,
        &rows,
        &[false, false, true, true, true, true, true, true],
    );
    if scenario
        .deployments
        .iter()
        .any(|d| d.target_minutes.is_some())
    {
        let _ = writeln!(
            out,
            "  `gallerysim advise SCENARIO --target-minutes M` finds the fewest replicas that meet a target"
        );
    }
}

/// The `check` report: eligibility, replication targets, and each lab's expected status
/// (from one run of the scenario).
pub fn check(scenario: &Scenario, results: &Results, verbose: bool) -> String {
    let regions = &scenario.regions;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: valid ({}, {}, {}, {}; {} billing months from {})",
        scenario.name,
        count(scenario.galleries.len(), "gallery", "galleries"),
        count(scenario.accounts.len(), "account", "accounts"),
        count(scenario.images.len(), "image", "images"),
        count(scenario.labs.len(), "lab entry", "lab entries"),
        scenario.months,
        scenario.calendar.start()
    );
    let _ = writeln!(out, "\nImages:");
    let mut rows = vec![[
        "image",
        "OS disk GB",
        "data disks",
        "gen",
        "eligible",
        "replicated to",
        "why not / cautions",
    ]
    .map(String::from)
    .to_vec()];
    for im in &scenario.images {
        let mut notes: Vec<String> = im
            .eligibility
            .reasons
            .iter()
            .map(|r| r.code().to_string())
            .collect();
        notes.extend(im.eligibility.warnings.iter().map(|w| w.code().to_string()));
        let targets: Vec<&str> = im
            .targets
            .iter()
            .map(|(r, _)| regions.get(*r).name.as_str())
            .collect();
        let shown = if targets.len() > 4 {
            format!(
                "{} regions ({}, ...)",
                targets.len(),
                targets[..3].join(", ")
            )
        } else {
            targets.join(", ")
        };
        rows.push(vec![
            im.name.clone(),
            im.os_disk_gb.to_string(),
            im.data_disks.to_string(),
            im.generation.to_string(),
            if im.eligibility.eligible() {
                "yes"
            } else {
                "NO"
            }
            .to_string(),
            shown,
            notes.join(", "),
        ]);
    }
    table(
        &mut out,
        &rows,
        &[false, true, true, true, false, false, false],
    );
    consumers_section(&mut out, scenario);
    if !scenario.labs.is_empty() {
        let _ = writeln!(out, "\nLabs (expected status, from one run):");
        let mut rows = vec![["lab", "region", "image", "status", "ready at", "wait h"]
            .map(String::from)
            .to_vec()];
        for (lab, o) in scenario.labs.iter().zip(&results.labs) {
            rows.push(vec![
                lab.name.clone(),
                regions.get(lab.region).name.clone(),
                scenario.images[lab.image].name.clone(),
                o.status.name().to_string(),
                o.ready_at
                    .map(|t| scenario.calendar.iso(t))
                    .unwrap_or_default(),
                o.wait_hours.map(|h| format!("{h:.1}")).unwrap_or_default(),
            ]);
        }
        table(&mut out, &rows, &[false, false, false, false, false, true]);
        for (i, o) in results.labs.iter().enumerate() {
            if o.status != LabStatus::Ready {
                let _ = writeln!(
                    out,
                    "  {}: {}",
                    scenario.labs[i].name,
                    lab_reason(scenario, i, o.status)
                );
            }
        }
    }
    warnings_section(&mut out, scenario, verbose);
    out
}

/// The `regions` listing: geographies with their regions, restricted ones marked.
pub fn regions(catalog: &crate::catalog::Regions, only: Option<&str>) -> String {
    let mut out = String::new();
    let mut geographies: Vec<&str> = Vec::new();
    for (_, r) in catalog.iter() {
        if !geographies.contains(&r.geography.as_str()) {
            geographies.push(&r.geography);
        }
    }
    geographies.sort_unstable();
    for geography in geographies {
        if only.is_some_and(|g| !g.eq_ignore_ascii_case(geography)) {
            continue;
        }
        let members: Vec<_> = catalog
            .iter()
            .filter(|(_, r)| r.geography == geography)
            .collect();
        let _ = writeln!(
            out,
            "{geography} (continent for egress prices: {})",
            members[0].1.continent.name()
        );
        let rows: Vec<Vec<String>> = members
            .iter()
            .map(|(_, r)| {
                vec![
                    format!(" {}", r.name),
                    r.display_name.clone(),
                    if r.restricted {
                        "restricted: lab accounts do not replicate here".to_string()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        table(&mut out, &rows, &[false, false, false]);
    }
    out
}

fn pct(p: f64) -> String {
    format!("{}%", super::fixed(100.0 * p, 0, false))
}

fn wrote(out: &mut String, written: &[PathBuf]) {
    if let Some(first) = written.first() {
        let dir = first
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "\nWrote {} files to {dir}/", written.len());
    }
}

/// The budget section of a report.
pub fn budget(scenario: &Scenario, a: &Assessment) -> String {
    let cur = scenario.currency.as_str();
    let mut out = format!("\nBudget ({}):\n", scenario.name);
    for r in &a.rows {
        let first = r
            .first_month_p80_over
            .map(|m| format!("; the P80 path first goes over in month {m}"))
            .unwrap_or_else(|| "; the P80 path stays within it".to_string());
        match r.scope {
            Scope::Month(_) => {}
            Scope::AnyMonth => {
                let _ = writeln!(
                    out,
                    "  monthly budget {}: {} chance that some month goes over (worst month P80 {}){first}",
                    money(r.budget, cur),
                    pct(r.p_exceed),
                    money(r.p80, cur)
                );
            }
            Scope::Total => {
                let _ = writeln!(
                    out,
                    "  total budget {}: {} chance of going over; P80 {}, P90 {}{first}",
                    money(r.budget, cur),
                    pct(r.p_exceed),
                    money(r.p80, cur),
                    money(r.p90, cur)
                );
            }
        }
    }
    out
}

/// The `compare` report.
pub fn comparison(first: &Scenario, rows: &[ComparisonRow], written: &[PathBuf]) -> String {
    let cur = first.currency.as_str();
    let mut out =
        String::from("Total cost over the horizon, paired run by run with the first scenario:\n");
    let mut table_rows = vec![[
        "scenario",
        "mean",
        "P50",
        "P80",
        "P90",
        "vs first",
        "change",
        "P(costs more)",
    ]
    .map(String::from)
    .to_vec()];
    for r in rows.iter().filter(|r| r.metric == "total_cost") {
        table_rows.push(vec![
            r.scenario.clone(),
            money(r.summary.mean, cur),
            money(r.summary.p50, cur),
            money(r.summary.p80, cur),
            money(r.summary.p90, cur),
            money(r.delta_mean, cur),
            r.delta_pct
                .map(|p| format!("{}%", super::fixed(p, 1, true)))
                .unwrap_or_default(),
            pct(r.prob_higher),
        ]);
    }
    table(
        &mut out,
        &table_rows,
        &[false, true, true, true, true, true, true, true],
    );
    wrote(&mut out, written);
    out
}

/// The `sweep` report.
pub fn sweep(base: &Scenario, param: &str, points: &[SweepPoint], written: &[PathBuf]) -> String {
    let cur = base.currency.as_str();
    let mut out = format!("{}: total cost as {param} varies\n", base.name);
    let header = [param, "mean", "P50", "P90"].into_iter();
    let mut rows = vec![header
        .chain(Component::ALL.map(Component::name))
        .map(String::from)
        .collect::<Vec<_>>()];
    for p in points {
        let totals = [p.total.mean, p.total.p50, p.total.p90];
        let figures = totals.iter().chain(p.component_means.values());
        rows.push(
            std::iter::once(p.value.clone())
                .chain(figures.map(|&x| money(x, cur)))
                .collect(),
        );
    }
    let mut right = vec![true; rows[0].len()];
    right[0] = false;
    table(&mut out, &rows, &right);
    wrote(&mut out, written);
    out
}

/// The `tornado` report.
pub fn tornado(scenario: &Scenario, tornado: &Tornado, written: &[PathBuf]) -> String {
    let (base, rows) = (tornado.base, &tornado.rows);
    let cur = scenario.currency.as_str();
    let mut out = format!("{}: what drives the total cost\n", scenario.name);
    if rows.is_empty() {
        out.push_str("  no input is uncertain: nothing to rank (give used_gb, export_hours or replication_hours a { dist = ... }, or exports a per_month rate)\n");
        wrote(&mut out, written);
        return out;
    }
    let _ = writeln!(
        out,
        "  every input at its median: mean total {}",
        money(base, cur)
    );
    if let Some(share) = tornado.explained() {
        let _ = writeln!(
            out,
            "  spread (sd) of the total {} as is, {} with every input below at its median: they explain {:.0} % of its variance",
            money(tornado.sd, cur),
            money(tornado.sd_at_medians, cur),
            100.0 * share,
        );
        let first_order: f64 = rows.iter().filter_map(|r| r.variance_share).sum();
        let top = rows
            .iter()
            .filter_map(|r| Some((r.variance_share?, &r.input.name)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((share, name)) = top {
            let _ = writeln!(
                out,
                "  one at a time they explain {:.0} %; the largest share: {name} ({:.0} %)",
                100.0 * first_order,
                100.0 * share
            );
        }
    }
    let mut table_rows = vec![[
        "input",
        "P10 -> P90",
        "total at P10",
        "total at P90",
        "swing",
        "rank corr.",
        "variance",
    ]
    .map(String::from)
    .to_vec()];
    for r in rows {
        table_rows.push(vec![
            r.input.name.clone(),
            format!(
                "{} -> {}",
                super::fixed(r.low, 1, false),
                super::fixed(r.high, 1, false)
            ),
            money(r.total_low, cur),
            money(r.total_high, cur),
            money(r.swing(), cur),
            r.rank_correlation
                .map(|c| super::fixed(c, 2, true))
                .unwrap_or_default(),
            r.variance_share
                .map(|v| format!("{:.0} %", 100.0 * v))
                .unwrap_or_default(),
        ]);
    }
    table(
        &mut out,
        &table_rows,
        &[false, true, true, true, true, true, true],
    );
    out.push_str(
        "  variance: share of the total's variance over runs with only that input uncertain\n",
    );
    wrote(&mut out, written);
    out
}

/// The `prices import` report: what was found, and what is missing where.
pub fn imported(imported: &crate::catalog::import::Imported, out: &std::path::Path) -> String {
    let catalog = &imported.catalog;
    let mut regions: Vec<&str> = catalog.rows.iter().map(|r| r.region.as_str()).collect();
    regions.dedup();
    let mut dates: Vec<&str> = catalog
        .rows
        .iter()
        .map(|r| r.effective_date.as_str())
        .collect();
    dates.sort_unstable();
    let mut out_text = format!(
        "Read {} price items; kept {} prices for {} regions in {} (effective {} to {}).\nWrote {}\n",
        imported.items_read,
        catalog.rows.len(),
        regions.len(),
        catalog.currency().unwrap_or("?"),
        dates.first().unwrap_or(&""),
        dates.last().unwrap_or(&""),
        out.display()
    );
    if imported.truncated {
        out_text.push_str("\nWarning: every page has a NextPageLink, so the last page is missing: the download looks incomplete.\n");
    }
    if !imported.missing.is_empty() {
        out_text.push_str("\nNot found (the bundled figure is used when a scenario needs one):\n");
        for (region, items) in &imported.missing {
            let _ = writeln!(out_text, "  {region}: {}", items.join(", "));
        }
    }
    if !imported.regions_absent.is_empty() {
        let _ = writeln!(
            out_text,
            "\nNo price at all for {} regions: {}",
            imported.regions_absent.len(),
            imported.regions_absent.join(", ")
        );
    }
    if !imported.unknown_regions.is_empty() {
        let _ = writeln!(
            out_text,
            "\nSkipped regions gallerysim does not model: {}",
            imported.unknown_regions.join(", ")
        );
    }
    for (title, lines) in [
        ("How prices were chosen", &imported.notes),
        (
            "Bandwidth meters seen but not used (internet egress and the like are not gallery costs)",
            &imported.unused_bandwidth,
        ),
        ("Rejected items (not written)", &imported.rejected),
    ] {
        if !lines.is_empty() {
            let _ = writeln!(out_text, "\n{title}:");
            for line in lines {
                let _ = writeln!(out_text, "  - {line}");
            }
        }
    }
    out_text
}

/// The `advise` report.
pub fn advice(
    scenario: &Scenario,
    advice: &[crate::analysis::advise::Advice],
    target: f64,
    percentile: f64,
    written: &[PathBuf],
) -> String {
    let cur = scenario.currency.as_str();
    let mut out = format!(
        "{}: fewest replicas for every deployment wave ready within {target} minutes at P{:.0}\n",
        scenario.name,
        percentile * 100.0
    );
    let minutes = |m: Option<f64>| m.map(|m| format!("{m:.1}")).unwrap_or("never".to_string());
    let mut rows = vec![[
        "gallery",
        "region",
        "replicas",
        "minutes",
        "per month",
        "advised",
        "minutes",
        "per month",
    ]
    .map(String::from)
    .to_vec()];
    for a in advice {
        rows.push(vec![
            scenario.galleries[a.gallery].name.clone(),
            scenario.regions.get(a.region).name.clone(),
            a.replicas_now.to_string(),
            minutes(a.minutes_now),
            money(a.monthly_cost_now, cur),
            a.replicas_advised
                .map(|n| n.to_string())
                .unwrap_or("-".to_string()),
            a.replicas_advised
                .map(|_| minutes(a.minutes_advised))
                .unwrap_or_default(),
            a.monthly_cost_advised
                .map(|c| money(c, cur))
                .unwrap_or_default(),
        ]);
    }
    table(
        &mut out,
        &rows,
        &[false, false, true, true, true, true, true, true],
    );
    for a in advice.iter().filter(|a| !a.note.is_empty()) {
        let _ = writeln!(
            out,
            "  {} / {}: {}",
            scenario.galleries[a.gallery].name,
            scenario.regions.get(a.region).name,
            a.note
        );
    }
    wrote(&mut out, written);
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
        assert_eq!(money(-5.5, "USD"), "-$5.50");
        assert_eq!(money(-1912.65, "USD"), "-$1,912.65");
        assert_eq!(money(-1912.65, "EUR"), "-1,912.65 EUR");
    }
}
