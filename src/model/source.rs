//! Usage sources: meters the replication model does not book itself, plugged in the way the
//! service model is. A source says which usage lines it books (each a cost object, a meter by
//! name, a component, a price region and the cell it rolls up to) and, once per run, books
//! quantities to them from what the run did: when each lab was ready, each deployment wave.
//!
//! The scenario holds its sources ([`crate::scenario::Scenario::with_source`] checks each
//! line's meter has a price); the layout gives their lines numbers after the model's own;
//! [`super::simulate_run`] books them after the run's parts are merged; pricing prices them
//! like any line and keeps the cost of each object other than a cell. `docs/architecture.md`
//! ("Adding a meter and a cost object") walks through adding one.

use std::fmt::Debug;
use std::ops::Range;
use std::sync::Arc;

use super::usage::{CostObject, Line, Usage};
use super::{Component, ServiceOutput};
use crate::catalog::{MeterId, RegionId};
use crate::scenario::meters::not_booked;
use crate::scenario::{Scenario, WarningCode};

/// One line a source books to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    /// Who the cost is for.
    pub object: CostObject,
    /// The (gallery, region) cell it rolls up to in the ledger, `monthly.csv` and the charts.
    pub cell: usize,
    /// The meter, by its name in the price catalog.
    pub meter: String,
    /// What the cost is for, in the reports' columns.
    pub component: Component,
    /// The region whose price applies.
    pub price_region: RegionId,
}

/// A source of usage beyond the model's replicas and copies.
pub trait UsageSource: Debug + Send + Sync {
    /// The lines it books to, in the order [`UsageSource::book`] numbers them.
    fn lines(&self, scenario: &Scenario) -> Vec<SourceLine>;

    /// Books one run's usage to `sink`, from what the run did (`run`: each lab's status and
    /// ready time, each deployment wave). Called once per run, after its parts are merged,
    /// on any thread. Booking to a line it did not list panics (a bug in the source).
    fn book(&self, scenario: &Scenario, run: &ServiceOutput, sink: &mut Sink<'_>);
}

/// Where a source books one run's quantities: its lines, numbered as it listed them.
pub struct Sink<'a> {
    pub(super) scenario: &'a Scenario,
    pub(super) usage: &'a mut Usage,
    /// The layout's numbers of this source's lines.
    pub(super) lines: Range<usize>,
}

impl Sink<'_> {
    /// Books `per_month` of the source's line `line` per billing month over ticks
    /// `[from, to)`, split at month boundaries (the horizon caps `to`).
    pub fn accrue(&mut self, line: usize, from: u64, to: u64, per_month: f64) {
        let to = to.min(self.scenario.calendar.horizon());
        let line = self.line(line);
        self.usage
            .accrue_line(&self.scenario.calendar, line, from, to, per_month);
    }

    /// Books `quantity` of the source's line `line` once, in the month holding tick `at`
    /// (nothing at or after the horizon).
    pub fn once(&mut self, line: usize, at: u64, quantity: f64) {
        let calendar = &self.scenario.calendar;
        if at < calendar.horizon() {
            let line = self.line(line);
            self.usage.book_line(calendar.month_of(at), line, quantity);
        }
    }

    fn line(&self, line: usize) -> u32 {
        assert!(
            line < self.lines.len(),
            "a source books to the lines it listed"
        );
        (self.lines.start + line) as u32
    }
}

/// Why a usage source cannot be added to a scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// A line names a meter the price book does not have.
    #[error("usage source line {line}: no meter `{meter}` in the price catalog (add its rows to the catalog: `item` is the meter's name)")]
    NoMeter {
        /// The line, from 0.
        line: usize,
        /// The meter.
        meter: String,
    },
    /// A line's meter has no price in its price region.
    #[error("usage source line {line}: the price catalog has no price of `{meter}` in {region}")]
    NoPrice {
        /// The line, from 0.
        line: usize,
        /// The meter.
        meter: String,
        /// The region.
        region: String,
    },
    /// A line names a cell, lab, deployment, image or region the scenario does not have.
    #[error("usage source line {line}: {what} {index} is not in the scenario")]
    NoSuchObject {
        /// The line, from 0.
        line: usize,
        /// `cell`, `lab`, `deployment`, `image` or `region`.
        what: &'static str,
        /// The index given.
        index: usize,
    },
}

/// A usage source added to a scenario, with its lines resolved once against it (only
/// [`Scenario::with_source`] makes one).
#[derive(Debug, Clone)]
pub struct Registered {
    source: Arc<dyn UsageSource>,
    lines: Vec<Line>,
}

impl Registered {
    /// The source.
    pub fn source(&self) -> &dyn UsageSource {
        self.source.as_ref()
    }

    /// Its lines, resolved: meters interned, every index checked.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }
}

impl Scenario {
    /// This scenario with `source` booking usage too. Every line it lists must name a cell,
    /// an object and a region of the scenario, and a meter with a price in its price region
    /// in the price book (a meter the model does not book has no bundled price: it comes from
    /// the catalog, in the catalog's currency). The lines are resolved once, here.
    pub fn with_source(mut self, source: Arc<dyn UsageSource>) -> Result<Scenario, SourceError> {
        let mut lines = Vec::new();
        for (i, line) in source.lines(&self).into_iter().enumerate() {
            let (what, index, count) = match line.object {
                CostObject::Cell => ("cell", line.cell, self.cells.len()),
                CostObject::Lab(l) => ("lab", l as usize, self.labs.len()),
                CostObject::Deployment(d) => ("deployment", d as usize, self.deployments.len()),
                CostObject::Image(m) => ("image", m as usize, self.images.len()),
            };
            let region = (line.price_region.0 as usize, self.regions.len());
            for (what, index, count) in [
                ("cell", line.cell, self.cells.len()),
                (what, index, count),
                ("region", region.0, region.1),
            ] {
                if index >= count {
                    return Err(SourceError::NoSuchObject {
                        line: i,
                        what,
                        index,
                    });
                }
            }
            let meter =
                (self.prices.meters.id(&line.meter)).ok_or_else(|| SourceError::NoMeter {
                    line: i,
                    meter: line.meter.clone(),
                })?;
            if self.prices.find(meter, line.price_region).is_none() {
                return Err(SourceError::NoPrice {
                    line: i,
                    meter: line.meter.clone(),
                    region: self.regions.get(line.price_region).name.clone(),
                });
            }
            lines.push(Line {
                cell: line.cell,
                object: line.object,
                meter,
                component: line.component,
                price_region: line.price_region,
            });
        }
        self.sources.push(Registered { source, lines });
        let booked: Vec<MeterId> = (self.sources.iter())
            .flat_map(|s| s.lines.iter().map(|l| l.meter))
            .collect();
        self.warnings
            .retain(|w| w.code != WarningCode::MetersNotBooked);
        self.warnings.extend(not_booked(&self.prices, &booked));
        Ok(self)
    }
}
