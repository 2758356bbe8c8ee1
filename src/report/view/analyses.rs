//! The views of the analyses: budgets, `compare`, `sweep`, `tornado` and `advise`.

use super::{money, pct};
use crate::analysis::budget::{Assessment, Scope};
use crate::analysis::compare::{ComparisonRow, SweepPoint};
use crate::analysis::sensitivity::Tornado;
use crate::model::Component;
use crate::report::doc::Doc;
use crate::report::fixed;
use crate::scenario::Scenario;

/// The budget section of a report.
pub fn budget(scenario: &Scenario, a: &Assessment) -> Doc {
    let cur = scenario.currency.as_str();
    let mut doc = Doc::default();
    doc.heading(format!("Budget ({}):", scenario.name));
    for r in &a.rows {
        let first = r
            .first_month_p80_over
            .map(|m| format!("; the P80 path first goes over in month {m}"))
            .unwrap_or_else(|| "; the P80 path stays within it".to_string());
        match r.scope {
            Scope::Month(_) => {}
            Scope::AnyMonth => doc.line(format!(
                "monthly budget {}: {} chance that some month goes over (worst month P80 {}){first}",
                money(r.budget, cur),
                pct(r.p_exceed),
                money(r.p80, cur)
            )),
            Scope::Total => doc.line(format!(
                "total budget {}: {} chance of going over; P80 {}, P90 {}{first}",
                money(r.budget, cur),
                pct(r.p_exceed),
                money(r.p80, cur),
                money(r.p90, cur)
            )),
        }
    }
    doc
}

