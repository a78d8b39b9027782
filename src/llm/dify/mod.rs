//! Dify chat apps (basic chat, agent and chatflow/advanced chat): the
//! `POST {base_url}/chat-messages` request, its stream events and blocking replies turned into
//! [`ChatEvent`]s, plus the app extras (stop a running task, the app's parameters, message
//! feedback). `base_url` is the Service API root (`https://api.dify.ai/v1`). Pure translation:
//! nothing here sends anything.
//!
//! Dify keeps the conversation itself: the first turn goes with `conversation_id: ""` and the
//! reply names the new conversation, which the stream passes on as `ChatEvent::Upstream`.

mod app;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value, json};

use super::sse::SseEvent;
use super::wire::{non_empty_str, text_excerpt};
use super::{
    ChatEvent, ChatRequest, Citation, ContentPart, Endpoint, FinishReason, HttpMethod, HttpRequest,
    LlmError, MessageRole, NodeState, UpstreamIds, Usage,
};

pub use app::{feedback_request, parameters_request, parse_parameters, stop_request};

/// The `user` sent when the request names none. Dify requires one, and stopping a task needs
/// the same value, so callers of [`stop_request`] fall back to this too.
pub const DEFAULT_USER: &str = "llmchat";

/// Builds the `POST {base_url}/chat-messages` request for `request`: the last user message as
/// `query` (Dify holds the history), its images as `files`, the app variables as `inputs`.
///
/// Images go as `remote_url` files, which Dify downloads itself, so only `http(s)` URLs are
/// sent; a `data:` URL would need the file upload API first.
pub fn to_request(endpoint: &Endpoint<'_>, request: &ChatRequest) -> HttpRequest {
    let last_user = request
        .messages
        .iter()
        .rev()
        .find(|m| m.role == MessageRole::User);
    let query = last_user.map(|m| m.joined_text()).unwrap_or_default();
    let files: Vec<Value> = last_user
        .into_iter()
        .flat_map(|m| &m.content)
        .filter_map(|part| match part {
            ContentPart::Image { url, .. }
                if url.starts_with("https://") || url.starts_with("http://") =>
            {
                Some(json!({ "type": "image", "transfer_method": "remote_url", "url": url }))
            }
            _ => None,
        })
        .collect();

    let mut body = Map::new();
    body.insert("query".into(), query.into());
    body.insert("inputs".into(), Value::Object(request.variables.clone()));
    let mode = if request.stream {
        "streaming"
    } else {
        "blocking"
    };
    body.insert("response_mode".into(), mode.into());
    // Dify chooses the id on the first turn; an id it did not issue is a 404.
    let conversation_id = request.upstream.conversation_id.as_deref().unwrap_or("");
    body.insert("conversation_id".into(), conversation_id.into());
    body.insert("user".into(), user(request.user.as_deref()).into());
    if !files.is_empty() {
        body.insert("files".into(), files.into());
    }

    HttpRequest {
        method: HttpMethod::Post,
        url: endpoint.url("/chat-messages"),
        headers: headers(endpoint, true),
        body: Some(Value::Object(body)),
    }
}

fn user(user: Option<&str>) -> &str {
    user.filter(|u| !u.is_empty()).unwrap_or(DEFAULT_USER)
}

fn headers(endpoint: &Endpoint<'_>, json_body: bool) -> Vec<(String, String)> {
    let mut headers = Vec::with_capacity(2);
    if let Some(key) = endpoint.api_key.filter(|key| !key.is_empty()) {
        headers.push(("Authorization", format!("Bearer {key}")));
    }
    if json_body {
        headers.push(("Content-Type", "application/json".to_string()));
    }
    endpoint.headers_with(&headers)
}

/// What one stream has shown so far.
#[derive(Debug, Default)]
pub struct StreamState {
    /// The ids passed on in `Upstream` events so far.
    ids: UpstreamIds,
    /// `message_end` came and the `Finish` went out; anything after it is ignored.
    finished: bool,
    /// The last status given for each agent thought (by thought id): Dify re-sends a thought
    /// whole each time it changes, so an unchanged one adds nothing.
    thoughts: Vec<(String, ChatEvent)>,
}

