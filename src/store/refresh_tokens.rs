//! Refresh tokens, stored as SHA-256 hashes, grouped in families for rotation and reuse
//! detection.

use sqlx::FromRow;

use crate::error::Result;
use crate::store::{Db, now_ms};

#[derive(Debug, Clone, FromRow)]
pub struct RefreshTokenRow {
    pub id: String,
    pub user_id: String,
    pub family_id: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub struct NewRefreshToken<'a> {
    pub user_id: &'a str,
    pub family_id: &'a str,
    pub token_hash: &'a str,
    pub expires_at: i64,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
}

pub async fn insert_refresh_token(db: &Db, token: NewRefreshToken<'_>) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, user_agent, ip, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(token.user_id)
    .bind(token.family_id)
    .bind(token.token_hash)
    .bind(token.user_agent)
    .bind(token.ip)
    .bind(now_ms())
    .bind(token.expires_at)
    .execute(db.pool())
    .await?;
    Ok(id)
}

pub async fn find_refresh_token(db: &Db, token_hash: &str) -> Result<Option<RefreshTokenRow>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, family_id, expires_at, used_at, revoked_at FROM refresh_tokens \
         WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?)
}

/// Marks a token used; false when it already was (a concurrent or replayed refresh).
pub async fn mark_refresh_token_used(db: &Db, id: &str) -> Result<bool> {
    let result = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL \
         AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn revoke_family(db: &Db, family_id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family_id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Whether the session (refresh-token family) has not been signed out: some token of it is
/// not revoked. Access tokens name their session, so this ends them at once on logout.
pub async fn session_is_live(db: &Db, family_id: &str) -> Result<bool> {
    let live: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL LIMIT 1",
    )
    .bind(family_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(live.is_some())
}

/// Revokes every session of a user, except the family `keep` (the caller's own session).
pub async fn revoke_user_tokens(db: &Db, user_id: &str, keep: Option<&str>) -> Result<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $3 WHERE user_id = $1 AND revoked_at IS NULL \
         AND ($2 IS NULL OR family_id <> $2)",
    )
    .bind(user_id)
    .bind(keep)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}
