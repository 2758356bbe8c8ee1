//! Monte Carlo runs in parallel with rayon: simulate, price, accumulate.
//!
//! Determinism: run `k`'s seed is a pure function of (master seed, `k`); each run is
//! simulated and priced on its own, and the [`Accumulator`] keeps per-run figures by run
//! index and sums with [`crate::stats::ExactSum`], whose result does not depend on the order
//! of additions. Any thread count, any chunking, and any split of the runs into accumulators
//! merged afterwards give byte-identical outputs.

use rayon::prelude::*;

use crate::catalog::PriceBook;
use crate::model::{self, Copies, CostObject, LabOutcome, PerComponent, Plan, RunTotals, Wave};
use crate::pricing::{Ledger, LedgerSum, PriceUsed, PricedRun, Pricer};
use crate::scenario::Scenario;
use crate::stats::ExactSum;

/// Tasks per thread to aim for: enough that a part or run that takes longer than the others
/// does not leave the other threads idle at the end.
const TASKS_PER_THREAD: usize = 4;

/// How many parts each run needs at least (see [`Plan::new`]) when `runs` runs are simulated
/// for every thread to have work: with enough runs, one (parallel over runs costs no merge);
/// with fewer, runs are split by image so that even one run uses every core.
pub fn parts_per_run(runs: usize) -> usize {
    let threads = rayon::current_num_threads();
    let wanted = threads * TASKS_PER_THREAD;
    let runs = runs.max(1);
    if threads == 1 || runs >= wanted {
        1
    } else {
        wanted.div_ceil(runs)
    }
}

/// One run's seed and totals, as in `runs.csv`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// Mean over runs of each month's cost of images no lab can use.
    pub monthly_ineligible_mean: Vec<f64>,
    /// Per run, per image, the mean draw of each input (see [`model::RunOutput::input_means`]).
    pub input_means: Vec<Vec<[f64; 3]>>,
    /// Every version copy of the detailed run (run 1).
    pub copies: Copies,
    /// Storage and egress cost of each of `copies`.
    pub copy_costs: Vec<PerComponent<f64>>,
    /// Lab status in the detailed run.
    pub labs: Vec<LabOutcome>,
    /// Deployment waves of the detailed run.
    pub waves: Vec<Wave>,
    /// Per deployment, minutes to ready of every served wave of every run, in run order.
    pub deployment_minutes: Vec<Vec<f64>>,
    /// Per deployment, waves never served over all runs.
    pub deployment_unserved: Vec<u32>,
    /// Engine events over all runs.
    pub events: u64,
    /// Every price the scenario's usage lines use, with its source.
    pub prices_used: Vec<PriceUsed>,
    /// The mean cost of each object other than a cell that usage sources book to (empty
    /// without usage sources), in the order of [`crate::pricing::PricedRun::object_costs`].
    pub object_cost_mean: Vec<(CostObject, f64)>,
}

/// What the accumulator keeps of each run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct PerRun {
    summary: RunSummary,
    monthly: Vec<f64>,
    input_means: Vec<[f64; 3]>,
    /// Per wave: deployment and minutes to ready.
    waves: Vec<(usize, Option<f64>)>,
}

/// What differs between an accumulator read back from a partial and the scenario it claims
/// to belong to (see [`Accumulator::check`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Mismatch(pub String);

/// Collects priced runs into [`Results`]. `absorb` and `merge` may be called in any order:
/// per-run figures are ordered by run number at the end and sums are exact.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Accumulator {
    runs: Vec<PerRun>,
    ledger: LedgerSum,
    image_costs: Vec<ExactSum>,
    monthly_ineligible: Vec<ExactSum>,
    detail: Option<(Copies, Vec<PerComponent<f64>>)>,
    service: Option<model::ServiceOutput>,
    events: u64,
    prices_used: Vec<PriceUsed>,
    /// The objects other than cells that usage sources book to, and their costs summed.
    objects: (Vec<CostObject>, Vec<ExactSum>),
}

