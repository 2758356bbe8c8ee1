//! Engine throughput against a bare `BinaryHeap<(time, seq, u32)>` loop of the same shape,
//! measured in the same run so the ratio is meaningful on a shared, noisy machine.
//!
//! Shape ("hold" model): 10,000 pending events; each event handled schedules one more at a
//! pseudo-random delay, until 200,000 events have been handled.
//!
//! Run: `cargo bench --bench engine`. Criterion prints elements/s for each; the ratio
//! engine / bare is the figure to report.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gallerysim::engine::{Simulation, Time};
use gallerysim::scenario::Scenario;

const PENDING: u32 = 10_000;
const EVENTS: u64 = 200_000;

/// xorshift64: cheap, deterministic delays, identical in both loops.
fn next_delay(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    1 + (*state % 1_000)
}

fn bare_heap() -> u64 {
    let mut heap: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::new();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut seq = 0u64;
    for i in 0..PENDING {
        heap.push(Reverse((next_delay(&mut rng), seq, i)));
        seq += 1;
    }
    let mut handled = 0;
    let mut checksum = 0u64;
    while let Some(Reverse((time, _, payload))) = heap.pop() {
        handled += 1;
        checksum = checksum.wrapping_add(u64::from(payload));
        if handled == EVENTS {
            break;
        }
        heap.push(Reverse((time + next_delay(&mut rng), seq, payload)));
        seq += 1;
    }
    checksum
}

fn engine() -> u64 {
    let mut sim: Simulation<u32> = Simulation::new();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..PENDING {
        sim.schedule_at(Time(next_delay(&mut rng)), i);
    }
    let mut handled = 0;
    let mut checksum = 0u64;
    while let Some(payload) = sim.next_before(Time(u64::MAX)) {
        handled += 1;
        checksum = checksum.wrapping_add(u64::from(payload));
        if handled == EVENTS {
            break;
        }
        let delay = next_delay(&mut rng);
        sim.schedule_in(delay, payload);
    }
    checksum
}

fn engine_vs_bare(c: &mut Criterion) {
    assert_eq!(bare_heap(), engine(), "both loops handle the same events");
    let mut group = c.benchmark_group("hold_10k_pending");
    group.throughput(Throughput::Elements(EVENTS));
    group.bench_function("bare_binary_heap", |b| b.iter(|| black_box(bare_heap())));
    group.bench_function("gallerysim_engine", |b| b.iter(|| black_box(engine())));
    group.finish();
}

fn model_default_scenario(c: &mut Criterion) {
    let scenario = Scenario::bundled_default();
    let plan = gallerysim::model::Plan::new(&scenario, 1);
    let events = gallerysim::model::simulate_run(&scenario, &plan, 1, false).events;
    let mut group = c.benchmark_group("model");
    group.throughput(Throughput::Elements(events));
    group.bench_function("default_scenario_one_run", |b| {
        b.iter(|| black_box(gallerysim::model::simulate_run(&scenario, &plan, 1, false)))
    });
    group.finish();
}

criterion_group!(benches, engine_vs_bare, model_default_scenario);
criterion_main!(benches);