/// The `compare` report.
pub fn comparison(first: &Scenario, rows: &[ComparisonRow]) -> Doc {
    let cur = first.currency.as_str();
    let mut doc =
        Doc::titled("Total cost over the horizon, paired run by run with the first scenario:");
    let table_rows = rows
        .iter()
        .filter(|r| r.metric == "total_cost")
        .map(|r| {
            vec![
                r.scenario.clone(),
                money(r.summary.mean, cur),
                money(r.summary.p50, cur),
                money(r.summary.p80, cur),
                money(r.summary.p90, cur),
                money(r.delta_mean, cur),
                r.delta_pct
                    .map(|p| format!("{}%", fixed(p, 1, true)))
                    .unwrap_or_default(),
                pct(r.prob_higher),
                r.delta_ci95
                    .map(|(lo, hi)| format!("{} to {}", money(lo, cur), money(hi, cur)))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    doc.table(
        &[
            "scenario",
            "mean",
            "P50",
            "P80",
            "P90",
            "vs first",
            "change",
            "P(costs more)",
            "95 % interval of vs first",
        ],
        table_rows,
        &[false, true, true, true, true, true, true, true, true],
    );
    doc.line("vs first: the mean of the run-by-run differences (common random numbers); its 95 % interval is the Monte Carlo noise left in that mean (an interval excluding 0 is a real difference)");
    doc
}

/// The `sweep` report.
pub fn sweep(base: &Scenario, param: &str, points: &[SweepPoint]) -> Doc {
    let cur = base.currency.as_str();
    let mut doc = Doc::titled(format!("{}: total cost as {param} varies", base.name));
    let header: Vec<&str> = [param, "mean", "P50", "P90"]
        .into_iter()
        .chain(Component::ALL.map(Component::name))
        .collect();
    let rows = points
        .iter()
        .map(|p| {
            let totals = [p.total.mean, p.total.p50, p.total.p90];
            let figures = totals.iter().chain(p.component_means.values());
            // keep_versions = 0 keeps every version: said as the chart says it.
            let zero_is_all = param.ends_with("keep_versions")
                && p.value.trim().parse::<f64>().is_ok_and(|v| v == 0.0);
            let value = if zero_is_all {
                crate::report::analysis_chart::ALL.to_string()
            } else {
                p.value.clone()
            };
            std::iter::once(value)
                .chain(figures.map(|&x| money(x, cur)))
                .collect()
        })
        .collect();
    let mut right = vec![true; header.len()];
    right[0] = false;
    doc.table(&header, rows, &right);
    doc
}

/// The `tornado` report.
pub fn tornado(scenario: &Scenario, tornado: &Tornado) -> Doc {
    let (base, rows) = (tornado.base, &tornado.rows);
    let cur = scenario.currency.as_str();
    let mut doc = Doc::titled(format!("{}: what drives the total cost", scenario.name));
    if rows.is_empty() {
        doc.line("no input is uncertain: nothing to rank (give used_gb, export_hours or replication_hours a { dist = ... }, or exports a per_month rate)");
        return doc;
    }
    doc.line(format!(
        "every input at its median: mean total {}",
        money(base, cur)
    ));
    if let Some(share) = tornado.explained() {
        doc.line(format!(
            "spread (sd) of the total {} as is, {} with every input below at its median: they explain {:.0} % of its variance",
            money(tornado.sd, cur),
            money(tornado.sd_at_medians, cur),
            100.0 * share,
        ));
        let first_order: f64 = rows.iter().filter_map(|r| r.variance_share).sum();
        let top = rows
            .iter()
            .filter_map(|r| Some((r.variance_share?, &r.input.name)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((share, name)) = top {
            doc.line(format!(
                "one at a time they explain {:.0} %; the largest share: {name} ({:.0} %)",
                100.0 * first_order,
                100.0 * share
            ));
        }
    }
    let table_rows = rows
        .iter()
        .map(|r| {
            vec![
                r.input.name.clone(),
                format!("{} -> {}", fixed(r.low, 1, false), fixed(r.high, 1, false)),
                money(r.total_low, cur),
                money(r.total_high, cur),
                money(r.swing(), cur),
                r.rank_correlation
                    .map(|c| fixed(c, 2, true))
                    .unwrap_or_default(),
                r.variance_share
                    .map(|v| format!("{:.0} %", 100.0 * v))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    doc.table(
        &[
            "input",
            "P10 -> P90",
            "total at P10",
            "total at P90",
            "swing",
            "rank corr.",
            "variance",
        ],
        table_rows,
        &[false, true, true, true, true, true, true],
    );
    doc.line("variance: share of the total's variance over runs with only that input uncertain");
    doc
}

/// The `advise` report.
pub fn advice(
    scenario: &Scenario,
    advice: &[crate::analysis::advise::Advice],
    target: f64,
    percentile: f64,
) -> Doc {
    let cur = scenario.currency.as_str();
    let mut doc = Doc::titled(format!(
        "{}: fewest replicas for every deployment wave ready within {target} minutes at P{:.0}",
        scenario.name,
        percentile * 100.0
    ));
    let minutes = |m: Option<f64>| m.map(|m| format!("{m:.1}")).unwrap_or("never".to_string());
    let rows = advice
        .iter()
        .map(|a| {
            vec![
                scenario.images[a.image].name.clone(),
                scenario.regions.get(a.region).name.clone(),
                a.replicas_now.to_string(),
                minutes(a.minutes_now),
                money(a.monthly_cost_now, cur),
                a.replicas_advised
                    .map(|n| n.to_string())
                    .unwrap_or("-".to_string()),
                a.replicas_advised
                    .map(|_| minutes(a.minutes_advised))
                    .unwrap_or_default(),
                a.monthly_cost_advised
                    .map(|c| money(c, cur))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    doc.table(
        &[
            "image",
            "region",
            "replicas now",
            "minutes now",
            "per month now",
            "advised",
            "minutes advised",
            "per month advised",
        ],
        rows,
        &[false, false, true, true, true, true, true, true],
    );
    for a in advice.iter().filter(|a| !a.note.is_empty()) {
        doc.line(format!(
            "{} / {}: {}",
            scenario.images[a.image].name,
            scenario.regions.get(a.region).name,
            a.note
        ));
    }
    doc
}
