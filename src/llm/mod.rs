//! The provider-neutral language of the platform: a [`ChatRequest`] goes to a provider, a
//! stream of [`ChatEvent`]s comes back, whatever the upstream speaks. Provider modules are pure
//! translation (build the HTTP request; turn one upstream event into `ChatEvent`s); sending,
//! retries, timeouts and SSE decoding live once, in the shared transport.

pub mod anthropic;
pub mod demo;
pub mod diagnose;
pub mod dify;
pub mod fastgpt;
pub mod models;
pub mod openai;
pub mod outbound_guard;
pub mod provider;
pub mod sse;
pub mod transport;

#[cfg(test)]
mod tool_requests;
mod wire;

use std::pin::Pin;

use futures_util::Stream;
use serde::{Deserialize, Serialize};

pub use crate::content::{
    Citation, Interactive, InteractiveField, InteractiveKind, InteractiveOption, NodeState,
};

/// A reply as it arrives: events, or the error that ended it.
pub type ChatStream = Pin<Box<dyn Stream<Item = Result<ChatEvent, LlmError>> + Send>>;

/// What the platform asks of a provider for one turn.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatRequest {
    /// The upstream model name (`gpt-4o-mini`); unused by app-style providers (FastGPT, Dify).
    pub model: String,
    /// The agent's system prompt; providers place it where their protocol wants it.
    pub system: Option<String>,
    /// The conversation so far, oldest first, ending with the new user message.
    pub messages: Vec<ChatMessage>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    pub stream: bool,
    /// Our user id, for providers that keep per-user state (Dify `user`).
    pub user: Option<String>,
    /// App input variables (FastGPT `variables`, Dify `inputs`).
    pub variables: serde_json::Map<String, serde_json::Value>,
    /// Ids the upstream gave earlier turns of this conversation.
    pub upstream: UpstreamIds,
    /// Tools the model may call (OpenAI-compatible and Anthropic upstreams only); empty: none.
    pub tools: Vec<ToolSpec>,
    /// Whether and which tool the model must call; `None`: the upstream's default.
    pub tool_choice: Option<ToolChoice>,
    /// `Some(false)` asks for at most one tool call per reply.
    pub parallel_tool_calls: Option<bool>,
    /// OpenAI's `response_format`: passed to OpenAI-compatible upstreams as given, translated
    /// for Anthropic (a forced tool for an object schema, else a system instruction).
    pub response_format: Option<serde_json::Value>,
}

impl ChatRequest {
    /// `asked` (the messages and the caller's own choices) as a request to `agent`: the
    /// agent's model and system prompt; its temperature unless the caller chose one; its
    /// `max_tokens` as a cap (a caller may ask for less, never for more). The one place a
    /// request for an agent is made: chat turns, titles and `/v1` (the connection test sends
    /// a fixed probe of its own).
    pub fn for_agent(agent: &crate::agents::AgentDef, asked: ChatRequest) -> ChatRequest {
        let max_tokens = match (asked.max_tokens, agent.max_tokens) {
            (Some(asked), Some(cap)) => Some(asked.min(cap)),
            (asked, cap) => asked.or(cap),
        };
        ChatRequest {
            model: agent.provider.model().unwrap_or_default().to_string(),
            system: agent.system_prompt.clone(),
            temperature: asked.temperature.or(agent.temperature),
            max_tokens,
            ..asked
        }
    }
}

/// A function the model may call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: String,
    pub description: Option<String>,
    /// The JSON Schema of the arguments (`null` when the caller gave none).
    pub parameters: serde_json::Value,
    /// OpenAI's `strict` schema adherence, when the caller set it.
    pub strict: Option<bool>,
}

/// Whether the model must call a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    Auto,
    None,
    /// Some tool, the model picks which.
    Required,
    /// This tool.
    Tool(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub role: MessageRole,
    pub content: Vec<ContentPart>,
}

