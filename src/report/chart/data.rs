//! [`ChartData`]: everything the run's charts draw, prepared once from the results.

use crate::analysis::budget::Budget;
use crate::model::{Component, PerComponent};
use crate::montecarlo::Results;
use crate::scenario::Scenario;
use crate::stats::percentile;

use super::kit::{MonthAxis, RegionColours};

/// Regions drawn individually; the rest are summed as "other regions".
pub(super) const MAX_SERIES: usize = 9;
/// Month names on a full-width time axis, at most.
const MONTH_LABELS: usize = 13;
/// Panels of `monthly_cost_by_gallery`: the biggest galleries, then the rest together.
const MAX_PANELS: usize = 4;

/// One region's (or "other regions"') monthly figures, mean over runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionSeries {
    /// Legend label.
    pub label: String,
    /// Cost per component per month.
    pub cost: PerComponent<Vec<f64>>,
    /// Average replicas alive per month.
    pub replicas: Vec<f64>,
}

/// Everything the charts draw, prepared from the results.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// Scenario name, for titles.
    pub title: String,
    /// Currency of all money.
    pub currency: String,
    /// Start date, for the time axis.
    pub start: String,
    /// Billing months are calendar months (else 730-hour blocks).
    pub calendar_months: bool,
    /// Billing months.
    pub months: usize,
    /// One colour per region, the same in every chart.
    pub colours: RegionColours,
    /// The time axis: month names.
    pub axis: MonthAxis,
    /// Per region, largest total first.
    pub series: Vec<RegionSeries>,
    /// When there are more regions than one chart shows: per gallery (title, its regions).
    pub by_gallery: Vec<(String, Vec<RegionSeries>)>,
    /// Per month, P10 and P90 of the month's total over runs.
    pub monthly_band: Vec<(f64, f64)>,
    /// Per month, the mean cost of images no lab can use (all zero when every image is
    /// eligible).
    pub ineligible: Vec<f64>,
    /// Per month end, mean, P10 and P90 of the cumulative cost over runs.
    pub cumulative: Vec<(f64, f64, f64)>,
    /// Total cost of each run.
    pub totals: Vec<f64>,
    /// Budgets to draw, if any.
    pub budget: Budget,
    /// Per deployment: label, P10, P50 and P90 minutes to ready over every served wave of
    /// every run, and the target when given.
    pub deployments: Vec<DeploymentBar>,
}

/// One deployment on the minutes-to-ready chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentBar {
    /// `name (region)`.
    pub label: String,
    /// P10, P50, P90 minutes (None when no wave was ever served).
    pub minutes: Option<(f64, f64, f64)>,
    /// Target minutes.
    pub target: Option<f64>,
}

impl ChartData {
    /// Prepares the chart data.
    pub fn new(scenario: &Scenario, results: &Results, budget: &Budget) -> ChartData {
        let regions = &scenario.regions;
        let months = scenario.months as usize;
        let ledger = &results.monthly_mean;
        let colours = region_colours(scenario, results);
        let series = region_series(scenario, results, &colours, |_| true);
        // More regions than one chart shows: also one panel per gallery (the biggest
        // MAX_PANELS - 1 and the rest together), so "other regions" never hides a gallery.
        let mut by_gallery: Vec<(String, Vec<RegionSeries>)> = Vec::new();
        let regions_used = {
            let mut r: Vec<_> = scenario.cells.iter().map(|c| c.region).collect();
            r.sort_unstable();
            r.dedup();
            r.len()
        };
        if regions_used > MAX_SERIES && scenario.galleries.len() > 1 {
            // Each gallery's cost over the horizon, in one pass over the ledger.
            let mut galleries: Vec<(usize, f64)> =
                (0..scenario.galleries.len()).map(|g| (g, 0.0)).collect();
            for m in 0..months {
                for (i, cell) in scenario.cells.iter().enumerate() {
                    let e = ledger.entry(m, i);
                    galleries[cell.gallery].1 += e.cost();
                }
            }
            galleries.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let shown = if galleries.len() > MAX_PANELS {
                MAX_PANELS - 1
            } else {
                galleries.len()
            };
            for &(g, _) in &galleries[..shown] {
                by_gallery.push((
                    format!("gallery {}", scenario.galleries[g].name),
                    region_series(scenario, results, &colours, |c| c.gallery == g),
                ));
            }
            if galleries.len() > shown {
                let rest: Vec<usize> = galleries[shown..].iter().map(|&(g, _)| g).collect();
                by_gallery.push((
                    format!("{} other galleries", rest.len()),
                    region_series(scenario, results, &colours, |c| rest.contains(&c.gallery)),
                ));
            }
        }

        let band = |values: &mut Vec<f64>| {
            values.sort_by(f64::total_cmp);
            (percentile(values, 0.10), percentile(values, 0.90))
        };
        let runs = &results.monthly_totals;
        let monthly_band = (0..months)
            .map(|m| band(&mut runs.iter().map(|r| r[m]).collect()))
            .collect();
        let mut running = vec![0.0; runs.len()];
        let cumulative = (0..months)
            .map(|m| {
                for (acc, run) in running.iter_mut().zip(runs) {
                    *acc += run[m];
                }
                let mean = running.iter().sum::<f64>() / running.len().max(1) as f64;
                let (p10, p90) = band(&mut running.clone());
                (mean, p10, p90)
            })
            .collect();
        ChartData {
            title: scenario.name.clone(),
            currency: scenario.currency.clone(),
            start: scenario.calendar.start().to_string(),
            calendar_months: !scenario.calendar.is_730h(),
            months,
            colours,
            axis: MonthAxis::new(&scenario.calendar, MONTH_LABELS),
            series,
            by_gallery,
            monthly_band,
            ineligible: results.monthly_ineligible_mean.clone(),
            cumulative,
            totals: results.runs.iter().map(|r| r.totals.total_cost).collect(),
            budget: *budget,
            deployments: scenario
                .deployments
                .iter()
                .zip(&results.deployment_minutes)
                .map(|(d, minutes)| {
                    let mut sorted = minutes.clone();
                    sorted.sort_by(f64::total_cmp);
                    DeploymentBar {
                        label: format!("{} ({})", d.name, regions.get(d.region).name),
                        minutes: (!sorted.is_empty()).then(|| {
                            (
                                percentile(&sorted, 0.1),
                                percentile(&sorted, 0.5),
                                percentile(&sorted, 0.9),
                            )
                        }),
                        target: d.target_minutes,
                    }
                })
                .collect(),
        }
    }

