//! Quantities and costs per billing month and (gallery, region) cell, by component: the
//! priced view the reports read.

use crate::model::{Component, PerComponent};
use crate::stats::ExactSum;

/// One billing month of one (gallery, region) cell.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellMonth {
    /// Quantity per component: GB-months or disk-months of storage, GB of egress.
    pub quantity: PerComponent<f64>,
    /// Cost per component.
    pub cost: PerComponent<f64>,
    /// Replica-months: the average number of replicas alive over the month.
    pub replica_months: f64,
}

impl CellMonth {
    /// Quantity of `component`.
    pub fn quantity(&self, component: Component) -> f64 {
        self.quantity[component]
    }

    /// Cost of `component`.
    pub fn cost_of(&self, component: Component) -> f64 {
        self.cost[component]
    }

    /// All components.
    pub fn cost(&self) -> f64 {
        self.cost.total()
    }
}

/// The exact sums of one [`CellMonth`] over runs.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct CellSums {
    quantity: PerComponent<ExactSum>,
    cost: PerComponent<ExactSum>,
    replica_months: ExactSum,
}

impl CellSums {
    fn add(&mut self, e: &CellMonth) {
        for c in Component::ALL {
            self.quantity[c].add(e.quantity[c]);
            self.cost[c].add(e.cost[c]);
        }
        self.replica_months.add(e.replica_months);
    }

    fn merge(&mut self, other: &CellSums) {
        for c in Component::ALL {
            self.quantity[c].merge(&other.quantity[c]);
            self.cost[c].merge(&other.cost[c]);
        }
        self.replica_months.merge(&other.replica_months);
    }

    fn sums(&self) -> impl Iterator<Item = &ExactSum> {
        self.quantity
            .values()
            .chain(self.cost.values())
            .chain([&self.replica_months])
    }

    fn mean(&self, n: f64) -> CellMonth {
        CellMonth {
            quantity: PerComponent::from_fn(|c| self.quantity[c].value() / n),
            cost: PerComponent::from_fn(|c| self.cost[c].value() / n),
            replica_months: self.replica_months.value() / n,
        }
    }
}

/// A dense months x cells table.
#[derive(Debug, Clone, PartialEq)]
pub struct Ledger {
    months: usize,
    cells: usize,
    entries: Vec<CellMonth>,
}

impl Ledger {
    /// An all-zero ledger.
    pub fn new(months: usize, cells: usize) -> Ledger {
        Ledger {
            months,
            cells,
            entries: vec![CellMonth::default(); months * cells],
        }
    }

    /// Number of billing months.
    pub fn months(&self) -> usize {
        self.months
    }

    /// Entry of `month` (0-based) and `cell`.
    pub fn entry(&self, month: usize, cell: usize) -> &CellMonth {
        &self.entries[month * self.cells + cell]
    }

    /// Mutable entry of `month` (0-based) and `cell`.
    pub fn entry_mut(&mut self, month: usize, cell: usize) -> &mut CellMonth {
        &mut self.entries[month * self.cells + cell]
    }

    /// Total cost of `month` (0-based) over all cells.
    pub fn month_cost(&self, month: usize) -> f64 {
        self.entries[month * self.cells..(month + 1) * self.cells]
            .iter()
            .map(CellMonth::cost)
            .sum()
    }

    /// Every entry, month by month.
    pub fn entries(&self) -> &[CellMonth] {
        &self.entries
    }
}

/// An exact, mergeable sum of ledgers of one shape (see [`ExactSum`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LedgerSum {
    months: usize,
    cells: usize,
    sums: Vec<CellSums>,
}

impl LedgerSum {
    /// An empty sum of months x cells ledgers.
    pub fn new(months: usize, cells: usize) -> LedgerSum {
        LedgerSum {
            months,
            cells,
            sums: vec![CellSums::default(); months * cells],
        }
    }

    /// Adds a ledger.
    pub fn add(&mut self, ledger: &Ledger) {
        debug_assert_eq!((self.months, self.cells), (ledger.months, ledger.cells));
        for (sum, entry) in self.sums.iter_mut().zip(&ledger.entries) {
            sum.add(entry);
        }
    }

    /// Adds another sum.
    pub fn merge(&mut self, other: &LedgerSum) {
        debug_assert_eq!((self.months, self.cells), (other.months, other.cells));
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            a.merge(b);
        }
    }

    /// Its billing months and cells, when its table has that shape (a sum read back from a
    /// file may not).
    pub fn shape(&self) -> Option<(usize, usize)> {
        let entries = self.months.checked_mul(self.cells)?;
        (self.sums.len() == entries).then_some((self.months, self.cells))
    }

    /// Whether every sum is a finite number (none overflowed or added a NaN).
    pub fn is_finite(&self) -> bool {
        self.sums
            .iter()
            .flat_map(CellSums::sums)
            .all(|s| s.value().is_finite())
    }

    /// The mean ledger over `runs` runs.
    pub fn mean(&self, runs: u32) -> Ledger {
        let n = f64::from(runs.max(1));
        Ledger {
            months: self.months,
            cells: self.cells,
            entries: self.sums.iter().map(|s| s.mean(n)).collect(),
        }
    }
}