impl ChatMessage {
    pub fn text(role: MessageRole, text: impl Into<String>) -> ChatMessage {
        ChatMessage {
            role,
            content: vec![ContentPart::Text(text.into())],
        }
    }

    /// The text parts joined, for protocols that take plain strings.
    pub fn joined_text(&self) -> String {
        self.content
            .iter()
            .filter_map(|part| match part {
                ContentPart::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageRole {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ContentPart {
    Text(String),
    /// An image as a URL (`https://…` or a `data:` URL), with its MIME type when known.
    Image {
        url: String,
        mime: Option<String>,
    },
    /// A tool call the assistant made earlier (assistant messages).
    ToolCall {
        id: String,
        name: String,
        /// The arguments as the JSON text the model wrote.
        arguments: String,
    },
    /// What a tool call returned (user messages; OpenAI's `tool` role messages).
    ToolResult {
        id: String,
        content: String,
        is_error: bool,
    },
}

/// Upstream-side ids that must persist with the conversation and be sent back next turn.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamIds {
    /// FastGPT `chatId` (we choose it; FastGPT keeps the history under it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<String>,
    /// Dify `conversation_id` (Dify chooses it on the first turn; never invent one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Dify `task_id` of the running turn, needed to stop it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The upstream's id of the reply message (Dify `message_id`, FastGPT `responseChatItemId`),
    /// needed for feedback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

/// One thing that happened in a reply stream. A non-streaming reply is the same events,
/// collected.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatEvent {
    /// More answer text.
    Text(String),
    /// More reasoning ("thinking") text.
    Reasoning(String),
    /// The answer so far is replaced by this text (Dify `message_replace`).
    Replace(String),
    /// Progress of a workflow node (FastGPT flow nodes, Dify nodes, agent thoughts).
    Status {
        node: String,
        state: NodeState,
        detail: Option<String>,
    },
    /// The upstream asks the user something before it continues.
    Interactive(Interactive),
    /// Sources the answer drew on (dataset search, retriever resources).
    Citations(Vec<Citation>),
    /// A tool call, or a piece of one: the arguments arrive in deltas keyed by `index`.
    ToolCall {
        index: u32,
        id: Option<String>,
        name: Option<String>,
        arguments_delta: String,
    },
    /// The result of a tool the upstream ran itself (FastGPT `toolResponse`).
    ToolResult { id: String, result: String },
    /// Token counts as the upstream reports them.
    Usage(Usage),
    /// Ids to keep with the conversation (see [`UpstreamIds`]); only the fields that are set.
    Upstream(UpstreamIds),
    /// The reply ended.
    Finish(FinishReason),
}

impl ChatEvent {
    /// Whether this is part of the answer itself (what "time to first token" waits for), as
    /// opposed to progress, ids, counts or the end.
    pub fn is_content(&self) -> bool {
        matches!(
            self,
            ChatEvent::Text(_)
                | ChatEvent::Reasoning(_)
                | ChatEvent::Replace(_)
                | ChatEvent::Interactive(_)
                | ChatEvent::ToolCall { .. }
        )
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    Stop,
    Length,
    ToolCalls,
    ContentFilter,
    /// Another reason, as the upstream named it.
    Other(String),
}

/// Why a provider call failed. Messages are the upstream's words plus our context; they never
/// contain API keys.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    /// The upstream answered with an error status or an error event.
    #[error("upstream error{}: {message}", status.map(|s| format!(" {s}")).unwrap_or_default())]
    Upstream {
        status: Option<u16>,
        code: Option<String>,
        message: String,
        /// Seconds to wait, from `Retry-After`, when the upstream said.
        retry_after_s: Option<u64>,
    },
    /// The upstream sent something this protocol does not allow (invalid JSON in a chunk…).
    #[error("invalid upstream response: {0}")]
    Protocol(String),
    /// No connection could be made.
    #[error("cannot reach the upstream: {0}")]
    Connect(String),
    /// The upstream answered, then its reply broke off (the connection closed or reset before
    /// the reply was whole).
    #[error("the upstream's reply broke off: {0}")]
    Interrupted(String),
    /// Nothing arrived within the idle timeout.
    #[error("the upstream sent nothing for {0} s")]
    IdleTimeout(u64),
}

impl LlmError {
    /// What end users are told: the kind of failure and the upstream's status, never its
    /// body — a provider's error text can hold internal details (and, for an agent pointed at
    /// the wrong place, whatever that place answers). The detail goes to the logs, and to
    /// admins through the connection test.
    pub fn public_message(&self) -> String {
        match self {
            LlmError::Upstream {
                status: Some(429), ..
            } => "the provider is rate limiting requests (HTTP 429); try again later".into(),
            LlmError::Upstream {
                status: Some(401 | 403),
                ..
            } => "the provider refused the agent's credentials; tell an administrator".into(),
            LlmError::Upstream {
                status: Some(status),
                ..
            } => format!("the provider answered with an error (HTTP {status})"),
            LlmError::Upstream { status: None, .. } => "the provider reported an error".into(),
            LlmError::Protocol(_) => "the provider's answer could not be read".into(),
            LlmError::Connect(_) => "the provider could not be reached".into(),
            LlmError::Interrupted(_) => "the provider's answer broke off".into(),
            LlmError::IdleTimeout(seconds) => format!("the provider sent nothing for {seconds} s"),
        }
    }

    /// The short machine-readable reason recorded in usage and shown in `error` events.
    pub fn code(&self) -> &'static str {
        match self {
            LlmError::Connect(_) => "upstream_unreachable",
            LlmError::Interrupted(_) => "upstream_interrupted",
            LlmError::IdleTimeout(_) => "upstream_timeout",
            LlmError::Protocol(_) => "upstream_protocol_error",
            LlmError::Upstream {
                status: Some(429), ..
            } => "upstream_rate_limited",
            LlmError::Upstream {
                status: Some(401 | 403),
                ..
            } => "upstream_auth_failed",
            LlmError::Upstream { .. } => "upstream_error",
        }
    }
}

/// Where and how to reach an upstream: what translation needs from an agent's provider
/// settings. The API key goes into a header here and nowhere else.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint<'a> {
    /// As configured, without a trailing slash (`https://api.openai.com/v1`).
    pub base_url: &'a str,
    pub api_key: Option<&'a str>,
    /// Extra headers from the agent's configuration, sent with every request.
    pub headers: &'a [(String, String)],
    /// FastGPT's app id (for `core/chat/init`).
    pub app_id: Option<&'a str>,
}

/// Calls `build` with the endpoint an agent's upstream configuration describes.
pub fn with_endpoint<R>(
    upstream: &crate::agents::UpstreamDef,
    build: impl FnOnce(&Endpoint<'_>) -> R,
) -> R {
    let headers: Vec<(String, String)> = upstream
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    build(&Endpoint {
        base_url: &upstream.base_url,
        api_key: upstream.api_key.as_deref(),
        headers: &headers,
        app_id: upstream.app_id.as_deref(),
    })
}

impl Endpoint<'_> {
    /// `base_url` joined with `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url.trim_end_matches('/'), path)
    }

    /// The configured extra headers plus `extra`, the latter winning.
    pub fn headers_with(&self, extra: &[(&str, String)]) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(name, _)| !extra.iter().any(|(e, _)| e.eq_ignore_ascii_case(name)))
            .cloned()
            .collect();
        headers.extend(extra.iter().map(|(n, v)| ((*n).to_string(), v.clone())));
        headers
    }
}

/// What an app shows before the first message (FastGPT `core/chat/init`, Dify `parameters`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AppInit {
    pub welcome: Option<String>,
    pub suggested_questions: Vec<String>,
    /// The input variables the app asks for before the conversation starts.
    pub variables: Vec<InteractiveField>,
}

/// An HTTP request a provider module wants sent: pure data, sent by the shared transport.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: HttpMethod,
    pub url: String,
    /// Header name → value, including the authentication header (never logged).
    pub headers: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
}
