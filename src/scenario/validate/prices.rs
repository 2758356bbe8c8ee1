//! `[prices]` and the price catalog: the scenario's price book and its currency.

use std::collections::HashSet;
use std::sync::Arc;

use toml::Value;

use super::super::values::{invalid, price_value, with, Invalid, Result};
use super::Builder;
use crate::catalog::prices::{Catalog, Item, Priced, Source};
use crate::catalog::{Continent, DiskTier, PriceBook, RegionId};
use crate::key_path;
use crate::scenario::meters::{image_meters, Meter};
use crate::scenario::raw::{RawScenario, StorageBilling};
use crate::scenario::{CatalogInput, CatalogText, Cell, Gallery, Image, Inputs, WarningCode};

/// The bundled premium snapshot price where none is published (data/README.md): an
/// assumption, warned about when used.
const ASSUMED_PREMIUM_SNAPSHOT: f64 = 0.12;

impl Builder<'_> {
    /// Warns when premium storage is priced with the bundled premium snapshot rate. Premium
    /// snapshot prices are published per region (Retail Prices API, 2026); only the bundled
    /// fallback is an assumption worth a warning.
    fn premium_assumption(&mut self, used: &[Meter], prices: &PriceBook) {
        let bundled_label = &Catalog::bundled().label;
        if used.iter().any(|&(item, region)| {
            item == Item::PremiumSnapshot
                && matches!(
                    prices.get(item, region),
                    Priced { value, source: Source::Catalog { label, .. } }
                        if label == bundled_label && *value == ASSUMED_PREMIUM_SNAPSHOT
                )
        }) {
            self.warn(
                WarningCode::PremiumPriceUndocumented,
                "premium_lrs storage is priced with the bundled premium snapshot rate, which Microsoft does not document: set [prices] premium_snapshot_gb_month".to_string(),
            );
        }
    }

    /// The price catalog: given (`--prices`, a partial's), or the file `[prices] catalog`
    /// names, as read with the scenario; None: the bundled one.
    pub(super) fn catalog(
        &self,
        raw: &RawScenario,
        inputs: &Inputs,
    ) -> Result<Option<Arc<CatalogText>>> {
        let at = key_path!["prices", "catalog"];
        let file = match (&self.catalog, &raw.prices.catalog) {
            (CatalogInput::Given(Some(given)), _) => return Ok(Some(given.clone())),
            (_, None) => return Ok(None),
            (CatalogInput::Given(None), Some(_)) => None,
            (CatalogInput::Named, Some(path)) => inputs.file(&self.dir.join(path)),
        };
        match file.map(|f| &f.read) {
            None => invalid(
                at,
                "names a price catalog, but its text was not given with the scenario",
            ),
            Some(Ok(catalog)) => Ok(Some(catalog.clone())),
            Some(Err(e)) => invalid(at, format!("price catalog: {e}")),
        }
    }

    /// The price book: the catalog (else the bundled one), then the scenario's own figures on
    /// top.
    pub(super) fn prices(
        &self,
        raw: &RawScenario,
        catalog: Option<&CatalogText>,
    ) -> Result<PriceBook> {
        let p = &raw.prices;
        let base = key_path!["prices"];
        let mut book = match catalog {
            None => PriceBook::bundled(self.regions),
            Some(given) => {
                let at = with(&base, "catalog");
                let label = &given.label;
                // Every row is checked as it is read, its region included.
                let catalog =
                    Catalog::parse(&given.text, label, self.regions).map_err(|e| Invalid {
                        path: at.clone(),
                        message: format!("price catalog {label} {e}"),
                    })?;
                // Gaps are checked against what the scenario uses, in `one_currency`.
                PriceBook::from_catalog(self.regions, &catalog).0
            }
        };
        for (value, key, items) in [
            (
                &p.snapshot_gb_month,
                "snapshot_gb_month",
                &[Item::Snapshot, Item::ZrsSnapshot][..],
            ),
            (
                &p.premium_snapshot_gb_month,
                "premium_snapshot_gb_month",
                &[Item::PremiumSnapshot][..],
            ),
        ] {
            let Some(value) = value else { continue };
            let path = with(&base, key);
            match value {
                Value::Table(entries) => {
                    for (region, price) in entries {
                        let at = with(&path, region.as_str());
                        let id = self.region(region, at.clone())?;
                        let price = price_value(price, at)?;
                        items.iter().for_each(|&item| book.set(item, id, price));
                    }
                }
                other => {
                    let price = price_value(other, path)?;
                    items
                        .iter()
                        .for_each(|&item| book.set_everywhere(item, price));
                }
            }
        }
        if let Some(tiers) = &p.managed_disk_month {
            let path = with(&base, "managed_disk_month");
            for (tier, price) in tiers {
                let at = with(&path, tier.as_str());
                let Some(t) = DiskTier::parse(tier) else {
                    return invalid(at, "unknown tier: use S4, S6, S10, S15, S20 or S30");
                };
                book.set_everywhere(Item::Disk(t), price_value(price, at)?);
            }
        }
        for (value, key, item) in [
            (
                &p.egress_intra_continent_gb,
                "egress_intra_continent_gb",
                Item::EgressIntra,
            ),
            (
                &p.egress_inter_continent_gb,
                "egress_inter_continent_gb",
                Item::EgressInter,
            ),
        ] {
            let Some(value) = value else { continue };
            let path = with(&base, key);
            match value {
                Value::Table(entries) => {
                    for (continent, price) in entries {
                        let at = with(&path, continent.as_str());
                        let Some(c) = Continent::parse(continent) else {
                            let names: Vec<_> = Continent::ALL.iter().map(|c| c.name()).collect();
                            return invalid(
                                at,
                                format!("unknown continent: use {}", names.join(", ")),
                            );
                        };
                        let price = price_value(price, at)?;
                        for (id, r) in self.regions.iter() {
                            if r.continent == c {
                                book.set(item, id, price);
                            }
                        }
                    }
                }
                other => book.set_everywhere(item, price_value(other, path)?),
            }
        }
        Ok(book)
    }

    /// The prices the scenario's replicas and copies use. One currency per run: every one
    /// must be in the run's currency. A price that fell back to the bundled catalog in another
    /// currency is an error listing every such (item, region) and how to supply it; a fallback
    /// in the same currency is a warning listing only the prices used. Premium storage priced
    /// at the bundled, undocumented rate is a warning.
    #[allow(clippy::too_many_arguments)] // the validated pieces it checks together
    pub(super) fn prices_used(
        &mut self,
        currency: &str,
        prices: &PriceBook,
        galleries: &[Gallery],
        images: &[Image],
        cells: &[Cell],
        from_catalog: bool,
        billing: StorageBilling,
    ) -> Result<()> {
        let mut used: Vec<Meter> = Vec::new();
        let mut seen = HashSet::new();
        for image in images {
            let meters = image_meters(self.regions, billing, galleries, cells, image);
            for pair in meters.all() {
                if seen.insert(pair) {
                    used.push(pair);
                }
            }
        }
        self.premium_assumption(&used, prices);
        let bundled_label = &crate::catalog::prices::Catalog::bundled().label;
        let mut foreign = Vec::new();
        let mut missing: Vec<(Item, RegionId)> = Vec::new();
        let mut fallback = Vec::new();
        for &(item, region) in &used {
            if let Source::Catalog {
                label, currency: c, ..
            } = &prices.get(item, region).source
            {
                let name = format!("{} in {}", item.name(), self.regions.get(region).name);
                if c != currency {
                    foreign.push(name);
                    missing.push((item, region));
                } else if from_catalog && label == bundled_label {
                    fallback.push(name);
                }
            }
        }
        let list = |names: &[String]| crate::error::first_of(names, 12);
        if !foreign.is_empty() {
            let source = if from_catalog {
                "the price catalog"
            } else {
                "the scenario"
            };
            return invalid(
                key_path!["prices"],
                format!(
                    "the run is in {currency}, but {source} has no {currency} price for {} ({} used by this scenario); the bundled {} figures cannot be mixed in. Set them in [prices] in {currency}, e.g.\n{}\nor import a fuller catalog (`gallerysim prices import`, README \"Refreshing prices\")",
                    list(&foreign),
                    foreign.len(),
                    prices_bundled_currency(),
                    prices_example(&missing, self.regions)
                ),
            );
        }
        if !fallback.is_empty() {
            self.warn(
                WarningCode::CatalogGaps,
                format!(
                    "the price catalog has no {}; the bundled figure is used for each (see prices_used.csv)",
                    list(&fallback)
                ),
            );
        }
        Ok(())
    }
}

