//! The CSV files of the contract. One flat `Serialize` row struct per file, so each schema is
//! written down exactly once; columns are in contract order, extensions at the end.
//! Column meanings are documented in README.md ("What you get") and the contract.
#![allow(missing_docs)]

use rayon::prelude::*;
use serde::Serialize;

use super::{dec, OutputFile};
use crate::analysis::budget::{Assessment, Scope};
use crate::analysis::compare::{ComparisonRow, MonthlyComparison, SweepPoint};
use crate::analysis::headline::Headline;
use crate::analysis::metrics::metrics;
use crate::analysis::sensitivity::TornadoRow;
use crate::calendar::Calendar;
use crate::catalog::prices::Source;
use crate::engine::Time;
use crate::error::Error;
use crate::model::CostObject;
use crate::model::{Component, CopyRecord, PerComponent};
use crate::montecarlo::Results;
use crate::scenario::Scenario;
use crate::stats::Summary;

mod analyses;
mod versions;

pub use analyses::*;
pub(super) use versions::stream_versions;
use versions::*;

/// Renders every CSV file in memory, `versions.csv` included (in parallel, see
/// [`super::render`]).
pub fn render_all(
    scenario: &Scenario,
    results: &Results,
    headline: &Headline,
) -> Result<Vec<OutputFile>, Error> {
    let mut bytes = Vec::new();
    write_versions(scenario, results, &mut bytes)?;
    let mut files = vec![OutputFile {
        name: "versions.csv".to_string(),
        bytes,
    }];
    files.extend(super::run_jobs(&jobs(scenario, results, headline))?);
    Ok(files)
}

/// One job per CSV file but `versions.csv`, in output order.
pub(super) fn jobs<'a>(
    scenario: &'a Scenario,
    results: &'a Results,
    headline: &'a Headline,
) -> Vec<super::Job<'a>> {
    let mut jobs: Vec<super::Job<'a>> = vec![
        one(move || file("summary.csv", summary_rows(scenario, results))),
        one(move || Ok(monthly_file(scenario, results))),
        one(move || monthly_percentiles_file(scenario, headline)),
        one(move || runs_file(results)),
        one(move || file("eligibility.csv", eligibility_rows(scenario))),
        one(move || file("labs.csv", lab_rows(scenario, results))),
    ];
    if !results.object_cost_mean.is_empty() {
        jobs.push(one(move || {
            file("cost_objects.csv", object_rows(scenario, results))
        }));
    }
    if !scenario.deployments.is_empty() {
        jobs.push(one(move || {
            file("deployments.csv", wave_rows(scenario, results))
        }));
        jobs.push(one(move || {
            file(
                "deployment_minutes.csv",
                deployment_minute_rows(scenario, results),
            )
        }));
    }
    jobs
}

/// `monthly_percentiles.csv`: each billing month's cost over runs.
#[derive(Debug, Default, Serialize)]
pub struct MonthPercentilesRow {
    pub month: usize,
    pub start: String,
    pub mean: String,
    pub p5: String,
    pub p50: String,
    pub p80: String,
    pub p90: String,
    pub p95: String,
}

fn monthly_percentiles_file(scenario: &Scenario, headline: &Headline) -> Result<OutputFile, Error> {
    file(
        "monthly_percentiles.csv",
        headline
            .months
            .iter()
            .enumerate()
            .map(|(m, s)| MonthPercentilesRow {
                month: m + 1,
                start: scenario.calendar.month_start_iso(m as u32 + 1),
                mean: dec(s.mean),
                p5: dec(s.p5),
                p50: dec(s.p50),
                p80: dec(s.p80),
                p90: dec(s.p90),
                p95: dec(s.p95),
            }),
    )
}

/// A job that renders one file.
fn one<'a>(render: impl Fn() -> Result<OutputFile, Error> + Send + Sync + 'a) -> super::Job<'a> {
    Box::new(move || render().map(|f| vec![f]))
}

/// `deployments.csv`: every wave of run 1.
#[derive(Debug, Default, Serialize)]
pub struct WaveRow {
    pub deployment: Text,
    pub region: String,
    pub image: Text,
    pub vms: u32,
    pub replicas: u32,
    pub start: String,
    pub ready_at: String,
    pub minutes_to_ready: String,
    /// `ready` or `no_version`.
    pub status: &'static str,
}

