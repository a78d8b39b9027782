//! Errors on `/v1/*` in the shape of the API the client speaks, so that the official SDKs raise
//! their own exception types: OpenAI `{"error":{"message","type","param","code"}}`, Anthropic
//! `{"type":"error","error":{"type","message"},"request_id"}`. The error middleware
//! (`http.rs`) calls [`Flavor::render`] for every 4xx/5xx on these paths — the rate limiter's,
//! authentication's, axum's 404/405/413 and the handlers' alike.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorBody};
use crate::llm::LlmError;

/// Which API's error shape a `/v1` request gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    OpenAi,
    Anthropic,
}

impl Flavor {
    /// `/v1/messages` speaks Anthropic; any other `/v1` path speaks Anthropic when the client
    /// sends `anthropic-version` (as Anthropic's SDKs always do), OpenAI otherwise. `None`
    /// outside `/v1`.
    pub fn of(path: &str, headers: &HeaderMap) -> Option<Flavor> {
        let rest = path.strip_prefix("/v1")?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        if rest == "/messages" || rest.starts_with("/messages/") {
            return Some(Flavor::Anthropic);
        }
        if headers.contains_key("anthropic-version") {
            Some(Flavor::Anthropic)
        } else {
            Some(Flavor::OpenAi)
        }
    }

    /// The error body for `status` with our `error` (code and message).
    pub fn render(self, status: StatusCode, error: &ErrorBody) -> Vec<u8> {
        let result = match self {
            Flavor::OpenAi => serde_json::to_vec(&OpenAiError {
                error: OpenAiErrorBody {
                    message: &error.message,
                    kind: openai_type(status),
                    param: None,
                    code: openai_code(&error.code),
                },
            }),
            Flavor::Anthropic => serde_json::to_vec(&AnthropicError {
                kind: "error",
                error: AnthropicErrorBody {
                    kind: anthropic_type(status),
                    message: &error.message,
                },
                request_id: error.request_id.as_deref(),
            }),
        };
        result.unwrap_or_default()
    }
}

/// OpenAI's error document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenAiError<'a> {
    pub error: OpenAiErrorBody<'a>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenAiErrorBody<'a> {
    pub message: &'a str,
    /// `invalid_request_error`, `authentication_error`, `permission_error`,
    /// `not_found_error`, `rate_limit_error` or `api_error`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub param: Option<&'a str>,
    /// A machine-readable code such as `model_not_found` or `rate_limit_exceeded`.
    pub code: &'a str,
}

/// Anthropic's error document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnthropicError<'a> {
    /// Always `error`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub error: AnthropicErrorBody<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<&'a str>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnthropicErrorBody<'a> {
    /// `invalid_request_error`, `authentication_error`, `permission_error`,
    /// `not_found_error`, `request_too_large`, `rate_limit_error`, `api_error` or
    /// `overloaded_error`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message: &'a str,
}

fn openai_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        s if s >= 500 => "api_error",
        _ => "invalid_request_error",
    }
}

fn anthropic_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        s if s >= 500 => "api_error",
        _ => "invalid_request_error",
    }
}

/// Our codes, with OpenAI's own names where it has one.
fn openai_code(code: &str) -> &str {
    match code {
        "unauthorized" => "invalid_api_key",
        "rate_limited" => "rate_limit_exceeded",
        other => other,
    }
}

