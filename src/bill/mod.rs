//! `gallerysim reconcile`: the forecast checked against the real bill.
//!
//! - [`read`]: Cost Management exports (EA/MCA cost details, FOCUS) streamed row by row; the
//!   gallery's rows selected by resource id ([`read::Selection`]), each checked.
//! - [`Bill`]: the selected rows summed exactly ([`ExactSum`]) by calendar month, region and
//!   meter, and the snapshot GB-months of each image version and region (for calibration).
//! - [`simulate`]: the scenario's runs measured on the same keys (mean and P10-P90 of cost).
//! - [`compare`]: billed against simulated, with every row the scenario cannot explain named.
//! - [`calibrate`]: each image's occupied size from its billed GB-months.
//! - [`output`]: `reconcile.csv`, `calibrated.toml`, the chart and the report.

pub mod calibrate;
mod chart;
pub mod compare;
pub mod output;
pub mod read;
pub mod simulate;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::civil::Date;

use crate::catalog::prices::Item;
use crate::catalog::RegionId;
use crate::error::InputError;
use crate::scenario::Scenario;
use crate::stats::ExactSum;

pub use calibrate::{calibrate, Calibration, VersionUse};
pub use compare::{compare, Comparison};
pub use read::{FileSummary, Meter, Selection};
pub use simulate::{simulate, Simulated};

/// Sums of the rows of one key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Billed {
    /// Quantity in the meter's unit.
    pub quantity: ExactSum,
    /// Cost in the bill's currency.
    pub cost: ExactSum,
    /// Rows summed.
    pub rows: u64,
    /// The first row: file index and line.
    pub first: (usize, u64),
}

impl Billed {
    fn add(&mut self, quantity: f64, cost: f64, at: (usize, u64)) {
        if self.rows == 0 {
            self.first = at;
        }
        self.quantity.add(quantity);
        self.cost.add(cost);
        self.rows += 1;
    }
}

/// The snapshot storage of one image version in one region and month, as billed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Presence {
    /// GB-months billed.
    pub gb_months: ExactSum,
    /// Days of the month with a row.
    pub days: BTreeSet<i8>,
}

/// Per image, per version, per (region, 0-based month): the snapshot storage billed. Nested
/// so that a row finds its entry by `&str` (a bill of millions of rows allocates a name only
/// for a new image or version).
pub type Versions = BTreeMap<String, BTreeMap<String, BTreeMap<(RegionId, usize), Presence>>>;

/// The selected rows of every export, summed.
#[derive(Debug, Clone, Default)]
pub struct Bill {
    /// By (0-based billing month of the scenario, region, meter).
    pub cells: BTreeMap<(usize, RegionId, Meter), Billed>,
    /// Selected rows dated outside the scenario's horizon, by `YYYY-MM`.
    pub outside: BTreeMap<String, Billed>,
    /// Snapshot rows of image versions (`.../galleries/G/images/I/versions/V`).
    pub versions: Versions,
    /// Snapshot rows whose resource id names no image version, summed by resource id.
    pub unversioned: BTreeMap<String, Billed>,
    /// Every file read.
    pub files: Vec<FileSummary>,
}

/// The image and version of a resource id `.../galleries/G/images/I/versions/V` (segments
/// matched whatever their case, names kept as written).
pub fn image_version(resource_id: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = resource_id.split('/').collect();
    let at = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("galleries"))?;
    let rest = parts.get(at + 2..at + 6)?;
    (rest[0].eq_ignore_ascii_case("images")
        && rest[2].eq_ignore_ascii_case("versions")
        && !rest[1].is_empty()
        && !rest[3].is_empty())
    .then(|| (rest[1], rest[3]))
}

/// The 0-based billing month of `date` in `scenario` (None outside the horizon).
pub fn month_of(scenario: &Scenario, date: Date) -> Option<usize> {
    let start = scenario.calendar.start();
    let months = (i32::from(date.year()) - i32::from(start.year())) * 12 + i32::from(date.month())
        - i32::from(start.month());
    usize::try_from(months)
        .ok()
        .filter(|&m| m < scenario.calendar.months())
}

