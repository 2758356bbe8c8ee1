//! What the replicas buy: labs ready and deployment waves served. The model tells this
//! sub-state when a version copy becomes available or is deleted in a region; it keeps the
//! availability intervals of the (image, region) places that labs or deployments use, runs
//! deployment waves against the replicas there, and reports lab status and wave times.
//!
//! **Deployment model.** A wave of `vms` creations starts at its time; it needs a version
//! available in its region (it waits for one, and the wait counts). The image's replicas R in
//! the region serve at most R x `vms_per_replica` creations at once, shared by every wave of
//! that image in that region: VMs of a later wave wait for the creations already queued
//! (first-in first-out), and waves that start at the same instant take turns, one VM each,
//! so 3 simultaneous waves of 80 VMs take as long as one of 240. Each creation takes its own
//! draw of `create_minutes`. Minutes to ready = from the wave's time to the end of its last
//! creation. A wave still waiting at the horizon is `no_version`; a wave in a region the image
//! is never replicated to, or that a `retarget` in force has dropped for good, cannot deploy
//! at all and is `not_served` (an `each_version` deployment counts one per new version that
//! does not reach its region, including a version whose copy is cancelled in flight).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::ops::Range;

use rand_chacha::ChaCha8Rng;

use super::labs::{outcomes, LabOutcome, LabStatus};
use crate::catalog::RegionId;
use crate::engine::Time;
use crate::scenario::{DeployAt, Scenario};

/// Whether a wave was served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WaveStatus {
    /// Every VM was created.
    Ready,
    /// No version reached the region before the horizon.
    NoVersion,
    /// The region cannot get the version: the image is never replicated there, a `retarget`
    /// dropped the region, or the version's copy there was cancelled before it arrived.
    NotServed,
}

impl WaveStatus {
    /// Name as in `deployments.csv`.
    pub fn name(self) -> &'static str {
        match self {
            WaveStatus::Ready => "ready",
            WaveStatus::NoVersion => "no_version",
            WaveStatus::NotServed => "not_served",
        }
    }
}

/// One wave of one deployment in one run.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Wave {
    /// Deployment index.
    pub deployment: usize,
    /// When the wave was asked for.
    pub start: Time,
    /// When its last VM was created.
    pub ready_at: Option<Time>,
    /// Replicas in the region.
    pub replicas: u32,
    /// Minutes from `start` to `ready_at`.
    pub minutes: Option<f64>,
    /// Served or not.
    pub status: WaveStatus,
}

/// The service figures of one run.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ServiceOutput {
    /// Every wave, in the order they were asked for.
    pub waves: Vec<Wave>,
    /// Status of every lab entry, in scenario order.
    pub labs: Vec<LabOutcome>,
}

/// No place: the (image, target) is used by no lab and no deployment.
const NONE: u32 = u32::MAX;

/// Availability intervals `[available, deleted)` of one (image, region) place.
type Intervals = Vec<(u64, u64)>;

/// The (image, region) places that labs or deployments use: made once per scenario and
/// shared by every run and every part of a run.
#[derive(Debug)]
pub(super) struct Places {
    place_of: HashMap<(usize, RegionId), usize>,
    /// Per flat (image, target) index: its place, or `NONE` (looked up on every copy).
    place_of_target: Vec<u32>,
    /// Per place: deployments that start a wave on every new version.
    each_version: Vec<Vec<usize>>,
    /// Per place: whether the image is replicated to its region at all.
    reachable: Vec<bool>,
    /// Per image: its `each_version` deployments.
    each_version_of_image: Vec<Vec<usize>>,
}

