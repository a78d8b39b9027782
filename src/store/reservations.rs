//! Tokens and cost reserved against quotas and budgets by requests in flight
//! (`quota_reservations`).
//!
//! A reservation is taken in one statement that also checks every limit that applies, with
//! the user's (and groups') rows locked on PostgreSQL (SQLite takes its write lock before the
//! statement reads), so parallel requests on any number of replicas see each other's
//! reservations. It is deleted in the
//! transaction that writes the request's usage record ([`settle_on`]), so the tokens move from
//! "reserved" to "used" at once. Reservations of an instance that stopped or stopped beating,
//! and any older than [`MAX_AGE_MS`], no longer count.

use crate::error::Result;
use crate::store::{Backend, Db, now_ms};

/// A reservation older than this no longer counts (a request whose usage record was lost).
pub const MAX_AGE_MS: i64 = 6 * 3600 * 1000;

/// Who a limit counts: one user, or the members of a group together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    User(String),
    Group(String),
}

/// What a limit counts: tokens (prompt + completion), or cost (micros).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Tokens,
    Cost,
}

/// One limit a reservation must stay within: what `scope` used of `measure` since
/// `since_ms`, plus what its live reservations hold, must be below `max`.
#[derive(Debug, Clone)]
pub struct Limit {
    pub scope: Scope,
    pub measure: Measure,
    pub since_ms: i64,
    pub max: i64,
}

impl Limit {
    /// The SQL of what the limit's scope used and holds; its own parameters are `$k` (the
    /// scope's id) and `$k+1` (since). `$1` is the oldest live reservation, `$2` the heartbeat
    /// cutoff.
    fn held_sql(&self, k: usize) -> String {
        let who = match self.scope {
            Scope::User(_) => format!("user_id = ${k}"),
            Scope::Group(_) => {
                format!("user_id IN (SELECT user_id FROM group_members WHERE group_id = ${k})")
            }
        };
        let (used, held) = match self.measure {
            Measure::Tokens => ("prompt_tokens + completion_tokens", "tokens"),
            Measure::Cost => ("COALESCE(cost_micros, 0)", "cost_micros"),
        };
        format!(
            "(SELECT COALESCE(SUM({used}), 0) FROM usage_records WHERE {who} AND created_at >= ${since}) \
             + (SELECT COALESCE(SUM({held}), 0) FROM quota_reservations WHERE {who} \
               AND created_at >= $1 AND instance_id NOT IN \
               (SELECT id FROM server_instances WHERE stopped_at IS NOT NULL OR heartbeat_at < $2))",
            since = k + 1
        )
    }

    fn scope_id(&self) -> &str {
        match &self.scope {
            Scope::User(id) | Scope::Group(id) => id,
        }
    }
}

/// What one reservation asks for.
pub struct Ask<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub instance_id: &'a str,
    pub tokens: u64,
    /// The estimated cost held (micros).
    pub cost_micros: i64,
    /// Instances silent since then count as dead.
    pub heartbeat_cutoff_ms: i64,
}

/// Reserves `ask` if every limit still has room (what its scope used plus what live
/// reservations hold is below its maximum); returns whether it did. Checked and inserted in
/// one statement, with the user's and the groups' rows locked on PostgreSQL (SQLite takes its
/// write lock before the statement reads), so requests on any replica see each other.
pub async fn reserve(db: &Db, ask: &Ask<'_>, limits: &[Limit]) -> Result<bool> {
    let now = now_ms();
    // SQLite takes the write lock first (waiting for it), so that the check and the insert
    // see the same state and never meet another writer half-way.
    let mut tx = db.begin_write().await?;
    if db.backend() == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(ask.user_id)
            .execute(&mut *tx)
            .await?;
        let mut groups: Vec<&str> = limits
            .iter()
            .filter(|l| matches!(l.scope, Scope::Group(_)))
            .map(Limit::scope_id)
            .collect();
        groups.sort_unstable();
        groups.dedup();
        for group in groups {
            sqlx::query("SELECT id FROM user_groups WHERE id = $1 FOR UPDATE")
                .bind(group)
                .execute(&mut *tx)
                .await?;
        }
    }
    let mut sql = String::from(
        "INSERT INTO quota_reservations (id, user_id, instance_id, tokens, cost_micros, created_at) \
         SELECT $3, $4, $5, $6, $7, $8 WHERE 1 = 1",
    );
    for (i, limit) in limits.iter().enumerate() {
        let k = 9 + i * 3;
        sql.push_str(&format!(" AND {} < ${}", limit.held_sql(k), k + 2));
    }
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now - MAX_AGE_MS)
        .bind(ask.heartbeat_cutoff_ms)
        .bind(ask.id)
        .bind(ask.user_id)
        .bind(ask.instance_id)
        .bind(clamp(ask.tokens))
        .bind(ask.cost_micros)
        .bind(now);
    for limit in limits {
        query = query
            .bind(limit.scope_id().to_string())
            .bind(limit.since_ms)
            .bind(limit.max);
    }
    let inserted = query.execute(&mut *tx).await?.rows_affected();
    tx.commit().await?;
    Ok(inserted == 1)
}

/// What the limit's scope used since its start plus what its live reservations hold.
pub async fn held(db: &Db, limit: &Limit, heartbeat_cutoff_ms: i64) -> Result<i64> {
    let sql = format!("SELECT CAST({} AS BIGINT)", limit.held_sql(3));
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(now_ms() - MAX_AGE_MS)
        .bind(heartbeat_cutoff_ms)
        .bind(limit.scope_id().to_string())
        .bind(limit.since_ms)
        .fetch_one(db.pool())
        .await?;
    Ok(total.max(0))
}

/// Gives a reservation back without using it (the request never reached the upstream).
pub async fn release(db: &Db, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM quota_reservations WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Sets a reservation to what its request really used (its usage record is on the way): the
/// tokens, and their cost at `model`'s price (none without a price).
pub async fn shrink(
    db: &Db,
    id: &str,
    prompt_tokens: u64,
    completion_tokens: u64,
    model: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE quota_reservations SET tokens = $2, cost_micros = COALESCE(\
         (SELECT (input_micros * $3 + output_micros * $4) / 1000000 FROM model_prices \
          WHERE model = $5), 0) WHERE id = $1",
    )
    .bind(id)
    .bind(clamp(prompt_tokens.saturating_add(completion_tokens)))
    .bind(clamp(prompt_tokens))
    .bind(clamp(completion_tokens))
    .bind(model)
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
