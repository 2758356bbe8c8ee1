//! Price catalogs (CSV: region, item, price, unit, currency, meter, effective date), the
//! bundled one (`data/prices.csv`, embedded), and the resolved [`PriceBook`] a scenario runs
//! with. Every figure can be overridden from the scenario's `[prices]` table.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::meters::{check_name, MeterError, MeterId, Meters};
use super::{RegionId, Regions};

/// Continents, which pick the bandwidth price of a copy between two regions.
#[allow(missing_docs)] // names say it all
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Continent {
    NorthAmerica,
    SouthAmerica,
    Europe,
    Asia,
    Oceania,
    MiddleEastAfrica,
}

impl Continent {
    /// All continents, in a fixed order.
    pub const ALL: [Continent; 6] = [
        Continent::NorthAmerica,
        Continent::SouthAmerica,
        Continent::Europe,
        Continent::Asia,
        Continent::Oceania,
        Continent::MiddleEastAfrica,
    ];

    /// The name used in `data/azure-regions.csv` and in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Continent::NorthAmerica => "north_america",
            Continent::SouthAmerica => "south_america",
            Continent::Europe => "europe",
            Continent::Asia => "asia",
            Continent::Oceania => "oceania",
            Continent::MiddleEastAfrica => "middle_east_africa",
        }
    }

    /// Parses [`Continent::name`].
    pub fn parse(name: &str) -> Option<Continent> {
        Continent::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Standard HDD managed-disk tiers, the legacy billing model of the Lab Services admin guide.
#[allow(missing_docs)] // capacities in DiskTier::capacity_gib
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum DiskTier {
    S4,
    S6,
    S10,
    S15,
    S20,
    S30,
}

impl DiskTier {
    /// All tiers, smallest first.
    pub const ALL: [DiskTier; 6] = [
        DiskTier::S4,
        DiskTier::S6,
        DiskTier::S10,
        DiskTier::S15,
        DiskTier::S20,
        DiskTier::S30,
    ];

    /// Capacity in GiB.
    pub fn capacity_gib(self) -> f64 {
        match self {
            DiskTier::S4 => 32.0,
            DiskTier::S6 => 64.0,
            DiskTier::S10 => 128.0,
            DiskTier::S15 => 256.0,
            DiskTier::S20 => 512.0,
            DiskTier::S30 => 1024.0,
        }
    }

    /// Name as in the scenario file (`S4` ...).
    pub fn name(self) -> &'static str {
        match self {
            DiskTier::S4 => "S4",
            DiskTier::S6 => "S6",
            DiskTier::S10 => "S10",
            DiskTier::S15 => "S15",
            DiskTier::S20 => "S20",
            DiskTier::S30 => "S30",
        }
    }

    /// Parses [`DiskTier::name`].
    pub fn parse(name: &str) -> Option<DiskTier> {
        DiskTier::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The smallest tier that holds a disk of `gb` (None above S30).
    pub fn holding(gb: f64) -> Option<DiskTier> {
        DiskTier::ALL.into_iter().find(|t| gb <= t.capacity_gib())
    }
}

/// How replicas are billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StorageBilling {
    /// Current Azure model: used GB of each replica at the snapshot price.
    #[default]
    Snapshot,
    /// Legacy admin-guide model: each replica as a Standard HDD disk of the OS disk's tier.
    ManagedDisk,
}

/// Storage account type of the replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StorageType {
    /// Standard locally redundant (default).
    #[default]
    StandardLrs,
    /// Standard zone redundant; snapshots cost the same as LRS.
    StandardZrs,
    /// Premium locally redundant.
    PremiumLrs,
}

impl StorageType {
    /// Name as in the scenario file.
    pub fn name(self) -> &'static str {
        match self {
            StorageType::StandardLrs => "standard_lrs",
            StorageType::StandardZrs => "standard_zrs",
            StorageType::PremiumLrs => "premium_lrs",
        }
    }
}

