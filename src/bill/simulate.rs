//! The scenario's runs measured on the bill's keys: per billing month, price region and meter,
//! the mean quantity and cost over runs and the P10-P90 band of the cost.
//!
//! A usage line is a meter at a price region ([`crate::model::Line`]): the replica's region for
//! storage, the copy's source for transfer, which is where a bill books them (`ResourceLocation`
//! of the resource the meter ran for). Runs are simulated as `run` does (same seeds, same
//! prices) and also absorbed into the ordinary [`Results`], which the report lists prices from.

use rayon::prelude::*;

use super::read::ItemKey;
use crate::catalog::prices::Item;
use crate::catalog::RegionId;
use crate::model::{self, Plan};
use crate::montecarlo::{Accumulator, Results};
use crate::pricing::Pricer;
use crate::scenario::Scenario;
use crate::stats::{percentile, ExactSum};

/// Simulated figures on the bill's keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// The distinct (price region, meter) pairs of the scenario's lines, sorted.
    pub pairs: Vec<(RegionId, ItemKey)>,
    /// Billing months.
    pub months: usize,
    /// Mean quantity per (month, pair), month-major.
    pub quantity: Vec<f64>,
    /// Mean cost per (month, pair).
    pub cost: Vec<f64>,
    /// P10 and P90 of the cost per (month, pair) (None when runs x keys is too large to keep).
    pub band: Option<Vec<(f64, f64)>>,
    /// Per month: mean, P10 and P90 of the month's cost over runs.
    pub month_cost: Vec<(f64, f64, f64)>,
}

impl Simulated {
    /// The index of (month, region, meter), if the scenario has such a line.
    pub fn index(&self, month: usize, region: RegionId, meter: ItemKey) -> Option<usize> {
        let pair = self.pairs.binary_search(&(region, meter)).ok()?;
        (month < self.months).then_some(month * self.pairs.len() + pair)
    }
}

/// Largest runs x keys for which each key's band is computed (80 MB of costs).
const MAX_BAND_VALUES: usize = 10_000_000;
/// Runs simulated between two absorptions.
const CHUNK: u32 = 256;

/// Simulates `scenario`'s runs; `progress` is called as each run finishes.
pub fn simulate(scenario: &Scenario, progress: &(dyn Fn() + Sync)) -> (Results, Simulated) {
    let threads = rayon::current_num_threads();
    let runs = scenario.runs;
    let parts = if (runs as usize) < threads {
        threads.div_ceil(runs.max(1) as usize)
    } else {
        1
    };
    let plan = Plan::new(scenario, parts);
    let pricer = Pricer::new(scenario, &plan.layout, &scenario.prices);
    // The bill reader knows the model's own meters only: a line of another meter (a usage
    // source's) is not reconciled; a source's line of a model meter is, as the bill has it.
    let billed =
        |l: &crate::model::Line| Some((l.price_region, ItemKey::of(Item::of_meter(l.meter)?)));
    let mut pairs: Vec<(RegionId, ItemKey)> = plan.layout.lines.iter().filter_map(billed).collect();
    pairs.sort();
    pairs.dedup();
    let line_pair: Vec<Option<usize>> = plan
        .layout
        .lines
        .iter()
        .map(|l| billed(l).and_then(|key| pairs.binary_search(&key).ok()))
        .collect();
    let unit: Vec<f64> = (0..plan.layout.lines.len())
        .map(|l| pricer.unit(l))
        .collect();
    let months = scenario.calendar.months();
    let keys = months * pairs.len();
    let keep_band = (runs as usize).saturating_mul(keys) <= MAX_BAND_VALUES;
    let mut accumulator = Accumulator::new(scenario, pricer.prices_used());
    let mut q_sum = vec![ExactSum::default(); keys];
    let mut c_sum = vec![ExactSum::default(); keys];
    let mut per_run: Vec<Vec<f64>> = Vec::new();
    let mut month_runs: Vec<Vec<f64>> = vec![Vec::with_capacity(runs as usize); months];
    let mut start = 0;
    while start < runs {
        let end = runs.min(start + CHUNK);
        let chunk: Vec<_> = (start..end)
            .into_par_iter()
            .map(|run| {
                let seed = model::run_seed(scenario.seed, run);
                let mut output = model::simulate_run(scenario, &plan, seed, run == 0);
                let priced = pricer.price(&output);
                let mut q = vec![0.0; keys];
                let mut c = vec![0.0; keys];
                for month in 0..months {
                    for (l, pair) in line_pair.iter().enumerate() {
                        let Some(pair) = *pair else { continue };
                        let quantity = output.usage.quantity(month, l);
                        let k = month * pairs.len() + pair;
                        q[k] += quantity;
                        c[k] += quantity * unit[l];
                    }
                }
                progress();
                let copies = output.copies.take();
                (run, seed, priced, copies, q, c)
            })
            .collect();
        for (run, seed, priced, copies, q, c) in chunk {
            for k in 0..keys {
                q_sum[k].add(q[k]);
                c_sum[k].add(c[k]);
            }
            for (m, totals) in month_runs.iter_mut().enumerate() {
                totals.push(c[m * pairs.len()..(m + 1) * pairs.len()].iter().sum());
            }
            if keep_band {
                per_run.push(c);
            }
            accumulator.absorb(run, seed, priced, copies);
        }
        start = end;
    }
    let n = f64::from(runs.max(1));
    let band = keep_band.then(|| {
        (0..keys)
            .map(|k| {
                let mut values: Vec<f64> = per_run.iter().map(|c| c[k]).collect();
                values.sort_by(f64::total_cmp);
                (percentile(&values, 0.10), percentile(&values, 0.90))
            })
            .collect()
    });
    let month_cost = month_runs
        .into_iter()
        .map(|mut totals| {
            totals.sort_by(f64::total_cmp);
            let mean = totals.iter().sum::<f64>() / n;
            (mean, percentile(&totals, 0.10), percentile(&totals, 0.90))
        })
        .collect();
    let simulated = Simulated {
        pairs,
        months,
        quantity: q_sum.iter().map(|s| s.value() / n).collect(),
        cost: c_sum.iter().map(|s| s.value() / n).collect(),
        band,
        month_cost,
    };
    (accumulator.finish(scenario), simulated)
}
