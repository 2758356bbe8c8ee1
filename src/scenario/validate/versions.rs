//! `[[version]]` tables: versions of an image that exist at `start`, each with its own
//! regions, replica counts and storage types (Azure's unit of replication).

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::scenario::values::MAX_REPLICAS_PER_VERSION;
use crate::scenario::{version_key, ExistingCopy, ExistingVersion};
use jiff::Timestamp;

/// Azure's limit of image versions per subscription and region ("There's a limit of 10,000
/// image versions, per subscription, per region": Azure Compute Gallery, Limits). A scenario
/// has no subscriptions: its galleries of one home region are counted together.
pub const MAX_VERSIONS_PER_REGION: usize = 10_000;

impl Builder<'_> {
    /// Reads every `[[version]]` into its image's `existing` list (in publish order, then by
    /// version number), adding the regions it has copies in to the image's targets.
    pub(super) fn existing_versions(
        &mut self,
        raw: &RawScenario,
        calendar: &Calendar,
        galleries: &[Gallery],
        images: &mut [Image],
    ) -> Result<()> {
        let names: Vec<String> = images.iter().map(|im| im.name.clone()).collect();
        let index = Index::new(names.iter().map(String::as_str));
        let start = start_of(calendar);
        let mut found: Vec<Vec<(Timestamp, Vec<u64>, ExistingVersion)>> =
            vec![Vec::new(); images.len()];
        let mut seen: HashSet<(usize, &str)> = HashSet::new();
        let mut per_region: HashMap<RegionId, usize> = HashMap::new();
        for (i, v) in raw.version.iter().enumerate() {
            let path = key_path!["version", i];
            let im = index.find(&v.image, with(&path, "image"), "image")?;
            if v.name.trim().is_empty() {
                return invalid(with(&path, "name"), "a version needs a non-empty name");
            }
            if !seen.insert((im, v.name.as_str())) {
                return invalid(
                    with(&path, "name"),
                    format!("image `{}` already has a version `{}`", v.image, v.name),
                );
            }
            let at = published(&v.published, with(&path, "published"))?;
            if at >= start {
                return invalid(
                    with(&path, "published"),
                    format!(
                        "{at} is not before the start ({}): a version that exists at the start was published before it; later versions come from `exports`",
                        calendar.start()
                    ),
                );
            }
            let used_gb = dist(&v.used_gb, SIZE_GB, with(&path, "used_gb"))?;
            let storage = match &v.storage {
                None => PerRegion::default(),
                Some(s) => self.per_region(s, with(&path, "storage"), images::storage_type)?,
            };
            let image = &mut images[im];
            let gallery = &galleries[image.gallery];
            if v.targets.is_empty() {
                return invalid(
                    with(&path, "targets"),
                    "a version needs at least one region: targets = { region = replicas }",
                );
            }
            let mut copies = Vec::with_capacity(v.targets.len());
            let mut total = 0;
            for (name, n) in &v.targets {
                let at = with(&with(&path, "targets"), name.as_str());
                let region = self.region(name, at.clone())?;
                let replicas = replica_count(n, at)?;
                total += replicas;
                let target = match image
                    .targets
                    .iter()
                    .position(|&t| t == (region, image.gallery))
                {
                    Some(t) => t,
                    None => {
                        image.targets.push((region, image.gallery));
                        image.targets.len() - 1
                    }
                };
                copies.push(ExistingCopy {
                    target,
                    replicas,
                    storage: storage
                        .get(region)
                        .unwrap_or_else(|| image.storage_in(gallery, region)),
                });
            }
            if let Some(&(r, _)) = storage
                .regions
                .iter()
                .find(|(r, _)| !copies.iter().any(|c| image.targets[c.target].0 == *r))
            {
                return invalid(
                    with(&with(&path, "storage"), self.regions.get(r).name.as_str()),
                    "the version has no copy in this region (not in `targets`)",
                );
            }
            if total > MAX_REPLICAS_PER_VERSION {
                return invalid(
                    with(&path, "targets"),
                    format!("{total} replicas over {} regions; Azure allows at most {MAX_REPLICAS_PER_VERSION} replicas per image version", copies.len()),
                );
            }
            let count = per_region.entry(gallery.region).or_default();
            *count += 1;
            if *count > MAX_VERSIONS_PER_REGION {
                return invalid(
                    path,
                    format!(
                        "more than {MAX_VERSIONS_PER_REGION} image versions in galleries of {}: Azure allows at most {MAX_VERSIONS_PER_REGION} per subscription and region",
                        self.regions.get(gallery.region).name
                    ),
                );
            }
            copies.sort_by_key(|c| c.target);
            let end_of_life = match &v.end_of_life {
                Some(d) => Some(date(d, with(&path, "end_of_life"))?.to_string()),
                None => None,
            };
            found[im].push((
                at,
                version_key(&v.name),
                ExistingVersion {
                    name: v.name.clone(),
                    published: at.to_string(),
                    used_gb,
                    copies,
                    exclude_from_latest: v.exclude_from_latest.unwrap_or(false),
                    end_of_life,
                },
            ));
        }
        for (image, mut list) in images.iter_mut().zip(found) {
            list.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            image.existing = list.into_iter().map(|(_, _, v)| v).collect();
        }
        Ok(())
    }
}

/// The start of the horizon as an instant (00:00 UTC of the start date).
fn start_of(calendar: &Calendar) -> Timestamp {
    midnight(calendar.start())
}

/// `published`: a date (`2026-03-01`, 00:00 UTC) or an instant with an offset
/// (`2026-03-01T10:00:00Z`, `2026-03-01T10:00:00.1234567+00:00` as Azure prints it).
fn published(value: &Value, path: Vec<Seg>) -> Result<Timestamp> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Datetime(d) => d.to_string(),
        other => {
            return invalid(
                path,
                format!(
                    "expected a date or an instant such as \"2026-03-01T10:00:00Z\", found {}",
                    other.type_str()
                ),
            )
        }
    };
    if text.len() == 10 {
        let day = date(&Value::String(text.clone()), path)?;
        return Ok(midnight(day));
    }
    text.parse::<Timestamp>().or_else(|_| {
        invalid(
            path,
            format!("`{text}` is not a date (YYYY-MM-DD) or an instant with an offset (2026-03-01T10:00:00Z)"),
        )
    })
}

/// 00:00 UTC of `day`.
fn midnight(day: jiff::civil::Date) -> Timestamp {
    jiff::tz::TimeZone::UTC
        .to_timestamp(day.to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or(Timestamp::MIN)
}
