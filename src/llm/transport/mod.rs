//! The one place that talks to upstreams: a pooled HTTP/1.1 client (hyper, rustls with the
//! platform's roots, TCP_NODELAY, connect timeout) behind the outbound-address guard
//! (`outbound_guard.rs`), and turning a response into a stream of raw SSE events with an idle
//! timeout per chunk. Provider modules never touch the network.
//!
//! Requests go out on hyper's client directly: `reqwest` costs about a sixth of a gateway
//! request's instructions on top of it (its redirect and retry layers and two more parses of
//! the URL, none of which can be turned off). Only when the environment names a proxy for the
//! upstream (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, minus `NO_PROXY`) does the request go
//! through `reqwest`, which knows how to tunnel.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue, RETRY_AFTER, USER_AGENT};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Body as _;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::outbound_guard::{GuardedResolver, check_url, proxied_name_allowed};
use super::sse::{SseDecoder, SseEvent};
use super::{HttpMethod, HttpRequest, LlmError};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const IDLE_CONNECTIONS: Duration = Duration::from_secs(90);
const USER_AGENT_VALUE: &str = concat!("llmchat/", env!("BUILDINFO_VERSION"));

type Direct = Client<hyper_rustls::HttpsConnector<HttpConnector<GuardedResolver>>, Full<Bytes>>;

/// The shared HTTP client for every provider.
#[derive(Clone)]
pub struct Transport {
    direct: Direct,
    /// For upstreams the environment's proxy settings send through a proxy; made only when
    /// some proxy is set (it loads the trusted roots a second time).
    proxied: Option<reqwest::Client>,
    proxies: Arc<Matcher>,
    allow_link_local: bool,
    checked: Arc<RwLock<HashMap<String, Uri>>>,
}

/// Upstream URLs are a handful per agent; past this many distinct ones the cache starts over.
const CHECKED_URLS: usize = 1024;

impl Transport {
    /// `allow_link_local` lifts the guard against link-local and cloud metadata addresses.
    /// Proxies come from the environment, as curl reads them.
    pub fn new(allow_link_local: bool) -> anyhow::Result<Transport> {
        Transport::build(allow_link_local, None)
    }

    /// `proxy`: every upstream through this one instead of the environment's.
    fn build(allow_link_local: bool, proxy: Option<&str>) -> anyhow::Result<Transport> {
        let resolver = GuardedResolver { allow_link_local };
        let mut http = HttpConnector::new_with_resolver(resolver.clone());
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(crate::tls::client_config())
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let direct = Client::builder(TokioExecutor::new())
            // Reads of at most 4 KiB: a stream of small SSE events otherwise walks through, and
            // keeps resident, hyper's 8 KiB (and growing) buffer for every open stream.
            .http1_read_buf_exact_size(4096)
            .pool_idle_timeout(IDLE_CONNECTIONS)
            .pool_timer(TokioTimer::new())
            .build(https);
        let mut proxied = reqwest::Client::builder();
        let proxies = match proxy {
            Some(url) => {
                proxied = proxied.proxy(reqwest::Proxy::all(url)?);
                Matcher::builder().all(url.to_string()).build()
            }
            None => Matcher::from_system(),
        };
        let proxied = if proxy.is_some() || proxy_in_environment() {
            let client = proxied
                .tls_backend_preconfigured(crate::tls::client_config())
                .tcp_nodelay(true)
                .connect_timeout(CONNECT_TIMEOUT)
                .pool_idle_timeout(IDLE_CONNECTIONS)
                .dns_resolver(Arc::new(resolver))
                // Redirects could lead past the address guard.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(USER_AGENT_VALUE)
                .build()?;
            Some(client)
        } else {
            None
        };
        Ok(Transport {
            direct,
            proxied,
            proxies: Arc::new(proxies),
            allow_link_local,
            checked: Arc::default(),
        })
    }

