//! The OpenAI- and Anthropic-compatible gateway behind `/v1`: any agent, whatever its
//! provider, answers either API. Each API module translates its request into a
//! [`ChatRequest`](crate::llm::ChatRequest) and the agent's [`ChatEvent`](crate::llm::ChatEvent)
//! stream back into its own response or stream format; [`gateway`] runs the call in between
//! (tools check, agent limits, fallbacks, usage accounting, optional storage). A non-streaming
//! reply is the collected stream. The HTTP handlers are in `routes::openai_compat` and
//! `routes::anthropic_compat`.

pub mod anthropic;
pub mod error;
pub mod gateway;
pub mod openai;
mod sse;
mod store;
mod tools;

pub use sse::{Encoder, sse_response};
pub use tools::{Collected, ToolSlots};

/// Seconds since the Unix epoch, for `created` fields.
pub(crate) fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A fresh response id: `prefix` and 24 hex digits of a UUIDv7.
pub(crate) fn response_id(prefix: &str) -> String {
    let uuid = uuid::Uuid::now_v7().simple().to_string();
    let mut id = String::with_capacity(prefix.len() + 24);
    id.push_str(prefix);
    id.push_str(&uuid[8..]);
    id
}

/// Documents a message `content` (or Anthropic's `system`): a string, or an array of parts or
/// blocks, each an object tagged by `type` (parts of types the platform does not carry are
/// accepted and ignored, as the vendors keep adding them).
pub struct TextOrParts;

impl utoipa::PartialSchema for TextOrParts {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        let part = ObjectBuilder::new()
            .property("type", ObjectBuilder::new().schema_type(Type::String))
            .required("type");
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String))
            .item(ArrayBuilder::new().items(part))
            .into()
    }
}

impl utoipa::ToSchema for TextOrParts {}

/// Documents OpenAI's `tool_choice`: a string (`auto`, `none`, `required`) or an object.
pub struct TextOrObject;

impl utoipa::PartialSchema for TextOrObject {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::String))
            .item(ObjectBuilder::new().schema_type(Type::Object))
            .into()
    }
}

impl utoipa::ToSchema for TextOrObject {}
