//! Same scenario and seed: byte-identical CSVs at any thread count.

use std::path::Path;

use crate::harness::*;

fn run(scenario: &Path, out: &Path, extra: &[&str]) {
    bin()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .assert()
        .success();
}

fn csvs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn one_and_two_threads_write_identical_csvs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("t1"), dir.path().join("t2"));
    // 600 runs: more than one parallel chunk, so chunking is exercised too.
    let sc = bundled("budget-montecarlo.toml");
    run(&sc, &a, &["--threads", "1", "--runs", "600"]);
    run(&sc, &b, &["--threads", "2", "--runs", "600"]);
    let (fa, fb) = (csvs(&a), csvs(&b));
    assert_eq!(
        fa.len(),
        8,
        "six contract CSVs, monthly_percentiles.csv and prices_used.csv"
    );
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{name} differs between 1 and 2 threads");
    }
}

/// Every file of a folder (CSVs, charts, report.html), by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// A fleet big enough that one run is split by image at two threads (and not at one):
/// the folders are identical, for one run and for a few.
#[test]
fn a_fleet_split_within_a_run_writes_identical_folders() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = dir.path().join("fleet.toml");
    bin()
        .args(["generate", "--labs", "400", "--runs", "1", "--out"])
        .arg(&fleet)
        .assert()
        .success();
    for runs in ["1", "3"] {
        let (a, b) = (dir.path().join("t1"), dir.path().join("t2"));
        run(&fleet, &a, &["--threads", "1", "--runs", runs]);
        run(&fleet, &b, &["--threads", "2", "--runs", runs]);
        let (fa, fb) = (files(&a), files(&b));
        assert!(fa.len() > 10, "CSVs, charts and report.html");
        assert_eq!(fa.len(), fb.len());
        for ((name, x), (other, y)) in fa.iter().zip(&fb) {
            assert_eq!(name, other);
            assert!(
                x == y,
                "{name} differs between 1 and 2 threads, {runs} runs"
            );
        }
    }
}

#[test]
fn deployments_are_deterministic_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("t1"), dir.path().join("t2"));
    let sc = bundled("question-replicas.toml");
    run(&sc, &a, &["--threads", "1", "--runs", "150"]);
    run(&sc, &b, &["--threads", "2", "--runs", "150"]);
    let (fa, fb) = (csvs(&a), csvs(&b));
    assert_eq!(
        fa.len(),
        10,
        "with deployments.csv and deployment_minutes.csv"
    );
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(x == y, "{name} differs between 1 and 2 threads");
    }
}

#[test]
fn the_seed_changes_the_numbers_and_is_recorded_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("s1"), dir.path().join("s2"));
    let sc = bundled("default.toml");
    run(&sc, &a, &["--seed", "1", "--runs", "20"]);
    run(&sc, &b, &["--seed", "2", "--runs", "20"]);
    let (ra, rb) = (read_csv(&a.join("runs.csv")), read_csv(&b.join("runs.csv")));
    assert_eq!(ra.len(), 20);
    assert_ne!(ra[0]["seed"], rb[0]["seed"]);
    // Neighbouring master seeds must not share runs (no shifted copies of the same streams).
    let costs_a: Vec<&String> = ra.iter().map(|r| &r["total_cost"]).collect();
    assert!(rb.iter().all(|r| !costs_a.contains(&&r["total_cost"])));
}
