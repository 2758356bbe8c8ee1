//! Pricing: a pure step after the simulation. [`crate::model::Usage`] x [`PriceBook`] -> costs by month,
//! cell and [`Component`], per image and per copy, and the list of the exact prices used.
//!
//! Every cost of a run is `quantity x unit price` of one usage line; the ledger, the run
//! totals, the per-image costs and the per-copy costs are four sums of the same products
//! (tests check that they agree). A different price book prices the same usage again without
//! simulating anything.

mod ledger;

pub use ledger::{CellMonth, Ledger, LedgerSum};

use crate::catalog::prices::Priced;
use crate::catalog::{MeterId, PriceBook, RegionId};
use crate::model::{
    lab_service, Component, CostObject, Layout, PerComponent, RunOutput, RunTotals, ServiceOutput,
};
use crate::scenario::Scenario;

/// One price the scenario uses: a meter at a price region, with its source.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PriceUsed {
    /// The meter's name.
    pub meter: String,
    /// The unit of its price.
    pub unit: String,
    /// The region whose price it is.
    pub region: RegionId,
    /// The price and where it comes from.
    pub priced: Priced,
}

/// One run, priced.
#[derive(Debug, Clone)]
pub struct PricedRun {
    /// Totals (costs and the run's counts).
    pub totals: RunTotals,
    /// Quantities and costs per month and cell.
    pub ledger: Ledger,
    /// Cost of each image (every component), in scenario order.
    pub image_costs: Vec<f64>,
    /// Per month, the cost of images no lab can use (part of the ledger's total).
    pub monthly_ineligible: Vec<f64>,
    /// Per image, the mean of each input's draws (copied from the run).
    pub input_means: Vec<[f64; 3]>,
    /// In the detailed run, the cost of each of its copies per component (in the order of
    /// [`crate::model::RunOutput::copies`]).
    pub copy_costs: Option<Vec<PerComponent<f64>>>,
    /// Per wave: deployment and minutes to ready (None: never served).
    pub waves: Vec<(usize, Option<f64>)>,
    /// The cost of each object other than a cell that usage sources book to (a lab, a
    /// deployment, an image), over the horizon, in the order their lines come; also in the
    /// ledger, under the cell each line rolls up to.
    pub object_costs: Vec<(CostObject, f64)>,
    /// The detailed run's lab status and waves.
    pub service: Option<ServiceOutput>,
}

/// Unit prices of every usage line of a scenario under one price book.
#[derive(Debug)]
pub struct Pricer<'a> {
    scenario: &'a Scenario,
    layout: &'a Layout,
    /// Per line.
    unit: Vec<f64>,
    /// Per line: its quantity is in its component's unit and adds to the ledger's quantity
    /// (a usage source's line in another unit adds its cost only).
    adds_quantity: Vec<bool>,
    /// The objects other than cells that usage sources book to, in first-line order, and
    /// each line booking to one with its object's position there.
    objects: (Vec<CostObject>, Vec<(usize, usize)>),
    prices_used: Vec<PriceUsed>,
}