impl Accumulator {
    /// An empty accumulator for runs of `scenario` priced with `prices_used`.
    pub fn new(scenario: &Scenario, prices_used: &[PriceUsed]) -> Accumulator {
        Accumulator {
            runs: Vec::new(),
            ledger: LedgerSum::new(scenario.months as usize, scenario.cells.len()),
            image_costs: vec![ExactSum::default(); scenario.images.len()],
            monthly_ineligible: vec![ExactSum::default(); scenario.months as usize],
            detail: None,
            service: None,
            events: 0,
            prices_used: prices_used.to_vec(),
            objects: (Vec::new(), Vec::new()),
        }
    }

    /// Adds run `run` (0-based) with `seed`; `copies` are the detailed run's copies (priced
    /// in `priced.copy_costs`).
    pub fn absorb(&mut self, run: u32, seed: u64, priced: PricedRun, copies: Option<Copies>) {
        self.ledger.add(&priced.ledger);
        // One pricer: the same objects in the same order in every run.
        let (objects, sums) = &mut self.objects;
        if objects.is_empty() {
            *objects = priced.object_costs.iter().map(|&(o, _)| o).collect();
            *sums = vec![ExactSum::default(); objects.len()];
        }
        let costs: Vec<f64> = priced.object_costs.iter().map(|&(_, c)| c).collect();
        add_each(sums, &costs);
        add_each(&mut self.image_costs, &priced.image_costs);
        add_each(&mut self.monthly_ineligible, &priced.monthly_ineligible);
        self.events += priced.totals.events;
        let monthly = (0..priced.ledger.months())
            .map(|m| priced.ledger.month_cost(m))
            .collect();
        let summary = RunSummary {
            run: run + 1,
            seed,
            totals: priced.totals,
        };
        self.runs.push(PerRun {
            summary,
            monthly,
            input_means: priced.input_means,
            waves: priced.waves,
        });
        if let (Some(copies), Some(costs)) = (copies, priced.copy_costs) {
            debug_assert!(self.detail.is_none(), "one detailed run");
            self.detail = Some((copies, costs));
        }
        if priced.service.is_some() {
            self.service = priced.service;
        }
    }

    /// Run numbers (0-based) absorbed, in ascending order.
    pub fn runs_absorbed(&self) -> Vec<u32> {
        let mut runs: Vec<u32> = self.runs.iter().map(|r| r.summary.run - 1).collect();
        runs.sort_unstable();
        runs
    }

    /// Adds everything `other` absorbed.
    pub fn merge(&mut self, other: Accumulator) {
        self.ledger.merge(&other.ledger);
        merge_each(&mut self.image_costs, &other.image_costs);
        merge_each(&mut self.monthly_ineligible, &other.monthly_ineligible);
        if self.objects.0.is_empty() {
            self.objects = other.objects;
        } else {
            merge_each(&mut self.objects.1, &other.objects.1);
        }
        self.events = self.events.saturating_add(other.events);
        self.runs.extend(other.runs);
        if other.detail.is_some() {
            debug_assert!(self.detail.is_none(), "one detailed run");
            self.detail = other.detail;
        }
        if other.service.is_some() {
            self.service = other.service;
        }
    }

