//! The report model: the figures a report leads with are computed once (analysis::headline)
//! and every medium shows the same ones; report.html is built of real tables.

use crate::harness::*;

/// The money text of an amount as the reports print it (USD).
fn usd(x: f64) -> String {
    gallerysim::report::view::money(x, "USD")
}

/// The value of the report.html tile named `label`.
fn tile(html: &str, label: &str) -> String {
    let at = html
        .find(&format!("<div class=\"k\">{label}</div>"))
        .unwrap_or_else(|| panic!("no tile {label:?}"));
    let value_start = html[..at].rfind("<div class=\"v\">").unwrap() + "<div class=\"v\">".len();
    html[value_start..at].trim_end_matches("</div>").to_string()
}

/// On a scenario whose months differ a lot (a migration: February to June about $200, the
/// end of the year about $23), the monthly tile is the P80 of each run's worst month, the
/// same figure `--budget-monthly` reads: a budget at it is exceeded in some month in at
/// most 20 % of runs, where the old tile (P80 total / months) was exceeded almost always.
#[test]
fn the_monthly_tile_is_the_worst_month_p80_the_monthly_budget_reads() {
    let dir = tempfile::tempdir().unwrap();
    let sc = bundled("question-migration.toml");
    let sc = sc.to_str().unwrap();
    let out = gallerysim(
        dir.path(),
        &["run", sc, "--budget-monthly", "1", "--out", "a"],
    );
    assert!(out.status.success(), "{out:?}");
    let budget = read_csv(&dir.path().join("a/budget.csv"));
    let any = budget.iter().find(|r| r["scope"] == "any_month").unwrap();
    let worst_p80 = num(any, "p80");
    let html = std::fs::read_to_string(dir.path().join("a/report.html")).unwrap();
    assert_eq!(
        tile(&html, "P80 of each run's worst month (a monthly budget)"),
        usd(worst_p80)
    );
    // Each month's percentiles: the worst month's P80 is at least every month's P80, and far
    // above the total's P80 divided by the months.
    let months = read_csv(&dir.path().join("a/monthly_percentiles.csv"));
    assert_eq!(months.len(), 12);
    let highest = months.iter().map(|r| num(r, "p80")).fold(0.0, f64::max);
    assert!(worst_p80 >= highest - 1e-9, "{worst_p80} < {highest}");
    let summary = read_csv(&dir.path().join("a/summary.csv"));
    let total = summary
        .iter()
        .find(|r| r["metric"] == "total_cost")
        .unwrap();
    assert!(
        highest > 1.4 * num(total, "p80") / 12.0,
        "the migration's dearest month is far above an even spread"
    );
    // A monthly budget at the tile: some month goes over in at most 20 % of runs.
    let limit = format!("{worst_p80}");
    let out = gallerysim(
        dir.path(),
        &["run", sc, "--budget-monthly", &limit, "--out", "b"],
    );
    assert!(out.status.success(), "{out:?}");
    let budget = read_csv(&dir.path().join("b/budget.csv"));
    let any = budget.iter().find(|r| r["scope"] == "any_month").unwrap();
    assert!(num(any, "p_exceed") <= 0.2, "{}", num(any, "p_exceed"));
    assert!(num(any, "p_exceed") >= 0.1, "{}", num(any, "p_exceed"));
}

/// report.html shows the run's report as tables, not terminal text in a <pre>; the prices
/// used are listed once; the scenario text is at the end.
#[test]
fn report_html_is_built_from_the_report_model_with_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = gallerysim(dir.path(), &["run", "--out", "r"]);
    assert!(out.status.success(), "{out:?}");
    let html = std::fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    assert!(html.contains("<h3>Gallery cost over the horizon (mean over runs)</h3>"));
    assert!(html.contains("<th>gallery</th><th>region</th><th class=\"n\">GB-months</th>"));
    assert!(html.contains("<h3>Each billing month, over runs"));
    assert_eq!(html.matches("<h2>Prices used</h2>").count(), 1);
    assert_eq!(
        html.matches("<pre>").count(),
        1,
        "only the scenario text is preformatted"
    );
    // The terminal says the same figures as the page's table.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let p80 = stdout
        .split("total cost P50 ")
        .nth(1)
        .and_then(|t| t.split(", P80 ").nth(1))
        .and_then(|t| t.split(", P90").next())
        .unwrap()
        .to_string();
    assert!(
        html.contains(&format!("<div class=\"v\">{p80}</div>")),
        "{p80}"
    );
}

/// A sweep's report.html lists each price once with the variants that use it ("all"), not
/// once per variant.
#[test]
fn a_sweep_page_lists_each_price_once() {
    let dir = tempfile::tempdir().unwrap();
    let sc = bundled("question-retention.toml");
    let out = gallerysim(
        dir.path(),
        &[
            "sweep",
            sc.to_str().unwrap(),
            "--param",
            "gallery.campus.keep_versions",
            "--values",
            "1,2,3,4,5",
            "--runs",
            "2",
            "--out",
            "s",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let html = std::fs::read_to_string(dir.path().join("s/report.html")).unwrap();
    let prices = html.split("<h2>Prices used</h2>").nth(1).unwrap();
    let prices = prices.split("</table>").next().unwrap();
    let rows = prices.matches("<tr><td>").count();
    let csv = read_csv(&dir.path().join("s/prices_used.csv"));
    assert_eq!(
        rows * 5,
        csv.len(),
        "each of the {rows} prices once, not five times"
    );
    assert!(prices.contains("<td>all</td>"));
}
