//! Charts of the analysis commands: `comparison` (compare), `sweep`, `tornado` and
//! `advice_frontier` (advise).
//! Same conventions and helpers as [`super::chart`].

use crate::report::chart::DrawError;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::chart::{
    axis_top, budget_entry, budget_line, cartesian, err, label_area, label_style, layout, legend,
    mesh, money_axis, register_fonts, render, whole, widest_money, Area, MonthAxis, Swatch,
    PALETTE,
};
use super::view::money;
use super::OutputFile;
use crate::analysis::advise::Advice;
use crate::analysis::budget::Budget;
use crate::analysis::compare::SweepPoint;
use crate::analysis::quantile;
use crate::analysis::sensitivity::{Tornado, TornadoRow};
use crate::error::Error;
use crate::model::{Component, RunTotals};
use crate::montecarlo::Results;
use crate::scenario::Scenario;

/// Per scenario: label, then (mean, P10, P90) of total, storage and egress, then the mean
/// total of each month.
struct Compared {
    label: String,
    /// The total, then each component.
    bars: Vec<(f64, f64, f64)>,
    monthly: Vec<f64>,
}

/// The comparison chart: grouped bars of the total and each component's cost with P10-P90
/// whiskers, and the mean monthly cost of each scenario as lines; the budgets as lines.
pub fn comparison(
    first: &Scenario,
    scenarios: &[(String, &Results)],
    budget: &Budget,
) -> Result<Vec<OutputFile>, Error> {
    register_fonts();
    let compared: Vec<Compared> = scenarios
        .iter()
        .map(|(label, r)| {
            let stat = |read: &dyn Fn(&RunTotals) -> f64| {
                let v: Vec<f64> = r.runs.iter().map(|x| read(&x.totals)).collect();
                let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
                (mean, quantile(&v, 0.1), quantile(&v, 0.9))
            };
            let months = r.monthly_totals.first().map_or(0, Vec::len);
            let n = r.monthly_totals.len().max(1) as f64;
            Compared {
                label: label.clone(),
                bars: std::iter::once(stat(&|t| t.total_cost))
                    .chain(Component::ALL.map(|c| stat(&move |t| t.cost[c])))
                    .collect(),
                monthly: (0..months)
                    .map(|m| r.monthly_totals.iter().map(|run| run[m]).sum::<f64>() / n)
                    .collect(),
            }
        })
        .collect();
    let labels: Vec<&str> = scenarios.iter().map(|(l, _)| l.as_str()).collect();
    let title = format!("{} compared", labels.join(" vs "));
    let cur = first.currency.as_str();
    // The monthly panel is three fifths of the plot: about eight month names fit.
    let axis = MonthAxis::new(&first.calendar, 8);
    let files = render(
        "comparison",
        |root| draw_comparison(root, &title, cur, &axis, &compared, budget),
        |root| draw_comparison(root, &title, cur, &axis, &compared, budget),
    )?;
    Ok(files.into())
}

