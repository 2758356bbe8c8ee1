//! Charts for a budget meeting, each as SVG and PNG: cost per month stacked by region,
//! cumulative spend, the distribution of the total over runs, and replicas alive per region.
//!
//! The data is prepared once ([`ChartData`], a pure function of the results); each chart is
//! drawn by one generic function, once on the SVG backend and once on a bitmap that is
//! encoded to PNG in memory. Text in PNGs uses DejaVu Sans embedded in the binary, so the
//! output does not depend on the fonts installed on the machine.

use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::view::{money, with_currency};
use super::OutputFile;
use crate::analysis::budget::Budget;
use crate::error::Error;
use crate::model::{Component, PerComponent};
use crate::montecarlo::Results;
use crate::scenario::Scenario;
use crate::stats::percentile;

/// Pixel size of every chart.
pub const SIZE: (u32, u32) = (1200, 700);
/// Width of the legend panel on the right.
pub(super) const LEGEND_WIDTH: u32 = 270;
/// Regions drawn individually; the rest are summed as "other regions".
const MAX_SERIES: usize = 9;
/// Panels of `monthly_cost_by_gallery`: the biggest galleries, then the rest together.
const MAX_PANELS: usize = 4;
pub(super) const FONT: &str = "sans-serif";

/// Tableau 10: distinguishable, colour-blind-friendlier than the plotters defaults.
pub(super) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// One region's (or "other regions"') monthly figures, mean over runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionSeries {
    /// Legend label.
    pub label: String,
    /// Cost per component per month.
    pub cost: PerComponent<Vec<f64>>,
    /// Average replicas alive per month.
    pub replicas: Vec<f64>,
}

/// Everything the charts draw, prepared from the results.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// Scenario name, for titles.
    pub title: String,
    /// Currency of all money.
    pub currency: String,
    /// Start date, for the time axis.
    pub start: String,
    /// Billing months are calendar months (else 730-hour blocks).
    pub calendar_months: bool,
    /// Billing months.
    pub months: usize,
    /// Per region, largest total first.
    pub series: Vec<RegionSeries>,
    /// When there are more regions than one chart shows: per gallery (title, its regions).
    pub by_gallery: Vec<(String, Vec<RegionSeries>)>,
    /// Per month, P10 and P90 of the month's total over runs.
    pub monthly_band: Vec<(f64, f64)>,
    /// Per month, the mean cost of images no lab can use (all zero when every image is
    /// eligible).
    pub ineligible: Vec<f64>,
    /// Per month end, mean, P10 and P90 of the cumulative cost over runs.
    pub cumulative: Vec<(f64, f64, f64)>,
    /// Total cost of each run.
    pub totals: Vec<f64>,
    /// Budgets to draw, if any.
    pub budget: Budget,
    /// Per deployment: label, P10, P50 and P90 minutes to ready over every served wave of
    /// every run, and the target when given.
    pub deployments: Vec<DeploymentBar>,
}

/// One deployment on the minutes-to-ready chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentBar {
    /// `name (region)`.
    pub label: String,
    /// P10, P50, P90 minutes (None when no wave was ever served).
    pub minutes: Option<(f64, f64, f64)>,
    /// Target minutes.
    pub target: Option<f64>,
}

