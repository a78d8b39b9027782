//! Health endpoints from the operations guide: overall health with components, liveness,
//! readiness and the database pool.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::build_info;
use crate::error::{Error, ErrorResponse};
use crate::routes::metrics_token_ok;
use crate::state::AppState;
use crate::store::Backend;

const DB_TIMEOUT: Duration = Duration::from_secs(2);
const REDIS_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    Ok,
    Degraded,
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ComponentStatus {
    Ok,
    Down,
    /// Not configured (Redis without `REDIS_URL`).
    Disabled,
    /// Migrations not applied yet.
    Pending,
    /// Answers, but the rate limiter is running on its fallback.
    Degraded,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    pub status: HealthStatus,
    pub version: String,
    pub uptime_s: u64,
    pub environment: String,
    /// Present unless `METRICS_TOKEN` is set and the caller did not present it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Components>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Components {
    pub database: Component,
    pub migrations: Component,
    pub redis: Component,
    /// The agents in service: `ok` with their count, `degraded` when there are none to chat
    /// with. Does not change the overall status.
    pub agents: Component,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Component {
    pub status: ComponentStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How many there are (agents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

impl Component {
    fn from_ping(result: anyhow::Result<Duration>) -> Component {
        match result {
            Ok(latency) => Component {
                status: ComponentStatus::Ok,
                latency_ms: Some(ms(latency)),
                error: None,
                count: None,
            },
            Err(e) => Component {
                status: ComponentStatus::Down,
                latency_ms: None,
                error: Some(format!("{e:#}")),
                count: None,
            },
        }
    }

    fn status(status: ComponentStatus) -> Component {
        Component {
            status,
            latency_ms: None,
            error: None,
            count: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Probe {
    /// `alive`, `ready` or `not_ready`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DatabaseHealth {
    pub status: ComponentStatus,
    pub backend: Backend,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    pub pool: PoolInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PoolInfo {
    /// Open connections.
    pub size: u32,
    pub idle: u32,
    pub in_use: u32,
    pub max: u32,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(live))
        .routes(routes!(ready))
        .routes(routes!(database))
}

/// Overall health: `ok`, `degraded` (Redis down) or `down` (database down or schema missing).
#[utoipa::path(get, path = "/api/health", tag = "operations",
    responses(
        (status = 200, description = "ok or degraded", body = Health),
        (status = 503, description = "down", body = Health),
    ))]
async fn health(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let redis = async {
        match &state.redis {
            Some(redis) => {
                let mut component = Component::from_ping(redis.ping(REDIS_TIMEOUT).await);
                if component.status == ComponentStatus::Ok {
                    state.limiter.recheck().await;
                }
                if component.status == ComponentStatus::Ok && state.limiter.redis_degraded() {
                    component.status = ComponentStatus::Degraded;
                    component.error = Some("rate limiter is using its fallback".into());
                } else if component.status == ComponentStatus::Ok
                    && let Some(trouble) = redis.trouble()
                {
                    // Answers a ping, but failed (or was too slow) for real work just now.
                    component.status = ComponentStatus::Degraded;
                    component.error = Some(trouble);
                }
                component
            }
            None => Component::status(ComponentStatus::Disabled),
        }
    };
    let (database, redis) = tokio::join!(state.db.ping(DB_TIMEOUT), redis);
    let database = Component::from_ping(database);
    let migrations = Component::status(if state.lifecycle.schema_ready() {
        ComponentStatus::Ok
    } else {
        ComponentStatus::Pending
    });
    let status =
        if database.status != ComponentStatus::Ok || migrations.status != ComponentStatus::Ok {
            HealthStatus::Down
        } else if matches!(
            redis.status,
            ComponentStatus::Down | ComponentStatus::Degraded
        ) {
            HealthStatus::Degraded
        } else {
            HealthStatus::Ok
        };
    let agents = match state.runtime.load().len() {
        0 => Component {
            error: Some("no agent is configured".into()),
            ..Component::status(ComponentStatus::Degraded)
        },
        n => Component {
            count: Some(n),
            ..Component::status(ComponentStatus::Ok)
        },
    };
    let components = metrics_token_ok(&state, &headers).then_some(Components {
        database,
        migrations,
        redis,
        agents,
    });
    let body = Health {
        status,
        version: build_info::VERSION.to_string(),
        uptime_s: state.lifecycle.started.elapsed().as_secs(),
        environment: state.settings().environment.as_str().to_string(),
        components,
    };
    let code = if status == HealthStatus::Down {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    (code, axum::Json(body)).into_response()
}

/// Liveness: 200 while the process serves requests; checks no dependency.
#[utoipa::path(get, path = "/api/health/live", tag = "operations",
    responses((status = 200, description = "the process serves requests", body = Probe)))]
async fn live() -> axum::Json<Probe> {
    axum::Json(Probe {
        status: "alive".into(),
        reason: None,
    })
}

/// Readiness: 200 once migrations are done and the database answers; 503 before, while the
/// database is unreachable, and from the moment shutdown begins.
#[utoipa::path(get, path = "/api/health/ready", tag = "operations",
    responses(
        (status = 200, description = "ready for traffic", body = Probe),
        (status = 503, description = "not ready, with the reason", body = Probe),
    ))]
async fn ready(State(state): State<AppState>) -> Response {
    let reason = not_ready_reason(&state).await;
    match reason {
        None => axum::Json(Probe {
            status: "ready".into(),
            reason: None,
        })
        .into_response(),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(Probe {
                status: "not_ready".into(),
                reason: Some(reason),
            }),
        )
            .into_response(),
    }
}

