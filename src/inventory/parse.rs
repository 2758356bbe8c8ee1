//! Azure's JSON to inventory records: documents into resources, resources into galleries,
//! image definitions and versions, each value checked with the JSON path it came from.

use std::collections::HashMap;

use serde_json::Value;

use super::json::{kind, parse_id, prop, File, IdParts, Kind, Result};
use super::{
    Gallery, GalleryKey, ImageDefinition, ImageVersion, Inventory, InventoryError, Origin, OsState,
    RegionReplication, Target, Warning,
};
use crate::catalog::prices::StorageType;
use crate::catalog::Regions;

/// A document's resources with their JSON paths, and the page's `nextLink`.
type Items<'v> = (Vec<(&'v Value, String)>, Option<String>);

/// Records read so far, deduplicated by identity, in the order first seen.
#[derive(Default)]
pub(super) struct Collected {
    galleries: Vec<Gallery>,
    images: Vec<ImageDefinition>,
    versions: Vec<ImageVersion>,
    warnings: Vec<Warning>,
    /// The first location seen for each gallery key, from an image or version (to infer a
    /// gallery that is not in the input), with where it was read.
    locations: HashMap<GalleryKey, (String, Origin, String)>,
}

/// The resources of one document, with their JSON paths: a single resource (`$`), an array
/// (`$[i]`) or a page (`$.value[i]`).
fn resources<'v>(file: &File, doc: &'v Value) -> Result<Items<'v>> {
    match doc {
        Value::Array(items) => Ok((
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (v, format!("$[{i}]")))
                .collect(),
            None,
        )),
        Value::Object(map) if map.contains_key("value") && !map.contains_key("id") => {
            let Some(Value::Array(items)) = map.get("value") else {
                return Err(file.invalid("$.value", "expected the array of a list page"));
            };
            let next = file.opt_str(map.get("nextLink"), "$.nextLink")?;
            let items = items
                .iter()
                .enumerate()
                .map(|(i, v)| (v, format!("$.value[{i}]")));
            Ok((
                items.collect(),
                next.filter(|n| !n.trim().is_empty()).map(str::to_string),
            ))
        }
        Value::Object(_) => Ok((vec![(doc, "$".to_string())], None)),
        other => Err(file.invalid(
            "$",
            format!(
                "expected a resource, an array of resources or a list page, found {}",
                kind(other)
            ),
        )),
    }
}

/// Reads one file into `out`.
pub(super) fn read_file(
    label: &str,
    text: &str,
    regions: &Regions,
    out: &mut Collected,
) -> Result<()> {
    let file = File { label, regions };
    // PowerShell's `Out-File` and Windows editors write a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Value = serde_json::from_str(text).map_err(|e| InventoryError::Json {
        file: label.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let (items, next) = resources(&file, &doc)?;
    if let Some(next) = next {
        out.warnings.push(Warning {
            origin: Some(file.origin("$.nextLink")),
            message: format!(
                "the list continues on another page ({}): pass every page (`az sig ... list` reads them all)",
                truncate(&next, 80)
            ),
        });
    }
    for (value, path) in items {
        out.resource(&file, value, &path)?;
    }
    Ok(())
}

fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}

impl Collected {
    fn warn(&mut self, origin: Origin, message: String) {
        self.warnings.push(Warning {
            origin: Some(origin),
            message,
        });
    }

