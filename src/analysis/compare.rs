//! Comparing scenarios run with common random numbers: the same master seed and runs, so run
//! `k` of every scenario sees the same random streams for the same images, and differences
//! are the scenarios', not noise.

use super::metrics::Metric;
use super::{quantile, share_above};
use crate::model::{PerComponent, RunTotals};
use crate::montecarlo::Results;
use crate::stats::Summary;

/// A metric compared between scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Scenario label.
    pub scenario: String,
    /// Metric name, as in `summary.csv`.
    pub metric: &'static str,
    /// Summary of the metric over runs.
    pub summary: Summary,
    /// Mean of the paired difference against the first scenario.
    pub delta_mean: f64,
    /// `delta_mean` as a percentage of the first scenario's mean (None when that is 0).
    pub delta_pct: Option<f64>,
    /// Share of runs in which this scenario's value is higher than the first's.
    pub prob_higher: f64,
    /// P10 of the paired difference.
    pub delta_p10: f64,
    /// P90 of the paired difference.
    pub delta_p90: f64,
}

/// Sentences for every scenario that costs less than the first but serves worse: more labs
/// without a usable image, longer lab waits, slower or unserved deployment waves (means per
/// run, paired run by run).
pub fn service_warnings(rows: &[ComparisonRow], first: &str) -> Vec<String> {
    let delta = |scenario: &str, metric: &str| {
        rows.iter()
            .find(|r| r.scenario == scenario && r.metric == metric)
            .map_or(0.0, |r| r.delta_mean)
    };
    let mut warnings = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.metric == "total_cost" && r.scenario != first)
    {
        if r.delta_mean >= 0.0 {
            continue;
        }
        let worse: Vec<String> = [
            ("labs_not_ready", "more labs without a usable image"),
            ("lab_wait_hours", "more lab-hours waiting for a version"),
            ("waves_not_ready", "more deployment waves never served"),
            (
                "slowest_deployment_minutes",
                "more minutes for its slowest deployment",
            ),
        ]
        .into_iter()
        .filter_map(|(metric, words)| {
            let d = delta(&r.scenario, metric);
            (d > 1e-9).then(|| format!("{d:.1} {words}"))
        })
        .collect();
        if !worse.is_empty() {
            warnings.push(format!(
                "{} is cheaper than {first} but serves worse: {} (mean per run)",
                r.scenario,
                worse.join(", ")
            ));
        }
    }
    warnings
}

/// Compares every scenario with the first, run by run, for each metric.
pub fn compare(scenarios: &[(String, &Results)], metrics: &[Metric]) -> Vec<ComparisonRow> {
    let Some((_, base)) = scenarios.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for (label, results) in scenarios {
        for metric in metrics {
            let read = |t: &RunTotals| metric.value(t);
            let values: Vec<f64> = results.runs.iter().map(|r| read(&r.totals)).collect();
            let diffs: Vec<f64> = results
                .runs
                .iter()
                .zip(&base.runs)
                .map(|(x, b)| read(&x.totals) - read(&b.totals))
                .collect();
            let base_mean = Summary::of(
                &base
                    .runs
                    .iter()
                    .map(|r| read(&r.totals))
                    .collect::<Vec<_>>(),
            )
            .mean;
            let delta_mean = diffs.iter().sum::<f64>() / diffs.len().max(1) as f64;
            rows.push(ComparisonRow {
                scenario: label.clone(),
                metric: metric.name,
                summary: Summary::of(&values),
                delta_mean,
                delta_pct: (base_mean != 0.0).then(|| 100.0 * delta_mean / base_mean),
                prob_higher: share_above(diffs.iter().copied(), 0.0),
                delta_p10: quantile(&diffs, 0.1),
                delta_p90: quantile(&diffs, 0.9),
            });
        }
    }
    rows
}

/// Per month and scenario: mean, P10 and P90 of the month's total, and the mean paired
/// difference against the first scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyComparison {
    /// 1-based billing month.
    pub month: u32,
    /// Scenario label.
    pub scenario: String,
    /// Mean over runs.
    pub mean: f64,
    /// P10 over runs.
    pub p10: f64,
    /// P90 over runs.
    pub p90: f64,
    /// Mean paired difference against the first scenario.
    pub delta_mean: f64,
}

/// The monthly comparison, month by month, scenarios in order.
pub fn compare_monthly(scenarios: &[(String, &Results)]) -> Vec<MonthlyComparison> {
    let Some((_, base)) = scenarios.first() else {
        return Vec::new();
    };
    let months = base.monthly_totals.first().map_or(0, Vec::len);
    let mut rows = Vec::new();
    for m in 0..months {
        for (label, results) in scenarios {
            let values: Vec<f64> = results.monthly_totals.iter().map(|r| r[m]).collect();
            let n = values.len().max(1) as f64;
            let delta = results
                .monthly_totals
                .iter()
                .zip(&base.monthly_totals)
                .map(|(x, b)| x[m] - b[m])
                .sum::<f64>()
                / n;
            rows.push(MonthlyComparison {
                month: m as u32 + 1,
                scenario: label.clone(),
                mean: values.iter().sum::<f64>() / n,
                p10: quantile(&values, 0.1),
                p90: quantile(&values, 0.9),
                delta_mean: delta,
            });
        }
    }
    rows
}

/// One value of a sweep: the total cost over runs, and the mean storage and egress.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// The parameter value as given.
    pub value: String,
    /// Total cost over runs.
    pub total: Summary,
    /// P10 of the total cost.
    pub p10: f64,
    /// Mean cost of each component.
    pub component_means: PerComponent<f64>,
    /// Mean labs without a usable image.
    pub labs_not_ready_mean: f64,
    /// Mean lab-hours waited for a version.
    pub lab_wait_hours_mean: f64,
    /// Mean minutes of the slowest deployment wave (None without deployments).
    pub slowest_deployment_minutes_mean: Option<f64>,
}

/// Summarises each value's results.
pub fn sweep_points(results: &[(String, Results)]) -> Vec<SweepPoint> {
    results
        .iter()
        .map(|(value, r)| {
            let read = |f: fn(&RunTotals) -> f64| {
                r.runs.iter().map(|x| f(&x.totals)).collect::<Vec<f64>>()
            };
            let totals = read(|t| t.total_cost);
            let n = totals.len().max(1) as f64;
            SweepPoint {
                value: value.clone(),
                total: Summary::of(&totals),
                p10: quantile(&totals, 0.1),
                component_means: PerComponent::from_fn(|c| {
                    r.runs.iter().map(|x| x.totals.cost[c]).sum::<f64>() / n
                }),
                labs_not_ready_mean: read(|t| f64::from(t.labs_not_ready)).iter().sum::<f64>() / n,
                lab_wait_hours_mean: read(|t| t.lab_wait_hours).iter().sum::<f64>() / n,
                slowest_deployment_minutes_mean: r
                    .runs
                    .iter()
                    .any(|x| x.totals.slowest_deployment_minutes.is_some())
                    .then(|| {
                        read(|t| t.slowest_deployment_minutes.unwrap_or(0.0))
                            .iter()
                            .sum::<f64>()
                            / n
                    }),
            }
        })
        .collect()
}
