//! Drawing helpers shared by every chart: fonts, palette, layout and legend, axes and their
//! label formatters, budget lines.

use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::SIZE;
use crate::report::view::{money, with_currency};

/// Width of the legend panel on the right.
pub(in crate::report) const LEGEND_WIDTH: u32 = 270;
pub(in crate::report) const FONT: &str = "sans-serif";

/// Colour-blind-safe palette of 24 distinct colours: Okabe-Ito (without black, which the
/// whiskers use), then Paul Tol's "muted" and "light" sets (without their greys, which
/// stand for "other regions"). Regions keep one colour per run (see [`RegionColours`]).
pub(in crate::report) const PALETTE: [RGBColor; 24] = [
    // Okabe-Ito
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
    // Tol muted, the colours least like the ones above first
    RGBColor(51, 34, 136),
    RGBColor(136, 34, 85),
    RGBColor(17, 119, 51),
    RGBColor(221, 204, 119),
    RGBColor(204, 102, 119),
    RGBColor(68, 170, 153),
    RGBColor(153, 153, 51),
    RGBColor(170, 68, 153),
    RGBColor(136, 204, 238),
    // Tol light
    RGBColor(187, 204, 51),
    RGBColor(255, 170, 187),
    RGBColor(238, 136, 102),
    RGBColor(68, 187, 153),
    RGBColor(238, 221, 136),
    RGBColor(170, 170, 0),
    RGBColor(119, 170, 221),
    RGBColor(153, 221, 255),
];

/// Grey of "other regions" (and of the legend's neutral swatches).
pub(in crate::report) const OTHER: RGBColor = RGBColor(150, 150, 150);

/// One colour per region for a whole run: regions ranked by their cost over the horizon
/// (largest first, then by name) take the palette in order; regions beyond the palette, and
/// the "N other regions" series, are [`OTHER`] grey. Every chart of a run reads the same map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegionColours {
    /// Region labels in rank order.
    ranked: Vec<String>,
}

impl RegionColours {
    /// The map for region labels ranked largest first.
    pub fn new(ranked: Vec<String>) -> RegionColours {
        RegionColours { ranked }
    }

    /// The rank of `label` (regions not in the map last).
    pub fn rank(&self, label: &str) -> usize {
        self.ranked
            .iter()
            .position(|l| l == label)
            .unwrap_or(usize::MAX)
    }

    /// Whether `label` has a colour of its own (not the fallback grey).
    pub fn has_own(&self, label: &str) -> bool {
        self.ranked
            .iter()
            .position(|l| l == label)
            .is_some_and(|i| i < PALETTE.len())
    }

    /// The colour of `label`.
    pub fn of(&self, label: &str) -> RGBColor {
        match self.ranked.iter().position(|l| l == label) {
            Some(i) if i < PALETTE.len() => PALETTE[i],
            _ => OTHER,
        }
    }
}

/// Names for the billing months on a time axis, calendar-aware: "Sep 2026", and on a dense
/// axis only every k-th month named (k dividing a year where it can), the year written on the
/// first name and wherever it changes. Calendar months are named by their own month;
/// 730-hour months by the calendar month of their middle (or, if two middles fall in one
/// calendar month, by the day they start, "31 Oct").
#[derive(Debug, Clone, PartialEq)]
pub struct MonthAxis {
    /// Per billing month, its full name ("Sep 2026").
    pub names: Vec<String>,
    /// Per billing month, the tick label ("" when not labelled).
    ticks: Vec<String>,
    /// Whether billing months are calendar months.
    calendar: bool,
}

impl MonthAxis {
    /// The axis of `calendar`'s months with at most about `max_labels` labels.
    pub fn new(calendar: &crate::calendar::Calendar, max_labels: usize) -> MonthAxis {
        use crate::engine::Time;
        let n = calendar.months();
        let month_year = |d: jiff::civil::Date| (d.strftime("%b").to_string(), d.year());
        let calendar_months = !calendar.is_730h();
        let mut parts: Vec<(String, i16)> = (0..n)
            .map(|m| {
                let (a, b) = calendar.month_span(m);
                let t = if calendar_months { a } else { a + (b - a) / 2 };
                month_year(calendar.date_of(Time(t)))
            })
            .collect();
        let duplicate = parts.windows(2).any(|w| w[0] == w[1]);
        if duplicate {
            parts = (0..n)
                .map(|m| {
                    let d = calendar.date_of(Time(calendar.month_span(m).0));
                    (format!("{} {}", d.day(), d.strftime("%b")), d.year())
                })
                .collect();
        }
        let needed = n.div_ceil(max_labels.max(1));
        let step = [1, 2, 3, 4, 6, 12, 24, 36, 48, 60, 120]
            .into_iter()
            .find(|&s| s >= needed)
            .unwrap_or(needed);
        let mut ticks = vec![String::new(); n];
        let mut last_year = None;
        for m in (0..n).step_by(step) {
            let (name, year) = &parts[m];
            ticks[m] = if last_year == Some(*year) {
                name.clone()
            } else {
                format!("{name} {year}")
            };
            last_year = Some(*year);
        }
        MonthAxis {
            names: parts.iter().map(|(a, y)| format!("{a} {y}")).collect(),
            ticks,
            calendar: calendar_months,
        }
    }

