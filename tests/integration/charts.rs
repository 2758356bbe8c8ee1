//! Charts: every file exists and is a valid PNG or SVG, with the titles and axis labels a
//! reader needs, rendered without any system font configuration.

use std::path::Path;

use crate::harness::*;

fn run_into(scenario: &Path, out: &Path, runs: &str) -> std::process::Output {
    bin()
        .env("FONTCONFIG_FILE", "/nonexistent")
        .arg("run")
        .arg(scenario)
        .args(["--quiet", "--runs", runs, "--out"])
        .arg(out)
        .output()
        .unwrap()
}

/// `run SCENARIO -q --out OUT EXTRA...`, which must succeed.
fn run_ok(scenario: &Path, out: &Path, extra: &[&str]) {
    bin()
        .arg("run")
        .arg(scenario)
        .args(["-q", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// A generated fleet of `labs` labs, `runs` runs and `months` months, written into `dir`.
/// `sweep` of question-retention's keep_versions over 1, 2, 3, 5 and 0 (all) into `out`.
fn retention_sweep(out: &Path, runs: &str) {
    bin()
        .arg("sweep")
        .arg(bundled("question-retention.toml"))
        .args(["--param", "gallery.campus.keep_versions"])
        .args(["--values", "1,2,3,5,0", "-q", "--runs", runs, "--out"])
        .arg(out)
        .assert()
        .success();
}

fn fleet(dir: &Path, labs: &str, runs: &str, months: &str) -> std::path::PathBuf {
    let file = dir.join("fleet.toml");
    bin()
        .args([
            "generate", "--labs", labs, "--runs", runs, "--months", months, "--out",
        ])
        .arg(&file)
        .assert()
        .success();
    file
}

/// Decodes a PNG fully and returns its size.
fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    // Not a blank picture: some pixels are not white.
    assert!(buf.iter().any(|&b| b < 200), "{} is blank", path.display());
    (info.width, info.height)
}

#[test]
fn every_chart_is_a_valid_png_and_svg_with_titles_and_axes_without_fontconfig() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = run_into(&bundled("default.toml"), &out, "50");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expectations: [(&str, &[&str]); 4] = [
        (
            "monthly_cost",
            &[
                "gallery cost per billing month",
                "cost per month (USD)",
                "billing month (730 hours each, named by the calendar month of its middle)",
                "Sep 2026",
                "eastus",
                "P10-P90",
            ],
        ),
        (
            "cumulative_cost",
            &[
                "cumulative gallery cost",
                "spent since the start (USD)",
                "mean total: $",
            ],
        ),
        (
            "cost_distribution",
            &[
                "total cost over 50 runs",
                "total cost over the horizon (USD)",
                "P80",
                "P90",
                "S-curve",
            ],
        ),
        ("replicas", &["replicas alive", "stacked by region"]),
    ];
    for (name, texts) in expectations {
        assert_eq!(png_size(&out.join(format!("{name}.png"))), (1200, 700));
        let svg = std::fs::read_to_string(out.join(format!("{name}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{name}.svg");
        assert!(svg.trim_end().ends_with("</svg>"), "{name}.svg is complete");
        assert!(
            svg.contains("Northwind College, US lab account"),
            "{name}: title"
        );
        for text in texts {
            assert!(svg.contains(text), "{name}.svg lacks {text:?}");
        }
    }
}

#[test]
fn a_single_run_has_no_distribution_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert!(run_into(&bundled("pitfalls.toml"), &out, "1")
        .status
        .success());
    assert!(out.join("monthly_cost.png").exists());
    assert!(out.join("cumulative_cost.svg").exists());
    assert!(!out.join("cost_distribution.png").exists());
    let svg = std::fs::read_to_string(out.join("monthly_cost.svg")).unwrap();
    assert!(!svg.contains("P10-P90"), "no band for one run");
}

/// The money tick labels of an SVG chart (texts that are only an amount, like `$1.42k`).
fn money_ticks(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = t[t.find('>')? + 1..t.find("</text>")?].trim();
            let amount = body.strip_prefix('$')?;
            amount
                .trim_end_matches(['k', 'M'])
                .parse::<f64>()
                .ok()
                .map(|_| body.to_string())
        })
        .collect()
}

#[test]
fn cost_distribution_tick_labels_are_distinct_even_for_a_narrow_fleet_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = fleet(dir.path(), "400", "60", "12");
    for scenario in [bundled("budget-montecarlo.toml"), fleet] {
        let out = dir.path().join("out");
        run_ok(&scenario, &out, &[]);
        let svg = std::fs::read_to_string(out.join("cost_distribution.svg")).unwrap();
        let ticks = money_ticks(&svg);
        assert!(ticks.len() >= 3, "{ticks:?}");
        let mut unique = ticks.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ticks.len(), "repeated tick labels: {ticks:?}");
    }
}

