//! The bundled price book (USD) with a source and "as of" date for every figure, and the
//! resolved [`PriceBook`] a scenario runs with. Every figure can be overridden from the
//! scenario's `[prices]` table; see `domain.md` section 6 for the evidence.

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

    fn index(self) -> usize {
        self as usize
    }
}

/// Standard HDD managed-disk tiers, the legacy billing model of the Lab Services admin guide.
#[allow(missing_docs)] // capacities in DiskTier::capacity_gib
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

    fn index(self) -> usize {
        self as usize
    }
}

/// One bundled figure and where it comes from.
#[derive(Debug, Clone, Copy)]
pub struct CatalogEntry {
    /// What is priced, as the scenario's `[prices]` key names it.
    pub item: &'static str,
    /// Which regions, tier or continent the figure applies to.
    pub scope: &'static str,
    /// Price in USD.
    pub price: f64,
    /// Unit of the price.
    pub unit: &'static str,
    /// Evidence (see domain.md section 6); "ours" marks a modelling assumption.
    pub source: &'static str,
    /// Date of the evidence.
    pub as_of: &'static str,
}

/// The bundled price catalog, in USD.
pub const BUNDLED: &[CatalogEntry] = &[
    CatalogEntry { item: "snapshot_gb_month", scope: "all regions", price: 0.05, unit: "GB-month", source: "Standard HDD LRS/ZRS snapshot, eastus and westeurope (Infracost golden data); other regions assumed equal (ours)", as_of: "2026-01" },
    CatalogEntry { item: "premium_snapshot_gb_month", scope: "all regions", price: 0.12, unit: "GB-month", source: "not documented by Microsoft; assumed (ours), override it", as_of: "2026-01" },
    CatalogEntry { item: "managed_disk_month", scope: "S4", price: 1.536, unit: "disk-month", source: "Standard HDD S4 LRS, eastus (test fixtures); admin guide rounds to 1.54", as_of: "2026-01" },
    CatalogEntry { item: "managed_disk_month", scope: "S6", price: 3.008, unit: "disk-month", source: "Standard HDD S6 LRS list price, eastus (ours, typical)", as_of: "2026-01" },
    CatalogEntry { item: "managed_disk_month", scope: "S10", price: 5.89, unit: "disk-month", source: "Standard HDD S10 LRS, westeurope (Infracost golden data)", as_of: "2024" },
    CatalogEntry { item: "managed_disk_month", scope: "S15", price: 11.328, unit: "disk-month", source: "Standard HDD S15 LRS list price, eastus (ours, typical)", as_of: "2026-01" },
    CatalogEntry { item: "managed_disk_month", scope: "S20", price: 21.76, unit: "disk-month", source: "Standard HDD S20 LRS list price, eastus (ours, typical)", as_of: "2026-01" },
    CatalogEntry { item: "managed_disk_month", scope: "S30", price: 40.96, unit: "disk-month", source: "Standard HDD S30 LRS list price, eastus (ours, typical)", as_of: "2026-01" },
    CatalogEntry { item: "egress_intra_continent_gb", scope: "north_america", price: 0.02, unit: "GB", source: "inter-region transfer within North America (3rd)", as_of: "2024" },
    CatalogEntry { item: "egress_intra_continent_gb", scope: "europe", price: 0.02, unit: "GB", source: "inter-region transfer within Europe (3rd)", as_of: "2024" },
    CatalogEntry { item: "egress_intra_continent_gb", scope: "asia", price: 0.08, unit: "GB", source: "within Asia (3rd)", as_of: "2024" },
    CatalogEntry { item: "egress_intra_continent_gb", scope: "oceania", price: 0.08, unit: "GB", source: "within Oceania (3rd)", as_of: "2024" },
    CatalogEntry { item: "egress_intra_continent_gb", scope: "middle_east_africa", price: 0.08, unit: "GB", source: "within Middle East & Africa (3rd)", as_of: "2024" },
    CatalogEntry { item: "egress_intra_continent_gb", scope: "south_america", price: 0.16, unit: "GB", source: "within South America (3rd)", as_of: "2024" },
    CatalogEntry { item: "egress_inter_continent_gb", scope: "north_america", price: 0.05, unit: "GB", source: "between continents, from North America (3rd)", as_of: "2024" },
    CatalogEntry { item: "egress_inter_continent_gb", scope: "europe", price: 0.05, unit: "GB", source: "between continents, from Europe (3rd)", as_of: "2024" },
    CatalogEntry { item: "egress_inter_continent_gb", scope: "asia", price: 0.08, unit: "GB", source: "not in domain.md; assumed equal to the intra-continent rate (ours)", as_of: "2024" },
    CatalogEntry { item: "egress_inter_continent_gb", scope: "oceania", price: 0.08, unit: "GB", source: "not in domain.md; assumed equal to the intra-continent rate (ours)", as_of: "2024" },
    CatalogEntry { item: "egress_inter_continent_gb", scope: "middle_east_africa", price: 0.08, unit: "GB", source: "not in domain.md; assumed equal to the intra-continent rate (ours)", as_of: "2024" },
    CatalogEntry { item: "egress_inter_continent_gb", scope: "south_america", price: 0.16, unit: "GB", source: "not in domain.md; assumed equal to the intra-continent rate (ours)", as_of: "2024" },
];

