//! A turn: save the user's message and an empty streaming answer, then — in a task tracked by
//! the server, independent of any HTTP connection — stream the agent's reply into the hub,
//! flush the partial answer to the database every few seconds, and save the finished answer
//! (complete, stopped or failed) with its usage.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::agents::ProviderDef;
use crate::auth::AuthUser;
use crate::chat::context::{self, branch, title_from, to_chat_message, trim};
use crate::chat::events::{EventName, StartEvent, data};
use crate::chat::hub::Publisher;
use crate::config::TitleMode;
use crate::content::MessagePart;
use crate::error::{Error, Result};
use crate::llm::{ChatMessage, ChatRequest, ContentPart, UpstreamIds};
use crate::runtime::Agent;
use crate::state::AppState;
use crate::store::conversations::{self, ConversationRow};
use crate::store::messages::{self, MessageRow, NewTurn};
use crate::usage::Meter;

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
    /// Started with the request (its prompt estimate admitted the turn); `run` feeds it.
    meter: Meter,
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
    let agent = usable_agent(state, user, conversation)?;
    ensure_idle(state, &conversation.id).await?;
    let all = messages::list_messages(&state.db, &conversation.id).await?;
    let plan = Plan::new(conversation, &all, &kind)?;
    let (history, system) =
        provider_messages(state, user, &agent, conversation, &all, &plan).await?;
    let upstream_before: UpstreamIds = conversation.upstream_ids();
    let mut request = ChatRequest::for_agent(
        &agent.def,
        ChatRequest {
            messages: history,
            stream: true,
            user: Some(user.id.clone()),
            variables: merged_variables(conversation, &kind),
            upstream: upstream_for(&agent, conversation, &upstream_before, &plan.assistant_id),
            ..ChatRequest::default()
        },
    );
    request.system = system;
    let settings = state.settings();
    let output_estimate = request
        .max_tokens
        .map_or(settings.chat.reserve_output_tokens, u64::from);
    let meter = Meter::start(&request);
    let estimate = meter.prompt_estimate() + output_estimate;
    let admission = crate::chat::limits::admit(state, &user.id, &agent.def, estimate).await?;
    let mut publisher = save(state, conversation, &agent, &plan).await?;
    if let TurnKind::Send(message) = &kind {
        after_user_message(
            state,
            conversation,
            &all,
            plan.parent_id.as_deref(),
            message,
        )
        .await?;
    }
    publisher.publish(
        EventName::Start,
        data(&StartEvent {
            conversation_id: conversation.id.clone(),
            user_message_id: plan.user_message_id.clone(),
            message_id: plan.assistant_id.clone(),
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
        meter,
        upstream_before,
        ask_for_title: conversation.title.is_empty()
            && settings.chat.titles == TitleMode::Agent
            && plan.user_message.is_some(),
        first_text: plan.first_text,
    };
    state.tasks.spawn(turn.run());
    Ok(Started {
        user_message_id: plan.user_message_id,
        message_id: plan.assistant_id,
    })
}

/// The conversation's agent, if the caller may still use it.
fn usable_agent(
    state: &AppState,
    user: &AuthUser,
    conversation: &ConversationRow,
) -> Result<Arc<Agent>> {
    state
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
        })
}

/// One turn at a time per conversation: one running here, or one another replica (or a
/// crashed process) left `streaming`, is a 409.
async fn ensure_idle(state: &AppState, conversation_id: &str) -> Result<()> {
    if let Some(running) = state.hub.running(conversation_id) {
        return Err(Error::TurnRunning(running));
    }
    if let Some(running) = messages::streaming_message(&state.db, conversation_id).await? {
        return Err(Error::TurnRunning(running));
    }
    Ok(())
}

/// What a turn adds to the conversation, decided before anything is written.
struct Plan {
    /// The new user message (id, stored parts); `None` when regenerating.
    user_message: Option<(String, Value)>,
    /// The user message the answer replies to (new or existing).
    user_message_id: String,
    /// The new user message's parent.
    parent_id: Option<String>,
    /// The new message's attachments as the provider gets them.
    upstream_parts: Vec<ContentPart>,
    first_text: String,
    assistant_id: String,
}

impl Plan {
    fn new(conversation: &ConversationRow, all: &[MessageRow], kind: &TurnKind) -> Result<Plan> {
        let (user_message, parent_id, upstream_parts) = match kind {
            TurnKind::Send(message) => {
                let parent = resolve_parent(conversation, all, &message.parent_id)?;
                let id = uuid::Uuid::now_v7().to_string();
                let parts = message.parts.iter().map(|(_, p)| p.clone()).collect();
                (Some((id, user_parts(message)?)), parent, parts)
            }
            TurnKind::Regenerate { user_message_id } => {
                (None, Some(user_message_id.clone()), Vec::new())
            }
        };
        let user_message_id = match (&user_message, &parent_id) {
            (Some((id, _)), _) | (None, Some(id)) => id.clone(),
            (None, None) => return Err(Error::NotFound),
        };
        let first_text = user_message
            .as_ref()
            .map(|(_, content)| context::text_of(content))
            .unwrap_or_default();
        Ok(Plan {
            user_message,
            user_message_id,
            parent_id,
            upstream_parts,
            first_text,
            assistant_id: uuid::Uuid::now_v7().to_string(),
        })
    }
}

