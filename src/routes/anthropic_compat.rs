//! The Anthropic-compatible API: `POST /v1/messages`, streaming or not, for any agent the
//! caller's key may use. Errors are in Anthropic's shape (see `compat::error`).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::compat::anthropic::{self, MessageOut, MessagesRequest};
use crate::compat::error::{AnthropicError, ApiError, Body};
use crate::compat::{gateway, sse_response};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_message))
}

/// A message from the agent named by `model`, whatever its provider: a `message`, or with
/// `stream: true` the event stream (`message_start`, content blocks, `message_delta`,
/// `message_stop`). Client `tools` reach Anthropic agents as given and are translated for
/// OpenAI-compatible ones; other agents answer 400 to tools.
#[utoipa::path(post, path = "/v1/messages", tag = "compat", security(("bearer" = [])),
    request_body = MessagesRequest,
    responses(
        (status = 200, description = "the message, or its event stream", body = MessageOut),
        (status = 400, description = "malformed request, or tools for an agent that cannot take them", body = AnthropicError),
        (status = 401, description = "no or bad API key", body = AnthropicError),
        (status = 404, description = "unknown model, or not allowed for this key", body = AnthropicError),
        (status = 429, description = "rate limit, agent limit or quota (with Retry-After)", body = AnthropicError),
        (status = 502, description = "the agent's provider failed", body = AnthropicError),
    ))]
async fn create_message(
    State(state): State<AppState>,
    user: AuthUser,
    Body(mut body): Body<MessagesRequest>,
) -> Result<Response, ApiError> {
    let runtime = state.runtime.load_full();
    let agent = gateway::agent_for(&runtime, &user, &body.model)?;
    let model = std::mem::take(&mut body.model);
    let request = body.to_chat_request()?;
    let stream = request.stream;
    let reply = gateway::open(&state, &user, &agent, request).await?;
    if stream {
        let prompt_estimate = reply.usage().prompt_tokens;
        return Ok(sse_response(
            reply,
            anthropic::stream_encoder(model, prompt_estimate),
        ));
    }
    let (collected, failure, usage) = reply.collect().await;
    if let Some(error) = failure {
        return Err(ApiError::upstream(&agent.def.id, &error));
    }
    Ok(axum::Json(anthropic::message(collected, usage, model)).into_response())
}
