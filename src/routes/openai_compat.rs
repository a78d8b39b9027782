//! The OpenAI-compatible API: `GET /v1/models` (in Anthropic's shape when the request carries
//! `anthropic-version`) and `POST /v1/chat/completions`, streaming or not, for any agent the
//! caller's key may use. Errors are in OpenAI's shape (see `compat::error`).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::compat::error::{ApiError, Body, OpenAiError};
use crate::compat::gateway;
use crate::compat::openai::{ChatCompletion, ChatCompletionRequest, ModelList};
use crate::compat::{anthropic, openai, sse_response};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_models))
        .routes(routes!(create_chat_completion))
}

/// The agents the caller (its API key) may use, as models: `id` is the agent id. With an
/// `anthropic-version` header the list is in Anthropic's shape.
#[utoipa::path(get, path = "/v1/models", tag = "compat", security(("bearer" = [])),
    responses(
        (status = 200, description = "OpenAI's list (Anthropic's with `anthropic-version`)",
         body = ModelList),
        (status = 401, description = "no or bad API key", body = OpenAiError),
    ))]
async fn list_models(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
) -> Response {
    let runtime = state.runtime.load();
    let agents = runtime
        .visible_to(user.role)
        .filter(|agent| agent.usable_by(&user));
    if headers.contains_key("anthropic-version") {
        let list = anthropic::models(agents.map(|a| (a.def.id.clone(), a.def.name.clone())));
        axum::Json(list).into_response()
    } else {
        let list =
            openai::models(agents.map(|a| (a.def.id.clone(), a.def.provider.kind().as_str())));
        axum::Json(list).into_response()
    }
}

/// A chat completion from the agent named by `model`, whatever its provider: a
/// `chat.completion`, or with `stream: true` a `text/event-stream` of `chat.completion.chunk`s
/// ending in `data: [DONE]` (with a usage chunk first when `stream_options.include_usage`).
/// `tools`, `tool_choice` and `response_format` reach OpenAI-compatible agents as given and
/// are translated for Anthropic ones; other agents answer 400 to tools.
#[utoipa::path(post, path = "/v1/chat/completions", tag = "compat", security(("bearer" = [])),
    request_body = ChatCompletionRequest,
    responses(
        (status = 200, description = "the reply, or its chunk stream", body = ChatCompletion),
        (status = 400, description = "malformed request, or tools for an agent that cannot take them", body = OpenAiError),
        (status = 401, description = "no or bad API key", body = OpenAiError),
        (status = 404, description = "unknown model, or not allowed for this key", body = OpenAiError),
        (status = 429, description = "rate limit, agent limit or quota (with Retry-After)", body = OpenAiError),
        (status = 502, description = "the agent's provider failed", body = OpenAiError),
    ))]
async fn create_chat_completion(
    State(state): State<AppState>,
    user: AuthUser,
    Body(mut body): Body<ChatCompletionRequest>,
) -> Result<Response, ApiError> {
    let runtime = state.runtime.load_full();
    let agent = gateway::agent_for(&runtime, &user, &body.model)?;
    let model = std::mem::take(&mut body.model);
    let include_usage = body
        .stream_options
        .as_ref()
        .is_some_and(|o| o.include_usage);
    let request = body.to_chat_request()?;
    let stream = request.stream;
    let reply = gateway::open(&state, &user, &agent, request).await?;
    if stream {
        return Ok(sse_response(
            reply,
            openai::stream_encoder(model, include_usage),
        ));
    }
    let (collected, failure, usage) = reply.collect().await;
    if let Some(error) = failure {
        return Err(ApiError::upstream(&agent.def.id, &error));
    }
    Ok(axum::Json(openai::completion(collected, usage, model)).into_response())
}
