//! Scale-out: shards in separate processes, merged, give the same folder as one run.

use std::path::Path;
use std::process::Command;

use crate::harness::*;

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin!("gallerysim").to_path_buf()
}

/// Runs `N` shards of `scenario` with `xargs -P 2` (separate processes), merges them, and
/// compares the folder with a single run, byte for byte.
fn shards_equal_one_run(scenario: &Path, n: u32, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    let mut args = vec![
        "run".to_string(),
        scenario.display().to_string(),
        "-q".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    bin()
        .args(&args)
        .arg("--out")
        .arg(&single)
        .assert()
        .code(predicates::prelude::predicate::in_iter([0, 3]));
    let parts = dir.path().join("parts");
    let script = format!(
        "seq 1 {n} | xargs -P 2 -I{{}} '{}' {} --shard {{}}/{n} --out '{}'",
        binary().display(),
        args.iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" "),
        parts.display()
    );
    let status = Command::new("sh").arg("-c").arg(&script).status().unwrap();
    assert!(status.success(), "{script}");
    let merged = dir.path().join("merged");
    bin()
        .arg("merge")
        .arg(&parts)
        .args(["-q", "--out"])
        .arg(&merged)
        .assert()
        .code(predicates::prelude::predicate::in_iter([0, 3]));
    let (a, b) = (folder(&single), folder(&merged));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{name} differs after merging {n} shards of {}",
            scenario.display()
        );
    }
}

#[test]
fn any_split_merges_into_the_bytes_of_one_run() {
    for n in [1, 2, 3, 7] {
        shards_equal_one_run(
            &bundled("budget-montecarlo.toml"),
            n,
            &[
                "--runs",
                "60",
                "--budget-monthly",
                "300",
                "--fail-over",
                "0.9",
            ],
        );
        shards_equal_one_run(&bundled("question-replicas.toml"), n, &["--runs", "30"]);
    }
}

fn shard(dir: &Path, scenario: &Path, k: u32, n: u32, extra: &[&str]) {
    bin()
        .arg("run")
        .arg(scenario)
        .args([
            "-q",
            "--runs",
            "20",
            "--shard",
            &format!("{k}/{n}"),
            "--out",
        ])
        .arg(dir)
        .args(extra)
        .assert()
        .success();
}

#[track_caller]
fn merge_refused(inputs: &[&Path], fragment: &str) {
    let out = inputs[0].parent().unwrap().join("merged");
    let output = bin()
        .arg("merge")
        .args(inputs)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(fragment),
        "expected {fragment:?} in {stderr}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn bad_sets_of_partials_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let sc = bundled("default.toml");
    shard(&p.join("a"), &sc, 1, 3, &[]);
    shard(&p.join("a"), &sc, 2, 3, &[]);
    // Missing shard 3 (runs 14..20).
    merge_refused(&[&p.join("a")], "runs 14..20 are missing");
    // Missing shard 2 in the middle.
    let one = p.join("a/partial-0001-of-0003.gsp");
    shard(&p.join("c"), &sc, 3, 3, &[]);
    let three = p.join("c/partial-0003-of-0003.gsp");
    merge_refused(&[&one, &three], "runs 7..13 are missing");
    // A shard given twice.
    merge_refused(&[&one, &one], "overlap");
    // Another seed, another scenario.
    shard(&p.join("s"), &sc, 3, 3, &["--seed", "9"]);
    merge_refused(
        &[&one, &p.join("s/partial-0003-of-0003.gsp")],
        "another seed",
    );
    shard(
        &p.join("o"),
        &bundled("pitfalls.toml"),
        3,
        3,
        &["--seed", "42"],
    );
    merge_refused(
        &[&one, &p.join("o/partial-0003-of-0003.gsp")],
        "another scenario text",
    );
    // A truncated partial.
    let bytes = std::fs::read(&three).unwrap();
    let cut = p.join("cut.gsp");
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    merge_refused(&[&cut], "truncated");
    // Not a partial at all, and another format version.
    std::fs::write(p.join("junk.gsp"), "hello\n").unwrap();
    merge_refused(&[&p.join("junk.gsp")], "not a gallerysim partial");
    let header_end = bytes.iter().position(|&b| b == b'\n').unwrap();
    let header = String::from_utf8(bytes[..header_end].to_vec()).unwrap();
    let mut v99 = header
        .replacen(
            &format!("\"version\":{}", gallerysim::shard::VERSION),
            "\"version\":99",
            1,
        )
        .into_bytes();
    v99.extend_from_slice(&bytes[header_end..]);
    std::fs::write(p.join("v99.gsp"), v99).unwrap();
    merge_refused(&[&p.join("v99.gsp")], "format version 99");
    // --shard without --out.
    bin().args(["run", "--shard", "1/2", "-q"]).assert().code(2);
}
