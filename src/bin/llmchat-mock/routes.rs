//! The HTTP face of the mock: the vendors' routes under one prefix per protocol, the
//! `/k/<knobs>/` segment that may precede them (read, recorded and stripped before routing),
//! and the `/_mock/` routes tests inspect it with.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Extension, Query, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::knobs;
use crate::protocol::Protocol;
use crate::record::{Filter, Recorded};
use crate::replay::{self, Events, Plan};
use crate::state::{Call, JSON, MockState, error_response, error_status, mock_error};
use crate::synthetic::Synthetic;

/// Request bodies up to this size are accepted (base64 images make chat bodies large).
const MAX_BODY: usize = 64 * 1024 * 1024;
const SSE: HeaderValue = HeaderValue::from_static("text/event-stream; charset=utf-8");

/// The mock's routes. Serve them behind [`prepare`], which must see requests before routing.
pub fn router(state: MockState) -> Router {
    let chat_route =
        |protocol| post(move |State(state), Extension(call)| chat(protocol, state, call));
    Router::new()
        .route("/openai/v1/chat/completions", chat_route(Protocol::OpenAi))
        .route("/anthropic/v1/messages", chat_route(Protocol::Anthropic))
        .route(
            "/openai/v1/models",
            get(|State(state), Extension(call)| {
                fixed(Protocol::OpenAi, openai_models(), state, call)
            }),
        )
        .route(
            "/anthropic/v1/models",
            get(|State(state), Extension(call)| {
                fixed(Protocol::Anthropic, anthropic_models(), state, call)
            }),
        )
        .route(
            "/fastgpt/api/v1/chat/completions",
            chat_route(Protocol::FastGpt),
        )
        .route(
            "/fastgpt/api/core/chat/init",
            get(|State(state), Extension(call)| {
                app_fixture(Protocol::FastGpt, "init", state, call)
            }),
        )
        .route(
            "/fastgpt/api/core/chat/feedback/updateUserFeedback",
            post(|State(state), Extension(call)| {
                let body = json!({"code": 200, "statusText": "", "message": "", "data": null});
                fixed(Protocol::FastGpt, body, state, call)
            }),
        )
        .route("/dify/v1/chat-messages", chat_route(Protocol::Dify))
        .route(
            "/dify/v1/chat-messages/{task_id}/stop",
            post(|State(state), Extension(call)| {
                fixed(Protocol::Dify, json!({"result": "success"}), state, call)
            }),
        )
        .route(
            "/dify/v1/parameters",
            get(|State(state), Extension(call)| {
                app_fixture(Protocol::Dify, "parameters", state, call)
            }),
        )
        .route(
            "/dify/v1/messages/{message_id}/feedbacks",
            post(|State(state), Extension(call)| {
                fixed(Protocol::Dify, json!({"result": "success"}), state, call)
            }),
        )
        .route("/_mock/requests", get(list_requests).delete(clear_requests))
        .route("/_mock/fixtures", get(list_fixtures))
        .fallback(no_route)
        .with_state(state)
}

/// Runs before routing: reads and strips the `/k/<knobs>` segment (a malformed one is a 400),
/// buffers and records the request, and hands the knobs and body to the handler. Responses
/// carry `x-mock-request: <seq>`, the request's number in `GET /_mock/requests`.
pub async fn prepare(State(state): State<MockState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/_mock/") {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let (key, path) = split_knobs(parts.uri.path());
    let knobs = match knobs::parse(key) {
        Ok(knobs) => knobs,
        Err(message) => return mock_error(StatusCode::BAD_REQUEST, &message),
    };
    let key: Arc<str> = Arc::from(key);
    let rewrite = path.len() != parts.uri.path().len();
    let path = path.to_string();
    let query = parts.uri.query().map(str::to_string);
    if rewrite {
        let target = match &query {
            Some(query) => format!("{path}?{query}"),
            None => path.clone(),
        };
        match target.parse::<Uri>() {
            Ok(uri) => parts.uri = uri,
            Err(error) => return mock_error(StatusCode::BAD_REQUEST, &error.to_string()),
        }
    }
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return mock_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large",
        );
    };
    let seq = state.recorder.record(Recorded {
        seq: 0,
        method: parts.method.clone(),
        path,
        query,
        knobs: (!key.is_empty()).then(|| key.to_string()),
        tag: knobs.tag.clone(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    parts.extensions.insert(Call {
        knobs: Arc::new(knobs),
        key,
        body,
    });
    let mut response = next.run(Request::from_parts(parts, Body::empty())).await;
    response
        .headers_mut()
        .insert("x-mock-request", HeaderValue::from(seq));
    response
}

/// `/k/<knobs>/rest` → (`<knobs>`, `/rest`); any other path → (``, path).
fn split_knobs(path: &str) -> (&str, &str) {
    match path.strip_prefix("/k/") {
        Some(rest) => match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, "/"),
        },
        None => ("", path),
    }
}