/// The price item of a replica's storage: the gallery's snapshot type, or (managed-disk
/// billing) the smallest Standard HDD tier that holds the OS disk.
pub fn storage_item(billing: StorageBilling, storage: StorageType, os_disk_gb: f64) -> Item {
    match billing {
        StorageBilling::Snapshot => match storage {
            StorageType::StandardLrs => Item::Snapshot,
            StorageType::StandardZrs => Item::ZrsSnapshot,
            StorageType::PremiumLrs => Item::PremiumSnapshot,
        },
        // Validation refuses OS disks larger than the largest tier.
        StorageBilling::ManagedDisk => {
            Item::Disk(DiskTier::holding(os_disk_gb).unwrap_or(DiskTier::S30))
        }
    }
}

/// The meters one copy of a version uses, as (item, price region): its storage, priced in its
/// region, and, for a copy out of the gallery's `home` region, the transfer, priced at `home`.
pub fn copy_meters(
    regions: &Regions,
    billing: StorageBilling,
    storage: StorageType,
    os_disk_gb: f64,
    home: RegionId,
    region: RegionId,
) -> ((Item, RegionId), Option<(Item, RegionId)>) {
    let stored = (storage_item(billing, storage, os_disk_gb), region);
    let copied = (region != home).then(|| (egress_item(regions, home, region), home));
    (stored, copied)
}

/// The price item of a copy from `from` to `to`, priced at `from`: intra-continent when both
/// are on one continent, inter-continent otherwise.
pub fn egress_item(regions: &Regions, from: RegionId, to: RegionId) -> Item {
    if regions.get(from).continent == regions.get(to).continent {
        Item::EgressIntra
    } else {
        Item::EgressInter
    }
}

/// Largest unit price accepted anywhere (catalog rows, `[prices]`), in any currency: real
/// ones are below 100 even in yen.
pub const MAX_PRICE: f64 = 1.0e6;

/// A priced item, as named in price catalogs and `prices_used.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Item {
    /// Standard HDD LRS snapshot, per GB-month.
    Snapshot,
    /// Standard HDD ZRS snapshot, per GB-month (the same as LRS in today's price list).
    ZrsSnapshot,
    /// Premium snapshot, per GB-month (not documented by Microsoft).
    PremiumSnapshot,
    /// Standard HDD managed disk of a tier, per month.
    Disk(DiskTier),
    /// Copy to another region of the source region's continent, per GB.
    EgressIntra,
    /// Copy to a region on another continent, per GB.
    EgressInter,
}

impl Item {
    /// Every item, in catalog order.
    pub const ALL: [Item; 11] = [
        Item::Snapshot,
        Item::ZrsSnapshot,
        Item::PremiumSnapshot,
        Item::Disk(DiskTier::S4),
        Item::Disk(DiskTier::S6),
        Item::Disk(DiskTier::S10),
        Item::Disk(DiskTier::S15),
        Item::Disk(DiskTier::S20),
        Item::Disk(DiskTier::S30),
        Item::EgressIntra,
        Item::EgressInter,
    ];

    /// Name in catalogs, e.g. `snapshot_gb_month` or `managed_disk_month.S4`.
    pub fn name(self) -> String {
        match self {
            Item::Snapshot => "snapshot_gb_month".to_string(),
            Item::ZrsSnapshot => "zrs_snapshot_gb_month".to_string(),
            Item::PremiumSnapshot => "premium_snapshot_gb_month".to_string(),
            Item::Disk(tier) => format!("managed_disk_month.{}", tier.name()),
            Item::EgressIntra => "egress_intra_continent_gb".to_string(),
            Item::EgressInter => "egress_inter_continent_gb".to_string(),
        }
    }

    /// Parses [`Item::name`].
    pub fn parse(name: &str) -> Option<Item> {
        Item::ALL.into_iter().find(|i| i.name() == name)
    }

    /// Unit of the price.
    pub fn unit(self) -> &'static str {
        match self {
            Item::Snapshot | Item::ZrsSnapshot | Item::PremiumSnapshot => "GB-month",
            Item::Disk(_) => "disk-month",
            Item::EgressIntra | Item::EgressInter => "GB",
        }
    }

    /// The model's item a meter is (None: a meter a catalog added).
    pub fn of_meter(meter: super::MeterId) -> Option<Item> {
        Item::ALL.get(meter.0 as usize).copied()
    }

    pub(crate) fn index(self) -> usize {
        Item::ALL.iter().position(|i| *i == self).expect("listed")
    }
}

