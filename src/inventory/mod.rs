//! The gallery as it stands: reads what Azure prints for galleries, image definitions and
//! image versions, and writes it as a scenario that a user then extends with accounts, labs
//! and exports.
//!
//! Input is the JSON of `az sig list`, `az sig image-definition list`, `az sig image-version
//! list` / `show`, or the REST API's responses: a single resource, a JSON array of them, or a
//! page `{ "value": [...], "nextLink": ... }`. The Azure CLI prints a resource's `properties`
//! flattened into the resource; the REST API nests them; both are read. What real responses
//! hold, and where they differ from the documentation, is in `tests/fixtures/azure/` (recorded
//! service responses) and in the shared domain notes:
//!
//! - regions are display names (`"East US 2"`) as often as ARM names (`eastus2`);
//! - `publishedDate` has 7 fractional digits and an offset (`2019-11-21T05:44:52.3781977+00:00`);
//! - `osDiskImage.sizeInGB` and `dataDiskImages[].sizeInGB` are **provisioned** sizes; the
//!   occupied size that storage is billed on is not in the inventory ([`ImportOptions::used_gb`]);
//! - a target region's `regionalReplicaCount` falls back to the version's `replicaCount`, its
//!   `storageAccountType` to the version's (and both to Azure's defaults, 1 and Standard_LRS);
//! - `replicationStatus` is there only with `$expand=ReplicationStatus`;
//! - names are unique only within their parent: galleries and images are identified by their
//!   resource id (subscription, resource group, gallery, image), so two galleries of one name
//!   in two resource groups stay two.
//!
//! [`read`] never panics on any input: every problem is an [`InventoryError`] naming the file
//! and the JSON path, or a [`Warning`].

mod json;
mod parse;
mod scenario;
#[cfg(test)]
mod tests;

use std::fmt;

use jiff::Timestamp;

use crate::catalog::prices::StorageType;
use crate::catalog::{RegionId, Regions};

pub use scenario::{parse_used_gb, ImportOptions, ScenarioText};

/// Galleries, image definitions and image versions read from Azure's JSON.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Galleries, in the order first seen (inferred ones where first needed).
    pub galleries: Vec<Gallery>,
    /// Image definitions, in the order first seen.
    pub images: Vec<ImageDefinition>,
    /// Image versions, in the order first seen.
    pub versions: Vec<ImageVersion>,
    /// What was read but is doubtful, incomplete or not simulated.
    pub warnings: Vec<Warning>,
}

/// A gallery's identity: subscription, resource group and name, lower-cased (Azure resource
/// names and ids are case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GalleryKey {
    /// Subscription id.
    pub subscription: String,
    /// Resource group.
    pub resource_group: String,
    /// Gallery name.
    pub gallery: String,
}

/// An image definition's identity: its gallery and its name, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageKey {
    /// The gallery it belongs to.
    pub gallery: GalleryKey,
    /// Image definition name.
    pub image: String,
}

/// Where something was read: the file's label and the JSON path of the resource or value,
/// e.g. `$.value[2].properties.publishingProfile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file's label, as given to [`read`].
    pub file: String,
    /// JSON path inside the file.
    pub path: String,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.path)
    }
}

/// An Azure Compute Gallery.
#[derive(Debug, Clone, PartialEq)]
pub struct Gallery {
    /// Identity.
    pub key: GalleryKey,
    /// Resource id as read (or as built, when inferred).
    pub id: String,
    /// Name as Azure spells it.
    pub name: String,
    /// Resource group as Azure spells it.
    pub resource_group: String,
    /// Home region (`location`): every version is created there.
    pub region: RegionId,
    /// True when the gallery was not in the input but inferred from an image or version.
    pub inferred: bool,
    /// Where it was read (or the resource it was inferred from).
    pub origin: Origin,
}

/// Generalized or specialized (the definition's `osState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsState {
    /// Generalized (sysprep / waagent deprovisioned).
    Generalized,
    /// Specialized (machine-specific state kept, as Lab Services exports).
    Specialized,
}