impl ChartData {
    /// Prepares the chart data.
    pub fn new(scenario: &Scenario, results: &Results, budget: &Budget) -> ChartData {
        let regions = &scenario.regions;
        let months = scenario.months as usize;
        let ledger = &results.monthly_mean;
        let series = region_series(scenario, results, |_| true);
        // More regions than one chart shows: also one panel per gallery (the biggest
        // MAX_PANELS - 1 and the rest together), so "other regions" never hides a gallery.
        let mut by_gallery: Vec<(String, Vec<RegionSeries>)> = Vec::new();
        let regions_used = {
            let mut r: Vec<_> = scenario.cells.iter().map(|c| c.region).collect();
            r.sort_unstable();
            r.dedup();
            r.len()
        };
        if regions_used > MAX_SERIES && scenario.galleries.len() > 1 {
            // Each gallery's cost over the horizon, in one pass over the ledger.
            let mut galleries: Vec<(usize, f64)> =
                (0..scenario.galleries.len()).map(|g| (g, 0.0)).collect();
            for m in 0..months {
                for (i, cell) in scenario.cells.iter().enumerate() {
                    let e = ledger.entry(m, i);
                    galleries[cell.gallery].1 += e.cost();
                }
            }
            galleries.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let shown = if galleries.len() > MAX_PANELS {
                MAX_PANELS - 1
            } else {
                galleries.len()
            };
            for &(g, _) in &galleries[..shown] {
                by_gallery.push((
                    format!("gallery {}", scenario.galleries[g].name),
                    region_series(scenario, results, |c| c.gallery == g),
                ));
            }
            if galleries.len() > shown {
                let rest: Vec<usize> = galleries[shown..].iter().map(|&(g, _)| g).collect();
                by_gallery.push((
                    format!("{} other galleries", rest.len()),
                    region_series(scenario, results, |c| rest.contains(&c.gallery)),
                ));
            }
        }

        let band = |values: &mut Vec<f64>| {
            values.sort_by(f64::total_cmp);
            (percentile(values, 0.10), percentile(values, 0.90))
        };
        let runs = &results.monthly_totals;
        let monthly_band = (0..months)
            .map(|m| band(&mut runs.iter().map(|r| r[m]).collect()))
            .collect();
        let mut running = vec![0.0; runs.len()];
        let cumulative = (0..months)
            .map(|m| {
                for (acc, run) in running.iter_mut().zip(runs) {
                    *acc += run[m];
                }
                let mean = running.iter().sum::<f64>() / running.len().max(1) as f64;
                let (p10, p90) = band(&mut running.clone());
                (mean, p10, p90)
            })
            .collect();
        ChartData {
            title: scenario.name.clone(),
            currency: scenario.currency.clone(),
            start: scenario.calendar.start().to_string(),
            calendar_months: !scenario.calendar.is_730h(),
            months,
            series,
            by_gallery,
            monthly_band,
            ineligible: results.monthly_ineligible_mean.clone(),
            cumulative,
            totals: results.runs.iter().map(|r| r.totals.total_cost).collect(),
            budget: *budget,
            deployments: scenario
                .deployments
                .iter()
                .zip(&results.deployment_minutes)
                .map(|(d, minutes)| {
                    let mut sorted = minutes.clone();
                    sorted.sort_by(f64::total_cmp);
                    DeploymentBar {
                        label: format!("{} ({})", d.name, regions.get(d.region).name),
                        minutes: (!sorted.is_empty()).then(|| {
                            (
                                percentile(&sorted, 0.1),
                                percentile(&sorted, 0.5),
                                percentile(&sorted, 0.9),
                            )
                        }),
                        target: d.target_minutes,
                    }
                })
                .collect(),
        }
    }

    fn runs(&self) -> usize {
        self.totals.len()
    }

    fn month_axis(&self) -> String {
        if self.calendar_months {
            format!("calendar month from {}", self.start)
        } else {
            format!("billing month (730 hours each) from {}", self.start)
        }
    }
}

/// Per region, summed over the cells `keep` accepts, largest total first; beyond
/// [`MAX_SERIES`] the smallest are summed as "N other regions".
fn region_series(
    scenario: &Scenario,
    results: &Results,
    keep: impl Fn(&crate::scenario::Cell) -> bool,
) -> Vec<RegionSeries> {
    let regions = &scenario.regions;
    let months = scenario.months as usize;
    let ledger = &results.monthly_mean;
    let mut per_region: Vec<(crate::catalog::RegionId, RegionSeries)> = Vec::new();
    for (c, cell) in scenario.cells.iter().enumerate() {
        if !keep(cell) {
            continue;
        }
        let i = match per_region.iter().position(|(r, _)| *r == cell.region) {
            Some(i) => i,
            None => {
                per_region.push((
                    cell.region,
                    RegionSeries {
                        label: regions.get(cell.region).name.clone(),
                        cost: PerComponent::from_fn(|_| vec![0.0; months]),
                        replicas: vec![0.0; months],
                    },
                ));
                per_region.len() - 1
            }
        };
        let s = &mut per_region[i].1;
        for m in 0..months {
            let e = ledger.entry(m, c);
            for c in Component::ALL {
                s.cost[c][m] += e.cost_of(c);
            }
            s.replicas[m] += e.replica_months;
        }
    }
    let total = |s: &RegionSeries| s.cost.values().flatten().sum::<f64>();
    let mut series: Vec<RegionSeries> = per_region.into_iter().map(|(_, s)| s).collect();
    series.sort_by(|a, b| total(b).total_cmp(&total(a)).then(a.label.cmp(&b.label)));
    if series.len() > MAX_SERIES {
        let rest = series.split_off(MAX_SERIES - 1);
        let mut other = RegionSeries {
            label: format!("{} other regions", rest.len()),
            cost: PerComponent::from_fn(|_| vec![0.0; months]),
            replicas: vec![0.0; months],
        };
        for s in &rest {
            for m in 0..months {
                for c in Component::ALL {
                    other.cost[c][m] += s.cost[c][m];
                }
                other.replicas[m] += s.replicas[m];
            }
        }
        series.push(other);
    }
    series
}

