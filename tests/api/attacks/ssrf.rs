//! Server-side request forgery: an agent's `base_url` cannot reach the cloud metadata service
//! (or other link-local and provider-internal addresses) in any spelling of the address —
//! decimal, hexadecimal, octal, shortened, with a trailing dot, or as an IPv4-mapped IPv6
//! address. The outbound guard sees the address the URL parser settles on, so each is refused
//! before a connection is made, and the provider key is never sent.

use crate::agents::{app_with_agents, connection_test};

/// Spellings of 169.254.169.254 and other addresses the guard must refuse.
const FORMS: &[(&str, &str)] = &[
    ("decimal", "http://2852039166/latest"),
    ("hex", "http://0xa9fea9fe/latest"),
    ("octal", "http://0251.0376.0251.0376/latest"),
    ("short", "http://169.254.43518/latest"),
    ("dotted-hex", "http://0xa9.0xfe.0xa9.0xfe/latest"),
    ("trailing-dot", "http://169.254.169.254./latest"),
    ("mapped", "http://[::ffff:a9fe:a9fe]/latest"),
    (
        "mapped-long",
        "http://[0:0:0:0:0:ffff:169.254.169.254]/latest",
    ),
    ("aws-ipv6", "http://[fd00:ec2::254]/latest"),
    ("alibaba", "http://100.100.100.200/latest"),
    ("link-local", "http://[fe80::1]/latest"),
    ("unspecified", "http://0.0.0.0/latest"),
    ("zero", "http://0/latest"),
];

#[tokio::test]
async fn metadata_addresses_are_refused_in_every_spelling() {
    let mut yaml = String::from(
        "agents:\n  - id: demo\n    name: Demo\n    provider: {type: demo, chars_per_second: 100000}\n",
    );
    for (id, url) in FORMS {
        yaml += &format!(
            "  - id: {id}\n    name: {id}\n    provider: {{type: openai, base_url: \"{url}\", api_key: sk-never-sent, model: m, max_retries: 0}}\n"
        );
    }
    let (app, _dir, admin, _user) = app_with_agents(&yaml).await;
    for (id, url) in FORMS {
        let (status, body) = connection_test(&app, &admin, id).await;
        assert_eq!(status, 200, "{id}: {body}");
        assert_eq!(body["ok"], false, "{id} ({url}) was reached: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("address") || message.contains("metadata"),
            "{id} ({url}): the refusal does not say why: {body}"
        );
        assert!(!body.to_string().contains("sk-never-sent"), "{body}");
    }
}
