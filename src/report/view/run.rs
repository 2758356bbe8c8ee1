//! The views of one scenario: the `run` (and `merge`) report and the `check` report.

use super::{count, lab_reason, money, more, shorten, warnings_section, TOP_ROWS};
use crate::analysis::headline::Headline;
use crate::model::{Component, LabStatus, PerComponent};
use crate::montecarlo::Results;
use crate::report::doc::Doc;
use crate::scenario::Scenario;

/// The report of a run; unless `verbose`, long tables show their top rows and a pointer to
/// the CSV file that has them all.
pub fn run(scenario: &Scenario, results: &Results, headline: &Headline, verbose: bool) -> Doc {
    let cur = scenario.currency.as_str();
    let runs = results.runs.len();
    let mut doc = Doc::titled(format!(
        "{}: {} billing months from {}, {} run{}, seed {}",
        scenario.name,
        scenario.months,
        scenario.calendar.start(),
        runs,
        if runs == 1 { "" } else { "s" },
        scenario.seed
    ));
    doc.heading(format!(
        "Gallery cost over the horizon{}:",
        if runs > 1 { " (mean over runs)" } else { "" }
    ));
    cost_table(&mut doc, scenario, results, verbose);
    doc.line(format!(
        "about {} per billing month on average",
        money(headline.mean_per_month, cur)
    ));
    if runs > 1 {
        let t = &headline.total;
        doc.line(format!(
            "total cost P50 {}, P80 {}, P90 {} (budget at P80 or P90 to cover uncertainty)",
            money(t.p50, cur),
            money(t.p80, cur),
            money(t.p90, cur)
        ));
        if let Some(m) = headline.month_of_highest_p80() {
            doc.line(format!(
                "monthly: the dearest month's P80 is {} (month {}); P80 of each run's worst month {}: a monthly budget at it is exceeded in some month in about 1 run in 5 (monthly_percentiles.csv)",
                money(headline.months[m].p80, cur),
                m + 1,
                money(headline.worst_month.p80, cur)
            ));
        }
    }
    ineligible_section(&mut doc, scenario, results, verbose);
    service_section(&mut doc, scenario, results);
    orphans_section(&mut doc, scenario, results);
    not_ready_section(&mut doc, scenario, results, verbose);
    warnings_section(&mut doc, scenario, verbose);
    doc
}

/// Quantity and cost per (gallery, region) and component over the horizon, with a total row.
fn cost_table(doc: &mut Doc, scenario: &Scenario, results: &Results, verbose: bool) {
    let cur = scenario.currency.as_str();
    let billing = scenario.storage_billing;
    let ledger = &results.monthly_mean;
    let mut header = vec!["gallery".to_string(), "region".to_string()];
    for c in Component::ALL {
        // "GB-months" and "storage", "egress GB" and "egress".
        header.push(match c.accrues() {
            true => format!("{}s", c.unit(billing)),
            false => format!("{} {}", c.name(), c.unit(billing)),
        });
        header.push(c.name().to_string());
    }
    header.push("total".to_string());
    let figures = |quantity: &PerComponent<f64>, cost: &PerComponent<f64>| {
        let mut row = Vec::new();
        for c in Component::ALL {
            row.push(super::quantity(quantity[c]));
            row.push(money(cost[c], cur));
        }
        row.push(money(cost.total(), cur));
        row
    };
    let mut sums = (PerComponent::default(), PerComponent::default());
    let mut cell_rows: Vec<(f64, Vec<String>)> = Vec::new();
    for (c, cell) in scenario.cells.iter().enumerate() {
        let mut cell_sums = (PerComponent::<f64>::default(), PerComponent::default());
        for m in 0..ledger.months() {
            let e = ledger.entry(m, c);
            cell_sums.0 += e.quantity;
            cell_sums.1 += e.cost;
        }
        sums.0 += cell_sums.0;
        sums.1 += cell_sums.1;
        let mut row = vec![
            scenario.galleries[cell.gallery].name.clone(),
            scenario.regions.get(cell.region).name.clone(),
        ];
        row.extend(figures(&cell_sums.0, &cell_sums.1));
        cell_rows.push((cell_sums.1.total(), row));
    }
    if !verbose && cell_rows.len() > TOP_ROWS + 2 {
        // Shortened: the most expensive first; the rest are counted, all are in monthly.csv.
        cell_rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    }
    let hidden = shorten(&mut cell_rows, verbose);
    let mut rows: Vec<Vec<String>> = cell_rows.into_iter().map(|(_, r)| r).collect();
    if hidden > 0 {
        rows.push(vec![
            format!("... and {hidden} more"),
            "(monthly.csv; --verbose)".to_string(),
        ]);
    }
    let mut total = vec!["total".to_string(), String::new()];
    total.extend(figures(&sums.0, &sums.1));
    rows.push(total);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut right = vec![true; header.len()];
    right[..2].fill(false);
    doc.table(&header, rows, &right);
}

