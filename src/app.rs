//! Builds the application (state, schema, router, listener) and runs it until shutdown:
//! readiness turns 503 at once, connections drain, in-flight requests get the grace period,
//! background tasks are awaited, the pool closes.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

use crate::auth::{Auth, Role, password};
use crate::config::Settings;
use crate::llm::transport::Transport;
use crate::ratelimit::RateLimiter;
use crate::runtime::Runtime;
use crate::shared::Redis;
use crate::state::{AppState, Lifecycle};
use crate::store::{self, Db};
use crate::{http, routes, telemetry};

/// Longest wait between two attempts to reach an unreachable database.
const SCHEMA_RETRY_MAX: Duration = Duration::from_secs(15);

/// After the listener closes: how long connections accepted just before may take to send
/// their request before idle connections are closed (a request that arrives on a connection
/// being closed would be lost).
const LINGER: Duration = Duration::from_millis(500);

/// The least time background tasks get at shutdown, even when requests used the whole grace.
const TASKS_MIN: Duration = Duration::from_secs(2);

pub struct App {
    listener: TcpListener,
    /// `METRICS_PORT`: `/metrics` without a token, for the internal network.
    metrics_listener: Option<TcpListener>,
    router: Router,
    state: AppState,
    /// Writes usage records until every other task has ended (see `wind_down`).
    usage_writer: tokio::task::JoinHandle<()>,
}

impl App {
    /// Prepares everything and binds the listener; the schema is migrated now when the
    /// database answers, or in the background as soon as it does.
    pub async fn build(settings: Settings) -> anyhow::Result<App> {
        App::build_with_sources(settings, None).await
    }