    /// Sends `request` and waits at most `wait` for the response head. Non-2xx answers come
    /// back as `Err(SendError::Status{..})` for the provider to interpret.
    pub async fn send(&self, request: &HttpRequest, wait: Duration) -> Result<Reply, SendError> {
        let uri = self.checked_uri(&request.url).map_err(SendError::Refused)?;
        let sent = match &self.proxied {
            Some(client) if self.proxies.intercept(&uri).is_some() => {
                if !self.allow_link_local
                    && let Some(host) = uri.host()
                {
                    proxied_name_allowed(host)
                        .await
                        .map_err(SendError::Refused)?;
                }
                Transport::send_proxied(client, request, wait).await?
            }
            _ => self.send_direct(uri, request, wait).await?,
        };
        if sent.status.is_success() {
            return Ok(sent);
        }
        let retry_after = sent
            .headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let status = sent.status.as_u16();
        let body = tokio::time::timeout(wait, sent.bytes())
            .await
            .ok()
            .and_then(Result::ok)
            .map(|b| b.to_vec())
            .unwrap_or_default();
        Err(SendError::Status {
            status,
            retry_after,
            body,
        })
    }

    async fn send_direct(
        &self,
        uri: Uri,
        request: &HttpRequest,
        wait: Duration,
    ) -> Result<Reply, SendError> {
        let body =
            match &request.body {
                Some(json) => Bytes::from(serde_json::to_vec(json).map_err(|e| {
                    SendError::Connect(format!("cannot encode the request body: {e}"))
                })?),
                None => Bytes::new(),
            };
        let mut http = axum::http::Request::new(Full::new(body));
        *http.method_mut() = match request.method {
            HttpMethod::Get => Method::GET,
            HttpMethod::Post => Method::POST,
        };
        *http.uri_mut() = uri;
        let headers = http.headers_mut();
        headers.reserve(request.headers.len() + 3);
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        for (name, value) in &request.headers {
            // The value may be a key: only the name is ever shown.
            let name = HeaderName::try_from(name.as_str())
                .map_err(|_| SendError::Connect(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::try_from(value.as_str())
                .map_err(|_| SendError::Connect(format!("invalid value for header {name}")))?;
            headers.insert(name, value);
        }
        if request.body.is_some() && !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let response = match tokio::time::timeout(wait, self.direct.request(http)).await {
            Err(_) => return Err(SendError::Timeout(wait)),
            Ok(Err(e)) => return Err(SendError::Connect(describe(&e))),
            Ok(Ok(response)) => response,
        };
        let (head, body) = response.into_parts();
        Ok(Reply {
            status: head.status,
            headers: head.headers,
            body: ReplyBody::Direct(body),
        })
    }

    async fn send_proxied(
        client: &reqwest::Client,
        request: &HttpRequest,
        wait: Duration,
    ) -> Result<Reply, SendError> {
        let mut builder = match request.method {
            HttpMethod::Get => client.get(&request.url),
            HttpMethod::Post => client.post(&request.url),
        };
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = match tokio::time::timeout(wait, builder.send()).await {
            Err(_) => return Err(SendError::Timeout(wait)),
            Ok(Err(e)) => return Err(SendError::Connect(describe(&e.without_url()))),
            Ok(Ok(response)) => response,
        };
        let (head, body) = axum::http::Response::from(response).into_parts();
        Ok(Reply {
            status: head.status,
            headers: head.headers,
            body: ReplyBody::Proxied(body),
        })
    }

    /// [`check_url`], remembered: parsing a URL costs as much as a tenth of a gateway
    /// request's own work, and an agent's URLs never change (a reload builds new strings,
    /// which are simply new entries).
    fn checked_uri(&self, raw: &str) -> Result<Uri, String> {
        if let Some(uri) = self
            .checked
            .read()
            .ok()
            .and_then(|map| map.get(raw).cloned())
        {
            return Ok(uri);
        }
        let url = check_url(raw, self.allow_link_local)?;
        let uri = Uri::try_from(url.as_str()).map_err(|e| format!("invalid upstream URL: {e}"))?;
        if let Ok(mut map) = self.checked.write() {
            if map.len() >= CHECKED_URLS {
                map.clear();
            }
            map.insert(raw.to_owned(), uri.clone());
        }
        Ok(uri)
    }
}

/// Whether the environment sets a proxy (the variables curl and reqwest read).
fn proxy_in_environment() -> bool {
    ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"]
        .iter()
        .any(|name| {
            [name.to_string(), name.to_lowercase()]
                .iter()
                .any(|n| std::env::var_os(n).is_some_and(|v| !v.is_empty()))
        })
}

/// An upstream's answer: status and headers, and the body still to be read.
pub struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: ReplyBody,
}

enum ReplyBody {
    Direct(hyper::body::Incoming),
    Proxied(reqwest::Body),
}

impl Reply {
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The whole body, up to [`MAX_REPLY_BYTES`].
    pub async fn bytes(self) -> Result<Bytes, BodyError> {
        use http_body_util::{LengthLimitError, Limited};
        let collected = match self.body {
            ReplyBody::Direct(body) => Limited::new(body, MAX_REPLY_BYTES).collect().await,
            ReplyBody::Proxied(body) => Limited::new(body, MAX_REPLY_BYTES).collect().await,
        };
        collected.map(|all| all.to_bytes()).map_err(|e| {
            if e.is::<LengthLimitError>() {
                return BodyError::TooLarge;
            }
            match e.downcast::<reqwest::Error>() {
                Ok(e) => BodyError::Read(describe(&e.without_url())),
                Err(e) => BodyError::Read(describe(e.as_ref())),
            }
        })
    }
}

/// The most of an upstream body read whole (a non-streaming reply, an error's body): a
/// misbehaving upstream cannot make the server buffer more than this per request.
pub const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;

/// Why a whole body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// The connection failed while reading.
    Read(String),
    /// The body is larger than [`MAX_REPLY_BYTES`].
    TooLarge,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::Read(reason) => f.write_str(reason),
            BodyError::TooLarge => write!(
                f,
                "the reply is larger than {} MiB",
                MAX_REPLY_BYTES / (1024 * 1024)
            ),
        }
    }
}

