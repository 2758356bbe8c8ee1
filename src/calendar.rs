//! Simulation time in calendar terms: one tick is one second from `scenario.start` 00:00 UTC.
//! A billing month is 730 hours (the contract's default convention) or a calendar month
//! (`billing_months = "calendar"`, as on an invoice); [`Calendar`] holds the month boundaries.

use std::sync::Arc;

use jiff::civil::Date;
use jiff::Timestamp;

use crate::engine::Time;

/// Ticks per hour (one tick is one second).
pub const TICKS_PER_HOUR: u64 = 3600;
/// Hours in a billing month.
pub const HOURS_PER_MONTH: u64 = 730;
/// Ticks in a billing month.
pub const TICKS_PER_MONTH: u64 = HOURS_PER_MONTH * TICKS_PER_HOUR;

/// How the horizon is cut into billing months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
pub enum BillingMonths {
    /// Blocks of 730 hours from the start (the default).
    #[default]
    #[serde(rename = "730h")]
    Hours730,
    /// Calendar months in UTC, from a start on the first day of a month: storage of a month is
    /// prorated by the hours of that month, as Azure prorates a GB-month.
    #[serde(rename = "calendar")]
    Calendar,
}

/// Maps simulation ticks to wall-clock time, and to billing months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    start: Date,
    start_unix: i64,
    /// Tick at which each billing month starts, then the horizon: `months + 1` entries.
    bounds: Arc<[u64]>,
    /// Every month is 730 hours (month lookups are a division).
    uniform: bool,
    /// `YYYY-MM-DD` of every day from the start to the horizon (timestamps are written
    /// millions of times in `versions.csv`; their dates are looked up, not computed).
    days: Arc<[[u8; 10]]>,
}

/// A horizon the calendar cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Calendar billing months from a day other than the first.
    #[error("calendar billing months start on the first day of a month (got {0}): use {first}", first = .0.first_of_month())]
    NotFirstOfMonth(Date),
    /// Beyond the dates jiff supports.
    #[error("the horizon leaves the supported dates: {0}")]
    Unsupported(String),
    /// Beyond 9999-12-31.
    #[error("the horizon ends after 9999-12-31, beyond the dates the outputs can write; choose an earlier start or fewer months")]
    PastYear9999,
}

impl Calendar {
    /// A calendar of one 730-hour month whose tick zero is `start` at 00:00 UTC.
    pub fn new(start: Date) -> Calendar {
        Calendar::with_months(start, 1, BillingMonths::Hours730)
            .expect("730-hour months need no particular start")
    }

    /// A calendar of `months` billing months from `start`. Calendar months need a start on
    /// the first day of a month (an error message otherwise).
    pub fn with_months(
        start: Date,
        months: u32,
        kind: BillingMonths,
    ) -> Result<Calendar, CalendarError> {
        let start_unix = unix_seconds(start);
        let bounds: Vec<u64> = match kind {
            BillingMonths::Hours730 => (0..=u64::from(months))
                .map(|k| k * TICKS_PER_MONTH)
                .collect(),
            BillingMonths::Calendar => {
                if start.day() != 1 {
                    return Err(CalendarError::NotFirstOfMonth(start));
                }
                let mut bounds = Vec::with_capacity(months as usize + 1);
                let mut month = start;
                bounds.push(0);
                for _ in 0..months {
                    month = month
                        .checked_add(jiff::Span::new().months(1))
                        .map_err(|e| CalendarError::Unsupported(e.to_string()))?;
                    bounds.push((unix_seconds(month) - start_unix) as u64);
                }
                bounds
            }
        };
        let horizon_days = bounds[bounds.len() - 1].div_ceil(86_400) as i64;
        let first_day = start_unix.div_euclid(86_400);
        // Every time of the horizon has a date to write (jiff's dates end with year 9999).
        if Date::constant(1970, 1, 1)
            .checked_add(jiff::Span::new().days(first_day + horizon_days))
            .is_err()
        {
            return Err(CalendarError::PastYear9999);
        }
        // Four-digit years only (the others are written by jiff, in other widths).
        let days = (first_day..=first_day + horizon_days)
            .map(|day| {
                let mut text = Vec::with_capacity(20);
                push_iso_utc(&mut text, day * 86_400);
                (text.len() == 20).then(|| text[..10].try_into().expect("10 bytes"))
            })
            .collect::<Option<Vec<[u8; 10]>>>()
            .unwrap_or_default()
            .into();
        Ok(Calendar {
            start,
            start_unix,
            bounds: bounds.into(),
            uniform: kind == BillingMonths::Hours730,
            days,
        })
    }

