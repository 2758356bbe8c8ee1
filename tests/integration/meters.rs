//! A meter and a cost object added from the tests, with nothing in `src/` naming them
//! (issue 25; `docs/architecture.md`, "Adding a meter and a cost object"): a usage source
//! booking one disk per lab VM per month from the moment its lab is ready, priced from the
//! catalog, kept per lab.

use std::sync::Arc;

use gallerysim::model::{
    self, Component, CostObject, Plan, ServiceOutput, Sink, SourceError, SourceLine, UsageSource,
};
use gallerysim::pricing::Pricer;
use gallerysim::scenario::{Scenario, WarningCode};

use crate::harness::*;

/// The test-only meter: one disk per lab VM per month, from the lab's ready time.
#[derive(Debug)]
struct LabVmDisks;

impl UsageSource for LabVmDisks {
    fn lines(&self, s: &Scenario) -> Vec<SourceLine> {
        (s.labs.iter().enumerate())
            .map(|(i, lab)| SourceLine {
                object: CostObject::Lab(i as u32),
                cell: s.cells.iter().position(|c| c.region == lab.region).unwrap(),
                meter: "lab_vm_disk_month".to_string(),
                component: Component::Storage,
                price_region: lab.region,
            })
            .collect()
    }

    fn book(&self, s: &Scenario, run: &ServiceOutput, sink: &mut Sink<'_>) {
        for (i, (lab, outcome)) in s.labs.iter().zip(&run.labs).enumerate() {
            if let Some(ready) = outcome.ready_at {
                let vms = f64::from(lab.count * lab.students);
                sink.accrue(i, ready.0, u64::MAX, vms);
            }
        }
    }
}

/// One 50 GB version in eastus, a lab of 2 x 10 VMs there (ready at once) and one in westus2
/// (no version ever reaches it); the catalog prices the lab disks at $1.50 and $1.60.
fn lab_scenario(dir: &std::path::Path, catalog_rows: &str) -> Scenario {
    let bundled = std::fs::read_to_string(repo().join("data/prices.csv")).unwrap();
    std::fs::write(dir.join("prices.csv"), format!("{bundled}{catalog_rows}")).unwrap();
    let text = r#"
[scenario]
name = "lab disks"
start = "2027-01-01"
months = 3
runs = 2

[prices]
catalog = "prices.csv"
snapshot_gb_month = 0.05

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "plan"
gallery = "g"
region = "eastus"
kind = "lab_plan"
replicate_to = ["westus2"]

[[image]]
name = "cs101"
account = "plan"
os_disk_gb = 127
used_gb = 50
exports = []

[[version]]
image = "cs101"
name = "1.0.0"
published = "2026-10-01"
used_gb = 50
targets = { eastus = 1 }

[[lab]]
name = "east"
account = "plan"
image = "cs101"
region = "eastus"
count = 2
students = 10

[[lab]]
name = "west"
account = "plan"
image = "cs101"
region = "westus2"
"#;
    std::fs::write(dir.join("labs.toml"), text).unwrap();
    Scenario::load(&dir.join("labs.toml")).unwrap_or_else(|e| panic!("{e}"))
}

const ROWS: &str = "eastus,lab_vm_disk_month,1.5,VM-month,USD,test,2026-12-01,test\n\
                    westus2,lab_vm_disk_month,1.6,VM-month,USD,test,2026-12-01,test\n";

#[test]
fn a_meter_added_from_the_tests_is_priced_from_the_catalog_and_kept_per_lab() {
    let dir = tempfile::tempdir().unwrap();
    let plain = lab_scenario(dir.path(), ROWS);
    // Nothing books the new meter yet: said, not dropped silently.
    let warned = |s: &Scenario| {
        s.warnings
            .iter()
            .any(|w| w.code == WarningCode::MetersNotBooked)
    };
    assert!(warned(&plain), "{:?}", plain.warnings);
    let s = plain.clone().with_source(Arc::new(LabVmDisks)).unwrap();
    assert!(!warned(&s), "{:?}", s.warnings);

    // Storage: 50 GB x $0.05 = $2.50 a month. Lab disks: 2 x 10 VMs x $1.50 = $30.00 a month
    // in eastus; the westus2 lab never gets a version, so books nothing.
    let r = simulate(&s);
    for run in &r.monthly_totals {
        for (m, cost) in run.iter().enumerate() {
            assert_close(*cost, 32.5, EXACT, &format!("month {}", m + 1));
        }
    }
    assert_close(
        r.runs[0].totals.cost[Component::Storage],
        97.5,
        EXACT,
        "storage",
    );
    // The storage quantity stays in GB-months: 50 a month; VM-months add their cost only.
    let gb_months: f64 = (r.monthly_mean.entries().iter())
        .map(|e| e.quantity(Component::Storage))
        .sum();
    assert_close(gb_months, 150.0, EXACT, "GB-months over 3 months");
    // Each lab's cost over runs, and in `cost_objects.csv` (written only with usage sources).
    assert_eq!(
        r.object_cost_mean,
        [(CostObject::Lab(0), 90.0), (CostObject::Lab(1), 0.0)]
    );
    let headline = gallerysim::analysis::headline::Headline::of(&r);
    let files = gallerysim::report::csv::render_all(&s, &r, &headline).unwrap();
    let objects = files.iter().find(|f| f.name == "cost_objects.csv").unwrap();
    assert_eq!(
        String::from_utf8_lossy(&objects.bytes),
        "object,name,cost_mean\nlab,east,90.0000\nlab,west,0.0000\n"
    );
    let plain_files = gallerysim::report::csv::render_all(&plain, &simulate(&plain), &headline);
    assert!(!plain_files
        .unwrap()
        .iter()
        .any(|f| f.name == "cost_objects.csv"));
    let used = (r.prices_used.iter())
        .find(|p| p.meter == "lab_vm_disk_month" && p.priced.value == 1.5)
        .expect("the new meter is in prices_used");
    assert_eq!(used.unit, "VM-month");

    // Per cost object, in one run split into parts or not.
    for parts in [1, 2] {
        let plan = Plan::forced(&s, parts);
        let run = model::simulate_run(&s, &plan, model::run_seed(s.seed, 0), false);
        let priced = Pricer::new(&s, &plan.layout, &s.prices).price(&run);
        assert_eq!(
            priced.object_costs,
            [(CostObject::Lab(0), 90.0), (CostObject::Lab(1), 0.0)]
        );
    }
}