/// Resolved prices for one scenario: every lookup the model makes is an index, not a search.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceBook {
    /// Standard (LRS/ZRS) snapshot price per GB-month, by region index.
    pub snapshot_gb_month: Vec<f64>,
    /// Premium snapshot price per GB-month, by region index.
    pub premium_snapshot_gb_month: Vec<f64>,
    /// Monthly price per Standard HDD tier, indexed like [`DiskTier::ALL`].
    pub managed_disk_month: [f64; 6],
    /// Price per GB of a copy within the source's continent, by continent.
    pub egress_intra_continent_gb: [f64; 6],
    /// Price per GB of a copy to another continent, by the source's continent.
    pub egress_inter_continent_gb: [f64; 6],
}

impl PriceBook {
    /// The bundled catalog spread over `regions`.
    pub fn bundled(regions: &Regions) -> PriceBook {
        let first = |item: &str| {
            BUNDLED
                .iter()
                .find(|e| e.item == item)
                .map(|e| e.price)
                .expect("bundled item")
        };
        let scoped = |item: &str, scope: &str| {
            BUNDLED
                .iter()
                .find(|e| e.item == item && e.scope == scope)
                .map(|e| e.price)
                .expect("bundled item and scope")
        };
        PriceBook {
            snapshot_gb_month: vec![first("snapshot_gb_month"); regions.len()],
            premium_snapshot_gb_month: vec![first("premium_snapshot_gb_month"); regions.len()],
            managed_disk_month: DiskTier::ALL.map(|t| scoped("managed_disk_month", t.name())),
            egress_intra_continent_gb: Continent::ALL
                .map(|c| scoped("egress_intra_continent_gb", c.name())),
            egress_inter_continent_gb: Continent::ALL
                .map(|c| scoped("egress_inter_continent_gb", c.name())),
        }
    }

    /// Monthly price of one disk of `tier`.
    pub fn disk_month(&self, tier: DiskTier) -> f64 {
        self.managed_disk_month[tier.index()]
    }

    /// Sets the monthly price of `tier`.
    pub fn set_disk_month(&mut self, tier: DiskTier, price: f64) {
        self.managed_disk_month[tier.index()] = price;
    }

    /// Price per GB of copying from a region on `from` to a region on `to`.
    pub fn egress_gb(&self, from: Continent, to: Continent) -> f64 {
        if from == to {
            self.egress_intra_continent_gb[from.index()]
        } else {
            self.egress_inter_continent_gb[from.index()]
        }
    }

    /// Sets the intra- (`inter == false`) or inter-continent price for copies from `from`.
    pub fn set_egress_gb(&mut self, from: Continent, inter: bool, price: f64) {
        let table = if inter {
            &mut self.egress_inter_continent_gb
        } else {
            &mut self.egress_intra_continent_gb
        };
        table[from.index()] = price;
    }

    /// Snapshot price per GB-month in `region`, premium or standard.
    pub fn snapshot(&self, region: RegionId, premium: bool) -> f64 {
        let table = if premium {
            &self.premium_snapshot_gb_month
        } else {
            &self.snapshot_gb_month
        };
        table[region.0 as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let eastus = regions.find("eastus").unwrap();
        assert_eq!(book.snapshot(eastus, false), 0.05);
        assert_eq!(book.disk_month(DiskTier::S4), 1.536);
        assert_eq!(book.disk_month(DiskTier::S10), 5.89);
        use Continent::*;
        assert_eq!(book.egress_gb(NorthAmerica, NorthAmerica), 0.02);
        assert_eq!(book.egress_gb(Europe, Europe), 0.02);
        assert_eq!(book.egress_gb(Asia, Asia), 0.08);
        assert_eq!(book.egress_gb(SouthAmerica, SouthAmerica), 0.16);
        assert_eq!(book.egress_gb(NorthAmerica, Europe), 0.05);
        assert_eq!(book.egress_gb(Europe, Asia), 0.05);
    }
}