/// One job per chart (SVG and PNG), in output order.
pub(super) fn jobs(data: &ChartData) -> Vec<super::Job<'_>> {
    register_fonts();
    let mut jobs: Vec<super::Job<'_>> = Vec::new();
    // Each drawing function is generic over the backend; the closures instantiate it twice.
    macro_rules! chart {
        ($name:literal, $draw:ident) => {
            jobs.push(Box::new(move || {
                Ok(render($name, |root| $draw(root, data), |root| $draw(root, data))?.to_vec())
            }))
        };
    }
    chart!("monthly_cost", monthly_cost);
    if !data.by_gallery.is_empty() {
        chart!("monthly_cost_by_gallery", monthly_cost_by_gallery);
    }
    chart!("cumulative_cost", cumulative_cost);
    if data.runs() > 1 {
        chart!("cost_distribution", cost_distribution);
    }
    chart!("replicas", replicas);
    if !data.deployments.is_empty() {
        chart!("deployment_minutes", deployment_minutes);
    }
    jobs
}

pub(super) fn register_fonts() {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        // The fonts are embedded and valid; a failure would only mean missing text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Draws one chart on an SVG string and on a bitmap encoded as PNG.
pub(super) fn render(
    name: &str,
    svg_draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
    png_draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<[OutputFile; 2], Error> {
    let fail = |message: String| Error::Chart {
        name: name.to_string(),
        message,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        svg_draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(format!("{e:?}")))?;
    }
    let mut pixels = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
        png_draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(format!("{e:?}")))?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, SIZE.0, SIZE.1);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // Fast deflate and one filter for every row: charts are flat colours, and Paeth gives
        // the files adaptive filtering gives (about 70 KB) without trying five filters a row.
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::Filter::Paeth);
        let mut writer = encoder.write_header().map_err(|e| fail(e.to_string()))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| fail(e.to_string()))?;
    }
    Ok([
        OutputFile {
            name: format!("{name}.svg"),
            bytes: svg.into_bytes(),
        },
        OutputFile {
            name: format!("{name}.png"),
            bytes: png_bytes,
        },
    ])
}

pub(super) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Money tick labels for an axis from `lo` to `hi`: one unit (k, M) for the whole axis, and
/// enough decimals that ticks about a tenth of the span apart never print the same text (a
/// narrow distribution of large totals gets `$1.42k $1.44k ...`, not `$1.4k $1.4k`).
pub(super) fn money_axis(lo: f64, hi: f64, currency: &str) -> impl Fn(&f64) -> String + '_ {
    let top = lo.abs().max(hi.abs());
    let (unit, suffix) = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
        .into_iter()
        .find(|&(unit, _)| top >= unit)
        .unwrap_or((1.0, ""));
    let step = ((hi - lo).abs() / 10.0 / unit).max(1e-12);
    let decimals = (-step.log10()).ceil().clamp(0.0, 6.0) as usize;
    move |x: &f64| {
        if *x == 0.0 {
            return with_currency("0".to_string(), currency);
        }
        let v = *x / unit + 0.0;
        with_currency(format!("{v:.decimals$}{suffix}"), currency)
    }
}

/// Integer tick labels on an f64 axis: blank between whole numbers.
pub(super) fn whole(x: &f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        String::new()
    }
}

pub(super) type Area<DB> = DrawingArea<DB, Shift>;

/// A legend marker.
pub(super) enum Swatch {
    /// A filled box.
    Box(RGBAColor),
    /// A thick line.
    Line(RGBAColor),
}

/// Splits off the legend panel on the right and draws the title across the top.
pub(super) fn layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<(Area<DB>, Area<DB>), String> {
    root.fill(&WHITE).map_err(err)?;
    // Long scenario names get a smaller title rather than running off the picture.
    let size = if title.chars().count() > 80 { 20 } else { 26 };
    let body = root
        .titled(title, (FONT, size).into_font().style(FontStyle::Bold))
        .map_err(err)?;
    Ok(body.split_horizontally(SIZE.0 - LEGEND_WIDTH))
}