/// The tick labels of an SVG chart, grouped by axis: texts that are a number, an amount or a
/// percentage (or `all`), in runs of consecutive texts sharing their `y` (labels along a
/// horizontal axis) or their `x` with `text-anchor="end"` (labels beside a vertical axis);
/// any other text ends a run (so the axes of stacked panels are told apart).
fn ticks_by_axis(svg: &str) -> Vec<Vec<String>> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    let tick_like = |t: &str| {
        let t = t.trim_start_matches('-').trim_start_matches('$');
        let t = t.split(' ').next().unwrap_or("");
        let t = t.trim_end_matches(['k', 'M', '%']);
        t == "all"
            || t == "(all)"
            || (!t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ','))
    };
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    let mut open = false;
    for piece in svg.split("<text").skip(1) {
        let Some(close) = piece.find('>') else {
            continue;
        };
        let tag = &piece[..close];
        let Some(end) = piece.find("</text>") else {
            continue;
        };
        let body = piece[close + 1..end].trim().to_string();
        if body.is_empty() {
            continue;
        }
        if !tick_like(&body) || tag.contains("rotate") {
            open = false;
            continue;
        }
        let key = if tag.contains("text-anchor=\"end\"") {
            format!("x={}", attr(tag, "x").unwrap_or_default())
        } else {
            format!("y={}", attr(tag, "y").unwrap_or_default())
        };
        // The x and y labels of one chart interleave: keep a run open per key.
        match groups.iter_mut().rev().find(|(k, _)| *k == key) {
            Some((_, group)) if open => group.push(body),
            _ => groups.push((key, vec![body])),
        }
        open = true;
    }
    groups
        .into_iter()
        .map(|(_, g)| g)
        .filter(|g| g.len() >= 2)
        .collect()
}

fn assert_distinct_ticks(dir: &Path, what: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        let svg = std::fs::read_to_string(&path).unwrap();
        let axes = ticks_by_axis(&svg);
        assert!(
            !axes.is_empty(),
            "{what}: no tick labels found in {}",
            path.display()
        );
        for ticks in axes {
            let mut unique = ticks.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(
                unique.len(),
                ticks.len(),
                "{what}: repeated tick labels in {}: {ticks:?}",
                path.display()
            );
        }
    }
}

/// Every axis of every chart of every bundled scenario and of a generated fleet, and of the
/// compare and sweep charts, has distinct tick labels.
#[test]
fn every_axis_of_every_chart_has_distinct_tick_labels() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = fleet(dir.path(), "200", "30", "12");
    let mut scenarios = bundled_paths();
    scenarios.push(fleet);
    for scenario in &scenarios {
        let out = dir.path().join("out");
        run_ok(scenario, &out, &["--runs", "200", "--budget-total", "1000"]);
        assert_distinct_ticks(&out, &scenario.display().to_string());
    }
    let out = dir.path().join("sweep");
    retention_sweep(&out, "50");
    assert_distinct_ticks(&out, "sweep");
}

/// The sweep of a number places values by value, and keep_versions = 0 reads "all", apart.
#[test]
fn a_numeric_sweep_has_a_numeric_axis_and_all_for_keep_every_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    retention_sweep(&out, "20");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg"));
    // The sweep's table is an HTML table, one row per value.
    assert!(
        html.contains("<th>gallery.campus.keep_versions</th>"),
        "{html}"
    );
    assert!(
        html.contains("<tr><td>0 (all)</td>"),
        "0 keeps all, said so"
    );
    let svg = std::fs::read_to_string(out.join("sweep.svg")).unwrap();
    let axis = ticks_by_axis(&svg)
        .into_iter()
        .find(|t| t.contains(&"0 (all)".to_string()))
        .expect("an x axis with 0 (all)");
    // 4 is not a value: it is there because the axis is numeric (1, 2, 3, 5 spaced by value).
    assert_eq!(axis, ["1", "2", "3", "4", "5", "0 (all)"], "{axis:?}");
}

