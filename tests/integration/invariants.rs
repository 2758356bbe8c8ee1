//! The four sums of one run's costs agree (ledger, run totals, per image, per copy), and
//! accumulators merged in any order give the same bytes as one pass.

use gallerysim::generate::{fleet, FleetSpec};
use gallerysim::model::{self, Component, Plan};
use gallerysim::montecarlo::{self, Accumulator};
use gallerysim::pricing::Pricer;
use gallerysim::report;
use gallerysim::scenario::Scenario;

use crate::harness::*;

fn bundled_scenarios() -> Vec<(String, Scenario)> {
    bundled_paths()
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, Scenario::load(&p).unwrap())
        })
        .collect()
}

fn generated_fleet(labs: u32, runs: u32) -> Scenario {
    let spec = FleetSpec {
        labs,
        geographies: vec!["us".into(), "europe".into()],
        months: 12,
        runs,
        seed: 7,
    };
    Scenario::parse(&fleet(&spec).unwrap(), "fleet.toml").unwrap()
}

/// Checks the four sums for the first `runs` runs of `scenario`.
fn check_sums(name: &str, scenario: &Scenario, runs: u32) {
    let plan = Plan::new(scenario, 1);
    let pricer = Pricer::new(scenario, &plan.layout, &scenario.prices);
    for run in 0..runs.min(scenario.runs) {
        let output =
            model::simulate_run(scenario, &plan, model::run_seed(scenario.seed, run), true);
        let priced = pricer.price(&output);
        let t = priced.totals;
        let tolerance = 1e-9 * t.total_cost.abs().max(1.0);
        let what = |s: &str| format!("{name} run {}: {s}", run + 1);

        let mut by_component = [0.0; 2];
        for entry in priced.ledger.entries() {
            for c in Component::ALL {
                by_component[c as usize] += entry.cost_of(c);
            }
        }
        assert_close(
            by_component[0],
            t.cost[Component::Storage],
            tolerance,
            &what("ledger storage = totals"),
        );
        assert_close(
            by_component[1],
            t.cost[Component::Egress],
            tolerance,
            &what("ledger egress = totals"),
        );
        assert_close(
            t.cost[Component::Storage] + t.cost[Component::Egress],
            t.total_cost,
            tolerance,
            &what("total"),
        );

        // Images no lab can use: their monthly costs add up to the run's ineligible cost.
        let ineligible: f64 = priced.monthly_ineligible.iter().sum();
        assert_close(
            ineligible,
            t.ineligible_cost,
            tolerance,
            &what("monthly ineligible = ineligible cost"),
        );
        let per_image: f64 = priced.image_costs.iter().sum();
        assert_close(
            per_image,
            t.total_cost,
            tolerance,
            &what("sum of images = total"),
        );

        let (copies, costs) = (
            output.copies.as_ref().unwrap(),
            priced.copy_costs.as_ref().unwrap(),
        );
        assert_eq!(copies.len(), costs.len());
        let per_copy: f64 = costs.iter().map(|c| c.total()).sum();
        assert_close(
            per_copy,
            t.total_cost,
            tolerance,
            &what("sum of copies = total"),
        );

        let ineligible: f64 = scenario
            .images
            .iter()
            .zip(&priced.image_costs)
            .filter(|(im, _)| !im.eligibility.eligible())
            .map(|(_, c)| c)
            .sum();
        assert_close(
            ineligible,
            t.ineligible_cost,
            tolerance,
            &what("ineligible"),
        );
        assert!(
            t.total_cost.is_finite() && t.total_cost >= 0.0,
            "{}",
            what("finite")
        );
    }
}

#[test]
fn ledger_totals_images_and_copies_agree_on_every_bundled_scenario() {
    for (name, scenario) in bundled_scenarios() {
        check_sums(&name, &scenario, 5);
    }
}

#[test]
fn ledger_totals_images_and_copies_agree_on_a_generated_fleet() {
    check_sums("fleet", &generated_fleet(300, 3), 3);
}

/// Every CSV of `results` rendered for `scenario`, by name.
fn rendered(scenario: &Scenario, results: &montecarlo::Results) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = report::csv::render_all(
        scenario,
        results,
        &gallerysim::analysis::headline::Headline::of(results),
    )
    .unwrap()
    .into_iter()
    .map(|f| (f.name, f.bytes))
    .collect();
    let prices = report::csv::prices_used_file(&[("s".into(), scenario, results)]).unwrap();
    files.push((prices.name, prices.bytes));
    files
}

