//! Cross-cutting HTTP behaviour, applied to every request: request ids, request logs, metrics,
//! security headers, panics → 500, body limit, CORS, rate limit, and one JSON error shape for
//! every 4xx/5xx.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tracing::Instrument;

pub mod limits;

use crate::config::Environment;
use crate::error::{Error, ErrorBody, ErrorResponse, InternalDetail, code_for_status};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub use crate::extract::RequestId;

/// The whole application: `routes` (already with their state) behind the layers every
/// request goes through, outermost first: [`edge`] (request id, request span and log line,
/// metrics, security headers, error shape), panics → 500, the default body limit, CORS, the
/// per-principal rate limit, and the request body's idle timeout.
///
/// These wrap the router once instead of being added with `Router::layer`, which wraps every
/// route's handler separately: axum then clones a chain of boxed services per layer and
/// request (about 60 boxed clones, a sixth of a `/v1` request's instructions). Only
/// [`RecordRoute`] stays per route, because the matched route template is only known there.
pub fn app(routes: Router, state: &crate::state::AppState) -> Router {
    let settings = state.settings();
    let body_limit = usize::try_from(settings.server.body_limit.as_u64()).unwrap_or(usize::MAX);
    let headers = security_headers(settings.environment);
    let lifecycle = state.lifecycle.clone();
    let stack = tower::ServiceBuilder::new()
        .layer(from_fn(move |req: Request, next: Next| {
            edge(headers.clone(), lifecycle.clone(), req, next)
        }))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(limits::cors(state.settings.clone()))
        .layer(from_fn_with_state(state.clone(), limits::rate_limit))
        // A body that stops arriving ends its request with 408 (slowloris on the body).
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            settings.server.body_read_timeout,
        ))
        .service(routes);
    Router::new().fallback_service(stack)
}

/// What every request gets, in one middleware (each `from_fn` layer boxes and clones the rest
/// of the stack per request): its id (the client's sane `x-request-id` or a new UUIDv7, also
/// sent back), a `request` span with id, method and path, one `finished processing request`
/// line at info, `http_requests_total` / `http_request_duration_seconds`, the security
/// headers, and the JSON error shape for every 4xx/5xx. While the server drains it answers
/// with `Connection: close`, so that keep-alive clients take their next request elsewhere
/// instead of racing the connection's close.
async fn edge(
    headers: std::sync::Arc<Vec<(HeaderName, HeaderValue)>>,
    lifecycle: std::sync::Arc<crate::state::Lifecycle>,
    mut req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    // `Connection` is an HTTP/1 header (HTTP/2 forbids it).
    let close_after = req.version() <= axum::http::Version::HTTP_11;
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane_request_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = method_label(req.method());
    let flavor = crate::compat::error::Flavor::of(req.uri().path(), req.headers());
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    // For the server-error line, which must name the request even when the info-level span
    // is filtered out (production logs at warn). A `Uri` clone shares its bytes.
    let uri = req.uri().clone();
    req.extensions_mut().insert(RequestId(id.clone()));
    let response = next.run(req).instrument(span.clone()).await;
    let mut response = shape_errors(response, flavor, &id, method, &uri)
        .instrument(span.clone())
        .await;

    let status = response.status().as_u16();
    // The matched template, never the raw path: labels stay bounded whatever clients send.
    let route = response.extensions_mut().remove::<MatchedPath>();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let handles = http_handles(route, method, status);
    handles.requests.increment(1);
    let latency = started.elapsed();
    handles.duration.record(latency.as_secs_f64());

    let response_headers = response.headers_mut();
    for (name, value) in headers.iter() {
        response_headers
            .entry(name)
            .or_insert_with(|| value.clone());
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response_headers.insert(REQUEST_ID, value);
    }
    if close_after && lifecycle.shutting_down() {
        response_headers.insert(
            axum::http::header::CONNECTION,
            HeaderValue::from_static("close"),
        );
    }
    span.in_scope(|| {
        let latency = format_args!("{} μs", latency.as_micros());
        tracing::info!(%latency, status, "finished processing request");
    });
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

/// Hands the matched route template (known only after routing) to [`edge`] in the response's
/// extensions. The one layer added per route.
#[derive(Clone)]
pub struct RecordRouteLayer;

impl<S> tower::Layer<S> for RecordRouteLayer {
    type Service = RecordRoute<S>;

    fn layer(&self, inner: S) -> RecordRoute<S> {
        RecordRoute(inner)
    }
}

#[derive(Clone)]
pub struct RecordRoute<S>(S);

impl<S, E> tower::Service<Request> for RecordRoute<S>
where
    S: tower::Service<Request, Response = Response, Error = E>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = E;
    type Future = RecordRouteFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let route = req.extensions().get::<MatchedPath>().cloned();
        RecordRouteFuture {
            inner: self.0.call(req),
            route,
        }
    }
}

pub struct RecordRouteFuture<F> {
    inner: F,
    route: Option<MatchedPath>,
}

impl<F, E> Future for RecordRouteFuture<F>
where
    F: Future<Output = Result<Response, E>> + Unpin,
{
    type Output = Result<Response, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut response = std::task::ready!(Pin::new(&mut self.inner).poll(cx))?;
        if let Some(route) = self.route.take() {
            response.extensions_mut().insert(route);
        }
        Poll::Ready(Ok(response))
    }
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
async fn shape_errors(
    response: Response,
    flavor: Option<crate::compat::error::Flavor>,
    request_id: &str,
    method: &'static str,
    uri: &axum::http::Uri,
) -> Response {
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
                field: None,
                budget: None,
            }
        }
    };
    if status.is_server_error() {
        let detail = parts
            .extensions
            .get::<InternalDetail>()
            .map(|d| d.0.as_str());
        tracing::error!(
            status = status.as_u16(),
            request_id,
            method,
            path = uri.path(),
            detail,
            "request failed"
        );
    }
    error.request_id = Some(request_id.to_owned());
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
