//! Beyond the Lab Services retirement: consumers over time, moves, clean-up; hand-computed.

use gallerysim::model::Component;
use gallerysim::model::LabStatus;

use crate::harness::*;

/// The issue's case: a US lab account (9 regions) in a gallery in eastus; a 10 GB image
/// exported on 2027-05-01 (instant export and copies, 1 replica); 3 months of 730 hours.
fn migration(image_extra: &str, gallery_extra: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "migration"
start = "2027-05-01"
months = 3

[prices]
snapshot_gb_month = 0.05
egress_intra_continent_gb = 0.02

[[gallery]]
name = "g"
region = "eastus"
{gallery_extra}

[[account]]
name = "la"
gallery = "g"
region = "eastus"
kind = "lab_account"

[[account]]
name = "avd-hosts"
gallery = "g"
region = "eastus"
kind = "avd"
replicate_to = ["westus2"]

[[image]]
name = "img"
account = "la"
os_disk_gb = 127
used_gb = 10
export_hours = 0
replication_hours = 0
{image_extra}
{extra}
"#
    )
}

#[test]
fn a_move_to_avd_and_a_retarget_cost_what_the_hand_says() {
    let text = migration(
        "exports = [\"2027-05-01\", \"2027-07-01\"]\nmoves = [{ on = \"2027-06-29\", account = \"avd-hosts\" }]",
        "retarget = [{ on = \"2027-07-01\", regions = [\"eastus\", \"westus2\"] }]",
        "",
    );
    let r = simulate(&scenario(&text));
    let t = r.runs[0].totals;
    // 2027-07-01 is 61 days = 1,464 hours in; the horizon is 2,190 hours.
    let storage = 9.0 * 10.0 * 0.05 * 1464.0 / 730.0 + 2.0 * (2.0 * 10.0 * 0.05 * 726.0 / 730.0);
    let egress = 8.0 * 10.0 * 0.02 + 10.0 * 0.02;
    assert_close(t.cost[Component::Storage], storage, EXACT, "storage");
    assert_close(t.cost[Component::Egress], egress, EXACT, "egress");
    assert_eq!(t.versions_created, 2);
}

#[test]
fn lab_services_ends_at_retirement_labs_are_retired_and_late_exports_are_refused() {
    // Monthly exports through the lab account stop at 2027-06-28: versions on 05-01, 05-31
    // (30 days) only; a lab created after the retirement is `retired`.
    let text = migration(
        "exports = { every_days = 30 }",
        "",
        "[[lab]]\nname = \"late\"\naccount = \"la\"\nimage = \"img\"\nregion = \"eastus\"\ncreate = \"2027-07-15\"",
    );
    let r = simulate(&scenario(&text));
    assert_eq!(r.runs[0].totals.versions_created, 2);
    assert_eq!(r.labs[0].status, LabStatus::Retired);

    // A dated export after the retirement through the lab account: exit 2 naming the image,
    // the date and the fix.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("late.toml");
    // Written out of order: the error points at the entry as written (keys count from 1).
    std::fs::write(
        &file,
        migration("exports = [\"2027-07-01\", \"2027-05-01\"]", "", ""),
    )
    .unwrap();
    let output = bin()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("key `image.img.exports[1]`")
            && stderr.contains("image `img` exports on 2027-07-01 through `la`")
            && stderr.contains("moves = [{ on = DATE, account = NAME }]"),
        "{stderr}"
    );
    assert!(!dir.path().join("o").exists());
}

#[test]
fn delete_on_stops_all_storage_from_that_date() {
    // Deleted on 2027-06-01 (31 days = 744 hours): 9 replicas x 10 GB for 744 hours.
    let text = migration(
        "exports = [\"2027-05-01\"]\ndelete_on = \"2027-06-01\"",
        "",
        "",
    );
    let r = simulate(&scenario(&text));
    assert_close(
        r.runs[0].totals.cost[Component::Storage],
        9.0 * 10.0 * 0.05 * 744.0 / 730.0,
        EXACT,
        "storage until deletion",
    );
    // The same through the gallery's delete_on.
    let text = migration(
        "exports = [\"2027-05-01\"]",
        "delete_on = \"2027-06-01\"",
        "",
    );
    let r = simulate(&scenario(&text));
    assert_close(
        r.runs[0].totals.cost[Component::Storage],
        9.0 * 10.0 * 0.05 * 744.0 / 730.0,
        EXACT,
        "gallery delete",
    );
}

#[test]
fn consumer_kinds_replicate_by_their_rule() {
    let base = r#"
[scenario]
name = "kinds"
start = "2026-09-01"
months = 1

[[gallery]]
name = "g"
region = "eastus"
"#;
    let with_account = |account: &str, lab: &str| {
        format!(
            "{base}\n[[account]]\nname = \"a\"\ngallery = \"g\"\nregion = \"eastus\"\n{account}\n\n[[image]]\nname = \"img\"\naccount = \"a\"\nos_disk_gb = 127\nused_gb = 10\n{lab}"
        )
    };
    let regions = |text: &str| {
        let sc = scenario(text);
        let im = &sc.images[0];
        im.periods[0]
            .targets
            .iter()
            .map(|&t| sc.regions.get(im.targets[t].0).name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        regions(&with_account(
            "kind = \"dev_box\"\nregions = [\"westeurope\", \"westus2\"]",
            ""
        )),
        ["eastus", "westeurope", "westus2"]
    );
    assert_eq!(
        regions(&with_account(
            "kind = \"devtest_lab\"",
            "\n[[lab]]\nname = \"l\"\naccount = \"a\"\nimage = \"img\"\nregion = \"centralus\""
        )),
        ["eastus", "centralus"]
    );
    assert_eq!(
        regions(&with_account(
            "kind = \"vmss\"\nreplicate_to = [\"westus3\"]",
            ""
        )),
        ["eastus", "westus3"]
    );
    assert_eq!(
        regions(&with_account("kind = \"lab_account\"", "")).len(),
        9
    );
}
