//! Model behaviour with hand-computed numbers: retention, cancellation in flight, lab status,
//! export schedules, billing models and month boundaries.

use gallerysim::model::{Component, LabStatus};

use crate::harness::*;

/// Lab plan in eastus replicating to westus2; 100 GB versions exported on day 0 and day 10;
/// copies to westus2 take 300 hours. Snapshot $0.05/GB-month, egress $0.02/GB.
fn retention_scenario(keep_versions: u32) -> String {
    format!(
        r#"
[scenario]
name = "retention"
start = "2026-09-01"
months = 1

[[gallery]]
name = "g"
region = "eastus"
keep_versions = {keep_versions}

[[account]]
name = "plan"
gallery = "g"
region = "eastus"
kind = "lab_plan"
replicate_to = ["westus2"]

[[image]]
name = "img"
account = "plan"
os_disk_gb = 127
used_gb = 100
exports = ["2026-09-01", "2026-09-11"]
export_hours = 0
replication_hours = 300

[[image]]
name = "late"
account = "plan"
os_disk_gb = 127
used_gb = 10
exports = ["2026-12-01"]

[[lab]]
name = "west"
account = "plan"
image = "img"
region = "westus2"

[[lab]]
name = "east-later"
account = "plan"
image = "img"
region = "eastus"
create = "2026-09-05"

[[lab]]
name = "dublin"
account = "plan"
image = "img"
region = "northeurope"

[[lab]]
name = "waiting"
account = "plan"
image = "late"
region = "eastus"
"#
    )
}

#[test]
fn keep_one_version_deletes_the_old_one_and_cancels_its_copy_in_flight() {
    let r = simulate(&scenario(&retention_scenario(1)));
    let t = r.runs[0].totals;
    // v1 home [0 h, 240 h); v1 -> westus2 due at 300 h is cancelled at 240 h (no cost);
    // v2 home [240 h, 730 h); v2 -> westus2 completes at 540 h: [540 h, 730 h) + 100 GB egress.
    // Storage: 100 GB x $0.05 x (240 + 490 + 190) / 730 h.
    let storage = 100.0 * 0.05 * (240.0 + 490.0 + 190.0) / 730.0;
    assert_close(t.cost[Component::Storage], storage, EXACT, "storage");
    assert_close(t.cost[Component::Egress], 100.0 * 0.02, EXACT, "egress");
    assert_close(t.total_cost, storage + 2.0, EXACT, "total");
    assert_close(t.total_cost, 8.301_369_863, 1e-8, "total, by hand");
    assert_eq!(t.versions_created, 2);
    assert_eq!(t.peak_replicas, 2);

    let states: Vec<(u32, Option<u64>, Option<u64>)> = r
        .copies
        .iter()
        .map(|c| {
            (
                c.version,
                c.available_at.get().map(|t| t.0 / 3600),
                c.deleted_at.get().map(|t| t.0 / 3600),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (0, Some(0), Some(240)), // v1 eastus, deleted by retention
            (0, None, Some(240)),    // v1 westus2, cancelled in flight
            (1, Some(240), None),    // v2 eastus
            (1, Some(540), None),    // v2 westus2
        ]
    );
}

#[test]
fn keeping_all_versions_costs_more_by_the_hand_computed_amount() {
    let r = simulate(&scenario(&retention_scenario(0)));
    let t = r.runs[0].totals;
    // v1 home all month; v1 west [300, 730); v2 home [240, 730); v2 west [540, 730).
    let storage = 5.0 + 5.0 * (430.0 + 490.0 + 190.0) / 730.0;
    assert_close(t.cost[Component::Storage], storage, EXACT, "storage");
    assert_close(
        t.cost[Component::Egress],
        4.0,
        EXACT,
        "egress: two copies of 100 GB",
    );
    assert_eq!(t.peak_replicas, 4);
}

#[test]
fn lab_status_follows_the_contract_rules() {
    let sc = scenario(&retention_scenario(1));
    let r = simulate(&sc);
    let by_name = |name: &str| {
        let i = sc.labs.iter().position(|l| l.name == name).unwrap();
        r.labs[i]
    };
    // westus2: v1's copy was cancelled, v2's completed at 540 h.
    let west = by_name("west");
    assert_eq!(west.status, LabStatus::Ready);
    assert_eq!(west.ready_at.unwrap().0, 540 * 3600);
    assert_close(west.wait_hours.unwrap(), 540.0, EXACT, "wait");
    // eastus, created on day 4: v1 is already there, so no wait.
    let east = by_name("east-later");
    assert_eq!(east.status, LabStatus::Ready);
    assert_eq!(east.ready_at.unwrap().0, 96 * 3600);
    assert_eq!(east.wait_hours, Some(0.0));
    assert_eq!(by_name("dublin").status, LabStatus::NotReplicatedToRegion);
    assert_eq!(by_name("waiting").status, LabStatus::NoVersion);
}

fn one_region(image_extra: &str, scenario_extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "one region"
start = "2026-09-01"
months = 2
{scenario_extra}

[[gallery]]
name = "g"
region = "westeurope"

[[account]]
name = "plan"
gallery = "g"
region = "westeurope"
kind = "lab_plan"

[[image]]
name = "img"
account = "plan"
used_gb = 20
export_hours = 0
{image_extra}
"#
    )
}

