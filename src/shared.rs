//! State shared between replicas: Redis when `REDIS_URL` is set, the process otherwise.
//! For now this is the connection and its health; the rate limiter's Redis backend uses it.

use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use tokio::sync::OnceCell;

/// A lazily connected Redis; a Redis that is down at start does not stop the server.
pub struct Redis {
    client: redis::Client,
    conn: OnceCell<ConnectionManager>,
}

impl Redis {
    pub fn open(url: &str) -> anyhow::Result<Redis> {
        let client = redis::Client::open(url)
            .map_err(|_| anyhow::anyhow!("invalid Redis URL: {}", crate::config::mask_url(url)))?;
        Ok(Redis {
            client,
            conn: OnceCell::new(),
        })
    }

    /// The shared connection, connecting on first use; waits at most `timeout`. The
    /// connection's own timeouts are fixed here, whoever connects first: callers bound their
    /// calls with their own, shorter ones.
    pub async fn connection(&self, timeout: Duration) -> anyhow::Result<ConnectionManager> {
        let conn = tokio::time::timeout(
            timeout,
            self.conn.get_or_try_init(|| {
                let config = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Duration::from_secs(2)))
                    .set_response_timeout(Some(Duration::from_secs(2)))
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config)
            }),
        )
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {} ms", timeout.as_millis()))?
        .map_err(|e| anyhow::anyhow!("cannot reach Redis: {e}"))?;
        Ok(conn.clone())
    }

    /// Round-trips `PING`, bounded by `timeout`.
    pub async fn ping(&self, timeout: Duration) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let mut conn = self.connection(timeout).await?;
        tokio::time::timeout(timeout, redis::cmd("PING").query_async::<String>(&mut conn))
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {} ms", timeout.as_millis()))?
            .map_err(|e| anyhow::anyhow!("Redis error: {e}"))?;
        Ok(started.elapsed())
    }
}
