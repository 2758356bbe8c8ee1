//! `gallerysim reconcile`: hand-made bills in the real export schemas (tests/fixtures/bill,
//! made from the fixture scenario's own quantities) reconcile to zero difference and give
//! back each image's occupied size; bad bills are refused or reported, never dropped.

use std::path::{Path, PathBuf};

use crate::harness::{assert_close, gallerysim, num, read_csv, repo, CSV_4DP};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/bill").join(name)
}

fn run(dir: &Path, bills: &[&Path], more: &[&str]) -> std::process::Output {
    let scenario = fixture("scenario.toml");
    let out = dir.join("out");
    let mut args: Vec<&str> = vec!["reconcile", scenario.to_str().unwrap()];
    for b in bills {
        args.extend(["--bill", b.to_str().unwrap()]);
    }
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend(more);
    gallerysim(dir, &args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The calibrated size of each image, from calibrated.toml.
fn calibrated(dir: &Path) -> toml::Table {
    let text = std::fs::read_to_string(dir.join("out/calibrated.toml")).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    doc["image"].as_table().unwrap().clone()
}

fn used_gb(images: &toml::Table, image: &str) -> f64 {
    images[image]["used_gb"]
        .as_float()
        .or_else(|| images[image]["used_gb"].as_integer().map(|i| i as f64))
        .unwrap()
}

#[test]
fn hand_made_bills_reconcile_to_zero_and_calibrate_the_sizes() {
    // By hand (scenario.toml): per month 25 GB-months in eastus ($1.25), 12.5 in westus
    // ($0.625), 30.25 in westeurope ($1.5125), and in January the one copy of 12.5 GB out of
    // eastus ($0.25): $3.6375 in January, $3.3875 in February and March.
    let expected = [
        ("2026-01", "eastus", "egress_intra_continent_gb", 12.5, 0.25),
        ("2026-01", "eastus", "snapshot_gb_month", 25.0, 1.25),
        ("2026-01", "westus", "snapshot_gb_month", 12.5, 0.625),
        ("2026-01", "westeurope", "snapshot_gb_month", 30.25, 1.5125),
        ("2026-03", "westus", "snapshot_gb_month", 12.5, 0.625),
    ];
    for bill in ["ea-actual-2026q1.csv", "focus-2026q1.csv"] {
        let dir = tempfile::tempdir().unwrap();
        let output = run(dir.path(), &[&fixture(bill)], &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{bill}: {}",
            text(&output.stderr)
        );
        let rows = read_csv(&dir.path().join("out/reconcile.csv"));
        assert_eq!(
            rows.len(),
            10,
            "{bill}: 3 cells x 3 months and one transfer"
        );
        for row in &rows {
            assert_close(num(row, "difference"), 0.0, CSV_4DP, bill);
            assert_close(
                num(row, "billed_quantity"),
                num(row, "simulated_quantity"),
                CSV_4DP,
                bill,
            );
            assert_eq!(row["unexplained"], "", "{bill}");
        }
        for (month, region, meter, quantity, cost) in expected {
            let row = rows
                .iter()
                .find(|r| r["month"] == month && r["region"] == region && r["meter"] == meter)
                .unwrap_or_else(|| panic!("{bill}: {month} {region} {meter}"));
            assert_close(num(row, "billed_quantity"), quantity, CSV_4DP, bill);
            assert_close(num(row, "billed_cost"), cost, CSV_4DP, bill);
        }
        let january: f64 = rows
            .iter()
            .filter(|r| r["month"] == "2026-01")
            .map(|r| num(r, "billed_cost"))
            .sum();
        assert_close(january, 3.6375, 4.0 * CSV_4DP, bill);
        let images = calibrated(dir.path());
        assert_close(used_gb(&images, "cs101"), 12.5, 0.1, bill);
        assert_close(used_gb(&images, "bio200"), 30.25, 0.1, bill);
        let stdout = text(&output.stdout);
        assert!(stdout.contains("2 of other resources skipped") || bill.starts_with("focus"));
        assert!(
            stdout.contains("Every selected bill row falls on"),
            "{stdout}"
        );
        for name in ["reconcile.svg", "reconcile.png", "report.html"] {
            assert!(dir.path().join("out").join(name).is_file(), "{name}");
        }
    }
}

#[test]
fn calibration_starts_the_forecast_from_the_bill_not_from_the_guess() {
    // The scenario guesses 20 GB for cs101; the bill says 12.5: the comparison shows the gap
    // (eastus: 2 x 7.5 GB-months x $0.05 = $0.75 a month over) and calibration recovers 12.5.
    let dir = tempfile::tempdir().unwrap();
    let bill = fixture("ea-actual-2026q1.csv");
    let output = run(dir.path(), &[&bill], &["--set", "image.cs101.used_gb=20"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let rows = read_csv(&dir.path().join("out/reconcile.csv"));
    let row = rows
        .iter()
        .find(|r| r["month"] == "2026-02" && r["region"] == "eastus")
        .unwrap();
    assert_close(num(row, "difference"), -0.75, CSV_4DP, "eastus February");
    assert_close(
        num(row, "difference_pct"),
        -37.5,
        CSV_4DP,
        "eastus February %",
    );
    assert_close(
        used_gb(&calibrated(dir.path()), "cs101"),
        12.5,
        0.1,
        "cs101",
    );
    assert!(text(&output.stdout).contains("--set image.cs101.used_gb=12.5"));
}

/// The EA fixture with `edit` applied to its data row `index` (0-based), written to `dir`.
fn edited(
    dir: &Path,
    index: usize,
    edit: impl Fn(&mut Vec<String>, &csv::StringRecord),
) -> PathBuf {
    let mut reader = csv::Reader::from_path(fixture("ea-actual-2026q1.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for (i, record) in reader.records().enumerate() {
        let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if i == index {
            edit(&mut fields, &header);
        }
        writer.write_record(&fields).unwrap();
    }
    let path = dir.join("bill.csv");
    std::fs::write(&path, writer.into_inner().unwrap()).unwrap();
    path
}

fn set(fields: &mut [String], header: &csv::StringRecord, column: &str, value: &str) {
    let i = header
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == column)
        .unwrap();
    fields[i] = value.to_string();
}

#[test]
fn bad_bills_are_exit_2_naming_file_line_and_column_and_write_nothing() {
    // Data row 0 is line 2; it is a gallery row (cs101 in eastus).
    let cases: [(&str, &str, &str, &[&str]); 4] = [
        (
            "BillingCurrency",
            "EUR",
            "BillingCurrency",
            &["in EUR", "scenario's prices in USD"],
        ),
        (
            "Date",
            "15/01/2026",
            "Date",
            &["`15/01/2026` is not a date"],
        ),
        ("Quantity", "-0.5", "Quantity", &["negative quantity"]),
        (
            "ResourceLocation",
            "Atlantis",
            "ResourceLocation",
            &["`Atlantis` is not an Azure region"],
        ),
    ];
    for (column, value, key, words) in cases {
        let dir = tempfile::tempdir().unwrap();
        let bill = edited(dir.path(), 0, |f, h| set(f, h, column, value));
        let output = run(dir.path(), &[&bill], &[]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{column}: {stderr}");
        assert!(stderr.contains("bill.csv:2:"), "{column}: {stderr}");
        assert!(
            stderr.contains(&format!("key `{key}`")),
            "{column}: {stderr}"
        );
        for w in words {
            assert!(stderr.contains(w), "{column}: {stderr}");
        }
        assert!(
            !dir.path().join("out").exists(),
            "{column}: nothing written"
        );
    }
}

#[test]
fn rows_the_scenario_cannot_explain_are_reported_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    // Row 0 moved to a region without a replica; row 1 given a meter gallerysim does not model.
    let moved = edited(dir.path(), 0, |f, h| {
        set(f, h, "ResourceLocation", "NorthEurope")
    });
    let text_of = std::fs::read_to_string(&moved).unwrap();
    let mut reader = csv::Reader::from_reader(text_of.as_bytes());
    let header = reader.headers().unwrap().clone();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for (i, record) in reader.records().enumerate() {
        let mut fields: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if i == 1 {
            set(&mut fields, &header, "MeterName", "Disk Operations");
            set(&mut fields, &header, "UnitOfMeasure", "10K");
        }
        writer.write_record(&fields).unwrap();
    }
    std::fs::write(&moved, writer.into_inner().unwrap()).unwrap();
    let output = run(dir.path(), &[&moved], &[]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(stdout.contains("northeurope snapshot_gb_month"), "{stdout}");
    assert!(
        stdout.contains("no replica or copy in northeurope"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Disk Operations` is not one gallerysim models"),
        "{stdout}"
    );
    assert!(stdout.contains("bill.csv:2"), "{stdout}");
    assert!(
        stdout.contains("keeps no replica of that image there"),
        "{stdout}"
    );
    let rows = read_csv(&dir.path().join("out/reconcile.csv"));
    let unexplained: Vec<_> = rows
        .iter()
        .filter(|r| !r["unexplained"].is_empty())
        .collect();
    assert_eq!(unexplained.len(), 2, "{rows:?}");
    assert!(unexplained.iter().all(|r| num(r, "simulated_cost") == 0.0));
}

#[test]
fn a_730_hour_scenario_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bill = fixture("ea-actual-2026q1.csv");
    let output = run(
        dir.path(),
        &[&bill],
        &["--set", "scenario.billing_months=730h"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("billing_months = \"calendar\""));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn the_selection_rule_can_be_widened_and_the_output_is_deterministic() {
    // --select-resource adds the build VM's resource group: its row is kept and reported as
    // a meter gallerysim does not model, in its own region.
    let bill = fixture("ea-actual-2026q1.csv");
    let mut folders = Vec::new();
    for threads in ["1", "2"] {
        let dir = tempfile::tempdir().unwrap();
        let output = run(
            dir.path(),
            &[&bill],
            &[
                "--select-resource",
                "/galleries/",
                "--select-resource",
                "/RESOURCEGROUPS/RG-BUILD/",
                "--threads",
                threads,
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        let stdout = text(&output.stdout);
        assert!(stdout.contains("1 of other resources skipped"), "{stdout}");
        assert!(
            stdout.contains("other:Virtual Machines / Dv3/DSv3 Series / D2 v3/D2s v3"),
            "{stdout}"
        );
        assert!(stdout.contains("southcentralus"), "{stdout}");
        folders.push(crate::harness::folder(&dir.path().join("out")));
    }
    assert_eq!(folders[0], folders[1], "same files at 1 and 2 threads");
}

#[test]
fn versions_billed_at_different_sizes_are_reported() {
    // In March, cs101's eastus rows are a second version twice the size: 1.0.0 stays 12.5 GB,
    // 1.0.1 is 50 GB-months / (2 replicas x 1 month) = 25 GB, and the image as a whole
    // (25 + 25 + 50 + 3 x 12.5 GB-months) / (2 + 2 + 2 + 3 replica-months) = 137.5 / 9.
    let dir = tempfile::tempdir().unwrap();
    let mut reader = csv::Reader::from_path(fixture("ea-actual-2026q1.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for record in reader.records() {
        let mut f: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        let march_cs101_east = f[col("Date")].starts_with("03/")
            && f[col("ResourceLocation")] == "EastUS"
            && f[col("MeterName")] == "LRS Snapshots"
            && f[col("ResourceId")].contains("/images/cs101/");
        if march_cs101_east {
            f[col("ResourceId")] =
                f[col("ResourceId")].replace("/versions/1.0.0", "/versions/1.0.1");
            for c in ["Quantity", "Cost"] {
                let x: f64 = f[col(c)].parse().unwrap();
                f[col(c)] = format!("{}", 2.0 * x);
            }
        }
        writer.write_record(&f).unwrap();
    }
    let bill = dir.path().join("bill.csv");
    std::fs::write(&bill, writer.into_inner().unwrap()).unwrap();
    let output = run(dir.path(), &[&bill], &[]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        stdout.contains(
            "cs101: its versions were billed at different sizes: 1.0.0 12.50 GB, 1.0.1 25.00 GB"
        ),
        "{stdout}"
    );
    let images = calibrated(dir.path());
    assert_close(
        used_gb(&images, "cs101"),
        137.5 / 9.0,
        0.001,
        "cs101 overall",
    );
    assert_eq!(images["cs101"]["versions_differ"].as_bool(), Some(true));
    assert_eq!(images["bio200"]["versions_differ"].as_bool(), Some(false));
}

#[test]
fn a_reconcile_folder_can_be_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let bill = fixture("focus-2026q1.csv");
    for _ in 0..2 {
        let output = run(dir.path(), &[&bill], &["-q"]);
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    }
}

#[test]
fn existing_versions_are_calibrated_with_their_own_replica_counts() {
    // cs101 also has a version 0.9.0 from before the start, 8 GB with 3 replicas in eastus
    // (its gallery keeps 2 for new versions) and 1 in westus: 24 and 8 GB-months a month.
    // Calibrated with its own counts it is 8 GB (with the gallery's 2 it would read 12).
    let dir = tempfile::tempdir().unwrap();
    let mut scenario = std::fs::read_to_string(fixture("scenario.toml")).unwrap();
    scenario.push_str(
        "\n[[version]]\nimage = \"cs101\"\nname = \"0.9.0\"\npublished = \"2025-12-01\"\nused_gb = 8\ntargets = { eastus = 3, westus = 1 }\n",
    );
    let scenario_path = dir.path().join("existing.toml");
    std::fs::write(&scenario_path, scenario).unwrap();
    let mut reader = csv::Reader::from_path(fixture("ea-actual-2026q1.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for record in reader.records() {
        let f: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        writer.write_record(&f).unwrap();
        let cs101_storage = f[col("MeterName")] == "LRS Snapshots"
            && f[col("ResourceId")].contains("/images/cs101/");
        if cs101_storage {
            let scale = match f[col("ResourceLocation")].as_str() {
                "EastUS" => 24.0 / 25.0,
                _ => 8.0 / 12.5,
            };
            let mut g = f.clone();
            g[col("ResourceId")] =
                g[col("ResourceId")].replace("/versions/1.0.0", "/versions/0.9.0");
            for c in ["Quantity", "Cost"] {
                let x: f64 = g[col(c)].parse().unwrap();
                g[col(c)] = format!("{}", x * scale);
            }
            writer.write_record(&g).unwrap();
        }
    }
    let bill = dir.path().join("bill.csv");
    std::fs::write(&bill, writer.into_inner().unwrap()).unwrap();
    let out = dir.path().join("out");
    let output = gallerysim(
        dir.path(),
        &[
            "reconcile",
            scenario_path.to_str().unwrap(),
            "--bill",
            bill.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    for row in read_csv(&out.join("reconcile.csv")) {
        assert_close(num(&row, "difference"), 0.0, CSV_4DP, &format!("{row:?}"));
    }
    let images = calibrated(dir.path());
    let versions = images["cs101"]["versions"].as_array().unwrap();
    let size = |name: &str| {
        let v = versions
            .iter()
            .find(|v| v["name"].as_str() == Some(name))
            .unwrap();
        v["used_gb"]
            .as_float()
            .or_else(|| v["used_gb"].as_integer().map(|i| i as f64))
            .unwrap()
    };
    assert_close(size("0.9.0"), 8.0, 0.1, "0.9.0");
    assert_close(size("1.0.0"), 12.5, 0.1, "1.0.0");
    assert_eq!(images["cs101"]["versions_differ"].as_bool(), Some(true));
}

#[test]
fn the_finops_toolkit_real_exports_are_read_and_every_selected_row_accounted_for() {
    // Real EA rows (tests/fixtures/bill/finops-toolkit, September 2023): none is a gallery's;
    // selecting the storage accounts' rows keeps 5, each reported: a real inter-region
    // transfer row in a region without a replica, storage meters gallerysim does not model.
    let toolkit = |name: &str| fixture(&format!("finops-toolkit/{name}"));
    let (actual, amortized) = (
        toolkit("EA_ActualCost_Small.csv"),
        toolkit("EA_AmortizedCost_Small.csv"),
    );
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &[&actual], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("11 rows; 0 selected, 11 of other resources skipped"));
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        dir.path(),
        &[&amortized],
        &[
            "--select-resource",
            "Microsoft.Storage/",
            "--set",
            "scenario.start=2023-09-01",
            "--set",
            "scenario.months=1",
            "--set",
            "image.cs101.exports=[\"2023-09-01\"]",
            "--set",
            "image.bio200.exports=[\"2023-09-01\"]",
        ],
    );
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        stdout.contains("28 rows; 3 selected, 25 of other resources skipped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2023-09 eastus2 egress_intra_continent_gb: 1 rows"),
        "{stdout}"
    );
    let rows = read_csv(&dir.path().join("out/reconcile.csv"));
    let billed: f64 = rows.iter().map(|r| num(r, "billed_quantity")).sum();
    // 0.017343 GB of transfer, 0.0004 and 0.0047 operation blocks: all kept.
    assert_close(
        billed,
        0.017343 + 0.0004 + 0.0047,
        CSV_4DP * 3.0,
        "every selected row",
    );
    assert_eq!(
        rows.iter().filter(|r| !r["unexplained"].is_empty()).count(),
        3,
        "{rows:?}"
    );
}
