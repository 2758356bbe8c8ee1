//! Price import from Azure Retail Prices API pages, and runs priced from the result.

use std::path::{Path, PathBuf};

use gallerysim::catalog::import;
use gallerysim::catalog::Regions;

use crate::harness::*;

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/prices").join(name)
}

fn import_into(out: &Path, pages: &[&str]) -> std::process::Output {
    bin()
        .args(["prices", "import"])
        .args(pages.iter().map(|p| fixture(p)))
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// Lab plan in eastus replicating to westus2: 100 GB, one month, everything instant.
const SCENARIO: &str = r#"
[scenario]
name = "priced"
start = "2026-11-01"
months = 1

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "plan"
gallery = "g"
region = "eastus"
kind = "lab_plan"
replicate_to = ["westus2"]

[[image]]
name = "img"
account = "plan"
os_disk_gb = 127
used_gb = 100
export_hours = 0
replication_hours = 0
"#;

#[test]
fn imported_pages_price_a_run_by_region_with_hand_checkable_costs() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("prices.csv");
    let output = import_into(&catalog, &["usd-page-1.json", "usd-page-2.json"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Paging across two files; DevTest, reservation, zero-priced and non-primary skipped.
    assert!(
        stdout.contains("Read 11 price items; kept 6 prices for 2 regions in USD"),
        "{stdout}"
    );
    // westus2 has a snapshot price but no egress or disk prices: reported.
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("westus2:") && l.contains("egress_intra_continent_gb")),
        "{stdout}"
    );
    assert!(
        stdout.contains("No price at all for 55 regions"),
        "{stdout}"
    );

    let scenario = dir.path().join("priced.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.path().join("out");
    bin()
        .arg("run")
        .arg(&scenario)
        .arg("--prices")
        .arg(&catalog)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let runs = read_csv(&out.join("runs.csv"));
    // Storage: 100 GB x $0.06 (eastus) + 100 GB x $0.055 (westus2) = $11.50.
    assert_close(num(&runs[0], "storage_cost"), 11.50, CSV_4DP, "storage");
    // Egress from eastus within North America: 100 GB x $0.025 = $2.50.
    assert_close(num(&runs[0], "egress_cost"), 2.50, CSV_4DP, "egress");

    let used = read_csv(&out.join("prices_used.csv"));
    let east = used
        .iter()
        .find(|r| r["item"] == "snapshot_gb_month" && r["region"] == "eastus")
        .unwrap();
    assert_eq!(east["price"], "0.06");
    assert_eq!(east["as_of"], "2026-10-01");
    assert!(east["source"].ends_with("prices.csv"), "{}", east["source"]);

    // A scenario figure still wins over the catalog.
    bin()
        .arg("run")
        .arg(&scenario)
        .arg("--prices")
        .arg(&catalog)
        .args(["--set", "prices.snapshot_gb_month=0.1", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let runs = read_csv(&out.join("runs.csv"));
    assert_close(
        num(&runs[0], "storage_cost"),
        20.0,
        CSV_4DP,
        "overridden storage",
    );
    let used = read_csv(&out.join("prices_used.csv"));
    assert!(used
        .iter()
        .any(|r| r["item"] == "snapshot_gb_month" && r["source"] == "scenario [prices]"));
}

#[test]
fn a_catalog_in_another_currency_sets_the_currency_or_conflicts_with_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("eur.csv");
    assert!(import_into(&catalog, &["eur-page.json"]).status.success());
    let text = SCENARIO
        .replace("\"eastus\"", "\"westeurope\"")
        .replace("[\"westus2\"]", "[\"northeurope\"]")
        .replace(
            "months = 1",
            "months = 1\n\n[prices]\ncatalog = \"eur.csv\"",
        );
    let scenario = dir.path().join("eur.toml");
    std::fs::write(&scenario, &text).unwrap();
    let out = dir.path().join("out");
    bin()
        .arg("run")
        .arg(&scenario)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary = read_csv(&out.join("summary.csv"));
    assert_eq!(summary[0]["unit"], "EUR");
    // 100 GB x (0.046 + 0.047) EUR storage + 100 GB x 0.019 EUR egress = 11.20 EUR.
    assert_close(num(&summary[0], "mean"), 11.20, CSV_4DP, "total in EUR");

    std::fs::write(
        &scenario,
        text.replace("months = 1", "months = 1\ncurrency = \"USD\""),
    )
    .unwrap();
    let output = bin()
        .arg("run")
        .arg(&scenario)
        .args(["--out"])
        .arg(dir.path().join("o2"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("key `scenario.currency`") && stderr.contains("catalog is in EUR"),
        "{stderr}"
    );
}

#[test]
fn malformed_and_mixed_currency_pages_are_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never.csv");
    let output = import_into(&out, &["malformed.json"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("malformed.json:4:"), "{stderr}");
    assert!(!out.exists());

    let output = import_into(&out, &["usd-page-1.json", "eur-page.json"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("eur-page.json") && stderr.contains("currency EUR differs from USD"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn the_bundled_catalog_is_regenerated_from_its_pages_by_the_import() {
    // The same code path as `gallerysim prices import data/price-pages/*.json --out data/prices.csv`.
    let pages: Vec<(String, String)> = ["page-1.json", "page-2.json"]
        .iter()
        .map(|p| {
            let path = repo().join("data/price-pages").join(p);
            (p.to_string(), std::fs::read_to_string(path).unwrap())
        })
        .collect();
    let imported = import::import(&pages, Regions::bundled(), import::Options::default()).unwrap();
    assert!(imported.missing.is_empty() && imported.regions_absent.is_empty());
    let bundled = std::fs::read(repo().join("data/prices.csv")).unwrap();
    assert!(
        imported.catalog.to_csv() == bundled,
        "data/prices.csv is out of date: re-import data/price-pages"
    );
}

/// Runs `text` (written beside `eur.csv`) and returns the output.
fn run_in(dir: &Path, text: &str, out: &str) -> std::process::Output {
    let scenario = dir.join("s.toml");
    std::fs::write(&scenario, text).unwrap();
    bin()
        .arg("run")
        .arg(&scenario)
        .args(["--quiet", "--out"])
        .arg(dir.join(out))
        .output()
        .unwrap()
}

#[test]
fn one_currency_per_run_an_eur_catalog_with_gaps_is_refused_until_filled() {
    let dir = tempfile::tempdir().unwrap();
    assert!(import_into(&dir.path().join("eur.csv"), &["eur-page.json"])
        .status
        .success());
    // westeurope -> northeurope (both priced in EUR) and francecentral (no EUR price).
    let text = SCENARIO
        .replace("\"eastus\"", "\"westeurope\"")
        .replace("[\"westus2\"]", "[\"northeurope\", \"francecentral\"]")
        .replace(
            "months = 1",
            "months = 1\n\n[prices]\ncatalog = \"eur.csv\"",
        );
    let output = run_in(dir.path(), &text, "o1");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("key `prices`")
            && stderr.contains("no EUR price for snapshot_gb_month in francecentral")
            && stderr.contains("(1 used by this scenario)")
            && stderr.contains("[prices] in EUR"),
        "{stderr}"
    );
    assert!(!dir.path().join("o1").exists());

    // Filled from [prices] in EUR: a pure EUR run. 100 GB for one 730-hour month:
    // storage 100 x (0.046 + 0.047 + 0.051) = 14.40, egress 2 x 100 x 0.019 = 3.80: 18.20 EUR.
    let filled = text.replace(
        "catalog = \"eur.csv\"",
        "catalog = \"eur.csv\"\nsnapshot_gb_month = { francecentral = 0.051 }",
    );
    let output = run_in(dir.path(), &filled, "o2");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = read_csv(&dir.path().join("o2/summary.csv"));
    assert_eq!(summary[0]["unit"], "EUR");
    assert_close(num(&summary[0], "mean"), 18.20, CSV_4DP, "EUR total");
    let used = read_csv(&dir.path().join("o2/prices_used.csv"));
    assert!(used.iter().all(|r| r["currency"] == "EUR"));
    let france = used
        .iter()
        .find(|r| r["region"] == "francecentral")
        .unwrap();
    assert_eq!(france["source"], "scenario [prices]");
    let egress = used
        .iter()
        .find(|r| r["item"] == "egress_intra_continent_gb")
        .unwrap();
    assert_eq!(
        (egress["region"].as_str(), egress["price"].as_str()),
        ("westeurope", "0.019")
    );
}

#[test]
fn a_scenario_currency_without_a_catalog_needs_every_used_price_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let eur = SCENARIO.replace("months = 1", "months = 1\ncurrency = \"EUR\"");
    let output = run_in(dir.path(), &eur, "o1");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("snapshot_gb_month in eastus")
            && stderr.contains("egress_intra_continent_gb in eastus"),
        "{stderr}"
    );
    // 100 GB x 0.04 x 2 regions + 100 GB x 0.018 = 9.80 EUR.
    let priced =
        format!("{eur}\n[prices]\nsnapshot_gb_month = 0.04\negress_intra_continent_gb = 0.018\n");
    let output = run_in(dir.path(), &priced, "o2");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = read_csv(&dir.path().join("o2/summary.csv"));
    assert_close(num(&summary[0], "mean"), 9.80, CSV_4DP, "EUR total");
}

#[test]
fn real_shaped_pages_give_egress_from_todays_meters_and_say_what_they_chose() {
    // Items shaped as the live API returns them (2026): per-region inter-region transfer,
    // a continent meter, a non-primary row, a tiered item, an older disk name, internet
    // egress that is not ours, and two items that must be rejected.
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("real.csv");
    let output = import_into(&catalog, &["real-shape-2026.json"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rows = read_csv(&catalog);
    let price = |region: &str, item: &str| {
        rows.iter()
            .find(|r| r["region"] == region && r["item"] == item)
            .map(|r| num(r, "price"))
    };
    // A region's own meter beats the continent's; the continent's covers the rest.
    assert_eq!(price("eastus2", "egress_intra_continent_gb"), Some(0.02));
    assert_eq!(price("eastus", "egress_intra_continent_gb"), Some(0.025));
    assert_eq!(price("westus2", "egress_intra_continent_gb"), Some(0.025));
    // The zero first tier is skipped, the first non-zero one taken and reported.
    assert_eq!(
        price("koreacentral", "egress_intra_continent_gb"),
        Some(0.08)
    );
    assert!(
        stdout.contains("koreacentral: first non-zero tier, from 5 units"),
        "{stdout}"
    );
    // Non-primary only where no primary row covers the region.
    assert_eq!(price("westeurope", "snapshot_gb_month"), Some(0.05));
    assert!(stdout.contains("snapshot_gb_month in westeurope: from a non-primary"));
    assert_eq!(price("brazilsouth", "managed_disk_month.S4"), Some(3.6864));
    assert_eq!(
        price("westeurope", "premium_snapshot_gb_month"),
        Some(0.145)
    );
    assert_eq!(
        price("northeurope", "premium_snapshot_gb_month"),
        Some(0.132)
    );
    assert_eq!(price("westeurope", "managed_disk_month.S10"), Some(5.888));
    // Never written: an absurd price and a bad date.
    assert_eq!(price("eastus2", "snapshot_gb_month"), None);
    assert_eq!(price("francecentral", "snapshot_gb_month"), None);
    assert!(
        stdout.contains("price 1e308 is not 0 to 1000000"),
        "{stdout}"
    );
    assert!(stdout.contains("effective date `soon` is not a date"));
    // What was seen and not used, and the inter-continent fallback, are said.
    assert!(stdout.contains("Standard Data Transfer Out (Rtn Preference: MGN)"));
    assert!(stdout.contains("no inter-continent transfer price in these pages"));

    // A run priced only from this import uses the imported egress.
    let text = SCENARIO.replace(
        "months = 1",
        "months = 1\n\n[prices]\ncatalog = \"real.csv\"",
    );
    std::fs::write(dir.path().join("s.toml"), text).unwrap();
    let out = dir.path().join("out");
    bin()
        .arg("run")
        .arg(dir.path().join("s.toml"))
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let used = read_csv(&out.join("prices_used.csv"));
    let egress = used
        .iter()
        .find(|r| r["item"] == "egress_intra_continent_gb")
        .unwrap();
    assert_eq!(egress["region"], "eastus");
    assert_eq!(egress["price"], "0.025");
    assert!(egress["source"].ends_with("real.csv") && egress["as_of"] == "2024-01-01");
    // 100 GB: storage 2 x 100 x 0.05 (bundled, USD) + egress 100 x 0.025 = 12.50.
    let summary = read_csv(&out.join("summary.csv"));
    assert_close(num(&summary[0], "mean"), 12.5, CSV_4DP, "total");
}
