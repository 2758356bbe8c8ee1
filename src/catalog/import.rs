//! `gallerysim prices import`: Azure Retail Prices API pages (the JSON exactly as the API
//! returns it: `BillingCurrency`, `Items[]`, `NextPageLink`, `Count`) to a price catalog.
//!
//! Selection: `type == "Consumption"`, primary meter regions, no zero-priced placeholders
//! (unless asked), the lowest price tier, and only the meters the simulator needs:
//!
//! | item | serviceName | productName | meterName | unit |
//! |---|---|---|---|---|
//! | `snapshot_gb_month` | Storage | Standard HDD Managed Disks | LRS Snapshots | GB/Month |
//! | `zrs_snapshot_gb_month` | Storage | Standard HDD Managed Disks | ZRS Snapshots | GB/Month |
//! | `premium_snapshot_gb_month` | Storage | Premium SSD Managed Disks | LRS Snapshots | GB/Month |
//! | `managed_disk_month.S4` ... `.S30` | Storage | Standard HDD Managed Disks | S4 LRS Disk ... | 1/Month |
//! | `egress_intra_continent_gb` | Bandwidth | any | Intra Continent Data Transfer Out... | GB |
//! | `egress_inter_continent_gb` | Bandwidth | any | Inter Continent Data Transfer Out... | GB |

use serde::Deserialize;

use super::prices::{Catalog, CatalogRow, DiskTier, Item};
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
}

/// Options of the import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep zero-priced items (placeholders, free tiers) instead of skipping them.
    pub include_zero: bool,
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
                    .and_then(DiskTier::parse)
                    .map(Item::Disk),
                _ => None,
            }
        }
        "Bandwidth" if unit.ends_with("GB") => {
            if item
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
    // (region, item) -> (tier minimum, row)
    let mut chosen: Vec<((String, Item), f64, CatalogRow)> = Vec::new();
    let mut items_read = 0;
    let mut unknown_regions: Vec<String> = Vec::new();
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
        for item in &page.items {
            items_read += 1;
            check_currency(&item.currency_code, "Items[].currencyCode")?;
            if item.price_type != "Consumption"
                || !item.is_primary_meter_region
                || (item.retail_price == 0.0 && !options.include_zero)
            {
                continue;
            }
            let Some(kind) = classify(item) else { continue };
            if regions.find(&item.arm_region_name).is_none() {
                if !unknown_regions.contains(&item.arm_region_name) {
                    unknown_regions.push(item.arm_region_name.clone());
                }
                continue;
            }
            let row = CatalogRow {
                region: item.arm_region_name.to_ascii_lowercase(),
                item: kind.name(),
                price: item.retail_price / unit_size(&item.unit_of_measure),
                unit: kind.unit().to_string(),
                currency: item.currency_code.clone(),
                meter_name: item.meter_name.clone(),
                effective_date: item.effective_start_date.chars().take(10).collect(),
                product_name: item.product_name.clone(),
            };
            let key = (row.region.clone(), kind);
            match chosen.iter_mut().find(|(k, _, _)| *k == key) {
                // The first price tier applies to a gallery's volumes; on equal tiers the
                // newest effective date wins.
                Some(existing) => {
                    let better = item.tier_minimum_units < existing.1
                        || (item.tier_minimum_units == existing.1
                            && row.effective_date > existing.2.effective_date);
                    if better {
                        *existing = (key, item.tier_minimum_units, row);
                    }
                }
                None => chosen.push((key, item.tier_minimum_units, row)),
            }
        }
    }
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    let mut regions_absent = Vec::new();
    for (_, region) in regions.iter() {
        let mut lacking = Vec::new();
        for item in Item::ALL {
            match chosen
                .iter()
                .find(|((r, i), _, _)| *r == region.name && *i == item)
            {
                Some((_, _, row)) => rows.push(row.clone()),
                None => lacking.push(item.name()),
            }
        }
        if lacking.len() == Item::ALL.len() {
            regions_absent.push(region.name.clone());
        } else if !lacking.is_empty() {
            missing.push((region.name.clone(), lacking));
        }
    }
    unknown_regions.sort();
    Ok(Imported {
        catalog: Catalog {
            label: "imported".to_string(),
            rows,
        },
        items_read,
        missing,
        regions_absent,
        unknown_regions,
        truncated: !saw_last_page,
    })
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