/// The branch up to the new user message as provider messages, with the files of earlier
/// messages that fit `uploads.max_per_request`, trimmed to the agent's context window; and
/// the system prompt they go with.
async fn provider_messages(
    state: &AppState,
    user: &AuthUser,
    agent: &Agent,
    conversation: &ConversationRow,
    all: &[MessageRow],
    plan: &Plan,
) -> Result<(Vec<ChatMessage>, Option<String>)> {
    let system = system_prompt(state, user, agent).await?;
    let mut history: Vec<MessageRow> = all.to_vec();
    if let Some((id, content)) = &plan.user_message {
        history.push(MessageRow::new_user(
            id,
            &conversation.id,
            plan.parent_id.clone(),
            content,
        ));
    }
    let path = branch(&history, &plan.user_message_id);
    let is_new = |row: &MessageRow| {
        plan.user_message
            .as_ref()
            .is_some_and(|(id, _)| row.id == *id)
    };
    let earlier: Vec<&MessageRow> = path.iter().copied().filter(|row| !is_new(row)).collect();
    let new_bytes = plan.user_message.as_ref().map_or(0, |(_, content)| {
        crate::chat::attachments::attached_bytes(content)
    });
    crate::chat::attachments::check_conversation_budget(state, all, new_bytes)?;
    let budget = (state.settings().uploads.max_per_request.as_u64()).saturating_sub(new_bytes);
    let mut attached =
        crate::chat::attachments::for_history(state, &user.id, &agent.def, &earlier, budget)
            .await?;
    let messages = path
        .iter()
        .filter_map(|row| {
            let extra = if is_new(row) {
                plan.upstream_parts.clone()
            } else {
                attached.remove(&row.id).unwrap_or_default()
            };
            to_chat_message(row, extra)
        })
        .collect();
    let messages = trim(system.as_deref(), messages, agent.def.context_window);
    Ok((messages, system))
}

/// The system prompt of the user's turn with the agent.
async fn system_prompt(state: &AppState, user: &AuthUser, agent: &Agent) -> Result<Option<String>> {
    let instructions = crate::store::users::custom_instructions(&state.db, &user.id).await?;
    Ok(with_instructions(
        agent.def.system_prompt.as_deref(),
        instructions.as_deref(),
    ))
}

/// The agent's system prompt followed by the user's custom instructions, when there are any.
fn with_instructions(agent: Option<&str>, instructions: Option<&str>) -> Option<String> {
    match (agent, instructions) {
        (Some(agent), Some(mine)) => Some(format!(
            "{agent}\n\nThe user's custom instructions:\n{mine}"
        )),
        (None, Some(mine)) => Some(format!("The user's custom instructions:\n{mine}")),
        (agent, None) => agent.map(str::to_string),
    }
}

/// The upstream ids this turn sends: the conversation's, and for FastGPT the ids we choose
/// (its history is keyed by our conversation id, this reply by our message id).
fn upstream_for(
    agent: &Agent,
    conversation: &ConversationRow,
    before: &UpstreamIds,
    assistant_id: &str,
) -> UpstreamIds {
    let mut upstream = before.clone();
    upstream.task_id = None;
    upstream.message_id = None;
    if matches!(agent.def.provider, ProviderDef::Fastgpt(_)) {
        upstream
            .chat_id
            .get_or_insert_with(|| conversation.id.clone());
        upstream.message_id = Some(assistant_id.to_string());
    }
    upstream
}

/// Claims the conversation in the hub and writes the user message and the empty streaming
/// answer; the hub is released again if the write fails.
async fn save(
    state: &AppState,
    conversation: &ConversationRow,
    agent: &Agent,
    plan: &Plan,
) -> Result<Publisher> {
    let settings = state.settings();
    // With `chat.titles: first_message`, an untitled conversation takes the message's start.
    let title = (conversation.title.is_empty() && settings.chat.titles == TitleMode::FirstMessage)
        .then(|| title_from(&plan.first_text))
        .flatten();
    let publisher = state
        .hub
        .begin(&conversation.id, &plan.assistant_id)
        .map_err(Error::TurnRunning)?;
    let saved = messages::insert_turn(
        &state.db,
        &NewTurn {
            conversation_id: &conversation.id,
            user: plan.user_message.as_ref().map(|(id, c)| (id.as_str(), c)),
            parent_id: plan.parent_id.as_deref(),
            assistant_id: &plan.assistant_id,
            agent_id: &agent.def.id,
            instance_id: &state.instance_id,
            title: title.as_deref(),
        },
    )
    .await;
    if let Err(e) = saved {
        drop(publisher);
        state.hub.abandon(&conversation.id, &plan.assistant_id);
        return Err(e);
    }
    Ok(publisher)
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
        parts.push(serde_json::to_value(MessagePart::Text { text }).unwrap_or_default());
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
        // Edited in place as JSON, so that parts of types this build does not know survive.
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
        let mut variables = conversation.variables();
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
    let mut variables = conversation.variables();
    if let TurnKind::Send(message) = kind {
        variables.extend(message.variables.clone());
    }
    variables
}
