//! The replica advisor: for each (image, region) with deployments, the fewest replicas
//! (1 to 50, Azure's maximum per region) whose waves all meet a target at a percentile, found
//! with common random numbers (the same seed and runs for every candidate, and deployment
//! draws that do not depend on the replica count, so more replicas never make a wave slower).
//!
//! Replicas are Azure's per image version and region: a wave is served by its image's replicas
//! only, so the advice is per image (its `replicas` table), and an image that no deployment
//! uses is never advised or priced. All groups are searched at once: every simulation sets
//! each group to its own candidate, as waves of one (image, region) do not depend on the
//! replicas of another. A bisection needs about
//! seven simulations whatever the number of groups.

use super::quantile;
use crate::catalog::RegionId;
use crate::model::Component;
use crate::montecarlo::Results;
use crate::scenario::Scenario;

/// Azure's limit of replicas per image version.
pub const MAX_REPLICAS: u32 = crate::scenario::values::MAX_REPLICAS_PER_REGION;

/// One (image, region) with deployments.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    /// Image index.
    pub image: usize,
    /// Its gallery's index.
    pub gallery: usize,
    /// Region.
    pub region: RegionId,
    /// Replicas in the scenario.
    pub replicas_now: u32,
    /// Minutes to ready at the percentile now (None: some wave is never served).
    pub minutes_now: Option<f64>,
    /// Monthly storage cost of the image's replicas in the region now (run 1, over the
    /// months of the horizon).
    pub monthly_cost_now: f64,
    /// The fewest replicas that meet the target (None: even [`MAX_REPLICAS`] do not).
    pub replicas_advised: Option<u32>,
    /// Minutes at the percentile with the advised replicas.
    pub minutes_advised: Option<f64>,
    /// Monthly storage cost with the advised replicas.
    pub monthly_cost_advised: Option<f64>,
    /// Why no advice, or what to know about it.
    pub note: String,
    /// Every replica count evaluated: (replicas, minutes, monthly cost), by replicas.
    pub frontier: Vec<(u32, Option<f64>, f64)>,
}

/// What one simulation says of one group: the minutes to ready at the percentile of its
/// slowest deployment (None: some wave is never served), and its image's monthly storage
/// cost in the region (run 1's copies: a mean per (image, region) is not kept over runs).
fn measure(
    scenario: &Scenario,
    results: &Results,
    (image, region): Group,
    percentile: f64,
) -> (Option<f64>, f64) {
    let mut worst: Option<f64> = Some(0.0);
    for (i, d) in scenario.deployments.iter().enumerate() {
        if d.image != image || d.region != region {
            continue;
        }
        let minutes = &results.deployment_minutes[i];
        worst = match (
            worst,
            results.deployment_unserved[i] == 0 && !minutes.is_empty(),
        ) {
            (Some(w), true) => Some(w.max(quantile(minutes, percentile))),
            _ => None,
        };
    }
    let stored: f64 = (results.copies.iter().zip(&results.copy_costs))
        .filter(|(c, _)| c.image == image && c.region == region)
        .map(|(_, cost)| cost[Component::Storage])
        .sum();
    (worst, stored / f64::from(scenario.months.max(1)))
}

/// An image in a region.
type Group = (usize, RegionId);

/// The scenario with `replicas[i]` replicas of group `i`'s image in its region: its new
/// versions' and those of its versions that exist at the start (Azure lets a version's
/// replica count per region be updated).
fn with_replicas(scenario: &Scenario, groups: &[Group], replicas: &[u32]) -> Scenario {
    let mut s = scenario.clone();
    for (&(image, region), &n) in groups.iter().zip(replicas) {
        let im = &mut s.images[image];
        let targets = &im.targets;
        for copy in im.existing.iter_mut().flat_map(|v| v.copies.iter_mut()) {
            if targets[copy.target].0 == region {
                copy.replicas = n;
            }
        }
        let list = &mut im.replicas.regions;
        match list.iter_mut().find(|(r, _)| *r == region) {
            Some(entry) => entry.1 = n,
            None => list.push((region, n)),
        }
    }
    s
}

