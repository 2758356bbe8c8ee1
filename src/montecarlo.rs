//! Monte Carlo runs in parallel with rayon, reduced serially in run order.
//!
//! Determinism: run `k`'s seed is a pure function of (master seed, `k`); runs are computed in
//! chunks on the rayon pool, collected in index order, and folded one by one in that order.
//! Floating-point sums therefore happen in the same order at any thread count, and every
//! output is byte-identical whatever `--threads` is.

use rayon::prelude::*;

use crate::model::{self, lab_outcomes, CopyRecord, LabOutcome, Ledger, RunTotals};
use crate::scenario::Scenario;

/// Runs per parallel chunk: bounds memory while keeping both cores busy.
const CHUNK: u32 = 64;

/// One run's seed and totals, as in `runs.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSummary {
    /// 1-based run number.
    pub run: u32,
    /// The run's seed.
    pub seed: u64,
    /// Totals.
    pub totals: RunTotals,
}

/// Everything the reports need.
#[derive(Debug, Clone)]
pub struct Results {
    /// Per run, in run order.
    pub runs: Vec<RunSummary>,
    /// Per run, the total cost of each billing month.
    pub monthly_totals: Vec<Vec<f64>>,
    /// Mean over runs of each month and (gallery, region) cell.
    pub monthly_mean: Ledger,
    /// Mean over runs of each image's storage plus egress cost.
    pub image_cost_mean: Vec<f64>,
    /// Per run, per image, the mean draw of each input (see [`model::RunOutput::input_means`]).
    pub input_means: Vec<Vec<[f64; 3]>>,
    /// Every version copy of run 1.
    pub copies: Vec<CopyRecord>,
    /// Lab status in run 1.
    pub labs: Vec<LabOutcome>,
    /// Engine events over all runs.
    pub events: u64,
}

/// Runs `scenario.runs` runs; `progress` is called (from any thread) as each run finishes.
pub fn simulate(scenario: &Scenario, progress: &(dyn Fn() + Sync)) -> Results {
    let runs = scenario.runs;
    let mut sum = Ledger::new(scenario.months as usize, scenario.cells.len());
    let mut results = Results {
        runs: Vec::with_capacity(runs as usize),
        monthly_totals: Vec::with_capacity(runs as usize),
        monthly_mean: Ledger::new(0, 0),
        image_cost_mean: vec![0.0; scenario.images.len()],
        input_means: Vec::with_capacity(runs as usize),
        copies: Vec::new(),
        labs: Vec::new(),
        events: 0,
    };
    let mut start = 0;
    while start < runs {
        let end = runs.min(start + CHUNK);
        let chunk: Vec<(u32, u64, model::RunOutput)> = (start..end)
            .into_par_iter()
            .map(|run| {
                let seed = model::run_seed(scenario.seed, run);
                let output = model::simulate_run(scenario, seed, run == 0);
                progress();
                (run, seed, output)
            })
            .collect();
        for (run, seed, output) in chunk {
            sum.add(&output.ledger);
            for (mean, cost) in results.image_cost_mean.iter_mut().zip(&output.image_costs) {
                *mean += cost;
            }
            results.monthly_totals.push(
                (0..output.ledger.months())
                    .map(|m| output.ledger.month_cost(m))
                    .collect(),
            );
            results.events += output.totals.events;
            results.input_means.push(output.input_means);
            results.runs.push(RunSummary {
                run: run + 1,
                seed,
                totals: output.totals,
            });
            if let Some(copies) = output.copies {
                results.labs = lab_outcomes(scenario, &copies);
                results.copies = copies;
            }
        }
        start = end;
    }
    sum.scale(1.0 / f64::from(runs));
    results.monthly_mean = sum;
    for mean in &mut results.image_cost_mean {
        *mean /= f64::from(runs);
    }
    results
}
