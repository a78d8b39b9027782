//! What a message is and holds, as every part of the platform names it: who wrote it, where it
//! stands, its parts (text, reasoning, workflow status, citations, interactive nodes — a
//! choice or a form the upstream app asks the user for —, tool calls, attachments), its
//! rating and its error. Providers produce these (`llm`), the store keeps them, the API shows
//! them. This module depends on nothing of ours, so any layer may use it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    Running,
    Done,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interactive {
    pub kind: InteractiveKind,
    pub prompt: Option<String>,
    /// For `select`: the choices.
    pub options: Vec<InteractiveOption>,
    /// For `form`: the fields to fill.
    pub fields: Vec<InteractiveField>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InteractiveKind {
    Select,
    Form,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InteractiveOption {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InteractiveField {
    pub name: String,
    pub label: String,
    /// `input`, `textarea`, `number`, `select`, …, as the upstream names it.
    pub kind: String,
    pub required: bool,
    pub options: Vec<InteractiveOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Citation {
    pub title: String,
    pub snippet: Option<String>,
    pub url: Option<String>,
    pub score: Option<f64>,
}

/// Where a message stands; stored as its lower-case name (the schema's CHECK lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// The answer is being written.
    Streaming,
    Complete,
    /// The user stopped it.
    Stopped,
    Failed,
    /// The server went away while answering.
    Interrupted,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Streaming => "streaming",
            MessageStatus::Complete => "complete",
            MessageStatus::Stopped => "stopped",
            MessageStatus::Failed => "failed",
            MessageStatus::Interrupted => "interrupted",
        }
    }

    pub fn parse(text: &str) -> Option<MessageStatus> {
        [
            MessageStatus::Streaming,
            MessageStatus::Complete,
            MessageStatus::Stopped,
            MessageStatus::Failed,
            MessageStatus::Interrupted,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// One part of a message's content, tagged by `type`. Answers are built from these; the content
/// is stored and served as the JSON it was written as (a part type this build does not know is
/// kept), so reading does not decode it into this type.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum MessagePart {
    Text {
        text: String,
    },
    Reasoning {
        text: String,
    },
    /// Progress of a workflow node.
    Status {
        node: String,
        state: NodeState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    Citation {
        items: Vec<Citation>,
    },
    /// The upstream asked the user; `answer` is filled in once answered.
    Interactive {
        kind: InteractiveKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prompt: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        options: Option<Vec<InteractiveOption>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fields: Option<Vec<InteractiveField>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<serde_json::Value>)]
        answer: Option<serde_json::Value>,
    },
    Tool {
        id: String,
        name: String,
        arguments: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<String>,
    },
    Attachment {
        upload_id: String,
        name: String,
        mime: String,
        size: i64,
    },
}

impl MessagePart {
    /// The `type` names of the parts this build knows.
    pub const TYPES: [&'static str; 7] = [
        "text",
        "reasoning",
        "status",
        "citation",
        "interactive",
        "tool",
        "attachment",
    ];
}

/// The parts of stored content (a JSON array) that this build knows. A part of another type is
/// passed over (a newer build may have written it); a known part that does not decode is
/// damaged, and logged.
pub fn parts_of(content: &serde_json::Value) -> Vec<MessagePart> {
    content
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|part| match MessagePart::deserialize(part) {
            Ok(part) => Some(part),
            Err(e) => {
                let kind = part["type"].as_str().unwrap_or_default();
                if MessagePart::TYPES.contains(&kind) {
                    tracing::error!(part = kind, error = %e, "a stored message part is damaged; passed over");
                }
                None
            }
        })
        .collect()
}

/// The text of the `text` parts of stored content, in order.
pub fn texts(content: &serde_json::Value) -> Vec<String> {
    parts_of(content)
        .into_iter()
        .filter_map(|part| match part {
            MessagePart::Text { text } => Some(text),
            _ => None,
        })
        .collect()
}

/// Who wrote a stored message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageRole {
    User,
    Assistant,
}

impl MessageRole {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageRole::User => "user",
            MessageRole::Assistant => "assistant",
        }
    }

    pub fn parse(text: &str) -> Option<MessageRole> {
        [MessageRole::User, MessageRole::Assistant]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// A user's rating of an answer (stored as 1 or -1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Feedback {
    Up,
    Down,
}

impl Feedback {
    /// The stored value: 1 or -1 (anything else is no rating).
    pub fn from_stored(value: Option<i64>) -> Option<Feedback> {
        match value {
            Some(1) => Some(Feedback::Up),
            Some(-1) => Some(Feedback::Down),
            _ => None,
        }
    }
}

/// Why an answer failed or was interrupted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MessageError {
    /// `upstream_timeout`, `interrupted`, … (the codes of the `error` event).
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn stored_parts_of_unknown_types_are_passed_over_and_damaged_ones_too() {
        let stored = json!([
            {"type": "text", "text": "Hello"},
            {"type": "hologram", "frames": 3},
            {"type": "attachment", "upload_id": "u1"},
            {"type": "text", "text": "again"},
        ]);
        let parts = parts_of(&stored);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(texts(&stored), ["Hello", "again"]);
        assert!(parts_of(&json!({"not": "a list"})).is_empty());
    }

    #[test]
    fn built_parts_omit_what_is_not_there() {
        let part = MessagePart::Status {
            node: "search".into(),
            state: NodeState::Done,
            detail: None,
        };
        assert_eq!(
            serde_json::to_value(part).unwrap(),
            json!({"type": "status", "node": "search", "state": "done"})
        );
    }
}
