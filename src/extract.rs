//! Extractors whose rejections speak the API's error shape.

use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::response::{IntoResponse, Response};

use crate::error::Error;

/// `axum::Json` whose malformed, mistyped or oversized bodies become [`Error`]s.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Error {
        match rejection {
            JsonRejection::JsonDataError(e) => Error::Invalid {
                field: "body".into(),
                message: e.body_text(),
            },
            JsonRejection::JsonSyntaxError(e) => Error::BadRequest {
                code: "malformed_json",
                message: e.body_text(),
            },
            JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType,
            other if body_timed_out(&other) => Error::BodyTimeout,
            other if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Error::PayloadTooLarge
            }
            other => Error::BadRequest {
                code: "bad_request",
                message: other.body_text(),
            },
        }
    }
}

/// Whether reading the body failed because it stopped arriving (`server.body_read_timeout`);
/// counts it in `llmchat_http_body_timeouts_total`.
pub fn body_timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<tower_http::timeout::TimeoutError>() {
            metrics::counter!("llmchat_http_body_timeouts_total").increment(1);
            return true;
        }
        cause = error.source();
    }
    false
}
