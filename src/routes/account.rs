//! A user's own data: the deletion of the account (after `auth.deletion_grace`, during which
//! its owner may cancel; the export of all of it is in `export.rs`). Admins see and run the
//! data lifecycle (accounts due, retention, orphaned uploads).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{AdminUser, AuthUser, ClientInfo, Via, password};
use crate::data_lifecycle::{self, ORPHAN_GRACE_MS, Swept};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::rfc3339;
use crate::state::AppState;
use crate::store::{groups, lifecycle, now_ms, users};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountRequest {
    /// The account's password, again.
    #[schema(max_length = 1024)]
    pub password: Option<String>,
    /// Accounts without a password (made by single sign-on) confirm with their username.
    #[schema(max_length = 254)]
    pub username: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeletionScheduled {
    /// When the account is deleted for good, unless its owner cancels before.
    pub delete_after: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupRetention {
    pub id: String,
    pub name: String,
    pub retention_days: i64,
    /// Conversations of its members older than that.
    pub conversations_due: i64,
}

/// What the next data lifecycle pass would delete.
#[derive(Debug, Serialize, ToSchema)]
pub struct LifecyclePreview {
    /// Accounts whose grace period is over.
    pub accounts_due: i64,
    /// Conversations past their owner's retention (the shortest of their groups').
    pub conversations_due: i64,
    /// Uploads older than a day that no message uses.
    pub orphan_uploads_due: i64,
    /// The groups with a retention.
    pub groups: Vec<GroupRetention>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(delete_account))
        .routes(routes!(cancel_deletion))
        .routes(routes!(preview))
        .routes(routes!(run_now))
}

/// Account pages need a signed-in session: a leaked API key cannot take the account's data
/// away in one request or delete it.
pub(super) fn session_only(user: &AuthUser, what: &'static str) -> Result<()> {
    match user.via {
        Via::Session { .. } => Ok(()),
        Via::ApiKey { .. } => Err(Error::Forbidden(what)),
    }
}

/// Asks for the account's deletion: its API keys and other sessions end now, and after
/// `auth.deletion_grace` (7 days) everything of it is deleted for good unless its owner signs
/// in and cancels. With a grace of 0 it is deleted at once (204).
#[utoipa::path(delete, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    request_body = DeleteAccountRequest,
    responses(
        (status = 202, description = "scheduled", body = DeletionScheduled),
        (status = 204, description = "deleted at once (no grace period configured); the refresh cookie is cleared"),
        (status = 401, description = "not signed in, or the password (for an account without one, the username) is wrong", body = ErrorResponse),
        (status = 403, description = "an API key (deleting the account takes a signed-in session)", body = ErrorResponse),
        (status = 409, description = "the last active admin", body = ErrorResponse),
    ))]
async fn delete_account(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    jar: CookieJar,
    Json(body): Json<DeleteAccountRequest>,
) -> Result<Response> {
    session_only(
        &user,
        "deleting the account takes a signed-in session, not an API key",
    )?;
    let Via::Session { session } = &user.via else {
        return Err(Error::Unauthorized);
    };
    let row = users::get_user(&state.db, &user.id)
        .await?
        .ok_or(Error::Unauthorized)?;
    if !confirmed(&state, &row, body).await? {
        let event = Event::new("user.delete_request", Some(&user.id)).target("user", &user.id);
        record(&state, &client, event.failed()).await;
        return Err(Error::InvalidCredentials);
    }
    if row.role == "admin" && users::count_active_admins(&state.db).await? <= 1 {
        return Err(Error::Conflict(
            "the last active admin cannot delete their account: make another admin first",
        ));
    }
    let grace = state.settings().auth.deletion_grace;
    if grace.is_zero() {
        data_lifecycle::purge(&state, &user.id, Some(&client)).await?;
        let jar = jar.add(crate::routes::auth::expired_cookie(&state));
        return Ok((StatusCode::NO_CONTENT, jar).into_response());
    }
    let at = now_ms() + i64::try_from(grace.as_millis()).unwrap_or(i64::MAX / 2);
    lifecycle::set_delete_after(&state.db, &user.id, Some(at)).await?;
    crate::store::refresh_tokens::revoke_user_tokens(&state.db, &user.id, session.as_deref())
        .await?;
    crate::cluster::sessions_ended(&state).await;
    crate::routes::keys::revoke_every_key(&state, &user.id).await?;
    let event = Event::new("user.delete_request", Some(&user.id))
        .target("user", &user.id)
        .details(serde_json::json!({ "delete_after": rfc3339(at) }));
    record(&state, &client, event).await;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(DeletionScheduled {
            delete_after: rfc3339(at),
        }),
    )
        .into_response())
}