fn draw_comparison<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    cur: &str,
    axis: &MonthAxis,
    compared: &[Compared],
    budget: &Budget,
) -> Result<(), DrawError> {
    let (body, side) = layout(root, title)?;
    let (left, right) = body.split_horizontally(body.dim_in_pixel().0 * 2 / 5);
    let k = compared.len() as f64;
    let top = axis_top(
        compared
            .iter()
            .flat_map(|c| c.bars.iter().map(|b| b.2.max(b.0)))
            .chain(budget.total),
        1.1,
    );
    let groups: Vec<&str> = std::iter::once("total")
        .chain(Component::ALL.map(Component::name))
        .collect();
    let n = groups.len() as f64;
    let mut bars = cartesian(
        &left,
        -0.5f64..n - 0.5,
        0f64..top,
        label_area(&widest_money(0.0, top, cur)),
    )?;
    mesh(&mut bars)
        .disable_x_mesh()
        .x_labels(groups.len())
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-9 && (0.0..n).contains(&i) {
                groups[i as usize].to_string()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&money_axis(0.0, top, cur))
        .y_desc(format!("cost over the horizon ({cur}), mean and P10-P90"))
        .draw()
        .map_err(err)?;
    let width = 0.8 / k;
    for (i, c) in compared.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        for (g, &(mean, p10, p90)) in c.bars.iter().enumerate() {
            let x0 = g as f64 - 0.4 + width * i as f64;
            let x = x0 + width / 2.0;
            bars.draw_series([Rectangle::new(
                [(x0 + 0.01, 0.0), (x0 + width - 0.01, mean)],
                color.filled(),
            )])
            .map_err(err)?;
            bars.draw_series([
                PathElement::new(vec![(x, p10), (x, p90)], BLACK.stroke_width(2)),
                PathElement::new(
                    vec![(x - width / 5.0, p10), (x + width / 5.0, p10)],
                    BLACK.stroke_width(2),
                ),
                PathElement::new(
                    vec![(x - width / 5.0, p90), (x + width / 5.0, p90)],
                    BLACK.stroke_width(2),
                ),
            ])
            .map_err(err)?;
        }
    }

    let mut entries = Vec::new();
    if let Some(limit) = budget.total {
        // Over the total group only: storage and egress are parts of it.
        budget_line(&mut bars, (-0.5, limit), (0.5, limit))?;
        entries.push(budget_entry("total", limit, cur));
    }

    let months = compared.first().map_or(0, |c| c.monthly.len());
    let top = axis_top(
        compared
            .iter()
            .flat_map(|c| c.monthly.iter().copied())
            .chain(budget.monthly),
        1.1,
    );
    let mut lines = cartesian(
        &right,
        0.5f64..months as f64 + 0.5,
        0f64..top,
        label_area(&widest_money(0.0, top, cur)),
    )?;
    mesh(&mut lines)
        .x_labels(months + 1)
        .x_label_formatter(&|x| axis.tick(x))
        .y_label_formatter(&money_axis(0.0, top, cur))
        .x_desc(axis.title())
        .y_desc(format!("mean cost per month ({cur})"))
        .draw()
        .map_err(err)?;
    if let Some(limit) = budget.monthly {
        budget_line(&mut lines, (0.5, limit), (months as f64 + 0.5, limit))?;
        entries.push(budget_entry("monthly", limit, cur));
    }
    let budgets = entries.len();
    for (i, c) in compared.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let points = c
            .monthly
            .iter()
            .enumerate()
            .map(|(m, v)| (m as f64 + 1.0, *v));
        lines
            .draw_series(LineSeries::new(points, color.stroke_width(3)))
            .map_err(err)?;
        entries.insert(i, (c.label.clone(), Swatch::Box(color.to_rgba())));
    }
    debug_assert!(entries.len() == compared.len() + budgets);
    entries.push((
        "P10-P90 over runs".to_string(),
        Swatch::Line(BLACK.to_rgba()),
    ));
    legend(&side, &entries)
}

/// How the chart and the report show `keep_versions = 0` (keep every version).
pub const ALL: &str = "0 (all)";

/// The sweep chart: mean, P50 and P90 of the total cost for each value, P10-P90 shaded.
pub fn sweep(
    base: &Scenario,
    param: &str,
    points: &[SweepPoint],
) -> Result<Vec<OutputFile>, Error> {
    register_fonts();
    let title = format!("{}: total cost by {param}", base.name);
    let cur = base.currency.as_str();
    let files = render(
        "sweep",
        |root| draw_sweep(root, &title, param, cur, points),
        |root| draw_sweep(root, &title, param, cur, points),
    )?;
    Ok(files.into())
}

