//! What the replicas buy: labs ready and deployment waves served. The model tells this
//! sub-state when a version copy becomes available or is deleted in a region; it keeps the
//! availability intervals of the (image, region) places that labs or deployments use, runs
//! deployment waves against the replicas there, and reports lab status and wave times.
//!
//! **Deployment model.** A wave of `vms` creations starts at its time; it needs a version
//! available in its region (it waits for one, and the wait counts). The region's replicas R
//! serve at most R x `vms_per_replica` creations at once; further VMs wait first-in first-out;
//! each creation takes its own draw of `create_minutes`. Minutes to ready = from the wave's
//! time to the end of its last creation. A wave still waiting at the horizon is `no_version`.

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
}

impl WaveStatus {
    /// Name as in `deployments.csv`.
    pub fn name(self) -> &'static str {
        match self {
            WaveStatus::Ready => "ready",
            WaveStatus::NoVersion => "no_version",
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
                im.targets
                    .iter()
                    .map(move |&(region, _)| place_of.get(&(i, region)).map_or(NONE, |&p| p as u32))
            })
            .collect();
        let mut each_version = vec![Vec::new(); place_of.len()];
        for (i, d) in scenario.deployments.iter().enumerate() {
            if d.at == DeployAt::EachVersion {
                each_version[place_of[&(d.image, d.region)]].push(i);
            }
        }
        Places {
            place_of,
            place_of_target,
            each_version,
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
    /// Per place: waves waiting for a version (deployment, asked at).
    waiting: Vec<Vec<(usize, u64)>>,
    /// Per deployment of this part's images, its creation-time stream.
    streams: Vec<Option<ChaCha8Rng>>,
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
            waiting: vec![Vec::new(); n],
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

    /// A copy of the flat (image, target) `target` became available: returns its interval's
    /// handle when the place is tracked. Waiting waves start now, and `each_version`
    /// deployments start one.
    pub(super) fn available(&mut self, target: usize, now: u64) -> Option<(u32, u32)> {
        let place = self.places.place_of_target[target];
        if place == NONE {
            return None;
        }
        let place = place as usize;
        self.intervals[place].push((now, u64::MAX));
        for (deployment, asked) in std::mem::take(&mut self.waiting[place]) {
            self.run_wave(deployment, asked, now);
        }
        let places = self.places;
        for &deployment in &places.each_version[place] {
            self.run_wave(deployment, now, now);
        }
        Some((place as u32, self.intervals[place].len() as u32 - 1))
    }

    /// The copy with interval `handle` was deleted at `now`.
    pub(super) fn deleted(&mut self, handle: (u32, u32), now: u64) {
        self.intervals[handle.0 as usize][handle.1 as usize].1 = now;
    }

    /// A dated or periodic wave of `deployment` is asked for at `now`.
    pub(super) fn wave(&mut self, deployment: usize, now: u64) {
        let d = &self.scenario.deployments[deployment];
        let place = self.places.place_of[&(d.image, d.region)];
        let available = self.intervals[place]
            .iter()
            .any(|&(a, e)| a <= now && now < e);
        if available {
            self.run_wave(deployment, now, now);
        } else {
            self.waiting[place].push((deployment, now));
        }
    }

    /// Creates the wave's VMs from `start` on; it was asked for at `asked`.
    fn run_wave(&mut self, deployment: usize, asked: u64, start: u64) {
        let sc = self.scenario;
        let d = &sc.deployments[deployment];
        let replicas = sc.galleries[sc.images[d.image].gallery].replicas_in(d.region);
        let capacity = (replicas as usize * sc.vms_per_replica as usize).min(d.vms as usize);
        // Creation slots, as the times they free up (a min-heap through Reverse).
        let mut slots: BinaryHeap<std::cmp::Reverse<u64>> =
            std::iter::repeat_n(std::cmp::Reverse(start), capacity).collect();
        let mut last = start;
        for _ in 0..d.vms {
            let stream = self.streams[deployment]
                .as_mut()
                .expect("a part runs only its own images' deployments");
            let minutes = d.create_minutes.sample(stream);
            let std::cmp::Reverse(free) = slots.pop().expect("capacity >= 1");
            let done = free + (minutes * 60.0).round() as u64;
            last = last.max(done);
            slots.push(std::cmp::Reverse(done));
        }
        self.waves.push(Wave {
            deployment,
            start: Time(asked),
            ready_at: Some(Time(last)),
            replicas,
            minutes: Some((last - asked) as f64 / 60.0),
            status: WaveStatus::Ready,
        });
    }

    /// The part's service figures: waves still waiting are `no_version`; the status of the
    /// labs of the part's images, from the availability intervals.
    pub(super) fn finish(mut self) -> ServiceOutput {
        let sc = self.scenario;
        for place in 0..self.waiting.len() {
            for (deployment, asked) in std::mem::take(&mut self.waiting[place]) {
                let d = &sc.deployments[deployment];
                self.waves.push(Wave {
                    deployment,
                    start: Time(asked),
                    ready_at: None,
                    replicas: sc.galleries[sc.images[d.image].gallery].replicas_in(d.region),
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
