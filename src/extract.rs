//! Extractors whose rejections speak the API's error shape, and the request id they carry.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;

/// For `#[serde(default, deserialize_with = "crate::extract::some_or_null")]` on an
/// `Option<Option<T>>`: tells an explicit `null` (`Some(None)`: clear or reset) from an absent
/// field (`None`: unchanged).
pub fn some_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// The request's id, put in the request's extensions by `http::edge`: the client's
/// `x-request-id` when sane, a fresh UUIDv7 otherwise.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// `axum::Json` whose malformed, mistyped or oversized bodies become [`Error`]s. A number
/// with a zero fraction (`30.0`) is taken where an integer is expected, as JSON Schema's
/// `integer` (what the OpenAPI document promises) allows it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        if !json_content_type(req.headers()) {
            return Err(Error::not_json());
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| match rejection {
                other if body_timed_out(&other) => Error::BodyTimeout,
                other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Error::body_too_large(),
                other => Error::BadRequest {
                    code: "bad_request",
                    message: other.body_text(),
                },
            })?;
        // Every request body of this API is an object; serde would also take a struct from
        // an array of its fields (`[null, null]`), which the schema does not allow.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(Error::BadRequest {
                code: "bad_request",
                message: "the request body must be a JSON object".into(),
            });
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(JsonRejection::JsonDataError(e)) => serde_json::from_slice(&bytes)
                .ok()
                .map(integral_floats_as_integers)
                .and_then(|value| serde_json::from_value(value).ok())
                .map(Json)
                .ok_or_else(|| Error::from(JsonRejection::JsonDataError(e))),
            Err(rejection) => Err(rejection.into()),
        }
    }
}

/// `application/json` or any `application/*+json`, as axum's own `Json` accepts.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

fn integral_floats_as_integers(value: Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                // In range: exactly representable, so the cast is lossless.
                Value::from(f as i64)
            }
            _ => Value::Number(n),
        },
        Value::Array(items) => {
            Value::Array(items.into_iter().map(integral_floats_as_integers).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, integral_floats_as_integers(v)))
                .collect(),
        ),
        other => other,
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Error {
        match rejection {
            JsonRejection::JsonDataError(e) => Error::Invalid {
                field: data_error_field(&e),
                message: e.body_text(),
            },
            JsonRejection::JsonSyntaxError(e) => Error::BadRequest {
                code: "malformed_json",
                message: e.body_text(),
            },
            JsonRejection::MissingJsonContentType(_) => Error::not_json(),
            other if body_timed_out(&other) => Error::BodyTimeout,
            other if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Error::body_too_large()
            }
            other => Error::BadRequest {
                code: "bad_request",
                message: other.body_text(),
            },
        }
    }
}

/// The field a body of the wrong shape is wrong at (`tokens_per_day`, `items[2].name`), as
/// serde found it; `body` when the body as a whole is (a missing field, the wrong type).
fn data_error_field(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(found) = error.downcast_ref::<serde_path_to_error::Error<serde_json::Error>>() {
            let path = found.path().to_string();
            return if path == "." { "body".into() } else { path };
        }
        cause = error.source();
    }
    "body".into()
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
