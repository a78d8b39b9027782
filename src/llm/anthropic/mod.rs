//! The Anthropic Messages API: the `POST {base_url}/v1/messages` request for a
//! [`ChatRequest`], and its replies (stream events, whole responses, error bodies) turned into
//! [`ChatEvent`]s and [`LlmError`]s. Pure translation: nothing here sends anything.

use serde_json::{Map, Value, json};

use super::openai::json_number;
use super::sse::SseEvent;
use super::wire::{non_empty_str, text_excerpt};
use super::{
    ChatEvent, ChatRequest, ContentPart, Endpoint, FinishReason, HttpMethod, HttpRequest, LlmError,
    MessageRole, ToolChoice, Usage,
};

#[cfg(test)]
mod tests;

/// The tool that carries a `response_format` JSON schema (the API has no JSON mode): the model
/// is made to call it, and its input is passed on as the reply's text. A name no caller is
/// likely to give a tool of their own.
pub const JSON_REPLY_TOOL: &str = "llmchat_json_reply";

/// `max_tokens` when the agent sets none: the API requires one.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The API version this module speaks (`anthropic-version` header).
pub(crate) const API_VERSION: &str = "2023-06-01";

/// Stands in for the user turn the API requires before a history that starts with the
/// assistant (a welcome message, or a history cut short to fit the context).
const CONVERSATION_START: &str = "(start of conversation)";

/// Builds the `POST {base_url}/v1/messages` request for `request`.
pub fn to_request(endpoint: &Endpoint<'_>, request: &ChatRequest) -> HttpRequest {
    let mut system: Vec<String> = request.system.iter().cloned().collect();
    let mut turns: Vec<(MessageRole, Vec<Value>)> = Vec::new();
    for message in &request.messages {
        if message.role == MessageRole::System {
            // The API has no system role: instructions given mid-conversation join the prompt.
            system.push(message.joined_text());
            continue;
        }
        let blocks: Vec<Value> = message.content.iter().filter_map(content_block).collect();
        if blocks.is_empty() {
            continue;
        }
        // Turns must alternate, so messages in a row from one side become one turn.
        match turns.last_mut() {
            Some((role, existing)) if *role == message.role => existing.extend(blocks),
            _ => turns.push((message.role, blocks)),
        }
    }
    if turns
        .first()
        .is_some_and(|(role, _)| *role == MessageRole::Assistant)
    {
        let start = json!({ "type": "text", "text": CONVERSATION_START });
        turns.insert(0, (MessageRole::User, vec![start]));
    }
    let messages: Vec<Value> = turns
        .into_iter()
        .map(|(role, mut blocks)| {
            // The API wants a turn's tool results before anything else in it.
            blocks.sort_by_key(|block| block["type"] != "tool_result");
            let role = if role == MessageRole::User {
                "user"
            } else {
                "assistant"
            };
            json!({ "role": role, "content": content(blocks) })
        })
        .collect();
    let format = JsonReply::of(request);
    if let Some(instruction) = format.instruction() {
        system.push(instruction);
    }
    system.retain(|part| !part.trim().is_empty());

    let mut body = Map::new();
    body.insert("model".into(), request.model.clone().into());
    body.insert(
        "max_tokens".into(),
        request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS).into(),
    );
    if !system.is_empty() {
        body.insert("system".into(), system.join("\n\n").into());
    }
    body.insert("messages".into(), messages.into());
    body.insert("stream".into(), request.stream.into());
    if let Some(temperature) = request.temperature {
        body.insert("temperature".into(), json_number(temperature));
    }
    insert_tools(&mut body, request);
    if let JsonReply::Tool {
        schema,
        description,
    } = format
    {
        let description = description.map_or_else(
            || "Reply with JSON matching this schema.".to_string(),
            |d| format!("Reply with JSON matching this schema: {d}"),
        );
        let tool =
            json!({ "name": JSON_REPLY_TOOL, "description": description, "input_schema": schema });
        body.insert("tools".into(), Value::Array(vec![tool]));
        body.insert(
            "tool_choice".into(),
            json!({ "type": "tool", "name": JSON_REPLY_TOOL }),
        );
    }

    let mut headers = Vec::with_capacity(3);
    // A gateway in front of the API may hold the key itself.
    if let Some(key) = endpoint.api_key.filter(|key| !key.is_empty()) {
        headers.push(("x-api-key", key.to_string()));
    }
    headers.push(("anthropic-version", API_VERSION.to_string()));
    headers.push(("content-type", "application/json".to_string()));

    HttpRequest {
        method: HttpMethod::Post,
        url: api_url(endpoint, "/messages"),
        headers: endpoint.headers_with(&headers),
        body: Some(Value::Object(body)),
    }
}

