//! Trust at the edges (issue 24): never delete a user's file, never drop or bend an input.
//! Each test reproduces a defect found by a hostile-input probe.

use std::path::Path;

use crate::harness::*;

/// `H.toml` of the issue: one gallery and one AVD account in eastus, one image.
pub const H: &str = r#"[scenario]
name = "D"
start = "2026-09-01"
months = 3

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "a"
kind = "avd"
gallery = "g"
region = "eastus"

[[image]]
name = "img"
account = "a"
os_disk_gb = 127
used_gb = 50
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[track_caller]
fn refused(output: &std::process::Output, fragments: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "exit code; stderr: {stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "expected {f:?} in: {stderr}");
    }
}

#[test]
fn out_never_replaces_a_folder_holding_user_files() {
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(docs.join("photos")).unwrap();
    write(&docs, "thesis.docx", "t");
    write(&docs, "summary.csv", "a,b");
    let output = bin()
        .args(["run", "--quiet", "--out"])
        .arg(&docs)
        .arg(&h)
        .output()
        .unwrap();
    refused(&output, &["--out", "photos/", "thesis.docx"]);
    assert_eq!(
        std::fs::read_to_string(docs.join("thesis.docx")).unwrap(),
        "t"
    );
    assert!(docs.join("photos").is_dir());
    // Nothing of ours is left beside it either.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with(".gallerysim"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_rerun_replaces_its_own_folder_and_a_file_added_by_hand_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let out = dir.path().join("out");
    let run = || {
        bin()
            .args(["run", "--quiet", "--out"])
            .arg(&out)
            .arg(&h)
            .output()
            .unwrap()
    };
    assert!(run().status.success());
    assert!(run().status.success(), "our own folder is replaced");
    write(&out, "notes.txt", "mine");
    refused(&run(), &["notes.txt"]);
    assert!(out.join("notes.txt").is_file());
}

#[test]
fn out_dot_is_refused_before_any_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    for out in [".", ".."] {
        let output = bin()
            .current_dir(&work)
            .args(["run", "--quiet", "--out", out])
            .arg(&h)
            .output()
            .unwrap();
        refused(&output, &["current folder"]);
    }
}

#[test]
fn single_output_files_never_overwrite_an_input_or_an_existing_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("pg.json");
    std::fs::copy(repo().join("tests/fixtures/prices/usd-page-1.json"), &page).unwrap();
    let before = std::fs::read(&page).unwrap();
    for force in [false, true] {
        let mut cmd = bin();
        cmd.args(["prices", "import"])
            .arg(&page)
            .arg("--out")
            .arg(&page);
        if force {
            cmd.arg("--force");
        }
        refused(&cmd.output().unwrap(), &["is also an input"]);
        assert_eq!(std::fs::read(&page).unwrap(), before);
    }
    let existing = write(dir.path(), "existing.toml", "# my scenario\n");
    let generate = |force: bool| {
        let mut cmd = bin();
        cmd.args(["generate", "--labs", "10", "--out"])
            .arg(&existing);
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    refused(&generate(false), &["--force"]);
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "# my scenario\n"
    );
    assert!(generate(true).status.success());
    assert!(std::fs::read_to_string(&existing)
        .unwrap()
        .contains("[[lab]]"));
}

#[cfg(unix)]
#[test]
fn outputs_get_the_permissions_of_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let bin = assert_cmd::cargo::cargo_bin("gallerysim");
    let script = format!(
        "umask 022 && {b} run --quiet --out out {h} && {b} run --quiet --shard 1/1 --out parts {h}",
        b = bin.display(),
        h = h.display()
    );
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("out")), 0o755);
    assert_eq!(mode(&dir.path().join("out/summary.csv")), 0o644);
    assert_eq!(mode(&dir.path().join("out/report.html")), 0o644);
    assert_eq!(
        mode(&dir.path().join("parts/partial-0001-of-0001.gsp")),
        0o644
    );
}

/// Whether `dir` holds a staging folder or temporary file of gallerysim.
fn has_staging(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().starts_with(".gallerysim-"))
}

#[cfg(unix)]
#[test]
fn a_hangup_ignored_by_the_parent_stays_ignored() {
    // As under `nohup`: SIGHUP is ignored when gallerysim starts; a hangup must not stop it.
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("gallerysim");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' HUP; exec {} run --quiet --runs 20000 --threads 1 --out out",
            bin.display()
        ))
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    let staging = || has_staging(dir.path());
    while !staging() && child.try_wait().unwrap().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(dir.path().join("out/summary.csv").is_file());
}

