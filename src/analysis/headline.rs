//! The figures a report leads with, computed once: the total's percentiles over runs, each
//! billing month's percentiles, and the worst month's. The terminal, `report.html` and
//! `monthly_percentiles.csv` read these, so a monthly figure is never a total divided by
//! months; the monthly budget (`analysis::budget`) reads the same per-run worst months
//! ([`worst_months`]) and the same type-7 percentile, so its any-month row and the tile agree.

use crate::montecarlo::Results;
use crate::stats::Summary;

/// Headline figures of one scenario's results.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Total cost over the horizon, over runs.
    pub total: Summary,
    /// Per billing month, its cost over runs.
    pub months: Vec<Summary>,
    /// Per run its most expensive month, over runs. Its P80 is the monthly budget that no
    /// month exceeds in 80 % of runs (`--budget-monthly` at it gives about 20 % "some month
    /// goes over"); a month's own P80 is lower than that whenever months differ.
    pub worst_month: Summary,
    /// The mean total divided by the months: an average, not a percentile.
    pub mean_per_month: f64,
}

impl Headline {
    /// The headline of `results`.
    pub fn of(results: &Results) -> Headline {
        let totals: Vec<f64> = results.runs.iter().map(|r| r.totals.total_cost).collect();
        let runs = &results.monthly_totals;
        let months = runs.first().map_or(0, Vec::len);
        let total = Summary::of(&totals);
        Headline {
            months: (0..months)
                .map(|m| Summary::of(&runs.iter().map(|r| r[m]).collect::<Vec<_>>()))
                .collect(),
            worst_month: Summary::of(&worst_months(results)),
            mean_per_month: total.mean / months.max(1) as f64,
            total,
        }
    }

    /// The 0-based month with the highest P80 (the first of equals).
    pub fn month_of_highest_p80(&self) -> Option<usize> {
        (0..self.months.len()).reduce(|a, b| match self.months[b].p80 > self.months[a].p80 {
            true => b,
            false => a,
        })
    }
}

/// Per run, the cost of its most expensive billing month.
pub fn worst_months(results: &Results) -> Vec<f64> {
    results
        .monthly_totals
        .iter()
        .map(|r| r.iter().copied().fold(0.0, f64::max))
        .collect()
}
