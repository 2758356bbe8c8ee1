//! `report.html`: one self-contained file to send to a finance office. The headline
//! (P50/P80/P90 and per month), what the gallery buys, the terminal report's tables, every chart
//! inline as SVG (with the charts' font embedded, so text looks as in the PNGs), the warnings,
//! and at the end the scenario text and the prices used. No scripts, no external fetches; a
//! print stylesheet puts it on A4 with one chart per page.

use std::fmt::Write as _;

use base64::Engine as _;

use super::terminal::money;
use super::OutputFile;
use crate::montecarlo::Results;
use crate::scenario::Scenario;
use crate::stats::Summary;

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

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
td, th { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: right; }
td:first-child, th:first-child { text-align: left; }
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
    headline: Vec<(String, &'a str)>,
    /// The terminal report.
    terminal: &'a str,
    /// The scenario files behind the page: label, text.
    scenarios: Vec<(&'a str, &'a str)>,
}

/// `report.html` for a run (or a merge): `files` are the run's other outputs (charts and
/// `prices_used.csv` are taken from them) and `terminal` the terminal report's text.
pub fn report(
    scenario: &Scenario,
    results: &Results,
    files: &[OutputFile],
    terminal: &str,
) -> OutputFile {
    let cur = scenario.currency.as_str();
    let totals: Vec<f64> = results.runs.iter().map(|r| r.totals.total_cost).collect();
    let s = Summary::of(&totals);
    let months = f64::from(scenario.months.max(1));
    let page = Page {
        title: &scenario.name,
        subtitle: format!(
            "Azure Compute Gallery cost over {} billing months from {} ({}), {} Monte Carlo run{}, seed {}.",
            scenario.months,
            scenario.calendar.start(),
            if scenario.calendar.is_730h() { "730-hour months" } else { "calendar months" },
            results.runs.len(),
            if results.runs.len() == 1 { "" } else { "s" },
            scenario.seed
        ),
        headline: [
            (s.p50, "P50 total"),
            (s.p80, "P80 total (budget)"),
            (s.p90, "P90 total"),
            (s.p80 / months, "P80 per month"),
            (s.mean / months, "mean per month"),
        ]
        .into_iter()
        .map(|(v, k)| (money(v, cur), k))
        .collect(),
        terminal,
        scenarios: vec![("Scenario", &scenario.text)],
    };
    page.render(files)
}

/// `report.html` for `compare`, `sweep`, `tornado` or `advise`: `title` says what was
/// analysed, `terminal` is the command's terminal report, `files` its other outputs, and
/// `scenarios` the (label, scenario) behind it.
pub fn analysis(
    title: &str,
    terminal: &str,
    files: &[OutputFile],
    scenarios: &[(&str, &Scenario)],
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
        terminal,
        scenarios: scenarios.iter().map(|(l, s)| (*l, s.text.as_str())).collect(),
    };
    page.render(files)
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
                    "<div class=\"box\"><div class=\"v\">{}</div><div class=\"k\">{k}</div></div>",
                    esc(v)
                );
            }
            html.push_str("</div>\n");
        }
        let _ = writeln!(
            html,
            "<h2>The report</h2>\n<pre>{}</pre>",
            esc(self.terminal.trim_end())
        );
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
        if let Some(prices) = files.iter().find(|f| f.name == "prices_used.csv") {
            html.push_str("<h2>Prices used</h2>\n<table>\n");
            let mut reader = ::csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(prices.bytes.as_slice());
            for (i, record) in reader.records().flatten().enumerate() {
                let cell = if i == 0 { "th" } else { "td" };
                html.push_str("<tr>");
                for field in &record {
                    let _ = write!(html, "<{cell}>{}</{cell}>", esc(field));
                }
                html.push_str("</tr>\n");
            }
            html.push_str("</table>\n");
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
