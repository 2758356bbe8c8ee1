//! What a run measures: quantities by billing month and usage line, never money.
//!
//! A usage line is one meter (a price [`Item`]) at one price region, booked to one
//! (gallery, region) cell: the storage of a cell's replicas, or the copies into a cell from
//! its gallery's home region. The [`Layout`] lists the lines a scenario can use, once per
//! scenario; the model adds quantities to them, and [`crate::pricing`] multiplies them by
//! prices afterwards, so a price change needs no new simulation.

use super::component::{Component, PerComponent};
use crate::calendar::Calendar;
use crate::catalog::{MeterId, RegionId};
use crate::scenario::meters::{image_meters, Meter};
use crate::scenario::Scenario;
use crate::stats::ExactSum;
use std::ops::Range;

/// Who a usage line's cost is for. Every line also rolls up to a (gallery, region) cell, the
/// ledger's row; a line for another object keeps its own cost too
/// ([`crate::pricing::PricedRun::object_costs`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum CostObject {
    /// The cell itself: replicas kept there, copies into it (the model's own lines).
    Cell,
    /// A `[[lab]]` entry, by index.
    Lab(u32),
    /// A `[[deployment]]`, by index.
    Deployment(u32),
    /// An `[[image]]`, by index.
    Image(u32),
}

/// One usage line: a meter at a price region, for a cost object, rolled up to a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// Index into [`Scenario::cells`].
    pub cell: usize,
    /// Who the cost is for.
    pub object: CostObject,
    /// The meter.
    pub meter: MeterId,
    /// What the cost is for.
    pub component: Component,
    /// The region whose price applies: the replica's region for storage, the copy's source
    /// (the gallery's home region) for egress.
    pub price_region: RegionId,
}

/// The lines one copy of an image's version books to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TargetLines {
    /// Storage line.
    pub storage: u32,
    /// Egress line (None for the home region, where the version is created, not copied).
    pub egress: Option<u32>,
}

impl TargetLines {
    /// The line of `component` (None: this copy books nothing to it; a copy books storage
    /// and egress only, a component added for a usage source gets None).
    pub fn line(&self, component: Component) -> Option<u32> {
        if component == Component::Storage {
            Some(self.storage)
        } else if component == Component::Egress {
            self.egress
        } else {
            None
        }
    }
}

impl super::CopyRecord {
    /// GB transferred to make this copy: its size once it completed into another region
    /// (0 for the home region, a copy in flight or a cancelled one).
    pub fn egress_gb(&self) -> f64 {
        if self.lines.egress.is_some() && self.available_at.is_some() {
            self.used_gb
        } else {
            0.0
        }
    }

    /// The quantity this copy booked to `component`'s line (0 for a component other than
    /// storage and egress).
    pub fn quantity(&self, component: Component) -> f64 {
        if component == Component::Storage {
            self.storage_quantity
        } else if component == Component::Egress {
            self.egress_gb()
        } else {
            0.0
        }
    }
}

/// The usage lines of a scenario and, per image and target, the lines its copies use.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Every line, cell by cell.
    pub lines: Vec<Line>,
    /// Per image, per target (in [`crate::scenario::Image::targets`] order): a new version's.
    pub targets: Vec<Vec<TargetLines>>,
    /// Per image, per existing version, per copy: its lines (storage only: no transfer).
    pub existing: Vec<Vec<Vec<TargetLines>>>,
    /// Per image, the index of its first slot in a flat numbering of (image, slot), where an
    /// image's slots are its targets (new versions' copies) and then each copy of its
    /// existing versions (see [`crate::scenario::Image::slots`]): what a slot books is priced
    /// with one set of lines.
    pub target_offsets: Vec<usize>,
    /// Number of (image, slot) pairs.
    pub target_count: usize,
    /// Number of cells of the scenario.
    pub cells: usize,
    /// Per flat (image, target): the image breaks an eligibility rule (no lab can use it).
    /// Empty when every image is eligible.
    pub ineligible: Vec<bool>,
    /// Per usage source of the scenario, its lines (after the model's own).
    pub sources: Vec<Range<usize>>,
}