fn wave_rows(scenario: &Scenario, results: &Results) -> Vec<WaveRow> {
    let mut waves: Vec<_> = results.waves.iter().collect();
    // Deployment in file order, then time (the stable sort keeps the order of equal times).
    waves.sort_by_key(|w| (w.deployment, w.start));
    waves
        .into_iter()
        .map(|w| {
            let d = &scenario.deployments[w.deployment];
            WaveRow {
                deployment: d.name.as_str().into(),
                region: scenario.regions.get(d.region).name.clone(),
                image: scenario.images[d.image].name.as_str().into(),
                vms: d.vms,
                replicas: w.replicas,
                start: scenario.calendar.iso(w.start),
                ready_at: iso(&scenario.calendar, w.ready_at),
                minutes_to_ready: w.minutes.map(dec).unwrap_or_default(),
                status: w.status.name(),
            }
        })
        .collect()
}

/// `deployment_minutes.csv`: per deployment, minutes to ready over every served wave of
/// every run.
#[derive(Debug, Default, Serialize)]
pub struct DeploymentMinutesRow {
    pub deployment: Text,
    pub region: String,
    pub image: Text,
    pub vms: u32,
    pub waves: usize,
    pub waves_not_ready: u32,
    pub mean: String,
    pub p50: String,
    pub p90: String,
    pub max: String,
    pub target_minutes: String,
    /// Share of served waves within the target (empty without a target).
    pub within_target: String,
}

fn deployment_minute_rows(scenario: &Scenario, results: &Results) -> Vec<DeploymentMinutesRow> {
    scenario
        .deployments
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let minutes = &results.deployment_minutes[i];
            let s = Summary::of(minutes);
            let served = !minutes.is_empty();
            let stat = |x: f64| if served { dec(x) } else { String::new() };
            DeploymentMinutesRow {
                deployment: d.name.as_str().into(),
                region: scenario.regions.get(d.region).name.clone(),
                image: scenario.images[d.image].name.as_str().into(),
                vms: d.vms,
                waves: minutes.len() + results.deployment_unserved[i] as usize,
                waves_not_ready: results.deployment_unserved[i],
                mean: stat(s.mean),
                p50: stat(s.p50),
                p90: stat(s.p90),
                max: stat(s.max),
                target_minutes: d.target_minutes.map(dec).unwrap_or_default(),
                within_target: d
                    .target_minutes
                    .filter(|_| served)
                    .map(|t| {
                        let within = minutes.iter().filter(|&&m| m <= t).count();
                        dec(within as f64 / minutes.len() as f64)
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Text a user wrote (a name, a label, a catalog field) in a CSV cell. Serialised through
/// [`spreadsheet_safe`], so that no such cell is run as a formula when the file is opened in
/// a spreadsheet. Every row field that carries user text has this type.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&spreadsheet_safe(&self.0))
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(text.to_string())
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(text)
    }
}

/// The usual spreadsheet rule against formula injection (OWASP, "CSV Injection"): text that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that
/// Excel, LibreOffice and Google Sheets show it as text instead of running it; a plain number
/// (`-5`, `+1.5`) is left as it is.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err();
    match risky {
        true => format!("'{text}").into(),
        false => text.into(),
    }
}

/// Serialises rows one at a time (large files never hold all rows as structs at once).
/// A file with no rows still has its header line.
fn file<T: Serialize + Default>(
    name: &str,
    rows: impl IntoIterator<Item = T>,
) -> Result<OutputFile, Error> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let fail = |e| csv_error(name, e);
    let mut empty = true;
    for row in rows {
        writer.serialize(row).map_err(fail)?;
        empty = false;
    }
    if empty {
        // The header comes from the row type: write one default row, keep its first line.
        writer.serialize(T::default()).map_err(fail)?;
    }
    let mut bytes = writer
        .into_inner()
        .map_err(|e| fail(e.into_error().into()))?;
    if empty {
        let header_end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes.truncate(header_end);
    }
    Ok(OutputFile {
        name: name.to_string(),
        bytes,
    })
}

