//! The database: one [`Db`] over sqlx's Any driver, SQLite (embedded default) or PostgreSQL.
//! SQL is written once with `$n` placeholders; the schema is portable (text ids, unix-ms
//! integers, JSON as text, 0/1 integers for flags). Store functions for each area live in
//! submodules as plain async functions over the pool.

use std::path::Path;
use std::sync::Once;
use std::time::{Duration, Instant};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migrate, MigrateError, Migrator};
use sqlx::{AnyPool, Executor};

use crate::config::Settings;
use crate::error::Error;

pub mod agents;
pub mod api_keys;
pub mod audit;
pub mod budgets;
pub mod conversations;
pub mod groups;
pub mod identities;
pub mod instances;
pub mod invitations;
pub mod lifecycle;
pub mod login_throttle;
pub mod messages;
pub mod presets;
pub mod refresh_tokens;
pub mod reservations;
pub mod server_settings;
pub mod shares;
pub mod uploads;
pub mod usage;
pub mod users;

/// Decodes a JSON column. Damaged JSON (edited by hand, or written by a bug) is logged with the
/// column and row, and read as `fallback`, so one bad row neither hides nor breaks the rest.
pub fn decode_json<T: serde::de::DeserializeOwned>(
    column: &'static str,
    row_id: &str,
    json: &str,
    fallback: T,
) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| {
        tracing::error!(column, row_id, error = %e, "a stored JSON value is damaged; read as empty");
        fallback
    })
}

/// Now as unix milliseconds, the schema's timestamp unit.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Maps a unique-constraint violation to a domain error instead of pre-checking.
pub trait OnUniqueViolation<T> {
    fn on_unique_violation(self, error: impl FnOnce() -> Error) -> Result<T, Error>;
}

impl<T> OnUniqueViolation<T> for Result<T, sqlx::Error> {
    fn on_unique_violation(self, error: impl FnOnce() -> Error) -> Result<T, Error> {
        self.map_err(|e| match e.as_database_error() {
            Some(db) if db.is_unique_violation() => error(),
            _ => Error::from(e),
        })
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => {
                tracing::error!(error = %describe(&e), "database unavailable");
                Error::Unavailable("the database is unavailable; try again shortly")
            }
            other => Error::Internal(anyhow::Error::new(other)),
        }
    }
}

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which engine is behind the pool, for the few places where dialects differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    max_connections: u32,
}

/// A snapshot of the connection pool for `/api/health/database`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub in_use: u32,
    pub max: u32,
}

impl Db {
    /// Creates the pool without connecting, so that a server whose database is down still starts
    /// (and reports it). For SQLite the file's directory is created and the file on first use.
    pub fn connect_lazy(settings: &Settings) -> anyhow::Result<Db> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);

        let raw = settings.database_url();
        let backend = if raw.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let url = match backend {
            Backend::Sqlite => sqlite_url(&raw)?,
            Backend::Postgres => raw,
        };
        let options: AnyConnectOptions = url
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid database URL: {e}"))?;
        let max_connections = settings.database.max_connections;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(settings.database.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers proceed while a turn is being written. The busy
                        // timeout comes first: `journal_mode` needs a lock too, and a connection
                        // opened while another writes would otherwise fail at once ("database
                        // is locked").
                        conn.execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_lazy_with(options);
        Ok(Db {
            pool,
            backend,
            max_connections,
        })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that writes. SQLite takes its write lock at `BEGIN IMMEDIATE`,
    /// waiting for it (`busy_timeout`): a deferred transaction whose connection already reads
    /// cannot wait when it upgrades, and fails at once with "database is locked".
    pub async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations; safe to run concurrently from several replicas.
    pub async fn migrate(&self) -> Result<(), MigrateError> {
        self.migrator().run(&self.pool).await
    }

    /// How many known migrations the database has not applied yet.
    pub async fn pending_migrations(&self) -> Result<usize, MigrateError> {
        let mut conn = self.pool.acquire().await?;
        conn.ensure_migrations_table("_sqlx_migrations").await?;
        let applied = conn.list_applied_migrations("_sqlx_migrations").await?;
        Ok(self
            .migrator()
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .filter(|m| !applied.iter().any(|a| a.version == m.version))
            .count())
    }

    /// Round-trips `SELECT 1`, bounded by `timeout`.
    pub async fn ping(&self, timeout: Duration) -> anyhow::Result<Duration> {
        let started = Instant::now();
        tokio::time::timeout(timeout, sqlx::query("SELECT 1").execute(&self.pool))
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {} ms", timeout.as_millis()))?
            .map_err(|e| anyhow::anyhow!(describe(&e)))?;
        Ok(started.elapsed())
    }

    pub fn pool_stats(&self) -> PoolStats {
        let size = self.pool.size();
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX);
        PoolStats {
            size,
            idle,
            in_use: size.saturating_sub(idle),
            max: self.max_connections,
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Whether a migration failed because the database could not be reached (worth retrying)
/// rather than because of the migrations themselves (fatal).
pub fn is_unreachable(error: &MigrateError) -> bool {
    matches!(
        error,
        MigrateError::Execute(sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_))
    )
}

/// A database error as a message safe to show: the driver's words, never the URL.
pub fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::PoolTimedOut => "no connection available (database unreachable?)".into(),
        sqlx::Error::Io(e) => format!("cannot reach the database: {e}"),
        sqlx::Error::Database(e) => format!("database error: {}", e.message()),
        other => other.to_string(),
    }
}

/// Adds `mode=rwc` (create the file) and creates the parent directory of a SQLite URL's file.
fn sqlite_url(raw: &str) -> anyhow::Result<String> {
    let rest = raw
        .strip_prefix("sqlite://")
        .or_else(|| raw.strip_prefix("sqlite:"))
        .unwrap_or(raw);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && let Some(parent) = Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            anyhow::anyhow!("cannot create data directory {}: {e}", parent.display())
        })?;
    }
    let query = if query.split('&').any(|kv| kv.starts_with("mode=")) {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".to_string()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}
