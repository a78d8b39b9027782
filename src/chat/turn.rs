//! A turn: save the user's message and an empty streaming answer, then — in a task tracked by
//! the server, independent of any HTTP connection — stream the agent's reply into the hub,
//! flush the partial answer to the database every few seconds, and save the finished answer
//! (complete, stopped or failed) with its usage.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use super::context::{self, branch, title_from, to_chat_message, trim};
use super::events::{Answer, DoneEvent, ErrorEvent, StartEvent, UsageEvent, data, merge_upstream};
use super::hub::Publisher;
use crate::agents::ProviderDef;
use crate::auth::AuthUser;
use crate::config::TitleMode;
use crate::error::{Error, Result};
use crate::llm::{ChatRequest, ContentPart, LlmError, UpstreamIds, Usage, provider};
use crate::runtime::{Agent, Runtime};
use crate::state::AppState;
use crate::store::conversations::{self, ConversationRow};
use crate::store::messages::{self, FinishedMessage, MessageRow, NewTurn};
use crate::usage::{ActiveStream, Outcome, UsageRecord, count_upstream_error, estimate_tokens};

/// The longest message a user may send, in characters.
const MAX_CONTENT_CHARS: usize = 100_000;

/// What the user sends.
#[derive(Debug, Default)]
pub struct NewUserMessage {
    pub content: String,
    /// `None`: continue the current branch; `Some(None)`: a new root; `Some(Some(id))`: reply
    /// under that message (edit-and-resend uses the edited message's parent).
    pub parent_id: Option<Option<String>>,
    /// Extra parts for the stored message and for the upstream (attachments).
    pub parts: Vec<(Value, ContentPart)>,
    pub variables: Map<String, Value>,
    /// The answer to the previous answer's interactive question.
    pub interactive_answer: Option<Value>,
}

/// Which turn to start.
pub enum TurnKind {
    Send(NewUserMessage),
    /// A new answer to this (user) message, beside the existing ones.
    Regenerate {
        user_message_id: String,
    },
}

/// The ids of a started turn.
#[derive(Debug, Clone)]
pub struct Started {
    pub user_message_id: String,
    pub message_id: String,
}

/// Everything the task needs.
struct Turn {
    state: AppState,
    publisher: Publisher,
    runtime: Arc<Runtime>,
    agent: Arc<Agent>,
    conversation_id: String,
    user_id: String,
    api_key_id: Option<String>,
    request: ChatRequest,
    upstream_before: UpstreamIds,
    ask_for_title: bool,
    first_text: String,
}