#[test]
fn every_days_exports_start_at_the_start() {
    // 1,460 h horizon = 60.8 days: exports on days 0, 7, ..., 56 = 9 versions.
    let r = simulate(&scenario(&one_region(
        "os_disk_gb = 127\nexports = { every_days = 7 }",
        "",
    )));
    assert_eq!(r.runs[0].totals.versions_created, 9);
    // Version k lives from day 7k to the horizon: 20 GB x $0.05 x sum(1460 - 168k) / 730.
    let hours: f64 = (0..9).map(|k| 1460.0 - 168.0 * f64::from(k)).sum();
    assert_close(
        r.runs[0].totals.cost[Component::Storage],
        20.0 * 0.05 * hours / 730.0,
        EXACT,
        "storage",
    );
}

#[test]
fn poisson_exports_average_the_requested_rate() {
    // 4 per month over 2 months: 8 expected per run; 400 runs give a mean within 0.3 easily
    // (the standard error is sqrt(8 / 400) = 0.14).
    let r = simulate(&scenario(&one_region(
        "os_disk_gb = 127\nexports = { per_month = 4 }",
        "runs = 400\nseed = 5",
    )));
    let mean = r
        .runs
        .iter()
        .map(|x| f64::from(x.totals.versions_created))
        .sum::<f64>()
        / 400.0;
    assert_close(mean, 8.0, 0.42, "mean versions");
}

#[test]
fn managed_disk_billing_uses_the_smallest_tier_that_holds_the_os_disk() {
    // 64.5 GB needs S10 (westeurope $5.888/month, Retail Prices API 2026-07): one replica
    // for 2 months = $11.776.
    let r = simulate(&scenario(&one_region(
        "os_disk_gb = 64.5\nexports = [\"2026-09-01\"]",
        "storage_billing = \"managed_disk\"",
    )));
    assert_close(
        r.runs[0].totals.cost[Component::Storage],
        2.0 * 5.888,
        EXACT,
        "storage",
    );
    assert_close(
        r.monthly_mean.entry(1, 0).quantity(Component::Storage),
        1.0,
        EXACT,
        "disk-months",
    );
}

#[test]
fn storage_splits_across_billing_months_and_egress_lands_in_its_month() {
    // Export on day 20 (480 h): month 1 holds 250 h, month 2 the full 730 h.
    let r = simulate(&scenario(&one_region(
        "os_disk_gb = 127\nexports = [\"2026-09-21\"]",
        "",
    )));
    assert_close(
        r.monthly_mean.entry(0, 0).cost_of(Component::Storage),
        1.0 * 250.0 / 730.0,
        EXACT,
        "month 1",
    );
    assert_close(
        r.monthly_mean.entry(1, 0).cost_of(Component::Storage),
        1.0,
        EXACT,
        "month 2",
    );
}

