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
use crate::model::{self, same_layout, Change, Copies, Fingerprints, Layout, Plan, RunBase};
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

/// A base scenario whose runs are kept for its variants.
pub struct Reuse {
    base: Scenario,
    plan: Plan,
    fingerprints: Fingerprints,
    /// Per run, once [`Reuse::simulate_base`] ran (empty: nothing kept yet, or too big).
    runs: Vec<RunBase>,
    keep: bool,
    /// The base with a variant's images swapped in, for [`Reuse::with_images`].
    work: Scenario,
}

impl Reuse {
    /// Plans the reuse of `base`'s runs (nothing is simulated yet).
    pub fn new(base: &Scenario) -> Reuse {
        let plan = Plan::new(base, montecarlo::parts_per_run(base.runs as usize));
        let keep = kept_bytes(base, &plan.layout) <= MAX_KEPT_BYTES;
        Reuse {
            fingerprints: Fingerprints::of(base, &base.prices),
            base: base.clone(),
            work: base.clone(),
            plan,
            runs: Vec::new(),
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
        self.plan_variant(variant).map(|(images, _)| images)
    }

    fn plan_variant(&self, variant: &Scenario) -> Option<(Vec<usize>, Plan)> {
        if !self.keep {
            return None;
        }
        let images = self
            .fingerprints
            .changed(&Fingerprints::of(variant, &self.base.prices))?;
        let plan = Plan::new(variant, 1);
        (same_layout(&plan.layout, &self.plan.layout)
            && share(variant, &images) <= MAX_CHANGED_SHARE)
            .then_some((images, plan))
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
        match self.kept().then(|| self.plan_variant(variant)).flatten() {
            Some((images, plan)) => self.incremental(Some((variant, &plan)), &images, progress),
            None => montecarlo::simulate(variant, progress),
        }
    }

    /// The results of the base with each `(image, value)` of `edits` in place of that image
    /// (the tornado's variants): only the edited images whose fingerprints differ from the
    /// base's are re-simulated.
    pub fn with_images(
        &mut self,
        mut edits: Vec<(usize, Image)>,
        progress: &(dyn Fn() + Sync),
    ) -> Results {
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
        let reuse = self.kept()
            && share(&self.work, &images) <= MAX_CHANGED_SHARE
            && (images.is_empty() || same_layout(&Layout::new(&self.work), &self.plan.layout));
        let results = if reuse {
            // Same layout and the same labs and deployments: the base's plan serves.
            self.incremental(None, &images, progress)
        } else {
            montecarlo::simulate(&self.work, progress)
        };
        for (i, image) in &mut edits {
            std::mem::swap(&mut self.work.images[*i], image);
        }
        results
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
        let Reuse {
            base,
            plan,
            runs,
            work,
            ..
        } = self;
        let (variant, variant_plan) = variant.unwrap_or((work, plan));
        let change = Change::new(variant, images);
        let pricer = Pricer::new(variant, &variant_plan.layout, &variant.prices);
        let mut acc = Accumulator::new(variant, pricer.prices_used());
        for (c, chunk) in runs.chunks_mut(CHUNK).enumerate() {
            let priced: Vec<_> = chunk
                .par_iter_mut()
                .map(|run| {
                    let priced =
                        run.variant((base, plan), (variant, variant_plan), &change, |out| {
                            pricer.price(out)
                        });
                    progress();
                    (run.seed(), priced)
                })
                .collect();
            for (k, (seed, priced)) in priced.into_iter().enumerate() {
                let run = (c * CHUNK + k) as u32;
                acc.absorb(run, seed, priced, (run == 0).then(Copies::default));
            }
        }
        acc.finish(variant)
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
    fn base(&mut self) -> Results {
        self.reuse.simulate_base(self.progress)
    }

    fn with_images(&mut self, edits: Vec<(usize, Image)>) -> Results {
        self.reuse.with_images(edits, self.progress)
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
    fn base(&mut self) -> Results {
        montecarlo::simulate(&self.base, self.progress)
    }

    fn with_images(&mut self, edits: Vec<(usize, Image)>) -> Results {
        let mut variant = self.base.clone();
        for (i, image) in edits {
            variant.images[i] = image;
        }
        montecarlo::simulate(&variant, self.progress)
    }
}