/// A `/v1` handler's error: one of ours, or a status with its own code and message.
#[derive(Debug)]
pub enum ApiError {
    App(Error),
    Status {
        status: StatusCode,
        code: &'static str,
        message: String,
        retry_after_s: Option<u64>,
    },
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        ApiError::App(error)
    }
}

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::Status {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_request",
            message: message.into(),
            retry_after_s: None,
        }
    }

    pub fn model_not_found(model: &str) -> ApiError {
        ApiError::Status {
            status: StatusCode::NOT_FOUND,
            code: "model_not_found",
            message: format!(
                "The model `{model}` does not exist or you do not have access to it (models are \
                 agent ids: GET /v1/models lists yours)."
            ),
            retry_after_s: None,
        }
    }

    /// The agent's provider failed before answering. The upstream's own rate limit is passed
    /// on as one (with its `Retry-After`), and its verdict on a malformed request (tools the
    /// client described badly…) as a 400; anything else — a bad upstream key included, which
    /// is the operator's to fix, not the client's — is a 502.
    pub fn upstream(agent_id: &str, error: &LlmError) -> ApiError {
        let (status, code, retry_after_s) = match error {
            LlmError::Upstream {
                status: Some(429),
                retry_after_s,
                ..
            } => (
                StatusCode::TOO_MANY_REQUESTS,
                "upstream_rate_limited",
                Some(retry_after_s.unwrap_or(1)),
            ),
            LlmError::Upstream {
                status: Some(400 | 422),
                ..
            } => (StatusCode::BAD_REQUEST, "upstream_rejected", None),
            LlmError::IdleTimeout(_) => (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout", None),
            _ => (StatusCode::BAD_GATEWAY, "upstream_error", None),
        };
        tracing::warn!(agent = %agent_id, %error, "the agent's provider failed");
        ApiError::Status {
            status,
            code,
            message: format!("agent {agent_id:?}: {}", error.public_message()),
            retry_after_s,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, retry_after_s) = match self {
            ApiError::App(error) => return error.into_response(),
            ApiError::Status {
                status,
                code,
                message,
                retry_after_s,
            } => (status, code, message, retry_after_s),
        };
        let mut response = status.into_response();
        if let Some(seconds) = retry_after_s {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(ErrorBody {
            code: code.to_string(),
            message,
            request_id: None,
            field: None,
            budget: None,
        });
        response
    }
}

/// A JSON request body whose problems are 400s (413 when too large) with serde's explanation;
/// unlike `crate::extract::Json` it does not insist on a `Content-Type`, as the vendors do not.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::App(Error::body_too_large())
            } else {
                ApiError::invalid(rejection.body_text())
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(Body)
            .map_err(|e| ApiError::invalid(format!("invalid request body: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: &str, message: &str) -> ErrorBody {
        ErrorBody {
            code: code.into(),
            message: message.into(),
            request_id: Some("req-1".into()),
            field: None,
            budget: None,
        }
    }

    #[test]
    fn the_path_and_the_version_header_choose_the_shape() {
        let none = HeaderMap::new();
        let mut anthropic = HeaderMap::new();
        anthropic.insert("anthropic-version", HeaderValue::from_static("2023-06-01"));
        assert_eq!(Flavor::of("/v1/messages", &none), Some(Flavor::Anthropic));
        assert_eq!(Flavor::of("/v1/models", &none), Some(Flavor::OpenAi));
        assert_eq!(
            Flavor::of("/v1/models", &anthropic),
            Some(Flavor::Anthropic)
        );
        assert_eq!(Flavor::of("/v1", &none), Some(Flavor::OpenAi));
        assert_eq!(Flavor::of("/v1x/models", &none), None);
        assert_eq!(Flavor::of("/api/agents", &anthropic), None);
    }

    #[test]
    fn openai_errors_have_type_param_and_code() {
        let json: serde_json::Value = serde_json::from_slice(
            &Flavor::OpenAi.render(StatusCode::UNAUTHORIZED, &body("unauthorized", "no")),
        )
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {"message": "no", "type": "authentication_error",
                                         "param": null, "code": "invalid_api_key"}})
        );
    }

    #[test]
    fn anthropic_errors_have_their_types_and_the_request_id() {
        let json: serde_json::Value = serde_json::from_slice(
            &Flavor::Anthropic.render(StatusCode::PAYLOAD_TOO_LARGE, &body("x", "big")),
        )
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "error", "request_id": "req-1",
                               "error": {"type": "request_too_large", "message": "big"}})
        );
        for (status, kind) in [
            (429, "rate_limit_error"),
            (404, "not_found_error"),
            (405, "invalid_request_error"),
            (502, "api_error"),
        ] {
            assert_eq!(anthropic_type(StatusCode::from_u16(status).unwrap()), kind);
        }
    }
}
