//! Calibration: each image's occupied size (`used_gb`, what snapshot storage is billed on)
//! inferred from the bill, `GB-months / (replicas x months present)`.
//!
//! A pure function of the billed uses and of the replicas each image version keeps in each
//! region, given as a closure: it does not depend on how a scenario stores replica counts.

use std::collections::BTreeMap;

use crate::catalog::{RegionId, Regions};
use crate::scenario::Scenario;

/// The snapshot storage of one image version in one region and month, as billed.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionUse {
    /// Image definition name.
    pub image: String,
    /// Version name.
    pub version: String,
    /// Region of the replicas.
    pub region: RegionId,
    /// 0-based billing month.
    pub month: usize,
    /// GB-months billed.
    pub gb_months: f64,
    /// The part of the month the version was billed (days with a row / days of the month).
    pub months_present: f64,
}

/// The size inferred for one image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSize {
    /// Image name (as the scenario writes it when it has the image).
    pub image: String,
    /// Inferred occupied size, GB: `gb_months / replica_months`.
    pub used_gb: f64,
    /// GB-months billed (the explained ones).
    pub gb_months: f64,
    /// Replicas x months present, summed.
    pub replica_months: f64,
    /// Each version's own size, in version order of first billing month.
    pub versions: Vec<(String, f64)>,
}

impl ImageSize {
    /// Whether its versions were billed at different sizes (more than 0.1 GB apart).
    pub fn varies(&self) -> bool {
        let sizes = self.versions.iter().map(|v| v.1);
        let lo = sizes.clone().fold(f64::INFINITY, f64::min);
        let hi = sizes.fold(f64::NEG_INFINITY, f64::max);
        hi - lo > 0.1
    }
}

/// The result of a calibration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Calibration {
    /// Images with at least one explained use, by name.
    pub images: Vec<ImageSize>,
    /// Uses the replica counts cannot explain (an image the scenario lacks, a region where it
    /// keeps no replica), one line each: never dropped silently.
    pub unexplained: Vec<String>,
}

/// Infers each image's size from `uses`. `replicas(image, version, region)` is the number of
/// replicas the version keeps in the region (0: none there) with the image's name as the
/// scenario spells it (the bill may differ in case); None when the scenario has no such image.
pub fn calibrate(
    uses: &[VersionUse],
    regions: &Regions,
    replicas: impl Fn(&str, &str, RegionId) -> Option<(String, u32)>,
) -> Calibration {
    #[derive(Default)]
    struct Sums {
        gb_months: f64,
        replica_months: f64,
    }
    // Per image, per version (with the first month it was billed): sums.
    let mut per_image: BTreeMap<String, BTreeMap<String, (usize, Sums)>> = BTreeMap::new();
    let mut unexplained = Vec::new();
    for u in uses {
        match replicas(&u.image, &u.version, u.region) {
            Some((name, n)) if n > 0 => {
                let version = per_image
                    .entry(name)
                    .or_default()
                    .entry(u.version.clone())
                    .or_insert((u.month, Sums::default()));
                version.0 = version.0.min(u.month);
                version.1.gb_months += u.gb_months;
                version.1.replica_months += f64::from(n) * u.months_present;
            }
            known => unexplained.push(format!(
                "image {} version {} in {}, month {}: {:.4} GB-months billed, but {}",
                u.image,
                u.version,
                regions.get(u.region).name,
                u.month + 1,
                u.gb_months,
                match known {
                    Some(_) => "the scenario keeps no replica of that image there",
                    None => "the scenario has no image of that name",
                }
            )),
        }
    }
    let images = per_image
        .into_iter()
        .filter_map(|(image, versions)| {
            let gb_months: f64 = versions.values().map(|v| v.1.gb_months).sum();
            let replica_months: f64 = versions.values().map(|v| v.1.replica_months).sum();
            if replica_months <= 0.0 {
                return None;
            }
            let mut ordered: Vec<(usize, String, f64)> = versions
                .into_iter()
                .filter(|(_, v)| v.1.replica_months > 0.0)
                .map(|(name, (first, s))| (first, name, s.gb_months / s.replica_months))
                .collect();
            ordered.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            Some(ImageSize {
                image,
                used_gb: gb_months / replica_months,
                gb_months,
                replica_months,
                versions: ordered.into_iter().map(|(_, n, s)| (n, s)).collect(),
            })
        })
        .collect();
    Calibration {
        images,
        unexplained,
    }
}

/// The replicas of the scenario as [`calibrate`] asks for them. The image is found by name
/// (exactly, else whatever the case). A version the scenario lists as existing at the start
/// (`[[version]]`) keeps its own replica count in each of its regions; any other version (one
/// the scenario exports) keeps, in each of the image's target regions, the image's replicas
/// there, else its gallery's (`Image::replicas_in`).
pub fn scenario_replicas(
    scenario: &Scenario,
) -> impl Fn(&str, &str, RegionId) -> Option<(String, u32)> + '_ {
    move |image, version, region| {
        let found = scenario
            .images
            .iter()
            .find(|i| i.name == image)
            .or_else(|| {
                scenario
                    .images
                    .iter()
                    .find(|i| i.name.eq_ignore_ascii_case(image))
            })?;
        let replicas = match found.existing.iter().find(|v| v.name == version) {
            Some(existing) => existing
                .copies
                .iter()
                .find(|c| found.targets.get(c.target).is_some_and(|t| t.0 == region))
                .map_or(0, |c| c.replicas),
            None => found
                .targets
                .iter()
                .find(|(r, _)| *r == region)
                .map_or(0, |(_, cell)| {
                    let gallery = &scenario.galleries[scenario.cells[*cell].gallery];
                    found.replicas_in(gallery, region)
                }),
        };
        Some((found.name.clone(), replicas))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_is_gb_months_over_replica_months() {
        let regions = Regions::bundled();
        let (east, west) = (
            regions.find("eastus").unwrap(),
            regions.find("westus").unwrap(),
        );
        let use_of = |version: &str, region, month, gb_months, months_present| VersionUse {
            image: "cs101".into(),
            version: version.into(),
            region,
            month,
            gb_months,
            months_present,
        };
        // 12.5 GB x 2 replicas for a whole month in eastus, x 1 for half a month in westus;
        // a second version of 20 GB for one month; westus2 has no replica.
        let uses = vec![
            use_of("1.0.0", east, 0, 25.0, 1.0),
            use_of("1.0.0", west, 0, 6.25, 0.5),
            use_of("1.0.1", east, 1, 40.0, 1.0),
            use_of("1.0.1", regions.find("westus2").unwrap(), 1, 3.0, 1.0),
        ];
        let cal = calibrate(&uses, regions, |image, _, region| {
            (region == east)
                .then(|| (image.to_string(), 2))
                .or_else(|| (region == west).then(|| (image.to_string(), 1)))
        });
        assert_eq!(cal.images.len(), 1);
        let image = &cal.images[0];
        // (25 + 6.25 + 40) / (2 + 0.5 + 2)
        assert!((image.used_gb - 71.25 / 4.5).abs() < 1e-12);
        assert_eq!(image.versions[0].0, "1.0.0");
        assert!((image.versions[0].1 - 12.5).abs() < 1e-12);
        assert!((image.versions[1].1 - 20.0).abs() < 1e-12);
        assert!(image.varies());
        assert_eq!(cal.unexplained.len(), 1);
        assert!(
            cal.unexplained[0].contains("westus2"),
            "{:?}",
            cal.unexplained
        );
    }
}