/// Advice for every (image, region) with deployments; `simulate` runs a scenario (the same
/// seed and runs each time).
pub fn advise(
    scenario: &Scenario,
    target_minutes: f64,
    percentile: f64,
    simulate: impl Fn(&Scenario) -> Results,
) -> Vec<Advice> {
    let mut groups: Vec<Group> = Vec::new();
    for d in &scenario.deployments {
        let g = (d.image, d.region);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    let replicated = |&(image, region): &Group| {
        scenario.images[image]
            .targets
            .iter()
            .any(|&(r, _)| r == region)
    };
    let now = simulate(scenario);
    let mut advice: Vec<Advice> = groups
        .iter()
        .map(|&(image, region)| {
            let (minutes, cost) = measure(scenario, &now, (image, region), percentile);
            let im = &scenario.images[image];
            let gallery = im.gallery;
            let replicas_now = im.replicas_in(&scenario.galleries[gallery], region);
            Advice {
                image,
                gallery,
                region,
                replicas_now,
                minutes_now: minutes,
                monthly_cost_now: cost,
                replicas_advised: None,
                minutes_advised: None,
                monthly_cost_advised: None,
                note: String::new(),
                frontier: vec![(replicas_now, minutes, cost)],
            }
        })
        .collect();
    // Bisection per group on [lo, hi]: hi always meets the target once checked.
    let mut lo = vec![1u32; groups.len()];
    let mut hi = vec![MAX_REPLICAS; groups.len()];
    let mut active: Vec<bool> = groups.iter().map(replicated).collect();
    for (a, ok) in advice.iter_mut().zip(&active) {
        if !ok {
            a.note = "no version is ever copied to this region: replicate the image there first"
                .to_string();
        }
    }
    let evaluate = |candidates: &[u32], advice: &mut Vec<Advice>| -> Vec<(Option<f64>, f64)> {
        let s = with_replicas(scenario, &groups, candidates);
        let r = simulate(&s);
        groups
            .iter()
            .zip(candidates)
            .zip(advice.iter_mut())
            .map(|((&group, &n), a)| {
                let (minutes, cost) = measure(&s, &r, group, percentile);
                if !a.frontier.iter().any(|p| p.0 == n) {
                    a.frontier.push((n, minutes, cost));
                }
                (minutes, cost)
            })
            .collect()
    };
    // First: can the most replicas meet the target at all?
    let at_max = evaluate(&hi, &mut advice);
    for (i, (minutes, _)) in at_max.iter().enumerate() {
        if active[i] && !minutes.is_some_and(|m| m <= target_minutes) {
            active[i] = false;
            advice[i].note = match minutes {
                Some(m) => format!(
                    "even {MAX_REPLICAS} replicas give {m:.1} minutes: VM creation alone exceeds the target"
                ),
                None => "some waves never find a version in this region by the horizon".to_string(),
            };
        }
    }
    while active
        .iter()
        .zip(&lo)
        .zip(&hi)
        .any(|((a, l), h)| *a && l < h)
    {
        let mid: Vec<u32> = (0..groups.len())
            .map(|i| {
                if active[i] && lo[i] < hi[i] {
                    (lo[i] + hi[i]) / 2
                } else {
                    hi[i]
                }
            })
            .collect();
        let minutes = evaluate(&mid, &mut advice);
        for i in 0..groups.len() {
            if active[i] && lo[i] < hi[i] {
                if minutes[i].0.is_some_and(|m| m <= target_minutes) {
                    hi[i] = mid[i];
                } else {
                    lo[i] = mid[i] + 1;
                }
            }
        }
    }
    let chosen: Vec<u32> = (0..groups.len())
        .map(|i| {
            if active[i] {
                hi[i]
            } else {
                advice[i].replicas_now
            }
        })
        .collect();
    let last = evaluate(&chosen, &mut advice);
    let advised = with_replicas(scenario, &groups, &chosen);
    for (i, a) in advice.iter_mut().enumerate() {
        a.frontier.sort_by_key(|p| p.0);
        if active[i] {
            a.replicas_advised = Some(chosen[i]);
            a.minutes_advised = last[i].0;
            a.monthly_cost_advised = Some(last[i].1);
            let im = &advised.images[a.image];
            let total = im
                .most_replicas_per_version(&advised.galleries)
                .map_or(0, |(total, _)| total);
            if total > MAX_PER_VERSION {
                a.note = format!(
                    "with this advice a version of the image keeps {total} replicas over its regions, above Azure's {MAX_PER_VERSION} per image version: lower other regions or split the deployments"
                );
            }
        }
    }
    advice
}

/// Azure's limit of replicas per image version, all regions together.
const MAX_PER_VERSION: u32 = crate::scenario::values::MAX_REPLICAS_PER_VERSION;
