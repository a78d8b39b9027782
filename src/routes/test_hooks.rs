//! Test-only routes (feature `test-hooks`, never in release builds): a slow handler for
//! shutdown tests, a panicking one, and a JSON echo for body-handling tests. They are not part
//! of the API and not in the OpenAPI document.

use std::time::Duration;

use axum::Router;
use axum::extract::Query;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::extract::Json;
use crate::state::AppState;

#[derive(Deserialize)]
struct Slow {
    ms: u64,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/test/slow", get(slow))
        .route("/api/test/panic", get(panic))
        .route("/api/test/echo", post(echo))
}

async fn slow(Query(q): Query<Slow>) -> String {
    tokio::time::sleep(Duration::from_millis(q.ms)).await;
    format!("slept {} ms", q.ms)
}

#[expect(clippy::panic, reason = "exercises the panic handler")]
async fn panic() -> &'static str {
    panic!("test hook panicked on purpose")
}

async fn echo(Json(body): Json<serde_json::Value>) -> Json<serde_json::Value> {
    Json(body)
}
