//! Stage two of loading: raw file values to a resolved, typed [`Scenario`].

use std::collections::{HashMap, HashSet};

use toml::de::DeTable;
use toml::Value;

use super::locate::{self, Seg};
use super::raw::{AccountKind, RawImage, RawOsState, RawScenario, StorageBilling};
use super::values::{
    date, dist, exports, invalid, optional_dist, replica_count, whole, with, Invalid, Result,
    HOURS, SIZE_GB,
};
use super::{
    Account, CatalogInput, Cell, Exports, Gallery, Image, Inputs, Lab, Overrides, PerRegion,
    Scenario, StorageType, Warning, WarningCode,
};
use crate::calendar::Calendar;
use crate::catalog::{DiskTier, RegionId, Regions};
use crate::error::InputError;
use crate::key_path;
use crate::rules::{self, Consumer, ImageFacts, OsState};

mod consumers;
mod deployments;
mod images;
mod prices;
mod versions;

/// Largest horizon, in billing months.
const MAX_MONTHS: i64 = 600;
/// Largest number of Monte Carlo runs.
const MAX_RUNS: i64 = super::MAX_RUNS as i64;
/// Image size limit without shallow replication (domain.md section 4).
const MAX_IMAGE_GB: f64 = SIZE_GB.max;
/// Data disks of one image (Azure's largest VM sizes take 64).
const MAX_DATA_DISKS: i64 = 64;
/// VMs per lab entry (`count`) and students per lab.
const MAX_LAB_COUNT: i64 = 10_000;

