//! Operations endpoints: Prometheus metrics, build version, the OpenAPI document.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{AdminUser, ClientInfo};
use crate::build_info;
use crate::error::{Error, ErrorBody, ErrorResponse};
use crate::routes::{metrics_token_ok, openapi_json};
use crate::state::AppState;
use crate::telemetry;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Version {
    pub version: String,
    pub git_commit: String,
    /// RFC 3339, UTC.
    pub build_time: String,
    pub rustc: String,
    /// Cargo features compiled in.
    pub features: Vec<String>,
    pub environment: String,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(metrics))
        .routes(routes!(version))
        .routes(routes!(openapi))
        .routes(routes!(reload_config))
}

/// A configuration reload refused: why, and nothing changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReloadRefused {
    pub error: ErrorBody,
    /// For invalid agents: every problem.
    pub problems: Vec<crate::agents::Problem>,
}

/// Re-reads the configuration files, the environment layers and the agents; applies what can
/// change without a restart (agents, rate limits, auth limits and registration, log level,
/// CORS origins, trusted proxies, the metrics token) and lists what needs one. Admins only (an
/// admin's API key works, for scripts).
#[utoipa::path(post, path = "/api/config/reload", tag = "operations", security(("bearer" = [])),
    responses(
        (status = 200, description = "reloaded", body = crate::reload::Outcome),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 422, description = "the configuration or the agents are not valid; nothing changed", body = ReloadRefused),
    ))]
async fn reload_config(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
) -> axum::response::Response {
    let event = Event::new("admin.config_reload", Some(&admin.id));
    let (message, problems) = match crate::reload::reload_running(&state).await {
        Ok(outcome) => {
            crate::cluster::announce(&state, crate::cluster::Signal::Config).await;
            let details = serde_json::json!({
                "applied": outcome.applied,
                "restart_required": outcome.restart_required,
            });
            record(&state, &client, event.details(details)).await;
            return axum::Json(outcome).into_response();
        }
        Err(crate::reload::ReloadError::Config(e)) => (e.to_string(), Vec::new()),
        Err(crate::reload::ReloadError::Agents(report)) => (report.to_string(), report.problems),
    };
    record(&state, &client, event.failed()).await;
    let body = ReloadRefused {
        error: ErrorBody {
            code: "invalid_configuration".into(),
            message,
            request_id: client.request_id,
            field: None,
            budget: None,
        },
        problems,
    };
    (
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(body),
    )
        .into_response()
}

/// Prometheus text exposition: HTTP, process and build metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "METRICS_TOKEN is set and was not presented", body = ErrorResponse),
        (status = 403, description = "production without METRICS_TOKEN (`metrics_token_required`)", body = ErrorResponse),
    ))]
async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, Error> {
    if !metrics_token_ok(&state, &headers) {
        return Err(crate::routes::metrics_refusal(&state));
    }
    crate::routes::health::record_state_metrics(&state).await;
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        telemetry::metrics().render(),
    ))
}

/// Version and build facts.
#[utoipa::path(get, path = "/api/version", tag = "operations",
    responses((status = 200, description = "build facts", body = Version)))]
async fn version(State(state): State<AppState>) -> axum::Json<Version> {
    axum::Json(Version {
        version: build_info::VERSION.into(),
        git_commit: build_info::GIT_COMMIT.into(),
        build_time: build_info::build_time(),
        rustc: build_info::RUSTC_VERSION.into(),
        features: build_info::FEATURES.iter().map(|f| f.to_string()).collect(),
        environment: state.settings().environment.as_str().into(),
    })
}

/// This OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object, content_type = "application/json")))]
async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], openapi_json())
}
