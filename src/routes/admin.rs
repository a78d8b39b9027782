//! Admin console API: user management and the audit log. Every action here is audited.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{AdminUser, ClientInfo, Role, password};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::auth::{check_email, check_username};
use crate::routes::views::{Page, PageQuery, UserView, page, parse_rfc3339, rfc3339};
use crate::state::AppState;
use crate::store::audit::{AuditFilter, AuditRow, list_audit};
use crate::store::refresh_tokens::revoke_user_tokens;
use crate::store::users::{self, NewUser, UserChanges};

#[derive(Debug, Deserialize, IntoParams)]
pub struct UserListQuery {
    /// Substring of the username or email.
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = r"^[0-9]{1,15}_[0-9A-Za-z-]{1,64}$")]
    pub cursor: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    #[schema(pattern = r"^[\w.-]{3,32}$")]
    pub username: String,
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    /// Default `user`.
    pub role: Option<Role>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// A new password (a reset); the user's sessions are revoked.
    #[schema(min_length = 8, max_length = 1024)]
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Actor user id.
    pub actor: Option<String>,
    /// Action such as `auth.login` or `admin.user_update`.
    pub action: Option<String>,
    /// RFC 3339; entries at or after.
    #[param(format = DateTime)]
    pub from: Option<String>,
    /// RFC 3339; entries before.
    #[param(format = DateTime)]
    pub to: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = r"^[0-9]{1,15}_[0-9A-Za-z-]{1,64}$")]
    pub cursor: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub id: String,
    pub actor_id: Option<String>,
    /// The actor's username; null for the system and the command line (`details.via`).
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// The target's name when known: a username, an API key's or an agent's name.
    pub target_name: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// `success` or `failure`.
    pub result: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub created_at: String,
}

impl From<&AuditRow> for AuditView {
    fn from(row: &AuditRow) -> AuditView {
        AuditView {
            id: row.id.clone(),
            actor_id: row.actor_id.clone(),
            actor_name: row.actor_name.clone(),
            action: row.action.clone(),
            target_type: row.target_type.clone(),
            target_id: row.target_id.clone(),
            target_name: row.target_name.clone(),
            ip: row.ip.clone(),
            user_agent: row.user_agent.clone(),
            request_id: row.request_id.clone(),
            result: row.result.clone(),
            details: crate::store::decode_json(
                "audit_log.details",
                &row.id,
                &row.details,
                serde_json::Value::Null,
            ),
            created_at: rfc3339(row.created_at),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(update_user, delete_user))
        .routes(routes!(list_audit_entries))
}

/// Users, oldest first, optionally filtered.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", security(("bearer" = [])), params(UserListQuery),
    responses(
        (status = 200, description = "one page of users", body = Page<UserView>),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 403, description = "not an admin", body = ErrorResponse),
    ))]
async fn list_users(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(query): Query<UserListQuery>,
) -> Result<axum::Json<Page<UserView>>> {
    let paging = PageQuery {
        cursor: query.cursor,
        limit: query.limit,
    };
    let (cursor, limit) = paging.position()?;
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let rows = users::list_users(
        &state.db,
        q,
        cursor.as_ref().map(|(ts, id)| (*ts, id.as_str())),
        limit + 1,
    )
    .await?;
    Ok(axum::Json(page(
        rows,
        limit,
        |r| (r.created_at, r.id.as_str()),
        |r| UserView::from(r),
    )))
}

/// Creates a user with a role.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", security(("bearer" = [])), request_body = NewUserRequest,
    responses(
        (status = 201, description = "created", body = UserView),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 409, description = "username or email taken", body = ErrorResponse),
        (status = 422, description = "invalid username, email or password", body = ErrorResponse),
    ))]
async fn create_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Json(body): Json<NewUserRequest>,
) -> Result<(StatusCode, axum::Json<UserView>)> {
    let username = body.username.trim();
    check_username(username)?;
    let email = body
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(email) = email {
        check_email(email)?;
    }
    crate::policy::check_policy(&body.password, username)?;
    let role = body.role.unwrap_or(Role::User);
    let hash = password::hash(&state.auth.hashing, body.password).await?;
    let user = users::insert_user(
        &state.db,
        NewUser {
            username,
            email,
            password_hash: &hash,
            role: role.as_str(),
        },
    )
    .await?;
    let event = Event::new("admin.user_create", Some(&admin.id))
        .target("user", &user.id)
        .details(serde_json::json!({ "username": user.username, "role": role }));
    record(&state, &client, event).await;
    Ok((StatusCode::CREATED, axum::Json(UserView::from(&user))))
}

