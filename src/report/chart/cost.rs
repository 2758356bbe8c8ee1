//! Cost per month stacked by region: `monthly_cost` and `monthly_cost_by_gallery`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::{ChartData, RegionSeries};
use super::kit::*;
use crate::model::Component;

pub(super) fn monthly_cost<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), DrawError> {
    let title = format!("{}: gallery cost per billing month", d.title);
    let (plot, side) = layout(root, &title)?;
    let n = d.months;
    let top = axis_top(
        (0..n)
            .map(|m| month_total(&d.series, m))
            .chain(d.monthly_band.iter().map(|b| b.1))
            .chain(d.budget.monthly),
        1.1,
    );
    let mut chart = cartesian(
        &plot,
        0.5f64..n as f64 + 0.5,
        0f64..top,
        label_area(&widest_money(0.0, top, &d.currency)),
    )?;
    let cur = d.currency.clone();
    mesh(&mut chart)
        .disable_x_mesh()
        .x_labels(n + 1)
        .x_label_formatter(&|x| d.axis.tick(x))
        .y_label_formatter(&money_axis(0.0, top, &cur))
        .x_desc(d.month_axis())
        .y_desc(format!("cost per month ({})", d.currency))
        .draw()
        .map_err(err)?;
    let colour = |_: usize, s: &RegionSeries| d.colours.of(&s.label);
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
) -> Result<(), DrawError> {
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
        (label, Swatch::Box(shade(OTHER, c)))
    })
}

/// One panel per gallery (the biggest, then the rest), stacked by region like
/// `monthly_cost`, on one cost scale so panels compare.
pub(super) fn monthly_cost_by_gallery<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), DrawError> {
    let title = format!("{}: cost per billing month, by gallery", d.title);
    let (plot, side) = layout(root, &title)?;
    let n = d.months;
    let top = axis_top(
        d.by_gallery
            .iter()
            .flat_map(|(_, series)| (0..n).map(move |m| month_total(series, m))),
        1.15,
    );
    // Regions keep the run's colours; the legend lists every region drawn, in rank order.
    let mut drawn: Vec<&str> = d
        .by_gallery
        .iter()
        .flat_map(|(_, series)| series.iter().map(|s| s.label.as_str()))
        .filter(|l| d.colours.has_own(l))
        .collect();
    drawn.sort_by_key(|l| d.colours.rank(l));
    drawn.dedup();
    let others = d
        .by_gallery
        .iter()
        .any(|(_, series)| series.iter().any(|s| !d.colours.has_own(&s.label)));
    let colour = |label: &str| d.colours.of(label);
    let panels = plot.split_evenly((d.by_gallery.len(), 1));
    let cur = d.currency.clone();
    let money = money_axis(0.0, top, &cur);
    for (k, ((name, series), area)) in d.by_gallery.iter().zip(&panels).enumerate() {
        let last = k + 1 == panels.len();
        let mut chart = ChartBuilder::on(area)
            .margin(6)
            .caption(name, (FONT, 16).into_font().style(FontStyle::Bold))
            .x_label_area_size(if last { 45 } else { 18 })
            .y_label_area_size(label_area(&widest_money(0.0, top, &d.currency)))
            .build_cartesian_2d(0.5f64..n as f64 + 0.5, 0f64..top)
            .map_err(err)?;
        let x_label = |x: &f64| if last { d.axis.tick(x) } else { String::new() };
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(TRANSPARENT)
            .label_style(label_style())
            .axis_desc_style(desc_style())
            .disable_x_mesh()
            .y_labels(4)
            .y_label_formatter(&money)
            .x_labels(n + 1)
            .x_label_formatter(&x_label);
        if last {
            mesh.x_desc(d.month_axis());
        }
        mesh.draw().map_err(err)?;
        draw_stacked(&mut chart, series, n, |_, s| colour(&s.label))?;
    }
    let mut entries: Vec<(String, Swatch)> = drawn
        .iter()
        .take(20)
        .map(|l| (l.to_string(), Swatch::Box(colour(l).to_rgba())))
        .collect();
    if others {
        entries.push(("other regions".to_string(), Swatch::Box(OTHER.to_rgba())));
    }
    entries.extend(shade_entries());
    legend(&side, &entries)
}
