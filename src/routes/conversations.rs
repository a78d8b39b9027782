//! Conversations: list (search, filters, keyset pages), create, read, change, delete. Another
//! user's conversation is 404 everywhere.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::{Page, PageQuery, page, rfc3339};
use crate::state::AppState;
use crate::store::conversations::{
    self as store, ConversationFilter, ConversationPatch, ConversationRow,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationView {
    pub id: String,
    pub agent_id: String,
    pub title: String,
    pub pinned: bool,
    pub archived: bool,
    /// The tip of the branch being shown.
    pub current_message_id: Option<String>,
    /// The answer being generated right now (reattach with `/stream`), or null.
    pub active_turn: Option<String>,
    /// In search results (`q`): about 120 characters of the newest message that contains the
    /// query, around the match (absent when only the title matched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&ConversationRow> for ConversationView {
    fn from(row: &ConversationRow) -> ConversationView {
        ConversationView {
            id: row.id.clone(),
            agent_id: row.agent_id.clone(),
            title: row.title.clone(),
            pinned: row.pinned != 0,
            archived: row.archived != 0,
            current_message_id: row.current_message_id.clone(),
            active_turn: None,
            snippet: None,
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConversationQuery {
    /// A substring of the title or of any message (Chinese included).
    pub q: Option<String>,
    pub agent_id: Option<String>,
    pub archived: Option<bool>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = r"^[0-9]{1,15}_[0-9A-Za-z-]{1,64}$")]
    pub cursor: Option<String>,
    /// Items per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConversation {
    pub agent_id: String,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationChanges {
    #[schema(max_length = 200)]
    pub title: Option<String>,
    pub pinned: Option<bool>,
    pub archived: Option<bool>,
    pub agent_id: Option<String>,
    /// Switch to another branch: any message of this conversation.
    pub current_message_id: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations, create_conversation))
        .routes(routes!(
            get_conversation,
            update_conversation,
            delete_conversation
        ))
}

/// The caller's conversations, most recently active first.
#[utoipa::path(get, path = "/api/conversations", tag = "conversations", security(("bearer" = [])),
    params(ConversationQuery),
    responses(
        (status = 200, description = "one page", body = Page<ConversationView>),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn list_conversations(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<ConversationQuery>,
) -> Result<axum::Json<Page<ConversationView>>> {
    let paging = PageQuery {
        cursor: query.cursor.clone(),
        limit: query.limit,
    };
    let (cursor, limit) = paging.position()?;
    let filter = ConversationFilter {
        q: query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()),
        agent_id: query.agent_id.as_deref(),
        archived: query.archived,
    };
    let rows = store::list_conversations(
        &state.db,
        &user.id,
        &filter,
        cursor.as_ref().map(|(ts, id)| (*ts, id.as_str())),
        limit + 1,
    )
    .await?;
    // Running here, or (with several replicas) on another one.
    let running: std::collections::HashMap<String, String> =
        crate::store::messages::streaming_of_user(&state.db, &user.id)
            .await?
            .into_iter()
            .collect();
    let mut page = page(
        rows,
        limit,
        |r| (r.updated_at, r.id.as_str()),
        |r| {
            let mut view = ConversationView::from(r);
            view.active_turn = state
                .hub
                .running(&r.id)
                .or_else(|| running.get(&r.id).cloned());
            view
        },
    );
    if let Some(q) = filter.q {
        for view in &mut page.items {
            view.snippet = store::matching_text(&state.db, &view.id, q)
                .await?
                .map(|text| excerpt(&text, q, 120));
        }
    }
    Ok(axum::Json(page))
}

/// About `width` characters of `text` on one line, around the first case-insensitive match of
/// `q`, with `…` where it was cut.
fn excerpt(text: &str, q: &str, width: usize) -> String {
    let chars: Vec<char> = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase()).collect();
    let needle: Vec<char> = q.chars().flat_map(char::to_lowercase).collect();
    // Lower-casing may change lengths (rarely); then the match position is only approximate.
    let at = if lower.len() == chars.len() && !needle.is_empty() {
        lower
            .windows(needle.len())
            .position(|w| w == needle.as_slice())
            .unwrap_or(0)
    } else {
        0
    };
    let start = at.saturating_sub(width / 3);
    let end = (start + width).min(chars.len());
    let start = end.saturating_sub(width).min(start);
    let mut out: String = chars[start..end].iter().collect();
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// Starts a conversation with an agent the caller may use.
#[utoipa::path(post, path = "/api/conversations", tag = "conversations", security(("bearer" = [])),
    request_body = NewConversation,
    responses(
        (status = 201, description = "created", body = ConversationView),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 404, description = "no such agent for the caller (`field`: `agent_id`)", body = ErrorResponse),
        (status = 422, description = "a bad title", body = ErrorResponse),
    ))]
