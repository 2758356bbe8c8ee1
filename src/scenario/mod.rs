//! Scenario files: loading (TOML), validation, and the typed, resolved scenario the model runs.
//!
//! Two stages, as in dslab-faas's config: [`raw`] mirrors the file with serde and rejects
//! unknown keys; `validate` resolves names and regions, checks units and ranges, and builds a
//! [`Scenario`]. A `Scenario` that exists is valid. Every error names the file, line and key.
//! Files are read once, at the edge, into [`Inputs`]; [`Scenario::build`] is a pure function of
//! the inputs and the [`Overrides`].

pub mod dist;
mod existing;
pub mod inputs;
pub mod locate;
pub mod meters;
pub mod overrides;
pub mod raw;
mod validate;
pub mod values;

use std::path::Path;
use std::sync::Arc;

use crate::calendar::Calendar;
use crate::catalog::{PriceBook, RegionId, Regions};
use crate::error::{Error, InputError};
use crate::rules::{Eligibility, OsState};

pub use dist::Dist;
pub use existing::{version_key, ExistingCopy, ExistingVersion, PerRegion};
pub use inputs::{InputFile, Inputs};
pub use overrides::{Override, Overrides};
pub use raw::{AccountKind, StorageBilling, StorageType};

/// Largest number of Monte Carlo runs (`scenario.runs`, `--runs`, a partial's runs).
pub const MAX_RUNS: u32 = 1_000_000;

/// A price catalog as a scenario reads it: its text, which identifies it (two files with
/// the same text are one catalog), and the name its prices are shown by in `prices_used.csv`
/// and `report.html` (the file as named on the command line or in `[prices] catalog`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CatalogText {
    /// Shown as the source of its prices.
    pub label: String,
    /// The catalog CSV.
    pub text: String,
}

/// Where a scenario's price catalog comes from.
#[derive(Debug, Clone, Default)]
pub enum CatalogInput {
    /// The file `[prices] catalog` names, relative to the scenario file's folder, as read
    /// into [`Inputs::files`] (the bundled catalog when it names none).
    #[default]
    Named,
    /// This catalog, whatever `[prices] catalog` names (`--prices`, or the catalog a
    /// partial recorded); `None`: the scenario must name none.
    Given(Option<Arc<CatalogText>>),
}

/// The bundled default scenario, used when no file is given.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");
/// How the bundled default scenario is named in messages and output paths.
pub const DEFAULT_SCENARIO_NAME: &str = "scenarios/default.toml";

/// A validated scenario with every reference resolved to an index.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Display name.
    pub name: String,
    /// Maps ticks to dates; tick 0 is the start date at 00:00 UTC.
    pub calendar: Calendar,
    /// Horizon in billing months.
    pub months: u32,
    /// Master seed.
    pub seed: u64,
    /// Monte Carlo runs.
    pub runs: u32,
    /// Currency of all prices and outputs.
    pub currency: String,
    /// Storage billing model.
    pub storage_billing: StorageBilling,
    /// Resolved prices.
    pub prices: PriceBook,
    /// Largest OS disk labs accept, in GB.
    pub max_os_disk_gb: f64,
    /// Concurrent VM creations one replica serves (`[rules] vms_per_replica`, default 20).
    pub vms_per_replica: u32,
    /// Galleries in file order.
    pub galleries: Vec<Gallery>,
    /// Lab accounts and lab plans in file order.
    pub accounts: Vec<Account>,
    /// Image definitions in file order.
    pub images: Vec<Image>,
    /// Lab entries in file order.
    pub labs: Vec<Lab>,
    /// Every (gallery, region) pair that holds replicas, in report order.
    pub cells: Vec<Cell>,
    /// Deployment waves, in file order.
    pub deployments: Vec<Deployment>,
    /// Things worth telling the user that do not stop the run.
    pub warnings: Vec<Warning>,
    /// The regions every [`RegionId`] of the scenario refers to.
    pub regions: Regions,
    /// The price catalog read (`[prices] catalog` or `--prices`), if any: its text and the
    /// name its prices are shown by. Shards record it; a merge rebuilds the scenario from it.
    pub catalog: Option<Arc<CatalogText>>,
    /// The scenario text as validated (after `--set` overrides), for the HTML report.
    pub text: String,
    /// Usage sources beyond the model's replicas and copies, in the order they were added
    /// ([`Scenario::with_source`]); none from a scenario file.
    pub sources: Vec<crate::model::Registered>,
}

