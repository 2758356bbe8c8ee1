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
mod handler;
mod labs;
mod merge;
mod plan;
mod reuse;
mod service;
mod source;
mod streams;
mod usage;

use rayon::prelude::*;

use crate::catalog::RegionId;
use crate::engine::MaybeTime;
use crate::scenario::Scenario;

pub use component::{Component, PerComponent};
pub use copies::Copies;
pub use labs::{LabOutcome, LabStatus};
pub use plan::{Plan, MAX_PART_EVENTS, MIN_PART_EVENTS};
pub use reuse::{ranges, same_layout, simulate_kept, Change, Fingerprints, RunBase};
pub use service::{lab_service, ServiceOutput, Wave, WaveStatus};
pub use source::{Registered, Sink, SourceError, SourceLine, UsageSource};
pub use streams::run_seed;
pub use usage::{CostObject, Layout, Line, TargetLines, Usage};

use handler::simulate_part;
use merge::merge_parts;

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
    /// [`crate::scenario::InputField::ALL`] (NaN when the input was never drawn).
    pub input_means: Vec<[f64; 3]>,
    /// Every version copy, when the run was asked to keep them.
    pub copies: Option<Copies>,
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
    let mut run = merge_parts(scenario, plan, parts);
    book_sources(scenario, plan, &mut run);
    run
}

/// Books the scenario's usage sources for one run, from its merged output.
pub(crate) fn book_sources(scenario: &Scenario, plan: &Plan, run: &mut RunOutput) {
    for (registered, lines) in scenario.sources.iter().zip(&plan.layout.sources) {
        let mut sink = Sink {
            scenario,
            usage: &mut run.usage,
            lines: lines.clone(),
        };
        registered.source().book(scenario, &run.service, &mut sink);
    }
}

#[cfg(test)]
mod tests {
    use super::merge::{peak_of_sum, peak_of_sum_in};
    use super::plan::split;
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
