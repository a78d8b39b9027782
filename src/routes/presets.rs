//! Prompt presets, picked from the composer: each user's own (for one agent or for any) and
//! the ones admins give everyone who uses an agent (`shared`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::rfc3339;
use crate::state::AppState;
use crate::store::presets::{self as store, NewPreset, PresetRow};

/// Most presets of their own a user may keep.
const MAX_PER_USER: i64 = 200;
const MAX_TITLE: usize = 100;
const MAX_CONTENT: usize = 8000;

#[derive(Debug, Serialize, ToSchema)]
pub struct PresetView {
    pub id: String,
    pub title: String,
    /// The text the composer is filled with.
    pub content: String,
    /// The agent it is for; `null`: any agent.
    pub agent_id: Option<String>,
    /// An admin's preset for everyone who uses the agent (only admins change it).
    pub shared: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PresetList {
    pub items: Vec<PresetView>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PresetQuery {
    /// Only the presets for this agent (and the caller's presets for any agent).
    pub agent_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPresetRequest {
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    #[schema(min_length = 1, max_length = 8000)]
    pub content: String,
    /// For this agent only; absent: any agent.
    pub agent_id: Option<String>,
    /// Admins: for everyone who uses `agent_id` (which it then needs).
    pub shared: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetPatch {
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 8000)]
    pub content: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_presets, create_preset))
        .routes(routes!(update_preset, delete_preset))
}

fn view(row: PresetRow) -> PresetView {
    PresetView {
        shared: row.user_id.is_none(),
        id: row.id,
        title: row.title,
        content: row.content,
        agent_id: row.agent_id,
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

/// A field's text trimmed, or 422 naming it.
fn checked<'a>(field: &str, text: &'a str, max: usize) -> Result<&'a str> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max {
        return Err(Error::Invalid {
            field: field.into(),
            message: format!("must be 1–{max} characters"),
        });
    }
    Ok(text)
}

/// Whether the caller may see the preset: their own, or a shared one for an agent they may
/// use; admins see every shared one (also of agents disabled or gone, to delete them).
fn visible(state: &AppState, user: &AuthUser, row: &PresetRow) -> bool {
    match (&row.user_id, &row.agent_id) {
        (Some(owner), _) => *owner == user.id,
        (None, Some(_)) if user.acts_as_admin() => true,
        (None, Some(agent)) => state
            .runtime
            .load()
            .agent(agent)
            .is_some_and(|a| a.usable_by(user)),
        (None, None) => false,
    }
}

/// The preset if the caller may change it: their own, or (admins) a shared one.
async fn changeable(state: &AppState, user: &AuthUser, id: &str) -> Result<PresetRow> {
    let row = store::get_preset(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    match &row.user_id {
        Some(owner) if *owner == user.id => Ok(row),
        None if user.acts_as_admin() => Ok(row),
        None if visible(state, user, &row) => {
            Err(Error::Forbidden("only admins change shared presets"))
        }
        _ => Err(Error::NotFound),
    }
}

/// The presets the caller may pick, by title.
#[utoipa::path(get, path = "/api/presets", tag = "conversations", security(("bearer" = [])),
    params(PresetQuery),
    responses(
        (status = 200, description = "the presets", body = PresetList),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn list_presets(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<PresetQuery>,
) -> Result<axum::Json<PresetList>> {
    let rows = store::visible_to(&state.db, &user.id).await?;
    let items = rows
        .into_iter()
        .filter(|row| visible(&state, &user, row))
        .filter(|row| match (&query.agent_id, &row.agent_id) {
            (Some(wanted), Some(agent)) => wanted == agent,
            _ => true,
        })
        .map(view)
        .collect();
    Ok(axum::Json(PresetList { items }))
}

/// Saves a preset: the caller's own, or (admins, `shared`) one for everyone using an agent.
#[utoipa::path(post, path = "/api/presets", tag = "conversations", security(("bearer" = [])),
    request_body = NewPresetRequest,
    responses(
        (status = 201, description = "saved", body = PresetView),
        (status = 403, description = "`shared` from someone who is not an admin", body = ErrorResponse),
        (status = 404, description = "an agent the caller may not use (`field: agent_id`)", body = ErrorResponse),
        (status = 409, description = "the caller already keeps 200 presets", body = ErrorResponse),
        (status = 422, description = "an empty or too long title or text; `shared` without an agent", body = ErrorResponse),
    ))]
async fn create_preset(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<NewPresetRequest>,
) -> Result<(StatusCode, axum::Json<PresetView>)> {
    let title = checked("title", &body.title, MAX_TITLE)?;
    let content = checked("content", &body.content, MAX_CONTENT)?;
    let shared = body.shared.unwrap_or(false);
    if shared && !user.acts_as_admin() {
        return Err(Error::Forbidden("only admins share presets"));
    }
    if shared && body.agent_id.is_none() {
        return Err(Error::Invalid {
            field: "agent_id".into(),
            message: "a shared preset is for one agent: name it".into(),
        });
    }
    if let Some(agent) = &body.agent_id
        && !state
            .runtime
            .load()
            .agent(agent)
            .is_some_and(|a| a.usable_by(&user))
    {
        return Err(Error::NoSuch {
            field: "agent_id",
            message: "no such agent",
        });
    }
    if !shared && store::count_own(&state.db, &user.id).await? >= MAX_PER_USER {
        return Err(Error::Conflict(
            "you keep 200 presets already: delete some first",
        ));
    }
    let row = store::insert_preset(
        &state.db,
        NewPreset {
            user_id: (!shared).then_some(user.id.as_str()),
            agent_id: body.agent_id.as_deref(),
            title,
            content,
            created_by: &user.id,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(view(row))))
}

/// Changes a preset's title or text.
#[utoipa::path(patch, path = "/api/presets/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "preset id")),
    request_body = PresetPatch,
    responses(
        (status = 200, description = "changed", body = PresetView),
        (status = 403, description = "a shared preset, and the caller is not an admin", body = ErrorResponse),
        (status = 404, description = "no such preset of the caller's", body = ErrorResponse),
        (status = 422, description = "an empty or too long title or text", body = ErrorResponse),
    ))]
async fn update_preset(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<PresetPatch>,
) -> Result<axum::Json<PresetView>> {
    changeable(&state, &user, &id).await?;
    let title = body
        .title
        .as_deref()
        .map(|t| checked("title", t, MAX_TITLE))
        .transpose()?;
    let content = body
        .content
        .as_deref()
        .map(|c| checked("content", c, MAX_CONTENT))
        .transpose()?;
    store::update_preset(&state.db, &id, title, content).await?;
    let row = store::get_preset(&state.db, &id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(axum::Json(view(row)))
}

/// Deletes a preset.
#[utoipa::path(delete, path = "/api/presets/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "preset id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "a shared preset, and the caller is not an admin", body = ErrorResponse),
        (status = 404, description = "no such preset of the caller's", body = ErrorResponse),
    ))]
async fn delete_preset(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    changeable(&state, &user, &id).await?;
    store::delete_preset(&state.db, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
