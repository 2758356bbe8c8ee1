//! Cost components as data: what a cost is for, and [`PerComponent`], one value per component.
//!
//! Every figure kept per component (a cell's quantity and cost, a run's cost, an image
//! target's quantity, a copy's cost) is a `PerComponent<T>`; reports, comparisons and charts
//! loop over [`Component::ALL`] and name a column `<component>_cost` or `<component>_mean`, so
//! a new component is a new variant here (`docs/architecture.md`, "Adding a meter and a cost
//! object"); the model's own items map to theirs in [`Component::of`], a usage source names
//! the component of each line it books.

use crate::catalog::prices::Item;
use crate::scenario::StorageBilling;
use std::ops::{Add, AddAssign, Index, IndexMut};

/// What a cost is for. Reports and analyses loop over [`Component::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    /// Replicas kept in a region (snapshot GB-months or managed-disk months).
    Storage,
    /// First copies of versions into other regions (GB transferred).
    Egress,
}

impl Component {
    /// Number of components.
    pub const COUNT: usize = 2;

    /// Every component, in report order.
    pub const ALL: [Component; Component::COUNT] = [Component::Storage, Component::Egress];

    /// Name as in `monthly.csv`, and the stem of the `<name>_cost` columns.
    pub fn name(self) -> &'static str {
        match self {
            Component::Storage => "storage",
            Component::Egress => "egress",
        }
    }

    /// Its metric in `summary.csv` and `comparison.csv`, and its column in `runs.csv` and
    /// `versions.csv`.
    pub fn cost_metric(self) -> &'static str {
        match self {
            Component::Storage => "storage_cost",
            Component::Egress => "egress_cost",
        }
    }

    /// Unit of its quantity under `billing`.
    pub fn unit(self, billing: StorageBilling) -> &'static str {
        match (self, billing) {
            (Component::Storage, StorageBilling::Snapshot) => "GB-month",
            (Component::Storage, StorageBilling::ManagedDisk) => "disk-month",
            (Component::Egress, _) => "GB",
        }
    }

    /// Whether its quantity accrues over time (a meter per month) rather than once per event.
    pub fn accrues(self) -> bool {
        match self {
            Component::Storage => true,
            Component::Egress => false,
        }
    }

    /// The component an item is billed under.
    pub fn of(item: Item) -> Component {
        match item {
            Item::Snapshot | Item::ZrsSnapshot | Item::PremiumSnapshot | Item::Disk(_) => {
                Component::Storage
            }
            Item::EgressIntra | Item::EgressInter => Component::Egress,
        }
    }
}

/// One value per [`Component`], indexed by component.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PerComponent<T>(pub [T; Component::COUNT]);

impl<T> PerComponent<T> {
    /// The value of each component, from a function of the component.
    pub fn from_fn(mut f: impl FnMut(Component) -> T) -> PerComponent<T> {
        PerComponent(Component::ALL.map(&mut f))
    }

    /// Each component with its value, in report order.
    pub fn iter(&self) -> impl Iterator<Item = (Component, &T)> {
        Component::ALL.into_iter().zip(&self.0)
    }

    /// The values, in report order.
    pub fn values(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}

impl PerComponent<f64> {
    /// The sum over components.
    pub fn total(&self) -> f64 {
        self.0.iter().sum()
    }
}

impl<T> Index<Component> for PerComponent<T> {
    type Output = T;
    fn index(&self, c: Component) -> &T {
        &self.0[c as usize]
    }
}

impl<T> IndexMut<Component> for PerComponent<T> {
    fn index_mut(&mut self, c: Component) -> &mut T {
        &mut self.0[c as usize]
    }
}

impl<T: AddAssign + Copy> AddAssign for PerComponent<T> {
    fn add_assign(&mut self, other: PerComponent<T>) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
}

impl<T: AddAssign + Copy> Add for PerComponent<T> {
    type Output = PerComponent<T>;
    fn add(mut self, other: PerComponent<T>) -> PerComponent<T> {
        self += other;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_by_component_and_summed() {
        let mut a = PerComponent::from_fn(|c| if c == Component::Storage { 2.5 } else { 1.0 });
        a[Component::Egress] += 0.5;
        assert_eq!(a[Component::Storage], 2.5);
        assert_eq!(a.total(), 4.0);
        assert_eq!((a + a).total(), 8.0);
        let names: Vec<&str> = a.iter().map(|(c, _)| c.name()).collect();
        assert_eq!(names, ["storage", "egress"]);
    }
}