/// Changes a user's role, disables or enables them, or resets their password. The last
/// active admin cannot be demoted or disabled.
#[utoipa::path(patch, path = "/api/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")), request_body = UserPatch,
    responses(
        (status = 200, description = "the updated user", body = UserView),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such user", body = ErrorResponse),
        (status = 409, description = "this would leave no active admin", body = ErrorResponse),
        (status = 422, description = "the new password breaks the policy", body = ErrorResponse),
    ))]
async fn update_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Json(patch): Json<UserPatch>,
) -> Result<axum::Json<UserView>> {
    let target = users::get_user(&state.db, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let loses_admin = target.role == Role::Admin.as_str()
        && !target.is_disabled()
        && (patch.role == Some(Role::User) || patch.disabled == Some(true));
    if loses_admin {
        guard_last_admin(&state).await?;
    }
    let hash = match patch.password {
        Some(new_password) => {
            crate::policy::check_policy(&new_password, &target.username)?;
            Some(password::hash(&state.auth.hashing, new_password).await?)
        }
        None => None,
    };
    let changes = UserChanges {
        role: patch.role.map(Role::as_str),
        disabled: patch.disabled,
        password_hash: hash.as_deref(),
    };
    users::update_user(&state.db, &id, &changes).await?;
    if patch.disabled == Some(true) || hash.is_some() {
        revoke_user_tokens(&state.db, &id, None).await?;
        crate::cluster::sessions_ended(&state).await;
    }
    crate::cluster::user_changed(&state, &id).await;
    let details = serde_json::json!({
        "role": patch.role,
        "disabled": patch.disabled,
        "password_reset": hash.is_some(),
    });
    let event = Event::new("admin.user_update", Some(&admin.id))
        .target("user", &id)
        .details(details);
    record(&state, &client, event).await;
    let updated = users::get_user(&state.db, &id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(axum::Json(UserView::from(&updated)))
}

/// Deletes a user (soft: the row stays for the audit trail, the name is freed). The last
/// active admin cannot be deleted.
#[utoipa::path(delete, path = "/api/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such user", body = ErrorResponse),
        (status = 409, description = "this would leave no active admin", body = ErrorResponse),
    ))]
async fn delete_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let target = users::get_user(&state.db, &id)
        .await?
        .ok_or(Error::NotFound)?;
    if target.role == Role::Admin.as_str() && !target.is_disabled() {
        guard_last_admin(&state).await?;
    }
    users::soft_delete_user(&state.db, &id).await?;
    revoke_user_tokens(&state.db, &id, None).await?;
    crate::cluster::sessions_ended(&state).await;
    crate::cluster::user_changed(&state, &id).await;
    let event = Event::new("admin.user_delete", Some(&admin.id))
        .target("user", &id)
        .details(serde_json::json!({ "username": target.username }));
    record(&state, &client, event).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", security(("bearer" = [])), params(AuditQuery),
    responses(
        (status = 200, description = "one page of audit entries", body = Page<AuditView>),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 422, description = "a bad from/to/cursor", body = ErrorResponse),
    ))]
async fn list_audit_entries(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(query): Query<AuditQuery>,
) -> Result<axum::Json<Page<AuditView>>> {
    let paging = PageQuery {
        cursor: query.cursor.clone(),
        limit: query.limit,
    };
    let (cursor, limit) = paging.position()?;
    let filter = AuditFilter {
        actor_id: query.actor.as_deref(),
        action: query.action.as_deref(),
        from_ms: query
            .from
            .as_deref()
            .map(|v| parse_rfc3339("from", v))
            .transpose()?,
        to_ms: query
            .to
            .as_deref()
            .map(|v| parse_rfc3339("to", v))
            .transpose()?,
    };
    let rows = list_audit(
        &state.db,
        &filter,
        cursor.as_ref().map(|(ts, id)| (*ts, id.as_str())),
        limit + 1,
    )
    .await?;
    let runtime = state.runtime.load();
    Ok(axum::Json(page(
        rows,
        limit,
        |r| (r.created_at, r.id.as_str()),
        |r| {
            let mut view = AuditView::from(r);
            if view.target_type.as_deref() == Some("agent") {
                view.target_name = view
                    .target_id
                    .as_deref()
                    .and_then(|id| runtime.agent(id))
                    .map(|agent| agent.def.name.clone());
            }
            view
        },
    )))
}

async fn guard_last_admin(state: &AppState) -> Result<()> {
    if users::count_active_admins(&state.db).await? <= 1 {
        return Err(Error::Conflict(
            "the last active admin cannot be demoted, disabled or deleted",
        ));
    }
    Ok(())
}