/// A budget on the distribution has its own colour and a legend entry, and no text on the
/// plot (a label there ran across the bars); no percentile line is drawn in the budget's red,
/// and every percentile is in the legend with its figure.
#[test]
fn the_budget_line_on_the_distribution_is_in_its_own_colour_and_the_legend() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(
        &bundled("budget-montecarlo.toml"),
        &out,
        &["--runs", "300", "--budget-total", "3195"],
    );
    let svg = std::fs::read_to_string(out.join("cost_distribution.svg")).unwrap();
    let texts = svg_texts(&svg);
    let budget: Vec<_> = texts.iter().filter(|t| t.2.contains("$3,195.00")).collect();
    assert_eq!(budget.len(), 1, "{budget:?}");
    assert_eq!(budget[0].2, "total budget $3,195.00");
    assert!(budget[0].0 >= LEGEND_X, "only in the legend: {budget:?}");
    let red = "#C80000";
    let red_lines = svg.matches(&format!("stroke=\"{red}\"")).count();
    assert!(red_lines >= 2, "budget line and legend swatch in red");
    for p in ["P50", "P80", "P90"] {
        assert!(
            texts
                .iter()
                .any(|t| t.0 >= LEGEND_X && t.2.starts_with(&format!("{p}: $"))),
            "{p} in the legend"
        );
    }
}

/// The comparison chart names every scenario in its title and shows the budgets.
#[test]
fn the_comparison_chart_names_every_scenario_and_shows_budgets() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    bin()
        .arg("compare")
        .arg(bundled("question-lab-account.toml"))
        .arg(bundled("question-lab-plan.toml"))
        .args([
            "-q",
            "--runs",
            "20",
            "--budget-total",
            "500",
            "--budget-monthly",
            "40",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("comparison.svg")).unwrap();
    let title = svg.split("</text>").next().unwrap();
    assert!(
        title.contains(" vs ") && title.contains("compared"),
        "{title}"
    );
    assert!(svg.contains("total budget $500.00") && svg.contains("monthly budget $40.00"));
}

/// Money spent on images no lab can use has its own series on the monthly and cumulative
/// charts (pitfalls: $441.94 of $503.91 over six months, see summary.csv).
#[test]
fn spend_on_images_no_lab_can_use_is_its_own_series() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_ok(&bundled("pitfalls.toml"), &out, &[]);
    let monthly = std::fs::read_to_string(out.join("monthly_cost.svg")).unwrap();
    assert!(monthly.contains("of which images no lab can use"));
    let cumulative = std::fs::read_to_string(out.join("cumulative_cost.svg")).unwrap();
    assert!(
        cumulative.contains("no lab can use: $441.94"),
        "the summary's ineligible_cost"
    );
    let summary = read_csv(&out.join("summary.csv"));
    let row = summary
        .iter()
        .find(|r| r["metric"] == "ineligible_cost")
        .unwrap();
    assert_eq!(row["mean"], "441.9421");
}

/// With more regions than one chart shows, each gallery gets its own panel (the biggest three
/// and the rest together) on one cost scale: "N other regions" never hides a gallery.
#[test]
fn more_regions_than_colours_add_one_panel_per_gallery() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = fleet(dir.path(), "200", "5", "6");
    let out = dir.path().join("out");
    run_ok(&fleet, &out, &[]);
    let svg = std::fs::read_to_string(out.join("monthly_cost_by_gallery.svg")).unwrap();
    let panels = svg.matches(">\ngallery inst").count() + svg.matches(">gallery inst").count();
    assert_eq!(panels, 3, "the three biggest galleries");
    assert!(svg.contains("2 other galleries"), "and the rest together");
    // A scenario with few regions has no such chart.
    let small = dir.path().join("small");
    run_ok(&bundled("default.toml"), &small, &[]);
    assert!(!small.join("monthly_cost_by_gallery.svg").exists());
}

/// Left edge of the legend panel (1200 - 270 pixels).
const LEGEND_X: i32 = 930;

/// Every text of an SVG: x, y and the text.
fn svg_texts(svg: &str) -> Vec<(i32, i32, String)> {
    let attr = |tag: &str, name: &str| -> i32 {
        let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()]
            .parse::<f64>()
            .unwrap() as i32
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|piece| {
            let close = piece.find('>')?;
            let end = piece.find("</text>")?;
            let tag = &piece[..close];
            let body = piece[close + 1..end].trim().replace("&amp;", "&");
            Some((attr(tag, "x"), attr(tag, "y"), body))
        })
        .collect()
}

/// The legend's filled swatches of an SVG chart: (label, fill), in order.
fn legend_swatches(svg: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = svg.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("<rect x=\"940\"")
            && line.contains("width=\"20\" height=\"16\"")
            && line.contains("opacity=\"1\"")
        {
            let fill = &line[line.find("fill=\"").unwrap() + 6..];
            let fill = fill[..fill.find('"').unwrap()].to_string();
            found.push((lines[i + 2].trim().to_string(), fill));
        }
    }
    found
}

