//! FastGPT's app extras beside the chat itself: the chat's start-up data (`core/chat/init`:
//! welcome text, quick questions, input variables) and user feedback on a reply.

use serde_json::{Map, Value};

use super::nodes;
use super::{error_from_json, headers};
use crate::llm::wire::non_empty_str;
use crate::llm::{AppInit, Endpoint, HttpMethod, HttpRequest, InteractiveField, LlmError};

/// `GET {base_url}/core/chat/init?appId=…&chatId=…`: the app's welcome text and the variables
/// it asks for. `appId` is left out when the endpoint has none (an app-specific key names it).
pub fn init_request(endpoint: &Endpoint<'_>, chat_id: Option<&str>) -> HttpRequest {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(app_id) = endpoint.app_id.filter(|id| !id.is_empty()) {
        query.append_pair("appId", app_id);
    }
    if let Some(chat_id) = chat_id.filter(|id| !id.is_empty()) {
        query.append_pair("chatId", chat_id);
    }
    let query = query.finish();
    let path = if query.is_empty() {
        "/core/chat/init".to_string()
    } else {
        format!("/core/chat/init?{query}")
    };
    HttpRequest {
        method: HttpMethod::Get,
        url: endpoint.url(&path),
        headers: headers(endpoint, false),
        body: None,
    }
}

/// `POST {base_url}/core/chat/feedback/updateUserFeedback` for the reply `data_id` (the
/// `responseChatItemId` it was asked under): `Some(true)` a like, `Some(false)` a dislike,
/// `None` clears both. FastGPT unsets whichever field the body leaves out, so a like also
/// withdraws an earlier dislike.
pub fn feedback_request(
    endpoint: &Endpoint<'_>,
    chat_id: &str,
    data_id: &str,
    good: Option<bool>,
) -> HttpRequest {
    let mut body = Map::new();
    if let Some(app_id) = endpoint.app_id.filter(|id| !id.is_empty()) {
        body.insert("appId".into(), app_id.into());
    }
    body.insert("chatId".into(), chat_id.into());
    body.insert("dataId".into(), data_id.into());
    match good {
        Some(true) => {
            body.insert("userGoodFeedback".into(), "yes".into());
        }
        Some(false) => {
            body.insert("userBadFeedback".into(), "yes".into());
        }
        None => {}
    }
    HttpRequest {
        method: HttpMethod::Post,
        url: endpoint.url("/core/chat/feedback/updateUserFeedback"),
        headers: headers(endpoint, true),
        body: Some(Value::Object(body)),
    }
}

/// The `core/chat/init` reply → the welcome text, its quick questions and the app's input
/// variables (`data.app.chatConfig`).
///
/// FastGPT shows welcome-text lines written `[question]` as buttons that send the question, so
/// those lines become `suggested_questions` and leave the welcome text.
pub fn parse_init(body: &Value) -> Result<AppInit, LlmError> {
    let Some(data) = body.get("data").filter(|d| d.is_object()) else {
        return Err(error_from_json(None, body)
            .unwrap_or_else(|| LlmError::Protocol("the init reply has no data".to_string())));
    };
    let config = data.pointer("/app/chatConfig");
    let mut welcome_lines = Vec::new();
    let mut suggested_questions = Vec::new();
    let welcome = config
        .and_then(|c| non_empty_str(c.get("welcomeText")))
        .unwrap_or("");
    for line in welcome.lines() {
        match quick_question(line) {
            Some(question) => suggested_questions.push(question.to_string()),
            None => welcome_lines.push(line),
        }
    }
    let welcome = welcome_lines.join("\n").trim().to_string();
    let variables = config
        .and_then(|c| c.get("variables"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(variable)
        .collect();
    Ok(AppInit {
        welcome: Some(welcome).filter(|w| !w.is_empty()),
        suggested_questions,
        variables,
    })
}

/// `[How do I apply?]` on a line of its own; a Markdown link `[text](url)` is not one.
fn quick_question(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    (!inner.is_empty() && !inner.contains("](")).then_some(inner)
}

/// One `chatConfig.variables` item: `{key, label, type, required, list|enums: [{label?, value}]}`.
fn variable(item: &Value) -> Option<InteractiveField> {
    let name = non_empty_str(item.get("key"))?;
    // `list` replaced `enums` for select options; old apps still carry `enums`.
    let options = item
        .get("list")
        .and_then(Value::as_array)
        .or_else(|| item.get("enums").and_then(Value::as_array))
        .into_iter()
        .flatten()
        .filter_map(nodes::option)
        .collect();
    Some(InteractiveField {
        name: name.to_string(),
        label: non_empty_str(item.get("label")).unwrap_or(name).to_string(),
        kind: non_empty_str(item.get("type"))
            .unwrap_or("input")
            .to_string(),
        required: item
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        options,
    })
}
