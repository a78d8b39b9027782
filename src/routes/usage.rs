//! Usage reports: `GET /api/usage` (the caller's own), and for admins `GET /api/admin/usage`
//! (grouped by user, agent or day) and `GET /api/admin/stats` (the dashboard).

use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminUser, AuthUser};
use crate::error::{Error, ErrorResponse, Result};
use crate::reports::Window;
use crate::reports::stats::{AdminStats, admin_stats};
use crate::reports::usage::{AdminUsageReport, GroupBy, UsageReport, admin_usage, user_usage};
use crate::routes::views::{DateOrTimestamp, TimeZoneName};
use crate::state::AppState;
use crate::store::now_ms;

/// Days a report covers when `from` is not given.
const DEFAULT_DAYS: i64 = 30;
/// Days of the dashboard unless `days` says otherwise, and the most it shows.
const STATS_DAYS: i64 = 14;
const STATS_MAX_DAYS: i64 = 90;

/// `GET /api/usage` parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UsageQuery {
    /// RFC 3339 date (`2026-11-01`, the start of that day) or timestamp; default: 29 days
    /// before the day of `to`, so that 30 days are shown.
    #[param(value_type = Option<DateOrTimestamp>)]
    pub from: Option<String>,
    /// RFC 3339 date (`2026-11-30`, including that day) or timestamp (exclusive); default now.
    #[param(value_type = Option<DateOrTimestamp>)]
    pub to: Option<String>,
    /// IANA time zone of the days, such as `Asia/Shanghai`; default UTC.
    #[param(value_type = Option<TimeZoneName>)]
    pub tz: Option<String>,
}

/// `GET /api/admin/usage` parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AdminUsageQuery {
    /// `user`, `agent` or `day`.
    #[param(value_type = Option<GroupBy>)]
    pub group_by: Option<String>,
    /// As for `/api/usage`.
    #[param(value_type = Option<DateOrTimestamp>)]
    pub from: Option<String>,
    #[param(value_type = Option<DateOrTimestamp>)]
    pub to: Option<String>,
    #[param(value_type = Option<TimeZoneName>)]
    pub tz: Option<String>,
}

/// `GET /api/admin/stats` parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct StatsQuery {
    /// Days in the per-day series and the window of the top lists (1–90, default 14).
    #[param(minimum = 1, maximum = 90)]
    pub days: Option<i64>,
    /// IANA time zone of the days; default UTC.
    #[param(value_type = Option<TimeZoneName>)]
    pub tz: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_usage))
        .routes(routes!(get_admin_usage))
        .routes(routes!(get_admin_stats))
}

/// The caller's own usage per day and agent.
#[utoipa::path(get, path = "/api/usage", tag = "usage", security(("bearer" = [])),
    params(UsageQuery),
    responses(
        (status = 200, description = "usage per day and agent, and totals", body = UsageReport),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 422, description = "a bad from, to or tz, or a range over 366 days", body = ErrorResponse),
    ))]
async fn get_usage(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<UsageQuery>,
) -> Result<axum::Json<UsageReport>> {
    let window = window(&query.from, &query.to, &query.tz)?;
    Ok(axum::Json(user_usage(&state.db, &user.id, &window).await?))
}

/// Everyone's usage grouped by user, agent or day, with time-to-first-token figures.
#[utoipa::path(get, path = "/api/admin/usage", tag = "usage", security(("bearer" = [])),
    params(AdminUsageQuery),
    responses(
        (status = 200, description = "the groups and totals", body = AdminUsageReport),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 422, description = "a bad group_by, from, to or tz", body = ErrorResponse),
    ))]
async fn get_admin_usage(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(query): Query<AdminUsageQuery>,
) -> Result<axum::Json<AdminUsageReport>> {
    let group_by = match query.group_by.as_deref() {
        Some("user") | None => GroupBy::User,
        Some("agent") => GroupBy::Agent,
        Some("day") => GroupBy::Day,
        Some(other) => {
            return Err(Error::Invalid {
                field: "group_by".into(),
                message: format!("{other:?} is not one of user, agent, day"),
            });
        }
    };
    let window = window(&query.from, &query.to, &query.tz)?;
    Ok(axum::Json(admin_usage(&state.db, group_by, &window).await?))
}

/// The admin dashboard: users, conversations, messages, tokens and messages per day, top
/// agents, provider share, error rate and p95 time to first token.
#[utoipa::path(get, path = "/api/admin/stats", tag = "usage", security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "the figures", body = AdminStats),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 422, description = "a bad days or tz", body = ErrorResponse),
    ))]
async fn get_admin_stats(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(query): Query<StatsQuery>,
) -> Result<axum::Json<AdminStats>> {
    let days = query.days.unwrap_or(STATS_DAYS);
    if !(1..=STATS_MAX_DAYS).contains(&days) {
        return Err(Error::Invalid {
            field: "days".into(),
            message: format!("must be between 1 and {STATS_MAX_DAYS}"),
        });
    }
    let now = now_ms();
    let window = Window::parse(None, None, query.tz.as_deref(), now, days)?;
    Ok(axum::Json(
        admin_stats(&state.db, &window, days, now).await?,
    ))
}

fn window(from: &Option<String>, to: &Option<String>, tz: &Option<String>) -> Result<Window> {
    Window::parse(
        from.as_deref(),
        to.as_deref(),
        tz.as_deref(),
        now_ms(),
        DEFAULT_DAYS,
    )
}
