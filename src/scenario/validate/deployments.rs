//! `[[deployment]]` tables: waves of VM creations from an image in a region.

use toml::Value;

use super::super::values::{dist, invalid, number, tick, whole, with, Bounds, Result, EVERY_DAYS};
use super::{Builder, Index};
use crate::calendar::{hours_to_ticks, Calendar};
use crate::key_path;
use crate::scenario::raw::RawScenario;
use crate::scenario::{DeployAt, Deployment, Image};
use crate::stats::fnv1a;

/// Minutes one VM creation takes: up to a day.
pub const CREATE_MINUTES: Bounds = Bounds {
    min: 0.0,
    max: 1440.0,
    unit: "minutes",
};
/// VMs of one wave.
const MAX_VMS: i64 = 100_000;

impl Builder<'_> {
    pub(super) fn deployments(
        &mut self,
        raw: &RawScenario,
        calendar: &Calendar,
        images: &[Image],
    ) -> Result<Vec<Deployment>> {
        let images_index = Index::new(images.iter().map(|im| im.name.as_str()));
        let mut names = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (i, d) in raw.deployment.iter().enumerate() {
            let path = key_path!["deployment", i];
            super::unique(&mut names, &d.name, with(&path, "name"), "deployment")?;
            let image = images_index.find(&d.image, with(&path, "image"), "image")?;
            let region = self.region(&d.region, with(&path, "region"))?;
            let vms = whole(d.vms, 1, MAX_VMS, with(&path, "vms"))?;
            let at = deploy_at(&d.at, calendar, with(&path, "at"))?;
            let create_minutes = match &d.create_minutes {
                Some(v) => dist(v, CREATE_MINUTES, with(&path, "create_minutes"))?,
                None => crate::scenario::Dist::Const(10.0),
            };
            let target_minutes = match &d.target_minutes {
                Some(v) => {
                    let at = with(&path, "target_minutes");
                    Some(CREATE_MINUTES.check(number(v, at.clone())?, at)?)
                }
                None => None,
            };
            if !images[image].targets.iter().any(|t| t.0 == region) {
                self.warn(
                    crate::scenario::WarningCode::DeploymentNotReplicated,
                    format!(
                        "deployment `{}`: image `{}` is never replicated to {}, so none of its waves can be served (not_served); add the region to the image's replication or deploy where it is",
                        d.name, d.image, self.regions.get(region).name
                    ),
                );
            }
            out.push(Deployment {
                name: d.name.clone(),
                image,
                region,
                vms,
                at,
                create_minutes,
                target_minutes,
                stream_key: fnv1a(format!("deployment/{}", d.name).as_bytes()),
            });
        }
        Ok(out)
    }
}

/// `at`: a list of dates, `{ every_days = N }` or `"each_version"`.
fn deploy_at(
    value: &Value,
    calendar: &Calendar,
    path: Vec<crate::scenario::locate::Seg>,
) -> Result<DeployAt> {
    match value {
        Value::String(s) if s == "each_version" => Ok(DeployAt::EachVersion),
        Value::Array(items) => {
            if items.is_empty() {
                return invalid(
                    path,
                    "an empty list asks for no wave; give dates, { every_days = N } or \"each_version\", or remove the deployment",
                );
            }
            // Every date is before the horizon: a wave after it would vanish from the results.
            // Checked in the order written, so that the error names the entry.
            let mut ticks = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let t = tick(item, calendar, with(&path, i))?;
                if t >= calendar.horizon() {
                    return invalid(
                        with(&path, i),
                        format!(
                            "is on or after the end of the horizon ({}); extend scenario.months or drop the date",
                            calendar.date_of(crate::engine::Time(calendar.horizon()))
                        ),
                    );
                }
                ticks.push(t);
            }
            ticks.sort_unstable();
            Ok(DeployAt::Dates(ticks))
        }
        Value::Table(t) if t.len() == 1 && t.contains_key("every_days") => {
            let at = with(&path, "every_days");
            let days = EVERY_DAYS.check(number(&t["every_days"], at.clone())?, at)?;
            Ok(DeployAt::Every(hours_to_ticks(days * 24.0)))
        }
        _ => invalid(
            path,
            "expected a list of dates, { every_days = N } or \"each_version\"",
        ),
    }
}
