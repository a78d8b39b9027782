//! A turn: save the user's message and an empty streaming answer, then — in a task tracked by
//! the server, independent of any HTTP connection — stream the agent's reply into the hub,
//! flush the partial answer to the database every few seconds, and save the finished answer
//! (complete, stopped or failed) with its usage.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::agents::ProviderDef;
use crate::auth::AuthUser;
use crate::chat::context::{self, branch, title_from, to_chat_message, trim};
use crate::chat::events::{StartEvent, data};
use crate::chat::hub::Publisher;
use crate::config::TitleMode;
use crate::error::{Error, Result};
use crate::llm::{ChatRequest, ContentPart, UpstreamIds};
use crate::runtime::Agent;
use crate::state::AppState;
use crate::store::conversations::{self, ConversationRow};
use crate::store::messages::{self, MessageRow, NewTurn};

mod run;

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
struct TurnTask {
    /// Settled into the turn's usage record (dropped with the turn otherwise).
    admission: Option<crate::chat::limits::Admission>,
    state: AppState,
    publisher: Publisher,
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
    let agent = state
        .runtime
        .load()
        .agent(&conversation.agent_id)
        .filter(|a| a.usable_by(user))
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

    let mut history: Vec<MessageRow> = all.clone();
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
    let earlier: Vec<&MessageRow> = path
        .iter()
        .copied()
        .filter(|row| user_message.as_ref().is_none_or(|(id, _)| row.id != *id))
        .collect();
    let new_bytes = user_message.as_ref().map_or(0, |(_, content)| {
        crate::chat::attachments::attached_bytes(content)
    });
    crate::chat::attachments::check_conversation_budget(state, &all, new_bytes)?;
    let budget = settings
        .uploads
        .max_per_request
        .as_u64()
        .saturating_sub(new_bytes);
    let mut attached =
        crate::chat::attachments::for_history(state, &user.id, &agent.def, &earlier, budget)
            .await?;
    let chat_messages: Vec<_> = path
        .iter()
        .filter_map(|row| {
            let extra = match &user_message {
                Some((id, _)) if row.id == *id => {
                    upstream_parts.iter().map(|(_, p)| p.clone()).collect()
                }
                _ => attached.remove(&row.id).unwrap_or_default(),
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

    let prompt_estimate = crate::usage::estimate_prompt(&request);
    let output_estimate = request
        .max_tokens
        .map_or(settings.chat.reserve_output_tokens, u64::from);
    let admission = crate::chat::limits::admit(
        state,
        &user.id,
        &agent.def,
        prompt_estimate + output_estimate,
    )
    .await?;

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

    publisher.publish(
        "start",
        data(&StartEvent {
            conversation_id: conversation.id.clone(),
            user_message_id: user_message_id.clone(),
            message_id: assistant_id.clone(),
            agent_id: agent.def.id.clone(),
        }),
    );
    let turn = TurnTask {
        admission: Some(admission),
        state: state.clone(),
        publisher,
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
