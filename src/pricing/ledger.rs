//! Quantities and costs per billing month and (gallery, region) cell, by component: the
//! priced view the reports read.

use crate::model::Component;
use crate::stats::ExactSum;

/// One billing month of one (gallery, region) cell.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellMonth {
    /// Quantity per component, indexed by `Component as usize`: GB-months or disk-months of
    /// storage, GB of egress.
    pub quantity: [f64; 2],
    /// Cost per component.
    pub cost: [f64; 2],
    /// Replica-months: the average number of replicas alive over the month.
    pub replica_months: f64,
}

impl CellMonth {
    /// Quantity of `component`.
    pub fn quantity(&self, component: Component) -> f64 {
        self.quantity[component as usize]
    }

    /// Cost of `component`.
    pub fn cost_of(&self, component: Component) -> f64 {
        self.cost[component as usize]
    }

    /// All components.
    pub fn cost(&self) -> f64 {
        self.cost.iter().sum()
    }

    fn figures(&self) -> [f64; 5] {
        [
            self.quantity[0],
            self.quantity[1],
            self.cost[0],
            self.cost[1],
            self.replica_months,
        ]
    }

    fn from_figures(f: [f64; 5]) -> CellMonth {
        CellMonth {
            quantity: [f[0], f[1]],
            cost: [f[2], f[3]],
            replica_months: f[4],
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
    sums: Vec<[ExactSum; 5]>,
}

impl LedgerSum {
    /// An empty sum of months x cells ledgers.
    pub fn new(months: usize, cells: usize) -> LedgerSum {
        LedgerSum {
            months,
            cells,
            sums: vec![[ExactSum::default(); 5]; months * cells],
        }
    }

    /// Adds a ledger.
    pub fn add(&mut self, ledger: &Ledger) {
        debug_assert_eq!((self.months, self.cells), (ledger.months, ledger.cells));
        for (sum, entry) in self.sums.iter_mut().zip(&ledger.entries) {
            for (s, x) in sum.iter_mut().zip(entry.figures()) {
                s.add(x);
            }
        }
    }

    /// Adds another sum.
    pub fn merge(&mut self, other: &LedgerSum) {
        debug_assert_eq!((self.months, self.cells), (other.months, other.cells));
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
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
        self.sums.iter().flatten().all(|s| s.value().is_finite())
    }

    /// The mean ledger over `runs` runs.
    pub fn mean(&self, runs: u32) -> Ledger {
        let n = f64::from(runs.max(1));
        Ledger {
            months: self.months,
            cells: self.cells,
            entries: self
                .sums
                .iter()
                .map(|s| CellMonth::from_figures(s.map(|x| x.value() / n)))
                .collect(),
        }
    }
}