pub(super) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
) -> Result<(), String> {
    let style = TextStyle::from((FONT, 16).into_font()).color(&BLACK);
    for (i, (label, swatch)) in entries.iter().enumerate() {
        let y = 40 + 28 * i as i32;
        match swatch {
            Swatch::Box(c) => area
                .draw(&Rectangle::new([(10, y - 8), (30, y + 8)], c.filled()))
                .map_err(err)?,
            Swatch::Line(c) => area
                .draw(&PathElement::new(vec![(8, y), (32, y)], c.stroke_width(3)))
                .map_err(err)?,
        }
        area.draw(&Text::new(
            label.clone(),
            (40, y),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The f64 x f64 chart every drawing here uses.
pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart on `area` with the common margins; `y_labels` is the width of the y-label area.
pub(super) fn cartesian<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_labels: u32,
) -> Result<Plot<'a, DB>, String> {
    ChartBuilder::on(area)
        .margin(15)
        .x_label_area_size(55)
        .y_label_area_size(y_labels)
        .build_cartesian_2d(x, y)
        .map_err(err)
}

/// The mesh with the common styling: no minor grid lines, the shared fonts.
pub(super) fn mesh<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut Plot<'a, DB>,
) -> MeshStyle<'a, 'b, RangedCoordf64, RangedCoordf64, DB> {
    let mut style = chart.configure_mesh();
    style
        .light_line_style(TRANSPARENT)
        .label_style(label_style())
        .axis_desc_style(desc_style());
    style
}

/// Colour of budget lines.
pub(super) const BUDGET: RGBColor = RGBColor(200, 0, 0);

/// Colour of spend on images no lab can use.
const INELIGIBLE: RGBColor = RGBColor(60, 60, 60);

/// The legend entry of a budget line.
pub(super) fn budget_entry(which: &str, limit: f64, currency: &str) -> (String, Swatch) {
    (
        format!("{which} budget {}", money(limit, currency)),
        Swatch::Line(BUDGET.to_rgba()),
    )
}

/// A budget line between two points of a chart.
pub(super) fn budget_line<
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    from: (f64, f64),
    to: (f64, f64),
) -> Result<(), String> {
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![from, to],
            BUDGET.stroke_width(3),
        )))
        .map(|_| ())
        .map_err(err)
}

pub(super) fn label_style() -> TextStyle<'static> {
    (FONT, 16).into()
}

pub(super) fn desc_style() -> TextStyle<'static> {
    (FONT, 18).into()
}

fn monthly_cost<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), String> {
    let title = format!("{}: gallery cost per billing month", d.title);
    let (plot, side) = layout(root, &title)?;
    let n = d.months;
    let top = (0..n)
        .map(|m| month_total(&d.series, m))
        .chain(d.monthly_band.iter().map(|b| b.1))
        .chain(d.budget.monthly)
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.1;
    let mut chart = cartesian(&plot, 0.5f64..n as f64 + 0.5, 0f64..top, 85)?;
    let cur = d.currency.clone();
    mesh(&mut chart)
        .disable_x_mesh()
        .x_labels(n.min(25) + 1)
        .x_label_formatter(&whole)
        .y_label_formatter(&money_axis(0.0, top, &cur))
        .x_desc(d.month_axis())
        .y_desc(format!("cost per month ({})", d.currency))
        .draw()
        .map_err(err)?;
    let colour = |i: usize, _: &RegionSeries| PALETTE[i % PALETTE.len()];
    draw_stacked(&mut chart, &d.series, n, colour)?;
    let mut entries: Vec<(String, Swatch)> = d
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label.clone(), Swatch::Box(colour(i, s).to_rgba())))
        .collect();
    entries.reverse(); // the legend lists regions top of the stack first, as drawn
    entries.extend(shade_entries());
    if d.ineligible.iter().any(|&v| v > 0.0) {
        // Spend on images no lab can use: a narrow dark bar inside each month's bar.
        let bars = (0..n).filter(|&m| d.ineligible[m] > 0.0).map(|m| {
            let x = m as f64 + 1.0;
            Rectangle::new(
                [(x - 0.1, 0.0), (x + 0.1, d.ineligible[m])],
                INELIGIBLE.filled(),
            )
        });
        chart.draw_series(bars).map_err(err)?;
        entries.push((
            "of which images no lab can use".to_string(),
            Swatch::Box(INELIGIBLE.to_rgba()),
        ));
    }
    if d.runs() > 1 {
        let whiskers = d
            .monthly_band
            .iter()
            .enumerate()
            .flat_map(|(m, &(lo, hi))| {
                let x = m as f64 + 1.0;
                [
                    PathElement::new(vec![(x, lo), (x, hi)], BLACK.stroke_width(2)),
                    PathElement::new(vec![(x - 0.12, lo), (x + 0.12, lo)], BLACK.stroke_width(2)),
                    PathElement::new(vec![(x - 0.12, hi), (x + 0.12, hi)], BLACK.stroke_width(2)),
                ]
            });
        chart.draw_series(whiskers).map_err(err)?;
        entries.push((
            "P10-P90 of month total".to_string(),
            Swatch::Line(BLACK.to_rgba()),
        ));
    }
    if let Some(limit) = d.budget.monthly {
        budget_line(&mut chart, (0.5, limit), (n as f64 + 0.5, limit))?;
        entries.push(budget_entry("monthly", limit, &d.currency));
    }
    legend(&side, &entries)
}

/// The cost of month `m` (0-based), every series together.
fn month_total(series: &[RegionSeries], m: usize) -> f64 {
    series
        .iter()
        .map(|s| s.cost.values().map(|v| v[m]).sum::<f64>())
        .sum()
}