/// Issue 27 item 5: one colour per region in every chart of a run (monthly cost, by gallery,
/// replicas), distinct for every region drawn, "other regions" grey; the palette is
/// colour-blind safe (Okabe-Ito first).
#[test]
fn each_region_has_one_colour_in_every_chart_and_distinct_colours() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fleet.toml");
    bin()
        .args(["generate", "--labs", "300", "--runs", "5", "--months", "6"])
        .args([
            "--geographies",
            "us,europe,japan,australia,canada,uk,brazil",
        ])
        .arg("--out")
        .arg(&file)
        .assert()
        .success();
    let out = dir.path().join("out");
    run_ok(&file, &out, &[]);
    let mut colour_of: std::collections::BTreeMap<String, String> = Default::default();
    let mut regions_drawn = 0;
    for chart in ["monthly_cost", "monthly_cost_by_gallery", "replicas"] {
        let svg = std::fs::read_to_string(out.join(format!("{chart}.svg"))).unwrap();
        let swatches: Vec<(String, String)> = legend_swatches(&svg)
            .into_iter()
            .filter(|(l, _)| !l.starts_with("lighter") && !l.starts_with("of which"))
            .collect();
        assert!(swatches.len() >= 8, "{chart}: {swatches:?}");
        for (label, fill) in swatches {
            if label.contains("other regions") {
                assert_eq!(fill, "#969696", "{chart}: other regions are grey");
                continue;
            }
            regions_drawn += 1;
            let known = colour_of.entry(label.clone()).or_insert(fill.clone());
            assert_eq!(*known, fill, "{chart}: {label} changed colour");
        }
    }
    assert!(regions_drawn > 0);
    let mut fills: Vec<&String> = colour_of.values().collect();
    let regions = fills.len();
    fills.sort();
    fills.dedup();
    assert_eq!(fills.len(), regions, "distinct colours: {colour_of:?}");
    assert!(regions >= 12, "a fleet of many regions: {colour_of:?}");
    // The biggest region gets the palette's first colour (Okabe-Ito blue).
    let monthly = std::fs::read_to_string(out.join("monthly_cost.svg")).unwrap();
    let legend = legend_swatches(&monthly);
    let regions_in_order: Vec<&(String, String)> =
        legend.iter().filter(|(l, _)| !l.contains(' ')).collect();
    assert_eq!(regions_in_order.last().unwrap().1, "#0072B2", "{legend:?}");
}

/// Issue 27 item 7: months named by the calendar on every time axis ("Dec 2026" under
/// calendar billing, also in the comparison chart, whose axis says "calendar month"); the
/// cumulative chart's total and the distribution's labels are not written over the plot.
#[test]
fn months_are_named_and_no_label_crosses_the_plot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    run_ok(&bundled("question-migration.toml"), &out, &["--runs", "20"]);
    for chart in ["monthly_cost", "cumulative_cost", "replicas"] {
        let svg = std::fs::read_to_string(out.join(format!("{chart}.svg"))).unwrap();
        let texts = svg_texts(&svg);
        let months: Vec<&str> = texts
            .iter()
            .map(|t| t.2.as_str())
            .filter(|t| ["Dec 2026", "Jan 2027", "Feb", "Mar", "Jun", "Nov"].contains(t))
            .collect();
        assert!(months.len() >= 5, "{chart}: {months:?}");
        assert!(svg.contains("billing month (calendar month)"), "{chart}");
    }
    let cumulative = std::fs::read_to_string(out.join("cumulative_cost.svg")).unwrap();
    let total: Vec<_> = svg_texts(&cumulative)
        .into_iter()
        .filter(|t| t.2.contains("total"))
        .collect();
    assert!(
        total.iter().all(|t| t.0 >= LEGEND_X) && !total.is_empty(),
        "the mean total is in the legend, not across the lines: {total:?}"
    );
    let cmp = dir.path().join("cmp");
    bin()
        .arg("compare")
        .arg(bundled("question-migration.toml"))
        .args(["--variant", "no-cleanup:gallery.campus-images.retarget=[]"])
        .args(["-q", "--runs", "10", "--out"])
        .arg(&cmp)
        .assert()
        .success();
    let svg = std::fs::read_to_string(cmp.join("comparison.svg")).unwrap();
    assert!(
        svg.contains("billing month (calendar month)"),
        "compare axis"
    );
    assert!(!svg.contains("billing month from"));
    assert!(svg_texts(&svg).iter().any(|t| t.2 == "Dec 2026"));
}