pub(super) fn prices_bundled_currency() -> &'static str {
    crate::catalog::prices::Catalog::bundled()
        .currency()
        .unwrap_or("USD")
}

/// `[prices]` lines that would give the missing prices, with `PRICE` where the figure goes:
/// a table by region for snapshot prices, one figure for egress and managed disk tiers.
fn prices_example(missing: &[(Item, RegionId)], regions: &crate::catalog::Regions) -> String {
    let mut lines: Vec<(String, Vec<&str>)> = Vec::new();
    for &(item, region) in missing {
        // `[prices] snapshot_gb_month` sets the ZRS snapshot price too.
        let key = match item {
            Item::ZrsSnapshot => Item::Snapshot.name(),
            other => other.name(),
        };
        let by_region = matches!(
            item,
            Item::Snapshot | Item::ZrsSnapshot | Item::PremiumSnapshot
        );
        let name = regions.get(region).name.as_str();
        match lines.iter_mut().find(|(k, _)| *k == key) {
            Some((_, names)) if by_region && !names.contains(&name) => names.push(name),
            Some(_) => {}
            None => lines.push((key, if by_region { vec![name] } else { Vec::new() })),
        }
    }
    lines
        .iter()
        .map(|(key, names)| match names.is_empty() {
            true => format!("  {key} = PRICE"),
            false => {
                let entries: Vec<String> = names.iter().map(|n| format!("{n} = PRICE")).collect();
                format!("  {key} = {{ {} }}", entries.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
