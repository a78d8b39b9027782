//! Reading `usage_records` for reports: sums grouped by a time bucket and/or a key (user,
//! agent, provider), raw time-to-first-token samples for percentiles, and the counts behind
//! the admin statistics. One SQL text for both databases; buckets are integer divisions of the
//! unix-ms `created_at`. Rows are written by `crate::usage`.

use sqlx::FromRow;

use crate::error::Result;
use crate::store::Db;

/// What rows are grouped by besides the time bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    None,
    User,
    Agent,
    Provider,
}

impl Key {
    fn column(self) -> &'static str {
        match self {
            Key::None => "CAST(NULL AS TEXT)",
            Key::User => "r.user_id",
            Key::Agent => "r.agent_id",
            Key::Provider => "r.provider",
        }
    }
}

/// Which records: one user's (or everyone's) in `[from_ms, to_ms)`.
#[derive(Debug, Clone, Copy)]
pub struct UsageFilter<'a> {
    pub user_id: Option<&'a str>,
    pub from_ms: i64,
    pub to_ms: i64,
}

/// Sums over one group.
#[derive(Debug, Clone, FromRow)]
pub struct UsageGroupRow {
    /// `created_at / bucket_ms`, or 0 without buckets.
    pub bucket: i64,
    /// The user id, agent id or provider; `None` for [`Key::None`] and for records without a
    /// user (deleted users, anonymous requests).
    pub key: Option<String>,
    /// The username, for [`Key::User`].
    pub username: Option<String>,
    pub requests: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// Records whose outcome is `error`.
    pub errors: i64,
    /// Sum and count of the recorded times to first token (for the average).
    pub ttft_sum: i64,
    pub ttft_count: i64,
}

/// Sums of the filtered records grouped by `key` and, when `bucket_ms` is given, by
/// `created_at / bucket_ms`. Unordered.
pub async fn usage_groups(
    db: &Db,
    filter: UsageFilter<'_>,
    key: Key,
    bucket_ms: Option<i64>,
) -> Result<Vec<UsageGroupRow>> {
    let bucket = if bucket_ms.is_some() {
        "r.created_at / $4"
    } else {
        "CAST(0 AS BIGINT)"
    };
    let mut group_by = Vec::new();
    if bucket_ms.is_some() {
        group_by.push("1");
    }
    if key != Key::None {
        group_by.push("2");
    }
    let (username, join) = if key == Key::User {
        ("MAX(u.username)", "LEFT JOIN users u ON u.id = r.user_id")
    } else {
        ("CAST(NULL AS TEXT)", "")
    };
    let group_by = if group_by.is_empty() {
        String::new()
    } else {
        format!("GROUP BY {}", group_by.join(", "))
    };
    let sql = format!(
        "SELECT {bucket} AS bucket, {key} AS key, {username} AS username, \
         COUNT(*) AS requests, \
         CAST(COALESCE(SUM(r.prompt_tokens), 0) AS BIGINT) AS prompt_tokens, \
         CAST(COALESCE(SUM(r.completion_tokens), 0) AS BIGINT) AS completion_tokens, \
         CAST(COALESCE(SUM(CASE WHEN r.outcome = 'error' THEN 1 ELSE 0 END), 0) AS BIGINT) AS errors, \
         CAST(COALESCE(SUM(r.ttft_ms), 0) AS BIGINT) AS ttft_sum, \
         COUNT(r.ttft_ms) AS ttft_count \
         FROM usage_records r {join} \
         WHERE ($1 IS NULL OR r.user_id = $1) AND r.created_at >= $2 AND r.created_at < $3 \
         {group_by}",
        key = key.column(),
    );
    let mut query = sqlx::query_as::<_, UsageGroupRow>(sqlx::AssertSqlSafe(sql))
        .bind(filter.user_id)
        .bind(filter.from_ms)
        .bind(filter.to_ms);
    if let Some(width) = bucket_ms {
        query = query.bind(width.max(1));
    }
    let rows = query.fetch_all(db.pool()).await?;
    // Without GROUP BY an empty range still yields one row of zeros.
    Ok(rows.into_iter().filter(|r| r.requests > 0).collect())
}

/// One recorded time to first token.
#[derive(Debug, Clone, FromRow)]
pub struct TtftSample {
    pub created_at: i64,
    /// As in [`UsageGroupRow::key`].
    pub key: Option<String>,
    pub ttft_ms: i64,
}

/// The times to first token of the newest `limit` filtered records that have one.
pub async fn ttft_samples(
    db: &Db,
    filter: UsageFilter<'_>,
    key: Key,
    limit: i64,
) -> Result<Vec<TtftSample>> {
    let sql = format!(
        "SELECT r.created_at, {key} AS key, r.ttft_ms FROM usage_records r \
         WHERE ($1 IS NULL OR r.user_id = $1) AND r.created_at >= $2 AND r.created_at < $3 \
         AND r.ttft_ms IS NOT NULL ORDER BY r.created_at DESC LIMIT $4",
        key = key.column(),
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(filter.user_id)
        .bind(filter.from_ms)
        .bind(filter.to_ms)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// Totals for the admin dashboard.
#[derive(Debug, Clone, FromRow)]
pub struct Counts {
    /// Users not deleted.
    pub users: i64,
    /// Of those, the ones who signed in or made a request since `active_since`.
    pub active_users: i64,
    pub conversations: i64,
    pub messages: i64,
}

/// Users (total and active since `active_since`), conversations and messages.
pub async fn counts(db: &Db, active_since: i64) -> Result<Counts> {
    Ok(sqlx::query_as(
        "SELECT \
         (SELECT COUNT(*) FROM users WHERE deleted_at IS NULL) AS users, \
         (SELECT COUNT(*) FROM users u WHERE u.deleted_at IS NULL AND (u.last_login_at >= $1 \
           OR EXISTS (SELECT 1 FROM usage_records r WHERE r.user_id = u.id AND r.created_at >= $1))) \
           AS active_users, \
         (SELECT COUNT(*) FROM conversations) AS conversations, \
         (SELECT COUNT(*) FROM messages) AS messages",
    )
    .bind(active_since)
    .fetch_one(db.pool())
    .await?)
}

/// Messages created in `[from_ms, to_ms)` per `created_at / bucket_ms`: `(bucket, count)`.
pub async fn messages_per_bucket(
    db: &Db,
    from_ms: i64,
    to_ms: i64,
    bucket_ms: i64,
) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT created_at / $3 AS bucket, COUNT(*) AS messages FROM messages \
         WHERE created_at >= $1 AND created_at < $2 GROUP BY 1",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(bucket_ms.max(1))
    .fetch_all(db.pool())
    .await?)
}
