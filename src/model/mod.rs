//! The gallery model: exports, version creation, geography-wide or manual replication,
//! retention, and the costs they incur, driven by the domain-free [`crate::engine`].
//!
//! One call to [`simulate_run`] is one Monte Carlo run of the whole scenario. It measures
//! [`Usage`], never money: a replica's storage is integrated over the interval it exists,
//! split at billing-month boundaries, when it is deleted or when the horizon ends; a copy's
//! gigabytes are booked when it completes. Nothing ticks hour by hour. Prices are applied
//! afterwards by [`crate::pricing`].

mod component;
mod copies;
mod labs;
mod service;
mod streams;
mod usage;

use std::collections::VecDeque;
use std::ops::Range;

use rayon::prelude::*;

use rand::distr::Distribution as _;
use rand_chacha::ChaCha8Rng;
use statrs::distribution::Exp;

use crate::calendar::{hours_to_ticks, HOURS_PER_MONTH};
use crate::catalog::RegionId;
use crate::engine::{EventId, MaybeTime, Simulation, Time};
use crate::scenario::{DeployAt, Exports, InputField, Scenario, StorageBilling};

pub use component::{Component, PerComponent};
pub use copies::Copies;
pub use labs::{LabOutcome, LabStatus};
pub use service::{lab_service, ServiceOutput, Wave, WaveStatus};
pub use streams::run_seed;
pub use usage::{Layout, Line, TargetLines, Usage};

/// Totals of one run, as priced by [`crate::pricing`].
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunTotals {
    /// The sum over components.
    pub total_cost: f64,
    /// Cost per component (replica storage, first copies into other regions).
    pub cost: PerComponent<f64>,
    /// Storage and egress of images that no lab can use.
    pub ineligible_cost: f64,
    /// Versions created in a home region within the horizon.
    pub versions_created: u32,
    /// Most replicas alive at any one moment, over all galleries and regions.
    pub peak_replicas: u64,
    /// Engine events handled.
    pub events: u64,
    /// Labs (counting `count`) with no usable version: ineligible, not replicated, or none
    /// by the horizon.
    pub labs_not_ready: u32,
    /// Hours ready labs waited for a version after their creation date (x `count`).
    pub lab_wait_hours: f64,
    /// Minutes to ready of the slowest deployment wave (None without waves).
    pub slowest_deployment_minutes: Option<f64>,
    /// Deployment waves never served (no version in their region by the horizon).
    pub waves_not_ready: u32,
}

/// One copy of one version in one region, as recorded for the detailed run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CopyRecord {
    /// Image index.
    pub image: usize,
    /// Version number within the image, from 0 in creation order.
    pub version: u32,
    /// Target region.
    pub region: RegionId,
    /// Replicas kept in that region.
    pub replicas: u32,
    /// When the copy completed (home region: when the version was created).
    pub available_at: MaybeTime,
    /// When retention deleted it (or cancelled it in flight).
    pub deleted_at: MaybeTime,
    /// Occupied size of the version.
    pub used_gb: f64,
    /// The usage lines this copy books to.
    pub lines: TargetLines,
    /// Storage booked within the horizon (GB-months or disk-months).
    pub storage_quantity: f64,
}

impl CopyRecord {
    /// GB transferred to make this copy: its size once it completed into another region
    /// (0 for the home region, a copy in flight or a cancelled one).
    pub fn egress_gb(&self) -> f64 {
        if self.lines.egress.is_some() && self.available_at.is_some() {
            self.used_gb
        } else {
            0.0
        }
    }

    /// The quantity this copy booked to `component`'s line.
    pub fn quantity(&self, component: Component) -> f64 {
        match component {
            Component::Storage => self.storage_quantity,
            Component::Egress => self.egress_gb(),
        }
    }
}

/// What one run measures.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Quantities per billing month and usage line.
    pub usage: Usage,
    /// Versions created in a home region within the horizon.
    pub versions_created: u32,
    /// Most replicas alive at any one moment, over all galleries and regions.
    pub peak_replicas: u64,
    /// Engine events handled.
    pub events: u64,
    /// Lab status and deployment waves.
    pub service: ServiceOutput,
    /// Per image, the mean of each input's draws in this run, indexed like
    /// [`InputField::ALL`] (NaN when the input was never drawn).
    pub input_means: Vec<[f64; 3]>,
    /// Every version copy, when the run was asked to keep them.
    pub copies: Option<Copies>,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    /// An export of a new version of `image` is requested.
    Export { image: u32 },
    /// The export finished: the version now exists in the home region.
    Created { image: u32, used_gb: f64 },
    /// A copy to a target region completed.
    CopyDone { copy: u32 },
    /// A dated or periodic deployment wave is asked for.
    Deploy { deployment: u32 },
    /// A gallery's `retarget` entry takes effect: replicas outside its regions are deleted.
    Retarget { gallery: u32, entry: u32 },
    /// Every version of an image is deleted (`delete_on`).
    Delete { image: u32 },
}