/// The URL of `path` (`/messages`, `/models…`) under the API's `/v1`. The SDKs' base URL has no
/// `/v1`, but OpenAI habits put one there: accept both.
pub(crate) fn api_url(endpoint: &Endpoint<'_>, path: &str) -> String {
    if endpoint.base_url.trim_end_matches('/').ends_with("/v1") {
        endpoint.url(path)
    } else {
        endpoint.url(&format!("/v1{path}"))
    }
}

/// OpenAI's `response_format` in this API's terms. It has no JSON mode, so: a JSON schema for
/// an object, with no tools of the caller's, becomes a tool the model must call (its input is
/// the reply: see [`JSON_REPLY_TOOL`]); any other schema, or one beside the caller's tools, and
/// `json_object`, become an instruction in the system prompt. `text` and unknown types: nothing.
enum JsonReply<'a> {
    None,
    Tool {
        schema: &'a Value,
        description: Option<&'a str>,
    },
    Instruction(String),
}

impl<'a> JsonReply<'a> {
    fn of(request: &'a ChatRequest) -> JsonReply<'a> {
        let Some(format) = &request.response_format else {
            return JsonReply::None;
        };
        match format.get("type").and_then(Value::as_str) {
            Some("json_object") => JsonReply::Instruction(
                "Reply with a single valid JSON object and nothing else.".to_string(),
            ),
            Some("json_schema") => {
                let spec = format.get("json_schema").unwrap_or(&Value::Null);
                let Some(schema) = spec.get("schema").filter(|s| s.is_object()) else {
                    return JsonReply::Instruction(
                        "Reply with valid JSON and nothing else.".to_string(),
                    );
                };
                let is_object = schema.get("type").and_then(Value::as_str) == Some("object")
                    || (schema.get("type").is_none() && schema.get("properties").is_some());
                if is_object && request.tools.is_empty() {
                    JsonReply::Tool {
                        schema,
                        description: spec.get("description").and_then(Value::as_str),
                    }
                } else {
                    JsonReply::Instruction(format!(
                        "Reply with valid JSON that matches this JSON Schema, and nothing else: {schema}"
                    ))
                }
            }
            _ => JsonReply::None,
        }
    }

    fn instruction(&self) -> Option<String> {
        match self {
            JsonReply::Instruction(text) => Some(text.clone()),
            JsonReply::None | JsonReply::Tool { .. } => None,
        }
    }
}

/// One turn's content: a plain string when it is a single text, else the block array.
fn content(blocks: Vec<Value>) -> Value {
    match blocks.as_slice() {
        [block] if block["type"] == "text" => block["text"].clone(),
        _ => Value::Array(blocks),
    }
}

fn content_block(part: &ContentPart) -> Option<Value> {
    match part {
        // The API rejects text blocks that are empty or only whitespace.
        ContentPart::Text(text) if text.trim().is_empty() => None,
        ContentPart::Text(text) => Some(json!({ "type": "text", "text": text })),
        ContentPart::Image { url, mime } => image_block(url, mime.as_deref()),
        ContentPart::ToolCall {
            id,
            name,
            arguments,
        } => Some(json!({
            "type": "tool_use",
            "id": id,
            "name": name,
            "input": tool_input(arguments),
        })),
        ContentPart::ToolResult {
            id,
            content,
            is_error,
        } => {
            let mut block = json!({ "type": "tool_result", "tool_use_id": id, "content": content });
            if *is_error && let Some(block) = block.as_object_mut() {
                block.insert("is_error".into(), true.into());
            }
            Some(block)
        }
    }
}

/// The arguments a model wrote as the object `input` must be; anything else (empty, invalid,
/// not an object) becomes `{}`.
fn tool_input(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(value @ Value::Object(_)) => value,
        _ => Value::Object(Map::new()),
    }
}