    /// Like [`App::build`], with `/api/config/reload` reading `sources` instead of the process
    /// environment (tests).
    pub async fn build_with_sources(
        settings: Settings,
        sources: Option<crate::config::Sources>,
    ) -> anyhow::Result<App> {
        let settings = Arc::new(settings);
        crate::tls::install_provider();
        telemetry::metrics();
        let db = Db::connect_lazy(&settings)?;
        let redis = match settings.redis.url.as_deref() {
            Some(url) => Some(Arc::new(Redis::open_with_ca(
                url,
                settings.redis.ca_file.as_deref(),
            )?)),
            None => None,
        };
        let jwt_secret = crate::tokens::jwt_secret(&settings)?;
        let runtime = Runtime::load(&settings)
            .map_err(|report| anyhow::anyhow!("the agents are not valid:\n{report}"))?;
        let (usage, usage_queue) = crate::usage::UsageRecorder::new();
        let tasks = TaskTracker::new();
        let hub = hub(&settings, redis.as_ref(), &db, &tasks);
        let state = AppState::new(crate::state::Services {
            auth: Arc::new(Auth::new(
                &settings,
                &jwt_secret,
                crate::auth::oidc::Providers::new(&settings)?,
            )),
            limiter: RateLimiter::from_settings(
                &settings.rate_limit,
                redis.clone(),
                &settings.redis.key_prefix,
            ),
            runtime: runtime.shared(),
            transport: Transport::new(settings.outbound.allow_link_local)?,
            config_sources: sources.map(Arc::new),
            cipher: crate::crypto::load(&settings)?,
            settings: Arc::new(arc_swap::ArcSwap::new(settings.clone())),
            db,
            redis,
            lifecycle: Arc::new(Lifecycle::new()),
            usage,
            in_flight: Arc::default(),
            hub,
            instance_id: uuid::Uuid::now_v7().to_string().into(),
            tasks,
        });
        prepare_schema(&state).await?;
        spawn_key_usage_writer(&state);
        // Not one of `tasks`: it must outlive them, since requests and turns record usage
        // until they end.
        let usage_writer = tokio::spawn(crate::usage::run_writer(
            state.db.clone(),
            usage_queue,
            state.lifecycle.finished.clone(),
        ));
        spawn_background(&state);

        let router = http::app(routes::router().with_state(state.clone()), &state);
        let (host, port) = (&settings.server.host, settings.server.port);
        let listener = crate::serve::listen(host, port, settings.server.reuse_port)
            .await
            .with_context(|| format!("cannot listen on {host}:{port}"))?;
        let metrics_listener = match settings.metrics.port {
            Some(port) => Some(
                crate::serve::listen(host, port, false)
                    .await
                    .with_context(|| format!("cannot listen on {host}:{port} (METRICS_PORT)"))?,
            ),
            None => None,
        };
        warn_if_metrics_closed(&settings);
        Ok(App {
            listener,
            metrics_listener,
            router,
            state,
            usage_writer,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Where the internal `/metrics` listener (`METRICS_PORT`) is bound, if there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref()?.local_addr().ok()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then shuts down gracefully.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let App {
            listener,
            metrics_listener,
            router,
            state,
            usage_writer,
        } = self;
        if let Some(internal) = metrics_listener {
            serve_internal(internal, &state);
        }
        let settings = state.settings();
        let lifecycle = state.lifecycle.clone();
        let drain = settings.shutdown_drain;
        let grace = settings.shutdown_grace;
        if let Ok(addr) = listener.local_addr() {
            tracing::info!(%addr, environment = settings.environment.as_str(), "listening");
        }

        // SIGTERM: readiness 503 at once (the load balancer stops routing here) while
        // connections are still accepted for `drain`; then the socket closes (queued
        // connections move to a server sharing the port), connections accepted just before
        // get `LINGER` to send their request, and only then are idle connections closed.
        let stop_accepting = tokio_util::sync::CancellationToken::new();
        let begin_shutdown = {
            let lifecycle = lifecycle.clone();
            let stop_accepting = stop_accepting.clone();
            async move {
                shutdown.await;
                lifecycle.shutdown.cancel();
                tracing::info!(
                    drain_ms = drain.as_millis() as u64,
                    "shutdown started; readiness is now 503"
                );
                tokio::time::sleep(drain).await;
                stop_accepting.cancel();
                tracing::info!("no longer accepting connections");
                tokio::time::sleep(LINGER).await;
            }
        };
        let listener = crate::serve::StopAccepting::new(listener, stop_accepting)?;
        let limits = crate::serve::Limits {
            header_read_timeout: settings.server.header_read_timeout,
            max_connections: settings.server.max_connections,
        };
        let server = crate::serve::serve(listener, router, limits, begin_shutdown);
        // In-flight requests and then background tasks share `shutdown_grace`, counted from the
        // end of the drain, so that the whole shutdown stays within drain + grace + a few
        // seconds (Kubernetes' terminationGracePeriodSeconds is sized for that).
        let drained_at = Arc::new(std::sync::OnceLock::new());
        let deadline = {
            let token = lifecycle.shutdown.clone();
            let drained_at = drained_at.clone();
            async move {
                token.cancelled().await;
                let _ = drained_at.set(tokio::time::Instant::now() + drain);
                tokio::time::sleep(drain + grace).await;
            }
        };
        tokio::select! {
            () = server => {}
            () = deadline => tracing::warn!(grace_s = grace.as_secs(), "grace period over; dropping remaining connections"),
        }

        lifecycle.shutdown.cancel();
        lifecycle.serving_done.cancel();
        // What is left of the grace period, but at least TASKS_MIN (partial answers of streams
        // cut at the deadline are still saved).
        let left = drained_at
            .get()
            .map_or(grace, |at: &tokio::time::Instant| {
                (*at + grace).saturating_duration_since(tokio::time::Instant::now())
            })
            .max(TASKS_MIN);
        wind_down(&state, left, usage_writer).await;
        Ok(())
    }
}

/// Serves `/metrics` on the internal port (`METRICS_PORT`) until shutdown starts.
fn serve_internal(internal: tokio::net::TcpListener, state: &AppState) {
    if let Ok(addr) = internal.local_addr() {
        tracing::info!(%addr, "serving /metrics on the internal port");
    }
    let router = routes::internal::router(state.clone());
    let stop = state.lifecycle.shutdown.clone().cancelled_owned();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(internal, router)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::warn!(error = %e, "the internal /metrics listener stopped");
        }
    });
}