#[derive(Debug)]
struct Copy {
    record: CopyRecord,
    cell: u32,
    /// Flat (image, target) index, see [`Layout::target_offsets`].
    target: u32,
    pending: Option<EventId>,
    /// Quantity per billing month while alive (GB-months or disk-months).
    quantity_per_month: f64,
    /// Its availability interval in [`service::Service`], when labs or deployments use it.
    interval: Option<(u32, u32)>,
}

/// A scenario made ready for simulation once, and shared by every run and every part of a run.
pub struct Plan {
    /// The usage lines.
    pub layout: Layout,
    places: service::Places,
    /// Contiguous image ranges simulated independently and merged (one part: the whole run).
    parts: Vec<Range<usize>>,
}

/// Estimated engine events below which a run is not split: parts smaller than this cost more
/// to start and merge than they save (about 3 ms of model work).
pub const MIN_PART_EVENTS: f64 = 20_000.0;

/// Estimated engine events above which a part is split further even on one thread: a part's
/// live copies and pending events then fit in a core's caches (an 8,000-lab fleet runs about
/// 2.5x faster on one thread in 32 parts than in one, see BENCHMARKS.md).
pub const MAX_PART_EVENTS: f64 = 100_000.0;

impl Plan {
    /// The plan of `scenario`, each run split into at least `parts` parts (to give every
    /// thread work) and into parts of at most about [`MAX_PART_EVENTS`] estimated events
    /// (for the caches), of similar estimated work; never into parts smaller than
    /// [`MIN_PART_EVENTS`] or more parts than images.
    pub fn new(scenario: &Scenario, parts: usize) -> Plan {
        let weights: Vec<f64> = (0..scenario.images.len())
            .map(|i| scenario.image_events(i))
            .collect();
        let total: f64 = weights.iter().sum();
        let for_caches = (total / MAX_PART_EVENTS).ceil() as usize;
        let by_work = (total / MIN_PART_EVENTS).floor() as usize;
        Plan::with_parts(
            scenario,
            &weights,
            parts.max(for_caches).min(by_work).max(1),
        )
    }

    /// The plan of `scenario` split into `parts` parts whatever the work (for tests).
    pub fn forced(scenario: &Scenario, parts: usize) -> Plan {
        let weights = vec![1.0; scenario.images.len()];
        Plan::with_parts(scenario, &weights, parts.max(1))
    }

    fn with_parts(scenario: &Scenario, weights: &[f64], parts: usize) -> Plan {
        Plan {
            layout: Layout::new(scenario),
            places: service::Places::new(scenario),
            parts: split(weights, parts),
        }
    }

    /// The image ranges each run is split into.
    pub fn parts(&self) -> &[Range<usize>] {
        &self.parts
    }
}

/// Splits `0..weights.len()` into at most `parts` non-empty contiguous ranges of similar total
/// weight (a range ends once it reaches its share of what is left).
fn split(weights: &[f64], parts: usize) -> Vec<Range<usize>> {
    let n = weights.len();
    if n == 0 {
        return std::iter::once(0..0).collect();
    }
    let parts = parts.min(n);
    let mut left: f64 = weights.iter().sum();
    let mut ranges = Vec::with_capacity(parts);
    let mut start = 0;
    for k in 0..parts {
        let remaining_parts = parts - k;
        if remaining_parts == 1 {
            ranges.push(start..n);
            break;
        }
        let share = left / remaining_parts as f64;
        let mut end = start;
        let mut weight = 0.0;
        // Leave at least one image for each later part.
        while end < n - (remaining_parts - 1)
            && (end == start || weight + weights[end] / 2.0 <= share)
        {
            weight += weights[end];
            end += 1;
        }
        ranges.push(start..end);
        left -= weight;
        start = end;
    }
    ranges
}

/// Per-image state of a run.
struct ImageState {
    streams: streams::ImageStreams,
    /// Live versions, oldest first, as ranges into `Model::copies`.
    live: VecDeque<Range<u32>>,
    versions_made: u32,
    next_dated: usize,
    /// Per input: sum and count of draws.
    draws: [(f64, u32); 3],
    /// Copy blocks (start, length) freed by retention, for reuse.
    free_blocks: Vec<(u32, u32)>,
}

