//! The one error type of the HTTP API and its JSON shape
//! `{"error":{"code","message","request_id"}}`.
//!
//! Handlers return [`Error`]; its response carries an [`ErrorBody`] extension that the
//! error-shaping middleware (see `http.rs`) completes with the request id, so every error —
//! ours, axum's rejections, a 404, a panic — leaves the server in the same shape.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::budget_status::BudgetStatus;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("authentication required")]
    Unauthorized,
    #[error("invalid username or password")]
    InvalidCredentials,
    /// 401 `sign_in_required`: what the caller asked for is for signed-in users only; the
    /// message says what.
    #[error("{0}")]
    SignInRequired(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// 403 with a code of its own (`registration_closed`, …).
    #[error("{message}")]
    Denied { code: &'static str, message: String },
    #[error("not found")]
    NotFound,
    /// 404 about a field of the request that names something the caller cannot find (an
    /// agent id); `field` says which, as for 422.
    #[error("{field}: {message}")]
    NoSuch {
        field: &'static str,
        message: &'static str,
    },
    #[error("{0}")]
    Conflict(&'static str),
    /// 409 about one field of the request (`username`, `email`).
    #[error("{message}")]
    Taken {
        field: &'static str,
        message: &'static str,
    },
    /// 409 with a code and a message of its own (`group_in_use`, …).
    #[error("{message}")]
    InUse { code: &'static str, message: String },
    /// A turn is already running in the conversation; the message names its answer's id.
    #[error(
        "a reply is still being generated in this conversation (message {0}); stop it or wait for it to finish"
    )]
    TurnRunning(String),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// 429 with `Retry-After`: the rate limit (`rate_limited`, [`Error::rate_limited`]), an
    /// agent limit or a quota; the message names it.
    #[error("{message}")]
    LimitReached {
        code: &'static str,
        message: String,
        retry_after_s: u64,
    },
    /// 429 `budget_exceeded` with `Retry-After`: a user's or group's budget is used up; the
    /// body's `budget` says which, how much of it is used and when it renews.
    #[error("{message}")]
    OverBudget {
        message: String,
        retry_after_s: u64,
        budget: Box<BudgetStatus>,
    },
    #[error(
        "too many failed logins on this account from this address: try again in {retry_after_s} s"
    )]
    Locked { retry_after_s: u64 },
    /// 413 `upload_quota_exceeded`: the user's uploads would pass `uploads.quota_per_user`.
    #[error("{0}")]
    UploadQuota(String),
    /// 408: the body stopped arriving for `server.body_read_timeout`.
    #[error("the request body stopped arriving before it was complete")]
    BodyTimeout,
    /// 413 whose message names the limit that was exceeded ([`Error::body_too_large`] for
    /// the body limit).
    #[error("{0}")]
    TooLarge(String),
    /// 415 whose message names what is accepted ([`Error::not_json`], an upload of the wrong
    /// type).
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Unavailable(&'static str),
    /// 503 with `Retry-After`: too much work of one kind at once (password checks).
    #[error("the server is busy; retry in {retry_after_s} s")]
    Busy { retry_after_s: u64 },
    /// An upstream failed (the admins' model list); the message explains it (never a key).
    #[error("the agent's provider failed: {0}")]
    BadGateway(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, snake_case machine-readable code such as `not_found`.
    pub code: String,
    /// Human-readable explanation; for 5xx only "internal error".
    pub message: String,
    /// The `x-request-id` of the failed request, to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The request field the error is about (422 `invalid`, 409 on a taken name), so that a
    /// form can show the message beside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The budget that is used up (429 `budget_exceeded`), for a client to say it in its own
    /// words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetStatus>,
}

impl Error {
    /// 429 `rate_limited`: over `rate_limit.requests_per_minute` (or another per-address limit).
    pub fn rate_limited(retry_after_s: u64) -> Error {
        Error::LimitReached {
            code: "rate_limited",
            message: format!("rate limited; retry in {retry_after_s} s"),
            retry_after_s,
        }
    }

    /// 413: the body is over `server.body_limit`.
    pub fn body_too_large() -> Error {
        Error::TooLarge("request body too large".into())
    }

    /// 415: a JSON body sent without `Content-Type: application/json`.
    pub fn not_json() -> Error {
        Error::Unsupported("expected a request with Content-Type: application/json".into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized | Error::InvalidCredentials | Error::SignInRequired(_) => {
                StatusCode::UNAUTHORIZED
            }
            Error::Forbidden(_) | Error::Denied { .. } => StatusCode::FORBIDDEN,
            Error::NotFound | Error::NoSuch { .. } => StatusCode::NOT_FOUND,
            Error::Conflict(_)
            | Error::Taken { .. }
            | Error::TurnRunning(_)
            | Error::InUse { .. } => StatusCode::CONFLICT,
            Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::LimitReached { .. } | Error::OverBudget { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Locked { .. } => StatusCode::LOCKED,
            Error::TooLarge(_) | Error::UploadQuota(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Error::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Unavailable(_) | Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `code` of the error's JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadRequest { code, .. }
            | Error::LimitReached { code, .. }
            | Error::Denied { code, .. }
            | Error::InUse { code, .. } => code,
            Error::Invalid { .. } => "invalid",
            Error::OverBudget { .. } => "budget_exceeded",
            Error::InvalidCredentials => "invalid_credentials",
            Error::SignInRequired(_) => "sign_in_required",
            Error::UploadQuota(_) => "upload_quota_exceeded",
            Error::TurnRunning(_) => "turn_running",
            Error::BadGateway(_) => "upstream_error",
            other => code_for_status(other.status()),
        }
    }
}

/// The default `code` for a status, used when nothing more specific is known.
pub fn code_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "request_timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "invalid",
        423 => "too_many_failed_logins",
        429 => "rate_limited",
        503 => "unavailable",
        504 => "timeout",
        s if s >= 500 => "internal",
        _ => "bad_request",
    }
}

/// Marks a response as already logged, so the error middleware does not log it again.
#[derive(Debug, Clone)]
pub struct InternalDetail(pub String);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error()
            && !matches!(
                self,
                Error::Unavailable(_) | Error::Busy { .. } | Error::BadGateway(_)
            ) {
            "internal error".to_string()
        } else {
            self.to_string()
        };
        let field = match &self {
            Error::Invalid { field, .. } => Some(field.clone()),
            Error::Taken { field, .. } | Error::NoSuch { field, .. } => Some((*field).to_string()),
            _ => None,
        };
        let budget = match &self {
            Error::OverBudget { budget, .. } => Some(budget.as_ref().clone()),
            _ => None,
        };
        let body = ErrorBody {
            code: self.code().to_string(),
            message,
            request_id: None,
            field,
            budget,
        };
        let mut response = status.into_response();
        if let Error::Locked { retry_after_s }
        | Error::Busy { retry_after_s }
        | Error::LimitReached { retry_after_s, .. }
        | Error::OverBudget { retry_after_s, .. } = &self
            && let Ok(value) = retry_after_s.to_string().parse()
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        if let Error::Internal(e) = &self {
            response
                .extensions_mut()
                .insert(InternalDetail(format!("{e:#}")));
        }
        response.extensions_mut().insert(body);
        response
    }
}
