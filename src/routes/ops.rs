//! Operations endpoints: Prometheus metrics, build version, the OpenAPI document.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::build_info;
use crate::error::{Error, ErrorResponse};
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
}

/// Prometheus text exposition: HTTP, process and build metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "METRICS_TOKEN is set and was not presented", body = ErrorResponse),
    ))]
async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, Error> {
    if !metrics_token_ok(&state, &headers) {
        return Err(Error::Unauthorized);
    }
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
        environment: state.settings.environment.as_str().into(),
    })
}

/// This OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object, content_type = "application/json")))]
async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], openapi_json())
}
