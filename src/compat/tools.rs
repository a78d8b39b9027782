//! Tool calls as the two APIs number them, and a whole reply collected from its events (the
//! non-streaming answer is the collected stream).

use crate::llm::{ChatEvent, FinishReason};

/// Upstream tool-call indexes (OpenAI's call ordinal, Anthropic's content-block index) →
/// our 0-based call ordinal.
#[derive(Debug, Default)]
pub struct ToolSlots {
    indexes: Vec<u32>,
}

impl ToolSlots {
    /// The ordinal of the call with upstream `index`, and whether this is its first piece.
    pub fn slot(&mut self, index: u32) -> (usize, bool) {
        match self.indexes.iter().position(|&i| i == index) {
            Some(slot) => (slot, false),
            None => {
                self.indexes.push(index);
                (self.indexes.len() - 1, true)
            }
        }
    }
}

/// A tool call, whole.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// JSON text as the model wrote it.
    pub arguments: String,
}

/// Everything a reply said, in the order the APIs present it.
#[derive(Debug, Default)]
pub struct Collected {
    pub text: String,
    pub reasoning: String,
    pub tool_calls: Vec<ToolCall>,
    pub finish: Option<FinishReason>,
    slots: ToolSlots,
}

impl Collected {
    pub fn push(&mut self, event: ChatEvent) {
        match event {
            ChatEvent::Text(text) if self.text.is_empty() => self.text = text,
            ChatEvent::Text(text) => self.text.push_str(&text),
            ChatEvent::Reasoning(text) => self.reasoning.push_str(&text),
            ChatEvent::Replace(text) => self.text = text,
            ChatEvent::ToolCall {
                index,
                id,
                name,
                arguments_delta,
            } => {
                let (slot, new) = self.slots.slot(index);
                if new {
                    self.tool_calls.push(ToolCall::default());
                }
                if let Some(call) = self.tool_calls.get_mut(slot) {
                    if let Some(id) = id {
                        call.id = id;
                    }
                    if let Some(name) = name {
                        call.name = name;
                    }
                    call.arguments.push_str(&arguments_delta);
                }
            }
            ChatEvent::Finish(reason) => self.finish = Some(reason),
            // Workflow progress, citations, forms and upstream ids have no place in either API.
            _ => {}
        }
    }

    /// Gives calls that came without an id (some OpenAI-compatible servers) one.
    pub fn name_calls(&mut self, prefix: &str) {
        for call in &mut self.tool_calls {
            if call.id.is_empty() {
                call.id = super::response_id(prefix);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(index: u32, id: Option<&str>, name: Option<&str>, arguments: &str) -> ChatEvent {
        ChatEvent::ToolCall {
            index,
            id: id.map(str::to_string),
            name: name.map(str::to_string),
            arguments_delta: arguments.to_string(),
        }
    }

    #[test]
    fn pieces_of_calls_join_by_upstream_index_in_order_of_appearance() {
        let mut collected = Collected::default();
        for event in [
            ChatEvent::Text("Let me ".into()),
            ChatEvent::Text("check.".into()),
            call(1, Some("toolu_a"), Some("get_weather"), ""),
            call(1, None, None, "{\"location\":"),
            call(3, None, Some("get_time"), "{}"),
            call(1, None, None, "\"Paris\"}"),
            ChatEvent::Finish(FinishReason::ToolCalls),
        ] {
            collected.push(event);
        }
        collected.name_calls("call_");
        assert_eq!(collected.text, "Let me check.");
        assert_eq!(collected.tool_calls[0].id, "toolu_a");
        assert_eq!(
            collected.tool_calls[0].arguments,
            "{\"location\":\"Paris\"}"
        );
        assert_eq!(collected.tool_calls[1].name, "get_time");
        assert!(collected.tool_calls[1].id.starts_with("call_"));
        assert_eq!(collected.finish, Some(FinishReason::ToolCalls));
    }
}