#[cfg(unix)]
#[test]
fn sigterm_while_writing_leaves_no_staging_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gallerysim"))
        .args([
            "run",
            "--quiet",
            "--runs",
            "200000",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The staging folder is made before the simulation starts.
    let staging = || has_staging(dir.path());
    let started = std::time::Instant::now();
    while !staging() {
        assert!(
            started.elapsed().as_secs() < 60,
            "no staging folder appeared"
        );
        assert!(child.try_wait().unwrap().is_none(), "finished too early");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!staging(), "a staging folder was left");
    assert!(!out.exists());
}

/// H plus deployments of `img`: (name, region, vms, at).
fn dep(deployments: &[(&str, &str, u32, &str)]) -> String {
    let mut text = H.to_string();
    for (name, region, vms, at) in deployments {
        text.push_str(&format!(
            "\n[[deployment]]\nname = \"{name}\"\nimage = \"img\"\nregion = \"{region}\"\nvms = {vms}\nat = {at}\ncreate_minutes = 10\n"
        ));
    }
    text
}

#[test]
fn simultaneous_waves_share_the_regions_replicas() {
    use gallerysim::model::WaveStatus;
    // 1 replica x 20 VMs per replica = 20 creations at a time, 10 minutes each.
    // One wave of 240: 12 rounds = 120 min.
    let one = simulate(&scenario(&dep(&[(
        "all",
        "eastus",
        240,
        "[\"2026-09-02\"]",
    )])));
    assert_eq!(one.waves.len(), 1);
    assert_close(
        one.waves[0].minutes.unwrap(),
        120.0,
        EXACT,
        "one wave of 240",
    );
    // Three simultaneous waves of 80 take turns on the same 20 slots: all three end at 120 min
    // (each wave's VMs are spread over all 12 rounds), not 40 min each.
    let at = "[\"2026-09-02\"]";
    let three = simulate(&scenario(&dep(&[
        ("a", "eastus", 80, at),
        ("b", "eastus", 80, at),
        ("c", "eastus", 80, at),
    ])));
    assert_eq!(three.waves.len(), 3);
    for w in &three.waves {
        assert_eq!(w.status, WaveStatus::Ready);
        assert_close(
            w.minutes.unwrap(),
            120.0,
            EXACT,
            "a simultaneous wave of 80",
        );
    }
    // A wave that starts while another still holds the slots queues behind it: 3,000 VMs
    // asked on Sep 2 take 150 rounds (1,500 min, to 01:00 on Sep 3); 20 more asked on Sep 3
    // start at 01:00 and end at 01:10, 70 minutes after they were asked.
    let queued = simulate(&scenario(&dep(&[
        ("big", "eastus", 3000, "[\"2026-09-02\"]"),
        ("late", "eastus", 20, "[\"2026-09-03\"]"),
    ])));
    let late = queued.waves.iter().find(|w| w.deployment == 1).unwrap();
    assert_close(late.minutes.unwrap(), 70.0, EXACT, "a wave behind another");
}

#[test]
fn a_deployment_where_the_image_never_goes_is_not_served_and_warned() {
    use gallerysim::model::WaveStatus;
    // The image is only in eastus; westus2 cannot deploy it.
    let text = dep(&[
        ("dated", "westus2", 10, "[\"2026-09-02\", \"2026-10-02\"]"),
        ("each", "westus2", 10, "\"each_version\""),
    ]);
    let s = scenario(&text);
    assert!(
        s.warnings
            .iter()
            .filter(|w| w.code.code() == "deployment_not_replicated")
            .count()
            == 2,
        "{:?}",
        s.warnings
    );
    let r = simulate(&s);
    // H exports once, at the start (the default): one `each_version` wave, plus the 2 dated
    // ones; none served.
    let statuses: Vec<_> = r.waves.iter().map(|w| (w.deployment, w.status)).collect();
    assert_eq!(
        r.waves.iter().filter(|w| w.deployment == 0).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        r.waves.iter().filter(|w| w.deployment == 1).count(),
        1,
        "{statuses:?}"
    );
    assert!(r.waves.iter().all(|w| w.status == WaveStatus::NotServed));
    assert_eq!(r.runs[0].totals.waves_not_ready as usize, r.waves.len());
    // `check` warns too.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "dep.toml", &text);
    let output = bin().arg("check").arg(&path).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("deployment_not_replicated"), "{stdout}");
}

