//! API keys for programmatic access: list, create (the key is shown once), revoke.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{AuthUser, ClientInfo, Via, api_keys};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::{Page, PageQuery, decode_cursor, page, parse_rfc3339, rfc3339};
use crate::state::AppState;
use crate::store::api_keys::{self as store, ApiKeyRow, NewApiKey};
use crate::store::now_ms;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKeyRequest {
    /// A label to recognise the key by, 1–100 characters.
    pub name: String,
    /// RFC 3339; the key stops working then. Omit for a key that does not expire.
    pub expires_at: Option<String>,
    /// Agent ids the key may use; omit for all agents the owner may use.
    pub allowed_agents: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub allowed_agents: Option<Vec<String>>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

/// A newly created key: the only response that ever contains the key itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub view: ApiKeyView,
    /// The secret key (`sk-llmc-…`). Store it now: it is never shown again.
    pub key: String,
}

impl From<&ApiKeyRow> for ApiKeyView {
    fn from(row: &ApiKeyRow) -> ApiKeyView {
        ApiKeyView {
            id: row.id.clone(),
            name: row.name.clone(),
            prefix: row.prefix.clone(),
            allowed_agents: row
                .allowed_agents
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok()),
            created_at: rfc3339(row.created_at),
            last_used_at: row.last_used_at.map(rfc3339),
            expires_at: row.expires_at.map(rfc3339),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_keys, create_key))
        .routes(routes!(revoke_key))
}

/// The caller's keys that are not revoked, newest first.
#[utoipa::path(get, path = "/api/keys", tag = "keys", security(("bearer" = [])), params(PageQuery),
    responses(
        (status = 200, description = "one page of keys (never the secrets)", body = Page<ApiKeyView>),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn list_keys(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<PageQuery>,
) -> Result<axum::Json<Page<ApiKeyView>>> {
    let cursor = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = query.limit();
    let rows = store::list_api_keys(
        &state.db,
        &user.id,
        cursor.as_ref().map(|(ts, id)| (*ts, id.as_str())),
        limit + 1,
    )
    .await?;
    Ok(axum::Json(page(
        rows,
        limit,
        |r| (r.created_at, r.id.as_str()),
        |r| ApiKeyView::from(r),
    )))
}

/// Creates a key that acts as the caller. The key is in the response once, never again.
#[utoipa::path(post, path = "/api/keys", tag = "keys", security(("bearer" = [])), request_body = NewApiKeyRequest,
    responses(
        (status = 201, description = "the new key, shown this once", body = CreatedApiKey),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 403, description = "API keys cannot create keys", body = ErrorResponse),
        (status = 422, description = "invalid name, expiry or agent list", body = ErrorResponse),
    ))]
async fn create_key(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    Json(body): Json<NewApiKeyRequest>,
) -> Result<(StatusCode, axum::Json<CreatedApiKey>)> {
    require_session(&user)?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid("name", "must be 1 to 100 characters"));
    }
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|value| parse_rfc3339("expires_at", value))
        .transpose()?;
    if expires_at.is_some_and(|at| at <= now_ms()) {
        return Err(invalid("expires_at", "must be in the future"));
    }
    let allowed_agents = match body.allowed_agents {
        Some(agents) if agents.is_empty() || agents.iter().any(|a| a.trim().is_empty()) => {
            return Err(invalid(
                "allowed_agents",
                "must list at least one agent id, none empty",
            ));
        }
        Some(agents) => Some(serde_json::to_string(&agents).map_err(anyhow::Error::from)?),
        None => None,
    };
    let generated = api_keys::generate();
    let row = store::insert_api_key(
        &state.db,
        NewApiKey {
            user_id: &user.id,
            name,
            prefix: &generated.prefix,
            key_hash: &generated.hash,
            allowed_agents,
            expires_at,
        },
    )
    .await?;
    let event = Event::new("api_key.create", Some(&user.id))
        .target("api_key", &row.id)
        .details(serde_json::json!({ "name": row.name, "prefix": row.prefix }));
    record(&state, &client, event).await;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedApiKey {
            view: ApiKeyView::from(&row),
            key: generated.key,
        }),
    ))
}

/// Revokes one of the caller's keys; it stops working at once on this instance and within
/// a second on the others.
#[utoipa::path(delete, path = "/api/keys/{id}", tag = "keys", security(("bearer" = [])),
    params(("id" = String, Path, description = "key id")),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 404, description = "no such key of yours", body = ErrorResponse),
    ))]
async fn revoke_key(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let hash = store::revoke_api_key(&state.db, &user.id, &id).await?;
    state.auth.keys.forget(&hash);
    record(
        &state,
        &client,
        Event::new("api_key.revoke", Some(&user.id)).target("api_key", &id),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// Keys are managed from a signed-in session, so a leaked key cannot mint more keys.
fn require_session(user: &AuthUser) -> Result<()> {
    match user.via {
        Via::Session { .. } => Ok(()),
        Via::ApiKey { .. } => Err(Error::Forbidden("API keys cannot manage API keys")),
    }
}

fn invalid(field: &str, message: &str) -> Error {
    Error::Invalid {
        field: field.into(),
        message: message.into(),
    }
}