/// Bars of the first `n` months stacked by series, each series' components in report order
/// (the first in `colour(index, series)`, the next ones lighter, see [`shade`]).
fn draw_stacked<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    series: &[RegionSeries],
    n: usize,
    colour: impl Fn(usize, &RegionSeries) -> RGBColor,
) -> Result<(), String> {
    let mut base = vec![0.0; n];
    for (i, s) in series.iter().enumerate() {
        let c = colour(i, s);
        for (component, values) in s.cost.iter() {
            let shade = shade(c, component);
            let bars: Vec<_> = (0..n)
                .filter(|&m| values[m] > 0.0)
                .map(|m| {
                    let x = m as f64 + 1.0;
                    Rectangle::new(
                        [(x - 0.38, base[m]), (x + 0.38, base[m] + values[m])],
                        shade.filled(),
                    )
                })
                .collect();
            chart.draw_series(bars).map_err(err)?;
            for m in 0..n {
                base[m] += values[m];
            }
        }
    }
    Ok(())
}

/// A component's shade of a series' colour: the first component in the colour itself, each
/// next one lighter, on top of it.
fn shade(colour: RGBColor, component: Component) -> RGBAColor {
    match component as usize {
        0 => colour.to_rgba(),
        k => colour.mix(0.45 / k as f64),
    }
}

/// Legend entries saying which shade is which component (the first needs none).
fn shade_entries() -> impl Iterator<Item = (String, Swatch)> {
    Component::ALL.into_iter().skip(1).map(|c| {
        let label = match c as usize {
            1 => format!("lighter top: {}", c.name()),
            _ => format!("lighter still: {}", c.name()),
        };
        (label, Swatch::Box(shade(PALETTE[7], c)))
    })
}

/// One panel per gallery (the biggest, then the rest), stacked by region like
/// `monthly_cost`, on one cost scale so panels compare.
fn monthly_cost_by_gallery<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), String> {
    let title = format!("{}: cost per billing month, by gallery", d.title);
    let (plot, side) = layout(root, &title)?;
    let n = d.months;
    let top = d
        .by_gallery
        .iter()
        .flat_map(|(_, series)| (0..n).map(move |m| month_total(series, m)))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.15;
    // Regions keep one colour across panels.
    let mut colours: Vec<String> = Vec::new();
    for (_, series) in &d.by_gallery {
        for s in series {
            if !colours.contains(&s.label) {
                colours.push(s.label.clone());
            }
        }
    }
    let colour = |label: &str| {
        let i = colours.iter().position(|l| l == label).unwrap_or(0);
        PALETTE[i % PALETTE.len()]
    };
    let panels = plot.split_evenly((d.by_gallery.len(), 1));
    let cur = d.currency.clone();
    let money = money_axis(0.0, top, &cur);
    for (k, ((name, series), area)) in d.by_gallery.iter().zip(&panels).enumerate() {
        let last = k + 1 == panels.len();
        let mut chart = ChartBuilder::on(area)
            .margin(6)
            .caption(name, (FONT, 16).into_font().style(FontStyle::Bold))
            .x_label_area_size(if last { 45 } else { 18 })
            .y_label_area_size(85)
            .build_cartesian_2d(0.5f64..n as f64 + 0.5, 0f64..top)
            .map_err(err)?;
        let x_label = |x: &f64| if last { whole(x) } else { String::new() };
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(TRANSPARENT)
            .label_style(label_style())
            .axis_desc_style(desc_style())
            .disable_x_mesh()
            .y_labels(4)
            .y_label_formatter(&money)
            .x_labels(n.min(25) + 1)
            .x_label_formatter(&x_label);
        if last {
            mesh.x_desc(d.month_axis());
        }
        mesh.draw().map_err(err)?;
        draw_stacked(&mut chart, series, n, |_, s| colour(&s.label))?;
    }
    let mut entries: Vec<(String, Swatch)> = colours
        .iter()
        .take(20)
        .map(|l| (l.clone(), Swatch::Box(colour(l).to_rgba())))
        .collect();
    entries.extend(shade_entries());
    legend(&side, &entries)
}

