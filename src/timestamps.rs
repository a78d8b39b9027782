//! Timestamps as the API writes and reads them: unix milliseconds in storage, RFC 3339 (UTC)
//! on the wire.

use crate::error::{Error, Result};

/// Unix milliseconds as RFC 3339 in UTC.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// RFC 3339 to unix milliseconds; the error names the query parameter.
pub fn parse_rfc3339(field: &str, value: &str) -> Result<i64> {
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX))
        .map_err(|_| Error::Invalid {
            field: field.into(),
            message: "must be an RFC 3339 timestamp such as 2026-01-31T00:00:00Z".into(),
        })
}
