//! Billed against simulated, key by key (calendar month, region, meter), with every billed
//! row the scenario cannot explain named.

use std::collections::BTreeMap;

use super::read::Meter;
use super::{Bill, Simulated};
use crate::catalog::RegionId;
use crate::scenario::Scenario;

/// One row of `reconcile.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRow {
    /// 0-based billing month.
    pub month: usize,
    /// The region.
    pub region: RegionId,
    /// The meter.
    pub meter: Meter,
    /// Billed quantity (meter unit).
    pub billed_quantity: f64,
    /// Billed cost.
    pub billed_cost: f64,
    /// Mean simulated quantity.
    pub simulated_quantity: f64,
    /// Mean simulated cost.
    pub simulated_cost: f64,
    /// P10 and P90 of the simulated cost.
    pub band: Option<(f64, f64)>,
    /// Why the scenario cannot explain it (None: it can).
    pub unexplained: Option<String>,
}

impl CompareRow {
    /// Billed minus simulated cost.
    pub fn difference(&self) -> f64 {
        self.billed_cost - self.simulated_cost
    }

    /// The difference as a percentage of the simulated cost (None when that is zero).
    pub fn difference_pct(&self) -> Option<f64> {
        (self.simulated_cost != 0.0).then(|| 100.0 * self.difference() / self.simulated_cost)
    }
}

/// One month of the chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthRow {
    /// Billed cost of the month.
    pub billed: f64,
    /// Simulated mean, P10 and P90.
    pub simulated: (f64, f64, f64),
}

/// The comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// By month, region name, meter.
    pub rows: Vec<CompareRow>,
    /// Per billing month.
    pub months: Vec<MonthRow>,
    /// One line per billed key the scenario cannot explain, and per month of rows outside the
    /// horizon.
    pub notes: Vec<String>,
}

/// Compares `bill` with `simulated`, both of `scenario`.
pub fn compare(scenario: &Scenario, bill: &Bill, simulated: &Simulated) -> Comparison {
    let regions = &scenario.regions;
    let name = |r: RegionId| regions.get(r).name.clone();
    let mut rows: BTreeMap<(usize, String, Meter), CompareRow> = BTreeMap::new();
    for month in 0..simulated.months {
        for (p, &(region, item)) in simulated.pairs.iter().enumerate() {
            let k = month * simulated.pairs.len() + p;
            let (q, c) = (simulated.quantity[k], simulated.cost[k]);
            if q == 0.0 && c == 0.0 {
                continue;
            }
            rows.insert(
                (month, name(region), Meter::Known(item)),
                CompareRow {
                    month,
                    region,
                    meter: Meter::Known(item),
                    billed_quantity: 0.0,
                    billed_cost: 0.0,
                    simulated_quantity: q,
                    simulated_cost: c,
                    band: simulated.band.as_ref().map(|b| b[k]),
                    unexplained: None,
                },
            );
        }
    }
    let mut notes = Vec::new();
    for ((month, region, meter), billed) in &bill.cells {
        let row = rows
            .entry((*month, name(*region), meter.clone()))
            .or_insert_with(|| CompareRow {
                month: *month,
                region: *region,
                meter: meter.clone(),
                billed_quantity: 0.0,
                billed_cost: 0.0,
                simulated_quantity: 0.0,
                simulated_cost: 0.0,
                band: None,
                unexplained: None,
            });
        row.billed_quantity = billed.quantity.value();
        row.billed_cost = billed.cost.value();
        let modelled = match meter {
            Meter::Known(item) => simulated.index(*month, *region, *item).is_some(),
            Meter::Other(_) => false,
        };
        if modelled {
            continue;
        }
        let why = match meter {
            Meter::Other(text) => format!("meter `{text}` is not one gallerysim models"),
            Meter::Known(item) if simulated.pairs.iter().all(|(r, _)| r != region) => format!(
                "{}: the scenario has no replica or copy in {}",
                item.item().name(),
                name(*region)
            ),
            Meter::Known(item) => format!(
                "{}: the scenario does not use this meter in {}",
                item.item().name(),
                name(*region)
            ),
        };
        notes.push(format!(
            "{} {} {}: {} rows, cost {:.4}, unexplained: {why} (first row {})",
            super::month_label(scenario, *month),
            name(*region),
            meter.name(),
            billed.rows,
            billed.cost.value(),
            bill.place(billed.first)
        ));
        row.unexplained = Some(why);
    }
    for (month, billed) in &bill.outside {
        notes.push(format!(
            "{month}: {} rows, cost {:.4}, outside the scenario's {} months from {}: not compared (first row {})",
            billed.rows,
            billed.cost.value(),
            scenario.calendar.months(),
            scenario.calendar.start(),
            bill.place(billed.first)
        ));
    }
    let mut months: Vec<MonthRow> = simulated
        .month_cost
        .iter()
        .map(|&simulated| MonthRow {
            billed: 0.0,
            simulated,
        })
        .collect();
    let rows: Vec<CompareRow> = rows.into_values().collect();
    let mut billed_sums = vec![crate::stats::ExactSum::default(); months.len()];
    for ((month, _, _), billed) in &bill.cells {
        if let Some(sum) = billed_sums.get_mut(*month) {
            sum.merge(&billed.cost);
        }
    }
    for (m, sum) in months.iter_mut().zip(&billed_sums) {
        m.billed = sum.value();
    }
    Comparison {
        rows,
        months,
        notes,
    }
}