#[test]
fn accumulators_merged_in_any_order_equal_one_pass() {
    let scenario = generated_fleet(120, 9);
    let one_pass = montecarlo::simulate(&scenario, &|| {});
    let plan = Plan::new(&scenario, 1);
    let pricer = Pricer::new(&scenario, &plan.layout, &scenario.prices);
    // Three shards of runs {0..3}, {3..5}, {5..9}, absorbed backwards and merged last-first.
    let shard = |runs: std::ops::Range<u32>| {
        let mut acc = Accumulator::new(&scenario, pricer.prices_used());
        for run in runs.rev() {
            let seed = model::run_seed(scenario.seed, run);
            let mut output = model::simulate_run(&scenario, &plan, seed, run == 0);
            let priced = pricer.price(&output);
            acc.absorb(run, seed, priced, output.copies.take());
        }
        acc
    };
    let mut merged = shard(5..9);
    merged.merge(shard(3..5));
    merged.merge(shard(0..3));
    let merged = merged.finish(&scenario);
    assert_eq!(rendered(&scenario, &merged), rendered(&scenario, &one_pass));
    assert_eq!(merged.image_cost_mean, one_pass.image_cost_mean);
    assert_eq!(merged.monthly_mean, one_pass.monthly_mean);
}

#[test]
fn pricing_again_equals_simulating_with_those_prices() {
    // A price-only sweep simulates once and prices many times: the same figures as a run
    // of a scenario that has those prices.
    let scenario = bundled_scenarios()
        .into_iter()
        .find(|(n, _)| n == "budget-montecarlo")
        .unwrap()
        .1;
    let mut dearer = scenario.clone();
    for item in [
        gallerysim::catalog::prices::Item::Snapshot,
        gallerysim::catalog::prices::Item::EgressIntra,
    ] {
        dearer.prices.set_everywhere(item, 0.125);
    }
    let both = montecarlo::simulate_priced(
        &scenario,
        &[scenario.prices.clone(), dearer.prices.clone()],
        &|| {},
    );
    let alone = montecarlo::simulate(&dearer, &|| {});
    assert_eq!(rendered(&dearer, &both[1]), rendered(&dearer, &alone));
    assert_ne!(rendered(&scenario, &both[0]), rendered(&scenario, &both[1]));
}

/// One run split by image into parts and merged is the same run: every field of the output
/// (usage, peak, events, lab status, waves, copies, input means) for every bundled scenario
/// and a fleet, in the detailed run and the others, whatever the number of parts.
#[test]
fn a_run_split_into_parts_equals_one_pass() {
    let mut scenarios = bundled_scenarios();
    scenarios.push(("fleet".into(), generated_fleet(120, 3)));
    for (name, scenario) in &scenarios {
        let whole = Plan::forced(scenario, 1);
        assert_eq!(whole.parts().len(), 1);
        let n = scenario.images.len();
        for parts in [2, 3, 7, n] {
            let split = Plan::forced(scenario, parts);
            assert_eq!(split.parts().len(), parts.min(n), "{name}: {parts} parts");
            for run in 0..3u32 {
                let seed = model::run_seed(scenario.seed, run);
                let keep = run == 0;
                let a = model::simulate_run(scenario, &whole, seed, keep);
                let b = model::simulate_run(scenario, &split, seed, keep);
                // Debug prints every f64 exactly (shortest round-trip form), NaN included.
                assert!(
                    format!("{a:?}") == format!("{b:?}"),
                    "{name}: run {run} split into {parts} parts differs from one pass"
                );
            }
        }
    }
}

/// The peak of replicas alive is the peak of the sum over time, not the sum of each part's
/// peak: image `a` (9 regions) is deleted on 2027-06-01 before image `b` (9 regions) is
/// exported on 2027-06-15, so at most 9 replicas are alive at once, split or not.
#[test]
fn a_split_run_merges_replicas_alive_over_time() {
    let text = r#"
[scenario]
name = "peaks"
start = "2027-05-01"
months = 3

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "la"
gallery = "g"
region = "eastus"
kind = "lab_account"

[[image]]
name = "a"
account = "la"
os_disk_gb = 127
used_gb = 10
export_hours = 0
replication_hours = 0
exports = ["2027-05-01"]
delete_on = "2027-06-01"

[[image]]
name = "b"
account = "la"
os_disk_gb = 127
used_gb = 10
export_hours = 0
replication_hours = 0
exports = ["2027-06-15"]
"#;
    let scenario = scenario(text);
    for plan in [Plan::forced(&scenario, 1), Plan::forced(&scenario, 2)] {
        let output = model::simulate_run(&scenario, &plan, 1, true);
        assert_eq!(output.peak_replicas, 9, "{} parts", plan.parts().len());
        assert_eq!(
            output.events,
            1 + 1 + 8 + 1 + 1 + 1 + 8,
            "export, created, 8 copies, delete"
        );
    }
}
