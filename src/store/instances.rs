//! Server instances (replicas) and the turns they own: each instance registers itself, beats
//! its heart, and marks as `interrupted` the turns whose owner stopped beating — never a live
//! instance's turns.

use crate::error::Result;
use crate::store::{Db, now_ms};

/// Registers this instance.
pub async fn register(db: &Db, id: &str, hostname: &str, version: &str) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO server_instances (id, hostname, version, started_at, heartbeat_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(id)
    .bind(hostname)
    .bind(version)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Proves this instance and its running turns alive.
pub async fn heartbeat(db: &Db, id: &str) -> Result<()> {
    let now = now_ms();
    sqlx::query("UPDATE server_instances SET heartbeat_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query(
        "UPDATE messages SET heartbeat_at = $2 WHERE instance_id = $1 AND status = 'streaming'",
    )
    .bind(id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Marks as interrupted the streaming turns whose owner has not beaten since `cutoff_ms`, or
/// that belong to an instance that stopped; returns their message ids.
pub async fn interrupt_orphans(db: &Db, cutoff_ms: i64) -> Result<Vec<String>> {
    let ids = sqlx::query_scalar(
        "UPDATE messages SET status = 'interrupted', updated_at = $2, \
         error = '{\"code\":\"interrupted\",\"message\":\"the server stopped during this answer\"}' \
         WHERE status = 'streaming' AND (heartbeat_at IS NULL OR heartbeat_at < $1 \
         OR instance_id IN (SELECT id FROM server_instances WHERE stopped_at IS NOT NULL)) \
         RETURNING id",
    )
    .bind(cutoff_ms)
    .bind(now_ms())
    .fetch_all(db.pool())
    .await?;
    Ok(ids)
}

/// Marks this instance stopped (after its turns were saved), and forgets long-dead ones.
pub async fn stopped(db: &Db, id: &str) -> Result<()> {
    let now = now_ms();
    sqlx::query("UPDATE server_instances SET stopped_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(db.pool())
        .await?;
    sqlx::query("DELETE FROM server_instances WHERE heartbeat_at < $1")
        .bind(now - 7 * 24 * 3600 * 1000)
        .execute(db.pool())
        .await?;
    Ok(())
}
