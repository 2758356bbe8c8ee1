//! What the replicas are and buy: `replicas` alive and `deployment_minutes`.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::ChartData;
use super::kit::*;

pub(super) fn replicas<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), DrawError> {
    let title = format!("{}: replicas alive (average per month)", d.title);
    let (plot, side) = layout(root, &title)?;
    let n = d.months;
    // Stack the regions: cumulative sums; each region is the band between its sum and the
    // one below, drawn once in the region's colour (the legend's), so bands do not tint each
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
        .x_labels(n + 1)
        .x_label_formatter(&|x| d.axis.tick(x))
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
    for (band, s) in stacks.windows(2).zip(&d.series) {
        let color = d.colours.of(&s.label);
        let mut outline = steps(&band[1]);
        outline.extend(steps(&band[0]).into_iter().rev());
        chart
            .draw_series(std::iter::once(Polygon::new(outline, color.filled())))
            .map_err(err)?;
    }
    for s in d.series.iter().rev() {
        let color = d.colours.of(&s.label);
        entries.push((s.label.clone(), Swatch::Box(color.to_rgba())));
    }
    legend(&side, &entries)
}

/// Minutes to ready per deployment: P50 bar, P10-P90 whisker, target mark.
pub(super) fn deployment_minutes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &ChartData,
) -> Result<(), DrawError> {
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