async fn create_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<NewConversation>,
) -> Result<(StatusCode, axum::Json<ConversationView>)> {
    check_agent(&state, &user, &body.agent_id)?;
    let title = check_title(body.title.as_deref().unwrap_or(""))?;
    let row = store::insert_conversation(&state.db, &user.id, &body.agent_id, title).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ConversationView::from(&row)),
    ))
}

/// One of the caller's conversations.
#[utoipa::path(get, path = "/api/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    responses(
        (status = 200, description = "the conversation", body = ConversationView),
        (status = 404, description = "no such conversation of the caller's", body = ErrorResponse),
    ))]
async fn get_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<axum::Json<ConversationView>> {
    let row = store::get_conversation(&state.db, &user.id, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let mut view = ConversationView::from(&row);
    view.active_turn = match state.hub.running(&id) {
        Some(running) => Some(running),
        None => crate::store::messages::streaming_message(&state.db, &id).await?,
    };
    Ok(axum::Json(view))
}

/// Renames, pins, archives, moves to another agent, or switches branch.
#[utoipa::path(patch, path = "/api/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")), request_body = ConversationChanges,
    responses(
        (status = 200, description = "the changed conversation", body = ConversationView),
        (status = 404, description = "no such conversation of the caller's, no such agent for the caller or no such message in the conversation (`field` says which)", body = ErrorResponse),
        (status = 422, description = "a bad title", body = ErrorResponse),
    ))]
async fn update_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<ConversationChanges>,
) -> Result<axum::Json<ConversationView>> {
    store::get_conversation(&state.db, &user.id, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let title = body.title.as_deref().map(check_title).transpose()?;
    if let Some(agent_id) = &body.agent_id {
        check_agent(&state, &user, agent_id)?;
    }
    if let Some(message_id) = &body.current_message_id
        && !store::message_in_conversation(&state.db, &id, message_id).await?
    {
        return Err(Error::NoSuch {
            field: "current_message_id",
            message: "is not a message of this conversation",
        });
    }
    let patch = ConversationPatch {
        title,
        pinned: body.pinned,
        archived: body.archived,
        agent_id: body.agent_id.as_deref(),
        current_message_id: body.current_message_id.as_deref(),
    };
    store::update_conversation(&state.db, &user.id, &id, &patch).await?;
    let row = store::get_conversation(&state.db, &user.id, &id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(axum::Json(ConversationView::from(&row)))
}

/// Deletes the conversation and all its messages.
#[utoipa::path(delete, path = "/api/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, description = "no such conversation of the caller's", body = ErrorResponse),
    ))]
async fn delete_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    store::get_conversation(&state.db, &user.id, &id)
        .await?
        .ok_or(Error::NotFound)?;
    // Stopped first (on whichever replica runs it), so that no answer is being saved into
    // the conversation as it goes.
    crate::cluster::stop(&state, &id).await?;
    store::delete_conversation(&state.db, &user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The agent exists, is enabled, and the caller (and their API key) may use it.
fn check_agent(state: &AppState, user: &AuthUser, agent_id: &str) -> Result<()> {
    let runtime = state.runtime.load();
    if runtime
        .agent(agent_id)
        .is_some_and(|agent| agent.usable_by(user))
    {
        Ok(())
    } else {
        Err(Error::NoSuch {
            field: "agent_id",
            message: "is not an agent you can use",
        })
    }
}

fn check_title(title: &str) -> Result<&str> {
    let title = title.trim();
    if title.chars().count() > 200 {
        return Err(invalid("title", "must be at most 200 characters"));
    }
    Ok(title)
}

fn invalid(field: &str, message: &str) -> Error {
    Error::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn an_excerpt_is_cut_around_the_match_on_character_boundaries() {
        let long = format!("{} 部署 {}", "前".repeat(200), "后".repeat(200));
        let cut = excerpt(&long, "部署", 40);
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert!(cut.contains("部署"), "{cut}");
        assert_eq!(cut.chars().count(), 42);
        assert_eq!(excerpt("short\n text", "TEXT", 40), "short text");
        assert_eq!(excerpt("no match here", "zzz", 5), "no ma…");
    }
}
