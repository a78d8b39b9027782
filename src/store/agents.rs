//! Agents defined by admins: the definition as JSON (provider keys encrypted), keyed by id.

use sqlx::FromRow;

use crate::error::Result;
use crate::store::{Db, now_ms};

#[derive(Debug, Clone, FromRow)]
pub struct AgentRow {
    pub id: String,
    pub definition: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub async fn list_agents(db: &Db) -> Result<Vec<AgentRow>> {
    Ok(sqlx::query_as(
        "SELECT id, definition, created_at, updated_at FROM agents ORDER BY created_at, id",
    )
    .fetch_all(db.pool())
    .await?)
}

pub async fn get_agent(db: &Db, id: &str) -> Result<Option<AgentRow>> {
    Ok(
        sqlx::query_as("SELECT id, definition, created_at, updated_at FROM agents WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Creates or replaces the definition of `id`.
pub async fn upsert_agent(
    db: &Db,
    id: &str,
    definition: &str,
    enabled: bool,
    by: &str,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO agents (id, definition, enabled, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) \
         ON CONFLICT (id) DO UPDATE SET definition = $2, enabled = $3, updated_at = $5",
    )
    .bind(id)
    .bind(definition)
    .bind(i64::from(enabled))
    .bind(by)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Deletes the stored definition; false when there was none.
pub async fn delete_agent(db: &Db, id: &str) -> Result<bool> {
    let result = sqlx::query("DELETE FROM agents WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(result.rows_affected() > 0)
}