fn csv_error(name: &str, source: ::csv::Error) -> Error {
    Error::Csv {
        file: name.to_string(),
        source,
    }
}

/// `summary.csv`.
#[derive(Debug, Default, Serialize)]
pub struct SummaryRow {
    pub metric: &'static str,
    pub unit: String,
    pub mean: String,
    pub sd: String,
    pub p5: String,
    pub p50: String,
    pub p80: String,
    pub p90: String,
    pub p95: String,
    pub min: String,
    pub max: String,
}

fn summary_rows(scenario: &Scenario, results: &Results) -> Vec<SummaryRow> {
    metrics(&scenario.currency, !scenario.deployments.is_empty())
        .into_iter()
        .map(|metric| {
            let values: Vec<f64> = results
                .runs
                .iter()
                .map(|r| metric.value(&r.totals))
                .collect();
            let s = Summary::of(&values);
            SummaryRow {
                metric: metric.name,
                unit: metric.unit,
                mean: dec(s.mean),
                sd: dec(s.sd),
                p5: dec(s.p5),
                p50: dec(s.p50),
                p80: dec(s.p80),
                p90: dec(s.p90),
                p95: dec(s.p95),
                min: dec(s.min),
                max: dec(s.max),
            }
        })
        .collect()
}

/// `monthly.csv`: the mean cost of every month, (gallery, region) cell and component, one
/// line each (79,000 lines for an 8,000-lab fleet): written byte by byte like `versions.csv`;
/// months, components and units need no quoting, names are quoted once.
const MONTHLY_HEADER: &str = "month,start,gallery,region,component,quantity,unit,cost\n";

fn monthly_file(scenario: &Scenario, results: &Results) -> OutputFile {
    let galleries = quoted(scenario.galleries.iter().map(|g| g.name.as_str()));
    let regions = quoted_regions(scenario);
    let ledger = &results.monthly_mean;
    let mut bytes = MONTHLY_HEADER.as_bytes().to_vec();
    let mut number = itoa::Buffer::new();
    for month in 0..ledger.months() {
        let start = scenario.calendar.month_start_iso(month as u32 + 1);
        for (c, cell) in scenario.cells.iter().enumerate() {
            let e = ledger.entry(month, c);
            for component in Component::ALL {
                bytes.extend_from_slice(number.format(month + 1).as_bytes());
                for field in [
                    &start,
                    &galleries[cell.gallery],
                    &regions[usize::from(cell.region.0)],
                    component.name(),
                ] {
                    bytes.push(b',');
                    bytes.extend_from_slice(field.as_bytes());
                }
                bytes.push(b',');
                super::push_dec(&mut bytes, e.quantity(component));
                bytes.push(b',');
                bytes.extend_from_slice(component.unit(scenario.storage_billing).as_bytes());
                bytes.push(b',');
                super::push_dec(&mut bytes, e.cost_of(component));
                bytes.push(b'\n');
            }
        }
    }
    OutputFile {
        name: "monthly.csv".to_string(),
        bytes,
    }
}

/// `runs.csv`: one line per run, the cost of each component after the total.
fn runs_file(results: &Results) -> Result<OutputFile, Error> {
    let header = ["run", "seed", "total_cost"]
        .into_iter()
        .map(String::from)
        .chain(Component::ALL.map(|c| c.cost_metric().to_string()))
        .chain(
            ["ineligible_cost", "versions_created", "peak_replicas"]
                .into_iter()
                .map(String::from),
        );
    records(
        "runs.csv",
        header,
        results.runs.iter().map(|r| {
            let t = &r.totals;
            [r.run.to_string(), r.seed.to_string(), dec(t.total_cost)]
                .into_iter()
                .chain(t.cost.values().map(|&c| dec(c)))
                .chain([
                    dec(t.ineligible_cost),
                    t.versions_created.to_string(),
                    t.peak_replicas.to_string(),
                ])
        }),
    )
}

