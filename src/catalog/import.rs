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
//! (reported), and the newest effective date wins. Two items still equal on all of these
//! with different prices are an error naming both: neither wins silently. Every kept price
//! is checked (0 to the price limit, a date, and a `unitOfMeasure` read exactly: a positive
//! whole number and the item's unit, `1 GB/Month`, `100 GB/Month`, `1/Month`, `1 GB`); a
//! rejected item is reported, never written.
//!
//! Pages are read one at a time ([`Importer::add_page`]) and only the best item per (item,
//! region or continent) is kept, so an import needs the memory of one page, not of all.

use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::prices::{is_currency_code, is_date, Catalog, CatalogRow, DiskTier, Item, MAX_PRICE};
use super::Continent;
use super::{RegionId, Regions};
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
    /// Regions in the pages that the simulator does not know (skipped), sorted. This list and
    /// the two below keep at most 1,000 entries; a last `... and N more (not listed)` counts
    /// the rest.
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

/// Where a price applies: the item's own region, or every region of a continent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Scope {
    /// One region.
    Region(RegionId),
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

/// Where an item's price applies: its region when that is a known region (matched whatever
/// its case); for Bandwidth, else the continent in `armRegionName` or at the end of
/// `productName` (`... - North America`).
fn scope(item: &ApiItem, kind: Item, regions: &Regions) -> Option<Scope> {
    if let Some(id) = regions.find(&item.arm_region_name) {
        return Some(Scope::Region(id));
    }
    if !matches!(kind, Item::EgressIntra | Item::EgressInter) {
        return None;
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

/// Which catalog item an API item is, if any, by its service, product and meter. The unit is
/// checked afterwards ([`quantity`]): a needed meter in a unit we do not read is rejected and
/// reported, never skipped silently.
fn classify(item: &ApiItem) -> Option<Item> {
    meter_item(&item.service_name, &item.product_name, &item.meter_name)
}

/// Which catalog item a meter is, by its service (a bill's `MeterCategory`), product (a bill's
/// `MeterSubCategory`) and meter name: one mapping for price pages and bills.
pub(crate) fn meter_item(service: &str, product: &str, meter: &str) -> Option<Item> {
    match service {
        "Storage" => {
            let standard_hdd = product == "Standard HDD Managed Disks";
            match meter {
                "LRS Snapshots" if standard_hdd => Some(Item::Snapshot),
                "ZRS Snapshots" if standard_hdd => Some(Item::ZrsSnapshot),
                "LRS Snapshots" if product == "Premium SSD Managed Disks" => {
                    Some(Item::PremiumSnapshot)
                }
                meter if standard_hdd => meter
                    .strip_suffix(" LRS Disk")
                    .or_else(|| meter.strip_suffix(" Disks"))
                    .and_then(DiskTier::parse)
                    .map(Item::Disk),
                _ => None,
            }
        }
        "Bandwidth" => {
            if meter == "Standard Inter-Region Data Transfer"
                || meter.starts_with("Intra Continent Data Transfer Out")
            {
                Some(Item::EgressIntra)
            } else if meter.starts_with("Inter Continent Data Transfer Out") {
                Some(Item::EgressInter)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The unit of measure an item is priced in, after the quantity: ` GB/Month` for snapshots,
/// `/Month` (or ` /Month`, as billing exports write it) for disks, ` GB` for transfer.
fn unit_forms(item: Item) -> &'static [&'static str] {
    match item {
        Item::Snapshot | Item::ZrsSnapshot | Item::PremiumSnapshot => &[" GB/Month"],
        Item::Disk(_) => &["/Month", " /Month"],
        Item::EgressIntra | Item::EgressInter => &[" GB"],
    }
}

/// The quantity a `unitOfMeasure` prices for `item`, parsed exactly: a positive whole number
/// without sign, exponent or leading zero (`1`, `10`, `100`), then the item's unit
/// (`1 GB/Month`, `100 GB/Month`, `1/Month`, `1 GB`). Anything else is None.
pub(crate) fn quantity(unit: &str, item: Item) -> Option<u32> {
    let digits = unit.bytes().take_while(u8::is_ascii_digit).count();
    let (number, rest) = unit.split_at(digits);
    if number.is_empty() || number.len() > 9 || number.starts_with('0') {
        return None;
    }
    if !unit_forms(item).contains(&rest) {
        return None;
    }
    number.parse().ok()
}

/// Longest list of unknown regions, unused meters or rejections kept: the rest are counted.
/// Bounds the memory of an import whatever the number of pages.
const LIST_LIMIT: usize = 1000;

/// A list of distinct names or messages, at most [`LIST_LIMIT`] kept; what comes after is
/// only counted (repeats included, as remembering them would take the memory this saves).
#[derive(Debug, Default)]
struct Bounded {
    kept: Vec<String>,
    seen: HashSet<String>,
    more: usize,
}

impl Bounded {
    /// Adds `entry` unless it is already listed.
    fn add(&mut self, entry: String) {
        if self.seen.contains(&entry) {
            return;
        }
        if self.kept.len() < LIST_LIMIT {
            self.seen.insert(entry.clone());
            self.kept.push(entry);
        } else {
            self.more += 1;
        }
    }

    /// The entries (sorted when asked), with a last line counting those not kept.
    fn into_vec(self, sorted: bool) -> Vec<String> {
        let mut kept = self.kept;
        if sorted {
            kept.sort();
        }
        if self.more > 0 {
            kept.push(format!("... and {} more (not listed)", self.more));
        }
        kept
    }
}

/// A price item that may give one (region, item) of the catalog.
#[derive(Debug)]
struct Candidate {
    /// The page it was read from.
    file: String,
    primary: bool,
    tier: f64,
    /// Where it was read, e.g. `page.json item 3 (LRS Snapshots in eastus)`.
    source: String,
    row: CatalogRow,
}

impl Candidate {
    /// Larger is better within one scope: a primary row, the lowest tier, the newest date.
    fn rank(&self) -> (bool, std::cmp::Reverse<u64>, &str) {
        (
            self.primary,
            std::cmp::Reverse(self.tier.max(0.0) as u64),
            self.row.effective_date.as_str(),
        )
    }
}

/// The best candidate of one (item, scope) so far, and an item of the same rank with another
/// price if one was read: neither may win silently.
#[derive(Debug)]
struct Best {
    candidate: Candidate,
    rival: Option<Candidate>,
}

/// An import in progress: pages are added one at a time and only the best candidate per
/// (item, scope) is kept, so memory is bounded by one page, not by the sum of the pages.
#[derive(Debug)]
pub struct Importer<'r> {
    regions: &'r Regions,
    options: Options,
    /// The currency and the file it was first seen in.
    currency: Option<(String, String)>,
    best: HashMap<(Item, Scope), Best>,
    items_read: usize,
    unknown_regions: Bounded,
    unused_bandwidth: Bounded,
    rejected: Bounded,
    saw_last_page: bool,
}

impl<'r> Importer<'r> {
    /// An empty import against `regions`.
    pub fn new(regions: &'r Regions, options: Options) -> Importer<'r> {
        Importer {
            regions,
            options,
            currency: None,
            best: HashMap::new(),
            items_read: 0,
            unknown_regions: Bounded::default(),
            unused_bandwidth: Bounded::default(),
            rejected: Bounded::default(),
            saw_last_page: false,
        }
    }

    /// Checks that `code` is the currency of every page so far.
    fn check_currency(&mut self, file: &str, code: &str, key: &str) -> Result<(), InputError> {
        let error = |message: String| InputError {
            file: file.to_string(),
            line: None,
            column: None,
            key: Some(key.to_string()),
            message,
        };
        if !is_currency_code(code) {
            return Err(error(format!(
                "currency `{code}` is not an ISO 4217 code (three capital letters, e.g. USD or EUR)"
            )));
        }
        match &self.currency {
            Some((first, first_file)) if first != code => Err(error(format!(
                "currency {code} differs from {first} in {first_file}: import pages of one currency at a time"
            ))),
            Some(_) => Ok(()),
            None => {
                self.currency = Some((code.to_string(), file.to_string()));
                Ok(())
            }
        }
    }

    /// Reads one page (`file` names it in messages); nothing of its text is kept.
    pub fn add_page(&mut self, file: &str, text: &str) -> Result<(), InputError> {
        let page: Page = serde_json::from_str(text).map_err(|e| InputError {
            file: file.to_string(),
            line: Some(e.line()),
            column: Some(e.column()),
            key: None,
            message: format!("not an Azure Retail Prices API page: {e}"),
        })?;
        self.saw_last_page |= page.next_page_link.as_deref().is_none_or(str::is_empty);
        if let Some(code) = &page.billing_currency {
            self.check_currency(file, code, "BillingCurrency")?;
        }
        for (index, item) in page.items.into_iter().enumerate() {
            self.items_read += 1;
            self.check_currency(file, &item.currency_code, "Items[].currencyCode")?;
            self.add_item(file, index, item);
        }
        Ok(())
    }

    /// Classifies, checks and ranks one item.
    fn add_item(&mut self, file: &str, index: usize, item: ApiItem) {
        if item.price_type != "Consumption" {
            return;
        }
        let Some(kind) = classify(&item) else {
            if item.service_name == "Bandwidth" {
                self.unused_bandwidth
                    .add(format!("{} ({})", item.meter_name, item.product_name));
            }
            return;
        };
        if item.retail_price == 0.0 && !self.options.include_zero {
            return;
        }
        let Some(scope) = scope(&item, kind, self.regions) else {
            self.unknown_regions.add(item.arm_region_name.clone());
            return;
        };
        let source = format!(
            "{file} item {index} ({} in {})",
            item.meter_name, item.arm_region_name
        );
        let Some(size) = quantity(&item.unit_of_measure, kind) else {
            let forms: Vec<String> = unit_forms(kind)
                .iter()
                .map(|form| format!("`N{form}`"))
                .collect();
            self.rejected.add(format!(
                "{source}: unit of measure `{}` is not understood: {} is priced per {} with N a whole number from 1",
                item.unit_of_measure,
                kind.name(),
                forms.join(" or ")
            ));
            return;
        };
        let price = item.retail_price / f64::from(size);
        if !(0.0..=MAX_PRICE).contains(&price) {
            self.rejected.add(format!(
                "{source}: price {:?} is not 0 to {MAX_PRICE}",
                item.retail_price
            ));
            return;
        }
        // `2026-07-01T00:00:00Z`: the catalog keeps the day, checked by the catalog's rule.
        let stamp = item.effective_start_date.as_str();
        let date = stamp.get(..10).unwrap_or(stamp).to_string();
        if !is_date(&date) || !(stamp.len() == 10 || stamp[10..].starts_with('T')) {
            self.rejected.add(format!(
                "{source}: effective date `{}` is not a date",
                item.effective_start_date
            ));
            return;
        }
        let candidate = Candidate {
            file: file.to_string(),
            primary: item.is_primary_meter_region,
            tier: item.tier_minimum_units,
            source,
            row: CatalogRow {
                region: String::new(),
                item: kind.name(),
                price,
                unit: kind.unit().to_string(),
                currency: item.currency_code,
                meter_name: item.meter_name,
                effective_date: date,
                product_name: item.product_name,
            },
        };
        match self.best.entry((kind, scope)) {
            Entry::Vacant(slot) => {
                slot.insert(Best {
                    candidate,
                    rival: None,
                });
            }
            Entry::Occupied(mut slot) => {
                let best = slot.get_mut();
                match candidate.rank().cmp(&best.candidate.rank()) {
                    Ordering::Greater => {
                        *best = Best {
                            candidate,
                            rival: None,
                        }
                    }
                    Ordering::Equal
                        if best.rival.is_none()
                            && candidate.row.price != best.candidate.row.price =>
                    {
                        best.rival = Some(candidate);
                    }
                    _ => {}
                }
            }
        }
    }

    /// The catalog of the pages read: per region of the region list and item, the region's
    /// own best price, else its continent's. Two items of equal rank with different prices
    /// for a price the catalog would hold are an error naming both.
    pub fn finish(self) -> Result<Imported, InputError> {
        let mut rows = Vec::new();
        let mut missing = Vec::new();
        let mut regions_absent = Vec::new();
        let mut notes = Vec::new();
        let mut conflicts: Vec<(String, String)> = Vec::new();
        let mut conflicted: HashSet<(Item, Scope)> = HashSet::new();
        for (id, region) in self.regions.iter() {
            let mut lacking = Vec::new();
            for item in Item::ALL {
                let found = [Scope::Region(id), Scope::Continent(region.continent)]
                    .into_iter()
                    .find_map(|scope| self.best.get(&(item, scope)).map(|b| (scope, b)));
                let Some((scope, best)) = found else {
                    lacking.push(item.name());
                    continue;
                };
                let chosen = &best.candidate;
                if let Some(rival) = &best.rival {
                    if conflicted.insert((item, scope)) {
                        let what = match scope {
                            Scope::Region(_) => format!("{} in {}", item.name(), region.name),
                            Scope::Continent(k) => {
                                format!("{} of the {} continent", item.name(), k.name())
                            }
                        };
                        conflicts.push((
                            chosen.file.clone(),
                            format!(
                                "{what}: {} gives {} and {} gives {}",
                                chosen.source, chosen.row.price, rival.source, rival.row.price
                            ),
                        ));
                    }
                    continue;
                }
                if chosen.tier > 0.0 {
                    notes.push(format!(
                        "{} in {}: first non-zero tier, from {} units ({})",
                        item.name(),
                        region.name,
                        chosen.tier,
                        chosen.row.meter_name
                    ));
                }
                if !chosen.primary {
                    notes.push(format!(
                        "{} in {}: from a non-primary meter region row (no primary row covers it)",
                        item.name(),
                        region.name
                    ));
                }
                if let Scope::Continent(k) = scope {
                    let note = format!(
                        "{} from the {} continent meter ({}) applied to its regions",
                        item.name(),
                        k.name(),
                        chosen.row.product_name
                    );
                    if !notes.contains(&note) {
                        notes.push(note);
                    }
                }
                let mut row = chosen.row.clone();
                row.region.clone_from(&region.name);
                rows.push(row);
            }
            if lacking.len() == Item::ALL.len() {
                regions_absent.push(region.name.clone());
            } else if !lacking.is_empty() {
                missing.push((region.name.clone(), lacking));
            }
        }
        if let Some((file, _)) = conflicts.first() {
            let listed: Vec<&str> = conflicts.iter().take(12).map(|(_, c)| c.as_str()).collect();
            let more = conflicts.len().saturating_sub(listed.len());
            return Err(InputError {
                file: file.clone(),
                line: None,
                column: None,
                key: Some("Items[].retailPrice".to_string()),
                message: format!(
                    "items of equal rank (same scope, primary flag, tier and effective date) give different prices, and neither may win silently:\n  - {}{}\nImport only the pages of one price list, or remove one of the items",
                    listed.join("\n  - "),
                    if more > 0 {
                        format!("\n  - ... and {more} more")
                    } else {
                        String::new()
                    }
                ),
            });
        }
        if !rows.is_empty() && !rows.iter().any(|r| r.item == Item::EgressInter.name()) {
            notes.push(format!(
                "no inter-continent transfer price in these pages (none is published today): runs use egress_inter_continent_gb from {} ({}); in another currency set [prices] egress_inter_continent_gb",
                Catalog::bundled().label,
                Catalog::bundled().currency().unwrap_or("USD"),
            ));
        }
        let unknown_regions = self.unknown_regions.into_vec(true);
        let catalog = Catalog {
            label: "imported".to_string(),
            rows,
        };
        // What we write, `run` must accept.
        Catalog::parse(
            &String::from_utf8_lossy(&catalog.to_csv()),
            "imported",
            self.regions,
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
            items_read: self.items_read,
            missing,
            regions_absent,
            unknown_regions,
            truncated: !self.saw_last_page,
            notes,
            unused_bandwidth: self.unused_bandwidth.into_vec(false),
            rejected: self.rejected.into_vec(false),
        })
    }
}

/// Imports `pages` (file name and text) into a catalog: [`Importer`] over a list.
pub fn import(
    pages: &[(String, String)],
    regions: &Regions,
    options: Options,
) -> Result<Imported, InputError> {
    let mut importer = Importer::new(regions, options);
    for (file, text) in pages {
        importer.add_page(file, text)?;
    }
    importer.finish()
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
