//! FastGPT apps (simple apps and workflows): the `POST {base_url}/v1/chat/completions` request
//! with `detail: true`, its named stream events and whole replies turned into [`ChatEvent`]s,
//! plus the app extras (`core/chat/init` for the welcome text and input variables, user
//! feedback). `base_url` is FastGPT's API root (`https://host/api`). Pure translation: nothing
//! here sends anything.
//!
//! A detail stream ends `answer` (`finish_reason`) → `answer` `[DONE]` → `flowResponses` (every
//! node's result) → end of body, so the reply's `Finish` goes out after the node results, not
//! at `[DONE]`: that way citations and token counts never trail the `Finish`.

mod app;
mod nodes;
#[cfg(test)]
mod tests;

use serde_json::{Map, Value, json};

use super::sse::SseEvent;
use super::wire::{non_empty_str, text_excerpt};
use super::{
    ChatEvent, ChatMessage, ChatRequest, ContentPart, Endpoint, FinishReason, HttpMethod,
    HttpRequest, LlmError, MessageRole,
};
pub use app::{feedback_request, init_request, parse_init};
use nodes::{interactive, node_results};

/// Builds the `POST {base_url}/v1/chat/completions` request for `request`.
///
/// With `upstream.chat_id` FastGPT keeps the history under that id and reads only the last
/// message, so only the new user message is sent; without one the call is stateless and the
/// whole conversation (and the agent's system prompt, if any) goes along.
pub fn to_request(endpoint: &Endpoint<'_>, request: &ChatRequest) -> HttpRequest {
    let chat_id = request
        .upstream
        .chat_id
        .as_deref()
        .filter(|id| !id.is_empty());
    let messages: Vec<Value> = match chat_id {
        Some(_) => request
            .messages
            .iter()
            .rev()
            .find(|m| m.role == MessageRole::User)
            .map(message)
            .into_iter()
            .collect(),
        None => {
            let system = request.system.as_deref().filter(|s| !s.is_empty());
            system
                .map(|s| json!({ "role": "system", "content": s }))
                .into_iter()
                .chain(request.messages.iter().map(message))
                .collect()
        }
    };

    let mut body = Map::new();
    if let Some(chat_id) = chat_id {
        body.insert("chatId".into(), chat_id.into());
    }
    body.insert("stream".into(), request.stream.into());
    // Without `detail` the stream carries only text: no node progress, citations or forms.
    body.insert("detail".into(), true.into());
    body.insert("variables".into(), Value::Object(request.variables.clone()));
    if let Some(id) = request
        .upstream
        .message_id
        .as_deref()
        .filter(|id| !id.is_empty())
    {
        // FastGPT stores the reply under this id; feedback later names the reply by it.
        body.insert("responseChatItemId".into(), id.into());
    }
    body.insert("messages".into(), messages.into());

    HttpRequest {
        method: HttpMethod::Post,
        url: endpoint.url("/v1/chat/completions"),
        headers: headers(endpoint, true),
        body: Some(Value::Object(body)),
    }
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

fn message(message: &ChatMessage) -> Value {
    let role = match message.role {
        MessageRole::System => "system",
        MessageRole::User => "user",
        MessageRole::Assistant => "assistant",
    };
    let has_image = message
        .content
        .iter()
        .any(|part| matches!(part, ContentPart::Image { .. }));
    let content = if has_image {
        message
            .content
            .iter()
            .filter_map(|part| match part {
                ContentPart::Text(text) => Some(json!({ "type": "text", "text": text })),
                ContentPart::Image { url, .. } => {
                    Some(json!({ "type": "image_url", "image_url": { "url": url } }))
                }
                // Apps run their own tools; calls from elsewhere mean nothing to them.
                ContentPart::ToolCall { .. } | ContentPart::ToolResult { .. } => None,
            })
            .collect()
    } else {
        Value::String(message.joined_text())
    };
    json!({ "role": role, "content": content })
}

/// What one stream has shown so far.
#[derive(Debug, Default)]
pub struct StreamState {
    /// `[DONE]` came: the answer is complete and only the node results are still to come.
    done: bool,
    /// The `Finish` went out; anything after it is ignored.
    finished: bool,
    /// The last `finish_reason` seen, for the `Finish`.
    finish_reason: Option<FinishReason>,
    /// Ids of the tool calls so far; a call's position here is its `ToolCall` index.
    tools: Vec<String>,
}

/// One upstream SSE event → zero or more [`ChatEvent`]s. Exactly one `ChatEvent::Finish` per
/// reply, after the `flowResponses` that follow `[DONE]` (Stop unless a `finish_reason` said
/// otherwise). An `error` event → `Err(LlmError::Upstream{..})`; invalid JSON →
/// `Err(LlmError::Protocol(..))`. Unknown event names are skipped, as FastGPT adds new ones.
pub fn parse_event(state: &mut StreamState, event: &SseEvent) -> Result<Vec<ChatEvent>, LlmError> {
    let data = event.data.trim();
    if state.finished || data.is_empty() {
        return Ok(Vec::new());
    }
    if data == "[DONE]" {
        state.done = true;
        return Ok(Vec::new());
    }
    let name = event.event.as_deref().unwrap_or("answer");
    if name == "error" {
        return Err(error_from_body(None, data.as_bytes()));
    }
    let json = parse_json(data)?;
    Ok(match name {
        "answer" | "fastAnswer" => answer_chunk(state, &json),
        "flowNodeStatus" => node_status(&json).into_iter().collect(),
        "interactive" => json
            .get("interactive")
            .and_then(interactive)
            .map(ChatEvent::Interactive)
            .into_iter()
            .collect(),
        "toolCall" | "toolParams" | "toolResponse" => tool_event(state, name, &json, event),
        "flowResponses" => {
            let nodes = json.as_array().map(Vec::as_slice).unwrap_or_default();
            let mut events = node_results(nodes);
            if state.done {
                state.finished = true;
                let reason = state.finish_reason.take().unwrap_or(FinishReason::Stop);
                events.push(ChatEvent::Finish(reason));
            }
            events
        }
        // `updateVariables`, `workflowDuration` and whatever comes next carry nothing to show.
        _ => Vec::new(),
    })
}

/// An `answer` / `fastAnswer` chunk, shaped like an OpenAI `chat.completion.chunk`.
fn answer_chunk(state: &mut StreamState, chunk: &Value) -> Vec<ChatEvent> {
    let Some(choice) = chunk
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
    else {
        return Vec::new();
    };
    let mut events = Vec::new();
    if let Some(delta) = choice.get("delta") {
        if let Some(reasoning) = non_empty_str(delta.get("reasoning_content")) {
            events.push(ChatEvent::Reasoning(reasoning.to_string()));
        }
        if let Some(text) = non_empty_str(delta.get("content")) {
            events.push(ChatEvent::Text(text.to_string()));
        }
    }
    if let Some(reason) = finish_reason(choice) {
        state.finish_reason = Some(reason);
    }
    events
}

/// `{"status":"running","name":"AI 对话"}`: a node started.
fn node_status(json: &Value) -> Option<ChatEvent> {
    let node = non_empty_str(json.get("name"))?;
    let state = match non_empty_str(json.get("status")) {
        Some("finish") => super::NodeState::Done,
        _ => super::NodeState::Running,
    };
    Some(ChatEvent::Status {
        node: node.to_string(),
        state,
        detail: None,
    })
}

/// `toolCall` opens a call (arguments so far in `params`), `toolParams` adds argument text to
/// one, `toolResponse` carries the result of a tool FastGPT ran itself.
fn tool_event(
    state: &mut StreamState,
    name: &str,
    json: &Value,
    event: &SseEvent,
) -> Vec<ChatEvent> {
    let Some(tool) = json.get("tool") else {
        return Vec::new();
    };
    // Newer FastGPT versions put the call id on the SSE `id:` line instead of in the payload.
    let id = non_empty_str(tool.get("id"))
        .or_else(|| event.id.as_deref().filter(|id| !id.is_empty()))
        .map(str::to_string);
    let params = tool.get("params").and_then(Value::as_str).unwrap_or("");
    match name {
        "toolCall" => {
            let index = state.tools.len();
            let id = id.unwrap_or_else(|| format!("call_{index}"));
            state.tools.push(id.clone());
            let tool_name = non_empty_str(tool.get("toolName"))
                .or_else(|| non_empty_str(tool.get("functionName")))
                .map(str::to_string);
            vec![ChatEvent::ToolCall {
                index: index_u32(index),
                id: Some(id),
                name: tool_name,
                arguments_delta: params.to_string(),
            }]
        }
        "toolParams" if !params.is_empty() => {
            let position = id
                .and_then(|id| state.tools.iter().position(|known| *known == id))
                .or_else(|| state.tools.len().checked_sub(1));
            position
                .map(|index| ChatEvent::ToolCall {
                    index: index_u32(index),
                    id: None,
                    name: None,
                    arguments_delta: params.to_string(),
                })
                .into_iter()
                .collect()
        }
        "toolResponse" => {
            let id = id
                .or_else(|| state.tools.last().cloned())
                .unwrap_or_default();
            let result = tool.get("response").map(text_of).unwrap_or_default();
            vec![ChatEvent::ToolResult { id, result }]
        }
        _ => Vec::new(),
    }
}

/// The non-streaming (`stream: false`, `detail: true`) reply body → the same events the stream
/// would give: the answer parts in order, then the node results, then `Finish`.
///
/// With `detail` FastGPT sends `choices[0].message.content` as a list of parts (text, reasoning,
/// tools, interactive) when there is more than plain text. Its top-level `usage` is a
/// placeholder (always 1 token), so token counts come from the nodes instead.
pub fn parse_response(body: &Value) -> Result<Vec<ChatEvent>, LlmError> {
    let Some(choice) = body
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
    else {
        // Some versions answer an auth or app error with HTTP 200 and the error body.
        return Err(error_from_json(None, body)
            .unwrap_or_else(|| LlmError::Protocol("the response has no choices".to_string())));
    };
    let mut events = Vec::new();
    match choice.get("message").and_then(|m| m.get("content")) {
        Some(Value::String(text)) if !text.is_empty() => events.push(ChatEvent::Text(text.clone())),
        Some(Value::Array(parts)) => {
            let mut tools = 0;
            for part in parts {
                push_value_part(&mut events, part, &mut tools);
            }
        }
        _ => {}
    }
    let nodes = body.get("responseData").and_then(Value::as_array);
    events.extend(node_results(nodes.map(Vec::as_slice).unwrap_or_default()));
    events.push(ChatEvent::Finish(
        finish_reason(choice).unwrap_or(FinishReason::Stop),
    ));
    Ok(events)
}

/// One stored answer part: `{text:{content}}`, `{reasoning:{content}}`, `{tools:[…]}` or
/// `{interactive:{…}}` (older versions add a `type` naming the same key).
fn push_value_part(events: &mut Vec<ChatEvent>, part: &Value, tools: &mut usize) {
    if let Some(reasoning) = non_empty_str(part.pointer("/reasoning/content")) {
        events.push(ChatEvent::Reasoning(reasoning.to_string()));
    }
    if let Some(text) = non_empty_str(part.pointer("/text/content")) {
        events.push(ChatEvent::Text(text.to_string()));
    }
    for tool in part
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id =
            non_empty_str(tool.get("id")).map_or_else(|| format!("call_{tools}"), str::to_string);
        events.push(ChatEvent::ToolCall {
            index: index_u32(*tools),
            id: Some(id.clone()),
            name: non_empty_str(tool.get("toolName"))
                .or_else(|| non_empty_str(tool.get("functionName")))
                .map(str::to_string),
            arguments_delta: tool.get("params").map(text_of).unwrap_or_default(),
        });
        if let Some(result) = tool.get("response").map(text_of).filter(|r| !r.is_empty()) {
            events.push(ChatEvent::ToolResult { id, result });
        }
        *tools += 1;
    }
    if let Some(interactive) = part.get("interactive").and_then(interactive) {
        events.push(ChatEvent::Interactive(interactive));
    }
}

