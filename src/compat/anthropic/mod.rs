//! Anthropic's Messages API as a client speaks it: the request (into a [`ChatRequest`]), in
//! `reply` the message and the stream events, in `models` the model list.

mod models;
mod reply;

pub use models::{ModelList, models};
pub use reply::{EventEncoder, MessageOut, message, stream_encoder};

use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::error::ApiError;
use crate::llm::{ChatMessage, ChatRequest, ContentPart, MessageRole, ToolChoice, ToolSpec};

/// `POST /v1/messages`. Fields not listed (`metadata`, `top_k`, …) are accepted and ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MessagesRequest {
    /// An agent id (see `GET /v1/models`).
    pub model: String,
    pub max_tokens: u32,
    #[schema(min_items = 1)]
    pub messages: Vec<Message>,
    /// A string or an array of `text` blocks.
    #[schema(value_type = Option<super::TextOrParts>)]
    pub system: Option<Content>,
    #[serde(default)]
    pub stream: bool,
    pub temperature: Option<f32>,
    pub tools: Option<Vec<Tool>>,
    /// `{"type": "auto" | "any" | "tool" | "none"}` (`tool` with a `name`).
    #[schema(value_type = Option<Object>)]
    pub tool_choice: Option<ToolChoiceIn>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = AnthropicMessage)]
pub struct Message {
    pub role: Role,
    /// A string, or `text`, `image`, `tool_use` and `tool_result` blocks.
    #[schema(value_type = super::TextOrParts)]
    pub content: Content,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = AnthropicRole)]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Blocks(Vec<Block>),
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Text {
        text: String,
    },
    Image {
        source: ImageSource,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    ToolResult {
        tool_use_id: String,
        #[serde(default)]
        content: Option<Content>,
        #[serde(default)]
        is_error: bool,
    },
    /// Thinking, documents, server tool blocks, later additions: not carried.
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ImageSource {
    Base64 {
        media_type: String,
        data: String,
    },
    Url {
        url: String,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = AnthropicTool)]
pub struct Tool {
    /// Absent or `custom` for client tools; server tools (`web_search_…`) are not supported.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: String,
    pub description: Option<String>,
    #[schema(value_type = Object)]
    pub input_schema: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolChoiceIn {
    Auto {
        #[serde(default)]
        disable_parallel_tool_use: bool,
    },
    Any {
        #[serde(default)]
        disable_parallel_tool_use: bool,
    },
    Tool {
        name: String,
        #[serde(default)]
        disable_parallel_tool_use: bool,
    },
    None,
}

impl MessagesRequest {
    /// The neutral request (the agent's model and defaults are filled in by the gateway).
    pub fn to_chat_request(self) -> Result<ChatRequest, ApiError> {
        if self.messages.is_empty() {
            return Err(ApiError::invalid(
                "messages: at least one message is required",
            ));
        }
        let mut messages = Vec::with_capacity(self.messages.len() + 1);
        if let Some(system) = self.system {
            messages.push(ChatMessage {
                role: MessageRole::System,
                content: parts(system),
            });
        }
        messages.extend(self.messages.into_iter().map(|m| ChatMessage {
            role: match m.role {
                Role::User => MessageRole::User,
                Role::Assistant => MessageRole::Assistant,
            },
            content: parts(m.content),
        }));
        let tools = self
            .tools
            .unwrap_or_default()
            .into_iter()
            .map(|tool| match tool.kind.as_deref() {
                None | Some("custom") => Ok(ToolSpec {
                    name: tool.name,
                    description: tool.description,
                    parameters: tool.input_schema.unwrap_or(Value::Null),
                    strict: None,
                }),
                Some(kind) => Err(ApiError::invalid(format!(
                    "tools: server tools ({kind}) are not supported; only client tools are"
                ))),
            })
            .collect::<Result<_, _>>()?;
        let (tool_choice, single) = match self.tool_choice {
            None => (None, false),
            Some(ToolChoiceIn::Auto {
                disable_parallel_tool_use,
            }) => (Some(ToolChoice::Auto), disable_parallel_tool_use),
            Some(ToolChoiceIn::Any {
                disable_parallel_tool_use,
            }) => (Some(ToolChoice::Required), disable_parallel_tool_use),
            Some(ToolChoiceIn::Tool {
                name,
                disable_parallel_tool_use,
            }) => (Some(ToolChoice::Tool(name)), disable_parallel_tool_use),
            Some(ToolChoiceIn::None) => (Some(ToolChoice::None), false),
        };
        Ok(ChatRequest {
            messages,
            temperature: self.temperature,
            max_tokens: Some(self.max_tokens),
            stream: self.stream,
            tools,
            tool_choice,
            parallel_tool_calls: single.then_some(false),
            ..ChatRequest::default()
        })
    }
}

fn parts(content: Content) -> Vec<ContentPart> {
    match content {
        Content::Text(text) => vec![ContentPart::Text(text)],
        Content::Blocks(blocks) => blocks.into_iter().filter_map(part).collect(),
    }
}

fn part(block: Block) -> Option<ContentPart> {
    match block {
        Block::Text { text } => Some(ContentPart::Text(text)),
        Block::Image { source } => match source {
            ImageSource::Base64 { media_type, data } => Some(ContentPart::Image {
                url: format!("data:{media_type};base64,{data}"),
                mime: Some(media_type),
            }),
            ImageSource::Url { url } => Some(ContentPart::Image { url, mime: None }),
            ImageSource::Other => None,
        },
        Block::ToolUse { id, name, input } => Some(ContentPart::ToolCall {
            id,
            name,
            arguments: if input.is_null() {
                "{}".to_string()
            } else {
                input.to_string()
            },
        }),
        Block::ToolResult {
            tool_use_id,
            content,
            is_error,
        } => {
            let text = ChatMessage {
                role: MessageRole::User,
                content: content.map(parts).unwrap_or_default(),
            }
            .joined_text();
            Some(ContentPart::ToolResult {
                id: tool_use_id,
                content: text,
                is_error,
            })
        }
        Block::Other => None,
    }
}

#[cfg(test)]
mod tests;
