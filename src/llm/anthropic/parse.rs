//! Anthropic's replies — stream events, whole responses, error bodies — as [`ChatEvent`]s
//! and [`LlmError`]s.

use serde_json::Value;

use super::JSON_REPLY_TOOL;
use crate::llm::sse::SseEvent;
use crate::llm::wire::{non_empty_str, text_excerpt};
use crate::llm::{ChatEvent, FinishReason, LlmError, Usage};

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