impl From<BodyError> for LlmError {
    fn from(error: BodyError) -> LlmError {
        match error {
            BodyError::Read(reason) => LlmError::Interrupted(reason),
            BodyError::TooLarge => LlmError::Protocol(error.to_string()),
        }
    }
}

/// The body's data, chunk by chunk (trailers skipped).
impl futures_util::Stream for ReplyBody {
    type Item = Result<Bytes, String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let frame = match &mut *self {
                ReplyBody::Direct(body) => std::task::ready!(Pin::new(body).poll_frame(cx))
                    .map(|f| f.map_err(|e| describe(&e))),
                ReplyBody::Proxied(body) => std::task::ready!(Pin::new(body).poll_frame(cx))
                    .map(|f| f.map_err(|e| describe(&e.without_url()))),
            };
            match frame {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
            }
        }
    }
}

/// Why a request produced no usable response.
#[derive(Debug)]
pub enum SendError {
    /// The outbound guard refused the address.
    Refused(String),
    Connect(String),
    Timeout(Duration),
    Status {
        status: u16,
        retry_after: Option<u64>,
        body: Vec<u8>,
    },
}

/// The response body as SSE events, each within `idle` of the previous bytes. Ends after the
/// last event (including one without its blank line); a silence is `IdleTimeout`.
pub fn sse_events(
    response: Reply,
    idle: Duration,
) -> impl futures_util::Stream<Item = Result<SseEvent, LlmError>> + Send {
    use futures_util::StreamExt;
    let state = (
        response.body,
        SseDecoder::new(),
        std::collections::VecDeque::new(),
        false,
    );
    futures_util::stream::unfold(
        state,
        move |(mut body, mut decoder, mut ready, mut ended)| async move {
            loop {
                if let Some(event) = ready.pop_front() {
                    return Some((Ok(event), (body, decoder, ready, ended)));
                }
                if ended {
                    return None;
                }
                match tokio::time::timeout(idle, body.next()).await {
                    Err(_) => {
                        ended = true;
                        let error = LlmError::IdleTimeout(idle.as_secs());
                        return Some((Err(error), (body, decoder, ready, ended)));
                    }
                    Ok(Some(Ok(bytes))) => ready.extend(decoder.feed(&bytes)),
                    Ok(Some(Err(e))) => {
                        ended = true;
                        let error = LlmError::Interrupted(format!("the stream broke: {e}"));
                        return Some((Err(error), (body, decoder, ready, ended)));
                    }
                    Ok(None) => {
                        ended = true;
                        ready.extend(decoder.finish());
                    }
                }
            }
        },
    )
}

/// An error and its causes in words. Neither hyper's nor (after `without_url`) reqwest's
/// errors carry the URL, which may hold credentials in its query.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let more = inner.to_string();
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests;
