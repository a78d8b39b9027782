//! Tokens reserved against users' daily quotas by requests in flight (`quota_reservations`).
//!
//! A reservation is taken in one statement that also checks the quota, with the user's row
//! locked on PostgreSQL (SQLite takes its write lock before the statement reads), so parallel
//! requests on any number of replicas see each other's reservations. It is deleted in the
//! transaction that writes the request's usage record ([`settle_on`]), so the tokens move from
//! "reserved" to "used" at once. Reservations of an instance that stopped or stopped beating,
//! and any older than [`MAX_AGE_MS`], no longer count.

use crate::error::Result;
use crate::store::{Backend, Db, now_ms};

/// A reservation older than this no longer counts (a request whose usage record was lost).
pub const MAX_AGE_MS: i64 = 6 * 3600 * 1000;

/// Tokens a user has used since `since_ms` and holds in live reservations. `$1` user,
/// `$2` since, `$3` oldest live reservation, `$4` heartbeat cutoff.
const HELD: &str = "(SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) FROM usage_records \
       WHERE user_id = $1 AND created_at >= $2) \
     + (SELECT COALESCE(SUM(tokens), 0) FROM quota_reservations \
       WHERE user_id = $1 AND created_at >= $3 AND instance_id NOT IN \
         (SELECT id FROM server_instances WHERE stopped_at IS NOT NULL OR heartbeat_at < $4))";

/// What one reservation asks for.
pub struct Ask<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub instance_id: &'a str,
    pub tokens: u64,
    /// Usage since then counts against the quota (the start of the UTC day).
    pub since_ms: i64,
    pub quota: u64,
    /// Instances silent since then count as dead.
    pub heartbeat_cutoff_ms: i64,
}

/// Reserves `ask.tokens` if what the user used since `ask.since_ms` plus what their live
/// reservations hold is still below `ask.quota`; returns whether it did.
pub async fn reserve(db: &Db, ask: &Ask<'_>) -> Result<bool> {
    let now = now_ms();
    let mut tx = db.pool().begin().await?;
    if db.backend() == Backend::Postgres {
        // One user's reservations are taken one at a time, whichever replica takes them.
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(ask.user_id)
            .execute(&mut *tx)
            .await?;
    }
    let sql = format!(
        "INSERT INTO quota_reservations (id, user_id, instance_id, tokens, created_at) \
         SELECT $5, $1, $6, $7, $8 WHERE {HELD} < $9"
    );
    let inserted = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ask.user_id)
        .bind(ask.since_ms)
        .bind(now - MAX_AGE_MS)
        .bind(ask.heartbeat_cutoff_ms)
        .bind(ask.id)
        .bind(ask.instance_id)
        .bind(clamp(ask.tokens))
        .bind(now)
        .bind(clamp(ask.quota))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(inserted == 1)
}

/// Tokens the user used since `since_ms` plus those held by their live reservations (for the
/// message of a refusal).
pub async fn held(db: &Db, user_id: &str, since_ms: i64, heartbeat_cutoff_ms: i64) -> Result<u64> {
    let sql = format!("SELECT CAST({HELD} AS BIGINT)");
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(since_ms)
        .bind(now_ms() - MAX_AGE_MS)
        .bind(heartbeat_cutoff_ms)
        .fetch_one(db.pool())
        .await?;
    Ok(total.max(0) as u64)
}

/// Gives a reservation back without using it (the request never reached the upstream).
pub async fn release(db: &Db, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM quota_reservations WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Sets a reservation to the tokens its request really used (its usage record is on the way).
pub async fn shrink(db: &Db, id: &str, tokens: u64) -> Result<()> {
    sqlx::query("UPDATE quota_reservations SET tokens = $2 WHERE id = $1")
        .bind(id)
        .bind(clamp(tokens))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Deletes the reservations `ids` inside the caller's transaction (the one that writes their
/// usage records).
pub async fn settle_on<'a>(
    conn: &mut sqlx::AnyConnection,
    ids: impl Iterator<Item = &'a str>,
) -> sqlx::Result<()> {
    for id in ids {
        sqlx::query("DELETE FROM quota_reservations WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Deletes reservations that no longer count: of instances that stopped or fell silent
/// before `heartbeat_cutoff_ms`, or older than [`MAX_AGE_MS`]. Returns how many.
pub async fn sweep(db: &Db, heartbeat_cutoff_ms: i64) -> Result<u64> {
    let result = sqlx::query(
        "DELETE FROM quota_reservations WHERE created_at < $1 OR instance_id IN \
         (SELECT id FROM server_instances WHERE stopped_at IS NOT NULL OR heartbeat_at < $2)",
    )
    .bind(now_ms() - MAX_AGE_MS)
    .bind(heartbeat_cutoff_ms)
    .execute(db.pool())
    .await?;
    Ok(result.rows_affected())
}

fn clamp(tokens: u64) -> i64 {
    i64::try_from(tokens).unwrap_or(i64::MAX)
}
