//! The OpenAI chat-completions protocol, which OpenAI, DeepSeek, Qwen/DashScope, Moonshot,
//! Ollama, vLLM and most self-hosted servers speak: the `POST {base_url}/chat/completions`
//! request for a [`ChatRequest`], and its replies (stream chunks, whole responses, error bodies)
//! turned into [`ChatEvent`]s and [`LlmError`]s. Pure translation: nothing here sends anything.

use serde_json::{Map, Value, json};

use super::sse::SseEvent;
use super::wire::{non_empty_str, text_excerpt};
use super::{
    ChatEvent, ChatMessage, ChatRequest, ContentPart, Endpoint, FinishReason, HttpMethod,
    HttpRequest, LlmError, MessageRole, ToolChoice, Usage,
};

#[cfg(test)]
mod tests;

/// Builds the `POST {base_url}/chat/completions` request for `request`.
pub fn to_request(endpoint: &Endpoint<'_>, request: &ChatRequest) -> HttpRequest {
    let mut messages = Vec::with_capacity(request.messages.len() + 1);
    if let Some(system) = request.system.as_deref().filter(|s| !s.is_empty()) {
        messages.push(json!({ "role": "system", "content": system }));
    }
    for message in &request.messages {
        push_message(&mut messages, message);
    }

    let mut body = Map::new();
    body.insert("model".into(), request.model.clone().into());
    body.insert("messages".into(), messages.into());
    body.insert("stream".into(), request.stream.into());
    if request.stream {
        // Without it a stream carries no token counts at all.
        body.insert("stream_options".into(), json!({ "include_usage": true }));
    }
    if let Some(temperature) = request.temperature {
        body.insert("temperature".into(), json_number(temperature));
    }
    if let Some(max_tokens) = request.max_tokens {
        body.insert("max_tokens".into(), max_tokens.into());
    }
    insert_tools(&mut body, request);

    let mut headers = Vec::with_capacity(2);
    // Local servers (Ollama, vLLM) run without a key, and some proxies in front of them reject
    // an empty bearer token, so no key means no header at all.
    if let Some(key) = endpoint.api_key.filter(|key| !key.is_empty()) {
        headers.push(("Authorization", format!("Bearer {key}")));
    }
    headers.push(("Content-Type", "application/json".to_string()));

    HttpRequest {
        method: HttpMethod::Post,
        url: endpoint.url("/chat/completions"),
        headers: endpoint.headers_with(&headers),
        body: Some(Value::Object(body)),
    }
}

/// `tools`, `tool_choice`, `parallel_tool_calls` and `response_format`, when asked for.
fn insert_tools(body: &mut Map<String, Value>, request: &ChatRequest) {
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|tool| {
                let mut function = Map::new();
                function.insert("name".into(), tool.name.clone().into());
                if let Some(description) = &tool.description {
                    function.insert("description".into(), description.clone().into());
                }
                if !tool.parameters.is_null() {
                    function.insert("parameters".into(), tool.parameters.clone());
                }
                if let Some(strict) = tool.strict {
                    function.insert("strict".into(), strict.into());
                }
                json!({ "type": "function", "function": function })
            })
            .collect();
        body.insert("tools".into(), tools.into());
    }
    if let Some(choice) = &request.tool_choice {
        let choice = match choice {
            ToolChoice::Auto => json!("auto"),
            ToolChoice::None => json!("none"),
            ToolChoice::Required => json!("required"),
            ToolChoice::Tool(name) => json!({ "type": "function", "function": { "name": name } }),
        };
        body.insert("tool_choice".into(), choice);
    }
    if let Some(parallel) = request.parallel_tool_calls {
        body.insert("parallel_tool_calls".into(), parallel.into());
    }
    if let Some(format) = &request.response_format {
        body.insert("response_format".into(), format.clone());
    }
}

