//! Reusing a base run for a variant: the merged output of each run of a base scenario is
//! kept with its replicas alive over time; a variant that changes a few images re-simulates
//! only those images, takes their base contribution away and adds theirs (exact sums, so the
//! bits are those of a full simulation), and merges the replicas alive exactly.
//!
//! Which images changed is decided by [`Fingerprints`]: per image, the `Debug` text of the
//! whole [`crate::scenario::Image`] and of everything outside it that its simulation reads
//! (its galleries, accounts, cells, labs and deployments); and one text for everything else
//! of the scenario, prices and names aside, whose change forces a full simulation.
//! `docs/architecture.md`, "Reusing runs", lists the couplings between images.

use std::fmt::Write as _;
use std::ops::Range;

use rayon::prelude::*;

use super::handler::simulate_part;
use super::merge::{merge_parts, PartOutput};
use super::{Copies, LabOutcome, Layout, Plan, RunOutput, Wave};
use crate::catalog::PriceBook;
use crate::scenario::Scenario;

/// What a variant's simulation reads, as text: one per image, and one for the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprints {
    /// Everything that is not an image's own: calendar, months, seed, runs, billing, rules,
    /// cells, regions, every gallery's retargets (every part handles them), the number of
    /// images, labs and deployments, and any field added to [`Scenario`] later.
    global: String,
    /// Per image: the image, its galleries and accounts, its target cells, its labs and
    /// deployments (with their indices).
    images: Vec<String>,
}

impl Fingerprints {
    /// The fingerprints of `scenario` (images in parallel), with `prices` in place of its
    /// own (prices are applied after the simulation: pass the base's).
    pub fn of(scenario: &Scenario, prices: &PriceBook) -> Fingerprints {
        Fingerprints {
            global: global_text(scenario, prices),
            images: (0..scenario.images.len())
                .into_par_iter()
                .map(|i| image_text(scenario, i))
                .collect(),
        }
    }

    /// The images whose fingerprint differs in `other`, in order; None when anything outside
    /// the images differs (or the number of images): the variant needs a full simulation.
    pub fn changed(&self, other: &Fingerprints) -> Option<Vec<usize>> {
        if self.global != other.global || self.images.len() != other.images.len() {
            return None;
        }
        Some(
            (0..self.images.len())
                .filter(|&i| self.images[i] != other.images[i])
                .collect(),
        )
    }

    /// Whether image `image` of `scenario` reads what it reads in the base.
    pub fn same_image(&self, scenario: &Scenario, image: usize) -> bool {
        self.images.get(image) == Some(&image_text(scenario, image))
    }
}

/// Everything of `scenario` a run reads outside the images' own fingerprints. The collections
/// that the images' texts cover are left out (their lengths are kept), and so are what a run
/// does not read: the name, the text, the warnings, the catalog and the prices (applied after
/// the simulation). Any other field, including one added later, is in the `Debug` text.
fn global_text(scenario: &Scenario, prices: &PriceBook) -> String {
    let mut rest = scenario.clone();
    rest.name.clear();
    rest.galleries.clear();
    rest.accounts.clear();
    rest.images.clear();
    rest.labs.clear();
    rest.deployments.clear();
    rest.warnings.clear();
    rest.catalog = None;
    rest.text.clear();
    rest.currency.clear();
    // Prices never force a simulation: the same book in every fingerprint.
    rest.prices = prices.clone();
    let retargets: Vec<_> = scenario.galleries.iter().map(|g| &g.retarget).collect();
    format!(
        "{rest:?} images {} labs {} deployments {} retargets {retargets:?}",
        scenario.images.len(),
        scenario.labs.len(),
        scenario.deployments.len()
    )
}