/// Issue 27 item 7: money axes go beyond M ($60B, not $60000M), and the y-axis title sits
/// clear of the widest tick label.
#[test]
fn money_axes_read_billions_and_titles_clear_the_ticks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    bin()
        .arg("sweep")
        .arg(bundled("default.toml"))
        .args(["--param", "prices.snapshot_gb_month"])
        .args([
            "--values",
            "0.05,500000,1000000",
            "-q",
            "--runs",
            "5",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("sweep.svg")).unwrap();
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|t| t.2 == "$60B"), "billions");
    assert!(!svg.contains("000M"), "no $60000M");
    // The rotated y title is left of every y tick label (ticks end at their x).
    let title = texts
        .iter()
        .find(|t| t.2.starts_with("total cost over the horizon"))
        .unwrap();
    let widest = texts
        .iter()
        .filter(|t| t.2.ends_with('B') && t.2.starts_with('$'))
        .map(|t| t.0 - 10 * t.2.chars().count() as i32)
        .min()
        .unwrap();
    assert!(
        title.0 + 10 < widest,
        "title {title:?} vs ticks from {widest}"
    );
}

/// Issue 27 item 6: the advisor's frontier frames the useful replica counts (not up to 100),
/// marks the replicas now and the advised ones, and the report names the "now" columns.
#[test]
fn the_frontier_frames_the_useful_range_and_marks_now() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("advise");
    bin()
        .arg("advise")
        .arg(bundled("question-replicas.toml"))
        .args(["--target-minutes", "30", "-q", "--runs", "40", "--out"])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("advice_frontier.svg")).unwrap();
    let texts = svg_texts(&svg);
    let advice = read_csv(&out.join("advice.csv"));
    let most = advice
        .iter()
        .map(|r| num(r, "replicas_advised").max(num(r, "replicas_now")))
        .fold(0.0, f64::max);
    // Money ticks on the x axis: the largest is within about twice the advised cost.
    let dearest_advised = advice
        .iter()
        .map(|r| num(r, "monthly_cost_advised"))
        .fold(0.0, f64::max);
    let top_tick = texts
        .iter()
        .filter_map(|t| t.2.strip_prefix('$')?.parse::<f64>().ok())
        .fold(0.0, f64::max);
    assert!(
        top_tick > dearest_advised && top_tick < 2.0 * dearest_advised,
        "x axis to {top_tick}, advised {dearest_advised}"
    );
    // Point labels are replica counts; none beyond the framed range (the y ticks step by 20).
    assert!(most < 13.0, "advised {most}");
    for far in ["13", "25", "50"] {
        assert!(!texts.iter().any(|t| t.2 == far), "{far} is off the chart");
    }
    assert!(
        texts
            .iter()
            .any(|t| t.2.starts_with("off the chart: 13 to 50 replicas")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.2.starts_with("now (")));
    assert!(texts.iter().any(|t| t.2.starts_with("advised (")));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for column in [
        "replicas now",
        "minutes now",
        "per month now",
        "minutes advised",
    ] {
        assert!(html.contains(&format!(">{column}</th>")), "{column}");
    }
}

/// Issue 27 item 9: the tornado's bars are ordered by swing and each input carries its rank
/// by share of variance; the chart says when the two orders differ.
#[test]
fn the_tornado_shows_both_orders() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tornado");
    bin()
        .arg("tornado")
        .arg(bundled("question-migration.toml"))
        .args(["-q", "--runs", "100", "--out"])
        .arg(&out)
        .assert()
        .success();
    let rows = read_csv(&out.join("sensitivity.csv"));
    let top = rows
        .iter()
        .max_by(|a, b| num(a, "variance_share").total_cmp(&num(b, "variance_share")))
        .unwrap();
    let name = top["input"].trim_start_matches("image.");
    let svg = std::fs::read_to_string(out.join("tornado.svg")).unwrap();
    let texts = svg_texts(&svg);
    let label = texts
        .iter()
        .find(|t| t.2.starts_with(&format!("{name} (")))
        .unwrap_or_else(|| panic!("{name} in {texts:?}"));
    assert!(label.2.ends_with(", #1)"), "{label:?}");
    assert!(texts.iter().any(|t| t.2 == "Bars: biggest swing on top."));
    if rows[0]["input"] != top["input"] {
        assert!(texts.iter().any(|t| t.2.starts_with("The orders differ")));
    }
}