impl Places {
    pub(super) fn new(scenario: &Scenario) -> Places {
        let mut place_of = HashMap::new();
        let places = scenario
            .labs
            .iter()
            .map(|l| (l.image, l.region))
            .chain(scenario.deployments.iter().map(|d| (d.image, d.region)));
        for place in places {
            let n = place_of.len();
            place_of.entry(place).or_insert(n);
        }
        let place_of_target = scenario
            .images
            .iter()
            .enumerate()
            .flat_map(|(i, im)| {
                let place_of = &place_of;
                im.slot_targets().map(move |t| {
                    let region = im.targets[t].0;
                    place_of.get(&(i, region)).map_or(NONE, |&p| p as u32)
                })
            })
            .collect();
        let mut reachable = vec![false; place_of.len()];
        for (&(image, region), &place) in &place_of {
            reachable[place] = scenario.images[image].targets.iter().any(|t| t.0 == region);
        }
        let mut each_version = vec![Vec::new(); place_of.len()];
        let mut each_version_of_image = vec![Vec::new(); scenario.images.len()];
        for (i, d) in scenario.deployments.iter().enumerate() {
            if d.at == DeployAt::EachVersion {
                let place = place_of[&(d.image, d.region)];
                if reachable[place] {
                    each_version[place].push(i);
                }
                each_version_of_image[d.image].push(i);
            }
        }
        Places {
            place_of,
            place_of_target,
            each_version,
            reachable,
            each_version_of_image,
        }
    }

    fn len(&self) -> usize {
        self.each_version.len()
    }
}

/// The service sub-state of one part of a run: the places of the part's images.
pub(super) struct Service<'s> {
    scenario: &'s Scenario,
    places: &'s Places,
    /// The images of this part: only their labs and deployments are reported.
    images: Range<usize>,
    intervals: Vec<Intervals>,
    /// Per place, per interval: the version number and replicas of that copy (a wave is
    /// served by the replicas of the newest version alive there when it starts).
    replicas: Vec<Vec<(u32, u32)>>,
    /// Per place: waves waiting for a version (deployment, asked at).
    waiting: Vec<Vec<(usize, u64)>>,
    /// Per deployment of this part's images, its creation-time stream.
    streams: Vec<Option<ChaCha8Rng>>,
    /// Per place: when each creation slot in use frees up (a min-heap; slots never used are
    /// free). Shared by every wave at the place.
    slots: Vec<BinaryHeap<Reverse<u64>>>,
    /// Per place: waves that start at one instant, not yet given slots (they take turns):
    /// (deployment, index in `waves`).
    starting: Vec<Vec<(usize, usize)>>,
    waves: Vec<Wave>,
}

