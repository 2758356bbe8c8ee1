//! The per-run metrics every summary and comparison reports: what the gallery costs, and what
//! it buys (labs ready, waits, deployment minutes). One list, read by `summary.csv`,
//! `compare` and `sweep`.

use crate::model::{Component, RunTotals};

/// A metric: name (as in `summary.csv`), unit, and how to read it from a run's totals.
#[derive(Debug, Clone)]
pub struct Metric {
    /// Name, as in `summary.csv`.
    pub name: &'static str,
    /// Unit.
    pub unit: String,
    /// How to read it from a run's totals.
    pub read: Read,
}

/// Where a metric's value is in a run's totals.
#[derive(Debug, Clone, Copy)]
pub enum Read {
    /// A field of the totals.
    Field(fn(&RunTotals) -> f64),
    /// The cost of a component.
    Cost(Component),
}

impl Metric {
    /// The value of one run (lower is better for every metric).
    pub fn value(&self, totals: &RunTotals) -> f64 {
        match self.read {
            Read::Field(read) => read(totals),
            Read::Cost(component) => totals.cost[component],
        }
    }
}

/// The metrics of scenarios priced in `currency`; the deployment rows only when
/// `deployments` (a scenario without waves has no minutes to report).
pub fn metrics(currency: &str, deployments: bool) -> Vec<Metric> {
    let m = |name, unit: &str, read| Metric {
        name,
        unit: unit.to_string(),
        read: Read::Field(read),
    };
    let mut list = vec![m("total_cost", currency, |t| t.total_cost)];
    list.extend(Component::ALL.map(|c| Metric {
        name: c.cost_metric(),
        unit: currency.to_string(),
        read: Read::Cost(c),
    }));
    list.extend([
        m("ineligible_cost", currency, |t| t.ineligible_cost),
        m("versions_created", "versions", |t| {
            f64::from(t.versions_created)
        }),
        m("peak_replicas", "replicas", |t| t.peak_replicas as f64),
        m("labs_not_ready", "labs", |t| f64::from(t.labs_not_ready)),
        m("lab_wait_hours", "lab-hours", |t| t.lab_wait_hours),
    ]);
    if deployments {
        list.push(m(
            "slowest_deployment_minutes",
            "minutes",
            // A run whose waves were never served has no slowest time: 0 here, and the
            // waves_not_ready row says why.
            |t| t.slowest_deployment_minutes.unwrap_or(0.0),
        ));
        list.push(m("waves_not_ready", "waves", |t| {
            f64::from(t.waves_not_ready)
        }));
    }
    list
}
