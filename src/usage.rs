//! Usage accounting: every turn and every `/v1` request becomes one [`UsageRecord`], counted in
//! the LLM metrics at once and written to `usage_records` in batches by a background task, so
//! that no response ever waits for the database.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::store::{Backend, Db, now_ms};

pub mod budgets;
mod estimate;
mod meter;
pub use estimate::{estimate_prompt, estimate_tokens, message_tokens};
pub use meter::Meter;

/// At most this many records wait in memory; beyond it new ones are dropped (and counted)
/// rather than slowing answers down.
const QUEUE: usize = 16_384;
/// Rows per INSERT.
const BATCH: usize = 256;
/// Longest a record waits before being written.
const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Error,
    Stopped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Stopped => "stopped",
        }
    }
}

/// One request to an agent, as accounted.
#[derive(Debug, Clone)]
pub struct UsageRecord {
    pub user_id: Option<String>,
    pub api_key_id: Option<String>,
    pub conversation_id: Option<String>,
    pub message_id: Option<String>,
    pub agent_id: String,
    /// `openai`, `anthropic`, `fastgpt`, `dify` or `demo`.
    pub provider: &'static str,
    pub model: Option<String>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// The counts are our estimate, not the upstream's.
    pub estimated: bool,
    pub ttft_ms: Option<u64>,
    pub duration_ms: Option<u64>,
    pub outcome: Outcome,
    /// A short machine-readable reason when `outcome` is `Error`.
    pub error_code: Option<String>,
    /// Unix milliseconds; set by [`UsageRecord::new`].
    pub created_at: i64,
    /// The daily-quota reservation this record settles: deleted in the transaction that
    /// writes the record.
    pub reservation_id: Option<String>,
}

impl UsageRecord {
    /// A record for `agent_id` on `provider`, timestamped now, with everything else empty.
    pub fn new(agent_id: &str, provider: &'static str) -> UsageRecord {
        UsageRecord {
            user_id: None,
            api_key_id: None,
            conversation_id: None,
            message_id: None,
            agent_id: agent_id.to_string(),
            provider,
            model: None,
            prompt_tokens: 0,
            completion_tokens: 0,
            estimated: false,
            ttft_ms: None,
            duration_ms: None,
            outcome: Outcome::Ok,
            error_code: None,
            created_at: now_ms(),
            reservation_id: None,
        }
    }
}

/// Hands records to the background writer; cheap to clone.
#[derive(Clone)]
pub struct UsageRecorder {
    tx: mpsc::Sender<UsageRecord>,
}

/// The receiving end, drained by [`run_writer`].
pub struct UsageQueue {
    rx: mpsc::Receiver<UsageRecord>,
}

impl UsageRecorder {
    pub fn new() -> (UsageRecorder, UsageQueue) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (UsageRecorder { tx }, UsageQueue { rx })
    }

    /// Counts the record in the metrics now and queues it for the database.
    pub fn record(&self, record: UsageRecord) {
        count(&record);
        if let Err(e) = self.tx.try_send(record) {
            metrics::counter!("llmchat_usage_dropped_total").increment(1);
            match e {
                mpsc::error::TrySendError::Full(_) => {
                    tracing::warn!("usage queue full; a usage record was dropped")
                }
                mpsc::error::TrySendError::Closed(_) => {
                    tracing::warn!("usage writer already stopped; a usage record was dropped")
                }
            }
        }
    }
}

fn count(record: &UsageRecord) {
    let handles = llm_handles(&record.agent_id, record.provider);
    let requests = match record.outcome {
        Outcome::Ok => &handles.ok,
        Outcome::Error => &handles.error,
        Outcome::Stopped => &handles.stopped,
    };
    requests.increment(1);
    if record.prompt_tokens > 0 {
        handles.prompt_tokens.increment(record.prompt_tokens);
    }
    if record.completion_tokens > 0 {
        handles
            .completion_tokens
            .increment(record.completion_tokens);
    }
    if let Some(ttft) = record.ttft_ms {
        handles.ttft.record(ttft as f64 / 1000.0);
    }
}

/// One agent's LLM metrics, as answered by one provider (a fallback's may differ).
#[derive(Clone)]
struct LlmHandles {
    provider: &'static str,
    ok: metrics::Counter,
    error: metrics::Counter,
    stopped: metrics::Counter,
    prompt_tokens: metrics::Counter,
    completion_tokens: metrics::Counter,
    ttft: metrics::Histogram,
}

