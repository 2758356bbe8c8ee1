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
                "billing month (730 hours each) from 2026-09-01",
                "eastus",
                "P10-P90",
            ],
        ),
        (
            "cumulative_cost",
            &[
                "cumulative gallery cost",
                "spent since the start (USD)",
                "total $",
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
    let fleet = dir.path().join("fleet.toml");
    bin()
        .args([
            "generate", "--labs", "400", "--runs", "60", "--months", "12", "--out",
        ])
        .arg(&fleet)
        .assert()
        .success();
    for scenario in [bundled("budget-montecarlo.toml"), fleet] {
        let out = dir.path().join("out");
        bin()
            .arg("run")
            .arg(&scenario)
            .args(["-q", "--out"])
            .arg(&out)
            .assert()
            .success();
        let svg = std::fs::read_to_string(out.join("cost_distribution.svg")).unwrap();
        let ticks = money_ticks(&svg);
        assert!(ticks.len() >= 3, "{ticks:?}");
        let mut unique = ticks.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ticks.len(), "repeated tick labels: {ticks:?}");
    }
}