/// Images no lab can use, still stored and billed, the most expensive first.
fn ineligible_section(doc: &mut Doc, scenario: &Scenario, results: &Results, verbose: bool) {
    let cur = scenario.currency.as_str();
    let mut ineligible: Vec<_> = scenario
        .images
        .iter()
        .enumerate()
        .filter(|(_, im)| !im.eligibility.eligible())
        .collect();
    if ineligible.is_empty() {
        return;
    }
    let n = results.runs.len().max(1) as f64;
    let mean = results
        .runs
        .iter()
        .map(|r| r.totals.ineligible_cost)
        .sum::<f64>()
        / n;
    doc.heading(format!(
        "Images no lab can use, still stored and billed: {} in all",
        money(mean, cur)
    ));
    ineligible
        .sort_by(|a, b| results.image_cost_mean[b.0].total_cmp(&results.image_cost_mean[a.0]));
    let hidden = shorten(&mut ineligible, verbose);
    for (i, im) in ineligible {
        doc.line(format!(
            "{}: {} ({})",
            im.name,
            money(results.image_cost_mean[i], cur),
            im.eligibility.why()
        ));
    }
    more(doc, hidden, "eligibility.csv");
}

/// Labs that never become ready in run 1, and why.
fn not_ready_section(doc: &mut Doc, scenario: &Scenario, results: &Results, verbose: bool) {
    let mut not_ready: Vec<_> = results
        .labs
        .iter()
        .enumerate()
        .filter(|(_, o)| o.status != LabStatus::Ready)
        .collect();
    if not_ready.is_empty() {
        return;
    }
    doc.heading("Labs that never become ready (run 1):");
    let hidden = shorten(&mut not_ready, verbose);
    for (i, o) in not_ready {
        let lab = &scenario.labs[i];
        doc.line(format!(
            "{} ({} lab{}, {}): {}",
            lab.name,
            lab.count,
            if lab.count == 1 { "" } else { "s" },
            o.status.name(),
            lab_reason(scenario, i, o.status)
        ));
    }
    more(doc, hidden, "labs.csv");
}

/// Per image, who consumes it in each period and where its versions go; shown when any
/// image has more than one period, an account ends, or a clean-up is set.
fn consumers_section(doc: &mut Doc, scenario: &Scenario) {
    let day = |t: u64| day(scenario, t);
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
    doc.heading("Consumers over time (new versions go where the period says):");
    for im in &scenario.images {
        doc.line(format!("{}:", im.name));
        for p in &im.periods {
            let a = &scenario.accounts[p.account];
            let regions: Vec<&str> = p
                .targets
                .iter()
                .map(|&t| scenario.regions.get(im.targets[t].0).name.as_str())
                .collect();
            doc.indented(
                2,
                format!(
                    "from {}: {} ({}, gallery {}){} -> {}",
                    day(p.from.max(a.from)),
                    a.name,
                    a.kind.name(),
                    scenario.galleries[p.gallery].name,
                    a.until
                        .map(|u| format!(", ends {}", day(u)))
                        .unwrap_or_default(),
                    regions.join(", ")
                ),
            );
        }
        let last = im.periods.last().map(|p| &scenario.galleries[p.gallery]);
        for (on, regions) in last.iter().flat_map(|g| &g.retarget) {
            let names: Vec<&str> = regions
                .iter()
                .map(|r| scenario.regions.get(*r).name.as_str())
                .collect();
            doc.indented(
                2,
                format!("from {}: replicas only in {}", day(*on), names.join(", ")),
            );
        }
        if let Some(d) = im.delete_on {
            doc.indented(2, format!("{}: every version deleted", day(d)));
        }
    }
}

