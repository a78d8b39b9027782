//! State shared between replicas: Redis when `REDIS_URL` is set, the process otherwise.
//! This module holds the connection, what went wrong with it last (health reports it), and
//! the two ways replicas talk through it besides plain commands: a connection of its own for
//! blocking reads (a turn's stream followed from another replica) and a pub/sub channel that
//! every replica listens on (stop requests and invalidations, `cluster`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use redis::aio::{ConnectionManager, MultiplexedConnection};
use tokio::sync::{OnceCell, mpsc};
use tokio_util::sync::CancellationToken;

/// How long a failure keeps Redis reported `degraded` after the last one.
const TROUBLE_SHOWS_FOR: Duration = Duration::from_secs(10);

/// A lazily connected Redis; a Redis that is down at start does not stop the server.
pub struct Redis {
    client: redis::Client,
    conn: OnceCell<ConnectionManager>,
    /// The last failure seen by a caller, and when.
    trouble: Mutex<Option<(String, Instant)>>,
}

/// What a subscription delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// A message published on the channel.
    Message(String),
    /// Subscribed again after the connection was lost: messages of the gap are gone.
    Resubscribed,
}

impl Redis {
    pub fn open(url: &str) -> anyhow::Result<Redis> {
        Redis::open_with_ca(url, None)
    }

    /// Like [`Redis::open`]; a `rediss://` server's certificate must chain to the CA(s) of the
    /// PEM file `ca_file` when one is given.
    pub fn open_with_ca(url: &str, ca_file: Option<&std::path::Path>) -> anyhow::Result<Redis> {
        let invalid = || anyhow::anyhow!("invalid Redis URL: {}", crate::config::mask_url(url));
        let client = match ca_file {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    anyhow::anyhow!("cannot read redis.ca_file {}: {e}", path.display())
                })?;
                if !url.starts_with("rediss://") {
                    anyhow::bail!("redis.ca_file is set but the Redis URL is not rediss:// (TLS)");
                }
                let certificates = redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                };
                redis::Client::build_with_tls(url, certificates).map_err(|_| invalid())?
            }
            None => redis::Client::open(url).map_err(|_| invalid())?,
        };
        Ok(Redis {
            client,
            conn: OnceCell::new(),
            trouble: Mutex::new(None),
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

    /// A connection of the caller's own, for commands that block (`XREAD BLOCK`): on the
    /// shared one they would hold up everybody's. Replies may take as long as they block.
    pub async fn dedicated(&self, timeout: Duration) -> anyhow::Result<MultiplexedConnection> {
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(None);
        tokio::time::timeout(
            timeout,
            self.client
                .get_multiplexed_async_connection_with_config(&config),
        )
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {} ms", timeout.as_millis()))?
        .map_err(|e| anyhow::anyhow!("cannot reach Redis: {e}"))
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

    /// Runs `command` on the shared connection, bounded by `timeout`; a failure is remembered
    /// for [`Redis::trouble`].
    pub async fn run<T: redis::FromRedisValue>(
        &self,
        what: &str,
        timeout: Duration,
        command: &redis::Cmd,
    ) -> anyhow::Result<T> {
        let result = async {
            let mut conn = self.connection(timeout).await?;
            tokio::time::timeout(timeout, command.query_async::<T>(&mut conn))
                .await
                .map_err(|_| anyhow::anyhow!("no answer within {} ms", timeout.as_millis()))?
                .map_err(|e| anyhow::anyhow!("Redis error: {e}"))
        }
        .await;
        self.note(what, &result);
        result
    }

    /// Remembers how the last call went: a failure shows in [`Redis::trouble`] for a while, or
    /// until a later call succeeds (Redis is back: health says so at once).
    pub fn note<T>(&self, what: &str, result: &anyhow::Result<T>) {
        let mut trouble = self.trouble.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Err(e) => *trouble = Some((format!("{what}: {e}"), Instant::now())),
            Ok(_) => *trouble = None,
        }
    }

    /// What went wrong last, if it went wrong within the last few seconds.
    pub fn trouble(&self) -> Option<String> {
        let trouble = self.trouble.lock().unwrap_or_else(|p| p.into_inner());
        trouble
            .as_ref()
            .filter(|(_, at)| at.elapsed() < TROUBLE_SHOWS_FOR)
            .map(|(reason, _)| reason.clone())
    }

    /// Whether a call failed within `within`: callers skip Redis for a while rather than wait
    /// on it for every request.
    pub fn failed_within(&self, within: Duration) -> bool {
        let trouble = self.trouble.lock().unwrap_or_else(|p| p.into_inner());
        trouble
            .as_ref()
            .is_some_and(|(_, at)| at.elapsed() < within)
    }

    /// Publishes `payload` on `channel`; returns how many subscribers received it.
    pub async fn publish(
        &self,
        channel: &str,
        payload: &str,
        timeout: Duration,
    ) -> anyhow::Result<u64> {
        let mut command = redis::cmd("PUBLISH");
        command.arg(channel).arg(payload);
        self.run("publish", timeout, &command).await
    }

    /// Listens on `channel` until `stop` is cancelled, connecting again (with a growing pause)
    /// whenever the connection is lost; each new subscription after the first is announced
    /// with [`Delivery::Resubscribed`].
    pub fn subscribe(
        self: std::sync::Arc<Self>,
        channel: String,
        stop: CancellationToken,
    ) -> mpsc::Receiver<Delivery> {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(async move {
            let mut pause = Duration::from_millis(100);
            let mut first = true;
            while !stop.is_cancelled() {
                let connected = tokio::time::timeout(Duration::from_secs(2), async {
                    let mut pubsub = self.client.get_async_pubsub().await?;
                    pubsub.subscribe(&channel).await?;
                    Ok::<_, redis::RedisError>(pubsub)
                })
                .await;
                let mut pubsub = match connected {
                    Ok(Ok(pubsub)) => pubsub,
                    failed => {
                        let error = match failed {
                            Ok(Err(e)) => anyhow::anyhow!("{e}"),
                            _ => anyhow::anyhow!("no answer within 2 s"),
                        };
                        self.note::<()>("subscribe", &Err(error));
                        tokio::select! {
                            () = stop.cancelled() => return,
                            () = tokio::time::sleep(pause) => {}
                        }
                        pause = (pause * 2).min(Duration::from_secs(2));
                        continue;
                    }
                };
                pause = Duration::from_millis(100);
                self.note("subscribe", &Ok(()));
                if !first && tx.send(Delivery::Resubscribed).await.is_err() {
                    return;
                }
                first = false;
                let mut messages = pubsub.on_message();
                loop {
                    tokio::select! {
                        () = stop.cancelled() => return,
                        message = messages.next() => {
                            let Some(message) = message else { break };
                            let Ok(payload) = message.get_payload::<String>() else { continue };
                            if tx.send(Delivery::Message(payload)).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                tracing::warn!(%channel, "lost the Redis subscription; subscribing again");
            }
        });
        rx
    }
}
