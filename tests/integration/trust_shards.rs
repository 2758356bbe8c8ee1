//! Issue 24, shards and merge: partials checked for meaning (not only integrity), empty
//! shards, a merge whose memory is bounded by one partial, and price catalogs identified by
//! their content.

use std::path::{Path, PathBuf};

use gallerysim::shard::{self, Body, Header};

use crate::harness::*;

/// A small scenario (issue 24's `H`, with a lab so that the detailed run has something).
const H: &str = r#"[scenario]
name = "D"
start = "2026-09-01"
months = 3
runs = 4
seed = 1

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "a"
kind = "lab_plan"
gallery = "g"
region = "eastus"
replicate_to = ["westus2"]

[[image]]
name = "img"
account = "a"
os_disk_gb = 127
used_gb = { dist = "uniform", min = 40, max = 60 }
exports = { every_days = 30 }

[[lab]]
name = "l"
account = "a"
image = "img"
region = "westus2"
"#;

#[track_caller]
fn ok(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[track_caller]
fn same_folders(a: &Path, b: &Path) {
    let (a, b) = (folder(a), folder(b));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs");
    }
}

/// `merge INPUTS --out merged` in `dir`: exit code 2, every fragment in stderr, nothing
/// written, never a panic.
#[track_caller]
fn merge_refused(dir: &Path, inputs: &[&str], fragments: &[&str]) -> String {
    let mut args = vec!["merge"];
    args.extend_from_slice(inputs);
    args.extend_from_slice(&["--out", "merged"]);
    let output = gallerysim(dir, &args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "expected {f:?} in {stderr}");
    }
    assert!(!dir.join("merged").exists(), "nothing written");
    stderr
}

/// Splits a partial file into its header and body.
fn decode(path: &Path) -> (Header, Body) {
    let bytes = std::fs::read(path).unwrap();
    let newline = bytes.iter().position(|&b| b == b'\n').unwrap();
    let header: Header = serde_json::from_slice(&bytes[..newline]).unwrap();
    let body: Body = postcard::from_bytes(&bytes[newline + 1..]).unwrap();
    (header, body)
}

/// Writes a partial whose every hash and size is recomputed, as a forger would.
fn forge(path: &Path, header: &Header, body: &Body) {
    let mut header = header.clone();
    let payload = postcard::to_stdvec(body).unwrap();
    header.content_hash = shard::content_hash(body, header.seed, header.runs);
    header.body_bytes = payload.len() as u64;
    header.body_hash = format!("{:016x}", gallerysim::stats::fnv1a(&payload));
    let mut bytes = serde_json::to_vec(&header).unwrap();
    bytes.push(b'\n');
    bytes.extend_from_slice(&payload);
    std::fs::write(path, bytes).unwrap();
}

/// `H.toml` in a fresh folder, with the partial of shard `1/1` in `parts/`.
fn one_partial() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("H.toml"), H).unwrap();
    ok(&gallerysim(
        dir.path(),
        &["run", "H.toml", "--shard", "1/1", "--out", "parts", "-q"],
    ));
    let path = dir.path().join("parts/partial-0001-of-0001.gsp");
    assert!(path.is_file());
    (dir, path)
}

