//! One agent's provider as a stream of [`ChatEvent`]s: the closed set of protocols dispatched
//! by one `match`, retries with jittered backoff before the first event (connect errors, 429
//! honouring `Retry-After`, 5xx), then the agent's fallbacks. Everything network-related is in
//! `transport.rs`; everything protocol-related in the provider modules.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::StreamExt;

use super::sse::SseEvent;
use super::transport::{SendError, Transport, sse_events};
use super::{
    AppInit, ChatEvent, ChatRequest, ChatStream, Endpoint, HttpRequest, LlmError, anthropic, demo,
    dify, fastgpt, openai, with_endpoint,
};
use crate::agents::{AgentDef, ProviderDef, UpstreamDef};

const DEFAULT_IDLE: Duration = Duration::from_secs(60);
const DEFAULT_RETRIES: u32 = 2;

/// The four wire protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    OpenAi,
    Anthropic,
    FastGpt,
    Dify,
}

/// Per-stream parser state of whichever protocol is speaking.
enum Parser {
    OpenAi(openai::StreamState),
    Anthropic(anthropic::StreamState),
    FastGpt(fastgpt::StreamState),
    Dify(dify::StreamState),
}

impl Protocol {
    fn of(provider: &ProviderDef) -> Option<(Protocol, &UpstreamDef)> {
        match provider {
            ProviderDef::Openai(u) => Some((Protocol::OpenAi, u)),
            ProviderDef::Anthropic(u) => Some((Protocol::Anthropic, u)),
            ProviderDef::Fastgpt(u) => Some((Protocol::FastGpt, u)),
            ProviderDef::Dify(u) => Some((Protocol::Dify, u)),
            ProviderDef::Demo(_) => None,
        }
    }

    fn to_request(self, endpoint: &Endpoint<'_>, request: &ChatRequest) -> HttpRequest {
        match self {
            Protocol::OpenAi => openai::to_request(endpoint, request),
            Protocol::Anthropic => anthropic::to_request(endpoint, request),
            Protocol::FastGpt => fastgpt::to_request(endpoint, request),
            Protocol::Dify => dify::to_request(endpoint, request),
        }
    }

    fn parser(self) -> Parser {
        match self {
            Protocol::OpenAi => Parser::OpenAi(Default::default()),
            Protocol::Anthropic => Parser::Anthropic(Default::default()),
            Protocol::FastGpt => Parser::FastGpt(Default::default()),
            Protocol::Dify => Parser::Dify(Default::default()),
        }
    }

    fn parse_response(self, body: &serde_json::Value) -> Result<Vec<ChatEvent>, LlmError> {
        match self {
            Protocol::OpenAi => openai::parse_response(body),
            Protocol::Anthropic => anthropic::parse_response(body),
            Protocol::FastGpt => fastgpt::parse_response(body),
            Protocol::Dify => dify::parse_response(body),
        }
    }

    fn parse_error(self, status: u16, body: &[u8]) -> LlmError {
        match self {
            Protocol::OpenAi => openai::parse_error(status, body),
            Protocol::Anthropic => anthropic::parse_error(status, body),
            Protocol::FastGpt => fastgpt::parse_error(status, body),
            Protocol::Dify => dify::parse_error(status, body),
        }
    }
}

impl Parser {
    fn parse(&mut self, event: &SseEvent) -> Result<Vec<ChatEvent>, LlmError> {
        match self {
            Parser::OpenAi(state) => openai::parse_event(state, event),
            Parser::Anthropic(state) => anthropic::parse_event(state, event),
            Parser::FastGpt(state) => fastgpt::parse_event(state, event),
            Parser::Dify(state) => dify::parse_event(state, event),
        }
    }
}

