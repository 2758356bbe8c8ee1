//! `reconcile.svg` and `.png`: billed cost per month against the simulation's mean and its
//! P10-P90 band.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::compare::Comparison;
use super::month_label;
use crate::error::Error;
use crate::report::chart::{render as render_chart, DrawError};
use crate::report::view::money;
use crate::report::OutputFile;
use crate::scenario::Scenario;

const FONT: &str = "sans-serif";

fn err<E: std::fmt::Debug>(e: E) -> DrawError {
    DrawError(format!("{e:?}"))
}

fn register_fonts() {
    static REGISTERED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    REGISTERED.get_or_init(|| {
        // Embedded, valid fonts: a failure would only mean missing text.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// The chart as SVG and PNG.
pub(super) fn render(
    scenario: &Scenario,
    comparison: &Comparison,
) -> Result<[OutputFile; 2], Error> {
    register_fonts();
    let labels: Vec<String> = (0..comparison.months.len())
        .map(|m| month_label(scenario, m))
        .collect();
    render_chart(
        "reconcile",
        |root| draw_chart(root, scenario, comparison, &labels),
        |root| draw_chart(root, scenario, comparison, &labels),
    )
}

fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    scenario: &Scenario,
    comparison: &Comparison,
    labels: &[String],
) -> Result<(), DrawError> {
    let cur = scenario.currency.as_str();
    root.fill(&WHITE).map_err(err)?;
    let months = comparison.months.len().max(1);
    let top = comparison
        .months
        .iter()
        .map(|m| m.billed.max(m.simulated.2).max(m.simulated.0))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.15;
    let title = format!("{}: billed and simulated cost per month", scenario.name);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 24).into_font().style(FontStyle::Bold))
        .margin(20)
        .x_label_area_size(55)
        .y_label_area_size(110)
        .build_cartesian_2d(-0.5f64..months as f64 - 0.5, 0f64..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .x_labels(months.min(24))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| money(*y, cur))
        .x_desc("calendar month")
        .y_desc(format!("cost ({cur})"))
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 18))
        .draw()
        .map_err(err)?;
    let blue = RGBColor(0, 114, 178);
    let orange = RGBColor(213, 94, 0);
    let xs = |i: usize| i as f64;
    let mut band: Vec<(f64, f64)> = comparison
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| (xs(i), m.simulated.2))
        .collect();
    band.extend(
        comparison
            .months
            .iter()
            .enumerate()
            .rev()
            .map(|(i, m)| (xs(i), m.simulated.1)),
    );
    chart
        .draw_series(std::iter::once(Polygon::new(band, blue.mix(0.2).filled())))
        .map_err(err)?
        .label("simulated P10-P90")
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - 6), (x + 20, y + 6)], blue.mix(0.2).filled())
        });
    chart
        .draw_series(LineSeries::new(
            comparison
                .months
                .iter()
                .enumerate()
                .map(|(i, m)| (xs(i), m.simulated.0)),
            blue.stroke_width(3),
        ))
        .map_err(err)?
        .label("simulated mean")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(3)));
    chart
        .draw_series(
            comparison
                .months
                .iter()
                .enumerate()
                .map(|(i, m)| Circle::new((xs(i), m.billed), 7, orange.filled())),
        )
        .map_err(err)?
        .label("billed")
        .legend(move |(x, y)| Circle::new((x + 10, y), 6, orange.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    Ok(())
}