struct Model<'s> {
    scenario: &'s Scenario,
    layout: &'s Layout,
    /// The first image of this part; `images[i]` is image `first + i`.
    first: usize,
    images: Vec<ImageState>,
    copies: Vec<Copy>,
    usage: Usage,
    versions_created: u32,
    peak_replicas: u64,
    alive_replicas: u64,
    last_time: Time,
    horizon: Time,
    /// Keep every copy record (the detailed run); otherwise retention frees their slots.
    keep_copies: bool,
    /// When the run is split: (tick, replicas alive after it) at each instant the count
    /// changed, to merge the parts' counts over time.
    trace: Option<Vec<(u64, u64)>>,
    /// Events every part handles (retargets), counted once when parts are merged.
    shared_events: u64,
    service: service::Service<'s>,
}

/// What one part of a run measures, merged by [`merge_parts`].
struct PartOutput {
    images: Range<usize>,
    /// The part's output, its copies apart.
    run: RunOutput,
    copies: Option<Vec<CopyRecord>>,
    trace: Option<Vec<(u64, u64)>>,
    shared_events: u64,
}

/// Runs the scenario once with `seed` as the run's seed, booking usage to the lines of
/// `plan` (made from the same scenario); `keep_copies` records every copy. The run's parts
/// (see [`Plan::new`]) are simulated in parallel and merged: the output does not depend on
/// the split.
pub fn simulate_run(scenario: &Scenario, plan: &Plan, seed: u64, keep_copies: bool) -> RunOutput {
    let parts = if plan.parts.len() > 1 {
        plan.parts
            .par_iter()
            .map(|images| simulate_part(scenario, plan, seed, keep_copies, images.clone(), true))
            .collect()
    } else {
        let all = plan.parts[0].clone();
        vec![simulate_part(scenario, plan, seed, keep_copies, all, false)]
    };
    merge_parts(scenario, plan, parts)
}

/// Simulates the images `images` of one run; `trace` records the replicas alive over time
/// (needed when other parts are merged in).
fn simulate_part(
    scenario: &Scenario,
    plan: &Plan,
    seed: u64,
    keep_copies: bool,
    images: Range<usize>,
    trace: bool,
) -> PartOutput {
    let horizon = Time(scenario.horizon_ticks());
    let layout = &plan.layout;
    let mut model = Model {
        scenario,
        layout,
        first: images.start,
        images: scenario.images[images.clone()]
            .iter()
            .map(|im| ImageState {
                streams: streams::ImageStreams::new(seed, im.stream_key),
                live: VecDeque::new(),
                versions_made: 0,
                next_dated: 0,
                draws: [(0.0, 0); 3],
                free_blocks: Vec::new(),
            })
            .collect(),
        // Every copy is recorded in a detailed run: room for all of them at once (an upper
        // estimate; pages never written are never touched), instead of growing by copying.
        copies: Vec::with_capacity(if keep_copies {
            images
                .clone()
                .map(|i| scenario.image_copies(i))
                .sum::<f64>() as usize
        } else {
            0
        }),
        usage: Usage::for_images(layout, scenario.months as usize, images.clone()),
        versions_created: 0,
        peak_replicas: 0,
        alive_replicas: 0,
        last_time: Time::ZERO,
        horizon,
        keep_copies,
        trace: trace.then(Vec::new),
        shared_events: 0,
        service: service::Service::new(scenario, &plan.places, images.clone(), seed),
    };
    let mut sim = Simulation::new();
    for image in images.clone() {
        model.schedule_export(&mut sim, image, None);
    }
    for (g, gallery) in scenario.galleries.iter().enumerate() {
        for (entry, &(on, _)) in gallery.retarget.iter().enumerate() {
            if on < horizon.0 {
                sim.schedule_at(
                    Time(on),
                    Event::Retarget {
                        gallery: g as u32,
                        entry: entry as u32,
                    },
                );
            }
        }
    }
    for image in images.clone() {
        if let Some(on) = scenario.images[image].delete_on.filter(|&t| t < horizon.0) {
            sim.schedule_at(
                Time(on),
                Event::Delete {
                    image: image as u32,
                },
            );
        }
    }
    // Dated waves are all scheduled now; a periodic one schedules the next when it starts.
    for (i, d) in scenario.deployments.iter().enumerate() {
        if !images.contains(&d.image) {
            continue;
        }
        let first = match &d.at {
            DeployAt::Dates(ticks) => ticks.clone(),
            DeployAt::Every(_) => vec![0],
            DeployAt::EachVersion => Vec::new(),
        };
        for at in first.into_iter().filter(|&t| t < horizon.0) {
            sim.schedule_at(
                Time(at),
                Event::Deploy {
                    deployment: i as u32,
                },
            );
        }
    }
    sim.run_until(horizon, |sim, event| model.handle(sim, event));
    model.finish(sim.processed(), images)
}