    /// Checks that an accumulator read back from a file (a shard's partial) holds exactly
    /// the runs `runs` of `scenario` as [`simulate_runs`] makes them, priced with
    /// `prices_used` (compared without the catalog's label, which names a file): every
    /// dimension matches the scenario, every index points into it, every seed is its run's
    /// seed, every figure is finite. After it, [`Accumulator::merge`] and
    /// [`Accumulator::finish`] cannot fail. The error says what differs.
    pub fn check(
        &self,
        scenario: &Scenario,
        runs: std::ops::Range<u32>,
        prices_used: &[PriceUsed],
    ) -> Result<(), Mismatch> {
        let months = scenario.months as usize;
        let (cells, images) = (scenario.cells.len(), scenario.images.len());
        let Some((ledger_months, ledger_cells)) = self.ledger.shape() else {
            return Err(Mismatch("its cost table is malformed".to_string()));
        };
        if ledger_months != months {
            return Err(Mismatch(format!(
                "its scenario has {months} months, but its runs were priced over {ledger_months} billing months"
            )));
        }
        if ledger_cells != cells {
            return Err(Mismatch(format!(
                "its scenario has {cells} (gallery, region) cells, but its runs were priced over {ledger_cells}"
            )));
        }
        // A partial records the scenario's text, not the usage sources a program added.
        if scenario.sources.is_empty() && !self.objects.0.is_empty()
            || self.objects.0.len() != self.objects.1.len()
        {
            return Err(Mismatch(
                "its runs book costs to objects its scenario has no usage source for".to_string(),
            ));
        }
        let sums_finite = self.ledger.is_finite()
            && self
                .image_costs
                .iter()
                .chain(&self.monthly_ineligible)
                .all(|s| s.value().is_finite());
        if !sums_finite {
            return Err(Mismatch(
                "its sums hold a figure that is not a finite number".to_string(),
            ));
        }
        if self.image_costs.len() != images || self.monthly_ineligible.len() != months {
            return Err(Mismatch(format!(
                "its per-image or per-month sums do not have the scenario's {images} images and {months} months"
            )));
        }
        let mut numbers: Vec<u32> = self.runs.iter().map(|r| r.summary.run).collect();
        numbers.sort_unstable();
        let expected: Vec<u32> = (runs.start..runs.end).map(|r| r + 1).collect();
        if numbers != expected {
            return Err(Mismatch(format!(
                "it holds runs other than its header's runs {}..{}",
                runs.start + 1,
                runs.end
            )));
        }
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        let deployments = scenario.deployments.len();
        for r in &self.runs {
            let s = &r.summary;
            let seed = model::run_seed(scenario.seed, s.run - 1);
            if s.seed != seed {
                return Err(Mismatch(format!(
                    "its runs were not simulated with seed {}: run {} has the seed {}, seed {} gives it {seed}",
                    scenario.seed, s.run, s.seed, scenario.seed
                )));
            }
            let t = &s.totals;
            let waves_ok = r
                .waves
                .iter()
                .all(|(d, m)| *d < deployments && m.is_none_or(|m| m.is_finite() && m >= 0.0));
            if r.monthly.len() != months
                || r.input_means.len() != images
                || !finite(&r.monthly)
                || !r.input_means.iter().all(|m| finite(m))
                || !finite(&[t.total_cost])
                || !finite(&t.cost.0)
                || !finite(&[t.ineligible_cost, t.lab_wait_hours])
                || !t.slowest_deployment_minutes.is_none_or(f64::is_finite)
                || !waves_ok
            {
                return Err(Mismatch(format!(
                    "run {}'s figures do not fit the scenario (its months, images, deployments) or are not finite",
                    s.run
                )));
            }
        }
        let detailed = runs.contains(&0);
        if self.detail.is_some() != detailed || self.service.is_some() != detailed {
            return Err(Mismatch(format!(
                "the detail of run 1 (versions, labs, waves) is {} but run 1 is {}",
                if self.detail.is_some() {
                    "present"
                } else {
                    "absent"
                },
                if detailed {
                    "among its runs"
                } else {
                    "not among its runs"
                },
            )));
        }
        // Times are seconds from the start: far past the horizon is no time of a run.
        let latest = scenario.horizon_ticks().saturating_add(100 * 366 * 86_400);
        let time_ok = |t: Option<crate::engine::Time>| t.is_none_or(|t| t.0 <= latest);
        if let Some((copies, costs)) = &self.detail {
            let regions = scenario.regions.len();
            let copies_ok = copies.iter().all(|c| {
                c.image < images
                    && (c.region.0 as usize) < regions
                    && time_ok(c.available_at.get())
                    && time_ok(c.deleted_at.get())
                    && finite(&[c.used_gb, c.storage_quantity])
            });
            if !copies_ok || costs.len() != copies.len() || !costs.iter().all(|c| finite(&c.0)) {
                return Err(Mismatch(
                    "run 1's version copies do not fit the scenario (images, regions, times)"
                        .to_string(),
                ));
            }
        }
        if let Some(service) = &self.service {
            let waves_ok = service.waves.iter().all(|w| {
                w.deployment < deployments
                    && time_ok(Some(w.start))
                    && time_ok(w.ready_at)
                    && w.minutes.is_none_or(f64::is_finite)
            });
            let labs_ok = service.labs.len() == scenario.labs.len()
                && service
                    .labs
                    .iter()
                    .all(|l| time_ok(l.ready_at) && l.wait_hours.is_none_or(f64::is_finite));
            if !waves_ok || !labs_ok {
                return Err(Mismatch(
                    "run 1's labs or deployment waves do not fit the scenario".to_string(),
                ));
            }
        }
        let same = |a: &PriceUsed, b: &PriceUsed| {
            use crate::catalog::prices::Source;
            a.meter == b.meter
                && a.region == b.region
                && a.priced.value.to_bits() == b.priced.value.to_bits()
                && match (&a.priced.source, &b.priced.source) {
                    (
                        Source::Catalog {
                            as_of: x,
                            currency: c,
                            ..
                        },
                        Source::Catalog {
                            as_of: y,
                            currency: d,
                            ..
                        },
                    ) => x == y && c == d,
                    (Source::Scenario, Source::Scenario) => true,
                    _ => false,
                }
        };
        if self.prices_used.len() != prices_used.len()
            || !self
                .prices_used
                .iter()
                .zip(prices_used)
                .all(|(a, b)| same(a, b))
        {
            return Err(Mismatch(
                "its runs were priced with other prices than its scenario and price catalog give"
                    .to_string(),
            ));
        }
        Ok(())
    }

