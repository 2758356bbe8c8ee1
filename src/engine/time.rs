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

/// An optional [`Time`] in 8 bytes (`Option<Time>` takes 16, and a fleet keeps millions):
/// the end of time stands for none, and [`MaybeTime::at`] takes only times before it.
/// Serialised, compared and printed as `Option<Time>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaybeTime(u64);

impl MaybeTime {
    /// No time.
    pub const NONE: MaybeTime = MaybeTime(u64::MAX);

    /// `time`, which is before the end of time (every event a simulation handles is).
    pub fn at(time: Time) -> MaybeTime {
        assert!(
            time.0 != u64::MAX,
            "the end of time is not a time of an event"
        );
        MaybeTime(time.0)
    }

    /// The time, if any.
    pub fn get(self) -> Option<Time> {
        (self.0 != u64::MAX).then_some(Time(self.0))
    }

    /// Whether there is a time.
    pub fn is_some(self) -> bool {
        self.0 != u64::MAX
    }

    /// Whether there is none.
    pub fn is_none(self) -> bool {
        !self.is_some()
    }
}

impl From<Option<Time>> for MaybeTime {
    fn from(time: Option<Time>) -> Self {
        time.map_or(MaybeTime::NONE, MaybeTime::at)
    }
}

impl std::fmt::Debug for MaybeTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl serde::Serialize for MaybeTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for MaybeTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let time = Option::<Time>::deserialize(deserializer)?;
        if time == Some(Time(u64::MAX)) {
            return Err(serde::de::Error::custom("the end of time is not a time"));
        }
        Ok(time.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maybe_time_is_an_option_of_time_in_eight_bytes() {
        assert_eq!(std::mem::size_of::<MaybeTime>(), 8);
        for time in [
            None,
            Some(Time::ZERO),
            Some(Time(86_400)),
            Some(Time(u64::MAX - 1)),
        ] {
            let maybe = MaybeTime::from(time);
            assert_eq!(maybe.get(), time);
            assert_eq!(maybe.is_some(), time.is_some());
            assert_eq!(maybe.is_none(), time.is_none());
            assert_eq!(format!("{maybe:?}"), format!("{time:?}"));
            let bytes = postcard::to_stdvec(&maybe).unwrap();
            assert_eq!(
                bytes,
                postcard::to_stdvec(&time).unwrap(),
                "same bytes as Option"
            );
            assert_eq!(postcard::from_bytes::<MaybeTime>(&bytes).unwrap(), maybe);
        }
        let end = postcard::to_stdvec(&Some(Time(u64::MAX))).unwrap();
        assert!(postcard::from_bytes::<MaybeTime>(&end).is_err());
    }
}