/// `tools` and `tool_choice` in this API's terms: a schema is `input_schema`, `required` is
/// `any`, and one call at a time is `disable_parallel_tool_use` on the choice.
fn insert_tools(body: &mut Map<String, Value>, request: &ChatRequest) {
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|tool| {
                let schema = if tool.parameters.is_object() {
                    tool.parameters.clone()
                } else {
                    json!({ "type": "object", "properties": {} })
                };
                let mut out = Map::new();
                out.insert("name".into(), tool.name.clone().into());
                if let Some(description) = &tool.description {
                    out.insert("description".into(), description.clone().into());
                }
                out.insert("input_schema".into(), schema);
                Value::Object(out)
            })
            .collect();
        body.insert("tools".into(), tools.into());
    }
    let single = request.parallel_tool_calls == Some(false);
    let choice = match &request.tool_choice {
        Some(ToolChoice::Auto) => Some(json!({ "type": "auto" })),
        Some(ToolChoice::None) => Some(json!({ "type": "none" })),
        Some(ToolChoice::Required) => Some(json!({ "type": "any" })),
        Some(ToolChoice::Tool(name)) => Some(json!({ "type": "tool", "name": name })),
        None if single && !request.tools.is_empty() => Some(json!({ "type": "auto" })),
        None => None,
    };
    if let Some(mut choice) = choice {
        if single
            && choice["type"] != "none"
            && let Some(object) = choice.as_object_mut()
        {
            object.insert("disable_parallel_tool_use".into(), true.into());
        }
        body.insert("tool_choice".into(), choice);
    }
}

/// A `data:` URL becomes a base64 source (the API does not read data URLs); anything else is a
/// URL the API fetches itself. A data URL that is not base64 is dropped: there is no source
/// type to carry it.
fn image_block(url: &str, mime: Option<&str>) -> Option<Value> {
    let Some(data_url) = url.strip_prefix("data:") else {
        return Some(json!({ "type": "image", "source": { "type": "url", "url": url } }));
    };
    let (meta, data) = data_url.split_once(',')?;
    let mut params = meta.split(';');
    let media_type = params.next().filter(|m| !m.is_empty()).or(mime)?;
    if !params.any(|param| param.eq_ignore_ascii_case("base64")) {
        return None;
    }
    Some(json!({
        "type": "image",
        "source": { "type": "base64", "media_type": media_type, "data": data },
    }))
}

/// What one stream has shown so far.
#[derive(Debug, Default)]
pub struct StreamState {
    /// From `message_start`, for the `Usage` that `message_delta` completes.
    prompt_tokens: u64,
    /// From `message_delta`, for the `Finish` at `message_stop`.
    stop_reason: Option<FinishReason>,
    /// Indexes of the `tool_use` blocks, whose JSON deltas are ours to pass on (server tools
    /// stream input too, but the API runs them itself).
    tool_blocks: Vec<u32>,
    /// Indexes of the [`JSON_REPLY_TOOL`] blocks, whose input is the reply's text.
    json_blocks: Vec<u32>,
    finished: bool,
}