/// The reply of `agent` to `request`, trying its fallbacks in order when it fails before its
/// first event. The error names the agent that failed last.
pub async fn chat_with_fallbacks(
    transport: &Transport,
    agent: &AgentDef,
    fallbacks: &[AgentDef],
    request: &ChatRequest,
) -> Result<(String, ChatStream), (String, LlmError)> {
    let mut last = match chat(transport, agent, request).await {
        Ok(stream) => return Ok((agent.id.clone(), stream)),
        Err(e) => (agent.id.clone(), e),
    };
    for fallback in fallbacks {
        let id = &fallback.id;
        tracing::warn!(agent = %last.0, fallback = %id, error = %last.1, "agent failed before its first token; trying its fallback");
        let mut request = request.clone();
        if let Some(model) = fallback.provider.model() {
            request.model = model.to_string();
        }
        match chat(transport, fallback, &request).await {
            Ok(stream) => return Ok((id.clone(), stream)),
            Err(e) => last = (id.clone(), e),
        }
    }
    Err(last)
}

/// The reply of one agent: retried before its first event, then streamed.
pub async fn chat(
    transport: &Transport,
    agent: &AgentDef,
    request: &ChatRequest,
) -> Result<ChatStream, LlmError> {
    let Some((protocol, upstream)) = Protocol::of(&agent.provider) else {
        let pace = match &agent.provider {
            ProviderDef::Demo(demo) => demo.chars_per_second,
            _ => None,
        };
        return Ok(demo::stream(pace, request));
    };
    let retries = upstream.max_retries.unwrap_or(DEFAULT_RETRIES);
    let mut attempt = 0;
    loop {
        match first_event(transport, protocol, upstream, request).await {
            Ok(stream) => return Ok(stream),
            Err((error, retry_after)) if attempt < retries && retryable(&error) => {
                let wait = retry_after.unwrap_or_else(|| backoff(attempt));
                tracing::info!(agent = %agent.id, attempt, wait_ms = wait.as_millis() as u64, error = %error, "retrying upstream");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err((error, _)) => return Err(error),
        }
    }
}

/// Opens the stream and waits for its first event, so that failures up to that point can be
/// retried; the returned stream starts with that event.
async fn first_event(
    transport: &Transport,
    protocol: Protocol,
    upstream: &UpstreamDef,
    request: &ChatRequest,
) -> Result<ChatStream, (LlmError, Option<Duration>)> {
    let mut stream = open(transport, protocol, upstream, request).await?;
    match stream.next().await {
        None => Err((
            LlmError::Protocol("the upstream sent an empty reply".into()),
            None,
        )),
        Some(Err(error)) => Err((error, None)),
        Some(Ok(first)) => Ok(Box::pin(
            futures_util::stream::iter([Ok(first)]).chain(stream),
        )),
    }
}

async fn open(
    transport: &Transport,
    protocol: Protocol,
    upstream: &UpstreamDef,
    request: &ChatRequest,
) -> Result<ChatStream, (LlmError, Option<Duration>)> {
    let http = with_endpoint(upstream, |endpoint| protocol.to_request(endpoint, request));
    let idle = upstream.idle_timeout.unwrap_or(DEFAULT_IDLE);
    let response = match transport.send(&http, idle).await {
        Ok(response) => response,
        Err(SendError::Status {
            status,
            retry_after,
            body,
        }) => {
            let mut error = protocol.parse_error(status, &body);
            if let LlmError::Upstream { retry_after_s, .. } = &mut error {
                *retry_after_s = retry_after;
            }
            return Err((error, retry_after.map(Duration::from_secs)));
        }
        Err(SendError::Refused(reason)) => return Err((LlmError::Connect(reason), None)),
        Err(SendError::Connect(reason)) => return Err((LlmError::Connect(reason), None)),
        Err(SendError::Timeout(wait)) => return Err((LlmError::IdleTimeout(wait.as_secs()), None)),
    };
    let is_sse = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !is_sse {
        // A JSON body: the non-streaming reply, or an error some servers send with 200.
        let body = tokio::time::timeout(idle, response.bytes())
            .await
            .map_err(|_| (LlmError::IdleTimeout(idle.as_secs()), None))?
            .map_err(|e| (LlmError::from(e), None))?;
        let json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            (
                LlmError::Protocol(format!("the reply is not JSON: {e}")),
                None,
            )
        })?;
        let events = protocol.parse_response(&json).map_err(|e| (e, None))?;
        return Ok(Box::pin(futures_util::stream::iter(
            events.into_iter().map(Ok),
        )));
    }
    Ok(events_of(protocol.parser(), sse_events(response, idle)))
}

