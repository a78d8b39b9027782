//! An upstream failure as a person would say it, naming the URL that was tried: for the
//! admin's connection test and model list, where "tcp connect error … (os error 111)" helps
//! nobody. Never includes a key (errors carry none; URLs are the configured ones).

use serde::Serialize;
use utoipa::ToSchema;

use super::LlmError;

/// What kind of failure, for the UI to pick an icon or a hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    ConnectionRefused,
    Dns,
    Tls,
    Timeout,
    Unauthorized,
    Forbidden,
    NotFound,
    RateLimited,
    UpstreamError,
    Protocol,
    Other,
}

/// The failure's kind and a sentence about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub kind: FailureKind,
    pub message: String,
}

/// Explains `error`, which happened while calling `url`.
pub fn explain(error: &LlmError, url: &str) -> Diagnosis {
    let host = host_of(url);
    let (kind, message) = match error {
        LlmError::Connect(reason) => connect(reason, url, &host),
        LlmError::Interrupted(reason) => (
            FailureKind::Protocol,
            format!(
                "{url} answered, then its reply broke off ({reason}). Is a proxy or load balancer in between cutting long replies?"
            ),
        ),
        LlmError::IdleTimeout(seconds) => (
            FailureKind::Timeout,
            format!(
                "{url} did not answer within {seconds} s. Is the server overloaded, or the address behind a firewall?"
            ),
        ),
        LlmError::Protocol(reason) => (
            FailureKind::Protocol,
            format!(
                "{url} answered, but not in the expected protocol ({reason}). Check the provider type and the base URL (OpenAI-compatible servers usually end in /v1)."
            ),
        ),
        LlmError::Upstream {
            status, message, ..
        } => upstream(*status, message, url),
    };
    Diagnosis { kind, message }
}

fn connect(reason: &str, url: &str, host: &str) -> (FailureKind, String) {
    let lower = reason.to_ascii_lowercase();
    if lower.contains("connection refused") || lower.contains("os error 111") {
        (
            FailureKind::ConnectionRefused,
            format!(
                "Connection refused by {host} ({url}): nothing is listening there. Is the service running, and are the address and port right?"
            ),
        )
    } else if lower.contains("dns")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
        || lower.contains("no address associated")
        || lower.contains("nodename nor servname")
    {
        (
            FailureKind::Dns,
            format!(
                "The name {host} was not found (DNS) while calling {url}. Check the spelling of the base URL."
            ),
        )
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("ssl")
        || lower.contains("handshake")
    {
        (
            FailureKind::Tls,
            format!(
                "No secure (TLS) connection could be made to {host} while calling {url}: {}. Check http:// versus https:// and the server's certificate.",
                short(reason)
            ),
        )
    } else if lower.contains("timed out") || lower.contains("timeout") {
        (
            FailureKind::Timeout,
            format!(
                "Connecting to {host} timed out while calling {url}. Is the address reachable from this server?"
            ),
        )
    } else if lower.contains("link-local")
        || lower.contains("not allowed")
        || lower.contains("scheme")
    {
        (
            FailureKind::Other,
            format!("{url} cannot be used: {reason}."),
        )
    } else {
        (
            FailureKind::Other,
            format!("Could not reach {url}: {}.", short(reason)),
        )
    }
}

fn upstream(status: Option<u16>, message: &str, url: &str) -> (FailureKind, String) {
    let said = if message.trim().is_empty() {
        String::new()
    } else {
        format!(" The server said: \u{201c}{}\u{201d}", short(message))
    };
    match status {
        Some(401) => (
            FailureKind::Unauthorized,
            format!(
                "{url} refused the API key (401 Unauthorized). Check that the key is right and active.{said}"
            ),
        ),
        Some(403) => (
            FailureKind::Forbidden,
            format!(
                "{url} refused access (403 Forbidden): the key may lack permission for this model or endpoint.{said}"
            ),
        ),
        Some(404) => (
            FailureKind::NotFound,
            format!(
                "{url} answered 404 Not Found: the base URL's path or the model name is wrong.{said}"
            ),
        ),
        Some(429) => (
            FailureKind::RateLimited,
            format!(
                "{url} is rate limiting this key (429 Too Many Requests); the quota may be used up.{said}"
            ),
        ),
        Some(code) => (
            FailureKind::UpstreamError,
            format!("{url} answered with an error ({code}).{said}"),
        ),
        None => (
            FailureKind::UpstreamError,
            format!("{url} reported an error.{said}"),
        ),
    }
}

/// `scheme://host[:port]` of a URL, or the URL itself when it does not parse.
fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => match (parsed.host_str(), parsed.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => url.to_string(),
        },
        Err(_) => url.to_string(),
    }
}

/// At most 200 characters of an upstream's text, on one line.
fn short(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:9/v1/chat/completions";

    fn connect_error(reason: &str) -> Diagnosis {
        explain(&LlmError::Connect(reason.into()), URL)
    }

    #[test]
    fn connection_failures_read_as_a_person_would_say_them() {
        let refused = connect_error(
            "client error (Connect): tcp connect error: Connection refused (os error 111)",
        );
        assert_eq!(refused.kind, FailureKind::ConnectionRefused);
        assert!(
            refused.message.starts_with(
                "Connection refused by 127.0.0.1:9 (http://127.0.0.1:9/v1/chat/completions)"
            ),
            "{}",
            refused.message
        );
        assert!(!refused.message.contains("os error"));

        let dns = connect_error(
            "client error (Connect): dns error: failed to lookup address information: Name or service not known",
        );
        assert_eq!(dns.kind, FailureKind::Dns);
        assert!(dns.message.contains("was not found (DNS)"));

        let tls = connect_error("client error (Connect): invalid peer certificate: UnknownIssuer");
        assert_eq!(tls.kind, FailureKind::Tls);
        assert!(tls.message.contains(URL));
    }

    #[test]
    fn upstream_statuses_say_what_to_check() {
        let error = |status| LlmError::Upstream {
            status: Some(status),
            code: None,
            message: "Incorrect API key provided: sk-te****".into(),
            retry_after_s: None,
        };
        let unauthorized = explain(&error(401), URL);
        assert_eq!(unauthorized.kind, FailureKind::Unauthorized);
        assert!(
            unauthorized
                .message
                .contains("refused the API key (401 Unauthorized)")
        );
        let not_found = explain(&error(404), URL);
        assert_eq!(not_found.kind, FailureKind::NotFound);
        assert!(
            not_found
                .message
                .contains("path or the model name is wrong")
        );
        assert_eq!(explain(&error(429), URL).kind, FailureKind::RateLimited);
        assert_eq!(explain(&error(500), URL).kind, FailureKind::UpstreamError);
        assert_eq!(
            explain(&LlmError::IdleTimeout(15), URL).kind,
            FailureKind::Timeout
        );
    }
}
