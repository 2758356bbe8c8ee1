//! The 57 public Azure regions in 30 geographies (MicrosoftDocs/reliability-docs
//! regions-list.md, 2026-08), embedded from `data/azure-regions.csv`.

use std::sync::OnceLock;

use super::Continent;

const REGIONS_CSV: &str = include_str!("../../data/azure-regions.csv");

/// Index of a region in the bundled catalog.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct RegionId(pub u16);

/// One Azure region.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// ARM name, e.g. `eastus`.
    pub name: String,
    /// Display name, e.g. `East US`.
    pub display_name: String,
    /// Geography, e.g. `United States`; lab accounts replicate geography-wide.
    pub geography: String,
    /// Continent, which picks the intra- or inter-continent transfer price.
    pub continent: Continent,
    /// Whether the region has availability zones.
    pub availability_zones: bool,
    /// Restricted-access regions need an access request; lab accounts skip them.
    pub restricted: bool,
    /// The paired region's ARM name (may be empty).
    pub paired_region: String,
}

/// The region catalog, in file order (grouped by geography).
#[derive(Debug, Clone)]
pub struct Regions {
    regions: Vec<Region>,
}

/// A region catalog that does not parse.
#[derive(Debug, thiserror::Error)]
pub enum RegionsError {
    /// A malformed row.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// A continent egress prices do not know.
    #[error("unknown continent `{0}`")]
    Continent(String),
}

impl Regions {
    /// The geography a name designates, case-insensitively, with the aliases `us`/`usa`,
    /// `eu` and `uk`.
    pub fn geography_named(&self, name: &str) -> Option<String> {
        let wanted = match name.to_ascii_lowercase().as_str() {
            "us" | "usa" => "United States".to_string(),
            "eu" => "Europe".to_string(),
            "uk" => "United Kingdom".to_string(),
            _ => name.to_string(),
        };
        self.iter()
            .map(|(_, r)| r.geography.clone())
            .find(|g| g.eq_ignore_ascii_case(&wanted))
    }

    /// The bundled catalog, parsed once.
    pub fn bundled() -> &'static Regions {
        static CATALOG: OnceLock<Regions> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Regions::parse(REGIONS_CSV).expect("bundled data/azure-regions.csv is valid")
        })
    }

    /// Parses a catalog in the format of `data/azure-regions.csv`.
    pub fn parse(text: &str) -> Result<Regions, RegionsError> {
        #[derive(serde::Deserialize)]
        struct Row {
            region: String,
            display_name: String,
            geography: String,
            continent: String,
            availability_zones: bool,
            restricted_access: bool,
            paired_region: String,
        }
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut regions = Vec::new();
        for row in reader.deserialize::<Row>() {
            let row = row?;
            let continent = Continent::parse(&row.continent)
                .ok_or_else(|| RegionsError::Continent(row.continent.clone()))?;
            regions.push(Region {
                name: row.region,
                display_name: row.display_name,
                geography: row.geography,
                continent,
                availability_zones: row.availability_zones,
                restricted: row.restricted_access,
                paired_region: row.paired_region,
            });
        }
        Ok(Regions { regions })
    }

    /// Looks a region up by ARM name (case-insensitive, as Azure treats them).
    pub fn find(&self, name: &str) -> Option<RegionId> {
        self.regions
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(name))
            .map(|i| RegionId(i as u16))
    }

    /// The region behind an id.
    pub fn get(&self, id: RegionId) -> &Region {
        &self.regions[id.0 as usize]
    }

    /// All regions with their ids, in catalog order.
    pub fn iter(&self) -> impl Iterator<Item = (RegionId, &Region)> {
        self.regions
            .iter()
            .enumerate()
            .map(|(i, r)| (RegionId(i as u16), r))
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// True for an empty catalog.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Non-restricted regions of `id`'s geography in catalog order, `id` itself always
    /// included: where a lab account replicates a version created in `id`.
    pub fn geography_targets(&self, id: RegionId) -> Vec<RegionId> {
        let geography = &self.get(id).geography;
        self.iter()
            .filter(|(rid, r)| &r.geography == geography && (!r.restricted || *rid == id))
            .map(|(rid, _)| rid)
            .collect()
    }

    /// Up to `n` region names closest in spelling to `name`, for "did you mean" hints.
    pub fn suggest(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        let mut scored: Vec<(usize, &str)> = self
            .regions
            .iter()
            .map(|r| (edit_distance(&name, &r.name), r.name.as_str()))
            .filter(|(d, _)| *d <= 3)
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, n)| n).collect()
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_catalog_has_57_regions_in_30_geographies() {
        let regions = Regions::bundled();
        assert_eq!(regions.len(), 57);
        let mut geos: Vec<&str> = regions.iter().map(|(_, r)| r.geography.as_str()).collect();
        geos.sort();
        geos.dedup();
        assert_eq!(geos.len(), 30);
    }

    #[test]
    fn us_geography_has_nine_lab_account_targets() {
        let regions = Regions::bundled();
        let eastus = regions.find("eastus").unwrap();
        assert_eq!(regions.geography_targets(eastus).len(), 9);
    }

    #[test]
    fn restricted_regions_are_skipped_unless_home() {
        let regions = Regions::bundled();
        let norway_east = regions.find("norwayeast").unwrap();
        let norway_west = regions.find("norwaywest").unwrap();
        assert!(regions.get(norway_west).restricted);
        assert_eq!(regions.geography_targets(norway_east), vec![norway_east]);
        assert_eq!(regions.geography_targets(norway_west).len(), 2);
    }

    #[test]
    fn suggestions_catch_typos() {
        assert_eq!(Regions::bundled().suggest("eastsu")[0], "eastus");
        assert_eq!(
            Regions::bundled().find("EastUS"),
            Regions::bundled().find("eastus")
        );
    }
}
