//! `check`, `regions`, the terminal report and progress output.

use crate::harness::*;

#[test]
fn check_prints_eligibility_and_lab_status_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = bin()
        .current_dir(dir.path())
        .arg("check")
        .arg(bundled("pitfalls.toml"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "valid even with ineligible images"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    for text in [
        "oversized-256gb",
        "os_disk_over_limit",
        "has_data_disks",
        "os_disk_at_limit",
        "generation_2",
        "ineligible_image",
        "ready",
        "exactly 128 GB",
    ] {
        assert!(
            stdout.contains(text),
            "check output lacks {text:?}:\n{stdout}"
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "check writes nothing"
    );
}

#[test]
fn check_rejects_an_invalid_file_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "[scenario]\nname = \"x\"\nstart = \"2026-09-01\"\nmonths = 0\n",
    )
    .unwrap();
    let output = bin().arg("check").arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad.toml:4:1: key `scenario.months`"));
}

#[test]
fn regions_lists_geographies_and_marks_restricted_ones() {
    let output = bin().args(["regions", "norway"]).output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Norway (continent for egress prices: europe)"),
        "{stdout}"
    );
    assert!(stdout.contains("norwaywest"));
    assert!(stdout
        .lines()
        .any(|l| l.contains("norwaywest") && l.contains("restricted")));
    assert!(!stdout
        .lines()
        .any(|l| l.contains("norwayeast") && l.contains("restricted")));

    let all = bin().arg("regions").output().unwrap();
    let stdout = String::from_utf8_lossy(&all.stdout);
    let regions = stdout.lines().filter(|l| l.starts_with("   ")).count();
    assert_eq!(regions, 57);

    assert_eq!(
        bin()
            .args(["regions", "Atlantis"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn run_report_names_costs_ineligible_images_labs_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let output = bin()
        .arg("run")
        .arg(bundled("pitfalls.toml"))
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for text in [
        "GB-months",
        "westeurope",
        "Images no lab can use",
        "oversized-256gb",
        "Labs that never become ready",
        "chem-course",
        "Warnings:",
        "Wrote 15 files",
    ] {
        assert!(stdout.contains(text), "report lacks {text:?}:\n{stdout}");
    }
    // Not a terminal: no progress bar or escape codes on stderr.
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn quiet_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = bin()
        .args(["run", "--quiet", "--out"])
        .arg(dir.path())
        .arg(bundled("pitfalls.toml"))
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(output.stdout.is_empty() && output.stderr.is_empty());
}

#[test]
fn generate_writes_a_valid_fleet_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.toml");
    bin()
        .args([
            "generate", "--labs", "45", "--months", "6", "--runs", "3", "--out",
        ])
        .arg(&file)
        .assert()
        .success();
    let scenario = gallerysim::scenario::Scenario::load(&file).unwrap();
    assert_eq!(
        (scenario.labs.len(), scenario.months, scenario.runs),
        (45, 6, 3)
    );
    bin().arg("check").arg(&file).assert().success();
    let output = bin()
        .args(["generate", "--geographies", "narnia"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn report_html_is_one_self_contained_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    bin()
        .args(["run"])
        .arg(bundled("question-migration.toml"))
        .args(["-q", "--runs", "20", "--out"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // Every chart inline, the font embedded, the scenario and the prices at the end.
    let charts = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "svg")
        })
        .count();
    assert_eq!(html.matches("<svg").count(), charts);
    assert!(html.contains("@font-face") && html.contains("data:font/ttf;base64,"));
    assert!(html.contains("P80 total (budget)"));
    assert!(html.contains("Images nobody uses any more"));
    assert!(html.contains("<h2>Prices used</h2>") && html.contains("snapshot_gb_month"));
    assert!(html.contains("retarget = [{ on = &quot;2027-07-01&quot;"));
    // Nothing fetched from elsewhere, nothing to run.
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    assert!(html.contains("@media print"));
}

#[test]
fn a_small_two_geography_fleet_has_labs_in_both() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.toml");
    bin()
        .args([
            "generate",
            "--labs",
            "40",
            "--geographies",
            "us,europe",
            "--out",
        ])
        .arg(&file)
        .assert()
        .success();
    let sc = gallerysim::scenario::Scenario::load(&file).unwrap();
    assert_eq!(sc.labs.len(), 40);
    let geographies: std::collections::BTreeSet<&str> = sc
        .labs
        .iter()
        .map(|l| sc.regions.get(l.region).geography.as_str())
        .collect();
    assert_eq!(
        geographies.into_iter().collect::<Vec<_>>(),
        ["Europe", "United States"]
    );
}

#[test]
fn a_fleet_report_shows_top_rows_and_verbose_shows_all() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.toml");
    bin()
        .args([
            "generate", "--labs", "400", "--months", "6", "--runs", "2", "--out",
        ])
        .arg(&file)
        .assert()
        .success();
    let report = |extra: &[&str]| {
        let out = bin()
            .arg("run")
            .arg(&file)
            .args(extra)
            .arg("--out")
            .arg(dir.path().join("o"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let short = report(&[]);
    let full = report(&["--verbose"]);
    assert!(short.contains("(monthly.csv; --verbose)"), "{short}");
    assert!(short.lines().count() * 2 < full.lines().count());
    // The total is always there, and the same (column widths aside).
    let total = |text: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with("total "))
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(total(&short), total(&full));
}

/// A catalog from the fixture pages, written into `dir`.
fn imported_catalog(dir: &std::path::Path) -> std::path::PathBuf {
    let catalog = dir.join("prices-usd.csv");
    let output = bin()
        .args(["prices", "import"])
        .arg(repo().join("tests/fixtures/prices/usd-page-1.json"))
        .arg("--out")
        .arg(&catalog)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    catalog
}

#[test]
fn check_takes_prices_like_run() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = imported_catalog(dir.path());
    let output = bin()
        .current_dir(dir.path())
        .arg("check")
        .arg(bundled("default.toml"))
        .arg("--prices")
        .arg(&catalog)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(!String::from_utf8_lossy(&output.stdout).is_empty());
    let missing = bin()
        .arg("check")
        .arg(bundled("default.toml"))
        .arg("--prices")
        .arg(dir.path().join("no-such.csv"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("--prices"), "{stderr}");
}

#[test]
fn each_analysis_help_states_its_own_default_out() {
    for (command, default) in [
        ("run", "output/<scenario file stem>/"),
        ("compare", "output/compare-<first scenario's file stem>/"),
        ("sweep", "output/sweep-<scenario file stem>/"),
        ("tornado", "output/tornado-<scenario file stem>/"),
        ("advise", "output/advise-<scenario file stem>/"),
    ] {
        let output = bin().args([command, "--help"]).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(
            help.contains(&format!("Default: `{default}`")),
            "{command} --help lacks {default}:\n{help}"
        );
    }
}

#[test]
fn prices_import_needs_out_and_writes_nothing_into_output() {
    let dir = tempfile::tempdir().unwrap();
    let output = bin()
        .current_dir(dir.path())
        .args(["prices", "import"])
        .arg(repo().join("tests/fixtures/prices/usd-page-1.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--out <CATALOG.csv>"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The CSV files of a run, by name (the HTML report, which quotes the scenario, aside).
fn csv_files(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

#[test]
fn set_with_an_empty_value_removes_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(bundled("question-migration.toml")).unwrap();
    assert!(original.contains("\ndelete_on = \"2027-10-01\"\n"));
    let without = dir.path().join("question-migration.toml");
    std::fs::write(
        &without,
        original.replace("\ndelete_on = \"2027-10-01\"\n", "\n"),
    )
    .unwrap();
    let run = |scenario: &std::path::Path, out: &str, set: &[&str]| {
        let mut command = bin();
        command
            .arg("run")
            .arg(scenario)
            .args(["--runs", "2", "--quiet", "--out"])
            .arg(dir.path().join(out));
        for s in set {
            command.args(["--set", s]);
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        csv_files(&dir.path().join(out))
    };
    let kept = run(&bundled("question-migration.toml"), "kept", &[]);
    let removed = run(
        &bundled("question-migration.toml"),
        "removed",
        &["image.cad-legacy.delete_on="],
    );
    let edited = run(&without, "edited", &[]);
    assert_eq!(
        removed.keys().collect::<Vec<_>>(),
        edited.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &removed {
        assert!(
            edited[name] == *bytes,
            "{name} differs from the edited file's"
        );
    }
    assert_ne!(
        kept, removed,
        "the image is no longer deleted on 2027-10-01"
    );

    // A key the scenario does not have is refused, naming it.
    let output = bin()
        .arg("check")
        .arg(bundled("question-migration.toml"))
        .args(["--set", "image.cad-legacy.moves="])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("removes a key, but the scenario has no `image.cad-legacy.moves`"),
        "{stderr}"
    );
}
