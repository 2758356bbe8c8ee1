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
use crate::model::{Component, CopyRecord, PerComponent};
use crate::montecarlo::Results;
use crate::scenario::Scenario;
use crate::stats::Summary;

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

/// Writes `versions.csv` (it can be hundreds of megabytes) into `staging`.
pub(super) fn stream_versions(
    scenario: &Scenario,
    results: &Results,
    staging: &super::Staging,
) -> Result<(), Error> {
    staging.stream("versions.csv", |out| write_versions(scenario, results, out))
}

/// `versions.csv`, in blocks formatted in parallel.
fn write_versions(
    scenario: &Scenario,
    results: &Results,
    out: &mut (dyn std::io::Write + Send),
) -> Result<(), Error> {
    let names = VersionNames::of(scenario);
    write_in_blocks(
        "versions.csv",
        &versions_header(),
        results.copies.len(),
        out,
        |rows, text| {
            let costs = &results.copy_costs[rows.clone()];
            let mut repeated = Repeated::default();
            for (copy, cost) in results.copies.range(rows).zip(costs) {
                version_row(text, &names, scenario, copy, *cost, &mut repeated);
            }
        },
    )
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
    let fail = |e: &dyn std::fmt::Display| csv_error(name, e);
    let mut empty = true;
    for row in rows {
        writer.serialize(row).map_err(|e| fail(&e))?;
        empty = false;
    }
    if empty {
        // The header comes from the row type: write one default row, keep its first line.
        writer.serialize(T::default()).map_err(|e| fail(&e))?;
    }
    let mut bytes = writer.into_inner().map_err(|e| fail(&e))?;
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

/// A large file of `n` rows written in blocks: `header`, then `rows(range, text)` appends the
/// rows `range` (line terminators included). Blocks are formatted in parallel, a few at a
/// time, and written in order while the next few are formatted (the bytes do not depend on
/// the blocks; memory holds two rounds of blocks, not the file, and their buffers are reused:
/// fresh memory is slow to touch).
fn write_in_blocks(
    name: &str,
    header: &str,
    n: usize,
    out: &mut (dyn std::io::Write + Send),
    rows: impl Fn(std::ops::Range<usize>, &mut Vec<u8>) + Sync,
) -> Result<(), Error> {
    // About 470 KB of versions.csv per block: a block stays in a core's 1 MB L2 cache from
    // formatting to writing, and two rounds of blocks touch 4 MB at 2 threads, not 15 MB
    // (2,000 labs at 2 threads: rendering 76-100 -> 58-75 ms against 16,384 rows; 2,048 rows
    // were no faster).
    const BLOCK: usize = 4_096;
    let blocks = n.div_ceil(BLOCK).max(1);
    let per_round = 2 * rayon::current_num_threads();
    let render = |round: usize, mut buffers: Vec<Vec<u8>>| -> Vec<Vec<u8>> {
        let round = round..blocks.min(round + per_round);
        buffers.resize_with(round.len(), Vec::new);
        buffers.par_iter_mut().zip(round).for_each(|(text, b)| {
            text.clear();
            if b == 0 {
                text.extend_from_slice(header.as_bytes());
            }
            rows(b * BLOCK..n.min((b + 1) * BLOCK), text);
        });
        buffers
    };
    let mut write = |blocks: &[Vec<u8>]| -> Result<(), Error> {
        for block in blocks {
            out.write_all(block).map_err(|e| Error::io(name, e))?;
        }
        Ok(())
    };
    let mut done = render(0, Vec::new());
    let mut spare = Vec::new();
    for round in (per_round..blocks).step_by(per_round) {
        let (written, next) = rayon::join(|| write(&done), || render(round, spare));
        written?;
        spare = std::mem::replace(&mut done, next);
    }
    write(&done)
}

fn csv_error(name: &str, e: &dyn std::fmt::Display) -> Error {
    Error::io(name, std::io::Error::other(e.to_string()))
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
    let fail = |e: &dyn std::fmt::Display| csv_error(name, e);
    writer
        .write_record(header.into_iter().collect::<Vec<_>>())
        .map_err(|e| fail(&e))?;
    for row in rows {
        writer
            .write_record(row.into_iter().collect::<Vec<_>>())
            .map_err(|e| fail(&e))?;
    }
    Ok(OutputFile {
        name: name.to_string(),
        bytes: writer.into_inner().map_err(|e| fail(&e))?,
    })
}

/// `versions.csv`: every version copy of run 1, one line per copy (written by
/// [`version_row`]; the columns are the contract's, a cost per component, `state` at the end).
fn versions_header() -> String {
    let costs: String = Component::ALL
        .map(|c| format!("{},", c.cost_metric()))
        .concat();
    format!("run,image,version,region,replicas,available_at,deleted_at,used_gb,{costs}state\n")
}

fn iso(calendar: &Calendar, time: Option<Time>) -> String {
    time.map(|t| calendar.iso(t)).unwrap_or_default()
}

/// Names as CSV fields (quoted by the csv crate where they need it), made once for the files
/// that repeat them on every line.
fn quoted<'n>(names: impl Iterator<Item = &'n str>) -> Vec<String> {
    names.map(csv_field).collect()
}

