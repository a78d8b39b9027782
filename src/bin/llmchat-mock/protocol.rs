//! The four wire protocols as the mock needs them: their path prefix and fixture directory,
//! how a request asks for a stream, which fixtures answer by default, and the error body each
//! vendor sends for a status.

use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    OpenAi,
    Anthropic,
    FastGpt,
    Dify,
}

impl Protocol {
    pub const ALL: [Protocol; 4] = [
        Protocol::OpenAi,
        Protocol::Anthropic,
        Protocol::FastGpt,
        Protocol::Dify,
    ];

    /// The path prefix (without `/`) and the fixture directory name.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::OpenAi => "openai",
            Protocol::Anthropic => "anthropic",
            Protocol::FastGpt => "fastgpt",
            Protocol::Dify => "dify",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The protocol whose prefix starts `path` (`/openai/v1/…`).
    pub fn of_path(path: &str) -> Option<Protocol> {
        let first = path.trim_start_matches('/').split('/').next()?;
        Protocol::ALL.into_iter().find(|p| p.name() == first)
    }

    /// Whether a chat request body asks for a stream: `stream: true`, or for Dify
    /// `response_mode: "streaming"`. A body that is not a JSON object is an error.
    pub fn wants_stream(self, body: &[u8]) -> Result<bool, String> {
        #[derive(Deserialize)]
        struct Mode {
            stream: Option<bool>,
            response_mode: Option<String>,
        }
        let mode: Mode = serde_json::from_slice(body)
            .map_err(|error| format!("the request body is not a JSON object: {error}"))?;
        Ok(match self {
            Protocol::Dify => mode.response_mode.as_deref() == Some("streaming"),
            _ => mode.stream.unwrap_or(false),
        })
    }

    /// The fixtures a chat answers when no `scenario` names one, first found wins.
    pub fn default_fixtures(self, stream: bool) -> &'static [&'static str] {
        match (self, stream) {
            (Protocol::OpenAi | Protocol::Anthropic, true) => &["stream_text"],
            (Protocol::OpenAi | Protocol::Anthropic, false) => &["response_text"],
            (Protocol::FastGpt, true) => &["stream_text", "stream_workflow_dataset_reasoning"],
            (Protocol::FastGpt, false) => &["response_text", "response_detail"],
            (Protocol::Dify, true) => &["stream_chat"],
            (Protocol::Dify, false) => &["response_blocking"],
        }
    }

    /// The built-in error body for `status`, in the vendor's shape, used when the protocol's
    /// fixtures have no `error_<status>.json`.
    pub fn error_body(self, status: u16) -> Value {
        let message = message_for(self, status);
        match self {
            Protocol::OpenAi => {
                let (kind, code) = match status {
                    401 => ("invalid_request_error", json!("invalid_api_key")),
                    429 => ("requests", json!("rate_limit_exceeded")),
                    _ if status < 500 => ("invalid_request_error", Value::Null),
                    _ => ("server_error", Value::Null),
                };
                json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
            }
            Protocol::Anthropic => {
                let kind = match status {
                    401 => "authentication_error",
                    403 => "permission_error",
                    404 => "not_found_error",
                    413 => "request_too_large",
                    429 => "rate_limit_error",
                    529 => "overloaded_error",
                    _ if status < 500 => "invalid_request_error",
                    _ => "api_error",
                };
                json!({"type": "error", "error": {"type": kind, "message": message},
                       "request_id": "req_mock"})
            }
            Protocol::FastGpt => {
                // FastGPT names a bad key with its own code; other errors carry the status.
                let (code, text) = match status {
                    401 => (514, "unAuthApiKey"),
                    _ => (status, ""),
                };
                json!({"code": code, "statusText": text, "message": message, "data": null})
            }
            Protocol::Dify => {
                let code = match status {
                    400 => "invalid_param",
                    401 => "unauthorized",
                    403 => "forbidden",
                    404 => "not_found",
                    429 => "too_many_requests",
                    _ if status < 500 => "bad_request",
                    _ => "internal_server_error",
                };
                json!({"code": code, "message": message, "status": status})
            }
        }
    }
}

fn message_for(protocol: Protocol, status: u16) -> &'static str {
    match (protocol, status) {
        (Protocol::OpenAi, 500..=599) => {
            "The server had an error while processing your request. Sorry about that!"
        }
        (Protocol::Anthropic, 500) => "Internal server error",
        (Protocol::Anthropic, 529) => "Overloaded",
        (Protocol::FastGpt, 401) => "Api Key 不合法",
        (Protocol::Dify, 401) => "Access token is invalid",
        (Protocol::Dify, 500..=599) => {
            "The server encountered an internal error and was unable to complete your request. \
             Either the server is overloaded or there is an error in the application."
        }
        (_, 401) => "invalid api key (llmchat-mock fault)",
        (_, 429) => "rate limit reached (llmchat-mock fault)",
        _ => "error (llmchat-mock fault)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_protocol_reads_its_own_stream_switch() {
        assert!(
            Protocol::OpenAi
                .wants_stream(br#"{"model":"m","stream":true}"#)
                .unwrap()
        );
        assert!(
            !Protocol::Anthropic
                .wants_stream(br#"{"stream":false}"#)
                .unwrap()
        );
        assert!(!Protocol::FastGpt.wants_stream(b"{}").unwrap());
        assert!(
            Protocol::Dify
                .wants_stream(br#"{"response_mode":"streaming"}"#)
                .unwrap()
        );
        assert!(
            !Protocol::Dify
                .wants_stream(br#"{"response_mode":"blocking","stream":true}"#)
                .unwrap()
        );
        assert!(Protocol::OpenAi.wants_stream(b"not json").is_err());
    }

    #[test]
    fn a_path_names_its_protocol_by_its_first_segment() {
        assert_eq!(
            Protocol::of_path("/openai/v1/chat/completions"),
            Some(Protocol::OpenAi)
        );
        assert_eq!(
            Protocol::of_path("/dify/v1/parameters"),
            Some(Protocol::Dify)
        );
        assert_eq!(Protocol::of_path("/openaix/v1"), None);
        assert_eq!(Protocol::of_path("/"), None);
    }

    #[test]
    fn error_bodies_have_the_vendor_shapes() {
        let openai = Protocol::OpenAi.error_body(500);
        assert_eq!(openai["error"]["type"], "server_error");
        let anthropic = Protocol::Anthropic.error_body(429);
        assert_eq!(anthropic["type"], "error");
        assert_eq!(anthropic["error"]["type"], "rate_limit_error");
        let fastgpt = Protocol::FastGpt.error_body(401);
        assert_eq!(fastgpt["statusText"], "unAuthApiKey");
        let dify = Protocol::Dify.error_body(429);
        assert_eq!(
            (dify["code"].as_str(), dify["status"].as_u64()),
            (Some("too_many_requests"), Some(429))
        );
    }
}