fn cumulative_cost<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), String> {
    let title = format!("{}: cumulative gallery cost", d.title);
    let (plot, side) = layout(root, &title)?;
    let n = d.months;
    let top = d
        .cumulative
        .iter()
        .map(|c| c.2.max(c.0))
        .chain(d.budget.total)
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.12;
    let mut chart = cartesian(&plot, 0f64..n as f64, 0f64..top, 85)?;
    let cur = d.currency.clone();
    mesh(&mut chart)
        .x_labels(n.min(25) + 1)
        .x_label_formatter(&whole)
        .y_label_formatter(&money_axis(0.0, top, &cur))
        .x_desc(format!("end of {}", d.month_axis()))
        .y_desc(format!("spent since the start ({})", d.currency))
        .draw()
        .map_err(err)?;
    let color = PALETTE[0];
    let mut entries = Vec::new();
    if d.runs() > 1 {
        let mut outline: Vec<(f64, f64)> = vec![(0.0, 0.0)];
        outline.extend(
            d.cumulative
                .iter()
                .enumerate()
                .map(|(m, c)| (m as f64 + 1.0, c.2)),
        );
        outline.extend(
            d.cumulative
                .iter()
                .enumerate()
                .rev()
                .map(|(m, c)| (m as f64 + 1.0, c.1)),
        );
        chart
            .draw_series(std::iter::once(Polygon::new(
                outline,
                color.mix(0.2).filled(),
            )))
            .map_err(err)?;
        entries.push(("P10-P90 band".to_string(), Swatch::Box(color.mix(0.2))));
    }
    let mut line = vec![(0.0, 0.0)];
    line.extend(
        d.cumulative
            .iter()
            .enumerate()
            .map(|(m, c)| (m as f64 + 1.0, c.0)),
    );
    chart
        .draw_series(LineSeries::new(line, color.stroke_width(3)))
        .map_err(err)?;
    entries.push((
        if d.runs() > 1 { "mean" } else { "cost" }.to_string(),
        Swatch::Line(color.to_rgba()),
    ));
    if d.ineligible.iter().any(|&v| v > 0.0) {
        let mut spent = 0.0;
        let mut line = vec![(0.0, 0.0)];
        for (m, v) in d.ineligible.iter().enumerate() {
            spent += v;
            line.push((m as f64 + 1.0, spent));
        }
        chart
            .draw_series(LineSeries::new(line, INELIGIBLE.stroke_width(3)))
            .map_err(err)?;
        entries.push((
            format!("no lab can use: {}", money(spent, &d.currency)),
            Swatch::Line(INELIGIBLE.to_rgba()),
        ));
    }
    if let Some(limit) = d.budget.total {
        budget_line(&mut chart, (0.0, limit), (n as f64, limit))?;
        entries.push(budget_entry("total", limit, &d.currency));
    }
    if let Some(&(total, _, _)) = d.cumulative.last() {
        chart
            .draw_series(std::iter::once(Circle::new(
                (n as f64, total),
                5,
                color.filled(),
            )))
            .map_err(err)?;
        // Above the end point, unless a budget line runs just there: then below it.
        let budget_just_above = d
            .budget
            .total
            .is_some_and(|b| b >= total && b - total < top * 0.08);
        let (y, anchor) = if budget_just_above {
            (total - top * 0.02, VPos::Top)
        } else {
            (total + top * 0.02, VPos::Bottom)
        };
        let style = TextStyle::from((FONT, 18).into_font().style(FontStyle::Bold))
            .pos(Pos::new(HPos::Right, anchor));
        let what = if d.runs() > 1 { "mean total" } else { "total" };
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{what} {}", money(total, &d.currency)),
                (n as f64 * 0.985, y),
                style,
            )))
            .map_err(err)?;
    }
    legend(&side, &entries)
}