/// Images no consumer uses any more but still stored: what they cost **while unused**, from
/// their consumer's end to their deletion (or the horizon).
///
/// Results keep each image's cost only over the whole horizon (mean over runs) and per copy
/// only for run 1, so the unused cost is run 1's: each copy's storage cost prorated by the
/// share of its stored time that falls in the unused period (storage accrues evenly in time),
/// plus the egress of copies made in it. Where `delete_on` is already set, it is not
/// suggested again.
fn orphans_section(doc: &mut Doc, scenario: &Scenario, results: &Results) {
    let day = |t: u64| day(scenario, t);
    let horizon = scenario.horizon_ticks();
    let cur = scenario.currency.as_str();
    let orphans: Vec<String> = scenario
        .images
        .iter()
        .enumerate()
        .filter_map(|(i, im)| {
            // No account (an imported image nobody was given to) and no deployment: unused
            // from the start.
            let ended = match im.periods.last() {
                None if scenario.deployments.iter().any(|d| d.image == i) => return None,
                None => 0,
                Some(last) => scenario.accounts[last.account].until.filter(|&u| u < horizon)?,
            };
            if im.delete_on.is_some_and(|d| d <= ended) {
                return None;
            }
            let until = im.delete_on.filter(|&d| d < horizon).unwrap_or(horizon);
            let (unused, whole) = unused_cost(results, i, ended, until, horizon);
            let (end, advice) = match im.delete_on.filter(|&d| d < horizon) {
                Some(d) => (
                    format!("its deletion on {} (`delete_on`)", day(d)),
                    "deleting it sooner saves this",
                ),
                None => (
                    "the end of the horizon".to_string(),
                    "delete it (`delete_on`) or move it (`moves`)",
                ),
            };
            Some(format!(
                "{}: no consumer from {} to {end}: {} while unused (run 1, storage prorated to those days; {} over the whole horizon in that run); {advice}",
                im.name,
                day(ended),
                money(unused, cur),
                money(whole, cur),
            ))
        })
        .collect();
    if !orphans.is_empty() {
        doc.heading("Images nobody uses any more, still stored and billed:");
        for line in orphans {
            doc.line(line);
        }
    }
}

/// Run 1's cost of image `image` between ticks `from` and `to`, and over the whole horizon:
/// each copy's storage cost times the share of its stored time (available to deleted, within
/// the horizon) inside `[from, to)`, plus the egress of copies completed inside it.
fn unused_cost(results: &Results, image: usize, from: u64, to: u64, horizon: u64) -> (f64, f64) {
    use crate::model::Component;
    let (mut unused, mut whole) = (0.0, 0.0);
    for (copy, cost) in results.copies.iter().zip(&results.copy_costs) {
        if copy.image != image {
            continue;
        }
        whole += cost.values().sum::<f64>();
        let Some(start) = copy.available_at.get().map(|t| t.0.min(horizon)) else {
            continue;
        };
        let end = copy.deleted_at.get().map_or(horizon, |t| t.0.min(horizon));
        if end > start {
            let inside = end.min(to).saturating_sub(start.max(from));
            unused += cost[Component::Storage] * inside as f64 / (end - start) as f64;
        }
        if (from..to).contains(&start) {
            unused += cost[Component::Egress];
        }
    }
    (unused, whole)
}

