//! Simulation time in calendar terms: one tick is one second from `scenario.start` 00:00 UTC,
//! and a billing month is 730 hours (the contract's convention).

use jiff::civil::Date;
use jiff::Timestamp;

use crate::engine::Time;

/// Ticks per hour (one tick is one second).
pub const TICKS_PER_HOUR: u64 = 3600;
/// Hours in a billing month.
pub const HOURS_PER_MONTH: u64 = 730;
/// Ticks in a billing month.
pub const TICKS_PER_MONTH: u64 = HOURS_PER_MONTH * TICKS_PER_HOUR;

/// Maps simulation ticks to wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    start: Date,
    start_unix: i64,
}

impl Calendar {
    /// A calendar whose tick zero is `start` at 00:00 UTC.
    pub fn new(start: Date) -> Calendar {
        Calendar {
            start,
            start_unix: unix_seconds(start),
        }
    }

    /// The scenario's start date.
    pub fn start(&self) -> Date {
        self.start
    }

    /// Ticks from the start to `date` 00:00 UTC (negative before the start).
    pub fn ticks_to(&self, date: Date) -> i64 {
        unix_seconds(date) - self.start_unix
    }

    /// ISO 8601 UTC timestamp of a simulation time, e.g. `2026-09-01T02:00:00Z`.
    pub fn iso(&self, time: Time) -> String {
        let seconds = self.start_unix + time.0 as i64;
        // jiff prints whole seconds as `2026-09-01T02:00:00Z`.
        Timestamp::from_second(seconds)
            .map(|t| t.to_string())
            .unwrap_or_default()
    }

    /// ISO timestamp of the start of billing month `k` (1-based).
    pub fn month_start_iso(&self, month: u32) -> String {
        self.iso(Time(u64::from(month - 1) * TICKS_PER_MONTH))
    }

    /// The date of a simulation time (UTC).
    pub fn date_of(&self, time: Time) -> Date {
        let seconds = self.start_unix + time.0 as i64;
        let days = seconds.div_euclid(86_400);
        Date::constant(1970, 1, 1)
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(self.start)
    }
}

/// Hours as a (rounded) tick count; negative and non-finite inputs give zero.
pub fn hours_to_ticks(hours: f64) -> u64 {
    if hours.is_finite() && hours > 0.0 {
        (hours * TICKS_PER_HOUR as f64).round() as u64
    } else {
        0
    }
}

/// Ticks as hours.
pub fn ticks_to_hours(ticks: u64) -> f64 {
    ticks as f64 / TICKS_PER_HOUR as f64
}

fn unix_seconds(date: Date) -> i64 {
    let epoch = Date::constant(1970, 1, 1);
    let days = (date - epoch).get_days() as i64;
    days * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamps_and_month_starts() {
        let cal = Calendar::new(Date::constant(2026, 9, 1));
        assert_eq!(cal.iso(Time(2 * TICKS_PER_HOUR)), "2026-09-01T02:00:00Z");
        assert_eq!(cal.month_start_iso(1), "2026-09-01T00:00:00Z");
        // 730 hours = 30 days 10 hours.
        assert_eq!(cal.month_start_iso(2), "2026-10-01T10:00:00Z");
        assert_eq!(cal.ticks_to(Date::constant(2026, 9, 2)), 86_400);
        assert_eq!(cal.date_of(Time(86_400 * 31)), Date::constant(2026, 10, 2));
    }

    #[test]
    fn hours_round_to_whole_seconds() {
        assert_eq!(hours_to_ticks(1.5), 5400);
        assert_eq!(hours_to_ticks(-1.0), 0);
        assert_eq!(hours_to_ticks(f64::NAN), 0);
        assert_eq!(ticks_to_hours(5400), 1.5);
    }
}
