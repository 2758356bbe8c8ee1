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

/// Tableau 10: distinguishable, colour-blind-friendlier than the plotters defaults.
pub(in crate::report) const PALETTE: [RGBColor; 10] = [
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

pub(in crate::report) fn register_fonts() {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        // The fonts are embedded and valid; a failure would only mean missing text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

pub(in crate::report) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

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
}

/// Splits off the legend panel on the right and draws the title across the top.
pub(in crate::report) fn layout<DB: DrawingBackend>(
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

pub(in crate::report) fn legend<DB: DrawingBackend>(
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
pub(in crate::report) type Plot<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A chart on `area` with the common margins; `y_labels` is the width of the y-label area.
pub(in crate::report) fn cartesian<'a, DB: DrawingBackend>(
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
) -> Result<(), String> {
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

/// `color` at opacity `alpha` over the white background, as one opaque colour.
pub(in crate::report) fn opaque(color: RGBColor, alpha: f64) -> RGBColor {
    let over_white = |c: u8| (alpha * f64::from(c) + (1.0 - alpha) * 255.0).round() as u8;
    RGBColor(
        over_white(color.0),
        over_white(color.1),
        over_white(color.2),
    )
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