/// Runs scenario `text` (as `t.toml`) and expects exit 2 with every fragment in stderr and
/// nothing written.
#[track_caller]
fn run_refused(text: &str, extra: &[&str], fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.toml", text);
    let out = dir.path().join("out");
    let output = bin()
        .arg("run")
        .arg(&path)
        .args(extra)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    refused(&output, fragments);
    assert!(!out.exists());
}

#[test]
fn dates_before_the_start_are_errors_everywhere_not_moved_to_the_start() {
    let image_delete = H.replace("used_gb = 50", "used_gb = 50\ndelete_on = \"2026-06-01\"");
    run_refused(
        &image_delete,
        &[],
        &["t.toml:21:", "image.img.delete_on", "before scenario.start"],
    );
    let gallery_delete = H.replace(
        "region = \"eastus\"\n\n[[account]]",
        "region = \"eastus\"\ndelete_on = \"2026-08-31\"\n\n[[account]]",
    );
    run_refused(
        &gallery_delete,
        &[],
        &["gallery.g.delete_on", "before scenario.start"],
    );
    let retarget = H.replace(
        "region = \"eastus\"\n\n[[account]]",
        "region = \"eastus\"\nretarget = [{ on = \"2026-01-01\", regions = [\"eastus\"] }]\n\n[[account]]",
    );
    run_refused(
        &retarget,
        &[],
        &["gallery.g.retarget[1].on", "before scenario.start"],
    );
    let until = H.replace("kind = \"avd\"", "kind = \"avd\"\nuntil = \"2026-01-01\"");
    run_refused(&until, &[], &["account.a.until", "before scenario.start"]);
}

#[test]
fn deployments_after_the_horizon_or_with_no_dates_are_refused() {
    run_refused(
        &dep(&[("late", "eastus", 10, "[\"2026-10-01\", \"2027-01-15\"]")]),
        &[],
        &[
            "deployment.late.at[2]",
            "after the end of the horizon (2026-12-01)",
        ],
    );
    run_refused(
        &dep(&[("none", "eastus", 10, "[]")]),
        &[],
        &["deployment.none.at", "asks for no wave"],
    );
}

#[test]
fn a_retirement_before_a_lab_accounts_start_names_the_rules_key() {
    let text = H
        .replace("kind = \"avd\"", "kind = \"lab_account\"")
        .replace(
            "months = 3\n",
            "months = 3\n\n[rules]\nlab_services_retirement = \"2020-01-01\"\n",
        );
    run_refused(
        &text,
        &[],
        &["t.toml:7:", "rules.lab_services_retirement", "2020-01-01"],
    );
}

