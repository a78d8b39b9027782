//! Dify's app extras beside the chat itself: stopping a running task, the app's parameters
//! (opening statement, suggested questions, input form) and message feedback.

use serde_json::{Value, json};

use super::{headers, non_empty_str};
use crate::llm::{
    AppInit, Endpoint, HttpMethod, HttpRequest, InteractiveField, InteractiveOption, LlmError,
};

/// `POST {base_url}/chat-messages/{task_id}/stop`. `user` must be the one the chat was sent
/// with ([`super::DEFAULT_USER`] when the request named none), or Dify refuses.
pub fn stop_request(endpoint: &Endpoint<'_>, task_id: &str, user: &str) -> HttpRequest {
    HttpRequest {
        method: HttpMethod::Post,
        url: endpoint.url(&format!("/chat-messages/{}/stop", path_segment(task_id))),
        headers: headers(endpoint, true),
        body: Some(json!({ "user": user })),
    }
}

/// `GET {base_url}/parameters`: what the app shows and asks before the first message.
pub fn parameters_request(endpoint: &Endpoint<'_>) -> HttpRequest {
    HttpRequest {
        method: HttpMethod::Get,
        url: endpoint.url("/parameters"),
        headers: headers(endpoint, false),
        body: None,
    }
}

/// `POST {base_url}/messages/{message_id}/feedbacks`: `Some(true)` a like, `Some(false)` a
/// dislike, `None` withdraws the rating (`rating: null`).
pub fn feedback_request(
    endpoint: &Endpoint<'_>,
    message_id: &str,
    good: Option<bool>,
    user: &str,
) -> HttpRequest {
    let rating = match good {
        Some(true) => json!("like"),
        Some(false) => json!("dislike"),
        None => Value::Null,
    };
    HttpRequest {
        method: HttpMethod::Post,
        url: endpoint.url(&format!("/messages/{}/feedbacks", path_segment(message_id))),
        headers: headers(endpoint, true),
        body: Some(json!({ "rating": rating, "user": user })),
    }
}

/// The `parameters` reply → the opening statement, the suggested questions and the input form.
/// Each `user_input_form` item is `{"<control>": {label, variable, required, options?}}`, the
/// control (`text-input`, `paragraph`, `select`, `number`, `file`…) becoming the field's kind.
pub fn parse_parameters(body: &Value) -> Result<AppInit, LlmError> {
    if !body.is_object() {
        return Err(LlmError::Protocol(
            "the parameters reply is not an object".to_string(),
        ));
    }
    let suggested_questions = body
        .get("suggested_questions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|q| non_empty_str(Some(q)))
        .map(str::to_string)
        .collect();
    let variables = body
        .get("user_input_form")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(form_item)
        .collect();
    Ok(AppInit {
        welcome: non_empty_str(body.get("opening_statement")).map(str::to_string),
        suggested_questions,
        variables,
    })
}

fn form_item(item: &Value) -> Option<InteractiveField> {
    let (kind, control) = item.as_object()?.iter().next()?;
    let name = non_empty_str(control.get("variable"))?;
    let options = control
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| non_empty_str(Some(o)))
        .map(|o| InteractiveOption {
            label: o.to_string(),
            value: o.to_string(),
        })
        .collect();
    Some(InteractiveField {
        name: name.to_string(),
        label: non_empty_str(control.get("label"))
            .unwrap_or(name)
            .to_string(),
        kind: kind.clone(),
        required: control
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        options,
    })
}

/// `id` made safe as one URL path segment: ids come from Dify (UUIDs), but a stray `/` or `?`
/// must not change which endpoint is called.
fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
