//! Meters as open identifiers: what a price is for (`snapshot_gb_month`, `lab_vm_hour`), by
//! name, interned once per price book into a small integer ([`MeterId`]) that every usage
//! line and price lookup uses.
//!
//! The model's own meters ([`Item`]) are interned first, in [`Item::ALL`] order, so their
//! ids never depend on a catalog. Any other meter a price catalog names is interned after
//! them in the catalog's row order: a usage source the scenario registers
//! ([`crate::model::UsageSource`]) books to it by name, and nothing in `src/` lists it.

use std::collections::HashMap;

use super::prices::Item;

/// A meter, interned in a [`Meters`] table.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct MeterId(pub u16);

impl From<Item> for MeterId {
    fn from(item: Item) -> MeterId {
        MeterId(item.index() as u16)
    }
}

/// The meters of one price book: the model's own, then the ones a catalog adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Meters {
    /// Per meter: its name and the unit of its prices.
    defs: Vec<(String, String)>,
    /// Meters by name.
    by_name: HashMap<String, MeterId>,
}

/// Most meters one price book can hold (the model's own eleven included).
pub const MAX_METERS: usize = 1_000;

/// Why a meter cannot be interned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeterError {
    /// The name is not a meter name.
    #[error("`{0}` is not a meter name: use lower-case letters, digits, `_` and `.`, starting with a letter")]
    Name(String),
    /// The same meter with two units.
    #[error("unit `{given}` is not understood for {name}: its prices are per {unit}")]
    Unit {
        /// The meter.
        name: String,
        /// Its unit.
        unit: String,
        /// The unit given.
        given: String,
    },
    /// A meter priced per nothing.
    #[error("the price of {0} needs a unit (e.g. hour, GB-month)")]
    NoUnit(String),
    /// Too many meters.
    #[error("more than {MAX_METERS} meters")]
    TooMany,
}

impl Meters {
    /// The model's own meters ([`Item::ALL`]), nothing else.
    pub fn builtin() -> Meters {
        let mut meters = Meters {
            defs: Vec::new(),
            by_name: HashMap::new(),
        };
        for item in Item::ALL {
            meters.push(item.name(), item.unit());
        }
        meters
    }

    fn push(&mut self, name: String, unit: &str) -> MeterId {
        let id = MeterId(self.defs.len() as u16);
        self.by_name.insert(name.clone(), id);
        self.defs.push((name, unit.to_string()));
        id
    }

    /// The meter named `name`, if interned.
    pub fn id(&self, name: &str) -> Option<MeterId> {
        self.by_name.get(name).copied()
    }

    /// `name` priced per `unit`: its id, interned if new. A known meter must keep its unit.
    pub fn intern(&mut self, name: &str, unit: &str) -> Result<MeterId, MeterError> {
        if let Some(id) = self.id(name) {
            let known = &self.defs[id.0 as usize].1;
            return if known == unit {
                Ok(id)
            } else {
                Err(MeterError::Unit {
                    name: name.to_string(),
                    unit: known.clone(),
                    given: unit.to_string(),
                })
            };
        }
        check_name(name)?;
        if unit.trim().is_empty() {
            return Err(MeterError::NoUnit(name.to_string()));
        }
        if self.defs.len() >= MAX_METERS {
            return Err(MeterError::TooMany);
        }
        Ok(self.push(name.to_string(), unit))
    }

    /// The id of every meter in `other` (another price book's) here, by name.
    pub fn ids_of(&self, other: &Meters) -> Vec<Option<MeterId>> {
        other.defs.iter().map(|(name, _)| self.id(name)).collect()
    }

    /// Name of `id`.
    pub fn name(&self, id: MeterId) -> &str {
        &self.defs[id.0 as usize].0
    }

    /// Unit of `id`'s prices.
    pub fn unit(&self, id: MeterId) -> &str {
        &self.defs[id.0 as usize].1
    }

    /// Number of meters.
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// True when there is none (never: the model's own are always there).
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// Every meter added after the model's own.
    pub fn added(&self) -> impl Iterator<Item = MeterId> + '_ {
        (Item::ALL.len()..self.defs.len()).map(|i| MeterId(i as u16))
    }
}

/// Refuses a name that is not a meter's: lower-case letters, digits, `_` and `.`, starting
/// with a letter.
pub fn check_name(name: &str) -> Result<(), MeterError> {
    let shape = name.starts_with(|c: char| c.is_ascii_lowercase())
        && (name.bytes())
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    match shape {
        true => Ok(()),
        false => Err(MeterError::Name(name.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_s_meters_come_first_and_others_are_interned_after_them() {
        let mut m = Meters::builtin();
        assert_eq!(MeterId::from(Item::Snapshot), MeterId(0));
        assert_eq!(
            m.id("egress_inter_continent_gb"),
            Some(Item::EgressInter.into())
        );
        let vm = m.intern("lab_vm_hour", "hour").unwrap();
        assert_eq!(vm, MeterId(Item::ALL.len() as u16));
        assert_eq!(m.intern("lab_vm_hour", "hour").unwrap(), vm);
        assert_eq!((m.name(vm), m.unit(vm)), ("lab_vm_hour", "hour"));
        assert_eq!(m.added().collect::<Vec<_>>(), [vm]);
        assert!(matches!(
            m.intern("snapshot_gb_month", "GB"),
            Err(MeterError::Unit { .. })
        ));
        assert!(matches!(m.intern("Gold!", "GB"), Err(MeterError::Name(_))));
    }
}
