//! Versions that exist at the start (`[[version]]`), per-image replication settings and
//! orphan images (issue 26), with hand-computed costs.

use gallerysim::model::Component;
use gallerysim::scenario::Scenario;

use crate::harness::*;

/// A gallery in eastus, no consumer: `image` tables and `version` tables follow.
fn gallery(body: &str) -> String {
    format!(
        r#"
[scenario]
name = "existing"
start = "2027-01-01"
months = 3
runs = 1

[prices]
snapshot_gb_month = 0.05
egress_intra_continent_gb = 0.02

[[gallery]]
name = "g"
region = "eastus"
{body}"#
    )
}

/// Two 50 GB versions with one replica in eastus, westus2 and centralus.
const TWO_VERSIONS: &str = r#"
[[image]]
name = "cs101"
gallery = "g"
os_disk_gb = 127
used_gb = 50
exports = []

[[version]]
image = "cs101"
name = "1.0.0"
published = "2026-10-01T10:00:00.1234567+00:00"
used_gb = 50
targets = { eastus = 1, westus2 = 1, centralus = 1 }

[[version]]
image = "cs101"
name = "1.0.1"
published = 2026-11-01T10:00:00Z
used_gb = 50
targets = { eastus = 1, westus2 = 1, centralus = 1 }
end_of_life = "2026-12-15"
"#;

#[test]
fn two_existing_versions_in_three_regions_cost_15_every_month_without_egress() {
    // 2 versions x 3 regions x 1 replica x 50 GB x $0.05 = $15.00 a month, from the first hour;
    // they were copied before the start: no transfer. End of life does not stop billing.
    let r = simulate(&scenario(&gallery(TWO_VERSIONS)));
    let monthly = &r.monthly_totals[0];
    assert_eq!(monthly.len(), 3);
    for (m, cost) in monthly.iter().enumerate() {
        assert_close(*cost, 15.0, EXACT, &format!("month {}", m + 1));
    }
    let t = r.runs[0].totals;
    assert_close(t.cost[Component::Egress], 0.0, EXACT, "egress");
    assert_eq!(t.versions_created, 0, "existing versions are not created");
    assert_eq!(t.peak_replicas, 6);
    assert_eq!(r.copies.len(), 6);
}

#[test]
fn existing_versions_leave_in_publish_order_when_new_ones_arrive() {
    // Written newest first: publish order, not file order, decides. keep_versions = 2 and an
    // export on the 1st of each month (2 h to create): the first export (Jan 1, 02:00) deletes
    // 1.0.0, the second (Feb 1) deletes 1.0.1.
    let text = gallery(
        r#"keep_versions = 2

[[account]]
name = "plan"
gallery = "g"
region = "eastus"
kind = "lab_plan"

[[image]]
name = "cs101"
account = "plan"
os_disk_gb = 127
used_gb = 50
exports = ["2027-01-01", "2027-02-01"]

[[version]]
image = "cs101"
name = "1.0.1"
published = "2026-11-01"
used_gb = 50
targets = { eastus = 1 }

[[version]]
image = "cs101"
name = "1.0.0"
published = "2026-10-01"
used_gb = 50
targets = { eastus = 1 }
"#,
    );
    let sc = scenario(&text);
    assert_eq!(sc.images[0].existing[0].name, "1.0.0");
    let r = simulate(&sc);
    let deleted = |version: u32| {
        let row = r
            .copies
            .iter()
            .find(|c| c.version == version)
            .expect("a copy");
        row.deleted_at.get().map(|t| sc.calendar.iso(t))
    };
    assert_eq!(deleted(0).as_deref(), Some("2027-01-01T02:00:00Z"));
    assert_eq!(deleted(1).as_deref(), Some("2027-02-01T02:00:00Z"));
    assert_eq!(deleted(2), None);
    // versions.csv names: the existing ones their own, new ones after the newest.
    let names: Vec<String> = (0..4).map(|v| sc.images[0].version_name(v)).collect();
    assert_eq!(names, ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]);
}

#[test]
fn an_images_own_replicas_triple_its_storage_only() {
    // Two images, one 50 GB version each in eastus; the first keeps 3 replicas of its new
    // versions, the second the gallery's 1. One export each at the start, no copies elsewhere
    // (a lab plan without replicate_to): $0.05 x 50 x 3 = $7.50 and $2.50 a month.
    let text = gallery(
        r#"
[[account]]
name = "plan"
gallery = "g"
region = "eastus"
kind = "lab_plan"

[[image]]
name = "three"
account = "plan"
os_disk_gb = 127
used_gb = 50
exports = ["2027-01-01"]
export_hours = 0
replicas = 3

[[image]]
name = "one"
account = "plan"
os_disk_gb = 127
used_gb = 50
exports = ["2027-01-01"]
export_hours = 0
"#,
    );
    let r = simulate(&scenario(&text));
    assert_close(r.image_cost_mean[0], 3.0 * 7.5, EXACT, "three replicas");
    assert_close(r.image_cost_mean[1], 3.0 * 2.5, EXACT, "one replica");
}

