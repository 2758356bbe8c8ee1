//! Merging the parts of one run: exact sums, the replicas alive over time added instant by
//! instant (the peak of the sum, not the sum of peaks), lab status and waves from their parts.

use std::ops::Range;

use rayon::prelude::*;

use super::{Copies, CopyRecord, Plan, RunOutput, Usage};
use crate::scenario::Scenario;

/// What one part of a run measures, merged by [`merge_parts`].
pub(super) struct PartOutput {
    pub(super) images: Range<usize>,
    /// The part's output, its copies apart.
    pub(super) run: RunOutput,
    pub(super) copies: Option<Vec<CopyRecord>>,
    pub(super) trace: Option<Vec<(u64, u64)>>,
    pub(super) shared_events: u64,
}

/// Merges the parts of one run into the run's output: exact sums, the replicas alive over
/// time added instant by instant, lab status from the part that owns each lab's image, waves
/// in deployment order (each deployment's in the order they were asked for).
pub(super) fn merge_parts(
    scenario: &Scenario,
    plan: &Plan,
    mut parts: Vec<PartOutput>,
) -> RunOutput {
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
pub(super) fn peak_of_sum<'a>(traces: impl Iterator<Item = &'a [(u64, u64)]>) -> u64 {
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
pub(super) fn peak_of_sum_in(traces: &[&[(u64, u64)]], windows: usize) -> u64 {
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
    // Each trace is swept once, in parallel with the others (a binary search per window
    // and part missed the cache at every step: 8 ms of a 2,000-lab run's merge, 0.5 ms so).
    let per_trace: Vec<Vec<(u64, u64)>> = traces
        .par_iter()
        .map(|trace| trace_bounds(trace, windows as usize, &bound))
        .collect();
    let mut bounds = vec![(0, 0); windows as usize];
    for trace in &per_trace {
        for (sum, (before, highest)) in bounds.iter_mut().zip(trace) {
            sum.0 += before;
            sum.1 += highest;
        }
    }
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

/// Per window `k` (the instants `bound(k)..bound(k + 1)`, from 0 past the trace's last), one
/// part's count just before it and its highest count in or just before it: summed over the
/// parts, a value the sum had and a bound no instant of the window exceeds.
fn trace_bounds(
    trace: &[(u64, u64)],
    windows: usize,
    bound: &(impl Fn(u128) -> u64 + Sync),
) -> Vec<(u64, u64)> {
    let mut out = Vec::with_capacity(windows);
    let (mut count, mut i) = (0, 0);
    for k in 0..windows {
        let end = bound(k as u128 + 1);
        let before = count;
        let mut highest = count;
        while let Some(&(at, next)) = trace.get(i).filter(|&&(at, _)| at < end) {
            debug_assert!(at >= bound(k as u128));
            highest = highest.max(next);
            count = next;
            i += 1;
        }
        out.push((before, highest));
    }
    out
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