fn cost_distribution<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), String> {
    let title = format!("{}: total cost over {} runs", d.title, d.runs());
    let (plot, side) = layout(root, &title)?;
    let mut sorted = d.totals.clone();
    sorted.sort_by(f64::total_cmp);
    let budget = d.budget.total;
    let lo = budget.map_or(sorted[0], |b| b.min(sorted[0]));
    let hi = budget.map_or(sorted[sorted.len() - 1], |b| {
        b.max(sorted[sorted.len() - 1])
    });
    let pad = ((hi - lo) * 0.05).max(hi.abs() * 0.01).max(0.01);
    let (x0, x1) = (lo - pad, hi + pad);
    let bins = ((sorted.len() as f64).sqrt().round() as usize).clamp(10, 40);
    let width = (hi - lo).max(1e-9) / bins as f64;
    let mut counts = vec![0u32; bins];
    for &v in &sorted {
        counts[(((v - lo) / width) as usize).min(bins - 1)] += 1;
    }
    let max_count = f64::from(counts.iter().copied().max().unwrap_or(1)) * 1.25;
    let mut chart = ChartBuilder::on(&plot)
        .margin(15)
        .x_label_area_size(55)
        .y_label_area_size(70)
        .right_y_label_area_size(60)
        .build_cartesian_2d(x0..x1, 0f64..max_count)
        .map_err(err)?
        .set_secondary_coord(x0..x1, 0f64..100.0);
    let x_label = money_axis(x0, x1, &d.currency);
    mesh(&mut chart)
        .disable_x_mesh()
        .x_label_formatter(&x_label)
        .y_label_formatter(&whole)
        .x_desc(format!("total cost over the horizon ({})", d.currency))
        .y_desc("runs")
        .draw()
        .map_err(err)?;
    chart
        .configure_secondary_axes()
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .y_desc("share of runs at or below (%)")
        .label_style(label_style())
        .axis_desc_style(desc_style())
        .draw()
        .map_err(err)?;
    let color = PALETTE[0];
    chart
        .draw_series(counts.iter().enumerate().map(|(i, &c)| {
            let left = lo + width * i as f64;
            Rectangle::new(
                [(left, 0.0), (left + width * 0.96, f64::from(c))],
                color.mix(0.55).filled(),
            )
        }))
        .map_err(err)?;
    let n = sorted.len() as f64;
    let curve = sorted
        .iter()
        .enumerate()
        .map(|(i, &v)| (v, 100.0 * (i as f64 + 1.0) / n));
    chart
        .draw_secondary_series(LineSeries::new(curve, PALETTE[1].stroke_width(3)))
        .map_err(err)?;
    let mut entries = vec![
        ("runs per bin".to_string(), Swatch::Box(color.mix(0.55))),
        (
            "cumulative share (S-curve)".to_string(),
            Swatch::Line(PALETTE[1].to_rgba()),
        ),
    ];
    // Not red: red is the budget's.
    let marks = [
        (0.5, "P50", PALETTE[2]),
        (0.8, "P80", PALETTE[4]),
        (0.9, "P90", PALETTE[5]),
    ];
    if let Some(limit) = budget {
        // Under the percentile lines, so a percentile on the budget stays visible.
        budget_line(&mut chart, (limit, 0.0), (limit, max_count))?;
    }
    for (k, (p, name, c)) in marks.into_iter().enumerate() {
        let x = percentile(&sorted, p);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, max_count)],
                c.stroke_width(2),
            )))
            .map_err(err)?;
        let y = max_count * (0.97 - 0.07 * k as f64);
        let style = TextStyle::from((FONT, 16).into_font().style(FontStyle::Bold))
            .color(&c)
            .pos(Pos::new(HPos::Left, VPos::Top));
        chart
            .draw_series(std::iter::once(Text::new(
                name.to_string(),
                (x + (x1 - x0) * 0.005, y),
                style,
            )))
            .map_err(err)?;
        entries.push((
            format!("{name}: {}", money(x, &d.currency)),
            Swatch::Line(c.to_rgba()),
        ));
    }
    if let Some(limit) = budget {
        entries.push(budget_entry("total", limit, &d.currency));
        // Labelled on the plot too, below the percentile labels (readable when a percentile
        // falls on the same value), on the side with room.
        let right_half = limit > (x0 + x1) / 2.0;
        let (x, anchor) = if right_half {
            (limit - (x1 - x0) * 0.005, HPos::Right)
        } else {
            (limit + (x1 - x0) * 0.005, HPos::Left)
        };
        let style = TextStyle::from((FONT, 16).into_font().style(FontStyle::Bold))
            .color(&BUDGET)
            .pos(Pos::new(anchor, VPos::Top));
        chart
            .draw_series(std::iter::once(Text::new(
                format!("budget {}", money(limit, &d.currency)),
                (x, max_count * 0.62),
                style,
            )))
            .map_err(err)?;
    }
    legend(&side, &entries)
}

fn replicas<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), String> {
    let title = format!("{}: replicas alive (average per month)", d.title);
    let (plot, side) = layout(root, &title)?;
    let n = d.months;
    // Stack the regions: cumulative sums; each region is the band between its sum and the
    // one below, drawn once in an opaque colour (the legend's), so bands do not tint each
    // other and no pixel is blended twice.
    let mut stacks: Vec<Vec<f64>> = vec![vec![0.0; n]];
    for s in &d.series {
        let below = stacks.last().expect("starts with zeros");
        let sums = below.iter().zip(&s.replicas).map(|(b, r)| b + r).collect();
        stacks.push(sums);
    }
    let top = stacks
        .last()
        .expect("starts with zeros")
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.15;
    let mut chart = cartesian(&plot, 0.5f64..n as f64 + 0.5, 0f64..top, 70)?;
    mesh(&mut chart)
        .x_labels(n.min(25) + 1)
        .x_label_formatter(&whole)
        .x_desc(d.month_axis())
        .y_label_formatter(&whole)
        .y_desc("replicas alive, all images, stacked by region")
        .draw()
        .map_err(err)?;
    // A step shape: each month is flat at its average.
    let steps = |stack: &[f64]| -> Vec<(f64, f64)> {
        (0..n)
            .flat_map(|m| [(m as f64 + 0.5, stack[m]), (m as f64 + 1.5, stack[m])])
            .collect()
    };
    let mut entries = Vec::new();
    for (i, band) in stacks.windows(2).enumerate() {
        let color = opaque(PALETTE[i % PALETTE.len()], 0.85);
        let mut outline = steps(&band[1]);
        outline.extend(steps(&band[0]).into_iter().rev());
        chart
            .draw_series(std::iter::once(Polygon::new(outline, color.filled())))
            .map_err(err)?;
    }
    for (i, s) in d.series.iter().enumerate().rev() {
        let color = opaque(PALETTE[i % PALETTE.len()], 0.85);
        entries.push((s.label.clone(), Swatch::Box(color.to_rgba())));
    }
    legend(&side, &entries)
}