/// Merges the parts of one run into the run's output: exact sums, the replicas alive over
/// time added instant by instant, lab status from the part that owns each lab's image, waves
/// in deployment order (each deployment's in the order they were asked for).
fn merge_parts(scenario: &Scenario, plan: &Plan, mut parts: Vec<PartOutput>) -> RunOutput {
    parts.sort_by_key(|p| p.images.start);
    let single = parts.len() == 1;
    let peak_replicas = if single {
        parts[0].run.peak_replicas
    } else {
        peak_of_sum(parts.iter().map(|p| p.trace.as_deref().unwrap_or_default()))
    };
    let shared_events = parts[0].shared_events;
    let starts: Vec<usize> = parts.iter().map(|p| p.images.start).collect();
    let mut labs = Vec::with_capacity(parts.len());
    let copies = part_copies(&mut parts);
    let mut rest = parts.into_iter();
    let mut out = rest.next().expect("at least one part").run;
    out.copies = copies;
    // One part already holds every line; parts hold their own lines only.
    let mut usage = (!single).then(|| {
        let mut usage = Usage::new(&plan.layout, scenario.months as usize);
        usage.merge(&out.usage);
        usage
    });
    labs.push(std::mem::take(&mut out.service.labs).into_iter());
    let mut events = out.events - shared_events;
    for part in rest {
        let run = part.run;
        if let Some(usage) = &mut usage {
            usage.merge(&run.usage);
        }
        out.versions_created += run.versions_created;
        events += run.events - part.shared_events;
        out.service.waves.extend(run.service.waves);
        labs.push(run.service.labs.into_iter());
        out.input_means.extend(run.input_means);
    }
    if let Some(usage) = usage {
        out.usage = usage;
    }
    out.events = events + shared_events;
    out.peak_replicas = peak_replicas;
    out.service.waves.sort_by_key(|w| w.deployment);
    out.service.labs = scenario
        .labs
        .iter()
        .map(|lab| {
            let owner = starts.partition_point(|&s| s <= lab.image) - 1;
            labs[owner].next().expect("every part reports its labs")
        })
        .collect();
    out
}

/// The parts' copies (when recorded), in part order.
fn part_copies(parts: &mut [PartOutput]) -> Option<Copies> {
    parts
        .iter_mut()
        .map(|p| p.copies.take())
        .collect::<Option<_>>()
        .map(Copies::from_lists)
}

/// The most replicas alive at any instant, over the sum of the parts' counts: each trace
/// lists (tick, count after that instant) in time order. Windows of time are merged in
/// parallel (a fleet's parts record millions of instants).
fn peak_of_sum<'a>(traces: impl Iterator<Item = &'a [(u64, u64)]>) -> u64 {
    let traces: Vec<&[(u64, u64)]> = traces.collect();
    // Windows of about 1,024 changes: small windows bound tightly (generated fleets of 500 to
    // 8,000 labs need no window merged exactly; with 4,096 changes most windows were), and
    // bounding one costs a search in every part.
    let changes: usize = traces.iter().map(|t| t.len()).sum();
    peak_of_sum_in(
        &traces,
        (changes / 1024).max(4 * rayon::current_num_threads()),
    )
}

/// [`peak_of_sum`] over `windows` windows of time. Each window is first bounded cheaply:
/// above by the sum of each part's highest count in it (no instant of the window can exceed
/// it), below by the sum just before it (a value the sum had). Only windows whose upper bound
/// beats the best lower bound are merged exactly: the replicas alive change slowly, so most
/// windows cannot hold the peak.
fn peak_of_sum_in(traces: &[&[(u64, u64)]], windows: usize) -> u64 {
    let Some(last) = traces
        .iter()
        .filter_map(|t| t.last())
        .map(|&(at, _)| at)
        .max()
    else {
        return 0;
    };
    let windows = windows.max(1) as u128;
    let bound = |k: u128| (k * (u128::from(last) + 1) / windows) as u64;
    let bounds: Vec<(u64, u64)> = (0..windows)
        .into_par_iter()
        .map(|k| window_bounds(traces, bound(k)..bound(k + 1)))
        .collect();
    let floor = bounds.iter().map(|b| b.0).max().unwrap_or(0);
    (0..windows)
        .into_par_iter()
        .filter(|&k| bounds[k as usize].1 > floor)
        .map(|k| window_peak(traces, bound(k)..bound(k + 1)))
        .max()
        .unwrap_or(0)
        .max(floor)
}