impl<'s> Service<'s> {
    pub(super) fn new(
        scenario: &'s Scenario,
        places: &'s Places,
        images: Range<usize>,
        run_seed: u64,
    ) -> Service<'s> {
        let n = places.len();
        Service {
            scenario,
            places,
            intervals: vec![Vec::new(); n],
            replicas: vec![Vec::new(); n],
            waiting: vec![Vec::new(); n],
            slots: vec![BinaryHeap::new(); n],
            starting: vec![Vec::new(); n],
            streams: scenario
                .deployments
                .iter()
                .map(|d| {
                    images
                        .contains(&d.image)
                        .then(|| super::streams::stream(run_seed, d.stream_key, 1))
                })
                .collect(),
            images,
            waves: Vec::new(),
        }
    }

    /// A copy of the flat (image, slot) `target` became available: returns its interval's
    /// handle when the place is tracked. Waiting waves start now, and `each_version`
    /// deployments start one.
    pub(super) fn available(
        &mut self,
        target: usize,
        now: u64,
        (version, replicas): (u32, u32),
    ) -> Option<(u32, u32)> {
        let handle = self.present(target, now, (version, replicas))?;
        let place = handle.0 as usize;
        for (deployment, asked) in std::mem::take(&mut self.waiting[place]) {
            self.run_wave(deployment, asked, now);
        }
        let places = self.places;
        for &deployment in &places.each_version[place] {
            self.run_wave(deployment, now, now);
        }
        Some(handle)
    }

    /// A copy of the flat (image, slot) `target` exists from `now` without having arrived
    /// (a version that exists at the start): its interval's handle when the place is
    /// tracked; no `each_version` wave (it is not a new version).
    pub(super) fn present(
        &mut self,
        target: usize,
        now: u64,
        (version, replicas): (u32, u32),
    ) -> Option<(u32, u32)> {
        let place = self.places.place_of_target[target];
        if place == NONE {
            return None;
        }
        let intervals = &mut self.intervals[place as usize];
        intervals.push((now, u64::MAX));
        self.replicas[place as usize].push((version, replicas));
        Some((place, intervals.len() as u32 - 1))
    }

    /// The copy with interval `handle` was deleted at `now`.
    pub(super) fn deleted(&mut self, handle: (u32, u32), now: u64) {
        self.intervals[handle.0 as usize][handle.1 as usize].1 = now;
    }

    /// A version of `image` was created at `now` and will be copied to the regions for which
    /// `reaches` is true: `each_version` deployments elsewhere ask for a wave that cannot be
    /// served (the region never gets this version).
    pub(super) fn version_created(
        &mut self,
        image: usize,
        now: u64,
        reaches: impl Fn(RegionId) -> bool,
    ) {
        let places = self.places;
        for &deployment in &places.each_version_of_image[image] {
            if !reaches(self.scenario.deployments[deployment].region) {
                self.not_served(deployment, now);
            }
        }
    }

    /// The copy to flat (image, slot) `target` was cancelled before it arrived (retention,
    /// a retarget, a deletion): that version never reaches the region, so each `each_version`
    /// deployment there asks for a wave that cannot be served.
    pub(super) fn copy_cancelled(&mut self, target: usize, now: u64) {
        let place = self.places.place_of_target[target];
        if place == NONE {
            return;
        }
        let places = self.places;
        for &deployment in &places.each_version[place as usize] {
            self.not_served(deployment, now);
        }
    }

    /// Whether `deployment`'s region can get a version of its image at or after `now`: the
    /// image is replicated there, and no `retarget` in force has dropped the region for good
    /// (a later entry that keeps it again lets new versions back in).
    fn servable(&self, deployment: usize, now: u64) -> bool {
        let sc = self.scenario;
        let d = &sc.deployments[deployment];
        if !self.places.reachable[self.places.place_of[&(d.image, d.region)]] {
            return false;
        }
        let retarget = &sc.galleries[sc.images[d.image].gallery].retarget;
        match retarget.iter().rev().find(|(on, _)| *on <= now) {
            Some((_, kept)) if !kept.contains(&d.region) => retarget
                .iter()
                .any(|(on, kept)| *on > now && kept.contains(&d.region)),
            _ => true,
        }
    }

    fn not_served(&mut self, deployment: usize, now: u64) {
        self.waves.push(Wave {
            deployment,
            start: Time(now),
            ready_at: None,
            replicas: 0,
            minutes: None,
            status: WaveStatus::NotServed,
        });
    }

    /// A dated or periodic wave of `deployment` is asked for at `now`.
    pub(super) fn wave(&mut self, deployment: usize, now: u64) {
        let d = &self.scenario.deployments[deployment];
        let place = self.places.place_of[&(d.image, d.region)];
        if !self.servable(deployment, now) {
            self.not_served(deployment, now);
            return;
        }
        let available = self.intervals[place]
            .iter()
            .any(|&(a, e)| a <= now && now < e);
        if available {
            self.run_wave(deployment, now, now);
        } else {
            self.waiting[place].push((deployment, now));
        }
    }

    /// The wave of `deployment` asked for at `asked` starts at `start`: it joins the waves
    /// starting at that instant at its place (which get their slots together, see
    /// [`Service::give_slots`]).
    fn run_wave(&mut self, deployment: usize, asked: u64, start: u64) {
        let sc = self.scenario;
        let d = &sc.deployments[deployment];
        let place = self.places.place_of[&(d.image, d.region)];
        if let Some(&(_, first)) = self.starting[place].first() {
            if self.waves[first].ready_at != Some(Time(start)) {
                self.give_slots(place);
            }
        }
        self.starting[place].push((deployment, self.waves.len()));
        self.waves.push(Wave {
            deployment,
            start: Time(asked),
            // The start, until the wave's creations are placed.
            ready_at: Some(Time(start)),
            replicas: self.newest_replicas(place, start),
            minutes: None,
            status: WaveStatus::Ready,
        });
    }

    /// The replicas of the newest version alive at `place` at `t` (0 when none is).
    fn newest_replicas(&self, place: usize, t: u64) -> u32 {
        (self.intervals[place].iter().zip(&self.replicas[place]))
            .filter(|((a, e), _)| *a <= t && t < *e)
            .map(|(_, &version_replicas)| version_replicas)
            .max()
            .map_or(0, |(_, replicas)| replicas)
    }

    /// Gives the VMs of the waves starting together at `place` their creation slots, one VM of
    /// each wave in turn, and sets each wave's ready time.
    fn give_slots(&mut self, place: usize) {
        let starting = std::mem::take(&mut self.starting[place]);
        let Some(&(_, first)) = starting.first() else {
            return;
        };
        let sc = self.scenario;
        let start = self.waves[first].ready_at.expect("set when started").0;
        let replicas = self.waves[first].replicas;
        let capacity = (replicas as usize * sc.vms_per_replica as usize).max(1);
        let slots = &mut self.slots[place];
        let most = starting
            .iter()
            .map(|&(d, _)| sc.deployments[d].vms)
            .max()
            .unwrap_or(0);
        let mut last = vec![start; starting.len()];
        // The waves with VMs left, in turn order: the work is the sum of the VMs, not the
        // largest wave times the number of waves.
        let mut active: Vec<usize> = (0..starting.len()).collect();
        for vm in 0..most {
            active.retain(|&j| vm < sc.deployments[starting[j].0].vms);
            for &j in &active {
                let deployment = starting[j].0;
                let stream = self.streams[deployment]
                    .as_mut()
                    .expect("a part runs only its own images' deployments");
                let minutes = sc.deployments[deployment].create_minutes.sample(stream);
                // A slot never used yet, or the one that frees up first (not before `start`).
                let free = match slots.len() < capacity {
                    true => start,
                    false => slots.pop().expect("capacity >= 1").0.max(start),
                };
                let done = free + (minutes * 60.0).round() as u64;
                last[j] = last[j].max(done);
                slots.push(Reverse(done));
            }
        }
        for (&(_, index), last) in starting.iter().zip(last) {
            let wave = &mut self.waves[index];
            wave.ready_at = Some(Time(last));
            wave.minutes = Some((last - wave.start.0) as f64 / 60.0);
        }
    }

    /// The part's service figures: waves still waiting are `no_version`; the status of the
    /// labs of the part's images, from the availability intervals.
    pub(super) fn finish(mut self) -> ServiceOutput {
        let sc = self.scenario;
        for place in 0..self.starting.len() {
            self.give_slots(place);
        }
        for place in 0..self.waiting.len() {
            for (deployment, asked) in std::mem::take(&mut self.waiting[place]) {
                let d = &sc.deployments[deployment];
                self.waves.push(Wave {
                    deployment,
                    start: Time(asked),
                    ready_at: None,
                    replicas: sc.images[d.image]
                        .replicas_in(&sc.galleries[sc.images[d.image].gallery], d.region),
                    minutes: None,
                    status: WaveStatus::NoVersion,
                });
            }
        }
        let labs = outcomes(sc, self.images.clone(), |image, region| {
            self.places
                .place_of
                .get(&(image, region))
                .map_or(&[][..], |&p| self.intervals[p].as_slice())
        });
        ServiceOutput {
            waves: self.waves,
            labs,
        }
    }
}

/// Labs not ready (counting `count`) and their total wait in hours (ready labs, x `count`).
pub fn lab_service(scenario: &Scenario, labs: &[LabOutcome]) -> (u32, f64) {
    let mut not_ready = 0;
    let mut wait = 0.0;
    for (lab, outcome) in scenario.labs.iter().zip(labs) {
        match outcome.status {
            LabStatus::Ready => wait += outcome.wait_hours.unwrap_or(0.0) * f64::from(lab.count),
            _ => not_ready += lab.count,
        }
    }
    (not_ready, wait)
}
