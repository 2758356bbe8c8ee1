//! An inventory written as a scenario: `[[gallery]]`, orphan `[[image]]`s (no account, no
//! exports) and the `[[version]]`s that exist at `start` (issue 26's contract).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use super::{Gallery, ImageDefinition, ImageVersion, Inventory, InventoryError, Target, Warning};
use crate::catalog::prices::StorageType;
use crate::catalog::{RegionId, Regions};

/// How an inventory is written as a scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportOptions {
    /// `[scenario] name` ("Imported gallery").
    pub name: Option<String>,
    /// `[scenario] start`: every version must be published before it (the first day of the
    /// month after the newest version's publish date).
    pub start: Option<Date>,
    /// `[scenario] months`, 1..=600 (12).
    pub months: Option<u32>,
    /// Occupied size per scenario image name (`IMAGE=GB`, see [`parse_used_gb`]): written as
    /// `used_gb` of the image and of all its versions, instead of the provisioned size.
    pub used_gb: Vec<(String, f64)>,
}

/// A scenario's text and what the reader should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioText {
    /// The scenario file.
    pub text: String,
    /// The inventory's warnings and the writer's (also written as comments at the top).
    pub warnings: Vec<Warning>,
    /// The start date written.
    pub start: Date,
}

/// Parses a `used_gb` option `IMAGE=GB` (GB a finite number, 0 or more).
pub fn parse_used_gb(arg: &str) -> Result<(String, f64), InventoryError> {
    let fail = |message: &str| InventoryError::UsedGb {
        arg: arg.to_string(),
        message: message.to_string(),
    };
    let (image, gb) = arg
        .rsplit_once('=')
        .ok_or_else(|| fail("expected IMAGE=GB, e.g. cs101=48"))?;
    let image = image.trim();
    if image.is_empty() {
        return Err(fail("no image name before `=`"));
    }
    let gb: f64 = gb
        .trim()
        .parse()
        .map_err(|_| fail("the size after `=` is not a number"))?;
    if !gb.is_finite() || gb < 0.0 {
        return Err(fail("the size must be a finite number of GB, 0 or more"));
    }
    Ok((image.to_string(), gb))
}

/// The scenario names of galleries (by index into `inventory.galleries`) and images (by index
/// into `inventory.images`), unique and deterministic whatever the order of the input: a name
/// is kept when no other gallery (image) has it, ignoring case; otherwise a gallery is
/// `NAME-RESOURCEGROUP` (then `-SUBSCRIPTION`) and an image `GALLERY-NAME`; a number is added
/// if that still clashes.
pub(super) fn names(inventory: &Inventory) -> (Vec<String>, Vec<String>) {
    let gallery_order = sorted(&inventory.galleries, |g| format!("{:?}", g.key));
    let count = |names: &mut dyn Iterator<Item = String>| {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for n in names {
            *counts.entry(n.to_lowercase()).or_default() += 1;
        }
        counts
    };
    let by_name = count(&mut inventory.galleries.iter().map(|g| g.name.clone()));
    let by_group = count(
        &mut inventory
            .galleries
            .iter()
            .map(|g| format!("{}-{}", g.name, g.resource_group)),
    );
    let mut gallery_names = vec![String::new(); inventory.galleries.len()];
    let mut taken = Taken::default();
    for &i in &gallery_order {
        let g = &inventory.galleries[i];
        let with_group = format!("{}-{}", g.name, g.resource_group);
        let wanted = if by_name[&g.name.to_lowercase()] == 1 {
            g.name.clone()
        } else if by_group[&with_group.to_lowercase()] == 1 {
            with_group
        } else {
            let sub: String = g.key.subscription.chars().take(8).collect();
            format!("{with_group}-{sub}")
        };
        gallery_names[i] = taken.claim(wanted);
    }
    let gallery_of: HashMap<_, usize> = inventory
        .galleries
        .iter()
        .enumerate()
        .map(|(i, g)| (g.key.clone(), i))
        .collect();
    let image_order = sorted(&inventory.images, |i| format!("{:?}", i.key));
    let by_name = count(&mut inventory.images.iter().map(|i| i.name.clone()));
    let mut image_names = vec![String::new(); inventory.images.len()];
    let mut taken = Taken::default();
    for &i in &image_order {
        let image = &inventory.images[i];
        let wanted = match by_name[&image.name.to_lowercase()] {
            1 => image.name.clone(),
            _ => {
                let gallery = gallery_of
                    .get(&image.key.gallery)
                    .map_or(image.key.gallery.gallery.as_str(), |&g| {
                        gallery_names[g].as_str()
                    });
                format!("{gallery}-{}", image.name)
            }
        };
        image_names[i] = taken.claim(wanted);
    }
    (gallery_names, image_names)
}

