//! Analyses that cost what changes: a base scenario's runs are simulated once and kept
//! ([`crate::model::RunBase`]); a variant that changes a few images re-simulates only those
//! images, reuses the rest and merges exactly, so its results are byte-identical to a full
//! simulation (`tests/integration/incremental.rs` checks every analysis both ways). Which
//! images changed is decided by [`Fingerprints`]; anything else that changed (the calendar,
//! the seed, a rule, the usage lines...) falls back to a full simulation.
//!
//! The results of a reused run list no version copies (`versions.csv` is not an analysis
//! output); everything else is as [`montecarlo::simulate`] gives it.

use rayon::prelude::*;

use super::sensitivity::Variants;
use crate::model::{
    self, same_layout, Change, Copies, Fingerprints, Layout, PerComponent, Plan, RunBase, Usage,
};
use crate::montecarlo::{self, Accumulator, Results};
use crate::pricing::Pricer;
use crate::scenario::{Image, Scenario};

/// Kept runs above this estimated memory are not kept: every variant is then simulated in
/// full (about 1.7 MB per run of a 2,000-lab fleet over 36 months).
pub const MAX_KEPT_BYTES: f64 = 1.5e9;

/// A variant whose changed images hold more than this share of the estimated events is
/// simulated in full (re-simulating them twice, for the base and the variant, would cost
/// more than the reuse saves).
pub const MAX_CHANGED_SHARE: f64 = 0.4;

/// Runs per parallel chunk of a variant (bounds the priced runs held at once).
const CHUNK: usize = 64;

/// How a variant reuses a base's kept runs: the images it re-simulates, and its plan.
pub struct Planned {
    images: Vec<usize>,
    plan: Plan,
}

impl Planned {
    /// The images the variant re-simulates.
    pub fn images(&self) -> &[usize] {
        &self.images
    }
}

/// A base scenario whose runs are kept for its variants.
pub struct Reuse {
    base: Scenario,
    plan: Plan,
    fingerprints: Fingerprints,
    /// Per run, once [`Reuse::simulate_base`] ran (empty: nothing kept yet, or too big).
    runs: Vec<RunBase>,
    keep: bool,
    /// Per kept run, the cost of each (month, cell) of the ledger, month by month.
    costs: Vec<Vec<PerComponent<f64>>>,
    /// The base with a variant's images swapped in, for [`Reuse::with_images`].
    work: Scenario,
}

impl Reuse {
    /// Plans the reuse of `base`'s runs (nothing is simulated yet).
    pub fn new(base: &Scenario) -> Reuse {
        let plan = Plan::new(base, montecarlo::parts_per_run(base.runs as usize));
        let keep = keepable(base, &plan.layout);
        Reuse {
            fingerprints: Fingerprints::of(base, &base.prices),
            base: base.clone(),
            work: base.clone(),
            plan,
            runs: Vec::new(),
            costs: Vec::new(),
            keep,
        }
    }

    /// The base scenario.
    pub fn base(&self) -> &Scenario {
        &self.base
    }

    /// The images `variant` re-simulates, or None when it is simulated in full: another
    /// calendar, seed, rule or usage line, too many changed images, or runs too big to keep.
    pub fn changed_images(&self, variant: &Scenario) -> Option<Vec<usize>> {
        self.plan(variant).map(|p| p.images)
    }

    /// How `variant` reuses the base's runs (None: it is simulated in full), worked out once
    /// for [`Reuse::simulate_planned`].
    pub fn plan(&self, variant: &Scenario) -> Option<Planned> {
        if !self.keep {
            return None;
        }
        let images = self
            .fingerprints
            .changed(&Fingerprints::of(variant, &self.base.prices))?;
        let plan = Plan::new(variant, 1);
        (same_layout(&plan.layout, &self.plan.layout)
            && share(variant, &images) <= MAX_CHANGED_SHARE)
            .then_some(Planned { images, plan })
    }

    /// Simulates the base scenario, keeping its runs for variants; `progress` is called as
    /// each run finishes. The results are [`montecarlo::simulate`]'s, without copies.
    pub fn simulate_base(&mut self, progress: &(dyn Fn() + Sync)) -> Results {
        if !self.keep {
            return montecarlo::simulate(&self.base, progress);
        }
        let (base, plan) = (&self.base, &self.plan);
        let pricer = Pricer::new(base, &plan.layout, &base.prices);
        let mut acc = Accumulator::new(base, pricer.prices_used());
        let mut runs = Vec::with_capacity(base.runs as usize);
        let mut start = 0;
        while start < base.runs {
            let end = base.runs.min(start + CHUNK as u32);
            let chunk: Vec<(RunBase, _)> = (start..end)
                .into_par_iter()
                .map(|run| {
                    let seed = model::run_seed(base.seed, run);
                    let kept = model::simulate_kept(base, plan, seed, run == 0);
                    let priced = pricer.price(kept.output());
                    progress();
                    (kept, priced)
                })
                .collect();
            for (run, (kept, priced)) in (start..).zip(chunk) {
                self.costs
                    .push(priced.ledger.entries().iter().map(|e| e.cost).collect());
                acc.absorb(run, kept.seed(), priced, (run == 0).then(Copies::default));
                runs.push(kept);
            }
            start = end;
        }
        self.runs = runs;
        acc.finish(base)
    }