/// One row of a price catalog CSV (what `gallerysim prices import` writes).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CatalogRow {
    /// ARM region name.
    pub region: String,
    /// Item name, see [`Item::name`].
    pub item: String,
    /// Price per unit.
    pub price: f64,
    /// Unit of the price.
    pub unit: String,
    /// ISO currency code.
    pub currency: String,
    /// The Azure meter the price comes from.
    pub meter_name: String,
    /// Effective date of the price (YYYY-MM-DD).
    pub effective_date: String,
    /// The Azure product name of the meter.
    pub product_name: String,
}

/// A price catalog: rows plus the name it is known by.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// Where it came from, e.g. `bundled data/prices.csv` or a file path.
    pub label: String,
    /// Its rows.
    pub rows: Vec<CatalogRow>,
}

const BUNDLED_CATALOG: &str = include_str!("../../data/prices.csv");

/// Why a catalog was refused: the line of the CSV file and, when one field is at fault, its
/// column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// 1-based line of the file (the header is line 1).
    pub line: u64,
    /// The column at fault, by its header name.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CatalogError {}

/// The columns of a catalog, in the order `prices import` writes them.
const COLUMNS: [&str; 8] = [
    "region",
    "item",
    "price",
    "unit",
    "currency",
    "meter_name",
    "effective_date",
    "product_name",
];

/// True for a three-letter ISO 4217 code shape (`USD`, `EUR`): the rule for catalogs and
/// price pages alike.
pub(crate) fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// True for a real calendar date written `YYYY-MM-DD`, nothing more: the rule for catalogs
/// and the days `prices import` keeps.
pub(crate) fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && text.parse::<jiff::civil::Date>().is_ok()
}

