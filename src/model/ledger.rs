//! Quantities and costs per billing month and (gallery, region) cell.

use crate::calendar::TICKS_PER_MONTH;

/// One billing month of one (gallery, region) cell.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CellMonth {
    /// GB-months (snapshot billing) or disk-months (managed-disk billing).
    pub storage_quantity: f64,
    /// Storage cost.
    pub storage_cost: f64,
    /// GB copied in.
    pub egress_quantity: f64,
    /// Egress cost.
    pub egress_cost: f64,
    /// Replica-months: the average number of replicas alive over the month.
    pub replica_months: f64,
}

impl CellMonth {
    fn add(&mut self, other: &CellMonth) {
        self.storage_quantity += other.storage_quantity;
        self.storage_cost += other.storage_cost;
        self.egress_quantity += other.egress_quantity;
        self.egress_cost += other.egress_cost;
        self.replica_months += other.replica_months;
    }

    fn scale(&mut self, k: f64) {
        self.storage_quantity *= k;
        self.storage_cost *= k;
        self.egress_quantity *= k;
        self.egress_cost *= k;
        self.replica_months *= k;
    }

    /// Storage plus egress.
    pub fn cost(&self) -> f64 {
        self.storage_cost + self.egress_cost
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

    /// Adds a replica set alive over ticks `[from, to)` in `cell`, at `quantity` and `cost`
    /// per billing month and `replicas` replicas; returns the cost added.
    pub fn accrue(
        &mut self,
        cell: usize,
        from: u64,
        to: u64,
        quantity: f64,
        cost: f64,
        replicas: f64,
    ) -> f64 {
        let mut added = 0.0;
        let mut t = from;
        while t < to {
            let month = (t / TICKS_PER_MONTH) as usize;
            let month_end = (month as u64 + 1) * TICKS_PER_MONTH;
            let end = to.min(month_end);
            let fraction = (end - t) as f64 / TICKS_PER_MONTH as f64;
            let entry = self.entry_mut(month, cell);
            entry.storage_quantity += quantity * fraction;
            entry.storage_cost += cost * fraction;
            entry.replica_months += replicas * fraction;
            added += cost * fraction;
            t = end;
        }
        added
    }

    /// Adds another ledger of the same shape, cell by cell.
    pub fn add(&mut self, other: &Ledger) {
        debug_assert_eq!((self.months, self.cells), (other.months, other.cells));
        for (a, b) in self.entries.iter_mut().zip(&other.entries) {
            a.add(b);
        }
    }

    /// Multiplies every figure by `k` (1/runs turns a sum into a mean).
    pub fn scale(&mut self, k: f64) {
        self.entries.iter_mut().for_each(|e| e.scale(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accrual_splits_at_month_boundaries() {
        let mut ledger = Ledger::new(3, 1);
        // From the middle of month 1 to a quarter into month 3, at $10 per month.
        let from = TICKS_PER_MONTH / 2;
        let to = 2 * TICKS_PER_MONTH + TICKS_PER_MONTH / 4;
        let added = ledger.accrue(0, from, to, 20.0, 10.0, 2.0);
        assert!((added - 17.5).abs() < 1e-12);
        assert_eq!(ledger.entry(0, 0).storage_cost, 5.0);
        assert_eq!(ledger.entry(1, 0).storage_cost, 10.0);
        assert_eq!(ledger.entry(2, 0).storage_cost, 2.5);
        assert_eq!(ledger.entry(1, 0).storage_quantity, 20.0);
        assert_eq!(ledger.entry(2, 0).replica_months, 0.5);
    }
}