    /// The prices `scenario`'s usage lines use, as an accumulator of its runs records them.
    pub fn prices_used_by(scenario: &Scenario) -> Vec<PriceUsed> {
        let layout = model::Layout::new(scenario);
        Pricer::new(scenario, &layout, &scenario.prices)
            .prices_used()
            .to_vec()
    }

    /// The results, with lab status and waves of the detailed run.
    pub fn finish(mut self, scenario: &Scenario) -> Results {
        self.runs.sort_by_key(|r| r.summary.run);
        let n = self.runs.len() as u32;
        let (copies, copy_costs) = self.detail.unwrap_or_default();
        let service = self.service.unwrap_or_default();
        let mut runs = Vec::with_capacity(self.runs.len());
        let mut monthly_totals = Vec::with_capacity(self.runs.len());
        let mut input_means = Vec::with_capacity(self.runs.len());
        let mut deployment_minutes = vec![Vec::new(); scenario.deployments.len()];
        let mut deployment_unserved = vec![0; scenario.deployments.len()];
        for run in self.runs {
            runs.push(run.summary);
            monthly_totals.push(run.monthly);
            input_means.push(run.input_means);
            for (deployment, minutes) in run.waves {
                match minutes {
                    Some(m) => deployment_minutes[deployment].push(m),
                    None => deployment_unserved[deployment] += 1,
                }
            }
        }
        Results {
            runs,
            monthly_totals,
            monthly_mean: self.ledger.mean(n),
            image_cost_mean: means(&self.image_costs, n),
            monthly_ineligible_mean: means(&self.monthly_ineligible, n),
            input_means,
            copies,
            copy_costs,
            labs: service.labs,
            waves: service.waves,
            deployment_minutes,
            deployment_unserved,
            events: self.events,
            prices_used: self.prices_used,
            object_cost_mean: (self.objects.0.into_iter())
                .zip(means(&self.objects.1, n))
                .collect(),
        }
    }
}

/// Runs `scenario.runs` runs priced with the scenario's prices; `progress` is called (from any
/// thread) as each run finishes.
pub fn simulate(scenario: &Scenario, progress: &(dyn Fn() + Sync)) -> Results {
    simulate_priced(scenario, std::slice::from_ref(&scenario.prices), progress)
        .pop()
        .expect("one price book, one result")
}

/// Simulates `scenario.runs` runs once and prices every run with each of `books`: one
/// [`Results`] per book, as if the scenario had been run with that book alone.
pub fn simulate_priced(
    scenario: &Scenario,
    books: &[PriceBook],
    progress: &(dyn Fn() + Sync),
) -> Vec<Results> {
    simulate_runs(scenario, books, 0..scenario.runs, progress)
        .into_iter()
        .map(|acc| acc.finish(scenario))
        .collect()
}

/// Adds each value to its sum.
fn add_each(sums: &mut [ExactSum], values: &[f64]) {
    for (sum, value) in sums.iter_mut().zip(values) {
        sum.add(*value);
    }
}

/// Adds each of another accumulator's sums to its own.
fn merge_each(sums: &mut [ExactSum], other: &[ExactSum]) {
    for (sum, more) in sums.iter_mut().zip(other) {
        sum.merge(more);
    }
}

