//! Microsoft's two worked examples (domain.md section 3), reproduced to the cent.

use gallerysim::model::Component;
use gallerysim::scenario::Scenario;

use crate::harness::*;

#[test]
fn admin_guide_example_costs_24_64_per_month() {
    // 1 image x 2 versions x 8 regions x $1.54 (S4) = $24.64, storage only.
    let sc = Scenario::load(&bundled("admin-guide-example.toml")).unwrap();
    let r = simulate(&sc);
    let t = r.runs[0].totals;
    assert_close(
        t.cost[Component::Storage],
        1.0 * 2.0 * 8.0 * 1.54,
        EXACT,
        "storage",
    );
    assert_close(t.cost[Component::Storage], 24.64, EXACT, "storage");
    assert_close(t.cost[Component::Egress], 0.0, EXACT, "egress");
    assert_eq!(t.versions_created, 2);
    assert_eq!(t.peak_replicas, 16);
    // Each of the 8 regions holds 2 disk-months costing $3.08.
    for cell in 0..sc.cells.len() {
        let e = r.monthly_mean.entry(0, cell);
        assert_close(e.quantity(Component::Storage), 2.0, EXACT, "disk-months");
        assert_close(
            e.cost_of(Component::Storage),
            3.08,
            EXACT,
            "cost per region",
        );
    }
}

#[test]
fn admin_guide_example_with_todays_nine_us_regions_costs_27_72() {
    // A lab account replicates to every US region: 9 today, so 2 x 9 x $1.54 = $27.72.
    let text = std::fs::read_to_string(bundled("admin-guide-example.toml")).unwrap();
    let text = text.replace("kind = \"lab_plan\"", "kind = \"lab_account\"");
    let text = text
        .lines()
        .filter(|l| !l.starts_with("replicate_to"))
        .collect::<Vec<_>>()
        .join("\n");
    let r = simulate(&scenario(&text));
    assert_close(
        r.runs[0].totals.cost[Component::Storage],
        27.72,
        EXACT,
        "storage",
    );
    assert_eq!(r.runs[0].totals.peak_replicas, 18);
}

#[test]
fn admin_guide_example_with_bundled_s4_price() {
    // Without the override the bundled S4 price is $1.536: 16 x 1.536 = $24.576.
    let text = std::fs::read_to_string(bundled("admin-guide-example.toml")).unwrap();
    let text = text.replace("managed_disk_month = { S4 = 1.54 }", "");
    let r = simulate(&scenario(&text));
    assert_close(
        r.runs[0].totals.cost[Component::Storage],
        24.576,
        EXACT,
        "storage",
    );
}

#[test]
fn compute_gallery_example_six_snapshots_of_10_gb_plus_two_egress_copies() {
    let sc = Scenario::load(&bundled("compute-gallery-example.toml")).unwrap();
    let r = simulate(&sc);
    let t = r.runs[0].totals;
    // 3 regions x 2 replicas x 10 GB x $0.05 = $3.00.
    assert_close(
        t.cost[Component::Storage],
        6.0 * 10.0 * 0.05,
        EXACT,
        "storage",
    );
    // Copies to the 2 regions other than the source, 10 GB each at $0.02 within North America.
    assert_close(
        t.cost[Component::Egress],
        2.0 * 10.0 * 0.02,
        EXACT,
        "egress",
    );
    assert_close(t.total_cost, 3.40, EXACT, "total");
    // The empty data disk makes it unusable by labs: every cent is ineligible cost.
    assert_close(t.ineligible_cost, 3.40, EXACT, "ineligible");
    assert_eq!(t.peak_replicas, 6);
    assert_eq!(r.copies.len(), 3);
    let egress: Vec<f64> = r.copy_costs.iter().map(|c| c[Component::Egress]).collect();
    assert_eq!(
        egress,
        vec![0.0, 0.2, 0.2],
        "home region copy has no egress"
    );
}

#[test]
fn compute_gallery_example_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .args(["run", "--quiet", "--out"])
        .arg(dir.path())
        .arg(bundled("compute-gallery-example.toml"))
        .assert()
        .success();
    let summary = read_csv(&dir.path().join("summary.csv"));
    let row = |metric: &str| {
        summary
            .iter()
            .find(|r| r["metric"] == metric)
            .unwrap()
            .clone()
    };
    assert_close(num(&row("total_cost"), "mean"), 3.40, CSV_4DP, "total_cost");
    assert_close(
        num(&row("storage_cost"), "p80"),
        3.00,
        CSV_4DP,
        "storage_cost",
    );
    assert_close(
        num(&row("egress_cost"), "max"),
        0.40,
        CSV_4DP,
        "egress_cost",
    );
    assert_close(
        num(&row("ineligible_cost"), "mean"),
        3.40,
        CSV_4DP,
        "ineligible_cost",
    );
    assert_eq!(row("peak_replicas")["mean"], "6.0000");
    let eligibility = read_csv(&dir.path().join("eligibility.csv"));
    assert_eq!(eligibility[0]["eligible"], "false");
    assert_eq!(eligibility[0]["reasons"], "has_data_disks");
}
