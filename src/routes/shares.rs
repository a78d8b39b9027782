//! Share links: a user shares a read-only snapshot of a conversation's branch as it stands
//! (`/share/{id}` in the UI, `GET /api/shared/{id}` for its data). Links can expire, be limited
//! to signed-in members, and be revoked; deleting the conversation or the account ends them.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{AuthUser, ClientInfo};
use crate::content::{MessagePart, MessageRole, MessageStatus};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::messages::active_branch;
use crate::routes::views::rfc3339;
use crate::state::AppState;
use crate::store::conversations;
use crate::store::messages::{self, MessageRow};
use crate::store::now_ms;
use crate::store::shares::{self as store, NewShare, ShareRow};
use crate::tokens::random_token;

/// The longest a link may live, in days.
const MAX_DAYS: u32 = 365;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewShareRequest {
    /// 1–365; absent: the link does not expire.
    #[schema(minimum = 1, maximum = 365)]
    pub expires_in_days: Option<u32>,
    /// Only signed-in users of this server may open it; default false (anyone with the link).
    pub members_only: Option<bool>,
}

/// A share link as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareView {
    /// The link's token: the page is `/share/{id}`.
    pub id: String,
    /// The page's path, to put after the server's origin.
    pub path: String,
    pub conversation_id: String,
    pub title: String,
    /// Messages in the snapshot.
    pub message_count: i64,
    pub members_only: bool,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub status: ShareStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ShareStatus {
    Live,
    Expired,
    Revoked,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShareList {
    pub items: Vec<ShareView>,
}

/// One message of a shared conversation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SharedMessage {
    pub role: MessageRole,
    /// The message's parts; attachments keep only their name, type and size (`upload_id` is
    /// empty: a visitor cannot open the file).
    #[schema(value_type = Vec<MessagePart>)]
    pub content: serde_json::Value,
    pub status: MessageStatus,
    pub agent_id: Option<String>,
    pub created_at: String,
}

/// What a share link shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharedConversation {
    pub id: String,
    pub title: String,
    pub agent_id: String,
    pub agent_name: String,
    /// The owner's display name, or their username.
    pub shared_by: String,
    pub shared_at: String,
    pub expires_at: Option<String>,
    pub members_only: bool,
    pub messages: Vec<SharedMessage>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversation_shares, create_share))
        .routes(routes!(list_shares))
        .routes(routes!(revoke_share))
        .routes(routes!(open_share))
}

fn view(row: &ShareRow, now: i64) -> ShareView {
    let status = if row.revoked_at.is_some() {
        ShareStatus::Revoked
    } else if row.is_live(now) {
        ShareStatus::Live
    } else {
        ShareStatus::Expired
    };
    ShareView {
        path: format!("/share/{}", row.id),
        id: row.id.clone(),
        conversation_id: row.conversation_id.clone(),
        title: row.title.clone(),
        message_count: row.message_count,
        members_only: row.members_only != 0,
        created_at: rfc3339(row.created_at),
        expires_at: row.expires_at.map(rfc3339),
        revoked_at: row.revoked_at.map(rfc3339),
        status,
    }
}

/// A message as the snapshot keeps it: attachments without the id of their file (which a
/// visitor could not open).
fn snapshot_of(row: &MessageRow) -> SharedMessage {
    let content = crate::content::parts_of(&row.parts())
        .into_iter()
        .map(|part| match part {
            MessagePart::Attachment {
                name, mime, size, ..
            } => {
                serde_json::json!({
                    "type": "attachment", "upload_id": "", "name": name, "mime": mime, "size": size,
                })
            }
            other => serde_json::to_value(other).unwrap_or_default(),
        })
        .collect();
    SharedMessage {
        role: row.role(),
        content,
        status: row.status(),
        agent_id: row.agent_id.clone(),
        created_at: rfc3339(row.created_at),
    }
}

/// Shares a snapshot of the conversation's branch as it is now (an answer still being
/// written is left out).
#[utoipa::path(post, path = "/api/conversations/{id}/shares", tag = "conversations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    request_body = NewShareRequest,
    responses(
        (status = 201, description = "the link", body = ShareView),
        (status = 404, description = "no such conversation of the caller's", body = ErrorResponse),
        (status = 422, description = "nothing to share yet, or a bad expiry", body = ErrorResponse),
    ))]