/// A file whose columns are known only at run time (some are per [`Component`]): `header`,
/// then one line per row. Fields carrying user text must be passed through
/// [`spreadsheet_safe`] by the caller.
fn records<R: IntoIterator<Item = String>>(
    name: &str,
    header: impl IntoIterator<Item = String>,
    rows: impl IntoIterator<Item = R>,
) -> Result<OutputFile, Error> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let fail = |e| csv_error(name, e);
    writer
        .write_record(header.into_iter().collect::<Vec<_>>())
        .map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.into_iter().collect::<Vec<_>>())
            .map_err(fail)?;
    }
    Ok(OutputFile {
        name: name.to_string(),
        bytes: writer
            .into_inner()
            .map_err(|e| fail(e.into_error().into()))?,
    })
}

/// `eligibility.csv`.
#[derive(Debug, Default, Serialize)]
pub struct EligibilityRow {
    pub image: Text,
    pub os_disk_gb: String,
    pub data_disks: u32,
    pub os_state: &'static str,
    pub generation: u8,
    pub eligible: bool,
    /// Codes of the rules broken, `;`-separated.
    pub reasons: String,
    /// Codes of the cautions, `;`-separated.
    pub warnings: String,
    /// The definition's security type (Dev Box needs Trusted Launch).
    pub security_type: &'static str,
    /// Who consumes it over the horizon (whose rules apply), `;`-separated.
    pub consumers: String,
}

fn eligibility_rows(scenario: &Scenario) -> Vec<EligibilityRow> {
    scenario
        .images
        .iter()
        .map(|im| EligibilityRow {
            image: im.name.as_str().into(),
            os_disk_gb: im.os_disk_gb.to_string(),
            data_disks: im.data_disks,
            os_state: im.os_state.name(),
            generation: im.generation,
            eligible: im.eligibility.eligible(),
            reasons: join(im.eligibility.reasons.iter().map(|r| r.code())),
            warnings: join(im.eligibility.warnings.iter().map(|w| w.code())),
            security_type: im.security.name(),
            consumers: {
                let mut kinds: Vec<&str> = (im.periods.iter())
                    .map(|p| scenario.accounts[p.account].kind.name())
                    .collect();
                kinds.dedup();
                kinds.join(";")
            },
        })
        .collect()
}

fn join<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    codes.collect::<Vec<_>>().join(";")
}

/// `labs.csv` (run 1).
#[derive(Debug, Default, Serialize)]
pub struct LabRow {
    pub lab: Text,
    pub count: u32,
    pub region: String,
    pub image: Text,
    pub status: &'static str,
    pub ready_at: String,
    pub wait_hours: String,
}

fn lab_rows(scenario: &Scenario, results: &Results) -> Vec<LabRow> {
    let regions = &scenario.regions;
    scenario
        .labs
        .iter()
        .zip(&results.labs)
        .map(|(lab, outcome)| LabRow {
            lab: lab.name.as_str().into(),
            count: lab.count,
            region: regions.get(lab.region).name.clone(),
            image: scenario.images[lab.image].name.as_str().into(),
            status: outcome.status.name(),
            ready_at: iso(&scenario.calendar, outcome.ready_at),
            wait_hours: outcome.wait_hours.map(dec).unwrap_or_default(),
        })
        .collect()
}

/// `cost_objects.csv` (only with usage sources): the mean cost of each lab, deployment or
/// image they book to, over runs.
#[derive(Debug, Default, Serialize)]
pub struct ObjectRow {
    pub object: &'static str,
    pub name: Text,
    pub cost_mean: String,
}

fn object_rows(scenario: &Scenario, results: &Results) -> Vec<ObjectRow> {
    (results.object_cost_mean.iter())
        .map(|&(object, cost)| {
            let (kind, name) = match object {
                CostObject::Cell => ("cell", ""),
                CostObject::Lab(i) => ("lab", scenario.labs[i as usize].name.as_str()),
                CostObject::Deployment(i) => {
                    ("deployment", scenario.deployments[i as usize].name.as_str())
                }
                CostObject::Image(i) => ("image", scenario.images[i as usize].name.as_str()),
            };
            ObjectRow {
                object: kind,
                name: name.into(),
                cost_mean: dec(cost),
            }
        })
        .collect()
}
