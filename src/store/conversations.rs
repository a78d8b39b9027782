//! Conversations: a user's chats with one agent, newest first, searchable by title and by the
//! text of their messages (substrings, Chinese included).

use sqlx::FromRow;

use crate::error::{Error, Result};
use crate::store::users::escape_like;
use crate::store::{Backend, Db, now_ms};

#[derive(Debug, Clone, FromRow)]
pub struct ConversationRow {
    pub id: String,
    pub user_id: String,
    pub agent_id: String,
    pub title: String,
    pub pinned: i64,
    pub archived: i64,
    pub current_message_id: Option<String>,
    pub variables: String,
    pub upstream: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ConversationRow {
    /// The app input variables kept with the conversation (an object).
    pub fn variables(&self) -> serde_json::Map<String, serde_json::Value> {
        super::decode_json(
            "conversations.variables",
            &self.id,
            &self.variables,
            serde_json::Map::new(),
        )
    }

    /// The ids the upstream app gave earlier turns, as the chat layer's type `T`.
    pub fn upstream_ids<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        super::decode_json(
            "conversations.upstream",
            &self.id,
            &self.upstream,
            T::default(),
        )
    }
}

const COLUMNS: &str = "c.id, c.user_id, c.agent_id, c.title, c.pinned, c.archived, \
                       c.current_message_id, c.variables, c.upstream, c.created_at, c.updated_at";

pub async fn insert_conversation(
    db: &Db,
    user_id: &str,
    agent_id: &str,
    title: &str,
) -> Result<ConversationRow> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO conversations (id, user_id, agent_id, title, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(agent_id)
    .bind(title)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    get_conversation(db, user_id, &id)
        .await?
        .ok_or(Error::NotFound)
}

/// The user's conversation; another user's is `None`, exactly like a missing one.
pub async fn get_conversation(db: &Db, user_id: &str, id: &str) -> Result<Option<ConversationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM conversations c WHERE c.id = $1 AND c.user_id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?)
}

#[derive(Debug, Default)]
pub struct ConversationFilter<'a> {
    /// A substring of the title or of any message's text.
    pub q: Option<&'a str>,
    pub agent_id: Option<&'a str>,
    pub archived: Option<bool>,
}

/// One page, most recently updated first; keyset on (updated_at, id).
pub async fn list_conversations(
    db: &Db,
    user_id: &str,
    filter: &ConversationFilter<'_>,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<ConversationRow>> {
    let (before_ts, before_id) = before.unwrap_or((i64::MAX, "\u{10FFFF}"));
    let pattern = filter
        .q
        .map(|q| format!("%{}%", escape_like(&q.to_lowercase())));
    let long_query = filter.q.is_some_and(|q| q.chars().count() >= 3);
    // Message text: the trigram index where it can serve the query, a plain LIKE otherwise.
    let in_messages = match (db.backend(), long_query) {
        (Backend::Sqlite, true) => {
            "c.id IN (SELECT m.conversation_id FROM messages m WHERE m.rowid IN \
             (SELECT rowid FROM messages_search WHERE search_text LIKE $5 ESCAPE '\\'))"
        }
        _ => {
            "EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id \
             AND lower(m.search_text) LIKE $5 ESCAPE '\\')"
        }
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM conversations c WHERE c.user_id = $1 \
         AND ($2 IS NULL OR c.agent_id = $2) AND ($3 IS NULL OR c.archived = $3) \
         AND ($4 IS NULL OR lower(c.title) LIKE $5 ESCAPE '\\' OR {in_messages}) \
         AND (c.updated_at < $6 OR (c.updated_at = $6 AND c.id < $7)) \
         ORDER BY c.updated_at DESC, c.id DESC LIMIT $8"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(filter.agent_id)
        .bind(filter.archived.map(i64::from))
        .bind(filter.q)
        .bind(pattern)
        .bind(before_ts)
        .bind(before_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// The newest text of the conversation's messages that contains `q` (case-insensitively), for
/// a search result's snippet.
pub async fn matching_text(db: &Db, conversation_id: &str, q: &str) -> Result<Option<String>> {
    let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
    // `search_text` is folded to lower case; the snippet shows the message as written.
    let content: Option<String> = sqlx::query_scalar(
        "SELECT content FROM messages WHERE conversation_id = $1 \
         AND lower(search_text) LIKE $2 ESCAPE '\\' ORDER BY created_at DESC LIMIT 1",
    )
    .bind(conversation_id)
    .bind(pattern)
    .fetch_optional(db.pool())
    .await?;
    Ok(content.map(|json| {
        let parts: Vec<serde_json::Value> =
            super::decode_json("messages.content", conversation_id, &json, Vec::new());
        parts
            .iter()
            .filter_map(|part| part.get("text").and_then(serde_json::Value::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }))
}

/// What the owner may change.
#[derive(Debug, Default)]
pub struct ConversationPatch<'a> {
    pub title: Option<&'a str>,
    pub pinned: Option<bool>,
    pub archived: Option<bool>,
    pub agent_id: Option<&'a str>,
    pub current_message_id: Option<&'a str>,
}

pub async fn update_conversation(
    db: &Db,
    user_id: &str,
    id: &str,
    patch: &ConversationPatch<'_>,
) -> Result<()> {
    let result = sqlx::query(
        "UPDATE conversations SET title = COALESCE($3, title), pinned = COALESCE($4, pinned), \
         archived = COALESCE($5, archived), agent_id = COALESCE($6, agent_id), \
         current_message_id = COALESCE($7, current_message_id), updated_at = $8 \
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .bind(patch.title)
    .bind(patch.pinned.map(i64::from))
    .bind(patch.archived.map(i64::from))
    .bind(patch.agent_id)
    .bind(patch.current_message_id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    if result.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Deletes the conversation and its messages.
pub async fn delete_conversation(db: &Db, user_id: &str, id: &str) -> Result<()> {
    let result = sqlx::query("DELETE FROM conversations WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    if result.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Whether `message_id` is a message of this conversation (for branch switching).
pub async fn message_in_conversation(
    db: &Db,
    conversation_id: &str,
    message_id: &str,
) -> Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM messages WHERE id = $1 AND conversation_id = $2")
            .bind(message_id)
            .bind(conversation_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// Stores the upstream's ids for the conversation (FastGPT `chatId`, Dify `conversation_id`).
pub async fn set_upstream(db: &Db, id: &str, upstream: &str) -> Result<()> {
    sqlx::query("UPDATE conversations SET upstream = $2 WHERE id = $1")
        .bind(id)
        .bind(upstream)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Stores the app input variables the user gave (merged by the caller).
pub async fn set_variables(db: &Db, id: &str, variables: &str) -> Result<()> {
    sqlx::query("UPDATE conversations SET variables = $2 WHERE id = $1")
        .bind(id)
        .bind(variables)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Sets the title if the conversation still has none.
pub async fn set_title_if_empty(db: &Db, id: &str, title: &str) -> Result<()> {
    sqlx::query("UPDATE conversations SET title = $2 WHERE id = $1 AND title = ''")
        .bind(id)
        .bind(title)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Every conversation of the user's, oldest first (for their data export).
pub async fn all_of_user(db: &Db, user_id: &str) -> Result<Vec<ConversationRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM conversations c WHERE c.user_id = $1 ORDER BY c.created_at, c.id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_all(db.pool())
        .await?)
}
