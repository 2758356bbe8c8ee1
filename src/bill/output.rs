//! The files of `reconcile`: `reconcile.csv`, `calibrated.toml`, the chart and the report.

use std::fmt::Write as _;

use super::calibrate::Calibration;
use super::compare::Comparison;
use super::{month_label, Bill, Selection};
use crate::error::Error;
use crate::report::doc::Doc;
use crate::report::view::money;
use crate::report::{dec, fixed, OutputFile};
use crate::scenario::Scenario;

/// The columns of `reconcile.csv` (the contract's nine, then the band and the note).
pub const COLUMNS: [&str; 12] = [
    "month",
    "region",
    "meter",
    "billed_quantity",
    "billed_cost",
    "simulated_quantity",
    "simulated_cost",
    "difference",
    "difference_pct",
    "simulated_cost_p10",
    "simulated_cost_p90",
    "unexplained",
];

/// `reconcile.csv`: one row per (month, region, meter), money with four decimals.
pub fn reconcile_csv(scenario: &Scenario, comparison: &Comparison) -> OutputFile {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut write = |fields: &[String]| out.write_record(fields).expect("in-memory CSV");
    write(&COLUMNS.map(str::to_string));
    for r in &comparison.rows {
        write(&[
            month_label(scenario, r.month),
            scenario.regions.get(r.region).name.clone(),
            r.meter.name(),
            dec(r.billed_quantity),
            dec(r.billed_cost),
            dec(r.simulated_quantity),
            dec(r.simulated_cost),
            dec(r.difference()),
            r.difference_pct().map_or_else(String::new, dec),
            r.band.map_or_else(String::new, |b| dec(b.0)),
            r.band.map_or_else(String::new, |b| dec(b.1)),
            r.unexplained.clone().unwrap_or_default(),
        ]);
    }
    OutputFile {
        name: "reconcile.csv".to_string(),
        bytes: out.into_inner().expect("in-memory CSV"),
    }
}

/// The `--set` arguments that start the forecast from the calibrated sizes.
pub fn set_lines(calibration: &Calibration) -> Vec<String> {
    calibration
        .images
        .iter()
        .map(|i| format!("image.{}.used_gb={}", i.image, round_gb(i.used_gb)))
        .collect()
}