/// Starts a turn in `conversation` (the caller's own); returns once its messages are saved
/// and its `start` event is in the hub.
pub async fn start(
    state: &AppState,
    user: &AuthUser,
    conversation: &ConversationRow,
    kind: TurnKind,
) -> Result<Started> {
    let runtime = state.runtime.load_full();
    let agent = runtime
        .agent(&conversation.agent_id)
        .filter(|a| crate::routes::may_use(user, a))
        .cloned()
        .ok_or_else(|| Error::Invalid {
            field: "agent_id".into(),
            message: format!(
                "the conversation's agent {:?} is not available to you; choose another agent",
                conversation.agent_id
            ),
        })?;
    if let Some(running) = state.hub.running(&conversation.id) {
        return Err(Error::TurnRunning(running));
    }
    if let Some(running) = messages::streaming_message(&state.db, &conversation.id).await? {
        return Err(Error::TurnRunning(running));
    }
    super::limits::check(state, &user.id, &agent.def).await?;

    let all = messages::list_messages(&state.db, &conversation.id).await?;
    let assistant_id = uuid::Uuid::now_v7().to_string();
    let (user_message, parent_id, upstream_parts) = match &kind {
        TurnKind::Send(message) => {
            let parent = resolve_parent(conversation, &all, &message.parent_id)?;
            let user_message_id = uuid::Uuid::now_v7().to_string();
            let content = user_parts(message)?;
            (
                Some((user_message_id, content)),
                parent,
                message.parts.clone(),
            )
        }
        TurnKind::Regenerate { user_message_id } => {
            (None, Some(user_message_id.clone()), Vec::new())
        }
    };
    let user_message_id = match (&user_message, &parent_id) {
        (Some((id, _)), _) => id.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => return Err(Error::NotFound),
    };
    let first_text = match &user_message {
        Some((_, content)) => context::text_of(content),
        None => String::new(),
    };
    let settings = state.settings();
    let title = (conversation.title.is_empty() && settings.chat.titles == TitleMode::FirstMessage)
        .then(|| title_from(&first_text))
        .flatten();

    let mut publisher = state
        .hub
        .begin(&conversation.id, &assistant_id)
        .map_err(Error::TurnRunning)?;
    let saved = messages::insert_turn(
        &state.db,
        &NewTurn {
            conversation_id: &conversation.id,
            user: user_message.as_ref().map(|(id, c)| (id.as_str(), c)),
            parent_id: parent_id.as_deref(),
            assistant_id: &assistant_id,
            agent_id: &agent.def.id,
            instance_id: &state.instance_id,
            title: title.as_deref(),
        },
    )
    .await;
    if let Err(e) = saved {
        drop(publisher);
        state.hub.abandon(&conversation.id, &assistant_id);
        return Err(e);
    }
    if let TurnKind::Send(message) = &kind {
        after_user_message(state, conversation, &all, parent_id.as_deref(), message).await?;
    }

    let mut history: Vec<MessageRow> = all;
    if let Some((id, content)) = &user_message {
        history.push(MessageRow {
            id: id.clone(),
            conversation_id: conversation.id.clone(),
            parent_id: parent_id.clone(),
            role: "user".into(),
            content: content.to_string(),
            status: "complete".into(),
            agent_id: None,
            model: None,
            prompt_tokens: None,
            completion_tokens: None,
            ttft_ms: None,
            duration_ms: None,
            feedback: None,
            feedback_comment: None,
            error: None,
            upstream_id: None,
            created_at: 0,
            updated_at: 0,
        });
    }
    let path = branch(&history, &user_message_id);
    let last = path.len().saturating_sub(1);
    let chat_messages = path
        .iter()
        .enumerate()
        .filter_map(|(i, row)| {
            let extra = if i == last {
                upstream_parts.iter().map(|(_, p)| p.clone()).collect()
            } else {
                Vec::new()
            };
            to_chat_message(row, extra)
        })
        .collect();
    let upstream_before: UpstreamIds =
        serde_json::from_str(&conversation.upstream).unwrap_or_default();
    let mut upstream = upstream_before.clone();
    upstream.task_id = None;
    upstream.message_id = None;
    if matches!(agent.def.provider, ProviderDef::Fastgpt(_)) {
        // We choose FastGPT's ids: the conversation's history and this reply's record.
        upstream
            .chat_id
            .get_or_insert_with(|| conversation.id.clone());
        upstream.message_id = Some(assistant_id.clone());
    }
    let variables = merged_variables(conversation, &kind);
    #[allow(
        clippy::needless_update,
        reason = "ChatRequest gains fields (tools) that are left at their defaults here"
    )]
    let request = ChatRequest {
        model: agent
            .def
            .provider
            .upstream()
            .and_then(|u| u.model.clone())
            .unwrap_or_default(),
        system: agent.def.system_prompt.clone(),
        messages: trim(
            agent.def.system_prompt.as_deref(),
            chat_messages,
            agent.def.context_window,
        ),
        temperature: agent.def.temperature,
        max_tokens: agent.def.max_tokens,
        stream: true,
        user: Some(user.id.clone()),
        variables,
        upstream,
        ..Default::default()
    };

    publisher.publish(
        "start",
        data(&StartEvent {
            conversation_id: conversation.id.clone(),
            user_message_id: user_message_id.clone(),
            message_id: assistant_id.clone(),
            agent_id: agent.def.id.clone(),
        }),
    );
    let turn = Turn {
        state: state.clone(),
        publisher,
        runtime,
        agent,
        conversation_id: conversation.id.clone(),
        user_id: user.id.clone(),
        api_key_id: user.api_key_id().map(str::to_string),
        request,
        upstream_before,
        ask_for_title: conversation.title.is_empty()
            && settings.chat.titles == TitleMode::Agent
            && user_message.is_some(),
        first_text,
    };
    state.tasks.spawn(turn.run());
    Ok(Started {
        user_message_id,
        message_id: assistant_id,
    })
}

