//! Dates and times as the domain sees them: milliseconds since the Unix epoch, passed in.
//!
//! The core never reads a clock. Commands carry dates as text typed by people; these helpers
//! parse them strictly and report a clear error.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::error::DomainError;

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

pub const DAY_MS: Millis = 24 * 60 * 60 * 1000;

/// Parses a calendar date `YYYY-MM-DD`.
///
/// # Errors
/// [`DomainError::BadDate`] for anything else.
pub fn parse_date(text: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| DomainError::BadDate {
        value: text.to_string(),
        expected: "YYYY-MM-DD",
    })
}

/// Parses a point in time with its UTC offset (RFC 3339, e.g. `2026-12-03T18:00:00+01:00`),
/// and keeps the text as written so the local time is shown as the organiser entered it.
///
/// # Errors
/// [`DomainError::BadDate`] for anything else.
pub fn parse_datetime(text: &str) -> Result<Millis, DomainError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|dt| dt.timestamp_millis())
        .map_err(|_| DomainError::BadDate {
            value: text.to_string(),
            expected: "YYYY-MM-DDTHH:MM:SS+01:00",
        })
}

/// Milliseconds at the start (00:00 UTC) of a calendar date.
#[must_use]
pub fn date_start_millis(date: NaiveDate) -> Millis {
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))
        .timestamp_millis()
}

/// The calendar date (UTC) of a point in time, as `YYYY-MM-DD`.
#[must_use]
pub fn millis_to_date(ms: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|dt| dt.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A point in time as RFC 3339 in UTC, for exports.
#[must_use]
pub fn millis_to_rfc3339(ms: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|dt| dt.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
#[must_use]
pub fn days_between(from: Millis, to: Millis) -> i64 {
    (to - from).div_euclid(DAY_MS)
}

/// Checks an IANA time zone name such as `Europe/Berlin` for shape (Area/Location or UTC).
///
/// # Errors
/// [`DomainError::UnknownValue`] when the text cannot be a zone name.
pub fn check_time_zone(text: &str) -> Result<String, DomainError> {
    let ok = text == "UTC"
        || (text.contains('/')
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+')));
    if ok {
        Ok(text.to_string())
    } else {
        Err(DomainError::UnknownValue {
            field: "time zone",
            value: text.to_string(),
            allowed: "IANA names such as Europe/Berlin, or UTC".to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_and_times_strictly() {
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("3.12.2026").is_err());
        let d = parse_date("2026-12-03").expect("valid");
        assert_eq!(millis_to_date(date_start_millis(d)), "2026-12-03");
        let t = parse_datetime("2026-12-03T18:00:00+01:00").expect("valid");
        assert_eq!(millis_to_rfc3339(t), "2026-12-03T17:00:00Z");
        assert!(parse_datetime("2026-12-03 18:00").is_err());
        assert_eq!(days_between(0, 3 * DAY_MS + 5), 3);
        assert!(check_time_zone("Europe/Berlin").is_ok());
        assert!(check_time_zone("Berlin time").is_err());
    }
}
