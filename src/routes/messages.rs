//! Reading a conversation's messages: the active branch (with each message's siblings for
//! branch navigation) or the whole tree, and exports as Markdown or JSON.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::chat::context::text_of;
use crate::content::{Feedback, MessageError, MessageRole};
use crate::error::{Error, ErrorResponse, Result};
use crate::routes::conversations::ConversationView;
use crate::routes::views::rfc3339;
use crate::state::AppState;
use crate::store::conversations::{self, ConversationRow};
use crate::store::messages::{self, MessagePart, MessageRow, MessageStatus};

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: String,
    pub parent_id: Option<String>,
    pub role: MessageRole,
    /// Typed parts, as stored (a part type unknown to this build is passed on as it is).
    #[schema(value_type = Vec<MessagePart>)]
    pub content: serde_json::Value,
    pub status: MessageStatus,
    pub agent_id: Option<String>,
    pub model: Option<String>,
    pub usage: Option<MessageUsage>,
    pub ttft_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub feedback: Option<Feedback>,
    pub feedback_comment: Option<String>,
    /// Why the answer failed or was interrupted.
    pub error: Option<MessageError>,
    /// This message and its alternatives (other answers, edited questions), oldest first.
    pub sibling_ids: Vec<String>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageUsage {
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageView>,
    /// The tip of the branch shown.
    pub current_message_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MessageQuery {
    /// The whole tree instead of the active branch.
    pub all: Option<bool>,
}

/// The export formats.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the values; the handler matches the query string
pub enum ExportFormat {
    #[schema(rename = "markdown")]
    Markdown,
    #[schema(rename = "md")]
    Md,
    #[schema(rename = "json")]
    Json,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `markdown` (default; also `md`) or `json`.
    #[param(value_type = Option<ExportFormat>)]
    pub format: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_messages))
        .routes(routes!(export_conversation))
}

impl MessageView {
    pub fn new(row: &MessageRow, sibling_ids: Vec<String>) -> MessageView {
        let usage = match (row.prompt_tokens, row.completion_tokens) {
            (None, None) => None,
            (p, c) => Some(MessageUsage {
                prompt_tokens: p.unwrap_or(0),
                completion_tokens: c.unwrap_or(0),
            }),
        };
        MessageView {
            id: row.id.clone(),
            parent_id: row.parent_id.clone(),
            role: row.role(),
            content: row.parts(),
            // The schema's CHECK constraint allows only these values.
            status: row.status(),
            agent_id: row.agent_id.clone(),
            model: row.model.clone(),
            usage,
            ttft_ms: row.ttft_ms,
            duration_ms: row.duration_ms,
            feedback: Feedback::from_stored(row.feedback),
            feedback_comment: row.feedback_comment.clone(),
            error: row.error.as_deref().and_then(|e| {
                crate::store::decode_json("messages.error", &row.id, e, None::<MessageError>)
            }),
            sibling_ids,
            created_at: rfc3339(row.created_at),
        }
    }
}

/// Messages by parent, oldest first.
fn children(rows: &[MessageRow]) -> HashMap<Option<&str>, Vec<&MessageRow>> {
    let mut map: HashMap<Option<&str>, Vec<&MessageRow>> = HashMap::new();
    for row in rows {
        map.entry(row.parent_id.as_deref()).or_default().push(row);
    }
    map
}

/// The branch through `current`: root to `current`, then on down through the newest child.
pub fn active_branch<'a>(rows: &'a [MessageRow], current: Option<&str>) -> Vec<&'a MessageRow> {
    let tip = current
        .filter(|id| rows.iter().any(|r| r.id == *id))
        .or_else(|| rows.last().map(|r| r.id.as_str()));
    let Some(tip) = tip else {
        return Vec::new();
    };
    let mut path = crate::chat::context::branch(rows, tip);
    let kids = children(rows);
    while let Some(last) = path.last() {
        match kids.get(&Some(last.id.as_str())).and_then(|c| c.last()) {
            Some(child) if path.len() <= rows.len() => path.push(child),
            _ => break,
        }
    }
    path
}