/// A part's count just before `window`, and its changes within it.
fn in_window<'t>(trace: &'t [(u64, u64)], window: &Range<u64>) -> (u64, &'t [(u64, u64)]) {
    let first = trace.partition_point(|&(at, _)| at < window.start);
    let end = first + trace[first..].partition_point(|&(at, _)| at < window.end);
    let before = if first == 0 { 0 } else { trace[first - 1].1 };
    (before, &trace[first..end])
}

/// (the sum just before `window`, the sum of each part's highest count in or just before it).
fn window_bounds(traces: &[&[(u64, u64)]], window: Range<u64>) -> (u64, u64) {
    let (mut before, mut highest) = (0, 0);
    for trace in traces {
        let (count, changes) = in_window(trace, &window);
        before += count;
        highest += changes.iter().map(|&(_, next)| next).fold(count, u64::max);
    }
    (before, highest)
}

/// The most replicas alive at the instants of `window`, or just before it (a value the sum
/// had at an earlier instant, so a harmless candidate). The parts' changes are gathered as
/// (instant, change) and sorted by instant: a stable sort merges the parts' sorted runs.
fn window_peak(traces: &[&[(u64, u64)]], window: Range<u64>) -> u64 {
    let mut before = 0;
    let mut changes: Vec<(u64, i64)> = Vec::new();
    for trace in traces {
        let (mut count, within) = in_window(trace, &window);
        before += count;
        for &(at, next) in within {
            changes.push((at, next as i64 - count as i64));
            count = next;
        }
    }
    changes.sort_by_key(|&(at, _)| at);
    let mut total = before as i64;
    let mut peak = total;
    // Every part's change at an instant, then sample.
    for instant in changes.chunk_by(|a, b| a.0 == b.0) {
        total += instant.iter().map(|&(_, change)| change).sum::<i64>();
        peak = peak.max(total);
    }
    peak as u64
}

impl<'s> Model<'s> {
    fn handle(&mut self, sim: &mut Simulation<Event>, event: Event) {
        if sim.now() > self.last_time {
            // Everything at the previous instant has happened: sample the replica count.
            self.sample();
            self.last_time = sim.now();
        }
        match event {
            Event::Export { image } => self.export(sim, image as usize),
            Event::Created { image, used_gb } => self.create_version(sim, image as usize, used_gb),
            Event::CopyDone { copy } => self.copy_done(sim.now(), copy as usize),
            Event::Retarget { gallery, entry } => {
                self.shared_events += 1;
                self.retarget(sim, gallery as usize, entry as usize)
            }
            Event::Delete { image } => self.delete_image(sim, image as usize),
            Event::Deploy { deployment } => {
                let d = deployment as usize;
                let now = sim.now();
                self.service.wave(d, now.0);
                if let DeployAt::Every(period) = self.scenario.deployments[d].at {
                    let next = now.0.saturating_add(period);
                    if next < self.horizon.0 {
                        sim.schedule_at(Time(next), Event::Deploy { deployment });
                    }
                }
            }
        }
    }

    /// The state of `image` (one of this part's).
    fn image(&mut self, image: usize) -> &mut ImageState {
        &mut self.images[image - self.first]
    }

    /// Samples the replicas alive once everything at `last_time` has happened.
    fn sample(&mut self) {
        self.peak_replicas = self.peak_replicas.max(self.alive_replicas);
        if let Some(trace) = &mut self.trace {
            if trace.last().map_or(0, |&(_, n)| n) != self.alive_replicas {
                trace.push((self.last_time.0, self.alive_replicas));
            }
        }
    }