    pub(super) fn runs(&self) -> usize {
        self.totals.len()
    }

    pub(super) fn month_axis(&self) -> String {
        self.axis.title()
    }
}

/// Per region, summed over the cells `keep` accepts, largest total first; beyond
/// [`MAX_SERIES`], and regions without a colour of their own, are summed as "N other
/// regions".
fn region_series(
    scenario: &Scenario,
    results: &Results,
    colours: &RegionColours,
    keep: impl Fn(&crate::scenario::Cell) -> bool,
) -> Vec<RegionSeries> {
    let regions = &scenario.regions;
    let months = scenario.months as usize;
    let ledger = &results.monthly_mean;
    let mut per_region: Vec<(crate::catalog::RegionId, RegionSeries)> = Vec::new();
    for (c, cell) in scenario.cells.iter().enumerate() {
        if !keep(cell) {
            continue;
        }
        let i = match per_region.iter().position(|(r, _)| *r == cell.region) {
            Some(i) => i,
            None => {
                per_region.push((
                    cell.region,
                    RegionSeries {
                        label: regions.get(cell.region).name.clone(),
                        cost: PerComponent::from_fn(|_| vec![0.0; months]),
                        replicas: vec![0.0; months],
                    },
                ));
                per_region.len() - 1
            }
        };
        let s = &mut per_region[i].1;
        for m in 0..months {
            let e = ledger.entry(m, c);
            for c in Component::ALL {
                s.cost[c][m] += e.cost_of(c);
            }
            s.replicas[m] += e.replica_months;
        }
    }
    let total = |s: &RegionSeries| s.cost.values().flatten().sum::<f64>();
    let mut series: Vec<RegionSeries> = per_region.into_iter().map(|(_, s)| s).collect();
    // Most expensive first; the order of regions of equal cost is their rank in the run.
    let rank = |s: &RegionSeries| colours.rank(&s.label);
    series.sort_by(|a, b| {
        total(b)
            .total_cmp(&total(a))
            .then(rank(a).cmp(&rank(b)))
            .then(a.label.cmp(&b.label))
    });
    let (mut shown, mut rest): (Vec<RegionSeries>, Vec<RegionSeries>) =
        series.into_iter().partition(|s| colours.has_own(&s.label));
    if shown.len() + usize::from(!rest.is_empty()) > MAX_SERIES {
        let beyond = shown.split_off(MAX_SERIES - 1);
        rest.splice(0..0, beyond);
    }
    let mut series = shown;
    if !rest.is_empty() {
        let mut other = RegionSeries {
            label: format!("{} other regions", rest.len()),
            cost: PerComponent::from_fn(|_| vec![0.0; months]),
            replicas: vec![0.0; months],
        };
        for s in &rest {
            for m in 0..months {
                for c in Component::ALL {
                    other.cost[c][m] += s.cost[c][m];
                }
                other.replicas[m] += s.replicas[m];
            }
        }
        series.push(other);
    }
    series
}

/// Regions ranked by their cost over the horizon in the whole scenario, largest first (then
/// by name): the run's colours.
fn region_colours(scenario: &Scenario, results: &Results) -> RegionColours {
    let months = scenario.months as usize;
    let mut totals: Vec<(String, f64)> = Vec::new();
    for (c, cell) in scenario.cells.iter().enumerate() {
        let name = &scenario.regions.get(cell.region).name;
        let cost: f64 = (0..months)
            .map(|m| results.monthly_mean.entry(m, c).cost())
            .sum();
        match totals.iter_mut().find(|(n, _)| n == name) {
            Some(t) => t.1 += cost,
            None => totals.push((name.clone(), cost)),
        }
    }
    totals.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    RegionColours::new(totals.into_iter().map(|(n, _)| n).collect())
}
