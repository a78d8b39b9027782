//! What an Anthropic client reads back: the whole `message`, the stream of `message_start`,
//! `content_block_start/delta/stop`, `message_delta`, `message_stop` events (serialised
//! straight into the output buffer from borrowed structs).

use bytes::{BufMut, BytesMut};
use serde::{Serialize, Serializer};
use serde_json::Value;
use utoipa::ToSchema;

use crate::compat::error::AnthropicErrorBody;
use crate::compat::{Collected, Encoder, ToolSlots, response_id};
use crate::llm::{ChatEvent, FinishReason, LlmError, Usage};

/// A whole reply (`stream: false`).
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: String,
    /// `message`
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `assistant`
    pub role: &'static str,
    /// The agent id that was asked for.
    pub model: String,
    pub content: Vec<BlockOut>,
    /// `end_turn`, `max_tokens`, `tool_use` or `refusal`.
    pub stop_reason: &'static str,
    pub stop_sequence: Option<String>,
    pub usage: UsageOut,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockOut {
    Thinking {
        thinking: String,
        signature: String,
    },
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[schema(value_type = Object)]
        input: Value,
    },
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct UsageOut {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

fn stop_reason(reason: Option<&FinishReason>, called_tools: bool) -> &'static str {
    match reason {
        Some(FinishReason::Length) => "max_tokens",
        Some(FinishReason::ToolCalls) => "tool_use",
        Some(FinishReason::ContentFilter) => "refusal",
        None if called_tools => "tool_use",
        _ => "end_turn",
    }
}

/// A tool call's arguments as the object `input` must be (`{}` when they are not one).
fn input(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(value @ Value::Object(_)) => value,
        _ => Value::Object(serde_json::Map::new()),
    }
}

/// The whole reply from the collected stream.
pub fn message(mut collected: Collected, usage: Usage, model: String) -> MessageOut {
    collected.name_calls("toolu_");
    let reason = stop_reason(collected.finish.as_ref(), !collected.tool_calls.is_empty());
    let mut content = Vec::with_capacity(2 + collected.tool_calls.len());
    if !collected.reasoning.is_empty() {
        content.push(BlockOut::Thinking {
            thinking: collected.reasoning,
            signature: String::new(),
        });
    }
    if !collected.text.is_empty() || collected.tool_calls.is_empty() {
        content.push(BlockOut::Text {
            text: collected.text,
        });
    }
    content.extend(
        collected
            .tool_calls
            .into_iter()
            .map(|call| BlockOut::ToolUse {
                input: input(&call.arguments),
                id: call.id,
                name: call.name,
            }),
    );
    MessageOut {
        id: response_id("msg_"),
        kind: "message",
        role: "assistant",
        model,
        content,
        stop_reason: reason,
        stop_sequence: None,
        usage: UsageOut {
            input_tokens: usage.prompt_tokens,
            output_tokens: usage.completion_tokens,
        },
    }
}

/// One stream event.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event<'a> {
    MessageStart {
        message: StartMessage<'a>,
    },
    ContentBlockStart {
        index: u32,
        content_block: Start<'a>,
    },
    ContentBlockDelta {
        index: u32,
        delta: Delta<'a>,
    },
    ContentBlockStop {
        index: u32,
    },
    MessageDelta {
        delta: StopDelta,
        usage: UsageOut,
    },
    MessageStop,
    Error {
        error: AnthropicErrorBody<'a>,
    },
}

impl Event<'_> {
    fn name(&self) -> &'static str {
        match self {
            Event::MessageStart { .. } => "message_start",
            Event::ContentBlockStart { .. } => "content_block_start",
            Event::ContentBlockDelta { .. } => "content_block_delta",
            Event::ContentBlockStop { .. } => "content_block_stop",
            Event::MessageDelta { .. } => "message_delta",
            Event::MessageStop => "message_stop",
            Event::Error { .. } => "error",
        }
    }
}

#[derive(Debug, Serialize)]
struct StartMessage<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    model: &'a str,
    content: [(); 0],
    stop_reason: Option<&'static str>,
    stop_sequence: Option<&'static str>,
    usage: UsageOut,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Start<'a> {
    Text {
        text: &'static str,
    },
    Thinking {
        thinking: &'static str,
        signature: &'static str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: Empty,
    },
}

/// `{}`
#[derive(Debug)]
struct Empty;

