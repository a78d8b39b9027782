//! API keys: stored as SHA-256 hashes with a display prefix, owner, expiry and allowed agents.

use sqlx::FromRow;

use crate::error::{Error, Result};
use crate::store::{Db, now_ms};

#[derive(Debug, Clone, FromRow)]
pub struct ApiKeyRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub prefix: String,
    /// JSON array of agent ids, or NULL for all agents.
    pub allowed_agents: Option<String>,
    /// Comma-separated scopes (`chat`, `admin`).
    pub scopes: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, name, prefix, allowed_agents, scopes, created_at, last_used_at, expires_at, revoked_at";

pub struct NewApiKey<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub allowed_agents: Option<String>,
    pub scopes: String,
    pub expires_at: Option<i64>,
}

pub async fn insert_api_key(db: &Db, key: NewApiKey<'_>) -> Result<ApiKeyRow> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, allowed_agents, scopes, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(key.user_id)
    .bind(key.name)
    .bind(key.prefix)
    .bind(key.key_hash)
    .bind(key.allowed_agents)
    .bind(key.scopes)
    .bind(now_ms())
    .bind(key.expires_at)
    .execute(db.pool())
    .await?;
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&id)
        .fetch_one(db.pool())
        .await?)
}

/// The key with this hash, whatever its state; the caller checks revocation and expiry.
pub async fn find_api_key_by_hash(db: &Db, key_hash: &str) -> Result<Option<ApiKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE key_hash = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(key_hash)
        .fetch_optional(db.pool())
        .await?)
}

/// A user's keys that are not revoked, newest first.
pub async fn list_api_keys(
    db: &Db,
    user_id: &str,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<ApiKeyRow>> {
    let (before_ts, before_id) = before.unwrap_or((i64::MAX, "\u{10FFFF}"));
    let sql = format!(
        "SELECT {COLUMNS} FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL \
         AND (created_at < $2 OR (created_at = $2 AND id < $3)) \
         ORDER BY created_at DESC, id DESC LIMIT $4"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(before_ts)
        .bind(before_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// Revokes one of the user's keys; returns the key's hash so caches can forget it.
pub async fn revoke_api_key(db: &Db, user_id: &str, id: &str) -> Result<String> {
    let hash: Option<String> = sqlx::query_scalar(
        "UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND user_id = $2 \
         AND revoked_at IS NULL RETURNING key_hash",
    )
    .bind(id)
    .bind(user_id)
    .bind(now_ms())
    .fetch_optional(db.pool())
    .await?;
    hash.ok_or(Error::NotFound)
}

/// Revokes every key of the user; returns their hashes so caches can forget them.
pub async fn revoke_user_api_keys(db: &Db, user_id: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "UPDATE api_keys SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL \
         RETURNING key_hash",
    )
    .bind(user_id)
    .bind(now_ms())
    .fetch_all(db.pool())
    .await?)
}

/// How many of the user's keys still work (neither revoked nor expired).
pub async fn count_live_api_keys(db: &Db, user_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(user_id)
    .bind(now_ms())
    .fetch_one(db.pool())
    .await?)
}

/// Writes a batch of last-used times (key id → unix ms) at once.
pub async fn touch_api_keys(db: &Db, batch: &[(String, i64)]) -> Result<()> {
    let mut tx = db.begin_write().await?;
    for (id, at) in batch {
        sqlx::query(
            "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 \
             AND (last_used_at IS NULL OR last_used_at < $2)",
        )
        .bind(id)
        .bind(*at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
