//! `gallerysim prices import`: Azure Retail Prices API pages (the JSON exactly as the API
//! returns it: `BillingCurrency`, `Items[]`, `NextPageLink`, `Count`) to a price catalog.
//!
//! Selection: `type == "Consumption"`, no zero-priced placeholders or free tiers (unless
//! asked), and only the meters the simulator needs:
//!
//! | item | serviceName | productName | meterName | unit |
//! |---|---|---|---|---|
//! | `snapshot_gb_month` | Storage | Standard HDD Managed Disks | LRS Snapshots | GB/Month |
//! | `zrs_snapshot_gb_month` | Storage | Standard HDD Managed Disks | ZRS Snapshots | GB/Month |
//! | `premium_snapshot_gb_month` | Storage | Premium SSD Managed Disks | LRS Snapshots | GB/Month |
//! | `managed_disk_month.S4` ... `.S30` | Storage | Standard HDD Managed Disks | S4 LRS Disk (older lists: S4 Disks) ... | 1/Month |
//! | `egress_intra_continent_gb` of a region | Bandwidth | Rtn Preference: MGN | Standard Inter-Region Data Transfer | GB |
//! | `egress_intra_continent_gb` of a continent | Bandwidth | any | Intra Continent Data Transfer Out... | GB |
//! | `egress_inter_continent_gb` of a region or continent | Bandwidth | any | Inter Continent Data Transfer Out... | GB |
//!
//! Today's API prices inter-region transfer per source region (`Standard Inter-Region Data
//! Transfer`, `armRegionName` a real region); billing exports and older lists use continent
//! meters whose `armRegionName` (or the end of `productName`) is a continent such as
//! `North America`: such a price applies to every region of that continent. No real
//! inter-continent retail meter is known; when none is read, runs use the bundled figure.
//!
//! When several items give one (region, item): a region's own meter beats a continent's, a
//! primary meter region beats a non-primary one, the lowest non-zero tier beats higher ones
//! (reported), and the newest effective date wins. Every kept price is checked (finite,
//! 0 to the price limit, a date, a known unit); a rejected item is reported, never written.

use serde::Deserialize;

use super::prices::{Catalog, CatalogRow, DiskTier, Item, MAX_PRICE};
use super::Continent;
use super::Regions;
use crate::error::InputError;

/// One page of the API's answer. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    billing_currency: Option<String>,
    items: Vec<ApiItem>,
    next_page_link: Option<String>,
}

/// One price item of a page.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiItem {
    currency_code: String,
    #[serde(default)]
    tier_minimum_units: f64,
    retail_price: f64,
    arm_region_name: String,
    effective_start_date: String,
    meter_name: String,
    product_name: String,
    service_name: String,
    unit_of_measure: String,
    #[serde(rename = "type")]
    price_type: String,
    #[serde(default = "yes")]
    is_primary_meter_region: bool,
}

fn yes() -> bool {
    true
}

/// The result of an import.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The catalog, rows sorted by region (catalog order) then item.
    pub catalog: Catalog,
    /// Items read from the pages.
    pub items_read: usize,
    /// Per region of the bundled region list that has at least one price: the items not
    /// found. Regions with no price at all are listed in `regions_absent`.
    pub missing: Vec<(String, Vec<String>)>,
    /// Regions with no price at all.
    pub regions_absent: Vec<String>,
    /// Regions in the pages that the simulator does not know (skipped).
    pub unknown_regions: Vec<String>,
    /// True when every page points to a next page: the final page is missing.
    pub truncated: bool,
    /// What the selection did that a reader should know (tiers, continent prices spread over
    /// regions, non-primary rows used, fallbacks).
    pub notes: Vec<String>,
    /// Bandwidth meters seen but not used, as `meterName (productName)`: a missed meter is
    /// visible here.
    pub unused_bandwidth: Vec<String>,
    /// Items of a needed meter that were not written, with the reason.
    pub rejected: Vec<String>,
}

/// Options of the import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep zero-priced items (placeholders, free tiers) instead of skipping them.
    pub include_zero: bool,
}

/// Where a Bandwidth price applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The item's own region.
    Region,
    /// Every region of a continent.
    Continent(Continent),
}

/// The continent an Azure continent-meter name designates (the names Azure uses in billing
/// data), if any.
fn continent_named(name: &str) -> Option<Continent> {
    let n = name.trim().to_ascii_lowercase();
    Some(match n.as_str() {
        "north america" | "us" | "canada" => Continent::NorthAmerica,
        "south america" => Continent::SouthAmerica,
        "europe" => Continent::Europe,
        "asia" | "asia pacific" => Continent::Asia,
        "oceania" | "australia" => Continent::Oceania,
        "middle east" | "africa" | "middle east and africa" => Continent::MiddleEastAfrica,
        _ => return None,
    })
}

