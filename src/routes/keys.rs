//! API keys for programmatic access: list, create (the key is shown once), revoke.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{AuthUser, ClientInfo, Role, Scope, api_keys};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::{NonBlank, Page, PageQuery, page, parse_rfc3339, rfc3339};
use crate::state::AppState;
use crate::store::api_keys::{self as store, ApiKeyRow, NewApiKey};
use crate::store::now_ms;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKeyRequest {
    /// A label to recognise the key by, 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// RFC 3339, in the future; the key stops working then. Omit for a key that does not
    /// expire.
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
    /// Agent ids the key may use; omit for all agents the owner may use.
    #[schema(value_type = Option<Vec<NonBlank>>, min_items = 1)]
    pub allowed_agents: Option<Vec<String>>,
    /// What the key may do: `["chat"]` (the default) or `["admin"]` (also the admin API;
    /// admins only). `admin` includes `chat`.
    #[schema(min_items = 1)]
    pub scopes: Option<Vec<Scope>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    /// The first characters of the key, to recognise it.
    pub prefix: String,
    pub allowed_agents: Option<Vec<String>>,
    /// `["chat"]`, or `["chat", "admin"]` for a key that may use the admin API.
    pub scopes: Vec<Scope>,
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
            allowed_agents: row.allowed_agents.as_deref().map(|json| {
                crate::store::decode_json("api_keys.allowed_agents", &row.id, json, Vec::new())
            }),
            scopes: Scope::parse_list(&row.scopes),
            created_at: rfc3339(row.created_at),
            last_used_at: row.last_used_at.map(rfc3339),
            expires_at: row.expires_at.map(rfc3339),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_keys, create_key, revoke_all_keys))
        .routes(routes!(revoke_key))
}

/// The caller's keys that are not revoked, newest first.
#[utoipa::path(get, path = "/api/keys", tag = "keys", security(("bearer" = [])), params(PageQuery),
    responses(
        (status = 200, description = "one page of keys (never the secrets)", body = Page<ApiKeyView>),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 403, description = "API keys cannot manage API keys", body = ErrorResponse),
        (status = 422, description = "an invalid cursor or limit", body = ErrorResponse),
    ))]
async fn list_keys(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<PageQuery>,
) -> Result<axum::Json<Page<ApiKeyView>>> {
    user.require_session(MANAGE)?;
    let (cursor, limit) = query.position()?;
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
        (status = 403, description = "API keys cannot create keys, and only admins may ask for the `admin` scope", body = ErrorResponse),
        (status = 409, description = "the user already has `auth.max_api_keys_per_user` working keys", body = ErrorResponse),
        (status = 422, description = "invalid name, expiry, agent list or scopes", body = ErrorResponse),
    ))]
async fn create_key(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    Json(body): Json<NewApiKeyRequest>,
) -> Result<(StatusCode, axum::Json<CreatedApiKey>)> {
    user.require_session(MANAGE)?;
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
    let scopes = body.scopes.unwrap_or_else(|| vec![Scope::Chat]);
    if scopes.is_empty() {
        return Err(invalid(
            "scopes",
            "must list at least one scope: chat or admin",
        ));
    }
    if scopes.contains(&Scope::Admin) && user.role != Role::Admin {
        return Err(Error::Forbidden(
            "only admins may create keys with the admin scope",
        ));
    }
    let cap = state.settings().auth.max_api_keys_per_user;
    if store::count_live_api_keys(&state.db, &user.id).await? >= i64::from(cap) {
        return Err(Error::Conflict(
            "too many API keys: revoke one first (auth.max_api_keys_per_user)",
        ));
    }
    let generated = api_keys::generate();
    let row = store::insert_api_key(
        &state.db,
        NewApiKey {
            user_id: &user.id,
            name,
            prefix: &generated.prefix,
            key_hash: &generated.hash,
            allowed_agents,
            scopes: Scope::join(&scopes),
            expires_at,
        },
    )
    .await?;
    let event = Event::new("api_key.create", Some(&user.id))
        .target("api_key", &row.id)
        .details(
            serde_json::json!({ "name": row.name, "prefix": row.prefix, "scopes": row.scopes }),
        );
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
        (status = 403, description = "API keys cannot manage API keys", body = ErrorResponse),
        (status = 404, description = "no such key of yours", body = ErrorResponse),
    ))]
async fn revoke_key(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    user.require_session(MANAGE)?;
    let hash = store::revoke_api_key(&state.db, &user.id, &id).await?;
    crate::cluster::keys_revoked(&state, &[&hash]).await;
    record(
        &state,
        &client,
        Event::new("api_key.revoke", Some(&user.id)).target("api_key", &id),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedKeys {
    /// How many keys stopped working.
    pub revoked: u64,
}

/// Revokes every key of the caller (after a leak, or with a password change); they stop
/// working at once on every replica.
#[utoipa::path(delete, path = "/api/keys", tag = "keys", security(("bearer" = [])),
    responses(
        (status = 200, description = "every key revoked", body = RevokedKeys),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 403, description = "API keys cannot manage API keys", body = ErrorResponse),
    ))]
async fn revoke_all_keys(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
) -> Result<axum::Json<RevokedKeys>> {
    user.require_session(MANAGE)?;
    let revoked = revoke_every_key(&state, &user.id).await?;
    let event = Event::new("api_key.revoke_all", Some(&user.id))
        .target("user", &user.id)
        .details(serde_json::json!({ "revoked": revoked }));
    record(&state, &client, event).await;
    Ok(axum::Json(RevokedKeys { revoked }))
}

/// Revokes the user's keys in the store and in every replica's cache; returns how many.
pub(crate) async fn revoke_every_key(state: &AppState, user_id: &str) -> Result<u64> {
    let hashes = store::revoke_user_api_keys(&state.db, user_id).await?;
    let refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
    crate::cluster::keys_revoked(state, &refs).await;
    Ok(hashes.len() as u64)
}

/// Keys are managed from a signed-in session, so a leaked key cannot mint more keys, revoke
/// its owner's keys or read their list.
const MANAGE: &str = "API keys cannot manage API keys";

fn invalid(field: &str, message: &str) -> Error {
    Error::Invalid {
        field: field.into(),
        message: message.into(),
    }
}