/// One upstream SSE event → zero or more [`ChatEvent`]s. Exactly one `ChatEvent::Finish` per
/// reply, at `message_end`. The conversation, task and message ids go out as
/// `ChatEvent::Upstream` as soon as they are known — once, since Dify puts all three on every
/// event. An `error` event → `Err(LlmError::Upstream{..})`; invalid JSON →
/// `Err(LlmError::Protocol(..))`. Unknown events (TTS audio, iterations, `ping`…) are skipped.
///
/// Agent thoughts become a `Status` for the tools they call: `Running` with the tool input
/// as detail until the tool's observation arrives, then `Done`. A thought's own text is not
/// repeated, because Dify already streamed it as answer text (`agent_message`).
pub fn parse_event(state: &mut StreamState, event: &SseEvent) -> Result<Vec<ChatEvent>, LlmError> {
    let data = event.data.trim();
    if state.finished || data.is_empty() {
        return Ok(Vec::new());
    }
    let json: Value = serde_json::from_str(data).map_err(|error| {
        let excerpt: String = data.chars().take(120).collect();
        LlmError::Protocol(format!(
            "a Dify stream event is not JSON ({error}): {excerpt}"
        ))
    })?;
    let kind = json
        .get("event")
        .and_then(Value::as_str)
        .or(event.event.as_deref())
        .unwrap_or("");
    if kind == "error" {
        return Err(upstream_error(None, &json));
    }

    let mut events: Vec<ChatEvent> = new_ids(state, &json).into_iter().collect();
    match kind {
        "message" | "agent_message" => {
            if let Some(answer) = non_empty_str(json.get("answer")) {
                events.push(ChatEvent::Text(answer.to_string()));
            }
        }
        "message_replace" => {
            let answer = json.get("answer").and_then(Value::as_str).unwrap_or("");
            events.push(ChatEvent::Replace(answer.to_string()));
        }
        "agent_thought" => events.extend(thought_status(state, &json)),
        "message_file" => events.extend(file_status(&json)),
        "node_started" | "node_finished" => events.extend(node_status(&json)),
        "message_end" => {
            events.extend(end_events(json.get("metadata")));
            state.finished = true;
        }
        _ => {}
    }
    Ok(events)
}

/// An `Upstream` with every id known so far, when `json` brings one not seen before.
fn new_ids(state: &mut StreamState, json: &Value) -> Option<ChatEvent> {
    let mut learned = false;
    for (field, slot) in [
        ("conversation_id", &mut state.ids.conversation_id),
        ("task_id", &mut state.ids.task_id),
        ("message_id", &mut state.ids.message_id),
    ] {
        if let Some(id) = non_empty_str(json.get(field)).filter(|_| slot.is_none()) {
            *slot = Some(id.to_string());
            learned = true;
        }
    }
    learned.then(|| ChatEvent::Upstream(state.ids.clone()))
}

fn thought_status(state: &mut StreamState, json: &Value) -> Option<ChatEvent> {
    let tools = non_empty_str(json.get("tool"))?;
    let observed = non_empty_str(json.get("observation")).is_some();
    let status = ChatEvent::Status {
        // Several tools called at once come as `a;b`.
        node: tools
            .split(';')
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(", "),
        state: if observed {
            NodeState::Done
        } else {
            NodeState::Running
        },
        detail: non_empty_str(json.get("tool_input")).map(str::to_string),
    };
    let id = non_empty_str(json.get("id"))
        .map(str::to_string)
        .or_else(|| json.get("position").map(Value::to_string))
        .unwrap_or_default();
    match state.thoughts.iter_mut().find(|(known, _)| *known == id) {
        Some((_, last)) if *last == status => None,
        Some((_, last)) => {
            *last = status.clone();
            Some(status)
        }
        None => {
            state.thoughts.push((id, status.clone()));
            Some(status)
        }
    }
}

/// A file a tool made (an image from DALL·E…). There is no attachment event, so its URL goes
/// out as a finished `file` step rather than being dropped.
fn file_status(json: &Value) -> Option<ChatEvent> {
    let url = non_empty_str(json.get("url"))?;
    Some(ChatEvent::Status {
        node: "file".to_string(),
        state: NodeState::Done,
        detail: Some(url.to_string()),
    })
}