/// Views of `rows` with their sibling ids.
pub fn views(all: &[MessageRow], rows: &[&MessageRow]) -> Vec<MessageView> {
    let kids = children(all);
    rows.iter()
        .map(|row| {
            let siblings = kids
                .get(&row.parent_id.as_deref())
                .map(|s| s.iter().map(|m| m.id.clone()).collect())
                .unwrap_or_default();
            MessageView::new(row, siblings)
        })
        .collect()
}

async fn own_conversation(state: &AppState, user: &AuthUser, id: &str) -> Result<ConversationRow> {
    conversations::get_conversation(&state.db, &user.id, id)
        .await?
        .ok_or(Error::NotFound)
}

/// The messages of the branch shown (or, with `all=true`, every message).
#[utoipa::path(get, path = "/api/conversations/{id}/messages", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id"), MessageQuery),
    responses(
        (status = 200, description = "the messages, oldest first", body = MessageList),
        (status = 404, description = "no such conversation of the caller's", body = ErrorResponse),
    ))]
async fn list_messages(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(query): Query<MessageQuery>,
) -> Result<axum::Json<MessageList>> {
    let conversation = own_conversation(&state, &user, &id).await?;
    let all = messages::list_messages(&state.db, &id).await?;
    let rows: Vec<&MessageRow> = if query.all.unwrap_or(false) {
        all.iter().collect()
    } else {
        active_branch(&all, conversation.current_message_id.as_deref())
    };
    Ok(axum::Json(MessageList {
        items: views(&all, &rows),
        current_message_id: conversation.current_message_id,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationExport {
    pub conversation: ConversationView,
    pub messages: Vec<MessageView>,
}

/// The branch shown, as a Markdown document or as JSON, for download.
#[utoipa::path(get, path = "/api/conversations/{id}/export", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id"), ExportQuery),
    responses(
        (status = 200, description = "the export: Markdown, or with `format=json` JSON", content(
            (String = "text/markdown"),
            (ConversationExport = "application/json"),
        )),
        (status = 404, description = "no such conversation of the caller's", body = ErrorResponse),
        (status = 422, description = "an unknown format", body = ErrorResponse),
    ))]
async fn export_conversation(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response> {
    let format = query.format.as_deref().unwrap_or("markdown");
    if !matches!(format, "markdown" | "md" | "json") {
        return Err(Error::Invalid {
            field: "format".into(),
            message: "must be markdown or json".into(),
        });
    }
    let conversation = own_conversation(&state, &user, &id).await?;
    let all = messages::list_messages(&state.db, &id).await?;
    let rows = active_branch(&all, conversation.current_message_id.as_deref());
    let title = if conversation.title.is_empty() {
        "Conversation".to_string()
    } else {
        conversation.title.clone()
    };
    let filename = format!("conversation-{}", &conversation.id);
    if format == "json" {
        let export = ConversationExport {
            conversation: ConversationView::from(&conversation),
            messages: views(&all, &rows),
        };
        let disposition = format!("attachment; filename=\"{filename}.json\"");
        return Ok((
            [(header::CONTENT_DISPOSITION, disposition)],
            axum::Json(export),
        )
            .into_response());
    }
    let doc = markdown(&title, &rows);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}.md\""),
            ),
        ],
        doc,
    )
        .into_response())
}

/// The messages as a Markdown document titled `title`: who wrote each and when, attachment
/// names, the text, and the status of an answer that did not complete.
pub fn markdown(title: &str, rows: &[&MessageRow]) -> String {
    let mut doc = format!("# {title}\n\n");
    for row in rows {
        let who = match row.role() {
            MessageRole::User => "User".to_string(),
            MessageRole::Assistant => {
                format!("Assistant ({})", row.agent_id.as_deref().unwrap_or("agent"))
            }
        };
        doc.push_str(&format!("## {who}\n\n_{}_\n\n", rfc3339(row.created_at)));
        let parts = row.parts();
        for part in crate::content::parts_of(&parts) {
            if let MessagePart::Attachment { name, .. } = part {
                doc.push_str(&format!("📎 {name}\n\n"));
            }
        }
        let text = text_of(&parts);
        doc.push_str(text.trim_end());
        if row.status != "complete" {
            doc.push_str(&format!("\n\n_({})_", row.status));
        }
        doc.push_str("\n\n");
    }
    doc
}