/// After the last request: background tasks get `left` to finish, then the pool closes.
async fn wind_down(state: &AppState, left: Duration, usage_writer: tokio::task::JoinHandle<()>) {
    state.tasks.close();
    if tokio::time::timeout(left, state.tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            waited_ms = left.as_millis() as u64,
            "background tasks did not finish within the grace period"
        );
    }
    state.lifecycle.finished.cancel();
    if tokio::time::timeout(Duration::from_secs(5), usage_writer)
        .await
        .is_err()
    {
        tracing::warn!("usage records still unwritten at exit");
    }
    // Closing waits for every connection to come back; a task still holding one after the
    // grace period (the usage writer retrying against a dead database) must not keep the
    // process from exiting.
    if tokio::time::timeout(Duration::from_secs(5), state.db.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use at exit");
    }
    tracing::info!("shutdown complete");
}

/// Makes the schema ready now, or keeps trying in the background while the database is
/// unreachable (or, with `auto_migrate` off, until someone runs `llmchat migrate`).
/// Migrations that fail for their own reasons stop start-up.
async fn prepare_schema(state: &AppState) -> anyhow::Result<()> {
    match schema_step(state).await? {
        None => return Ok(()),
        Some(reason) => tracing::warn!(%reason, "database schema not ready; will retry"),
    }
    let state = state.clone();
    state.tasks.clone().spawn(async move {
        let mut wait = Duration::from_millis(250);
        loop {
            tokio::select! {
                () = state.lifecycle.shutdown.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
            match schema_step(&state).await {
                Ok(None) => return,
                Ok(Some(reason)) => {
                    tracing::warn!(%reason, "database schema not ready; will retry")
                }
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "database migrations failed");
                    return;
                }
            }
            wait = (wait * 2).min(SCHEMA_RETRY_MAX);
        }
    });
    Ok(())
}

/// `Ok(None)` when ready, `Ok(Some(reason))` when worth retrying, `Err` when fatal.
async fn schema_step(state: &AppState) -> anyhow::Result<Option<String>> {
    let db = &state.db;
    let outcome = if state.settings().database.auto_migrate {
        db.migrate().await.map(|()| 0)
    } else {
        db.pending_migrations().await
    };
    match outcome {
        Ok(0) => {
            tracing::info!(backend = db.backend().as_str(), "database schema ready");
            create_first_admin(state).await?;
            // Now the admins' agents can join the file's.
            if let Err(report) = state.reload_agents().await {
                tracing::error!(%report, "stored agents not loaded; serving the file's agents");
            }
            state.lifecycle.mark_schema_ready();
            Ok(None)
        }
        Ok(pending) => Ok(Some(format!(
            "{pending} migration(s) pending and database.auto_migrate is off: run `llmchat migrate`"
        ))),
        Err(e) if store::is_unreachable(&e) => Ok(Some(format!("database unreachable: {e}"))),
        Err(e) => Err(anyhow::anyhow!(e).context("database migrations failed")),
    }
}

/// Production without METRICS_TOKEN or METRICS_PORT: nobody can read `/metrics`.
fn warn_if_metrics_closed(settings: &Settings) {
    if settings.environment == crate::config::Environment::Production
        && settings.metrics.token.is_none()
        && settings.metrics.port.is_none()
    {
        tracing::warn!(
            "/metrics and health details are closed: set METRICS_TOKEN (Prometheus sends it) or METRICS_PORT (an internal port) to read them"
        );
    }
}

/// The stream hub; with Redis, every replica can read every turn's events.
fn hub(
    settings: &Settings,
    redis: Option<&Arc<Redis>>,
    db: &Db,
    tasks: &TaskTracker,
) -> crate::chat::hub::Hub {
    use crate::chat::hub::{Hub, Shared};
    match redis {
        Some(redis) => Hub::with_shared(Shared::new(
            redis.clone(),
            &settings.redis.key_prefix,
            db.clone(),
            settings.chat.replay_retention,
            tasks.clone(),
        )),
        None => Hub::new(),
    }
}

