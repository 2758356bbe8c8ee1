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

fn snapshot(region: &str, unit: &str, price: f64) -> String {
    item(
        region,
        "LRS Snapshots",
        "Standard HDD Managed Disks",
        "Storage",
        unit,
        price,
        "",
    )
}

#[test]
fn currency_codes_are_checked_where_they_are_read() {
    for (billing, item_currency, key) in [
        ("usd", "USD", "BillingCurrency"),
        ("USD", "usd", "Items[].currencyCode"),
        ("USD", "", "Items[].currencyCode"),
    ] {
        let items = snapshot("eastus", "1 GB/Month", 0.05).replace(
            "\"currencyCode\":\"USD\"",
            &format!("\"currencyCode\":\"{item_currency}\""),
        );
        let err = import(
            &[("p.json".into(), page(billing, &items, "null"))],
            Regions::bundled(),
            Options::default(),
        )
        .unwrap_err();
        assert_eq!(
            (err.file.as_str(), err.key.as_deref()),
            ("p.json", Some(key)),
            "{err}"
        );
        assert!(err.message.contains("not an ISO 4217 code"), "{err}");
    }
}

#[test]
fn effective_dates_are_a_day_or_a_timestamp() {
    for (stamp, kept) in [
        ("2025-03-01T00:00:00Z", true),
        ("2025-03-01", true),
        ("2025-03-01garbage", false),
        ("2025-3-1", false),
        ("2025-02-30T00:00:00Z", false),
        ("soon", false),
    ] {
        let items = snapshot("eastus", "1 GB/Month", 0.05).replace("2025-03-01T00:00:00Z", stamp);
        let imported = import(
            &[("p.json".into(), page("USD", &items, "null"))],
            Regions::bundled(),
            Options::default(),
        )
        .unwrap();
        assert_eq!(imported.catalog.rows.len(), usize::from(kept), "{stamp}");
        assert_eq!(imported.rejected.len(), usize::from(!kept), "{stamp}");
    }
}

#[test]
fn units_of_measure_are_read_exactly() {
    let snap = Item::Snapshot;
    let disk = Item::Disk(DiskTier::S4);
    let egress = Item::EgressIntra;
    for (unit, item, expected) in [
        ("1 GB/Month", snap, Some(1)),
        ("100 GB/Month", snap, Some(100)),
        ("1/Month", disk, Some(1)),
        ("1 /Month", disk, Some(1)),
        ("1 GB", egress, Some(1)),
        ("10 GB", egress, Some(10)),
        ("1e999 GB/Month", snap, None),
        ("-100 GB/Month", snap, None),
        ("+1 GB/Month", snap, None),
        ("0 GB/Month", snap, None),
        ("01 GB/Month", snap, None),
        ("1.5 GB/Month", snap, None),
        ("1 TB/Month", snap, None),
        ("GB/Month", snap, None),
        ("1 GB/Month ", snap, None),
        ("1  GB/Month", snap, None),
        ("9999999999 GB/Month", snap, None),
        ("1 GB", snap, None),
        ("1 GB/Month", disk, None),
        ("1/Month", egress, None),
        ("1 Hour", egress, None),
    ] {
        assert_eq!(quantity(unit, item), expected, "{unit:?} for {item:?}");
    }
}

#[test]
fn equal_rank_items_with_different_prices_are_refused_naming_both() {
    let items = [
        snapshot("eastus", "1 GB/Month", 0.05),
        snapshot("EastUS", "1 GB/Month", 0.06),
    ]
    .join(",");
    let err = import(
        &[("p.json".into(), page("USD", &items, "null"))],
        Regions::bundled(),
        Options::default(),
    )
    .unwrap_err();
    assert_eq!(err.file, "p.json");
    assert!(
        err.message.contains("snapshot_gb_month in eastus: p.json item 0 (LRS Snapshots in eastus) gives 0.05 and p.json item 1 (LRS Snapshots in EastUS) gives 0.06"),
        "{err}"
    );
    // A better item settles it: the newer date wins and nothing is refused.
    let newer = snapshot("eastus", "1 GB/Month", 0.07).replace("2025-03-01", "2025-04-01");
    let imported = import(
        &[(
            "p.json".into(),
            page("USD", &format!("{items},{newer}"), "null"),
        )],
        Regions::bundled(),
        Options::default(),
    )
    .unwrap();
    assert_eq!(imported.catalog.rows[0].price, 0.07);
}

#[test]
fn an_import_keeps_one_candidate_per_item_and_scope_whatever_the_pages() {
    let regions = Regions::bundled();
    let mut importer = Importer::new(regions, Options::default());
    let items: Vec<String> = regions
        .iter()
        .map(|(_, r)| snapshot(&r.name, "1 GB/Month", 0.05))
        .chain((0..2000).map(|i| snapshot(&format!("nowhere{i}"), "1 GB/Month", 0.05)))
        .chain((0..2000).map(|_| snapshot("eastus", "-1 GB/Month", 0.05)))
        .collect();
    let text = page("USD", &items.join(","), "null");
    for i in 0..20 {
        importer.add_page(&format!("p{i}.json"), &text).unwrap();
    }
    assert_eq!(importer.best.len(), regions.len());
    assert_eq!(importer.unknown_regions.kept.len(), LIST_LIMIT);
    assert_eq!(importer.rejected.kept.len(), LIST_LIMIT);
    let imported = importer.finish().unwrap();
    assert_eq!(imported.items_read, 20 * items.len());
    assert_eq!(imported.catalog.rows.len(), regions.len());
    assert_eq!(
        imported.unknown_regions.last().unwrap(),
        &format!("... and {} more (not listed)", 20 * (2000 - LIST_LIMIT))
    );
    assert_eq!(
        imported.rejected.last().unwrap(),
        &format!("... and {} more (not listed)", 20 * 2000 - LIST_LIMIT)
    );
}
