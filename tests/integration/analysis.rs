//! Overrides, comparisons with common random numbers, budgets, sweeps and the tornado.

use std::path::Path;

use gallerysim::scenario::{Override, Scenario};

use crate::harness::*;

fn csv_rows(dir: &Path, name: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    read_csv(&dir.join(name))
}

#[test]
fn comparing_a_scenario_with_itself_gives_zero_difference_in_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let sc = bundled("budget-montecarlo.toml");
    bin()
        .arg("compare")
        .arg(&sc)
        .arg(&sc)
        .args(["--runs", "200", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let rows = csv_rows(dir.path(), "comparison.csv");
    assert_eq!(
        rows.len(),
        16,
        "2 scenarios x 8 metrics (6 costs and counts, 2 service)"
    );
    for row in &rows {
        for column in ["delta_mean", "delta_p10", "delta_p90", "prob_higher"] {
            assert_eq!(
                num(row, column),
                0.0,
                "{} {}: {column}",
                row["scenario"],
                row["metric"]
            );
        }
    }
    assert_eq!(
        rows[8]["scenario"], "budget-montecarlo-2",
        "duplicate labels are numbered"
    );
    for row in csv_rows(dir.path(), "comparison_monthly.csv") {
        assert_eq!(num(&row, "delta_mean"), 0.0);
    }
    assert!(dir.path().join("comparison.png").exists());
    // And run by run in the library: the same streams give the same totals.
    let s = Scenario::load(&sc).unwrap();
    let (a, b) = (simulate(&s), simulate(&s));
    assert_eq!(a.runs, b.runs);
}

#[test]
fn doubling_replicas_in_one_region_costs_the_hand_computed_delta() {
    // Compute Gallery example: 10 GB, 2 replicas in eastus, westus2 and centralus.
    // Doubling westus2 to 4 replicas adds 2 x 10 GB x $0.05 = $1.00 of storage, no egress.
    let dir = tempfile::tempdir().unwrap();
    bin()
        .arg("compare")
        .arg(bundled("compute-gallery-example.toml"))
        .args([
            "--variant",
            "double-westus2:gallery.gallery.replicas={ eastus = 2, centralus = 2, westus2 = 4 }",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let rows = csv_rows(dir.path(), "comparison.csv");
    let get = |scenario: &str, metric: &str| {
        rows.iter()
            .find(|r| r["scenario"] == scenario && r["metric"] == metric)
            .unwrap_or_else(|| panic!("{scenario} {metric}"))
            .clone()
    };
    assert_close(
        num(&get("double-westus2", "storage_cost"), "delta_mean"),
        1.00,
        CSV_4DP,
        "storage delta",
    );
    assert_close(
        num(&get("double-westus2", "egress_cost"), "delta_mean"),
        0.0,
        CSV_4DP,
        "egress delta",
    );
    assert_close(
        num(&get("double-westus2", "total_cost"), "delta_pct"),
        100.0 / 3.40,
        CSV_4DP,
        "percent",
    );
    assert_eq!(
        num(&get("double-westus2", "total_cost"), "prob_higher"),
        1.0
    );
    assert_eq!(
        num(&get("double-westus2", "peak_replicas"), "delta_mean"),
        2.0
    );
}

#[test]
fn overrides_reach_any_key_and_bad_ones_exit_2_naming_them() {
    let path = bundled("university-us.toml");
    let keep_all = Scenario::load_with(
        &path,
        &[Override::parse("gallery.su-images.keep_versions=0").unwrap()],
    )
    .unwrap();
    assert_eq!(keep_all.galleries[0].keep_versions, 0);
    let runs = Scenario::load_with(&path, &[Override::parse("scenario.runs=7").unwrap()]).unwrap();
    assert_eq!(runs.runs, 7);

    for (set, expected) in [
        ("image.nope.used_gb=3", "no [[image]] named `nope`"),
        ("gallery.su-images.replicas=500", "1..=50"),
        ("gallery.su-images.colour=1", "unknown field `colour`"),
    ] {
        let output = bin()
            .arg("run")
            .arg(&path)
            .args(["--set", set])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{set}: {stderr}");
        assert!(stderr.contains(expected), "{set}: {stderr}");
        assert!(
            stderr.contains(set.split('=').next().unwrap()),
            "names the path: {stderr}"
        );
    }
    let output = bin()
        .args(["run", "--set", "no-equals-sign"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn budget_gate_exits_3_above_the_threshold_and_0_below() {
    let dir = tempfile::tempdir().unwrap();
    let sc = bundled("budget-montecarlo.toml");
    let run = |budget: &str, fail_over: &str| {
        bin()
            .arg("run")
            .arg(&sc)
            .args([
                "--runs",
                "200",
                "--quiet",
                "--budget-total",
                budget,
                "--fail-over",
                fail_over,
                "--out",
            ])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    // A budget far below every run: always exceeded.
    let low = run("100", "0.2");
    assert_eq!(low.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&low.stderr).contains("probability 1.000"));
    let budget = csv_rows(dir.path(), "budget.csv");
    assert_eq!(budget.len(), 1);
    assert_eq!(budget[0]["scope"], "total");
    assert_eq!(num(&budget[0], "p_exceed"), 1.0);
    assert_eq!(budget[0]["first_month_p80_over"], "1");
    // A budget far above every run: never exceeded.
    assert_eq!(run("1000000", "0.2").status.code(), Some(0));
    // The share of runs over a budget equals what runs.csv says.
    let runs = csv_rows(dir.path(), "runs.csv");
    let mut totals: Vec<f64> = runs.iter().map(|r| num(r, "total_cost")).collect();
    totals.sort_by(f64::total_cmp);
    let median = totals[100];
    run(&format!("{median}"), "1");
    let budget = csv_rows(dir.path(), "budget.csv");
    let over = totals.iter().filter(|&&t| t > median + 5e-5).count() as f64 / 200.0;
    assert_close(num(&budget[0], "p_exceed"), over, 0.006, "p_exceed");

    let no_budget = bin()
        .arg("run")
        .arg(&sc)
        .args(["--fail-over", "0.2"])
        .output()
        .unwrap();
    assert_eq!(no_budget.status.code(), Some(2));
}

#[test]
fn sweeping_replicas_never_costs_less_with_more_replicas() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .arg("sweep")
        .arg(bundled("europe-lab-plans.toml"))
        .args([
            "--param",
            "gallery.contoso-eu.replicas",
            "--values",
            "1,2,3,5",
            "--runs",
            "50",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let rows = csv_rows(dir.path(), "sweep.csv");
    assert_eq!(
        rows.iter().map(|r| r["value"].as_str()).collect::<Vec<_>>(),
        ["1", "2", "3", "5"]
    );
    for pair in rows.windows(2) {
        for column in ["mean", "p50", "p90"] {
            assert!(
                num(&pair[1], column) > num(&pair[0], column),
                "{column} must grow with replicas"
            );
        }
        // Egress does not depend on the replica count.
        assert_close(
            num(&pair[1], "egress_mean"),
            num(&pair[0], "egress_mean"),
            CSV_4DP,
            "egress",
        );
    }
    // Storage is proportional to replicas (every region holds the same count).
    assert_close(
        num(&rows[1], "storage_mean"),
        2.0 * num(&rows[0], "storage_mean"),
        1e-3,
        "x2",
    );
    assert!(dir.path().join("sweep.png").exists());
}

#[test]
fn tornado_ranks_inputs_by_swing() {
    let dir = tempfile::tempdir().unwrap();
    bin()
        .arg("tornado")
        .arg(bundled("budget-montecarlo.toml"))
        .args(["--runs", "60", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let rows = csv_rows(dir.path(), "sensitivity.csv");
    assert_eq!(
        rows.len(),
        12,
        "3 images x (3 distributions + the Poisson export count)"
    );
    let swings: Vec<f64> = rows.iter().map(|r| num(r, "swing").abs()).collect();
    assert!(
        swings.windows(2).all(|w| w[0] >= w[1]),
        "sorted by swing: {swings:?}"
    );
    // Size drives storage: the biggest image's size comes first and raises cost.
    assert_eq!(rows[0]["input"], "image.stem-windows.used_gb");
    assert!(num(&rows[0], "total_at_p90") > num(&rows[0], "total_at_p10"));
    assert!(num(&rows[0], "rank_correlation") > 0.0);
    assert!(dir.path().join("tornado.svg").exists());

    // Export frequency is an input. media-arts is exported at 1 per month for 12 months:
    // the count is Poisson(12), P10 = 8 (P(N <= 7) = 0.0895 < 0.1 <= P(N <= 8) = 0.155) and
    // P90 = 17 (P(N <= 16) = 0.899 < 0.9 <= P(N <= 17) = 0.937): 8/12 and 17/12 per month.
    let media = |input: &str| {
        rows.iter()
            .find(|r| r["input"] == format!("image.media-arts.{input}"))
            .unwrap_or_else(|| panic!("{input} listed"))
    };
    let exports = media("exports.per_month");
    assert_eq!(
        (exports["p10_value"].as_str(), exports["p90_value"].as_str()),
        ("0.6667", "1.4167")
    );
    assert!(num(exports, "total_at_p90") > num(exports, "total_at_p10"));
    // The finding: export counts, not sizes, drive most of the spread.
    let share = |r: &std::collections::BTreeMap<String, String>| num(r, "variance_share");
    let by_exports: f64 = rows
        .iter()
        .filter(|r| r["input"].ends_with("exports.per_month"))
        .map(share)
        .sum();
    let by_sizes: f64 = rows
        .iter()
        .filter(|r| r["input"].ends_with("used_gb"))
        .map(share)
        .sum();
    assert!(by_exports > by_sizes, "{by_exports} vs {by_sizes}");
    let all: f64 = rows.iter().map(share).sum();
    assert!((0.6..1.4).contains(&all), "first-order shares sum to {all}");
}

#[test]
fn the_tornado_prints_the_variance_its_inputs_explain() {
    let dir = tempfile::tempdir().unwrap();
    let output = bin()
        .arg("tornado")
        .arg(bundled("budget-montecarlo.toml"))
        .args(["--runs", "60", "--out"])
        .arg(dir.path().join("t"))
        .output()
        .unwrap();
    let html = std::fs::read_to_string(dir.path().join("t/report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("of its variance"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    // Every source of randomness is listed: fixing them all leaves no spread.
    assert!(
        stdout.contains("with every input below at its median: they explain 100 % of its variance"),
        "{stdout}"
    );
    assert!(stdout.contains("the largest share: image."), "{stdout}");
}

/// Issue 27 item 3: `compare` warns that a cheaper scenario serves worse only when the
/// difference is beyond the Monte Carlo noise (its 95 % interval excludes 0), and shows the
/// interval; `comparison.csv` carries it as `delta_ci95_low`, `delta_ci95_high`.
#[test]
fn compare_warns_on_service_only_beyond_the_noise_and_shows_the_interval() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lab");
    let output = bin()
        .arg("compare")
        .arg(bundled("question-lab-account.toml"))
        .arg(bundled("question-lab-plan.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("serves worse"),
        "noise is no warning: {stderr}"
    );
    let rows = csv_rows(&out, "comparison.csv");
    let wait = rows
        .iter()
        .find(|r| r["scenario"] == "question-lab-plan" && r["metric"] == "lab_wait_hours")
        .unwrap();
    let (lo, hi) = (num(wait, "delta_ci95_low"), num(wait, "delta_ci95_high"));
    assert!(
        lo <= 0.0 && hi >= 0.0,
        "the wait difference is noise: {lo} to {hi}"
    );
    assert!(lo <= num(wait, "delta_mean") && num(wait, "delta_mean") <= hi);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("95 % interval of vs first"), "{stdout}");

    // Dropping the only replication to the west leaves its labs without an image in every
    // run: cheaper, and worse beyond any noise.
    let out = dir.path().join("west");
    let output = bin()
        .arg("compare")
        .arg(bundled("question-lab-plan.toml"))
        .args(["--variant", "no-west:account.eng.replicate_to=[]"])
        .args(["--runs", "50", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "no-west is cheaper than question-lab-plan but serves worse: 2.0 more labs without a usable image (95 % interval 2.0 to 2.0)"
        ),
        "{stderr}"
    );
}

/// The "Images nobody uses any more" line of image `name` in `run`'s report.
fn orphan_line(stdout: &str, name: &str) -> String {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{name}: no consumer")))
        .unwrap_or_else(|| panic!("no line for {name}: {stdout}"))
        .trim()
        .to_string()
}

/// The money figure just before `marker` in `line` (`$1,234.56 marker`).
fn money_before(line: &str, marker: &str) -> f64 {
    let head = &line[..line.find(marker).unwrap()];
    let figure = head.trim_end().rsplit(' ').next().unwrap();
    figure
        .trim_start_matches('$')
        .replace(',', "")
        .parse()
        .unwrap()
}

/// Issue 27 item 2: an image nobody uses any more is shown with the cost of its unused
/// period (run 1, each copy's storage prorated to the days in that period, plus egress of
/// copies made in it), recomputed here from versions.csv; a three-day gap before a
/// `delete_on` costs dollars, not the image's whole bill; `delete_on` is not suggested where
/// it is set, and on the default scenario the lines do not add up to the bill.
#[test]
fn unused_images_show_the_cost_of_the_unused_period_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gap");
    let output = bin()
        .arg("run")
        .arg(bundled("question-migration.toml"))
        .args(["--set", "image.cad-legacy.delete_on=2027-07-01", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = orphan_line(&stdout, "cad-legacy");
    assert!(
        line.contains("no consumer from 2027-06-28 to its deletion on 2027-07-01"),
        "{line}"
    );
    assert!(
        !line.contains("delete it (`delete_on`)"),
        "already set: {line}"
    );
    let shown = money_before(&line, "while unused");
    let whole = money_before(&line, "over the whole horizon");
    // The same from versions.csv (run 1): storage prorated by time, egress of copies made
    // in the period.
    let ts = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_second();
    let (from, to) = (ts("2027-06-28T00:00:00Z"), ts("2027-07-01T00:00:00Z"));
    let months = read_csv(&out.join("monthly_percentiles.csv"));
    assert_eq!(months.last().unwrap()["start"], "2027-11-01T00:00:00Z");
    let horizon = ts("2027-12-01T00:00:00Z");
    let (mut expected, mut total) = (0.0, 0.0);
    for row in read_csv(&out.join("versions.csv")) {
        if row["image"] != "cad-legacy" {
            continue;
        }
        total += num(&row, "storage_cost") + num(&row, "egress_cost");
        if row["available_at"].is_empty() {
            continue;
        }
        let start = ts(&row["available_at"]).min(horizon);
        let end = if row["deleted_at"].is_empty() {
            horizon
        } else {
            ts(&row["deleted_at"]).min(horizon)
        };
        if end > start {
            let inside = (end.min(to) - start.max(from)).max(0) as f64;
            expected += num(&row, "storage_cost") * inside / (end - start) as f64;
        }
        if (from..to).contains(&start) {
            expected += num(&row, "egress_cost");
        }
    }
    assert_close(shown, expected, 0.006, "unused-period cost");
    assert_close(whole, total, 0.006, "the image over the horizon, run 1");
    assert!(
        shown > 1.0 && shown < 20.0,
        "three days cost dollars: {line}"
    );

    // The default scenario: no delete_on, so it is suggested; the unused periods are a part
    // of the bill, not all of it.
    let out = dir.path().join("default");
    let output = bin()
        .arg("run")
        .arg(bundled("default.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut unused = 0.0;
    for name in ["cs101-windows", "datasci-ubuntu", "engineering-cad"] {
        let line = orphan_line(&stdout, name);
        assert!(line.contains("delete it (`delete_on`) or move it (`moves`)"));
        let shown = money_before(&line, "while unused");
        assert!(
            shown < money_before(&line, "over the whole horizon") / 3.0,
            "{line}"
        );
        unused += shown;
    }
    let run1 = &read_csv(&out.join("runs.csv"))[0];
    assert!(unused < num(run1, "total_cost") / 3.0, "{unused}");
}
