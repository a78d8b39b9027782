use serde_json::{Value, json};

use super::*;
use crate::llm::sse::testing;
use crate::llm::{AppInit, ChatMessage, InteractiveField, InteractiveOption};

mod requests;
mod stream;

const CONVERSATION: &str = "45701982-8118-4bc5-8e9b-64562b4555f2";
const MESSAGE: &str = "5ad4cb98-f0c7-4085-b384-88c403be6290";
const TASK: &str = "900bbd43-dc0b-4383-a372-aa6e6c414227";

fn endpoint() -> Endpoint<'static> {
    Endpoint {
        base_url: "https://api.dify.ai/v1",
        api_key: Some("app-0123456789abcdef"),
        headers: &[],
        app_id: None,
    }
}

fn auth_headers(json: bool) -> Vec<(String, String)> {
    let mut headers = vec![(
        "Authorization".to_string(),
        "Bearer app-0123456789abcdef".to_string(),
    )];
    if json {
        headers.push(("Content-Type".to_string(), "application/json".to_string()));
    }
    headers
}

fn conversation() -> ChatRequest {
    ChatRequest {
        messages: vec![
            ChatMessage::text(MessageRole::User, "Hi"),
            ChatMessage::text(MessageRole::Assistant, "Hello!"),
            ChatMessage {
                role: MessageRole::User,
                content: vec![
                    ContentPart::Text("What phone is this?".into()),
                    ContentPart::Image {
                        url: "https://cloud.dify.ai/logo/logo-site.png".into(),
                        mime: Some("image/png".into()),
                    },
                    ContentPart::Image {
                        url: "data:image/png;base64,iVBORw0KGgo=".into(),
                        mime: Some("image/png".into()),
                    },
                ],
            },
        ],
        stream: true,
        user: Some("user-0192".into()),
        variables: json!({ "name": "dify" })
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

fn ids() -> ChatEvent {
    ChatEvent::Upstream(UpstreamIds {
        chat_id: None,
        conversation_id: Some(CONVERSATION.into()),
        task_id: Some(TASK.into()),
        message_id: Some(MESSAGE.into()),
    })
}

fn text(text: &str) -> ChatEvent {
    ChatEvent::Text(text.into())
}

fn status(node: &str, state: NodeState, detail: Option<&str>) -> ChatEvent {
    ChatEvent::Status {
        node: node.into(),
        state,
        detail: detail.map(str::to_string),
    }
}

fn usage() -> ChatEvent {
    ChatEvent::Usage(Usage {
        prompt_tokens: 1033,
        completion_tokens: 135,
    })
}

fn battery_citation() -> Citation {
    Citation {
        title: "Battery FAQ.md".into(),
        snippet: Some("The iPhone 13 Pro Max has a 4352 mAh battery.".into()),
        url: None,
        score: None,
    }
}

fn specs_citation() -> Citation {
    Citation {
        title: "iPhone List".into(),
        snippet: Some(
            "\"Model\",\"Release Date\",\"Display Size\"\n\"iPhone 13 Pro Max\",\"September 24, 2021\",\"6.7 inch\""
                .into(),
        ),
        url: None,
        score: Some(0.98457545),
    }
}

fn fixture_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}
