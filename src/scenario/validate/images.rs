//! `[[image]]` tables: an image definition's facts, inputs, schedule and eligibility.

#[allow(clippy::wildcard_imports)]
use super::*;

/// What every image of a file is built against.
pub(super) struct ImageContext<'a> {
    calendar: &'a Calendar,
    galleries: &'a [Gallery],
    accounts: &'a [Account],
    accounts_index: &'a Index<'a>,
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
        let context = ImageContext {
            calendar,
            galleries,
            accounts,
            accounts_index: &accounts_index,
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
        let mut known_cells: HashSet<Cell> = cells.iter().copied().collect();
        for ((i, im), (image, warnings)) in raw.image.iter().enumerate().zip(built) {
            let path = key_path!["image", i];
            unique(&mut names, &im.name, with(&path, "name"), "image")?;
            let image = image?;
            self.warnings.extend(warnings);
            for &(region, g) in &image.targets {
                let cell = Cell { gallery: g, region };
                if known_cells.insert(cell) {
                    cells.push(cell);
                }
            }
            images.push(image);
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
            billing,
            max_os_disk_gb,
        } = *context;
        let path = key_path!["image", i];
        let account = accounts_index.find(&im.account, with(&path, "account"), "account")?;
        let gallery = accounts[account].gallery;
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
        let facts = ImageFacts {
            os_disk_gb,
            data_disks,
            os_state,
            generation,
        };
        Ok(Image {
            name: im.name.clone(),
            account,
            gallery,
            os_disk_gb,
            used_gb,
            data_disks,
            os_state,
            generation,
            exports,
            export_hours,
            replication_hours,
            targets,
            periods,
            delete_on,
            eligibility: rules::evaluate(&facts, max_os_disk_gb),
            stream_key: crate::stats::fnv1a(im.name.as_bytes()),
        })
    }
}
