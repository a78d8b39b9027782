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

use crate::config::Environment;
use crate::error::{Error, ErrorBody, ErrorResponse, InternalDetail, code_for_status};

/// Connections the kernel may hold for the server before it accepts them (it caps the number
/// at `net.core.somaxconn`, 4096 on current kernels). `TcpListener::bind` asks for 128: a
/// thousand clients connecting at once overflowed that queue, and each dropped connection
/// attempt cost its client a one-second SYN retransmission before its first byte.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Listens on `host:port` (the first of its addresses that can be bound), with
/// [`LISTEN_BACKLOG`]. `reuse_port` sets `SO_REUSEPORT` (Unix): another process may then
/// listen on the same port beside this one and the kernel spreads new connections over both,
/// which is how a new release starts beside the old one (`scripts/deployment/deploy.sh`).
pub async fn listen(
    host: &str,
    port: u16,
    reuse_port: bool,
) -> std::io::Result<tokio::net::TcpListener> {
    let mut failure = None;
    for addr in tokio::net::lookup_host((host, port)).await? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        };
        let listener = socket.and_then(|socket| {
            // As `TcpListener::bind` does: a restarted server can bind while old
            // connections linger in TIME_WAIT.
            #[cfg(unix)]
            socket.set_reuseaddr(true)?;
            #[cfg(unix)]
            if reuse_port {
                socket.set_reuseport(true)?;
            }
            #[cfg(not(unix))]
            let _ = reuse_port;
            socket.bind(addr)?;
            socket.listen(LISTEN_BACKLOG)
        });
        match listener {
            Ok(listener) => return Ok(listener),
            Err(e) => failure = Some(e),
        }
    }
    Err(failure.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the host has no address")
    }))
}

/// A listener that closes its socket when `stop` is cancelled and accepts nothing more. With
/// `SO_REUSEPORT` (and `net.ipv4.tcp_migrate_req=1`), connections still queued on it move to
/// the other server on the port; the server then lets the ones it accepted send their
/// request before it shuts connections down (see `App::run`).
pub struct StopAccepting<L: axum::serve::Listener> {
    inner: Option<L>,
    addr: L::Addr,
    stop: tokio_util::sync::CancellationToken,
}

impl<L: axum::serve::Listener> StopAccepting<L>
where
    L::Addr: Clone,
{
    pub fn new(inner: L, stop: tokio_util::sync::CancellationToken) -> std::io::Result<Self> {
        let addr = inner.local_addr()?;
        Ok(StopAccepting {
            inner: Some(inner),
            addr,
            stop,
        })
    }
}

impl<L: axum::serve::Listener> axum::serve::Listener for StopAccepting<L>
where
    L::Addr: Clone + Send + Sync,
{
    type Io = L::Io;
    type Addr = L::Addr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        if let Some(inner) = self.inner.as_mut() {
            tokio::select! {
                biased;
                () = self.stop.cancelled() => {}
                accepted = inner.accept() => return accepted,
            }
        }
        // Closes the socket; from now on this server only finishes what it has.
        self.inner = None;
        std::future::pending().await
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr.clone())
    }
}

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id: the client's `x-request-id` when sane, a fresh UUIDv7 otherwise.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

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
        .layer(crate::routes::cors(state.settings.clone()))
        .layer(from_fn_with_state(state.clone(), crate::routes::rate_limit))
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A burst of clients that connect before the server gets round to accepting them all is
    /// queued, not dropped: with `TcpListener::bind`'s backlog of 128, the 130th connection
    /// attempt here would wait for SYN retransmissions (1 s, 3 s, …) and miss the deadline.
    #[tokio::test]
    async fn a_burst_of_connections_waits_in_the_listen_queue() -> anyhow::Result<()> {
        let listener = listen("127.0.0.1", 0, false).await?;
        let addr = listener.local_addr()?;
        let mut clients = Vec::new();
        for _ in 0..600 {
            let client =
                tokio::time::timeout(Duration::from_secs(3), tokio::net::TcpStream::connect(addr))
                    .await
                    .map_err(|_| {
                        anyhow::anyhow!("connection {} was not queued", clients.len())
                    })??;
            clients.push(client);
        }
        // All of them are there to be accepted.
        for _ in 0..clients.len() {
            tokio::time::timeout(Duration::from_secs(3), listener.accept()).await??;
        }
        Ok(())
    }

    #[tokio::test]
    async fn a_port_already_listened_on_is_an_error() -> anyhow::Result<()> {
        let first = listen("127.0.0.1", 0, false).await?;
        let port = first.local_addr()?.port();
        let error = listen("127.0.0.1", port, false).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
        // Asking for port sharing does not take over a port whose owner did not offer it.
        let error = listen("127.0.0.1", port, true).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
        Ok(())
    }

    /// Two servers that both ask for `reuse_port` share the port, and each gets connections:
    /// the new release of an upgrade answers beside the old one.
    #[cfg(unix)]
    #[tokio::test]
    async fn two_listeners_with_reuse_port_share_the_port() -> anyhow::Result<()> {
        let old = listen("127.0.0.1", 0, true).await?;
        let addr = old.local_addr()?;
        let new = listen("127.0.0.1", addr.port(), true).await?;
        let (mut to_old, mut to_new) = (0, 0);
        for _ in 0..64 {
            let _client = tokio::net::TcpStream::connect(addr).await?;
            tokio::select! {
                accepted = old.accept() => { accepted?; to_old += 1; }
                accepted = new.accept() => { accepted?; to_new += 1; }
            }
        }
        assert!(
            to_old > 0 && to_new > 0,
            "old got {to_old}, new got {to_new}"
        );
        // Once the old one is gone, every connection reaches the new one.
        drop(old);
        for _ in 0..8 {
            let _client = tokio::net::TcpStream::connect(addr).await?;
            tokio::time::timeout(Duration::from_secs(3), new.accept()).await??;
        }
        Ok(())
    }
}