/// Each sum divided by `runs` runs.
fn means(sums: &[ExactSum], runs: u32) -> Vec<f64> {
    sums.iter()
        .map(|s| s.value() / f64::from(runs.max(1)))
        .collect()
}

/// Simulates the runs `runs` (0-based) of `scenario`, each priced with every book: one
/// unfinished [`Accumulator`] per book, to be merged with the accumulators of other runs
/// (another shard) or finished. Run 0, wherever it falls, is the detailed run.
///
/// Each thread absorbs the runs it simulates into accumulators of its own, merged when the
/// threads' ranges of runs meet (exact sums; runs in order): no thread waits for another
/// between runs, and only the runs being simulated are held at once.
pub fn simulate_runs(
    scenario: &Scenario,
    books: &[PriceBook],
    runs: std::ops::Range<u32>,
    progress: &(dyn Fn() + Sync),
) -> Vec<Accumulator> {
    let plan = Plan::new(scenario, parts_per_run(runs.len()));
    let pricers: Vec<Pricer> = books
        .iter()
        .map(|book| Pricer::new(scenario, &plan.layout, book))
        .collect();
    let empty = || -> Vec<Accumulator> {
        pricers
            .iter()
            .map(|p| Accumulator::new(scenario, p.prices_used()))
            .collect()
    };
    runs.into_par_iter()
        .fold(empty, |mut accumulators, run| {
            let seed = model::run_seed(scenario.seed, run);
            let mut output = model::simulate_run(scenario, &plan, seed, run == 0);
            // Priced with the copies (the detailed run's are priced one by one), then absorbed.
            let priced: Vec<PricedRun> = pricers.iter().map(|p| p.price(&output)).collect();
            let mut copies = output.copies.take();
            let books = priced.len();
            for (i, (acc, p)) in accumulators.iter_mut().zip(priced).enumerate() {
                // Each book's results list the copies; the last takes them.
                let copies = if i + 1 == books {
                    copies.take()
                } else {
                    copies.clone()
                };
                acc.absorb(run, seed, p, copies);
            }
            progress();
            accumulators
        })
        .reduce(empty, |mut left, right| {
            for (acc, more) in left.iter_mut().zip(right) {
                acc.merge(more);
            }
            left
        })
}

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use super::*;

    /// One alteration of an accumulator.
    type Alter = Box<dyn Fn(&mut Accumulator)>;

    /// The first two runs of the bundled default scenario, unfinished.
    fn two_runs(scenario: &Scenario) -> Accumulator {
        let book = std::slice::from_ref(&scenario.prices);
        simulate_runs(scenario, book, 0..2, &|| {}).pop().unwrap()
    }

    #[test]
    fn check_refuses_an_accumulator_that_does_not_fit_its_scenario() {
        let scenario = Scenario::bundled_default();
        let prices = Accumulator::prices_used_by(&scenario);
        let acc = two_runs(&scenario);
        assert_eq!(acc.check(&scenario, 0..2, &prices), Ok(()));
        // Each alteration alone is refused, with what differs.
        let cases: Vec<(&str, Alter, Range<u32>)> = vec![
            ("runs other", Box::new(|_| {}), 0..3),
            ("runs other", Box::new(|_| {}), 1..3),
            ("detail of run 1", Box::new(|a| a.detail = None), 0..2),
            (
                "not a finite",
                Box::new(|a| a.image_costs[0].add(f64::NAN)),
                0..2,
            ),
            ("seed", Box::new(|a| a.runs[1].summary.seed ^= 1), 0..2),
            (
                "months",
                Box::new(|a| a.monthly_ineligible.push(ExactSum::default())),
                0..2,
            ),
            (
                "run 2's figures",
                Box::new(|a| a.runs[1].monthly.push(0.0)),
                0..2,
            ),
            (
                "run 1's figures",
                Box::new(|a| a.runs[0].waves.push((99, Some(1.0)))),
                0..2,
            ),
            (
                "labs",
                Box::new(|a| a.service.as_mut().unwrap().labs.clear()),
                0..2,
            ),
            ("prices", Box::new(|a| a.prices_used.clear()), 0..2),
        ];
        for (what, alter, runs) in cases {
            let mut bad = acc.clone();
            alter(&mut bad);
            let err = bad.check(&scenario, runs, &prices).expect_err(what);
            assert!(err.0.contains(what), "{what}: {err}");
        }
    }
}