/// A gallery and its home region.
#[derive(Debug, Clone)]
pub struct Gallery {
    /// Name.
    pub name: String,
    /// Home region: every version is created here.
    pub region: RegionId,
    /// Storage account type of its replicas.
    pub storage: StorageType,
    /// Replicas per target region, when not `default_replicas`.
    pub replicas: Vec<(RegionId, u32)>,
    /// Replicas in regions not listed in `replicas`.
    pub default_replicas: u32,
    /// Newest versions kept per image (0 = all).
    pub keep_versions: u32,
    /// From each tick on, versions keep replicas only in these regions (sorted by tick).
    pub retarget: Vec<(u64, Vec<RegionId>)>,
    /// When every version of every image in the gallery is deleted.
    pub delete_on: Option<u64>,
}

impl Gallery {
    /// Replicas kept in `region`.
    pub fn replicas_in(&self, region: RegionId) -> u32 {
        self.replicas
            .iter()
            .find(|(r, _)| *r == region)
            .map_or(self.default_replicas, |(_, n)| *n)
    }
}

/// A lab account or lab plan.
#[derive(Debug, Clone)]
pub struct Account {
    /// Name.
    pub name: String,
    /// Index of its gallery.
    pub gallery: usize,
    /// Its region.
    pub region: RegionId,
    /// Lab account or lab plan.
    pub kind: AccountKind,
    /// Regions versions are replicated to besides the gallery's home region (by its kind:
    /// `replicate_to`, a Dev Box's `regions`, a DevTest lab's labs).
    pub replicate_to: Vec<RegionId>,
    /// First tick at which it consumes images.
    pub from: u64,
    /// Tick at which it stops (Lab Services accounts: at the retirement date at the latest).
    pub until: Option<u64>,
}

impl Account {
    /// Whether it consumes images at tick `t`.
    pub fn active_at(&self, t: u64) -> bool {
        t >= self.from && self.until.is_none_or(|u| t < u)
    }
}

/// One period of an image: from `from` on (until the next period), new versions are created
/// through `account` in its gallery and replicated to `targets`.
#[derive(Debug, Clone)]
pub struct Period {
    /// First tick.
    pub from: u64,
    /// Account index.
    pub account: usize,
    /// Gallery index.
    pub gallery: usize,
    /// Indices into the image's `targets`, the gallery's home region first.
    pub targets: Vec<usize>,
}

/// When an image gets new versions.
#[derive(Debug, Clone)]
pub enum Exports {
    /// At these ticks, ascending.
    At(Vec<u64>),
    /// Every this many ticks, the first at the start.
    Every(u64),
    /// Poisson arrivals at this many per billing month.
    PerMonth(f64),
}

/// An image definition.
#[derive(Debug, Clone)]
pub struct Image {
    /// Name.
    pub name: String,
    /// Index of the account whose labs export it (None: an orphan, consumed by nobody, whose
    /// versions are only those that exist at `start`).
    pub account: Option<usize>,
    /// Index of the gallery it lives in (its account's, or `gallery`).
    pub gallery: usize,
    /// Replicas of its new versions per region, overriding the gallery's.
    pub replicas: PerRegion<u32>,
    /// Storage account type of its new versions per region, overriding the gallery's.
    pub storage: PerRegion<StorageType>,
    /// Versions existing at `start`, in publish order.
    pub existing: Vec<ExistingVersion>,
    /// Provisioned OS disk size, GB.
    pub os_disk_gb: f64,
    /// Occupied size of a version, GB.
    pub used_gb: Dist,
    /// Data disks.
    pub data_disks: u32,
    /// Specialized or generalized.
    pub os_state: OsState,
    /// Hyper-V generation.
    pub generation: u8,
    /// Security type of the definition.
    pub security: crate::rules::SecurityType,
    /// Export schedule.
    pub exports: Exports,
    /// Hours from export request to the version existing in the home region.
    pub export_hours: Dist,
    /// Hours from creation to a completed copy in one target region.
    pub replication_hours: Dist,
    /// Every region a version can be copied to in any period: `(region, cell index)`, the first
    /// period's home region first. Its cell names the gallery.
    pub targets: Vec<(RegionId, usize)>,
    /// Periods (one per account the image is attached to over time), in time order.
    pub periods: Vec<Period>,
    /// When every version of the image is deleted (its own `delete_on` or its gallery's).
    pub delete_on: Option<u64>,
    /// Verdict of the eligibility rules.
    pub eligibility: Eligibility,
    /// Key of the image's random streams (FNV-1a of its name), so adding or removing other
    /// images never changes this image's draws.
    pub stream_key: u64,
}

/// The uncertain inputs of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputField {
    /// `used_gb`.
    UsedGb,
    /// `export_hours`.
    ExportHours,
    /// `replication_hours`.
    ReplicationHours,
}