    /// The tick label at `x`, where billing month `m` (1-based) sits at `x = m`.
    pub fn tick(&self, x: &f64) -> String {
        let i = x.round();
        if (x - i).abs() > 1e-9 || i < 1.0 || i as usize > self.ticks.len() {
            return String::new();
        }
        self.ticks[i as usize - 1].clone()
    }

    /// The axis title: what a month is.
    pub fn title(&self) -> String {
        if self.calendar {
            "billing month (calendar month)".to_string()
        } else {
            "billing month (730 hours each, named by the calendar month of its middle)".to_string()
        }
    }
}

/// Width in pixels of a y-label area holding tick labels like `widest` and the axis title
/// beside them (about 9.5 px a character at the label font, plus the rotated title).
/// The top of a value axis: the largest of `values` (at least a hair above 0, so an all-zero
/// chart still has an axis) with `headroom` (1.1: 10 %) above it for labels and whiskers.
pub(in crate::report) fn axis_top(values: impl Iterator<Item = f64>, headroom: f64) -> f64 {
    values.fold(0.0, f64::max).max(1e-9) * headroom
}

pub(in crate::report) fn label_area(widest: &str) -> u32 {
    (widest.chars().count() as u32 * 10 + 45).clamp(70, 400)
}

/// The widest money tick label of an axis from `lo` to `hi`.
pub(in crate::report) fn widest_money(lo: f64, hi: f64, currency: &str) -> String {
    let f = money_axis(lo, hi, currency);
    (0..=10)
        .map(|k| f(&(lo + (hi - lo) * f64::from(k) / 10.0)))
        .max_by_key(|s| s.chars().count())
        .unwrap_or_default()
}

pub(in crate::report) fn register_fonts() {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        // The fonts are embedded and valid; a failure would only mean missing text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

pub(in crate::report) fn err<E: std::fmt::Debug>(e: E) -> DrawError {
    DrawError(format!("{e:?}"))
}

/// What the plotting library said when a chart could not be drawn (its errors are generic
/// over the backend, so they are kept as their description).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DrawError(pub String);

/// Money tick labels for an axis from `lo` to `hi`: one unit (k, M) for the whole axis, and
/// enough decimals that ticks about a tenth of the span apart never print the same text (a
/// narrow distribution of large totals gets `$1.42k $1.44k ...`, not `$1.4k $1.4k`).
pub(in crate::report) fn money_axis(
    lo: f64,
    hi: f64,
    currency: &str,
) -> impl Fn(&f64) -> String + '_ {
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
pub(in crate::report) fn whole(x: &f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        String::new()
    }
}

pub(in crate::report) type Area<DB> = DrawingArea<DB, Shift>;

/// A legend marker.
pub(in crate::report) enum Swatch {
    /// A filled box.
    Box(RGBAColor),
    /// A thick line.
    Line(RGBAColor),
    /// A round marker, filled or a ring.
    Marker(RGBAColor, bool),
    /// No marker: a note in the legend.
    Note,
}

/// Splits off the legend panel on the right and draws the title across the top.
pub(in crate::report) fn layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<(Area<DB>, Area<DB>), DrawError> {
    root.fill(&WHITE).map_err(err)?;
    // Long scenario names get a smaller title rather than running off the picture.
    let size = if title.chars().count() > 80 { 20 } else { 26 };
    let body = root
        .titled(title, (FONT, size).into_font().style(FontStyle::Bold))
        .map_err(err)?;
    Ok(body.split_horizontally(SIZE.0 - LEGEND_WIDTH))
}

