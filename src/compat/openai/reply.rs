//! What an OpenAI client reads back: the whole `chat.completion`, the `chat.completion.chunk`
//! stream (serialised straight into the output buffer from borrowed structs), and the model
//! list.

use bytes::{BufMut, BytesMut};
use serde::Serialize;
use utoipa::ToSchema;

use crate::compat::{Collected, Encoder, ToolSlots, response_id, unix_seconds};
use crate::llm::{ChatEvent, FinishReason, LlmError, Usage};

/// A whole reply (`stream: false`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChatCompletion {
    pub id: String,
    /// `chat.completion`
    pub object: &'static str,
    pub created: u64,
    /// The agent id that was asked for.
    pub model: String,
    pub choices: Vec<Choice>,
    pub usage: UsageCounts,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Choice {
    pub index: u32,
    pub message: AssistantMessage,
    /// `stop`, `length`, `tool_calls` or `content_filter`.
    pub finish_reason: &'static str,
    pub logprobs: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssistantMessage {
    /// `assistant`
    pub role: &'static str,
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCallOut>,
    /// The model's reasoning, when the agent shows it (as DeepSeek names it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ToolCallOut {
    pub id: String,
    /// `function`
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub function: FunctionOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunctionOut {
    pub name: String,
    /// JSON text as the model wrote it.
    pub arguments: String,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct UsageCounts {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
}

impl From<Usage> for UsageCounts {
    fn from(usage: Usage) -> UsageCounts {
        UsageCounts {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.prompt_tokens + usage.completion_tokens,
        }
    }
}

/// `GET /v1/models` in OpenAI's shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    /// `list`
    pub object: &'static str,
    pub data: Vec<Model>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Model {
    /// The agent id.
    pub id: String,
    /// `model`
    pub object: &'static str,
    pub created: u64,
    /// The agent's provider (`openai`, `anthropic`, `fastgpt`, `dify`, `demo`).
    pub owned_by: &'static str,
}

pub fn models(agents: impl Iterator<Item = (String, &'static str)>) -> ModelList {
    ModelList {
        object: "list",
        data: agents
            .map(|(id, provider)| Model {
                id,
                object: "model",
                created: 0,
                owned_by: provider,
            })
            .collect(),
    }
}

fn finish_reason(reason: Option<&FinishReason>) -> &'static str {
    match reason {
        Some(FinishReason::Length) => "length",
        Some(FinishReason::ToolCalls) => "tool_calls",
        Some(FinishReason::ContentFilter) => "content_filter",
        _ => "stop",
    }
}

/// The whole reply from the collected stream.
pub fn completion(mut collected: Collected, usage: Usage, model: String) -> ChatCompletion {
    collected.name_calls("call_");
    let tool_calls: Vec<ToolCallOut> = collected
        .tool_calls
        .into_iter()
        .map(|call| ToolCallOut {
            id: call.id,
            kind: "function",
            function: FunctionOut {
                name: call.name,
                arguments: call.arguments,
            },
        })
        .collect();
    let content = (!collected.text.is_empty() || tool_calls.is_empty()).then_some(collected.text);
    ChatCompletion {
        id: response_id("chatcmpl-"),
        object: "chat.completion",
        created: unix_seconds(),
        model,
        choices: vec![Choice {
            index: 0,
            message: AssistantMessage {
                role: "assistant",
                content,
                tool_calls,
                reasoning_content: (!collected.reasoning.is_empty()).then_some(collected.reasoning),
            },
            finish_reason: finish_reason(collected.finish.as_ref()),
            logprobs: None,
        }],
        usage: usage.into(),
    }
}

/// One `chat.completion.chunk`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Chunk<'a> {
    pub id: &'a str,
    /// `chat.completion.chunk`
    pub object: &'static str,
    pub created: u64,
    pub model: &'a str,
    /// One choice; none in the last chunk of `include_usage`.
    pub choices: &'a [ChunkChoice<'a>],
    /// Only in the last chunk of `include_usage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<UsageCounts>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ChunkChoice<'a> {
    pub index: u32,
    pub delta: Delta<'a>,
    pub finish_reason: Option<&'static str>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Delta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub tool_calls: &'a [DeltaToolCall<'a>],
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeltaToolCall<'a> {
    pub index: usize,
    /// On a call's first piece only, like `type` and `function.name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    pub function: DeltaFunction<'a>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeltaFunction<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    pub arguments: &'a str,
}

/// Writes the chunk stream: a chunk per event, the finish chunk, the usage chunk when asked
/// for, `data: [DONE]`; an error mid-stream is `data: {"error":{…}}`, as OpenAI sends it.
pub struct ChunkEncoder {
    id: String,
    created: u64,
    model: String,
    include_usage: bool,
    role_sent: bool,
    finished: bool,
    slots: ToolSlots,
}

pub fn stream_encoder(model: String, include_usage: bool) -> ChunkEncoder {
    ChunkEncoder {
        id: response_id("chatcmpl-"),
        created: unix_seconds(),
        model,
        include_usage,
        role_sent: false,
        finished: false,
        slots: ToolSlots::default(),
    }
}

fn frame(out: &mut BytesMut, value: &impl Serialize) {
    out.put_slice(b"data: ");
    // Serialising our own structs into memory cannot fail.
    let _ = serde_json::to_writer((&mut *out).writer(), value);
    out.put_slice(b"\n\n");
}

impl ChunkEncoder {
    fn chunk(&mut self, out: &mut BytesMut, mut delta: Delta<'_>, finish: Option<&'static str>) {
        if !self.role_sent {
            self.role_sent = true;
            delta.role = Some("assistant");
        }
        let choice = ChunkChoice {
            index: 0,
            delta,
            finish_reason: finish,
        };
        let chunk = Chunk {
            id: &self.id,
            object: "chat.completion.chunk",
            created: self.created,
            model: &self.model,
            choices: std::slice::from_ref(&choice),
            usage: None,
        };
        frame(out, &chunk);
    }
}

impl Encoder for ChunkEncoder {
    fn event(&mut self, event: ChatEvent, out: &mut BytesMut) {
        match event {
            ChatEvent::Text(text) => {
                let delta = Delta {
                    content: Some(&text),
                    ..Delta::default()
                };
                self.chunk(out, delta, None);
            }
            ChatEvent::Reasoning(text) => {
                let delta = Delta {
                    reasoning_content: Some(&text),
                    ..Delta::default()
                };
                self.chunk(out, delta, None);
            }
            ChatEvent::ToolCall {
                index,
                id,
                name,
                arguments_delta,
            } => {
                let (slot, first) = self.slots.slot(index);
                let id = match id {
                    Some(id) => Some(id),
                    None if first => Some(response_id("call_")),
                    None => None,
                };
                let call = DeltaToolCall {
                    index: slot,
                    id: id.as_deref(),
                    kind: first.then_some("function"),
                    function: DeltaFunction {
                        name: name.as_deref(),
                        arguments: &arguments_delta,
                    },
                };
                let delta = Delta {
                    tool_calls: std::slice::from_ref(&call),
                    ..Delta::default()
                };
                self.chunk(out, delta, None);
            }
            ChatEvent::Finish(reason) if !self.finished => {
                self.finished = true;
                self.chunk(out, Delta::default(), Some(finish_reason(Some(&reason))));
            }
            _ => {}
        }
    }

    fn error(&mut self, error: &LlmError, out: &mut BytesMut) {
        let message = error.to_string();
        let body = crate::compat::error::OpenAiError {
            error: crate::compat::error::OpenAiErrorBody {
                message: &message,
                kind: "api_error",
                param: None,
                code: "upstream_error",
            },
        };
        frame(out, &body);
    }

    fn end(&mut self, usage: Usage, out: &mut BytesMut) {
        if !self.finished {
            self.finished = true;
            self.chunk(out, Delta::default(), Some("stop"));
        }
        if self.include_usage {
            let chunk = Chunk {
                id: &self.id,
                object: "chat.completion.chunk",
                created: self.created,
                model: &self.model,
                choices: &[],
                usage: Some(usage.into()),
            };
            frame(out, &chunk);
        }
        out.put_slice(b"data: [DONE]\n\n");
    }
}