#[test]
fn a_forged_partial_with_recomputed_hashes_is_refused_by_meaning_not_a_panic() {
    let (dir, path) = one_partial();
    let d = dir.path();
    let (header, body) = decode(&path);
    // Untouched, re-encoded by the forger: still merges.
    forge(&d.join("same.gsp"), &header, &body);
    ok(&gallerysim(
        d,
        &["merge", "same.gsp", "--out", "same", "-q"],
    ));

    // The body's scenario says 24 months; its runs have 3 (was a panic in the ledger).
    let mut long = body.clone();
    long.scenario_text = long.scenario_text.replace("months = 3", "months = 24");
    assert_ne!(long.scenario_text, body.scenario_text);
    forge(&d.join("months.gsp"), &header, &long);
    merge_refused(d, &["months.gsp"], &["months.gsp", "24 months", "3"]);

    // A header seed of 777 while the runs used seed 1.
    let mut seed = header.clone();
    seed.seed = 777;
    forge(&d.join("seed.gsp"), &seed, &body);
    merge_refused(d, &["seed.gsp"], &["seed.gsp", "seed 777"]);

    // Another gallerysim build.
    let mut other = header.clone();
    other.gallerysim = "0.0.1-other".to_string();
    forge(&d.join("version.gsp"), &other, &body);
    merge_refused(
        d,
        &["version.gsp"],
        &["version.gsp", "gallerysim 0.0.1-other"],
    );

    // A shard label that is not the run range, more runs than the body holds.
    let mut label = header.clone();
    label.shard = "2/2".to_string();
    forge(&d.join("label.gsp"), &label, &body);
    merge_refused(d, &["label.gsp"], &["label.gsp", "shard 2/2"]);
    let mut runs = header.clone();
    runs.runs = 5;
    runs.end_run = 5;
    forge(&d.join("runs.gsp"), &runs, &body);
    merge_refused(d, &["runs.gsp"], &["runs.gsp", "run"]);
    let mut none = header.clone();
    none.runs = 0;
    none.end_run = 0;
    forge(&d.join("zero.gsp"), &none, &body);
    merge_refused(d, &["zero.gsp"], &["zero.gsp", "runs"]);

    // Budget options no command line accepts.
    let mut budget = body.clone();
    budget.budget.fail_over = Some(7.0);
    forge(&d.join("budget.gsp"), &header, &budget);
    merge_refused(d, &["budget.gsp"], &["budget.gsp", "fail"]);
    let mut budget = body.clone();
    budget.budget.monthly = Some(f64::NAN);
    forge(&d.join("nan.gsp"), &header, &budget);
    merge_refused(d, &["nan.gsp"], &["nan.gsp", "budget"]);

    // A body scenario that no longer validates.
    let mut invalid = body.clone();
    invalid.scenario_text = invalid.scenario_text.replace("eastus", "atlantis");
    forge(&d.join("invalid.gsp"), &header, &invalid);
    merge_refused(d, &["invalid.gsp"], &["invalid.gsp", "atlantis"]);
}

#[test]
fn a_flipped_bit_is_named_as_a_hash_mismatch_not_a_size() {
    let (dir, path) = one_partial();
    let d = dir.path();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() - 20;
    bytes[at] ^= 0x10;
    std::fs::write(d.join("flipped.gsp"), &bytes).unwrap();
    let stderr = merge_refused(d, &["flipped.gsp"], &["flipped.gsp", "hash"]);
    assert!(!stderr.contains("truncated"), "{stderr}");
    // A file cut short is said to be truncated, with both sizes.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(d.join("cut.gsp"), &bytes[..bytes.len() - 7]).unwrap();
    merge_refused(d, &["cut.gsp"], &["cut.gsp", "truncated"]);
}

#[test]
fn an_empty_shard_says_so_and_its_partial_merges() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("H.toml"), H).unwrap();
    // 4 runs over 8 shards: shard 5 has no run.
    let stdout = ok(&gallerysim(
        d,
        &["run", "H.toml", "--shard", "5/8", "--out", "parts"],
    ));
    assert!(stdout.contains("no runs in this shard"), "{stdout}");
    assert!(
        !stdout.contains("1..0") && !stdout.contains("runs 3..2"),
        "{stdout}"
    );
    assert!(d.join("parts/partial-0005-of-0008.gsp").is_file());
    for k in [1, 2, 3, 4, 6, 7, 8] {
        ok(&gallerysim(
            d,
            &[
                "run",
                "H.toml",
                "--shard",
                &format!("{k}/8"),
                "--out",
                "parts",
                "-q",
            ],
        ));
    }
    ok(&gallerysim(d, &["merge", "parts", "--out", "merged", "-q"]));
    ok(&gallerysim(d, &["run", "H.toml", "--out", "single", "-q"]));
    same_folders(&d.join("single"), &d.join("merged"));
    // An empty shard given twice is a mistake like any other shard given twice.
    std::fs::remove_dir_all(d.join("merged")).unwrap();
    merge_refused(
        d,
        &["parts", "parts/partial-0005-of-0008.gsp"],
        &["partial-0005-of-0008.gsp", "twice"],
    );
}

