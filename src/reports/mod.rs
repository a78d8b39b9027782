//! Usage reports and admin statistics built from `usage_records` (and counts of users,
//! conversations and messages): the time window and time zone of a report, per-day bucketing,
//! and percentiles. SQL lives in `store::usage`; this module turns its rows into reports.
//!
//! Days are UTC days unless a `tz` (IANA name) is given. The database groups rows by UTC day,
//! or — for any other zone — by quarter hour (every offset in use is a multiple of 15 minutes),
//! and the quarter hours are then assigned to local days here, so that the same SQL serves
//! SQLite and PostgreSQL and daylight-saving changes land on the right day.

pub mod stats;
pub mod usage;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::error::{Error, Result};

const DAY_MS: i64 = 86_400_000;
const QUARTER_HOUR_MS: i64 = 900_000;
/// Longest window a report may cover.
pub const MAX_DAYS: i64 = 366;
/// At most this many of the newest requests of a window feed a time-to-first-token
/// percentile, which is computed here because the two databases disagree on percentile SQL.
pub const TTFT_SAMPLE_LIMIT: i64 = 50_000;

/// The time span and zone of a report: `[from_ms, to_ms)` in unix milliseconds.
#[derive(Debug, Clone)]
pub struct Window {
    pub from_ms: i64,
    pub to_ms: i64,
    tz: TimeZone,
    tz_name: String,
}

impl Window {
    /// From the `from`/`to`/`tz` query parameters. `from` and `to` are RFC 3339 timestamps
    /// (`2026-11-26T08:00:00Z`) or dates (`2026-11-26`, a day in `tz`); a date as `to`
    /// includes that whole day. Without `from`, the window starts `default_days - 1` days
    /// before the day of `to`, so it covers `default_days` calendar days; `to` defaults to now.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        tz: Option<&str>,
        now_ms: i64,
        default_days: i64,
    ) -> Result<Window> {
        let (tz, tz_name) = parse_tz(tz)?;
        let to_ms = match to {
            Some(value) => parse_bound("to", value, &tz, true)?,
            None => now_ms,
        };
        let from_ms = match from {
            Some(value) => parse_bound("from", value, &tz, false)?,
            None => {
                let last_day = day_in(&tz, to_ms.saturating_sub(1));
                let first_day = last_day
                    .checked_sub(SignedDuration::from_hours(24 * (default_days - 1)))
                    .map_err(|_| invalid("from", "is out of range".into()))?;
                start_of(first_day, &tz, "from")?
            }
        };
        if from_ms >= to_ms {
            return Err(invalid("from", "must be before to".into()));
        }
        if to_ms - from_ms > MAX_DAYS * DAY_MS + DAY_MS / 24 {
            return Err(invalid(
                "to",
                format!("the range from from to to may span at most {MAX_DAYS} days"),
            ));
        }
        Ok(Window {
            from_ms,
            to_ms,
            tz,
            tz_name,
        })
    }

    /// The IANA name of the zone (`UTC` by default).
    pub fn tz_name(&self) -> &str {
        &self.tz_name
    }

    /// How the database should bucket `created_at` (see the module docs).
    pub fn bucket_ms(&self) -> i64 {
        match self.tz.to_fixed_offset() {
            Ok(offset) if offset.seconds() == 0 => DAY_MS,
            _ => QUARTER_HOUR_MS,
        }
    }

    /// The local day of a bucket number from the database.
    pub fn day_of_bucket(&self, bucket: i64) -> Date {
        day_in(&self.tz, bucket.saturating_mul(self.bucket_ms()))
    }

    /// The local day of a unix-ms instant.
    pub fn day_of(&self, ms: i64) -> Date {
        day_in(&self.tz, ms)
    }

    /// Every local day the window touches, oldest first.
    pub fn days(&self) -> Vec<Date> {
        let last = self.day_of(self.to_ms.saturating_sub(1));
        let mut day = self.day_of(self.from_ms);
        let mut days = Vec::new();
        while day <= last && days.len() <= MAX_DAYS as usize + 1 {
            days.push(day);
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        days
    }

    /// The start of the window, RFC 3339 in UTC.
    pub fn from_rfc3339(&self) -> String {
        crate::timestamps::rfc3339(self.from_ms)
    }

    /// The (exclusive) end of the window, RFC 3339 in UTC.
    pub fn to_rfc3339(&self) -> String {
        crate::timestamps::rfc3339(self.to_ms)
    }
}

