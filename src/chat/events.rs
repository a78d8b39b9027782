//! The SSE events of a turn (their payloads are OpenAPI components, so the UI's types are
//! generated from them) and the answer they build up: provider [`ChatEvent`]s in, hub events
//! and stored message parts out.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::content::{
    Citation, Interactive, InteractiveField, InteractiveKind, InteractiveOption, MessagePart,
    MessageStatus, NodeState,
};
use crate::llm::{ChatEvent, UpstreamIds};

/// The `event:` names of a turn's stream; each names the payload schema it carries
/// (`start` → `StartEvent`, `delta`/`reasoning`/`replace` → `TextEvent`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = ChatEventName)]
pub enum EventName {
    Start,
    Delta,
    Reasoning,
    Replace,
    Status,
    Interactive,
    Citation,
    Tool,
    Usage,
    Done,
    Error,
}

impl EventName {
    pub fn as_str(self) -> &'static str {
        match self {
            EventName::Start => "start",
            EventName::Delta => "delta",
            EventName::Reasoning => "reasoning",
            EventName::Replace => "replace",
            EventName::Status => "status",
            EventName::Interactive => "interactive",
            EventName::Citation => "citation",
            EventName::Tool => "tool",
            EventName::Usage => "usage",
            EventName::Done => "done",
            EventName::Error => "error",
        }
    }

    /// The event named `name`, as [`EventName::as_str`] writes it.
    pub fn parse(name: &str) -> Option<EventName> {
        const ALL: [EventName; 11] = [
            EventName::Start,
            EventName::Delta,
            EventName::Reasoning,
            EventName::Replace,
            EventName::Status,
            EventName::Interactive,
            EventName::Citation,
            EventName::Tool,
            EventName::Usage,
            EventName::Done,
            EventName::Error,
        ];
        ALL.into_iter().find(|n| n.as_str() == name)
    }
}

/// `start`: the turn began; the ids to reattach and to show.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartEvent {
    pub conversation_id: String,
    pub user_message_id: String,
    pub message_id: String,
    pub agent_id: String,
}

/// `delta`, `reasoning`, `replace`: text to append (or, for `replace`, the whole answer so far).
#[derive(Debug, Serialize, ToSchema)]
pub struct TextEvent {
    pub text: String,
}

/// `status`: workflow progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusEvent {
    pub node: String,
    pub state: NodeState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `interactive`: the upstream asks the user (options to pick or a form to fill).
#[derive(Debug, Serialize, ToSchema)]
pub struct InteractiveEvent {
    pub kind: InteractiveKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// For `select`: the choices.
    pub options: Vec<InteractiveOption>,
    /// For `form`: the fields to fill.
    pub fields: Vec<InteractiveField>,
}

/// `citation`: sources of the answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitationEvent {
    pub items: Vec<Citation>,
}

/// `tool`: a tool call being made (arguments arrive in pieces) or its result.
#[derive(Debug, Serialize, ToSchema)]
pub struct ToolEvent {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments_delta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// `usage`: token counts; `estimated` when the upstream gave none.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct UsageEvent {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub estimated: bool,
}

/// `done`: the turn ended and its message is saved with this status.
#[derive(Debug, Serialize, ToSchema)]
pub struct DoneEvent {
    pub message_id: String,
    /// `complete`, `stopped`, `failed` or `interrupted` (never `streaming`).
    pub status: MessageStatus,
    pub usage: UsageEvent,
}

/// `error`: why the turn failed (a `done` with status `failed` follows).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEvent {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
}

/// Serialises a payload for the hub (these types cannot fail to serialise).
pub fn data<T: Serialize>(payload: &T) -> String {
    serde_json::to_string(payload).unwrap_or_else(|_| "{}".into())
}

#[derive(Debug, Default)]
struct ToolCallPart {
    id: String,
    name: String,
    arguments: String,
    result: Option<String>,
}

