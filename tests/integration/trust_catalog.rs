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

/// The price of (region, item) in an imported catalog.
fn price_in(catalog: &Path, region: &str, item: &str) -> Option<f64> {
    read_csv(catalog)
        .iter()
        .find(|r| r["region"] == region && r["item"] == item)
        .map(|r| num(r, "price"))
}

// Item 7: of two items of equal rank with different prices, neither wins silently.
#[test]
fn import_refuses_two_equal_rank_items_with_different_prices_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let first = page(&[
        api_item("westus2", "LRS Snapshots", HDD, "1 GB/Month", "0.05", DATE),
        api_item("eastus", "LRS Snapshots", HDD, "1 GB/Month", "0.05", DATE),
    ]);
    let second = page(&[api_item(
        "eastus",
        "LRS Snapshots",
        HDD,
        "1 GB/Month",
        "0.07",
        DATE,
    )]);
    let output = import(
        dir.path(),
        &[("a.json", first.as_bytes()), ("b.json", second.as_bytes())],
    );
    refused(
        &output,
        &dir.path().join("out.csv"),
        &[
            "snapshot_gb_month in eastus",
            "a.json item 1",
            "b.json item 0",
            "0.05",
            "0.07",
        ],
    );
    // The same price twice is no conflict; a newer date is a rule, not a conflict.
    let same = page(&[
        api_item("eastus", "LRS Snapshots", HDD, "1 GB/Month", "0.05", DATE),
        api_item("eastus", "LRS Snapshots", HDD, "1 GB/Month", "0.05", DATE),
        api_item(
            "westus2",
            "LRS Snapshots",
            HDD,
            "1 GB/Month",
            "0.07",
            "2026-08-01T00:00:00Z",
        ),
        api_item("westus2", "LRS Snapshots", HDD, "1 GB/Month", "0.05", DATE),
    ]);
    succeeded(&import(dir.path(), &[("c.json", same.as_bytes())]));
    let out = dir.path().join("out.csv");
    assert_eq!(price_in(&out, "eastus", "snapshot_gb_month"), Some(0.05));
    assert_eq!(price_in(&out, "westus2", "snapshot_gb_month"), Some(0.07));
}

// Item 7: `unitOfMeasure` is a positive whole number and a unit the item is priced in.
#[test]
fn import_parses_unit_of_measure_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let items = [
        api_item("eastus", "LRS Snapshots", HDD, "1e999 GB/Month", "5", DATE),
        api_item("westus2", "LRS Snapshots", HDD, "-100 GB/Month", "5", DATE),
        api_item("westus", "LRS Snapshots", HDD, "0 GB/Month", "5", DATE),
        api_item("westus3", "LRS Snapshots", HDD, "1.5 GB/Month", "5", DATE),
        api_item("centralus", "LRS Snapshots", HDD, "1 TB/Month", "5", DATE),
        api_item("eastus2", "LRS Snapshots", HDD, "GB/Month", "5", DATE),
        api_item(
            "northeurope",
            "LRS Snapshots",
            HDD,
            "1 GB/Month",
            "0.05",
            DATE,
        ),
        api_item(
            "westeurope",
            "LRS Snapshots",
            HDD,
            "100 GB/Month",
            "5",
            DATE,
        ),
        api_item("eastus", "S4 LRS Disk", HDD, "1/Month", "1.536", DATE),
        api_item("westus2", "S4 LRS Disk", HDD, "1 GB/Month", "1.536", DATE),
        api_item(
            "eastus",
            "Standard Inter-Region Data Transfer",
            "Rtn Preference: MGN",
            "1 GB",
            "0.02",
            DATE,
        ),
        api_item(
            "westus2",
            "Standard Inter-Region Data Transfer",
            "Rtn Preference: MGN",
            "1 GB/Month",
            "0.02",
            DATE,
        ),
    ];
    let output = import(dir.path(), &[("units.json", page(&items).as_bytes())]);
    let stdout = succeeded(&output);
    let out = dir.path().join("out.csv");
    let rows = read_csv(&out);
    let kept: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["region"].as_str(), r["item"].as_str()))
        .collect();
    assert_eq!(
        kept.len(),
        4,
        "only the exact units are kept: {kept:?}\n{stdout}"
    );
    assert_eq!(
        price_in(&out, "northeurope", "snapshot_gb_month"),
        Some(0.05)
    );
    assert_eq!(
        price_in(&out, "westeurope", "snapshot_gb_month"),
        Some(0.05)
    );
    assert_eq!(
        price_in(&out, "eastus", "managed_disk_month.S4"),
        Some(1.536)
    );
    assert_eq!(
        price_in(&out, "eastus", "egress_intra_continent_gb"),
        Some(0.02)
    );
    for unit in [
        "`1e999 GB/Month`",
        "`-100 GB/Month`",
        "`0 GB/Month`",
        "`1.5 GB/Month`",
        "`1 TB/Month`",
        "`GB/Month`",
    ] {
        assert!(stdout.contains(unit), "{unit} not reported in: {stdout}");
    }
}