/// The parent of the new user message: as asked, or the tip of the current branch.
fn resolve_parent(
    conversation: &ConversationRow,
    all: &[MessageRow],
    asked: &Option<Option<String>>,
) -> Result<Option<String>> {
    match asked {
        None => Ok(conversation.current_message_id.clone()),
        Some(None) => Ok(None),
        Some(Some(id)) if all.iter().any(|m| &m.id == id) => Ok(Some(id.clone())),
        Some(Some(_)) => Err(Error::Invalid {
            field: "parent_id".into(),
            message: "is not a message of this conversation".into(),
        }),
    }
}

/// The stored parts of the user's message.
fn user_parts(message: &NewUserMessage) -> Result<Value> {
    let mut text = message.content.trim().to_string();
    if text.is_empty()
        && let Some(answer) = &message.interactive_answer
    {
        text = match answer {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
    }
    if text.is_empty() && message.parts.is_empty() {
        return Err(Error::Invalid {
            field: "content".into(),
            message: "must not be empty".into(),
        });
    }
    if text.chars().count() > MAX_CONTENT_CHARS {
        return Err(Error::Invalid {
            field: "content".into(),
            message: format!("must be at most {MAX_CONTENT_CHARS} characters"),
        });
    }
    let mut parts: Vec<Value> = message.parts.iter().map(|(p, _)| p.clone()).collect();
    if !text.is_empty() {
        parts.push(json!({"type": "text", "text": text}));
    }
    Ok(Value::Array(parts))
}

/// Writes what the user's message changes besides itself: the answer to an interactive
/// question goes into that question, new input variables into the conversation.
async fn after_user_message(
    state: &AppState,
    conversation: &ConversationRow,
    all: &[MessageRow],
    parent_id: Option<&str>,
    message: &NewUserMessage,
) -> Result<()> {
    if let (Some(answer), Some(parent)) = (&message.interactive_answer, parent_id)
        && let Some(question) = all.iter().find(|m| m.id == parent)
    {
        let mut parts = question.parts();
        if let Some(part) = parts
            .as_array_mut()
            .into_iter()
            .flatten()
            .rev()
            .find(|p| p["type"] == "interactive")
        {
            part["answer"] = answer.clone();
            messages::set_content(&state.db, &question.id, &parts).await?;
        }
    }
    if !message.variables.is_empty() {
        let mut variables: Map<String, Value> =
            serde_json::from_str(&conversation.variables).unwrap_or_default();
        variables.extend(message.variables.clone());
        conversations::set_variables(
            &state.db,
            &conversation.id,
            &Value::Object(variables).to_string(),
        )
        .await?;
    }
    Ok(())
}

fn merged_variables(conversation: &ConversationRow, kind: &TurnKind) -> Map<String, Value> {
    let mut variables: Map<String, Value> =
        serde_json::from_str(&conversation.variables).unwrap_or_default();
    if let TurnKind::Send(message) = kind {
        variables.extend(message.variables.clone());
    }
    variables
}

/// How the streaming loop ended.
enum End {
    Complete,
    Stopped,
    /// The server is shutting down and its grace is nearly spent.
    Interrupted,
    Failed {
        agent_id: String,
        error: LlmError,
    },
}

impl Turn {
    async fn run(mut self) {
        let _active = ActiveStream::open();
        let started = Instant::now();
        let cancel = self.publisher.cancelled();
        let grace = self.state.settings().shutdown_grace;
        let shutdown = self.state.lifecycle.shutdown.clone();
        let deadline = async move {
            shutdown.cancelled().await;
            tokio::time::sleep(grace.mul_f32(0.75)).await;
        };
        tokio::pin!(deadline);
        let mut answer = Answer::default();
        let mut ttft = None;
        let mut agent_id = self.agent.def.id.clone();

        let opened = tokio::select! {
            opened = provider::chat_with_fallbacks(&self.state.transport, &self.runtime, &self.agent.def, &self.request) => Some(opened),
            () = cancel.cancelled() => None,
            () = &mut deadline => None,
        };
        let end = match opened {
            None if cancel.is_cancelled() => End::Stopped,
            None => End::Interrupted,
            Some(Err((failed, error))) => End::Failed {
                agent_id: failed,
                error,
            },
            Some(Ok((answered_by, stream))) => {
                agent_id = answered_by;
                self.stream(
                    stream,
                    &mut answer,
                    &mut ttft,
                    started,
                    &cancel,
                    &mut deadline,
                )
                .await
            }
        };
        self.finish(end, answer, ttft, started, agent_id).await;
    }

    async fn stream(
        &mut self,
        mut stream: crate::llm::ChatStream,
        answer: &mut Answer,
        ttft: &mut Option<u64>,
        started: Instant,
        cancel: &tokio_util::sync::CancellationToken,
        deadline: &mut std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    ) -> End {
        let flush_every = self.state.settings().chat.flush_interval;
        let mut flush = tokio::time::interval_at(
            tokio::time::Instant::now() + flush_every,
            flush_every.max(Duration::from_millis(50)),
        );
        loop {
            tokio::select! {
                biased;
                () = cancel.cancelled() => return End::Stopped,
                () = deadline.as_mut() => return End::Interrupted,
                item = stream.next() => match item {
                    Some(Ok(event)) => {
                        if let Some((name, payload)) = answer.apply(event) {
                            if ttft.is_none() && answer.started {
                                *ttft = Some(started.elapsed().as_millis() as u64);
                            }
                            self.publisher.publish(name, payload);
                        }
                    }
                    Some(Err(error)) => {
                        return End::Failed { agent_id: self.agent.def.id.clone(), error };
                    }
                    None => return End::Complete,
                },
                _ = flush.tick() => {
                    if answer.take_dirty()
                        && let Err(e) = messages::save_partial(&self.state.db, self.publisher.message_id(), &answer.parts()).await
                    {
                        tracing::warn!(error = %e, "cannot save the partial answer; will retry");
                    }
                }
            }
        }
    }

    async fn finish(
        mut self,
        end: End,
        answer: Answer,
        ttft: Option<u64>,
        started: Instant,
        agent_id: String,
    ) {
        let duration_ms = started.elapsed().as_millis() as u64;
        let provider_kind = self
            .runtime
            .agent(&agent_id)
            .map_or(self.agent.def.provider.kind(), |a| a.def.provider.kind());
        let provider_name = provider_kind.as_str();
        let (status, outcome, error) = match &end {
            End::Complete => ("complete", Outcome::Ok, None),
            End::Stopped => ("stopped", Outcome::Stopped, None),
            End::Interrupted => (
                "interrupted",
                Outcome::Error,
                Some(ErrorEvent {
                    code: "interrupted".into(),
                    message: "the server shut down during this answer".into(),
                    agent_id: None,
                }),
            ),
            End::Failed { agent_id, error } => {
                count_upstream_error(provider_name, error);
                let event = ErrorEvent {
                    code: error_code(error).into(),
                    message: format!("agent {agent_id:?}: {error}"),
                    agent_id: Some(agent_id.clone()),
                };
                ("failed", Outcome::Error, Some(event))
            }
        };
        if matches!(end, End::Stopped) {
            self.stop_upstream(&answer.upstream).await;
        }
        let (usage, estimated) = match answer.usage {
            Some(usage) => (usage, false),
            None => (
                Usage {
                    prompt_tokens: self.prompt_estimate(),
                    completion_tokens: estimate_tokens(&answer.text),
                },
                true,
            ),
        };
        let usage_event = UsageEvent {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            estimated,
        };
        if estimated {
            self.publisher.publish("usage", data(&usage_event));
        }
        if let Some(error) = &error {
            self.publisher.publish("error", data(error));
        }
        let content = answer.parts();
        let error_json = error
            .as_ref()
            .map(|e| json!({"code": e.code, "message": e.message}));
        let message_id = self.publisher.message_id().to_string();
        let finished = FinishedMessage {
            content: &content,
            status,
            agent_id: &agent_id,
            model: Some(self.request.model.as_str()).filter(|m| !m.is_empty()),
            prompt_tokens: Some(usage.prompt_tokens),
            completion_tokens: Some(usage.completion_tokens),
            ttft_ms: ttft,
            duration_ms,
            error: error_json.as_ref(),
            upstream_id: answer.upstream.message_id.as_deref(),
        };
        self.save(&message_id, &finished).await;
        let mut upstream = self.upstream_before.clone();
        merge_upstream(&mut upstream, answer.upstream.clone());
        upstream.task_id = None;
        upstream.message_id = None;
        if upstream != self.upstream_before {
            let json = serde_json::to_string(&upstream).unwrap_or_else(|_| "{}".into());
            if let Err(e) =
                conversations::set_upstream(&self.state.db, &self.conversation_id, &json).await
            {
                tracing::warn!(error = %e, "cannot save the upstream conversation id");
            }
        }
        let mut record = UsageRecord::new(&agent_id, provider_name);
        record.user_id = Some(self.user_id.clone());
        record.api_key_id = self.api_key_id.clone();
        record.conversation_id = Some(self.conversation_id.clone());
        record.message_id = Some(message_id.clone());
        record.model = finished.model.map(str::to_string);
        record.prompt_tokens = usage.prompt_tokens;
        record.completion_tokens = usage.completion_tokens;
        record.estimated = estimated;
        record.ttft_ms = ttft;
        record.duration_ms = Some(duration_ms);
        record.outcome = outcome;
        record.error_code = error.as_ref().map(|e| e.code.clone());
        self.state.usage.record(record);

        let done_status = if status == "interrupted" {
            "interrupted"
        } else {
            status
        };
        self.publisher.publish(
            "done",
            data(&DoneEvent {
                message_id,
                status: done_status.into(),
                usage: usage_event,
            }),
        );
        let Turn {
            state,
            publisher,
            agent,
            conversation_id,
            ask_for_title,
            first_text,
            ..
        } = self;
        publisher.finish();
        if ask_for_title && status == "complete" {
            super::titles::ask_agent(&state, &agent, &conversation_id, &first_text, &answer.text)
                .await;
        }
    }

    /// Saves the finished answer, retrying briefly while the database is unreachable.
    async fn save(&self, message_id: &str, finished: &FinishedMessage<'_>) {
        for attempt in 0..5u32 {
            match messages::finish_message(&self.state.db, message_id, finished).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(error = %e, attempt, message_id, "cannot save the answer; retrying");
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                }
            }
        }
        tracing::error!(
            message_id,
            "the answer could not be saved; recovery will mark it interrupted"
        );
    }

    /// Dify keeps generating after we hang up unless told to stop.
    async fn stop_upstream(&self, ids: &UpstreamIds) {
        let (ProviderDef::Dify(upstream), Some(task_id)) = (&self.agent.def.provider, &ids.task_id)
        else {
            return;
        };
        let user = self.request.user.clone().unwrap_or_default();
        let sent = super::upstream::send(&self.state.transport, upstream, |endpoint| {
            crate::llm::dify::stop_request(endpoint, task_id, &user)
        })
        .await;
        if let Err(e) = sent {
            tracing::warn!(agent = %self.agent.def.id, error = %e, "Dify did not accept the stop request");
        }
    }

    fn prompt_estimate(&self) -> u64 {
        self.request.system.as_deref().map_or(0, estimate_tokens)
            + self
                .request
                .messages
                .iter()
                .map(context::message_tokens)
                .sum::<u64>()
    }
}

/// A short code for an upstream failure, for the `error` event and usage records.
fn error_code(error: &LlmError) -> &'static str {
    match error {
        LlmError::Connect(_) => "upstream_unreachable",
        LlmError::IdleTimeout(_) => "upstream_timeout",
        LlmError::Protocol(_) => "upstream_protocol_error",
        LlmError::Upstream {
            status: Some(429), ..
        } => "upstream_rate_limited",
        LlmError::Upstream {
            status: Some(401 | 403),
            ..
        } => "upstream_auth_failed",
        LlmError::Upstream { .. } => "upstream_error",
    }
}