/// The answer as it builds up.
#[derive(Debug, Default)]
pub struct Answer {
    pub text: String,
    reasoning: String,
    statuses: Vec<StatusEvent>,
    citations: Vec<Citation>,
    interactive: Option<Interactive>,
    tools: Vec<ToolCallPart>,
    /// Ids the upstream gave (merged as they arrive).
    pub upstream: UpstreamIds,
    /// Changed since the last [`Answer::take_dirty`].
    dirty: bool,
}

impl Answer {
    /// Takes in one provider event; returns the hub event it becomes, if any.
    pub fn apply(&mut self, event: ChatEvent) -> Option<(EventName, String)> {
        self.dirty = true;
        let out = match event {
            ChatEvent::Text(text) => {
                self.text.push_str(&text);
                (EventName::Delta, data(&TextEvent { text }))
            }
            ChatEvent::Reasoning(text) => {
                self.reasoning.push_str(&text);
                (EventName::Reasoning, data(&TextEvent { text }))
            }
            ChatEvent::Replace(text) => {
                self.text.clone_from(&text);
                (EventName::Replace, data(&TextEvent { text }))
            }
            ChatEvent::Status {
                node,
                state,
                detail,
            } => {
                let status = StatusEvent {
                    node,
                    state,
                    detail,
                };
                match self.statuses.iter_mut().find(|s| s.node == status.node) {
                    Some(existing) => *existing = status.clone(),
                    None => self.statuses.push(status.clone()),
                }
                (EventName::Status, data(&status))
            }
            ChatEvent::Interactive(interactive) => {
                let event = InteractiveEvent {
                    kind: interactive.kind,
                    prompt: interactive.prompt.clone(),
                    options: interactive.options.clone(),
                    fields: interactive.fields.clone(),
                };
                self.interactive = Some(interactive);
                (EventName::Interactive, data(&event))
            }
            ChatEvent::Citations(items) => {
                self.citations.extend(items.iter().cloned());
                let event = CitationEvent { items };
                (EventName::Citation, data(&event))
            }
            ChatEvent::ToolCall {
                index,
                id,
                name,
                arguments_delta,
            } => (
                EventName::Tool,
                data(&self.tool_call(index, id, name, arguments_delta)),
            ),
            ChatEvent::ToolResult { id, result } => {
                (EventName::Tool, data(&self.tool_result(id, result)))
            }
            ChatEvent::Usage(usage) => {
                let event = UsageEvent {
                    prompt_tokens: usage.prompt_tokens,
                    completion_tokens: usage.completion_tokens,
                    estimated: false,
                };
                (EventName::Usage, data(&event))
            }
            ChatEvent::Upstream(ids) => {
                merge_upstream(&mut self.upstream, ids);
                return None;
            }
            ChatEvent::Finish(_) => return None,
        };
        Some(out)
    }

    /// A piece of a tool call, added to the call at `index`.
    fn tool_call(
        &mut self,
        index: u32,
        id: Option<String>,
        name: Option<String>,
        arguments_delta: String,
    ) -> ToolEvent {
        let index = index as usize;
        while self.tools.len() <= index {
            self.tools.push(ToolCallPart::default());
        }
        let call = &mut self.tools[index];
        if let Some(id) = id {
            call.id = id;
        }
        if let Some(name) = name {
            call.name = name;
        }
        call.arguments.push_str(&arguments_delta);
        ToolEvent {
            id: call.id.clone(),
            name: call.name.clone(),
            arguments_delta: Some(arguments_delta),
            result: None,
        }
    }

    /// The result of the tool call `id` (a call of its own if none has that id).
    fn tool_result(&mut self, id: String, result: String) -> ToolEvent {
        let name = match self.tools.iter_mut().find(|t| t.id == id) {
            Some(call) => {
                call.result = Some(result.clone());
                call.name.clone()
            }
            None => {
                self.tools.push(ToolCallPart {
                    id: id.clone(),
                    result: Some(result.clone()),
                    ..Default::default()
                });
                String::new()
            }
        };
        ToolEvent {
            id,
            name,
            arguments_delta: None,
            result: Some(result),
        }
    }

