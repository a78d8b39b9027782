//! Turns over HTTP: send a message (SSE or JSON), reattach to a running turn with
//! `Last-Event-ID`, stop it, regenerate an answer, rate one. The turn itself runs in a task
//! (`chat::turn`); these handlers only start it and read the hub.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::chat::hub::{HubEvent, StartAt};
use crate::chat::turn::{self, NewUserMessage, TurnKind};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::messages::{MessageView, views};
use crate::state::AppState;
use crate::store::conversations::{self, ConversationRow};
use crate::store::messages;

/// A new message in a conversation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    #[serde(default)]
    pub content: String,
    /// Reply under this message; absent: continue the current branch; `null`: a new root
    /// (editing the first question). Edit-and-resend passes the edited message's parent.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub parent_id: Option<Option<String>>,
    /// Ids from `POST /api/uploads`.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// App input variables (FastGPT `variables`, Dify `inputs`), kept for the conversation.
    #[serde(default)]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub variables: Map<String, Value>,
    /// The answer to the previous answer's interactive question (an option's value or the
    /// form's fields).
    #[schema(value_type = Option<serde_json::Value>)]
    pub interactive_answer: Option<Value>,
    /// `false`: wait and answer with the finished message as JSON. Default `true` (SSE).
    pub stream: Option<bool>,
}

/// Tells an explicit `null` from an absent field.
fn present<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Regenerate {
    /// `false`: answer with the finished message as JSON.
    pub stream: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeedback {
    /// `up`, `down`, or null to withdraw.
    #[schema(value_type = Option<Rating>)]
    pub rating: Option<String>,
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

/// A rating of an answer.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the values; the handler matches the string
pub enum Rating {
    #[schema(rename = "up")]
    Up,
    #[schema(rename = "down")]
    Down,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackView {
    pub message_id: String,
    pub rating: Option<String>,
    pub comment: Option<String>,
    /// Whether the agent's app (FastGPT, Dify) received it too.
    pub forwarded: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Stopped {
    /// The answer that was stopped.
    pub message_id: String,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_message))
        .routes(routes!(attach_stream))
        .routes(routes!(stop_turn))
        .routes(routes!(regenerate_message))
        .routes(routes!(rate_message))
}

async fn own_conversation(state: &AppState, user: &AuthUser, id: &str) -> Result<ConversationRow> {
    conversations::get_conversation(&state.db, &user.id, id)
        .await?
        .ok_or(Error::NotFound)
}

/// Sends a message and streams the answer (`text/event-stream`; see the `*Event` schemas), or
/// with `stream: false` returns the finished answer. The answer is generated and saved even
/// if the client goes away.
#[utoipa::path(post, path = "/api/conversations/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")), request_body = NewMessage,
    responses(
        (status = 200, description = "SSE events start, delta, reasoning, replace, status, interactive, citation, tool, usage, done, error — each with `id: <message_id>:<seq>`; or the answer as JSON with stream: false", content((MessageView = "application/json"), (String = "text/event-stream"))),
        (status = 404, description = "no such conversation of the caller's", body = ErrorResponse),
        (status = 409, description = "a turn is already running here", body = ErrorResponse),
        (status = 422, description = "empty content, a bad parent or attachment, or an unavailable agent", body = ErrorResponse),
        (status = 429, description = "a rate limit, agent limit or quota; the message names it", body = ErrorResponse),
    ))]
async fn send_message(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<NewMessage>,
) -> Result<Response> {
    let conversation = own_conversation(&state, &user, &id).await?;
    let parts =
        crate::chat::attachments::resolve(&state, &user, &conversation, &body.attachments).await?;
    let message = NewUserMessage {
        content: body.content,
        parent_id: body.parent_id,
        parts,
        variables: body.variables,
        interactive_answer: body.interactive_answer,
    };
    let started = turn::start(&state, &user, &conversation, TurnKind::Send(message)).await?;
    respond(
        &state,
        &user,
        &conversation.id,
        &started.message_id,
        body.stream,
    )
    .await
}

/// A new answer to the same question, beside the existing ones (`id` may be the answer or the
/// question).
#[utoipa::path(post, path = "/api/messages/{id}/regenerate", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "message id")), request_body(content = Option<Regenerate>),
    responses(
        (status = 200, description = "SSE events as for sending a message, or the answer as JSON", content((MessageView = "application/json"), (String = "text/event-stream"))),
        (status = 404, description = "no such message of the caller's", body = ErrorResponse),
        (status = 409, description = "a turn is already running here", body = ErrorResponse),
    ))]