/// An error response (status + body bytes) → `LlmError::Upstream`. FastGPT answers errors with
/// `{"code":500,"statusText":"…","message":"…","data":null}`; `statusText` names the error when
/// set. A body that is not JSON becomes the message.
pub fn parse_error(status: u16, body: &[u8]) -> LlmError {
    error_from_body(Some(status), body)
}

fn error_from_body(status: Option<u16>, body: &[u8]) -> LlmError {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => error_from_json(status, &json).unwrap_or_else(|| LlmError::Upstream {
            status,
            code: None,
            message: text_excerpt(body),
            retry_after_s: None,
        }),
        Err(_) => LlmError::Upstream {
            status,
            code: None,
            message: text_excerpt(body),
            retry_after_s: None,
        },
    }
}

/// The error a FastGPT JSON body describes, if it names one.
fn error_from_json(status: Option<u16>, json: &Value) -> Option<LlmError> {
    // Errors relayed from the model's API keep the OpenAI shape.
    let error = json.get("error").filter(|e| e.is_object()).unwrap_or(json);
    let message = non_empty_str(error.get("message"))
        .or_else(|| non_empty_str(json.get("message")))
        .or_else(|| non_empty_str(json.get("statusText")))?
        .to_string();
    let code = non_empty_str(json.get("statusText"))
        .map(str::to_string)
        .or_else(|| match error.get("code") {
            Some(Value::String(code)) if !code.is_empty() => Some(code.clone()),
            Some(Value::Number(code)) => Some(code.to_string()),
            _ => None,
        });
    Some(LlmError::Upstream {
        status,
        code,
        message,
        retry_after_s: None,
    })
}

fn finish_reason(choice: &Value) -> Option<FinishReason> {
    Some(match non_empty_str(choice.get("finish_reason"))? {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_string()),
    })
}

/// A tool's params or response: a string as it is, anything else as JSON text.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

fn parse_json(data: &str) -> Result<Value, LlmError> {
    serde_json::from_str(data).map_err(|error| {
        let excerpt: String = data.chars().take(120).collect();
        LlmError::Protocol(format!(
            "a FastGPT stream event is not JSON ({error}): {excerpt}"
        ))
    })
}
