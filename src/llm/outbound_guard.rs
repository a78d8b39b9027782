//! The outbound-address guard: an upstream URL must be http(s), and no request may reach a
//! link-local or cloud metadata address (169.254.0.0/16, fd00:ec2::254, 100.100.100.200, …)
//! unless `outbound.allow_link_local` says so — checked on the parsed URL, again on every
//! address a name resolves to (the resolver of direct requests), and before a request goes to
//! a proxy (the name resolved here first).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::Name;

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

/// Before a request goes to a proxy (which resolves the name itself): the name is resolved
/// here too, and refused if any of its addresses is forbidden. A name that does not resolve
/// here (one only the proxy knows) goes on; the proxy must then refuse link-local and
/// metadata addresses itself (docs/operations.md, "Outbound requests through a proxy").
pub(super) async fn proxied_name_allowed(host: &str) -> Result<(), String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.parse::<IpAddr>().is_ok() {
        // Literal addresses were checked with the URL.
        return Ok(());
    }
    match tokio::net::lookup_host((host, 0)).await {
        Ok(addrs) => first_forbidden(addrs.map(|a| a.ip())).map_or(Ok(()), |ip| {
            Err(format!(
                "{host} resolves to {ip}, a link-local or cloud metadata address"
            ))
        }),
        Err(_) => Ok(()),
    }
}

pub(super) fn first_forbidden(mut addrs: impl Iterator<Item = IpAddr>) -> Option<IpAddr> {
    addrs.find(|ip| is_forbidden(*ip))
}

/// Resolves names, then drops forbidden addresses so a DNS name cannot smuggle one in.
#[derive(Clone)]
pub(super) struct GuardedResolver {
    pub(super) allow_link_local: bool,
}

impl GuardedResolver {
    async fn resolve(host: String, allow: bool) -> std::io::Result<Vec<SocketAddr>> {
        let resolved: Vec<SocketAddr> =
            tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
        let allowed: Vec<SocketAddr> = resolved
            .into_iter()
            .filter(|addr| allow || !is_forbidden(addr.ip()))
            .collect();
        if allowed.is_empty() {
            return Err(std::io::Error::other(format!(
                "{host} resolves only to link-local or metadata addresses"
            )));
        }
        Ok(allowed)
    }
}

type Resolved =
    Pin<Box<dyn Future<Output = std::io::Result<std::vec::IntoIter<SocketAddr>>> + Send>>;

/// For hyper's connector.
impl tower::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Resolved;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Resolved {
        let (host, allow) = (name.as_str().to_string(), self.allow_link_local);
        Box::pin(async move { Ok(Self::resolve(host, allow).await?.into_iter()) })
    }
}

/// For reqwest's, on the proxied path (where it resolves the proxy).
impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let (host, allow) = (name.as_str().to_string(), self.allow_link_local);
        Box::pin(async move {
            let addrs = Self::resolve(host, allow).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
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

    #[tokio::test]
    async fn names_sent_to_a_proxy_are_resolved_and_checked_first() {
        // A name with one forbidden address among others is refused; local names pass; a
        // name nobody here can resolve is left to the proxy.
        let mixed = [
            "10.0.0.7".parse().unwrap(),
            "169.254.169.254".parse().unwrap(),
        ];
        assert_eq!(
            first_forbidden(mixed.into_iter()),
            Some("169.254.169.254".parse().unwrap())
        );
        assert!(proxied_name_allowed("localhost").await.is_ok());
        assert!(proxied_name_allowed("upstream.invalid").await.is_ok());
    }

    #[tokio::test]
    async fn a_name_resolving_to_a_forbidden_address_is_refused() {
        use tower::ServiceExt;
        let resolver = GuardedResolver {
            allow_link_local: false,
        };
        let name: Name = "169.254.169.254".parse().unwrap();
        assert!(resolver.clone().oneshot(name).await.is_err());
        let local: Name = "localhost".parse().unwrap();
        assert!(resolver.oneshot(local).await.is_ok());
    }
}
