//! `compat.store_conversations`: each `/v1` exchange kept as a conversation of the caller —
//! the last user message and the reply — written by a tracked background task after the reply
//! ended, never on the response path.

use serde_json::{Value, json};

use crate::llm::{ChatEvent, ChatRequest, ContentPart, MessageRole};
use crate::state::AppState;
use crate::store::conversations::insert_conversation;
use crate::store::messages::{NewMessage, insert_message};
use crate::usage::Outcome;

/// Characters of the question that make the conversation's title.
const TITLE_CHARS: usize = 60;

pub struct Transcript {
    state: AppState,
    user_id: String,
    agent_id: String,
    question: Value,
    title: String,
    answer: String,
    calls: Vec<(u32, Value)>,
}

impl Transcript {
    pub fn new(state: &AppState, user_id: &str, agent_id: &str, request: &ChatRequest) -> Self {
        let last = request
            .messages
            .iter()
            .rev()
            .find(|m| m.role == MessageRole::User);
        let parts: Vec<Value> = last
            .into_iter()
            .flat_map(|m| &m.content)
            .map(part)
            .collect();
        let text = last.map(|m| m.joined_text()).unwrap_or_default();
        let title: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let title = match title.char_indices().nth(TITLE_CHARS) {
            Some((cut, _)) => format!("{}…", &title[..cut]),
            None if title.is_empty() => "API request".to_string(),
            None => title,
        };
        Transcript {
            state: state.clone(),
            user_id: user_id.to_string(),
            agent_id: agent_id.to_string(),
            question: Value::Array(parts),
            title,
            answer: String::new(),
            calls: Vec::new(),
        }
    }

    pub fn push(&mut self, event: &ChatEvent) {
        match event {
            ChatEvent::Text(text) => self.answer.push_str(text),
            ChatEvent::Replace(text) => self.answer.clone_from(text),
            ChatEvent::ToolCall {
                index,
                id,
                name,
                arguments_delta,
            } => {
                let position = self.calls.iter().position(|(i, _)| i == index);
                let position = position.unwrap_or_else(|| {
                    self.calls.push((
                        *index,
                        json!({"type": "tool", "id": "", "name": "", "arguments": ""}),
                    ));
                    self.calls.len() - 1
                });
                if let Some((_, call)) = self.calls.get_mut(position) {
                    if let Some(id) = id {
                        call["id"] = id.as_str().into();
                    }
                    if let Some(name) = name {
                        call["name"] = name.as_str().into();
                    }
                    let arguments = format!(
                        "{}{arguments_delta}",
                        call["arguments"].as_str().unwrap_or_default()
                    );
                    call["arguments"] = arguments.into();
                }
            }
            _ => {}
        }
    }

    /// Writes the conversation in a tracked task (shutdown waits for it).
    pub fn save(self, outcome: Outcome) {
        let tasks = self.state.tasks.clone();
        tasks.spawn(async move {
            if let Err(error) = self.write(outcome).await {
                tracing::warn!(%error, agent = %self.agent_id, "could not store a /v1 exchange as a conversation");
            }
        });
    }

    async fn write(&self, outcome: Outcome) -> crate::error::Result<()> {
        let db = &self.state.db;
        let conversation =
            insert_conversation(db, &self.user_id, &self.agent_id, &self.title).await?;
        let question = insert_message(
            db,
            NewMessage {
                conversation_id: &conversation.id,
                parent_id: None,
                role: "user",
                content: &self.question,
                status: "complete",
                agent_id: None,
            },
        )
        .await?;
        let mut parts = Vec::with_capacity(1 + self.calls.len());
        if !self.answer.is_empty() {
            parts.push(json!({"type": "text", "text": self.answer}));
        }
        parts.extend(self.calls.iter().map(|(_, call)| call.clone()));
        let status = match outcome {
            Outcome::Ok => "complete",
            Outcome::Stopped => "stopped",
            Outcome::Error => "failed",
        };
        insert_message(
            db,
            NewMessage {
                conversation_id: &conversation.id,
                parent_id: Some(&question),
                role: "assistant",
                content: &Value::Array(parts),
                status,
                agent_id: Some(&self.agent_id),
            },
        )
        .await?;
        Ok(())
    }
}

/// A request part as a stored message part.
fn part(part: &ContentPart) -> Value {
    match part {
        ContentPart::Text(text) => json!({"type": "text", "text": text}),
        ContentPart::Image { url, mime } => {
            // Data URLs are the client's copy; keep a marker, not megabytes of base64.
            let url = if url.starts_with("data:") { "" } else { url };
            json!({"type": "image", "url": url, "mime": mime})
        }
        ContentPart::ToolCall {
            id,
            name,
            arguments,
        } => json!({"type": "tool", "id": id, "name": name, "arguments": arguments}),
        ContentPart::ToolResult { id, content, .. } => {
            json!({"type": "tool", "id": id, "name": "", "arguments": "", "result": content})
        }
    }
}