impl OsState {
    /// Name as in a scenario file.
    pub fn name(self) -> &'static str {
        match self {
            OsState::Generalized => "generalized",
            OsState::Specialized => "specialized",
        }
    }
}

/// An image definition and the facts that decide who can use it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageDefinition {
    /// Identity.
    pub key: ImageKey,
    /// Resource id as read (or built).
    pub id: String,
    /// Name as Azure spells it.
    pub name: String,
    /// `osType`: `Windows` or `Linux`.
    pub os_type: Option<String>,
    /// `osState`.
    pub os_state: Option<OsState>,
    /// `hyperVGeneration`: 1 or 2.
    pub generation: Option<u8>,
    /// The `SecurityType` feature, e.g. `TrustedLaunch`, `TrustedLaunchSupported`,
    /// `ConfidentialVM`.
    pub security_type: Option<String>,
    /// `architecture`: `x64` or `Arm64`.
    pub architecture: Option<String>,
    /// True when the definition was not in the input but inferred from a version.
    pub inferred: bool,
    /// Where it was read.
    pub origin: Origin,
}

/// One target region of a version.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The region.
    pub region: RegionId,
    /// Replicas in it (`regionalReplicaCount`, else the version's `replicaCount`, else 1).
    pub replicas: u32,
    /// Storage account type (the region's, else the version's, else Standard_LRS).
    pub storage: StorageType,
}

/// A region's replication state (`replicationStatus.summary[]`, only with `$expand`).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionReplication {
    /// Region as Azure wrote it.
    pub region: String,
    /// `Unknown`, `Replicating`, `Completed` or `Failed`.
    pub state: String,
    /// Percent done, when given.
    pub progress: Option<f64>,
}

/// An image version.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageVersion {
    /// The image definition it belongs to.
    pub image: ImageKey,
    /// Resource id as read.
    pub id: String,
    /// Version name, e.g. `1.0.3`.
    pub name: String,
    /// `location`: the gallery's region, where it was created.
    pub location: Option<RegionId>,
    /// `publishingProfile.publishedDate`.
    pub published: Option<Timestamp>,
    /// `publishingProfile.endOfLifeDate` (shown; it does not stop billing).
    pub end_of_life: Option<Timestamp>,
    /// `publishingProfile.excludeFromLatest`.
    pub exclude_from_latest: bool,
    /// Provisioned OS disk size (`storageProfile.osDiskImage.sizeInGB`).
    pub os_disk_gb: Option<f64>,
    /// Provisioned data disk sizes (`storageProfile.dataDiskImages[].sizeInGB`), in LUN order
    /// as listed.
    pub data_disks_gb: Vec<f64>,
    /// Target regions with replicas and storage, in the order listed.
    pub targets: Vec<Target>,
    /// Replication state per region (empty without `$expand=ReplicationStatus`).
    pub replication: Vec<RegionReplication>,
    /// `provisioningState`.
    pub provisioning_state: Option<String>,
    /// Where it was read.
    pub origin: Origin,
}

impl ImageVersion {
    /// Provisioned size of all its disks, OS and data (GB); None without an OS disk size.
    pub fn provisioned_gb(&self) -> Option<f64> {
        self.os_disk_gb
            .map(|os| os + self.data_disks_gb.iter().sum::<f64>())
    }
}

/// Something read that is doubtful, incomplete or not simulated; the import goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where, when it concerns one place.
    pub origin: Option<Origin>,
    /// What, and what to do about it.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Some(origin) => write!(f, "{origin}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

