use super::*;

/// Lookups by the pricing rules, for the reference figures below.
impl PriceBook {
    /// Monthly price of one disk of `tier` in `region`.
    fn disk_month(&self, tier: DiskTier, region: RegionId) -> f64 {
        self.get(Item::Disk(tier), region).value
    }

    /// Price per GB of copying from `from` to `to`: the source region's intra-continent
    /// price when both are on one continent, its inter-continent price otherwise.
    fn egress_gb(&self, regions: &Regions, from: RegionId, to: RegionId) -> f64 {
        self.get(egress_item(regions, from, to), from).value
    }

    /// Snapshot price per GB-month in `region` for a gallery's storage type.
    fn snapshot(&self, region: RegionId, storage: StorageType) -> f64 {
        self.get(storage_item(StorageBilling::Snapshot, storage, 0.0), region)
            .value
    }
}

#[test]
fn bundled_catalog_is_complete() {
    let (_, missing) = PriceBook::from_catalog(Regions::bundled(), Catalog::bundled());
    assert!(missing.is_empty(), "{missing:?}");
}

const HEAD: &str = "region,item,price,unit,currency,meter_name,effective_date,product_name\n";

fn parse(rows: &str) -> Result<Catalog, CatalogError> {
    Catalog::parse(&format!("{HEAD}{rows}"), "t", Regions::bundled())
}

#[test]
fn catalogs_intern_other_meters_and_reject_bad_names_and_mixed_currencies() {
    let err = parse("eastus,Gold!,1,GB,USD,m,2024-01-01,p\n").unwrap_err();
    assert_eq!((err.line, err.column.as_deref()), (2, Some("item")));
    assert!(err.message.contains("`Gold!` is not a meter name"), "{err}");
    let err = parse("eastus,gold,1,GB,USD,m,2024-01-01,p\nwestus,gold,1,hour,USD,m,2024-01-01,p\n")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 3, column `unit`: unit `hour` is not understood for gold: its prices are per GB"
    );
    let catalog = parse("eastus,gold,1.5,GB,USD,m,2024-01-01,p\n").unwrap();
    let (book, _) = PriceBook::from_catalog(Regions::bundled(), &catalog);
    let gold = book.meters.id("gold").unwrap();
    let eastus = Regions::bundled().find("eastus").unwrap();
    let westus = Regions::bundled().find("westus").unwrap();
    assert_eq!(book.find(gold, eastus).map(|p| p.value), Some(1.5));
    assert_eq!(
        book.find(gold, westus),
        None,
        "no bundled fallback for a meter the model lacks"
    );
    let err = parse("eastus,snapshot_gb_month,1,GB-month,USD,m,2024-01-01,p\nwestus,snapshot_gb_month,1,GB-month,EUR,m,2024-01-01,p\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 3, column `currency`: currency EUR differs from USD on line 2: a catalog has one currency"
    );
}

#[test]
fn catalog_regions_are_stored_by_their_canonical_name() {
    let catalog = parse("EastUS,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01,p\n").unwrap();
    assert_eq!(catalog.rows[0].region, "eastus");
    let regions = Regions::bundled();
    let (book, _) = PriceBook::from_catalog(regions, &catalog);
    let east = book.get(Item::Snapshot, regions.find("eastus").unwrap());
    assert_eq!(east.value, 0.1);
    let err = parse("eastus,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01,p\nEASTUS,snapshot_gb_month,0.2,GB-month,USD,m,2024-01-01,p\n").unwrap_err();
    assert_eq!((err.line, err.column.as_deref()), (3, None));
    assert!(err.message.contains("(first on line 2)"), "{err}");
}

#[test]
fn catalog_fields_are_checked_naming_line_and_column() {
    for (row, column) in [
        (
            "nowhere,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01,p",
            "region",
        ),
        (
            "eastus,snapshot_gb_month,-1,GB-month,USD,m,2024-01-01,p",
            "price",
        ),
        (
            "eastus,snapshot_gb_month,x,GB-month,USD,m,2024-01-01,p",
            "price",
        ),
        (
            "eastus,snapshot_gb_month,0.1,TB-month,USD,m,2024-01-01,p",
            "unit",
        ),
        (
            "eastus,managed_disk_month.S4,1.5,GB-month,USD,m,2024-01-01,p",
            "unit",
        ),
        (
            "eastus,snapshot_gb_month,0.1,GB-month,usd,m,2024-01-01,p",
            "currency",
        ),
        (
            "eastus,snapshot_gb_month,0.1,GB-month,=1+1,m,2024-01-01,p",
            "currency",
        ),
        (
            "eastus,snapshot_gb_month,0.1,GB-month,USD,m,2024-02-30,p",
            "effective_date",
        ),
        (
            "eastus,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01T00:00:00Z,p",
            "effective_date",
        ),
        (
            "eastus,snapshot_gb_month,0.1,GB-month,USD,m,+2024-1-01,p",
            "effective_date",
        ),
    ] {
        let err = parse(&format!("{row}\n")).unwrap_err();
        assert_eq!(
            (err.line, err.column.as_deref()),
            (2, Some(column)),
            "{row}: {err}"
        );
    }
}