async fn create_share(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Json(body): Json<NewShareRequest>,
) -> Result<(StatusCode, axum::Json<ShareView>)> {
    let expires_at = match body.expires_in_days {
        Some(days) if !(1..=MAX_DAYS).contains(&days) => {
            return Err(invalid("expires_in_days", "must be between 1 and 365"));
        }
        Some(days) => Some(now_ms() + i64::from(days) * 86_400_000),
        None => None,
    };
    let conversation = conversations::get_conversation(&state.db, &user.id, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let all = messages::list_messages(&state.db, &id).await?;
    let snapshot: Vec<SharedMessage> =
        active_branch(&all, conversation.current_message_id.as_deref())
            .into_iter()
            .filter(|row| row.status() != MessageStatus::Streaming)
            .map(snapshot_of)
            .collect();
    if snapshot.is_empty() {
        return Err(invalid("conversation", "has no messages to share yet"));
    }
    let agent_name = state
        .runtime
        .load()
        .agent(&conversation.agent_id)
        .map_or_else(|| conversation.agent_id.clone(), |a| a.def.name.clone());
    let token = random_token();
    let json = serde_json::to_string(&snapshot).map_err(anyhow::Error::from)?;
    let row = store::insert_share(
        &state.db,
        NewShare {
            id: &token,
            conversation_id: &id,
            user_id: &user.id,
            title: &conversation.title,
            agent_id: &conversation.agent_id,
            agent_name: &agent_name,
            snapshot: &json,
            message_count: i64::try_from(snapshot.len()).unwrap_or(i64::MAX),
            members_only: body.members_only.unwrap_or(false),
            expires_at,
        },
    )
    .await?;
    let event = Event::new("conversation.share_create", Some(&user.id))
        .target("conversation", &id)
        .details(serde_json::json!({
            "messages": row.message_count,
            "members_only": row.members_only != 0,
            "expires_in_days": body.expires_in_days,
        }));
    record(&state, &client, event).await;
    Ok((StatusCode::CREATED, axum::Json(view(&row, now_ms()))))
}

/// The links made to one of the caller's conversations, newest first.
#[utoipa::path(get, path = "/api/conversations/{id}/shares", tag = "conversations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    responses(
        (status = 200, description = "the links, live or not", body = ShareList),
        (status = 404, description = "no such conversation of the caller's", body = ErrorResponse),
    ))]
async fn list_conversation_shares(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<axum::Json<ShareList>> {
    conversations::get_conversation(&state.db, &user.id, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let rows = store::list_shares(&state.db, &user.id, Some(&id)).await?;
    let now = now_ms();
    Ok(axum::Json(ShareList {
        items: rows.iter().map(|r| view(r, now)).collect(),
    }))
}

/// Every link the caller made (the latest 500), newest first.
#[utoipa::path(get, path = "/api/shares", tag = "conversations", security(("bearer" = [])),
    responses(
        (status = 200, description = "the links, live or not", body = ShareList),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn list_shares(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<axum::Json<ShareList>> {
    let rows = store::list_shares(&state.db, &user.id, None).await?;
    let now = now_ms();
    Ok(axum::Json(ShareList {
        items: rows.iter().map(|r| view(r, now)).collect(),
    }))
}

/// Revokes one of the caller's links: it stops opening at once.
#[utoipa::path(delete, path = "/api/shares/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "the link's id")),
    responses(
        (status = 204, description = "revoked (or was already)"),
        (status = 404, description = "no such link of the caller's", body = ErrorResponse),
    ))]
async fn revoke_share(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    if store::revoke(&state.db, &user.id, &id).await? {
        let share = store::owned(&state.db, &user.id, &id).await?;
        let event = Event::new("conversation.share_revoke", Some(&user.id)).target(
            "conversation",
            share.map(|s| s.conversation_id).unwrap_or_default(),
        );
        record(&state, &client, event).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// What a share link shows. No sign-in needed, unless the link is for members only (then 401
/// without valid credentials). Unknown, revoked and expired links are all 404.
#[utoipa::path(get, path = "/api/shared/{id}", tag = "conversations",
    params(("id" = String, Path, description = "the link's id")),
    responses(
        (status = 200, description = "the snapshot", body = SharedConversation),
        (status = 401, description = "a members-only link, opened without signing in", body = ErrorResponse),
        (status = 404, description = "no such link, or it was revoked or has expired", body = ErrorResponse),
    ))]
async fn open_share(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<axum::Json<SharedConversation>> {
    if id.len() > 128 {
        return Err(Error::NotFound);
    }
    let row = store::open(&state.db, &id).await?.ok_or(Error::NotFound)?;
    if row.members_only != 0 {
        // Bad or missing credentials are the same here: sign in first.
        let viewer = state.auth.authenticate(&state.db, &headers).await;
        if !matches!(viewer, Ok(Some(_))) {
            return Err(Error::SignInRequired(
                "this conversation is shared with signed-in members only: sign in to see it",
            ));
        }
    }
    let owner = crate::store::users::get_user(&state.db, &row.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let messages: Vec<SharedMessage> =
        crate::store::decode_json("shares.snapshot", &row.id, &row.snapshot, Vec::new());
    Ok(axum::Json(SharedConversation {
        id: row.id,
        title: row.title,
        agent_id: row.agent_id,
        agent_name: row.agent_name,
        shared_by: owner.display_name.unwrap_or(owner.username),
        shared_at: rfc3339(row.created_at),
        expires_at: row.expires_at.map(rfc3339),
        members_only: row.members_only != 0,
        messages,
    }))
}

fn invalid(field: &str, message: &str) -> Error {
    Error::Invalid {
        field: field.into(),
        message: message.into(),
    }
}