/// Cancels a scheduled deletion of the caller's account.
#[utoipa::path(post, path = "/api/auth/me/restore", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "the account stays"),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 409, description = "no deletion was scheduled", body = ErrorResponse),
    ))]
async fn cancel_deletion(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
) -> Result<StatusCode> {
    session_only(&user, "this takes a signed-in session, not an API key")?;
    if lifecycle::delete_after(&state.db, &user.id)
        .await?
        .is_none()
    {
        return Err(Error::Conflict("the account is not scheduled for deletion"));
    }
    lifecycle::set_delete_after(&state.db, &user.id, None).await?;
    let event = Event::new("user.delete_cancel", Some(&user.id)).target("user", &user.id);
    record(&state, &client, event).await;
    Ok(StatusCode::NO_CONTENT)
}

/// What the data lifecycle would delete now (a dry run).
#[utoipa::path(get, path = "/api/admin/lifecycle", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "the counts", body = LifecyclePreview),
        (status = 403, description = "not an admin", body = ErrorResponse),
    ))]
async fn preview(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<axum::Json<LifecyclePreview>> {
    let now = now_ms();
    let mut with_retention = Vec::new();
    for group in groups::list_groups(&state.db).await? {
        if let Some(days) = group.retention_days {
            with_retention.push(GroupRetention {
                conversations_due: lifecycle::group_due(&state.db, &group.id, days, now).await?,
                id: group.id,
                name: group.name,
                retention_days: days,
            });
        }
    }
    Ok(axum::Json(LifecyclePreview {
        accounts_due: i64::try_from(lifecycle::accounts_due(&state.db, now).await?.len())
            .unwrap_or(i64::MAX),
        conversations_due: lifecycle::retention_due(&state.db, now).await?,
        orphan_uploads_due: lifecycle::orphan_uploads_due(&state.db, now - ORPHAN_GRACE_MS).await?,
        groups: with_retention,
    }))
}

/// Runs the data lifecycle now (it also runs every hour).
#[utoipa::path(post, path = "/api/admin/lifecycle/run", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "what was deleted", body = Swept),
        (status = 403, description = "not an admin", body = ErrorResponse),
    ))]
async fn run_now(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
) -> Result<axum::Json<Swept>> {
    let swept = data_lifecycle::pass(&state).await?;
    let event = Event::new("admin.lifecycle_run", Some(&admin.id))
        .details(serde_json::to_value(swept).unwrap_or_default());
    record(&state, &client, event).await;
    Ok(axum::Json(swept))
}

/// Whether the owner confirmed the deletion: with the password, or for an account without
/// one (single sign-on), with its username.
async fn confirmed(
    state: &AppState,
    row: &users::UserRow,
    body: DeleteAccountRequest,
) -> Result<bool> {
    if row.password_hash.is_empty() {
        return Ok(body
            .username
            .is_some_and(|u| users::login_key(&u) == users::login_key(&row.username)));
    }
    let Some(given) = body.password else {
        return Ok(false);
    };
    password::verify(&state.auth.hashing, given, row.password_hash.clone()).await
}