pub(in crate::report) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
) -> Result<(), DrawError> {
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
            Swatch::Marker(c, true) => area
                .draw(&Circle::new((20, y), 7, c.filled()))
                .map_err(err)?,
            Swatch::Marker(c, false) => area
                .draw(&Circle::new((20, y), 9, c.stroke_width(3)))
                .map_err(err)?,
            Swatch::Note => {}
        }
        let x = if matches!(swatch, Swatch::Note) {
            10
        } else {
            40
        };
        area.draw(&Text::new(
            label.clone(),
            (x, y),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// The f64 x f64 chart every drawing here uses.
pub(in crate::report) type Plot<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart on `area` with the common margins; `y_labels` is the width of the y-label area.
pub(in crate::report) fn cartesian<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_labels: u32,
) -> Result<Plot<'a, DB>, DrawError> {
    ChartBuilder::on(area)
        .margin(15)
        .x_label_area_size(55)
        .y_label_area_size(y_labels)
        .build_cartesian_2d(x, y)
        .map_err(err)
}

/// The mesh with the common styling: no minor grid lines, the shared fonts.
pub(in crate::report) fn mesh<'a, 'b, DB: DrawingBackend>(
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
pub(in crate::report) const BUDGET: RGBColor = RGBColor(200, 0, 0);

/// Colour of spend on images no lab can use.
pub(in crate::report) const INELIGIBLE: RGBColor = RGBColor(60, 60, 60);

/// The legend entry of a budget line.
pub(in crate::report) fn budget_entry(which: &str, limit: f64, currency: &str) -> (String, Swatch) {
    (
        format!("{which} budget {}", money(limit, currency)),
        Swatch::Line(BUDGET.to_rgba()),
    )
}

/// A budget line between two points of a chart.
pub(in crate::report) fn budget_line<
    DB: DrawingBackend,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    from: (f64, f64),
    to: (f64, f64),
) -> Result<(), DrawError> {
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![from, to],
            BUDGET.stroke_width(3),
        )))
        .map(|_| ())
        .map_err(err)
}

pub(in crate::report) fn label_style() -> TextStyle<'static> {
    (FONT, 16).into()
}

pub(in crate::report) fn desc_style() -> TextStyle<'static> {
    (FONT, 18).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_palette_has_24_distinct_colours_none_grey() {
        let mut seen = PALETTE.to_vec();
        seen.sort_by_key(|c| (c.0, c.1, c.2));
        seen.dedup();
        assert_eq!(seen.len(), 24);
        assert!(PALETTE.iter().all(|c| !(c.0 == c.1 && c.1 == c.2)));
        let colours = RegionColours::new((0..30).map(|i| format!("r{i}")).collect());
        assert_eq!(colours.of("r0"), PALETTE[0]);
        assert_eq!(colours.of("r23"), PALETTE[23]);
        assert_eq!(colours.of("r24"), OTHER, "beyond the palette: grey");
        assert_eq!(colours.of("3 other regions"), OTHER);
    }

    #[test]
    fn months_are_named_by_the_calendar() {
        use crate::calendar::{BillingMonths, Calendar};
        let start = jiff::civil::date(2026, 9, 1);
        let cal = Calendar::with_months(start, 12, BillingMonths::Calendar).unwrap();
        let axis = MonthAxis::new(&cal, 13);
        assert_eq!(axis.names[0], "Sep 2026");
        assert_eq!(axis.names[4], "Jan 2027");
        assert_eq!(axis.tick(&1.0), "Sep 2026");
        assert_eq!(axis.tick(&2.0), "Oct");
        assert_eq!(axis.tick(&5.0), "Jan 2027");
        assert_eq!(axis.tick(&1.5), "");
        // 36 months: every third named, the year where it changes.
        let cal = Calendar::with_months(start, 36, BillingMonths::Calendar).unwrap();
        let axis = MonthAxis::new(&cal, 13);
        assert_eq!(
            (
                axis.tick(&1.0),
                axis.tick(&2.0),
                axis.tick(&4.0),
                axis.tick(&7.0)
            ),
            (
                "Sep 2026".into(),
                String::new(),
                "Dec".into(),
                "Mar 2027".into()
            )
        );
        // 730-hour months are named by their middle: no month twice.
        let cal = Calendar::with_months(start, 36, BillingMonths::Hours730).unwrap();
        let axis = MonthAxis::new(&cal, 40);
        let mut names = axis.names.clone();
        names.dedup();
        assert_eq!(names.len(), 36, "{:?}", axis.names);
        assert!(axis.title().contains("730 hours"));
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
