//! Response shapes shared by several areas, timestamps as RFC 3339, and keyset pagination.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Role;
use crate::error::{Error, Result};
use crate::store::users::UserRow;

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Role,
    pub disabled: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub last_login_at: Option<String>,
}

impl From<&UserRow> for UserView {
    fn from(row: &UserRow) -> UserView {
        UserView {
            id: row.id.clone(),
            username: row.username.clone(),
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            role: Role::parse(&row.role).unwrap_or(Role::User),
            disabled: row.is_disabled(),
            created_at: rfc3339(row.created_at),
            last_login_at: row.last_login_at.map(rfc3339),
        }
    }
}

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

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// `?cursor=&limit=` (limit default 50, at most 200).
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl PageQuery {
    pub fn limit(&self) -> i64 {
        i64::from(self.limit.unwrap_or(50).clamp(1, 200))
    }
}

/// A keyset position: the sort timestamp and id of the last item of a page.
pub fn encode_cursor(ts: i64, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{ts}:{id}"))
}

pub fn decode_cursor(cursor: &str) -> Result<(i64, String)> {
    let invalid = || Error::Invalid {
        field: "cursor".into(),
        message: "is not a cursor returned by this list".into(),
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (ts, id) = text.split_once(':').ok_or_else(invalid)?;
    Ok((ts.parse().map_err(|_| invalid())?, id.to_string()))
}

/// Builds a page from `limit + 1` fetched rows: the extra row only says there is more.
pub fn page<R, T>(
    mut rows: Vec<R>,
    limit: i64,
    key: impl Fn(&R) -> (i64, &str),
    view: impl Fn(&R) -> T,
) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more {
        rows.last().map(|r| {
            let (ts, id) = key(r);
            encode_cursor(ts, id)
        })
    } else {
        None
    };
    Page {
        items: rows.iter().map(view).collect(),
        next_cursor,
    }
}