/// Creates the admin named by `LLMCHAT_ADMIN_USERNAME`/`LLMCHAT_ADMIN_PASSWORD` when the
/// database has no active admin yet; there is never a default account.
async fn create_first_admin(state: &AppState) -> anyhow::Result<()> {
    let settings = state.settings();
    let (Some(username), Some(secret)) = (
        settings.admin_username.as_deref(),
        settings.admin_password.as_ref(),
    ) else {
        return Ok(());
    };
    if store::users::count_active_admins(&state.db).await? > 0 {
        return Ok(());
    }
    let hash = password::hash(&state.auth.hashing, secret.expose().to_string()).await?;
    let user = store::users::insert_user(
        &state.db,
        store::users::NewUser {
            username,
            email: None,
            password_hash: &hash,
            role: Role::Admin.as_str(),
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("cannot create the first admin {username:?}: {e}"))?;
    let details = serde_json::json!({ "via": "config", "role": "admin" });
    crate::audit::record_offline(&state.db, "user.create", &user.id, details).await;
    tracing::info!(username, id = %user.id, "created the first admin from LLMCHAT_ADMIN_USERNAME");
    Ok(())
}

/// Writes API keys' last-used times every few seconds, and once more at shutdown.
fn spawn_key_usage_writer(state: &AppState) {
    let state = state.clone();
    state.tasks.clone().spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tokio::select! {
                () = state.lifecycle.shutdown.cancelled() => break,
                _ = tick.tick() => state.auth.keys.flush(&state.db).await,
            }
        }
        state.auth.keys.flush(&state.db).await;
    });
}

/// Folds recorded histogram samples into their buckets every 5 s, whether or not anything
/// scrapes `/metrics` (see `telemetry::Metrics::upkeep`).
fn spawn_metrics_upkeep(state: &AppState) {
    let shutdown = state.lifecycle.shutdown.clone();
    state.tasks.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = tick.tick() => telemetry::metrics().upkeep(),
            }
        }
    });
}

/// SIGHUP reloads the configuration and the agents, as `POST /api/config/reload` does (this
/// process only: the API's reload reaches every replica).
fn spawn_reload_on_sighup(state: &AppState) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; reload through the API instead");
            return;
        };
        let state = state.clone();
        state.tasks.clone().spawn(async move {
            loop {
                tokio::select! {
                    () = state.lifecycle.shutdown.cancelled() => return,
                    received = hangups.recv() => {
                        if received.is_none() {
                            return;
                        }
                        match crate::reload::reload_running(&state).await {
                            Ok(outcome) => tracing::info!(
                                applied = ?outcome.applied,
                                restart_required = ?outcome.restart_required,
                                agents = outcome.agents.len(),
                                "SIGHUP: configuration and agents reloaded"
                            ),
                            Err(crate::reload::ReloadError::Config(e)) => tracing::error!(error = %e, "SIGHUP: configuration not reloaded; the running one stays"),
                            Err(crate::reload::ReloadError::Agents(report)) => tracing::error!(%report, "SIGHUP: agents not valid; the running configuration stays"),
                        }
                    }
                }
            }
        });
    }
}

/// The work that runs beside the requests: reloads on SIGHUP, the cluster's signals, metrics
/// upkeep, recovery of interrupted turns, expiry of uploads, the data lifecycle.
fn spawn_background(state: &AppState) {
    spawn_reload_on_sighup(state);
    crate::cluster::listen(state);
    spawn_metrics_upkeep(state);
    state.tasks.spawn(crate::chat::recovery::run(state.clone()));
    state.tasks.spawn(crate::uploads::expire(state.clone()));
    state.tasks.spawn(crate::data_lifecycle::run(state.clone()));
}
