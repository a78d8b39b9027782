//! OpenAI's chat-completions API as a client speaks it: the request (into a
//! [`ChatRequest`]), and in `reply` the response, the stream chunks and the model list.

mod reply;

pub use reply::{
    ChatCompletion, ChunkEncoder, Model, ModelList, completion, models, stream_encoder,
};

use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::error::ApiError;
use crate::llm::{ChatMessage, ChatRequest, ContentPart, MessageRole, ToolChoice, ToolSpec};

/// `POST /v1/chat/completions`. Fields not listed are accepted and ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChatCompletionRequest {
    /// An agent id (see `GET /v1/models`).
    pub model: String,
    #[schema(min_items = 1)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub stream: bool,
    pub stream_options: Option<StreamOptions>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    /// The newer name of `max_tokens`; wins when both are set.
    pub max_completion_tokens: Option<u32>,
    pub tools: Option<Vec<Tool>>,
    /// `"auto"`, `"none"`, `"required"` or `{"type":"function","function":{"name"}}`.
    #[schema(value_type = Option<super::TextOrObject>)]
    pub tool_choice: Option<Value>,
    pub parallel_tool_calls: Option<bool>,
    /// Passed to OpenAI-compatible agents as given.
    #[schema(value_type = Option<Object>)]
    pub response_format: Option<Value>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StreamOptions {
    /// Send a last chunk with the token counts (and empty `choices`).
    #[serde(default)]
    pub include_usage: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = OpenAiMessage)]
pub struct Message {
    pub role: Role,
    /// A string, or an array of `text` and `image_url` parts.
    #[schema(value_type = Option<super::TextOrParts>)]
    pub content: Option<Content>,
    /// Calls the assistant made (assistant messages).
    pub tool_calls: Option<Vec<ToolCall>>,
    /// The call a `tool` message answers.
    pub tool_call_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = OpenAiRole)]
pub enum Role {
    System,
    Developer,
    User,
    Assistant,
    Tool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Content {
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Part {
    Text {
        text: String,
    },
    ImageUrl {
        image_url: ImageUrl,
    },
    /// Audio, files and later additions: not carried.
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
pub struct ImageUrl {
    pub url: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ToolCall {
    pub id: String,
    pub function: FunctionCall,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FunctionCall {
    pub name: String,
    /// JSON text.
    #[serde(default)]
    pub arguments: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = OpenAiTool)]
pub struct Tool {
    /// `function`.
    #[serde(rename = "type")]
    pub kind: String,
    pub function: Option<Function>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Function {
    pub name: String,
    pub description: Option<String>,
    /// JSON Schema of the arguments.
    #[schema(value_type = Object)]
    #[serde(default)]
    pub parameters: Value,
    pub strict: Option<bool>,
}

impl ChatCompletionRequest {
    /// The neutral request (the agent's model and defaults are filled in by the gateway).
    pub fn to_chat_request(self) -> Result<ChatRequest, ApiError> {
        if self.messages.is_empty() {
            return Err(ApiError::invalid("`messages` must not be empty"));
        }
        let messages = self
            .messages
            .into_iter()
            .map(message)
            .collect::<Result<_, _>>()?;
        let tools = self
            .tools
            .unwrap_or_default()
            .into_iter()
            .map(|tool| match (tool.kind.as_str(), tool.function) {
                ("function", Some(f)) => Ok(ToolSpec {
                    name: f.name,
                    description: f.description,
                    parameters: f.parameters,
                    strict: f.strict,
                }),
                (kind, _) => Err(ApiError::invalid(format!(
                    "tools of type {kind:?} are not supported; only `function` tools are"
                ))),
            })
            .collect::<Result<_, _>>()?;
        Ok(ChatRequest {
            messages,
            temperature: self.temperature,
            max_tokens: self.max_completion_tokens.or(self.max_tokens),
            stream: self.stream,
            tools,
            tool_choice: self.tool_choice.as_ref().map(tool_choice).transpose()?,
            parallel_tool_calls: self.parallel_tool_calls,
            response_format: self.response_format,
            ..ChatRequest::default()
        })
    }
}

fn message(message: Message) -> Result<ChatMessage, ApiError> {
    let mut content = match message.content {
        None => Vec::new(),
        Some(Content::Text(text)) => vec![ContentPart::Text(text)],
        Some(Content::Parts(parts)) => parts
            .into_iter()
            .filter_map(|part| match part {
                Part::Text { text } => Some(ContentPart::Text(text)),
                Part::ImageUrl { image_url } => Some(ContentPart::Image {
                    url: image_url.url,
                    mime: None,
                }),
                Part::Other => None,
            })
            .collect(),
    };
    let role = match message.role {
        Role::System | Role::Developer => MessageRole::System,
        Role::User => MessageRole::User,
        Role::Assistant => MessageRole::Assistant,
        Role::Tool => {
            let id = message
                .tool_call_id
                .ok_or_else(|| ApiError::invalid("a `tool` message needs `tool_call_id`"))?;
            let text = ChatMessage {
                role: MessageRole::User,
                content,
            }
            .joined_text();
            content = vec![ContentPart::ToolResult {
                id,
                content: text,
                is_error: false,
            }];
            MessageRole::User
        }
    };
    if role == MessageRole::Assistant {
        content.extend(message.tool_calls.into_iter().flatten().map(|call| {
            ContentPart::ToolCall {
                id: call.id,
                name: call.function.name,
                arguments: call.function.arguments,
            }
        }));
    }
    Ok(ChatMessage { role, content })
}

fn tool_choice(value: &Value) -> Result<ToolChoice, ApiError> {
    match value {
        Value::String(s) if s == "auto" => Ok(ToolChoice::Auto),
        Value::String(s) if s == "none" => Ok(ToolChoice::None),
        Value::String(s) if s == "required" => Ok(ToolChoice::Required),
        _ => value
            .pointer("/function/name")
            .and_then(Value::as_str)
            .map(|name| ToolChoice::Tool(name.to_string()))
            .ok_or_else(|| {
                ApiError::invalid(
                    "`tool_choice` must be \"auto\", \"none\", \"required\" or \
                     {\"type\":\"function\",\"function\":{\"name\":…}}",
                )
            }),
    }
}

#[cfg(test)]
mod tests;
