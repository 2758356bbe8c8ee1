//! Simulation time: an integer tick count, so that ordering is exact and runs reproducible.
//! The engine does not say what a tick is; the model does (one second in gallerysim).

/// A point in simulation time, in ticks since the start.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Time(pub u64);

impl Time {
    /// The start of the simulation.
    pub const ZERO: Time = Time(0);

    /// `self + ticks`, saturating at the end of time.
    pub fn saturating_add(self, ticks: u64) -> Time {
        Time(self.0.saturating_add(ticks))
    }
}
