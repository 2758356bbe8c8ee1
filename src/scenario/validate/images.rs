//! `[[image]]` tables: an image definition's facts, inputs, schedule and eligibility.

#[allow(clippy::wildcard_imports)]
use super::*;

/// What every image of a file is built against.
pub(super) struct ImageContext<'a> {
    calendar: &'a Calendar,
    galleries: &'a [Gallery],
    accounts: &'a [Account],
    accounts_index: &'a Index<'a>,
    galleries_index: &'a Index<'a>,
    billing: StorageBilling,
    max_os_disk_gb: f64,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn images(
        &mut self,
        raw: &RawScenario,
        calendar: &Calendar,
        galleries: &[Gallery],
        accounts: &[Account],
        billing: StorageBilling,
        max_os_disk_gb: f64,
        cells: &mut Vec<Cell>,
    ) -> Result<Vec<Image>> {
        use rayon::prelude::*;
        let accounts_index = Index::new(accounts.iter().map(|a| a.name.as_str()));
        let galleries_index = Index::new(galleries.iter().map(|g| g.name.as_str()));
        let context = ImageContext {
            calendar,
            galleries,
            accounts,
            accounts_index: &accounts_index,
            galleries_index: &galleries_index,
            billing,
            max_os_disk_gb,
        };
        let built: Vec<(Result<Image>, Vec<Warning>)> = raw
            .image
            .par_iter()
            .enumerate()
            .map(|(i, im)| {
                let mut one = Builder {
                    regions: self.regions,
                    dir: self.dir.clone(),
                    catalog: CatalogInput::Named,
                    warnings: Vec::new(),
                };
                (one.image(i, im, &context), one.warnings)
            })
            .collect();
        let mut names = HashSet::new();
        let mut images = Vec::with_capacity(built.len());
        for ((i, im), (image, warnings)) in raw.image.iter().enumerate().zip(built) {
            let path = key_path!["image", i];
            unique(&mut names, &im.name, with(&path, "name"), "image")?;
            images.push(image?);
            self.warnings.extend(warnings);
        }
        self.existing_versions(raw, calendar, galleries, &mut images)?;
        let mut known_cells: HashSet<Cell> = cells.iter().copied().collect();
        for image in &images {
            for &(region, g) in &image.targets {
                let cell = Cell { gallery: g, region };
                if known_cells.insert(cell) {
                    cells.push(cell);
                }
            }
        }
        Ok(images)
    }

    /// Image `i` of the file, its name not yet checked for uniqueness.
    fn image(&mut self, i: usize, im: &RawImage, context: &ImageContext<'_>) -> Result<Image> {
        let ImageContext {
            calendar,
            galleries,
            accounts,
            accounts_index,
            galleries_index,
            billing,
            max_os_disk_gb,
        } = *context;
        let path = key_path!["image", i];
        let (account, gallery) =
            self.owner(im, &path, accounts, accounts_index, galleries_index)?;
        let os_disk_gb = im.os_disk_gb;
        if !(os_disk_gb > 0.0) {
            return invalid(
                with(&path, "os_disk_gb"),
                format!("must be positive (got {os_disk_gb})"),
            );
        }
        if os_disk_gb >= MAX_IMAGE_GB {
            return invalid(
                with(&path, "os_disk_gb"),
                format!("a gallery image must be under 2 TB ({MAX_IMAGE_GB} GB); got {os_disk_gb}"),
            );
        }
        if billing == StorageBilling::ManagedDisk && DiskTier::holding(os_disk_gb).is_none() {
            return invalid(
                with(&path, "os_disk_gb"),
                format!("{os_disk_gb} GB is larger than the biggest managed-disk tier priced (S30, 1024 GiB)"),
            );
        }
        let used_gb = dist(&im.used_gb, SIZE_GB, with(&path, "used_gb"))?;
        let data_disks = match im.data_disks {
            Some(n) => whole(n, 0, MAX_DATA_DISKS, with(&path, "data_disks"))?,
            None => 0,
        };
        if data_disks == 0 {
            // A bounded distribution must fit the disk; an unbounded one must on average,
            // and its tail past the disk is reported.
            let largest = used_gb.support_max().unwrap_or(used_gb.mean());
            if largest > os_disk_gb {
                return invalid(
                    with(&path, "used_gb"),
                    format!(
                        "a version of {largest} GB does not fit the {os_disk_gb} GB OS disk (no data disks): lower used_gb or raise os_disk_gb"
                    ),
                );
            }
            // A bounded one that fits never draws past the disk (and its quantile is a
            // numerical search, a good part of validating each image of a large fleet).
            let p999 = (used_gb.support_max().is_none()).then(|| used_gb.quantile(0.999));
            if let Some(p999) = p999.filter(|&p| p > os_disk_gb) {
                let message = format!(
                    "image `{}`: used_gb {used_gb} exceeds its {os_disk_gb} GB OS disk in more than 0.1 % of draws (P99.9 = {p999:.1} GB); a bounded distribution (pert, triangular) with max = {os_disk_gb} keeps it possible",
                    im.name
                );
                self.warn(WarningCode::UsedOverDisk, message);
            }
        }
        let os_state = match im.os_state {
            Some(RawOsState::Generalized) => OsState::Generalized,
            _ => OsState::Specialized,
        };
        let generation = match im.generation {
            None | Some(1) => 1,
            Some(2) => 2,
            Some(g) => {
                return invalid(
                    with(&path, "generation"),
                    format!("must be 1 or 2 (got {g})"),
                )
            }
        };
        let exports = exports(im.exports.as_ref(), calendar, with(&path, "exports"))?;
        if account.is_none() && !matches!(&exports, Exports::At(t) if t.is_empty()) {
            return invalid(
                with(&path, "exports"),
                "an image without `account` has no consumer to export it: write `exports = []`, or give it an `account`",
            );
        }
        if account.is_none() && !im.moves.is_empty() {
            return invalid(
                with(&path, "moves"),
                "an image without `account` cannot move: give it an `account` first",
            );
        }
        let export_hours = optional_dist(
            im.export_hours.as_ref(),
            2.0,
            HOURS,
            with(&path, "export_hours"),
        )?;
        let replication_hours = optional_dist(
            im.replication_hours.as_ref(),
            1.0,
            HOURS,
            with(&path, "replication_hours"),
        )?;

        let replicas = match &im.replicas {
            None => PerRegion::default(),
            Some(v) => self.per_region(v, with(&path, "replicas"), replica_count)?,
        };
        let storage = match &im.storage {
            None => PerRegion::default(),
            Some(v) => self.per_region(v, with(&path, "storage"), storage_type)?,
        };
        let (targets, periods) = self.periods(
            im,
            &path,
            account,
            accounts,
            galleries,
            calendar,
            accounts_index,
        )?;
        self.exports_within_lifetimes(im, &path, &periods, accounts, &exports, calendar)?;
        let delete_on = match &im.delete_on {
            Some(v) => Some(self.tick_of(v, calendar, with(&path, "delete_on"))?),
            None => None,
        }
        .into_iter()
        .chain(
            periods
                .iter()
                .filter_map(|p| galleries[p.gallery].delete_on),
        )
        .min();
        let mut consumers: Vec<Consumer> = periods
            .iter()
            .map(|p| accounts[p.account].kind.consumer())
            .collect();
        consumers.sort_unstable();
        consumers.dedup();
        let exported = !matches!(&exports, Exports::At(t) if t.is_empty());
        let lab_export = periods
            .iter()
            .any(|p| accounts[p.account].kind.is_lab_services());
        if os_state == OsState::Generalized && exported && lab_export {
            return invalid(
                with(&path, "os_state"),
                "Azure Lab Services exports only specialized images: a generalized image is uploaded outside Lab Services (give it `exports = []`), or drop `os_state`",
            );
        }
        let facts = ImageFacts {
            os_disk_gb,
            data_disks,
            os_state,
            generation,
            security: im.security_type.unwrap_or_default(),
        };
        Ok(Image {
            name: im.name.clone(),
            account,
            gallery,
            replicas,
            storage,
            existing: Vec::new(),
            os_disk_gb,
            used_gb,
            data_disks,
            os_state,
            generation,
            security: facts.security,
            exports,
            export_hours,
            replication_hours,
            targets,
            periods,
            delete_on,
            eligibility: rules::evaluate(&facts, max_os_disk_gb, &consumers),
            stream_key: crate::stats::fnv1a(im.name.as_bytes()),
        })
    }
}