/// `YYYY-MM` of the 0-based billing month `month` (calendar months).
pub fn month_label(scenario: &Scenario, month: usize) -> String {
    let start = scenario.calendar.start();
    let index = i32::from(start.year()) * 12 + i32::from(start.month()) - 1 + month as i32;
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

impl Bill {
    /// Reads every export in `paths` against `scenario` (its regions, currency and months).
    pub fn read(
        scenario: &Scenario,
        paths: &[&Path],
        selection: &Selection,
    ) -> Result<Bill, InputError> {
        let mut bill = Bill::default();
        for (index, path) in paths.iter().enumerate() {
            let summary = read::read(
                path,
                &scenario.regions,
                selection,
                &scenario.currency,
                |row| {
                    bill.add(scenario, index, row);
                    Ok(())
                },
            )?;
            bill.files.push(summary);
        }
        Ok(bill)
    }

    fn add(&mut self, scenario: &Scenario, file: usize, row: &read::Row<'_>) {
        let at = (file, row.line);
        let Some(month) = month_of(scenario, row.date) else {
            let key = format!("{:04}-{:02}", row.date.year(), row.date.month());
            self.outside
                .entry(key)
                .or_default()
                .add(row.quantity, row.cost, at);
            return;
        };
        self.cells
            .entry((month, row.region, row.meter.clone()))
            .or_default()
            .add(row.quantity, row.cost, at);
        let Meter::Known(key) = &row.meter else {
            return;
        };
        if !matches!(
            key.item(),
            Item::Snapshot | Item::ZrsSnapshot | Item::PremiumSnapshot
        ) {
            return;
        }
        match image_version(row.resource_id) {
            Some((image, version)) => {
                if !self.versions.contains_key(image) {
                    self.versions.insert(image.to_string(), BTreeMap::new());
                }
                let Some(versions) = self.versions.get_mut(image) else {
                    return;
                };
                if !versions.contains_key(version) {
                    versions.insert(version.to_string(), BTreeMap::new());
                }
                let Some(cells) = versions.get_mut(version) else {
                    return;
                };
                let presence = cells.entry((row.region, month)).or_default();
                presence.gb_months.add(row.quantity);
                presence.days.insert(row.date.day());
            }
            None => self
                .unversioned
                .entry(row.resource_id.to_string())
                .or_default()
                .add(row.quantity, row.cost, at),
        }
    }

    /// `file:line` of a row.
    pub fn place(&self, at: (usize, u64)) -> String {
        format!(
            "{}:{}",
            self.files.get(at.0).map_or("?", |f| f.file.as_str()),
            at.1
        )
    }

    /// The version uses for [`calibrate`]: GB-months and the months present (days with a row
    /// over the days of the month) per image version, region and month.
    pub fn version_uses(&self, scenario: &Scenario) -> Vec<VersionUse> {
        let mut uses = Vec::new();
        for (image, versions) in &self.versions {
            for (version, cells) in versions {
                for (&(region, month), p) in cells {
                    let (a, b) = scenario.calendar.month_span(month);
                    let days_in_month = ((b - a) / 86_400).max(1) as f64;
                    uses.push(VersionUse {
                        image: image.clone(),
                        version: version.clone(),
                        region,
                        month,
                        gb_months: p.gb_months.value(),
                        months_present: p.days.len() as f64 / days_in_month,
                    });
                }
            }
        }
        uses
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_months_of_dates_and_their_labels() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/bill/scenario.toml"
        ))
        .unwrap();
        let scenario = Scenario::parse(&text, "scenario.toml").unwrap();
        let day = |y, m, d| Date::new(y, m, d).unwrap();
        assert_eq!(month_of(&scenario, day(2025, 12, 31)), None);
        assert_eq!(month_of(&scenario, day(2026, 1, 1)), Some(0));
        assert_eq!(month_of(&scenario, day(2026, 3, 31)), Some(2));
        assert_eq!(month_of(&scenario, day(2026, 4, 1)), None);
        assert_eq!(month_label(&scenario, 0), "2026-01");
        assert_eq!(month_label(&scenario, 14), "2027-03");
    }

    #[test]
    fn image_versions_from_resource_ids() {
        let id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1/images/cs101/versions/1.0.2";
        assert_eq!(image_version(id), Some(("cs101", "1.0.2")));
        let upper = "/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMPUTE/GALLERIES/G1/IMAGES/CS101/VERSIONS/1.0.2";
        assert_eq!(image_version(upper), Some(("CS101", "1.0.2")));
        assert_eq!(
            image_version("/subscriptions/0/providers/Microsoft.Compute/galleries/g1"),
            None
        );
        assert_eq!(
            image_version("/subscriptions/0/galleries/g1/images/x"),
            None
        );
    }
}