/// A size rounded to 0.001 GB, written without trailing zeros.
fn round_gb(gb: f64) -> String {
    let text = format!("{:.3}", gb + 0.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `calibrated.toml`: per image, the size inferred from the bill and what it rests on, with
/// the `--set` arguments that apply it in a header comment.
pub fn calibrated_toml(scenario: &Scenario, calibration: &Calibration) -> OutputFile {
    let mut text = String::from(
        "# Occupied sizes inferred from the bill by `gallerysim reconcile`:\n# used_gb = billed GB-months / (replicas x months present), per image.\n",
    );
    let sets = set_lines(calibration);
    if sets.is_empty() {
        text.push_str("# No image version's snapshot storage was found in the bill.\n");
    } else {
        text.push_str("# Apply to the scenario with:\n#   gallerysim run SCENARIO");
        for s in &sets {
            let _ = write!(text, " --set {s}");
        }
        text.push('\n');
        text.push_str("# (used_gb is what the image's new versions occupy; a version that exists at the start\n# keeps its own [[version]] used_gb: `existing = true` below, with its billed size.)\n");
    }
    for image in &calibration.images {
        let existing = |name: &str| {
            scenario
                .images
                .iter()
                .find(|s| s.name == image.image)
                .is_some_and(|s| s.existing.iter().any(|v| v.name == name))
        };
        let _ = write!(
            text,
            "\n[image.{}]\nused_gb = {}\ngb_months = {}\nreplica_months = {}\nversions_differ = {}\n",
            toml_key(&image.image),
            round_gb(image.used_gb),
            round_gb(image.gb_months),
            round_gb(image.replica_months),
            image.varies()
        );
        text.push_str("versions = [");
        for (i, (name, gb)) in image.versions.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(
                text,
                "{sep}{{ name = {}, used_gb = {}, existing = {} }}",
                toml_string(name),
                round_gb(*gb),
                existing(name)
            );
        }
        text.push_str("]\n");
    }
    OutputFile {
        name: "calibrated.toml".to_string(),
        bytes: text.into_bytes(),
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn toml_key(s: &str) -> String {
    let bare = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        s.to_string()
    } else {
        toml_string(s)
    }
}

/// The report of a reconcile, as a [`Doc`].
pub fn doc(
    scenario: &Scenario,
    bill: &Bill,
    selection: &Selection,
    comparison: &Comparison,
    calibration: &Calibration,
    verbose: bool,
) -> Doc {
    let cur = scenario.currency.as_str();
    let mut doc = Doc::titled(format!("Reconcile: {} against the bill", scenario.name));
    doc.heading("Bill");
    for f in &bill.files {
        doc.item(format!(
            "{}: {} export, {} rows; {} selected, {} of other resources skipped",
            f.file,
            f.schema.unwrap_or("?"),
            f.rows,
            f.rows - f.skipped,
            f.skipped
        ));
    }
    doc.line(format!(
        "Selection: rows whose resource id contains {} (case-insensitive); change with --select-resource.",
        selection
            .patterns()
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    ));
    doc.heading("Billed and simulated cost per month");
    let rows = comparison
        .months
        .iter()
        .enumerate()
        .map(|(m, row)| {
            let diff = row.billed - row.simulated.0;
            vec![
                month_label(scenario, m),
                money(row.billed, cur),
                money(row.simulated.0, cur),
                format!(
                    "{} - {}",
                    money(row.simulated.1, cur),
                    money(row.simulated.2, cur)
                ),
                money(diff, cur),
                match row.simulated.0 {
                    s if s != 0.0 => format!("{}%", fixed(100.0 * diff / s, 1, true)),
                    _ => String::new(),
                },
            ]
        })
        .collect();
    doc.table(
        &[
            "month",
            "billed",
            "simulated (mean)",
            "P10 - P90",
            "difference",
            "%",
        ],
        rows,
        &[false, true, true, true, true, true],
    );
    doc.heading("By region and meter");
    let shown = if verbose { usize::MAX } else { 30 };
    let rows: Vec<Vec<String>> = comparison
        .rows
        .iter()
        .take(shown)
        .map(|r| {
            vec![
                month_label(scenario, r.month),
                scenario.regions.get(r.region).name.clone(),
                r.meter.name(),
                fixed(r.billed_quantity, 3, false),
                fixed(r.simulated_quantity, 3, false),
                money(r.billed_cost, cur),
                money(r.simulated_cost, cur),
                money(r.difference(), cur),
            ]
        })
        .collect();
    doc.table(
        &[
            "month",
            "region",
            "meter",
            "billed qty",
            "simulated qty",
            "billed",
            "simulated",
            "difference",
        ],
        rows,
        &[false, false, false, true, true, true, true, true],
    );
    if comparison.rows.len() > shown {
        doc.line(format!(
            "... {} more rows in reconcile.csv (--verbose shows them all).",
            comparison.rows.len() - shown
        ));
    }
    for (m, row) in comparison.months.iter().enumerate() {
        if row.billed == 0.0 && row.simulated.0 > 0.0 {
            doc.item(format!(
                "{}: no selected bill row at all; does the export cover this month?",
                month_label(scenario, m)
            ));
        }
    }
    doc.heading("What the scenario cannot explain");
    if comparison.notes.is_empty() {
        doc.line("Every selected bill row falls on a month, region and meter the scenario models.");
    }
    for note in &comparison.notes {
        doc.item(note.clone());
    }
    doc.heading("Calibration (calibrated.toml)");
    if calibration.images.is_empty() {
        doc.line("No snapshot storage of an image version (.../galleries/G/images/I/versions/V) was found in the selected rows.");
    } else {
        let rows = calibration
            .images
            .iter()
            .map(|i| {
                let now = scenario
                    .images
                    .iter()
                    .find(|s| s.name == i.image)
                    .map_or_else(String::new, |s| fixed(s.used_gb.mean(), 2, false));
                vec![
                    i.image.clone(),
                    now,
                    fixed(i.used_gb, 2, false),
                    fixed(i.gb_months, 3, false),
                    fixed(i.replica_months, 3, false),
                    i.versions.len().to_string(),
                ]
            })
            .collect();
        doc.table(
            &[
                "image",
                "used_gb (scenario mean)",
                "used_gb (bill)",
                "GB-months",
                "replica-months",
                "versions",
            ],
            rows,
            &[false, true, true, true, true, true],
        );
        for image in calibration.images.iter().filter(|i| i.varies()) {
            doc.item(format!(
                "{}: its versions were billed at different sizes: {}",
                image.image,
                image
                    .versions
                    .iter()
                    .map(|(v, gb)| format!("{v} {} GB", fixed(*gb, 2, false)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        doc.line(format!(
            "Start the forecast from the bill: --set {}",
            set_lines(calibration).join(" --set ")
        ));
    }
    let missing: Vec<String> = scenario
        .images
        .iter()
        .filter(|s| !calibration.images.iter().any(|i| i.image == s.name))
        .map(|s| s.name.clone())
        .collect();
    if !missing.is_empty() && !calibration.images.is_empty() {
        doc.item(format!(
            "not calibrated (no snapshot rows of theirs in the bill): {}",
            crate::error::first_of(&missing, 10)
        ));
    }
    for line in &calibration.unexplained {
        doc.item(format!("not calibrated: {line}"));
    }
    for (id, billed) in &bill.unversioned {
        doc.item(format!(
            "not calibrated: snapshot rows of {id} name no image version ({} rows, {:.4} GB-months, first row {})",
            billed.rows,
            billed.quantity.value(),
            bill.place(billed.first)
        ));
    }
    doc
}

/// Every file of a reconcile but the report.
pub fn files(
    scenario: &Scenario,
    comparison: &Comparison,
    calibration: &Calibration,
) -> Result<Vec<OutputFile>, Error> {
    let mut files = vec![
        reconcile_csv(scenario, comparison),
        calibrated_toml(scenario, calibration),
    ];
    files.extend(super::chart::render(scenario, comparison)?);
    Ok(files)
}
