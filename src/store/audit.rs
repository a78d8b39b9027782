//! The audit log: who did what to what, from where, with what result.

use sqlx::FromRow;

use crate::error::Result;
use crate::store::{Db, now_ms};

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub result: String,
    pub details: String,
    pub created_at: i64,
    /// The actor's username (null once the account is gone).
    pub actor_name: Option<String>,
    /// The target's name where the database knows it: a user's username, an API key's name.
    pub target_name: Option<String>,
}

/// One entry to write. `details` is JSON and must never hold secrets.
#[derive(Debug, Clone, Default)]
pub struct NewAudit {
    pub actor_id: Option<String>,
    pub action: &'static str,
    pub target_type: Option<&'static str>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub result: &'static str,
    pub details: serde_json::Value,
}

pub async fn insert_audit(db: &Db, entry: &NewAudit) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, actor_id, action, target_type, target_id, ip, user_agent, \
         request_id, result, details, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(entry.actor_id.as_deref())
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id.as_deref())
    .bind(entry.ip.as_deref())
    .bind(entry.user_agent.as_deref())
    .bind(entry.request_id.as_deref())
    .bind(entry.result)
    .bind(entry.details.to_string())
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

#[derive(Debug, Default)]
pub struct AuditFilter<'a> {
    pub actor_id: Option<&'a str>,
    pub action: Option<&'a str>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// Newest first, keyset-paginated on (created_at, id).
pub async fn list_audit(
    db: &Db,
    filter: &AuditFilter<'_>,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let (before_ts, before_id) = before.unwrap_or((i64::MAX, "\u{10FFFF}"));
    Ok(sqlx::query_as(
        "SELECT a.id, a.actor_id, a.action, a.target_type, a.target_id, a.ip, a.user_agent, \
         a.request_id, a.result, a.details, a.created_at, actor.username AS actor_name, \
         COALESCE(tu.username, k.name, g.name) AS target_name \
         FROM audit_log a \
         LEFT JOIN users actor ON actor.id = a.actor_id \
         LEFT JOIN users tu ON a.target_type = 'user' AND tu.id = a.target_id \
         LEFT JOIN api_keys k ON a.target_type = 'api_key' AND k.id = a.target_id \
         LEFT JOIN user_groups g ON a.target_type = 'group' AND g.id = a.target_id \
         WHERE ($1 IS NULL OR a.actor_id = $1) AND ($2 IS NULL OR a.action = $2) \
         AND ($3 IS NULL OR a.created_at >= $3) AND ($4 IS NULL OR a.created_at < $4) \
         AND (a.created_at < $5 OR (a.created_at = $5 AND a.id < $6)) \
         ORDER BY a.created_at DESC, a.id DESC LIMIT $7",
    )
    .bind(filter.actor_id)
    .bind(filter.action)
    .bind(filter.from_ms)
    .bind(filter.to_ms)
    .bind(before_ts)
    .bind(before_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}