/// What the simulation of image `i` reads: the whole image, each gallery and account it is
/// attached to over time, the cells of its targets and their galleries, and its labs and
/// deployments with their accounts and indices.
fn image_text(scenario: &Scenario, i: usize) -> String {
    let image = &scenario.images[i];
    let mut text = format!("{image:?}");
    let galleries = std::iter::once(image.gallery)
        .chain(image.periods.iter().map(|p| p.gallery))
        .chain(
            image
                .targets
                .iter()
                .map(|&(_, c)| scenario.cells[c].gallery),
        );
    for g in galleries {
        let _ = write!(text, "|gallery {g} {:?}", scenario.galleries[g]);
    }
    let accounts = image
        .account
        .into_iter()
        .chain(image.periods.iter().map(|p| p.account));
    for a in accounts {
        let _ = write!(text, "|account {a} {:?}", scenario.accounts[a]);
    }
    for &(_, c) in &image.targets {
        let _ = write!(text, "|cell {c} {:?}", scenario.cells[c]);
    }
    for (l, lab) in scenario
        .labs
        .iter()
        .enumerate()
        .filter(|(_, l)| l.image == i)
    {
        let account = &scenario.accounts[lab.account];
        let _ = write!(text, "|lab {l} {lab:?} {account:?}");
    }
    for (d, dep) in scenario.deployments.iter().enumerate() {
        if dep.image == i {
            let _ = write!(text, "|deployment {d} {dep:?}");
        }
    }
    text
}

/// Whether two layouts give every usage line and target the same index.
pub fn same_layout(a: &Layout, b: &Layout) -> bool {
    a.lines == b.lines
        && a.targets == b.targets
        && a.target_offsets == b.target_offsets
        && a.target_count == b.target_count
        && a.cells == b.cells
        && a.ineligible == b.ineligible
}

