//! `versions.csv`: every version copy of run 1, formatted in blocks in parallel straight
//! into byte buffers (it can be hundreds of megabytes; see docs/architecture.md).

#[allow(clippy::wildcard_imports)]
use super::*;

/// Writes `versions.csv` (it can be hundreds of megabytes) into `staging`.
pub(in crate::report) fn stream_versions(
    scenario: &Scenario,
    results: &Results,
    staging: &crate::report::Staging,
) -> Result<(), Error> {
    staging.stream("versions.csv", |out| write_versions(scenario, results, out))
}

/// `versions.csv`, in blocks formatted in parallel.
pub(super) fn write_versions(
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

/// A large file of `n` rows written in blocks: `header`, then `rows(range, text)` appends the
/// rows `range` (line terminators included). Blocks are formatted in parallel, a few at a
/// time, and written in order while the next few are formatted (the bytes do not depend on
/// the blocks; memory holds two rounds of blocks, not the file, and their buffers are reused:
/// fresh memory is slow to touch).
pub(super) fn write_in_blocks(
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

/// `versions.csv`: every version copy of run 1, one line per copy (written by
/// [`version_row`]; the columns are the contract's, a cost per component, `state` at the end).
pub(super) fn versions_header() -> String {
    let costs: String = Component::ALL
        .map(|c| format!("{},", c.cost_metric()))
        .concat();
    format!("run,image,version,region,replicas,available_at,deleted_at,used_gb,{costs}state\n")
}

pub(super) fn iso(calendar: &Calendar, time: Option<Time>) -> String {
    time.map(|t| calendar.iso(t)).unwrap_or_default()
}

/// Names as CSV fields (quoted by the csv crate where they need it), made once for the files
/// that repeat them on every line.
pub(super) fn quoted<'n>(names: impl Iterator<Item = &'n str>) -> Vec<String> {
    names.map(csv_field).collect()
}

/// Region names as CSV fields, by region id.
pub(super) fn quoted_regions(scenario: &Scenario) -> Vec<String> {
    quoted(scenario.regions.iter().map(|(_, r)| r.name.as_str()))
}

/// The names `versions.csv` repeats on every line.
pub(super) struct VersionNames {
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
pub(super) fn csv_field(text: &str) -> String {
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
pub(super) struct Last<K> {
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
pub(super) struct Repeated {
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
pub(super) fn version_row(
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
        text.push(b',');
        let image = &scenario.images[c.image];
        if image.existing.is_empty() {
            // 1.0.0, 1.0.1, ... in creation order, written without allocating.
            text.extend_from_slice(b"1.0.");
            text.extend_from_slice(number.format(c.version).as_bytes());
        } else {
            text.extend_from_slice(csv_field(&image.version_name(c.version)).as_bytes());
        }
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
        crate::report::push_dec(text, c.used_gb);
        text.push(b',');
    });
    for (component, &cost) in cost.iter() {
        if component.accrues() {
            crate::report::push_dec(line, cost);
            line.push(b',');
        } else {
            repeated.once[component].push(line, cost.to_bits(), |text| {
                crate::report::push_dec(text, cost);
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
