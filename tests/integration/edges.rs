//! Inputs at the edges (issue: reliability). Every case is run by the binary under a time
//! bound (a hang fails the test, it does not time CI out) and asserts the exit code, the key
//! named, and that nothing was written.

use gallerysim::model::Component;
use std::path::Path;

use crate::harness::*;

const BASE: &str = r#"[scenario]
name = "edge"
start = "2026-09-01"
months = 3
runs = 20

[[gallery]]
name = "g"
region = "eastus"

[[account]]
name = "acct"
gallery = "g"
region = "eastus"
kind = "lab_plan"
replicate_to = ["westus2"]

[[image]]
name = "img"
account = "acct"
os_disk_gb = 127
used_gb = 40

[[lab]]
name = "lab1"
account = "acct"
image = "img"
region = "westus2"
"#;

/// Writes `text` as `edge.toml`, runs `COMMAND edge.toml --out out EXTRA...`, and checks exit
/// code 2, every fragment in stderr, and that `out` does not exist.
#[track_caller]
fn refused(command: &str, text: &str, extra: &[&str], fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("edge.toml"), text).unwrap();
    let mut args = vec![command, "edge.toml"];
    if command != "check" {
        args.extend(["--out", "out"]);
    }
    args.extend(extra);
    let output = gallerysim(dir.path(), &args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "{args:?}: expected {f:?} in {stderr}");
    }
    assert!(!dir.path().join("out").exists(), "{args:?} wrote output");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn with_image_key(line: &str) -> String {
    BASE.replace("used_gb = 40\n", &format!("used_gb = 40\n{line}\n"))
}

#[test]
fn infinite_or_nan_costs_are_refused_at_validation() {
    refused(
        "run",
        &BASE.replace("used_gb = 40", "used_gb = 1e308"),
        &[],
        &["key `image.img.used_gb`", "0 to 2048 GB"],
    );
    refused(
        "run",
        &format!("{BASE}\n[prices]\nsnapshot_gb_month = 1e308\n"),
        &[],
        &["key `prices.snapshot_gb_month`", "1000000"],
    );
    refused(
        "run",
        &BASE.replace(
            "used_gb = 40",
            r#"used_gb = { dist = "normal", mean = 1, sd = 1e308 }"#,
        ),
        &[],
        &["key `image.img.used_gb.sd`"],
    );
    refused(
        "run",
        &BASE.replace(
            "used_gb = 40",
            r#"used_gb = { dist = "uniform", min = 0, max = 1.7e308 }"#,
        ),
        &[],
        &["key `image.img.used_gb.max`"],
    );
    refused(
        "run",
        &BASE.replace(
            "used_gb = 40",
            r#"used_gb = { dist = "lognormal", mean = 40, sd = 1e200 }"#,
        ),
        &["--budget-total", "1", "--fail-over", "0"],
        &["key `image.img.used_gb.sd`"],
    );
    refused(
        "run",
        &BASE.replace(
            "used_gb = 40",
            r#"used_gb = { dist = "lognormal", mean = 40, sd = 2000 }"#,
        ),
        &[],
        &["key `image.img.used_gb`", "smaller spread"],
    );
    for command in ["run", "check"] {
        refused(
            command,
            &with_image_key("exports = { per_month = 5e-324 }"),
            &[],
            &["key `image.img.exports.per_month`", "0.001 to 1000"],
        );
    }
    refused(
        "run",
        &with_image_key("replication_hours = { dist = \"pert\", min = 1, mode = 2, max = 1e9 }"),
        &[],
        &["key `image.img.replication_hours.max`", "8760 hours"],
    );
}