pub(super) fn parse(
    text: &str,
    inputs: &Inputs,
    regions: &Regions,
    overrides: &Overrides,
) -> std::result::Result<Scenario, InputError> {
    let file = inputs.label.as_str();
    check_flags(overrides)?;
    let raw = super::raw::parse(text).map_err(|e| toml_error(text, file, &e))?;
    let mut builder = Builder {
        regions,
        catalog: inputs.catalog.clone(),
        dir: super::inputs::folder(file),
        warnings: Vec::new(),
    };
    builder
        .build(raw, text, inputs, overrides)
        .map_err(|invalid| {
            let root = DeTable::parse(text).expect("text parsed once already");
            let (span, key) = locate::locate(&root, &invalid.path);
            let (line, column) = match span {
                Some(span) => {
                    let (l, c) = locate::line_col(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            InputError {
                file: file.to_string(),
                line,
                column,
                key: Some(key),
                message: invalid.message,
            }
        })
}

/// Checks `--runs` and `--seed` by the rules of `scenario.runs` and `scenario.seed`; an
/// error names the flag (exit 2).
fn check_flags(o: &Overrides) -> std::result::Result<(), InputError> {
    let runs = o.runs.and_then(|n| runs(n.into(), Vec::new()).err());
    let seed = o.seed.and_then(|s| seed(s.into(), Vec::new()).err());
    let flagged = [("--runs", runs), ("--seed", seed)];
    match flagged.into_iter().find_map(|(flag, e)| Some((flag, e?))) {
        None => Ok(()),
        Some((flag, invalid)) => Err(InputError {
            file: "command line".to_string(),
            line: None,
            column: None,
            key: Some(flag.to_string()),
            message: invalid.message,
        }),
    }
}

/// `scenario.runs`: 1 to [`MAX_RUNS`].
fn runs(runs: i64, path: Vec<Seg>) -> Result<u32> {
    match (1..=MAX_RUNS).contains(&runs) {
        true => Ok(runs as u32),
        false => invalid(path, format!("must be 1..={MAX_RUNS} (got {runs})")),
    }
}

/// `scenario.seed`: a whole number from 0 to 2^63 - 1 (TOML's largest integer).
fn seed(seed: i128, path: Vec<Seg>) -> Result<u64> {
    match seed {
        s if s < 0 => invalid(path, "must not be negative"),
        s if s > i128::from(i64::MAX) => {
            invalid(path, format!("must be at most {} (got {s})", i64::MAX))
        }
        s => Ok(s as u64),
    }
}

/// A TOML syntax or shape error, with the key under its span when there is one.
fn toml_error(text: &str, file: &str, error: &toml::de::Error) -> InputError {
    let span = error.span();
    let (line, column) = match &span {
        Some(span) => {
            let (l, c) = locate::line_col(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    let key = span.and_then(|span| {
        let root = DeTable::parse(text).ok()?;
        let path = locate::path_at(&root, span.start);
        (!path.is_empty()).then(|| locate::locate(&root, &path).1)
    });
    InputError {
        file: file.to_string(),
        line,
        column,
        key,
        message: error.message().trim().to_string(),
    }
}

struct Builder<'r> {
    regions: &'r Regions,
    /// The scenario file's folder: the catalog it names was read relative to it.
    dir: std::path::PathBuf,
    /// Where the price catalog comes from.
    catalog: CatalogInput,
    warnings: Vec<Warning>,
}

impl Builder<'_> {
    fn warn(&mut self, code: WarningCode, message: impl Into<String>) {
        self.warnings.push(Warning {
            code,
            message: message.into(),
        });
    }

    fn build(
        &mut self,
        raw: RawScenario,
        text: &str,
        inputs: &Inputs,
        overrides: &Overrides,
    ) -> Result<Scenario> {
        let meta = &raw.scenario;
        if meta.name.trim().is_empty() {
            return invalid(key_path!["scenario", "name"], "must not be empty");
        }
        if let Err(message) = crate::error::check_name(&meta.name) {
            return invalid(key_path!["scenario", "name"], message);
        }
        let start = date(&meta.start, key_path!["scenario", "start"])?;
        if !(1..=MAX_MONTHS).contains(&meta.months) {
            return invalid(
                key_path!["scenario", "months"],
                format!(
                    "must be 1..={MAX_MONTHS} billing months (got {})",
                    meta.months
                ),
            );
        }
        let months = meta.months as u32;
        let calendar =
            Calendar::with_months(start, months, meta.billing_months.unwrap_or_default()).map_err(
                |message| Invalid {
                    path: key_path!["scenario", "start"],
                    message: message.to_string(),
                },
            )?;
        // `--seed` and `--runs` replace the keys (checked before the file was parsed).
        let seed = match overrides.seed {
            Some(s) => s,
            None => seed(meta.seed.unwrap_or(0).into(), key_path!["scenario", "seed"])?,
        };
        let runs = match overrides.runs {
            Some(n) => n,
            None => runs(meta.runs.unwrap_or(1), key_path!["scenario", "runs"])?,
        };
        let storage_billing = meta.storage_billing.unwrap_or_default();
        let catalog = self.catalog(&raw, inputs)?;
        let prices = self.prices(&raw, catalog.as_deref())?;
        // The currency is the catalog's unless the scenario names one.
        let currency = meta
            .currency
            .clone()
            .unwrap_or_else(|| prices.currency.clone());
        if currency.trim().is_empty() {
            return invalid(key_path!["scenario", "currency"], "must not be empty");
        }
        // Another currency than the bundled prices': every price the scenario uses must then
        // come from [prices] (checked in `one_currency`); against a catalog it is an error.
        if currency != prices.currency && catalog.is_some() {
            return invalid(
                key_path!["scenario", "currency"],
                format!(
                    "is {currency}, but the price catalog is in {}: remove scenario.currency or import prices in {currency}",
                    prices.currency
                ),
            );
        }
        let max_os_disk_gb = raw.rules.max_os_disk_gb.unwrap_or(128.0);
        if !(max_os_disk_gb > 0.0) {
            return invalid(key_path!["rules", "max_os_disk_gb"], "must be positive");
        }

        let retirement = self.retirement(&raw, &calendar)?;
        let mut galleries = self.galleries(&raw)?;
        self.gallery_lifecycle(&raw, &calendar, &mut galleries)?;
        let accounts = self.accounts(&raw, &galleries, &calendar, &retirement)?;
        let mut cells = Vec::new();
        let images = self.images(
            &raw,
            &calendar,
            &galleries,
            &accounts,
            storage_billing,
            max_os_disk_gb,
            &mut cells,
        )?;
        let labs = self.labs(&raw, &calendar, &accounts, &images)?;
        // Report order: galleries in file order, the home region first, then by name.
        cells.sort_by_key(|c: &Cell| {
            let home = galleries[c.gallery].region;
            (
                c.gallery,
                c.region != home,
                self.regions.get(c.region).name.clone(),
            )
        });
        let cell_index: HashMap<Cell, usize> =
            cells.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        self.unused_replicas(&galleries, &cell_index);
        replicas_per_version(&galleries, &images)?;
        let mut images = images;
        for image in &mut images {
            // Until now the second field held the target's gallery.
            for (region, cell) in &mut image.targets {
                *cell = cell_index[&Cell {
                    gallery: *cell,
                    region: *region,
                }];
            }
        }

        let horizon_end = calendar.date_of(crate::engine::Time(calendar.horizon()));
        let lab_services = accounts.iter().any(|a| a.kind.is_lab_services());
        if lab_services && calendar.horizon() > retirement.tick {
            self.warn(
                WarningCode::PastRetirement,
                format!(
                "the horizon ends {horizon_end}, after Azure Lab Services retires on {}: lab accounts and lab plans stop exporting and running labs then, while their images stay stored and billed until deleted; move images to a successor (`moves`) and clean up (`retarget`, `delete_on`)", retirement.date
            ));
        }
        let vms_per_replica = match raw.rules.vms_per_replica {
            Some(n) => whole(n, 1, 1000, key_path!["rules", "vms_per_replica"])?,
            None => 20,
        };
        let deployments = self.deployments(&raw, &calendar, &images)?;
        self.replica_guidance(&galleries, &accounts, &images, &labs, &deployments);
        self.prices_used(
            &currency,
            &prices,
            &galleries,
            &images,
            &cells,
            catalog.is_some(),
            storage_billing,
        )?;
        self.warnings
            .extend(super::meters::not_booked(&prices, &[]));

        Ok(Scenario {
            name: meta.name.clone(),
            calendar,
            months,
            seed,
            runs,
            currency,
            storage_billing,
            prices,
            max_os_disk_gb,
            galleries,
            accounts,
            images,
            labs,
            cells,
            deployments,
            vms_per_replica,
            warnings: std::mem::take(&mut self.warnings),
            regions: self.regions.clone(),
            catalog,
            text: text.to_string(),
            sources: Vec::new(),
        })
    }

    fn region(&self, name: &str, path: Vec<Seg>) -> Result<RegionId> {
        self.regions.find(name).ok_or_else(|| {
            let hints = self.regions.suggest(name);
            let hint = if hints.is_empty() {
                String::new()
            } else {
                format!(" (did you mean {}?)", hints.join(", "))
            };
            Invalid {
                path,
                message: format!(
                    "unknown region `{name}`{hint}; `gallerysim regions` lists the {} known regions",
                    self.regions.len()
                ),
            }
        })
    }

    fn galleries(&self, raw: &RawScenario) -> Result<Vec<Gallery>> {
        if raw.gallery.is_empty() {
            return invalid(
                key_path!["gallery"],
                "a scenario needs at least one [[gallery]]",
            );
        }
        let mut names = HashSet::new();
        let mut galleries = Vec::new();
        for (i, g) in raw.gallery.iter().enumerate() {
            let path = key_path!["gallery", i];
            unique(&mut names, &g.name, with(&path, "name"), "gallery")?;
            let region = self.region(&g.region, with(&path, "region"))?;
            let (default_replicas, replicas) = match &g.replicas {
                None => (1, Vec::new()),
                Some(Value::Table(entries)) => {
                    let mut listed = Vec::new();
                    for (name, n) in entries {
                        let at = with(&with(&path, "replicas"), name.as_str());
                        let id = self.region(name, at.clone())?;
                        listed.push((id, replica_count(n, at)?));
                    }
                    (1, listed)
                }
                Some(n) => (replica_count(n, with(&path, "replicas"))?, Vec::new()),
            };
            let keep_versions = match g.keep_versions {
                Some(k) if k < 0 => {
                    return invalid(with(&path, "keep_versions"), "must be 0 (keep all) or more")
                }
                Some(k) => u32::try_from(k).unwrap_or(u32::MAX),
                None => 0,
            };
            galleries.push(Gallery {
                name: g.name.clone(),
                region,
                storage: g.storage.unwrap_or_default(),
                replicas,
                default_replicas,
                keep_versions,
                retarget: Vec::new(),
                delete_on: None,
            });
        }
        Ok(galleries)
    }

    fn accounts(
        &mut self,
        raw: &RawScenario,
        galleries: &[Gallery],
        calendar: &Calendar,
        retirement: &consumers::Retirement,
    ) -> Result<Vec<Account>> {
        let mut names = HashSet::new();
        let mut accounts = Vec::new();
        let galleries_index = Index::new(galleries.iter().map(|g| g.name.as_str()));
        for (i, a) in raw.account.iter().enumerate() {
            let path = key_path!["account", i];
            unique(&mut names, &a.name, with(&path, "name"), "account")?;
            let gallery = galleries_index.find(&a.gallery, with(&path, "gallery"), "gallery")?;
            let region = self.region(&a.region, with(&path, "region"))?;
            let kind = a.kind.unwrap_or_default();
            let replicate_to = self.consumer_regions(raw, i, kind, galleries[gallery].region)?;
            let (from, until) = self.lifetime(a, kind, calendar, retirement, &path)?;
            let gallery_geo = &self.regions.get(galleries[gallery].region).geography;
            if kind == AccountKind::LabAccount && *gallery_geo != self.regions.get(region).geography
            {
                self.warn(
                WarningCode::GalleryInOtherGeography,
                format!(
                    "lab account `{}` is in the {} geography but its gallery `{}` is in {}: versions replicate across the gallery's geography, so the account's labs will not see them",
                    a.name,
                    self.regions.get(region).geography,
                    galleries[gallery].name,
                    gallery_geo
                ));
            }
            if kind == AccountKind::LabPlan && region != galleries[gallery].region {
                self.warn(
                WarningCode::PlanAwayFromGallery,
                format!(
                    "lab plan `{}` is in {} but its gallery `{}` is in {}: Lab Services needs them in the same region",
                    a.name,
                    self.regions.get(region).name,
                    galleries[gallery].name,
                    self.regions.get(galleries[gallery].region).name
                ));
            }
            accounts.push(Account {
                name: a.name.clone(),
                gallery,
                region,
                kind,
                replicate_to,
                from,
                until,
            });
        }
        Ok(accounts)
    }

    /// The images, in file order. Images are independent: each is built on its own (in
    /// parallel, with its own warnings), then names are checked and the images joined in file
    /// order, so the first error and the warnings are those of one pass in order.
    #[allow(clippy::too_many_arguments)]
    fn labs(
        &self,
        raw: &RawScenario,
        calendar: &Calendar,
        accounts: &[Account],
        images: &[Image],
    ) -> Result<Vec<Lab>> {
        let mut names = HashSet::new();
        let mut labs = Vec::new();
        let accounts_index = Index::new(accounts.iter().map(|a| a.name.as_str()));
        let images_index = Index::new(images.iter().map(|im| im.name.as_str()));
        for (i, l) in raw.lab.iter().enumerate() {
            let path = key_path!["lab", i];
            unique(&mut names, &l.name, with(&path, "name"), "lab")?;
            let account = accounts_index.find(&l.account, with(&path, "account"), "account")?;
            let image = images_index.find(&l.image, with(&path, "image"), "image")?;
            let lab_gallery = accounts[account].gallery;
            if !images[image]
                .periods
                .iter()
                .any(|p| p.gallery == lab_gallery)
            {
                return invalid(
                    with(&path, "image"),
                    format!(
                        "image `{}` lives in another gallery than the one account `{}` is attached to",
                        l.image, l.account
                    ),
                );
            }
            let region = self.region(&l.region, with(&path, "region"))?;
            let acc = &accounts[account];
            if acc.kind == AccountKind::LabAccount {
                let home_geo = &self.regions.get(acc.region).geography;
                let lab_geo = &self.regions.get(region).geography;
                if home_geo != lab_geo {
                    return invalid(
                        with(&path, "region"),
                        format!(
                            "{} is in the {lab_geo} geography, outside lab account `{}`'s geography ({home_geo}): a lab account's labs stay in its geography",
                            l.region, acc.name
                        ),
                    );
                }
            }
            let count = match l.count {
                Some(n) => whole(n, 1, MAX_LAB_COUNT, with(&path, "count"))?,
                None => 1,
            };
            let students = match l.students {
                Some(n) => whole(n, 0, MAX_LAB_COUNT, with(&path, "students"))?,
                None => 0,
            };
            let create = match &l.create {
                Some(v) => super::values::tick(v, calendar, with(&path, "create"))?,
                None => 0,
            };
            labs.push(Lab {
                name: l.name.clone(),
                account,
                image,
                region,
                count,
                students,
                create,
            });
        }
        Ok(labs)
    }

    /// A `replicas` entry or a `retarget` region where the gallery keeps no version changes
    /// nothing: most likely a typo or a forgotten `replicate_to`.
    fn unused_replicas(&mut self, galleries: &[Gallery], cells: &HashMap<Cell, usize>) {
        for (g, gallery) in galleries.iter().enumerate() {
            for &(region, n) in &gallery.replicas {
                let cell = Cell { gallery: g, region };
                if !cells.contains_key(&cell) {
                    self.warn(
                        WarningCode::RegionUnused,
                        format!(
                            "gallery `{}` sets {n} replica(s) in {}, but no image of it is replicated there: the entry changes nothing (check the region, or the accounts' replicate_to)",
                            gallery.name,
                            self.regions.get(region).name
                        ),
                    );
                }
            }
            let mut retargeted: Vec<RegionId> = gallery
                .retarget
                .iter()
                .flat_map(|(_, r)| r.iter().copied())
                .collect();
            retargeted.sort_unstable_by_key(|r| self.regions.get(*r).name.clone());
            retargeted.dedup();
            for region in retargeted {
                if !cells.contains_key(&Cell { gallery: g, region }) {
                    self.warn(
                        WarningCode::RegionUnused,
                        format!(
                            "gallery `{}` is retargeted to {}, but no image of it is replicated there: keeping that region changes nothing (check the region name)",
                            gallery.name,
                            self.regions.get(region).name
                        ),
                    );
                }
            }
        }
    }

    /// Microsoft's guidance, one replica per 20 concurrent VM creations: warns where an image
    /// keeps fewer in a region (its VMs are created from its own replicas), counting what the
    /// model creates from the image at once: one template VM per
    /// lab (its students' VMs are created from the template's capture), nothing for a lab whose
    /// image no lab can use or whose account no longer runs labs when it is created, and each
    /// deployment wave's VMs. Creations at the same instant add up; a periodic or per-version
    /// wave counts on its own.
    fn replica_guidance(
        &mut self,
        galleries: &[Gallery],
        accounts: &[Account],
        images: &[Image],
        labs: &[Lab],
        deployments: &[super::Deployment],
    ) {
        /// When VMs are created: at a tick, or at the times of one undated deployment.
        #[derive(PartialEq, Eq, Hash)]
        enum When {
            At(u64),
            Waves(usize),
        }
        let mut at_once: HashMap<(usize, RegionId, When), u64> = HashMap::new();
        // Per image and region: VMs created at once.
        for lab in labs.iter().filter(|l| {
            images[l.image].eligibility.usable_by(Consumer::LabServices)
                && accounts[l.account].active_at(l.create)
        }) {
            let key = (lab.image, lab.region, When::At(lab.create));
            *at_once.entry(key).or_default() += u64::from(lab.count);
        }
        for (i, d) in deployments.iter().enumerate() {
            let times: Vec<When> = match &d.at {
                super::DeployAt::Dates(ticks) => ticks.iter().map(|&t| When::At(t)).collect(),
                _ => vec![When::Waves(i)],
            };
            for when in times {
                *at_once.entry((d.image, d.region, when)).or_default() += u64::from(d.vms);
            }
        }
        let mut peak: HashMap<(usize, RegionId), u64> = HashMap::new();
        for ((image, region, _), vms) in at_once {
            let most = peak.entry((image, region)).or_default();
            *most = (*most).max(vms);
        }
        // In a stable order: image, then region.
        let mut peak: Vec<((usize, RegionId), u64)> = peak.into_iter().collect();
        peak.sort_unstable_by_key(|&((i, r), _)| (i, r.0));
        for ((image, region), vms) in peak {
            let im = &images[image];
            let replicas = u64::from(im.replicas_in(&galleries[im.gallery], region));
            if vms > 20 * replicas {
                self.warn(
                WarningCode::FewReplicas,
                format!(
                    "image `{}` keeps {replicas} replica(s) in {} for up to {vms} VMs created at once from it (a lab's template VM, deployment waves): Microsoft recommends one replica per 20 concurrent VM creations ({} here)",
                    im.name,
                    self.regions.get(region).name,
                    vms.div_ceil(20)
                ));
            }
        }
    }
}

/// Refuses a gallery whose replicas per region, over the regions a version of one of its
/// images is copied to, exceed Azure's limit per image version.
fn replicas_per_version(galleries: &[Gallery], images: &[Image]) -> Result<()> {
    use super::values::MAX_REPLICAS_PER_VERSION;
    for (i, im) in images.iter().enumerate() {
        let Some((total, p)) = im.most_replicas_per_version(galleries) else {
            continue;
        };
        if total > MAX_REPLICAS_PER_VERSION {
            let key = match im.replicas == PerRegion::default() {
                true => key_path!["gallery", p.gallery, "replicas"],
                false => key_path!["image", i, "replicas"],
            };
            return invalid(
                key,
                format!(
                    "a version of image `{}` would keep {total} replicas over its {} target regions; Azure allows at most {MAX_REPLICAS_PER_VERSION} replicas per image version (lower the replicas of some regions)",
                    im.name,
                    p.targets.len()
                ),
            );
        }
    }
    Ok(())
}

fn unique(seen: &mut HashSet<String>, name: &str, path: Vec<Seg>, what: &str) -> Result<()> {
    if name.trim().is_empty() {
        return invalid(path, format!("a {what} needs a non-empty name"));
    }
    if let Err(message) = crate::error::check_name(name) {
        return invalid(path, format!("a {what} name {message}"));
    }
    if !seen.insert(name.to_string()) {
        return invalid(path, format!("duplicate {what} name `{name}`"));
    }
    Ok(())
}

/// Names of one kind of entry, looked up in constant time (validation stays linear in the
/// size of the file).
struct Index<'a> {
    by_name: HashMap<&'a str, usize>,
    names: Vec<&'a str>,
}

impl<'a> Index<'a> {
    fn new(names: impl Iterator<Item = &'a str>) -> Index<'a> {
        let names: Vec<&str> = names.collect();
        let mut by_name = HashMap::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            by_name.entry(*n).or_insert(i);
        }
        Index { by_name, names }
    }

    fn name(&self, i: usize) -> &'a str {
        self.names[i]
    }

    fn find(&self, name: &str, path: Vec<Seg>, what: &str) -> Result<usize> {
        match self.by_name.get(name) {
            Some(&i) => Ok(i),
            None => {
                let listed: Vec<&str> = self.names.iter().take(20).copied().collect();
                let more = self.names.len().saturating_sub(listed.len());
                invalid(
                    path,
                    format!(
                        "unknown {what} `{name}`; defined: {}{}",
                        if listed.is_empty() {
                            "none".to_string()
                        } else {
                            listed.join(", ")
                        },
                        if more > 0 {
                            format!(" and {more} more")
                        } else {
                            String::new()
                        }
                    ),
                )
            }
        }
    }
}