impl Layout {
    /// The lines `scenario` can use.
    pub fn new(scenario: &Scenario) -> Layout {
        let mut per_cell: Vec<Vec<Line>> = vec![Vec::new(); scenario.cells.len()];
        let mut wanted: Vec<Vec<(Line, Option<Line>)>> = Vec::new();
        let mut wanted_existing: Vec<Vec<Vec<Line>>> = Vec::new();
        for image in &scenario.images {
            let meters = image_meters(
                &scenario.regions,
                scenario.storage_billing,
                &scenario.galleries,
                &scenario.cells,
                image,
            );
            // A target's cell names its gallery (an image moved to another account may be
            // copied into another gallery).
            let mut add = |cell: usize, (item, price_region): Meter| {
                let line = Line {
                    cell,
                    object: CostObject::Cell,
                    meter: item.into(),
                    component: Component::of(item),
                    price_region,
                };
                if !per_cell[cell].contains(&line) {
                    per_cell[cell].push(line);
                }
                line
            };
            let lines_of_image = (image.targets.iter().zip(meters.targets))
                .map(|(&(_, cell), (stored, copied))| {
                    (add(cell, stored), copied.map(|m| add(cell, m)))
                })
                .collect();
            let existing = (image.existing.iter().zip(meters.existing))
                .map(|(version, stored)| {
                    (version.copies.iter().zip(stored))
                        .map(|(c, m)| add(image.targets[c.target].1, m))
                        .collect()
                })
                .collect();
            wanted.push(lines_of_image);
            wanted_existing.push(existing);
        }
        for cell_lines in &mut per_cell {
            // Storage before egress within a cell, as in the reports.
            cell_lines.sort_by_key(|l| l.component);
        }
        let mut cell_start = Vec::with_capacity(per_cell.len());
        let mut lines: Vec<Line> = Vec::new();
        for cell_lines in per_cell {
            cell_start.push(lines.len());
            lines.extend(cell_lines);
        }
        // Usage sources' lines after the model's: its own lines keep their numbers.
        let sources = (scenario.sources.iter())
            .map(|source| {
                let start = lines.len();
                lines.extend_from_slice(source.lines());
                start..lines.len()
            })
            .collect();
        let find = |line: Line| {
            let start = cell_start[line.cell];
            let at = lines[start..]
                .iter()
                .position(|l| *l == line)
                .expect("every wanted line was created");
            (start + at) as u32
        };
        let targets: Vec<Vec<TargetLines>> = wanted
            .into_iter()
            .map(|image| {
                image
                    .into_iter()
                    .map(|(storage, egress)| TargetLines {
                        storage: find(storage),
                        egress: egress.map(find),
                    })
                    .collect()
            })
            .collect();
        let existing = wanted_existing
            .into_iter()
            .map(|image| {
                (image.into_iter())
                    .map(|version| {
                        (version.into_iter())
                            .map(|storage| TargetLines {
                                storage: find(storage),
                                egress: None,
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut target_offsets = Vec::with_capacity(targets.len());
        let mut target_count = 0;
        for image in &scenario.images {
            target_offsets.push(target_count);
            target_count += image.slots();
        }
        let any_ineligible = scenario.images.iter().any(|im| !im.eligibility.eligible());
        let ineligible = if any_ineligible {
            scenario
                .images
                .iter()
                .flat_map(|im| std::iter::repeat_n(!im.eligibility.eligible(), im.slots()))
                .collect()
        } else {
            Vec::new()
        };
        Layout {
            lines,
            targets,
            existing,
            target_offsets,
            target_count,
            cells: scenario.cells.len(),
            ineligible,
            sources,
        }
    }
}

/// Quantities of one run: per billing month and line, per month and cell (replica-months),
/// and per (image, target) and component over the whole horizon.
///
/// Lines and cells gather many images, so their sums are exact ([`ExactSum`]): a run split
/// into parts by image and merged gives the same bits as one pass. A target's quantities come
/// from one image, whose events keep their order in any split, so plain sums suffice there.
/// A part's usage holds only the lines, cells and targets of its images.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    months: usize,
    /// Per layout line, its row here (`NONE`: no image of this usage books to it).
    line_row: Vec<u32>,
    /// Per row, its layout line.
    row_line: Vec<u32>,
    /// Per cell, its row here (`NONE`: none of its replicas are these images').
    cell_row: Vec<u32>,
    /// Per row, its cell.
    row_cell: Vec<u32>,
    /// Months x rows: GB-months, disk-months or GB.
    quantities: Vec<ExactSum>,
    /// Months x cell rows: the average number of replicas alive over the month.
    replica_months: Vec<ExactSum>,
    /// The first flat (image, target) index held.
    target_offset: usize,
    /// Per (image, target) from `target_offset`, per component, over the horizon.
    targets: Vec<PerComponent<f64>>,
    /// Per (image, target) from `target_offset`: its image is ineligible (empty: none is).
    ineligible_target: Vec<bool>,
    /// Months x rows: the part of `quantities` booked by ineligible images.
    ineligible: Vec<ExactSum>,
}

const NONE: u32 = u32::MAX;

impl Usage {
    /// All-zero usage of every line and cell of `layout` over `months` months.
    pub fn new(layout: &Layout, months: usize) -> Usage {
        Usage::with(
            layout,
            months,
            (0..layout.lines.len() as u32).collect(),
            0..layout.targets.len(),
        )
    }

    /// All-zero usage of the lines, cells and targets of `images` only (every line, the
    /// usage sources' included, when `images` are all of them).
    pub(super) fn for_images(layout: &Layout, months: usize, images: Range<usize>) -> Usage {
        if images == (0..layout.targets.len()) {
            return Usage::new(layout, months);
        }
        let existing = layout.existing[images.clone()].iter().flatten().flatten();
        let mut lines: Vec<u32> = (layout.targets[images.clone()].iter().flatten())
            .chain(existing)
            .flat_map(|t| std::iter::once(t.storage).chain(t.egress))
            .collect();
        lines.sort_unstable();
        lines.dedup();
        Usage::with(layout, months, lines, images)
    }

    fn with(layout: &Layout, months: usize, row_line: Vec<u32>, images: Range<usize>) -> Usage {
        let mut line_row = vec![NONE; layout.lines.len()];
        let mut cell_row = vec![NONE; layout.cells];
        let mut row_cell = Vec::new();
        for (row, &line) in row_line.iter().enumerate() {
            line_row[line as usize] = row as u32;
            let cell = layout.lines[line as usize].cell;
            if cell_row[cell] == NONE {
                cell_row[cell] = row_cell.len() as u32;
                row_cell.push(cell as u32);
            }
        }
        let target_offset = layout
            .target_offsets
            .get(images.start)
            .copied()
            .unwrap_or(0);
        let target_end = layout
            .target_offsets
            .get(images.end)
            .copied()
            .unwrap_or(layout.target_count);
        let ineligible_target: Vec<bool> = if layout.ineligible.is_empty() {
            Vec::new()
        } else {
            layout.ineligible[target_offset..target_end].to_vec()
        };
        let ineligible = if ineligible_target.contains(&true) {
            vec![ExactSum::default(); months * row_line.len()]
        } else {
            Vec::new()
        };
        Usage {
            months,
            ineligible_target,
            ineligible,
            quantities: vec![ExactSum::default(); months * row_line.len()],
            replica_months: vec![ExactSum::default(); months * row_cell.len()],
            line_row,
            row_line,
            cell_row,
            row_cell,
            target_offset,
            targets: vec![PerComponent::default(); target_end - target_offset],
        }
    }

    /// Number of billing months.
    pub fn months(&self) -> usize {
        self.months
    }

    /// Quantity of `line` in `month` (0-based).
    pub fn quantity(&self, month: usize, line: usize) -> f64 {
        match self.line_row[line] {
            NONE => 0.0,
            row => self.quantities[month * self.row_line.len() + row as usize].value(),
        }
    }

    /// The part of [`Usage::quantity`] booked by images no lab can use.
    pub fn ineligible_quantity(&self, month: usize, line: usize) -> f64 {
        match self.line_row[line] {
            _ if self.ineligible.is_empty() => 0.0,
            NONE => 0.0,
            row => self.ineligible[month * self.row_line.len() + row as usize].value(),
        }
    }

    /// Replica-months of `cell` in `month` (0-based).
    pub fn replica_months(&self, month: usize, cell: usize) -> f64 {
        match self.cell_row[cell] {
            NONE => 0.0,
            row => self.replica_months[month * self.row_cell.len() + row as usize].value(),
        }
    }

    /// Quantity of `component` booked by the `target`-th (flat numbering) image target.
    pub fn target(&self, target: usize, component: Component) -> f64 {
        self.targets[target - self.target_offset][component]
    }

    /// Adds `quantity` to `line` in `month`, booked by `target` (flat numbering).
    fn book(&mut self, month: usize, line: u32, target: usize, quantity: f64) {
        let at = month * self.row_line.len() + self.line_row[line as usize] as usize;
        self.quantities[at].add(quantity);
        if !self.ineligible.is_empty() && self.ineligible_target[target - self.target_offset] {
            self.ineligible[at].add(quantity);
        }
    }

    /// Adds `quantity` to `line` in `month`, booked by no image (a usage source's line).
    pub(super) fn book_line(&mut self, month: usize, line: u32, quantity: f64) {
        let at = month * self.row_line.len() + self.line_row[line as usize] as usize;
        self.quantities[at].add(quantity);
    }

    /// Books `per_month` of `line` per billing month over ticks `[from, to)`, split at month
    /// boundaries, booked by no image (a usage source's line).
    pub(super) fn accrue_line(
        &mut self,
        calendar: &Calendar,
        line: u32,
        from: u64,
        to: u64,
        per_month: f64,
    ) {
        each_month(calendar, from, to, |month, fraction| {
            self.book_line(month, line, per_month * fraction)
        });
    }

    /// Books `quantity` of a one-off meter (a copy) in the month holding tick `at`.
    pub(super) fn add_once(
        &mut self,
        calendar: &Calendar,
        at: u64,
        line: u32,
        target: usize,
        quantity: f64,
    ) {
        let month = calendar.month_of(at);
        self.book(month, line, target, quantity);
        self.targets[target - self.target_offset][Component::Egress] += quantity;
    }

    /// Books a replica set alive over ticks `[from, to)`: `per_month` of `line` per billing
    /// month and `replicas` replicas in `cell`, split at month boundaries. Returns the
    /// quantity booked.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn accrue(
        &mut self,
        calendar: &Calendar,
        line: u32,
        cell: usize,
        target: usize,
        from: u64,
        to: u64,
        per_month: f64,
        replicas: f64,
    ) -> f64 {
        let mut added = 0.0;
        let cell_row = self.cell_row[cell] as usize;
        each_month(calendar, from, to, |month, fraction| {
            self.book(month, line, target, per_month * fraction);
            self.replica_months[month * self.row_cell.len() + cell_row].add(replicas * fraction);
            added += per_month * fraction;
        });
        self.targets[target - self.target_offset][Component::Storage] += added;
        added
    }

    /// Adds the usage of a part of the same run (other images, same layout) to this usage,
    /// which holds every line, cell and target the part does.
    pub(super) fn merge(&mut self, part: &Usage) {
        if !part.ineligible.is_empty() && self.ineligible.is_empty() {
            self.ineligible = vec![ExactSum::default(); self.quantities.len()];
        }
        self.combine(part, ExactSum::merge);
        // Each target belongs to one image, so one of the two is zero and the sum exact.
        let at = part.target_offset - self.target_offset;
        for (a, b) in self.targets[at..].iter_mut().zip(&part.targets) {
            *a += *b;
        }
    }

    /// Applies `f` to each of this usage's exact sums and the part's sum of the same month
    /// and line (or cell).
    fn combine(&mut self, part: &Usage, f: impl Fn(&mut ExactSum, &ExactSum)) {
        for month in 0..self.months {
            for (row, &line) in part.row_line.iter().enumerate() {
                let from = month * part.row_line.len() + row;
                let to = month * self.row_line.len() + self.line_row[line as usize] as usize;
                f(&mut self.quantities[to], &part.quantities[from]);
                if !part.ineligible.is_empty() {
                    f(&mut self.ineligible[to], &part.ineligible[from]);
                }
            }
            for (row, &cell) in part.row_cell.iter().enumerate() {
                let sum = &part.replica_months[month * part.row_cell.len() + row];
                let mine = self.cell_row[cell as usize] as usize;
                f(
                    &mut self.replica_months[month * self.row_cell.len() + mine],
                    sum,
                );
            }
        }
    }

    /// Takes away the usage of a part merged with [`Usage::merge`] (`model::reuse`): exact
    /// sums lose its units, its targets (its own images') go back to zero.
    pub(super) fn unmerge(&mut self, part: &Usage) {
        self.combine(part, ExactSum::unmerge);
        let at = part.target_offset - self.target_offset;
        for a in &mut self.targets[at..at + part.targets.len()] {
            *a = PerComponent::default();
        }
    }
}

/// Calls `f(month, fraction of the month)` for each billing month over ticks `[from, to)`.
fn each_month(calendar: &Calendar, from: u64, to: u64, mut f: impl FnMut(usize, f64)) {
    let mut t = from;
    while t < to {
        let month = calendar.month_of(t);
        let (month_start, month_end) = calendar.month_span(month);
        let end = to.min(month_end);
        f(month, (end - t) as f64 / (month_end - month_start) as f64);
        t = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::prices::Item;

    #[test]
    fn accrual_splits_at_month_boundaries() {
        let layout = Layout {
            lines: vec![Line {
                cell: 0,
                object: CostObject::Cell,
                meter: Item::Snapshot.into(),
                component: Component::Storage,
                price_region: RegionId(0),
            }],
            targets: vec![vec![TargetLines {
                storage: 0,
                egress: None,
            }]],
            existing: vec![Vec::new()],
            target_offsets: vec![0],
            target_count: 1,
            cells: 1,
            ineligible: Vec::new(),
            sources: Vec::new(),
        };
        let mut usage = Usage::new(&layout, 3);
        let calendar = Calendar::with_months(
            jiff::civil::Date::constant(2026, 9, 1),
            3,
            crate::calendar::BillingMonths::Hours730,
        )
        .unwrap();
        // From the middle of month 1 to a quarter into month 3, 20 GB-months per month.
        let month = crate::calendar::TICKS_PER_MONTH;
        let (from, to) = (month / 2, 2 * month + month / 4);
        let added = usage.accrue(&calendar, 0, 0, 0, from, to, 20.0, 2.0);
        assert!((added - 35.0).abs() < 1e-12);
        assert_eq!(usage.quantity(0, 0), 10.0);
        assert_eq!(usage.quantity(1, 0), 20.0);
        assert_eq!(usage.quantity(2, 0), 5.0);
        assert_eq!(usage.replica_months(2, 0), 0.5);
        assert_eq!(usage.target(0, Component::Storage), 35.0);
    }
}
