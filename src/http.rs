//! Cross-cutting HTTP behaviour, applied to every route: request ids, request logs, metrics,
//! security headers, panics → 500, and one JSON error shape for every 4xx/5xx.

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::config::{Environment, Settings};
use crate::error::{Error, ErrorBody, ErrorResponse, InternalDetail, code_for_status};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id: the client's `x-request-id` when sane, a fresh UUIDv7 otherwise.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Wraps `router` in the layers every route gets. The outermost layer comes last.
pub fn layers<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    settings: &Settings,
) -> Router<S> {
    let body_limit = usize::try_from(settings.server.body_limit.as_u64()).unwrap_or(usize::MAX);
    let headers = security_headers(settings.environment);
    router
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn(shape_errors))
        // Metrics and security headers in one layer: every layer costs every request.
        .layer(from_fn(move |req: Request, next: Next| {
            let headers = headers.clone();
            async move {
                let mut response = track_metrics(req, next).await;
                for (name, value) in headers.iter() {
                    response
                        .headers_mut()
                        .entry(name)
                        .or_insert_with(|| value.clone());
                }
                response
            }
        }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .extensions()
                        .get::<RequestId>()
                        .map(|r| r.0.as_str())
                        .unwrap_or_default();
                    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                )
                .on_failure(()),
        )
        .layer(from_fn(request_id))
}

async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let header = HeaderValue::from_str(&id).ok();
    req.extensions_mut().insert(RequestId(id));
    let mut response = next.run(req).await;
    if let Some(value) = header {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// Client-supplied ids end up in every log line: keep them short and printable.
fn is_sane_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b))
}

async fn track_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    // The matched template, never the raw path: labels stay bounded whatever clients send.
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = method_label(req.method());
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let handles = http_handles(route, method, status);
    handles.requests.increment(1);
    handles.duration.record(started.elapsed().as_secs_f64());
    response
}

#[derive(Clone)]
struct HttpHandles {
    method: &'static str,
    status: u16,
    requests: metrics::Counter,
    duration: metrics::Histogram,
}

/// `http_requests_total` and `http_request_duration_seconds` for one route, method and status.
fn http_handles(route: &str, method: &'static str, status: u16) -> HttpHandles {
    static CACHE: std::sync::LazyLock<crate::telemetry::HandleCache<HttpHandles>> =
        std::sync::LazyLock::new(Default::default);
    CACHE.get(
        route,
        |h| h.method == method && h.status == status,
        || {
            let labels = [
                ("method", method.to_owned()),
                ("route", route.to_owned()),
                ("status", status.to_string()),
            ];
            HttpHandles {
                method,
                status,
                requests: metrics::counter!("http_requests_total", &labels),
                duration: metrics::histogram!("http_request_duration_seconds", &labels),
            }
        },
    )
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Gives every error response the JSON shape with the request id, and logs server errors once.
/// On `/v1/*` the shape is the OpenAI or Anthropic one (see `compat::error`).
async fn shape_errors(req: Request, next: Next) -> Response {
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let flavor = crate::compat::error::Flavor::of(req.uri().path(), req.headers());
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let mut error = match parts.extensions.remove::<ErrorBody>() {
        Some(error) => error,
        None if is_json(&parts.headers) => return Response::from_parts(parts, body),
        None => {
            // A rejection or fallback from axum: its plain-text body is the explanation.
            let text = axum::body::to_bytes(body, 2048).await.unwrap_or_default();
            let text = String::from_utf8_lossy(&text).trim().to_string();
            let message = if status.is_server_error() {
                "internal error".to_string()
            } else if text.is_empty() {
                status.canonical_reason().unwrap_or("error").to_lowercase()
            } else {
                text
            };
            ErrorBody {
                code: code_for_status(status).to_string(),
                message,
                request_id: None,
            }
        }
    };
    if status.is_server_error() {
        let detail = parts
            .extensions
            .get::<InternalDetail>()
            .map(|d| d.0.as_str());
        tracing::error!(status = status.as_u16(), detail, "request failed");
    }
    error.request_id = request_id;
    let bytes = match flavor {
        Some(flavor) => flavor.render(status, &error),
        None => serde_json::to_vec(&ErrorResponse { error }).unwrap_or_default(),
    };
    parts.headers.remove(CONTENT_LENGTH);
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(bytes))
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"))
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    Error::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}

fn security_headers(environment: Environment) -> std::sync::Arc<Vec<(HeaderName, HeaderValue)>> {
    let mut headers = vec![
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ),
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; \
             object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    ];
    if environment != Environment::Development {
        headers.push((
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        ));
    }
    std::sync::Arc::new(
        headers
            .into_iter()
            .map(|(n, v)| (HeaderName::from_static(n), HeaderValue::from_static(v)))
            .collect(),
    )
}
