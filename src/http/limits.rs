//! Request limits applied around the routes: the per-principal rate limit (`API_RATE_LIMIT`
//! per user — their sessions and API keys share it — or per client IP when anonymous) on
//! `/api` and `/v1`, and the CORS allow-list.

use std::sync::Arc;

use arc_swap::ArcSwap;
use axum::extract::{Request, State};
use axum::http::header::ORIGIN;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
use std::task::{Context, Poll};
use tower::Layer;
use tower_http::cors::{AllowOrigin, Cors, CorsLayer};

use crate::auth::CallerUnknown;
use crate::auth::client_info;
use crate::config::Settings;
use crate::error::Error;
use crate::state::AppState;

/// Probes and scrapes are never limited: a throttled readiness probe would take a healthy
/// replica out of service.
pub(crate) fn exempt(path: &str) -> bool {
    let limited = path.starts_with("/api/") || path == "/v1" || path.starts_with("/v1/");
    path == "/metrics" || path.starts_with("/api/health") || !limited
}

/// Resolves the caller once (the handler's `AuthUser` reuses it), counts the request against
/// its limit, and adds the `RateLimit-*` headers; 429 with `Retry-After` when over.
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if exempt(req.uri().path()) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    // Bad credentials are the handler's to reject; here they only mean "limit by address".
    // An unreachable database is remembered for the handler, which would otherwise wait for a
    // connection a second time before answering 503.
    let user = match state.auth.authenticate(&state.db, &parts.headers).await {
        Ok(user) => user,
        Err(Error::Unavailable(reason)) => {
            parts.extensions.insert(CallerUnknown(reason));
            None
        }
        Err(_) => None,
    };
    let key = match &user {
        Some(user) => user.rate_key(),
        None => {
            let client = client_info(&parts, &state.settings().server.trusted_proxies);
            format!(
                "ip:{}",
                client.ip.map(|ip| ip.to_string()).unwrap_or_default()
            )
        }
    };
    let decision = match state
        .limiter
        .check(&key, state.settings.load().rate_limit.requests_per_minute)
        .await
    {
        Ok(decision) => decision,
        Err(unavailable) => return Error::from(unavailable).into_response(),
    };
    let mut response = match decision.rejection() {
        Some(rejection) => rejection.into_response(),
        None => {
            if let Some(user) = user {
                parts.extensions.insert(user);
            }
            next.run(Request::from_parts(parts, body)).await
        }
    };
    decision.apply_headers(response.headers_mut());
    response
}

/// CORS for the configured origins only (credentials allowed, so never `*`), read at each
/// request so that `/api/config/reload` changes them; no origins keeps the API same-origin.
pub fn cors(settings: Arc<ArcSwap<Settings>>) -> CorsIfOriginLayer {
    CorsIfOriginLayer(Arc::new(cors_layer(settings)))
}

fn cors_layer(settings: Arc<ArcSwap<Settings>>) -> CorsLayer {
    let header = HeaderName::from_static;
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            let settings = settings.load();
            settings
                .server
                .cors_origins
                .iter()
                .any(|allowed| allowed.trim_end_matches('/').as_bytes() == origin.as_bytes())
        }))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header("authorization"),
            header("content-type"),
            header("x-api-key"),
            header("x-request-id"),
            header("last-event-id"),
        ])
        .expose_headers([
            header("x-request-id"),
            header("retry-after"),
            header("ratelimit-limit"),
            header("ratelimit-remaining"),
            header("ratelimit-reset"),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

/// Applies CORS only to requests that carry `Origin` — what browsers send cross-origin and on
/// preflights. Same-origin page loads and API clients (SDKs, curl, services) send none and need
/// no CORS headers; tower-http's service would still be built, and its whole configuration
/// copied, for each of them (about 6 % of a `/v1` request's instructions). The configuration
/// is shared, and the CORS service made only for requests with `Origin`.
#[derive(Clone)]
pub struct CorsIfOriginLayer(Arc<CorsLayer>);

impl<S> Layer<S> for CorsIfOriginLayer {
    type Service = CorsIfOrigin<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CorsIfOrigin {
            cors: self.0.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct CorsIfOrigin<S> {
    cors: Arc<CorsLayer>,
    inner: S,
}

impl<S, B> tower::Service<axum::http::Request<B>> for CorsIfOrigin<S>
where
    S: tower::Service<axum::http::Request<B>, Response = Response> + Clone,
    B: Default,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Either<<Cors<S> as tower::Service<axum::http::Request<B>>>::Future, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: axum::http::Request<B>) -> Self::Future {
        if req.headers().contains_key(ORIGIN) {
            // The service that was polled ready goes into the CORS wrapper; a clone stays.
            let clone = self.inner.clone();
            let ready = std::mem::replace(&mut self.inner, clone);
            Either::Left(self.cors.layer(ready).call(req))
        } else {
            Either::Right(self.inner.call(req))
        }
    }
}
