//! Trust, round 3 (issue 24), price catalogs and `prices import`: region names matched
//! whatever their case, units parsed exactly, conflicts refused, currency and dates checked
//! when a catalog is read, linear reading, one page in memory at a time, byte-order marks.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::harness::*;

const HEAD: &str = "region,item,price,unit,currency,meter_name,effective_date,product_name\n";

/// A lab plan in eastus with no other region: 100 GB stored for one 730-hour month, so the
/// storage cost is 100 x the eastus snapshot price.
const SCENARIO: &str = r#"
[scenario]
name = "catalog"
start = "2026-11-01"
months = 1

[prices]
catalog = "cat.csv"

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "plan"
gallery = "g"
region = "eastus"
kind = "lab_plan"

[[image]]
name = "img"
account = "plan"
os_disk_gb = 127
used_gb = 100
export_hours = 0
replication_hours = 0
"#;

/// One catalog row.
fn row(region: &str, item: &str, price: &str, unit: &str, currency: &str, date: &str) -> String {
    format!("{region},{item},{price},{unit},{currency},m,{date},p\n")
}

/// A snapshot row of eastus with one field replaced.
fn snapshot(region: &str, price: &str) -> String {
    row(
        region,
        "snapshot_gb_month",
        price,
        "GB-month",
        "USD",
        "2026-10-01",
    )
}

/// Writes `catalog` as `cat.csv` beside the scenario and runs it into `out`.
fn run_with_catalog(dir: &Path, catalog: &[u8], out: &str) -> Output {
    std::fs::write(dir.join("cat.csv"), catalog).unwrap();
    std::fs::write(dir.join("s.toml"), SCENARIO).unwrap();
    bin()
        .arg("run")
        .arg(dir.join("s.toml"))
        .args(["--quiet", "--out"])
        .arg(dir.join(out))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

/// Asserts exit code 2, that stderr holds every fragment, and that `out` was not written.
#[track_caller]
fn refused(output: &Output, out: &Path, fragments: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "exit code; stderr: {stderr}");
    for fragment in fragments {
        assert!(
            stderr.contains(fragment),
            "expected {fragment:?} in: {stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists(), "{} was written", out.display());
}

#[track_caller]
fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

// Item 4: a region spelled `EastUS` in a catalog is eastus, for validation and lookup alike.
#[test]
fn catalog_region_names_are_matched_whatever_their_case() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = format!("{HEAD}{}", snapshot("EastUS", "0.1"));
    let output = run_with_catalog(dir.path(), catalog.as_bytes(), "out");
    succeeded(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("snapshot_gb_month in eastus"), "{stderr}");
    // 100 GB x 0.1 for one month = 10.
    let runs = read_csv(&dir.path().join("out/runs.csv"));
    assert_close(num(&runs[0], "storage_cost"), 10.0, CSV_4DP, "storage");
    let used = read_csv(&dir.path().join("out/prices_used.csv"));
    let east = used
        .iter()
        .find(|r| r["item"] == "snapshot_gb_month" && r["region"] == "eastus")
        .unwrap();
    assert_eq!(east["price"], "0.1");
    assert!(east["source"].ends_with("cat.csv"), "{}", east["source"]);
}

#[test]
fn catalog_rows_differing_only_in_region_case_are_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = format!(
        "{HEAD}{}{}",
        snapshot("eastus", "0.1"),
        snapshot("EASTUS", "0.2")
    );
    let output = run_with_catalog(dir.path(), catalog.as_bytes(), "out");
    refused(
        &output,
        &dir.path().join("out"),
        &["cat.csv", "line 3", "duplicate", "first on line 2"],
    );
}

