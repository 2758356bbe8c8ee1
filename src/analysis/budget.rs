//! Budgets: how likely is a run to exceed a monthly or a total budget, and when does the P80
//! path cross it.

use super::{quantile, share_above};
use crate::montecarlo::Results;

/// The budgets given on the command line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Budget {
    /// Budget for each billing month.
    pub monthly: Option<f64>,
    /// Budget for the whole horizon.
    pub total: Option<f64>,
}

impl Budget {
    /// True when no budget was given.
    pub fn is_empty(&self) -> bool {
        self.monthly.is_none() && self.total.is_none()
    }
}

/// What a row of `budget.csv` is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One billing month against the monthly budget.
    Month(u32),
    /// Any month of the horizon above the monthly budget.
    AnyMonth,
    /// The total over the horizon against the total budget.
    Total,
}

impl Scope {
    /// Name as in `budget.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Month(_) => "month",
            Scope::AnyMonth => "any_month",
            Scope::Total => "total",
        }
    }
}

/// One row of `budget.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetRow {
    /// What is compared.
    pub scope: Scope,
    /// The budget.
    pub budget: f64,
    /// Probability (share of runs) of spending more than the budget.
    pub p_exceed: f64,
    /// P50 of the spend compared.
    pub p50: f64,
    /// P80 of the spend compared.
    pub p80: f64,
    /// P90 of the spend compared.
    pub p90: f64,
    /// First month (1-based) whose P80 is over the budget: the month's P80 for the monthly
    /// budget, the cumulative P80 at the month's end for the total budget.
    pub first_month_p80_over: Option<u32>,
}

/// The budget verdict for one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Rows of `budget.csv`, months first.
    pub rows: Vec<BudgetRow>,
    /// The probability the `--fail-over` gate looks at: the largest of the total's and the
    /// any-month probability, for the budgets given.
    pub p_exceed: f64,
}

/// Assesses `results` against `budget`.
pub fn assess(results: &Results, budget: &Budget) -> Assessment {
    let runs = &results.monthly_totals;
    let months = runs.first().map_or(0, Vec::len);
    let mut rows = Vec::new();
    let mut gate: f64 = 0.0;
    if let Some(limit) = budget.monthly {
        let mut first_over = None;
        for m in 0..months {
            let values: Vec<f64> = runs.iter().map(|r| r[m]).collect();
            let row = row(Scope::Month(m as u32 + 1), limit, &values, None);
            if first_over.is_none() && row.p80 > limit {
                first_over = Some(m as u32 + 1);
            }
            rows.push(row);
        }
        let worst = super::headline::worst_months(results);
        let any = row(Scope::AnyMonth, limit, &worst, first_over);
        gate = gate.max(any.p_exceed);
        rows.push(any);
    }
    if let Some(limit) = budget.total {
        let mut running = vec![0.0; runs.len()];
        let mut first_over = None;
        for m in 0..months {
            for (acc, r) in running.iter_mut().zip(runs) {
                *acc += r[m];
            }
            if first_over.is_none() && quantile(&running, 0.8) > limit {
                first_over = Some(m as u32 + 1);
            }
        }
        let totals: Vec<f64> = results.runs.iter().map(|r| r.totals.total_cost).collect();
        let total = row(Scope::Total, limit, &totals, first_over);
        gate = gate.max(total.p_exceed);
        rows.push(total);
    }
    Assessment {
        rows,
        p_exceed: gate,
    }
}

fn row(scope: Scope, budget: f64, values: &[f64], first: Option<u32>) -> BudgetRow {
    BudgetRow {
        scope,
        budget,
        p_exceed: share_above(values.iter().copied(), budget),
        p50: quantile(values, 0.5),
        p80: quantile(values, 0.8),
        p90: quantile(values, 0.9),
        first_month_p80_over: first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunTotals;
    use crate::montecarlo::RunSummary;
    use crate::pricing::Ledger;

    /// Five runs of two months: month 1 costs 1..5, month 2 costs 10, 20, 30, 40, 50.
    fn results() -> Results {
        let months: Vec<Vec<f64>> = (1..=5)
            .map(|k| vec![f64::from(k), 10.0 * f64::from(k)])
            .collect();
        Results {
            runs: months
                .iter()
                .enumerate()
                .map(|(i, m)| RunSummary {
                    run: i as u32 + 1,
                    seed: 0,
                    totals: RunTotals {
                        total_cost: m.iter().sum(),
                        ..RunTotals::default()
                    },
                })
                .collect(),
            monthly_totals: months,
            monthly_mean: Ledger::new(2, 0),
            image_cost_mean: Vec::new(),
            monthly_ineligible_mean: Vec::new(),
            input_means: Vec::new(),
            copies: Default::default(),
            copy_costs: Vec::new(),
            labs: Vec::new(),
            waves: Vec::new(),
            deployment_minutes: Vec::new(),
            object_cost_mean: Vec::new(),
            deployment_unserved: Vec::new(),
            events: 0,
            prices_used: Vec::new(),
        }
    }

    #[test]
    fn exceed_probabilities_by_hand() {
        let a = assess(
            &results(),
            &Budget {
                monthly: Some(25.0),
                total: Some(40.0),
            },
        );
        let month2 = a.rows.iter().find(|r| r.scope == Scope::Month(2)).unwrap();
        // 30, 40, 50 of 10..50 exceed 25: 3 of 5.
        assert_eq!(month2.p_exceed, 0.6);
        // Type 7: h = 4 x 0.8 = 3.2 -> 40 + 0.2 x 10 = 42.
        assert!((month2.p80 - 42.0).abs() < 1e-12);
        let month1 = a.rows.iter().find(|r| r.scope == Scope::Month(1)).unwrap();
        assert_eq!(month1.p_exceed, 0.0);
        let any = a.rows.iter().find(|r| r.scope == Scope::AnyMonth).unwrap();
        assert_eq!(any.p_exceed, 0.6);
        assert_eq!(any.first_month_p80_over, Some(2));
        // Totals 11, 22, 33, 44, 55: 44 and 55 exceed 40.
        let total = a.rows.iter().find(|r| r.scope == Scope::Total).unwrap();
        assert_eq!(total.p_exceed, 0.4);
        // Cumulative P80 after month 1 is 4.2, after month 2 is 46.2 > 40.
        assert_eq!(total.first_month_p80_over, Some(2));
        assert_eq!(a.p_exceed, 0.6, "the gate takes the larger probability");
    }

    #[test]
    fn a_generous_budget_is_never_exceeded() {
        let a = assess(
            &results(),
            &Budget {
                monthly: None,
                total: Some(1000.0),
            },
        );
        assert_eq!(a.rows.len(), 1);
        assert_eq!(a.p_exceed, 0.0);
        assert_eq!(a.rows[0].first_month_p80_over, None);
    }
}