impl InputField {
    /// All fields, in a fixed order.
    pub const ALL: [InputField; 3] = [
        InputField::UsedGb,
        InputField::ExportHours,
        InputField::ReplicationHours,
    ];

    /// Key name in the scenario file.
    pub fn key(self) -> &'static str {
        match self {
            InputField::UsedGb => "used_gb",
            InputField::ExportHours => "export_hours",
            InputField::ReplicationHours => "replication_hours",
        }
    }
}

impl Image {
    /// Replicas a new version keeps in `region` of `gallery`: the image's own, else the
    /// gallery's.
    pub fn replicas_in(&self, gallery: &Gallery, region: RegionId) -> u32 {
        self.replicas
            .get(region)
            .unwrap_or_else(|| gallery.replicas_in(region))
    }

    /// The most replicas a new version keeps over its targets, and the period in which it
    /// does (None: no period, an orphan). Azure allows at most 100 per image version.
    pub fn most_replicas_per_version(&self, galleries: &[Gallery]) -> Option<(u32, &Period)> {
        (self.periods.iter())
            .map(|p| {
                let gallery = &galleries[p.gallery];
                let total = (p.targets.iter())
                    .map(|&t| self.replicas_in(gallery, self.targets[t].0))
                    .sum();
                (total, p)
            })
            .max_by_key(|&(total, _)| total)
    }

    /// Storage account type of a new version in `region` of `gallery`.
    pub fn storage_in(&self, gallery: &Gallery, region: RegionId) -> StorageType {
        self.storage.get(region).unwrap_or(gallery.storage)
    }

    /// Its slots in the model's flat numbering: one per target (its new versions' copies
    /// there), then one per copy of each existing version, in order.
    pub fn slots(&self) -> usize {
        self.targets.len() + self.existing.iter().map(|v| v.copies.len()).sum::<usize>()
    }

    /// The targets of its slots (see [`Image::slots`]), as indices into `targets`.
    pub fn slot_targets(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.targets.len()).chain(
            self.existing
                .iter()
                .flat_map(|v| v.copies.iter().map(|c| c.target)),
        )
    }

    /// The name of version `number` (from 0 in creation order, those that exist at the start
    /// first): an existing version's own; a new one's continues the highest existing version
    /// number's last part (`1.0.7` -> `1.0.8`, ...), or `1.0.0`, `1.0.1`, ... without existing
    /// ones; a name that is not a number, or one that would overflow, gets `+1`, `+2`, ...
    pub fn version_name(&self, number: u32) -> String {
        let n = number as usize;
        let Some(highest) = self.existing.iter().max_by_key(|v| version_key(&v.name)) else {
            return format!("1.0.{number}");
        };
        if let Some(v) = self.existing.get(n) {
            return v.name.clone();
        }
        let k = (n - self.existing.len()) as u64;
        let name = &highest.name;
        let (prefix, last) = name
            .rsplit_once('.')
            .map_or(("", name.as_str()), |(p, l)| (p, l));
        match last.parse::<u64>().ok().and_then(|x| x.checked_add(1 + k)) {
            Some(next) if prefix.is_empty() => next.to_string(),
            Some(next) => format!("{prefix}.{next}"),
            None => format!("{name}+{}", k + 1),
        }
    }

    /// The distribution of an input.
    pub fn input(&self, field: InputField) -> &Dist {
        match field {
            InputField::UsedGb => &self.used_gb,
            InputField::ExportHours => &self.export_hours,
            InputField::ReplicationHours => &self.replication_hours,
        }
    }

    /// The distribution of an input, to replace it.
    pub fn input_mut(&mut self, field: InputField) -> &mut Dist {
        match field {
            InputField::UsedGb => &mut self.used_gb,
            InputField::ExportHours => &mut self.export_hours,
            InputField::ReplicationHours => &mut self.replication_hours,
        }
    }
}

/// When a deployment's waves start.
#[derive(Debug, Clone, PartialEq)]
pub enum DeployAt {
    /// At these ticks (sorted).
    Dates(Vec<u64>),
    /// From the start, every so many ticks.
    Every(u64),
    /// Whenever a new version becomes available in the deployment's region.
    EachVersion,
}

/// A deployment: `vms` VMs created from the latest version of `image` available in `region`,
/// at most `replicas x vms_per_replica` at a time.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// Name.
    pub name: String,
    /// Image index.
    pub image: usize,
    /// Region.
    pub region: RegionId,
    /// VMs per wave.
    pub vms: u32,
    /// When waves start.
    pub at: DeployAt,
    /// Minutes one VM creation takes.
    pub create_minutes: Dist,
    /// Target minutes to ready, drawn on the chart when given.
    pub target_minutes: Option<f64>,
    /// Key of the deployment's random stream (a hash of its name).
    pub stream_key: u64,
}

