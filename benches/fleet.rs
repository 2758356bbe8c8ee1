//! Fleet-scale benchmarks (issue: performance). Each prints throughput; compare figures as
//! ratios within one sitting, these machines are shared.
//!
//! - `model/fleet_2000_one_run`: simulated model events per second, one run, one thread;
//! - `fleet_100_runs/threads_1` and `threads_2`: the Monte Carlo of the 2,000-lab fleet,
//!   100 runs (parallel efficiency = time at 1 thread / time at 2 threads);
//! - `growth/labs_N`: one run at 500, 1,000, 2,000 and 4,000 labs (should grow linearly).
//! - `price_sweep/*`: a sweep of `prices.snapshot_gb_month` over a 500-lab fleet, 20 runs:
//!   one value, ten values priced from one simulation (what `sweep` does for `prices.*`),
//!   and ten values simulated ten times (what it did before).
//!
//! Run: `cargo bench --bench fleet` (a few minutes).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gallerysim::generate::{fleet, FleetSpec};
use gallerysim::model::{simulate_run, Plan};
use gallerysim::montecarlo;
use gallerysim::scenario::Scenario;

fn fleet_scenario(labs: u32, runs: u32) -> Scenario {
    let spec = FleetSpec {
        labs,
        geographies: vec!["us".into(), "europe".into()],
        months: 36,
        runs,
        seed: 1,
    };
    Scenario::parse(&fleet(&spec).expect("fleet"), "fleet.toml").expect("valid fleet")
}

fn model(c: &mut Criterion) {
    let scenario = fleet_scenario(2000, 1);
    let plan = Plan::new(&scenario, 1);
    let events = simulate_run(&scenario, &plan, 1, false).events;
    let mut group = c.benchmark_group("model");
    group
        .sample_size(10)
        .throughput(Throughput::Elements(events));
    group.bench_function("fleet_2000_one_run", |b| {
        b.iter(|| black_box(simulate_run(&scenario, &plan, 1, false)))
    });
    group.finish();
}

fn end_to_end(c: &mut Criterion) {
    let scenario = fleet_scenario(2000, 100);
    let mut group = c.benchmark_group("fleet_100_runs");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(100));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| black_box(pool.install(|| montecarlo::simulate(&scenario, &|| {}))))
        });
    }
    group.finish();
}

fn growth(c: &mut Criterion) {
    let mut group = c.benchmark_group("growth");
    group.sample_size(10);
    for labs in [500u32, 1000, 2000, 4000] {
        let scenario = fleet_scenario(labs, 1);
        group.throughput(Throughput::Elements(u64::from(labs)));
        group.bench_with_input(BenchmarkId::new("labs", labs), &scenario, |b, s| {
            let plan = Plan::new(s, 1);
            b.iter(|| black_box(simulate_run(s, &plan, 1, false)))
        });
    }
    group.finish();
}

fn price_sweep(c: &mut Criterion) {
    let scenario = fleet_scenario(500, 20);
    let books: Vec<_> = (1..=10)
        .map(|k| {
            let mut book = scenario.prices.clone();
            book.set_everywhere(
                gallerysim::catalog::prices::Item::Snapshot,
                0.01 * f64::from(k),
            );
            book
        })
        .collect();
    let mut group = c.benchmark_group("price_sweep");
    group.sample_size(10);
    group.bench_function("one_value", |b| {
        b.iter(|| black_box(montecarlo::simulate_priced(&scenario, &books[..1], &|| {})))
    });
    group.bench_function("ten_values_repriced", |b| {
        b.iter(|| black_box(montecarlo::simulate_priced(&scenario, &books, &|| {})))
    });
    group.bench_function("ten_values_resimulated", |b| {
        b.iter(|| {
            for book in &books {
                black_box(montecarlo::simulate_priced(
                    &scenario,
                    std::slice::from_ref(book),
                    &|| {},
                ));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, model, end_to_end, growth, price_sweep);
criterion_main!(benches);
