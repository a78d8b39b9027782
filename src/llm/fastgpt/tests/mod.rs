use serde_json::{Value, json};

use super::*;
use crate::llm::sse::testing;
use crate::llm::{
    AppInit, Citation, Interactive, InteractiveField, InteractiveKind, InteractiveOption,
    NodeState, UpstreamIds, Usage,
};

mod requests;
mod stream;

fn endpoint() -> Endpoint<'static> {
    Endpoint {
        base_url: "https://fastgpt.example.com/api/",
        api_key: Some("fastgpt-xxxxxx"),
        headers: &[],
        app_id: Some("66e29b870b24ce35330c0f08"),
    }
}

fn auth_headers(json: bool) -> Vec<(String, String)> {
    let mut headers = vec![(
        "Authorization".to_string(),
        "Bearer fastgpt-xxxxxx".to_string(),
    )];
    if json {
        headers.push(("Content-Type".to_string(), "application/json".to_string()));
    }
    headers
}

fn conversation() -> ChatRequest {
    ChatRequest {
        model: "ignored".into(),
        system: Some("你是售后助手".into()),
        messages: vec![
            ChatMessage::text(MessageRole::User, "你好"),
            ChatMessage::text(MessageRole::Assistant, "你好！有什么可以帮你？"),
            ChatMessage {
                role: MessageRole::User,
                content: vec![
                    ContentPart::Text("这张发票能报销吗".into()),
                    ContentPart::Image {
                        url: "https://img.example.com/invoice.png".into(),
                        mime: Some("image/png".into()),
                    },
                ],
            },
        ],
        stream: true,
        variables: json!({ "uid": "u-42", "name": "张三" })
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ..ChatRequest::default()
    }
}

/// Feeds `bytes` to the decoder one byte at a time, then `finish()`, and parses every event;
/// stops at the first error.
fn replay(bytes: &[u8]) -> (Vec<ChatEvent>, Option<LlmError>) {
    testing::parse_all(&testing::bytewise(bytes), parse_event)
}

fn finishes(events: &[ChatEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, ChatEvent::Finish(_)))
        .count()
}

fn status(node: &str, state: NodeState) -> ChatEvent {
    ChatEvent::Status {
        node: node.into(),
        state,
        detail: None,
    }
}

fn text(text: &str) -> ChatEvent {
    ChatEvent::Text(text.into())
}

fn fixture_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}
