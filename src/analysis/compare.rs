//! Comparing scenarios run with common random numbers: the same master seed and runs, so run
//! `k` of every scenario sees the same random streams for the same images, and differences
//! are the scenarios', not noise.

use super::metrics::Metric;
use super::{quantile, share_above};
use crate::error::InputError;
use crate::model::{PerComponent, RunTotals};
use crate::montecarlo::Results;
use crate::scenario::{Inputs, Overrides, Scenario};
use crate::stats::Summary;

/// Why two scenarios cannot be compared month by month: another month grid (start, months,
/// billing months) or another currency than the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{label} has {key} = {value} but {first} has {key} = {first_value}: compare needs one month grid (start, months, billing_months) and one currency, or months would be set side by side that are not the same months (use --set scenario.{key}=... to align them)")]
pub struct NotComparable {
    /// The scenario that differs.
    pub label: String,
    /// The `[scenario]` key that differs.
    pub key: &'static str,
    /// Its value there.
    pub value: String,
    /// The first scenario's label.
    pub first: String,
    /// Its value in the first.
    pub first_value: String,
}

/// Refuses scenarios whose figures cannot be compared month by month (see [`NotComparable`]).
pub fn comparable(scenarios: &[(String, Scenario)]) -> Result<(), NotComparable> {
    let Some((first_label, first)) = scenarios.first() else {
        return Ok(());
    };
    let grid = |s: &Scenario| {
        let billing = match s.calendar.is_730h() {
            true => "730h",
            false => "calendar",
        };
        [
            ("start", s.calendar.start().to_string()),
            ("months", s.months.to_string()),
            ("billing_months", billing.to_string()),
            ("currency", s.currency.clone()),
        ]
    };
    for (label, s) in &scenarios[1..] {
        let differs = (grid(first).into_iter().zip(grid(s))).find(|((_, a), (_, b))| a != b);
        if let Some(((key, first_value), (_, value))) = differs {
            return Err(NotComparable {
                label: label.clone(),
                key,
                value,
                first: first_label.clone(),
                first_value,
            });
        }
    }
    Ok(())
}

/// Common random numbers: a compared scenario runs with `first`'s seed and runs. `own` is it
/// as built from `inputs` with `overrides`; when its seed or runs differ, it is built again
/// with the first's (Some), else it stands (None).
pub fn aligned(
    first: &Scenario,
    own: &Scenario,
    inputs: &Inputs,
    overrides: &Overrides,
) -> Result<Option<Scenario>, InputError> {
    if own.seed == first.seed && own.runs == first.runs {
        return Ok(None);
    }
    let common = overrides.with_runs_seed(first.runs, first.seed);
    Ok(Some(Scenario::build(inputs, &common)?))
}

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
    /// 95 % confidence interval of `delta_mean` over the runs: the Monte Carlo noise of the
    /// paired mean difference (see [`noise_interval`]); None under two runs.
    pub delta_ci95: Option<(f64, f64)>,
}

/// The 95 % confidence interval of the mean of paired differences `diffs` (one per run):
/// mean ± 1.96 × sd / √n, sd the sample standard deviation of the differences. With common
/// random numbers the differences are paired run by run, so their spread is the noise a
/// finite number of runs leaves in the mean difference; an interval that excludes 0 says the
/// difference is the scenarios', not noise (normal approximation, fine for the tens to
/// thousands of runs a comparison uses). None under two runs (no spread to measure).
pub fn noise_interval(diffs: &[f64]) -> Option<(f64, f64)> {
    if diffs.len() < 2 {
        return None;
    }
    let n = diffs.len() as f64;
    let mean = diffs.iter().sum::<f64>() / n;
    let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = 1.96 * (var / n).sqrt();
    Some((mean - half, mean + half))
}

/// A figure for a sentence: one decimal, or two significant digits when smaller than 0.1
/// (a 0.026-hour difference does not read "0.0").
fn figure(x: f64) -> String {
    if x.abs() >= 0.1 || x == 0.0 {
        crate::report::fixed(x, 1, false)
    } else {
        let places = (1.0 - x.abs().log10().floor()).clamp(1.0, 9.0) as usize;
        crate::report::fixed(x, places, false)
    }
}

/// Sentences for every scenario that costs less than the first but serves worse: more labs
/// without a usable image, longer lab waits, slower or unserved deployment waves (means per
/// run, paired run by run).
///
/// "Worse" must be more than Monte Carlo noise: the 95 % interval of the mean paired
/// difference ([`noise_interval`]) lies wholly above 0. With a single run there is no interval
/// and any positive difference counts. Each sentence shows the interval.
pub fn service_warnings(rows: &[ComparisonRow], first: &str) -> Vec<String> {
    let delta = |scenario: &str, metric: &str| {
        rows.iter()
            .find(|r| r.scenario == scenario && r.metric == metric)
            .map_or((0.0, None), |r| (r.delta_mean, r.delta_ci95))
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
            let (d, interval) = delta(&r.scenario, metric);
            let beyond_noise = interval.is_none_or(|(lo, _)| lo > 0.0);
            (d > 1e-9 && beyond_noise).then(|| match interval {
                Some((lo, hi)) => format!(
                    "{} {words} (95 % interval {} to {})",
                    figure(d),
                    figure(lo),
                    figure(hi)
                ),
                None => format!("{} {words} (one run: noise unknown)", figure(d)),
            })
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
                delta_ci95: noise_interval(&diffs),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        scenario: &str,
        metric: &'static str,
        delta: f64,
        ci: Option<(f64, f64)>,
    ) -> ComparisonRow {
        ComparisonRow {
            scenario: scenario.to_string(),
            metric,
            summary: Summary::default(),
            delta_mean: delta,
            delta_pct: None,
            prob_higher: 0.5,
            delta_p10: 0.0,
            delta_p90: 0.0,
            delta_ci95: ci,
        }
    }

    #[test]
    fn the_noise_interval_by_hand() {
        // 1, 2, 3, 4, 5: mean 3, sample sd sqrt(2.5), half width 1.96 x sqrt(2.5 / 5).
        let (lo, hi) = noise_interval(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let half = 1.96 * 0.5f64.sqrt();
        assert!((lo - (3.0 - half)).abs() < 1e-12 && (hi - (3.0 + half)).abs() < 1e-12);
        assert_eq!(noise_interval(&[2.0, 2.0, 2.0]), Some((2.0, 2.0)));
        assert_eq!(noise_interval(&[1.0]), None);
    }

    #[test]
    fn no_warning_on_noise_and_the_interval_when_beyond_it() {
        let rows = vec![
            row("b", "total_cost", -100.0, Some((-110.0, -90.0))),
            row("b", "lab_wait_hours", 0.026, Some((-0.05, 0.1))),
            row("b", "labs_not_ready", 2.0, Some((2.0, 2.0))),
        ];
        let w = service_warnings(&rows, "a");
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("2.0 more labs without a usable image (95 % interval 2.0 to 2.0)"),
            "{w:?}"
        );
        assert!(!w[0].contains("lab-hours"), "{w:?}");
        assert_eq!(figure(0.026), "0.026");
    }
}
