//! The CSV files of the analyses: `budget.csv`, `comparison.csv`, `comparison_monthly.csv`,
//! `sweep.csv`, `sensitivity.csv`, `prices_used.csv` and `advice.csv`.
#![allow(missing_docs)]

#[allow(clippy::wildcard_imports)]
use super::*;

/// `budget.csv`: one row per month (monthly budget), an `any_month` row, and a `total` row.
#[derive(Debug, Default, Serialize)]
pub struct BudgetRow {
    pub scenario: Text,
    pub scope: &'static str,
    pub month: Option<u32>,
    pub start: String,
    pub budget: String,
    pub p_exceed: String,
    pub p50: String,
    pub p80: String,
    pub p90: String,
    pub first_month_p80_over: Option<u32>,
}

/// `budget.csv` for one or more (label, scenario, assessment).
pub fn budget_file(items: &[(String, &Scenario, &Assessment)]) -> Result<OutputFile, Error> {
    let mut rows = Vec::new();
    for (label, scenario, assessment) in items {
        for r in &assessment.rows {
            let month = match r.scope {
                Scope::Month(m) => Some(m),
                _ => None,
            };
            rows.push(BudgetRow {
                scenario: label.as_str().into(),
                scope: r.scope.name(),
                month,
                start: month
                    .map(|m| scenario.calendar.month_start_iso(m))
                    .unwrap_or_default(),
                budget: dec(r.budget),
                p_exceed: dec(r.p_exceed),
                p50: dec(r.p50),
                p80: dec(r.p80),
                p90: dec(r.p90),
                first_month_p80_over: r.first_month_p80_over,
            });
        }
    }
    file("budget.csv", rows)
}

/// `comparison.csv`.
#[derive(Debug, Default, Serialize)]
pub struct ComparisonCsvRow {
    pub scenario: Text,
    pub metric: &'static str,
    pub mean: String,
    pub p50: String,
    pub p80: String,
    pub p90: String,
    pub delta_mean: String,
    pub delta_pct: String,
    /// Share of runs in which this scenario's value is higher than the first's.
    pub prob_higher: String,
    pub delta_p10: String,
    pub delta_p90: String,
    /// 95 % confidence interval of `delta_mean` (Monte Carlo noise); empty under two runs.
    pub delta_ci95_low: String,
    pub delta_ci95_high: String,
}

/// `comparison.csv`: every scenario and metric against the first scenario.
pub fn comparison_file(rows: &[ComparisonRow]) -> Result<OutputFile, Error> {
    file(
        "comparison.csv",
        rows.iter().map(|r| ComparisonCsvRow {
            scenario: r.scenario.as_str().into(),
            metric: r.metric,
            mean: dec(r.summary.mean),
            p50: dec(r.summary.p50),
            p80: dec(r.summary.p80),
            p90: dec(r.summary.p90),
            delta_mean: dec(r.delta_mean),
            delta_pct: r.delta_pct.map(dec).unwrap_or_default(),
            prob_higher: dec(r.prob_higher),
            delta_p10: dec(r.delta_p10),
            delta_p90: dec(r.delta_p90),
            delta_ci95_low: r.delta_ci95.map(|c| dec(c.0)).unwrap_or_default(),
            delta_ci95_high: r.delta_ci95.map(|c| dec(c.1)).unwrap_or_default(),
        }),
    )
}

/// `comparison_monthly.csv`.
#[derive(Debug, Default, Serialize)]
pub struct ComparisonMonthlyRow {
    pub month: u32,
    pub start: String,
    pub scenario: Text,
    pub mean: String,
    pub p10: String,
    pub p90: String,
    pub delta_mean: String,
}

/// `comparison_monthly.csv`: total cost per month and scenario.
pub fn comparison_monthly_file(
    first: &Scenario,
    rows: &[MonthlyComparison],
) -> Result<OutputFile, Error> {
    file(
        "comparison_monthly.csv",
        rows.iter().map(|r| ComparisonMonthlyRow {
            month: r.month,
            start: first.calendar.month_start_iso(r.month),
            scenario: r.scenario.as_str().into(),
            mean: dec(r.mean),
            p10: dec(r.p10),
            p90: dec(r.p90),
            delta_mean: dec(r.delta_mean),
        }),
    )
}

