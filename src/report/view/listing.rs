//! Listings that are not about a simulation: `regions` and the `prices import` report.

use std::fmt::Write as _;

use crate::report::doc::Doc;

/// The `regions` listing: geographies with their regions, restricted ones marked.
pub fn regions(catalog: &crate::catalog::Regions, only: Option<&str>) -> Doc {
    let mut doc = Doc::default();
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
        doc.blocks.push(crate::report::doc::Block::Title(format!(
            "{geography} (continent for egress prices: {})",
            members[0].1.continent.name()
        )));
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
        doc.listing(rows, &[false, false, false]);
    }
    doc
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

/// The prices a report's figures use, each distinct price once, with the scenarios (or
/// variants) that use it when there are several ("all" when every one does).
pub fn prices(
    items: &[(
        String,
        &crate::scenario::Scenario,
        &crate::montecarlo::Results,
    )],
) -> Doc {
    use crate::catalog::prices::Source;
    let mut rows: Vec<(Vec<String>, Vec<&str>)> = Vec::new();
    for (label, scenario, results) in items {
        for used in &results.prices_used {
            let (source, as_of) = match &used.priced.source {
                Source::Catalog { label, as_of, .. } => (label.clone(), as_of.clone()),
                Source::Scenario => ("scenario [prices]".to_string(), String::new()),
            };
            let row = vec![
                used.meter.clone(),
                scenario.regions.get(used.region).name.clone(),
                format!("{}", used.priced.value),
                used.unit.clone(),
                scenario.currency.clone(),
                source,
                as_of,
            ];
            match rows.iter_mut().find(|(r, _)| *r == row) {
                Some((_, labels)) => labels.push(label),
                None => rows.push((row, vec![label])),
            }
        }
    }
    let mut header = vec![
        "item", "region", "price", "unit", "currency", "source", "as of",
    ];
    let several = items.len() > 1;
    if several {
        header.push("used by");
    }
    let rows = rows
        .into_iter()
        .map(|(mut row, labels)| {
            if several {
                row.push(match labels.len() == items.len() {
                    true => "all".to_string(),
                    false => labels.join(", "),
                });
            }
            row
        })
        .collect();
    let mut doc = Doc::default();
    let mut right = vec![false; header.len()];
    right[2] = true;
    doc.table(&header, rows, &right);
    doc
}

/// The `gallery import` report: what the scenario holds, what to check, and what to add.
pub fn gallery_imported(
    scenario: &crate::scenario::Scenario,
    written: &crate::inventory::ScenarioText,
    out: &str,
) -> String {
    let versions: usize = scenario.images.iter().map(|im| im.existing.len()).sum();
    let replicas: u32 = (scenario.images.iter())
        .flat_map(|im| im.existing.iter().flat_map(|v| v.copies.iter()))
        .map(|c| c.replicas)
        .sum();
    let mut text = format!(
        "Wrote {out}: {} galleries, {} images, {versions} versions existing at {} ({replicas} replicas), {} months.\n",
        scenario.galleries.len(),
        scenario.images.len(),
        written.start,
        scenario.months,
    );
    if !written.warnings.is_empty() {
        text.push_str("\nCheck (also written at the top of the file):\n");
        for w in &written.warnings {
            let _ = writeln!(text, "  - {w}");
        }
    }
    let _ = write!(
        text,
        "\nNext: `gallerysim run {out}` prices the gallery as it stands, month by month. Then add\n\
         [[account]], [[lab]] and [[deployment]] entries, and `account` and `exports` to the images\n\
         that labs export (README, \"Start from your gallery\").\n"
    );
    text
}
