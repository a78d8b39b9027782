//! Share links: read-only snapshots of a conversation, revocable, optionally expiring or for
//! signed-in members only. The row's id is the random token of the link.

use sqlx::FromRow;

use crate::error::{Error, Result};
use crate::store::{Db, now_ms};

#[derive(Debug, Clone, FromRow)]
pub struct ShareRow {
    pub id: String,
    pub conversation_id: String,
    pub user_id: String,
    pub title: String,
    pub agent_id: String,
    pub agent_name: String,
    pub snapshot: String,
    pub message_count: i64,
    pub members_only: i64,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ShareRow {
    /// Whether the link still opens at `now` (unix ms).
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

pub struct NewShare<'a> {
    pub id: &'a str,
    pub conversation_id: &'a str,
    pub user_id: &'a str,
    pub title: &'a str,
    pub agent_id: &'a str,
    pub agent_name: &'a str,
    pub snapshot: &'a str,
    pub message_count: i64,
    pub members_only: bool,
    pub expires_at: Option<i64>,
}

const COLUMNS: &str = "s.id, s.conversation_id, s.user_id, s.title, s.agent_id, s.agent_name, \
                       s.snapshot, s.message_count, s.members_only, s.created_at, s.expires_at, \
                       s.revoked_at";

pub async fn insert_share(db: &Db, new: NewShare<'_>) -> Result<ShareRow> {
    sqlx::query(
        "INSERT INTO shares (id, conversation_id, user_id, title, agent_id, agent_name, \
         snapshot, message_count, members_only, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new.id)
    .bind(new.conversation_id)
    .bind(new.user_id)
    .bind(new.title)
    .bind(new.agent_id)
    .bind(new.agent_name)
    .bind(new.snapshot)
    .bind(new.message_count)
    .bind(i64::from(new.members_only))
    .bind(now_ms())
    .bind(new.expires_at)
    .execute(db.pool())
    .await?;
    owned(db, new.user_id, new.id).await?.ok_or(Error::NotFound)
}

/// A share of `user_id`'s, live or not.
pub async fn owned(db: &Db, user_id: &str, id: &str) -> Result<Option<ShareRow>> {
    let sql = format!("SELECT {COLUMNS} FROM shares s WHERE s.id = $1 AND s.user_id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?)
}

/// The share a link opens: not revoked or expired, its conversation still there and its
/// owner neither deleted nor disabled.
pub async fn open(db: &Db, id: &str) -> Result<Option<ShareRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM shares s \
         JOIN conversations c ON c.id = s.conversation_id \
         JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > $2) \
         AND u.deleted_at IS NULL AND u.disabled = 0"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(now_ms())
        .fetch_optional(db.pool())
        .await?)
}

/// The user's shares, newest first; of one conversation when `conversation_id` is given.
pub async fn list_shares(
    db: &Db,
    user_id: &str,
    conversation_id: Option<&str>,
) -> Result<Vec<ShareRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM shares s WHERE s.user_id = $1 \
         AND ($2 IS NULL OR s.conversation_id = $2) ORDER BY s.created_at DESC, s.id DESC \
         LIMIT 500"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(conversation_id)
        .fetch_all(db.pool())
        .await?)
}

/// Revokes one of `user_id`'s shares; `NotFound` when there is no such share of theirs,
/// `false` when it was revoked already.
pub async fn revoke(db: &Db, user_id: &str, id: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE shares SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    match owned(db, user_id, id).await? {
        Some(_) => Ok(false),
        None => Err(Error::NotFound),
    }
}