// Item 7: the catalog's unit column is checked when read.
#[test]
fn catalog_units_the_tool_does_not_understand_are_refused_naming_file_line_and_column() {
    for (unit, item) in [
        ("TB-month", "snapshot_gb_month"),
        ("GB", "snapshot_gb_month"),
        ("GB-month", "managed_disk_month.S4"),
        ("", "egress_intra_continent_gb"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let catalog = format!(
            "{HEAD}{}{}",
            snapshot("eastus", "0.1"),
            row("westus2", item, "0.05", unit, "USD", "2026-10-01")
        );
        let output = run_with_catalog(dir.path(), catalog.as_bytes(), "out");
        refused(
            &output,
            &dir.path().join("out"),
            &["cat.csv", "line 3", "column `unit`", &format!("`{unit}`")],
        );
    }
}

// Item 9 (catalog part) and item 16 (a bad effective date reached prices_used.csv).
#[test]
fn catalog_currency_and_effective_date_are_validated_naming_line_and_column() {
    for (currency, date, column) in [
        ("usd", "2026-10-01", "currency"),
        ("US$", "2026-10-01", "currency"),
        ("=1+1", "2026-10-01", "currency"),
        ("USD", "2026-13-01", "effective_date"),
        ("USD", "soon", "effective_date"),
        ("USD", "=HYPERLINK(\"\"x\"\")", "effective_date"),
        ("USD", "2026-10-01T00:00:00Z", "effective_date"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let catalog = format!(
            "{HEAD}{}",
            row(
                "eastus",
                "snapshot_gb_month",
                "0.1",
                "GB-month",
                currency,
                &format!("\"{date}\"")
            )
        );
        let output = run_with_catalog(dir.path(), catalog.as_bytes(), "out");
        refused(
            &output,
            &dir.path().join("out"),
            &["cat.csv", "line 2", &format!("column `{column}`")],
        );
    }
}

// Item 11: reading a catalog is linear, and a bad line 2 is reported before the rest is read.
#[test]
fn a_bad_line_2_of_a_huge_catalog_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut catalog = String::from(HEAD);
    catalog.push_str(&snapshot("nowhere", "0.1"));
    for i in 0..100_000 {
        catalog.push_str(&snapshot(&format!("r{i}"), "0.1"));
    }
    let started = Instant::now();
    let output = run_with_catalog(dir.path(), catalog.as_bytes(), "out");
    let elapsed = started.elapsed();
    refused(
        &output,
        &dir.path().join("out"),
        &["cat.csv", "line 2", "unknown region `nowhere`"],
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

/// One Retail Prices API item.
fn api_item(
    region: &str,
    meter: &str,
    product: &str,
    unit: &str,
    price: &str,
    date: &str,
) -> String {
    let service = if meter.contains("Transfer") {
        "Bandwidth"
    } else {
        "Storage"
    };
    format!(
        r#"{{"currencyCode":"USD","tierMinimumUnits":0.0,"retailPrice":{price},"unitPrice":{price},"armRegionName":"{region}","location":"x","effectiveStartDate":"{date}","meterId":"m","meterName":"{meter}","productId":"p","skuId":"s","productName":"{product}","skuName":"k","serviceName":"{service}","serviceId":"i","serviceFamily":"Storage","unitOfMeasure":"{unit}","type":"Consumption","isPrimaryMeterRegion":true,"armSkuName":""}}"#
    )
}

const HDD: &str = "Standard HDD Managed Disks";
const DATE: &str = "2026-07-01T00:00:00Z";

/// A page holding `items`, the last one.
fn page(items: &[String]) -> String {
    format!(
        r#"{{"BillingCurrency":"USD","CustomerEntityId":"Default","CustomerEntityType":"Retail","Items":[{}],"NextPageLink":null,"Count":{}}}"#,
        items.join(","),
        items.len()
    )
}

/// Writes each page (name, bytes) into `dir` and imports them into `dir/out.csv`.
fn import(dir: &Path, pages: &[(&str, &[u8])]) -> Output {
    let mut command = bin();
    command.args(["prices", "import"]);
    for (name, bytes) in pages {
        std::fs::write(dir.join(name), bytes).unwrap();
        command.arg(dir.join(name));
    }
    command
        .arg("--out")
        .arg(dir.join("out.csv"))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
}

#[allow(dead_code)] // used by the import tests
/// The price of (region, item) in an imported catalog.
fn price_in(catalog: &Path, region: &str, item: &str) -> Option<f64> {
    read_csv(catalog)
        .iter()
        .find(|r| r["region"] == region && r["item"] == item)
        .map(|r| num(r, "price"))
}

// Item 16: a UTF-8 byte-order mark, as Windows editors save, starts a page or a catalog.
#[test]
fn a_byte_order_mark_is_accepted_on_price_pages_and_catalogs() {
    let dir = tempfile::tempdir().unwrap();
    let text = page(&[api_item(
        "eastus",
        "LRS Snapshots",
        HDD,
        "1 GB/Month",
        "0.1",
        DATE,
    )]);
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    succeeded(&import(dir.path(), &[("bom.json", &with_bom)]));
    let imported = std::fs::read(dir.path().join("out.csv")).unwrap();

    let catalog = [b"\xEF\xBB\xBF".as_slice(), &imported].concat();
    succeeded(&run_with_catalog(dir.path(), &catalog, "out"));
    let runs = read_csv(&dir.path().join("out/runs.csv"));
    assert_close(num(&runs[0], "storage_cost"), 10.0, CSV_4DP, "storage");
}