/// `color` at opacity `alpha` over the white background, as one opaque colour.
fn opaque(color: RGBColor, alpha: f64) -> RGBColor {
    let over_white = |c: u8| (alpha * f64::from(c) + (1.0 - alpha) * 255.0).round() as u8;
    RGBColor(
        over_white(color.0),
        over_white(color.1),
        over_white(color.2),
    )
}

/// Minutes to ready per deployment: P50 bar, P10-P90 whisker, target mark.
fn deployment_minutes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), String> {
    let title = format!("{}: minutes until every VM of a wave is created", d.title);
    let (plot, side) = layout(root, &title)?;
    let n = d.deployments.len();
    let top = d
        .deployments
        .iter()
        .flat_map(|b| b.minutes.map(|m| m.2).into_iter().chain(b.target))
        .fold(1.0, f64::max)
        * 1.15;
    let mut chart = cartesian(&plot, 0.5f64..n as f64 + 0.5, 0f64..top, 70)?;
    let labels: Vec<String> = d.deployments.iter().map(|b| b.label.clone()).collect();
    mesh(&mut chart)
        .x_labels(n + 1)
        .x_label_formatter(&|x| {
            let i = x.round() as usize;
            if (x - x.round()).abs() < 1e-9 && (1..=labels.len()).contains(&i) {
                labels[i - 1].clone()
            } else {
                String::new()
            }
        })
        .x_desc("deployment (region)")
        .y_label_formatter(&whole)
        .y_desc("minutes to ready (P50 bar, P10-P90 whisker)")
        .draw()
        .map_err(err)?;
    let bar = PALETTE[0].mix(0.85);
    let whisker = RGBColor(40, 40, 40);
    for (i, b) in d.deployments.iter().enumerate() {
        let x = i as f64 + 1.0;
        if let Some((p10, p50, p90)) = b.minutes {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, 0.0), (x + 0.3, p50)],
                    bar.filled(),
                )))
                .map_err(err)?;
            for path in [
                vec![(x, p10), (x, p90)],
                vec![(x - 0.08, p10), (x + 0.08, p10)],
                vec![(x - 0.08, p90), (x + 0.08, p90)],
            ] {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        path,
                        whisker.stroke_width(2),
                    )))
                    .map_err(err)?;
            }
        }
        if let Some(t) = b.target {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x - 0.45, t), (x + 0.45, t)],
                    BUDGET.stroke_width(3),
                )))
                .map_err(err)?;
        }
    }
    let mut entries = vec![
        ("P50 minutes".to_string(), Swatch::Box(bar)),
        ("P10 to P90".to_string(), Swatch::Line(whisker.to_rgba())),
    ];
    if d.deployments.iter().any(|b| b.target.is_some()) {
        entries.push(("target".to_string(), Swatch::Line(BUDGET.to_rgba())));
    }
    legend(&side, &entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opaque_colour_is_the_translucent_one_over_white() {
        // (31, 119, 180) at 0.85 over 255: 0.85 x 31 + 38.25 = 64.6, 139.4, 191.25.
        let c = opaque(PALETTE[0], 0.85);
        assert_eq!((c.0, c.1, c.2), (65, 139, 191));
        assert_eq!(opaque(PALETTE[1], 1.0), PALETTE[1]);
        assert_eq!(opaque(PALETTE[1], 0.0), WHITE);
    }

    #[test]
    fn money_axis_labels_are_distinct_on_narrow_ranges() {
        let f = money_axis(1_190_000.0, 1_215_000.0, "USD");
        let labels: Vec<String> = (0..=10)
            .map(|k| f(&(1_190_000.0 + 2_500.0 * f64::from(k))))
            .collect();
        let mut unique = labels.clone();
        unique.dedup();
        assert_eq!(unique.len(), labels.len(), "{labels:?}");
        assert_eq!(labels[0], "$1.190M");
        let g = money_axis(1_400.0, 1_500.0, "USD");
        assert_eq!(
            (g(&1_410.0), g(&1_420.0)),
            ("$1.41k".to_string(), "$1.42k".to_string())
        );
        assert_eq!(money_axis(0.0, 500.0, "EUR")(&250.0), "250 EUR");
        // Billions and trillions get their own unit (a sweep of an absurd price, say).
        assert_eq!(money_axis(0.0, 6e10, "USD")(&6e10), "$60B");
        assert_eq!(money_axis(0.0, 2.5e12, "USD")(&1.5e12), "$1.5T");
    }

    #[test]
    fn whole_labels_only_on_integers() {
        assert_eq!(whole(&3.0), "3");
        assert_eq!(whole(&2.5), "");
    }
}