/// Indices of `items` sorted by `key`.
fn sorted<T>(items: &[T], key: impl Fn(&T) -> String) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_cached_key(|&i| key(&items[i]));
    order
}

/// Names given so far, compared ignoring case.
#[derive(Default)]
struct Taken(std::collections::HashSet<String>);

impl Taken {
    fn claim(&mut self, wanted: String) -> String {
        let mut name = wanted.clone();
        let mut n = 2;
        while !self.0.insert(name.to_lowercase()) {
            name = format!("{wanted}-{n}");
            n += 1;
        }
        name
    }
}

impl Inventory {
    /// The scenario of the gallery as it stands: every gallery; every image definition as an
    /// orphan image (`gallery = ...`, no account, `exports = []`: stored, billed, used by
    /// nobody until the user adds accounts, labs and exports); every version as a `[[version]]`
    /// that exists at `start`. `used_gb` is the provisioned size of a version's disks unless
    /// [`ImportOptions::used_gb`] gives it: each such image gets a warning.
    pub fn to_scenario_toml(
        &self,
        regions: &Regions,
        options: &ImportOptions,
    ) -> Result<ScenarioText, InventoryError> {
        let months = options.months.unwrap_or(12);
        if !(1..=600).contains(&months) {
            return Err(InventoryError::Options(format!(
                "months {months}: must be 1 to 600"
            )));
        }
        let (gallery_names, image_names) = names(self);
        let mut overrides: BTreeMap<usize, f64> = BTreeMap::new();
        for (name, gb) in &options.used_gb {
            let arg = format!("{name}={gb}");
            let Some(i) = image_names.iter().position(|n| n == name) else {
                let mut known = image_names.clone();
                known.sort();
                return Err(InventoryError::UsedGb {
                    arg,
                    message: format!("no image of that name; images: {}", known.join(", ")),
                });
            };
            if !gb.is_finite() || *gb < 0.0 {
                return Err(InventoryError::UsedGb {
                    arg,
                    message: "the size must be a finite number of GB, 0 or more".to_string(),
                });
            }
            overrides.insert(i, *gb);
        }
        let image_of: HashMap<_, usize> = self
            .images
            .iter()
            .enumerate()
            .map(|(i, image)| (image.key.clone(), i))
            .collect();
        // Versions per image, in publish order (then by name).
        let mut versions: Vec<Vec<&ImageVersion>> = vec![Vec::new(); self.images.len()];
        let mut warnings = self.warnings.clone();
        for version in &self.versions {
            if version.published.is_none() {
                warnings.push(Warning {
                    origin: Some(version.origin.clone()),
                    message: format!("version {} has no publishedDate: left out", version.name),
                });
                continue;
            }
            // Every version's image exists: `read` infers the missing ones.
            if let Some(&i) = image_of.get(&version.image) {
                versions[i].push(version);
            }
        }
        for list in &mut versions {
            list.sort_by(|a, b| {
                (a.published, crate::scenario::version_key(&a.name))
                    .cmp(&(b.published, crate::scenario::version_key(&b.name)))
            });
        }
        let start = match options.start {
            Some(start) => start,
            None => default_start(self.versions.iter().filter_map(|v| v.published))?,
        };
        let start_at = TimeZone::UTC
            .to_timestamp(start.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|e| InventoryError::Options(format!("start {start}: {e}")))?;
        for (i, list) in versions.iter().enumerate() {
            if let Some(late) = list
                .iter()
                .find(|v| v.published.is_some_and(|p| p >= start_at))
            {
                return Err(InventoryError::PublishedAfterStart {
                    image: image_names[i].clone(),
                    version: late.name.clone(),
                    published: late.published.map(|p| p.to_string()).unwrap_or_default(),
                    start: start.to_string(),
                });
            }
        }
        for (i, image) in self.images.iter().enumerate() {
            match versions[i].last() {
                Some(_) if !overrides.contains_key(&i) => warnings.push(Warning {
                    origin: None,
                    message: format!(
                        "image `{}`: used_gb is the provisioned size of each version's disks (OS and data); \
                         storage is billed on the occupied size, which the inventory does not hold: \
                         set it with --used-gb {}=GB",
                        image_names[i], image_names[i]
                    ),
                }),
                None => warnings.push(Warning {
                    origin: Some(image.origin.clone()),
                    message: format!(
                        "image `{}` has no version: os_disk_gb and used_gb are written as 0; set them before adding exports",
                        image_names[i]
                    ),
                }),
                _ => {}
            }
        }
        let writer = Writer {
            regions,
            inventory: self,
            gallery_names: &gallery_names,
            image_names: &image_names,
            overrides: &overrides,
        };
        let text = writer.write(options, start, months, &versions, &warnings);
        Ok(ScenarioText {
            text,
            warnings,
            start,
        })
    }
}

