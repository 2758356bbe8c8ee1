//! Azure's unit of replication: settings per region, and the versions that exist at the
//! start with their own regions, replica counts and storage types.

use super::{Dist, StorageType};
use crate::catalog::RegionId;

/// A setting per region: a region's own value, else a default, else (None) whatever the
/// setting falls back to (an image's replicas and storage fall back to its gallery's).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PerRegion<T> {
    /// For regions not listed.
    pub default: Option<T>,
    /// Listed regions.
    pub regions: Vec<(RegionId, T)>,
}

impl<T: Copy> PerRegion<T> {
    /// The value in `region`, if this setting gives one.
    pub fn get(&self, region: RegionId) -> Option<T> {
        self.regions
            .iter()
            .find(|(r, _)| *r == region)
            .map(|(_, v)| *v)
            .or(self.default)
    }
}

/// One region's copy of an existing version.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExistingCopy {
    /// Index into the image's `targets`.
    pub target: usize,
    /// Replicas kept there.
    pub replicas: u32,
    /// Storage account type there.
    pub storage: StorageType,
}

/// A version that exists at `start` (`[[version]]`): stored and billed from the first hour,
/// never copied within the horizon (no egress).
#[derive(Debug, Clone)]
pub struct ExistingVersion {
    /// Version name (`1.0.3`).
    pub name: String,
    /// Publish date as written (before `start`).
    pub published: String,
    /// Occupied size.
    pub used_gb: Dist,
    /// Its copies, in the order of the image's targets.
    pub copies: Vec<ExistingCopy>,
    /// Not used by labs or deployments ("latest" skips it); still stored and billed.
    pub exclude_from_latest: bool,
    /// Azure's end-of-life date, kept and shown: it does not stop billing.
    pub end_of_life: Option<String>,
}

/// A version name's numbers (`1.10.2` -> [1, 10, 2], a part that is not a number as 0), to
/// order versions published at the same instant as Azure numbers them.
pub fn version_key(name: &str) -> Vec<u64> {
    name.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}