fn llm_handles(agent: &str, provider: &'static str) -> LlmHandles {
    static CACHE: std::sync::LazyLock<crate::telemetry::HandleCache<LlmHandles>> =
        std::sync::LazyLock::new(Default::default);
    CACHE.get(
        agent,
        |h| h.provider == provider,
        || {
            let requests = |status: Outcome| {
                metrics::counter!(
                    "llm_requests_total",
                    "agent" => agent.to_owned(),
                    "provider" => provider,
                    "status" => status.as_str(),
                )
            };
            let tokens = |kind: &'static str| {
                metrics::counter!(
                    "llm_tokens_total",
                    "agent" => agent.to_owned(),
                    "provider" => provider,
                    "type" => kind,
                )
            };
            LlmHandles {
                provider,
                ok: requests(Outcome::Ok),
                error: requests(Outcome::Error),
                stopped: requests(Outcome::Stopped),
                prompt_tokens: tokens("prompt"),
                completion_tokens: tokens("completion"),
                ttft: metrics::histogram!(
                    "llm_time_to_first_token_seconds",
                    "agent" => agent.to_owned(),
                    "provider" => provider,
                ),
            }
        },
    )
}

/// Counts an upstream failure by agent, provider and kind (`connect`, `interrupted`, `timeout`,
/// `status_429`, `status_5xx`, `status_4xx`, `protocol`, `error_event`).
pub fn count_upstream_error(agent: &str, provider: &'static str, error: &crate::llm::LlmError) {
    use crate::llm::LlmError;
    let kind = match error {
        LlmError::Connect(_) => "connect",
        LlmError::Interrupted(_) => "interrupted",
        LlmError::IdleTimeout(_) => "timeout",
        LlmError::Protocol(_) => "protocol",
        LlmError::Upstream {
            status: Some(429), ..
        } => "status_429",
        LlmError::Upstream {
            status: Some(500..=599),
            ..
        } => "status_5xx",
        LlmError::Upstream {
            status: Some(_), ..
        } => "status_4xx",
        LlmError::Upstream { status: None, .. } => "error_event",
    };
    tracing::warn!(agent, provider, kind, error = %error, "upstream call failed");
    metrics::counter!(
        "llm_upstream_errors_total",
        "agent" => agent.to_owned(),
        "provider" => provider,
        "kind" => kind,
    )
    .increment(1);
}

/// Counts a stream while it is open (`llm_active_streams`).
pub struct ActiveStream(());

impl ActiveStream {
    pub fn open() -> ActiveStream {
        metrics::gauge!("llm_active_streams").increment(1.0);
        ActiveStream(())
    }
}

impl Drop for ActiveStream {
    fn drop(&mut self) {
        metrics::gauge!("llm_active_streams").decrement(1.0);
    }
}

/// Writes queued records in batches until `shutdown`, then writes what is left.
pub async fn run_writer(
    db: Db,
    mut queue: UsageQueue,
    shutdown: tokio_util::sync::CancellationToken,
) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut writer = Writer { db, conn: None };
    loop {
        let stop = tokio::select! {
            n = queue.rx.recv_many(&mut batch, BATCH) => n == 0,
            () = shutdown.cancelled() => true,
        };
        if stop {
            queue.rx.close();
            while queue.rx.recv_many(&mut batch, BATCH).await > 0 {
                writer.write(&mut batch).await;
            }
            return;
        }
        // Let a burst gather into one INSERT.
        if batch.len() < BATCH {
            let deadline = tokio::time::sleep(FLUSH_EVERY);
            tokio::pin!(deadline);
            while batch.len() < BATCH {
                let room = BATCH - batch.len();
                tokio::select! {
                    n = queue.rx.recv_many(&mut batch, room) => if n == 0 { break },
                    () = &mut deadline => break,
                }
            }
        }
        writer.write(&mut batch).await;
    }
}

/// Writes batches on one connection of its own, kept between batches: were each batch to take
/// whichever connection the pool hands out, every connection would end up caching the large
/// INSERT statements and usage pages (SQLite keeps both per connection), tens of MiB in all.
struct Writer {
    db: Db,
    conn: Option<sqlx::pool::PoolConnection<sqlx::Any>>,
}

impl Writer {
    async fn write(&mut self, batch: &mut Vec<UsageRecord>) {
        if batch.is_empty() {
            return;
        }
        let error = match self.insert(batch).await {
            Ok(()) => {
                batch.clear();
                return;
            }
            Err(e) => e,
        };
        if is_connection_error(&error) {
            tracing::warn!(error = %error, rows = batch.len(), "cannot write usage records; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            if self.insert(batch).await.is_ok() {
                batch.clear();
                return;
            }
        }
        // One row can spoil a batch (its conversation was deleted meanwhile): write them one
        // by one, without the conversation when that is what fails.
        let mut lost = 0u64;
        for record in batch.drain(..) {
            if self.insert(std::slice::from_ref(&record)).await.is_ok() {
                continue;
            }
            let detached = UsageRecord {
                conversation_id: None,
                ..record
            };
            if let Err(e) = self.insert(std::slice::from_ref(&detached)).await {
                tracing::error!(error = %e, agent = %detached.agent_id, "usage record lost");
                lost += 1;
            }
        }
        if lost > 0 {
            metrics::counter!("llmchat_usage_dropped_total").increment(lost);
        }
    }