    /// Schedules the export after `previous` (the first one when `None`), if before the horizon.
    fn schedule_export(
        &mut self,
        sim: &mut Simulation<Event>,
        image: usize,
        previous: Option<u64>,
    ) {
        let at = match &self.scenario.images[image].exports {
            Exports::At(ticks) => {
                let state = self.image(image);
                let next = ticks.get(state.next_dated).copied();
                state.next_dated += 1;
                next
            }
            Exports::Every(period) => Some(previous.map_or(0, |t| t.saturating_add(*period))),
            Exports::PerMonth(rate) => {
                let exp = Exp::new(rate / HOURS_PER_MONTH as f64).expect("validated positive rate");
                let gap = hours_to_ticks(exp.sample(&mut self.image(image).streams.arrivals));
                Some(previous.unwrap_or(0).saturating_add(gap))
            }
        };
        if let Some(at) = at.filter(|&t| t < self.horizon.0) {
            sim.schedule_at(
                Time(at),
                Event::Export {
                    image: image as u32,
                },
            );
        }
    }

    /// The period whose account creates the image's versions at `t`: None when the image is
    /// deleted or its account does not consume images then (Lab Services after retirement).
    fn active_period(&self, image: usize, t: u64) -> Option<&'s crate::scenario::Period> {
        let sc = self.scenario;
        let spec = &sc.images[image];
        if spec.delete_on.is_some_and(|d| t >= d) {
            return None;
        }
        let period = spec.periods.iter().rev().find(|p| p.from <= t)?;
        sc.accounts[period.account].active_at(t).then_some(period)
    }

    fn export(&mut self, sim: &mut Simulation<Event>, image: usize) {
        if self.active_period(image, sim.now().0).is_none() {
            // Nobody exports through an ended account; a later move may resume exports.
            self.schedule_export(sim, image, Some(sim.now().0));
            return;
        }
        let spec = &self.scenario.images[image];
        let rng: &mut ChaCha8Rng = &mut self.image(image).streams.versions;
        let export_hours = spec.export_hours.sample(rng);
        let used_gb = spec.used_gb.sample(rng);
        self.record_draw(image, InputField::ExportHours, export_hours);
        self.record_draw(image, InputField::UsedGb, used_gb);
        sim.schedule_in(
            hours_to_ticks(export_hours),
            Event::Created {
                image: image as u32,
                used_gb,
            },
        );
        self.schedule_export(sim, image, Some(sim.now().0));
    }

    fn create_version(&mut self, sim: &mut Simulation<Event>, image: usize, used_gb: f64) {
        let now = sim.now();
        let sc = self.scenario;
        let spec = &sc.images[image];
        let Some(period) = self.active_period(image, now.0) else {
            return;
        };
        let gallery = &sc.galleries[period.gallery];
        // A retarget in force keeps new versions to its regions too.
        let kept = gallery
            .retarget
            .iter()
            .rev()
            .find(|(on, _)| *on <= now.0)
            .map(|(_, regions)| regions);
        let wanted = |t: &&usize| kept.is_none_or(|r| r.contains(&spec.targets[**t].0));
        self.service.version_created(image, now.0, |region| {
            period
                .targets
                .iter()
                .filter(wanted)
                .any(|&t| spec.targets[t].0 == region)
        });
        let len = period.targets.iter().filter(wanted).count() as u32;
        let version = self.image(image).versions_made;
        self.image(image).versions_made += 1;
        self.versions_created += 1;

        let keep = gallery.keep_versions as usize;
        while keep > 0 && self.image(image).live.len() >= keep {
            let oldest = self.image(image).live.pop_front().expect("non-empty");
            self.release(sim, image, oldest, now);
        }

        // A version's copies fill a block of slots: a fresh one, or the most recently freed
        // block of the same length.
        let free = &mut self.image(image).free_blocks;
        let reused = free
            .iter()
            .rposition(|&(_, l)| l == len)
            .map(|i| free.remove(i).0);
        let first = reused.unwrap_or(self.copies.len() as u32);
        let first_target = self.layout.target_offsets[image];
        for (i, &t) in period.targets.iter().filter(wanted).enumerate() {
            let (region, cell) = spec.targets[t];
            let lines = self.layout.targets[image][t];
            let replicas = gallery.replicas_in(region);
            let quantity_per_month = match sc.storage_billing {
                StorageBilling::Snapshot => used_gb * f64::from(replicas),
                StorageBilling::ManagedDisk => f64::from(replicas),
            };
            let index = first + i as u32;
            // The home-region copy exists as soon as the version does; others are copied.
            let home = lines.egress.is_none();
            let pending = if home {
                None
            } else {
                let hours = spec
                    .replication_hours
                    .sample(&mut self.image(image).streams.replication);
                self.record_draw(image, InputField::ReplicationHours, hours);
                Some(sim.schedule_in(hours_to_ticks(hours), Event::CopyDone { copy: index }))
            };
            let copy = Copy {
                record: CopyRecord {
                    image,
                    version,
                    region,
                    replicas,
                    available_at: MaybeTime::NONE,
                    deleted_at: MaybeTime::NONE,
                    used_gb,
                    lines,
                    storage_quantity: 0.0,
                },
                cell: cell as u32,
                target: (first_target + t) as u32,
                pending,
                quantity_per_month,
                interval: None,
            };
            match reused {
                Some(_) => self.copies[index as usize] = copy,
                None => self.copies.push(copy),
            }
            if home {
                self.make_available(index as usize, now);
            }
        }
        self.image(image).live.push_back(first..first + len);
    }

    /// Deletes every copy of a version (block `block` of `image`) at `now`.
    fn release(
        &mut self,
        sim: &mut Simulation<Event>,
        image: usize,
        block: std::ops::Range<u32>,
        now: Time,
    ) {
        for copy in block.clone() {
            self.delete_copy(sim, copy as usize, now);
        }
        if !self.keep_copies {
            // Its costs are in the ledger already: the block can hold a newer version.
            self.image(image)
                .free_blocks
                .push((block.start, block.end - block.start));
        }
    }

    /// `retarget` entry `entry` of `gallery`: replicas of its versions outside the entry's
    /// regions are deleted (they stop billing; copies in flight are cancelled).
    fn retarget(&mut self, sim: &mut Simulation<Event>, gallery: usize, entry: usize) {
        let sc = self.scenario;
        let regions = &sc.galleries[gallery].retarget[entry].1;
        let now = sim.now();
        for i in 0..self.images.len() {
            for b in 0..self.images[i].live.len() {
                for copy in self.images[i].live[b].clone() {
                    let c = &self.copies[copy as usize];
                    if sc.cells[c.cell as usize].gallery == gallery
                        && !regions.contains(&c.record.region)
                    {
                        self.delete_copy(sim, copy as usize, now);
                    }
                }
            }
        }
    }

    /// `delete_on`: every version of `image` is deleted.
    fn delete_image(&mut self, sim: &mut Simulation<Event>, image: usize) {
        let now = sim.now();
        while let Some(block) = self.image(image).live.pop_front() {
            self.release(sim, image, block, now);
        }
    }

    fn record_draw(&mut self, image: usize, field: InputField, value: f64) {
        let slot = &mut self.image(image).draws[field as usize];
        slot.0 += value;
        slot.1 += 1;
    }

    fn make_available(&mut self, copy: usize, now: Time) {
        let c = &mut self.copies[copy];
        c.pending = None;
        c.record.available_at = MaybeTime::at(now);
        self.alive_replicas += u64::from(c.record.replicas);
        c.interval = self.service.available(c.target as usize, now.0);
    }

    fn copy_done(&mut self, now: Time, copy: usize) {
        self.make_available(copy, now);
        let c = &mut self.copies[copy];
        let line = c
            .record
            .lines
            .egress
            .expect("only copies to other regions complete");
        self.usage.add_once(
            &self.scenario.calendar,
            now.0,
            line,
            c.target as usize,
            c.record.used_gb,
        );
    }

    fn delete_copy(&mut self, sim: &mut Simulation<Event>, copy: usize, now: Time) {
        let c = &mut self.copies[copy];
        if c.record.deleted_at.is_some() {
            // Already removed by a retarget.
            return;
        }
        c.record.deleted_at = MaybeTime::at(now);
        if let Some(event) = c.pending.take() {
            // Still in flight: cancelled, so no egress and no storage.
            sim.cancel(event);
            let target = c.target as usize;
            self.service.copy_cancelled(target, now.0);
            return;
        }
        self.alive_replicas -= u64::from(c.record.replicas);
        if let Some(handle) = c.interval {
            self.service.deleted(handle, now.0);
        }
        self.accrue_storage(copy, now);
    }

    /// Integrates a copy's storage from its availability to `until`, split by month.
    fn accrue_storage(&mut self, copy: usize, until: Time) {
        let c = &mut self.copies[copy];
        let Some(from) = c.record.available_at.get() else {
            return;
        };
        c.record.storage_quantity += self.usage.accrue(
            &self.scenario.calendar,
            c.record.lines.storage,
            c.cell as usize,
            c.target as usize,
            from.0,
            until.0,
            c.quantity_per_month,
            f64::from(c.record.replicas),
        );
    }

    fn finish(mut self, events: u64, images: Range<usize>) -> PartOutput {
        self.sample();
        for copy in 0..self.copies.len() {
            let c = &self.copies[copy];
            if c.record.deleted_at.is_none() && c.record.available_at.is_some() {
                self.accrue_storage(copy, self.horizon);
            }
        }
        let copies = self.keep_copies.then(|| {
            // Image by image, then version: a version's copies were recorded together in
            // target order, and an image's versions in creation order (no slot is reused),
            // which a stable counting sort by image keeps.
            let mut next = vec![0; images.len() + 1];
            for c in &self.copies {
                next[c.record.image - images.start + 1] += 1;
            }
            for i in 1..next.len() {
                next[i] += next[i - 1];
            }
            let mut order = vec![0; self.copies.len()];
            for (index, c) in self.copies.iter().enumerate() {
                let slot = &mut next[c.record.image - images.start];
                order[*slot] = index;
                *slot += 1;
            }
            order
                .into_iter()
                .map(|i| self.copies[i].record.clone())
                .collect()
        });
        PartOutput {
            images,
            copies,
            trace: self.trace,
            shared_events: self.shared_events,
            run: RunOutput {
                usage: self.usage,
                versions_created: self.versions_created,
                peak_replicas: self.peak_replicas,
                events,
                service: self.service.finish(),
                input_means: self
                    .images
                    .iter()
                    .map(|state| {
                        state
                            .draws
                            .map(|(sum, n)| if n == 0 { f64::NAN } else { sum / f64::from(n) })
                    })
                    .collect(),
                copies: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_record_fits_in_64_bytes() {
        // A detailed run of 8,000 labs keeps about 1.6 million (80 bytes each with two
        // `Option<Time>`).
        assert_eq!(std::mem::size_of::<CopyRecord>(), 64);
    }

    #[test]
    fn parts_are_contiguous_and_balanced_by_weight() {
        assert_eq!(split(&[1.0; 4], 2), vec![0..2, 2..4]);
        // One huge image gets a part of its own; the small ones share the rest.
        assert_eq!(
            split(&[10.0, 1.0, 1.0, 1.0, 1.0], 3),
            vec![0..1, 1..3, 3..5]
        );
        assert_eq!(split(&[1.0, 1.0, 1.0, 1.0, 10.0], 2), vec![0..4, 4..5]);
        // Never more parts than images, never an empty part.
        assert_eq!(split(&[1.0, 1.0], 5), vec![0..1, 1..2]);
        assert_eq!(split(&[], 3), std::iter::once(0..0).collect::<Vec<_>>());
    }

    #[test]
    fn peak_of_a_sum_is_not_the_sum_of_peaks() {
        // Part A: 2 replicas from t=0, none from t=5; part B: 3 from t=5. Sum: 2, then 3.
        let a = [(0, 2), (5, 0)];
        let b = [(5, 3)];
        assert_eq!(peak_of_sum([&a[..], &b[..]].into_iter()), 3);
        // B adds its 3 while A still holds 2: 5.
        let b = [(4, 3), (6, 0)];
        assert_eq!(peak_of_sum([&a[..], &b[..]].into_iter()), 5);
        assert_eq!(peak_of_sum(std::iter::empty()), 0);
    }

    #[test]
    fn peak_of_sum_by_windows_is_the_peak_at_every_instant() {
        // Deterministic random step functions, instants shared between parts now and then.
        let mut x: u64 = 12_345;
        let mut rand = |n: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % n
        };
        for case in 0..50 {
            let traces: Vec<Vec<(u64, u64)>> = (0..1 + rand(6))
                .map(|_| {
                    let mut at = rand(3);
                    (0..rand(40))
                        .map(|_| {
                            at += 1 + rand(4);
                            (at, rand(10))
                        })
                        .collect()
                })
                .collect();
            let slices: Vec<&[(u64, u64)]> = traces.iter().map(Vec::as_slice).collect();
            let value = |p: usize, t: u64| {
                traces[p]
                    .iter()
                    .take_while(|&&(at, _)| at <= t)
                    .last()
                    .map_or(0, |e| e.1)
            };
            let brute = (0..200)
                .map(|t| (0..traces.len()).map(|p| value(p, t)).sum::<u64>())
                .max()
                .unwrap();
            for windows in [1, 2, 3, 7, 64, 1000] {
                assert_eq!(
                    peak_of_sum_in(&slices, windows),
                    brute,
                    "case {case}, {windows} windows"
                );
            }
        }
    }
}