/// A chatflow node started or finished: `data.title`, and on finishing `data.status`
/// (`succeeded`, or `failed`/`exception`/`stopped` with `data.error`).
fn node_status(json: &Value) -> Option<ChatEvent> {
    let data = json.get("data")?;
    let node = non_empty_str(data.get("title")).or_else(|| non_empty_str(data.get("node_type")))?;
    let (state, detail) = match non_empty_str(data.get("status")) {
        None | Some("running") => (NodeState::Running, None),
        Some("succeeded") => (NodeState::Done, None),
        Some(other) => (
            NodeState::Failed,
            Some(
                non_empty_str(data.get("error"))
                    .unwrap_or(other)
                    .to_string(),
            ),
        ),
    };
    Some(ChatEvent::Status {
        node: node.to_string(),
        state,
        detail,
    })
}

/// `message_end` metadata → citations, usage, and the `Finish`.
fn end_events(metadata: Option<&Value>) -> Vec<ChatEvent> {
    let mut events = Vec::new();
    let resources = metadata
        .and_then(|m| m.get("retriever_resources"))
        .and_then(Value::as_array);
    let citations: Vec<Citation> = resources
        .into_iter()
        .flatten()
        .filter_map(citation)
        .collect();
    if !citations.is_empty() {
        events.push(ChatEvent::Citations(citations));
    }
    if let Some(usage) = metadata
        .and_then(|m| m.get("usage"))
        .filter(|u| u.is_object())
    {
        let count = |field: &str| usage.get(field).and_then(Value::as_u64).unwrap_or(0);
        events.push(ChatEvent::Usage(Usage {
            prompt_tokens: count("prompt_tokens"),
            completion_tokens: count("completion_tokens"),
        }));
    }
    events.push(ChatEvent::Finish(FinishReason::Stop));
    events
}

/// A retriever resource `{document_name, content, score, …}` → a citation.
fn citation(resource: &Value) -> Option<Citation> {
    let content = non_empty_str(resource.get("content")).map(str::to_string);
    let title = non_empty_str(resource.get("document_name"))
        .or_else(|| non_empty_str(resource.get("dataset_name")))
        .map(str::to_string)
        .or_else(|| content.as_ref().map(|c| c.chars().take(60).collect()))?;
    Some(Citation {
        title,
        snippet: content,
        url: None,
        score: resource.get("score").and_then(Value::as_f64),
    })
}

/// The blocking reply `{answer, conversation_id, task_id, message_id, metadata}` → the same
/// events the stream would give: ids, the answer, citations, usage, `Finish`.
pub fn parse_response(body: &Value) -> Result<Vec<ChatEvent>, LlmError> {
    let Some(answer) = body.get("answer").and_then(Value::as_str) else {
        if non_empty_str(body.get("code")).is_some() {
            return Err(upstream_error(None, body));
        }
        return Err(LlmError::Protocol("the reply has no answer".to_string()));
    };
    let mut state = StreamState::default();
    let mut events: Vec<ChatEvent> = new_ids(&mut state, body).into_iter().collect();
    if !answer.is_empty() {
        events.push(ChatEvent::Text(answer.to_string()));
    }
    events.extend(end_events(body.get("metadata")));
    Ok(events)
}

/// An error response (status + body bytes) → `LlmError::Upstream` from Dify's
/// `{"code","message","status"}`; a body that is not JSON becomes the message.
pub fn parse_error(status: u16, body: &[u8]) -> LlmError {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) if json.is_object() => upstream_error(Some(status), &json),
        _ => LlmError::Upstream {
            status: Some(status),
            code: None,
            message: text_excerpt(body),
            retry_after_s: None,
        },
    }
}

/// `{status, code, message}`, in an error body or an `error` stream event.
fn upstream_error(status: Option<u16>, json: &Value) -> LlmError {
    let status = status.or_else(|| {
        json.get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
    });
    LlmError::Upstream {
        status,
        code: non_empty_str(json.get("code")).map(str::to_string),
        message: non_empty_str(json.get("message"))
            .unwrap_or("no error message")
            .to_string(),
        retry_after_s: None,
    }
}