#[test]
fn a_book_from_another_catalog_prices_the_meter_by_name() {
    // Another catalog that adds a meter before the lab disks (their ids differ) and prices
    // them at $2.00: the first scenario's lines priced with it, by name.
    let dir = tempfile::tempdir().unwrap();
    let s = lab_scenario(dir.path(), ROWS)
        .with_source(Arc::new(LabVmDisks))
        .unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let other = lab_scenario(
        other_dir.path(),
        &format!(
            "eastus,gold,1,GB,USD,t,2026-12-01,t\n{}",
            ROWS.replace("1.5,", "2.0,")
        ),
    );
    assert_ne!(
        s.prices.meters.id("lab_vm_disk_month"),
        other.prices.meters.id("lab_vm_disk_month")
    );
    let plan = Plan::new(&s, 1);
    let run = model::simulate_run(&s, &plan, model::run_seed(s.seed, 0), false);
    let priced = Pricer::new(&s, &plan.layout, &other.prices).price(&run);
    assert_eq!(
        priced.object_costs[0],
        (CostObject::Lab(0), 120.0),
        "20 VMs x $2 x 3"
    );
    // A scenario with usage sources is simulated whole by analyses that reuse runs.
    assert!(!gallerysim::analysis::incremental::can_keep(&s));
}

#[test]
fn a_misspelt_catalog_meter_is_warned_and_its_real_meter_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = std::fs::read_to_string(repo().join("data/prices.csv")).unwrap();
    let typo = "eastus,snaphot_gb_month,0.04,GB-month,USD,t,2026-12-01,t\n";
    let kept: String = (catalog.lines())
        .filter(|l| !l.starts_with("eastus,snapshot_gb_month,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("p.csv"), format!("{kept}{typo}")).unwrap();
    let scenario = bundled("default.toml").display().to_string();
    let o = gallerysim(
        dir.path(),
        &[
            "run", &scenario, "--prices", "p.csv", "--runs", "2", "--out", "o",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(
        said.contains("`snaphot_gb_month`") && said.contains("[meters_not_booked]"),
        "{said}"
    );
    assert!(
        said.contains("snapshot_gb_month in eastus") && said.contains("[catalog_gaps]"),
        "{said}"
    );
}

#[test]
fn a_source_must_name_a_meter_the_catalog_prices_where_it_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let no_meter = lab_scenario(dir.path(), "");
    let err = no_meter.with_source(Arc::new(LabVmDisks)).unwrap_err();
    assert!(
        matches!(&err, SourceError::NoMeter { line: 0, meter } if meter == "lab_vm_disk_month"),
        "{err}"
    );
    let east_only = "eastus,lab_vm_disk_month,1.5,VM-month,USD,test,2026-12-01,test\n";
    let err = (lab_scenario(dir.path(), east_only))
        .with_source(Arc::new(LabVmDisks))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "usage source line 1: the price catalog has no price of `lab_vm_disk_month` in westus2"
    );
    /// A source booking for a lab the scenario does not have.
    #[derive(Debug)]
    struct NoSuchLab;
    impl UsageSource for NoSuchLab {
        fn lines(&self, s: &Scenario) -> Vec<SourceLine> {
            let mut lines = LabVmDisks.lines(s);
            lines[1].object = CostObject::Lab(7);
            lines
        }
        fn book(&self, _: &Scenario, _: &ServiceOutput, _: &mut Sink<'_>) {}
    }
    let err = (lab_scenario(dir.path(), ROWS))
        .with_source(Arc::new(NoSuchLab))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "usage source line 1: lab 7 is not in the scenario"
    );
}
