//! The Anthropic Messages API: the `POST {base_url}/v1/messages` request for a
//! [`ChatRequest`] here, and its replies (stream events, whole responses, error bodies) turned
//! into chat events and errors in `parse.rs`. Pure translation: nothing here sends anything.

use serde_json::{Map, Value, json};

use super::openai::json_number;
use super::{ChatRequest, ContentPart, Endpoint, HttpMethod, HttpRequest, MessageRole, ToolChoice};

mod parse;
#[cfg(test)]
mod tests;

pub use parse::{StreamState, parse_error, parse_event, parse_response};

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
    let messages = turns(request, &mut system);
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

/// The messages as the API's alternating turns, starting with the user's; system messages
/// join `system` (the API has no system role).
fn turns(request: &ChatRequest, system: &mut Vec<String>) -> Vec<Value> {
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
    turns
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
        .collect()
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
