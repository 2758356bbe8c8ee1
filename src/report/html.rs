//! `report.html`: one self-contained file to send to a finance office. The headline
//! (P50/P80/P90 of the total, the worst month's P80, each month's percentiles), the command's
//! report as HTML tables (the same [`Doc`] the terminal prints), every chart inline as SVG
//! (with the charts' font embedded, so text looks as in the PNGs), and at the end the prices
//! used (each once) and the scenario text. No scripts, no external fetches; a print
//! stylesheet puts it on A4 with one chart per page.

use std::fmt::Write as _;

use base64::Engine as _;

use super::doc::{esc, Doc};
use super::view::money;
use super::OutputFile;
use crate::analysis::headline::Headline;
use crate::montecarlo::Results;
use crate::scenario::Scenario;

const STYLE: &str = r#"
body { font-family: "DejaVu Sans Embedded", "DejaVu Sans", sans-serif; margin: 2rem auto;
       max-width: 70rem; color: #222; line-height: 1.4; }
svg text { font-family: "DejaVu Sans Embedded", "DejaVu Sans", sans-serif; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.sub { color: #555; margin-top: 0; }
.headline { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.box { border: 1px solid #ccc; border-radius: 6px; padding: 0.6rem 1rem; min-width: 9rem; }
.box .v { font-size: 1.4rem; font-weight: bold; }
.box .k { color: #555; font-size: 0.85rem; }
pre { background: #f6f6f6; padding: 0.8rem; white-space: pre-wrap; font-size: 0.8rem; }
table { border-collapse: collapse; font-size: 0.85rem; }
td, th { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
p.l1 { margin: 0.2rem 0; } p.l2 { margin: 0.1rem 0 0.1rem 1.5rem; } p.l3 { margin-left: 3rem; }
figure { margin: 1.5rem 0; }
figure svg { width: 100%; height: auto; }
.warn { color: #8a4b00; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; }
  figure { page-break-before: always; break-before: page; }
  pre { white-space: pre-wrap; }
}
"#;

/// What a `report.html` shows, top to bottom.
struct Page<'a> {
    title: &'a str,
    subtitle: String,
    /// Boxed headline figures: value, what it is.
    headline: Vec<(String, String)>,
    /// The command's report.
    doc: &'a Doc,
    /// The prices used (None: the command prices nothing).
    prices: Option<Doc>,
    /// The scenario files behind the page: label, text.
    scenarios: Vec<(&'a str, &'a str)>,
}

/// `report.html` for a run (or a merge): `files` are the run's other outputs (its charts are
/// drawn in), `doc` the run's report.
pub fn report(
    scenario: &Scenario,
    results: &Results,
    headline: &Headline,
    files: &[OutputFile],
    doc: &Doc,
) -> OutputFile {
    let cur = scenario.currency.as_str();
    let t = &headline.total;
    let runs = results.runs.len();
    let mut tiles = match runs > 1 {
        true => vec![
            (t.p50, "P50 total".to_string()),
            (t.p80, "P80 total (budget)".to_string()),
            (t.p90, "P90 total".to_string()),
        ],
        // One run has no spread: its total, not three equal percentiles.
        false => vec![(t.mean, "total (one run)".to_string())],
    };
    if runs > 1 {
        tiles.push((
            headline.worst_month.p80,
            "P80 of each run's worst month (a monthly budget)".to_string(),
        ));
    }
    tiles.push((
        headline.mean_per_month,
        "mean per month (average)".to_string(),
    ));
    let mut doc = doc.clone();
    doc.extend(super::view::monthly(scenario, headline));
    let page = Page {
        title: &scenario.name,
        subtitle: format!(
            "Azure Compute Gallery cost over {} billing months from {} ({}), {} Monte Carlo run{}, seed {}.",
            scenario.months,
            scenario.calendar.start(),
            if scenario.calendar.is_730h() { "730-hour months" } else { "calendar months" },
            runs,
            if runs == 1 { "" } else { "s" },
            scenario.seed
        ),
        headline: tiles.into_iter().map(|(v, k)| (money(v, cur), k)).collect(),
        doc: &doc,
        prices: Some(super::view::prices(&[(
            scenario.name.clone(),
            scenario,
            results,
        )])),
        scenarios: vec![("Scenario", &scenario.text)],
    };
    page.render(files)
}

/// `report.html` for `compare`, `sweep`, `tornado` or `advise`: `title` says what was
/// analysed, `doc` is the command's report, `files` its other outputs, `scenarios` the
/// (label, scenario) behind it and `priced` the results whose prices are listed.
pub fn analysis(
    title: &str,
    doc: &Doc,
    files: &[OutputFile],
    scenarios: &[(String, &Scenario)],
    priced: &[(String, &Scenario, &Results)],
) -> OutputFile {
    let first = scenarios.first().map(|(_, s)| *s);
    let page = Page {
        title,
        subtitle: first.map_or_else(String::new, |s| {
            format!(
                "Azure Compute Gallery cost over {} billing months from {}, {} Monte Carlo runs per scenario, seed {}.",
                s.months,
                s.calendar.start(),
                s.runs,
                s.seed
            )
        }),
        headline: Vec::new(),
        doc,
        prices: (!priced.is_empty()).then(|| super::view::prices(priced)),
        scenarios: distinct_texts(scenarios),
    };
    page.render(files)
}

/// The scenario texts behind an analysis, each distinct text once (a sweep's variants share
/// their base's).
fn distinct_texts<'a>(scenarios: &'a [(String, &'a Scenario)]) -> Vec<(&'a str, &'a str)> {
    let mut texts: Vec<(&str, &str)> = Vec::new();
    for (label, s) in scenarios {
        if !texts.iter().any(|(_, t)| *t == s.text) {
            texts.push((label, &s.text));
        }
    }
    texts
}

impl Page<'_> {
    fn render(&self, files: &[OutputFile]) -> OutputFile {
        let mut html = String::new();
        let font = base64::engine::general_purpose::STANDARD.encode(dejavu::sans::regular());
        let _ = write!(
            html,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{}</title>\n<style>@font-face {{ font-family: \"DejaVu Sans Embedded\"; src: url(data:font/ttf;base64,{font}) format(\"truetype\"); }}\n{STYLE}</style></head><body>\n",
            esc(self.title)
        );
        let _ = writeln!(
            html,
            "<h1>{}</h1><p class=\"sub\">{}</p>",
            esc(self.title),
            esc(&self.subtitle)
        );
        if !self.headline.is_empty() {
            html.push_str("<div class=\"headline\">\n");
            for (v, k) in &self.headline {
                let _ = writeln!(
                    html,
                    "<div class=\"box\"><div class=\"v\">{}</div><div class=\"k\">{}</div></div>",
                    esc(v),
                    esc(k)
                );
            }
            html.push_str("</div>\n");
        }
        let _ = writeln!(html, "<h2>The report</h2>\n{}", self.doc.html());
        html.push_str("<h2>Charts</h2>\n");
        for f in files.iter().filter(|f| f.name.ends_with(".svg")) {
            let svg = String::from_utf8_lossy(&f.bytes);
            // The SVG as is, without its XML declaration.
            let body = svg.find("<svg").map_or(svg.as_ref(), |i| &svg[i..]);
            let _ = writeln!(
                html,
                "<figure>{body}<figcaption>{}</figcaption></figure>",
                esc(&f.name.replace(".svg", ""))
            );
        }
        if let Some(prices) = &self.prices {
            let _ = writeln!(html, "<h2>Prices used</h2>\n{}", prices.html());
        }
        for (label, text) in &self.scenarios {
            let _ = writeln!(html, "<h2>{}</h2>\n<pre>{}</pre>", esc(label), esc(text));
        }
        let _ = writeln!(
            html,
            "<p class=\"sub\">Written by gallerysim {}. Every figure is in the CSV files beside this report.</p>\n</body></html>",
            env!("CARGO_PKG_VERSION")
        );
        OutputFile {
            name: "report.html".to_string(),
            bytes: html.into_bytes(),
        }
    }
}