    fn resource(&mut self, file: &File, value: &Value, path: &str) -> Result<()> {
        if !value.is_object() {
            return Err(file.invalid(
                path,
                format!("expected a resource (an object), found {}", kind(value)),
            ));
        }
        let id_path = format!("{path}.id");
        let Some(id) = file.opt_str(value.get("id"), &id_path)? else {
            return Err(file.invalid(
                path,
                "no `id`: not an Azure resource (expected a gallery, image definition or image version)",
            ));
        };
        let type_path = format!("{path}.type");
        let declared = file.opt_str(value.get("type"), &type_path)?;
        let parts = parse_id(id);
        let by_type = declared.map(|t| match t.to_ascii_lowercase().as_str() {
            "microsoft.compute/galleries" => Kind::Gallery,
            "microsoft.compute/galleries/images" => Kind::Image,
            "microsoft.compute/galleries/images/versions" => Kind::Version,
            _ => Kind::Other,
        });
        let by_id = parts.as_ref().map_or(Kind::Other, |p| p.kind);
        let kind = by_type.unwrap_or(by_id);
        if kind == Kind::Other {
            let what = declared.map_or_else(|| format!("id {id}"), |t| format!("type {t}"));
            self.warn(
                file.origin(path),
                format!("not a gallery, image definition or image version ({what}): skipped"),
            );
            return Ok(());
        }
        let parts =
            match parts {
                Some(parts) if parts.kind == kind => parts,
                _ => {
                    return Err(file.invalid(
                        &id_path,
                        format!(
                    "`{id}` is not the id of a gallery {}",
                    match kind {
                        Kind::Gallery =>
                            "(.../resourceGroups/RG/providers/Microsoft.Compute/galleries/NAME)",
                        Kind::Image => "image definition (.../galleries/G/images/NAME)",
                        _ => "image version (.../galleries/G/images/I/versions/NAME)",
                    }
                ),
                    ))
                }
            };
        match kind {
            Kind::Gallery => self.gallery(file, value, path, id, &parts),
            Kind::Image => self.image(file, value, path, id, &parts),
            _ => self.version(file, value, path, id, &parts),
        }
    }

    /// Remembers where a gallery is, from an image or version's `location`, in case the
    /// gallery itself is not in the input.
    fn note_location(
        &mut self,
        file: &File,
        value: &Value,
        path: &str,
        key: GalleryKey,
        from: &str,
    ) -> Result<()> {
        let location_path = format!("{path}.location");
        if let Some(location) = file.opt_str(value.get("location"), &location_path)? {
            self.locations.entry(key).or_insert_with(|| {
                (
                    location.to_string(),
                    file.origin(&location_path),
                    from.to_string(),
                )
            });
        }
        Ok(())
    }

    fn gallery(
        &mut self,
        file: &File,
        value: &Value,
        path: &str,
        id: &str,
        parts: &IdParts,
    ) -> Result<()> {
        let key = parts.gallery_key();
        if self.galleries.iter().any(|g| g.key == key) {
            return Ok(());
        }
        let location_path = format!("{path}.location");
        let Some(location) = file.opt_str(value.get("location"), &location_path)? else {
            return Err(file.invalid(path, "a gallery without a `location`"));
        };
        let region = file.region(location, &location_path)?;
        let name = file
            .name(&parts.gallery, &format!("{path}.id"))?
            .to_string();
        self.galleries.push(Gallery {
            key,
            id: id.to_string(),
            name,
            resource_group: parts.resource_group.clone(),
            region,
            inferred: false,
            origin: file.origin(path),
        });
        Ok(())
    }

