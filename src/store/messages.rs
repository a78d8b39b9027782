//! Messages: a tree per conversation (`parent_id`), content as typed parts (JSON), with their
//! plain text kept for search.

pub use crate::content::{MessagePart, MessageStatus};
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
    let mut tx = db.begin_write().await?;
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
    crate::content::texts(content).join("\n").to_lowercase()
}

/// A stored message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: String,
    pub conversation_id: String,
    pub parent_id: Option<String>,
    pub role: String,
    pub content: String,
    pub status: String,
    pub agent_id: Option<String>,
    pub model: Option<String>,
    pub prompt_tokens: Option<i64>,
    pub completion_tokens: Option<i64>,
    pub ttft_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub feedback: Option<i64>,
    pub feedback_comment: Option<String>,
    pub error: Option<String>,
    pub upstream_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl MessageRow {
    /// The typed parts; damaged JSON is logged and read as no parts.
    pub fn parts(&self) -> serde_json::Value {
        super::decode_json(
            "messages.content",
            &self.id,
            &self.content,
            serde_json::json!([]),
        )
    }

    /// Who wrote it; the schema's CHECK allows only `user` and `assistant` (anything else is
    /// logged and read as `assistant`).
    pub fn role(&self) -> crate::content::MessageRole {
        crate::content::MessageRole::parse(&self.role).unwrap_or_else(|| {
            tracing::error!(message_id = %self.id, role = %self.role, "a stored message has an unknown role");
            crate::content::MessageRole::Assistant
        })
    }

    /// Where it stands; the schema's CHECK allows only `MessageStatus` values (anything else
    /// is logged and read as `failed`).
    pub fn status(&self) -> MessageStatus {
        MessageStatus::parse(&self.status).unwrap_or_else(|| {
            tracing::error!(message_id = %self.id, status = %self.status, "a stored message has an unknown status");
            MessageStatus::Failed
        })
    }

    /// A user message not saved yet (to build the context of the turn that saves it).
    pub fn new_user(
        id: &str,
        conversation_id: &str,
        parent_id: Option<String>,
        content: &serde_json::Value,
    ) -> MessageRow {
        MessageRow {
            id: id.to_string(),
            conversation_id: conversation_id.to_string(),
            parent_id,
            role: "user".into(),
            content: content.to_string(),
            status: "complete".into(),
            agent_id: None,
            model: None,
            prompt_tokens: None,
            completion_tokens: None,
            ttft_ms: None,
            duration_ms: None,
            feedback: None,
            feedback_comment: None,
            error: None,
            upstream_id: None,
            created_at: 0,
            updated_at: 0,
        }
    }
}

const COLUMNS: &str = "m.id, m.conversation_id, m.parent_id, m.role, m.content, m.status, \
    m.agent_id, m.model, m.prompt_tokens, m.completion_tokens, m.ttft_ms, m.duration_ms, \
    m.feedback, m.feedback_comment, m.error, m.upstream_id, m.created_at, m.updated_at";

/// Every message of a conversation, oldest first.
pub async fn list_messages(db: &Db, conversation_id: &str) -> Result<Vec<MessageRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM messages m WHERE m.conversation_id = $1 ORDER BY m.created_at, m.id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(conversation_id)
        .fetch_all(db.pool())
        .await?)
}

/// A message of one of `user_id`'s conversations; another user's is `None`.
pub async fn get_message(db: &Db, user_id: &str, id: &str) -> Result<Option<MessageRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM messages m JOIN conversations c ON c.id = m.conversation_id \
         WHERE m.id = $1 AND c.user_id = $2"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?)
}

/// A message by id, whoever owns it (for the server's own bookkeeping, never a response).
pub async fn get_message_by_id(db: &Db, id: &str) -> Result<Option<MessageRow>> {
    let sql = format!("SELECT {COLUMNS} FROM messages m WHERE m.id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// Puts `text` in place of the last text part of an interrupted answer when the saved one is
/// the start of it (the owner died before flushing the rest); true when it did.
pub async fn complete_interrupted_text(db: &Db, id: &str, text: &str) -> Result<bool> {
    let Some(row) = get_message_by_id(db, id).await? else {
        return Ok(false);
    };
    if row.status() != MessageStatus::Interrupted {
        return Ok(false);
    }
    let mut parts = row.parts();
    let Some(list) = parts.as_array_mut() else {
        return Ok(false);
    };
    let last_text = list.iter_mut().rev().find(|p| p["type"] == "text");
    let saved = last_text
        .as_ref()
        .and_then(|p| p["text"].as_str())
        .unwrap_or_default()
        .to_string();
    if text.len() <= saved.len() || !text.starts_with(&saved) {
        return Ok(false);
    }
    match last_text {
        Some(part) => part["text"] = serde_json::Value::String(text.to_string()),
        None => list.push(serde_json::json!({"type": "text", "text": text})),
    }
    set_content(db, id, &parts).await?;
    Ok(true)
}

/// The running turns (conversation id, message id) of the user's conversations, on whichever
/// replica they run.
pub async fn streaming_of_user(db: &Db, user_id: &str) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT m.conversation_id, m.id FROM messages m \
         JOIN conversations c ON c.id = m.conversation_id \
         WHERE m.status = 'streaming' AND c.user_id = $1",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// The streaming message of a conversation (its running turn), if any.
pub async fn streaming_message(db: &Db, conversation_id: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM messages WHERE conversation_id = $1 AND status = 'streaming' \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(conversation_id)
    .fetch_optional(db.pool())
    .await?)
}

/// The two messages a turn starts with.
pub struct NewTurn<'a> {
    pub conversation_id: &'a str,
    /// The user's new message, unless the turn answers an existing one (regenerate).
    pub user: Option<(&'a str, &'a serde_json::Value)>,
    /// The parent of the user's message (or, without one, of the answer).
    pub parent_id: Option<&'a str>,
    pub assistant_id: &'a str,
    pub agent_id: &'a str,
    pub instance_id: &'a str,
    /// A title for a conversation that has none yet.
    pub title: Option<&'a str>,
}