    /// Whether anything changed since the last call.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// The message parts: status trail, reasoning, tool calls, text, citations, the question.
    pub fn parts(&self) -> Value {
        let mut parts: Vec<MessagePart> = Vec::new();
        parts.extend(self.statuses.iter().map(|status| MessagePart::Status {
            node: status.node.clone(),
            state: status.state,
            detail: status.detail.clone(),
        }));
        if !self.reasoning.is_empty() {
            parts.push(MessagePart::Reasoning {
                text: self.reasoning.clone(),
            });
        }
        parts.extend(self.tools.iter().map(|tool| MessagePart::Tool {
            id: tool.id.clone(),
            name: tool.name.clone(),
            arguments: tool.arguments.clone(),
            result: tool.result.clone(),
        }));
        if !self.text.is_empty() {
            parts.push(MessagePart::Text {
                text: self.text.clone(),
            });
        }
        if !self.citations.is_empty() {
            parts.push(MessagePart::Citation {
                items: self.citations.clone(),
            });
        }
        if let Some(interactive) = &self.interactive {
            parts.push(MessagePart::Interactive {
                kind: interactive.kind,
                prompt: interactive.prompt.clone(),
                options: Some(interactive.options.clone()),
                fields: Some(interactive.fields.clone()),
                answer: None,
            });
        }
        serde_json::to_value(parts).unwrap_or_else(|_| Value::Array(Vec::new()))
    }
}

/// `into` with every id `ids` sets.
pub fn merge_upstream(into: &mut UpstreamIds, ids: UpstreamIds) {
    if ids.chat_id.is_some() {
        into.chat_id = ids.chat_id;
    }
    if ids.conversation_id.is_some() {
        into.conversation_id = ids.conversation_id;
    }
    if ids.task_id.is_some() {
        into.task_id = ids.task_id;
    }
    if ids.message_id.is_some() {
        into.message_id = ids.message_id;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_reasoning_and_status_build_ordered_parts() {
        let mut answer = Answer::default();
        answer.apply(ChatEvent::Status {
            node: "search".into(),
            state: NodeState::Running,
            detail: None,
        });
        answer.apply(ChatEvent::Reasoning("think".into()));
        answer.apply(ChatEvent::Text("Hel".into()));
        answer.apply(ChatEvent::Text("lo".into()));
        answer.apply(ChatEvent::Status {
            node: "search".into(),
            state: NodeState::Done,
            detail: None,
        });
        assert_eq!(
            answer.parts(),
            json!([
                {"type": "status", "node": "search", "state": "done"},
                {"type": "reasoning", "text": "think"},
                {"type": "text", "text": "Hello"},
            ])
        );
    }

    #[test]
    fn replace_swaps_the_answer_so_far() {
        let mut answer = Answer::default();
        answer.apply(ChatEvent::Text("bad words".into()));
        let (name, data) = answer.apply(ChatEvent::Replace("***".into())).unwrap();
        assert_eq!(
            (name, data.as_str()),
            (EventName::Replace, r#"{"text":"***"}"#)
        );
        assert_eq!(answer.text, "***");
    }

    #[test]
    fn tool_call_deltas_are_joined_by_index() {
        let mut answer = Answer::default();
        answer.apply(ChatEvent::ToolCall {
            index: 0,
            id: Some("call_1".into()),
            name: Some("weather".into()),
            arguments_delta: "{\"city\":".into(),
        });
        let (_, data) = answer
            .apply(ChatEvent::ToolCall {
                index: 0,
                id: None,
                name: None,
                arguments_delta: "\"Paris\"}".into(),
            })
            .unwrap();
        assert!(data.contains("\"id\":\"call_1\""), "{data}");
        assert_eq!(
            answer.parts()[0]["arguments"],
            json!("{\"city\":\"Paris\"}")
        );
    }
}