    fn image(
        &mut self,
        file: &File,
        value: &Value,
        path: &str,
        id: &str,
        parts: &IdParts,
    ) -> Result<()> {
        let key = parts.image_key();
        self.note_location(
            file,
            value,
            path,
            key.gallery.clone(),
            &format!("image definition {id}"),
        )?;
        if self.images.iter().any(|i| i.key == key && !i.inferred) {
            return Ok(());
        }
        let name = file
            .name(parts.image.as_deref().unwrap_or(""), &format!("{path}.id"))?
            .to_string();
        let (v, p) = prop(value, "osState", path);
        let os_state = match file.opt_str(v, &p)?.map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("generalized") => Some(OsState::Generalized),
            Some("specialized") => Some(OsState::Specialized),
            Some(other) => {
                return Err(file.invalid(
                    &p,
                    format!("osState `{other}`: expected Generalized or Specialized"),
                ))
            }
        };
        let (v, p) = prop(value, "hyperVGeneration", path);
        let generation = match file.opt_str(v, &p)?.map(str::to_ascii_uppercase).as_deref() {
            None => None,
            Some("V1") => Some(1),
            Some("V2") => Some(2),
            Some(other) => {
                return Err(
                    file.invalid(&p, format!("hyperVGeneration `{other}`: expected V1 or V2"))
                )
            }
        };
        let (v, p) = prop(value, "osType", path);
        let os_type = file.opt_str(v, &p)?.map(str::to_string);
        let (v, p) = prop(value, "architecture", path);
        let architecture = file.opt_str(v, &p)?.map(str::to_string);
        let security_type = self.security_type(file, value, path)?;
        let image = ImageDefinition {
            key: key.clone(),
            id: id.to_string(),
            name,
            os_type,
            os_state,
            generation,
            security_type,
            architecture,
            inferred: false,
            origin: file.origin(path),
        };
        // A definition read after one of its versions replaces the one inferred from it.
        match self.images.iter_mut().find(|i| i.key == key) {
            Some(inferred) => *inferred = image,
            None => self.images.push(image),
        }
        Ok(())
    }

    /// The `SecurityType` member of `features` (`[{ "name": ..., "value": ... }]`).
    fn security_type(&mut self, file: &File, value: &Value, path: &str) -> Result<Option<String>> {
        let (features, p) = prop(value, "features", path);
        let features = match features {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(features)) => features,
            Some(other) => {
                return Err(file.invalid(
                    &p,
                    format!("expected an array of features, found {}", kind(other)),
                ))
            }
        };
        for (i, feature) in features.iter().enumerate() {
            let at = format!("{p}[{i}]");
            let name = file.opt_str(feature.get("name"), &format!("{at}.name"))?;
            if name.is_some_and(|n| n.eq_ignore_ascii_case("SecurityType")) {
                return Ok(file
                    .opt_str(feature.get("value"), &format!("{at}.value"))?
                    .map(str::to_string));
            }
        }
        Ok(None)
    }

    fn version(
        &mut self,
        file: &File,
        value: &Value,
        path: &str,
        id: &str,
        parts: &IdParts,
    ) -> Result<()> {
        let image = parts.image_key();
        self.note_location(
            file,
            value,
            path,
            image.gallery.clone(),
            &format!("image version {id}"),
        )?;
        let name = file
            .name(
                parts.version.as_deref().unwrap_or(""),
                &format!("{path}.id"),
            )?
            .to_string();
        let same = |v: &ImageVersion| v.image == image && v.name.eq_ignore_ascii_case(&name);
        if let Some(known) = self.versions.iter().position(same) {
            // Read once; a later copy with `$expand=ReplicationStatus` adds the status.
            let (v, _) = prop(value, "replicationStatus", path);
            if self.versions[known].replication.is_empty() && v.is_some() {
                let replication = self.replication(file, value, path)?;
                self.versions[known].replication = replication;
            }
            return Ok(());
        }
        let location_path = format!("{path}.location");
        let location = match file.opt_str(value.get("location"), &location_path)? {
            Some(l) => Some(file.region(l, &location_path)?),
            None => None,
        };
        let (profile, profile_path) = prop(value, "publishingProfile", path);
        let profile = profile.filter(|p| !p.is_null());
        let member = |key: &str| {
            (
                profile.and_then(|p| p.get(key)),
                format!("{profile_path}.{key}"),
            )
        };
        let (v, p) = member("publishedDate");
        let published = file.opt_time(v, &p)?;
        let (v, p) = member("endOfLifeDate");
        let end_of_life = file.opt_time(v, &p)?;
        let (v, p) = member("excludeFromLatest");
        let exclude_from_latest = file.opt_bool(v, &p)?.unwrap_or(false);
        let (v, p) = member("replicaCount");
        let replica_count = file.opt_count(v, &p)?;
        let (v, p) = member("storageAccountType");
        let version_storage = file.storage(v, &p)?;
        let (v, p) = member("targetRegions");
        let targets = self.targets(file, v, &p, replica_count, version_storage)?;
        let targets = match (targets.is_empty(), location) {
            (true, Some(home)) => vec![Target {
                region: home,
                replicas: replica_count.unwrap_or(1),
                storage: version_storage.unwrap_or_default(),
            }],
            _ => targets,
        };
        if targets.is_empty() {
            return Err(file.invalid(
                path,
                "an image version with neither `targetRegions` nor a `location`",
            ));
        }
        let (v, p) = member("targetExtendedLocations");
        if v.and_then(Value::as_array).is_some_and(|a| !a.is_empty()) {
            self.warn(
                file.origin(&p),
                "replicas in extended locations (edge zones) are not simulated".to_string(),
            );
        }
        let (storage, storage_path) = prop(value, "storageProfile", path);
        let os_path = format!("{storage_path}.osDiskImage.sizeInGB");
        let os_disk_gb = file.opt_gb(
            storage
                .and_then(|s| s.get("osDiskImage"))
                .and_then(|d| d.get("sizeInGB")),
            &os_path,
        )?;
        let mut data_disks_gb = Vec::new();
        let data_path = format!("{storage_path}.dataDiskImages");
        match storage.and_then(|s| s.get("dataDiskImages")) {
            None | Some(Value::Null) => {}
            Some(Value::Array(disks)) => {
                for (i, disk) in disks.iter().enumerate() {
                    let at = format!("{data_path}[{i}].sizeInGB");
                    match file.opt_gb(disk.get("sizeInGB"), &at)? {
                        Some(gb) => data_disks_gb.push(gb),
                        None => return Err(file.invalid(&at, "a data disk without its size")),
                    }
                }
            }
            Some(other) => {
                return Err(file.invalid(
                    &data_path,
                    format!("expected an array, found {}", kind(other)),
                ))
            }
        }
        if os_disk_gb.is_none() {
            self.warn(
                file.origin(&os_path),
                format!("version {name} has no OS disk size"),
            );
        }
        let (v, p) = prop(value, "provisioningState", path);
        let provisioning_state = file.opt_str(v, &p)?.map(str::to_string);
        if let Some(state) = provisioning_state
            .as_deref()
            .filter(|s| !s.eq_ignore_ascii_case("Succeeded"))
        {
            self.warn(
                file.origin(&p),
                format!("version {name} is `{state}`, not Succeeded: imported as if complete"),
            );
        }
        let replication = self.replication(file, value, path)?;
        self.versions.push(ImageVersion {
            image,
            id: id.to_string(),
            name,
            location,
            published,
            end_of_life,
            exclude_from_latest,
            os_disk_gb,
            data_disks_gb,
            targets,
            replication,
            provisioning_state,
            origin: file.origin(path),
        });
        Ok(())
    }

    fn targets(
        &mut self,
        file: &File,
        regions: Option<&Value>,
        path: &str,
        replica_count: Option<u32>,
        version_storage: Option<StorageType>,
    ) -> Result<Vec<Target>> {
        let regions = match regions {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(regions)) => regions,
            Some(other) => {
                return Err(file.invalid(
                    path,
                    format!("expected an array of target regions, found {}", kind(other)),
                ))
            }
        };
        let mut targets: Vec<Target> = Vec::new();
        for (i, target) in regions.iter().enumerate() {
            let at = format!("{path}[{i}]");
            let name_path = format!("{at}.name");
            let Some(name) = file.opt_str(target.get("name"), &name_path)? else {
                return Err(file.invalid(&at, "a target region without a `name`"));
            };
            let region = file.region(name, &name_path)?;
            if targets.iter().any(|t| t.region == region) {
                return Err(file.invalid(
                    &name_path,
                    format!("target region `{name}` is listed twice"),
                ));
            }
            let replicas = file.opt_count(
                target.get("regionalReplicaCount"),
                &format!("{at}.regionalReplicaCount"),
            )?;
            let storage = file.storage(
                target.get("storageAccountType"),
                &format!("{at}.storageAccountType"),
            )?;
            if file.opt_bool(
                target.get("excludeFromLatest"),
                &format!("{at}.excludeFromLatest"),
            )? == Some(true)
            {
                self.warn(
                    file.origin(&format!("{at}.excludeFromLatest")),
                    format!("excluded from latest in `{name}` only: a scenario excludes a version everywhere or nowhere; imported as not excluded there"),
                );
            }
            targets.push(Target {
                region,
                replicas: replicas.or(replica_count).unwrap_or(1),
                storage: storage.or(version_storage).unwrap_or_default(),
            });
        }
        Ok(targets)
    }

    fn replication(
        &mut self,
        file: &File,
        value: &Value,
        path: &str,
    ) -> Result<Vec<RegionReplication>> {
        let (status, p) = prop(value, "replicationStatus", path);
        let summary_path = format!("{p}.summary");
        let summary = match status.and_then(|s| s.get("summary")) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(summary)) => summary,
            Some(other) => {
                return Err(file.invalid(
                    &summary_path,
                    format!("expected an array, found {}", kind(other)),
                ))
            }
        };
        let mut out = Vec::new();
        for (i, entry) in summary.iter().enumerate() {
            let at = format!("{summary_path}[{i}]");
            let region = file
                .opt_str(entry.get("region"), &format!("{at}.region"))?
                .unwrap_or("")
                .to_string();
            let state = file
                .opt_str(entry.get("state"), &format!("{at}.state"))?
                .unwrap_or("Unknown")
                .to_string();
            let progress = match entry.get("progress") {
                Some(Value::Number(n)) => n.as_f64(),
                _ => None,
            };
            if !state.eq_ignore_ascii_case("Completed") {
                self.warn(
                    file.origin(&at),
                    format!("replication to `{region}` is `{state}`: imported as complete (its replicas are billed once they exist)"),
                );
            }
            out.push(RegionReplication {
                region,
                state,
                progress,
            });
        }
        Ok(out)
    }

    /// Infers the galleries and image definitions that versions and images name but the input
    /// does not hold, and hands the records over.
    pub(super) fn finish(mut self, regions: &Regions) -> Result<Inventory> {
        // Definitions for versions whose definition is not in the input.
        for v in 0..self.versions.len() {
            let key = self.versions[v].image.clone();
            if self.images.iter().any(|i| i.key == key) {
                continue;
            }
            let version = &self.versions[v];
            let name = image_name_in(&version.id).unwrap_or_else(|| key.image.clone());
            let id = version
                .id
                .rsplitn(3, '/')
                .nth(2)
                .unwrap_or(&version.id)
                .to_string();
            let origin = version.origin.clone();
            self.warnings.push(Warning {
                origin: Some(origin.clone()),
                message: format!(
                    "image definition `{name}` is not in the input (pass `az sig image-definition list`): \
                     its OS state and generation are unknown"
                ),
            });
            self.images.push(ImageDefinition {
                key,
                id,
                name,
                os_type: None,
                os_state: None,
                generation: None,
                security_type: None,
                architecture: None,
                inferred: true,
                origin,
            });
        }
        // Galleries for images whose gallery is not in the input.
        for i in 0..self.images.len() {
            let key = self.images[i].key.gallery.clone();
            if self.galleries.iter().any(|g| g.key == key) {
                continue;
            }
            let image = &self.images[i];
            let parts = parse_id(&image.id);
            let Some((location, origin, from)) = self.locations.get(&key).cloned() else {
                return Err(InventoryError::Invalid {
                    file: image.origin.file.clone(),
                    path: image.origin.path.clone(),
                    message: format!(
                        "gallery `{}` is not in the input and nothing gives its region (pass `az sig list`)",
                        key.gallery
                    ),
                });
            };
            let file = File {
                label: &origin.file,
                regions,
            };
            let region = file.region(&location, &origin.path)?;
            let (name, resource_group) = parts
                .map(|p| (p.gallery, p.resource_group))
                .unwrap_or_else(|| (key.gallery.clone(), key.resource_group.clone()));
            let id = image
                .id
                .rsplitn(3, '/')
                .nth(2)
                .unwrap_or(&image.id)
                .to_string();
            self.warnings.push(Warning {
                origin: Some(origin.clone()),
                message: format!(
                    "gallery `{name}` (resource group `{resource_group}`) is not in the input (pass `az sig list`): \
                     its region is the location of {from}"
                ),
            });
            self.galleries.push(Gallery {
                key,
                id,
                name,
                resource_group,
                region,
                inferred: true,
                origin,
            });
        }
        Ok(Inventory {
            galleries: self.galleries,
            images: self.images,
            versions: self.versions,
            warnings: self.warnings,
        })
    }
}

/// The image definition name in a version id, as Azure spells it.
fn image_name_in(id: &str) -> Option<String> {
    parse_id(id).and_then(|p| p.image)
}
