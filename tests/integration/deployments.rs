//! Deployment waves: what replicas buy, with hand-computed minutes.

use gallerysim::model::WaveStatus;

use crate::harness::*;

/// A lab plan in eastus replicating to westus2 (copies take 48 hours); one 40 GB image
/// exported at the start; `replicas` replicas in every region; one deployment.
fn scenario_with(replicas: u32, deployment: &str, rules: &str) -> String {
    format!(
        r#"
[scenario]
name = "waves"
start = "2026-09-01"
months = 1

[rules]
{rules}

[[gallery]]
name = "g"
region = "eastus"
replicas = {replicas}

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
used_gb = 40
export_hours = 0
replication_hours = 48

[[deployment]]
name = "semester"
image = "img"
{deployment}
"#
    )
}

const EASTUS_200: &str =
    "region = \"eastus\"\nvms = 200\nat = [\"2026-09-02\"]\ncreate_minutes = 10";

#[test]
fn replicas_bound_concurrent_creations() {
    // 200 VMs of 10 minutes, 20 per replica: 1 replica = 20 at a time = 10 rounds = 100 min.
    for (replicas, minutes) in [(1, 100.0), (3, 40.0), (4, 30.0), (10, 10.0), (20, 10.0)] {
        let r = simulate(&scenario(&scenario_with(replicas, EASTUS_200, "")));
        assert_eq!(r.waves.len(), 1);
        let w = r.waves[0];
        assert_eq!(w.status, WaveStatus::Ready);
        assert_close(
            w.minutes.unwrap(),
            minutes,
            EXACT,
            &format!("{replicas} replicas"),
        );
        assert_eq!(r.runs[0].totals.slowest_deployment_minutes, Some(minutes));
    }
    // With the scaling section's 50 VMs per replica: 2 replicas serve 100 at once = 20 min.
    let r = simulate(&scenario(&scenario_with(
        2,
        EASTUS_200,
        "vms_per_replica = 50",
    )));
    assert_close(r.waves[0].minutes.unwrap(), 20.0, EXACT, "50 per replica");
}

#[test]
fn a_wave_before_its_version_arrives_waits_for_the_copy() {
    // westus2's copy completes 48 hours after the start; the wave is asked for at 24 hours:
    // it waits 24 hours (1,440 minutes), then 200 VMs at 20 at a time take 100 minutes.
    let text = scenario_with(
        1,
        "region = \"westus2\"\nvms = 200\nat = [\"2026-09-02\"]\ncreate_minutes = 10",
        "",
    );
    let r = simulate(&scenario(&text));
    assert_close(
        r.waves[0].minutes.unwrap(),
        1440.0 + 100.0,
        EXACT,
        "wait counts",
    );
}

#[test]
fn a_region_never_replicated_is_not_served_and_each_version_makes_one_wave_per_arrival() {
    let never = scenario_with(
        1,
        "region = \"centralus\"\nvms = 10\nat = [\"2026-09-02\"]",
        "",
    );
    let r = simulate(&scenario(&never));
    assert_eq!(r.waves[0].status, WaveStatus::NotServed);
    assert_eq!(r.runs[0].totals.waves_not_ready, 1);

    // Three exports, so three versions reach westus2 (48 h after each): three waves.
    let each = scenario_with(
        2,
        "region = \"westus2\"\nvms = 40\nat = \"each_version\"\ncreate_minutes = 15",
        "",
    )
    .replace(
        "export_hours = 0",
        "export_hours = 0\nexports = [\"2026-09-01\", \"2026-09-10\", \"2026-09-20\"]",
    );
    let r = simulate(&scenario(&each));
    assert_eq!(r.waves.len(), 3);
    for w in &r.waves {
        // 40 VMs, 2 replicas x 20 = 40 at once: 15 minutes, no wait.
        assert_close(w.minutes.unwrap(), 15.0, EXACT, "each version");
    }
}