fn parse_tz(tz: Option<&str>) -> Result<(TimeZone, String)> {
    match tz {
        None => Ok((TimeZone::UTC, "UTC".into())),
        // The bundled database (the names the API document lists) backs up the system's.
        Some(name) => TimeZone::get(name)
            .or_else(|_| jiff::tz::TimeZoneDatabase::bundled().get(name))
            .map(|tz| (tz, name.to_string()))
            .map_err(|_| {
                invalid(
                    "tz",
                    format!("{name:?} is not an IANA time zone name such as Asia/Shanghai or UTC"),
                )
            }),
    }
}

/// A timestamp, or a date meaning the start of that day in `tz` (the end of it when `end`).
fn parse_bound(field: &str, value: &str, tz: &TimeZone, end: bool) -> Result<i64> {
    if let Ok(ts) = value.parse::<Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let date = (value.len() == 10)
        .then(|| value.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| {
            invalid(
                field,
                "must be an RFC 3339 date (2026-11-26) or timestamp (2026-11-26T08:00:00Z)".into(),
            )
        })?;
    let date = if end {
        date.tomorrow()
            .map_err(|_| invalid(field, "is out of range".into()))?
    } else {
        date
    };
    start_of(date, tz, field)
}

fn start_of(date: Date, tz: &TimeZone, field: &str) -> Result<i64> {
    date.to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| invalid(field, "is out of range".into()))
}

fn day_in(tz: &TimeZone, ms: i64) -> Date {
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(tz.clone())
        .date()
}

fn invalid(field: &str, message: String) -> Error {
    Error::Invalid {
        field: field.into(),
        message,
    }
}

/// The nearest-rank percentile (`p` in 1..=100) of `values`, which it sorts; `None` when empty.
pub fn percentile(values: &mut [i64], p: usize) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (p * values.len()).div_ceil(100).max(1);
    values.get(rank - 1).copied()
}

/// `part / whole`, 0 when `whole` is 0.
pub fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_26: i64 = 1_795_651_200_000; // 2026-11-26T00:00:00Z

    #[test]
    fn dates_and_timestamps_make_windows() {
        let w = Window::parse(Some("2026-11-26"), Some("2026-11-26"), None, 0, 30).unwrap();
        assert_eq!((w.from_ms, w.to_ms), (NOV_26, NOV_26 + DAY_MS));
        assert_eq!(w.bucket_ms(), DAY_MS);
        let w = Window::parse(
            Some("2026-11-26T01:00:00+01:00"),
            Some("2026-11-27T00:00:00Z"),
            None,
            0,
            30,
        )
        .unwrap();
        assert_eq!((w.from_ms, w.to_ms), (NOV_26, NOV_26 + DAY_MS));
        let w = Window::parse(None, None, Some("Asia/Shanghai"), NOV_26 + 1, 30).unwrap();
        assert_eq!(w.to_ms, NOV_26 + 1);
        // 2026-11-26 08:00 in Shanghai; 30 calendar days back from it.
        assert_eq!(w.from_ms, NOV_26 - 8 * 3_600_000 - 29 * DAY_MS);
        assert_eq!(w.days().len(), 30);
        assert_eq!(w.bucket_ms(), QUARTER_HOUR_MS);
        assert_eq!(w.day_of(NOV_26 - 1).to_string(), "2026-11-26");
    }

    #[test]
    fn bad_windows_name_the_parameter() {
        let field = |e: Error| match e {
            Error::Invalid { field, .. } => field,
            other => panic!("{other}"),
        };
        let parse = |from, to, tz| Window::parse(from, to, tz, NOV_26, 30).unwrap_err();
        assert_eq!(field(parse(Some("yesterday"), None, None)), "from");
        assert_eq!(field(parse(None, Some("2026-11-26T08:00"), None)), "to");
        assert_eq!(
            field(parse(Some("2026-11-27"), Some("2026-11-26"), None)),
            "from"
        );
        assert_eq!(
            field(parse(Some("2024-01-01"), Some("2026-01-01"), None)),
            "to"
        );
        assert_eq!(field(parse(None, None, Some("Mars/Olympus"))), "tz");
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut values: Vec<i64> = (1..=20).map(|v| v * 100).collect();
        assert_eq!(percentile(&mut values, 95), Some(1900));
        assert_eq!(percentile(&mut [7], 95), Some(7));
        assert_eq!(percentile(&mut [], 95), None);
        let mut values: Vec<i64> = (1..=100).rev().collect();
        assert_eq!(percentile(&mut values, 95), Some(95));
    }
}