/// Appends `message` as the protocol wants it: tool results become `tool` messages of their
/// own (before any other content of the same message), tool calls ride on the assistant
/// message.
fn push_message(messages: &mut Vec<Value>, message: &ChatMessage) {
    for part in &message.content {
        if let ContentPart::ToolResult { id, content, .. } = part {
            messages.push(json!({ "role": "tool", "tool_call_id": id, "content": content }));
        }
    }
    let calls: Vec<Value> = message
        .content
        .iter()
        .filter_map(|part| match part {
            ContentPart::ToolCall {
                id,
                name,
                arguments,
            } => Some(json!({
                "id": id,
                "type": "function",
                "function": { "name": name, "arguments": arguments },
            })),
            _ => None,
        })
        .collect();
    let has_other = message
        .content
        .iter()
        .any(|part| matches!(part, ContentPart::Text(_) | ContentPart::Image { .. }));
    if !has_other && calls.is_empty() {
        return;
    }
    let role = match message.role {
        MessageRole::System => "system",
        MessageRole::User => "user",
        MessageRole::Assistant => "assistant",
    };
    let has_image = message
        .content
        .iter()
        .any(|part| matches!(part, ContentPart::Image { .. }));
    // Only user messages may carry image parts (the API rejects them elsewhere), and the array
    // form is left out when there is no image because some compatible servers accept only
    // strings.
    let content = if has_image && message.role == MessageRole::User {
        message
            .content
            .iter()
            .filter_map(|part| match part {
                ContentPart::Text(text) => Some(json!({ "type": "text", "text": text })),
                ContentPart::Image { url, .. } => {
                    Some(json!({ "type": "image_url", "image_url": { "url": url } }))
                }
                _ => None,
            })
            .collect()
    } else if !has_other {
        // An assistant turn that only calls tools has no content.
        Value::Null
    } else {
        Value::String(message.joined_text())
    };
    let mut out = json!({ "role": role, "content": content });
    if !calls.is_empty()
        && message.role == MessageRole::Assistant
        && let Some(object) = out.as_object_mut()
    {
        object.insert("tool_calls".into(), calls.into());
    }
    messages.push(out);
}

/// `value` as the JSON number a person would write: widening `0.7_f32` to `f64` directly
/// would send `0.699999988079071`.
pub(crate) fn json_number(value: f32) -> Value {
    value
        .to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// What one stream has shown so far.
#[derive(Debug, Default)]
pub struct StreamState {
    /// A `Finish` went out (from a `finish_reason`), so `[DONE]` or a repeated reason adds none.
    finished: bool,
}

/// One upstream SSE event → zero or more [`ChatEvent`]s. Exactly one `ChatEvent::Finish` per
/// reply: at the first `finish_reason`, or at `data: [DONE]` when none came. The usage chunk
/// comes after the `finish_reason` chunk in this protocol, so a `Usage` may follow the
/// `Finish`. An in-stream error object → `Err(LlmError::Upstream{..})`; invalid JSON →
/// `Err(LlmError::Protocol(..))`.
pub fn parse_event(state: &mut StreamState, event: &SseEvent) -> Result<Vec<ChatEvent>, LlmError> {
    let data = event.data.trim();
    if data == "[DONE]" {
        return Ok(finish(state, FinishReason::Stop).into_iter().collect());
    }
    if data.is_empty() {
        return Ok(Vec::new());
    }
    // Some gateways name the event `error` instead of sending an error object.
    if event.event.as_deref() == Some("error") {
        return Err(error_from_body(None, data.as_bytes()));
    }
    let chunk = parse_json(data)?;
    if let Some(error) = chunk.get("error").filter(|e| !e.is_null()) {
        return Err(upstream_error(None, error, &chunk));
    }

    let mut events = Vec::new();
    let choice = first_choice(&chunk);
    if let Some(delta) = choice.and_then(|choice| choice.get("delta")) {
        push_message_parts(&mut events, delta);
    }
    // Some servers (Moonshot) put the usage inside the choice rather than beside it.
    if let Some(usage) = usage(chunk.get("usage")).or_else(|| usage(choice?.get("usage"))) {
        events.push(ChatEvent::Usage(usage));
    }
    if let Some(reason) = choice.and_then(finish_reason) {
        events.extend(finish(state, reason));
    }
    Ok(events)
}

/// The non-streaming reply body (request sent with `stream: false`) → the same events the
/// stream would give: reasoning, text, tool calls, `Finish`, then `Usage`.
pub fn parse_response(body: &Value) -> Result<Vec<ChatEvent>, LlmError> {
    if let Some(error) = body.get("error").filter(|e| !e.is_null()) {
        return Err(upstream_error(None, error, body));
    }
    let choice = first_choice(body)
        .ok_or_else(|| LlmError::Protocol("the response has no choices".to_string()))?;
    let mut events = Vec::new();
    if let Some(message) = choice.get("message") {
        push_message_parts(&mut events, message);
    }
    events.push(ChatEvent::Finish(
        finish_reason(choice).unwrap_or(FinishReason::Stop),
    ));
    if let Some(usage) = usage(body.get("usage")) {
        events.push(ChatEvent::Usage(usage));
    }
    Ok(events)
}

/// An error response (status + body bytes) → `LlmError::Upstream` with the provider's message
/// and code. Understands `{"error":{"message","type","code"}}` (OpenAI, DeepSeek, DashScope,
/// Moonshot), `{"error":"…"}` (Ollama) and `{"message","type","code"}` (vLLM); anything else
/// becomes a message from the raw body.
pub fn parse_error(status: u16, body: &[u8]) -> LlmError {
    error_from_body(Some(status), body)
}

fn error_from_body(status: Option<u16>, body: &[u8]) -> LlmError {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => {
            let error = json.get("error").filter(|e| !e.is_null()).unwrap_or(&json);
            upstream_error(status, error, &json)
        }
        Err(_) => LlmError::Upstream {
            status,
            code: None,
            message: text_excerpt(body),
            retry_after_s: None,
        },
    }
}