#[test]
fn existing_copies_use_their_own_replica_counts_and_storage_types() {
    // eastus: 2 premium replicas; westus2: 1 LRS replica (bundled premium price x 2 x 50 GB + $0.05 x 50).
    let text = gallery(
        r#"
[[image]]
name = "cs101"
gallery = "g"
os_disk_gb = 127
used_gb = 50
exports = []

[[version]]
image = "cs101"
name = "1.0.0"
published = "2026-10-01"
used_gb = 50
targets = { eastus = 2, westus2 = 1 }
storage = { eastus = "premium_lrs" }
"#,
    );
    let sc = scenario(&text);
    let r = simulate(&sc);
    let premium = r
        .prices_used
        .iter()
        .find(|p| p.meter == "premium_snapshot_gb_month")
        .expect("a premium price is used")
        .priced
        .value;
    assert_close(
        r.monthly_totals[0][0],
        premium * 2.0 * 50.0 + 0.05 * 50.0,
        EXACT,
        "month 1",
    );
    assert_eq!(r.runs[0].totals.peak_replicas, 3);
    // The image's cost prices each copy at its own storage type (not its new versions' LRS).
    let per_month = premium * 2.0 * 50.0 + 0.05 * 50.0;
    assert_close(r.image_cost_mean[0], 3.0 * per_month, EXACT, "image cost");
}

#[test]
fn labs_use_existing_versions_at_once_unless_excluded_from_latest() {
    let text = gallery(
        r#"
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

[[version]]
image = "cs101"
name = "1.0.1"
published = "2026-11-01"
used_gb = 50
targets = { westus2 = 1 }
exclude_from_latest = true

[[lab]]
name = "east"
account = "plan"
image = "cs101"
region = "eastus"

[[lab]]
name = "west"
account = "plan"
image = "cs101"
region = "westus2"
"#,
    );
    let r = simulate(&scenario(&text));
    assert_eq!(r.labs[0].status.name(), "ready");
    assert_eq!(r.labs[0].wait_hours, Some(0.0));
    assert_eq!(r.labs[1].status.name(), "no_version");
    // Both are billed: 2 x 50 GB x $0.05.
    assert_close(r.monthly_totals[0][0], 5.0, EXACT, "month 1");
}

/// The error of validating `text`, as printed.
fn refused(text: &str) -> String {
    match Scenario::parse(text, "test.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn azures_limits_and_the_contract_are_enforced() {
    // (text replaced, replacement, message, key named)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "eastus = 1, westus2",
            "eastus = 51, westus2",
            "1..=50",
            "version.1.0.0.targets.eastus",
        ),
        (
            "{ eastus = 1, westus2 = 1, centralus = 1 }",
            "{ eastus = 50, westus2 = 50, centralus = 1 }",
            "at most 100 replicas per image version",
            "version.1.0.0.targets",
        ),
        (
            "2026-11-01T10:00:00Z",
            "2027-01-01T00:00:00Z",
            "not before the start",
            "version.1.0.1.published",
        ),
        (
            "end_of_life = \"2026-12-15\"",
            "storage = { westus = \"standard_lrs\" }",
            "no copy in this region",
            "version.1.0.1.storage.westus",
        ),
        (
            "end_of_life = \"2026-12-15\"",
            "storage = \"cold\"",
            "not a storage account type",
            "version.1.0.1.storage",
        ),
        (
            "name = \"1.0.1\"",
            "name = \"1.0.0\"",
            "already has a version `1.0.0`",
            ".name",
        ),
        (
            "exports = []",
            "exports = [\"2027-01-01\"]",
            "without `account`",
            "image.cs101.exports",
        ),
        (
            "gallery = \"g\"\nos_disk_gb",
            "os_disk_gb",
            "an `account`",
            "image.cs101.account",
        ),
        (
            "image = \"cs101\"\nname = \"1.0.1\"",
            "image = \"cs102\"\nname = \"1.0.1\"",
            "unknown image `cs102`",
            "version.1.0.1.image",
        ),
    ];
    for (from, to, expected, key) in cases {
        let text = gallery(TWO_VERSIONS).replacen(from, to, 1);
        assert_ne!(text, gallery(TWO_VERSIONS), "{from} not found");
        let message = refused(&text);
        assert!(message.contains(expected), "{to}: {message}");
        assert!(message.contains("test.toml:"), "{message}");
        assert!(message.contains(&format!("{key}`")), "{to}: {message}");
    }
}

