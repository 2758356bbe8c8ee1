//! The replication handler: one part of one run on the engine. Exports, version creation,
//! copies into target regions, retention, retargets and deletions, booking usage as they go.

use std::collections::VecDeque;
use std::ops::Range;

use rand::distr::Distribution as _;
use rand_chacha::ChaCha8Rng;
use statrs::distribution::Exp;

use super::merge::PartOutput;
use super::{service, streams, CopyRecord, Layout, Plan, RunOutput, Usage};
use crate::calendar::{hours_to_ticks, HOURS_PER_MONTH};
use crate::engine::{EventId, MaybeTime, Simulation, Time};
use crate::scenario::{DeployAt, Exports, InputField, Scenario, StorageBilling};

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
    /// Flat (image, slot) index, see [`Layout::target_offsets`].
    target: u32,
    pending: Option<EventId>,
    /// Quantity per billing month while alive (GB-months or disk-months).
    quantity_per_month: f64,
    /// Its availability interval in [`service::Service`], when labs or deployments use it.
    interval: Option<(u32, u32)>,
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

/// Simulates the images `images` of one run; `trace` records the replicas alive over time
/// (needed when other parts are merged in).
pub(super) fn simulate_part(
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
        model.existing_versions(image, seed);
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
            let replicas = spec.replicas_in(gallery, region);
            let quantity_per_month = self.quantity_per_month(used_gb, replicas);
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

    /// The versions of `image` that exist at the start, in publish order: every copy stored
    /// from tick 0, none copied (no transfer), usable at once unless excluded from latest.
    fn existing_versions(&mut self, image: usize, seed: u64) {
        let sc = self.scenario;
        let spec = &sc.images[image];
        if spec.existing.is_empty() {
            return;
        }
        let mut sizes = streams::stream(seed, spec.stream_key, streams::EXISTING);
        // Existing copies have slots of their own after the image's targets.
        let mut slot = self.layout.target_offsets[image] + spec.targets.len();
        for (v, version) in spec.existing.iter().enumerate() {
            let used_gb = version.used_gb.sample(&mut sizes);
            let number = self.image(image).versions_made;
            self.image(image).versions_made += 1;
            let first = self.copies.len() as u32;
            for (c, existing) in version.copies.iter().enumerate() {
                let (region, cell) = spec.targets[existing.target];
                let replicas = existing.replicas;
                let target = slot;
                slot += 1;
                self.alive_replicas += u64::from(replicas);
                self.copies.push(Copy {
                    record: CopyRecord {
                        image,
                        version: number,
                        region,
                        replicas,
                        available_at: MaybeTime::at(Time::ZERO),
                        deleted_at: MaybeTime::NONE,
                        used_gb,
                        lines: self.layout.existing[image][v][c],
                        storage_quantity: 0.0,
                    },
                    cell: cell as u32,
                    target: target as u32,
                    pending: None,
                    quantity_per_month: self.quantity_per_month(used_gb, replicas),
                    interval: (!version.exclude_from_latest)
                        .then(|| self.service.present(target, 0, (number, replicas)))
                        .flatten(),
                });
            }
            let last = self.copies.len() as u32;
            self.image(image).live.push_back(first..last);
        }
    }

    /// Quantity per billing month of a copy while alive: GB-months or disk-months.
    fn quantity_per_month(&self, used_gb: f64, replicas: u32) -> f64 {
        match self.scenario.storage_billing {
            StorageBilling::Snapshot => used_gb * f64::from(replicas),
            StorageBilling::ManagedDisk => f64::from(replicas),
        }
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
        c.interval = self.service.available(
            c.target as usize,
            now.0,
            (c.record.version, c.record.replicas),
        );
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