impl Builder<'_> {
    /// The image's account (None: an orphan) and gallery: `account`'s gallery, or `gallery`
    /// when it has no account; both given, they must agree.
    fn owner(
        &self,
        im: &RawImage,
        path: &[Seg],
        accounts: &[Account],
        accounts_index: &Index<'_>,
        galleries_index: &Index<'_>,
    ) -> Result<(Option<usize>, usize)> {
        let named = match &im.gallery {
            Some(g) => Some(galleries_index.find(g, with(path, "gallery"), "gallery")?),
            None => None,
        };
        let Some(name) = &im.account else {
            return match named {
                Some(g) => Ok((None, g)),
                None => invalid(
                    with(path, "account"),
                    "an image needs an `account` (whose labs export it) or, for an image nobody consumes, a `gallery`",
                ),
            };
        };
        let account = accounts_index.find(name, with(path, "account"), "account")?;
        let gallery = accounts[account].gallery;
        if let Some(g) = named.filter(|&g| g != gallery) {
            return invalid(
                with(path, "gallery"),
                format!(
                    "names gallery `{}`, but account `{name}` uses gallery `{}`: drop `gallery` or make them agree",
                    galleries_index.name(g),
                    galleries_index.name(gallery)
                ),
            );
        }
        Ok((Some(account), gallery))
    }

    /// A per-region setting: one value for every region, or a table region -> value.
    pub(super) fn per_region<T>(
        &self,
        value: &Value,
        path: Vec<Seg>,
        one: impl Fn(&Value, Vec<Seg>) -> Result<T>,
    ) -> Result<PerRegion<T>> {
        let Value::Table(entries) = value else {
            return Ok(PerRegion {
                default: Some(one(value, path)?),
                regions: Vec::new(),
            });
        };
        let mut regions = Vec::with_capacity(entries.len());
        for (name, v) in entries {
            let at = with(&path, name.as_str());
            let id = self.region(name, at.clone())?;
            regions.push((id, one(v, at)?));
        }
        Ok(PerRegion {
            default: None,
            regions,
        })
    }
}

/// A storage account type as written: `standard_lrs`, `standard_zrs` or `premium_lrs`.
pub(super) fn storage_type(value: &Value, path: Vec<Seg>) -> Result<StorageType> {
    use serde::Deserialize as _;
    match value {
        Value::String(_) => StorageType::deserialize(value.clone()).or_else(|_| {
            invalid(
                path,
                format!(
                    "`{}` is not a storage account type: standard_lrs, standard_zrs or premium_lrs",
                    value.as_str().unwrap_or_default()
                ),
            )
        }),
        other => invalid(
            path,
            format!(
                "expected a storage account type (\"standard_lrs\", \"standard_zrs\", \"premium_lrs\") or a table region -> type, found {}",
                other.type_str()
            ),
        ),
    }
}