/// Region names as CSV fields, by region id.
fn quoted_regions(scenario: &Scenario) -> Vec<String> {
    quoted(scenario.regions.iter().map(|(_, r)| r.name.as_str()))
}

/// The names `versions.csv` repeats on every line.
struct VersionNames {
    images: Vec<String>,
    regions: Vec<String>,
}

impl VersionNames {
    fn of(scenario: &Scenario) -> Self {
        Self {
            images: quoted(scenario.images.iter().map(|i| i.name.as_str())),
            regions: quoted_regions(scenario),
        }
    }
}

/// `text` as one CSV field, quoted and escaped exactly as the csv crate writes it in a row.
fn csv_field(text: &str) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    // A second field, so that an empty name is written as in a row, not as an empty record.
    writer
        .write_record([&*spreadsheet_safe(text), ""])
        .and_then(|()| writer.flush().map_err(Into::into))
        .expect("writing to memory cannot fail");
    let line = writer.into_inner().expect("flushed");
    let line = String::from_utf8(line).expect("UTF-8 in, UTF-8 out");
    line.strip_suffix(",\n")
        .expect("the second field is empty")
        .to_string()
}

/// The text of the last value written in consecutive rows, and that value.
struct Last<K> {
    value: Option<K>,
    text: Vec<u8>,
}

impl<K> Default for Last<K> {
    fn default() -> Self {
        Self {
            value: None,
            text: Vec::new(),
        }
    }
}

impl<K: PartialEq> Last<K> {
    /// Appends the text of `value` (anything that identifies it), made by `format` unless it
    /// is the last value's.
    fn push(&mut self, line: &mut Vec<u8>, value: K, format: impl FnOnce(&mut Vec<u8>)) {
        if self.value.as_ref() != Some(&value) {
            self.text.clear();
            format(&mut self.text);
            self.value = Some(value);
        }
        line.extend_from_slice(&self.text);
    }
}

/// The fields of `versions.csv` that repeat from row to row, each run formatted once with
/// its commas: a version's copies share the run, image and version columns, the deletion
/// time and size, and often an egress cost.
#[derive(Default)]
struct Repeated {
    /// `run,image,version,` of (image, version).
    version: Last<(usize, u32)>,
    /// `deleted_at,` of the deletion time.
    deleted_at: Last<Option<Time>>,
    /// `used_gb,` of its bits.
    used_gb: Last<u64>,
    /// `<component>_cost,` of its bits, for the components booked once per copy (a version's
    /// copies into other regions often cost the same).
    once: PerComponent<Last<u64>>,
}