#[test]
fn inter_continent_copies_use_the_source_continents_price() {
    let text = one_region(
        "os_disk_gb = 127\nexports = [\"2026-09-01\"]\nreplication_hours = 0",
        "",
    )
    .replace(
        "kind = \"lab_plan\"",
        "kind = \"lab_plan\"\nreplicate_to = [\"eastus\", \"northeurope\"]",
    );
    let r = simulate(&scenario(&text));
    // westeurope -> eastus: $0.05/GB between continents; -> northeurope: $0.02 within Europe.
    assert_close(
        r.runs[0].totals.cost[Component::Egress],
        20.0 * (0.05 + 0.02),
        EXACT,
        "egress",
    );
}

#[test]
fn premium_galleries_use_the_premium_snapshot_price() {
    let text = one_region("os_disk_gb = 127\nexports = [\"2026-09-01\"]", "")
        .replace(
            "region = \"westeurope\"\n\n[[account]]",
            "region = \"westeurope\"\nstorage = \"premium_lrs\"\n\n[[account]]",
        )
        .replace(
            "months = 2",
            "months = 2\n\n[prices]\npremium_snapshot_gb_month = 0.15",
        );
    let r = simulate(&scenario(&text));
    assert_close(
        r.runs[0].totals.cost[Component::Storage],
        20.0 * 0.15 * 2.0,
        EXACT,
        "storage",
    );
}

#[test]
fn replicas_table_sets_per_region_counts() {
    let text = one_region(
        "os_disk_gb = 127\nexports = [\"2026-09-01\"]\nreplication_hours = 0",
        "",
    )
    .replace(
        "region = \"westeurope\"\n\n[[account]]",
        "region = \"westeurope\"\nreplicas = { northeurope = 3 }\n\n[[account]]",
    )
    .replace(
        "kind = \"lab_plan\"",
        "kind = \"lab_plan\"\nreplicate_to = [\"northeurope\"]",
    );
    let r = simulate(&scenario(&text));
    // westeurope 1 replica, northeurope 3: 4 x 20 GB x $0.05 x 2 months = $8; one egress copy.
    assert_close(
        r.runs[0].totals.cost[Component::Storage],
        8.0,
        EXACT,
        "storage",
    );
    assert_close(
        r.runs[0].totals.cost[Component::Egress],
        20.0 * 0.02,
        EXACT,
        "egress",
    );
    assert_eq!(r.runs[0].totals.peak_replicas, 4);
}

#[test]
fn a_lab_account_in_another_geography_than_its_gallery_is_warned_about() {
    let text = one_region("os_disk_gb = 127", "").replace(
        "region = \"westeurope\"\nkind = \"lab_plan\"",
        "region = \"eastus\"\nkind = \"lab_account\"",
    );
    let sc = scenario(&text);
    assert!(
        sc.warnings.iter().any(|w| w.code
            == gallerysim::scenario::WarningCode::GalleryInOtherGeography
            && w.message.contains(
                "lab account `plan` is in the United States geography but its gallery `g` is in Europe"
            )),
        "{:?}",
        sc.warnings
    );
}

