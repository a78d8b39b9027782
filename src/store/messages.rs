//! Messages: a tree per conversation (`parent_id`), content as typed parts (JSON), with their
//! plain text kept for search.

use crate::error::Result;
use crate::store::{Db, now_ms};

pub struct NewMessage<'a> {
    pub conversation_id: &'a str,
    pub parent_id: Option<&'a str>,
    /// `user`, `assistant` or `system`.
    pub role: &'a str,
    /// The typed parts, e.g. `[{"type":"text","text":"…"}]`.
    pub content: &'a serde_json::Value,
    /// `streaming`, `complete`, `stopped`, `failed` or `interrupted`.
    pub status: &'a str,
    pub agent_id: Option<&'a str>,
}

/// Stores a message and returns its id; the conversation's `updated_at` moves with it.
pub async fn insert_message(db: &Db, message: NewMessage<'_>) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, search_text, \
         status, agent_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(&id)
    .bind(message.conversation_id)
    .bind(message.parent_id)
    .bind(message.role)
    .bind(message.content.to_string())
    .bind(search_text(message.content))
    .bind(message.status)
    .bind(message.agent_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE conversations SET updated_at = $2 WHERE id = $1")
        .bind(message.conversation_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The text of the `text` parts, lower-cased, as search matches it.
pub fn search_text(content: &serde_json::Value) -> String {
    content
        .as_array()
        .map(|parts| {
            parts
                .iter()
                .filter(|p| p["type"] == "text")
                .filter_map(|p| p["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
                .to_lowercase()
        })
        .unwrap_or_default()
}
