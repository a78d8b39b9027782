//! Settings admins change in the console at run time (the registration mode) and the
//! invitations that let people register. Every change is audited.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::registration::{self, Source};
use crate::auth::{AdminUser, ClientInfo, Role};
use crate::config::Registration;
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::{GroupRef, Page, PageQuery, page, rfc3339};
use crate::state::AppState;
use crate::store::groups;
use crate::store::invitations::{self, InvitationRow, InvitationStatus, NewInvitation};
use crate::store::now_ms;
use crate::tokens::{random_token, sha256_hex};

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationSetting {
    /// The mode in force.
    pub mode: Registration,
    /// `console` when an admin chose it here, `config` when the configuration decides.
    pub source: Source,
    /// What the configuration says (in force again after a reset).
    pub config_mode: Registration,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServerSettingsView {
    pub registration: RegistrationSetting,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerSettingsPatch {
    /// A mode, or `null` to go back to the configuration's. Absent: unchanged.
    #[serde(default, deserialize_with = "crate::extract::some_or_null")]
    #[schema(value_type = Option<Registration>)]
    pub registration: Option<Option<Registration>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationRequest {
    /// The new account's role; default `user`.
    pub role: Option<Role>,
    /// 1–90; default 7.
    #[schema(minimum = 1, maximum = 90)]
    pub expires_in_days: Option<u32>,
    /// Up to 200 characters, for the admins (who it is for).
    #[schema(max_length = 200)]
    pub note: Option<String>,
    /// Ids of the groups the new account joins.
    pub groups: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: String,
    pub role: Role,
    /// The groups the new account joins (those that still exist).
    pub groups: Vec<GroupRef>,
    pub note: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    pub status: InvitationStatus,
    pub used_at: Option<String>,
    pub used_by: Option<String>,
    pub used_by_name: Option<String>,
}

/// A new invitation: the only response that contains its code.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedInvitation {
    #[serde(flatten)]
    pub view: InvitationView,
    /// Share it as `{origin}/register?invite={code}`; it is never shown again.
    pub code: String,
}

/// group id → name, to show invitations' groups.
async fn group_names(state: &AppState) -> Result<HashMap<String, String>> {
    Ok(groups::list_groups(&state.db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect())
}

impl InvitationView {
    fn new(row: &InvitationRow, names: &HashMap<String, String>) -> InvitationView {
        let ids: Vec<String> =
            crate::store::decode_json("invitations.group_ids", &row.id, &row.group_ids, Vec::new());
        InvitationView {
            id: row.id.clone(),
            role: Role::stored("invitations", &row.id, &row.role).unwrap_or(Role::User),
            groups: ids
                .into_iter()
                .filter_map(|id| {
                    let name = names.get(&id)?.clone();
                    Some(GroupRef { id, name })
                })
                .collect(),
            note: row.note.clone(),
            created_at: rfc3339(row.created_at),
            expires_at: rfc3339(row.expires_at),
            status: row.status(now_ms()),
            used_at: row.used_at.map(rfc3339),
            used_by: row.used_by.clone(),
            used_by_name: row.used_by_name.clone(),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, patch_settings))
        .routes(routes!(list_invitations, create_invitation))
        .routes(routes!(revoke_invitation))
}

async fn settings_view(state: &AppState) -> Result<ServerSettingsView> {
    let (mode, source) = registration::mode(state).await?;
    Ok(ServerSettingsView {
        registration: RegistrationSetting {
            mode,
            source,
            config_mode: state.settings().registration(),
        },
    })
}

/// Settings that admins change here, and where each comes from.
#[utoipa::path(get, path = "/api/admin/settings", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "the settings in force", body = ServerSettingsView),
        (status = 403, description = "not an admin", body = ErrorResponse),
    ))]
async fn get_settings(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<axum::Json<ServerSettingsView>> {
    Ok(axum::Json(settings_view(&state).await?))
}

/// Changes settings at once, on every replica (kept in the database; they win over the
/// configuration until reset with `null`).
#[utoipa::path(patch, path = "/api/admin/settings", tag = "admin", security(("bearer" = [])),
    request_body = ServerSettingsPatch,
    responses(
        (status = 200, description = "the settings now in force", body = ServerSettingsView),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 422, description = "an unknown mode", body = ErrorResponse),
    ))]