    /// Number of billing months.
    pub fn months(&self) -> usize {
        self.bounds.len() - 1
    }

    /// The end of the last billing month, in ticks.
    pub fn horizon(&self) -> u64 {
        self.bounds[self.bounds.len() - 1]
    }

    /// The billing month (0-based) holding tick `t` (the last one for `t` at the horizon).
    pub fn month_of(&self, t: u64) -> usize {
        let m = if self.uniform {
            (t / TICKS_PER_MONTH) as usize
        } else {
            self.bounds.partition_point(|&b| b <= t) - 1
        };
        m.min(self.months() - 1)
    }

    /// Start and end tick of billing month `m` (0-based).
    pub fn month_span(&self, m: usize) -> (u64, u64) {
        if self.uniform {
            let start = m as u64 * TICKS_PER_MONTH;
            (start, start + TICKS_PER_MONTH)
        } else {
            (self.bounds[m], self.bounds[m + 1])
        }
    }

    /// Whether months are 730-hour blocks.
    pub fn is_730h(&self) -> bool {
        self.uniform
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
        iso_utc(self.start_unix + time.0 as i64)
    }

    /// Appends [`Calendar::iso`]`(time)` to `out`.
    pub fn push_iso(&self, out: &mut Vec<u8>, time: Time) {
        // The start is at 00:00 UTC, so simulation days are calendar days.
        let Some(date) = self.days.get((time.0 / 86_400) as usize) else {
            return push_iso_utc(out, self.start_unix + time.0 as i64);
        };
        let second_of_day = time.0 % 86_400;
        let mut text = [0u8; 20];
        text[..10].copy_from_slice(date);
        text[10] = b'T';
        for (at, v) in [
            (11, second_of_day / 3600),
            (14, second_of_day / 60 % 60),
            (17, second_of_day % 60),
        ] {
            text[at] = b'0' + (v / 10) as u8;
            text[at + 1] = b'0' + (v % 10) as u8;
        }
        text[13] = b':';
        text[16] = b':';
        text[19] = b'Z';
        out.extend_from_slice(&text);
    }

    /// ISO timestamp of the start of billing month `k` (1-based).
    pub fn month_start_iso(&self, month: u32) -> String {
        self.iso(Time(self.bounds[month as usize - 1]))
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

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix time `seconds`, as jiff's `Timestamp` prints it.
fn iso_utc(seconds: i64) -> String {
    let mut out = Vec::with_capacity(20);
    push_iso_utc(&mut out, seconds);
    String::from_utf8(out).expect("ASCII")
}

/// Appends [`iso_utc`]`(seconds)` to `out`. Written by hand for four-digit years (it runs twice
/// per row of `versions.csv`, millions of times on a fleet), by jiff otherwise.
fn push_iso_utc(out: &mut Vec<u8>, seconds: i64) {
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    if !(1000..=9999).contains(&year) {
        if let Ok(t) = Timestamp::from_second(seconds) {
            out.extend_from_slice(t.to_string().as_bytes());
        }
        return;
    }
    let two = |out: &mut Vec<u8>, v: i64| {
        out.extend_from_slice(&[b'0' + (v / 10) as u8, b'0' + (v % 10) as u8]);
    };
    two(out, year / 100);
    two(out, year % 100);
    for (separator, v) in [
        (b'-', month),
        (b'-', day),
        (b'T', second_of_day / 3600),
        (b':', second_of_day / 60 % 60),
        (b':', second_of_day % 60),
    ] {
        out.push(separator);
        two(out, v);
    }
    out.push(b'Z');
}

/// (year, month, day) of the proleptic Gregorian calendar for days since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_months_reach_the_last_supported_month() {
        let start = Date::constant(9999, 1, 1);
        let cal = Calendar::with_months(start, 11, BillingMonths::Calendar).unwrap();
        assert_eq!(cal.month_start_iso(11), "9999-11-01T00:00:00Z");
        // 12 months end on 10000-01-01, which has no date.
        assert!(Calendar::with_months(start, 12, BillingMonths::Calendar).is_err());
    }

