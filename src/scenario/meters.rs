//! Which meters an image's copies use: worked out here once, for validation (which prices
//! must exist, in which currency) and for the model's usage lines.

use super::{Cell, Gallery, Image, StorageBilling, Warning, WarningCode};
use crate::catalog::prices::{copy_meters, storage_item, Item};
use crate::catalog::{MeterId, PriceBook, RegionId, Regions};

/// A meter at the region whose price applies.
pub type Meter = (Item, RegionId);

/// The meters of one image's copies.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageMeters {
    /// Per target (in [`Image::targets`] order), a new version's copy there: its storage and,
    /// out of the gallery's home region, its transfer.
    pub targets: Vec<(Meter, Option<Meter>)>,
    /// Per existing version, per copy (in [`super::ExistingVersion::copies`] order): its
    /// storage. Existing copies were made before the start: no transfer.
    pub existing: Vec<Vec<Meter>>,
}

/// The meters of `image`'s copies; `cells` are the scenario's (each target names its cell,
/// whose gallery prices it).
pub fn image_meters(
    regions: &Regions,
    billing: StorageBilling,
    galleries: &[Gallery],
    cells: &[Cell],
    image: &Image,
) -> ImageMeters {
    let targets = image
        .targets
        .iter()
        .map(|&(region, cell)| {
            let gallery = &galleries[cells[cell].gallery];
            copy_meters(
                regions,
                billing,
                image.storage_in(gallery, region),
                image.os_disk_gb,
                gallery.region,
                region,
            )
        })
        .collect();
    let existing = image
        .existing
        .iter()
        .map(|v| {
            v.copies
                .iter()
                .map(|c| {
                    let region = image.targets[c.target].0;
                    (storage_item(billing, c.storage, image.os_disk_gb), region)
                })
                .collect()
        })
        .collect();
    ImageMeters { targets, existing }
}

impl ImageMeters {
    /// Every meter, each once per image in first-use order.
    pub fn all(&self) -> impl Iterator<Item = Meter> + '_ {
        self.targets
            .iter()
            .flat_map(|(s, e)| std::iter::once(*s).chain(*e))
            .chain(self.existing.iter().flatten().copied())
    }
}

/// The warning for meters the price book's catalog adds that no usage line books (`booked`:
/// the meters the scenario's usage sources book): a misspelt meter name, or prices for a
/// source the scenario does not have.
pub fn not_booked(prices: &PriceBook, booked: &[MeterId]) -> Option<Warning> {
    let names: Vec<String> = (prices.meters.added())
        .filter(|m| !booked.contains(m))
        .map(|m| format!("`{}`", prices.meters.name(m)))
        .collect();
    (!names.is_empty()).then(|| Warning {
        code: WarningCode::MetersNotBooked,
        message: format!(
            "the price catalog prices {} that nothing in this scenario books: ignored (a misspelt meter? the model's own are {})",
            crate::error::first_of(&names, 6),
            Item::ALL.map(Item::name).join(", ")
        ),
    })
}