#[test]
fn deployments_write_their_files_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.toml");
    std::fs::write(
        &file,
        scenario_with(4, &format!("{EASTUS_200}\ntarget_minutes = 30"), ""),
    )
    .unwrap();
    let out = dir.path().join("out");
    bin()
        .arg("run")
        .arg(&file)
        .args(["-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let waves = read_csv(&out.join("deployments.csv"));
    assert_eq!(waves.len(), 1);
    assert_eq!(waves[0]["status"], "ready");
    assert_eq!(waves[0]["replicas"], "4");
    assert_eq!(waves[0]["minutes_to_ready"], "30.0000");
    let stats = read_csv(&out.join("deployment_minutes.csv"));
    assert_eq!(stats[0]["within_target"], "1.0000");
    let summary = read_csv(&out.join("summary.csv"));
    let slowest = summary
        .iter()
        .find(|r| r["metric"] == "slowest_deployment_minutes")
        .unwrap();
    assert_eq!(num(slowest, "mean"), 30.0);
    let svg = std::fs::read_to_string(out.join("deployment_minutes.svg")).unwrap();
    assert!(svg.contains("semester (eastus)") && svg.contains("target"));
}

#[test]
fn the_advisor_finds_the_fewest_replicas_for_the_target() {
    use gallerysim::analysis::advise::advise;
    let sc = scenario(&scenario_with(1, EASTUS_200, ""));
    // 3 replicas give 40 minutes, 4 give 30: advise 4, at 4 x 40 GB x $0.05 = $8.00 a month.
    let advice = advise(&sc, 30.0, 0.9, simulate);
    assert_eq!(advice.len(), 1);
    let a = &advice[0];
    assert_eq!((a.replicas_now, a.replicas_advised), (1, Some(4)));
    assert_eq!(a.minutes_now, Some(100.0));
    assert_eq!(a.minutes_advised, Some(30.0));
    assert_close(a.monthly_cost_now, 40.0 * 0.05, EXACT, "1 replica");
    assert_close(
        a.monthly_cost_advised.unwrap(),
        4.0 * 40.0 * 0.05,
        EXACT,
        "4 replicas",
    );
    assert!(a.frontier.iter().any(|p| p.0 == 3 && p.1 == Some(40.0)));
    // 50 VMs per replica: 2 replicas.
    let sc = scenario(&scenario_with(1, EASTUS_200, "vms_per_replica = 50"));
    assert_eq!(
        advise(&sc, 30.0, 0.9, simulate)[0].replicas_advised,
        Some(2)
    );
    // A target below the creation time itself cannot be met by any replica count.
    let sc = scenario(&scenario_with(1, EASTUS_200, ""));
    let a = &advise(&sc, 5.0, 0.9, simulate)[0];
    assert_eq!(a.replicas_advised, None);
    assert!(
        a.note.contains("VM creation alone exceeds the target"),
        "{}",
        a.note
    );
}

#[test]
fn the_advisor_advises_and_prices_only_the_deployed_image() {
    use gallerysim::analysis::advise::advise;
    // A second image in the same region, stored but never deployed: the advice is for `img`
    // alone (4 replicas, $8.00 a month), and `other` keeps its one replica.
    let text = scenario_with(1, EASTUS_200, "").replace(
        "[[deployment]]",
        "[[image]]\nname = \"other\"\naccount = \"plan\"\nos_disk_gb = 127\nused_gb = 100\nexport_hours = 0\n\n[[deployment]]",
    );
    let sc = scenario(&text);
    let advice = advise(&sc, 30.0, 0.9, simulate);
    assert_eq!(advice.len(), 1);
    let a = &advice[0];
    assert_eq!(sc.images[a.image].name, "img");
    assert_eq!(a.replicas_advised, Some(4));
    assert_close(a.monthly_cost_now, 40.0 * 0.05, EXACT, "img's replica only");
    assert_close(
        a.monthly_cost_advised.unwrap(),
        8.0,
        EXACT,
        "img's 4 replicas",
    );
}

#[test]
fn advise_writes_advice_and_the_frontier() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.toml");
    std::fs::write(&file, scenario_with(1, EASTUS_200, "")).unwrap();
    let out = dir.path().join("out");
    let output = bin()
        .args(["advise"])
        .arg(&file)
        .args(["--target-minutes", "30", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("eastus") && stdout.contains("$8.00"),
        "{stdout}"
    );
    let rows = read_csv(&out.join("advice.csv"));
    assert_eq!(rows[0]["replicas_advised"], "4");
    assert_eq!(rows[0]["image"], "img");
    assert_eq!(rows[0]["monthly_cost_advised"], "8.0000");
    assert!(out.join("advice_frontier.png").is_file());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<svg") && html.contains("$8.00"),
        "the shareable report"
    );
}

#[test]
fn compare_warns_when_the_cheaper_variant_leaves_a_lab_without_its_image() {
    // Dropping westus2 from the lab plan is cheaper, but the westus2 lab never gets a version.
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n[[lab]]\nname = \"west\"\naccount = \"plan\"\nimage = \"img\"\nregion = \"westus2\"\n",
        scenario_with(1, EASTUS_200, "")
    );
    let file = dir.path().join("w.toml");
    std::fs::write(&file, text).unwrap();
    let output = bin()
        .arg("compare")
        .arg(&file)
        .args([
            "--variant",
            "eastonly:account.plan.replicate_to=[]",
            "-q",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "eastonly is cheaper than w but serves worse: 1.0 more labs without a usable image"
        ),
        "{stderr}"
    );
    let rows = read_csv(&dir.path().join("out/comparison.csv"));
    let labs = rows
        .iter()
        .find(|r| r["scenario"] == "eastonly" && r["metric"] == "labs_not_ready")
        .unwrap();
    assert_eq!(num(labs, "delta_mean"), 1.0);
}

/// The few_replicas caution counts what the model creates from the gallery at once: one
/// template VM per lab (30 labs of 25 students created together: 30 VMs, so 2 replicas are
/// recommended, not 38), nothing for labs whose image no lab can use, and deployment waves.
#[test]
fn few_replicas_counts_what_is_created_from_the_gallery_at_once() {
    let few = |text: &str| -> Vec<String> {
        scenario(text)
            .warnings
            .iter()
            .filter(|w| w.code.code() == "few_replicas")
            .map(|w| w.message.clone())
            .collect()
    };
    let labs = |os_disk_gb: u32| {
        scenario_with(1, EASTUS_200, "")
            .replace("os_disk_gb = 127\n", &format!("os_disk_gb = {os_disk_gb}\n"))
            + "\n[[lab]]\nname = \"cs\"\naccount = \"plan\"\nimage = \"img\"\nregion = \"westus2\"\ncount = 30\nstudents = 25\n"
    };
    let warnings = few(&labs(127));
    // The wave of 200 VMs in eastus: 10 replicas recommended.
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("in eastus for up to 200 VMs") && w.contains("(10 here)")),
        "{warnings:?}"
    );
    // 30 labs in westus2: 30 template VMs, 2 replicas, not 750 VMs and 38.
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("in westus2 for up to 30 VMs") && w.contains("(2 here)")),
        "{warnings:?}"
    );
    // An image over 128 GB deploys no lab: only the wave is left.
    let warnings = few(&labs(256));
    assert!(
        !warnings.iter().any(|w| w.contains("westus2")),
        "{warnings:?}"
    );
}