/// Saves the user message and the (streaming) answer, and makes the answer the tip of the
/// conversation's current branch — all or nothing.
pub async fn insert_turn(db: &Db, turn: &NewTurn<'_>) -> Result<()> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let mut answer_parent = turn.parent_id;
    if let Some((user_id, content)) = turn.user {
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, parent_id, role, content, search_text, \
             status, agent_id, created_at, updated_at) \
             VALUES ($1, $2, $3, 'user', $4, $5, 'complete', $6, $7, $7)",
        )
        .bind(user_id)
        .bind(turn.conversation_id)
        .bind(turn.parent_id)
        .bind(content.to_string())
        .bind(search_text(content))
        .bind(turn.agent_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        answer_parent = Some(user_id);
    }
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, search_text, \
         status, agent_id, instance_id, heartbeat_at, created_at, updated_at) \
         VALUES ($1, $2, $3, 'assistant', '[]', '', 'streaming', $4, $5, $6, $6, $6)",
    )
    .bind(turn.assistant_id)
    .bind(turn.conversation_id)
    .bind(answer_parent)
    .bind(turn.agent_id)
    .bind(turn.instance_id)
    // A millisecond later than the user message, so that order by time is the tree's order.
    .bind(now + 1)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE conversations SET current_message_id = $2, updated_at = $3, \
         title = CASE WHEN title = '' AND $4 IS NOT NULL THEN $4 ELSE title END WHERE id = $1",
    )
    .bind(turn.conversation_id)
    .bind(turn.assistant_id)
    .bind(now + 1)
    .bind(turn.title)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a running turn's answer so far (and proves its owner alive).
pub async fn save_partial(db: &Db, id: &str, content: &serde_json::Value) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE messages SET content = $2, search_text = $3, heartbeat_at = $4, updated_at = $4 \
         WHERE id = $1 AND status = 'streaming'",
    )
    .bind(id)
    .bind(content.to_string())
    .bind(search_text(content))
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// How a turn ended.
pub struct FinishedMessage<'a> {
    pub content: &'a serde_json::Value,
    /// `complete`, `stopped`, `failed` or `interrupted`.
    pub status: &'a str,
    pub agent_id: &'a str,
    pub model: Option<&'a str>,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub ttft_ms: Option<u64>,
    pub duration_ms: u64,
    /// `{code, message}` when failed.
    pub error: Option<&'a serde_json::Value>,
    /// The upstream's id of this answer (Dify `message_id`).
    pub upstream_id: Option<&'a str>,
}

/// Saves the finished answer (unless recovery already marked it interrupted).
pub async fn finish_message(db: &Db, id: &str, done: &FinishedMessage<'_>) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE messages SET content = $2, search_text = $3, status = $4, agent_id = $5, \
         model = $6, prompt_tokens = $7, completion_tokens = $8, ttft_ms = $9, \
         duration_ms = $10, error = $11, instance_id = NULL, heartbeat_at = NULL, \
         updated_at = $12, upstream_id = $13 WHERE id = $1 AND status = 'streaming'",
    )
    .bind(id)
    .bind(done.content.to_string())
    .bind(search_text(done.content))
    .bind(done.status)
    .bind(done.agent_id)
    .bind(done.model)
    .bind(done.prompt_tokens.map(|v| v as i64))
    .bind(done.completion_tokens.map(|v| v as i64))
    .bind(done.ttft_ms.map(|v| v as i64))
    .bind(done.duration_ms as i64)
    .bind(done.error.map(|e| e.to_string()))
    .bind(now)
    .bind(done.upstream_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Records the user's rating (`1`, `-1` or none) and comment.
pub async fn set_feedback(
    db: &Db,
    id: &str,
    rating: Option<i64>,
    comment: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE messages SET feedback = $2, feedback_comment = $3 WHERE id = $1")
        .bind(id)
        .bind(rating)
        .bind(comment)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Replaces a message's parts (an interactive node's answer is written into the question).
pub async fn set_content(db: &Db, id: &str, content: &serde_json::Value) -> Result<()> {
    sqlx::query("UPDATE messages SET content = $2, search_text = $3 WHERE id = $1")
        .bind(id)
        .bind(content.to_string())
        .bind(search_text(content))
        .execute(db.pool())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::MessageStatus;

    #[test]
    fn message_statuses_are_written_as_the_stored_names() {
        for name in ["streaming", "complete", "stopped", "failed", "interrupted"] {
            let status = MessageStatus::parse(name).expect("a known status");
            assert_eq!(status.as_str(), name);
            assert_eq!(
                serde_json::to_value(status).ok(),
                Some(serde_json::json!(name))
            );
        }
        assert_eq!(MessageStatus::parse("done"), None);
    }
}