/// Parsed events; the stream ends with an error when the upstream stops before finishing.
fn events_of(
    parser: Parser,
    raw: impl futures_util::Stream<Item = Result<SseEvent, LlmError>> + Send + 'static,
) -> ChatStream {
    let state = (Box::pin(raw), parser, VecDeque::new(), false, false);
    Box::pin(futures_util::stream::unfold(
        state,
        |(mut raw, mut parser, mut ready, mut finished, mut ended)| async move {
            loop {
                if let Some(event) = ready.pop_front() {
                    if matches!(event, ChatEvent::Finish(_)) {
                        finished = true;
                    }
                    return Some((Ok(event), (raw, parser, ready, finished, ended)));
                }
                if ended {
                    return None;
                }
                match raw.next().await {
                    Some(Ok(event)) => match parser.parse(&event) {
                        Ok(events) => ready.extend(events),
                        Err(error) => {
                            ended = true;
                            return Some((Err(error), (raw, parser, ready, finished, ended)));
                        }
                    },
                    Some(Err(error)) => {
                        ended = true;
                        return Some((Err(error), (raw, parser, ready, finished, ended)));
                    }
                    None if finished => return None,
                    None => {
                        ended = true;
                        let error =
                            LlmError::Protocol("the stream ended before the reply finished".into());
                        return Some((Err(error), (raw, parser, ready, finished, ended)));
                    }
                }
            }
        },
    ))
}

/// The URL a chat request of `agent` goes to (`None` for the built-in demo).
pub fn request_url(agent: &AgentDef, request: &ChatRequest) -> Option<String> {
    let (protocol, upstream) = Protocol::of(&agent.provider)?;
    Some(with_endpoint(upstream, |endpoint| protocol.to_request(endpoint, request)).url)
}

/// What an app-style agent shows before the first message (FastGPT `core/chat/init`, Dify
/// `parameters`); `None` for providers without such data.
pub async fn app_init(
    transport: &Transport,
    agent: &AgentDef,
) -> Result<Option<AppInit>, LlmError> {
    let Some((protocol, upstream)) = Protocol::of(&agent.provider) else {
        return Ok(None);
    };
    let http = match protocol {
        Protocol::FastGpt => {
            with_endpoint(upstream, |endpoint| fastgpt::init_request(endpoint, None))
        }
        Protocol::Dify => with_endpoint(upstream, dify::parameters_request),
        Protocol::OpenAi | Protocol::Anthropic => return Ok(None),
    };
    let idle = upstream.idle_timeout.unwrap_or(DEFAULT_IDLE);
    let response = match transport.send(&http, idle).await {
        Ok(response) => response,
        Err(SendError::Status { status, body, .. }) => {
            return Err(protocol.parse_error(status, &body));
        }
        Err(SendError::Refused(reason) | SendError::Connect(reason)) => {
            return Err(LlmError::Connect(reason));
        }
        Err(SendError::Timeout(wait)) => return Err(LlmError::IdleTimeout(wait.as_secs())),
    };
    let body = tokio::time::timeout(idle, response.bytes())
        .await
        .map_err(|_| LlmError::IdleTimeout(idle.as_secs()))?
        .map_err(LlmError::from)?;
    let json: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| LlmError::Protocol(format!("the reply is not JSON: {e}")))?;
    let init = match protocol {
        Protocol::FastGpt => fastgpt::parse_init(&json)?,
        _ => dify::parse_parameters(&json)?,
    };
    Ok(Some(init))
}

/// Worth another try: the connection, a timeout, rate limiting or a server error.
fn retryable(error: &LlmError) -> bool {
    match error {
        LlmError::Connect(_) | LlmError::Interrupted(_) | LlmError::IdleTimeout(_) => true,
        LlmError::Upstream { status, .. } => matches!(status, Some(429) | Some(500..=599)),
        LlmError::Protocol(_) => false,
    }
}

/// 250 ms, 500 ms, 1 s, … with ±50 % jitter so that replicas do not retry in step.
fn backoff(attempt: u32) -> Duration {
    let base = 250u64.saturating_mul(1 << attempt.min(6));
    let jitter = fastrand::u64(0..=base);
    Duration::from_millis(base / 2 + jitter)
}