async fn chat(protocol: Protocol, state: MockState, call: Call) -> Response {
    pause(call.knobs.first_delay).await;
    let stream = match protocol.wants_stream(&call.body) {
        Ok(stream) => stream,
        Err(message) => return mock_error(StatusCode::BAD_REQUEST, &message),
    };
    let faults = state.faults_in_force(&call, true);
    if let Some(status) = faults.status {
        return state.vendor_error(protocol, status, call.knobs.retry_after);
    }
    if let Some((status, body)) = call.knobs.scenario.as_deref().and_then(|stem| {
        let status = error_status(stem)?;
        Some((status, state.fixtures.json(protocol, stem)?.clone()))
    }) {
        return error_response(status, body, call.knobs.retry_after);
    }
    let events = match call.knobs.chunks {
        Some(chunks) => {
            let synthetic = Synthetic { protocol, chunks };
            if stream {
                Events::Synthetic(synthetic)
            } else {
                Events::Whole(synthetic.json())
            }
        }
        None => match state.fixture(protocol, call.knobs.scenario.as_deref(), stream) {
            Ok(events) => events,
            Err(message) => return mock_error(StatusCode::NOT_FOUND, &message),
        },
    };
    let is_sse = !matches!(events, Events::Whole(_));
    let body = replay::body(events, Plan::new(&call.knobs, &faults));
    if is_sse {
        let headers = [
            (CONTENT_TYPE, SSE),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ];
        (headers, body).into_response()
    } else {
        ([(CONTENT_TYPE, JSON)], body).into_response()
    }
}

/// An app's start-up data (FastGPT `init`, Dify `parameters`): the fixture named by the `app`
/// knob, else `default`.
async fn app_fixture(protocol: Protocol, default: &str, state: MockState, call: Call) -> Response {
    pause(call.knobs.first_delay).await;
    if let Some(status) = state.faults_in_force(&call, false).status {
        return state.vendor_error(protocol, status, call.knobs.retry_after);
    }
    let stem = call.knobs.app.as_deref().unwrap_or(default);
    match state.fixtures.json(protocol, stem) {
        Some(body) => ([(CONTENT_TYPE, JSON)], body.clone()).into_response(),
        None => mock_error(StatusCode::NOT_FOUND, &state.no_fixture(protocol, stem)),
    }
}

/// A route whose answer never varies (feedback, stop), status faults aside.
async fn fixed(
    protocol: Protocol,
    body: serde_json::Value,
    state: MockState,
    call: Call,
) -> Response {
    pause(call.knobs.first_delay).await;
    if let Some(status) = state.faults_in_force(&call, false).status {
        return state.vendor_error(protocol, status, call.knobs.retry_after);
    }
    Json(body).into_response()
}

/// OpenAI's `GET /v1/models` (also what Ollama, vLLM and DeepSeek answer).
fn openai_models() -> serde_json::Value {
    let model = |id: &str| json!({"id": id, "object": "model", "created": 1_715_367_049, "owned_by": "llmchat-mock"});
    json!({"object": "list", "data": [model("mock-gpt-4o-mini"), model("mock-gpt-4o")]})
}

/// Anthropic's `GET /v1/models`.
fn anthropic_models() -> serde_json::Value {
    json!({
        "data": [{"type": "model", "id": "mock-claude-sonnet", "display_name": "Mock Claude Sonnet",
                  "created_at": "2025-09-29T00:00:00Z"}],
        "has_more": false, "first_id": "mock-claude-sonnet", "last_id": "mock-claude-sonnet"
    })
}

async fn list_requests(State(state): State<MockState>, Query(filter): Query<Filter>) -> Response {
    Json(state.recorder.list(&filter)).into_response()
}

async fn clear_requests(State(state): State<MockState>) -> StatusCode {
    state.recorder.clear();
    StatusCode::NO_CONTENT
}

async fn list_fixtures(State(state): State<MockState>, Query(filter): Query<Filter>) -> Response {
    let only = filter
        .protocol
        .as_deref()
        .and_then(|p| Protocol::of_path(&format!("/{p}")));
    let list: Vec<_> = state
        .fixtures
        .list(only)
        .into_iter()
        .map(|(protocol, stem, kind, events)| {
            json!({"protocol": protocol.name(), "name": stem, "kind": kind, "events": events})
        })
        .collect();
    Json(list).into_response()
}

async fn no_route(method: Method, uri: Uri) -> Response {
    let message = format!("no route for {method} {}", uri.path());
    mock_error(StatusCode::NOT_FOUND, &message)
}

async fn pause(duration: Duration) {
    if !duration.is_zero() {
        tokio::time::sleep(duration).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_knob_segment_is_split_from_the_vendor_path() {
        assert_eq!(
            split_knobs("/k/delay_ms=5,fault=cut:3/openai/v1/chat/completions"),
            ("delay_ms=5,fault=cut:3", "/openai/v1/chat/completions")
        );
        assert_eq!(
            split_knobs("/k//dify/v1/parameters"),
            ("", "/dify/v1/parameters")
        );
        assert_eq!(split_knobs("/k/chunks=1"), ("chunks=1", "/"));
        assert_eq!(
            split_knobs("/openai/v1/chat/completions"),
            ("", "/openai/v1/chat/completions")
        );
    }
}