/// A size distribution without an upper bound can draw past the OS disk: warned about with
/// its P99.9 (lognormal, mean 100, sd 15: sigma^2 = ln 1.0225, P99.9 = exp(mu + 3.090 sigma)
/// = 156.8 GB over a 127 GB disk). A bounded one that fits never does: not warned.
#[test]
fn a_used_size_that_can_draw_past_the_os_disk_is_warned_about() {
    let warnings = |used: &str| {
        let text = one_region("os_disk_gb = 127", "").replace("used_gb = 20", used);
        scenario(&text)
            .warnings
            .into_iter()
            .filter(|w| w.code == gallerysim::scenario::WarningCode::UsedOverDisk)
            .map(|w| w.message)
            .collect::<Vec<_>>()
    };
    let over = warnings(r#"used_gb = { dist = "lognormal", mean = 100, sd = 15 }"#);
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(over[0].contains("P99.9 = 156.8 GB"), "{over:?}");
    // Mean 40, sd 10: P99.9 = 83 GB.
    assert_eq!(
        warnings(r#"used_gb = { dist = "lognormal", mean = 40, sd = 10 }"#),
        Vec::<String>::new()
    );
    assert_eq!(
        warnings(r#"used_gb = { dist = "pert", min = 60, mode = 120, max = 127 }"#),
        Vec::<String>::new()
    );
}

/// One 40 GB image exported on 2027-01-11 (240 hours in), one region, $0.05/GB-month.
fn billed(months: u32, billing: &str) -> gallerysim::montecarlo::Results {
    let sc = scenario(&format!(
        r#"
[scenario]
name = "billing months"
start = "2027-01-01"
months = {months}
billing_months = "{billing}"

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "plan"
gallery = "g"
region = "eastus"
kind = "lab_plan"

[[image]]
name = "img"
account = "plan"
os_disk_gb = 127
used_gb = 40
exports = ["2027-01-11"]
export_hours = 0
"#
    ));
    simulate(&sc)
}

#[test]
fn calendar_months_prorate_by_the_hours_of_each_month() {
    // 730-hour month: alive 730 - 240 = 490 h of 730.
    let r = billed(1, "730h");
    assert_close(
        r.runs[0].totals.total_cost,
        40.0 * 0.05 * 490.0 / 730.0,
        EXACT,
        "730h",
    );
    // January has 744 hours: alive 504 of 744.
    let r = billed(1, "calendar");
    assert_close(
        r.runs[0].totals.total_cost,
        40.0 * 0.05 * 504.0 / 744.0,
        EXACT,
        "January",
    );
    // Into February (672 hours, the whole month): one full GB-month more.
    let r = billed(2, "calendar");
    assert_close(
        r.monthly_mean.entry(1, 0).cost_of(Component::Storage),
        40.0 * 0.05,
        EXACT,
        "February",
    );
    assert_close(
        r.runs[0].totals.total_cost,
        40.0 * 0.05 * (504.0 / 744.0 + 1.0),
        EXACT,
        "two calendar months",
    );
    let sc = scenario(
        &std::fs::read_to_string(bundled("default.toml"))
            .unwrap()
            .replace(
                "months = 12 ",
                "months = 12\nbilling_months = \"calendar\" ",
            ),
    );
    assert_eq!(sc.calendar.month_start_iso(2), "2026-10-01T00:00:00Z");
}

#[test]
fn the_premium_warning_is_only_for_the_assumed_price() {
    use gallerysim::scenario::WarningCode::PremiumPriceUndocumented;
    let premium = |region: &str| {
        scenario(
            &one_region("os_disk_gb = 127", "")
                .replace(
                    "region = \"westeurope\"\n\n[[account]]",
                    "region = \"westeurope\"\nstorage = \"premium_lrs\"\n\n[[account]]",
                )
                .replace("\"westeurope\"", &format!("\"{region}\"")),
        )
    };
    // westeurope's premium snapshot price is published (0.145); eastus's is our assumption.
    let west = premium("westeurope");
    assert!(!west
        .warnings
        .iter()
        .any(|w| w.code == PremiumPriceUndocumented));
    assert_eq!(
        west.prices
            .get(
                gallerysim::catalog::prices::Item::PremiumSnapshot,
                west.galleries[0].region
            )
            .value,
        0.145
    );
    let east = premium("eastus");
    assert!(
        east.warnings
            .iter()
            .any(|w| w.code == PremiumPriceUndocumented),
        "{:?}",
        east.warnings
    );
}