/// Contiguous ranges of the sorted image indices `images`.
pub fn ranges(images: &[usize]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for &i in images {
        match out.last_mut() {
            Some(r) if r.end == i => r.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

/// What a variant changes, worked out once for all its runs.
#[derive(Debug, Clone)]
pub struct Change {
    /// The images re-simulated, as contiguous ranges.
    ranges: Vec<Range<usize>>,
    /// The labs of those images, in scenario order, with the range their image is in.
    labs: Vec<(usize, usize)>,
    /// Per deployment, whether it is on a changed image (its waves are replaced); empty when
    /// none is.
    deployments: Vec<bool>,
}

impl Change {
    /// The change of `images` (sorted) in `variant` (whose labs and deployments are the
    /// base's in number, each on the same image in both or on a changed one).
    pub fn new(variant: &Scenario, images: &[usize]) -> Change {
        let ranges = ranges(images);
        let owner = |i: usize| ranges.iter().position(|r| r.contains(&i));
        let labs = (0..variant.labs.len())
            .filter_map(|l| Some((l, owner(variant.labs[l].image)?)))
            .collect();
        let mut deployments: Vec<bool> = variant
            .deployments
            .iter()
            .map(|d| owner(d.image).is_some())
            .collect();
        if !deployments.contains(&true) {
            deployments.clear();
        }
        Change {
            labs,
            deployments,
            ranges,
        }
    }

    /// The images re-simulated.
    pub fn ranges(&self) -> &[Range<usize>] {
        &self.ranges
    }
}

/// One run of a base scenario, kept for variants: its merged output and the replicas alive
/// over time (the sum over its images).
pub struct RunBase {
    seed: u64,
    /// The detailed run (run 1): its parts are simulated keeping their copies.
    detailed: bool,
    out: RunOutput,
    alive: AliveSum,
    /// The base parts last re-simulated to take them away (a tornado asks for several
    /// variants of one image in a row).
    old: Vec<PartOutput>,
}

/// Simulates one run of `scenario` with `seed` (the detailed run when `detailed`: its labs
/// and waves are reported, its copies are not kept) and keeps it for variants.
pub fn simulate_kept(scenario: &Scenario, plan: &Plan, seed: u64, detailed: bool) -> RunBase {
    // The detailed run keeps its copies while it runs, as a full simulation does: it then
    // frees no copy slots, which orders the storage booked at the horizon, and the sums of
    // each target follow that order.
    let mut parts: Vec<PartOutput> = plan
        .parts
        .par_iter()
        .map(|images| simulate_part(scenario, plan, seed, detailed, images.clone(), true))
        .collect();
    for part in &mut parts {
        part.copies = None;
    }
    let alive = AliveSum::new(parts.iter().map(|p| p.trace.as_deref().unwrap_or_default()));
    let mut out = merge_parts(scenario, plan, parts);
    out.copies = detailed.then(Copies::default);
    RunBase {
        seed,
        detailed,
        out,
        alive,
        old: Vec::new(),
    }
}

/// What a variant replaced in a kept output that sums cannot restore.
struct Saved {
    peak: u64,
    labs: Vec<LabOutcome>,
    input_means: Vec<[f64; 3]>,
    waves: Option<Vec<Wave>>,
}

impl RunBase {
    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The base run's output.
    pub fn output(&self) -> &RunOutput {
        &self.out
    }

    /// `read` of this run's output for `variant` (planned as `variant_plan`, with the base's
    /// layout), which differs from `base` (planned as `plan`) in the images of `change`:
    /// those are simulated for the variant (and again for the base, unless they were the
    /// last ones taken away), the others reused. The kept output is the base's again after.
    pub fn variant<T>(
        &mut self,
        (base, plan): (&Scenario, &Plan),
        (variant, variant_plan): (&Scenario, &Plan),
        change: &Change,
        read: impl FnOnce(&RunOutput) -> T,
    ) -> T {
        let (seed, detailed) = (self.seed, self.detailed);
        let part = |s: &Scenario, p: &Plan, images: &Range<usize>| {
            let mut part = simulate_part(s, p, seed, detailed, images.clone(), true);
            part.copies = None;
            part
        };
        let cached = self.old.iter().map(|p| &p.images);
        if !cached.eq(change.ranges.iter()) {
            self.old = change.ranges.iter().map(|r| part(base, plan, r)).collect();
        }
        let new: Vec<PartOutput> = change
            .ranges
            .iter()
            .map(|r| part(variant, variant_plan, r))
            .collect();
        let saved = self.replace(&new, change);
        let value = read(&self.out);
        self.restore(saved, &new, change);
        value
    }

    /// Replaces the old parts' contribution by `new`'s; returns what it replaced that sums
    /// cannot restore.
    fn replace(&mut self, new: &[PartOutput], change: &Change) -> Saved {
        let old = std::mem::take(&mut self.old);
        swap_sums(&mut self.out, &old, new);
        let out = &mut self.out;
        let peak = self.alive.peak_with(&traces(&old), &traces(new));
        let saved = Saved {
            peak: std::mem::replace(&mut out.peak_replicas, peak),
            labs: change
                .labs
                .iter()
                .map(|&(l, _)| out.service.labs[l])
                .collect(),
            input_means: change
                .ranges
                .iter()
                .flat_map(|r| out.input_means[r.clone()].iter().copied())
                .collect(),
            waves: (!change.deployments.is_empty()).then(|| out.service.waves.clone()),
        };
        // Each part reports its labs in scenario order.
        let mut labs: Vec<_> = new.iter().map(|p| p.run.service.labs.iter()).collect();
        for &(l, owner) in &change.labs {
            out.service.labs[l] = *labs[owner].next().expect("a part reports each of its labs");
        }
        for (r, n) in change.ranges.iter().zip(new) {
            out.input_means[r.clone()].copy_from_slice(&n.run.input_means);
        }
        if !change.deployments.is_empty() {
            // Each deployment's waves come from the part of its image, in the order asked for.
            let waves = &mut out.service.waves;
            waves.retain(|w| !change.deployments[w.deployment]);
            waves.extend(new.iter().flat_map(|p| p.run.service.waves.iter().copied()));
            waves.sort_by_key(|w| w.deployment);
        }
        self.old = old;
        saved
    }

    /// Puts the base's contribution back in place of `new`'s.
    fn restore(&mut self, saved: Saved, new: &[PartOutput], change: &Change) {
        swap_sums(&mut self.out, new, &self.old);
        let out = &mut self.out;
        out.peak_replicas = saved.peak;
        for (&(l, _), outcome) in change.labs.iter().zip(saved.labs) {
            out.service.labs[l] = outcome;
        }
        let mut means = saved.input_means.into_iter();
        for r in &change.ranges {
            for slot in &mut out.input_means[r.clone()] {
                *slot = means.next().expect("saved per image");
            }
        }
        if let Some(waves) = saved.waves {
            out.service.waves = waves;
        }
    }
}

/// Replaces the sums (usage, versions, events) of the parts `from` by those of `to`, which
/// simulate the same images.
fn swap_sums(out: &mut RunOutput, from: &[PartOutput], to: &[PartOutput]) {
    for (a, b) in from.iter().zip(to) {
        out.usage.unmerge(&a.run.usage);
        out.usage.merge(&b.run.usage);
        out.versions_created =
            out.versions_created - a.run.versions_created + b.run.versions_created;
        // Events every part handles (retargets) are counted once, in the kept output.
        out.events =
            out.events - (a.run.events - a.shared_events) + (b.run.events - b.shared_events);
    }
}

/// The parts' replica counts over time.
fn traces(parts: &[PartOutput]) -> Vec<&[(u64, u64)]> {
    parts
        .iter()
        .map(|p| p.trace.as_deref().unwrap_or_default())
        .collect()
}

/// The replicas alive over one run, summed over its images: at each instant one of its images'
/// counts changed, the sum after that instant; a tree of maxima over the instants answers the
/// highest sum in any span of them.
struct AliveSum {
    instants: Vec<u64>,
    /// Leaves at `instants.len()..`: the sum after each instant; above, maxima of two.
    tree: Vec<u64>,
}

/// Each trace's (instant, change of its count), gathered and sorted by instant (a stable sort
/// merges the traces' sorted runs), with `sign` applied.
fn changes<'a>(
    traces: impl Iterator<Item = &'a [(u64, u64)]>,
    sign: i64,
    into: &mut Vec<(u64, i64)>,
) {
    for trace in traces {
        let mut count = 0i64;
        for &(at, next) in trace {
            into.push((at, sign * (next as i64 - count)));
            count = next as i64;
        }
    }
}

impl AliveSum {
    fn new<'a>(traces: impl Iterator<Item = &'a [(u64, u64)]>) -> AliveSum {
        let mut all = Vec::new();
        changes(traces, 1, &mut all);
        all.sort_by_key(|&(at, _)| at);
        let mut instants = Vec::new();
        let mut sums = Vec::new();
        let mut total = 0i64;
        for instant in all.chunk_by(|a, b| a.0 == b.0) {
            total += instant.iter().map(|&(_, c)| c).sum::<i64>();
            instants.push(instant[0].0);
            sums.push(total as u64);
        }
        let n = sums.len();
        let mut tree = vec![0; n];
        tree.extend(sums);
        for k in (1..n).rev() {
            tree[k] = tree[2 * k].max(tree[2 * k + 1]);
        }
        AliveSum { instants, tree }
    }

    /// The highest sum after the instants `span` (0 when empty).
    fn highest(&self, span: Range<usize>) -> u64 {
        let n = self.instants.len();
        let (mut lo, mut hi) = (span.start + n, span.end + n);
        let mut best = 0;
        while lo < hi {
            if lo % 2 == 1 {
                best = best.max(self.tree[lo]);
                lo += 1;
            }
            if hi % 2 == 1 {
                hi -= 1;
                best = best.max(self.tree[hi]);
            }
            lo /= 2;
            hi /= 2;
        }
        best
    }

    /// The sum just after `t` (after the last instant at or before it; 0 before the first).
    fn at(&self, t: u64) -> u64 {
        match self.instants.partition_point(|&x| x <= t) {
            0 => 0,
            k => self.tree[self.instants.len() + k - 1],
        }
    }

    /// The most replicas alive at any instant once the counts `old` are replaced by `new`:
    /// the change of the sum is a step function with few steps; between two of its steps the
    /// highest base sum plus the step's value, at each step the base sum there plus it.
    fn peak_with(&self, old: &[&[(u64, u64)]], new: &[&[(u64, u64)]]) -> u64 {
        let mut steps = Vec::new();
        changes(new.iter().copied(), 1, &mut steps);
        changes(old.iter().copied(), -1, &mut steps);
        steps.sort_by_key(|&(at, _)| at);
        let n = self.instants.len();
        let index = |t: u64| self.instants.partition_point(|&x| x <= t);
        let mut best = match steps.first() {
            None => return self.highest(0..n),
            Some(&(first, _)) => {
                self.highest(0..self.instants.partition_point(|&x| x < first)) as i64
            }
        };
        let groups: Vec<&[(u64, i64)]> = steps.chunk_by(|a, b| a.0 == b.0).collect();
        let mut delta = 0i64;
        for (j, group) in groups.iter().enumerate() {
            let at = group[0].0;
            delta += group.iter().map(|&(_, c)| c).sum::<i64>();
            best = best.max(self.at(at) as i64 + delta);
            let end = groups
                .get(j + 1)
                .map_or(n, |next| self.instants.partition_point(|&x| x < next[0].0));
            let start = index(at);
            if start < end {
                best = best.max(self.highest(start..end) as i64 + delta);
            }
        }
        best.max(0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Step functions: (instant, count after it), instants increasing, counts changing.
    fn traces(rand: &mut impl FnMut(u64) -> u64, n: u64) -> Vec<Vec<(u64, u64)>> {
        (0..n)
            .map(|_| {
                let mut at = rand(3);
                let mut last = 0;
                let mut trace = Vec::new();
                for _ in 0..rand(30) {
                    at += 1 + rand(4);
                    let next = rand(8);
                    if next != last {
                        trace.push((at, next));
                        last = next;
                    }
                }
                trace
            })
            .collect()
    }

    fn brute(traces: &[&[(u64, u64)]]) -> u64 {
        let value = |t: &[(u64, u64)], at: u64| {
            t.iter().take_while(|e| e.0 <= at).last().map_or(0, |e| e.1)
        };
        (0..200)
            .map(|at| traces.iter().map(|t| value(t, at)).sum::<u64>())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn a_replaced_part_gives_the_peak_of_the_new_sum() {
        let mut x: u64 = 7;
        let mut rand = |n: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % n.max(1)
        };
        for case in 0..200 {
            let n = 1 + rand(5);
            let parts = traces(&mut rand, n);
            let replaced = rand(parts.len() as u64) as usize;
            let new = traces(&mut rand, 1);
            let all: Vec<&[(u64, u64)]> = parts.iter().map(Vec::as_slice).collect();
            let sum = AliveSum::new(all.iter().copied());
            assert_eq!(
                sum.highest(0..sum.instants.len()),
                brute(&all),
                "case {case}"
            );
            let mut after = all.clone();
            after[replaced] = &new[0];
            let old = [all[replaced]];
            assert_eq!(
                sum.peak_with(&old, &[&new[0]]),
                brute(&after),
                "case {case}"
            );
            // Replacing a part by itself changes nothing.
            assert_eq!(sum.peak_with(&old, &old), brute(&all), "case {case}");
        }
    }

    #[test]
    fn changed_images_as_contiguous_ranges() {
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), vec![1..4, 7..8, 9..11]);
        assert_eq!(ranges(&[]), Vec::<Range<usize>>::new());
    }
}