/// Appends the row of `versions.csv` of copy `c` and its costs: copies are in image order,
/// then version, each version's copies in the image's target order (home region first), as
/// [`crate::model::RunOutput`] keeps them. Numbers and times are known to need no quoting;
/// names come quoted.
fn version_row(
    line: &mut Vec<u8>,
    names: &VersionNames,
    scenario: &Scenario,
    c: &CopyRecord,
    cost: PerComponent<f64>,
    repeated: &mut Repeated,
) {
    let calendar = &scenario.calendar;
    let (available_at, deleted_at) = (c.available_at.get(), c.deleted_at.get());
    let mut number = itoa::Buffer::new();
    repeated.version.push(line, (c.image, c.version), |text| {
        text.extend_from_slice(b"1,");
        text.extend_from_slice(names.images[c.image].as_bytes());
        // Version names: 1.0.0, 1.0.1, ... in creation order.
        text.extend_from_slice(b",1.0.");
        text.extend_from_slice(number.format(c.version).as_bytes());
        text.push(b',');
    });
    line.extend_from_slice(names.regions[usize::from(c.region.0)].as_bytes());
    line.push(b',');
    line.extend_from_slice(number.format(c.replicas).as_bytes());
    line.push(b',');
    if let Some(t) = available_at {
        calendar.push_iso(line, t);
    }
    line.push(b',');
    repeated.deleted_at.push(line, deleted_at, |text| {
        if let Some(t) = deleted_at {
            calendar.push_iso(text, t);
        }
        text.push(b',');
    });
    repeated.used_gb.push(line, c.used_gb.to_bits(), |text| {
        super::push_dec(text, c.used_gb);
        text.push(b',');
    });
    for (component, &cost) in cost.iter() {
        if component.accrues() {
            super::push_dec(line, cost);
            line.push(b',');
        } else {
            repeated.once[component].push(line, cost.to_bits(), |text| {
                super::push_dec(text, cost);
                text.push(b',');
            });
        }
    }
    line.extend_from_slice(match (available_at, deleted_at) {
        (Some(_), None) => b"available\n",
        (Some(_), Some(_)) => b"deleted\n",
        (None, Some(_)) => b"cancelled\n",
        (None, None) => b"in_flight\n",
    });
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

/// `budget.csv`: one row per month (monthly budget), an `any_month` row, and a `total` row.
#[derive(Debug, Default, Serialize)]
pub struct BudgetRow {
    pub scenario: Text,
    pub scope: &'static str,
    pub month: Option<u32>,
    pub start: String,
    pub budget: String,
    pub p_exceed: String,
    pub p50: String,
    pub p80: String,
    pub p90: String,
    pub first_month_p80_over: Option<u32>,
}

/// `budget.csv` for one or more (label, scenario, assessment).
pub fn budget_file(items: &[(String, &Scenario, &Assessment)]) -> Result<OutputFile, Error> {
    let mut rows = Vec::new();
    for (label, scenario, assessment) in items {
        for r in &assessment.rows {
            let month = match r.scope {
                Scope::Month(m) => Some(m),
                _ => None,
            };
            rows.push(BudgetRow {
                scenario: label.as_str().into(),
                scope: r.scope.name(),
                month,
                start: month
                    .map(|m| scenario.calendar.month_start_iso(m))
                    .unwrap_or_default(),
                budget: dec(r.budget),
                p_exceed: dec(r.p_exceed),
                p50: dec(r.p50),
                p80: dec(r.p80),
                p90: dec(r.p90),
                first_month_p80_over: r.first_month_p80_over,
            });
        }
    }
    file("budget.csv", rows)
}

/// `comparison.csv`.
#[derive(Debug, Default, Serialize)]
pub struct ComparisonCsvRow {
    pub scenario: Text,
    pub metric: &'static str,
    pub mean: String,
    pub p50: String,
    pub p80: String,
    pub p90: String,
    pub delta_mean: String,
    pub delta_pct: String,
    /// Share of runs in which this scenario's value is higher than the first's.
    pub prob_higher: String,
    pub delta_p10: String,
    pub delta_p90: String,
    /// 95 % confidence interval of `delta_mean` (Monte Carlo noise); empty under two runs.
    pub delta_ci95_low: String,
    pub delta_ci95_high: String,
}

/// `comparison.csv`: every scenario and metric against the first scenario.
pub fn comparison_file(rows: &[ComparisonRow]) -> Result<OutputFile, Error> {
    file(
        "comparison.csv",
        rows.iter().map(|r| ComparisonCsvRow {
            scenario: r.scenario.as_str().into(),
            metric: r.metric,
            mean: dec(r.summary.mean),
            p50: dec(r.summary.p50),
            p80: dec(r.summary.p80),
            p90: dec(r.summary.p90),
            delta_mean: dec(r.delta_mean),
            delta_pct: r.delta_pct.map(dec).unwrap_or_default(),
            prob_higher: dec(r.prob_higher),
            delta_p10: dec(r.delta_p10),
            delta_p90: dec(r.delta_p90),
            delta_ci95_low: r.delta_ci95.map(|c| dec(c.0)).unwrap_or_default(),
            delta_ci95_high: r.delta_ci95.map(|c| dec(c.1)).unwrap_or_default(),
        }),
    )
}

/// `comparison_monthly.csv`.
#[derive(Debug, Default, Serialize)]
pub struct ComparisonMonthlyRow {
    pub month: u32,
    pub start: String,
    pub scenario: Text,
    pub mean: String,
    pub p10: String,
    pub p90: String,
    pub delta_mean: String,
}

/// `comparison_monthly.csv`: total cost per month and scenario.
pub fn comparison_monthly_file(
    first: &Scenario,
    rows: &[MonthlyComparison],
) -> Result<OutputFile, Error> {
    file(
        "comparison_monthly.csv",
        rows.iter().map(|r| ComparisonMonthlyRow {
            month: r.month,
            start: first.calendar.month_start_iso(r.month),
            scenario: r.scenario.as_str().into(),
            mean: dec(r.mean),
            p10: dec(r.p10),
            p90: dec(r.p90),
            delta_mean: dec(r.delta_mean),
        }),
    )
}

/// `sweep.csv`: total cost per parameter value, the mean of each component after the
/// percentiles.
pub fn sweep_file(points: &[SweepPoint]) -> Result<OutputFile, Error> {
    let header = ["value", "mean", "p10", "p50", "p80", "p90"]
        .into_iter()
        .map(String::from)
        .chain(Component::ALL.map(|c| format!("{}_mean", c.name())))
        .chain(
            [
                "labs_not_ready_mean",
                "lab_wait_hours_mean",
                "slowest_deployment_minutes_mean",
            ]
            .into_iter()
            .map(String::from),
        );
    records(
        "sweep.csv",
        header,
        points.iter().map(|p| {
            [
                spreadsheet_safe(&p.value).into_owned(),
                dec(p.total.mean),
                dec(p.p10),
                dec(p.total.p50),
                dec(p.total.p80),
                dec(p.total.p90),
            ]
            .into_iter()
            .chain(p.component_means.values().map(|&m| dec(m)))
            .chain([
                dec(p.labs_not_ready_mean),
                dec(p.lab_wait_hours_mean),
                // Empty when the scenario has no deployments.
                p.slowest_deployment_minutes_mean
                    .map(dec)
                    .unwrap_or_default(),
            ])
        }),
    )
}

/// `sensitivity.csv`.
#[derive(Debug, Default, Serialize)]
pub struct SensitivityRow {
    pub input: Text,
    pub p10_value: String,
    pub p90_value: String,
    pub total_at_p10: String,
    pub total_at_p90: String,
    pub swing: String,
    pub rank_correlation: String,
    /// Share of the total's variance with only this input uncertain (0..1).
    pub variance_share: String,
}

/// `sensitivity.csv`: the tornado, biggest swing first.
pub fn sensitivity_file(rows: &[TornadoRow]) -> Result<OutputFile, Error> {
    file(
        "sensitivity.csv",
        rows.iter().map(|r| SensitivityRow {
            input: r.input.name.as_str().into(),
            p10_value: dec(r.low),
            p90_value: dec(r.high),
            total_at_p10: dec(r.total_low),
            total_at_p90: dec(r.total_high),
            swing: dec(r.swing()),
            rank_correlation: r.rank_correlation.map(dec).unwrap_or_default(),
            variance_share: r.variance_share.map(dec).unwrap_or_default(),
        }),
    )
}

/// `prices_used.csv`: every price the scenario's replicas and copies use, and its source.
#[derive(Debug, Default, Serialize)]
pub struct PriceUsedRow {
    pub scenario: Text,
    pub item: String,
    pub region: String,
    pub price: String,
    pub unit: &'static str,
    pub currency: Text,
    /// The catalog the price comes from, or `scenario [prices]`.
    pub source: Text,
    /// Effective date of a catalog price (empty for scenario figures).
    pub as_of: Text,
}

/// `prices_used.csv` for one or more (label, scenario, results): the prices the pricing step
/// used, each (item, region) once.
pub fn prices_used_file(items: &[(String, &Scenario, &Results)]) -> Result<OutputFile, Error> {
    let mut rows = Vec::new();
    for (label, scenario, results) in items {
        for used in &results.prices_used {
            let (source, as_of) = match &used.priced.source {
                Source::Catalog { label, as_of, .. } => (label.clone(), as_of.clone()),
                Source::Scenario => ("scenario [prices]".to_string(), String::new()),
            };
            rows.push(PriceUsedRow {
                scenario: label.as_str().into(),
                item: used.item.name(),
                region: scenario.regions.get(used.region).name.clone(),
                price: format!("{}", used.priced.value),
                unit: used.item.unit(),
                currency: scenario.currency.as_str().into(),
                source: source.into(),
                as_of: as_of.into(),
            });
        }
    }
    file("prices_used.csv", rows)
}

/// `advice.csv`: the replica advisor.
#[derive(Debug, Default, Serialize)]
pub struct AdviceRow {
    pub gallery: Text,
    pub region: String,
    pub replicas_now: u32,
    pub replicas_advised: String,
    pub minutes_now: String,
    pub minutes_advised: String,
    pub monthly_cost_now: String,
    pub monthly_cost_advised: String,
    /// Why there is no advice, or what to know about it.
    pub note: String,
}

/// `advice.csv` for `advice` of `scenario`.
pub fn advice_file(
    scenario: &Scenario,
    advice: &[crate::analysis::advise::Advice],
) -> Result<OutputFile, Error> {
    let opt = |x: Option<f64>| x.map(dec).unwrap_or_default();
    file(
        "advice.csv",
        advice.iter().map(|a| AdviceRow {
            gallery: scenario.galleries[a.gallery].name.as_str().into(),
            region: scenario.regions.get(a.region).name.clone(),
            replicas_now: a.replicas_now,
            replicas_advised: a
                .replicas_advised
                .map(|n| n.to_string())
                .unwrap_or_default(),
            minutes_now: opt(a.minutes_now),
            minutes_advised: opt(a.minutes_advised),
            monthly_cost_now: dec(a.monthly_cost_now),
            monthly_cost_advised: opt(a.monthly_cost_advised),
            note: a.note.clone(),
        }),
    )
}
