//! Attachments of a user's message: the caller's uploads turned into the stored `attachment`
//! parts and into what the upstream reads — images as image parts (a `data:` URL, which the
//! OpenAI and Anthropic translations send as `image_url` and base64 `image`), text files as
//! text with their name. Images need a vision-capable agent.
//!
//! Budgets keep turns light: a message's files may take at most `uploads.max_per_request`, a
//! conversation's at most `uploads.max_per_conversation`, and the files of earlier messages
//! are sent again, newest first, only while they fit in what the request has left — the
//! others are named in a line of text instead. Files are read from the database one at a
//! time and only when they will be sent, and each is dropped as soon as it is encoded, so a
//! turn holds at most its budget of files (as sent) whatever the history holds.

use std::collections::HashMap;

use base64::Engine;
use serde_json::Value;

use crate::agents::{AgentDef, Capability};
use crate::auth::AuthUser;
use crate::content::MessagePart;
use crate::error::{Error, Result};
use crate::llm::ContentPart;
use crate::state::AppState;
use crate::store::conversations::ConversationRow;
use crate::store::messages::MessageRow;
use crate::store::uploads::{UploadKind, UploadRow, get_upload, get_upload_meta};

/// Attachments one message may carry.
const MAX_ATTACHMENTS: usize = 10;

fn invalid(message: String) -> Error {
    Error::Invalid {
        field: "attachments".into(),
        message,
    }
}

/// The stored part and the upstream part of each attachment of a new message.
pub async fn resolve(
    state: &AppState,
    user: &AuthUser,
    conversation: &ConversationRow,
    ids: &[String],
) -> Result<Vec<(Value, ContentPart)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if ids.len() > MAX_ATTACHMENTS {
        return Err(invalid(format!(
            "at most {MAX_ATTACHMENTS} files per message"
        )));
    }
    let mut bytes = 0u64;
    for id in ids {
        let meta = get_upload_meta(&state.db, &user.id, id)
            .await?
            .ok_or_else(|| invalid(format!("{id:?} is not one of your uploads")))?;
        bytes += meta.size.max(0) as u64;
    }
    let limit = state.settings().uploads.max_per_request;
    if bytes > limit.as_u64() {
        return Err(invalid(format!(
            "the files of one message may take at most {limit} together; these take {}",
            bytesize::ByteSize::b(bytes)
        )));
    }
    let runtime = state.runtime.load_full();
    let agent = runtime.agent(&conversation.agent_id).map(|a| &a.def);
    let mut parts = Vec::with_capacity(ids.len());
    for id in ids {
        let upload = get_upload(&state.db, &user.id, id)
            .await?
            .ok_or_else(|| invalid(format!("{id:?} is not one of your uploads")))?;
        let part = upstream_part(&upload, agent)?;
        parts.push((stored_part(&upload), part));
    }
    Ok(parts)
}

/// The bytes of the `attachment` parts among `parts` (a message's stored content).
pub fn attached_bytes(parts: &Value) -> u64 {
    crate::content::parts_of(parts)
        .into_iter()
        .map(|part| match part {
            MessagePart::Attachment { size, .. } => u64::try_from(size).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

/// Refuses a new message whose `new_bytes` of files would take the conversation (whose
/// messages are `all`) past `uploads.max_per_conversation`.
pub fn check_conversation_budget(
    state: &AppState,
    all: &[MessageRow],
    new_bytes: u64,
) -> Result<()> {
    if new_bytes == 0 {
        return Ok(());
    }
    let held: u64 = all.iter().map(|row| attached_bytes(&row.parts())).sum();
    let limit = state.settings().uploads.max_per_conversation;
    if held + new_bytes > limit.as_u64() {
        return Err(invalid(format!(
            "a conversation may hold at most {limit} of files; this one holds {} and these add {}: start a new conversation for them",
            bytesize::ByteSize::b(held),
            bytesize::ByteSize::b(new_bytes)
        )));
    }
    Ok(())
}

/// Whether `agent` can see images.
pub fn has_vision(agent: Option<&AgentDef>) -> bool {
    agent.is_some_and(|a| a.capabilities.contains(&Capability::Vision))
}

fn stored_part(upload: &UploadRow) -> Value {
    let part = MessagePart::Attachment {
        upload_id: upload.id.clone(),
        name: upload.name.clone(),
        mime: upload.mime.clone(),
        size: upload.size,
    };
    serde_json::to_value(part).unwrap_or_default()
}

fn upstream_part(upload: &UploadRow, agent: Option<&AgentDef>) -> Result<ContentPart> {
    match upload.kind() {
        Some(UploadKind::Image) if has_vision(agent) => Ok(image_part(upload)),
        Some(UploadKind::Image) => Err(invalid(format!(
            "agent {:?} cannot read images ({} is one); choose an agent with the vision capability or remove the image",
            agent.map(|a| a.id.as_str()).unwrap_or_default(),
            upload.name
        ))),
        Some(UploadKind::Text) => Ok(text_part(upload)),
        None => Err(invalid(format!(
            "{} is neither an image nor text",
            upload.name
        ))),
    }
}

fn image_part(upload: &UploadRow) -> ContentPart {
    let encoded = base64::engine::general_purpose::STANDARD.encode(&upload.data);
    ContentPart::Image {
        url: format!("data:{};base64,{encoded}", upload.mime),
        mime: Some(upload.mime.clone()),
    }
}

fn text_part(upload: &UploadRow) -> ContentPart {
    let text = upload.text().unwrap_or_default();
    ContentPart::Text(format!("File {}:\n```\n{text}\n```", upload.name))
}

/// The upstream parts of the attachments of earlier messages in the branch (`rows`, oldest
/// first), by message id, so that a follow-up question still shows the model the file it is
/// about. Newest first, files are loaded only while they fit in `budget` bytes; the others
/// become a line naming them. Images are left out for an agent without vision (the
/// conversation may have moved to one), and uploads deleted since are skipped.
pub async fn for_history(
    state: &AppState,
    user_id: &str,
    agent: &AgentDef,
    rows: &[&MessageRow],
    budget: u64,
) -> Result<HashMap<String, Vec<ContentPart>>> {
    let mut left = budget;
    let mut by_message = HashMap::new();
    for row in rows.iter().rev() {
        let mut loaded = Vec::new();
        for part in crate::content::parts_of(&row.parts()) {
            let MessagePart::Attachment {
                upload_id: id,
                name,
                size,
                ..
            } = part
            else {
                continue;
            };
            let size = u64::try_from(size).unwrap_or(0);
            if size > left {
                loaded.push(ContentPart::Text(format!(
                    "[File {name} was attached here; it is not sent again.]"
                )));
                continue;
            }
            if let Some(upload) = get_upload(&state.db, user_id, &id).await?
                && let Ok(part) = upstream_part(&upload, Some(agent))
            {
                left -= size;
                loaded.push(part);
            }
        }
        if !loaded.is_empty() {
            by_message.insert(row.id.clone(), loaded);
        }
    }
    Ok(by_message)
}