/// Appends the events carried by a stream `delta` or a response `message`, which share a shape.
fn push_message_parts(events: &mut Vec<ChatEvent>, message: &Value) {
    // DeepSeek, Qwen and vLLM call it `reasoning_content`; Ollama and OpenRouter `reasoning`.
    let reasoning = non_empty_str(message.get("reasoning_content"))
        .or_else(|| non_empty_str(message.get("reasoning")));
    if let Some(reasoning) = reasoning {
        events.push(ChatEvent::Reasoning(reasoning.to_string()));
    }
    if let Some(text) = non_empty_str(message.get("content")) {
        events.push(ChatEvent::Text(text.to_string()));
    }
    let calls = message.get("tool_calls").and_then(Value::as_array);
    for (position, call) in calls.into_iter().flatten().enumerate() {
        // Whole tool calls (non-streaming replies, Ollama) come without `index`.
        let index = call
            .get("index")
            .and_then(Value::as_u64)
            .unwrap_or(position as u64);
        let function = call.get("function");
        let id = non_empty_str(call.get("id")).map(str::to_string);
        let name = non_empty_str(function.and_then(|f| f.get("name"))).map(str::to_string);
        let arguments = non_empty_str(function.and_then(|f| f.get("arguments"))).unwrap_or("");
        if id.is_none() && name.is_none() && arguments.is_empty() {
            continue;
        }
        events.push(ChatEvent::ToolCall {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            id,
            name,
            arguments_delta: arguments.to_string(),
        });
    }
}

fn finish(state: &mut StreamState, reason: FinishReason) -> Option<ChatEvent> {
    if state.finished {
        return None;
    }
    state.finished = true;
    Some(ChatEvent::Finish(reason))
}

fn first_choice(chunk: &Value) -> Option<&Value> {
    chunk.get("choices")?.as_array()?.first()
}

fn finish_reason(choice: &Value) -> Option<FinishReason> {
    Some(match non_empty_str(choice.get("finish_reason"))? {
        "stop" => FinishReason::Stop,
        "length" => FinishReason::Length,
        // `function_call` is the pre-tools name of the same thing.
        "tool_calls" | "function_call" => FinishReason::ToolCalls,
        "content_filter" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_string()),
    })
}

fn usage(usage: Option<&Value>) -> Option<Usage> {
    let usage = usage.filter(|u| u.is_object())?;
    let count = |field: &str| usage.get(field).and_then(Value::as_u64).unwrap_or(0);
    Some(Usage {
        prompt_tokens: count("prompt_tokens"),
        completion_tokens: count("completion_tokens"),
    })
}

/// `error` is the error object (or a bare message string); `whole` the document it came in,
/// consulted for a message when the object has none.
fn upstream_error(status: Option<u16>, error: &Value, whole: &Value) -> LlmError {
    let message = match error {
        Value::String(message) => Some(message.clone()),
        _ => non_empty_str(error.get("message"))
            .or_else(|| non_empty_str(whole.get("message")))
            .map(str::to_string),
    };
    // `code` is a string (OpenAI), a number (vLLM) or null; then `type` says the most.
    let code = match error.get("code") {
        Some(Value::String(code)) if !code.is_empty() => Some(code.clone()),
        Some(Value::Number(code)) => Some(code.to_string()),
        _ => non_empty_str(error.get("type")).map(str::to_string),
    };
    LlmError::Upstream {
        status,
        code,
        message: message.unwrap_or_else(|| "no error message".to_string()),
        retry_after_s: None,
    }
}

fn parse_json(data: &str) -> Result<Value, LlmError> {
    serde_json::from_str(data).map_err(|error| {
        let excerpt: String = data.chars().take(120).collect();
        LlmError::Protocol(format!("a stream chunk is not JSON ({error}): {excerpt}"))
    })
}
