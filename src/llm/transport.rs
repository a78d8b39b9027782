//! The one place that talks to upstreams: a pooled `reqwest` client (TCP_NODELAY, connect
//! timeout), the outbound-address guard, and turning an HTTP response into a stream of raw
//! SSE events with an idle timeout per chunk. Provider modules never touch the network.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::sse::{SseDecoder, SseEvent};
use super::{HttpMethod, HttpRequest, LlmError};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The shared HTTP client for every provider.
#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    allow_link_local: bool,
    checked: Arc<RwLock<HashMap<String, url::Url>>>,
}

/// Upstream URLs are a handful per agent; past this many distinct ones the cache starts over.
const CHECKED_URLS: usize = 1024;

impl Transport {
    /// `allow_link_local` lifts the guard against link-local and cloud metadata addresses.
    pub fn new(allow_link_local: bool) -> anyhow::Result<Transport> {
        crate::app::install_tls_provider();
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(90))
            .dns_resolver(Arc::new(GuardedResolver { allow_link_local }))
            // Redirects could lead past the address guard.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("llmchat/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Transport {
            client,
            allow_link_local,
            checked: Arc::default(),
        })
    }

    /// Sends `request` and waits at most `wait` for the response head. Non-2xx answers come
    /// back as `Err((status, retry_after, body))` for the provider to interpret.
    pub async fn send(
        &self,
        request: &HttpRequest,
        wait: Duration,
    ) -> Result<reqwest::Response, SendError> {
        let url = self.checked_url(&request.url).map_err(SendError::Refused)?;
        let mut builder = match request.method {
            HttpMethod::Get => self.client.get(url),
            HttpMethod::Post => self.client.post(url),
        };
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = match tokio::time::timeout(wait, builder.send()).await {
            Err(_) => return Err(SendError::Timeout(wait)),
            Ok(Err(e)) => return Err(SendError::Connect(describe(e))),
            Ok(Ok(response)) => response,
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = tokio::time::timeout(wait, response.bytes())
            .await
            .ok()
            .and_then(Result::ok)
            .map(|b| b.to_vec())
            .unwrap_or_default();
        Err(SendError::Status {
            status: status.as_u16(),
            retry_after,
            body,
        })
    }
}

impl Transport {
    /// [`check_url`], remembered: parsing a URL costs as much as a tenth of a gateway
    /// request's own work, and an agent's URLs never change (a reload builds new strings,
    /// which are simply new entries).
    fn checked_url(&self, raw: &str) -> Result<url::Url, String> {
        if let Some(url) = self.checked.read().ok().and_then(|map| map.get(raw).cloned()) {
            return Ok(url);
        }
        let url = check_url(raw, self.allow_link_local)?;
        if let Ok(mut map) = self.checked.write() {
            if map.len() >= CHECKED_URLS {
                map.clear();
            }
            map.insert(raw.to_owned(), url.clone());
        }
        Ok(url)
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
    response: reqwest::Response,
    idle: Duration,
) -> impl futures_util::Stream<Item = Result<SseEvent, LlmError>> + Send {
    let body = response.bytes_stream();
    let state = (
        body,
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
                        let error = LlmError::Connect(format!("the stream broke: {}", describe(e)));
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

/// Only http(s), and no link-local or cloud metadata address unless allowed; the parsed URL.
pub fn check_url(raw: &str, allow_link_local: bool) -> Result<url::Url, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("invalid upstream URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "upstream URL scheme {:?} is not allowed",
            url.scheme()
        ));
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(url::Host::Domain(_)) => return Ok(url),
        None => return Err("upstream URL has no host".into()),
    };
    if !allow_link_local && is_forbidden(ip) {
        return Err(format!(
            "upstream address {ip} is link-local or a cloud metadata address"
        ));
    }
    Ok(url)
}

/// Link-local ranges (where cloud metadata services live) and the known metadata addresses.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let metadata = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
            (v6.segments()[0] & 0xffc0) == 0xfe80 || v6 == metadata
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    ip.is_link_local() || ip == Ipv4Addr::new(100, 100, 100, 200) || ip.is_unspecified()
}

/// Resolves names, then drops forbidden addresses so a DNS name cannot smuggle one in.
struct GuardedResolver {
    allow_link_local: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let allow = self.allow_link_local;
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|addr| allow || !is_forbidden(addr.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(
                    format!("{host} resolves only to link-local or metadata addresses").into(),
                );
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// A reqwest error in words, without the URL (which may carry credentials in its query).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_reach_out() {
        assert!(check_url("https://api.openai.com/v1/chat/completions", false).is_ok());
        assert!(
            check_url("http://localhost:11434/v1", false).is_ok(),
            "local Ollama is fine"
        );
        assert!(
            check_url("http://10.0.0.5/v1", false).is_ok(),
            "private networks are fine"
        );
        for bad in [
            "file:///etc/passwd",
            "ftp://example.com",
            "gopher://x",
            "not a url",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn metadata_and_link_local_addresses_are_refused_unless_allowed() {
        for bad in [
            "http://169.254.169.254/latest/meta-data",
            "http://169.254.1.1/",
            "http://100.100.100.200/",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://0.0.0.0/",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
            assert!(
                check_url(bad, true).is_ok(),
                "{bad} allowed by configuration"
            );
        }
    }

    #[test]
    fn remembered_urls_are_checked_the_same_way() {
        let transport = Transport::new(false).unwrap();
        for _ in 0..2 {
            let url = transport.checked_url("http://127.0.0.1:9/v1/chat/completions");
            assert_eq!(url.unwrap().path(), "/v1/chat/completions");
            assert!(transport.checked_url("http://169.254.169.254/latest").is_err());
            assert!(transport.checked_url("file:///etc/passwd").is_err());
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_a_forbidden_address_is_refused() {
        let resolver = GuardedResolver {
            allow_link_local: false,
        };
        let name: Name = "169.254.169.254".parse().unwrap();
        assert!(resolver.resolve(name).await.is_err());
        let local: Name = "localhost".parse().unwrap();
        assert!(resolver.resolve(local).await.is_ok());
    }
}
