//! Response shapes shared by several areas and keyset pagination (RFC 3339 timestamps are
//! `crate::timestamps`).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Role;
use crate::error::{Error, Result};
use crate::store::users::UserRow;
pub use crate::timestamps::{parse_rfc3339, rfc3339};

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
            role: Role::stored("users", &row.id, &row.role).unwrap_or(Role::User),
            disabled: row.is_disabled(),
            created_at: rfc3339(row.created_at),
            last_login_at: row.last_login_at.map(rfc3339),
        }
    }
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
    /// The `next_cursor` of the previous page.
    #[param(pattern = r"^[0-9]{1,15}_[0-9A-Za-z-]{1,64}$")]
    pub cursor: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The page asked for: the position after which it starts (`None`: the first page) and
    /// how many items it holds.
    pub fn position(&self) -> Result<(Option<(i64, String)>, i64)> {
        let cursor = self.cursor.as_deref().map(decode_cursor).transpose()?;
        Ok((cursor, self.limit()?))
    }

    pub fn limit(&self) -> Result<i64> {
        match self.limit.unwrap_or(50) {
            limit @ 1..=200 => Ok(i64::from(limit)),
            _ => Err(Error::Invalid {
                field: "limit".into(),
                message: "must be between 1 and 200".into(),
            }),
        }
    }
}

/// A keyset position: the sort timestamp (unix milliseconds) and id of the last item of a
/// page, as `<ms>_<id>`.
pub fn encode_cursor(ts: i64, id: &str) -> String {
    format!("{ts}_{id}")
}

pub fn decode_cursor(cursor: &str) -> Result<(i64, String)> {
    let invalid = || Error::Invalid {
        field: "cursor".into(),
        message: "is not a cursor returned by this list".into(),
    };
    let (ts, id) = cursor.split_once('_').ok_or_else(invalid)?;
    let well_formed = (1..=15).contains(&ts.len())
        && ts.bytes().all(|b| b.is_ascii_digit())
        && (1..=64).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !well_formed {
        return Err(invalid());
    }
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

/// A string with at least one character that is not white space.
pub struct NonBlank;

impl utoipa::PartialSchema for NonBlank {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"\S"))
            .into()
    }
}

impl ToSchema for NonBlank {}

/// An IANA time zone name (`Asia/Shanghai`, `UTC`); the document lists the names the
/// server's bundled time zone database knows.
pub struct TimeZoneName;

impl utoipa::PartialSchema for TimeZoneName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let names: Vec<String> = jiff::tz::TimeZoneDatabase::bundled()
            .available()
            .map(|name| name.as_str().to_string())
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An IANA time zone name such as Asia/Shanghai or UTC"))
            .enum_values(Some(names))
            .into()
    }
}

impl ToSchema for TimeZoneName {}

/// An RFC 3339 date (`2026-11-26`) or timestamp (`2026-11-26T08:00:00Z`).
pub struct DateOrTimestamp;

impl utoipa::PartialSchema for DateOrTimestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type,
        };
        let string = |format| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(format)))
        };
        AnyOfBuilder::new()
            .item(string(KnownFormat::Date))
            .item(string(KnownFormat::DateTime))
            .description(Some(
                "An RFC 3339 date (2026-11-26) or timestamp (2026-11-26T08:00:00Z)",
            ))
            .into()
    }
}

impl ToSchema for DateOrTimestamp {}

/// A group's id and name.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupRef {
    pub id: String,
    pub name: String,
}

impl From<crate::store::groups::GroupName> for GroupRef {
    fn from(g: crate::store::groups::GroupName) -> GroupRef {
        GroupRef {
            id: g.id,
            name: g.name,
        }
    }
}