    /// The results of `variant` (a scenario with the base's seed and runs), re-simulating
    /// only the images whose fingerprints differ from the base's when that is possible.
    pub fn simulate(&mut self, variant: &Scenario, progress: &(dyn Fn() + Sync)) -> Results {
        let planned = self.kept().then(|| self.plan(variant)).flatten();
        self.simulate_planned(variant, planned.as_ref(), progress)
    }

    /// [`Reuse::simulate`] of `variant` as [`Reuse::plan`] planned it (None: in full).
    pub fn simulate_planned(
        &mut self,
        variant: &Scenario,
        planned: Option<&Planned>,
        progress: &(dyn Fn() + Sync),
    ) -> Results {
        match planned.filter(|_| self.kept()) {
            Some(p) => self.incremental(Some((variant, &p.plan)), &p.images, progress),
            None => montecarlo::simulate(variant, progress),
        }
    }

    /// The results of the base with each `(image, value)` of `edits` in place of that image
    /// (the tornado's variants): only the edited images whose fingerprints differ from the
    /// base's are re-simulated.
    pub fn with_images(
        &mut self,
        edits: Vec<(usize, Image)>,
        progress: &(dyn Fn() + Sync),
    ) -> Results {
        self.edited(edits, |reuse, images| match images {
            Some(images) => reuse.incremental(None, &images, progress),
            None => montecarlo::simulate(&reuse.work, progress),
        })
    }

    fn kept(&self) -> bool {
        self.keep && !self.runs.is_empty()
    }

    /// The results of the variant (`self.work` with the base's plan when None) whose images
    /// `images` differ from the base.
    fn incremental(
        &mut self,
        variant: Option<(&Scenario, &Plan)>,
        images: &[usize],
        progress: &(dyn Fn() + Sync),
    ) -> Results {
        let variant = variant.unwrap_or((&self.work, &self.plan));
        let pricer = Pricer::new(variant.0, &variant.1.layout, &variant.0.prices);
        let mut acc = Accumulator::new(variant.0, pricer.prices_used());
        let mut runs = std::mem::take(&mut self.runs);
        let base = (&self.base, &self.plan);
        let price = |_, out: &model::RunOutput| pricer.price(out);
        each_run(
            &mut runs,
            base,
            variant,
            images,
            progress,
            price,
            |run, seed, priced| {
                acc.absorb(run, seed, priced, (run == 0).then(Copies::default));
            },
        );
        self.runs = runs;
        acc.finish(variant.0)
    }

    /// The total cost of each run of the base with `edits` in place of its images (see
    /// [`Reuse::with_images`]), in run order: what a tornado reads of a variant.
    pub fn totals_with_images(
        &mut self,
        edits: Vec<(usize, Image)>,
        progress: &(dyn Fn() + Sync),
    ) -> Vec<f64> {
        self.edited(edits, |reuse, images| match images {
            Some(images) => {
                let (work, plan) = (&reuse.work, &reuse.plan);
                let pricer = Pricer::new(work, &plan.layout, &work.prices);
                // Only the cells of the changed images cost anything new.
                let mut cells = vec![false; plan.layout.cells];
                for &i in &images {
                    for t in &plan.layout.targets[i] {
                        cells[plan.layout.lines[t.storage as usize].cell] = true;
                    }
                }
                let costs = &reuse.costs;
                let price = |run: usize, out: &model::RunOutput| {
                    total_cost(&pricer, &plan.layout, &out.usage, &costs[run], &cells)
                };
                let mut totals = vec![0.0; reuse.runs.len()];
                let mut runs = std::mem::take(&mut reuse.runs);
                let base = (&reuse.base, plan);
                each_run(
                    &mut runs,
                    base,
                    (work, plan),
                    &images,
                    progress,
                    price,
                    |run, _, t| {
                        totals[run as usize] = t;
                    },
                );
                reuse.runs = runs;
                totals
            }
            None => totals(&montecarlo::simulate(&reuse.work, progress)),
        })
    }

