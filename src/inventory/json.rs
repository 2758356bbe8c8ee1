//! Reading Azure's JSON: typed values with the JSON path they came from, and resource ids.

use jiff::Timestamp;
use serde_json::Value;

use super::{find_region, GalleryKey, ImageKey, InventoryError, Origin};
use crate::catalog::prices::StorageType;
use crate::catalog::{RegionId, Regions};

pub(super) type Result<T> = std::result::Result<T, InventoryError>;

/// One file: where it is and what it is called.
pub(super) struct File<'a> {
    pub(super) label: &'a str,
    pub(super) regions: &'a Regions,
}

impl File<'_> {
    pub(super) fn origin(&self, path: &str) -> Origin {
        Origin {
            file: self.label.to_string(),
            path: path.to_string(),
        }
    }

    pub(super) fn invalid(&self, path: &str, message: impl Into<String>) -> InventoryError {
        InventoryError::Invalid {
            file: self.label.to_string(),
            path: path.to_string(),
            message: message.into(),
        }
    }

    pub(super) fn region(&self, name: &str, path: &str) -> Result<RegionId> {
        find_region(self.regions, name).ok_or_else(|| InventoryError::UnknownRegion {
            file: self.label.to_string(),
            path: path.to_string(),
            name: name.to_string(),
            suggestions: self
                .regions
                .suggest(&name.replace(' ', ""))
                .into_iter()
                .map(str::to_string)
                .collect(),
        })
    }

    /// A string at `path`, or None when absent or null.
    pub(super) fn opt_str<'v>(
        &self,
        value: Option<&'v Value>,
        path: &str,
    ) -> Result<Option<&'v str>> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => {
                Err(self.invalid(path, format!("expected a string, found {}", kind(other))))
            }
        }
    }

    pub(super) fn opt_bool(&self, value: Option<&Value>, path: &str) -> Result<Option<bool>> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.invalid(
                path,
                format!("expected true or false, found {}", kind(other)),
            )),
        }
    }

    /// A size in GB: a finite number, 0 or more.
    pub(super) fn opt_gb(&self, value: Option<&Value>, path: &str) -> Result<Option<f64>> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(gb) if gb.is_finite() && gb >= 0.0 => Ok(Some(gb)),
                _ => Err(self.invalid(
                    path,
                    format!("expected a size in GB (0 or more), found {n}"),
                )),
            },
            Some(other) => {
                Err(self.invalid(path, format!("expected a number, found {}", kind(other))))
            }
        }
    }

    /// A replica count: a whole number 1..=u32::MAX.
    pub(super) fn opt_count(&self, value: Option<&Value>, path: &str) -> Result<Option<u32>> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_u64().and_then(|c| u32::try_from(c).ok()) {
                Some(c) if c >= 1 => Ok(Some(c)),
                _ => Err(self.invalid(
                    path,
                    format!("expected a replica count of 1 or more, found {n}"),
                )),
            },
            Some(other) => {
                Err(self.invalid(path, format!("expected a number, found {}", kind(other))))
            }
        }
    }

    pub(super) fn opt_time(&self, value: Option<&Value>, path: &str) -> Result<Option<Timestamp>> {
        let Some(text) = self.opt_str(value, path)? else {
            return Ok(None);
        };
        text.trim().parse::<Timestamp>().map(Some).map_err(|e| {
            self.invalid(
                path,
                format!("`{text}` is not an ISO 8601 time with an offset: {e}"),
            )
        })
    }

    pub(super) fn storage(&self, value: Option<&Value>, path: &str) -> Result<Option<StorageType>> {
        let Some(text) = self.opt_str(value, path)? else {
            return Ok(None);
        };
        match text.to_ascii_lowercase().as_str() {
            "standard_lrs" => Ok(Some(StorageType::StandardLrs)),
            "standard_zrs" => Ok(Some(StorageType::StandardZrs)),
            "premium_lrs" => Ok(Some(StorageType::PremiumLrs)),
            _ => Err(self.invalid(
                path,
                format!("storage account type `{text}`: expected Standard_LRS, Standard_ZRS or Premium_LRS"),
            )),
        }
    }

    /// A name that may go into a scenario: not empty, no hidden characters.
    pub(super) fn name<'v>(&self, value: &'v str, path: &str) -> Result<&'v str> {
        if value.trim().is_empty() {
            return Err(self.invalid(path, "an empty name"));
        }
        crate::error::check_name(value).map_err(|m| self.invalid(path, format!("a name {m}")))?;
        Ok(value)
    }
}