impl Catalog {
    /// The bundled catalog (reconstructed from public evidence; see
    /// `data/README.md`).
    pub fn bundled() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(
                BUNDLED_CATALOG,
                "bundled data/prices.csv",
                Regions::bundled(),
            )
            .expect("valid bundled catalog")
        })
    }

    /// Parses a catalog CSV, checking each row as it is read (so a bad line 2 is reported
    /// before the rest is read, and the work is linear in the rows): a known item, a region of
    /// `regions` (matched whatever its case and stored by its canonical name, so lookups are
    /// exact), a price from 0 to [`MAX_PRICE`], the item's own unit, a three-letter currency
    /// shared by every row, a real `YYYY-MM-DD` effective date, and one row per (item, region).
    pub fn parse(text: &str, label: &str, regions: &Regions) -> Result<Catalog, CatalogError> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| CatalogError {
                line: 1,
                column: None,
                message: e.to_string(),
            })?
            .clone();
        if let Some(absent) = COLUMNS.iter().find(|c| !headers.iter().any(|h| h == **c)) {
            return Err(CatalogError {
                line: 1,
                column: Some((*absent).to_string()),
                message: format!(
                    "the header has no column `{absent}`; a catalog's columns are {}",
                    COLUMNS.join(",")
                ),
            });
        }
        let mut rows: Vec<CatalogRow> = Vec::new();
        let mut first_line: HashMap<(MeterId, RegionId), u64> = HashMap::new();
        // Meters are open: a name the model does not book is interned (a usage source the
        // scenario registers may book it; validation warns when nothing does).
        let mut meters = Meters::builtin();
        let mut record = csv::StringRecord::new();
        // Lines by counting newlines up to a record's first byte, that byte included: on
        // `\r\n` files (what spreadsheets on Windows save) the reader stops between `\r` and
        // `\n`, and its own line count is one short.
        let mut counted = (0usize, 1u64);
        let mut line_at = |byte: u64| {
            let (from, line) = counted;
            let to = (byte as usize).saturating_add(1).clamp(from, text.len());
            counted = (
                to,
                line + text.as_bytes()[from..to]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64,
            );
            counted.1
        };
        loop {
            let line = line_at(reader.position().byte());
            let more = reader.read_record(&mut record).map_err(|e| CatalogError {
                line: e.position().map_or(line, |p| line_at(p.byte())),
                column: None,
                message: e.to_string(),
            })?;
            if !more {
                break;
            }
            let line = record.position().map_or(line, |p| line_at(p.byte()));
            let at = |column: &str, message: String| CatalogError {
                line,
                column: Some(column.to_string()),
                message,
            };
            let mut row: CatalogRow = record.deserialize(Some(&headers)).map_err(|e| {
                let column = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err
                        .field()
                        .and_then(|f| headers.get(f as usize))
                        .map(str::to_string),
                    _ => None,
                };
                let message = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => match err.field() {
                        Some(f) => {
                            format!("`{}`: {}", record.get(f as usize).unwrap_or(""), err.kind())
                        }
                        None => err.kind().to_string(),
                    },
                    _ => e.to_string(),
                };
                CatalogError {
                    line,
                    column,
                    message,
                }
            })?;
            if meters.id(&row.item).is_none() {
                check_name(&row.item).map_err(|e| at("item", e.to_string()))?;
            }
            let Some(region) = regions.find(&row.region) else {
                return Err(at(
                    "region",
                    format!(
                        "unknown region `{}`; `gallerysim regions` lists the known ones",
                        row.region
                    ),
                ));
            };
            row.region.clone_from(&regions.get(region).name);
            // `-0` is 0, so it is never printed as `-0` in prices_used.csv.
            row.price += 0.0;
            let limit = MAX_PRICE;
            if !(row.price >= 0.0 && row.price <= limit) {
                return Err(at(
                    "price",
                    format!(
                        "price must be a number from 0 to {limit} (got {})",
                        row.price
                    ),
                ));
            }
            let meter = meters.intern(&row.item, &row.unit).map_err(|e| match e {
                MeterError::TooMany => at("item", e.to_string()),
                _ => at("unit", e.to_string()),
            })?;
            if !is_currency_code(&row.currency) {
                return Err(at(
                    "currency",
                    format!(
                        "currency `{}` is not an ISO 4217 code (three capital letters, e.g. USD or EUR)",
                        row.currency
                    ),
                ));
            }
            if !is_date(&row.effective_date) {
                return Err(at(
                    "effective_date",
                    format!(
                        "effective date `{}` is not a real date written YYYY-MM-DD",
                        row.effective_date
                    ),
                ));
            }
            if let Some(first) = rows.first() {
                if first.currency != row.currency {
                    return Err(at(
                        "currency",
                        format!(
                            "currency {} differs from {} on line 2: a catalog has one currency",
                            row.currency, first.currency
                        ),
                    ));
                }
            }
            // The (item, region) pair is the key: no one column is at fault.
            if let Some(first) = first_line.insert((meter, region), line) {
                return Err(CatalogError {
                    line,
                    column: None,
                    message: format!(
                        "duplicate price of {} in {} (first on line {first})",
                        row.item, row.region
                    ),
                });
            }
            rows.push(row);
        }
        Ok(Catalog {
            label: label.to_string(),
            rows,
        })
    }

    /// The catalog as CSV (its header even when it has no row).
    pub fn to_csv(&self) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        if self.rows.is_empty() {
            writer.write_record(COLUMNS).expect("in-memory CSV");
        }
        for row in &self.rows {
            writer.serialize(row).expect("in-memory CSV");
        }
        writer.into_inner().expect("in-memory CSV")
    }

    /// Row positions by (item, region) name.
    fn index(&self) -> HashMap<(&str, &str), usize> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.item.as_str(), r.region.as_str()), i))
            .collect()
    }

    /// The catalog's currency (None when empty).
    pub fn currency(&self) -> Option<&str> {
        self.rows.first().map(|r| r.currency.as_str())
    }
}

/// Where a price in a [`PriceBook`] comes from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    /// A catalog row: the catalog's label and the row's effective date.
    Catalog {
        /// The catalog.
        label: String,
        /// The effective date of the price.
        as_of: String,
        /// The catalog's currency.
        currency: String,
    },
    /// The scenario's `[prices]` table.
    Scenario,
}