impl Serialize for Empty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        serializer.serialize_map(Some(0))?.end()
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[expect(clippy::enum_variant_names, reason = "the API's type names")]
enum Delta<'a> {
    TextDelta { text: &'a str },
    ThinkingDelta { thinking: &'a str },
    InputJsonDelta { partial_json: &'a str },
}

#[derive(Debug, Serialize)]
struct StopDelta {
    stop_reason: &'static str,
    stop_sequence: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Text,
    Thinking,
    Tool(usize),
}

/// Writes the event stream; content blocks are opened and closed as the reply moves between
/// thinking, text and tool calls.
pub struct EventEncoder {
    id: String,
    model: String,
    prompt_estimate: u64,
    started: bool,
    open: Option<(Open, u32)>,
    next_index: u32,
    slots: ToolSlots,
    /// Block index of each tool call, by ordinal.
    tool_blocks: Vec<u32>,
    stop: Option<FinishReason>,
}

/// `prompt_estimate` goes into `message_start` (the final counts come in `message_delta`).
pub fn stream_encoder(model: String, prompt_estimate: u64) -> EventEncoder {
    EventEncoder {
        id: response_id("msg_"),
        model,
        prompt_estimate,
        started: false,
        open: None,
        next_index: 0,
        slots: ToolSlots::default(),
        tool_blocks: Vec::new(),
        stop: None,
    }
}

fn write(out: &mut BytesMut, event: &Event<'_>) {
    out.put_slice(b"event: ");
    out.put_slice(event.name().as_bytes());
    out.put_slice(b"\ndata: ");
    // Serialising our own structs into memory cannot fail.
    let _ = serde_json::to_writer((&mut *out).writer(), event);
    out.put_slice(b"\n\n");
}

impl EventEncoder {
    fn start(&mut self, out: &mut BytesMut) {
        if self.started {
            return;
        }
        self.started = true;
        let message = StartMessage {
            id: &self.id,
            kind: "message",
            role: "assistant",
            model: &self.model,
            content: [],
            stop_reason: None,
            stop_sequence: None,
            usage: UsageOut {
                input_tokens: self.prompt_estimate,
                output_tokens: 0,
            },
        };
        write(out, &Event::MessageStart { message });
    }

    fn close(&mut self, out: &mut BytesMut) {
        if let Some((_, index)) = self.open.take() {
            write(out, &Event::ContentBlockStop { index });
        }
    }

    /// The index of an open block of `kind`, opening it (and closing another) when needed.
    fn block(&mut self, kind: Open, start: Start<'_>, out: &mut BytesMut) -> u32 {
        if let Some((open, index)) = self.open
            && open == kind
        {
            return index;
        }
        self.close(out);
        let index = self.next_index;
        self.next_index += 1;
        write(
            out,
            &Event::ContentBlockStart {
                index,
                content_block: start,
            },
        );
        self.open = Some((kind, index));
        index
    }

    fn tool_call(
        &mut self,
        index: u32,
        id: Option<String>,
        name: Option<String>,
        args: &str,
        out: &mut BytesMut,
    ) {
        let (slot, first) = self.slots.slot(index);
        let block = if first {
            let id = id.unwrap_or_else(|| response_id("toolu_"));
            let start = Start::ToolUse {
                id: &id,
                name: name.as_deref().unwrap_or_default(),
                input: Empty,
            };
            let block = self.block(Open::Tool(slot), start, out);
            self.tool_blocks.push(block);
            block
        } else {
            self.tool_blocks.get(slot).copied().unwrap_or(0)
        };
        if !args.is_empty() {
            let delta = Delta::InputJsonDelta { partial_json: args };
            write(
                out,
                &Event::ContentBlockDelta {
                    index: block,
                    delta,
                },
            );
        }
    }
}

impl Encoder for EventEncoder {
    fn event(&mut self, event: ChatEvent, out: &mut BytesMut) {
        self.start(out);
        match event {
            ChatEvent::Text(text) => {
                let index = self.block(Open::Text, Start::Text { text: "" }, out);
                let delta = Delta::TextDelta { text: &text };
                write(out, &Event::ContentBlockDelta { index, delta });
            }
            ChatEvent::Reasoning(text) => {
                let start = Start::Thinking {
                    thinking: "",
                    signature: "",
                };
                let index = self.block(Open::Thinking, start, out);
                let delta = Delta::ThinkingDelta { thinking: &text };
                write(out, &Event::ContentBlockDelta { index, delta });
            }
            ChatEvent::ToolCall {
                index,
                id,
                name,
                arguments_delta,
            } => self.tool_call(index, id, name, &arguments_delta, out),
            ChatEvent::Finish(reason) => self.stop = Some(reason),
            _ => {}
        }
    }

    fn error(&mut self, error: &LlmError, out: &mut BytesMut) {
        self.start(out);
        let message = error.to_string();
        let error = AnthropicErrorBody {
            kind: "api_error",
            message: &message,
        };
        write(out, &Event::Error { error });
    }

    fn end(&mut self, usage: Usage, out: &mut BytesMut) {
        self.start(out);
        if self.next_index == 0 {
            // A reply without content still has its (empty) text block, as the API sends it.
            self.block(Open::Text, Start::Text { text: "" }, out);
        }
        self.close(out);
        let delta = StopDelta {
            stop_reason: stop_reason(self.stop.as_ref(), !self.tool_blocks.is_empty()),
            stop_sequence: None,
        };
        let usage = UsageOut {
            input_tokens: usage.prompt_tokens,
            output_tokens: usage.completion_tokens,
        };
        write(out, &Event::MessageDelta { delta, usage });
        write(out, &Event::MessageStop);
    }
}