/// A lab entry (possibly standing for several identical labs).
#[derive(Debug, Clone)]
pub struct Lab {
    /// Name.
    pub name: String,
    /// Index of its account.
    pub account: usize,
    /// Index of its image.
    pub image: usize,
    /// Its region.
    pub region: RegionId,
    /// Identical labs this entry stands for.
    pub count: u32,
    /// VMs per lab.
    pub students: u32,
    /// Tick at which the labs are created (0 when at or before the start).
    pub create: u64,
}

/// Why a scenario deserves a caution. Codes are stable: reports and future machine-readable
/// outputs print them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningCode {
    /// The horizon crosses the Lab Services retirement date.
    PastRetirement,
    /// A premium snapshot price is the bundled, undocumented one.
    PremiumPriceUndocumented,
    /// The price catalog lacks prices the scenario uses; bundled figures fill them.
    CatalogGaps,
    /// A lab account's gallery is in another geography.
    GalleryInOtherGeography,
    /// A lab plan is in another region than its gallery.
    PlanAwayFromGallery,
    /// `used_gb` exceeds the OS disk in more than 0.1 % of draws.
    UsedOverDisk,
    /// Fewer replicas than one per 20 concurrent VM creations.
    FewReplicas,
    /// A deployment is in a region its image is never replicated to.
    DeploymentNotReplicated,
    /// A gallery sets replicas for, or retargets to, a region none of its images is replicated to.
    RegionUnused,
    /// Periodic exports are skipped while an image's account is not active.
    ExportsPaused,
    /// The price catalog prices meters nothing in the scenario books.
    MetersNotBooked,
}

impl WarningCode {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            WarningCode::PastRetirement => "past_lab_services_retirement",
            WarningCode::PremiumPriceUndocumented => "premium_price_undocumented",
            WarningCode::CatalogGaps => "catalog_gaps",
            WarningCode::GalleryInOtherGeography => "gallery_in_other_geography",
            WarningCode::PlanAwayFromGallery => "plan_away_from_gallery",
            WarningCode::UsedOverDisk => "used_over_disk",
            WarningCode::FewReplicas => "few_replicas",
            WarningCode::DeploymentNotReplicated => "deployment_not_replicated",
            WarningCode::RegionUnused => "gallery_region_unused",
            WarningCode::ExportsPaused => "exports_paused",
            WarningCode::MetersNotBooked => "meters_not_booked",
        }
    }
}

/// A caution about a scenario that does not stop the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What kind of caution.
    pub code: WarningCode,
    /// The sentence for people.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]", self.message, self.code.code())
    }
}

/// Estimated work of a scenario (see [`Scenario::work`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Work {
    /// Engine events over all runs.
    pub events: f64,
    /// Version copies of the detailed run (rows of `versions.csv`).
    pub detailed_copies: f64,
}

impl Work {
    /// Default largest number of engine events per simulation: about three minutes on two
    /// cores. `--max-events` raises it.
    pub const MAX_EVENTS: f64 = 2.0e9;
    /// Largest number of version copies in the detailed run (rows of `versions.csv`, about
    /// 100 bytes each).
    pub const MAX_DETAILED_COPIES: f64 = 5.0e6;
}

/// A (gallery, region) pair: the granularity of `monthly.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cell {
    /// Gallery index.
    pub gallery: usize,
    /// Region.
    pub region: RegionId,
}

impl Scenario {
    /// Builds the scenario of `inputs`: applies `overrides` (`--runs` and `--seed` checked
    /// first, then the `--set` edits) and validates the result. A pure function: no file is
    /// read. An error caused by a `--set` override is labelled with it.
    pub fn build(inputs: &Inputs, overrides: &Overrides) -> Result<Scenario, InputError> {
        let set = &overrides.set;
        let edited = overrides::apply(&inputs.text, set).map_err(|(i, message)| InputError {
            file: format!("--set {}", set[i]),
            line: None,
            column: None,
            key: Some(set[i].path.clone()),
            message: message.to_string(),
        })?;
        validate::parse(&edited, inputs, Regions::bundled(), overrides).map_err(|mut e| {
            let culprit = set.iter().rev().find(|o| {
                e.key
                    .as_deref()
                    .is_some_and(|k| k == o.path || k.starts_with(&format!("{}.", o.path)))
            });
            if let Some(o) = culprit {
                e.file = format!("{} (after --set {o})", e.file);
            }
            e
        })
    }