async fn patch_settings(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Json(patch): Json<ServerSettingsPatch>,
) -> Result<axum::Json<ServerSettingsView>> {
    if let Some(mode) = patch.registration {
        let (before, _) = registration::mode(&state).await?;
        registration::set_mode(&state, mode, &admin.id).await?;
        let (after, source) = registration::mode(&state).await?;
        let details = serde_json::json!({
            "registration": {"from": before.as_str(), "to": after.as_str(), "source": source},
        });
        let event = Event::new("admin.settings_update", Some(&admin.id)).details(details);
        record(&state, &client, event).await;
    }
    Ok(axum::Json(settings_view(&state).await?))
}

/// Invitations, newest first.
#[utoipa::path(get, path = "/api/admin/invitations", tag = "admin", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "one page of invitations (without their codes)", body = Page<InvitationView>),
        (status = 403, description = "not an admin", body = ErrorResponse),
    ))]
async fn list_invitations(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(paging): Query<PageQuery>,
) -> Result<axum::Json<Page<InvitationView>>> {
    let (cursor, limit) = paging.position()?;
    let before = cursor.as_ref().map(|(ts, id)| (*ts, id.as_str()));
    let rows = invitations::list_invitations(&state.db, before, limit + 1).await?;
    let names = group_names(&state).await?;
    Ok(axum::Json(page(
        rows,
        limit,
        |r| (r.created_at, r.id.as_str()),
        |r| InvitationView::new(r, &names),
    )))
}

/// Creates a single-use invitation to register (in any mode but `closed`).
#[utoipa::path(post, path = "/api/admin/invitations", tag = "admin", security(("bearer" = [])),
    request_body = NewInvitationRequest,
    responses(
        (status = 201, description = "created; the code is shown only now", body = CreatedInvitation),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 422, description = "expiry out of range, note too long, or an unknown group (`field: groups`)", body = ErrorResponse),
    ))]
async fn create_invitation(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Json(body): Json<NewInvitationRequest>,
) -> Result<(StatusCode, axum::Json<CreatedInvitation>)> {
    let days = body.expires_in_days.unwrap_or(7);
    if !(1..=90).contains(&days) {
        return Err(invalid("expires_in_days", "must be between 1 and 90"));
    }
    let note = body
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 200) {
        return Err(invalid("note", "must be at most 200 characters"));
    }
    let role = body.role.unwrap_or(Role::User);
    let mut group_ids = body.groups.unwrap_or_default();
    group_ids.sort();
    group_ids.dedup();
    let names = group_names(&state).await?;
    if let Some(unknown) = group_ids.iter().find(|g| !names.contains_key(*g)) {
        return Err(invalid("groups", &format!("no such group: {unknown}")));
    }
    let code = random_token();
    let row = invitations::insert_invitation(
        &state.db,
        NewInvitation {
            code_hash: &sha256_hex(&code),
            role: role.as_str(),
            note,
            created_by: &admin.id,
            expires_at: now_ms() + i64::from(days) * 86_400_000,
            group_ids: &serde_json::to_string(&group_ids).unwrap_or_else(|_| "[]".into()),
        },
    )
    .await?;
    let event = Event::new("admin.invitation_create", Some(&admin.id))
        .target("invitation", &row.id)
        .details(serde_json::json!({
            "role": role.as_str(),
            "expires_in_days": days,
            "groups": group_ids,
        }));
    record(&state, &client, event).await;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedInvitation {
            view: InvitationView::new(&row, &names),
            code,
        }),
    ))
}

/// Revokes an invitation that has not been used.
#[utoipa::path(delete, path = "/api/admin/invitations/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "invitation id")),
    responses(
        (status = 204, description = "revoked"),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such invitation", body = ErrorResponse),
        (status = 409, description = "already used or revoked", body = ErrorResponse),
    ))]
async fn revoke_invitation(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    invitations::revoke_invitation(&state.db, &id).await?;
    let event = Event::new("admin.invitation_revoke", Some(&admin.id)).target("invitation", &id);
    record(&state, &client, event).await;
    Ok(StatusCode::NO_CONTENT)
}

fn invalid(field: &str, message: &str) -> Error {
    Error::Invalid {
        field: field.into(),
        message: message.into(),
    }
}