#[test]
fn a_price_of_minus_zero_is_zero() {
    let catalog = parse("eastus,snapshot_gb_month,-0,GB-month,USD,m,2024-01-01,p\n").unwrap();
    assert!(catalog.rows[0].price.is_sign_positive());
}

#[test]
fn a_catalog_without_a_column_is_refused_on_its_header() {
    let err = Catalog::parse(
        "region,item,price\neastus,snapshot_gb_month,1\n",
        "t",
        Regions::bundled(),
    )
    .unwrap_err();
    assert_eq!(
        (err.line, err.column.as_deref()),
        (1, Some("unit")),
        "{err}"
    );
}

#[test]
fn a_bad_row_is_reported_before_the_rest_is_read() {
    let mut rows = String::from("eastus,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01,p\n");
    rows.push_str("eastus,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01,p\n");
    rows.push_str(&"garbage\n".repeat(100_000));
    let err = parse(&rows).unwrap_err();
    assert_eq!(err.line, 3, "{err}");
}

#[test]
fn tiers_hold_their_capacity_and_nothing_more() {
    assert_eq!(DiskTier::holding(32.0), Some(DiskTier::S4));
    assert_eq!(DiskTier::holding(32.5), Some(DiskTier::S6));
    assert_eq!(DiskTier::holding(127.0), Some(DiskTier::S10));
    assert_eq!(DiskTier::holding(1024.0), Some(DiskTier::S30));
    assert_eq!(DiskTier::holding(1025.0), None);
}

#[test]
fn bundled_book_matches_domain_reference_prices() {
    let regions = Regions::bundled();
    let book = PriceBook::bundled(regions);
    let r = |name: &str| regions.find(name).unwrap();
    use StorageType::*;
    assert_eq!(book.snapshot(r("eastus"), StandardLrs), 0.05);
    assert_eq!(book.snapshot(r("westeurope"), StandardZrs), 0.05);
    assert_eq!(book.disk_month(DiskTier::S4, r("eastus")), 1.536);
    // Retail Prices API, 2026-07 (Infracost 2024: 5.89).
    assert_eq!(book.disk_month(DiskTier::S10, r("westeurope")), 5.888);
    assert_eq!(book.disk_month(DiskTier::S4, r("brazilsouth")), 3.6864);
    assert_eq!(book.snapshot(r("westeurope"), PremiumLrs), 0.145);
    assert_eq!(book.egress_gb(regions, r("eastus"), r("westus2")), 0.02);
    assert_eq!(
        book.egress_gb(regions, r("westeurope"), r("northeurope")),
        0.02
    );
    assert_eq!(
        book.egress_gb(regions, r("japaneast"), r("koreacentral")),
        0.08
    );
    assert_eq!(
        book.egress_gb(regions, r("brazilsouth"), r("chilecentral")),
        0.16
    );
    assert_eq!(book.egress_gb(regions, r("eastus"), r("westeurope")), 0.05);
    assert_eq!(
        book.egress_gb(regions, r("westeurope"), r("japaneast")),
        0.05
    );
    assert_eq!(book.currency, "USD");
}

#[test]
fn lines_are_counted_right_in_windows_line_endings() {
    let crlf = HEAD.replace('\n', "\r\n")
        + "eastus,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01,p\r\n"
        + "eastus,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01,p\r\n"
        + "westus,Gold!,1,GB,USD,m,2024-01-01,p\r\n";
    let err = Catalog::parse(&crlf, "t", Regions::bundled()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 3: duplicate price of snapshot_gb_month in eastus (first on line 2)"
    );
    let bad_last = crlf.replace(
        "eastus,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01,p\r\neastus",
        "eastus,snapshot_gb_month,0.1,GB-month,USD,m,2024-01-01,p\r\nwestus",
    );
    let err = Catalog::parse(&bad_last, "t", Regions::bundled()).unwrap_err();
    assert_eq!(
        (err.line, err.column.as_deref()),
        (4, Some("item")),
        "{err}"
    );
}