/// A price and its source.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Priced {
    /// Price per unit.
    pub value: f64,
    /// Where it comes from.
    pub source: Source,
}

/// Resolved prices for one scenario, by meter and region: every lookup the model makes is an
/// index, not a search.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceBook {
    /// The meters priced: the model's own, then any other a catalog names.
    pub meters: Meters,
    /// Per meter, per region (None: no price; only meters a catalog adds can lack one).
    table: Vec<Vec<Option<Priced>>>,
    /// Currency of every price.
    pub currency: String,
}

impl PriceBook {
    /// The bundled catalog spread over `regions`.
    pub fn bundled(regions: &Regions) -> PriceBook {
        PriceBook::from_catalog(regions, Catalog::bundled()).0
    }

    /// Prices from `catalog`; the model's own meters in regions it lacks fall back to the
    /// bundled catalog. Also returns the (item, region) pairs that fell back.
    pub fn from_catalog(
        regions: &Regions,
        catalog: &Catalog,
    ) -> (PriceBook, Vec<(Item, RegionId)>) {
        let bundled = Catalog::bundled();
        // Region names are canonical once a catalog is parsed: an exact, indexed lookup.
        let (in_catalog, in_bundled) = (catalog.index(), bundled.index());
        let find = |c: &Catalog, at: &HashMap<(&str, &str), usize>, item: &str, region: &str| {
            at.get(&(item, region)).map(|&i| {
                let r = &c.rows[i];
                Priced {
                    value: r.price,
                    source: Source::Catalog {
                        label: c.label.clone(),
                        as_of: r.effective_date.clone(),
                        currency: r.currency.clone(),
                    },
                }
            })
        };
        let mut meters = Meters::builtin();
        for row in &catalog.rows {
            // Parsing checked every name and unit; a row of a catalog built by hand that
            // cannot be interned prices nothing.
            let _ = meters.intern(&row.item, &row.unit);
        }
        let mut missing = Vec::new();
        let mut table: Vec<Vec<Option<Priced>>> = Item::ALL
            .iter()
            .map(|&item| {
                let name = item.name();
                regions
                    .iter()
                    .map(|(id, region)| {
                        Some(
                            find(catalog, &in_catalog, &name, &region.name).unwrap_or_else(|| {
                                missing.push((item, id));
                                find(bundled, &in_bundled, &name, &region.name).unwrap_or(Priced {
                                    value: 0.0,
                                    source: Source::Scenario,
                                })
                            }),
                        )
                    })
                    .collect()
            })
            .collect();
        table.extend(meters.added().map(|meter| {
            let name = meters.name(meter);
            regions
                .iter()
                .map(|(_, region)| find(catalog, &in_catalog, name, &region.name))
                .collect()
        }));
        let currency = catalog.currency().unwrap_or("USD").to_string();
        (
            PriceBook {
                meters,
                table,
                currency,
            },
            missing,
        )
    }

    /// The price of `meter` in `region`. The model's own meters always have one; a meter a
    /// catalog adds is checked by [`PriceBook::find`] before it is used.
    pub fn get(&self, meter: impl Into<MeterId>, region: RegionId) -> &Priced {
        self.find(meter.into(), region)
            .expect("the model's meters are priced everywhere, others checked before use")
    }

    /// The price of `meter` in `region`, if the book has one.
    pub fn find(&self, meter: MeterId, region: RegionId) -> Option<&Priced> {
        self.table[meter.0 as usize][region.0 as usize].as_ref()
    }

    /// Sets `item` in `region` from the scenario.
    pub fn set(&mut self, item: Item, region: RegionId, value: f64) {
        self.table[item.index()][region.0 as usize] = Some(Priced {
            value,
            source: Source::Scenario,
        });
    }

    /// Sets `item` in every region from the scenario.
    pub fn set_everywhere(&mut self, item: Item, value: f64) {
        for p in &mut self.table[item.index()] {
            *p = Some(Priced {
                value,
                source: Source::Scenario,
            });
        }
    }
}

#[cfg(test)]
#[path = "prices_tests.rs"]
mod tests;