/// What the replicas buy: labs ready and their waits, and deployment waves.
fn service_section(doc: &mut Doc, scenario: &Scenario, results: &Results) {
    let n = results.runs.len().max(1) as f64;
    let mean = |f: fn(&crate::model::RunTotals) -> f64| {
        results.runs.iter().map(|r| f(&r.totals)).sum::<f64>() / n
    };
    let labs: u32 = scenario.labs.iter().map(|l| l.count).sum();
    if labs > 0 {
        doc.heading(format!(
            "What it buys: {:.1} of {labs} labs ready on average; ready labs waited {:.1} lab-hours in all for a version",
            f64::from(labs) - mean(|t| f64::from(t.labs_not_ready)),
            mean(|t| t.lab_wait_hours)
        ));
    }
    if scenario.deployments.is_empty() {
        return;
    }
    doc.heading(
        "Deployment waves (minutes until every VM is created, over every wave of every run):",
    );
    let mut rows = Vec::new();
    for (i, d) in scenario.deployments.iter().enumerate() {
        let minutes = &results.deployment_minutes[i];
        let p = |q: f64| {
            if minutes.is_empty() {
                "-".to_string()
            } else {
                format!("{:.1}", crate::analysis::quantile(minutes, q))
            }
        };
        let image = &scenario.images[d.image];
        let gallery = &scenario.galleries[image.gallery];
        rows.push(vec![
            d.name.clone(),
            scenario.regions.get(d.region).name.clone(),
            d.vms.to_string(),
            image.replicas_in(gallery, d.region).to_string(),
            p(0.5),
            p(0.9),
            d.target_minutes
                .map(|t| format!("{t:.0}"))
                .unwrap_or_default(),
            results.deployment_unserved[i].to_string(),
        ]);
    }
    doc.table(
        &[
            "deployment",
            "region",
            "VMs",
            "replicas",
            "P50",
            "P90",
            "target",
            "never served",
        ],
        rows,
        &[false, false, true, true, true, true, true, true],
    );
    if scenario
        .deployments
        .iter()
        .any(|d| d.target_minutes.is_some())
    {
        doc.line("`gallerysim advise SCENARIO --target-minutes M` finds the fewest replicas that meet a target");
    }
}

/// The `check` report: eligibility, replication targets, and each lab's expected status
/// (from one run of the scenario).
pub fn check(scenario: &Scenario, results: &Results, verbose: bool) -> Doc {
    let regions = &scenario.regions;
    let mut doc = Doc::titled(format!(
        "{}: valid ({}, {}, {}, {}; {} billing months from {})",
        scenario.name,
        count(scenario.galleries.len(), "gallery", "galleries"),
        count(scenario.accounts.len(), "account", "accounts"),
        count(scenario.images.len(), "image", "images"),
        count(scenario.labs.len(), "lab entry", "lab entries"),
        scenario.months,
        scenario.calendar.start()
    ));
    doc.heading("Images:");
    let mut rows = Vec::new();
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
    doc.table(
        &[
            "image",
            "OS disk GB",
            "data disks",
            "gen",
            "eligible",
            "replicated to",
            "why not / cautions",
        ],
        rows,
        &[false, true, true, true, false, false, false],
    );
    consumers_section(&mut doc, scenario);
    if !scenario.labs.is_empty() {
        doc.heading("Labs (expected status, from one run):");
        let mut rows = Vec::new();
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
        doc.table(
            &["lab", "region", "image", "status", "ready at", "wait h"],
            rows,
            &[false, false, false, false, false, true],
        );
        for (i, o) in results.labs.iter().enumerate() {
            if o.status != LabStatus::Ready {
                doc.line(format!(
                    "{}: {}",
                    scenario.labs[i].name,
                    lab_reason(scenario, i, o.status)
                ));
            }
        }
    }
    warnings_section(&mut doc, scenario, verbose);
    doc
}

/// Each billing month's cost over runs (the table behind `monthly_percentiles.csv`).
pub fn monthly(scenario: &Scenario, headline: &Headline) -> Doc {
    let cur = scenario.currency.as_str();
    let mut doc = Doc::default();
    doc.heading("Each billing month, over runs (a month's P80 is not the total's P80 / months):");
    let rows = headline
        .months
        .iter()
        .enumerate()
        .map(|(m, s)| {
            let start = scenario.calendar.month_start_iso(m as u32 + 1);
            [(m + 1).to_string(), start[..10].to_string()]
                .into_iter()
                .chain([s.mean, s.p5, s.p50, s.p80, s.p90, s.p95].map(|x| money(x, cur)))
                .collect()
        })
        .collect();
    doc.table(
        &["month", "starts", "mean", "P5", "P50", "P80", "P90", "P95"],
        rows,
        &[true, false, true, true, true, true, true, true],
    );
    doc
}

/// The date of tick `t`.
fn day(scenario: &Scenario, t: u64) -> String {
    scenario
        .calendar
        .date_of(crate::engine::Time(t))
        .to_string()
}