    #[test]
    fn looked_up_dates_match_computed_ones() {
        for (start, months) in [
            (Date::constant(2026, 9, 1), 36),
            (Date::constant(2028, 2, 1), 2),
            (Date::constant(9999, 1, 1), 11),
            (Date::constant(9999, 12, 1), 1),
            (Date::constant(9999, 11, 1), 1),
            (Date::constant(999, 12, 1), 2),
        ] {
            for kind in [BillingMonths::Hours730, BillingMonths::Calendar] {
                // (Horizons that leave jiff's years are refused: nothing to write.)
                let Ok(cal) = Calendar::with_months(start, months, kind) else {
                    assert_eq!(start.year(), 9999);
                    continue;
                };
                let mut t = 0;
                // Past the horizon too (a table miss is computed).
                while t < cal.horizon() + 3 * 86_400 {
                    for time in [t, t + 86_399, t + 3_723] {
                        let mut text = Vec::new();
                        cal.push_iso(&mut text, Time(time));
                        assert_eq!(
                            String::from_utf8(text).unwrap(),
                            iso_utc(cal.start_unix + time as i64),
                            "{start} {time}"
                        );
                    }
                    t += 86_400;
                }
            }
        }
    }

    #[test]
    fn iso_matches_jiff_over_centuries() {
        let jiff = |s: i64| Timestamp::from_second(s).unwrap().to_string();
        // Every day boundary and odd seconds from 1900 to 2400, leap years and centuries
        // included, and a few far-off values that take jiff's path.
        let mut s = -2_208_988_800; // 1900-01-01
        while s < 13_569_465_600 {
            assert_eq!(iso_utc(s), jiff(s), "{s}");
            assert_eq!(iso_utc(s + 86_399), jiff(s + 86_399));
            s += 86_400 * 7 + 3_601;
        }
        for s in [
            0,
            951_782_400,
            4_107_542_400,
            -62_135_596_800,
            -30_610_224_001,
            253_400_000_000,
        ] {
            assert_eq!(iso_utc(s), jiff(s), "{s}");
        }
    }

    #[test]
    fn iso_timestamps_and_month_starts() {
        let cal =
            Calendar::with_months(Date::constant(2026, 9, 1), 2, BillingMonths::Hours730).unwrap();
        assert_eq!(cal.iso(Time(2 * TICKS_PER_HOUR)), "2026-09-01T02:00:00Z");
        assert_eq!(cal.month_start_iso(1), "2026-09-01T00:00:00Z");
        // 730 hours = 30 days 10 hours.
        assert_eq!(cal.month_start_iso(2), "2026-10-01T10:00:00Z");
        assert_eq!(cal.ticks_to(Date::constant(2026, 9, 2)), 86_400);
        assert_eq!(cal.date_of(Time(86_400 * 31)), Date::constant(2026, 10, 2));
    }

    #[test]
    fn calendar_months_follow_the_calendar() {
        let cal =
            Calendar::with_months(Date::constant(2027, 1, 1), 3, BillingMonths::Calendar).unwrap();
        assert_eq!(cal.month_start_iso(2), "2027-02-01T00:00:00Z");
        assert_eq!(cal.month_start_iso(3), "2027-03-01T00:00:00Z");
        // January 744 h, February 672 h, March 744 h.
        assert_eq!(cal.month_span(1), (744 * 3600, (744 + 672) * 3600));
        assert_eq!(cal.horizon(), (744 + 672 + 744) * 3600);
        assert_eq!(cal.month_of(744 * 3600 - 1), 0);
        assert_eq!(cal.month_of(744 * 3600), 1);
        assert!(
            Calendar::with_months(Date::constant(2027, 1, 5), 1, BillingMonths::Calendar)
                .unwrap_err()
                .to_string()
                .contains("use 2027-01-01")
        );
    }

    #[test]
    fn hours_round_to_whole_seconds() {
        assert_eq!(hours_to_ticks(1.5), 5400);
        assert_eq!(hours_to_ticks(-1.0), 0);
        assert_eq!(hours_to_ticks(f64::NAN), 0);
        assert_eq!(ticks_to_hours(5400), 1.5);
    }
}