#[test]
fn compare_refuses_scenarios_on_different_month_grids() {
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let output = bin()
        .arg("compare")
        .arg(&h)
        .args([
            "--variant",
            "cal:scenario.billing_months=\"calendar\"",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    refused(
        &output,
        &["billing_months = calendar", "billing_months = 730h"],
    );
}

#[test]
fn names_with_control_characters_are_refused() {
    let text = H.replace("name = \"D\"", "name = \"D\\u001b[31m\"");
    run_refused(&text, &[], &["scenario.name", "control characters"]);
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let output = bin()
        .arg("compare")
        .arg(&h)
        .args(["--variant", "x\u{1b}[2J:image.img.used_gb=10", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    refused(&output, &["--variant", "control characters"]);
}

#[test]
fn user_text_that_a_spreadsheet_would_run_is_escaped_in_every_csv() {
    use gallerysim::report::csv::spreadsheet_safe;
    for (text, safe) in [
        (
            "=HYPERLINK(\"http://x\",\"y\")",
            "'=HYPERLINK(\"http://x\",\"y\")",
        ),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-5.25", "-5.25"),
        ("lab-1", "lab-1"),
    ] {
        assert_eq!(spreadsheet_safe(text), safe, "{text:?}");
    }
    // End to end: an image and a lab named like formulas.
    let text = H.replace("name = \"img\"", "name = \"=HYPERLINK(1)\"").replace(
        "image = \"img\"",
        "image = \"=HYPERLINK(1)\"",
    ) + "\n[[lab]]\nname = \"@evil\"\naccount = \"a\"\nimage = \"=HYPERLINK(1)\"\nregion = \"eastus\"\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.toml", &text);
    let out = dir.path().join("out");
    let output = bin()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            for row in read_csv(&path) {
                for (column, value) in &row {
                    assert!(
                        !value.starts_with('=') && !value.starts_with('@'),
                        "{}: {column} = {value}",
                        path.display()
                    );
                }
            }
        }
    }
    let labs = read_csv(&out.join("labs.csv"));
    assert_eq!(labs[0]["lab"], "'@evil");
    assert_eq!(labs[0]["image"], "'=HYPERLINK(1)");
    let versions = read_csv(&out.join("versions.csv"));
    assert_eq!(versions[0]["image"], "'=HYPERLINK(1)");
}

#[test]
fn every_command_refuses_absurd_work_up_front() {
    // Deployment waves count: 92 daily waves of 100,000 VMs x 1,000 runs is about 9e9.
    let waves = dep(&[("huge", "eastus", 100_000, "{ every_days = 1 }")]);
    run_refused(
        &waves,
        &["--runs", "1000"],
        &["--max-events", "deployment waves"],
    );
    // Analyses count every simulation they would run: a tornado of a 2,000-lab fleet.
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet.toml");
    let generated = bin()
        .args([
            "generate", "--labs", "2000", "--runs", "20", "--months", "12", "--out",
        ])
        .arg(&fleet)
        .output()
        .unwrap();
    assert!(generated.status.success());
    // (Each input's variants re-simulate one image: 2,000 runs are refused, issue 30.)
    let tornado = bin()
        .arg("tornado")
        .arg(&fleet)
        .args(["--per-image", "--runs", "2000", "--out"])
        .arg(dir.path().join("t"))
        .output()
        .unwrap();
    refused(&tornado, &["`tornado`", "simulations of 2000 runs"]);
    // A sweep of 20,000 values is refused before 20,000 scenarios are built.
    let values: Vec<String> = (0..20_000).map(|v| v.to_string()).collect();
    let h = write(dir.path(), "H.toml", H);
    let sweep = bin()
        .arg("sweep")
        .arg(&h)
        .args([
            "--param",
            "gallery.g.keep_versions",
            "--values",
            &values.join(","),
        ])
        .output()
        .unwrap();
    refused(&sweep, &["--values", "at most 1000"]);
    assert!(!dir.path().join("t").exists());
}

#[test]
fn replicas_for_a_region_the_gallery_never_uses_are_warned() {
    let text = H.replace(
        "region = \"eastus\"\n\n[[account]]",
        "region = \"eastus\"\nreplicas = { westeurope = 5 }\n\n[[account]]",
    );
    let s = scenario(&text);
    let warning = s
        .warnings
        .iter()
        .find(|w| w.code.code() == "gallery_region_unused")
        .expect("warned");
    assert!(
        warning.message.contains("westeurope"),
        "{}",
        warning.message
    );
}

/// Runs `gallerysim ARGS` in a fresh folder holding `H.toml`; returns the output and the folder.
fn in_h(args: &[&str]) -> (std::process::Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "H.toml", H);
    let output = gallerysim(dir.path(), args);
    (output, dir)
}

#[test]
fn second_round_of_hostile_inputs_is_refused_cleanly() {
    // A shard's --out under a file: exit 2 naming --out, before any simulation.
    let (o, _d) = in_h(&["run", "H.toml", "--shard", "1/2", "--out", "H.toml/parts"]);
    refused(&o, &["--out"]);
    // A bidi override in a name.
    let bidi = H.replace("name = \"D\"", "name = \"D\\u202Eevil\"");
    run_refused(&bidi, &[], &["scenario.name", "invisible formatting"]);
    // Budgets have a range.
    let (o, _d) = in_h(&["run", "H.toml", "--budget-total", "1e308"]);
    refused(&o, &["--budget-total"]);
    // A horizon past year 9999 would write blank dates.
    let far = H.replace(
        "start = \"2026-09-01\"\nmonths = 3",
        "start = \"9990-01-01\"\nmonths = 600",
    );
    run_refused(&far, &[], &["scenario", "9999-12-31"]);
    // A key given twice: the last value would silently win.
    let (o, _d) = in_h(&[
        "run",
        "H.toml",
        "--set",
        "image.img.used_gb=60",
        "--set",
        "image.img.used_gb=40",
    ]);
    refused(&o, &["--set", "given twice"]);
    let (o, _d) = in_h(&[
        "compare",
        "H.toml",
        "--variant",
        "x:gallery.g.keep_versions=0",
        "--variant",
        "x:gallery.g.keep_versions=1",
    ]);
    refused(&o, &["--variant", "variant `x`", "given twice"]);
    // generate's seed has scenario.seed's range.
    let (o, _d) = in_h(&["generate", "--seed", "18446744073709551615"]);
    refused(&o, &["--seed"]);
}

