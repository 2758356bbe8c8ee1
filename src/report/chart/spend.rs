//! Spend over the horizon: `cumulative_cost` and `cost_distribution`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::ChartData;
use super::kit::*;
use crate::report::view::money;
use crate::stats::percentile;

pub(super) fn cumulative_cost<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), DrawError> {
    let title = format!("{}: cumulative gallery cost", d.title);
    let (plot, side) = layout(root, &title)?;
    let n = d.months;
    let top = axis_top(
        d.cumulative
            .iter()
            .map(|c| c.2.max(c.0))
            .chain(d.budget.total),
        1.12,
    );
    let mut chart = cartesian(
        &plot,
        0f64..n as f64,
        0f64..top,
        label_area(&widest_money(0.0, top, &d.currency)),
    )?;
    let cur = d.currency.clone();
    mesh(&mut chart)
        .x_labels(n + 1)
        .x_label_formatter(&|x| d.axis.tick(x))
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
        // The end point; its figure is in the legend, never written across the lines.
        chart
            .draw_series(std::iter::once(Circle::new(
                (n as f64, total),
                5,
                color.filled(),
            )))
            .map_err(err)?;
        let what = if d.runs() > 1 { "mean total" } else { "total" };
        entries.insert(
            usize::from(d.runs() > 1) + 1,
            (
                format!("{what}: {}", money(total, &d.currency)),
                Swatch::Marker(color.to_rgba(), true),
            ),
        );
    }
    legend(&side, &entries)
}

pub(super) fn cost_distribution<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), DrawError> {
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
        .right_y_label_area_size(90)
        .build_cartesian_2d(x0..x1, 0f64..max_count)
        .map_err(err)?
        // The S-curve tops out at 100 % below the plot's top: the percentile names above it
        // cross no line and no bar (bars reach 80 % of the height).
        .set_secondary_coord(x0..x1, 0f64..118.0);
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
        .y_label_formatter(&|y| {
            if *y <= 100.0 + 1e-9 {
                format!("{y:.0}%")
            } else {
                String::new()
            }
        })
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
        (0.8, "P80", PALETTE[5]),
        (0.9, "P90", PALETTE[7]),
    ];
    if let Some(limit) = budget {
        // Under the percentile lines, so a percentile on the budget stays visible.
        budget_line(&mut chart, (limit, 0.0), (limit, max_count))?;
    }
    let at: Vec<f64> = marks.iter().map(|m| percentile(&sorted, m.0)).collect();
    // Every vertical line, in pixels, so a name is written only where it crosses none.
    let own_px: Vec<i32> = at
        .iter()
        .map(|&x| chart.backend_coord(&(x, 0.0)).0)
        .collect();
    let lines: Vec<i32> = own_px
        .iter()
        .copied()
        .chain(budget.map(|b| chart.backend_coord(&(b, 0.0)).0))
        .collect();
    let free = |from: i32, to: i32, own: i32| {
        lines
            .iter()
            .all(|&l| l == own || l < from.min(to) || l > from.max(to))
    };
    for (k, (&x, (_, name, c))) in at.iter().zip(marks).enumerate() {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, max_count)],
                c.stroke_width(2),
            )))
            .map_err(err)?;
        // Above the bars and the S-curve, staggered; right of the line if no other line is
        // within the name's width there, else left of it, else only in the legend.
        let own = own_px[k];
        let (width, gap) = (40, 4);
        let side = if free(own, own + gap + width, own) {
            Some(HPos::Left)
        } else if free(own - gap - width, own, own) {
            Some(HPos::Right)
        } else {
            None
        };
        if let Some(anchor) = side {
            let dx = (x1 - x0) * 0.005;
            let tx = if matches!(anchor, HPos::Left) {
                x + dx
            } else {
                x - dx
            };
            let y = max_count * (0.985 - 0.045 * k as f64);
            let style = TextStyle::from((FONT, 16).into_font().style(FontStyle::Bold))
                .color(&c)
                .pos(Pos::new(anchor, VPos::Top));
            chart
                .draw_series(std::iter::once(Text::new(name.to_string(), (tx, y), style)))
                .map_err(err)?;
        }
        entries.push((
            format!("{name}: {}", money(x, &d.currency)),
            Swatch::Line(c.to_rgba()),
        ));
    }
    if let Some(limit) = budget {
        // In the legend only: a name on the plot would cross bars or the S-curve.
        entries.push(budget_entry("total", limit, &d.currency));
    }
    legend(&side, &entries)
}