impl<'a> Pricer<'a> {
    /// Looks up the price of every line of `layout` (made from `scenario`) in `book`. A meter
    /// that a catalog adds is looked up by name: `book` may come from another catalog.
    ///
    /// # Panics
    /// When `book` lacks a price a usage source of `scenario` books (never for the model's
    /// own meters, which every book prices everywhere).
    pub fn new(scenario: &'a Scenario, layout: &'a Layout, book: &PriceBook) -> Pricer<'a> {
        let meters = &scenario.prices.meters;
        let in_book = book.meters.ids_of(meters);
        let mut used: Vec<(Component, MeterId, RegionId)> = Vec::new();
        let unit = layout
            .lines
            .iter()
            .map(|line| {
                let meter = in_book[line.meter.0 as usize].unwrap_or_else(|| {
                    panic!("the price book has no meter `{}`", meters.name(line.meter))
                });
                let key = (line.component, meter, line.price_region);
                if !used.contains(&key) {
                    used.push(key);
                }
                book.get(meter, line.price_region).value
            })
            .collect();
        let adds_quantity = (layout.lines.iter())
            .map(|l| meters.unit(l.meter) == l.component.unit(scenario.storage_billing))
            .collect();
        let mut objects = (Vec::new(), Vec::new());
        for l in layout.sources.iter().flat_map(|r| r.clone()) {
            let line = &layout.lines[l];
            if line.object == CostObject::Cell {
                continue; // the cell's cost, in the ledger
            }
            let at = match objects.0.iter().position(|o| *o == line.object) {
                Some(at) => at,
                None => {
                    objects.0.push(line.object);
                    objects.0.len() - 1
                }
            };
            objects.1.push((l, at));
        }
        // By component, in line order within one.
        used.sort_by_key(|u| u.0);
        let prices_used = used
            .into_iter()
            .map(|(_, meter, region)| PriceUsed {
                meter: book.meters.name(meter).to_string(),
                unit: book.meters.unit(meter).to_string(),
                region,
                priced: book.get(meter, region).clone(),
            })
            .collect();
        Pricer {
            scenario,
            layout,
            unit,
            adds_quantity,
            objects,
            prices_used,
        }
    }

    /// The unit price of layout line `line`.
    pub fn unit(&self, line: usize) -> f64 {
        self.unit[line]
    }

    /// Every price the lines use, each once, by component, in line order.
    pub fn prices_used(&self) -> &[PriceUsed] {
        &self.prices_used
    }

    /// Prices one run.
    pub fn price(&self, run: &RunOutput) -> PricedRun {
        let sc = self.scenario;
        let usage = &run.usage;
        let months = usage.months();
        let mut ledger = Ledger::new(months, sc.cells.len());
        for month in 0..months {
            for (l, line) in self.layout.lines.iter().enumerate() {
                let q = usage.quantity(month, l);
                let component = line.component;
                let entry = ledger.entry_mut(month, line.cell);
                if self.adds_quantity[l] {
                    entry.quantity[component] += q;
                }
                entry.cost[component] += q * self.unit[l];
            }
            for cell in 0..sc.cells.len() {
                ledger.entry_mut(month, cell).replica_months = usage.replica_months(month, cell);
            }
        }
        // Usually every image is eligible: no walk over every line of every month then.
        let monthly_ineligible = if self.layout.ineligible.is_empty() {
            vec![0.0; months]
        } else {
            (0..months)
                .map(|month| {
                    (0..self.layout.lines.len())
                        .map(|l| usage.ineligible_quantity(month, l) * self.unit[l])
                        .sum()
                })
                .collect()
        };
        let mut cost = PerComponent::default();
        for entry in ledger.entries() {
            cost += entry.cost;
        }
        let image_costs: Vec<f64> = (0..sc.images.len())
            .map(|image| {
                let first = self.layout.target_offsets[image];
                let existing = self.layout.existing[image].iter().flatten();
                (self.layout.targets[image].iter().chain(existing))
                    .enumerate()
                    .map(|(t, lines)| {
                        Component::ALL
                            .iter()
                            .filter_map(|&c| {
                                let line = lines.line(c)?;
                                Some(usage.target(first + t, c) * self.unit[line as usize])
                            })
                            .sum::<f64>()
                    })
                    .sum()
            })
            .collect();
        let ineligible_cost = sc
            .images
            .iter()
            .zip(&image_costs)
            .filter(|(image, _)| !image.eligibility.eligible())
            .map(|(_, cost)| cost)
            .sum();
        let (labs_not_ready, lab_wait_hours) = lab_service(sc, &run.service.labs);
        let waves: Vec<(usize, Option<f64>)> = run
            .service
            .waves
            .iter()
            .map(|w| (w.deployment, w.minutes))
            .collect();
        let totals = RunTotals {
            labs_not_ready,
            lab_wait_hours,
            slowest_deployment_minutes: waves.iter().filter_map(|w| w.1).reduce(f64::max),
            waves_not_ready: waves.iter().filter(|w| w.1.is_none()).count() as u32,
            total_cost: cost.total(),
            cost,
            ineligible_cost,
            versions_created: run.versions_created,
            peak_replicas: run.peak_replicas,
            events: run.events,
        };
        let (objects, slot) = &self.objects;
        let mut object_costs: Vec<(CostObject, f64)> = objects.iter().map(|&o| (o, 0.0)).collect();
        for &(l, at) in slot {
            object_costs[at].1 += (0..months)
                .map(|m| usage.quantity(m, l) * self.unit[l])
                .sum::<f64>();
        }
        let copy_costs = run.copies.as_ref().map(|copies| {
            copies.par_map(|c| {
                PerComponent::from_fn(|component| {
                    c.lines
                        .line(component)
                        .map_or(0.0, |l| c.quantity(component) * self.unit[l as usize])
                })
            })
        });
        PricedRun {
            totals,
            ledger,
            image_costs,
            monthly_ineligible,
            input_means: run.input_means.clone(),
            service: copy_costs.is_some().then(|| run.service.clone()),
            copy_costs,
            waves,
            object_costs,
        }
    }
}
