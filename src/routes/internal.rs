//! The internal port (`METRICS_PORT`): `/metrics` without a token for a Prometheus inside the
//! network. It is not part of the public API (nor of its OpenAPI document): nothing else is
//! served there, and the port is never published.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::state::AppState;
use crate::telemetry;

/// The router of the internal port (`METRICS_PORT`): `/metrics` without a token, for a
/// Prometheus inside the network; nothing else is served there.
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(internal_metrics))
        .with_state(state)
}

async fn internal_metrics(State(state): State<AppState>) -> impl IntoResponse {
    crate::routes::health::record_state_metrics(&state).await;
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        telemetry::metrics().render(),
    )
}