/// A JSON value's kind, for messages.
pub(super) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A member of a resource's properties: `properties.KEY` (REST) or `KEY` (the Azure CLI
/// flattens properties into the resource), with its path.
pub(super) fn prop<'v>(resource: &'v Value, key: &str, path: &str) -> (Option<&'v Value>, String) {
    if let Some(v) = resource.get("properties").and_then(|p| p.get(key)) {
        return (Some(v), format!("{path}.properties.{key}"));
    }
    (resource.get(key), format!("{path}.{key}"))
}

/// What a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Gallery,
    Image,
    Version,
    Other,
}

/// The parts of a gallery resource id. Ids are matched case-insensitively and by their
/// segments, so the REST examples' `.../locations/westus/Galleries/NAME/Images/...` form reads
/// like the usual `.../providers/Microsoft.Compute/galleries/NAME/images/...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IdParts {
    pub(super) subscription: String,
    pub(super) resource_group: String,
    pub(super) gallery: String,
    pub(super) image: Option<String>,
    pub(super) version: Option<String>,
    /// What the id names.
    pub(super) kind: Kind,
}

pub(super) fn parse_id(id: &str) -> Option<IdParts> {
    let segments: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
    let after = |name: &str| {
        segments
            .iter()
            .position(|s| s.eq_ignore_ascii_case(name))
            .and_then(|i| segments.get(i + 1).map(|s| (i + 1, *s)))
    };
    let (_, subscription) = after("subscriptions")?;
    let (_, resource_group) = after("resourceGroups")?;
    let (g, gallery) = after("galleries")?;
    let rest = &segments[g + 1..];
    let is = |i: usize, name: &str| rest.get(i).is_some_and(|s| s.eq_ignore_ascii_case(name));
    let (image, version, kind) = match rest.len() {
        0 => (None, None, Kind::Gallery),
        2 if is(0, "images") => (Some(rest[1]), None, Kind::Image),
        4 if is(0, "images") && is(2, "versions") => (Some(rest[1]), Some(rest[3]), Kind::Version),
        _ => (None, None, Kind::Other),
    };
    Some(IdParts {
        subscription: subscription.to_string(),
        resource_group: resource_group.to_string(),
        gallery: gallery.to_string(),
        image: image.map(str::to_string),
        version: version.map(str::to_string),
        kind,
    })
}

impl IdParts {
    pub(super) fn gallery_key(&self) -> GalleryKey {
        GalleryKey {
            subscription: self.subscription.to_ascii_lowercase(),
            resource_group: self.resource_group.to_ascii_lowercase(),
            gallery: self.gallery.to_ascii_lowercase(),
        }
    }

    pub(super) fn image_key(&self) -> ImageKey {
        ImageKey {
            gallery: self.gallery_key(),
            image: self.image.as_deref().unwrap_or("").to_ascii_lowercase(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_by_segment_and_case_insensitively() {
        let v = parse_id("/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/locations/westus/Galleries/G/Images/I/Versions/1.0.0").unwrap();
        assert_eq!(
            (
                v.kind,
                v.gallery.as_str(),
                v.image.as_deref(),
                v.version.as_deref()
            ),
            (Kind::Version, "G", Some("I"), Some("1.0.0"))
        );
        assert_eq!(v.gallery_key().resource_group, "rg");
        let g =
            parse_id("/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/galleries/G")
                .unwrap();
        assert_eq!(g.kind, Kind::Gallery);
        assert_eq!(g.gallery_key(), v.gallery_key());
        let app = parse_id("/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/galleries/G/applications/A").unwrap();
        assert_eq!(app.kind, Kind::Other);
        assert_eq!(parse_id("/subscriptions/S/resourceGroups/RG"), None);
        assert_eq!(parse_id(""), None);
    }
}