/// `sweep.csv`: total cost per parameter value, the mean of each component after the
/// percentiles.
pub fn sweep_file(points: &[SweepPoint]) -> Result<OutputFile, Error> {
    let header = ["value", "mean", "p10", "p50", "p80", "p90"]
        .into_iter()
        .map(String::from)
        .chain(Component::ALL.map(|c| format!("{}_mean", c.name())))
        .chain(
            [
                "labs_not_ready_mean",
                "lab_wait_hours_mean",
                "slowest_deployment_minutes_mean",
            ]
            .into_iter()
            .map(String::from),
        );
    records(
        "sweep.csv",
        header,
        points.iter().map(|p| {
            [
                spreadsheet_safe(&p.value).into_owned(),
                dec(p.total.mean),
                dec(p.p10),
                dec(p.total.p50),
                dec(p.total.p80),
                dec(p.total.p90),
            ]
            .into_iter()
            .chain(p.component_means.values().map(|&m| dec(m)))
            .chain([
                dec(p.labs_not_ready_mean),
                dec(p.lab_wait_hours_mean),
                // Empty when the scenario has no deployments.
                p.slowest_deployment_minutes_mean
                    .map(dec)
                    .unwrap_or_default(),
            ])
        }),
    )
}

/// `sensitivity.csv`.
#[derive(Debug, Default, Serialize)]
pub struct SensitivityRow {
    pub input: Text,
    pub p10_value: String,
    pub p90_value: String,
    pub total_at_p10: String,
    pub total_at_p90: String,
    pub swing: String,
    pub rank_correlation: String,
    /// Share of the total's variance with only this input uncertain (0..1).
    pub variance_share: String,
}

/// `sensitivity.csv`: the tornado, biggest swing first.
pub fn sensitivity_file(rows: &[TornadoRow]) -> Result<OutputFile, Error> {
    file(
        "sensitivity.csv",
        rows.iter().map(|r| SensitivityRow {
            input: r.input.name.as_str().into(),
            p10_value: dec(r.low),
            p90_value: dec(r.high),
            total_at_p10: dec(r.total_low),
            total_at_p90: dec(r.total_high),
            swing: dec(r.swing()),
            rank_correlation: r.rank_correlation.map(dec).unwrap_or_default(),
            variance_share: r.variance_share.map(dec).unwrap_or_default(),
        }),
    )
}

/// `prices_used.csv`: every price the scenario's replicas and copies use, and its source.
#[derive(Debug, Default, Serialize)]
pub struct PriceUsedRow {
    pub scenario: Text,
    pub item: String,
    pub region: String,
    pub price: String,
    pub unit: String,
    pub currency: Text,
    /// The catalog the price comes from, or `scenario [prices]`.
    pub source: Text,
    /// Effective date of a catalog price (empty for scenario figures).
    pub as_of: Text,
}

/// `prices_used.csv` for one or more (label, scenario, results): the prices the pricing step
/// used, each (item, region) once.
pub fn prices_used_file(items: &[(String, &Scenario, &Results)]) -> Result<OutputFile, Error> {
    let mut rows = Vec::new();
    for (label, scenario, results) in items {
        for used in &results.prices_used {
            let (source, as_of) = match &used.priced.source {
                Source::Catalog { label, as_of, .. } => (label.clone(), as_of.clone()),
                Source::Scenario => ("scenario [prices]".to_string(), String::new()),
            };
            rows.push(PriceUsedRow {
                scenario: label.as_str().into(),
                item: used.meter.clone(),
                region: scenario.regions.get(used.region).name.clone(),
                price: format!("{}", used.priced.value),
                unit: used.unit.clone(),
                currency: scenario.currency.as_str().into(),
                source: source.into(),
                as_of: as_of.into(),
            });
        }
    }
    file("prices_used.csv", rows)
}

/// `advice.csv`: the replica advisor.
#[derive(Debug, Default, Serialize)]
pub struct AdviceRow {
    pub gallery: Text,
    pub region: String,
    pub replicas_now: u32,
    pub replicas_advised: String,
    pub minutes_now: String,
    pub minutes_advised: String,
    pub monthly_cost_now: String,
    pub monthly_cost_advised: String,
    /// Why there is no advice, or what to know about it.
    pub note: String,
    /// The image whose replicas are advised (Azure's replicas are per image version).
    pub image: Text,
}

/// `advice.csv` for `advice` of `scenario`.
pub fn advice_file(
    scenario: &Scenario,
    advice: &[crate::analysis::advise::Advice],
) -> Result<OutputFile, Error> {
    let opt = |x: Option<f64>| x.map(dec).unwrap_or_default();
    file(
        "advice.csv",
        advice.iter().map(|a| AdviceRow {
            gallery: scenario.galleries[a.gallery].name.as_str().into(),
            region: scenario.regions.get(a.region).name.clone(),
            replicas_now: a.replicas_now,
            replicas_advised: a
                .replicas_advised
                .map(|n| n.to_string())
                .unwrap_or_default(),
            minutes_now: opt(a.minutes_now),
            minutes_advised: opt(a.minutes_advised),
            monthly_cost_now: dec(a.monthly_cost_now),
            monthly_cost_advised: opt(a.monthly_cost_advised),
            note: a.note.clone(),
            image: scenario.images[a.image].name.as_str().into(),
        }),
    )
}