/// Database connection pool and latency; 503 when the database is unreachable.
#[utoipa::path(get, path = "/api/health/database", tag = "operations",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "the database answers", body = DatabaseHealth),
        (status = 401, description = "METRICS_TOKEN is set and was not presented", body = ErrorResponse),
        (status = 403, description = "production without METRICS_TOKEN (`metrics_token_required`)", body = ErrorResponse),
        (status = 503, description = "the database is unreachable", body = DatabaseHealth),
    ))]
async fn database(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    if !metrics_token_ok(&state, &headers) {
        return Err(crate::routes::metrics_refusal(&state));
    }
    let ping = state.db.ping(DB_TIMEOUT).await;
    let stats = state.db.pool_stats();
    let up = ping.is_ok();
    let component = Component::from_ping(ping);
    let body = DatabaseHealth {
        status: component.status,
        backend: state.db.backend(),
        latency_ms: component.latency_ms,
        pool: PoolInfo {
            size: stats.size,
            idle: stats.idle,
            in_use: stats.in_use,
            max: stats.max,
        },
        error: component.error,
    };
    let code = if up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((code, axum::Json(body)).into_response())
}

/// Why this replica should not get traffic now, or `None` when it is ready.
async fn not_ready_reason(state: &AppState) -> Option<String> {
    if state.lifecycle.shutting_down() {
        Some("shutting down".to_string())
    } else if !state.lifecycle.schema_ready() {
        Some("database migrations not applied yet".to_string())
    } else {
        state
            .db
            .ping(DB_TIMEOUT)
            .await
            .err()
            .map(|e| format!("database unreachable: {e:#}"))
    }
}

/// Sets the gauges that describe this replica's state now, for `/metrics`: readiness,
/// Redis, the rate limiter's fallback and the database pool. Sampled at each scrape, as
/// the process metrics are, so alerts see the same state the probes do.
pub(crate) async fn record_state_metrics(state: &AppState) {
    let redis = async {
        match &state.redis {
            Some(redis) => Some(redis.ping(REDIS_TIMEOUT).await.is_ok()),
            None => None,
        }
    };
    let (reason, redis_up) = tokio::join!(not_ready_reason(state), redis);
    metrics::gauge!("llmchat_ready").set(f64::from(u8::from(reason.is_none())));
    if let Some(up) = redis_up {
        metrics::gauge!("llmchat_redis_up").set(f64::from(u8::from(up)));
    }
    metrics::gauge!("llmchat_ratelimit_fallback")
        .set(f64::from(u8::from(state.limiter.redis_degraded())));
    let pool = state.db.pool_stats();
    metrics::gauge!("llmchat_db_pool_connections", "state" => "idle").set(pool.idle);
    metrics::gauge!("llmchat_db_pool_connections", "state" => "in_use").set(pool.in_use);
    metrics::gauge!("llmchat_db_pool_max_connections").set(pool.max);
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}