/// One upstream SSE event → zero or more [`ChatEvent`]s. Exactly one `ChatEvent::Finish` per
/// reply, at `message_stop`, with the stop reason `message_delta` gave (after its `Usage`).
/// An `error` event → `Err(LlmError::Upstream{..})`; invalid JSON → `Err(LlmError::Protocol(..))`.
pub fn parse_event(state: &mut StreamState, event: &SseEvent) -> Result<Vec<ChatEvent>, LlmError> {
    let data = event.data.trim();
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let json: Value = serde_json::from_str(data).map_err(|error| {
        let excerpt: String = data.chars().take(120).collect();
        LlmError::Protocol(format!("a stream event is not JSON ({error}): {excerpt}"))
    })?;
    let kind = json
        .get("type")
        .and_then(Value::as_str)
        .or(event.event.as_deref())
        .unwrap_or_default();
    let index = json
        .get("index")
        .and_then(Value::as_u64)
        .map_or(0, |i| u32::try_from(i).unwrap_or(u32::MAX));
    let mut events = Vec::new();
    match kind {
        "message_start" => {
            let usage = json.get("message").and_then(|m| m.get("usage"));
            state.prompt_tokens = usage.and_then(prompt_tokens).unwrap_or(0);
        }
        "content_block_start" => {
            let block = json.get("content_block").unwrap_or(&Value::Null);
            if is_json_reply(block) {
                state.json_blocks.push(index);
            } else {
                if block.get("type").and_then(Value::as_str) == Some("tool_use") {
                    state.tool_blocks.push(index);
                }
                events.extend(block_events(index, block, ""));
            }
        }
        "content_block_delta" => {
            let delta = json.get("delta").unwrap_or(&Value::Null);
            if state.json_blocks.contains(&index) {
                let partial = non_empty_str(delta.get("partial_json"));
                events.extend(partial.map(|text| ChatEvent::Text(text.to_string())));
            } else {
                let is_tool = state.tool_blocks.contains(&index);
                events.extend(delta_event(index, delta, is_tool));
            }
        }
        "message_delta" => {
            if let Some(reason) = json.pointer("/delta/stop_reason").and_then(Value::as_str) {
                // Calling only the JSON reply tool is how a JSON reply ends.
                let json_only = state.tool_blocks.is_empty() && !state.json_blocks.is_empty();
                state.stop_reason = Some(match finish_reason(reason) {
                    FinishReason::ToolCalls if json_only => FinishReason::Stop,
                    reason => reason,
                });
            }
            if let Some(usage) = json.get("usage").filter(|u| u.is_object()) {
                // Newer API versions repeat the input counts here; they are the final ones.
                if let Some(prompt) = prompt_tokens(usage) {
                    state.prompt_tokens = prompt;
                }
                events.push(ChatEvent::Usage(Usage {
                    prompt_tokens: state.prompt_tokens,
                    completion_tokens: count(usage, "output_tokens"),
                }));
            }
        }
        "message_stop" if !state.finished => {
            state.finished = true;
            let reason = state.stop_reason.take().unwrap_or(FinishReason::Stop);
            events.push(ChatEvent::Finish(reason));
        }
        "error" => {
            return Err(upstream_error(None, json.get("error").unwrap_or(&json)));
        }
        // `ping`, `content_block_stop`, a repeated `message_stop`, and the event types the
        // versioning policy says may be added at any time.
        _ => {}
    }
    Ok(events)
}

/// The non-streaming reply body (request sent with `stream: false`) → the same events the
/// stream would give: the content blocks in order, `Usage`, then `Finish`.
pub fn parse_response(body: &Value) -> Result<Vec<ChatEvent>, LlmError> {
    if body.get("type").and_then(Value::as_str) == Some("error") {
        return Err(upstream_error(None, body.get("error").unwrap_or(body)));
    }
    let blocks = body
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| LlmError::Protocol("the response has no content".to_string()))?;
    let mut events = Vec::new();
    let mut json_reply = false;
    let mut tool_calls = false;
    for (index, block) in blocks.iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let arguments = block
            .get("input")
            .map_or_else(String::new, Value::to_string);
        if is_json_reply(block) {
            json_reply = true;
            events.push(ChatEvent::Text(arguments));
            continue;
        }
        let event = block_events(index, block, &arguments);
        tool_calls |= matches!(event, Some(ChatEvent::ToolCall { .. }));
        events.extend(event);
    }
    if let Some(usage) = body.get("usage").filter(|u| u.is_object()) {
        events.push(ChatEvent::Usage(Usage {
            prompt_tokens: prompt_tokens(usage).unwrap_or(0),
            completion_tokens: count(usage, "output_tokens"),
        }));
    }
    let reason = body.get("stop_reason").and_then(Value::as_str);
    events.push(ChatEvent::Finish(
        match reason.map_or(FinishReason::Stop, finish_reason) {
            FinishReason::ToolCalls if json_reply && !tool_calls => FinishReason::Stop,
            reason => reason,
        },
    ));
    Ok(events)
}