/// The first day of the month after the newest publish date.
fn default_start(published: impl Iterator<Item = Timestamp>) -> Result<Date, InventoryError> {
    let newest = published.max().ok_or_else(|| {
        InventoryError::Options(
            "no version has a publishedDate to start after: give a start date".to_string(),
        )
    })?;
    let date = TimeZone::UTC.to_datetime(newest).date();
    date.first_of_month()
        .checked_add(Span::new().months(1))
        .map_err(|e| InventoryError::Options(format!("no month after {date}: {e}")))
}

struct Writer<'a> {
    regions: &'a Regions,
    inventory: &'a Inventory,
    gallery_names: &'a [String],
    image_names: &'a [String],
    overrides: &'a BTreeMap<usize, f64>,
}

impl Writer<'_> {
    fn write(
        &self,
        options: &ImportOptions,
        start: Date,
        months: u32,
        versions: &[Vec<&ImageVersion>],
        warnings: &[Warning],
    ) -> String {
        let mut out = String::new();
        let mut files: Vec<&str> = Vec::new();
        let origins = (self.inventory.galleries.iter().map(|g| &g.origin))
            .chain(self.inventory.images.iter().map(|i| &i.origin))
            .chain(self.inventory.versions.iter().map(|v| &v.origin));
        for origin in origins {
            files.push(&origin.file);
        }
        files.sort_unstable();
        files.dedup();
        comment(
            &mut out,
            &format!(
                "The Azure Compute Gallery as it stands, imported from {}.",
                files.join(", ")
            ),
        );
        comment(
            &mut out,
            "Images have no consumer yet (orphans: stored and billed, deployed by nobody): add",
        );
        comment(
            &mut out,
            "[[account]], [[lab]] and [[deployment]] entries, and `account` and `exports` to the",
        );
        comment(
            &mut out,
            "images that labs export. Versions exist at `start`, as Azure lists them.",
        );
        if !warnings.is_empty() {
            comment(&mut out, "");
            comment(&mut out, "Warnings:");
            for warning in warnings {
                comment(&mut out, &format!("- {warning}"));
            }
        }
        let _ = write!(
            out,
            "\n[scenario]\nname = {}\nstart = \"{start}\"\nmonths = {months}\n",
            quote(options.name.as_deref().unwrap_or("Imported gallery"))
        );
        for i in sorted(self.gallery_names, |n| n.to_lowercase()) {
            self.gallery(&mut out, i, &self.inventory.galleries[i]);
        }
        let gallery_of: HashMap<_, usize> = (self.inventory.galleries.iter().enumerate())
            .map(|(i, g)| (g.key.clone(), i))
            .collect();
        for i in sorted(self.image_names, |n| n.to_lowercase()) {
            let image = &self.inventory.images[i];
            let gallery = gallery_of
                .get(&image.key.gallery)
                .map_or("", |&g| self.gallery_names[g].as_str());
            self.image(&mut out, i, image, gallery, &versions[i]);
            for version in &versions[i] {
                self.version(&mut out, i, version);
            }
        }
        out
    }

    fn gallery(&self, out: &mut String, i: usize, gallery: &Gallery) {
        let _ = write!(
            out,
            "\n[[gallery]]\nname = {}\nregion = \"{}\"\n",
            quote(&self.gallery_names[i]),
            self.regions.get(gallery.region).name
        );
        let inferred = match gallery.inferred {
            true => " (not in the input: inferred)",
            false => "",
        };
        comment(out, &format!("Azure: {}{inferred}", gallery.id));
    }

    fn image(
        &self,
        out: &mut String,
        i: usize,
        image: &ImageDefinition,
        gallery: &str,
        versions: &[&ImageVersion],
    ) {
        let newest = versions.last();
        let _ = write!(
            out,
            "\n[[image]]\nname = {}\ngallery = {}\n",
            quote(&self.image_names[i]),
            quote(gallery)
        );
        match newest {
            Some(v) => {
                let _ = writeln!(out, "os_disk_gb = {}", number(v.os_disk_gb.unwrap_or(0.0)));
                let (used, mut note) = self.used_gb(i, v);
                if !self.overrides.contains_key(&i) {
                    let _ = write!(
                        note,
                        ", not the occupied size billed: set --used-gb {}=GB",
                        self.image_names[i]
                    );
                }
                let _ = writeln!(out, "used_gb = {used} # {note}");
                let _ = writeln!(out, "data_disks = {}", v.data_disks_gb.len());
            }
            None => {
                let _ = writeln!(out, "os_disk_gb = 0 # unknown: no version exists");
                let _ = writeln!(out, "used_gb = 0 # unknown: no version exists");
            }
        }
        if let Some(state) = image.os_state {
            let _ = writeln!(out, "os_state = \"{}\"", state.name());
        }
        if let Some(generation) = image.generation {
            let _ = writeln!(out, "generation = {generation}");
        }
        if let Some(security) = image.security_type.as_deref().and_then(security_type) {
            let _ = writeln!(out, "security_type = \"{}\"", security.name());
        }
        let _ = writeln!(out, "exports = []");
        if let Some(v) = newest {
            let _ = writeln!(
                out,
                "replicas = {} # new versions: as the newest, {}",
                self.replicas(&v.targets),
                v.name
            );
            let _ = writeln!(out, "storage = {}", self.storage(&v.targets));
        }
        let mut facts: Vec<String> = Vec::new();
        facts.extend(image.os_type.clone());
        if let Some(security) = &image.security_type {
            facts.push(format!("security type {security}"));
        }
        facts.extend(image.architecture.clone());
        if image.inferred {
            facts.push("definition not in the input: OS state and generation unknown".to_string());
        } else {
            if image.os_state.is_none() {
                facts.push("no osState".to_string());
            }
            if image.generation.is_none() {
                facts.push("no hyperVGeneration".to_string());
            }
        }
        let id = match image.inferred {
            true => String::new(),
            false => image.id.clone(),
        };
        facts.extend((!id.is_empty()).then_some(id));
        comment(out, &format!("Azure: {}", facts.join("; ")));
    }

    fn version(&self, out: &mut String, image: usize, version: &ImageVersion) {
        let published = version.published.map(seconds).unwrap_or_default();
        let (used, note) = self.used_gb(image, version);
        let _ = write!(
            out,
            "\n[[version]]\nimage = {}\nname = {}\npublished = \"{published}\"\nused_gb = {used} # {note}\n\
             targets = {}\nstorage = {}\nexclude_from_latest = {}\n",
            quote(&self.image_names[image]),
            quote(&version.name),
            self.replicas(&version.targets),
            self.storage(&version.targets),
            version.exclude_from_latest,
        );
        if let Some(end) = version.end_of_life {
            let _ = writeln!(
                out,
                "end_of_life = \"{}\"",
                TimeZone::UTC.to_datetime(end).date()
            );
        }
    }

    /// `used_gb` of a version and the comment that says where it comes from.
    fn used_gb(&self, image: usize, version: &ImageVersion) -> (String, String) {
        if let Some(gb) = self.overrides.get(&image) {
            return (number(*gb), "occupied size, as given at import".to_string());
        }
        let os = version.os_disk_gb.unwrap_or(0.0);
        let data: f64 = version.data_disks_gb.iter().sum();
        let parts = match version.data_disks_gb.is_empty() {
            true => format!("OS disk {}", number(os)),
            false => format!("OS {} + data {}", number(os), number(data)),
        };
        (number(os + data), format!("provisioned GB ({parts})"))
    }

    /// `{ eastus = 2, westus2 = 1 }`, regions in catalog order.
    fn replicas(&self, targets: &[Target]) -> String {
        let mut sorted: Vec<&Target> = targets.iter().collect();
        sorted.sort_by_key(|t| t.region);
        let items: Vec<String> = sorted
            .iter()
            .map(|t| format!("{} = {}", self.region(t.region), t.replicas))
            .collect();
        format!("{{ {} }}", items.join(", "))
    }

    /// One storage type for all targets, or a table per region.
    fn storage(&self, targets: &[Target]) -> String {
        let first = targets
            .first()
            .map_or(StorageType::StandardLrs, |t| t.storage);
        if targets.iter().all(|t| t.storage == first) {
            return format!("\"{}\"", first.name());
        }
        let mut sorted: Vec<&Target> = targets.iter().collect();
        sorted.sort_by_key(|t| t.region);
        let items: Vec<String> = sorted
            .iter()
            .map(|t| format!("{} = \"{}\"", self.region(t.region), t.storage.name()))
            .collect();
        format!("{{ {} }}", items.join(", "))
    }

    fn region(&self, id: RegionId) -> &str {
        &self.regions.get(id).name
    }
}

/// Azure's `SecurityType` feature value as the scenario's `security_type` (None: unknown).
fn security_type(azure: &str) -> Option<crate::rules::SecurityType> {
    use crate::rules::SecurityType;
    let all = [
        SecurityType::Standard,
        SecurityType::TrustedLaunch,
        SecurityType::TrustedLaunchSupported,
        SecurityType::ConfidentialVm,
        SecurityType::ConfidentialVmSupported,
        SecurityType::TrustedLaunchAndConfidentialVmSupported,
    ];
    let key = |s: &str| s.replace('_', "").to_lowercase();
    all.into_iter().find(|t| key(t.name()) == key(azure))
}

/// `YYYY-MM-DDTHH:MM:SSZ`, fractions of a second dropped.
fn seconds(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second()).map_or_else(|_| t.to_string(), |s| s.to_string())
}

/// A number as TOML: whole numbers without a fraction.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comment line (control characters replaced, so a comment stays one line).
fn comment(out: &mut String, text: &str) {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match text.is_empty() {
        true => out.push_str("#\n"),
        false => {
            let _ = writeln!(out, "# {text}");
        }
    }
}
