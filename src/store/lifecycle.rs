//! The data lifecycle's SQL: accounts deleted at their owner's request (after a grace
//! period), conversations past their groups' retention, and uploads no message uses.

use crate::error::Result;
use crate::store::{Db, now_ms};

const DAY_MS: i64 = 86_400_000;

/// Schedules (`Some(at)`) or cancels (`None`) the deletion of an account.
pub async fn set_delete_after(db: &Db, user_id: &str, at: Option<i64>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE users SET delete_after = $2, updated_at = $3 WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user_id)
    .bind(at)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// When the account is to be deleted, if its owner asked.
pub async fn delete_after(db: &Db, user_id: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar::<_, Option<i64>>(
        "SELECT delete_after FROM users WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?
    .flatten())
}

/// Accounts whose grace period is over.
pub async fn accounts_due(db: &Db, now: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM users WHERE delete_after IS NOT NULL AND delete_after <= $1 \
         AND deleted_at IS NULL ORDER BY delete_after LIMIT 100",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?)
}

/// Deletes everything of the account's (conversations with their messages and share links,
/// uploads, presets, memberships, single sign-on links, budget), ends its sessions and keys, and leaves a row without
/// personal data so that usage records and the audit log still add up.
pub async fn purge_account(db: &Db, user_id: &str) -> Result<()> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    for sql in [
        "DELETE FROM shares WHERE user_id = $1",
        "DELETE FROM conversations WHERE user_id = $1",
        "DELETE FROM uploads WHERE user_id = $1",
        "DELETE FROM prompt_presets WHERE user_id = $1",
        "DELETE FROM group_members WHERE user_id = $1",
        "DELETE FROM refresh_tokens WHERE user_id = $1",
        "DELETE FROM user_identities WHERE user_id = $1",
        "DELETE FROM budgets WHERE scope = 'user' AND scope_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    // The username is freed (and no longer says who it was); the row stays for the records
    // that point to it.
    sqlx::query(
        "UPDATE users SET username = $2, email = NULL, display_name = NULL, \
         custom_instructions = NULL, password_hash = '!', disabled = 1, delete_after = NULL, \
         deleted_at = $3, updated_at = $3 WHERE id = $1",
    )
    .bind(user_id)
    .bind(format!("deleted-{user_id}"))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Each user's retention in days: the shortest of their groups' (users without one keep
/// everything).
const RETENTION: &str = "SELECT m.user_id, MIN(g.retention_days) AS days \
     FROM group_members m JOIN user_groups g ON g.id = m.group_id \
     WHERE g.retention_days IS NOT NULL GROUP BY m.user_id";

/// Conversations past their owner's retention at `now`.
pub async fn retention_due(db: &Db, now: i64) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM conversations c JOIN ({RETENTION}) r ON r.user_id = c.user_id \
         WHERE c.updated_at < $1 - r.days * {DAY_MS}"
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .fetch_one(db.pool())
        .await?)
}

/// Conversations of the group's members older than `days` (what the group's retention alone
/// would delete).
pub async fn group_due(db: &Db, group_id: &str, days: i64, now: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM conversations c JOIN group_members m ON m.user_id = c.user_id \
         WHERE m.group_id = $1 AND c.updated_at < $2",
    )
    .bind(group_id)
    .bind(now - days * DAY_MS)
    .fetch_one(db.pool())
    .await?)
}

/// Deletes up to `batch` conversations past their owner's retention; how many went.
pub async fn delete_retained(db: &Db, now: i64, batch: i64) -> Result<u64> {
    let sql = format!(
        "DELETE FROM conversations WHERE id IN (SELECT c.id FROM conversations c \
         JOIN ({RETENTION}) r ON r.user_id = c.user_id \
         WHERE c.updated_at < $1 - r.days * {DAY_MS} LIMIT $2)"
    );
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .bind(batch)
        .execute(db.pool())
        .await?
        .rows_affected())
}

/// A message that mentions upload `u`. Only its owner can attach an upload, so only the
/// owner's conversations are searched (through their indexes), not every message there is.
const MENTIONED: &str = "SELECT 1 FROM conversations c JOIN messages m ON m.conversation_id = c.id \
     WHERE c.user_id = u.user_id AND m.content LIKE '%' || u.id || '%'";

/// Deletes up to `batch` uploads made before `before` that no message mentions (never sent,
/// or their conversation is gone); how many went.
pub async fn delete_orphan_uploads(db: &Db, before: i64, batch: i64) -> Result<u64> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM uploads WHERE id IN (SELECT u.id FROM uploads u WHERE u.created_at < $1 \
             AND NOT EXISTS ({MENTIONED}) LIMIT $2)"
    )))
    .bind(before)
    .bind(batch)
    .execute(db.pool())
    .await?
    .rows_affected())
}

/// Uploads made before `before` that no message mentions.
pub async fn orphan_uploads_due(db: &Db, before: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM uploads u WHERE u.created_at < $1 AND NOT EXISTS ({MENTIONED})"
    )))
    .bind(before)
    .fetch_one(db.pool())
    .await?)
}