/// A `tool_use` block of [`JSON_REPLY_TOOL`]: a `response_format` reply, not a tool call.
fn is_json_reply(block: &Value) -> bool {
    block.get("type").and_then(Value::as_str) == Some("tool_use")
        && block.get("name").and_then(Value::as_str) == Some(JSON_REPLY_TOOL)
}

/// An error response (status + body bytes) → `LlmError::Upstream` with the API's message and
/// error type (`{"type":"error","error":{"type","message"}}`); a body that is not JSON (a proxy's
/// page) becomes the message.
pub fn parse_error(status: u16, body: &[u8]) -> LlmError {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => upstream_error(Some(status), json.get("error").unwrap_or(&json)),
        Err(_) => LlmError::Upstream {
            status: Some(status),
            code: None,
            message: text_excerpt(body),
            retry_after_s: None,
        },
    }
}

/// The events a content block carries when it starts (streaming, where `arguments` is empty
/// and the input follows in deltas) or whole (non-streaming).
fn block_events(index: u32, block: &Value, arguments: &str) -> Option<ChatEvent> {
    let field = |name: &str| non_empty_str(block.get(name)).map(str::to_string);
    match block.get("type").and_then(Value::as_str)? {
        "text" => field("text").map(ChatEvent::Text),
        "thinking" => field("thinking").map(ChatEvent::Reasoning),
        "tool_use" => Some(ChatEvent::ToolCall {
            index,
            id: field("id"),
            name: field("name"),
            arguments_delta: arguments.to_string(),
        }),
        // `redacted_thinking` is encrypted; server tool blocks are the API's own business.
        _ => None,
    }
}

fn delta_event(index: u32, delta: &Value, is_tool: bool) -> Option<ChatEvent> {
    let field = |name: &str| non_empty_str(delta.get(name)).map(str::to_string);
    match delta.get("type").and_then(Value::as_str)? {
        "text_delta" => field("text").map(ChatEvent::Text),
        "thinking_delta" => field("thinking").map(ChatEvent::Reasoning),
        "input_json_delta" if is_tool => field("partial_json").map(|partial| ChatEvent::ToolCall {
            index,
            id: None,
            name: None,
            arguments_delta: partial,
        }),
        // `signature_delta` only matters when replaying thinking blocks, which we do not.
        _ => None,
    }
}

fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        // The model declined, as OpenAI's content filter would have.
        "refusal" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_string()),
    }
}

/// All input tokens, when `usage` says: `input_tokens` excludes the cached ones, which OpenAI's
/// `prompt_tokens` includes, and accounting should compare alike.
fn prompt_tokens(usage: &Value) -> Option<u64> {
    let input = usage.get("input_tokens").and_then(Value::as_u64)?;
    Some(
        input
            + count(usage, "cache_creation_input_tokens")
            + count(usage, "cache_read_input_tokens"),
    )
}

fn count(usage: &Value, field: &str) -> u64 {
    usage.get(field).and_then(Value::as_u64).unwrap_or(0)
}

fn upstream_error(status: Option<u16>, error: &Value) -> LlmError {
    let message = match error {
        Value::String(message) => Some(message.clone()),
        _ => non_empty_str(error.get("message")).map(str::to_string),
    };
    LlmError::Upstream {
        status,
        code: non_empty_str(error.get("type")).map(str::to_string),
        message: message.unwrap_or_else(|| "no error message".to_string()),
        retry_after_s: None,
    }
}