/// Why an inventory cannot be read or written as a scenario.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InventoryError {
    /// The text is not JSON.
    #[error("{file}:{line}:{column}: not valid JSON: {message}")]
    Json {
        /// File label.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A value is missing, of the wrong type, or out of range.
    #[error("{file}: {path}: {message}")]
    Invalid {
        /// File label.
        file: String,
        /// JSON path of the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A region name (ARM or display name) that is not in the region catalog.
    #[error("{file}: {path}: unknown Azure region `{name}`{}", did_you_mean(.suggestions))]
    UnknownRegion {
        /// File label.
        file: String,
        /// JSON path of the region name.
        path: String,
        /// The name as written.
        name: String,
        /// Catalog regions spelled alike.
        suggestions: Vec<String>,
    },
    /// Nothing to import.
    #[error("no gallery, image definition or image version in {files}")]
    Empty {
        /// The file labels, comma-separated.
        files: String,
    },
    /// A `--used-gb IMAGE=GB` option that cannot be applied.
    #[error("--used-gb `{arg}`: {message}")]
    UsedGb {
        /// The option as given.
        arg: String,
        /// What is wrong.
        message: String,
    },
    /// A version published at or after the start: it does not exist "at start".
    #[error(
        "version `{version}` of image `{image}` was published {published}, not before the start \
         {start}; choose a later start"
    )]
    PublishedAfterStart {
        /// Scenario image name.
        image: String,
        /// Version name.
        version: String,
        /// Its publish time.
        published: String,
        /// The start date.
        start: String,
    },
    /// An option out of range, or a start that cannot be derived.
    #[error("{0}")]
    Options(String),
}

impl From<InventoryError> for crate::error::Error {
    /// Exit code 2, naming the file and the JSON path (or the option) at fault.
    fn from(e: InventoryError) -> Self {
        let (file, line, column, key, message) = match &e {
            InventoryError::Json {
                file,
                line,
                column,
                message,
            } => (
                file.clone(),
                Some(*line),
                Some(*column),
                None,
                format!("not valid JSON: {message}"),
            ),
            InventoryError::Invalid {
                file,
                path,
                message,
            } => (
                file.clone(),
                None,
                None,
                Some(path.clone()),
                message.clone(),
            ),
            InventoryError::UnknownRegion {
                file,
                path,
                name,
                suggestions,
            } => (
                file.clone(),
                None,
                None,
                Some(path.clone()),
                format!("unknown Azure region `{name}`{}", did_you_mean(suggestions)),
            ),
            InventoryError::UsedGb { .. } => (
                "command line".into(),
                None,
                None,
                Some("--used-gb".into()),
                e.to_string(),
            ),
            InventoryError::PublishedAfterStart { .. } => (
                "command line".into(),
                None,
                None,
                Some("--start".into()),
                e.to_string(),
            ),
            InventoryError::Empty { .. } | InventoryError::Options(_) => {
                ("command line".into(), None, None, None, e.to_string())
            }
        };
        crate::error::InputError {
            file,
            line,
            column,
            key,
            message,
        }
        .into()
    }
}

fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        _ => format!(" (did you mean {}?)", suggestions.join(", ")),
    }
}

/// Reads `files` (label, text): each a single resource, a JSON array of resources, or a page
/// `{ "value": [...], "nextLink": ... }`, as `az sig ... list` / `show` print them or as the
/// REST API returns them. Resources of other types are skipped with a warning; a resource
/// given twice (by id) is read once. Galleries and image definitions that are not in the input
/// but named by an image or version id are inferred from it, with a warning.
pub fn read(files: &[(String, String)], regions: &Regions) -> Result<Inventory, InventoryError> {
    let mut collected = parse::Collected::default();
    for (label, text) in files {
        parse::read_file(label, text, regions, &mut collected)?;
    }
    let inventory = collected.finish(regions)?;
    if inventory.galleries.is_empty() {
        let files: Vec<&str> = files.iter().map(|(l, _)| l.as_str()).collect();
        return Err(InventoryError::Empty {
            files: match files.is_empty() {
                true => "no files".to_string(),
                false => files.join(", "),
            },
        });
    }
    Ok(inventory)
}

/// The catalog region an Azure region name designates: an ARM name (`eastus2`) or a display
/// name (`East US 2`), case and spaces ignored, as Azure itself accepts both in `location` and
/// `targetRegions[].name`.
pub fn find_region(regions: &Regions, name: &str) -> Option<RegionId> {
    let wanted = squash(name);
    if wanted.is_empty() {
        return None;
    }
    regions
        .iter()
        .find(|(_, r)| squash(&r.name) == wanted || squash(&r.display_name) == wanted)
        .map(|(id, _)| id)
}

/// Lower-case, without whitespace.
fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}