fn draw_sweep<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    param: &str,
    cur: &str,
    points: &[SweepPoint],
) -> Result<(), DrawError> {
    let (plot, side) = layout(root, title)?;
    let n = points.len();
    let top = axis_top(points.iter().map(|p| p.total.p90.max(p.total.mean)), 1.1);
    // Numeric values are placed by value (1, 2, 3, 5 spaced as numbers), others one per slot.
    // keep_versions = 0 keeps every version: "all" stands apart, right of the largest number,
    // and no line joins it to the others (it is not a number of versions).
    let numeric: Option<Vec<f64>> = points
        .iter()
        .map(|p| p.value.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    let zero_is_all = param.ends_with("keep_versions");
    let is_all = |i: usize| zero_is_all && numeric.as_ref().is_some_and(|v| v[i] == 0.0);
    let mut xs: Vec<f64> = match &numeric {
        Some(values) => values.clone(),
        None => (0..n).map(|i| i as f64).collect(),
    };
    let (lo, hi) = (0..n)
        .filter(|&i| !is_all(i))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), i| {
            (a.min(xs[i]), b.max(xs[i]))
        });
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (1.0, 1.0) };
    let all_at = hi + 2.0;
    for (i, x) in xs.iter_mut().enumerate() {
        if is_all(i) {
            *x = all_at;
        }
    }
    let hi = if (0..n).any(is_all) { all_at } else { hi };
    let pad = if numeric.is_some() {
        ((hi - lo) * 0.05).max(lo.abs().max(1.0) * 0.05)
    } else {
        0.5
    };
    let mut chart = cartesian(
        &plot,
        lo - pad..hi + pad,
        0f64..top,
        label_area(&widest_money(0.0, top, cur)),
    )?;
    let labels: Vec<String> = points.iter().map(|p| p.value.clone()).collect();
    let integers = xs.iter().all(|x| x.fract() == 0.0);
    let step = ((hi - lo) / 10.0).max(1e-12);
    let decimals = (-step.log10()).ceil().clamp(0.0, 6.0) as usize;
    let label_of = |x: &f64| -> String {
        match &numeric {
            Some(_) if (0..n).any(is_all) && (x - all_at).abs() < 1e-9 => ALL.to_string(),
            Some(_) if (0..n).any(is_all) && *x > all_at - 2.0 => String::new(),
            Some(_) if integers => whole(x),
            Some(_) => format!("{:.decimals$}", x + 0.0),
            None => {
                let i = x.round();
                if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            }
        }
    };
    mesh(&mut chart)
        .x_labels(if numeric.is_some() { 12 } else { n.min(30) + 1 })
        .x_label_formatter(&label_of)
        .y_label_formatter(&money_axis(0.0, top, cur))
        .x_desc(if zero_is_all {
            format!("{param} ({ALL}: 0 keeps every version)")
        } else {
            param.to_string()
        })
        .y_desc(format!("total cost over the horizon ({cur})"))
        .draw()
        .map_err(err)?;
    // Lines join the points from left to right, whatever order the values were given in.
    let mut order: Vec<usize> = (0..n).filter(|&i| !is_all(i)).collect();
    order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut outline: Vec<(f64, f64)> = order
        .iter()
        .map(|&i| (xs[i], points[i].total.p90))
        .collect();
    outline.extend(order.iter().rev().map(|&i| (xs[i], points[i].p10)));
    chart
        .draw_series([Polygon::new(outline, PALETTE[0].mix(0.15).filled())])
        .map_err(err)?;
    // "all" gets its P10-P90 as a whisker.
    chart
        .draw_series((0..n).filter(|&i| is_all(i)).map(|i| {
            let x = xs[i];
            PathElement::new(
                vec![(x, points[i].p10), (x, points[i].total.p90)],
                PALETTE[0].mix(0.4).stroke_width(8),
            )
        }))
        .map_err(err)?;
    type Line = (&'static str, RGBColor, fn(&SweepPoint) -> f64);
    // The mean is drawn last and thinner: it often lies on the P50 line.
    let series: [(Line, u32); 3] = [
        (("P50", PALETTE[2], |p| p.total.p50), 5),
        (("P90", PALETTE[3], |p| p.total.p90), 3),
        (("mean", PALETTE[0], |p| p.total.mean), 2),
    ];
    let mut entries = vec![(
        "P10-P90 band".to_string(),
        Swatch::Box(PALETTE[0].mix(0.15)),
    )];
    for ((name, color, read), width) in series {
        let line: Vec<(f64, f64)> = order.iter().map(|&i| (xs[i], read(&points[i]))).collect();
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(width)))
            .map_err(err)?;
        chart
            .draw_series(
                (0..n).map(|i| Circle::new((xs[i], read(&points[i])), width + 2, color.filled())),
            )
            .map_err(err)?;
        entries.push((name.to_string(), Swatch::Line(color.to_rgba())));
    }
    legend(&side, &entries)
}