    /// `f` of this reuse with `edits` swapped into its working scenario, given the images to
    /// re-simulate (None: simulate in full).
    fn edited<T>(
        &mut self,
        mut edits: Vec<(usize, Image)>,
        f: impl FnOnce(&mut Reuse, Option<Vec<usize>>) -> T,
    ) -> T {
        for (i, image) in &mut edits {
            std::mem::swap(&mut self.work.images[*i], image);
        }
        let mut images: Vec<usize> = edits
            .iter()
            .map(|&(i, _)| i)
            .filter(|&i| !self.fingerprints.same_image(&self.work, i))
            .collect();
        images.sort_unstable();
        images.dedup();
        // Same layout, labs and deployments: the base's plan serves.
        let reuse = self.kept()
            && share(&self.work, &images) <= MAX_CHANGED_SHARE
            && (images.is_empty() || same_layout(&Layout::new(&self.work), &self.plan.layout));
        let value = f(self, reuse.then_some(images));
        for (i, image) in &mut edits {
            std::mem::swap(&mut self.work.images[*i], image);
        }
        value
    }
}

/// `read` of each kept run's output for `variant`, whose images `images` differ from `base`,
/// handed to `sink` with the run's number and seed, in chunks of runs simulated in parallel.
fn each_run<T: Send>(
    runs: &mut [RunBase],
    base: (&Scenario, &Plan),
    variant: (&Scenario, &Plan),
    images: &[usize],
    progress: &(dyn Fn() + Sync),
    read: impl Fn(usize, &model::RunOutput) -> T + Sync,
    mut sink: impl FnMut(u32, u64, T),
) {
    let change = Change::new(variant.0, images);
    for (c, chunk) in runs.chunks_mut(CHUNK).enumerate() {
        let values: Vec<_> = chunk
            .par_iter_mut()
            .enumerate()
            .map(|(k, run)| {
                let read = |out: &model::RunOutput| read(c * CHUNK + k, out);
                let value = run.variant(base, variant, &change, read);
                progress();
                (run.seed(), value)
            })
            .collect();
        for (k, (seed, value)) in values.into_iter().enumerate() {
            sink((c * CHUNK + k) as u32, seed, value);
        }
    }
}

/// The total cost of a run priced by `pricer` ([`Pricer::price`]'s `totals.total_cost`, with
/// the same additions in the same order), from the ledger costs `base` of a run that differs
/// only in the cells `changed`, whose costs are priced again from `usage`.
fn total_cost(
    pricer: &Pricer,
    layout: &Layout,
    usage: &Usage,
    base: &[PerComponent<f64>],
    changed: &[bool],
) -> f64 {
    let cells = layout.cells;
    let mut fresh = vec![PerComponent::<f64>::default(); cells];
    let mut cost = PerComponent::default();
    for month in 0..usage.months() {
        for entry in fresh.iter_mut() {
            *entry = PerComponent::default();
        }
        for (l, line) in layout.lines.iter().enumerate() {
            if changed[line.cell] {
                let q = usage.quantity(month, l);
                fresh[line.cell][line.component] += q * pricer.unit(l);
            }
        }
        for cell in 0..cells {
            cost += match changed[cell] {
                true => fresh[cell],
                false => base[month * cells + cell],
            };
        }
    }
    cost.total()
}

/// The total cost of each run, in run order.
pub fn totals(results: &Results) -> Vec<f64> {
    results.runs.iter().map(|r| r.totals.total_cost).collect()
}

/// Whether the runs of `scenario` are small enough to keep for reuse (see [`MAX_KEPT_BYTES`]).
/// A scenario with usage sources is always simulated whole: they book from the whole run's
/// lab status and waves, which a variant's parts would change.
pub fn can_keep(scenario: &Scenario) -> bool {
    keepable(scenario, &Layout::new(scenario))
}

fn keepable(scenario: &Scenario, layout: &Layout) -> bool {
    scenario.sources.is_empty() && kept_bytes(scenario, layout) <= MAX_KEPT_BYTES
}

/// Whole-scenario simulations that variants of `base` cost through its kept runs, when each
/// changes the images of one entry of `changed`: the base once, and each variant's images
/// twice (for the variant, and for the base to take them away).
pub fn simulations_reusing(base: &Scenario, changed: &[Vec<usize>]) -> u64 {
    let reused: f64 = changed.iter().map(|images| 2.0 * share(base, images)).sum();
    1 + whole(reused)
}

/// Whole-scenario simulations that a sum of shares of one (see [`share`]) makes, rounded up.
pub fn whole(shares: f64) -> u64 {
    (shares - 1e-9).ceil().max(0.0) as u64
}