/// The scope of a Bandwidth item: its region when that is a known region, else the continent
/// in `armRegionName` or at the end of `productName` (`... - North America`).
fn bandwidth_scope(item: &ApiItem, regions: &Regions) -> Option<Scope> {
    if regions.find(&item.arm_region_name).is_some() {
        return Some(Scope::Region);
    }
    continent_named(&item.arm_region_name)
        .or_else(|| {
            item.product_name
                .rsplit(" - ")
                .next()
                .and_then(continent_named)
        })
        .map(Scope::Continent)
}

/// Which catalog item an API item is, if any.
fn classify(item: &ApiItem) -> Option<Item> {
    let unit = item.unit_of_measure.as_str();
    let per_gb_month = unit.ends_with("GB/Month");
    match item.service_name.as_str() {
        "Storage" => {
            let standard_hdd = item.product_name == "Standard HDD Managed Disks";
            match item.meter_name.as_str() {
                "LRS Snapshots" if per_gb_month && standard_hdd => Some(Item::Snapshot),
                "ZRS Snapshots" if per_gb_month && standard_hdd => Some(Item::ZrsSnapshot),
                "LRS Snapshots"
                    if per_gb_month && item.product_name == "Premium SSD Managed Disks" =>
                {
                    Some(Item::PremiumSnapshot)
                }
                meter if standard_hdd && unit.ends_with("/Month") && !per_gb_month => meter
                    .strip_suffix(" LRS Disk")
                    .or_else(|| meter.strip_suffix(" Disks"))
                    .and_then(DiskTier::parse)
                    .map(Item::Disk),
                _ => None,
            }
        }
        "Bandwidth" if unit.ends_with("GB") => {
            if item.meter_name == "Standard Inter-Region Data Transfer"
                || item
                    .meter_name
                    .starts_with("Intra Continent Data Transfer Out")
            {
                Some(Item::EgressIntra)
            } else if item
                .meter_name
                .starts_with("Inter Continent Data Transfer Out")
            {
                Some(Item::EgressInter)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The number in front of a unit, e.g. 100 for "100 GB/Month" (1 when absent).
fn unit_size(unit: &str) -> f64 {
    unit.split_whitespace()
        .next()
        .and_then(|n| n.parse::<f64>().ok())
        .filter(|n| *n > 0.0)
        .unwrap_or(1.0)
}

/// Imports `pages` (file name and text) into a catalog.
pub fn import(
    pages: &[(String, String)],
    regions: &Regions,
    options: Options,
) -> Result<Imported, InputError> {
    let mut currency: Option<(String, String)> = None;
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut items_read = 0;
    let mut unknown_regions: Vec<String> = Vec::new();
    let mut unused_bandwidth: Vec<String> = Vec::new();
    let mut rejected: Vec<String> = Vec::new();
    let mut saw_last_page = false;
    for (file, text) in pages {
        let page: Page = serde_json::from_str(text).map_err(|e| InputError {
            file: file.clone(),
            line: Some(e.line()),
            column: Some(e.column()),
            key: None,
            message: format!("not an Azure Retail Prices API page: {e}"),
        })?;
        saw_last_page |= page.next_page_link.as_deref().is_none_or(str::is_empty);
        let mut check_currency = |code: &str, key: &str| {
            if code.trim().is_empty() {
                return Err(InputError {
                    file: file.clone(),
                    line: None,
                    column: None,
                    key: Some(key.to_string()),
                    message: "empty currency code".to_string(),
                });
            }
            match &currency {
            Some((first, first_file)) if first != code => Err(InputError {
                file: file.clone(),
                line: None,
                column: None,
                key: Some(key.to_string()),
                message: format!(
                    "currency {code} differs from {first} in {first_file}: import pages of one currency at a time"
                ),
            }),
            Some(_) => Ok(()),
            None => {
                currency = Some((code.to_string(), file.clone()));
                Ok(())
            }
        }
        };
        if let Some(code) = &page.billing_currency {
            check_currency(code, "BillingCurrency")?;
        }
        for (index, item) in page.items.iter().enumerate() {
            items_read += 1;
            check_currency(&item.currency_code, "Items[].currencyCode")?;
            if item.price_type != "Consumption" {
                continue;
            }
            let Some(kind) = classify(item) else {
                if item.service_name == "Bandwidth" {
                    let name = format!("{} ({})", item.meter_name, item.product_name);
                    if !unused_bandwidth.contains(&name) {
                        unused_bandwidth.push(name);
                    }
                }
                continue;
            };
            if item.retail_price == 0.0 && !options.include_zero {
                continue;
            }
            let scope = match kind {
                Item::EgressIntra | Item::EgressInter => bandwidth_scope(item, regions),
                _ => regions.find(&item.arm_region_name).map(|_| Scope::Region),
            };
            let Some(scope) = scope else {
                if !unknown_regions.contains(&item.arm_region_name) {
                    unknown_regions.push(item.arm_region_name.clone());
                }
                continue;
            };
            let where_ = format!(
                "{file} item {index} ({} in {})",
                item.meter_name, item.arm_region_name
            );
            let size = unit_size(&item.unit_of_measure);
            let price = item.retail_price / size;
            if !(0.0..=MAX_PRICE).contains(&price) {
                rejected.push(format!(
                    "{where_}: price {:?} is not 0 to {MAX_PRICE}",
                    item.retail_price
                ));
                continue;
            }
            let date: String = item.effective_start_date.chars().take(10).collect();
            if date.parse::<jiff::civil::Date>().is_err() {
                rejected.push(format!(
                    "{where_}: effective date `{}` is not a date",
                    item.effective_start_date
                ));
                continue;
            }
            candidates.push(Candidate {
                item: kind,
                scope,
                region: item.arm_region_name.to_ascii_lowercase(),
                primary: item.is_primary_meter_region,
                tier: item.tier_minimum_units,
                row: CatalogRow {
                    region: String::new(),
                    item: kind.name(),
                    price,
                    unit: kind.unit().to_string(),
                    currency: item.currency_code.clone(),
                    meter_name: item.meter_name.clone(),
                    effective_date: date,
                    product_name: item.product_name.clone(),
                },
            });
        }
    }
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    let mut regions_absent = Vec::new();
    let mut notes = Vec::new();
    for (_, region) in regions.iter() {
        let mut lacking = Vec::new();
        for item in Item::ALL {
            let applies = |c: &&Candidate| {
                c.item == item
                    && match c.scope {
                        Scope::Region => c.region == region.name,
                        Scope::Continent(k) => k == region.continent,
                    }
            };
            match candidates
                .iter()
                .filter(applies)
                .max_by(|a, b| a.rank().cmp(&b.rank()))
            {
                Some(best) => {
                    if best.tier > 0.0 {
                        notes.push(format!(
                            "{} in {}: first non-zero tier, from {} units ({})",
                            item.name(),
                            region.name,
                            best.tier,
                            best.row.meter_name
                        ));
                    }
                    if !best.primary {
                        notes.push(format!(
                            "{} in {}: from a non-primary meter region row (no primary row covers it)",
                            item.name(),
                            region.name
                        ));
                    }
                    if let Scope::Continent(k) = best.scope {
                        let note = format!(
                            "{} from the {} continent meter ({}) applied to its regions",
                            item.name(),
                            k.name(),
                            best.row.product_name
                        );
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                    }
                    let mut row = best.row.clone();
                    row.region = region.name.clone();
                    rows.push(row);
                }
                None => lacking.push(item.name()),
            }
        }
        if lacking.len() == Item::ALL.len() {
            regions_absent.push(region.name.clone());
        } else if !lacking.is_empty() {
            missing.push((region.name.clone(), lacking));
        }
    }
    if !rows.is_empty() && !rows.iter().any(|r| r.item == Item::EgressInter.name()) {
        notes.push(format!(
            "no inter-continent transfer price in these pages (none is published today): runs use egress_inter_continent_gb from {} ({}); in another currency set [prices] egress_inter_continent_gb",
            super::prices::Catalog::bundled().label,
            super::prices::Catalog::bundled().currency().unwrap_or("USD"),
        ));
    }
    unknown_regions.sort();
    let catalog = Catalog {
        label: "imported".to_string(),
        rows,
    };
    // What we write, `run` must accept.
    Catalog::parse(
        &String::from_utf8_lossy(&catalog.to_csv()),
        "imported",
        regions,
    )
    .map_err(|e| InputError {
        file: "imported catalog".to_string(),
        line: None,
        column: None,
        key: None,
        message: format!("the imported catalog would be rejected by run: {e}"),
    })?;
    Ok(Imported {
        catalog,
        items_read,
        missing,
        regions_absent,
        unknown_regions,
        truncated: !saw_last_page,
        notes,
        unused_bandwidth,
        rejected,
    })
}

/// A price item that may give one (region, item) of the catalog.
#[derive(Debug)]
struct Candidate {
    item: Item,
    scope: Scope,
    /// The item's `armRegionName`, lower case.
    region: String,
    primary: bool,
    tier: f64,
    row: CatalogRow,
}

impl Candidate {
    /// Larger is better: a region's own meter, a primary row, the lowest tier, the newest date.
    fn rank(&self) -> (bool, bool, std::cmp::Reverse<u64>, &str) {
        (
            self.scope == Scope::Region,
            self.primary,
            std::cmp::Reverse(self.tier.max(0.0) as u64),
            self.row.effective_date.as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(currency: &str, items: &str, next: &str) -> String {
        format!(
            r#"{{"BillingCurrency":"{currency}","CustomerEntityId":"Default","Items":[{items}],"NextPageLink":{next},"Count":1}}"#
        )
    }

    fn item(
        region: &str,
        meter: &str,
        product: &str,
        service: &str,
        unit: &str,
        price: f64,
        extra: &str,
    ) -> String {
        format!(
            r#"{{"currencyCode":"USD","tierMinimumUnits":0.0,"retailPrice":{price},"unitPrice":{price},"armRegionName":"{region}","location":"x","effectiveStartDate":"2025-03-01T00:00:00Z","meterId":"m","meterName":"{meter}","productId":"p","skuId":"s","productName":"{product}","skuName":"k","serviceName":"{service}","serviceId":"i","serviceFamily":"Storage","unitOfMeasure":"{unit}","type":"Consumption","isPrimaryMeterRegion":true,"armSkuName":""{extra}}}"#
        )
    }

    #[test]
    fn selects_the_needed_meters_and_skips_the_rest() {
        let items = [
            item(
                "eastus",
                "LRS Snapshots",
                "Standard HDD Managed Disks",
                "Storage",
                "1 GB/Month",
                0.05,
                "",
            ),
            item(
                "eastus",
                "LRS Snapshots",
                "Standard HDD Managed Disks",
                "Storage",
                "1 GB/Month",
                0.01,
                r#","x":1"#,
            )
            .replace("Consumption", "DevTestConsumption"),
            item(
                "eastus",
                "S10 LRS Disk",
                "Standard HDD Managed Disks",
                "Storage",
                "1/Month",
                5.89,
                "",
            ),
            item(
                "eastus",
                "S10 LRS Disk Mount",
                "Standard HDD Managed Disks",
                "Storage",
                "1/Month",
                9.0,
                "",
            ),
            item(
                "eastus",
                "Intra Continent Data Transfer Out",
                "Bandwidth Inter-Region",
                "Bandwidth",
                "1 GB",
                0.02,
                "",
            ),
            item(
                "eastus",
                "LRS Snapshots",
                "Standard HDD Managed Disks",
                "Storage",
                "100 GB/Month",
                4.0,
                "",
            )
            .replace("tierMinimumUnits\":0.0", "tierMinimumUnits\":1000.0"),
            item(
                "usgovvirginia",
                "LRS Snapshots",
                "Standard HDD Managed Disks",
                "Storage",
                "1 GB/Month",
                0.06,
                "",
            ),
        ]
        .join(",");
        let pages = vec![("p1.json".to_string(), page("USD", &items, "null"))];
        let imported = import(&pages, Regions::bundled(), Options::default()).unwrap();
        let rows = &imported.catalog.rows;
        let names: Vec<&str> = rows.iter().map(|r| r.item.as_str()).collect();
        assert_eq!(
            names,
            [
                "snapshot_gb_month",
                "managed_disk_month.S10",
                "egress_intra_continent_gb"
            ]
        );
        assert_eq!(rows[0].price, 0.05, "tier 0, consumption only");
        assert_eq!(rows[0].effective_date, "2025-03-01");
        assert_eq!(imported.unknown_regions, ["usgovvirginia"]);
        let (region, lacking) = &imported.missing[0];
        assert_eq!(region, "eastus");
        assert!(lacking.contains(&"zrs_snapshot_gb_month".to_string()));
        assert_eq!(imported.regions_absent.len(), 56);
        assert!(!imported.truncated);
    }

    #[test]
    fn per_100_gb_units_are_converted() {
        let items = item(
            "westeurope",
            "ZRS Snapshots",
            "Standard HDD Managed Disks",
            "Storage",
            "100 GB/Month",
            5.0,
            "",
        );
        let pages = vec![(
            "p.json".to_string(),
            page("USD", &items, "\"https://next\""),
        )];
        let imported = import(&pages, Regions::bundled(), Options::default()).unwrap();
        assert!((imported.catalog.rows[0].price - 0.05).abs() < 1e-12);
        assert!(imported.truncated, "no page is the last one");
    }

    #[test]
    fn mixed_currencies_and_malformed_pages_are_errors() {
        let usd = page("USD", "", "null");
        let eur = page("EUR", "", "null");
        let err = import(
            &[("a.json".into(), usd), ("b.json".into(), eur)],
            Regions::bundled(),
            Options::default(),
        )
        .unwrap_err();
        assert_eq!(err.file, "b.json");
        assert!(err
            .message
            .contains("currency EUR differs from USD in a.json"));
        let err = import(
            &[("bad.json".into(), "{\"Items\": [".into())],
            Regions::bundled(),
            Options::default(),
        )
        .unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("bad.json", Some(1)));
    }
}