#[test]
fn a_catalog_row_priced_absurdly_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let head = "region,item,price,unit,currency,meter_name,effective_date,product_name\n";
    std::fs::write(
        dir.path().join("cat.csv"),
        format!("{head}eastus,snapshot_gb_month,1e308,GB-month,USD,m,2026-01-01,p\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("edge.toml"), BASE).unwrap();
    let out = gallerysim(
        dir.path(),
        &["run", "edge.toml", "--prices", "cat.csv", "--out", "out"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("prices.catalog") && stderr.contains("line 2"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());

    std::fs::write(
        dir.path().join("dup.csv"),
        format!("{head}eastus,snapshot_gb_month,0.05,GB-month,USD,m,2026-01-01,p\neastus,snapshot_gb_month,0.06,GB-month,USD,m,2026-01-01,p\n"),
    )
    .unwrap();
    let out = gallerysim(
        dir.path(),
        &["run", "edge.toml", "--prices", "dup.csv", "--out", "out"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("line 3: duplicate") && stderr.contains("first on line 2"),
        "{stderr}"
    );
}

#[test]
fn no_silent_conversion() {
    refused(
        "run",
        &with_image_key("data_disks = 4294967296"),
        &[],
        &["key `image.img.data_disks`", "0 to 64"],
    );
    refused(
        "run",
        &format!("{BASE}count = 4294967297\n"),
        &[],
        &["key `lab.lab1.count`", "1 to 10000"],
    );
    refused(
        "run",
        &format!("{BASE}students = 99999999999\n"),
        &[],
        &["key `lab.lab1.students`"],
    );
    refused(
        "run",
        &with_image_key("exports = { every_days = 1e308 }"),
        &[],
        &["key `image.img.exports.every_days`"],
    );
    refused(
        "run",
        &with_image_key("exports = { per_month = 1e-310 }"),
        &[],
        &["key `image.img.exports.per_month`"],
    );
    refused(
        "run",
        &BASE.replace("used_gb = 40", "used_gb = 200"),
        &[],
        &["key `image.img.used_gb`", "does not fit the 127 GB OS disk"],
    );
}

#[test]
fn absurd_work_is_refused_before_it_starts_with_the_estimate() {
    let heavy = with_image_key("exports = { every_days = 0.05 }")
        .replace("months = 3", "months = 600")
        .replace("runs = 20", "runs = 1000000");
    for command in ["run", "check"] {
        refused(
            command,
            &heavy,
            &[],
            &["engine events", "--max-events", "--runs"],
        );
    }
    // Raising the limit deliberately lets a moderately large job through.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("edge.toml"), BASE).unwrap();
    let low = gallerysim(
        dir.path(),
        &["run", "edge.toml", "--out", "out", "--max-events", "10"],
    );
    assert_eq!(low.status.code(), Some(2));
    let ok = gallerysim(
        dir.path(),
        &[
            "run",
            "edge.toml",
            "--out",
            "out",
            "--max-events",
            "1e6",
            "-q",
        ],
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn the_output_folder_is_replaced_as_a_set() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("edge.toml"), BASE).unwrap();
    let first = gallerysim(
        p,
        &[
            "run",
            "edge.toml",
            "--out",
            "out",
            "-q",
            "--budget-total",
            "100",
        ],
    );
    assert_eq!(first.status.code(), Some(0));
    assert!(p.join("out/budget.csv").is_file());
    let summary = std::fs::read(p.join("out/summary.csv")).unwrap();
    // A failing run (bad --set) leaves the previous results intact.
    let bad = gallerysim(
        p,
        &[
            "run",
            "edge.toml",
            "--out",
            "out",
            "--set",
            "image.img.used_gb=-1",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(std::fs::read(p.join("out/summary.csv")).unwrap(), summary);
    // A new run without a budget: the old budget.csv does not survive beside new results.
    let second = gallerysim(p, &["run", "edge.toml", "--out", "out", "-q"]);
    assert_eq!(second.status.code(), Some(0));
    assert!(!p.join("out/budget.csv").exists());
    // No staging litter beside the folder.
    let litter: Vec<_> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(litter.is_empty(), "{litter:?}");
    // A folder with someone else's files is never replaced; /dev/null is not a folder.
    std::fs::create_dir(p.join("mine")).unwrap();
    std::fs::write(p.join("mine/thesis.txt"), "keep me").unwrap();
    refused_out(p, "mine", "did not write");
    refused_out(p, "/dev/null", "not a folder");
    assert_eq!(
        std::fs::read_to_string(p.join("mine/thesis.txt")).unwrap(),
        "keep me"
    );
}

fn refused_out(dir: &Path, out: &str, fragment: &str) {
    let o = gallerysim(dir, &["run", "edge.toml", "--out", out]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--out") && stderr.contains(fragment),
        "{stderr}"
    );
}

#[test]
fn reads_are_bounded_and_regular_files_only() {
    let dir = tempfile::tempdir().unwrap();
    for path in ["/dev/zero", "/tmp"] {
        let o = gallerysim(dir.path(), &["run", path, "--out", "out"]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
    let big = dir.path().join("big.toml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(65 << 20).unwrap();
    let o = gallerysim(dir.path(), &["run", "big.toml", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("64 MiB"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn analysis_commands_check_what_they_compare() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("a.toml"), BASE).unwrap();
    std::fs::write(p.join("b.toml"), BASE.replace("months = 3", "months = 600")).unwrap();
    let o = gallerysim(p, &["compare", "a.toml", "b.toml", "--out", "out"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("months = 600") && stderr.contains("months = 3"),
        "{stderr}"
    );
    let o = gallerysim(
        p,
        &[
            "sweep",
            "a.toml",
            "--param",
            "scenario.runs",
            "--values",
            "1,2",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--runs"));
    assert!(!p.join("out").exists());
    // The same file twice, and a third time: labels stay unique.
    let o = gallerysim(
        p,
        &[
            "compare", "a.toml", "a.toml", "a.toml", "--out", "out", "-q",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rows = read_csv(&p.join("out/comparison.csv"));
    let mut labels: Vec<_> = rows.iter().map(|r| r["scenario"].clone()).collect();
    labels.dedup();
    assert_eq!(labels, ["a", "a-2", "a-3"]);
}

#[test]
fn the_smaller_ones() {
    // A --set path 20,000 segments deep is an error, not a stack overflow.
    let deep = format!("{}=1", vec!["a"; 20_000].join("."));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("edge.toml"), BASE).unwrap();
    let o = gallerysim(
        dir.path(),
        &["run", "edge.toml", "--set", &deep, "--out", "out"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("dotted keys"));
    // Control characters in names.
    refused(
        "run",
        &BASE.replace("name = \"img\"", "name = \"img\\u001b[31m\""),
        &[],
        &["control characters"],
    );
    // A scenario named `...toml` writes under output/, never into the current folder.
    std::fs::write(dir.path().join("...toml"), BASE).unwrap();
    let o = gallerysim(dir.path(), &["run", "...toml", "-q"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(dir.path().join("output/scenario/summary.csv").is_file());
    assert!(!dir.path().join("summary.csv").exists());
    // A CSV without rows keeps its header.
    let no_labs = BASE[..BASE.find("[[lab]]").unwrap()].to_string();
    std::fs::write(dir.path().join("nolabs.toml"), no_labs).unwrap();
    let o = gallerysim(dir.path(), &["run", "nolabs.toml", "--out", "nl", "-q"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("nl/labs.csv")).unwrap(),
        "lab,count,region,image,status,ready_at,wait_hours\n"
    );
}

#[test]
fn names_with_commas_and_quotes_are_quoted_in_every_csv() {
    // versions.csv writes its lines by hand: names must come out as the csv crate quotes them.
    let name = r#"Win 11, "CAD" lab"#;
    let gallery = r#"Lab "images", EU"#;
    let text = BASE
        .replace("name = \"img\"", &format!("name = '{name}'"))
        .replace("image = \"img\"", &format!("image = '{name}'"))
        .replace("name = \"g\"", &format!("name = '{gallery}'"))
        .replace("gallery = \"g\"", &format!("gallery = '{gallery}'"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("edge.toml"), text).unwrap();
    let o = gallerysim(dir.path(), &["run", "edge.toml", "--out", "out", "-q"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let versions = std::fs::read_to_string(dir.path().join("out/versions.csv")).unwrap();
    assert!(
        versions
            .contains(r#"1,"Win 11, ""CAD"" lab",1.0.0,eastus,1,2026-09-01T02:00:00Z,,40.0000,"#),
        "{versions}"
    );
    for file in ["versions.csv", "eligibility.csv", "labs.csv"] {
        let rows = read_csv(&dir.path().join("out").join(file));
        assert!(!rows.is_empty(), "{file}");
        for row in rows {
            assert_eq!(row["image"], name, "{file}");
        }
    }
    // monthly.csv is written by hand too.
    let monthly = read_csv(&dir.path().join("out/monthly.csv"));
    assert_eq!(
        monthly.len(),
        3 * 2 * 2,
        "3 months x 2 regions x 2 components"
    );
    for row in monthly {
        assert_eq!(row["gallery"], gallery);
    }
}

/// Byte ranges of every number literal written `= N` in `text` (all of the default scenario's
/// numeric keys, in tables and inline tables alike).
fn number_literals(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 2 < bytes.len() {
        if bytes[i] == b'=' && bytes[i + 1] == b' ' && bytes[i + 2].is_ascii_digit() {
            let start = i + 2;
            let mut end = start;
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric() || b".+-".contains(&bytes[end]))
            {
                end += 1;
            }
            found.push(start..end);
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// Validates `text` (with `overrides`); when valid and not refused as absurd work, simulates
/// one run and asserts every figure is finite. Never panics, never prints NaN.
fn never_a_wrong_number(text: &str, overrides: &[gallerysim::scenario::Override]) {
    use gallerysim::scenario::{Scenario, Work};
    let outcome = std::panic::catch_unwind(|| {
        let Ok(mut scenario) = Scenario::parse_with(text, "m.toml", overrides) else {
            return;
        };
        scenario.runs = 1;
        let work = scenario.work();
        if work.events > Work::MAX_EVENTS || work.detailed_copies > Work::MAX_DETAILED_COPIES {
            return;
        }
        let r = simulate(&scenario);
        let t = r.runs[0].totals;
        for x in [
            t.total_cost,
            t.cost[Component::Storage],
            t.cost[Component::Egress],
            t.ineligible_cost,
        ] {
            assert!(x.is_finite() && x >= 0.0, "cost {x}");
        }
        assert!(r.image_cost_mean.iter().all(|x| x.is_finite()));
    });
    assert!(
        outcome.is_ok(),
        "panicked or wrong number with {overrides:?} on:\n{text}"
    );
}

const EXTREMES: [&str; 12] = [
    "0",
    "-0.0",
    "1e-310",
    "5e-324",
    "1e308",
    "1.7e308",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-1",
    "4294967296",
];

#[test]
fn numeric_extremes_in_every_numeric_key_give_errors_or_finite_figures() {
    let base = format!(
        "{}\n[prices]\nsnapshot_gb_month = 0.05\nmanaged_disk_month = {{ S4 = 1.5 }}\negress_intra_continent_gb = 0.02\n",
        gallerysim::scenario::DEFAULT_SCENARIO.replace("os_disk_gb = 256\n", "os_disk_gb = 256\ndata_disks = 1\n")
    );
    let literals = number_literals(&base);
    assert!(literals.len() >= 40, "found {} numbers", literals.len());
    for range in &literals {
        for extreme in EXTREMES {
            let text = format!("{}{extreme}{}", &base[..range.start], &base[range.end..]);
            never_a_wrong_number(&text, &[]);
        }
    }
}

#[test]
fn numeric_extremes_through_set_give_errors_or_finite_figures() {
    let keys = [
        "scenario.months",
        "scenario.runs",
        "gallery.northwind-gallery.replicas",
        "gallery.northwind-gallery.keep_versions",
        "image.cs101-windows.os_disk_gb",
        "image.cs101-windows.used_gb",
        "image.cs101-windows.used_gb.max",
        "image.cs101-windows.data_disks",
        "image.cs101-windows.exports.every_days",
        "image.datasci-ubuntu.exports.per_month",
        "image.datasci-ubuntu.used_gb.sd",
        "image.engineering-cad.export_hours",
        "lab.cs101-eastus.count",
        "lab.cs101-eastus.students",
        "prices.snapshot_gb_month",
        "prices.egress_inter_continent_gb",
    ];
    for key in keys {
        for extreme in EXTREMES {
            let o = gallerysim::scenario::Override::parse(&format!("{key}={extreme}")).unwrap();
            never_a_wrong_number(gallerysim::scenario::DEFAULT_SCENARIO, &[o]);
        }
    }
}