#[test]
fn a_run_with_a_price_catalog_and_its_merged_shards_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("H.toml"), H).unwrap();
    let catalog = std::fs::read(repo().join("data/prices.csv")).unwrap();
    for sub in ["a", "b"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
        std::fs::write(d.join(sub).join("cat.csv"), &catalog).unwrap();
    }
    ok(&gallerysim(
        d,
        &[
            "run",
            "H.toml",
            "--prices",
            "a/cat.csv",
            "--out",
            "single",
            "-q",
        ],
    ));
    // Two identical catalogs at different paths: one catalog.
    for (k, path) in [(1, "a/cat.csv"), (2, "b/cat.csv")] {
        ok(&gallerysim(
            d,
            &[
                "run",
                "H.toml",
                "--prices",
                path,
                "--shard",
                &format!("{k}/2"),
                "--out",
                "parts",
                "-q",
            ],
        ));
    }
    ok(&gallerysim(d, &["merge", "parts", "--out", "merged", "-q"]));
    same_folders(&d.join("single"), &d.join("merged"));
    // The source shown is the catalog as named on the command line, never a temporary path.
    let html = std::fs::read_to_string(d.join("merged/report.html")).unwrap();
    assert!(html.contains("a/cat.csv"), "the catalog's source");
    assert!(
        !html.contains("/tmp/") && !html.contains(".tmp"),
        "no temporary path"
    );
    // A second merge gives the same bytes again.
    ok(&gallerysim(d, &["merge", "parts", "--out", "again", "-q"]));
    same_folders(&d.join("merged"), &d.join("again"));
    // Another catalog's content is still another catalog.
    let other = String::from_utf8(catalog)
        .unwrap()
        .replacen(",0.05,", ",0.07,", 1);
    std::fs::write(d.join("b/cat.csv"), other).unwrap();
    ok(&gallerysim(
        d,
        &[
            "run",
            "H.toml",
            "--prices",
            "b/cat.csv",
            "--shard",
            "2/2",
            "--out",
            "parts",
            "-q",
        ],
    ));
    std::fs::remove_dir_all(d.join("merged")).unwrap();
    merge_refused(
        d,
        &["parts"],
        &["partial-0002-of-0002.gsp", "price catalog"],
    );
}

/// Peak resident memory of a command in KiB, by GNU time; None where it is not installed.
fn peak_kib(dir: &Path, args: &[&str]) -> Option<u64> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let output = std::process::Command::new(time)
        .current_dir(dir)
        .args(["-f", "peak %M"])
        .arg(assert_cmd::cargo::cargo_bin!("gallerysim"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak "))
        .and_then(|k| k.trim().parse().ok())
}

#[test]
fn merge_holds_one_partial_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Every partial carries the scenario text: 2 MB of comment make 40 partials of 2 MB.
    let padding = format!("# {}\n", "x".repeat(99)).repeat(20_000);
    std::fs::write(d.join("big.toml"), format!("{H}{padding}")).unwrap();
    let shards = 40;
    for k in 1..=shards {
        ok(&gallerysim(
            d,
            &[
                "run",
                "big.toml",
                "--runs",
                "40",
                "--shard",
                &format!("{k}/{shards}"),
                "--out",
                "parts",
                "-q",
            ],
        ));
    }
    // The same runs as one shard: the merge's own memory with one partial.
    ok(&gallerysim(
        d,
        &[
            "run", "big.toml", "--runs", "40", "--shard", "1/1", "--out", "whole", "-q",
        ],
    ));
    let Some(one) = peak_kib(d, &["merge", "whole", "--out", "one", "-q"]) else {
        eprintln!("no /usr/bin/time: peak memory not measured");
        return;
    };
    let all = peak_kib(d, &["merge", "parts", "--out", "merged", "-q"]).unwrap();
    same_folders(&d.join("one"), &d.join("merged"));
    // 40 partials of 2 MB held at once: over 80 MB (and the bodies decoded: twice that);
    // one at a time: the base, a partial's bytes and its body, the scenario.
    assert!(
        all < one + 20_000,
        "merge of 40 x 2 MB partials peaked at {all} KiB, of one partial at {one} KiB"
    );
}
