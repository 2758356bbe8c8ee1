//! How a scenario's runs are split into parts: contiguous image ranges of similar estimated
//! work, simulated in parallel and merged exactly (`docs/architecture.md`, "Parallelism").

use std::ops::Range;

use super::{service, Layout};
use crate::scenario::Scenario;

/// A scenario made ready for simulation once, and shared by every run and every part of a run.
pub struct Plan {
    /// The usage lines.
    pub layout: Layout,
    pub(super) places: service::Places,
    /// Contiguous image ranges simulated independently and merged (one part: the whole run).
    pub(super) parts: Vec<Range<usize>>,
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
pub(super) fn split(weights: &[f64], parts: usize) -> Vec<Range<usize>> {
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
