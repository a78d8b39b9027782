//! What the mock keeps between requests (fixtures, the request log, `fail_times` counters) and
//! the decisions made from it: which faults a request suffers, which fixture answers it, and
//! the error bodies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Json;
use axum::body::Bytes;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::fixtures::Fixtures;
use crate::knobs::{Faults, Knobs};
use crate::protocol::Protocol;
use crate::record::Recorder;
use crate::replay::Events;
use crate::synthetic::Synthetic;

pub const JSON: HeaderValue = HeaderValue::from_static("application/json");

#[derive(Debug, Clone)]
pub struct MockState {
    pub fixtures: Arc<Fixtures>,
    pub recorder: Arc<Recorder>,
    /// Requests seen per knob string, for `fail_times`.
    pub failures: Arc<Mutex<HashMap<String, u32>>>,
}

/// One request's knobs and body, put in its extensions by [`crate::routes::prepare`].
#[derive(Debug, Clone)]
pub struct Call {
    pub knobs: Arc<Knobs>,
    /// The knob string as written: the key of its `fail_times` counter.
    pub key: Arc<str>,
    pub body: Bytes,
}

impl MockState {
    /// The faults this request suffers: none once `fail_times` requests with its knob string
    /// have had them. `chat` routes suffer body faults too; the others only status faults.
    pub fn faults_in_force(&self, call: &Call, chat: bool) -> Faults {
        let faults = &call.knobs.faults;
        if faults.status.is_none() && !(chat && faults.touches_body()) {
            return Faults::default();
        }
        if let Some(times) = call.knobs.fail_times {
            let mut seen = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
            let count = match seen.get_mut(&*call.key) {
                Some(count) => count,
                None => seen.entry(call.key.to_string()).or_default(),
            };
            *count = count.saturating_add(1);
            if *count > times {
                return Faults::default();
            }
        }
        if chat {
            faults.clone()
        } else {
            Faults {
                status: faults.status,
                ..Faults::default()
            }
        }
    }

    /// `status` with the vendor's error body: the protocol's `error_<status>.json` fixture if
    /// there is one, else a built-in body of the same shape.
    pub fn vendor_error(
        &self,
        protocol: Protocol,
        status: u16,
        retry_after: Option<u64>,
    ) -> Response {
        let body = match self.fixtures.json(protocol, &format!("error_{status}")) {
            Some(body) => body.clone(),
            None => Bytes::from(protocol.error_body(status).to_string()),
        };
        error_response(status, body, retry_after)
    }

    /// The chat reply: the `scenario` fixture (`.sse` preferred for a stream, `.json`
    /// otherwise, either accepted), or the protocol's default; with no default fixture loaded,
    /// five generated chunks.
    pub fn fixture(
        &self,
        protocol: Protocol,
        scenario: Option<&str>,
        stream: bool,
    ) -> Result<Events, String> {
        let sse = |stem: &str| {
            self.fixtures
                .sse(protocol, stem)
                .map(|e| Events::Sse(e.clone()))
        };
        let json = |stem: &str| {
            self.fixtures
                .json(protocol, stem)
                .map(|b| Events::Whole(b.clone()))
        };
        if let Some(stem) = scenario {
            let found = if stream {
                sse(stem).or_else(|| json(stem))
            } else {
                json(stem).or_else(|| sse(stem))
            };
            return found.ok_or_else(|| self.no_fixture(protocol, stem));
        }
        let found = protocol
            .default_fixtures(stream)
            .iter()
            .find_map(|stem| if stream { sse(stem) } else { json(stem) });
        Ok(found.unwrap_or_else(|| {
            let synthetic = Synthetic {
                protocol,
                chunks: 5,
            };
            if stream {
                Events::Synthetic(synthetic)
            } else {
                Events::Whole(synthetic.json())
            }
        }))
    }

    /// Says which fixture is missing and which the protocol has.
    pub fn no_fixture(&self, protocol: Protocol, stem: &str) -> String {
        let have: Vec<String> = self
            .fixtures
            .list(Some(protocol))
            .into_iter()
            .map(|(_, stem, kind, _)| format!("{stem}.{kind}"))
            .collect();
        format!(
            "no {} fixture `{stem}` (have: {})",
            protocol.name(),
            have.join(", ")
        )
    }
}

/// The status an error fixture is named for: `error_404_ollama` → 404.
pub fn error_status(stem: &str) -> Option<u16> {
    let digits = stem.strip_prefix("error_")?.get(..3)?;
    digits
        .parse()
        .ok()
        .filter(|status| (400..=599).contains(status))
}

pub fn error_response(status: u16, body: Bytes, retry_after: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, [(CONTENT_TYPE, JSON)], body).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A problem with the request to the mock itself (bad knobs, unknown fixture, no route), in a
/// shape every protocol's error parser finds a message in.
pub fn mock_error(status: StatusCode, message: &str) -> Response {
    let message = format!("llmchat-mock: {message}");
    let body = json!({"error": {"type": "mock_error", "message": message}, "message": message});
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_fixtures_are_answered_with_the_status_they_are_named_for() {
        assert_eq!(error_status("error_404_ollama"), Some(404));
        assert_eq!(error_status("error_529"), Some(529));
        assert_eq!(error_status("error_body"), None);
        assert_eq!(error_status("response_text"), None);
    }
}