    /// Reads and validates a scenario file (and the catalog it names).
    pub fn load(path: &Path) -> Result<Scenario, Error> {
        Scenario::load_with(path, &[])
    }

    /// Reads a scenario file, applies `--set` overrides, and validates the result.
    pub fn load_with(path: &Path, set: &[Override]) -> Result<Scenario, Error> {
        let inputs = Inputs::read(Some(path), None, set)?;
        let overrides = Overrides {
            set: set.to_vec(),
            ..Overrides::default()
        };
        Ok(Scenario::build(&inputs, &overrides)?)
    }

    /// Validates scenario text after applying `--set` overrides; `file` names it in errors.
    /// No file is read: a text naming a price catalog is refused.
    pub fn parse_with(text: &str, file: &str, set: &[Override]) -> Result<Scenario, InputError> {
        let overrides = Overrides {
            set: set.to_vec(),
            ..Overrides::default()
        };
        Scenario::build(&Inputs::text(file, text), &overrides)
    }

    /// An estimate of the work of simulating this scenario, made before any of it is done.
    pub fn work(&self) -> Work {
        let mut events_per_run = 0.0;
        let mut detailed_copies = 0.0;
        for image in 0..self.images.len() {
            events_per_run += self.image_events(image);
            detailed_copies += self.image_copies(image);
        }
        events_per_run += self.deployment_work() + self.retarget_work();
        Work {
            events: events_per_run * f64::from(self.runs),
            detailed_copies,
        }
    }

    /// An upper estimate of the work of the deployment waves in one run: each wave is an
    /// event, each VM creation a draw and a slot.
    pub fn deployment_work(&self) -> f64 {
        let horizon = self.horizon_ticks();
        self.deployments
            .iter()
            .map(|d| {
                let waves = match &d.at {
                    DeployAt::Dates(ticks) => ticks.len() as f64,
                    DeployAt::Every(period) => (horizon / (*period).max(1)) as f64 + 1.0,
                    DeployAt::EachVersion => self.image_work(d.image).0,
                };
                waves * (1.0 + f64::from(d.vms))
            })
            .sum()
    }

    /// An upper estimate of the work of the `retarget` entries in one run: each visits the
    /// version copies alive then (at most `keep_versions` versions of each image, or all).
    pub fn retarget_work(&self) -> f64 {
        let retargets: usize = self.galleries.iter().map(|g| g.retarget.len()).sum();
        if retargets == 0 {
            return 0.0;
        }
        let alive: f64 = (0..self.images.len())
            .map(|i| {
                let (versions, targets) = self.image_work(i);
                let keep = self.galleries[self.images[i].gallery].keep_versions;
                let versions = match keep {
                    0 => versions,
                    k => versions.min(f64::from(k)),
                };
                1.0 + versions * targets
            })
            .sum();
        retargets as f64 * alive
    }

    /// An estimate of the engine events of `image` in one run.
    pub fn image_events(&self, image: usize) -> f64 {
        let (versions, targets) = self.image_work(image);
        versions * (2.0 + targets) + self.images[image].existing.len() as f64
    }

    /// An upper estimate of the copies of `image`'s versions in one run (those that exist
    /// at the start included).
    pub fn image_copies(&self, image: usize) -> f64 {
        let (versions, targets) = self.image_work(image);
        let existing: usize = self.images[image]
            .existing
            .iter()
            .map(|v| v.copies.len())
            .sum();
        versions * targets + existing as f64
    }

    /// An upper estimate of the versions of `image` in one run, and its targets.
    fn image_work(&self, image: usize) -> (f64, f64) {
        let horizon = self.horizon_ticks();
        let image = &self.images[image];
        let versions = match &image.exports {
            Exports::At(ticks) => ticks.iter().filter(|&&t| t < horizon).count() as f64,
            Exports::Every(period) => (horizon / (*period).max(1)) as f64 + 1.0,
            // Poisson: mean plus five standard deviations.
            Exports::PerMonth(rate) => {
                let mean = rate * f64::from(self.months);
                mean + 5.0 * mean.sqrt()
            }
        };
        (versions, image.targets.len() as f64)
    }

    /// The bundled default scenario.
    pub fn bundled_default() -> Scenario {
        Scenario::build(&Inputs::bundled(), &Overrides::default())
            .expect("bundled default scenario is valid")
    }

    /// Validates scenario text; `file` names it in errors (see [`Scenario::parse_with`]).
    pub fn parse(text: &str, file: &str) -> Result<Scenario, InputError> {
        Scenario::parse_with(text, file, &[])
    }

    /// The horizon in ticks.
    pub fn horizon_ticks(&self) -> u64 {
        self.calendar.horizon()
    }
}