// Item 16: when every needed item is rejected, the rejections are the message.
#[test]
fn an_import_whose_needed_items_are_all_rejected_lists_the_rejections() {
    let dir = tempfile::tempdir().unwrap();
    let items = [
        api_item("eastus", "LRS Snapshots", HDD, "1 GB/Month", "0.05", "soon"),
        api_item("westus2", "LRS Snapshots", HDD, "1 GB/Month", "1e308", DATE),
        api_item("westus3", "LRS Snapshots", HDD, "-1 GB/Month", "0.05", DATE),
    ];
    let output = import(dir.path(), &[("rejected.json", page(&items).as_bytes())]);
    refused(
        &output,
        &dir.path().join("out.csv"),
        &[
            "rejected.json item 0",
            "effective date `soon`",
            "rejected.json item 1",
            "price 1e308",
            "rejected.json item 2",
            "`-1 GB/Month`",
        ],
    );
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

/// The peak resident memory of a command, in kB, from `/proc` while it runs (the high-water
/// mark only grows, so the last reading before it exits is its peak).
#[cfg(target_os = "linux")]
fn peak_kb(mut command: std::process::Command) -> (std::process::ExitStatus, u64) {
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = peak.max(kb);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

// Item 12: pages are read one at a time, so eight pages take the memory of about one.
#[cfg(target_os = "linux")]
#[test]
fn import_memory_is_bounded_by_one_page_not_the_sum() {
    let dir = tempfile::tempdir().unwrap();
    // About 16 MB of virtual machine prices (not needed) and one needed item.
    let filler = api_item(
        "eastus",
        "D2 v3",
        "Virtual Machines Dv3 Series",
        "1 Hour",
        "0.1",
        DATE,
    )
    .replace("\"Storage\"", "\"Virtual Machines\"");
    let mut items = vec![filler; 16 << 20 >> 9];
    items.push(api_item(
        "eastus",
        "LRS Snapshots",
        HDD,
        "1 GB/Month",
        "0.05",
        DATE,
    ));
    let text = page(&items);
    let mut paths = Vec::new();
    for i in 0..8 {
        let path = dir.path().join(format!("p{i}.json"));
        std::fs::write(&path, &text).unwrap();
        paths.push(path);
    }
    let measure = |pages: &[std::path::PathBuf]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gallerysim"));
        command
            .args(["prices", "import"])
            .args(pages)
            .arg("--out")
            .arg(dir.path().join(format!("out-{}.csv", pages.len())));
        let (status, kb) = peak_kb(command);
        assert!(status.success(), "{status}");
        kb
    };
    let one = measure(&paths[..1]);
    let eight = measure(&paths);
    let page_kb = text.len() as u64 / 1024;
    assert!(
        eight < one + 2 * page_kb,
        "one page of {page_kb} kB: peak {one} kB; eight pages: peak {eight} kB"
    );
}