#[test]
fn a_deployment_in_a_region_retargeted_away_is_not_served() {
    use gallerysim::model::WaveStatus;
    // A lab plan replicating to westus2; on Oct 1 the gallery keeps eastus only. A wave in
    // westus2 on Sep 15 is served; one on Oct 15 cannot be (no version will come back).
    let text = r#"[scenario]
name = "retarget"
start = "2026-09-01"
months = 3

[[gallery]]
name = "g"
region = "eastus"
retarget = [{ on = "2026-10-01", regions = ["eastus", "centralindia"] }]

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
replication_hours = 1

[[deployment]]
name = "west"
image = "img"
region = "westus2"
vms = 10
at = ["2026-09-15", "2026-10-15"]
"#;
    let s = scenario(text);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.code.code() == "gallery_region_unused" && w.message.contains("centralindia")),
        "{:?}",
        s.warnings
    );
    let r = simulate(&s);
    let statuses: Vec<WaveStatus> = r.waves.iter().map(|w| w.status).collect();
    assert_eq!(statuses, [WaveStatus::Ready, WaveStatus::NotServed]);
}

#[test]
fn sweep_values_keep_commas_inside_inline_tables() {
    let (o, d) = in_h(&[
        "sweep",
        "H.toml",
        "--param",
        "image.img.used_gb",
        "--values",
        "{ dist = \"uniform\", min = 40, max = 60 },50",
        "--out",
        "sw",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = read_csv(&d.path().join("sw/sweep.csv"));
    assert_eq!(rows.len(), 2);
    // Uniform 40..60 for three months is 50 GB on average: the same total as 50.
    assert_eq!(rows[1]["value"], "50");
}

#[test]
fn periodic_exports_skipped_while_an_account_is_inactive_are_warned() {
    // The image moves on Oct 1 to an account that opens on Nov 1: exports of Oct 13 and 27
    // cannot happen, and the user is told so.
    let text = H
        .replace(
            "used_gb = 50",
            "used_gb = 50\nexports = { every_days = 14 }\nmoves = [{ on = \"2026-10-01\", account = \"b\" }]",
        )
        .replace(
            "[[image]]",
            "[[account]]\nname = \"b\"\nkind = \"avd\"\ngallery = \"g\"\nregion = \"eastus\"\nfrom = \"2026-11-01\"\n\n[[image]]",
        );
    let s = scenario(&text);
    let paused: Vec<_> = s
        .warnings
        .iter()
        .filter(|w| w.code.code() == "exports_paused")
        .collect();
    assert_eq!(paused.len(), 1, "{:?}", s.warnings);
    assert!(
        paused[0].message.contains("from 2026-10-01 to 2026-11-01"),
        "{}",
        paused[0].message
    );
}

#[test]
fn an_each_version_wave_whose_copy_is_cancelled_in_flight_is_not_served() {
    use gallerysim::model::WaveStatus;
    // Daily exports, keep 1 version, copies to westus2 take 48 hours: every version is
    // replaced (and its westus2 copy cancelled) before it arrives. Each such version's wave
    // is not served; none may vanish.
    let text = r#"[scenario]
name = "cancelled"
start = "2026-09-01"
months = 1

[[gallery]]
name = "g"
region = "eastus"
keep_versions = 1

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
exports = { every_days = 1 }

[[deployment]]
name = "west"
image = "img"
region = "westus2"
vms = 10
at = "each_version"
"#;
    let r = simulate(&scenario(text));
    let versions = r.runs[0].totals.versions_created as usize;
    // 31 daily versions in 730 hours; the last one is still copying at the horizon.
    assert_eq!(versions, 31);
    assert_eq!(r.waves.len(), versions - 1);
    assert!(r.waves.iter().all(|w| w.status == WaveStatus::NotServed));
}

#[cfg(unix)]
#[test]
fn a_file_put_into_the_output_folder_during_a_run_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let h = write(dir.path(), "H.toml", H);
    let out = dir.path().join("out");
    let first = gallerysim(dir.path(), &["run", "H.toml", "--quiet", "--out", "out"]);
    assert!(first.status.success());
    let summary = std::fs::read(out.join("summary.csv")).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gallerysim"))
        .args([
            "run",
            "--quiet",
            "--runs",
            "20000",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&out)
        .arg(&h)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let staging = || has_staging(dir.path());
    while !staging() && child.try_wait().unwrap().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // The user saves a note into the results folder while the run goes on.
    write(&out, "notes.txt", "mine");
    let output = child.wait_with_output().unwrap();
    refused(&output, &["notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), summary);
    let litter: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".gallerysim-"))
        .collect();
    assert!(litter.is_empty(), "{litter:?}");
}