    /// Inserts on the kept connection (taken from the pool when there is none); a connection
    /// that failed is given up, and the next batch takes a fresh one.
    async fn insert(&mut self, batch: &[UsageRecord]) -> sqlx::Result<()> {
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => self.conn.insert(self.db.pool().acquire().await?),
        };
        let result = insert_on(conn, self.db.backend(), batch).await;
        if result.as_ref().is_err_and(is_connection_error) {
            self.conn = None;
        }
        result
    }
}

fn is_connection_error(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
    )
}

/// Parameters per row: the 16 columns, then prompt tokens, completion tokens and model again
/// for the cost, computed from the price table as the row is written.
const COLUMNS: usize = 19;

const INSERT: &str = "INSERT INTO usage_records (id, user_id, api_key_id, conversation_id, \
     message_id, agent_id, provider, model, prompt_tokens, completion_tokens, estimated, ttft_ms, \
     duration_ms, outcome, error_code, created_at, cost_micros) VALUES ";

/// Rows per INSERT statement, largest first: a batch is written as statements of these sizes,
/// so that only a handful of distinct statements exist and each is prepared once (sqlx caches
/// them per connection) instead of parsed anew for every odd-sized batch. A prepared 64-row
/// INSERT is already a sizeable program in SQLite; a 256-row one was four times that.
const CHUNKS: [usize; 4] = [64, 16, 4, 1];

/// Writes `batch` now, in one transaction (tests and imports; the writer task keeps a
/// connection of its own).
pub async fn insert(db: &Db, batch: &[UsageRecord]) -> sqlx::Result<()> {
    let mut conn = db.pool().acquire().await?;
    insert_on(&mut conn, db.backend(), batch).await
}

async fn insert_on(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    batch: &[UsageRecord],
) -> sqlx::Result<()> {
    use sqlx::Connection;
    // SQLite: the write lock at once, waiting for it (see `Db::begin_write`).
    let mut tx = match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
        Backend::Postgres => conn.begin().await?,
    };
    let mut rest = batch;
    while !rest.is_empty() {
        let rows = CHUNKS
            .into_iter()
            .find(|&size| size <= rest.len())
            .unwrap_or(1);
        let (chunk, tail) = rest.split_at(rows);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(values_sql(backend, rows)));
        for record in chunk {
            query = bind(query, record);
        }
        query.execute(&mut *tx).await?;
        rest = tail;
    }
    let settled = batch.iter().filter_map(|r| r.reservation_id.as_deref());
    crate::store::reservations::settle_on(&mut tx, settled).await?;
    tx.commit().await
}

/// The INSERT for `rows` rows. PostgreSQL gets `($1,…,$16),($17,…)`; SQLite gets plain `?`s,
/// because it looks numbered parameters up by name one at a time — quadratic in their number,
/// which made a 256-row batch cost more than serving the requests it recorded.
fn values_sql(backend: Backend, rows: usize) -> String {
    let mut sql = String::with_capacity(INSERT.len() + rows * COLUMNS * 5);
    sql.push_str(INSERT);
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        let param = |col: usize| match backend {
            Backend::Sqlite => "?".to_string(),
            Backend::Postgres => format!("${}", row * COLUMNS + col + 1),
        };
        sql.push('(');
        for col in 0..COLUMNS - 3 {
            if col > 0 {
                sql.push(',');
            }
            sql.push_str(&param(col));
        }
        sql.push_str(&format!(
            ",(SELECT (input_micros * {} + output_micros * {}) / 1000000 FROM model_prices WHERE model = {}))",
            param(COLUMNS - 3),
            param(COLUMNS - 2),
            param(COLUMNS - 1)
        ));
    }
    sql
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn bind<'q>(query: Query<'q>, r: &UsageRecord) -> Query<'q> {
    query
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(r.user_id.clone())
        .bind(r.api_key_id.clone())
        .bind(r.conversation_id.clone())
        .bind(r.message_id.clone())
        .bind(r.agent_id.clone())
        .bind(r.provider)
        .bind(r.model.clone())
        .bind(r.prompt_tokens as i64)
        .bind(r.completion_tokens as i64)
        .bind(i64::from(r.estimated))
        .bind(r.ttft_ms.map(|v| v as i64))
        .bind(r.duration_ms.map(|v| v as i64))
        .bind(r.outcome.as_str())
        .bind(r.error_code.clone())
        .bind(r.created_at)
        .bind(r.prompt_tokens as i64)
        .bind(r.completion_tokens as i64)
        .bind(r.model.clone())
}

/// Tokens spent by `user_id` since `since_ms`, on one agent or on all.
pub async fn tokens_since(
    db: &Db,
    user_id: &str,
    agent_id: Option<&str>,
    since_ms: i64,
) -> crate::error::Result<u64> {
    let total: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(prompt_tokens + completion_tokens) AS BIGINT) FROM usage_records \
         WHERE user_id = $1 AND created_at >= $2 AND ($3 IS NULL OR agent_id = $3)",
    )
    .bind(user_id)
    .bind(since_ms)
    .bind(agent_id)
    .fetch_one(db.pool())
    .await?;
    Ok(total.unwrap_or(0).max(0) as u64)
}