/// The tornado chart: for each input, the mean total cost with it at P10 and at P90 (others
/// at their medians), biggest swing on top.
pub fn tornado(scenario: &Scenario, tornado: &Tornado) -> Result<Vec<OutputFile>, Error> {
    register_fonts();
    let (base, rows) = (tornado.base, tornado.rows.as_slice());
    let title = match tornado.explained() {
        Some(share) => format!(
            "{}: what drives the total cost (these inputs: {:.0} % of its variance)",
            scenario.name,
            100.0 * share
        ),
        None => format!("{}: what drives the total cost", scenario.name),
    };
    let cur = scenario.currency.as_str();
    let files = render(
        "tornado",
        |root| draw_tornado(root, &title, cur, base, rows),
        |root| draw_tornado(root, &title, cur, base, rows),
    )?;
    Ok(files.into())
}

fn draw_tornado<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    cur: &str,
    base: f64,
    rows: &[TornadoRow],
) -> Result<(), DrawError> {
    let (plot, side) = layout(root, title)?;
    let n = rows.len();
    let (lo, hi) = rows.iter().fold((base, base), |(lo, hi), r| {
        (
            lo.min(r.total_low).min(r.total_high),
            hi.max(r.total_low).max(r.total_high),
        )
    });
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.01).max(0.01);
    // Bars are ordered by swing; each input also carries its share of the variance and its
    // rank by that share, because the two orders can differ (an input with a wide swing may
    // move the runs' totals little, a frequent small one a lot).
    let ranks = variance_ranks(rows);
    let names: Vec<String> = rows
        .iter()
        .zip(&ranks)
        .map(|(r, rank)| {
            let name = r.input.name.trim_start_matches("image.");
            match (r.variance_share, rank) {
                (Some(v), Some(k)) => format!("{name} ({:.0} %, #{k})", 100.0 * v),
                _ => name.to_string(),
            }
        })
        .collect();
    let widest = names.iter().map(|l| l.chars().count()).max().unwrap_or(10);
    let area = (widest as u32 * 9 + 20).clamp(120, 420);
    let mut chart = cartesian(&plot, (lo - pad)..(hi + pad), -0.5f64..n as f64 - 0.5, area)?;
    mesh(&mut chart)
        .disable_y_mesh()
        .y_labels(n + 1)
        .y_label_formatter(&|y| {
            let i = y.round();
            // Row 0 (biggest swing) is drawn at the top.
            if (y - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < names.len() {
                names[names.len() - 1 - i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_label_formatter(&money_axis(lo - pad, hi + pad, cur))
        .x_desc(format!(
            "mean total cost over the horizon ({cur}); bars ordered by swing"
        ))
        .draw()
        .map_err(err)?;
    let (at_low, at_high) = (PALETTE[0], PALETTE[1]);
    for (i, r) in rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        chart
            .draw_series([
                Rectangle::new([(base, y - 0.32), (r.total_low, y + 0.32)], at_low.filled()),
                Rectangle::new(
                    [(base, y - 0.32), (r.total_high, y + 0.32)],
                    at_high.mix(0.8).filled(),
                ),
            ])
            .map_err(err)?;
    }
    chart
        .draw_series([PathElement::new(
            vec![(base, -0.5), (base, n as f64 - 0.5)],
            BLACK.stroke_width(2),
        )])
        .map_err(err)?;
    let mut entries = vec![
        (
            "input at its P10".to_string(),
            Swatch::Box(at_low.to_rgba()),
        ),
        (
            "input at its P90".to_string(),
            Swatch::Box(at_high.mix(0.8)),
        ),
        (
            format!("all at median: {}", money(base, cur)),
            Swatch::Line(BLACK.to_rgba()),
        ),
        ("Bars: biggest swing on top.".to_string(), Swatch::Note),
        ("(v %, #k): share of the total's".to_string(), Swatch::Note),
        ("variance with only that input".to_string(), Swatch::Note),
        ("uncertain, and its rank by it.".to_string(), Swatch::Note),
    ];
    // Say so when the two orders disagree at the top.
    if let Some(first) = ranks.iter().position(|k| *k == Some(1)).filter(|&i| i > 0) {
        entries.push(("The orders differ: the largest".to_string(), Swatch::Note));
        entries.push((
            format!("share (#1) is bar {} by swing.", first + 1),
            Swatch::Note,
        ));
    }
    legend(&side, &entries)
}

/// Each row's rank by share of variance (1 = largest; None without a share).
pub fn variance_ranks(rows: &[TornadoRow]) -> Vec<Option<usize>> {
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].variance_share.is_some())
        .collect();
    order.sort_by(|&a, &b| {
        let share = |i: usize| rows[i].variance_share.unwrap_or(0.0);
        share(b).total_cmp(&share(a)).then(a.cmp(&b))
    });
    let mut ranks = vec![None; rows.len()];
    for (k, &i) in order.iter().enumerate() {
        ranks[i] = Some(k + 1);
    }
    ranks
}

/// The advisor's frontier: per (gallery, region), monthly storage cost against minutes to
/// ready at the percentile for the replica counts that matter: up to a little beyond the
/// larger of the replicas now and the advised ones (the counts beyond, up to 100, cost more
/// for little; the legend says which are off the chart). The replicas now are ringed, the
/// advised ones drawn large.
pub fn advice_frontier(
    scenario: &Scenario,
    advice: &[Advice],
    target: f64,
    percentile: f64,
) -> Result<Vec<OutputFile>, Error> {
    register_fonts();
    let title = format!(
        "{}: replicas, monthly cost and P{:.0} minutes to ready",
        scenario.name,
        percentile * 100.0
    );
    let cur = scenario.currency.as_str();
    let labels: Vec<String> = advice
        .iter()
        .map(|a| {
            format!(
                "{} / {}",
                scenario.images[a.image].name,
                scenario.regions.get(a.region).name
            )
        })
        .collect();
    let p = format!("P{:.0}", percentile * 100.0);
    let files = render(
        "advice_frontier",
        |root| draw_frontier(root, &title, cur, advice, &labels, target, &p),
        |root| draw_frontier(root, &title, cur, advice, &labels, target, &p),
    )?;
    Ok(files.into())
}

/// The largest replica count the frontier chart shows: half as many again as the largest of
/// the replicas now and advised (at least two more), or everything when some region cannot
/// meet the target at all.
pub fn frontier_limit(advice: &[Advice]) -> u32 {
    let mut key = 1;
    for a in advice {
        match a.replicas_advised {
            Some(n) => key = key.max(n).max(a.replicas_now),
            None => return u32::MAX,
        }
    }
    key + (key / 2).max(2)
}

fn draw_frontier<DB: DrawingBackend>(
    root: &Area<DB>,
    title: &str,
    cur: &str,
    advice: &[Advice],
    labels: &[String],
    target: f64,
    percentile: &str,
) -> Result<(), DrawError> {
    let (plot, side) = layout(root, title)?;
    let limit = frontier_limit(advice);
    let shown = || {
        advice
            .iter()
            .flat_map(|a| a.frontier.iter())
            .filter(|p| p.0 <= limit)
    };
    let max_cost = axis_top(shown().map(|p| p.2), 1.12);
    let max_minutes = shown().filter_map(|p| p.1).fold(target, f64::max).max(1.0) * 1.12;
    let mut chart = cartesian(
        &plot,
        0f64..max_cost,
        0f64..max_minutes,
        label_area(&format!("{max_minutes:.0}")),
    )?;
    mesh(&mut chart)
        .x_label_formatter(&money_axis(0.0, max_cost, cur))
        .y_label_formatter(&whole)
        .x_desc(format!(
            "monthly storage cost of the region's replicas ({cur})"
        ))
        .y_desc(format!("{percentile} minutes to ready"))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, target), (max_cost, target)],
            super::chart::BUDGET.stroke_width(2),
        )))
        .map_err(err)?;
    // Replica counts beside their points, never over another label or point: pixel boxes
    // of what is drawn, and four places tried around each point.
    let mut taken: Vec<(i32, i32, i32, i32)> = Vec::new();
    let overlaps = |b: (i32, i32, i32, i32), taken: &[(i32, i32, i32, i32)]| {
        taken
            .iter()
            .any(|t| b.0 < t.2 && t.0 < b.2 && b.1 < t.3 && t.1 < b.3)
    };
    for a in advice {
        for &(_, m, c) in a.frontier.iter().filter(|p| p.0 <= limit) {
            if let Some(m) = m {
                let (x, y) = chart.backend_coord(&(c, m));
                taken.push((x - 5, y - 5, x + 5, y + 5));
            }
        }
    }
    let mut entries = Vec::new();
    let mut hidden: Vec<(u32, Option<f64>)> = Vec::new();
    for (i, a) in advice.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let points: Vec<(u32, f64, f64)> = a
            .frontier
            .iter()
            .filter(|p| p.0 <= limit)
            .filter_map(|&(n, m, c)| m.map(|m| (n, c, m)))
            .collect();
        hidden.extend(
            a.frontier
                .iter()
                .filter(|p| p.0 > limit)
                .map(|p| (p.0, p.1)),
        );
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|&(_, c, m)| (c, m)),
                color.stroke_width(2),
            ))
            .map_err(err)?;
        // The advised and current points first, so their numbers get the best places.
        let mut order: Vec<&(u32, f64, f64)> = points.iter().collect();
        order.sort_by_key(|p| {
            (
                !(a.replicas_advised == Some(p.0) || a.replicas_now == p.0),
                p.0,
            )
        });
        for &&(n, c, m) in &order {
            let advised = a.replicas_advised == Some(n);
            chart
                .draw_series(std::iter::once(Circle::new(
                    (c, m),
                    if advised { 8 } else { 4 },
                    color.filled(),
                )))
                .map_err(err)?;
            if n == a.replicas_now {
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (c, m),
                        11,
                        BLACK.stroke_width(2),
                    )))
                    .map_err(err)?;
            }
            let text = n.to_string();
            let (w, h) = (text.len() as i32 * 10 + 2, 16);
            let (x, y) = chart.backend_coord(&(c, m));
            let r = if n == a.replicas_now { 13 } else { 8 };
            let places = [(r, -r - h), (r, r), (-r - w, -r - h), (-r - w, r)];
            let Some(&(dx, dy)) = places
                .iter()
                .find(|&&(dx, dy)| !overlaps((x + dx, y + dy, x + dx + w, y + dy + h), &taken))
            else {
                continue;
            };
            taken.push((x + dx, y + dy, x + dx + w, y + dy + h));
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((c, m))
                        + Text::new(
                            text,
                            (dx, dy),
                            label_style()
                                .color(&color.mix(1.0))
                                .pos(Pos::new(HPos::Left, VPos::Top)),
                        ),
                ))
                .map_err(err)?;
        }
        entries.push((labels[i].clone(), Swatch::Line(color.to_rgba())));
    }
    entries.push((
        format!("target {target:.0} min"),
        Swatch::Line(super::chart::BUDGET.to_rgba()),
    ));
    entries.push((
        "now (scenario's replicas)".to_string(),
        Swatch::Marker(BLACK.to_rgba(), false),
    ));
    entries.push((
        "advised (fewest in target)".to_string(),
        Swatch::Marker(RGBColor(90, 90, 90).to_rgba(), true),
    ));
    entries.push(("numbers: replicas per region".to_string(), Swatch::Note));
    if let (Some(first), Some(last)) = (
        hidden.iter().map(|h| h.0).min(),
        hidden.iter().map(|h| h.0).max(),
    ) {
        entries.push((
            format!("off the chart: {first} to {last} replicas"),
            Swatch::Note,
        ));
        if let Some(best) = hidden.iter().filter_map(|h| h.1).reduce(f64::min) {
            entries.push((format!("(dearer; at best {best:.0} minutes)"), Swatch::Note));
        }
    }
    legend(&side, &entries)
}