#[test]
fn new_versions_are_named_after_the_highest_existing_number() {
    // 1.3.4 was published before 1.3.0 (a hotfix line): new versions continue at 1.3.5; a
    // last part that would overflow gets +1.
    let with = |older: &str| {
        let text = gallery(TWO_VERSIONS)
            .replacen("name = \"1.0.0\"", &format!("name = \"{older}\""), 1)
            .replacen("name = \"1.0.1\"", "name = \"1.3.0\"", 1);
        scenario(&text).images[0].version_name(2)
    };
    assert_eq!(with("1.3.4"), "1.3.5");
    assert_eq!(with("1.2.9"), "1.3.1");
    assert_eq!(
        with("1.3.18446744073709551615"),
        "1.3.18446744073709551615+1"
    );
}

#[test]
fn an_image_naming_another_gallery_than_its_accounts_is_refused() {
    let text = gallery(
        r#"
[[gallery]]
name = "other"
region = "westus2"

[[account]]
name = "plan"
gallery = "g"
region = "eastus"
kind = "lab_plan"

[[image]]
name = "cs101"
account = "plan"
gallery = "other"
os_disk_gb = 127
used_gb = 50
"#,
    );
    let message = refused(&text);
    assert!(message.contains("image.cs101.gallery"), "{message}");
    assert!(
        message.contains("account `plan` uses gallery `g`"),
        "{message}"
    );
}

#[test]
fn successor_rules_follow_the_consumer_and_lab_services_exports_only_specialized_images() {
    let text = |kind: &str, extra: &str| {
        // A Dev Box names the regions of its network connections.
        let regions = match kind {
            "dev_box" => "regions = [\"eastus\"]",
            _ => "",
        };
        gallery(&format!(
            r#"
[[account]]
name = "succ"
gallery = "g"
region = "eastus"
kind = "{kind}"
{regions}

[[image]]
name = "img"
account = "succ"
os_disk_gb = 127
used_gb = 50
exports = ["2027-01-01"]
{extra}
"#
        ))
    };
    let reasons = |kind: &str, extra: &str| -> Vec<&'static str> {
        let sc = scenario(&text(kind, extra));
        sc.images[0]
            .eligibility
            .reasons
            .iter()
            .map(|r| r.code())
            .collect()
    };
    assert_eq!(reasons("avd", ""), ["avd_needs_generalized"]);
    assert!(reasons("avd", "os_state = \"generalized\"").is_empty());
    assert_eq!(
        reasons("dev_box", "os_state = \"generalized\""),
        ["dev_box_needs_generation_2", "dev_box_needs_trusted_launch"]
    );
    assert!(reasons(
        "dev_box",
        "os_state = \"generalized\"\ngeneration = 2\nsecurity_type = \"trusted_launch\""
    )
    .is_empty());
    assert!(reasons("vmss", "").is_empty());
    // Unusable by its consumer: its whole cost is ineligible cost, as for labs.
    let r = simulate(&scenario(&text("avd", "")));
    let t = r.runs[0].totals;
    assert!(t.total_cost > 0.0);
    assert_close(t.ineligible_cost, t.total_cost, EXACT, "ineligible");
    // Lab Services exports only specialized images.
    let message = refused(&text("lab_plan", "os_state = \"generalized\""));
    assert!(message.contains("image.img.os_state"), "{message}");
    assert!(message.contains("exports only specialized"), "{message}");
    let message = refused(&text("dev_box", "security_type = \"trusted\""));
    assert!(message.contains("security_type"), "{message}");
}

#[test]
fn gallery_import_writes_a_scenario_that_runs_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let inventory: Vec<std::path::PathBuf> = [
        "sig-list",
        "image-definition-list",
        "win11-lab-versions",
        "solidworks-versions",
    ]
    .iter()
    .map(|f| repo().join("scenarios/inventory").join(format!("{f}.json")))
    .collect();
    let out = dir.path().join("ours.toml");
    bin()
        .args(["gallery", "import"])
        .args(&inventory)
        .args([
            "--used-gb",
            "win11-lab=52",
            "--start",
            "2026-09-01",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let sc = Scenario::load(&out).unwrap();
    // Five versions, 13 replicas: win11-lab 3 x (2 + 1), solidworks 2 x (1 + 1).
    let copies: u32 = (sc.images.iter())
        .flat_map(|im| im.existing.iter().flat_map(|v| v.copies.iter()))
        .map(|c| c.replicas)
        .sum();
    assert_eq!(copies, 13);
    // The gallery as it stands: every month costs the same, with no transfer.
    let r = simulate(&sc);
    let months = &r.monthly_totals[0];
    assert!(months.iter().all(|m| (m - months[0]).abs() < 1e-9));
    assert_eq!(r.runs[0].totals.cost[Component::Egress], 0.0);
    // The file exists now: refused without --force, and the file is kept.
    let again = bin()
        .args(["gallery", "import"])
        .args(&inventory)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    // Bad JSON: exit 2 naming the file, line and column; nothing written.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[{\"name\": \"g\",}]").unwrap();
    let other = dir.path().join("other.toml");
    let output = bin()
        .args(["gallery", "import"])
        .arg(&bad)
        .arg("--out")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.json:1:"), "{stderr}");
    assert!(!other.exists());
}