/// How the values of a sweep (`variants` of `base`, each with the base's seed and runs) are
/// simulated, decided before anything is: through `base`'s kept runs when every variant
/// changes few enough of its images and that costs fewer simulations than one per variant
/// (then the [`Reuse`] and each variant's plan are returned), each whole otherwise. Also
/// returns the whole-scenario simulations it costs, for the work check.
pub fn plan_variants(
    base: &Scenario,
    variants: &[&Scenario],
) -> (Option<(Reuse, Vec<Planned>)>, u64) {
    let whole = variants.len() as u64;
    let reuse = Reuse::new(base);
    let planned: Option<Vec<Planned>> = variants.iter().map(|v| reuse.plan(v)).collect();
    if let Some(planned) = planned {
        let changed: Vec<Vec<usize>> = planned.iter().map(|p| p.images.clone()).collect();
        let simulations = simulations_reusing(base, &changed);
        if simulations < whole {
            return (Some((reuse, planned)), simulations);
        }
    }
    (None, whole)
}

/// The results of each of `variants`, through the reuse [`plan_variants`] planned (the base
/// is simulated first, its results not returned) or each whole; `progress` is called as each
/// run finishes. Bit for bit the same either way.
pub fn simulate_variants(
    reuse: Option<(Reuse, Vec<Planned>)>,
    variants: &[&Scenario],
    progress: &(dyn Fn() + Sync),
) -> Vec<Results> {
    match reuse {
        Some((mut reuse, planned)) => {
            reuse.simulate_base(progress);
            (variants.iter().zip(&planned))
                .map(|(v, p)| reuse.simulate_planned(v, Some(p), progress))
                .collect()
        }
        None => (variants.iter())
            .map(|v| montecarlo::simulate(v, progress))
            .collect(),
    }
}

/// The share of `scenario`'s estimated events that `images` make.
pub fn share(scenario: &Scenario, images: &[usize]) -> f64 {
    let all: f64 = (0..scenario.images.len())
        .map(|i| scenario.image_events(i))
        .sum();
    let these: f64 = images.iter().map(|&i| scenario.image_events(i)).sum();
    if all > 0.0 {
        these / all
    } else {
        0.0
    }
}

/// An upper estimate of the memory the runs of `scenario` take when kept: the usage of each
/// line and cell per month (exact sums of 32 bytes), each target's totals, and the replicas
/// alive over time (at most one change per engine event, 24 bytes each).
fn kept_bytes(scenario: &Scenario, layout: &Layout) -> f64 {
    let months = f64::from(scenario.months);
    let per_run = 32.0 * months * (layout.lines.len() + layout.cells) as f64
        + 16.0 * layout.target_count as f64
        + 24.0 * scenario.work().events / f64::from(scenario.runs.max(1));
    per_run * f64::from(scenario.runs)
}

/// The tornado's variants through a [`Reuse`] of the scenario at its medians.
pub struct Reusing<'p> {
    /// The kept base.
    pub reuse: Reuse,
    /// Called as each run finishes.
    pub progress: &'p (dyn Fn() + Sync),
}

impl Reusing<'_> {
    /// Reuse of `base`'s runs, with `progress`.
    pub fn new<'p>(base: &Scenario, progress: &'p (dyn Fn() + Sync)) -> Reusing<'p> {
        Reusing {
            reuse: Reuse::new(base),
            progress,
        }
    }
}

impl Variants for Reusing<'_> {
    fn base(&mut self) -> Vec<f64> {
        totals(&self.reuse.simulate_base(self.progress))
    }

    fn with_images(&mut self, edits: Vec<(usize, Image)>) -> Vec<f64> {
        self.reuse.totals_with_images(edits, self.progress)
    }
}

/// The tornado's variants, each simulated in full (what [`Reusing`] must equal).
pub struct Full<'p> {
    base: Scenario,
    progress: &'p (dyn Fn() + Sync),
}

impl Full<'_> {
    /// Full simulations of variants of `base`, with `progress`.
    pub fn new<'p>(base: &Scenario, progress: &'p (dyn Fn() + Sync)) -> Full<'p> {
        Full {
            base: base.clone(),
            progress,
        }
    }
}

impl Variants for Full<'_> {
    fn base(&mut self) -> Vec<f64> {
        totals(&montecarlo::simulate(&self.base, self.progress))
    }

    fn with_images(&mut self, edits: Vec<(usize, Image)>) -> Vec<f64> {
        let mut variant = self.base.clone();
        for (i, image) in edits {
            variant.images[i] = image;
        }
        totals(&montecarlo::simulate(&variant, self.progress))
    }
}