async fn regenerate_message(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response> {
    let options: Regenerate = if body.iter().all(u8::is_ascii_whitespace) {
        Regenerate { stream: None }
    } else {
        serde_json::from_slice::<Option<Regenerate>>(&body)
            .map_err(|e| Error::BadRequest {
                code: "invalid_json",
                message: format!("invalid JSON body: {e}"),
            })?
            .unwrap_or(Regenerate { stream: None })
    };
    let message = messages::get_message(&state.db, &user.id, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let user_message_id = match message.role.as_str() {
        "user" => message.id.clone(),
        _ => message.parent_id.clone().ok_or(Error::Invalid {
            field: "id".into(),
            message: "this answer has no question to answer again".into(),
        })?,
    };
    let conversation = own_conversation(&state, &user, &message.conversation_id).await?;
    let started = turn::start(
        &state,
        &user,
        &conversation,
        TurnKind::Regenerate { user_message_id },
    )
    .await?;
    respond(
        &state,
        &user,
        &conversation.id,
        &started.message_id,
        options.stream,
    )
    .await
}

/// The SSE stream of the new turn, or (`stream: false`) its saved answer once finished.
async fn respond(
    state: &AppState,
    user: &AuthUser,
    conversation_id: &str,
    message_id: &str,
    stream: Option<bool>,
) -> Result<Response> {
    let subscription = state.hub.subscribe(conversation_id, StartAt::Start).await;
    if stream.unwrap_or(true) {
        let Some((message_id, events)) = subscription else {
            return Err(Error::NotFound);
        };
        return Ok(sse(message_id, events));
    }
    if let Some((_, events)) = subscription {
        events.for_each(|_| async {}).await;
    }
    let row = messages::get_message(&state.db, &user.id, message_id)
        .await?
        .ok_or(Error::NotFound)?;
    let all = messages::list_messages(&state.db, conversation_id).await?;
    let mut view = views(&all, &[&row]);
    Ok(axum::Json(view.remove(0)).into_response())
}

/// An SSE response over hub events, with `: ping` every 15 s.
fn sse(message_id: String, events: impl Stream<Item = Arc<HubEvent>> + Send + 'static) -> Response {
    let events = events.map(move |event| {
        Ok::<_, Infallible>(
            Event::default()
                .id(format!("{message_id}:{}", event.seq))
                .event(event.name.as_str())
                .data(event.data.as_str()),
        )
    });
    let mut response = Sse::new(events)
        .keep_alive(
            KeepAlive::new()
                .interval(Duration::from_secs(15))
                .text(" ping"),
        )
        .into_response();
    let headers = response.headers_mut();
    headers.insert("cache-control", HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// Reattaches to the conversation's running turn: after the `Last-Event-ID` event when given
/// (no gap, no duplicate), else from its first event; replays the last turn while it is still
/// held; 204 when there is nothing.
#[utoipa::path(get, path = "/api/conversations/{id}/stream", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id"),
        ("Last-Event-ID" = Option<String>, Header, description = "`<message_id>:<seq>` of the last event received")),
    responses(
        (status = 200, description = "SSE events as for sending a message", content_type = "text/event-stream"),
        (status = 204, description = "no turn running or held"),
        (status = 404, description = "no such conversation of the caller's", body = ErrorResponse),
    ))]
async fn attach_stream(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    own_conversation(&state, &user, &id).await?;
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit_once(':'))
        .and_then(|(message_id, seq)| Some((message_id, seq.trim().parse::<u64>().ok()?)));
    let from = match last {
        Some((message_id, seq)) => StartAt::After { message_id, seq },
        None => StartAt::Start,
    };
    match state.hub.subscribe(&id, from).await {
        Some((message_id, events)) => Ok(sse(message_id, events)),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// Stops the running turn; what was generated is saved with status `stopped`.
#[utoipa::path(post, path = "/api/conversations/{id}/stop", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    responses(
        (status = 202, description = "stopping; the stream ends with done {status: stopped}", body = Stopped),
        (status = 404, description = "no such conversation of the caller's", body = ErrorResponse),
        (status = 409, description = "no turn is running", body = ErrorResponse),
    ))]
async fn stop_turn(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<Stopped>)> {
    own_conversation(&state, &user, &id).await?;
    match crate::cluster::stop(&state, &id).await? {
        Some(message_id) => Ok((StatusCode::ACCEPTED, axum::Json(Stopped { message_id }))),
        None => Err(Error::Conflict(
            "no reply is being generated in this conversation",
        )),
    }
}

/// Rates an answer (`up`, `down`, or null to withdraw), forwarded to FastGPT and Dify apps.
#[utoipa::path(post, path = "/api/messages/{id}/feedback", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "message id")), request_body = NewFeedback,
    responses(
        (status = 200, description = "saved", body = FeedbackView),
        (status = 404, description = "no such message of the caller's", body = ErrorResponse),
        (status = 422, description = "a bad rating, a long comment, or not an answer", body = ErrorResponse),
    ))]
async fn rate_message(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<NewFeedback>,
) -> Result<axum::Json<FeedbackView>> {
    let rating = match body.rating.as_deref() {
        Some("up") => Some(1),
        Some("down") => Some(-1),
        None => None,
        Some(_) => {
            return Err(Error::Invalid {
                field: "rating".into(),
                message: "must be up, down or null".into(),
            });
        }
    };
    let comment = body
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > 2000) {
        return Err(Error::Invalid {
            field: "comment".into(),
            message: "must be at most 2000 characters".into(),
        });
    }
    let message = messages::get_message(&state.db, &user.id, &id)
        .await?
        .ok_or(Error::NotFound)?;
    if message.role != "assistant" {
        return Err(Error::Invalid {
            field: "id".into(),
            message: "only answers can be rated".into(),
        });
    }
    messages::set_feedback(&state.db, &id, rating, comment).await?;
    let forwarded =
        crate::chat::upstream::forward_feedback(&state, &user.id, &message, rating).await;
    Ok(axum::Json(FeedbackView {
        message_id: id,
        rating: body.rating,
        comment: comment.map(str::to_string),
        forwarded,
    }))
}
